/*
 * Scenarios: a board, its firmware, the network, a timeline of faults and the
 * outcomes expected, in one JSON file (scenarios/README.md has the schema).
 *
 * Life cycle: scenario_load() parses and checks the file (every error names
 * the file, the field and the reason); scenario_session_config() fills a
 * session configuration; after session_open(), scenario_arm() draws the
 * timeline's random parameters from the run's seed, arms its events and
 * watches its probes; after session_run(), scenario_evaluate() checks the
 * expectations and adds the scenario's part to the report.
 *
 * Random parameters ({"uniform": [a, b]}) come from one stream per timeline
 * entry ("scenario.timeline.<index>"), so a campaign over seeds sweeps the
 * fault times while each seed stays one exact run, and editing one entry does
 * not move the others.
 *
 * A scenario can be expected to fail ("expect_failure": true): it shows a
 * failure on purpose, for example with a driver workaround built out; it
 * "reproduces" when its expectations fail and is wrong when they hold. An
 * intermittent failure is "expect_failure": "sometimes": its own seed
 * reproduces it, other seeds may not ("not-reproduced", which is no error).
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <cjson/cJSON.h>
#include "session.h"

typedef struct scenario scenario_t;

/* Load a scenario file. NULL with "file: field: reason" in err. */
scenario_t *scenario_load(const char *path, char *err, size_t errlen);
/* From parsed JSON (taken over); 'path' names it in errors and resolves
 * relative file names (its directory). */
scenario_t *scenario_from_json(cJSON *json, const char *path, char *err, size_t errlen);
void scenario_free(scenario_t *sc);

const char *scenario_name(const scenario_t *sc);
const char *scenario_path(const scenario_t *sc);
bool scenario_expects_failure(const scenario_t *sc);
uint64_t scenario_default_seed(const scenario_t *sc);
const cJSON *scenario_json(const scenario_t *sc);

/* Board, firmware, network, time limit and stop text into 'c' (other fields
 * are left as they are). */
void scenario_session_config(scenario_t *sc, session_config_t *c);
/* Arm the timeline on an open session. -1 with the reason (a control, probe,
 * pin, bus or link the board does not have). */
int scenario_arm(scenario_t *sc, session_t *s, char *err, size_t errlen);
/* After the run: evaluate the expectations, print failures to stderr unless
 * quiet; the scenario part goes into the report through the session's report
 * hook. Returns true when every expectation holds. */
bool scenario_evaluate(scenario_t *sc, bool quiet);

/* The faults of a scenario (timeline entries and the timed network faults),
 * as JSON paths such as "timeline[2]" or "network.links.lan.schedule[0]",
 * sorted by the time they happen (entries without a fixed time last). A
 * shrinker removes them one by one. Returns the count; fills at most 'max'. */
typedef struct scenario_fault {
    char path[96];
    sim_time_t at;            /* SIM_TIME_NEVER when not a fixed time */
} scenario_fault_t;
unsigned scenario_faults(const scenario_t *sc, scenario_fault_t *out, unsigned max);
/* A copy of the scenario JSON without the faults in 'drop' (paths). */
cJSON *scenario_json_without(const scenario_t *sc, const char *const *drop, unsigned ndrop);

/* One complete run of a scenario, as `glitchbox run --scenario` does it. */
typedef struct scenario_run_opts {
    uint64_t seed;
    bool seed_set;            /* else the scenario's own seed */
    const char *out_dir;      /* report.json, uart.log, net.pcap go here (NULL: none) */
    const char *trace_path;
    sim_time_t until;         /* stop early (replay --until); 0 = the scenario's limit */
    const char *gdb;          /* serve the GDB stub after 'until' (replay) */
    bool quiet;
    const char *console_uart; /* the host terminal types into this UART */
    const char *uart_socket;  /* "inst.uart=[HOST:]PORT[,wait]": that UART on TCP */
    const char *uart_input;   /* "inst.uart=FILE": bytes for a UART's receive line */
    const cJSON *inputs;      /* replay these recorded outside inputs */
    const char *record_path;  /* write a replay file of this run here */
    /* A front end that runs the machine itself (the UI: machine_run() in
     * slices, paused, stepped): called with the session open and the
     * timeline armed, instead of session_run(). *until is the time limit on
     * entry; it returns how the run ended and, for CPU_STOP_LIMIT, leaves in
     * *until the time it stopped at (its user may end the run early). */
    enum cpu_stop (*drive)(void *opaque, session_t *s, sim_time_t *until);
    void *drive_opaque;
} scenario_run_opts_t;

typedef struct scenario_result {
    bool ran;                 /* false: the scenario could not be built (err says why) */
    bool passed;              /* every expectation held */
    bool expected_failure;
    bool failure_sometimes;   /* expected only on some seeds: a pass is "not-reproduced" */
    int exit_code;            /* of the guest run (124 timeout ...) */
    char outcome[16];
    sim_time_t virtual_ns;
    sim_time_t failed_at;     /* first failed expectation's time, if known */
    double wall_s;
    uint64_t instructions;
    char reason[512];         /* the first failed expectation */
    sim_time_t cut_at;        /* the run was stopped here, before the scenario's own
                                 limit (--max-time, a front end); 0 = it was not */
    char report_sha256[65], uart_sha256[65], pcap_sha256[65], trace_sha256[65];
} scenario_result_t;

/* Returns 0 when the run happened (pass or fail), -1 when it could not be
 * built (err, status = EXIT_INPUT/EXIT_USAGE). */
int scenario_run(scenario_t *sc, const scenario_run_opts_t *o, scenario_result_t *res,
                 char *err, size_t errlen, int *status);

/* 'p' made absolute against the current folder (as given if it already is). */
void scenario_abs_path(const char *p, char *out, size_t outlen);

/* "passed", "failed", "reproduced" (an expected failure happened),
 * "unexpectedly-passed", "not-reproduced" (an intermittent expected failure
 * did not happen on this seed) or "error" (the run could not be built). */
const char *scenario_verdict(const scenario_result_t *r);
/* The verdicts that are as the scenario expects. */
bool scenario_verdict_ok(const char *verdict);

/* A replay file (campaign.h) for a run of 'sc' with 'seed' that gave 'res',
 * with the outside inputs it took ('inputs' may be NULL). A run cut short
 * (res->cut_at) is recorded with that time as its limit, so that its replay
 * ends where it ended. */
int scenario_write_replay(const char *path, const scenario_t *sc, uint64_t seed,
                          const scenario_result_t *res, const cJSON *inputs, char *err,
                          size_t errlen);

/* The scenario that describes a plain run (board, firmware, network file or
 * served folder, seed, time limit, stop text; every path made absolute), so
 * that a run that was not a scenario can be recorded and replayed. Outside
 * input goes into the replay file, not here. NULL with the reason (the
 * network file) in err. */
cJSON *scenario_json_of_run(const session_config_t *c, const char *network_path, char *err,
                            size_t errlen);

#endif
