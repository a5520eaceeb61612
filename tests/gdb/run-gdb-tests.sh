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
"$gb" run --board mps2-an386 --firmware "$elf" --gdb 127.0.0.1:$port --wait --max-time 20s \
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
if sed -n '/==stepout/,/==regs/p' "$tmp/gdb.out" | grep -q "^add_step (" &&
   sed -n '/==stepout/,/==regs/p' "$tmp/gdb.out" | grep -q '= 0x0$'; then
    pass=$((pass+1))
else
    echo "FAIL gdb: stepping out of the interrupt handler back to thread mode"; fail=$((fail+1))
fi
expect "monitor time" "virtual time [0-9]+ ns"
expect "exit code reaches GDB" "exited with code 07"
if [ $fail -ne 0 ]; then
    echo "---- gdb output ----"; cat "$tmp/gdb.out"; echo "---- simulator ----"; cat "$tmp/sim.err"
fi
[ $simrc -eq 7 ] || { echo "FAIL gdb: simulator exit status $simrc, expected 7"; fail=$((fail+1)); }
echo "gdb: $pass passed, $fail failed"

# Raw protocol: malformed packets, Ctrl-C, reconnects.
port2=$((port + 1))
spin=$(arm-none-eabi-nm "$elf" | awk '$3 == "spin" { print $1 }')
mainaddr=$(arm-none-eabi-nm "$elf" | awk '$3 == "main" { print $1 }')
"$gb" run --board mps2-an386 --firmware "$elf" --gdb 127.0.0.1:$port2 --wait --max-time 100s \
    >"$tmp/sim2.out" 2>"$tmp/sim2.err" &
sim=$!
timeout 60 python3 tests/gdb/raw_protocol.py $port2 "$spin" "$mainaddr"; rawrc=$?
wait $sim

# Flash programming through `load` on the STM32 board, and a cable pulled
# from the monitor.
port3=$((port + 2))
felf=$(dirname "$elf")/../stm32/clock.elf
"$gb" run --board stm32f407-enc28j60 --firmware "$felf" --gdb 127.0.0.1:$port3 --wait --max-time 100s \
    >"$tmp/sim3.out" 2>"$tmp/sim3.err" &
sim=$!
sleep 0.3
timeout 60 gdb-multiarch -nx -batch -ex "target remote 127.0.0.1:$port3" -ex "info mem" -ex "load" \
    -ex "compare-sections" -ex "set {int}0x1fff0000 = 5" -ex "monitor link down" -ex "monitor link up" -ex "kill" \
    "$felf" >"$tmp/gdb3.out" 2>&1
wait $sim
fpass=0; ffail=0
# the memory map gives the real sectors (16, 64, 128 KiB) and keeps the
# system memory read-only
for pat in "0x08000000 0x08010000 flash blocksize 0x4000" "0x08010000 0x08020000 flash blocksize 0x10000" \
    "0x08020000 0x08100000 flash blocksize 0x20000" "Cannot access memory at address 0x1fff0000" \
    "Loading section" "matched" "link lan down at" "link lan up at"; do
    if grep -q "$pat" "$tmp/gdb3.out"; then fpass=$((fpass+1)); else
        echo "FAIL gdb-flash: expected '$pat'"; ffail=$((ffail+1)); fi
done
if grep -q "MIS-MATCHED" "$tmp/gdb3.out"; then echo "FAIL gdb-flash: sections differ after load"; ffail=$((ffail+1)); fi
[ $ffail -eq 0 ] || cat "$tmp/gdb3.out"
echo "gdb-flash: $fpass passed, $ffail failed"
# `target remote | glitchbox ... --gdb stdio`
timeout 60 gdb-multiarch -nx -batch \
    -ex "target remote | $gb run --board mps2-an386 --firmware $elf --gdb stdio --quiet" \
    -ex "break add_step" -ex "continue" -ex "kill" "$elf" >"$tmp/gdb4.out" 2>&1
if grep -q "Breakpoint 1, .*add_step" "$tmp/gdb4.out"; then echo "gdb-stdio: 1 passed, 0 failed"; sfail=0; else
    echo "FAIL gdb-stdio: no breakpoint hit over a pipe"; cat "$tmp/gdb4.out"; sfail=1; fi
# A fault exception stops the target with SIGSEGV before its handler runs.
excelf=$(dirname "$elf")/../cpu/exc.elf
timeout 60 gdb-multiarch -nx -batch \
    -ex "target remote | $gb run --board mps2-an386 --firmware $excelf --gdb stdio --quiet" \
    -ex "continue" -ex "monitor regs" -ex "kill" "$excelf" >"$tmp/gdb5.out" 2>&1
if grep -q "received signal SIGSEGV" "$tmp/gdb5.out" && grep -q "CFSR 0x00010000" "$tmp/gdb5.out"; then
    echo "gdb-fault: 1 passed, 0 failed"; cfail=0
else
    echo "FAIL gdb-fault: no SIGSEGV stop with UNDEFINSTR"; cat "$tmp/gdb5.out"; cfail=1
fi
[ $fail -eq 0 ] && [ $rawrc -eq 0 ] && [ $ffail -eq 0 ] && [ $sfail -eq 0 ] && [ $cfail -eq 0 ]
