#!/bin/sh
# The UI, headless (SDL's dummy video driver), on the reference firmware:
# scripted clicks at chosen virtual times, then checks on what it drew (LED
# pixels against GPIO levels), what it showed (console, update progress,
# timeline marks), what it recorded (the input log) and that the recording
# replays identically with `glitchbox replay`.
# Usage: tests/ui/run-ui-tests.sh build/glitchbox build/glitchbox-ui
GB=$1
UI=$2
here=$(dirname "$0")
fw=build/fw/ref
tmp=$(mktemp -d /tmp/glitchbox-ui-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SDL_VIDEODRIVER=dummy
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# 1. A plain run with the update server, driven by tests/ui/session.txt.
sed "s#@TMP@#$tmp#g" "$here/session.txt" > "$tmp/session.txt"
# (--max-time: a firmware that never prints what the script waits for ends the
# run, the remaining commands run at once and the checks below say what is missing)
if "$UI" --headless --speed max --max-time 60s --board stm32f407-enc28j60 \
        --firmware "$fw/factory-flash.bin@0x08000000" --serve "$fw/server" \
        --script "$tmp/session.txt" --record "$tmp/rec.json" > "$tmp/ui.out" 2> "$tmp/ui.err"; then
    ok "session: scripted run ends cleanly"
else
    fail "session: glitchbox-ui exited $? ($(tail -n 3 "$tmp/ui.err" | tr '\n' ' '))"
fi
if python3 "$here/check_session.py" "$tmp" > "$tmp/check.out" 2>&1; then
    while IFS= read -r line; do ok "session: $line"; done < "$tmp/check.out"
else
    sed 's/^/     /' "$tmp/check.out"
    fail "session: checks of the dumps, the recording and the screenshot"
fi
if "$GB" replay "$tmp/rec.json" --quiet > "$tmp/replay.out" 2>&1 &&
        grep -q "^replay: identical" "$tmp/replay.out"; then
    ok "session: glitchbox replay of the recording is identical"
else
    sed 's/^/     /' "$tmp/replay.out" | tail -n 5
    fail "session: glitchbox replay of the recording"
fi

# 2. The recording watched in the UI writes the same report.
if "$UI" --headless --speed max --exit-at-end --replay "$tmp/rec.json" --out "$tmp/watch" \
        > /dev/null 2> "$tmp/watch.err" &&
        python3 - "$tmp/rec.json" "$tmp/watch/report.json" <<'EOF'
import hashlib, json, sys
want = json.load(open(sys.argv[1]))["expect"]["report_sha256"]
got = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
sys.exit(0 if want == got else 1)
EOF
then
    ok "replay in the UI: the same report as the recorded session"
else
    tail -n 3 "$tmp/watch.err"
    fail "replay in the UI: report differs from the recording"
fi

# 3. A scenario run in the UI without input is the run the command line makes:
#    slicing at the input log's ticks changes nothing.
if "$UI" --headless --speed max --exit-at-end --scenario scenarios/cable-pull.json \
        --out "$tmp/sc-ui" > /dev/null 2> "$tmp/sc-ui.err" &&
        "$GB" run --scenario scenarios/cable-pull.json --out "$tmp/sc-cli" --quiet \
        > /dev/null 2>&1 &&
        cmp -s "$tmp/sc-ui/report.json" "$tmp/sc-cli/report.json" &&
        cmp -s "$tmp/sc-ui/net.pcap" "$tmp/sc-cli/net.pcap" &&
        cmp -s "$tmp/sc-ui/uart.log" "$tmp/sc-cli/uart.log" &&
        grep -q "cable-pull (seed 1) passed" "$tmp/sc-ui.err"; then
    ok "scenario: cable-pull in the UI passes with the report, pcap and UART log of glitchbox run"
else
    tail -n 3 "$tmp/sc-ui.err"
    fail "scenario: cable-pull in the UI differs from glitchbox run"
fi

# 4. Bad input gets a clear message and the right status.
expect_error() { # name status pattern command...
    name=$1 want=$2 pattern=$3
    shift 3
    "$@" > "$tmp/err.out" 2>&1
    got=$?
    if [ "$got" = "$want" ] && grep -q -- "$pattern" "$tmp/err.out"; then
        ok "errors: $name"
    else
        sed 's/^/     /' "$tmp/err.out" | tail -n 3
        fail "errors: $name (exit $got, want $want and '$pattern')"
    fi
}
printf 'at 10ms click no.such.widget\n' > "$tmp/bad-widget.txt"
printf 'at 1s click run\nat 0.5s quit\n' > "$tmp/bad-order.txt"
expect_error "unknown widget" 1 "bad-widget.txt:1: no widget 'no.such.widget'" \
    "$UI" --headless --speed max --max-time 10s --scenario scenarios/clean-update.json \
    --script "$tmp/bad-widget.txt"
expect_error "script out of order" 64 "bad-order.txt:2: 0.5s is earlier" \
    "$UI" --headless --scenario scenarios/clean-update.json --script "$tmp/bad-order.txt"
expect_error "no run given" 64 "give one of --scenario" "$UI" --headless
expect_error "bad scenario" 65 "no-such.json" "$UI" --headless --scenario "$tmp/no-such.json"
expect_error "firmware without a board" 64 "go with --board" \
    "$UI" --headless --scenario scenarios/clean-update.json --firmware x.elf

echo "ui: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
