#!/bin/sh
# A short tour of what runs today: the Cortex-M4F test programs on the
# mps2-an386 board (the same ELFs QEMU runs), their exit codes, a JSON report
# and an instruction trace, and the speed of a CPU-bound program.
#   tools/demo.sh BUILD_DIR
set -u
b=$1
out=$b/demo; mkdir -p "$out"
echo "== glitchbox $($b/glitchbox version | cut -d' ' -f2): Cortex-M4F programs on board mps2-an386"
for name in alu fpu mem exc; do
    $b/glitchbox run --board mps2-an386 --firmware $b/fw/tests/cpu/$name.elf \
        --report "$out/$name.json" --uart-log "$out/$name.log" --quiet 2>/dev/null
    rc=$?
    lines=$(wc -l <"$out/$name.log")
    if cmp -s "$out/$name.log" firmware/tests/cpu/$name.expected; then verdict="matches the reference"; else verdict="DIFFERS from the reference"; fi
    printf "  %-4s exit %d, %3d result lines, %s\n" "$name" "$rc" "$lines" "$verdict"
done
$b/glitchbox run --board mps2-an386 --firmware $b/fw/tests/cpu/exc.elf --trace "$out/exc.trace" --quiet 2>/dev/null
echo "== instruction trace (virtual ns, pc, disassembly), first lines of $out/exc.trace:"
head -5 "$out/exc.trace" | sed 's/^/  /'
echo "== report $out/exc.json:"
sed 's/^/  /' "$out/exc.json" | head -24
echo "== speed:"
./tools/bench.sh $b/glitchbox $b/fw/bench/cpubench.elf | sed 's/^/  /'
