#!/bin/sh
# End-to-end network tests with the reference firmware on the
# stm32f407-enc28j60 board: an update through a faulty network, twice with
# the same seed (byte-identical capture, UART log and report), read by tshark
# without malformed frames; traffic hosts during an update; errors in a
# network file; the controls list; live mode against `python3 -m http.server`
# on loopback, recorded and replayed without the server.
# Usage: tests/net/run-net-tests.sh GLITCHBOX FW_REF_DIR
gb=$1
ref=$2
here=$(dirname "$0")
tmp=$(mktemp -d /tmp/gb-net-e2e-XXXXXX)
passed=0
failed=0
py=""
cleanup() {
    [ -n "$py" ] && kill "$py" 2>/dev/null && wait "$py" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# run NAME [options...]: the factory image updating itself; output in $tmp/NAME.*
run() {
    name=$1
    shift
    rm -f "$tmp/$name.flash"
    "$gb" run --board stm32f407-enc28j60 --flash "$tmp/$name.flash" \
        --firmware "$ref/factory-flash.bin" --format bin --base 0x08000000 \
        --max-time 60s --quiet --stop-on "up to date" --pcap "$tmp/$name.pcap" \
        --uart-log "$tmp/$name.log" --report "$tmp/$name.json" "$@" \
        >"$tmp/$name.out" 2>&1
}

# report NAME EXPR: a value from the run's report (python3 expression on r)
report() {
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$tmp/$1.json"
}

sha() { sha256sum "$1" | cut -c1-16; }

tshark_clean() {
    n=$(tshark -r "$1" 2>/dev/null | wc -l)
    [ "$n" -gt 0 ] && ! tshark -r "$1" -V 2>&1 | grep -qiE 'malformed|exception'
}

# 1. an update through a faulty network, twice
if run faulty1 --serve "$ref/server" --network "$here/faulty.json" --seed 7 &&
   run faulty2 --serve "$ref/server" --network "$here/faulty.json" --seed 7 &&
   grep -q "update: state=confirmed version=2" "$tmp/faulty1.log"; then
    ok "update through a faulty network (503, reset after 8000 bytes, cable pulled, loss)"
else
    bad "update through a faulty network"; tail -5 "$tmp/faulty1.out" "$tmp/faulty1.log"
fi
if cmp -s "$tmp/faulty1.pcap" "$tmp/faulty2.pcap" && cmp -s "$tmp/faulty1.log" "$tmp/faulty2.log" &&
   cmp -s "$tmp/faulty1.json" "$tmp/faulty2.json"; then
    ok "same seed: byte-identical pcap $(sha "$tmp/faulty1.pcap"), UART log and report $(sha "$tmp/faulty1.json")"
else
    bad "same seed gives different runs"
fi
if [ "$(report faulty1 'r["hashes"]["pcap"][:16]')" = "$(sha "$tmp/faulty1.pcap")" ]; then
    ok "the report carries the capture's hash"
else
    bad "the report's pcap hash"
fi
if [ "$(report faulty1 'r["probes"]["net.server.fault"]')" = 2 ] &&
   [ "$(report faulty1 'r["probes"]["net.lan.fault"] > 0')" = True ] &&
   grep -q "eth: link down" "$tmp/faulty1.log" && grep -q "tcp: connection reset" "$tmp/faulty1.log" &&
   grep -q "status 503" "$tmp/faulty1.log" && grep -q "state=resuming" "$tmp/faulty1.log"; then
    ok "every fault took effect: cable pulled, 503, forged reset (resumed with Range), frames lost"
else
    bad "faults missing"; report faulty1 'r.get("probes")'
fi
if tshark_clean "$tmp/faulty1.pcap" &&
   tshark -r "$tmp/faulty1.pcap" -Y 'tcp.flags.reset == 1' 2>/dev/null | grep -q RST &&
   tshark -r "$tmp/faulty1.pcap" -Y 'http.response.code == 503' 2>/dev/null | grep -q 503; then
    ok "tshark reads the capture: no malformed frames, the forged RST and the 503 are there"
else
    bad "tshark on the faulty capture"
fi
run faulty3 --serve "$ref/server" --network "$here/faulty.json" --seed 8
if ! cmp -s "$tmp/faulty1.pcap" "$tmp/faulty3.pcap"; then
    ok "another seed gives another capture ($(sha "$tmp/faulty3.pcap"))"
else
    bad "the seed does not reach the links"
fi

# 2. traffic hosts during an update
if run storm1 --serve "$ref/server" --network "$here/storm.json" &&
   run storm2 --serve "$ref/server" --network "$here/storm.json" &&
   grep -q "update: state=confirmed version=2" "$tmp/storm1.log" &&
   cmp -s "$tmp/storm1.pcap" "$tmp/storm2.pcap" && tshark_clean "$tmp/storm1.pcap" &&
   [ "$(tshark -r "$tmp/storm1.pcap" -Y 'udp.dstport == 9 && eth.dst == ff:ff:ff:ff:ff:ff' 2>/dev/null | wc -l)" -gt 10000 ]; then
    ok "update during a broadcast storm, a chatty neighbour and mDNS noise (pcap $(sha "$tmp/storm1.pcap"))"
else
    bad "update with traffic hosts"; tail -5 "$tmp/storm1.out"
fi

# 3. a bad network file
printf '{ "links": { "lan": { "loss": 2 } } }' >"$tmp/bad.json"
"$gb" run --board stm32f407-enc28j60 --firmware "$ref/factory-flash.bin" --format bin \
    --base 0x08000000 --network "$tmp/bad.json" --quiet >"$tmp/bad.out" 2>&1
rc=$?
if [ $rc -eq 65 ] && grep -q "bad.json: network.links.lan.loss: expected a probability" "$tmp/bad.out"; then
    ok "a bad network file: exit 65, the message names the field"
else
    bad "bad network file (exit $rc)"; cat "$tmp/bad.out"
fi

# 4. the controls of the network
if "$gb" controls --board stm32f407-enc28j60 | grep -q "net.lan.up"; then
    ok "glitchbox controls lists net.lan.up"
else
    bad "net controls missing from glitchbox controls"
fi

# 5. live mode: a real server on loopback, then the replay without it
if python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0))" 2>/dev/null; then
    python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$ref/server" >"$tmp/py.out" 2>/dev/null &
    py=$!
    port=""
    for i in $(seq 1 50); do
        port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$tmp/py.out" | head -n 1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    if [ -n "$port" ] &&
       run live1 --live --live-forward "10.0.2.100:80=127.0.0.1:$port" --live-record "$tmp/rec.json" &&
       grep -q "update: state=confirmed version=2" "$tmp/live1.log"; then
        ok "live: the firmware updated from python3 -m http.server on 127.0.0.1:$port"
    else
        bad "live update from a real server"; tail -5 "$tmp/live1.out" "$tmp/live1.log"
    fi
    # the same as a replay file (glitchbox run --record): it carries the live record
    rm -f "$tmp/live3.flash"
    "$gb" run --board stm32f407-enc28j60 --firmware "$ref/factory-flash.bin" --format bin \
        --base 0x08000000 --max-time 60s --quiet --stop-on "up to date" --live \
        --live-forward "10.0.2.100:80=127.0.0.1:$port" --live-record "$tmp/rec3.json" \
        --record "$tmp/replay.json" >"$tmp/live3.out" 2>&1
    kill "$py" 2>/dev/null
    wait "$py" 2>/dev/null
    py=""
    if "$gb" replay "$tmp/replay.json" >"$tmp/replay.out" 2>&1 &&
       grep -q "replay: identical" "$tmp/replay.out"; then
        ok "live: glitchbox replay of a recorded live run is identical without the server"
    else
        bad "glitchbox replay of a live run"; tail -5 "$tmp/live3.out" "$tmp/replay.out"
    fi
    if run live2 --live-replay "$tmp/rec.json" && cmp -s "$tmp/live1.log" "$tmp/live2.log" &&
       cmp -s "$tmp/live1.pcap" "$tmp/live2.pcap" && ! grep -q "diverged" "$tmp/live2.out"; then
        ok "live: the replay without the server is the same run (pcap $(sha "$tmp/live2.pcap"))"
    else
        bad "live replay"; tail -5 "$tmp/live2.out"
    fi
else
    echo "skip live: this host has no loopback networking"
fi

echo "net-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
