#!/bin/sh
# Run Check test executables, print each suite's result and a total line
# "unit: N passed, N failed". Exit non-zero if any test failed or crashed.
# Usage: tests/run-unit.sh LABEL BIN...
label=$1
shift
passed=0
failed=0
status=0
for t in "$@"; do
    out=$(CK_DEFAULT_TIMEOUT=120 "$t" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -n 20
        echo "FAIL $t (exit $rc, no Check summary)"
        failed=$((failed + 1))
        status=1
        continue
    fi
    checks=$(printf '%s' "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    fails=$(printf '%s' "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    errs=$(printf '%s' "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    bad=$((fails + errs))
    passed=$((passed + checks - bad))
    failed=$((failed + bad))
    if [ "$bad" -ne 0 ] || [ "$rc" -ne 0 ]; then
        printf '%s\n' "$out" | grep -vE '^(Running suite|[0-9]+%: )' | tail -n 40
        echo "FAIL $(basename "$t"): $line"
        status=1
    else
        echo "ok   $(basename "$t"): $line"
    fi
done
echo "$label: $passed passed, $failed failed"
exit $status
