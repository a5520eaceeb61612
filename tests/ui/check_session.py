#!/usr/bin/env python3
"""Checks of the scripted UI session (tests/ui/session.txt): the dumps the UI
wrote, the replay file, the report and the screenshot. Prints one line per
check that holds; exits 1 at the first that does not."""
import json
import os
import struct
import sys

tmp = sys.argv[1]


def load(name):
    with open(os.path.join(tmp, name)) as f:
        return json.load(f)


def check(cond, what):
    if not cond:
        print("not so: " + what)
        sys.exit(1)


MS = 1000000
dumps = {n: load("d-%s.json" % n) for n in
         ("start", "blink1", "blink2", "blink3", "blink4", "off", "end")}

# The LEDs drawn are the GPIO levels: the pixel at each LED's centre has its
# lit colour exactly when the pin is high.
leds_seen = 0
ld4 = set()
for name, d in dumps.items():
    for led in d["leds"]:
        if not led["exposed"]:
            continue
        leds_seen += 1
        check("pixel" in led, "%s: LED %s was drawn" % (name, led["name"]))
        # an LED model's state where the board has one, else the pin's level
        want_on = led.get("model_on", led["gpio"])
        check(led["pixel_lit"] == want_on == led["drawn_on"],
              "%s at %.3f s: LED %s pixel %s lit=%s, model/GPIO %s" %
              (name, d["t_ns"] / 1e9, led["name"], led["pixel"], led["pixel_lit"], want_on))
        if "model_on" in led:
            check(led["model_on"] == led["gpio"], "LED %s: the model follows its pin" % led["name"])
        if led["name"] == "LD4":
            ld4.add(want_on)
check(leds_seen >= 6 * len(dumps), "the four user LEDs and the jack's two are in every dump")
print("LED pixels read back match the LED models and GPIO levels in %d LED samples" % leds_seen)
check(ld4 == {True, False}, "LD4 (PD12) was seen both lit and dark while v2 blinks it")
print("LD4 seen lit and dark while the idle firmware blinks it")

off = dumps["off"]
check(off["power_off"], "the board is off 50 ms into the power cut")
check(not any(l["gpio"] or l["pixel_lit"] for l in off["leds"]), "every LED is dark without power")
print("power cut: the board is off and every LED dark")

# The clicks reached the input log and were applied at the next tick.
rec = load("rec.json")
got = rec["inputs"]
want = [
    {"kind": "link", "target": "lan", "up": False},
    {"kind": "link", "target": "lan", "up": True},
    {"kind": "control", "target": "user_button.pressed", "value": True},
    {"kind": "control", "target": "user_button.pressed", "value": False},
    {"kind": "power_cut", "off_ns": 100 * MS},
    {"kind": "spi_errors", "target": "mcu.spi2", "ber": 1e-4, "line": "both"},
    {"kind": "spi_errors", "target": "mcu.spi2", "ber": 0, "line": "both"},
    {"kind": "control", "target": "net.lan.loss", "value": 0},
    {"kind": "uart", "target": "mcu.usart2", "hex": "68690d"},
    {"kind": "control", "target": "reset_button.pressed", "value": True},
    {"kind": "control", "target": "reset_button.pressed", "value": False},
]
check(len(got) == len(want), "%d inputs recorded, %d expected: %s" % (len(got), len(want), got))
for fields, r in zip(want, got):
    for k, v in fields.items():
        check(r.get(k) == v, "input %s: %s is %r" % (fields, k, r.get(k)))
submitted = dumps["end"]["inputs"]["submitted_log"]
check(len(submitted) == len(want), "the UI submitted %d inputs: %s" % (len(submitted), submitted))
for s, r in zip(submitted, got):
    tick = (int(s["at_ns"]) // MS + 1) * MS
    check(r["t_ns"] == tick, "%s submitted at %.6f s, applied at %.6f s (the next tick is %.3f s)"
          % (s["what"], s["at_ns"] / 1e9, r["t_ns"] / 1e9, tick / 1e9))
for button in ("user_button", "reset_button"):
    press = [r["t_ns"] for r in got if r.get("target") == button + ".pressed"]
    check(press[1] - press[0] >= 50 * MS, "%s was held at least 50 ms" % button)
print("%d clicks and keystrokes recorded and applied at the tick after each was made" % len(want))

end = dumps["end"]
check(end["inputs"]["applied"] == len(want) and end["inputs"]["submitted"] == len(want),
      "the UI submitted and the log applied every input: %s" % end["inputs"])
tail = end["console"]["tail"]
for text in ("eth: link down", "eth: link up", "update: state=confirmed version=2",
             "app: version 2 running from slot B"):
    check(text in tail, "the console shows '%s'" % text)
check(tail.count("reset cause power-on") == 2, "two power-on boots in the console")
check("reset cause pin" in tail, "the reset button's boot in the console")
check(end["console"]["uart"] == "mcu.usart2", "typing goes to the UART the guest prints on")
print("console text: every boot, the link going down and up, the confirmed update")
check(dumps["blink1"]["update"]["state"] == "idle" and
      dumps["blink1"]["update"]["progress"] == 1.0,
      "the update bar is full once v2 is idle: %s" % dumps["blink1"]["update"])
labels = [m["label"] for m in end["marks"]]
for lbl in ("cable out lan", "cable in lan", "power cut 100 ms", "power off", "power on",
            "downloading v2", "rebooting v2", "SPI errors 1e-04", "net.lan.loss = 0",
            "user button pressed", "reset pressed", "reset released", "boot (pin)"):
    check(lbl in labels, "the timeline marks '%s' (marks: %s)" % (lbl, labels))
link = end["links"][0]
check(link["link_down_periods"] == 1, "one cable-out period on the timeline")
check(link["from_board"]["delivered"] > 20 and link["to_board"]["delivered"] > 20,
      "frames both ways on the timeline: %s" % link)
print("timeline: frames both ways, one cable-out period, marks for inputs and update states")

# The report of the recorded session counts the same inputs and the power cut.
report = load("rec.json.out/report.json")
check(report["outside_inputs"] == len(want), "report: outside_inputs %s" % report["outside_inputs"])
check(report["power_cuts"] == 1, "report: power_cuts %s" % report["power_cuts"])
end_ns = int(rec["scenario"]["max_time"].rstrip("ns"))
check(end_ns >= end["t_ns"] and end_ns % MS == 0, "the recording ends where the session did")
print("report: %d outside inputs, 1 power cut; the replay file ends where the session did" %
      len(want))

with open(os.path.join(tmp, "shot.png"), "rb") as f:
    head = f.read(24)
check(head[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is a PNG")
w, h = struct.unpack(">II", head[16:24])
check((w, h) == (1440, 900), "the screenshot is %dx%d" % (w, h))
print("screenshot: a 1440x900 PNG of the window")
