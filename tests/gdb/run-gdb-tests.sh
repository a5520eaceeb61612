#!/bin/sh
# Drive gdb-multiarch in batch mode against `glitchbox run --gdb` and check
# what it prints: breakpoints, stepping, variables, a watchpoint, a backtrace
# out of an interrupt handler through the exception frame, monitor commands,
# and the exit status reaching GDB.
#   tests/gdb/run-gdb-tests.sh GLITCHBOX ELF
set -u
gb=$1; elf=$2
tmp=$(mktemp -d); trap 'kill $sim 2>/dev/null; rm -rf "$tmp"' EXIT
port=$((20000 + $$ % 20000))
"$gb" run --board mps2-an386 --firmware "$elf" --gdb 127.0.0.1:$port --max-time 20s \
    >"$tmp/sim.out" 2>"$tmp/sim.err" &
sim=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
    if grep -q "waiting for a GDB connection" "$tmp/sim.err" 2>/dev/null; then break; fi
    sleep 0.2
done
timeout 60 gdb-multiarch -nx -batch -ex "target remote 127.0.0.1:$port" \
    -x tests/gdb/session.gdb "$elf" >"$tmp/gdb.out" 2>&1
wait $sim; simrc=$?
pass=0; fail=0
expect() {
    if grep -Eq -- "$2" "$tmp/gdb.out"; then pass=$((pass+1)); else
        echo "FAIL gdb: $1 (expected /$2/)"; fail=$((fail+1)); fi
}
expect "breakpoint at a function" "Breakpoint 1, (0x[0-9a-f]+ in )?add_step"
expect "backtrace to main" "#1 +0x[0-9a-f]+ in main"
expect "print a variable" '^\$1 = 0$'
expect "pc at the function" '^\$2 = 0x1$'
expect "watchpoint hit" "Old value = 0"
expect "watchpoint new value" "New value = 12648430"
expect "breakpoint in interrupt handler" "Breakpoint 3, (0x[0-9a-f]+ in )?tick_work"
expect "backtrace through the exception frame" "<signal handler called>"
expect "backtrace reaches the interrupted code" "#[3-9] .*(main|add_step)"
expect "m-system registers" "^msp +0x"
expect "monitor time" "virtual time [0-9]+ ns"
expect "exit code reaches GDB" "exited with code 07"
if [ $fail -ne 0 ]; then
    echo "---- gdb output ----"; cat "$tmp/gdb.out"; echo "---- simulator ----"; cat "$tmp/sim.err"
fi
[ $simrc -eq 7 ] || { echo "FAIL gdb: simulator exit status $simrc, expected 7"; fail=$((fail+1)); }
echo "gdb: $pass passed, $fail failed"
[ $fail -eq 0 ]
