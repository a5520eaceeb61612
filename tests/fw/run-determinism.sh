#!/bin/sh
# Determinism of whole runs:
#  1. the same firmware twice gives byte-identical reports (with trace hash);
#  2. a run driven through the GDB stub (breakpoints, single steps, a
#     watchpoint) ends with the same time, counts and hashes as an
#     undisturbed run.
#   tests/fw/run-determinism.sh GLITCHBOX FWDIR GDBTARGET_ELF
set -u
gb=$1; fwdir=$2; gdbelf=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   determinism: $1"; pass=$((pass+1)); }
bad() { echo "FAIL determinism: $1"; fail=$((fail+1)); }

for name in exc fpu; do
    for run in 1 2; do
        "$gb" run --board mps2-an386 --firmware "$fwdir/$name.elf" --trace "$tmp/$name.$run.trace" \
            --report "$tmp/$name.$run.json" >/dev/null 2>&1
    done
    if cmp -s "$tmp/$name.1.json" "$tmp/$name.2.json" && cmp -s "$tmp/$name.1.trace" "$tmp/$name.2.trace"; then
        ok "$name: two runs, identical report and trace"
    else
        bad "$name: two runs differ"
    fi
done

# Facts of a report that must not depend on how the run was driven.
facts() {
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["exit_code"], r["virtual_time_ns"], r["instructions"], r["cycles"], r["hashes"]["uart"])' "$1"
}
# A traced run executes one instruction at a time; an untraced one runs
# whole decoded blocks. Both must end in the same place.
for name in exc fpu mem; do
    "$gb" run --board mps2-an386 --firmware "$fwdir/$name.elf" --report "$tmp/$name.fast.json" \
        >/dev/null 2>&1
    a=$(facts "$tmp/$name.fast.json"); b=$(facts "$tmp/$name.1.json" 2>/dev/null)
    if [ ! -f "$tmp/$name.1.json" ]; then
        "$gb" run --board mps2-an386 --firmware "$fwdir/$name.elf" --trace "$tmp/$name.t" \
            --report "$tmp/$name.1.json" >/dev/null 2>&1
        b=$(facts "$tmp/$name.1.json")
    fi
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        ok "$name: traced run equals untraced run ($a)"
    else
        bad "$name: traced [$b] untraced [$a]"
    fi
done
# ... also on the STM32 boards (flash wait states, timers, SPI, the ENC28J60)
stm=$(dirname "$fwdir")/stm32
for t in periph:stm32f407-disco clock:stm32f407-disco enc:stm32f407-enc28j60; do
    name=${t%%:*}; board=${t#*:}
    if [ ! -f "$stm/$name.elf" ]; then bad "$name: no $stm/$name.elf"; continue; fi
    "$gb" run --board "$board" --firmware "$stm/$name.elf" --report "$tmp/$name.fast.json" \
        >/dev/null 2>&1
    "$gb" run --board "$board" --firmware "$stm/$name.elf" --trace "$tmp/$name.t" \
        --report "$tmp/$name.traced.json" >/dev/null 2>&1
    a=$(facts "$tmp/$name.fast.json"); b=$(facts "$tmp/$name.traced.json")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        ok "$name ($board): traced run equals untraced run"
    else
        bad "$name ($board): traced [$b] untraced [$a]"
    fi
done
"$gb" run --board mps2-an386 --firmware "$gdbelf" --report "$tmp/plain.json" >/dev/null 2>&1
port=$((21000 + $$ % 20000))
"$gb" run --board mps2-an386 --firmware "$gdbelf" --gdb 127.0.0.1:$port --wait --report "$tmp/gdb.json" \
    >/dev/null 2>"$tmp/sim.err" &
sim=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
    grep -q "waiting for a GDB connection" "$tmp/sim.err" 2>/dev/null && break
    sleep 0.2
done
timeout 60 gdb-multiarch -nx -batch -ex "target remote 127.0.0.1:$port" \
    -ex "break add_step" -ex "continue" -ex "stepi" -ex "stepi" -ex "next" -ex "delete" \
    -ex "watch watched" -ex "continue" -ex "delete" -ex "break tick_work" -ex "continue" \
    -ex "delete" -ex "continue" "$gdbelf" >"$tmp/gdb.out" 2>&1
wait $sim
a=$(facts "$tmp/plain.json"); b=$(facts "$tmp/gdb.json")
if [ -n "$a" ] && [ "$a" = "$b" ]; then
    ok "debugged run equals undisturbed run ($a)"
else
    bad "debugged run differs: plain [$a] gdb [$b]"; cat "$tmp/gdb.out" | tail -20
fi
echo "determinism: $pass passed, $fail failed"
[ $fail -eq 0 ]
