#!/bin/sh
# The over-the-air update demo: the simulated reference board
# (stm32f407-enc28j60) boots version 1 of the update agent from its factory
# flash, gets an address over DHCP from the virtual update server, finds
# version 2 in the manifest, downloads it over HTTP into slot B, verifies
# SHA-256 and Ed25519 signature, reboots into a trial, confirms, and stops.
#   tools/demo.sh BUILD_DIR
set -u
b=$1
ref=$b/fw/ref
out=$b/demo; mkdir -p "$out"
cp "$ref/factory-flash.bin" "$out/flash.bin"
echo "== glitchbox $($b/glitchbox version | cut -d' ' -f2): over-the-air update on board stm32f407-enc28j60"
echo "   console of the simulated device:"
start=$(date +%s.%N)
$b/glitchbox run --board stm32f407-enc28j60 --flash "$out/flash.bin" \
    --firmware "$ref/factory-flash.bin" --format bin --base 0x08000000 \
    --serve "$ref/server" --max-time 60s --stop-on "reason=up-to-date" \
    --report "$out/report.json" --uart-log "$out/uart.log" --pcap "$out/net.pcap" \
    --quiet >"$out/stdout" 2>&1
rc=$?
end=$(date +%s.%N)
sed 's/\r$//; s/^/   | /' "$out/uart.log"
echo
python3 - "$out" "$start" "$end" "$rc" <<'PY'
import json, re, sys
out, start, end, rc = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
log = open(f"{out}/uart.log", errors="replace").read()
rep = json.load(open(f"{out}/report.json"))
vt = rep["virtual_time_ns"] / 1e9
wall = end - start
first = re.search(r"app: version (\d+) running from slot (\w)", log)
reb = re.search(r"update: state=rebooting version=(\d+) bytes=(\d+)/(\d+) retries=(\d+) errors=(\d+)", log)
conf = re.search(r"update: state=confirmed version=(\d+) .* slot=(\w)", log)
print("== summary")
if rc == 0 and first and reb and conf:
    print(f"   updated version {first.group(1)} (slot {first.group(2)}) -> version {conf.group(1)} "
          f"(slot {conf.group(2)}), confirmed after its trial boot")
    print(f"   image {int(reb.group(3))} bytes downloaded, {reb.group(4)} retries, {reb.group(5)} errors; "
          f"verified SHA-256 and Ed25519 signature")
else:
    print(f"   the update did not complete (exit {rc}); see the log")
print(f"   {vt:.3f} s of virtual time in {wall:.2f} s wall ({vt / wall:.0f}x real time), "
      f"{rep['instructions']} instructions, {rep.get('resets', 0)} resets")
print(f"   report {out}/report.json")
print(f"   pcap   {out}/net.pcap")
print(f"   UART   {out}/uart.log")
sys.exit(0 if rc == 0 and conf else 1)
PY
