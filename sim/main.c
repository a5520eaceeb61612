/*
 * glitchbox command line.
 *
 *   glitchbox run --board NAME|FILE --firmware FILE [options]
 *   glitchbox models          list the model types a board can use
 *   glitchbox version
 *
 * Exit status of `run`: the guest's semihosting exit code when it exits;
 * otherwise one of the codes below (documented in README.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <capstone/capstone.h>
#include <cjson/cJSON.h>
#include "sim/machine.h"
#include "sim/loader.h"
#include "sim/semihost.h"
#include "sim/gdbstub.h"
#include "models/net/network.h"
#include "models/net/netconfig.h"
#include "sim/sha256.h"
#include "sim/units.h"
#include "sim/log.h"

#define GLITCHBOX_VERSION "0.1.0"

enum {
    EXIT_TIMEOUT = 124,   /* --max-time reached before the guest exited */
    EXIT_LOCKUP = 125,    /* the core locked up (fault in a fault handler) */
    EXIT_HALTED = 126,    /* the guest sleeps with nothing left to wake it */
    EXIT_USAGE = 64,      /* bad command line */
    EXIT_INPUT = 65,      /* bad input file (board, firmware, flash image) */
};

#define MAX_FIRMWARE 8

typedef struct run_opts {
    const char *board;
    const char *firmware[MAX_FIRMWARE];
    unsigned nfirmware;
    const char *format;
    uint32_t bin_base;
    bool bin_base_set;
    sim_time_t max_time;
    const char *trace_path;
    const char *report_path;
    const char *uart_log_path;
    const char *flash_path;
    uint64_t seed;
    bool quiet;
    bool semihosting;
    const char *sh_root;
    const char *gdb;
    bool gdb_wait;
    const char *uart_input;   /* "inst.uart=FILE" */
    const char *pcap_path;
    const char *serve_root, *serve_network;
    const char *network_path;
    const char *stop_on;
    network_opts_t live;      /* live-mode options (models/net/network.h) */
} run_opts_t;

/* Console input from a file, fed to a UART as its receive queue drains. */
typedef struct uart_feed {
    endpoint_t *ep;
    uint8_t *data;
    size_t len, pos;
    sched_t *sched;
    sched_event_t ev;
} uart_feed_t;

static void uart_feed_tick(void *opaque)
{
    uart_feed_t *f = opaque;
    f->pos += f->ep->uart_rx(f->ep->uart_dev, f->data + f->pos, f->len - f->pos);
    if (f->pos < f->len)
        sched_after(f->sched, &f->ev, SIM_MS(1));
}

typedef struct run_ctx {
    machine_t *m;
    semihost_t sh;
    FILE *uart_log;
    sha256_t uart_hash;
    uint64_t uart_bytes;
    FILE *trace;
    sha256_t trace_hash;
    csh cs;
    bool cs_ok;
    bool quiet;
    const char *stop_on;      /* end the run when the guest prints this */
    char tail[512];           /* the last bytes printed, to find stop_on across writes */
    size_t tail_len;
    bool stop_matched;
    network_t *net;
} run_ctx_t;

/* ---------------------------------------------------------------------- */
/* argument parsing */

static int parse_time(const char *s, sim_time_t *out) { return units_parse_time(s, out); }

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: glitchbox run --board NAME|FILE --firmware FILE [options]\n"
            "       glitchbox models\n"
            "       glitchbox controls --board NAME|FILE\n"
            "       glitchbox version\n"
            "\n"
            "run options:\n"
            "  --board NAME|FILE     board name (models/boards/NAME.json) or a board JSON file\n"
            "  --firmware FILE       ELF, Intel HEX or raw binary; may be given up to %d times\n"
            "  --format elf|hex|bin  force the firmware format (default: detect)\n"
            "  --base ADDR           load address of raw binaries (default: the boot memory)\n"
            "  --max-time T          stop after T of virtual time (e.g. 10s, 250ms; default 60s)\n"
            "  --seed N              master seed for every random stream (default 1)\n"
            "  --trace FILE          instruction trace (virtual time, pc, disassembly)\n"
            "  --report FILE         JSON report of the run\n"
            "  --uart-log FILE       copy of everything the guest printed\n"
            "  --flash FILE          load non-volatile memory from FILE and save it back at exit\n"
            "  --semihosting-root D  directory for semihosting file access (default .)\n"
            "  --no-semihosting      treat BKPT 0xAB as an ordinary breakpoint\n"
            "  --quiet               do not copy guest output to stdout\n"
            "  --pcap FILE           capture every network link to FILE (virtual timestamps)\n"
            "  --serve DIR           an update server (DHCP, ICMP, HTTP on 10.0.2.100:80)\n"
            "                        serving DIR joins the board's network\n"
            "  --serve-network NAME  the network it joins (default: the board's first)\n"
            "  --network FILE        links, timed link faults, update server and its faults\n"
            "                        (JSON; see models/net/README.md)\n"
            "  --live                NAT the board's network to the host's through libslirp\n"
            "  --live-forward G=H    in live mode, virtual GUEST:PORT reaches host HOST:PORT\n"
            "                        (e.g. 10.0.2.100:80=127.0.0.1:8000); may repeat\n"
            "  --live-record FILE    record every frame entering the simulation in live mode\n"
            "  --live-replay FILE    replay such a record instead of the host network\n"
            "  --tap IFNAME          live mode through a TAP interface (\"\" = a new one)\n"
            "  --stop-on TEXT        end the run (exit 0) when the guest prints TEXT\n"
            "  --uart-input UART=FILE  bytes of FILE arrive on that UART's receive line\n"
            "                        (e.g. mcu.usart2=input.txt), at the line's character rate\n"
            "  --gdb PORT|HOST:PORT|stdio  serve the GDB remote protocol; the target runs and\n"
            "                        halts where it is when GDB connects\n"
            "  --wait                (with --gdb) start halted at the reset vector until GDB\n"
            "                        continues the target (always so with stdio)\n"
            "\n"
            "exit status: the guest's exit code; %d timeout, %d lockup, %d guest halted forever,\n"
            "             %d usage error, %d bad input file\n",
            MAX_FIRMWARE, EXIT_TIMEOUT, EXIT_LOCKUP, EXIT_HALTED, EXIT_USAGE, EXIT_INPUT);
}

static int parse_run_args(int argc, char **argv, run_opts_t *o)
{
    enum { O_BOARD = 256, O_FIRMWARE, O_FORMAT, O_BASE, O_MAXTIME, O_SEED, O_TRACE, O_REPORT,
           O_UARTLOG, O_FLASH, O_SHROOT, O_NOSH, O_QUIET, O_HELP, O_GDB, O_WAIT, O_UARTIN, O_PCAP, O_SERVE, O_SERVENET,
           O_NETWORK, O_STOPON, O_LIVE, O_LIVEFWD, O_LIVEREC, O_LIVEREP, O_TAP };
    static const struct option longopts[] = {
        { "board", required_argument, NULL, O_BOARD },
        { "firmware", required_argument, NULL, O_FIRMWARE },
        { "format", required_argument, NULL, O_FORMAT },
        { "base", required_argument, NULL, O_BASE },
        { "max-time", required_argument, NULL, O_MAXTIME },
        { "seed", required_argument, NULL, O_SEED },
        { "trace", required_argument, NULL, O_TRACE },
        { "report", required_argument, NULL, O_REPORT },
        { "uart-log", required_argument, NULL, O_UARTLOG },
        { "flash", required_argument, NULL, O_FLASH },
        { "semihosting-root", required_argument, NULL, O_SHROOT },
        { "no-semihosting", no_argument, NULL, O_NOSH },
        { "gdb", required_argument, NULL, O_GDB },
        { "wait", no_argument, NULL, O_WAIT },
        { "uart-input", required_argument, NULL, O_UARTIN },
        { "pcap", required_argument, NULL, O_PCAP },
        { "serve", required_argument, NULL, O_SERVE },
        { "serve-network", required_argument, NULL, O_SERVENET },
        { "network", required_argument, NULL, O_NETWORK },
        { "stop-on", required_argument, NULL, O_STOPON },
        { "live", no_argument, NULL, O_LIVE },
        { "live-forward", required_argument, NULL, O_LIVEFWD },
        { "live-record", required_argument, NULL, O_LIVEREC },
        { "live-replay", required_argument, NULL, O_LIVEREP },
        { "tap", required_argument, NULL, O_TAP },
        { "quiet", no_argument, NULL, O_QUIET },
        { "help", no_argument, NULL, O_HELP },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->max_time = SIM_S(60);
    o->seed = 1;
    o->semihosting = true;
    o->sh_root = ".";
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case O_BOARD: o->board = optarg; break;
        case O_FIRMWARE:
            if (o->nfirmware >= MAX_FIRMWARE) {
                fprintf(stderr, "glitchbox: at most %d --firmware files\n", MAX_FIRMWARE);
                return -1;
            }
            o->firmware[o->nfirmware++] = optarg;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "elf") && strcmp(optarg, "hex") && strcmp(optarg, "bin")) {
                fprintf(stderr, "glitchbox: --format must be elf, hex or bin, not '%s'\n", optarg);
                return -1;
            }
            o->format = optarg;
            break;
        case O_BASE:
            if (parse_u64(optarg, &v) || v > 0xFFFFFFFFu) {
                fprintf(stderr, "glitchbox: --base: '%s' is not a 32-bit address\n", optarg);
                return -1;
            }
            o->bin_base = (uint32_t)v;
            o->bin_base_set = true;
            break;
        case O_MAXTIME:
            if (parse_time(optarg, &o->max_time)) {
                fprintf(stderr, "glitchbox: --max-time: '%s' is not a time (e.g. 10s, 250ms, "
                        "100us)\n", optarg);
                return -1;
            }
            break;
        case O_SEED:
            if (parse_u64(optarg, &o->seed)) {
                fprintf(stderr, "glitchbox: --seed: '%s' is not an unsigned integer\n", optarg);
                return -1;
            }
            break;
        case O_TRACE: o->trace_path = optarg; break;
        case O_REPORT: o->report_path = optarg; break;
        case O_UARTLOG: o->uart_log_path = optarg; break;
        case O_FLASH: o->flash_path = optarg; break;
        case O_SHROOT: o->sh_root = optarg; break;
        case O_NOSH: o->semihosting = false; break;
        case O_GDB: o->gdb = optarg; break;
        case O_WAIT: o->gdb_wait = true; break;
        case O_UARTIN: o->uart_input = optarg; break;
        case O_PCAP: o->pcap_path = optarg; break;
        case O_SERVE: o->serve_root = optarg; break;
        case O_SERVENET: o->serve_network = optarg; break;
        case O_NETWORK: o->network_path = optarg; break;
        case O_STOPON:
            if (!*optarg || strlen(optarg) > 256) {
                fprintf(stderr, "glitchbox: --stop-on needs a text of 1 to 256 bytes\n");
                return -1;
            }
            o->stop_on = optarg;
            break;
        case O_LIVE: o->live.live = true; break;
        case O_LIVEFWD:
            if (o->live.nlive_forward == NETWORK_MAX_FORWARDS) {
                fprintf(stderr, "glitchbox: at most %d --live-forward rules\n", NETWORK_MAX_FORWARDS);
                return -1;
            }
            o->live.live_forward[o->live.nlive_forward++] = optarg;
            break;
        case O_LIVEREC: o->live.live_record = optarg; break;
        case O_LIVEREP: o->live.live_replay = optarg; break;
        case O_TAP: o->live.tap = optarg; break;
        case O_QUIET: o->quiet = true; break;
        case O_HELP: usage(stdout); exit(0);
        default: return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "glitchbox: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->board || (!o->nfirmware && !o->flash_path)) {
        fprintf(stderr, "glitchbox: run needs --board and --firmware (or a --flash image)\n");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* outputs */

static void console_out(void *opaque, const char *source, const uint8_t *buf, size_t len)
{
    run_ctx_t *rc = opaque;
    (void)source;
    sha256_update(&rc->uart_hash, buf, len);
    rc->uart_bytes += len;
    if (rc->uart_log)
        fwrite(buf, 1, len, rc->uart_log);
    if (!rc->quiet) {
        FILE *out = source && !strcmp(source, "stderr") ? stderr : stdout;
        fwrite(buf, 1, len, out);
        fflush(out);
    }
    if (rc->stop_on && !rc->stop_matched) {
        for (size_t k = 0; k < len; k++) {
            if (rc->tail_len == sizeof rc->tail - 1) {
                memmove(rc->tail, rc->tail + 256, rc->tail_len - 256);
                rc->tail_len -= 256;
            }
            rc->tail[rc->tail_len++] = buf[k] ? (char)buf[k] : ' ';
        }
        rc->tail[rc->tail_len] = 0;
        if (strstr(rc->tail, rc->stop_on)) {
            rc->stop_matched = true;
            rc->m->exit_requested = true;
            rc->m->exit_code = 0;
        }
    }
}

static void guest_exit(void *opaque, int code)
{
    run_ctx_t *rc = opaque;
    rc->m->exit_requested = true;
    rc->m->exit_code = code;
}

static void trace_insn(void *opaque, cpu_t *cpu, const insn_t *i)
{
    run_ctx_t *rc = opaque;
    char line[256];
    uint8_t bytes[4];
    int n;
    sim_time_t t = cpu_time_of(cpu, cpu->cycles);
    bus_debug_read(cpu->bus, i->pc, bytes, i->len);
    cs_insn *ci = NULL;
    size_t cnt = rc->cs_ok ? cs_disasm(rc->cs, bytes, i->len, i->pc, 1, &ci) : 0;
    if (cnt == 1)
        n = snprintf(line, sizeof line, "%llu %08x %-8s %s %s\n", (unsigned long long)t, i->pc,
                     i->len == 4 ? "" : "", ci->mnemonic, ci->op_str);
    else
        n = snprintf(line, sizeof line, "%llu %08x %s\n", (unsigned long long)t, i->pc,
                     thumb_insn_name(i));
    if (ci)
        cs_free(ci, cnt);
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        fwrite(line, 1, len, rc->trace);
        sha256_update(&rc->trace_hash, line, len);
    }
}

static const char *stop_name(enum cpu_stop s)
{
    switch (s) {
    case CPU_STOP_EXIT: return "exit";
    case CPU_STOP_LIMIT: return "timeout";
    case CPU_STOP_LOCKUP: return "lockup";
    case CPU_STOP_SLEEP: return "halted";
    case CPU_STOP_BKPT: return "breakpoint";
    case CPU_STOP_REQUEST: return "stopped";
    default: return "unknown";
    }
}

static void add_hash(cJSON *obj, const char *key, sha256_t *h)
{
    uint8_t d[32];
    char hex[65];
    sha256_t copy = *h;
    sha256_final(&copy, d);
    sha256_hex(d, hex);
    cJSON_AddStringToObject(obj, key, hex);
}

static int write_report(const char *path, run_ctx_t *rc, const run_opts_t *o,
                        enum cpu_stop stop, int exit_code)
{
    machine_t *m = rc->m;
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "glitchbox", GLITCHBOX_VERSION);
    cJSON_AddStringToObject(r, "outcome", stop_name(stop));
    cJSON_AddNumberToObject(r, "exit_code", exit_code);
    cJSON_AddStringToObject(r, "board", m->board_name);
    cJSON_AddNumberToObject(r, "seed", (double)o->seed);
    cJSON_AddNumberToObject(r, "virtual_time_ns", (double)machine_now(m));
    cJSON_AddNumberToObject(r, "instructions", (double)m->cpu->insns);
    cJSON_AddNumberToObject(r, "cycles", (double)m->cpu->cycles);
    cJSON_AddNumberToObject(r, "resets", (double)m->resets);
    char pc[16];
    snprintf(pc, sizeof pc, "0x%08x", stop == CPU_STOP_LOCKUP ? m->cpu->lockup_pc : m->cpu->r[15]);
    cJSON_AddStringToObject(r, "pc", pc);
    cJSON *fw = cJSON_AddArrayToObject(r, "firmware");
    for (unsigned i = 0; i < o->nfirmware; i++) {
        uint8_t d[32];
        char hex[65] = "";
        if (sha256_file(o->firmware[i], d) == 0)
            sha256_hex(d, hex);
        cJSON *f = cJSON_CreateObject();
        const char *base = strrchr(o->firmware[i], '/');
        cJSON_AddStringToObject(f, "file", base ? base + 1 : o->firmware[i]);
        cJSON_AddStringToObject(f, "sha256", hex);
        cJSON_AddItemToArray(fw, f);
    }
    cJSON *h = cJSON_AddObjectToObject(r, "hashes");
    add_hash(h, "uart", &rc->uart_hash);
    if (rc->trace)
        add_hash(h, "trace", &rc->trace_hash);
    cJSON_AddNumberToObject(r, "uart_bytes", (double)rc->uart_bytes);
    cJSON *faults = cJSON_AddObjectToObject(r, "cpu");
    char buf[16];
    snprintf(buf, sizeof buf, "0x%08x", m->cpu->sys.cfsr);
    cJSON_AddStringToObject(faults, "cfsr", buf);
    snprintf(buf, sizeof buf, "0x%08x", m->cpu->sys.hfsr);
    cJSON_AddStringToObject(faults, "hfsr", buf);
    if (rc->net)
        network_report(rc->net, r);
    char *text = cJSON_Print(r);
    cJSON_Delete(r);
    FILE *f = fopen(path, "w");
    if (!f || !text) {
        fprintf(stderr, "glitchbox: cannot write report %s: %s\n", path, strerror(errno));
        free(text);
        if (f)
            fclose(f);
        return -1;
    }
    fputs(text, f);
    fputc('\n', f);
    fclose(f);
    free(text);
    return 0;
}

static endpoint_t *flash_endpoint(machine_t *m)
{
    endpoint_t *fallback = NULL;
    for (unsigned k = 0;; k++) {
        endpoint_t *e = machine_find_endpoint_kind(m, EP_MEMORY, k);
        if (!e)
            return fallback;
        const char *dot = strrchr(e->name, '.');
        if (dot && !strcmp(dot + 1, "flash"))
            return e;
        if (!fallback)
            fallback = e;
    }
}

static int load_flash_file(machine_t *m, const char *path)
{
    endpoint_t *e = flash_endpoint(m);
    if (!e) {
        fprintf(stderr, "glitchbox: --flash: board %s has no non-volatile memory\n",
                m->board_name);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0; /* created at exit */
        fprintf(stderr, "glitchbox: --flash %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(e->mem, 1, e->mem_len, f);
    int extra = fgetc(f);
    fclose(f);
    if (extra != EOF) {
        fprintf(stderr, "glitchbox: --flash %s: file is larger than the %zu-byte %s\n", path,
                e->mem_len, e->name);
        return -1;
    }
    if (n != e->mem_len)
        fprintf(stderr, "glitchbox: --flash %s: %zu of %zu bytes present; the rest keeps its "
                "erased state\n", path, n, e->mem_len);
    bus_notify_write(&m->bus, e->mem_base, (unsigned)e->mem_len);
    return 0;
}

static int save_flash_file(machine_t *m, const char *path)
{
    endpoint_t *e = flash_endpoint(m);
    if (!e)
        return -1;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(e->mem, 1, e->mem_len, f) != e->mem_len || fclose(f)) {
        fprintf(stderr, "glitchbox: cannot save flash to %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (rename(tmp, path)) {
        fprintf(stderr, "glitchbox: cannot save flash to %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* run */

/* A JSON file, or NULL with "line:col: reason" in err. */
static cJSON *read_json_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    while (text) {
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (len < cap)
            break;
        if (cap >= (16u << 20)) {
            snprintf(err, errlen, "file is larger than 16 MiB");
            free(text);
            fclose(f);
            return NULL;
        }
        cap *= 2;
        char *nt = realloc(text, cap + 1);
        if (!nt) {
            free(text);
            text = NULL;
        }
        text = nt;
    }
    fclose(f);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    text[len] = 0;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
    if (!j) {
        unsigned line = 1, col = 1;
        for (const char *p = text; end && p < end; p++) {
            if (*p == '\n')
                line++, col = 1;
            else
                col++;
        }
        snprintf(err, errlen, "%u:%u: not valid JSON", line, col);
    }
    free(text);
    return j;
}

static double wall_seconds(void)
{
    /* Front-end statistics only; never visible to the simulation. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmd_run(int argc, char **argv)
{
    run_opts_t o;
    if (parse_run_args(argc, argv, &o)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    run_ctx_t rc;
    memset(&rc, 0, sizeof rc);
    uart_feed_t feed;
    memset(&feed, 0, sizeof feed);
    network_t net;
    memset(&net, 0, sizeof net);
    cJSON *netcfg = NULL;
    char serve_path[1024];
    rc.quiet = o.quiet;
    rc.stop_on = o.stop_on;
    sha256_init(&rc.uart_hash);
    sha256_init(&rc.trace_hash);
    int status = EXIT_INPUT;

    machine_t *m = machine_new(o.seed);
    if (!m) {
        fprintf(stderr, "glitchbox: out of memory\n");
        return 1;
    }
    rc.m = m;
    m->console = console_out;
    m->console_opaque = &rc;
    if (machine_load_board(m, o.board)) {
        fprintf(stderr, "glitchbox: %s\n", m->error);
        goto out;
    }
    {
        char nerr[512];
        network_opts_t no = o.live;
        no.pcap_path = o.pcap_path;
        no.serve_root = o.serve_root;
        no.serve_network = o.serve_network;
        if (o.network_path) {
            netcfg = read_json_file(o.network_path, nerr, sizeof nerr);
            char dir[512];
            snprintf(dir, sizeof dir, "%s", o.network_path);
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = 0;
            else
                snprintf(dir, sizeof dir, ".");
            if (!netcfg || netconfig_server_opts(netcfg, dir, &no, serve_path, sizeof serve_path,
                                                 nerr, sizeof nerr)) {
                fprintf(stderr, "glitchbox: %s: %s\n", o.network_path, nerr);
                goto out;
            }
        }
        if (network_build(&net, m, &no, nerr, sizeof nerr)) {
            if (o.network_path)
                fprintf(stderr, "glitchbox: %s: %s\n", o.network_path, nerr);
            else
                fprintf(stderr, "glitchbox: %s\n", nerr);
            goto out;
        }
        if (netcfg && netconfig_apply(netcfg, &net, nerr, sizeof nerr)) {
            fprintf(stderr, "glitchbox: %s: %s\n", o.network_path, nerr);
            goto out;
        }
        rc.net = &net;
    }
    if (o.uart_log_path && !(rc.uart_log = fopen(o.uart_log_path, "w"))) {
        fprintf(stderr, "glitchbox: --uart-log %s: %s\n", o.uart_log_path, strerror(errno));
        goto out;
    }
    if (o.trace_path) {
        if (!(rc.trace = fopen(o.trace_path, "w"))) {
            fprintf(stderr, "glitchbox: --trace %s: %s\n", o.trace_path, strerror(errno));
            goto out;
        }
        rc.cs_ok = cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &rc.cs) == CS_ERR_OK;
        m->cpu->trace = trace_insn;
        m->cpu->trace_opaque = &rc;
    }

    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    if (o.flash_path && load_flash_file(m, o.flash_path))
        goto out;
    for (unsigned i = 0; i < o.nfirmware; i++) {
        loader_opts_t lo;
        memset(&lo, 0, sizeof lo);
        lo.format = !o.format ? LOADER_FMT_AUTO
                    : !strcmp(o.format, "elf") ? LOADER_FMT_ELF
                    : !strcmp(o.format, "hex") ? LOADER_FMT_IHEX : LOADER_FMT_BIN;
        lo.bin_base = o.bin_base_set ? o.bin_base : 0;
        loader_image_t img;
        char err[512];
        if (loader_load_file(&m->bus, o.firmware[i], &lo, &img, err, sizeof err)) {
            fprintf(stderr, "glitchbox: %s\n", err);
            goto out;
        }
        loader_image_free(&img);
    }
    if (o.semihosting) {
        semihost_init(&rc.sh, &m->sched, o.sh_root);
        rc.sh.console = console_out;
        rc.sh.console_opaque = &rc;
        rc.sh.on_exit = guest_exit;
        rc.sh.on_exit_opaque = &rc;
        m->cpu->on_bkpt = semihost_bkpt;
        m->cpu->on_bkpt_opaque = &rc.sh;
    }
    cpu_reset(m->cpu);

    if (o.uart_input) {
        const char *eq = strchr(o.uart_input, '=');
        char epname[64];
        if (!eq || (size_t)(eq - o.uart_input) >= sizeof epname) {
            fprintf(stderr, "glitchbox: --uart-input %s: expected UART=FILE\n", o.uart_input);
            status = EXIT_USAGE;
            goto out;
        }
        memcpy(epname, o.uart_input, (size_t)(eq - o.uart_input));
        epname[eq - o.uart_input] = 0;
        feed.ep = machine_find_endpoint(m, epname);
        if (!feed.ep || feed.ep->kind != EP_UART) {
            fprintf(stderr, "glitchbox: --uart-input: the board has no UART '%s'\n", epname);
            status = EXIT_USAGE;
            goto out;
        }
        FILE *fi = fopen(eq + 1, "rb");
        if (!fi) {
            fprintf(stderr, "glitchbox: --uart-input %s: %s\n", eq + 1, strerror(errno));
            goto out;
        }
        size_t cap = 0;
        for (;;) {
            if (feed.len == cap) {
                cap = cap ? 2 * cap : 4096;
                uint8_t *nb = realloc(feed.data, cap);
                if (!nb)
                    break;
                feed.data = nb;
            }
            size_t n = fread(feed.data + feed.len, 1, cap - feed.len, fi);
            if (!n)
                break;
            feed.len += n;
        }
        fclose(fi);
        feed.sched = &m->sched;
        sched_event_init(&feed.ev, "uart-input", uart_feed_tick, &feed);
        sched_after(&m->sched, &feed.ev, 0);
    }

    double w0 = wall_seconds();
    enum cpu_stop stop;
    if (o.gdb) {
        gdb_stub_t gs;
        char gerr[512];
        if (gdb_stub_open(&gs, m, o.gdb, gerr, sizeof gerr)) {
            fprintf(stderr, "glitchbox: %s\n", gerr);
            status = EXIT_USAGE;
            goto out;
        }
        if (!strcmp(o.gdb, "stdio"))
            rc.quiet = true; /* stdout carries the protocol */
        stop = gdb_stub_serve(&gs, o.max_time, o.gdb_wait);
        gdb_stub_close(&gs);
    } else {
        stop = machine_run(m, o.max_time);
    }
    double w1 = wall_seconds();
    int exit_code;
    if (o.semihosting && rc.sh.exited) {
        stop = CPU_STOP_EXIT;
        exit_code = rc.sh.exit_code;
    } else {
        switch (stop) {
        case CPU_STOP_LIMIT: exit_code = EXIT_TIMEOUT; break;
        case CPU_STOP_LOCKUP: exit_code = EXIT_LOCKUP; break;
        case CPU_STOP_SLEEP: exit_code = EXIT_HALTED; break;
        case CPU_STOP_EXIT: exit_code = m->exit_code; break;
        default: exit_code = 1; break;
        }
    }
    if (stop == CPU_STOP_LOCKUP)
        fprintf(stderr, "glitchbox: core locked up at pc 0x%08x (CFSR 0x%08x HFSR 0x%08x)\n",
                m->cpu->lockup_pc, m->cpu->sys.cfsr, m->cpu->sys.hfsr);
    else if (stop == CPU_STOP_LIMIT)
        fprintf(stderr, "glitchbox: stopped at --max-time (%.3f s of virtual time)\n",
                (double)machine_now(m) / 1e9);
    else if (stop == CPU_STOP_SLEEP)
        fprintf(stderr, "glitchbox: the guest sleeps and nothing is scheduled to wake it\n");
    if (getenv("GLITCHBOX_STATS")) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double secs = w1 - w0;
        fprintf(stderr, "glitchbox: %llu instructions, %.6f s virtual, %.3f s wall, %.1f MIPS, "
                "max RSS %ld KiB\n", (unsigned long long)m->cpu->insns,
                (double)machine_now(m) / 1e9, secs,
                secs > 0 ? (double)m->cpu->insns / secs / 1e6 : 0.0, ru.ru_maxrss);
    }
    if (o.flash_path && save_flash_file(m, o.flash_path))
        exit_code = exit_code ? exit_code : 1;
    if (o.report_path && write_report(o.report_path, &rc, &o, stop, exit_code))
        exit_code = exit_code ? exit_code : 1;
    status = exit_code;
out:
    network_free(&net);
    cJSON_Delete(netcfg);
    if (feed.sched)
        sched_cancel(feed.sched, &feed.ev);
    free(feed.data);
    if (rc.uart_log)
        fclose(rc.uart_log);
    if (rc.trace)
        fclose(rc.trace);
    if (rc.cs_ok)
        cs_close(&rc.cs);
    if (o.semihosting && rc.sh.sched)
        semihost_free(&rc.sh);
    machine_free(m);
    return status;
}

static int cmd_models(void)
{
    for (const model_class_t *const *c = model_classes; *c; c++)
        printf("%-16s %s\n", (*c)->type, (*c)->summary ? (*c)->summary : "");
    return 0;
}

/* `glitchbox controls --board B`: the controls and probes a scenario can use. */
static int cmd_controls(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--board")) {
        fprintf(stderr, "usage: glitchbox controls --board NAME|FILE\n");
        return EXIT_USAGE;
    }
    machine_t *m = machine_new(1);
    if (!m)
        return 1;
    if (machine_load_board(m, argv[2])) {
        fprintf(stderr, "glitchbox: %s\n", m->error);
        machine_free(m);
        return EXIT_INPUT;
    }
    network_t net;
    network_opts_t no;
    char nerr[512];
    memset(&no, 0, sizeof no);
    if (network_build(&net, m, &no, nerr, sizeof nerr))
        fprintf(stderr, "glitchbox: %s\n", nerr);
    for (int pass = 0; pass < 2; pass++) {
        enum endpoint_kind kind = pass ? EP_PROBE : EP_CONTROL;
        printf("%s of board %s:\n", pass ? "probes" : "controls", m->board_name);
        endpoint_t *e;
        for (unsigned k = 0; (e = machine_find_endpoint_kind(m, kind, k)); k++)
            printf("  %-32s %s\n", e->name, e->help ? e->help : "");
    }
    network_free(&net);
    machine_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "models"))
        return cmd_models();
    if (!strcmp(cmd, "controls"))
        return cmd_controls(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("glitchbox %s\n", GLITCHBOX_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "glitchbox: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
