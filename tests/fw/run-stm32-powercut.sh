#!/bin/sh
# A power cut 400 ms into a flash erase (tests/fw/stm32_powercut.c cuts it,
# firmware/tests/stm32/powercut.c checks the partial result after the power
# comes back): the output matches the expected file, the same seed gives the
# same bytes, another seed other bytes.
#   tests/fw/run-stm32-powercut.sh HARNESS ELF
set -u
h=$1; elf=$2
exp=firmware/tests/stm32/powercut.expected
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
run() { "$h" "$elf" stm32f407-disco mcu.flash.erase 400 5 "$1" >"$2" 2>"$tmp/err"; }
if run 1 "$tmp/a" && cmp -s "$exp" "$tmp/a"; then echo "ok   powercut: partial erase after the cut"; pass=$((pass+1)); else
    echo "FAIL powercut: output differs (- expected, + simulator)"
    diff "$exp" "$tmp/a" | grep '^[<>]' | sed 's/^</    -/; s/^>/    +/' | head -20; sed 's/^/    /' "$tmp/err" | head -5
    fail=$((fail+1)); fi
run 1 "$tmp/b"
if cmp -s "$tmp/a" "$tmp/b"; then echo "ok   powercut: same seed, same partial result"; pass=$((pass+1)); else
    echo "FAIL powercut: same seed, different result"; fail=$((fail+1)); fi
run 2 "$tmp/c"
if ! cmp -s "$tmp/a" "$tmp/c" && grep -q "partial erase: some bytes erased *ok" "$tmp/c"; then
    echo "ok   powercut: another seed, another partial result"; pass=$((pass+1)); else
    echo "FAIL powercut: seed 2 gives the same bytes or no partial result"; fail=$((fail+1)); fi
echo "stm32-powercut: $pass passed, $fail failed"
[ $fail -eq 0 ]
