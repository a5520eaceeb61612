#!/bin/sh
# STM32 test programs that need the board acted on while they run (the user
# button pressed while the chip sleeps): firmware/tests/stm32/NAME.json is
# the scenario that runs NAME.elf; its UART log must equal NAME.expected,
# and a second run must give the same bytes.
#   tests/fw/run-stm32-scenario.sh GLITCHBOX FWDIR NAME...
set -u
gb=$1; fwdir=$2; shift 2
dir=firmware/tests/stm32
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
elf_abs() { (cd "$(dirname "$1")" && printf '%s/%s' "$(pwd)" "$(basename "$1")"); }
for name in "$@"; do
    # the scenario names the ELF of a default build: point it at FWDIR's
    sed "s|\"firmware\": *\"[^\"]*\"|\"firmware\": \"$(elf_abs "$fwdir/$name.elf")\"|" \
        "$dir/$name.json" >"$tmp/$name.json"
    for run in 1 2; do
        "$gb" run --scenario "$tmp/$name.json" --out "$tmp/$name.$run" >/dev/null 2>"$tmp/$name.err"
        echo $? >"$tmp/$name.rc.$run"
    done
    rc=$(cat "$tmp/$name.rc.1")
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $name: scenario exit status $rc"; grep -i 'fail' "$tmp/$name.err" | head -5
        grep 'FAIL' "$tmp/$name.1/uart.log" | head -5 | sed 's/^/    /'; fail=$((fail+1)); continue
    fi
    if ! cmp -s "$dir/$name.expected" "$tmp/$name.1/uart.log"; then
        echo "FAIL $name: output differs (- expected, + simulator)"
        diff "$dir/$name.expected" "$tmp/$name.1/uart.log" | grep '^[<>]' | sed 's/^</    -/; s/^>/    +/' | head -20
        fail=$((fail+1)); continue
    fi
    if ! cmp -s "$tmp/$name.1/uart.log" "$tmp/$name.2/uart.log" ||
       ! cmp -s "$tmp/$name.1/report.json" "$tmp/$name.2/report.json"; then
        echo "FAIL $name: a second run differs"; fail=$((fail+1)); continue
    fi
    echo "ok   $name (scenario)"
    pass=$((pass+1))
done
echo "stm32-scenario: $pass passed, $fail failed"
[ $fail -eq 0 ]
