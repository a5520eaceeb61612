#!/bin/sh
# Speed and memory of the simulator on CPU-bound firmware, next to QEMU
# running the same ELF in its deterministic mode (-icount shift=0).
#   tools/bench.sh GLITCHBOX ELF
set -u
gb=$1; elf=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
GLITCHBOX_STATS=1 "$gb" run --board mps2-an386 --firmware "$elf" --max-time 600s \
    >"$tmp/out" 2>"$tmp/stats" || { cat "$tmp/stats"; exit 1; }
cat "$tmp/out"
stats=$(grep "MIPS" "$tmp/stats")
echo "glitchbox: $stats"
insns=$(echo "$stats" | sed -n 's/.*: \([0-9]*\) instructions.*/\1/p')
gb_mips=$(echo "$stats" | sed -n 's/.* \([0-9.]*\) MIPS.*/\1/p')
if command -v qemu-system-arm >/dev/null; then
    start=$(date +%s.%N)
    qemu-system-arm -M mps2-an386 -display none -monitor none -serial none \
        -semihosting-config enable=on,target=native -icount shift=0 -kernel "$elf" >/dev/null 2>&1
    end=$(date +%s.%N)
    python3 - "$insns" "$start" "$end" "$gb_mips" <<'PY'
import sys
insns, start, end, gb = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
q = insns / (end - start) / 1e6
print(f"qemu -icount shift=0: {end - start:.3f} s wall, {q:.1f} MIPS (same instruction count)")
print(f"ratio glitchbox/qemu: {gb / q:.2f}")
PY
fi
