#!/usr/bin/env python3
"""Drive the GDB stub over a raw socket with well-formed and malformed
packets: bad checksum, oversize packet, unknown command, Ctrl-C while
running, a dropped connection followed by a new client, monitor commands.
Usage: raw_protocol.py PORT SPIN_ADDR MAIN_ADDR (the target's 'spin' flag and main)"""
import socket
import sys
import time

port = int(sys.argv[1])
spin_addr = int(sys.argv[2], 16)
main_addr = int(sys.argv[3], 16)
fails = 0
passes = 0


def expect(what, cond):
    global fails, passes
    if cond:
        passes += 1
    else:
        fails += 1
        print(f"FAIL gdb-raw: {what}")


def connect():
    for _ in range(50):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.1)
    raise SystemExit("FAIL gdb-raw: cannot connect")


def frame(body):
    return b"$" + body + b"#" + b"%02x" % (sum(body) % 256)


def read_packet(s):
    """Return (acks, body) of the next packet, skipping +/- acks."""
    acks = b""
    buf = b""
    while True:
        c = s.recv(1)
        if not c:
            return acks, None
        if c in b"+-" and not buf:
            acks += c
            continue
        buf += c
        if buf.startswith(b"$") and b"#" in buf and len(buf) >= buf.index(b"#") + 3:
            return acks, buf[1:buf.index(b"#")]


s = connect()
# bad checksum: NAK, then the good packet is answered
s.sendall(b"$qC#00")
acks = s.recv(1)
expect("bad checksum is NAKed", acks == b"-")
s.sendall(frame(b"qC"))
acks, body = read_packet(s)
expect("qC answered after a NAK", body == b"QC1")
s.sendall(b"+")
# unknown command: empty reply
s.sendall(frame(b"qNoSuchThing"))
acks, body = read_packet(s)
expect("unknown command gives an empty reply", body == b"")
s.sendall(b"+")
# oversize packet: dropped with a NAK, the stub keeps working
s.sendall(b"$" + b"m" * 20000 + b"#00")
acks, body = None, None
time.sleep(0.2)
s.sendall(frame(b"?"))
acks, body = read_packet(s)
expect("oversize packet rejected", b"-" in (acks or b""))
expect("stub still answers after an oversize packet", body is not None and body.startswith(b"S"))
s.sendall(b"+")
# malformed memory read
s.sendall(frame(b"mZZ,4"))
acks, body = read_packet(s)
expect("malformed m packet gives an error", body is not None and body.startswith(b"E"))
s.sendall(b"+")
# monitor time
s.sendall(frame(b"qRcmd," + b"time".hex().encode()))
acks, out = read_packet(s)
s.sendall(b"+")
acks2, ok = read_packet(s)
s.sendall(b"+")
expect("monitor time prints virtual time", out is not None and b"virtual time" in bytes.fromhex(out[1:].decode()))
expect("monitor reply OK", ok == b"OK")
# run to main (the C runtime clears .bss first), keep the target busy,
# continue, then Ctrl-C
s.sendall(frame(b"Z1,%x,2" % main_addr))
acks, body = read_packet(s)
s.sendall(b"+")
s.sendall(frame(b"c"))
acks, body = read_packet(s)
expect("hardware breakpoint at main", body is not None and body.startswith(b"T05"))
s.sendall(b"+")
s.sendall(frame(b"z1,%x,2" % main_addr))
acks, body = read_packet(s)
s.sendall(b"+")
s.sendall(frame(b"M%x,4:01000000" % spin_addr))
acks, body = read_packet(s)
expect("memory write", body == b"OK")
s.sendall(b"+")
s.sendall(frame(b"c"))
time.sleep(0.3)
s.sendall(b"\x03")
acks, body = read_packet(s)
expect(f"Ctrl-C stops the target with SIGINT (got {body!r})", body is not None and body.startswith(b"T02"))
s.sendall(b"+")
# a read watchpoint (4 bytes) and an access watchpoint (1 byte, inside the
# word) on the flag the busy loop reads: each stops with its kind and address
for z, size, kind in ((b"3", 4, b"rwatch"), (b"4", 1, b"awatch")):
    addr = spin_addr + (1 if size == 1 else 0)
    s.sendall(frame(b"Z%s,%x,%x" % (z, addr, size)))
    acks, body = read_packet(s)
    s.sendall(b"+")
    expect(f"Z{z.decode()} accepted", body == b"OK")
    s.sendall(frame(b"c"))
    acks, body = read_packet(s)
    s.sendall(b"+")
    expect(f"{kind.decode()} stop (got {body!r})",
           body is not None and body.startswith(b"T05") and kind + b":" in body)
    s.sendall(frame(b"z%s,%x,%x" % (z, addr, size)))
    acks, body = read_packet(s)
    s.sendall(b"+")
# drop the connection; a new client gets a working stub
s.close()
time.sleep(0.2)
s = connect()
s.sendall(frame(b"qAttached"))
acks, body = read_packet(s)
expect("a new client after a dropped connection", body == b"1")
s.sendall(b"+")
s.sendall(frame(b"k"))
s.close()
print(f"gdb-raw: {passes} passed, {fails} failed")
sys.exit(1 if fails else 0)
