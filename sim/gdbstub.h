/*
 * GDB remote serial protocol stub.
 *
 * One client at a time over TCP (or stdin/stdout for `target remote | cmd`).
 * The simulation only advances while the client has the target running
 * (continue/step), so virtual time stands still while halted and a debugged
 * run ends with the same state as an undisturbed one.
 *
 * Implemented: qSupported (PacketSize, no-ack mode, target description and
 * memory map via qXfer), g/G/p/P with the M-profile register set (core,
 * m-system: msp psp primask basepri faultmask control, FPv4-SP as d0-d15 and
 * fpscr), m/M/X, c/s/C/S, vCont, Ctrl-C, Z0/Z1 breakpoints, Z2/Z3/Z4
 * watchpoints, vFlashErase/vFlashWrite/vFlashDone for `load` into flash,
 * qRcmd monitor commands, qAttached, threads (one), D detach, k kill.
 * A fault exception (HardFault, MemManage, BusFault, UsageFault) stops the
 * target with SIGSEGV before its handler's first instruction (vector catch,
 * `monitor catch off` disables it).
 */
#ifndef SIM_GDBSTUB_H
#define SIM_GDBSTUB_H

#include "machine.h"

#define GDB_PACKET_MAX 16384

/* Monitor commands the stub does not know itself go to the front end. Write
 * the reply text into out; return 0 if handled, -1 for "unknown command". */
typedef int (*gdb_monitor_fn)(void *opaque, const char *cmd, char *out, size_t outlen);

typedef struct gdb_stub {
    machine_t *m;
    int listen_fd;
    int fd_in, fd_out;        /* -1 when no client */
    bool stdio;
    bool noack;
    bool catch_faults;
    bool killed;
    bool detached;
    uint8_t rx[GDB_PACKET_MAX + 8];
    size_t rx_len;
    char last_stop[64];
    sim_time_t until;         /* --max-time */
    gdb_monitor_fn monitor;
    void *monitor_opaque;
    uint64_t packets, bad_packets;
} gdb_stub_t;

/* Listen on "PORT", "HOST:PORT" or "stdio". Returns 0 or -1 with err. */
int gdb_stub_open(gdb_stub_t *g, machine_t *m, const char *spec, char *err, size_t errlen);
void gdb_stub_close(gdb_stub_t *g);
/* Serve clients until the guest exits, the client kills it, or the client
 * detaches (then the run continues without a debugger). With 'wait' the
 * target stays halted at its reset vector until a client continues it;
 * without, it runs and is halted where it is when a client connects (the
 * attach point then depends on host timing, as attaching to real hardware
 * does). Returns the machine's final stop reason. */
enum cpu_stop gdb_stub_serve(gdb_stub_t *g, sim_time_t until, bool wait);

/* Packet-level entry point for tests: handle one packet body (no framing),
 * writing the reply body to 'reply'. Returns true when a reply is due now
 * (false for c/s, whose reply is the stop packet sent later). */
bool gdb_stub_handle(gdb_stub_t *g, const char *pkt, size_t len, char *reply, size_t replylen);

#endif
