#!/bin/sh
# Power cut at many points of an over-the-air update, each one a scenario
# run (glitchbox run --scenario) from the factory flash: during the erase of
# the target slot, during the download, around every boot state write
# (first boot, marking the trial, the bootloader counting the trial boot,
# the new image confirming: each found by bisection) and, when the board has the "mcu.flash.op"
# probe, at flash operations spread over the whole update. After every cut
# the device must boot a valid image at once and finish on version 2.
# Prints "ota-powercut: N passed, N failed".
#   tests/e2e/run-powercut.sh GLITCHBOX FW_REF_DIR OUT_DIR [JOBS]
# After the cut, the first boot decision must start an image, and the device must finish.
one() {
    gb=$1; out=$2; f=$3; name=$(basename "$f" .json); d="$out/runs/$name"
    mkdir -p "$d"
    "$gb" run --scenario "$f" --out "$d" --quiet >"$d/stdout" 2>&1
    rc=$?
    why=""
    [ $rc -eq 0 ] || why="scenario expectations failed (exit $rc)"
    # the boot after the cut (the second power-on): its next lines start an image
    after=$(awk '/reset cause power-on/ { n++ } n == 2' "$d/uart.log" 2>/dev/null | sed -n '2,3p')
    case "$after" in
    *"boot: start slot="*|*"boot: trial slot="*) ;;
    *) why="$why; no image started right after the power came back" ;;
    esac
    [ "$(grep -c 'reset cause power-on' "$d/uart.log" 2>/dev/null)" -ge 2 ] || why="$why; the cut did not happen"
    if [ -z "$why" ]; then echo "ok   $name"; else echo "FAIL $name: $why"; fi
}
if [ "${1:-}" = --one ]; then
    shift
    one "$@"
    exit 0
fi

set -u
gb=$1; ref=$(cd "$2" && pwd); out=$3; jobs=${4:-2}
rm -rf "$out"; mkdir -p "$out/cases"
board=stm32f407-enc28j60
flash="$ref/factory-flash.bin"

# Virtual time in microseconds at which a clean update first prints TEXT.
time_of() {
    cp "$flash" "$out/probe.flash"
    "$gb" run --board $board --flash "$out/probe.flash" --firmware "$flash" --format bin \
        --base 0x08000000 --serve "$ref/server" --max-time 60s --stop-on "$1" \
        --report "$out/probe.json" --quiet >/dev/null 2>&1
    ns=$(sed -n 's/.*"virtual_time_ns":[^0-9]*\([0-9]*\).*/\1/p' "$out/probe.json" | head -n 1)
    echo $((ns / 1000))
}

# scenario NAME TRIGGER_JSON: a power cut of 200 ms at the trigger.
n=0
scenario() {
    n=$((n + 1))
    cat >"$out/cases/$1.json" <<JSON
{
  "name": "$1",
  "board": "$board",
  "firmware": ["$flash@0x08000000"],
  "max_time": "120s",
  "stop_on": "update: state=idle version=2",
  "network": { "server": { "root": "$ref/server" } },
  "timeline": [ { $2, "do": "power_cut", "off": "200ms" } ],
  "expect": {
    "final_version": 2,
    "uart_absent": ["boot: no bootable image", "HardFault", "FATAL"]
  }
}
JSON
}

# on a console line + delays (ms)
for d in 0 150 500 900 1100 1500 1950 2050; do
    scenario "erase-${d}ms" "\"on_uart\": \"update: state=erasing\", \"delay\": \"${d}ms\""
done
for d in 1 4 10 20 35 50 70 90 110 130; do
    scenario "download-${d}ms" "\"on_uart\": \"update: state=downloading version=2 bytes=\", \"delay\": \"${d}ms\""
done
# Around each state write (8 words of 16 us): find, by bisection over cut
# times, the moment the record becomes valid (the boot after the cut
# changes), then cut every 15 us from 180 us before it to 60 us after it.
after_cut() {   # after_cut TIME_US: the first boot line after a cut at that time
    scenario probe "\"at\": \"${1}us\""
    n=$((n - 1))
    rm -rf "$out/bisect"; mkdir -p "$out/bisect"
    "$gb" run --scenario "$out/cases/probe.json" --out "$out/bisect" --quiet >/dev/null 2>&1
    rm -f "$out/cases/probe.json"
    awk '/reset cause power-on/ { k++ } k == 2' "$out/bisect/uart.log" | sed -n '2p'
}
window() {   # window LABEL TEXT SPAN_US: the write lies within SPAN_US before TEXT is out
    t=$(time_of "$2")
    lo=$(( t - $3 )); hi=$t
    before=$(after_cut $lo)
    while [ $(( hi - lo )) -gt 10 ]; do
        mid=$(( (lo + hi) / 2 ))
        if [ "$(after_cut $mid)" = "$before" ]; then lo=$mid; else hi=$mid; fi
    done
    u=$(( hi - 180 ))
    while [ $u -le $(( hi + 60 )) ]; do
        scenario "$1-at$(( u - hi ))us" "\"at\": \"${u}us\""
        u=$(( u + 15 ))
    done
}
window first-state "boot: no boot state, slot A is active" 6000
window mark-trial "update: state=rebooting" 6000
window count-trial "boot: trial slot=B version=2" 6000
window confirm "update: state=confirmed" 12000
# at flash operations, when the flash model reports them
if "$gb" controls --board $board 2>/dev/null | grep -q "mcu.flash.op"; then
    for k in 1 2 5 8 9 10 12 16 17 18 100 1000 4000 7000 8000; do
        scenario "flash-op-$k" "\"on\": \"mcu.flash.op\", \"count\": $k"
    done
    total=$(time_of "update: state=idle version=2" >/dev/null; \
            sed -n 's/.*"mcu.flash.op":[^0-9]*\([0-9]*\).*/\1/p' "$out/probe.json" | head -n 1)
    if [ -n "$total" ]; then
        k=$(( total - 40 ))
        while [ $k -le "$total" ]; do
            scenario "flash-op-$k" "\"on\": \"mcu.flash.op\", \"count\": $k"
            k=$(( k + 2 ))
        done
    fi
fi

ls "$out"/cases/*.json | xargs -P "$jobs" -n 1 "$0" --one "$gb" "$out" >"$out/results.txt"
sort "$out/results.txt" | grep FAIL
p=$(grep -c "^ok" "$out/results.txt"); f=$(grep -c "^FAIL" "$out/results.txt")
echo "ota-powercut: $p passed, $f failed ($n cut points)"
[ "$f" -eq 0 ]
