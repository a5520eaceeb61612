#!/bin/sh
# End-to-end tests of the over-the-air update on the simulated board
# (stm32f407-enc28j60): the factory flash boots version 1, the update server
# offers an image, and each case asserts the outcome from the UART log, the
# JSON report and the pcap. Prints "ota-e2e: N passed, N failed".
#   tests/e2e/run-ota.sh GLITCHBOX FW_REF_DIR OUT_DIR [CASE...]
set -u
gb=$1; ref=$2; out=$3; shift 3
mkdir -p "$out"
passed=0; failed=0
board=stm32f407-enc28j60

# run NAME MAX_TIME STOP_ON ARGS...: one simulation from the factory flash.
run() {
    name=$1; max=$2; stop=$3; shift 3
    cp "$ref/factory-flash.bin" "$out/$name.flash"
    "$gb" run --board $board --flash "$out/$name.flash" --firmware "$ref/factory-flash.bin" \
        --format bin --base 0x08000000 --max-time "$max" ${stop:+--stop-on "$stop"} \
        --report "$out/$name.json" --uart-log "$out/$name.log" --pcap "$out/$name.pcap" \
        --quiet "$@" >"$out/$name.out" 2>&1
    echo $? >"$out/$name.rc"
}

fails=""
check() {   # check NAME DESCRIPTION COMMAND...
    n=$1; d=$2; shift 2
    if "$@" >/dev/null 2>&1; then :; else fails="$fails\n    $d"; fi
}
has() { grep -q -- "$2" "$out/$1.log"; }
hasnt() { ! grep -q -- "$2" "$out/$1.log"; }
count() { grep -c -- "$2" "$out/$1.log"; }
at_least() { [ "$(count "$1" "$2")" -ge "$3" ]; }
exited() { [ "$(cat "$out/$1.rc")" = "$2" ]; }
# The HTTP requests in the capture (tshark decodes them; strings as a fallback).
requests() {
    if command -v tshark >/dev/null 2>&1; then
        tshark -r "$out/$1.pcap" -Y http.request -T fields -e http.request.uri -e http.request.line 2>/dev/null
    else
        tr -c '[:print:]\n\r' '\n' <"$out/$1.pcap" | grep -a -E '^(GET|Range:)'
    fi
}
plain_gets() {
    r=$(requests "$1")
    echo "$r" | grep -q '^/manifest' && echo "$r" | grep -q '^/fw/app-v2-b.img' &&
        ! echo "$r" | grep -q 'Range:'
}
range_requested() { requests "$1" | grep -q "bytes=[1-9]"; }
# Updated: v2 confirmed in slot B and running after the end.
updated() {
    has "$1" "update: state=rebooting version=2 .* slot=B" &&
    has "$1" "boot: trial slot=B version=2 boot=1/3" &&
    has "$1" "update: state=confirmed version=2 .* slot=B" &&
    has "$1" "update: state=idle version=2 .*reason=up-to-date" && exited "$1" 0
}
verdict() {
    if [ -z "$fails" ]; then
        passed=$((passed + 1)); echo "ok   $1"
    else
        failed=$((failed + 1)); printf "FAIL %s:%b\n" "$1" "$fails"
        tail -n 15 "$out/$1.log" | sed 's/^/      | /'; echo
    fi
    fails=""
}

netfile() {   # netfile NAME JSON: a --network file serving folder $ref/$SERVE
    printf '%s\n' "$2" >"$out/$1.net.json"
}

# The virtual time (seconds) at which a clean update reaches a console line.
time_of() {
    cp "$ref/factory-flash.bin" "$out/probe.flash"
    "$gb" run --board $board --flash "$out/probe.flash" --firmware "$ref/factory-flash.bin" \
        --format bin --base 0x08000000 --serve "$ref/server" --max-time 60s --stop-on "$1" \
        --report "$out/probe.json" --quiet >/dev/null 2>&1
    sed -n 's/.*"virtual_time_ns":[^0-9]*\([0-9]*\).*/\1/p' "$out/probe.json"
}

case_clean() {
    run clean 40s "reason=up-to-date" --serve "$ref/server"
    check clean "updated to version 2 and confirmed" updated clean
    check clean "no retries needed" has clean "state=rebooting version=2 .* retries=0 errors=0"
    check clean "verified before the reboot" has clean "update: state=verifying version=2"
    check clean "GET of the manifest and the image, no Range" plain_gets clean
    verdict clean
}

case_loss() {
    netfile loss "{ \"links\": { \"lan\": { \"loss\": 0.05 } },
                    \"server\": { \"network\": \"lan\", \"root\": \"$PWD/$ref/server\" } }"
    run loss 120s "reason=up-to-date" --network "$out/loss.net.json" --seed 5
    check loss "updated through 5 % loss" updated loss
    check loss "frames were really lost (TCP recovered)" test "$(grep -c . "$out/loss.log")" -gt 5
    verdict loss
}

case_cable() {
    # pull the cable 40 ms into the image download, for 12 s: longer than the
    # agent's idle timeout, so the connection is given up and the download resumes
    t0=$(time_of "state=downloading version=2 bytes=")
    at=$(( (t0 + 40000000) / 1000 ))
    back=$(( at + 12000000 ))
    netfile cable "{ \"links\": { \"lan\": { \"schedule\": [ { \"at\": \"${at}us\", \"up\": false },
                                                       { \"at\": \"${back}us\", \"up\": true } ] } },
                     \"server\": { \"network\": \"lan\", \"root\": \"$PWD/$ref/server\" } }"
    run cable 120s "reason=up-to-date" --network "$out/cable.net.json"
    check cable "updated after the cable came back" updated cable
    check cable "the link loss was seen" has cable "eth: link down"
    check cable "the download resumed" has cable "update: state=resuming version=2 .*resume-from=[1-9]"
    check cable "a Range request went out (pcap)" range_requested cable
    check cable "not restarted from zero" hasnt cable "resume-from=0 "
    verdict cable
}

case_reset() {
    netfile reset "{ \"server\": { \"network\": \"lan\", \"root\": \"$PWD/$ref/server\",
                     \"faults\": [ { \"kind\": \"reset\", \"after_bytes\": 9000, \"count\": 2 } ] } }"
    run reset 120s "reason=up-to-date" --network "$out/reset.net.json"
    check reset "updated despite the resets" updated reset
    check reset "the download was interrupted and resumed" at_least reset "update: state=resuming version=2" 1
    check reset "a Range request went out (pcap)" range_requested reset
    verdict reset
}

case_badsig() {
    run badsig 40s "reason=bad-signature" --serve "$ref/server-badsig"
    check badsig "downloaded version 3" has badsig "update: state=verifying version=3"
    check badsig "rejected for its signature" has badsig "update: state=rejected version=3 .*reason=bad-signature"
    check badsig "no reboot into it" hasnt badsig "state=rebooting"
    check badsig "version 1 keeps running" test "$(count badsig 'app: version 1 running from slot A')" -eq 1
    check badsig "no trial" hasnt badsig "boot: trial"
    verdict badsig
}

case_noconfirm() {
    run noconfirm 60s "reason=version-rolled-back" --serve "$ref/server-noconfirm"
    check noconfirm "trial of version 3" has noconfirm "boot: trial slot=B version=3 boot=1/3"
    check noconfirm "its self-test failed" has noconfirm "update: state=failed version=3 .*reason=self-test"
    check noconfirm "never confirmed" hasnt noconfirm "state=confirmed"
    check noconfirm "the watchdog reset it" has noconfirm "reset cause watchdog"
    check noconfirm "rolled back" has noconfirm "boot: rollback slot=B version=3 reason=watchdog"
    check noconfirm "version 1 runs again" test "$(count noconfirm 'app: version 1 running from slot A')" -eq 2
    check noconfirm "the failed version is not fetched again" has noconfirm "reason=version-rolled-back"
    verdict noconfirm
}

# With FW_REF_DIR built with APP_FLAGS=-DENC_NO_WA_PWRSV_SRC: the agent puts
# the ENC28J60 into power-save before it resets, and without the errata #19
# workaround the new image's SRC is ignored: the chip never answers, the trial
# cannot pass its self-test, gives up, and the watchdog rolls it back.
case_erratum19() {
    run erratum19 120s "back to slot A" --serve "$ref/server"
    check erratum19 "the update was installed" has erratum19 "update: state=rebooting version=2"
    check erratum19 "the chip no longer answers" has erratum19 "eth: ENC28J60 does not answer"
    check erratum19 "the trial gave up" has erratum19 "update: state=failed version=2 .*reason=self-test-timeout"
    check erratum19 "rolled back by the watchdog" has erratum19 "boot: rollback slot=B version=2 reason=watchdog"
    check erratum19 "never confirmed" hasnt erratum19 "state=confirmed"
    verdict erratum19
}

cases=${*:-clean loss cable reset badsig noconfirm}
for c in $cases; do "case_$c"; done
echo "ota-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
