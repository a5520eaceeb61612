#!/bin/sh
# Scenario tier: every shipped scenario goes as it expects, twice, with
# byte-identical report, UART log and pcap; a campaign gives the same results
# with 1 and with 2 workers and as two merged shards; a replay file
# reproduces its run; bad scenario files are refused with a clear message.
#   tests/scenarios/run-scenario-tests.sh GLITCHBOX
set -u
gb=$1
out=build/test-scenarios
rm -rf "$out"
mkdir -p "$out"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

for f in scenarios/*.json; do
    name=$(basename "$f" .json)
    "$gb" run --scenario "$f" --quiet --out "$out/$name.1" >"$out/$name.1.txt" 2>&1
    rc1=$?
    "$gb" run --scenario "$f" --quiet --out "$out/$name.2" >"$out/$name.2.txt" 2>&1
    rc2=$?
    if [ $rc1 -ne 0 ]; then
        bad "$name: $(grep '^scenario' "$out/$name.1.txt" | head -1)"
        continue
    fi
    # a scenario that fails on purpose must reproduce its failure with its own seed
    if grep -q '"expect_failure"' "$f" &&
       ! grep -q '"verdict":[[:space:]]*"reproduced"' "$out/$name.1/report.json"; then
        bad "$name: does not reproduce its failure: $(grep '^scenario' "$out/$name.1.txt" | head -1)"
        continue
    fi
    same=1
    for o in report.json uart.log net.pcap; do
        cmp -s "$out/$name.1/$o" "$out/$name.2/$o" || { same=0; bad "$name: $o differs between two runs"; }
    done
    [ $rc2 -eq 0 ] && [ $same -eq 1 ] && ok "$name: as expected, twice, identical report, UART log and pcap"
done

# Campaign: 1 worker, 2 workers, and two shards merged give one digest.
set -- scenarios/*.json
digest() { sed -n 's/.*"digest":[[:space:]]*"\([0-9a-f]*\)".*/\1/p' "$1/results.json"; }
"$gb" campaign --quiet --seeds 1-3 --jobs 1 --no-shrink --out "$out/c1" "$@" >"$out/c1.txt" 2>&1
r1=$?
"$gb" campaign --quiet --seeds 1-3 --jobs 2 --no-shrink --out "$out/c2" "$@" >"$out/c2.txt" 2>&1
r2=$?
"$gb" campaign --quiet --seeds 1-3 --jobs 2 --shard 0/2 --no-shrink --out "$out/s0" "$@" >"$out/s0.txt" 2>&1
"$gb" campaign --quiet --seeds 1-3 --jobs 2 --shard 1/2 --no-shrink --out "$out/s1" "$@" >"$out/s1.txt" 2>&1
"$gb" campaign merge --out "$out/merged" "$out/s0/results.json" "$out/s1/results.json" >"$out/merged.txt" 2>&1
d1=$(digest "$out/c1"); d2=$(digest "$out/c2"); dm=$(digest "$out/merged")
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ -n "$d1" ] && [ "$d1" = "$d2" ]; then
    ok "campaign: same results with 1 and 2 workers ($d1)"
else
    bad "campaign: 1 worker (exit $r1, $d1) vs 2 workers (exit $r2, $d2)"
fi
[ -n "$dm" ] && [ "$dm" = "$d1" ] && ok "campaign: two shards merged give the same results" \
    || bad "campaign: merged shards digest $dm, whole campaign $d1"
grep -q '<testsuite name="clean-update" tests="3" failures="0"' "$out/c2/junit.xml" \
    && ok "campaign: JUnit XML" || bad "campaign: JUnit XML lacks the clean-update suite"

# A failing scenario: the campaign keeps a replay file, shrinks the failure to
# the one fault that causes it, and the replay reproduces the run exactly.
fx=tests/scenarios/fixtures
"$gb" campaign --quiet --seeds 2 --jobs 2 --out "$out/cf" "$fx/fails-on-cable-pull.json" >"$out/cf.txt" 2>&1
rc=$?
replay="$out/cf/runs/fails-on-cable-pull/seed-2/replay.json"
if [ $rc -eq 1 ] && [ -f "$replay" ]; then
    ok "campaign: a failing run exits 1 and leaves a replay file"
else
    bad "campaign: failing scenario gave exit $rc, replay file $( [ -f "$replay" ] && echo present || echo missing)"
fi
grep -q "fails with only timeline\[1\]" "$out/cf.txt" \
    && ok "campaign: the failure shrinks to the cable pull alone" \
    || bad "campaign: shrinking did not find the cable pull: $(grep -A3 shrinking "$out/cf.txt" | tr '\n' ' ')"
if "$gb" replay "$replay" --quiet >"$out/replay.txt" 2>&1 && grep -q "replay: identical" "$out/replay.txt"; then
    ok "replay: identical report, UART and pcap hashes"
else
    bad "replay: $(grep replay: "$out/replay.txt" | head -2 | tr '\n' ' ')"
fi
"$gb" replay "$replay" --quiet --until 1s >"$out/replay-until.txt" 2>&1
grep -q "stopped at 1\.[0-9]* s as asked" "$out/replay-until.txt" && ok "replay: --until stops where asked (at the first instruction boundary after it)" \
    || bad "replay --until: $(cat "$out/replay-until.txt" | tail -1)"

# A recorded run ticks the input log every millisecond; nothing a model sees
# may depend on that: the same scenario with and without the ticks.
"$gb" run --scenario scenarios/cable-pull.json --quiet --out "$out/ticks.0" >/dev/null 2>&1
"$gb" run --scenario scenarios/cable-pull.json --quiet --out "$out/ticks.1" \
    --record "$out/ticks.json" >/dev/null 2>&1
if cmp -s "$out/ticks.0/report.json" "$out/ticks.1/report.json" &&
   cmp -s "$out/ticks.0/net.pcap" "$out/ticks.1/net.pcap"; then
    ok "a run with the input log's ticks equals one without"
else
    bad "cable-pull differs with the input log's ticks"
fi

# Outside input: console bytes typed at a moment the host chooses are recorded
# with their virtual time, and the replay reproduces the run without them.
echo_elf=build/fw/tests/stm32/echo.elf
(sleep 0.2; printf 'hello\n') | "$gb" run --board stm32f407-disco --firmware "$echo_elf" \
    --console mcu.usart2 --record "$out/console.json" --max-time 600s --stop-on HELLO --quiet \
    >"$out/console.txt" 2>&1
if grep -q '"kind":[[:space:]]*"uart"' "$out/console.json" 2>/dev/null && grep -q HELLO "$out/console.json.out/uart.log"; then
    ok "record: console input recorded with its virtual time"
else
    bad "record: no console input in $out/console.json: $(tail -2 "$out/console.txt" | tr '\n' ' ')"
fi
if "$gb" replay "$out/console.json" --quiet </dev/null >"$out/console-replay.txt" 2>&1 &&
   grep -q "replay: identical" "$out/console-replay.txt"; then
    ok "record: the replay reproduces the run with its console input"
else
    bad "record: replay of console input: $(cat "$out/console-replay.txt" | tail -2 | tr '\n' ' ')"
fi

# A traced recording: the replay traces too and compares the trace's hash;
# a replay file whose trace hash was changed is caught.
"$gb" run --board mps2-an386 --firmware build/fw/tests/cpu/exc.elf --trace "$out/traced.trace" \
    --record "$out/traced.json" --max-time 10s --quiet >/dev/null 2>&1
trc=$?
"$gb" run --board stm32f407-disco --firmware "$echo_elf" --record "$out/timeout.json" --max-time 50ms \
    --quiet >/dev/null 2>&1
tmo=$?
if [ $trc -eq 0 ] && [ $tmo -eq 124 ]; then
    ok "record: a recorded run exits as it does unrecorded (0 after handled HardFaults, 124 at the time limit)"
else
    bad "record: exit codes $trc and $tmo (want 0 and 124)"
fi
if "$gb" replay "$out/traced.json" --quiet >"$out/traced-replay.txt" 2>&1 &&
   grep -q "replay: identical.*trace [0-9a-f]" "$out/traced-replay.txt"; then
    ok "replay: a traced recording replays with the same trace hash"
else
    bad "replay of a traced recording: $(tail -2 "$out/traced-replay.txt" | tr '\n' ' ')"
fi
sed 's/"trace_sha256":[[:space:]]*"[0-9a-f]/&0/' "$out/traced.json" >"$out/traced-bad.json"
"$gb" replay "$out/traced-bad.json" --quiet >"$out/traced-bad.txt" 2>&1
if [ $? -eq 1 ] && grep -q "DIFFERS: trace" "$out/traced-bad.txt"; then
    ok "replay: a different trace is reported"
else
    bad "replay with a changed trace hash: $(tail -2 "$out/traced-bad.txt" | tr '\n' ' ')"
fi

# --uart-input in a recorded run: its bytes are recorded inputs
"$gb" run --board stm32f407-disco --firmware "$echo_elf" --uart-input mcu.usart2=firmware/tests/stm32/echo.input \
    --record "$out/uartin.json" --max-time 10s --quiet >"$out/uartin.txt" 2>&1
if [ $? -eq 0 ] && grep -q "bytes by interrupt: 13" "$out/uartin.json.out/uart.log" &&
   "$gb" replay "$out/uartin.json" --quiet >"$out/uartin-replay.txt" 2>&1 &&
   grep -q "replay: identical" "$out/uartin-replay.txt"; then
    ok "record: --uart-input bytes are recorded and replayed"
else
    bad "record with --uart-input: $(tail -2 "$out/uartin.txt" "$out/uartin-replay.txt" | tr '\n' ' ')"
fi

# The same UART on a TCP socket: a client types, reads the echo back, and
# the recorded run replays without it.
sport=$(( 20000 + $$ % 20000 ))
"$gb" run --board stm32f407-disco --firmware "$echo_elf" --uart-socket "mcu.usart2=127.0.0.1:$sport,wait" \
    --record "$out/sock.json" --max-time 600s --quiet >"$out/sock.txt" 2>&1 &
simpid=$!
python3 - "$sport" >"$out/sock-client.txt" 2>&1 <<'PYEOF'
import socket, sys, time
for _ in range(100):
    try:
        c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
        break
    except OSError:
        time.sleep(0.1)
c.sendall(b"hello uart\nsecond line\nthird by irq\n")
got = b""
while b"SECOND LINE\n" not in got:
    d = c.recv(256)
    if not d:
        break
    got += d
print(got.decode(errors="replace"))
PYEOF
wait $simpid; src=$?
if [ $src -eq 0 ] && grep -q "HELLO UART" "$out/sock-client.txt" && grep -q "SECOND LINE" "$out/sock-client.txt"; then
    ok "uart socket: a client types into USART2 and reads its output"
else
    bad "uart socket: exit $src, client got: $(cat "$out/sock-client.txt" | tr '\n' ' ') $(tail -2 "$out/sock.txt" | tr '\n' ' ')"
fi
if "$gb" replay "$out/sock.json" --quiet </dev/null >"$out/sock-replay.txt" 2>&1 &&
   grep -q "replay: identical" "$out/sock-replay.txt"; then
    ok "uart socket: the recorded run replays without the client"
else
    bad "uart socket: replay: $(tail -2 "$out/sock-replay.txt" | tr '\n' ' ')"
fi
"$gb" run --board stm32f407-disco --firmware "$echo_elf" --uart-socket "mcu.usart9=$sport" --quiet \
    >"$out/sock-bad.txt" 2>&1
if [ $? -eq 64 ] && grep -q "no UART 'mcu.usart9'" "$out/sock-bad.txt"; then
    ok "uart socket: an unknown UART is refused"
else
    bad "uart socket: unknown UART: $(cat "$out/sock-bad.txt")"
fi

# Bad scenario files: exit 65 and a message naming the file and the field.
check_bad() {
    file=$1; want=$2
    "$gb" run --scenario "$file" --quiet >"$out/bad.txt" 2>&1
    rc=$?
    if [ $rc -eq 65 ] && grep -qF -- "$want" "$out/bad.txt"; then
        ok "bad scenario refused: $want"
    else
        bad "bad scenario $file: exit $rc, $(cat "$out/bad.txt")"
    fi
}
for b in "$fx"/bad-*.json; do
    check_bad "$b" "$(sed -n 's/.*"notes": "expect: \(.*\)".*/\1/p' "$b")"
done

echo "scenarios: $pass passed, $fail failed"
[ $fail -eq 0 ]
