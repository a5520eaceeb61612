#!/bin/sh
# Run the CPU test programs on the simulator and compare their output with
# the expected files (and, with --qemu, with QEMU's output for the same ELF).
#   tests/fw/run-cpu-tests.sh GLITCHBOX FWDIR [--qemu] NAME...
# Prints one line per program and a summary; exits non-zero on any mismatch.
set -u
gb=$1; fwdir=$2; shift 2
use_qemu=0
if [ "${1:-}" = "--qemu" ]; then use_qemu=1; shift; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
for name in "$@"; do
    elf=$fwdir/$name.elf
    exp=${EXPECTED_DIR:-firmware/tests/cpu}/$name.expected
    # NAME.args: the semihosting command line (words without commas)
    args=; qargs=
    if [ -f "${EXPECTED_DIR:-firmware/tests/cpu}/$name.args" ]; then
        args=$(cat "${EXPECTED_DIR:-firmware/tests/cpu}/$name.args")
        for a in $args; do qargs="$qargs,arg=$a"; done
    fi
    if [ $use_qemu = 1 ]; then
        timeout ${QEMU_TIMEOUT:-120} qemu-system-arm -M mps2-an386 -display none -monitor none -serial none \
            -chardev file,id=sh0,path="$tmp/$name.ref" \
            -semihosting-config enable=on,target=native,chardev=sh0$qargs -kernel "$elf" >/dev/null 2>&1
        ref=$tmp/$name.ref
        label="$name (vs QEMU)"
    else
        ref=$exp
        label=$name
    fi
    board=${BOARD:-mps2-an386}
    [ -f "${EXPECTED_DIR:-firmware/tests/cpu}/$name.board" ] && board=$(cat "${EXPECTED_DIR:-firmware/tests/cpu}/$name.board")
    input=
    [ -f "${EXPECTED_DIR:-firmware/tests/cpu}/$name.input" ] && input="--uart-input mcu.usart2=${EXPECTED_DIR:-firmware/tests/cpu}/$name.input"
    "$gb" run --board "$board" $input ${args:+--semihosting-cmdline "$args"} --firmware "$elf" \
        --max-time ${MAX_TIME:-60s} >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL $label: exit status $rc"; sed 's/^/    /' "$tmp/$name.err" | head -5; fail=$((fail+1)); continue
    fi
    if ! cmp -s "$ref" "$tmp/$name.out"; then
        echo "FAIL $label: output differs (- expected, + simulator)"
        diff "$ref" "$tmp/$name.out" | grep '^[<>]' | sed 's/^</    -/; s/^>/    +/' | head -20
        fail=$((fail+1)); continue
    fi
    echo "ok   $label"
    pass=$((pass+1))
done
echo "cpu-fw: $pass passed, $fail failed"
[ $fail -eq 0 ]
