#!/bin/sh
# Non-volatile memory across runs: `--flash FILE` loads the MCU flash from a
# file and saves it back at exit. The flash test program programs 0x12345678 at
# 0x080E0000 (firmware/tests/stm32/flash.c); the saved image must hold it.
#   tests/fw/run-flash-file.sh GLITCHBOX ELF
set -u
gb=$1; elf=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
"$gb" run --board stm32f407-disco --firmware "$elf" --flash "$tmp/flash.bin" >/dev/null 2>&1
size=$(stat -c %s "$tmp/flash.bin" 2>/dev/null || echo 0)
word=$(od -An -tx4 -j $((0xE0000)) -N4 "$tmp/flash.bin" 2>/dev/null | tr -d ' ')
if [ "$size" = 1048576 ] && [ "$word" = 12345678 ]; then echo "ok   flash file saved with the programmed word"; else
    echo "FAIL flash file: size $size, word '$word'"; fail=1; fi
# a file smaller than the flash is accepted (the rest stays erased), a larger one refused
head -c 100 /dev/zero >"$tmp/small.bin"
"$gb" run --board stm32f407-disco --firmware "$elf" --flash "$tmp/small.bin" >/dev/null 2>"$tmp/err"
grep -q "the rest keeps its erased state" "$tmp/err" && echo "ok   short flash file accepted" || { echo "FAIL short flash file"; fail=1; }
head -c 1048577 /dev/zero >"$tmp/big.bin"
"$gb" run --board stm32f407-disco --firmware "$elf" --flash "$tmp/big.bin" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 65 ] && grep -q "larger than" "$tmp/err" && echo "ok   oversize flash file refused" || { echo "FAIL oversize flash file (status $rc)"; cat "$tmp/err"; fail=1; }
echo "flash-file: $((3 - fail)) passed, $fail failed"
[ $fail -eq 0 ]
