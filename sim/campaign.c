/* Campaigns (many scenarios x seeds on N processes) and replays; see campaign.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "campaign.h"
#include "units.h"
#include "log.h"

#define MAX_SCENARIOS 256
#define MAX_SEEDS 1000000u

/* ---------------------------------------------------------------------- */
/* small helpers */

static int mkdir_p(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return -1;
    return 0;
}

static int write_text(const char *path, const char *text)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int write_json(const char *path, const cJSON *j)
{
    char *text = cJSON_Print(j);
    if (!text)
        return -1;
    size_t n = strlen(text);
    char *t2 = realloc(text, n + 2);
    if (!t2) {
        free(text);
        return -1;
    }
    t2[n] = '\n';
    t2[n + 1] = 0;
    int rc = write_text(path, t2);
    free(t2);
    return rc;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* ---------------------------------------------------------------------- */
/* replay files */

static void usage_replay(FILE *f)
{
    fprintf(f, "usage: glitchbox replay FILE [--until T | --at-failure] [--gdb PORT|stdio]\n"
               "                        [--out DIR] [--trace FILE] [--quiet]\n"
               "Rebuilds the run a replay file describes and checks that its report, UART\n"
               "output and pcap are identical (exit 0; 1 when they differ). --until T or\n"
               "--at-failure stop the run there; with --gdb the target is then held for a\n"
               "debugger.\n");
}

int replay_main(int argc, char **argv)
{
    enum { O_UNTIL = 256, O_ATFAIL, O_GDB, O_OUT, O_QUIET, O_TRACE, O_HELP };
    static const struct option longopts[] = {
        { "until", required_argument, NULL, O_UNTIL },
        { "at-failure", no_argument, NULL, O_ATFAIL },
        { "gdb", required_argument, NULL, O_GDB },
        { "out", required_argument, NULL, O_OUT },
        { "trace", required_argument, NULL, O_TRACE },
        { "quiet", no_argument, NULL, O_QUIET },
        { "help", no_argument, NULL, O_HELP },
        { 0, 0, 0, 0 },
    };
    scenario_run_opts_t ro = { 0 };
    bool at_failure = false;
    const char *out_dir = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_UNTIL:
            if (units_parse_time(optarg, &ro.until) || !ro.until) {
                fprintf(stderr, "glitchbox: --until: '%s' is not a time\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_ATFAIL: at_failure = true; break;
        case O_GDB: ro.gdb = optarg; break;
        case O_OUT: out_dir = optarg; break;
        case O_TRACE: ro.trace_path = optarg; break;
        case O_QUIET: ro.quiet = true; break;
        case O_HELP: usage_replay(stdout); return 0;
        default: usage_replay(stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || (at_failure && ro.until)) {
        usage_replay(stderr);
        return EXIT_USAGE;
    }
    const char *file = argv[optind];
    char err[1024];
    cJSON *r = session_read_json(file, err, sizeof err);
    if (!r) {
        fprintf(stderr, "glitchbox: %s: %s\n", file, err);
        return EXIT_INPUT;
    }
    const cJSON *scj = cJSON_GetObjectItemCaseSensitive(r, "scenario");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(r, "seed");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(r, "expect");
    const char *sfile = jstr(r, "scenario_file");
    if (jnum(r, "glitchbox_replay") != 1 || !cJSON_IsObject(scj) || !cJSON_IsNumber(seed) ||
        !cJSON_IsObject(exp) || !sfile[0]) {
        fprintf(stderr, "glitchbox: %s: not a replay file (needs glitchbox_replay 1, scenario, "
                "scenario_file, seed, expect)\n", file);
        cJSON_Delete(r);
        return EXIT_INPUT;
    }
    const cJSON *fw;
    int k = 0;
    cJSON_ArrayForEach(fw, cJSON_GetObjectItemCaseSensitive(r, "firmware")) {
        char hex[65];
        session_file_sha256(jstr(fw, "path"), hex);
        if (strcmp(hex, jstr(fw, "sha256"))) {
            fprintf(stderr, "glitchbox: %s: firmware[%d] %s %s since the recording (sha256 %s, "
                    "recorded %s)\n", file, k, jstr(fw, "path"),
                    hex[0] ? "changed" : "is missing", hex[0] ? hex : "-", jstr(fw, "sha256"));
            cJSON_Delete(r);
            return EXIT_INPUT;
        }
        k++;
    }
    scenario_t *sc = scenario_from_json(cJSON_Duplicate(scj, 1), sfile, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "glitchbox: %s: embedded scenario: %s\n", file, err);
        cJSON_Delete(r);
        return EXIT_INPUT;
    }
    if (at_failure) {
        const cJSON *fa = cJSON_GetObjectItemCaseSensitive(exp, "failed_at_ns");
        if (!cJSON_IsNumber(fa)) {
            fprintf(stderr, "glitchbox: %s: the recorded run did not fail\n", file);
            scenario_free(sc);
            cJSON_Delete(r);
            return EXIT_USAGE;
        }
        ro.until = (sim_time_t)fa->valuedouble;
        if (!ro.until)
            ro.until = 1;
    }
    char tmpdir[] = "/tmp/glitchbox-replay-XXXXXX";
    if (!out_dir) {
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "glitchbox: cannot create a temporary folder: %s\n",
                    strerror(errno));
            scenario_free(sc);
            cJSON_Delete(r);
            return 1;
        }
    }
    ro.out_dir = out_dir ? out_dir : tmpdir;
    /* a traced recording is checked against a trace of the replay too */
    const char *want_trace = jstr(exp, "trace_sha256");
    char trace_tmp[600];
    if (want_trace[0] && !ro.trace_path) {
        snprintf(trace_tmp, sizeof trace_tmp, "%s/trace.txt", ro.out_dir);
        ro.trace_path = trace_tmp;
    }
    ro.seed = (uint64_t)seed->valuedouble;
    ro.seed_set = true;
    ro.inputs = cJSON_GetObjectItemCaseSensitive(r, "inputs");
    scenario_result_t res;
    int status;
    int rc = 0;
    if (scenario_run(sc, &ro, &res, err, sizeof err, &status)) {
        fprintf(stderr, "glitchbox: %s\n", err);
        rc = status;
    } else if (ro.until && ro.until < (sim_time_t)jnum(exp, "virtual_time_ns")) {
        fprintf(stderr, "replay: stopped at %.9f s as asked (the recorded run went on to "
                "%.9f s)\n", (double)res.virtual_ns / 1e9, jnum(exp, "virtual_time_ns") / 1e9);
    } else {
        struct { const char *name, *want, *got; } h[] = {
            { "report", jstr(exp, "report_sha256"), res.report_sha256 },
            { "uart", jstr(exp, "uart_sha256"), res.uart_sha256 },
            { "pcap", jstr(exp, "pcap_sha256"), res.pcap_sha256 },
            { "trace", want_trace, want_trace[0] ? res.trace_sha256 : "" },
        };
        for (unsigned i = 0; i < ARRAY_SIZE(h); i++)
            if (strcmp(h[i].want, h[i].got)) {
                fprintf(stderr, "replay: DIFFERS: %s sha256 %s, recorded %s\n", h[i].name,
                        h[i].got, h[i].want);
                rc = 1;
            }
        if (!rc)
            fprintf(stderr, "replay: identical: %s (seed %llu) %s at %.9f s; report %.16s, "
                    "uart %.16s, pcap %.16s%s%.16s\n", scenario_name(sc),
                    (unsigned long long)ro.seed, scenario_verdict(&res),
                    (double)res.virtual_ns / 1e9, res.report_sha256, res.uart_sha256,
                    res.pcap_sha256, want_trace[0] ? ", trace " : "", res.trace_sha256);
    }
    if (!out_dir) {
        const char *names[] = { "report.json", "uart.log", "net.pcap", "trace.txt" };
        for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
            unlink(p);
        }
        rmdir(tmpdir);
    }
    scenario_free(sc);
    cJSON_Delete(r);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* campaign */

typedef struct campaign {
    scenario_t *sc[MAX_SCENARIOS];
    unsigned nsc;
    uint64_t *seeds;
    unsigned nseeds;
    unsigned jobs;
    unsigned shard_i, shard_n;
    char out[512];
    bool shrink;
    bool keep_all;
    bool progress;
    bool quiet;
} campaign_t;

static int parse_seeds(const char *s, uint64_t **out, unsigned *n)
{
    *out = NULL;
    *n = 0;
    char buf[4096];
    if (strlen(s) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", s);
    size_t cap = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        errno = 0;
        unsigned long long a = strtoull(tok, &end, 10), b = a;
        if (errno || end == tok || tok[0] == '-')
            return -1;
        if (*end == '-') {
            char *e2;
            b = strtoull(end + 1, &e2, 10);
            if (errno || e2 == end + 1 || *e2 || b < a)
                return -1;
        } else if (*end) {
            return -1;
        } else if (!strchr(s, ',') && !strchr(s, '-')) {
            /* a bare count N means seeds 1..N */
            if (a == 0)
                return -1;
            b = a;
            a = 1;
        }
        if (b - a >= MAX_SEEDS || *n + (b - a + 1) > MAX_SEEDS)
            return -1;
        for (unsigned long long v = a; v <= b; v++) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 64;
                uint64_t *ns = realloc(*out, cap * sizeof *ns);
                if (!ns)
                    return -1;
                *out = ns;
            }
            (*out)[(*n)++] = v;
        }
    }
    return *n ? 0 : -1;
}

static void run_dir(const campaign_t *cp, const scenario_t *sc, uint64_t seed, char *out,
                    size_t outlen)
{
    snprintf(out, outlen, "%s/runs/%s/seed-%llu", cp->out, scenario_name(sc),
             (unsigned long long)seed);
}

static cJSON *result_json(const scenario_t *sc, uint64_t seed, const scenario_result_t *r,
                          const char *err)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "scenario", scenario_name(sc));
    const char *base = strrchr(scenario_path(sc), '/');
    cJSON_AddStringToObject(j, "file", base ? base + 1 : scenario_path(sc));
    cJSON_AddNumberToObject(j, "seed", (double)seed);
    cJSON_AddStringToObject(j, "verdict", err ? "error" : scenario_verdict(r));
    cJSON_AddStringToObject(j, "outcome", err ? "" : r->outcome);
    cJSON_AddStringToObject(j, "reason", err ? err : r->reason);
    cJSON_AddNumberToObject(j, "virtual_time_ns", (double)r->virtual_ns);
    if (r->failed_at != SIM_TIME_NEVER && !err)
        cJSON_AddNumberToObject(j, "failed_at_ns", (double)r->failed_at);
    cJSON_AddNumberToObject(j, "instructions", (double)r->instructions);
    cJSON_AddStringToObject(j, "report_sha256", r->report_sha256);
    cJSON_AddStringToObject(j, "uart_sha256", r->uart_sha256);
    cJSON_AddStringToObject(j, "pcap_sha256", r->pcap_sha256);
    cJSON_AddNumberToObject(j, "wall_s", round(r->wall_s * 1000) / 1000);
    return j;
}

/* The child side of one run: writes result.json (and replay.json on failure). */
static void child_run(const campaign_t *cp, scenario_t *sc, uint64_t seed, const char *dir)
{
    scenario_run_opts_t ro = { 0 };
    ro.seed = seed;
    ro.seed_set = true;
    ro.out_dir = dir;
    ro.quiet = true;
    log_set_quiet(true);
    scenario_result_t res;
    char err[1024];
    int status;
    char path[1100];
    cJSON *j;
    if (scenario_run(sc, &ro, &res, err, sizeof err, &status)) {
        memset(&res, 0, sizeof res);
        res.failed_at = SIM_TIME_NEVER;
        j = result_json(sc, seed, &res, err);
    } else {
        j = result_json(sc, seed, &res, NULL);
        if (!scenario_verdict_ok(scenario_verdict(&res))) {
            snprintf(path, sizeof path, "%s/replay.json", dir);
            if (!scenario_write_replay(path, sc, seed, &res, NULL, err, sizeof err))
                cJSON_AddStringToObject(j, "replay", path);
        } else if (!cp->keep_all) {
            snprintf(path, sizeof path, "%s/net.pcap", dir);
            unlink(path);
            snprintf(path, sizeof path, "%s/uart.log", dir);
            unlink(path);
        }
    }
    snprintf(path, sizeof path, "%s/result.json", dir);
    int rc = write_json(path, j);
    cJSON_Delete(j);
    _exit(rc ? 3 : 0);
}

typedef struct job {
    unsigned sc;
    uint64_t seed;
    pid_t pid;
    cJSON *result;
} job_t;

static cJSON *collect(const campaign_t *cp, job_t *jb, int wstatus)
{
    char dir[700], path[800];
    run_dir(cp, cp->sc[jb->sc], jb->seed, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/result.json", dir);
    char err[256];
    cJSON *j = NULL;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        j = session_read_json(path, err, sizeof err);
    if (!j) {
        scenario_result_t r;
        memset(&r, 0, sizeof r);
        r.failed_at = SIM_TIME_NEVER;
        char why[160];
        if (WIFSIGNALED(wstatus))
            snprintf(why, sizeof why, "the simulator crashed (signal %d: %s)",
                     WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
        else
            snprintf(why, sizeof why, "the run ended without a result (status %d)",
                     WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
        j = result_json(cp->sc[jb->sc], jb->seed, &r, why);
        cJSON_ReplaceItemInObjectCaseSensitive(j, "verdict", cJSON_CreateString("crashed"));
    }
    return j;
}

static void progress(const campaign_t *cp, unsigned done, unsigned total, unsigned bad,
                     double t0)
{
    if (!cp->progress)
        return;
    double el = session_wall_seconds() - t0;
    double eta = done ? el / done * (total - done) : 0;
    int width = 30, fill = total ? (int)((double)done / total * width) : width;
    fprintf(stderr, "\r[%.*s%*s] %u/%u runs, %u failed, %.0f s, eta %.0f s  ", fill,
            "==============================", width - fill, "", done, total, bad, el, eta);
    if (done == total)
        fputc('\n', stderr);
}

/* Run 'jobs' with at most cp->jobs processes at a time; fills their results. */
static void run_jobs(const campaign_t *cp, job_t *jobs, unsigned n, scenario_t *const *scs,
                     bool show)
{
    unsigned next = 0, running = 0, done = 0, bad = 0;
    double t0 = session_wall_seconds();
    fflush(stdout);
    fflush(stderr);
    while (done < n) {
        while (running < cp->jobs && next < n) {
            job_t *jb = &jobs[next++];
            char dir[700];
            run_dir(cp, cp->sc[jb->sc], jb->seed, dir, sizeof dir);
            mkdir_p(dir);
            pid_t pid = fork();
            if (pid == 0)
                child_run(cp, scs[jb - jobs], jb->seed, dir);
            if (pid < 0) {
                jb->result = NULL;
                jb->pid = -1;
                continue;
            }
            jb->pid = pid;
            running++;
        }
        int ws;
        pid_t pid = wait(&ws);
        if (pid < 0) {
            /* fork failed for the rest: mark them */
            for (unsigned i = 0; i < n; i++)
                if (!jobs[i].result && jobs[i].pid <= 0) {
                    jobs[i].result = collect(cp, &jobs[i], 0x7F00);
                    done++;
                }
            break;
        }
        for (unsigned i = 0; i < n; i++)
            if (jobs[i].pid == pid && !jobs[i].result) {
                jobs[i].result = collect(cp, &jobs[i], ws);
                running--;
                done++;
                if (!scenario_verdict_ok(jstr(jobs[i].result, "verdict")))
                    bad++;
                if (show)
                    progress(cp, done, n, bad, t0);
                break;
            }
    }
}

/* ---- summary, digest, JUnit ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, unsigned n, double p)
{
    if (!n)
        return 0;
    unsigned k = (unsigned)ceil(p * n) - 1;
    if (k >= n)
        k = n - 1;
    return v[k];
}

static int cmp_runs(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    int c = strcmp(jstr(x, "scenario"), jstr(y, "scenario"));
    if (c)
        return c;
    double s = jnum(x, "seed"), t = jnum(y, "seed");
    return s < t ? -1 : s > t;
}

static void xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
    }
}

/* Writes results.json, junit.xml and summary.txt for the sorted 'runs'; prints
 * the summary. Returns the number of runs that are not OK. */
static unsigned report_campaign(const char *out, cJSON *runs_arr, const cJSON *meta,
                                bool print)
{
    unsigned n = (unsigned)cJSON_GetArraySize(runs_arr);
    cJSON **runs = calloc(n ? n : 1, sizeof *runs);
    unsigned k = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, runs_arr) runs[k++] = it;
    qsort(runs, n, sizeof *runs, cmp_runs);

    /* digest over what must be identical whatever the worker count */
    sha256_t h;
    sha256_init(&h);
    for (unsigned i = 0; i < n; i++) {
        char line[512];
        int len = snprintf(line, sizeof line, "%s %.0f %s %s %s %s %.0f\n",
                           jstr(runs[i], "scenario"), jnum(runs[i], "seed"),
                           jstr(runs[i], "verdict"), jstr(runs[i], "report_sha256"),
                           jstr(runs[i], "uart_sha256"), jstr(runs[i], "pcap_sha256"),
                           jnum(runs[i], "virtual_time_ns"));
        sha256_update(&h, line, (size_t)len);
    }
    uint8_t d[32];
    char digest[65];
    sha256_final(&h, d);
    sha256_hex(d, digest);

    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "glitchbox", GLITCHBOX_VERSION);
    if (meta)
        cJSON_AddItemToObject(res, "campaign", cJSON_Duplicate(meta, 1));
    cJSON_AddStringToObject(res, "digest", digest);
    cJSON *sum = cJSON_AddArrayToObject(res, "summary");
    cJSON *arr = cJSON_AddArrayToObject(res, "runs");

    char path[700];
    snprintf(path, sizeof path, "%s/junit.xml", out);
    FILE *jx = fopen(path, "w");
    snprintf(path, sizeof path, "%s/summary.txt", out);
    FILE *st = fopen(path, "w");
    FILE *outs[2] = { st, print ? stdout : NULL };
    if (jx)
        fprintf(jx, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"glitchbox\">\n");
    for (int o = 0; o < 2; o++)
        if (outs[o])
            fprintf(outs[o], "%-28s %5s %5s %5s %5s  %-23s  %-17s\n", "scenario", "runs", "ok",
                    "fail", "xfail", "virtual s p50/p90/max", "wall s p50/p90/max");
    unsigned bad_total = 0;
    for (unsigned i = 0; i < n;) {
        unsigned j = i;
        while (j < n && !strcmp(jstr(runs[j], "scenario"), jstr(runs[i], "scenario")))
            j++;
        unsigned cnt = j - i, ok = 0, xfail = 0, bad = 0;
        double *vt = calloc(cnt, sizeof *vt), *wt = calloc(cnt, sizeof *wt);
        cJSON *reasons = cJSON_CreateObject();
        for (unsigned r = i; r < j; r++) {
            const char *v = jstr(runs[r], "verdict");
            if (!strcmp(v, "passed") || !strcmp(v, "not-reproduced"))
                ok++;
            else if (!strcmp(v, "reproduced"))
                xfail++;
            else {
                bad++;
                const char *why = jstr(runs[r], "reason");
                char key[200];
                snprintf(key, sizeof key, "%s: %.180s", v, why[0] ? why : "-");
                cJSON *c = cJSON_GetObjectItemCaseSensitive(reasons, key);
                if (c)
                    cJSON_SetNumberValue(c, c->valuedouble + 1);
                else
                    cJSON_AddNumberToObject(reasons, key, 1);
            }
            vt[r - i] = jnum(runs[r], "virtual_time_ns") / 1e9;
            wt[r - i] = jnum(runs[r], "wall_s");
            cJSON_AddItemToArray(arr, cJSON_Duplicate(runs[r], 1));
        }
        bad_total += bad;
        qsort(vt, cnt, sizeof *vt, cmp_double);
        qsort(wt, cnt, sizeof *wt, cmp_double);
        const char *name = jstr(runs[i], "scenario");
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "scenario", name);
        cJSON_AddNumberToObject(s, "runs", cnt);
        cJSON_AddNumberToObject(s, "passed", ok);
        cJSON_AddNumberToObject(s, "reproduced", xfail);
        cJSON_AddNumberToObject(s, "failed", bad);
        cJSON *vp = cJSON_AddObjectToObject(s, "virtual_s");
        cJSON_AddNumberToObject(vp, "p50", pct(vt, cnt, 0.5));
        cJSON_AddNumberToObject(vp, "p90", pct(vt, cnt, 0.9));
        cJSON_AddNumberToObject(vp, "max", vt[cnt - 1]);
        cJSON *wp = cJSON_AddObjectToObject(s, "wall_s");
        cJSON_AddNumberToObject(wp, "p50", pct(wt, cnt, 0.5));
        cJSON_AddNumberToObject(wp, "p90", pct(wt, cnt, 0.9));
        cJSON_AddNumberToObject(wp, "max", wt[cnt - 1]);
        cJSON_AddItemToObject(s, "failure_reasons", reasons);
        cJSON_AddItemToArray(sum, s);
        for (int o = 0; o < 2; o++) {
            if (!outs[o])
                continue;
            char vbuf[40], wbuf[40];
            snprintf(vbuf, sizeof vbuf, "%.2f/%.2f/%.2f", pct(vt, cnt, 0.5), pct(vt, cnt, 0.9),
                     vt[cnt - 1]);
            snprintf(wbuf, sizeof wbuf, "%.2f/%.2f/%.2f", pct(wt, cnt, 0.5), pct(wt, cnt, 0.9),
                     wt[cnt - 1]);
            fprintf(outs[o], "%-28s %5u %5u %5u %5u  %-23s  %-17s\n", name, cnt, ok, bad,
                    xfail, vbuf, wbuf);
            const cJSON *rr;
            cJSON_ArrayForEach(rr, reasons)
                fprintf(outs[o], "    %3.0f x %s\n", rr->valuedouble, rr->string);
        }
        if (jx) {
            double total_wall = 0;
            for (unsigned q = 0; q < cnt; q++)
                total_wall += wt[q];
            fprintf(jx, "  <testsuite name=\"");
            xml_escape(jx, name);
            fprintf(jx, "\" tests=\"%u\" failures=\"%u\" time=\"%.3f\">\n", cnt, bad,
                    total_wall);
            for (unsigned r = i; r < j; r++) {
                fprintf(jx, "    <testcase classname=\"glitchbox.");
                xml_escape(jx, name);
                fprintf(jx, "\" name=\"seed %.0f\" time=\"%.3f\"", jnum(runs[r], "seed"),
                        jnum(runs[r], "wall_s"));
                const char *v = jstr(runs[r], "verdict");
                if (scenario_verdict_ok(v)) {
                    fprintf(jx, "/>\n");
                } else {
                    fprintf(jx, ">\n      <failure message=\"");
                    xml_escape(jx, v);
                    fprintf(jx, ": ");
                    xml_escape(jx, jstr(runs[r], "reason"));
                    fprintf(jx, "\">replay: ");
                    xml_escape(jx, jstr(runs[r], "replay"));
                    fprintf(jx, "</failure>\n    </testcase>\n");
                }
            }
            fprintf(jx, "  </testsuite>\n");
        }
        free(vt);
        free(wt);
        i = j;
    }
    if (jx) {
        fprintf(jx, "</testsuites>\n");
        fclose(jx);
    }
    for (int o = 0; o < 2; o++)
        if (outs[o])
            fprintf(outs[o], "%u runs, %u not as expected; digest %s\n", n, bad_total, digest);
    if (st)
        fclose(st);
    snprintf(path, sizeof path, "%s/results.json", out);
    if (write_json(path, res))
        fprintf(stderr, "glitchbox: cannot write %s: %s\n", path, strerror(errno));
    cJSON_Delete(res);
    free(runs);
    return bad_total;
}

/* ---- shrinking ---- */

static bool still_fails(const campaign_t *cp, const scenario_t *orig, uint64_t seed,
                        const char *const *drop, unsigned ndrop, const char *tag,
                        cJSON **json_out)
{
    cJSON *j = scenario_json_without(orig, drop, ndrop);
    char err[512];
    scenario_t *v = scenario_from_json(cJSON_Duplicate(j, 1), scenario_path(orig), err,
                                       sizeof err);
    if (!v) {
        cJSON_Delete(j);
        return false;
    }
    campaign_t sub = *cp;
    snprintf(sub.out, sizeof sub.out, "%s/shrink/%s", cp->out, tag);
    sub.sc[0] = v;
    sub.nsc = 1;
    sub.keep_all = false;
    job_t jb = { 0, seed, 0, NULL };
    scenario_t *scs[1] = { v };
    sub.jobs = 1;
    run_jobs(&sub, &jb, 1, scs, false);
    bool fails = jb.result && !scenario_verdict_ok(jstr(jb.result, "verdict"));
    cJSON_Delete(jb.result);
    scenario_free(v);
    if (fails && json_out)
        *json_out = j;
    else
        cJSON_Delete(j);
    return fails;
}

static void shrink_first_failure(const campaign_t *cp, const cJSON *runs)
{
    const cJSON *r, *first = NULL;
    cJSON_ArrayForEach(r, runs) {
        if (!strcmp(jstr(r, "verdict"), "failed")) {
            first = r;
            break;
        }
    }
    if (!first)
        return;
    const scenario_t *sc = NULL;
    for (unsigned i = 0; i < cp->nsc; i++)
        if (!strcmp(scenario_name(cp->sc[i]), jstr(first, "scenario")))
            sc = cp->sc[i];
    uint64_t seed = (uint64_t)jnum(first, "seed");
    scenario_fault_t faults[64];
    unsigned nf = scenario_faults(sc, faults, ARRAY_SIZE(faults));
    if (nf > ARRAY_SIZE(faults))
        nf = ARRAY_SIZE(faults);
    printf("shrinking %s seed %llu: %u faults\n", scenario_name(sc), (unsigned long long)seed,
           nf);
    if (!nf) {
        printf("  nothing to shrink: it fails without any fault\n");
        return;
    }
    const char *drop[64];
    cJSON *kept = NULL;
    char tag[32];
    /* The earliest single fault that fails on its own. */
    for (unsigned f = 0; f < nf && !kept; f++) {
        unsigned nd = 0;
        for (unsigned g = 0; g < nf; g++)
            if (g != f)
                drop[nd++] = faults[g].path;
        snprintf(tag, sizeof tag, "only-%u", f);
        if (still_fails(cp, sc, seed, drop, nd, tag, &kept))
            printf("  fails with only %s (at %s)\n", faults[f].path,
                   faults[f].at == SIM_TIME_NEVER ? "a trigger" : "its time");
    }
    if (!kept) {
        /* Otherwise drop what is not needed, latest first. */
        unsigned nd = 0;
        for (unsigned f = nf; f-- > 0;) {
            drop[nd] = faults[f].path;
            snprintf(tag, sizeof tag, "drop-%u", f);
            cJSON *j = NULL;
            if (still_fails(cp, sc, seed, drop, nd + 1, tag, &j)) {
                cJSON_Delete(kept);
                kept = j;
                nd++;
                printf("  still fails without %s\n", faults[f].path);
            }
        }
        if (!kept)
            kept = cJSON_Duplicate(scenario_json(sc), 1);
        printf("  %u of %u faults are needed\n", nf - nd, nf);
    }
    char dir[700], path[800];
    snprintf(dir, sizeof dir, "%s/shrunk", cp->out);
    mkdir_p(dir);
    snprintf(path, sizeof path, "%s/%s-seed-%llu.json", dir, scenario_name(sc),
             (unsigned long long)seed);
    cJSON *name = cJSON_GetObjectItemCaseSensitive(kept, "name");
    if (cJSON_IsString(name)) {
        char nn[128];
        snprintf(nn, sizeof nn, "%s-shrunk", name->valuestring);
        cJSON_ReplaceItemInObjectCaseSensitive(kept, "name", cJSON_CreateString(nn));
    }
    /* Keep the shrunk scenario's relative paths valid from its new folder. */
    cJSON_AddStringToObject(kept, "notes", "shrunk from a campaign failure; file paths are "
                            "relative to the original scenario's folder");
    if (!write_json(path, kept))
        printf("  shrunk scenario: %s (run it from %s: its paths are relative to that)\n", path,
               scenario_path(sc));
    cJSON_Delete(kept);
}

static void usage_campaign(FILE *f)
{
    fprintf(f,
            "usage: glitchbox campaign [options] SCENARIO.json...\n"
            "       glitchbox campaign merge --out DIR RESULTS.json...\n"
            "  --seeds S      N (seeds 1..N), A-B, or a list 1,5,9 (default 10)\n"
            "  --jobs N       runs at a time, one process each (default: the CPU count)\n"
            "  --shard I/N    run only the runs whose index modulo N is I (0 <= I < N); merge\n"
            "                 the shards' results.json with `campaign merge`\n"
            "  --out DIR      results, JUnit XML, failed runs and replay files (default\n"
            "                 out/campaign)\n"
            "  --no-shrink    do not shrink the first failure\n"
            "  --keep-all     keep the UART log and pcap of passing runs too\n"
            "  --quiet        no progress bar\n"
            "exit status: 0 when every run went as its scenario expects, 1 otherwise,\n"
            "65 for a bad scenario, 64 for a usage error\n");
}

static int campaign_merge(int argc, char **argv)
{
    const char *out = NULL;
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "--out")) {
        out = argv[i + 1];
        i += 2;
    }
    if (!out || i >= argc) {
        usage_campaign(stderr);
        return EXIT_USAGE;
    }
    if (mkdir_p(out)) {
        fprintf(stderr, "glitchbox: cannot create %s: %s\n", out, strerror(errno));
        return 1;
    }
    cJSON *all = cJSON_CreateArray();
    cJSON *meta = cJSON_CreateObject();
    cJSON *from = cJSON_AddArrayToObject(meta, "merged_from");
    for (; i < argc; i++) {
        char err[512];
        cJSON *r = session_read_json(argv[i], err, sizeof err);
        const cJSON *runs = r ? cJSON_GetObjectItemCaseSensitive(r, "runs") : NULL;
        if (!cJSON_IsArray(runs)) {
            fprintf(stderr, "glitchbox: %s: %s\n", argv[i],
                    r ? "not a campaign results file (no \"runs\")" : err);
            cJSON_Delete(r);
            cJSON_Delete(all);
            cJSON_Delete(meta);
            return EXIT_INPUT;
        }
        const cJSON *run;
        cJSON_ArrayForEach(run, runs) {
            bool dup = false;
            const cJSON *x;
            cJSON_ArrayForEach(x, all)
                dup |= !strcmp(jstr(x, "scenario"), jstr(run, "scenario")) &&
                       jnum(x, "seed") == jnum(run, "seed");
            if (dup) {
                fprintf(stderr, "glitchbox: %s: %s seed %.0f is in two shards\n", argv[i],
                        jstr(run, "scenario"), jnum(run, "seed"));
                cJSON_Delete(r);
                cJSON_Delete(all);
                cJSON_Delete(meta);
                return EXIT_INPUT;
            }
            cJSON_AddItemToArray(all, cJSON_Duplicate(run, 1));
        }
        cJSON_AddItemToArray(from, cJSON_CreateString(argv[i]));
        cJSON_Delete(r);
    }
    unsigned bad = report_campaign(out, all, meta, true);
    cJSON_Delete(all);
    cJSON_Delete(meta);
    return bad ? 1 : 0;
}

int campaign_main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "merge"))
        return campaign_merge(argc - 1, argv + 1);
    enum { O_SEEDS = 256, O_JOBS, O_SHARD, O_OUT, O_NOSHRINK, O_KEEP, O_QUIET, O_HELP };
    static const struct option longopts[] = {
        { "seeds", required_argument, NULL, O_SEEDS },
        { "jobs", required_argument, NULL, O_JOBS },
        { "shard", required_argument, NULL, O_SHARD },
        { "out", required_argument, NULL, O_OUT },
        { "no-shrink", no_argument, NULL, O_NOSHRINK },
        { "keep-all", no_argument, NULL, O_KEEP },
        { "quiet", no_argument, NULL, O_QUIET },
        { "help", no_argument, NULL, O_HELP },
        { 0, 0, 0, 0 },
    };
    campaign_t *cp = calloc(1, sizeof *cp);
    if (!cp)
        return 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cp->jobs = ncpu > 0 ? (unsigned)ncpu : 1;
    cp->shard_n = 1;
    cp->shrink = true;
    snprintf(cp->out, sizeof cp->out, "out/campaign");
    const char *seeds = "10";
    int rc = EXIT_USAGE;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case O_SEEDS: seeds = optarg; break;
        case O_JOBS: {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || !v || v > 1024) {
                fprintf(stderr, "glitchbox: --jobs: '%s' is not a count from 1 to 1024\n",
                        optarg);
                goto out;
            }
            cp->jobs = (unsigned)v;
            break;
        }
        case O_SHARD: {
            unsigned a, b;
            char tail;
            if (sscanf(optarg, "%u/%u%c", &a, &b, &tail) != 2 || !b || a >= b) {
                fprintf(stderr, "glitchbox: --shard: '%s' is not I/N with 0 <= I < N\n",
                        optarg);
                goto out;
            }
            cp->shard_i = a;
            cp->shard_n = b;
            break;
        }
        case O_OUT: snprintf(cp->out, sizeof cp->out, "%s", optarg); break;
        case O_NOSHRINK: cp->shrink = false; break;
        case O_KEEP: cp->keep_all = true; break;
        case O_QUIET: cp->quiet = true; break;
        case O_HELP: usage_campaign(stdout); rc = 0; goto out;
        default: usage_campaign(stderr); goto out;
        }
    }
    if (optind >= argc) {
        usage_campaign(stderr);
        goto out;
    }
    if (parse_seeds(seeds, &cp->seeds, &cp->nseeds)) {
        fprintf(stderr, "glitchbox: --seeds: '%s' is not N, A-B or a list A,B,C (at most %u "
                "seeds)\n", seeds, MAX_SEEDS);
        goto out;
    }
    rc = EXIT_INPUT;
    for (int i = optind; i < argc; i++) {
        if (cp->nsc >= MAX_SCENARIOS) {
            fprintf(stderr, "glitchbox: at most %d scenarios\n", MAX_SCENARIOS);
            goto out;
        }
        char err[1024];
        scenario_t *sc = scenario_load(argv[i], err, sizeof err);
        if (!sc) {
            fprintf(stderr, "glitchbox: %s\n", err);
            goto out;
        }
        for (unsigned k = 0; k < cp->nsc; k++)
            if (!strcmp(scenario_name(cp->sc[k]), scenario_name(sc))) {
                fprintf(stderr, "glitchbox: %s: scenario name '%s' is also used by %s\n",
                        argv[i], scenario_name(sc), scenario_path(cp->sc[k]));
                scenario_free(sc);
                goto out;
            }
        cp->sc[cp->nsc++] = sc;
    }
    if (mkdir_p(cp->out)) {
        fprintf(stderr, "glitchbox: cannot create %s: %s\n", cp->out, strerror(errno));
        rc = 1;
        goto out;
    }
    cp->progress = !cp->quiet && isatty(2);
    {
        unsigned total = cp->nsc * cp->nseeds, n = 0;
        job_t *jobs = calloc(total ? total : 1, sizeof *jobs);
        scenario_t **scs = calloc(total ? total : 1, sizeof *scs);
        for (unsigned s = 0; s < cp->nsc; s++)
            for (unsigned k = 0; k < cp->nseeds; k++) {
                unsigned index = s * cp->nseeds + k;
                if (index % cp->shard_n != cp->shard_i)
                    continue;
                jobs[n].sc = s;
                jobs[n].seed = cp->seeds[k];
                scs[n] = cp->sc[s];
                n++;
            }
        if (!cp->quiet)
            fprintf(stderr, "campaign: %u scenarios x %u seeds%s: %u runs on %u processes\n",
                    cp->nsc, cp->nseeds, cp->shard_n > 1 ? " (this shard)" : "", n, cp->jobs);
        double t0 = session_wall_seconds();
        run_jobs(cp, jobs, n, scs, true);
        double wall = session_wall_seconds() - t0;
        cJSON *runs = cJSON_CreateArray();
        for (unsigned i = 0; i < n; i++)
            cJSON_AddItemToArray(runs, jobs[i].result);
        cJSON *meta = cJSON_CreateObject();
        cJSON *names = cJSON_AddArrayToObject(meta, "scenarios");
        for (unsigned s = 0; s < cp->nsc; s++)
            cJSON_AddItemToArray(names, cJSON_CreateString(scenario_name(cp->sc[s])));
        cJSON_AddStringToObject(meta, "seeds", seeds);
        char shard[32];
        snprintf(shard, sizeof shard, "%u/%u", cp->shard_i, cp->shard_n);
        cJSON_AddStringToObject(meta, "shard", shard);
        unsigned bad = report_campaign(cp->out, runs, meta, true);
        printf("wall time %.1f s on %u processes; results in %s/results.json, JUnit XML in "
               "%s/junit.xml\n", wall, cp->jobs, cp->out, cp->out);
        if (bad && cp->shrink)
            shrink_first_failure(cp, runs);
        cJSON_Delete(meta);
        cJSON_Delete(runs);
        free(jobs);
        free(scs);
        rc = bad ? 1 : 0;
    }
out:
    for (unsigned i = 0; i < cp->nsc; i++)
        scenario_free(cp->sc[i]);
    free(cp->seeds);
    free(cp);
    return rc;
}
