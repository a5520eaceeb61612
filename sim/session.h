/*
 * A run session: one machine built from a board, its firmware and flash, the
 * virtual network, the outputs (console, UART log, instruction trace, pcap,
 * JSON report) and the run itself. `glitchbox run`, scenarios, campaigns and
 * replays all go through it, so a run means the same thing everywhere.
 *
 * Life cycle: session_open() builds everything and resets the machine (power
 * on) with the firmware loaded; the caller may then schedule its own events
 * and watch probes (a scenario's timeline); session_run() runs to the end;
 * session_close() writes the report, saves the flash and frees everything.
 *
 * The report is a pure function of the inputs: it holds no wall-clock time
 * and no host paths other than the file names given, so two runs of the same
 * inputs write byte-identical reports (their SHA-256 is the "report hash").
 * Wall time is in session_t for front ends to print.
 */
#ifndef SIM_SESSION_H
#define SIM_SESSION_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include <capstone/capstone.h>
#include "machine.h"
#include "semihost.h"
#include "sha256.h"
#include "loader.h"
#include "inputlog.h"
#include "models/net/network.h"

#define GLITCHBOX_VERSION "0.1.0"

/* Exit statuses of a run that did not end with a guest exit code. */
enum {
    EXIT_TIMEOUT = 124,   /* the time limit was reached before the guest exited */
    EXIT_LOCKUP = 125,    /* the core locked up (fault in a fault handler) */
    EXIT_HALTED = 126,    /* the guest sleeps with nothing left to wake it */
    EXIT_USAGE = 64,      /* bad command line */
    EXIT_INPUT = 65,      /* bad input file (board, firmware, flash image, scenario) */
};

#define SESSION_MAX_FIRMWARE 8

typedef struct session_firmware {
    const char *path;
    int format;               /* LOADER_FMT_* (loader.h) */
    uint32_t base;            /* load address of a raw binary */
    bool base_set;
} session_firmware_t;

typedef struct session_config {
    const char *board;                /* name or board file */
    session_firmware_t firmware[SESSION_MAX_FIRMWARE];
    unsigned nfirmware;
    const char *flash_path;           /* --flash: load, and save back at the end */
    const char *flash_image;          /* initial flash contents, loaded only (a scenario's) */
    uint64_t seed;
    sim_time_t max_time;
    const char *trace_path, *report_path, *uart_log_path, *pcap_path;
    bool quiet;                       /* no guest output on stdout */
    bool semihosting;
    const char *sh_root;
    const char *sh_cmdline;           /* what SYS_GET_CMDLINE returns (NULL: empty) */
    const char *serve_root, *serve_network;
    const cJSON *network;             /* network section (models/net/netconfig.h) */
    const char *network_dir;          /* resolves relative paths in it */
    const char *network_origin;       /* file name for its error messages */
    const char *stop_on;              /* end the run when the guest prints this */
    const char *uart_input;           /* "inst.uart=FILE": bytes for a UART's receive line */
    const char *console_uart;         /* the host terminal types into this UART (live) */
    const char *uart_socket;          /* "inst.uart=[HOST:]PORT[,wait]": that UART on TCP (live) */
    const cJSON *inputs;              /* replay these recorded outside inputs */
    bool record_inputs;               /* keep outside input for a replay file */
} session_config_t;

void session_config_init(session_config_t *c);

/* Something that wants every byte the guest prints (scenario expectations). */
typedef void (*session_console_fn)(void *opaque, const uint8_t *buf, size_t len);
/* Adds its own fields to the report before it is written. */
typedef void (*session_report_fn)(void *opaque, cJSON *report);

typedef struct session {
    session_config_t cfg;
    char serve_path[1024];            /* the update server's folder, resolved */
    machine_t *m;
    network_t net;
    semihost_t sh;
    bool sh_on;
    FILE *uart_log;
    sha256_t uart_hash;
    uint64_t uart_bytes;
    FILE *trace;
    sha256_t trace_hash;
    csh cs;
    bool cs_ok;
    bool quiet;
    /* --stop-on */
    char tail[512];
    size_t tail_len;
    bool stop_matched;
    /* outside input (inputlog.h): --uart-input, --console, the debugger's
     * fault commands, the UI; recorded or replayed */
    input_log_t in;
    bool console_eof;
    /* --uart-socket: the listener, the client (-1: none), the UART */
    int usock_listen, usock_fd;
    char usock_uart[64];
    const char *usock_source;         /* the UART's own name in console output */
    /* hooks */
    session_console_fn console_hook;
    void *console_hook_opaque;
    session_report_fn report_hook;
    void *report_hook_opaque;
    /* result */
    enum cpu_stop stop;
    int exit_code;
    double wall_seconds;
    char pcap_sha256[65];
    char report_sha256[65];
} session_t;

/* Build the session. On failure returns NULL with the message in err and
 * the exit status (EXIT_INPUT, EXIT_USAGE) in *status. */
session_t *session_open(const session_config_t *c, char *err, size_t errlen, int *status);
/* Run until the guest exits, --stop-on matches, the time limit, a lockup or
 * a halt; sets s->stop, s->exit_code and s->wall_seconds. With 'gdb' set
 * ("PORT", "HOST:PORT", "stdio"), the run is served to a debugger. Returns
 * the exit code, or -1 (after a message) if the GDB port cannot be opened. */
int session_run(session_t *s, const char *gdb, bool gdb_wait);
/* How a run ended, for a front end that runs the machine itself in slices
 * (machine_run() up to times it chooses, as the UI does): sets s->stop and
 * s->exit_code exactly as session_run() does for that stop reason. */
void session_set_stop(session_t *s, enum cpu_stop stop);
/* GDB `monitor` commands of the front end: fault injection through the
 * input log (link, set, pin, power-cut, uart). Writes the reply to out;
 * returns 0, or -1 for an unknown command. */
int session_monitor(void *opaque, const char *cmd, char *out, size_t outlen);
/* Print the end-of-run line (timeout, lockup ...) to stderr. */
void session_print_outcome(const session_t *s);
/* Write the report (if configured), save the flash (if configured), hash the
 * pcap; returns the final exit code (non-zero if an output failed). */
int session_finish(session_t *s);
void session_close(session_t *s);

/* The outcome word of a stop reason ("exit", "timeout", "lockup" ...). */
const char *session_stop_name(enum cpu_stop s);
/* Read a JSON file: NULL with "line:col: reason" or the OS error in err. */
cJSON *session_read_json(const char *path, char *err, size_t errlen);
/* SHA-256 of a file as hex; "" if it cannot be read. */
void session_file_sha256(const char *path, char hex[65]);
/* Wall-clock seconds for front-end statistics; never seen by the simulation. */
double session_wall_seconds(void);

#endif
