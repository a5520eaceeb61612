#!/bin/sh
# Speed of a clean over-the-air update (v1 -> v2, trial, confirm) on the
# stm32f407-enc28j60 board: virtual seconds per wall second, best and median
# of 5 runs on one core.
#   tools/bench-update.sh GLITCHBOX FW_REF_DIR
set -u
gb=$1; ref=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for k in 1 2 3 4 5; do
    cp "$ref/factory-flash.bin" "$tmp/flash.bin"
    s=$(date +%s.%N)
    "$gb" run --board stm32f407-enc28j60 --flash "$tmp/flash.bin" --firmware "$ref/factory-flash.bin" \
        --format bin --base 0x08000000 --serve "$ref/server" --max-time 60s \
        --stop-on "reason=up-to-date" --report "$tmp/r.json" --quiet >/dev/null 2>&1 ||
        { echo "bench-update: the update did not complete"; exit 1; }
    e=$(date +%s.%N)
    v=$(sed -n 's/.*"virtual_time_ns":[^0-9]*\([0-9]*\).*/\1/p' "$tmp/r.json" | head -n 1)
    i=$(sed -n 's/.*"instructions":[^0-9]*\([0-9]*\).*/\1/p' "$tmp/r.json" | head -n 1)
    echo "$s $e $v $i" >>"$tmp/runs"
done
python3 - "$tmp/runs" "$ref/server/manifest" <<'PY'
import sys, statistics
runs = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
size = [l.split()[1] for l in open(sys.argv[2]) if l.startswith("size-b ")][0]
walls = sorted(e - s for s, e, _, _ in runs)
vt = runs[0][2] / 1e9
insns = runs[0][3]
med = statistics.median(walls)
print(f"clean update ({size}-byte image, v1 -> v2, trial, confirm): {vt:.3f} s virtual, "
      f"{insns:.0f} instructions")
print(f"wall: best {walls[0]:.3f} s, median {med:.3f} s over {len(walls)} runs")
print(f"speed: {vt / med:.1f}x real time (median), {vt / walls[0]:.1f}x (best); "
      f"{insns / med / 1e6:.1f} MIPS")
PY
