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
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <cjson/cJSON.h>
#include "sim/session.h"
#include "sim/scenario.h"
#include "sim/campaign.h"
#include "sim/units.h"


typedef struct run_opts {
    session_config_t c;
    const char *gdb;
    bool gdb_wait;
    const char *network_path;
    const char *scenario;
    const char *out_dir;
    const char *record;
    char record_out[1100];
    bool seed_set, max_time_set;
    /* live mode (models/net/live.h): becomes the network section's "live" */
    bool live;
    const char *live_forward[8];
    unsigned nlive_forward;
    const char *live_record, *live_replay, *tap;
} run_opts_t;

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
            "       glitchbox run --scenario FILE [--seed N] [--out DIR]\n"
            "       glitchbox campaign [--seeds S] [--jobs N] [--shard I/N] [--out DIR] "
            "SCENARIO...\n"
            "       glitchbox replay FILE [--until T | --at-failure] [--gdb PORT]\n"
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
            "  --semihosting-cmdline TEXT  what the guest's SYS_GET_CMDLINE returns (argv)\n"
            "  --quiet               do not copy guest output to stdout\n"
            "  --pcap FILE           capture every network link to FILE (virtual timestamps)\n"
            "  --serve DIR           an update server (DHCP, ICMP, HTTP on 10.0.2.100:80)\n"
            "                        serving DIR joins the board's network\n"
            "  --serve-network NAME  the network it joins (default: the board's first)\n"
            "  --live                NAT the board's network to the host's through libslirp\n"
            "  --live-forward G=H    in live mode, virtual GUEST:PORT reaches host HOST:PORT\n"
            "                        (e.g. 10.0.2.100:80=127.0.0.1:8000); may repeat\n"
            "  --live-record FILE    record every frame entering the simulation in live mode\n"
            "  --live-replay FILE    replay such a record instead of the host network\n"
            "  --tap IFNAME          live mode through a TAP interface (\"\" = a new one)\n"
            "  --network FILE        links, timed link faults, update server and its faults\n"
            "                        (JSON; see models/net/README.md)\n"
            "  --stop-on TEXT        end the run (exit 0) when the guest prints TEXT\n"
            "  --scenario FILE       run a scenario (scenarios/README.md): board, firmware,\n"
            "                        network, fault timeline and expectations; exit 0 when\n"
            "                        they hold; with --seed, --trace, --quiet, --gdb and\n"
            "                        --max-time (stop early there)\n"
            "  --out DIR             (with --scenario) write report.json, uart.log, net.pcap\n"
            "  --record FILE         write a replay file of the run, with every outside input\n"
            "                        (console, debugger fault commands) and its virtual time\n"
            "  --console UART        the terminal types into that UART (e.g. mcu.usart2)\n"
            "  --uart-socket UART=[HOST:]PORT[,wait]  that UART on a TCP socket (telnet, nc):\n"
            "                        what a client sends is typed into it, recorded like the\n"
            "                        console; its output goes to the client; ,wait holds the\n"
            "                        start until a client connects\n"
            "  --uart-input UART=FILE  bytes of FILE arrive on that UART's receive line\n"
            "                        (e.g. mcu.usart2=input.txt), at the line's character rate\n"
            "  --gdb PORT|HOST:PORT|stdio  serve the GDB remote protocol; the target runs and\n"
            "                        halts where it is when GDB connects\n"
            "  --wait                (with --gdb) start halted at the reset vector until GDB\n"
            "                        continues the target (always so with stdio)\n"
            "\n"
            "exit status: the guest's exit code; %d timeout, %d lockup, %d guest halted forever,\n"
            "             %d usage error, %d bad input file\n",
            SESSION_MAX_FIRMWARE, EXIT_TIMEOUT, EXIT_LOCKUP, EXIT_HALTED, EXIT_USAGE, EXIT_INPUT);
}

static int parse_run_args(int argc, char **argv, run_opts_t *o)
{
    enum { O_BOARD = 256, O_FIRMWARE, O_FORMAT, O_BASE, O_MAXTIME, O_SEED, O_TRACE, O_REPORT,
           O_UARTLOG, O_FLASH, O_SHROOT, O_NOSH, O_QUIET, O_HELP, O_GDB, O_WAIT, O_UARTIN, O_PCAP, O_SERVE, O_SERVENET,
           O_NETWORK, O_STOPON, O_SCENARIO, O_OUT, O_RECORD, O_CONSOLE, O_UARTSOCK, O_LIVE, O_LIVEFWD,
           O_LIVEREC, O_LIVEREP, O_TAP, O_SHCMD };
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
        { "semihosting-cmdline", required_argument, NULL, O_SHCMD },
        { "gdb", required_argument, NULL, O_GDB },
        { "wait", no_argument, NULL, O_WAIT },
        { "uart-input", required_argument, NULL, O_UARTIN },
        { "pcap", required_argument, NULL, O_PCAP },
        { "serve", required_argument, NULL, O_SERVE },
        { "serve-network", required_argument, NULL, O_SERVENET },
        { "network", required_argument, NULL, O_NETWORK },
        { "live", no_argument, NULL, O_LIVE },
        { "live-forward", required_argument, NULL, O_LIVEFWD },
        { "live-record", required_argument, NULL, O_LIVEREC },
        { "live-replay", required_argument, NULL, O_LIVEREP },
        { "tap", required_argument, NULL, O_TAP },
        { "stop-on", required_argument, NULL, O_STOPON },
        { "scenario", required_argument, NULL, O_SCENARIO },
        { "out", required_argument, NULL, O_OUT },
        { "record", required_argument, NULL, O_RECORD },
        { "console", required_argument, NULL, O_CONSOLE },
        { "uart-socket", required_argument, NULL, O_UARTSOCK },
        { "quiet", no_argument, NULL, O_QUIET },
        { "help", no_argument, NULL, O_HELP },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    session_config_init(&o->c);
    const char *format = NULL;
    uint32_t bin_base = 0;
    bool bin_base_set = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case O_BOARD: o->c.board = optarg; break;
        case O_FIRMWARE:
            if (o->c.nfirmware >= SESSION_MAX_FIRMWARE) {
                fprintf(stderr, "glitchbox: at most %d --firmware files\n", SESSION_MAX_FIRMWARE);
                return -1;
            }
            o->c.firmware[o->c.nfirmware++].path = optarg;
            break;
        case O_FORMAT:
            if (strcmp(optarg, "elf") && strcmp(optarg, "hex") && strcmp(optarg, "bin")) {
                fprintf(stderr, "glitchbox: --format must be elf, hex or bin, not '%s'\n", optarg);
                return -1;
            }
            format = optarg;
            break;
        case O_BASE:
            if (parse_u64(optarg, &v) || v > 0xFFFFFFFFu) {
                fprintf(stderr, "glitchbox: --base: '%s' is not a 32-bit address\n", optarg);
                return -1;
            }
            bin_base = (uint32_t)v;
            bin_base_set = true;
            break;
        case O_MAXTIME:
            o->max_time_set = true;
            if (parse_time(optarg, &o->c.max_time)) {
                fprintf(stderr, "glitchbox: --max-time: '%s' is not a time (e.g. 10s, 250ms, "
                        "100us)\n", optarg);
                return -1;
            }
            break;
        case O_SEED:
            o->seed_set = true;
            if (parse_u64(optarg, &o->c.seed)) {
                fprintf(stderr, "glitchbox: --seed: '%s' is not an unsigned integer\n", optarg);
                return -1;
            }
            break;
        case O_TRACE: o->c.trace_path = optarg; break;
        case O_REPORT: o->c.report_path = optarg; break;
        case O_UARTLOG: o->c.uart_log_path = optarg; break;
        case O_FLASH: o->c.flash_path = optarg; break;
        case O_SHROOT: o->c.sh_root = optarg; break;
        case O_NOSH: o->c.semihosting = false; break;
        case O_SHCMD:
            if (strlen(optarg) > SEMIHOST_CMDLINE_MAX) {
                fprintf(stderr, "glitchbox: --semihosting-cmdline: %zu bytes, at most %d\n",
                        strlen(optarg), SEMIHOST_CMDLINE_MAX);
                return -1;
            }
            o->c.sh_cmdline = optarg;
            break;
        case O_GDB: o->gdb = optarg; break;
        case O_WAIT: o->gdb_wait = true; break;
        case O_UARTIN: o->c.uart_input = optarg; break;
        case O_PCAP: o->c.pcap_path = optarg; break;
        case O_SERVE: o->c.serve_root = optarg; break;
        case O_SERVENET: o->c.serve_network = optarg; break;
        case O_NETWORK: o->network_path = optarg; break;
        case O_LIVE: o->live = true; break;
        case O_LIVEFWD:
            if (o->nlive_forward == 8) {
                fprintf(stderr, "glitchbox: at most 8 --live-forward rules\n");
                return -1;
            }
            o->live_forward[o->nlive_forward++] = optarg;
            break;
        case O_LIVEREC: o->live_record = optarg; break;
        case O_LIVEREP: o->live_replay = optarg; break;
        case O_TAP: o->tap = optarg; break;
        case O_SCENARIO: o->scenario = optarg; break;
        case O_OUT: o->out_dir = optarg; break;
        case O_RECORD: o->record = optarg; break;
        case O_CONSOLE: o->c.console_uart = optarg; break;
        case O_UARTSOCK: o->c.uart_socket = optarg; break;
        case O_STOPON:
            if (!*optarg || strlen(optarg) > 256) {
                fprintf(stderr, "glitchbox: --stop-on needs a text of 1 to 256 bytes\n");
                return -1;
            }
            o->c.stop_on = optarg;
            break;
        case O_QUIET: o->c.quiet = true; break;
        case O_HELP: usage(stdout); exit(0);
        default: return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "glitchbox: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (o->scenario) {
        if (o->c.board || o->c.nfirmware || o->network_path || o->c.flash_path ||
            o->c.stop_on || o->c.serve_root || o->c.report_path || o->c.uart_log_path ||
            o->c.pcap_path || o->c.uart_input) {
            fprintf(stderr, "glitchbox: with --scenario, the scenario names the board, "
                    "firmware and network; outputs go to --out DIR\n");
            return -1;
        }
        return 0;
    }
    if (o->record) {
        /* A recorded run is described as a scenario, so that a replay can rebuild it. */
        if (o->c.flash_path || o->c.report_path || o->c.uart_log_path || o->c.pcap_path) {
            fprintf(stderr, "glitchbox: with --record, outputs go to --out DIR and the flash "
                    "starts from --firmware images (not --flash)\n");
            return -1;
        }
        if (o->c.sh_cmdline) {
            fprintf(stderr, "glitchbox: --semihosting-cmdline cannot be recorded (a replay "
                    "file has no place for it)\n");
            return -1;
        }
    } else if (o->out_dir) {
        fprintf(stderr, "glitchbox: --out goes with --scenario or --record (use --report, "
                "--uart-log, --pcap)\n");
        return -1;
    }
    if (!o->c.board || (!o->c.nfirmware && !o->c.flash_path)) {
        fprintf(stderr, "glitchbox: run needs --board and --firmware (or a --flash image)\n");
        return -1;
    }
    for (unsigned i = 0; i < o->c.nfirmware; i++) {
        session_firmware_t *f = &o->c.firmware[i];
        f->format = !format ? LOADER_FMT_AUTO
                    : !strcmp(format, "elf") ? LOADER_FMT_ELF
                    : !strcmp(format, "hex") ? LOADER_FMT_IHEX : LOADER_FMT_BIN;
        f->base = bin_base;
        f->base_set = bin_base_set;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* run */

/* The live-mode options become the network section's "live" object
 * (models/net/README.md), so plain and recorded runs see the same thing. */
static void add_live_options(const run_opts_t *o, cJSON **net)
{
    if (!o->live && !o->nlive_forward && !o->live_record && !o->live_replay && !o->tap)
        return;
    if (!*net)
        *net = cJSON_CreateObject();
    cJSON *live = cJSON_GetObjectItemCaseSensitive(*net, "live");
    if (!live)
        live = cJSON_AddObjectToObject(*net, "live");
    char path[PATH_MAX];
    if (o->tap) {
        cJSON_DeleteItemFromObjectCaseSensitive(live, "tap");
        cJSON_AddStringToObject(live, "tap", o->tap);
    }
    if (o->nlive_forward) {
        cJSON *fw = cJSON_GetObjectItemCaseSensitive(live, "forward");
        if (!fw)
            fw = cJSON_AddArrayToObject(live, "forward");
        for (unsigned k = 0; k < o->nlive_forward; k++)
            cJSON_AddItemToArray(fw, cJSON_CreateString(o->live_forward[k]));
    }
    const char *key = o->live_replay ? "replay" : o->live_record ? "record" : NULL;
    if (key) {
        scenario_abs_path(o->live_replay ? o->live_replay : o->live_record, path, sizeof path);
        cJSON_DeleteItemFromObjectCaseSensitive(live, "record");
        cJSON_DeleteItemFromObjectCaseSensitive(live, "replay");
        cJSON_AddStringToObject(live, key, path);
    }
}

/* The scenario that describes a plain run (for --record), with the live
 * options in its network section. */
static cJSON *scenario_of_run(const run_opts_t *o, char *err, size_t errlen)
{
    cJSON *j = scenario_json_of_run(&o->c, o->network_path, err, errlen);
    if (!j)
        return NULL;
    cJSON *net = cJSON_DetachItemFromObjectCaseSensitive(j, "network");
    add_live_options(o, &net);
    if (net)
        cJSON_AddItemToObject(j, "network", net);
    return j;
}

/* A replay file of a live run carries the live record, so that `glitchbox
 * replay` needs no host: network.live "record": FILE becomes "replay": {...}. */
static int embed_live_record(const char *replay_path, const char *record_path)
{
    char err[512] = "";
    cJSON *rep = session_read_json(replay_path, err, sizeof err);
    cJSON *rec = rep ? session_read_json(record_path, err, sizeof err) : NULL;
    cJSON *sc = rep ? cJSON_GetObjectItemCaseSensitive(rep, "scenario") : NULL;
    cJSON *net = sc ? cJSON_GetObjectItemCaseSensitive(sc, "network") : NULL;
    cJSON *live = net ? cJSON_GetObjectItemCaseSensitive(net, "live") : NULL;
    char *text = NULL;
    FILE *f = NULL;
    if (rec && live) {
        cJSON_DeleteItemFromObjectCaseSensitive(live, "record");
        cJSON_AddItemToObject(live, "replay", rec);
        rec = NULL;
        text = cJSON_Print(rep);
        f = text ? fopen(replay_path, "w") : NULL;
    }
    int r = f && fputs(text, f) >= 0 && fputc('\n', f) >= 0 ? 0 : -1;
    if (f)
        r |= fclose(f);
    if (r)
        fprintf(stderr, "glitchbox: cannot put the live record %s into %s%s%s\n", record_path,
                replay_path, err[0] ? ": " : "", err);
    free(text);
    cJSON_Delete(rec);
    cJSON_Delete(rep);
    return r;
}

/* `glitchbox run --scenario FILE`: exit 0 when the scenario's expectations
 * hold (or, for a scenario expected to fail, when it reproduces its failure),
 * 1 when they do not, 65 for a bad scenario. */
static int run_scenario(run_opts_t *o, scenario_t *sc)
{
    char err[1024];
    scenario_run_opts_t ro = { 0 };
    ro.seed = o->c.seed;
    ro.seed_set = o->seed_set;
    ro.out_dir = o->out_dir;
    ro.trace_path = o->c.trace_path;
    ro.until = o->max_time_set ? o->c.max_time : 0;
    ro.gdb = o->gdb;
    ro.quiet = o->c.quiet;
    ro.console_uart = o->c.console_uart;
    ro.uart_socket = o->c.uart_socket;
    ro.uart_input = o->c.uart_input; /* a recorded run: its bytes are recorded inputs */
    ro.record_path = o->record;
    if (o->record && !o->out_dir) {
        /* a replay checks the pcap too, so a recorded run always writes one */
        snprintf(o->record_out, sizeof o->record_out, "%s.out", o->record);
        ro.out_dir = o->record_out;
    }
    scenario_result_t res;
    int status;
    if (scenario_run(sc, &ro, &res, err, sizeof err, &status)) {
        fprintf(stderr, "glitchbox: %s\n", err);
        scenario_free(sc);
        return status;
    }
    const char *v = scenario_verdict(&res);
    const char *verdict = !strcmp(v, "unexpectedly-passed") ? "UNEXPECTEDLY PASSED"
                          : !strcmp(v, "reproduced") ? "reproduced its failure"
                          : !strcmp(v, "not-reproduced") ? "did not reproduce its failure "
                                                           "with this seed"
                          : !strcmp(v, "passed") ? "passed" : "FAILED";
    fprintf(stderr, "scenario %s (seed %llu): %s at %.3f s virtual, %.2f s wall%s%s\n",
            scenario_name(sc), (unsigned long long)(o->seed_set ? o->c.seed
                                                                : scenario_default_seed(sc)),
            verdict, (double)res.virtual_ns / 1e9, res.wall_s, res.passed ? "" : ": ",
            res.passed ? "" : res.reason);
    if (ro.out_dir)
        fprintf(stderr, "scenario %s: report %s/report.json, UART log %s/uart.log, pcap "
                "%s/net.pcap\n", scenario_name(sc), ro.out_dir, ro.out_dir, ro.out_dir);
    if (o->record)
        fprintf(stderr, "scenario %s: replay file %s (glitchbox replay %s)\n",
                scenario_name(sc), o->record, o->record);
    bool ok = scenario_verdict_ok(v);
    scenario_free(sc);
    /* a plain run keeps its own exit code when recorded (the guest's, or
     * timeout/lockup); the verdict above is the recorded scenario's */
    if (o->record && !o->scenario)
        return res.exit_code;
    return ok ? 0 : 1;
}

static int cmd_run(int argc, char **argv)
{
    run_opts_t o;
    if (parse_run_args(argc, argv, &o)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    char err[1024];
    if (o.scenario) {
        scenario_t *sc = scenario_load(o.scenario, err, sizeof err);
        if (!sc) {
            fprintf(stderr, "glitchbox: %s\n", err);
            return EXIT_INPUT;
        }
        return run_scenario(&o, sc);
    }
    if (o.record) {
        cJSON *j = scenario_of_run(&o, err, sizeof err);
        scenario_t *sc = NULL;
        if (j) {
            char where[PATH_MAX + 32];
            scenario_abs_path(o.record, where, sizeof where);
            char *slash = strrchr(where, '/');
            snprintf(slash + 1, sizeof where - (size_t)(slash + 1 - where), "recorded-run.json");
            sc = scenario_from_json(j, where, err, sizeof err);
        }
        if (!sc) {
            fprintf(stderr, "glitchbox: %s\n", err);
            return EXIT_INPUT;
        }
        int st = run_scenario(&o, sc);
        if (o.live_record && !o.live_replay && embed_live_record(o.record, o.live_record))
            st = st ? st : 1;
        return st;
    }
    cJSON *netcfg = NULL;
    char netdir[512];
    if (o.network_path) {
        netcfg = session_read_json(o.network_path, err, sizeof err);
        if (!netcfg) {
            fprintf(stderr, "glitchbox: %s: %s\n", o.network_path, err);
            return EXIT_INPUT;
        }
        snprintf(netdir, sizeof netdir, "%s", o.network_path);
        char *slash = strrchr(netdir, '/');
        if (slash)
            *slash = 0;
        else
            snprintf(netdir, sizeof netdir, ".");
        o.c.network = netcfg;
        o.c.network_dir = netdir;
        o.c.network_origin = o.network_path;
    }
    add_live_options(&o, &netcfg);
    if (netcfg && !o.c.network) {
        o.c.network = netcfg;
        o.c.network_dir = ".";
        o.c.network_origin = "live options";
    }
    int status;
    session_t *s = session_open(&o.c, err, sizeof err, &status);
    if (!s) {
        fprintf(stderr, "glitchbox: %s\n", err);
        cJSON_Delete(netcfg);
        return status;
    }
    status = session_run(s, o.gdb, o.gdb_wait);
    if (status < 0) {
        status = EXIT_USAGE;
    } else {
        session_print_outcome(s);
        if (getenv("GLITCHBOX_STATS")) {
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            double secs = s->wall_seconds;
            fprintf(stderr, "glitchbox: %llu instructions, %.6f s virtual, %.3f s wall, "
                    "%.1f MIPS, max RSS %ld KiB\n", (unsigned long long)s->m->cpu->insns,
                    (double)machine_now(s->m) / 1e9, secs,
                    secs > 0 ? (double)s->m->cpu->insns / secs / 1e6 : 0.0, ru.ru_maxrss);
        }
        status = session_finish(s);
    }
    session_close(s);
    cJSON_Delete(netcfg);
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
    /* the controls of the board's default network (models/net) */
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
    if (!strcmp(cmd, "campaign"))
        return campaign_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay"))
        return replay_main(argc - 1, argv + 1);
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
