#!/bin/sh
# Speed and memory of the simulator on CPU-bound firmware, next to QEMU
# running the same ELF in its deterministic mode (-icount shift=0).
#   tools/bench.sh GLITCHBOX ELF [REF_FLASH]
# Each side runs three times and the fastest run counts (the machine is
# shared; the fastest run is the least disturbed one). QEMU's MIPS use the
# instruction count glitchbox reports for the same ELF, and QEMU's wall time
# includes its start-up (a few tens of milliseconds).
# With REF_FLASH (the reference board's factory flash image) it also reports
# the resident memory of a run of the reference board.
set -u
gb=$1; elf=$2; ref=${3:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for k in 1 2 3; do
    GLITCHBOX_STATS=1 "$gb" run --board mps2-an386 --firmware "$elf" --max-time 600s \
        >"$tmp/out" 2>"$tmp/stats" || { cat "$tmp/stats"; exit 1; }
    grep "MIPS" "$tmp/stats" | sed 's/^glitchbox: //' >>"$tmp/gbruns"
done
cat "$tmp/out"
best_stats=$(cat "$tmp/gbruns" | python3 -c '
import sys, re
runs = sys.stdin.read().splitlines()
print(max(runs, key=lambda r: float(re.search(r"([0-9.]+) MIPS", r).group(1))))')
echo "glitchbox: $best_stats"
best_gb=$(echo "$best_stats" | sed -n 's/.* \([0-9.]*\) MIPS.*/\1/p')
insns=$(echo "$best_stats" | sed -n 's/^\([0-9]*\) instructions.*/\1/p')
if command -v qemu-system-arm >/dev/null; then
    for k in 1 2 3; do
        start=$(date +%s.%N)
        qemu-system-arm -M mps2-an386 -display none -monitor none -serial none \
            -semihosting-config enable=on,target=native -icount shift=0 -kernel "$elf" \
            >"$tmp/qout" 2>&1
        end=$(date +%s.%N)
        echo "$start $end" >>"$tmp/qruns"
    done
    best_q=$(python3 -c '
import sys
print(min(float(b) - float(a) for a, b in (l.split() for l in open(sys.argv[1]))))' "$tmp/qruns")
    cmp -s "$tmp/qout" "$tmp/out" || echo "warning: QEMU's output differs from glitchbox's"
    python3 - "$insns" "$best_q" "$best_gb" <<'PY'
import sys
insns, wall, gb = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
q = insns / wall / 1e6
print(f"qemu -icount shift=0: {wall:.3f} s wall, {q:.1f} MIPS (same instruction count)")
print(f"ratio glitchbox/qemu: {gb / q:.2f} (target 0.50)")
PY
fi
if [ -n "$ref" ] && [ -f "$ref" ]; then
    cp "$ref" "$tmp/flash.bin"
    GLITCHBOX_STATS=1 "$gb" run --board stm32f407-enc28j60 --flash "$tmp/flash.bin" \
        --max-time 30s --quiet >/dev/null 2>"$tmp/refstats"
    echo "reference board (stm32f407-enc28j60, factory flash, 30 s virtual): $(grep MIPS "$tmp/refstats" | sed 's/^glitchbox: //') (limit 65536 KiB)"
fi
