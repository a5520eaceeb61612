/* Scenarios: parsing, the fault timeline, expectations (see scenario.h and
 * scenarios/README.md). */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include "scenario.h"
#include "units.h"
#include "log.h"

#define SC_MAX_ACTIONS 64
#define SC_MAX_FIRMWARE SESSION_MAX_FIRMWARE
#define SC_MAX_TEXTS 32
#define SC_MAX_MATCHES 16
#define SC_MAX_PROBE_EXP 16
#define SC_MAX_WATCHED 16
#define SC_UART_MAX (16u << 20)

enum trigger { TRIG_AT, TRIG_PROBE, TRIG_UART };
enum action_kind { ACT_POWER_CUT, ACT_RESET, ACT_SET, ACT_PULSE, ACT_SPI_ERRORS, ACT_LINK,
                   ACT_UART, ACT_NOTE };
static const char *const action_names[] = {
    [ACT_POWER_CUT] = "power_cut", [ACT_RESET] = "reset", [ACT_SET] = "set",
    [ACT_PULSE] = "pulse", [ACT_SPI_ERRORS] = "spi_errors", [ACT_LINK] = "link",
    [ACT_UART] = "uart", [ACT_NOTE] = "note",
};

/* A number or time that is either fixed or drawn from the entry's stream. */
typedef struct param {
    bool random;
    uint64_t lo, hi;          /* fixed: lo; random: uniform in [lo, hi] */
} param_t;

struct scenario;

typedef struct action {
    struct scenario *sc;
    int index;                /* position in "timeline" */
    enum trigger trig;
    param_t at;               /* TRIG_AT: virtual ns */
    char probe[64];           /* TRIG_PROBE */
    param_t count;            /* TRIG_PROBE: the Nth hit */
    char uart_text[256];      /* TRIG_UART */
    param_t delay;            /* TRIG_UART: after the text appears */
    enum action_kind kind;
    param_t duration;         /* power_cut off, reset/pulse/spi_errors for (0: until the end) */
    char target[64];          /* control, pin/net, bus, link, uart */
    cJSON *value;             /* set: a copy */
    bool level;               /* pulse: the level forced */
    double ber;               /* spi_errors: bit error rate */
    int lines;                /* spi_errors: 1 mosi, 2 miso, 3 both */
    bool up;                  /* link */
    char text[256];           /* uart, note */
    param_t every;            /* repeat: interval (drawn anew for each repeat) */
    uint64_t times;           /* repeat: occurrences in all (1 = no repeat) */
    /* run state */
    uint64_t done;            /* occurrences so far */
    sim_time_t at_ns, duration_ns, delay_ns;
    uint64_t count_n;
    sched_event_t ev, end_ev;
    bool fired;
    size_t uart_scan;         /* TRIG_UART: bytes of output already searched */
    sim_probe_t *probe_p;
    gpio_net_t *net;
    gpio_pin_t pin;
    spi_bus_t *bus;
    rng_t rng;
    size_t uart_sent;
    uint64_t flips;
} action_t;

typedef struct uart_match {
    char pattern[256];
    regex_t re;
    bool compiled;
    bool has_last, has_min, has_max, has_count;
    char last[64];
    double min, max;
    uint64_t count;
} uart_match_t;

typedef struct probe_exp {
    char name[64];
    bool has_min, has_max;
    uint64_t min, max;
} probe_exp_t;

typedef struct watched {
    sim_probe_t *p;
    probe_watch_fn prev;
    void *prev_opaque;
} watched_t;

struct scenario {
    cJSON *json;
    char path[512];
    char dir[512];
    char name[64];
    bool expect_failure;
    bool failure_sometimes;
    uint64_t seed;
    char board[512];
    char flash[512];          /* initial flash image ("" = none) */
    session_firmware_t firmware[SC_MAX_FIRMWARE];
    char fw_paths[SC_MAX_FIRMWARE][512];
    unsigned nfirmware;
    sim_time_t max_time;
    char stop_on[256];
    const cJSON *network;
    action_t actions[SC_MAX_ACTIONS];
    unsigned nactions;
    /* expectations */
    char contains[SC_MAX_TEXTS][256];
    unsigned ncontains;
    char absent[SC_MAX_TEXTS][256];
    unsigned nabsent;
    sim_time_t absent_seen[SC_MAX_TEXTS];
    size_t absent_scan;
    uart_match_t matches[SC_MAX_MATCHES];
    unsigned nmatches;
    probe_exp_t probe_exps[SC_MAX_PROBE_EXP];
    unsigned nprobe_exps;
    bool no_hardfault, no_lockup;
    bool has_finish_within;
    sim_time_t finish_within;
    char outcome[16];
    bool has_exit_code;
    int exit_code;
    /* run state */
    session_t *s;
    char *uart;
    size_t uart_len, uart_cap;
    bool uart_truncated;
    sim_time_t stop_seen_at;
    watched_t watched[SC_MAX_WATCHED];
    unsigned nwatched;
    cJSON *applied;           /* the timeline as it happened */
    cJSON *results;           /* expectation results */
    bool evaluated, passed;
    char reason[512];
    sim_time_t failed_at;
    char error[512];          /* a timeline action that could not be applied */
};

/* ---------------------------------------------------------------------- */
/* parsing helpers: every error is "file: field: reason" */

typedef struct parse_ctx {
    const char *file;
    char *err;
    size_t errlen;
} parse_ctx_t;

static int perr(parse_ctx_t *pc, const char *where, const char *fmt, ...) SIM_PRINTF(3, 4);
static int perr(parse_ctx_t *pc, const char *where, const char *fmt, ...)
{
    char why[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(pc->err, pc->errlen, "%s: %s: %s", pc->file, where, why);
    return -1;
}

static const cJSON *field(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static int check_keys(parse_ctx_t *pc, const cJSON *o, const char *where,
                      const char *const *allowed)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(*a, it->string))
                ok = true;
        if (!ok) {
            char list[384] = "";
            for (const char *const *a = allowed; *a; a++) {
                strncat(list, list[0] ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, *a, sizeof list - strlen(list) - 1);
            }
            return perr(pc, where, "unknown field \"%s\" (expected one of: %s)", it->string,
                        list);
        }
    }
    return 0;
}

static int get_text(parse_ctx_t *pc, const cJSON *o, const char *name, const char *where,
                    char *out, size_t outlen, bool required)
{
    const cJSON *v = field(o, name);
    if (!v) {
        if (required)
            return perr(pc, where, "missing \"%s\"", name);
        return 1;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return perr(pc, where, "\"%s\" must be a non-empty string", name);
    if (strlen(v->valuestring) >= outlen)
        return perr(pc, where, "\"%s\" is longer than %zu bytes", name, outlen - 1);
    snprintf(out, outlen, "%s", v->valuestring);
    return 0;
}

static int time_of(const cJSON *v, sim_time_t *out)
{
    if (cJSON_IsString(v))
        return units_parse_time(v->valuestring, out);
    return -1;
}

/* A time: "1.5s", or {"uniform": ["1s", "3s"]}. */
static int get_time_param(parse_ctx_t *pc, const cJSON *o, const char *name, const char *where,
                          param_t *p, bool required)
{
    const cJSON *v = field(o, name);
    char w[160];
    snprintf(w, sizeof w, "%s.%s", where, name);
    if (!v) {
        if (required)
            return perr(pc, where, "missing \"%s\"", name);
        return 1;
    }
    memset(p, 0, sizeof *p);
    if (cJSON_IsObject(v)) {
        const cJSON *u = field(v, "uniform");
        sim_time_t a, b;
        if (!cJSON_IsArray(u) || cJSON_GetArraySize(u) != 2 || cJSON_GetArraySize(v) != 1 ||
            time_of(cJSON_GetArrayItem(u, 0), &a) || time_of(cJSON_GetArrayItem(u, 1), &b))
            return perr(pc, w, "expected a duration such as \"1.5s\" or {\"uniform\": [\"1s\", "
                        "\"3s\"]}");
        if (b < a)
            return perr(pc, w, "the uniform range ends before it starts");
        p->random = true;
        p->lo = a;
        p->hi = b;
        return 0;
    }
    sim_time_t t;
    if (time_of(v, &t))
        return perr(pc, w, "expected a duration such as \"1.5s\", \"200ms\" or \"50us\"");
    p->lo = p->hi = t;
    return 0;
}

static int count_of(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 1e15 ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    *out = (uint64_t)v->valuedouble;
    return 0;
}

/* A count of 1 or more: 7, or {"uniform": [1, 200]}. */
static int get_count_param(parse_ctx_t *pc, const cJSON *o, const char *name, const char *where,
                           param_t *p)
{
    const cJSON *v = field(o, name);
    char w[160];
    snprintf(w, sizeof w, "%s.%s", where, name);
    memset(p, 0, sizeof *p);
    p->lo = p->hi = 1;
    if (!v)
        return 1;
    if (cJSON_IsObject(v)) {
        const cJSON *u = field(v, "uniform");
        uint64_t a, b;
        if (!cJSON_IsArray(u) || cJSON_GetArraySize(u) != 2 || cJSON_GetArraySize(v) != 1 ||
            count_of(cJSON_GetArrayItem(u, 0), &a) || count_of(cJSON_GetArrayItem(u, 1), &b))
            return perr(pc, w, "expected a whole number of 1 or more, or {\"uniform\": [1, 200]}");
        if (b < a)
            return perr(pc, w, "the uniform range ends before it starts");
        p->random = true;
        p->lo = a;
        p->hi = b;
        return 0;
    }
    uint64_t n;
    if (count_of(v, &n))
        return perr(pc, w, "expected a whole number of 1 or more");
    p->lo = p->hi = n;
    return 0;
}

static uint64_t draw(rng_t *r, const param_t *p)
{
    if (!p->random || p->hi == p->lo)
        return p->lo;
    return p->lo + rng_below(r, p->hi - p->lo + 1);
}

static void resolve_path(const scenario_t *sc, const char *rel, char *out, size_t outlen)
{
    if (rel[0] == '/' || !strcmp(sc->dir, "."))
        snprintf(out, outlen, "%s", rel);
    else
        snprintf(out, outlen, "%s/%s", sc->dir, rel);
}

/* ---------------------------------------------------------------------- */
/* parsing */

static int parse_firmware(scenario_t *sc, parse_ctx_t *pc, const cJSON *fw)
{
    if (!fw)
        return perr(pc, "firmware", "missing (a file, or a list of files; or give \"flash\")");
    const cJSON *list = fw;
    cJSON *tmp = NULL;
    if (cJSON_IsString(fw) || cJSON_IsObject(fw)) {
        tmp = cJSON_CreateArray();
        cJSON_AddItemToArray(tmp, cJSON_Duplicate(fw, 1));
        list = tmp;
    }
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1) {
        cJSON_Delete(tmp);
        return perr(pc, "firmware", "expected a file name, an object or a non-empty list");
    }
    int k = 0, rc = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        char where[32];
        snprintf(where, sizeof where, "firmware[%d]", k);
        if (sc->nfirmware >= SC_MAX_FIRMWARE) {
            rc = perr(pc, where, "at most %d firmware files", SC_MAX_FIRMWARE);
            break;
        }
        session_firmware_t *f = &sc->firmware[sc->nfirmware];
        char file[512];
        memset(f, 0, sizeof *f);
        if (cJSON_IsString(e)) {
            /* "file" or "file@0x08000000" (a raw binary at that address) */
            snprintf(file, sizeof file, "%s", e->valuestring);
            char *at = strrchr(file, '@');
            if (at) {
                char *end;
                *at = 0;
                errno = 0;
                unsigned long long a = strtoull(at + 1, &end, 0);
                if (errno || *end || end == at + 1 || a > 0xFFFFFFFFull) {
                    rc = perr(pc, where, "'%s': the part after '@' is not an address",
                              e->valuestring);
                    break;
                }
                f->format = LOADER_FMT_BIN;
                f->base = (uint32_t)a;
                f->base_set = true;
            }
        } else if (cJSON_IsObject(e)) {
            static const char *const keys[] = { "file", "format", "base", NULL };
            char fmt[8] = "", base[24] = "";
            if (check_keys(pc, e, where, keys) ||
                get_text(pc, e, "file", where, file, sizeof file, true) < 0 ||
                get_text(pc, e, "format", where, fmt, sizeof fmt, false) < 0 ||
                get_text(pc, e, "base", where, base, sizeof base, false) < 0) {
                rc = -1;
                break;
            }
            if (fmt[0]) {
                if (!strcmp(fmt, "elf"))
                    f->format = LOADER_FMT_ELF;
                else if (!strcmp(fmt, "hex"))
                    f->format = LOADER_FMT_IHEX;
                else if (!strcmp(fmt, "bin"))
                    f->format = LOADER_FMT_BIN;
                else {
                    rc = perr(pc, where, "format must be elf, hex or bin, not '%s'", fmt);
                    break;
                }
            }
            if (base[0]) {
                char *end;
                errno = 0;
                unsigned long long a = strtoull(base, &end, 0);
                if (errno || *end || a > 0xFFFFFFFFull) {
                    rc = perr(pc, where, "base '%s' is not an address", base);
                    break;
                }
                f->base = (uint32_t)a;
                f->base_set = true;
            }
        } else {
            rc = perr(pc, where, "expected a file name or {\"file\": ..., \"format\": ..., "
                      "\"base\": ...}");
            break;
        }
        resolve_path(sc, file, sc->fw_paths[sc->nfirmware], sizeof sc->fw_paths[0]);
        f->path = sc->fw_paths[sc->nfirmware];
        struct stat st;
        if (stat(f->path, &st) || !S_ISREG(st.st_mode)) {
            rc = perr(pc, where, "no firmware file %s%s", f->path,
                      strstr(f->path, "build/") ? " (run `make` first)" : "");
            break;
        }
        sc->nfirmware++;
        k++;
    }
    cJSON_Delete(tmp);
    return rc;
}

static int parse_action(scenario_t *sc, parse_ctx_t *pc, const cJSON *e, int idx)
{
    char where[32];
    snprintf(where, sizeof where, "timeline[%d]", idx);
    if (!cJSON_IsObject(e))
        return perr(pc, where, "must be an object");
    if (sc->nactions >= SC_MAX_ACTIONS)
        return perr(pc, where, "at most %d timeline entries", SC_MAX_ACTIONS);
    action_t *a = &sc->actions[sc->nactions];
    memset(a, 0, sizeof *a);
    a->sc = sc;
    a->index = idx;
    char kind[24];
    if (get_text(pc, e, "do", where, kind, sizeof kind, true))
        return -1;
    unsigned k;
    for (k = 0; k < ARRAY_SIZE(action_names); k++)
        if (!strcmp(kind, action_names[k]))
            break;
    if (k == ARRAY_SIZE(action_names))
        return perr(pc, where, "unknown action \"%s\" (expected power_cut, reset, set, pulse, "
                    "spi_errors, link, uart or note)", kind);
    a->kind = (enum action_kind)k;

    /* trigger: exactly one of at / on / on_uart */
    int ntrig = !!field(e, "at") + !!field(e, "on") + !!field(e, "on_uart");
    if (ntrig != 1)
        return perr(pc, where, "needs exactly one trigger: \"at\" (a time), \"on\" (a probe, "
                    "with \"count\") or \"on_uart\" (a text the guest prints)");
    if (field(e, "at")) {
        a->trig = TRIG_AT;
        if (get_time_param(pc, e, "at", where, &a->at, true))
            return -1;
    } else if (field(e, "on")) {
        a->trig = TRIG_PROBE;
        if (get_text(pc, e, "on", where, a->probe, sizeof a->probe, true) ||
            get_count_param(pc, e, "count", where, &a->count) < 0)
            return -1;
    } else {
        a->trig = TRIG_UART;
        if (get_text(pc, e, "on_uart", where, a->uart_text, sizeof a->uart_text, true) ||
            get_time_param(pc, e, "delay", where, &a->delay, false) < 0)
            return -1;
    }
    if (a->trig != TRIG_PROBE && field(e, "count"))
        return perr(pc, where, "\"count\" goes with \"on\" (a probe)");
    if (a->trig != TRIG_UART && field(e, "delay"))
        return perr(pc, where, "\"delay\" goes with \"on_uart\"");
    a->times = 1;
    const cJSON *rep = field(e, "repeat");
    if (rep) {
        static const char *const rk[] = { "every", "times", NULL };
        char rw[48];
        snprintf(rw, sizeof rw, "%s.repeat", where);
        if (!cJSON_IsObject(rep))
            return perr(pc, rw, "expected {\"every\": TIME, \"times\": N}");
        if (check_keys(pc, rep, rw, rk) || get_time_param(pc, rep, "every", rw, &a->every, true))
            return -1;
        param_t t;
        if (get_count_param(pc, rep, "times", rw, &t) || t.random)
            return perr(pc, rw, "\"times\" must be a whole number of 1 or more");
        if (!a->every.hi)
            return perr(pc, rw, "\"every\" must be longer than 0");
        a->times = t.lo;
    }

    static const char *const trig_keys[] = { "do", "at", "on", "count", "on_uart", "delay",
                                             "repeat", "comment" };
    const char *keys[16];
    unsigned nk = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(trig_keys); i++)
        keys[nk++] = trig_keys[i];
    int r;
    switch (a->kind) {
    case ACT_POWER_CUT:
        keys[nk++] = "off";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys))
            return -1;
        r = get_time_param(pc, e, "off", where, &a->duration, false);
        if (r < 0)
            return -1;
        if (r == 1)
            a->duration.lo = a->duration.hi = SIM_MS(100);
        break;
    case ACT_RESET:
        keys[nk++] = "pin";
        keys[nk++] = "for";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys) ||
            get_text(pc, e, "pin", where, a->target, sizeof a->target, false) < 0)
            return -1;
        r = get_time_param(pc, e, "for", where, &a->duration, false);
        if (r < 0)
            return -1;
        if (r == 1)
            a->duration.lo = a->duration.hi = SIM_MS(20);
        a->level = false;
        break;
    case ACT_SET:
        keys[nk++] = "control";
        keys[nk++] = "value";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys) ||
            get_text(pc, e, "control", where, a->target, sizeof a->target, true))
            return -1;
        if (!field(e, "value"))
            return perr(pc, where, "missing \"value\"");
        a->value = cJSON_Duplicate(field(e, "value"), 1);
        break;
    case ACT_PULSE: {
        keys[nk++] = "net";
        keys[nk++] = "pin";
        keys[nk++] = "level";
        keys[nk++] = "for";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys))
            return -1;
        if (!!field(e, "net") == !!field(e, "pin"))
            return perr(pc, where, "needs one of \"net\" (a board net) or \"pin\" "
                        "(\"device.pin\")");
        if (get_text(pc, e, field(e, "net") ? "net" : "pin", where, a->target,
                     sizeof a->target, true))
            return -1;
        if (field(e, "pin"))
            a->lines = 1; /* target is a pin, not a net name */
        const cJSON *lv = field(e, "level");
        a->level = false;
        if (lv) {
            if (cJSON_IsString(lv) && !strcmp(lv->valuestring, "high"))
                a->level = true;
            else if (!cJSON_IsString(lv) || strcmp(lv->valuestring, "low"))
                return perr(pc, where, "\"level\" must be \"low\" or \"high\"");
        }
        r = get_time_param(pc, e, "for", where, &a->duration, false);
        if (r < 0)
            return -1;
        if (r == 1)
            a->duration.lo = a->duration.hi = SIM_US(1);
        break;
    }
    case ACT_SPI_ERRORS: {
        keys[nk++] = "bus";
        keys[nk++] = "ber";
        keys[nk++] = "for";
        keys[nk++] = "line";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys) ||
            get_text(pc, e, "bus", where, a->target, sizeof a->target, true))
            return -1;
        const cJSON *b = field(e, "ber");
        if (!cJSON_IsNumber(b) || b->valuedouble <= 0 || b->valuedouble > 1)
            return perr(pc, where, "\"ber\" (bit error rate) must be a number in (0, 1]");
        a->ber = b->valuedouble;
        char line[8] = "both";
        if (get_text(pc, e, "line", where, line, sizeof line, false) < 0)
            return -1;
        if (!strcmp(line, "mosi"))
            a->lines = 1;
        else if (!strcmp(line, "miso"))
            a->lines = 2;
        else if (!strcmp(line, "both"))
            a->lines = 3;
        else
            return perr(pc, where, "\"line\" must be mosi, miso or both");
        if (get_time_param(pc, e, "for", where, &a->duration, false) < 0)
            return -1;
        break;
    }
    case ACT_LINK: {
        keys[nk++] = "link";
        keys[nk++] = "up";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys) ||
            get_text(pc, e, "link", where, a->target, sizeof a->target, false) < 0)
            return -1;
        const cJSON *up = field(e, "up");
        if (!cJSON_IsBool(up))
            return perr(pc, where, "\"up\" must be true or false");
        a->up = cJSON_IsTrue(up);
        break;
    }
    case ACT_UART:
        keys[nk++] = "uart";
        keys[nk++] = "text";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys) ||
            get_text(pc, e, "uart", where, a->target, sizeof a->target, true) ||
            get_text(pc, e, "text", where, a->text, sizeof a->text, true))
            return -1;
        break;
    case ACT_NOTE:
        keys[nk++] = "text";
        keys[nk] = NULL;
        if (check_keys(pc, e, where, keys) ||
            get_text(pc, e, "text", where, a->text, sizeof a->text, true))
            return -1;
        break;
    }
    sc->nactions++;
    return 0;
}

static int parse_texts(parse_ctx_t *pc, const cJSON *o, const char *name, char out[][256],
                       unsigned *n)
{
    const cJSON *v = field(o, name);
    char where[64];
    snprintf(where, sizeof where, "expect.%s", name);
    if (!v)
        return 0;
    if (cJSON_IsString(v)) {
        if (!v->valuestring[0] || strlen(v->valuestring) >= 256)
            return perr(pc, where, "texts must have 1 to 255 bytes");
        snprintf(out[(*n)++], 256, "%s", v->valuestring);
        return 0;
    }
    if (!cJSON_IsArray(v))
        return perr(pc, where, "expected a text or a list of texts");
    int k = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, v) {
        if (!cJSON_IsString(t) || !t->valuestring[0] || strlen(t->valuestring) >= 256)
            return perr(pc, where, "[%d]: texts must be strings of 1 to 255 bytes", k);
        if (*n >= SC_MAX_TEXTS)
            return perr(pc, where, "at most %d texts", SC_MAX_TEXTS);
        snprintf(out[(*n)++], 256, "%s", t->valuestring);
        k++;
    }
    return 0;
}

static int add_match(scenario_t *sc, parse_ctx_t *pc, const cJSON *m, const char *where)
{
    static const char *const keys[] = { "pattern", "last", "at_least", "at_most", "count",
                                        NULL };
    if (!cJSON_IsObject(m))
        return perr(pc, where, "expected {\"pattern\": ..., \"last\"|\"at_least\"|\"at_most\"|"
                    "\"count\": ...}");
    if (check_keys(pc, m, where, keys))
        return -1;
    if (sc->nmatches >= SC_MAX_MATCHES)
        return perr(pc, where, "at most %d patterns", SC_MAX_MATCHES);
    uart_match_t *u = &sc->matches[sc->nmatches];
    memset(u, 0, sizeof *u);
    if (get_text(pc, m, "pattern", where, u->pattern, sizeof u->pattern, true))
        return -1;
    int rc = regcomp(&u->re, u->pattern, REG_EXTENDED | REG_NEWLINE);
    if (rc) {
        char why[128];
        regerror(rc, &u->re, why, sizeof why);
        return perr(pc, where, "pattern '%s': %s", u->pattern, why);
    }
    u->compiled = true;
    sc->nmatches++;
    const cJSON *v;
    if ((v = field(m, "last"))) {
        if (cJSON_IsNumber(v))
            snprintf(u->last, sizeof u->last, "%.17g", v->valuedouble);
        else if (cJSON_IsString(v) && strlen(v->valuestring) < sizeof u->last)
            snprintf(u->last, sizeof u->last, "%s", v->valuestring);
        else
            return perr(pc, where, "\"last\" must be a text or a number");
        u->has_last = true;
    }
    if ((v = field(m, "at_least"))) {
        if (!cJSON_IsNumber(v))
            return perr(pc, where, "\"at_least\" must be a number");
        u->min = v->valuedouble;
        u->has_min = true;
    }
    if ((v = field(m, "at_most"))) {
        if (!cJSON_IsNumber(v))
            return perr(pc, where, "\"at_most\" must be a number");
        u->max = v->valuedouble;
        u->has_max = true;
    }
    if ((v = field(m, "count"))) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
            v->valuedouble != (double)(uint64_t)v->valuedouble)
            return perr(pc, where, "\"count\" must be a whole number");
        u->count = (uint64_t)v->valuedouble;
        u->has_count = true;
    }
    if (!u->has_last && !u->has_min && !u->has_max && !u->has_count)
        return perr(pc, where, "says nothing to check (give last, at_least, at_most or count)");
    if ((u->has_last || u->has_min || u->has_max) && u->re.re_nsub < 1)
        return perr(pc, where, "pattern '%s' needs a group ( ) for the value to check",
                    u->pattern);
    return 0;
}

static int parse_expect(scenario_t *sc, parse_ctx_t *pc, const cJSON *ex)
{
    sc->no_hardfault = true;
    sc->no_lockup = true;
    if (!ex)
        return 0;
    static const char *const keys[] = { "uart_contains", "uart_absent", "uart_match",
                                        "final_version", "no_hardfault", "no_lockup",
                                        "finish_within", "outcome", "exit_code", "probes",
                                        NULL };
    if (!cJSON_IsObject(ex))
        return perr(pc, "expect", "must be an object");
    if (check_keys(pc, ex, "expect", keys) ||
        parse_texts(pc, ex, "uart_contains", sc->contains, &sc->ncontains) ||
        parse_texts(pc, ex, "uart_absent", sc->absent, &sc->nabsent))
        return -1;
    const cJSON *v;
    if ((v = field(ex, "uart_match"))) {
        if (cJSON_IsObject(v)) {
            if (add_match(sc, pc, v, "expect.uart_match"))
                return -1;
        } else if (cJSON_IsArray(v)) {
            int k = 0;
            const cJSON *m;
            cJSON_ArrayForEach(m, v) {
                char where[48];
                snprintf(where, sizeof where, "expect.uart_match[%d]", k++);
                if (add_match(sc, pc, m, where))
                    return -1;
            }
        } else {
            return perr(pc, "expect.uart_match", "expected an object or a list of objects");
        }
    }
    if ((v = field(ex, "final_version"))) {
        /* The reference firmware's boot line: "app: version N running from slot X". */
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
            v->valuedouble != (double)(uint32_t)v->valuedouble)
            return perr(pc, "expect.final_version", "must be a whole number");
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "pattern", "app: version ([0-9]+) running");
        cJSON_AddNumberToObject(m, "last", v->valuedouble);
        int rc = add_match(sc, pc, m, "expect.final_version");
        cJSON_Delete(m);
        if (rc)
            return -1;
    }
    if ((v = field(ex, "no_hardfault"))) {
        if (!cJSON_IsBool(v))
            return perr(pc, "expect.no_hardfault", "must be true or false");
        sc->no_hardfault = cJSON_IsTrue(v);
    }
    if ((v = field(ex, "no_lockup"))) {
        if (!cJSON_IsBool(v))
            return perr(pc, "expect.no_lockup", "must be true or false");
        sc->no_lockup = cJSON_IsTrue(v);
    }
    if ((v = field(ex, "finish_within"))) {
        if (!sc->stop_on[0])
            return perr(pc, "expect.finish_within", "needs \"stop_on\" (what finishing means)");
        if (time_of(v, &sc->finish_within))
            return perr(pc, "expect.finish_within", "expected a duration such as \"60s\"");
        sc->has_finish_within = true;
    }
    if ((v = field(ex, "outcome"))) {
        static const char *const outcomes[] = { "stop-on", "exit", "timeout", "lockup", "halted",
                                                NULL };
        bool ok = false;
        for (const char *const *o = outcomes; *o && cJSON_IsString(v); o++)
            if (!strcmp(*o, v->valuestring))
                ok = true;
        if (!ok)
            return perr(pc, "expect.outcome", "must be stop-on, exit, timeout, lockup or halted");
        snprintf(sc->outcome, sizeof sc->outcome, "%s", v->valuestring);
    }
    if ((v = field(ex, "exit_code"))) {
        if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble)
            return perr(pc, "expect.exit_code", "must be a whole number");
        sc->exit_code = v->valueint;
        sc->has_exit_code = true;
    }
    if ((v = field(ex, "probes"))) {
        if (!cJSON_IsObject(v))
            return perr(pc, "expect.probes", "expected an object of probe name -> count or "
                        "{\"min\": .., \"max\": ..}");
        const cJSON *p;
        cJSON_ArrayForEach(p, v) {
            char where[96];
            snprintf(where, sizeof where, "expect.probes.%s", p->string);
            if (sc->nprobe_exps >= SC_MAX_PROBE_EXP)
                return perr(pc, where, "at most %d probes", SC_MAX_PROBE_EXP);
            probe_exp_t *pe = &sc->probe_exps[sc->nprobe_exps];
            memset(pe, 0, sizeof *pe);
            if (strlen(p->string) >= sizeof pe->name)
                return perr(pc, where, "name too long");
            snprintf(pe->name, sizeof pe->name, "%s", p->string);
            uint64_t n;
            if (cJSON_IsNumber(p) && (p->valuedouble == 0 || !count_of(p, &n))) {
                pe->min = pe->max = (uint64_t)p->valuedouble;
                pe->has_min = pe->has_max = true;
            } else if (cJSON_IsObject(p)) {
                static const char *const pk[] = { "min", "max", NULL };
                if (check_keys(pc, p, where, pk))
                    return -1;
                const cJSON *mn = field(p, "min"), *mx = field(p, "max");
                if ((mn && (!cJSON_IsNumber(mn) || mn->valuedouble < 0)) ||
                    (mx && (!cJSON_IsNumber(mx) || mx->valuedouble < 0)) || (!mn && !mx))
                    return perr(pc, where, "min and max must be whole numbers of 0 or more");
                if (mn) {
                    pe->min = (uint64_t)mn->valuedouble;
                    pe->has_min = true;
                }
                if (mx) {
                    pe->max = (uint64_t)mx->valuedouble;
                    pe->has_max = true;
                }
            } else {
                return perr(pc, where, "expected a count or {\"min\": .., \"max\": ..}");
            }
            sc->nprobe_exps++;
        }
    }
    return 0;
}

scenario_t *scenario_from_json(cJSON *json, const char *path, char *err, size_t errlen)
{
    scenario_t *sc = calloc(1, sizeof *sc);
    if (!sc) {
        cJSON_Delete(json);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sc->json = json;
    snprintf(sc->path, sizeof sc->path, "%s", path);
    snprintf(sc->dir, sizeof sc->dir, "%s", path);
    char *slash = strrchr(sc->dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(sc->dir, sizeof sc->dir, ".");
    parse_ctx_t pc = { path, err, errlen };
    static const char *const keys[] = { "name", "description", "labels", "board", "flash",
                                        "firmware", "seed", "max_time", "stop_on", "network",
                                        "timeline", "expect", "expect_failure", "notes", NULL };
    if (!cJSON_IsObject(json)) {
        snprintf(err, errlen, "%s: a scenario is a JSON object", path);
        goto fail;
    }
    if (check_keys(&pc, json, "scenario", keys) ||
        get_text(&pc, json, "name", "scenario", sc->name, sizeof sc->name, true))
        goto fail;
    for (const char *p = sc->name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.')) {
            perr(&pc, "name", "'%s' is not a simple name (letters, digits, '-', '_', '.')",
                 sc->name);
            goto fail;
        }
    char board[256];
    if (get_text(&pc, json, "board", "scenario", board, sizeof board, true))
        goto fail;
    if (strchr(board, '/') || strstr(board, ".json"))
        resolve_path(sc, board, sc->board, sizeof sc->board);
    else
        snprintf(sc->board, sizeof sc->board, "%s", board);
    char flash[512];
    int fr = get_text(&pc, json, "flash", "scenario", flash, sizeof flash, false);
    if (fr < 0)
        goto fail;
    if (fr == 0) {
        resolve_path(sc, flash, sc->flash, sizeof sc->flash);
        struct stat fst;
        if (stat(sc->flash, &fst) || !S_ISREG(fst.st_mode)) {
            perr(&pc, "flash", "no flash image %s", sc->flash);
            goto fail;
        }
    }
    if (fr == 0 && !field(json, "firmware")) {
        sc->nfirmware = 0; /* the flash image holds the firmware */
    } else if (parse_firmware(sc, &pc, field(json, "firmware"))) {
        goto fail;
    }
    const cJSON *v;
    sc->seed = 1;
    if ((v = field(json, "seed")) && (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
                                      v->valuedouble != (double)(uint64_t)v->valuedouble)) {
        perr(&pc, "seed", "must be a whole number of 0 or more");
        goto fail;
    } else if (v) {
        sc->seed = (uint64_t)v->valuedouble;
    }
    sc->max_time = SIM_S(60);
    if ((v = field(json, "max_time")) && time_of(v, &sc->max_time)) {
        perr(&pc, "max_time", "expected a duration such as \"120s\"");
        goto fail;
    }
    if (get_text(&pc, json, "stop_on", "scenario", sc->stop_on, sizeof sc->stop_on, false) < 0)
        goto fail;
    if ((v = field(json, "labels"))) {
        const cJSON *l;
        bool ok = cJSON_IsArray(v);
        cJSON_ArrayForEach(l, v) ok = ok && cJSON_IsString(l);
        if (!ok) {
            perr(&pc, "labels", "must be a list of texts");
            goto fail;
        }
    }
    if ((v = field(json, "expect_failure"))) {
        if (cJSON_IsString(v) && !strcmp(v->valuestring, "sometimes")) {
            sc->expect_failure = sc->failure_sometimes = true;
        } else if (cJSON_IsBool(v)) {
            sc->expect_failure = cJSON_IsTrue(v);
        } else {
            perr(&pc, "expect_failure", "must be true, false or \"sometimes\"");
            goto fail;
        }
    }
    sc->network = field(json, "network");
    if (sc->network && !cJSON_IsObject(sc->network)) {
        perr(&pc, "network", "must be an object (see models/net/netconfig.h)");
        goto fail;
    }
    if ((v = field(json, "timeline"))) {
        if (!cJSON_IsArray(v)) {
            perr(&pc, "timeline", "must be a list of actions");
            goto fail;
        }
        int k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            if (parse_action(sc, &pc, e, k++))
                goto fail;
        }
    }
    if (parse_expect(sc, &pc, field(json, "expect")))
        goto fail;
    return sc;
fail:
    scenario_free(sc);
    return NULL;
}

scenario_t *scenario_load(const char *path, char *err, size_t errlen)
{
    char why[400];
    cJSON *j = session_read_json(path, why, sizeof why);
    if (!j) {
        snprintf(err, errlen, "%s: %s", path, why);
        return NULL;
    }
    return scenario_from_json(j, path, err, errlen);
}

void scenario_free(scenario_t *sc)
{
    if (!sc)
        return;
    for (unsigned i = 0; i < sc->nactions; i++)
        cJSON_Delete(sc->actions[i].value);
    for (unsigned i = 0; i < sc->nmatches; i++)
        if (sc->matches[i].compiled)
            regfree(&sc->matches[i].re);
    cJSON_Delete(sc->json);
    cJSON_Delete(sc->applied);
    cJSON_Delete(sc->results);
    free(sc->uart);
    free(sc);
}

const char *scenario_name(const scenario_t *sc) { return sc->name; }
const char *scenario_path(const scenario_t *sc) { return sc->path; }
bool scenario_expects_failure(const scenario_t *sc) { return sc->expect_failure; }
uint64_t scenario_default_seed(const scenario_t *sc) { return sc->seed; }
const cJSON *scenario_json(const scenario_t *sc) { return sc->json; }

void scenario_session_config(scenario_t *sc, session_config_t *c)
{
    c->board = sc->board;
    c->flash_image = sc->flash[0] ? sc->flash : NULL;
    for (unsigned i = 0; i < sc->nfirmware; i++)
        c->firmware[i] = sc->firmware[i];
    c->nfirmware = sc->nfirmware;
    c->max_time = sc->max_time;
    c->stop_on = sc->stop_on[0] ? sc->stop_on : NULL;
    c->network = sc->network;
    c->network_dir = sc->dir;
    c->network_origin = sc->path;
}

/* ---------------------------------------------------------------------- */
/* the timeline at run time */

static void log_applied(action_t *a, const char *fmt, ...) SIM_PRINTF(2, 3);
static void log_applied(action_t *a, const char *fmt, ...)
{
    scenario_t *sc = a->sc;
    char detail[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "timeline", a->index);
    cJSON_AddNumberToObject(e, "at_ns", (double)machine_now(sc->s->m));
    cJSON_AddStringToObject(e, "do", action_names[a->kind]);
    cJSON_AddStringToObject(e, "detail", detail);
    cJSON_AddItemToArray(sc->applied, e);
    log_msg(LOG_INFO, "scenario", "timeline[%d] %s: %s", a->index, action_names[a->kind],
            detail);
}

static void scenario_fail_now(scenario_t *sc, const char *fmt, ...) SIM_PRINTF(2, 3);
static void scenario_fail_now(scenario_t *sc, const char *fmt, ...)
{
    if (sc->error[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sc->error, sizeof sc->error, fmt, ap);
    va_end(ap);
    sc->s->m->exit_requested = true;
    sc->s->m->exit_code = 1;
}

static uint16_t spi_flip(void *opaque, bool miso, uint16_t value, unsigned bits)
{
    action_t *a = opaque;
    if (!(a->lines & (miso ? 2 : 1)))
        return value;
    return spi_flip_bits(&a->rng, a->ber, value, bits, &a->flips);
}

static void uart_push(void *opaque)
{
    action_t *a = opaque;
    endpoint_t *e = machine_find_endpoint(a->sc->s->m, a->target);
    size_t len = strlen(a->text);
    a->uart_sent += e->uart_rx(e->uart_dev, (const uint8_t *)a->text + a->uart_sent,
                               len - a->uart_sent);
    if (a->uart_sent < len)
        sched_after(&a->sc->s->m->sched, &a->end_ev, SIM_MS(1));
}

static void action_end(void *opaque)
{
    action_t *a = opaque;
    switch (a->kind) {
    case ACT_RESET:
    case ACT_PULSE:
        gpio_pin_drive(&a->pin, GPIO_RELEASED);
        log_applied(a, "%s released", a->target);
        break;
    case ACT_SPI_ERRORS:
        if (a->bus->fault == spi_flip && a->bus->fault_opaque == a) {
            a->bus->fault = NULL;
            a->bus->fault_opaque = NULL;
        }
        log_applied(a, "bit errors on %s end (%llu bits flipped)", a->target,
                    (unsigned long long)a->flips);
        break;
    case ACT_UART:
        uart_push(a);
        break;
    default:
        break;
    }
}

static void action_fire(void *opaque)
{
    action_t *a = opaque;
    scenario_t *sc = a->sc;
    machine_t *m = sc->s->m;
    if (a->fired)
        return;
    a->fired = true;
    if (++a->done < a->times) {
        /* the next occurrence; durations of this one must end before it starts */
        a->fired = false;
        sched_after(&m->sched, &a->ev, draw(&a->rng, &a->every));
    }
    char err[256];
    switch (a->kind) {
    case ACT_POWER_CUT:
        log_applied(a, "power off for %.6f s", (double)a->duration_ns / 1e9);
        machine_power_cut(m, a->duration_ns);
        break;
    case ACT_RESET:
    case ACT_PULSE:
        gpio_pin_drive(&a->pin, a->level ? GPIO_FORCE_HIGH : GPIO_FORCE_LOW);
        log_applied(a, "%s driven %s for %.9f s", a->target, a->level ? "high" : "low",
                    (double)a->duration_ns / 1e9);
        sched_after(&m->sched, &a->end_ev, a->duration_ns);
        break;
    case ACT_SET: {
        char *v = cJSON_PrintUnformatted(a->value);
        if (machine_set_control(m, a->target, a->value, err, sizeof err))
            scenario_fail_now(sc, "timeline[%d]: %s = %s: %s", a->index, a->target,
                              v ? v : "?", err);
        else
            log_applied(a, "%s = %s", a->target, v ? v : "?");
        free(v);
        break;
    }
    case ACT_SPI_ERRORS:
        a->bus->fault = spi_flip;
        a->bus->fault_opaque = a;
        log_applied(a, "bit errors on %s (%s), rate %g", a->target,
                    a->lines == 3 ? "mosi and miso" : a->lines == 2 ? "miso" : "mosi", a->ber);
        if (a->duration_ns)
            sched_after(&m->sched, &a->end_ev, a->duration_ns);
        break;
    case ACT_LINK: {
        net_link_t *l = a->target[0] ? network_find(&sc->s->net, a->target)
                                     : sc->s->net.nlinks ? sc->s->net.links[0] : NULL;
        net_link_params_t p = l->p;
        p.up = a->up;
        net_link_set_params(l, &p);
        log_applied(a, "link %s %s", l->name, a->up ? "up" : "down");
        break;
    }
    case ACT_UART:
        log_applied(a, "%zu bytes to %s", strlen(a->text), a->target);
        a->uart_sent = 0;
        uart_push(a);
        break;
    case ACT_NOTE:
        log_applied(a, "%s", a->text);
        break;
    }
}

static void probe_watcher(void *opaque, sim_probe_t *p)
{
    scenario_t *sc = opaque;
    for (unsigned i = 0; i < sc->nactions; i++) {
        action_t *a = &sc->actions[i];
        /* Act after the instruction or event that hit the probe (the model must
         * not be re-entered): at once in virtual time, while the operation
         * that was just started is still in progress. */
        if (a->probe_p == p && !a->fired && p->hits == a->count_n && !sched_is_armed(&a->ev))
            sched_after(&sc->s->m->sched, &a->ev, 0);
    }
    for (unsigned i = 0; i < sc->nwatched; i++)
        if (sc->watched[i].p == p && sc->watched[i].prev)
            sc->watched[i].prev(sc->watched[i].prev_opaque, p);
}

static void uart_capture(scenario_t *sc, const uint8_t *buf, size_t len)
{
    if (sc->uart_len + len > SC_UART_MAX) {
        sc->uart_truncated = true;
        return;
    }
    if (sc->uart_len + len + 1 > sc->uart_cap) {
        size_t cap = sc->uart_cap ? sc->uart_cap : 65536;
        while (cap < sc->uart_len + len + 1)
            cap *= 2;
        char *nb = realloc(sc->uart, cap);
        if (!nb) {
            sc->uart_truncated = true;
            return;
        }
        sc->uart = nb;
        sc->uart_cap = cap;
    }
    for (size_t k = 0; k < len; k++)
        sc->uart[sc->uart_len++] = buf[k] ? (char)buf[k] : ' ';
    sc->uart[sc->uart_len] = 0;
}

/* Search for 'text' in the captured output from *scan on; advances *scan. */
static bool uart_find_from(scenario_t *sc, const char *text, size_t *scan)
{
    size_t tl = strlen(text);
    size_t from = *scan >= tl ? *scan - tl + 1 : 0;
    *scan = sc->uart_len;
    return sc->uart_len >= from && memmem(sc->uart + from, sc->uart_len - from, text, tl);
}

static void console_hook(void *opaque, const uint8_t *buf, size_t len)
{
    scenario_t *sc = opaque;
    uart_capture(sc, buf, len);
    sim_time_t now = machine_now(sc->s->m);
    for (unsigned i = 0; i < sc->nactions; i++) {
        action_t *a = &sc->actions[i];
        if (a->trig == TRIG_UART && !a->fired && !sched_is_armed(&a->ev) &&
            uart_find_from(sc, a->uart_text, &a->uart_scan))
            sched_after(&sc->s->m->sched, &a->ev, a->delay_ns);
    }
    size_t scan0 = sc->absent_scan;
    for (unsigned i = 0; i < sc->nabsent; i++) {
        size_t scan = scan0;
        if (sc->absent_seen[i] == SIM_TIME_NEVER && uart_find_from(sc, sc->absent[i], &scan))
            sc->absent_seen[i] = now;
    }
    sc->absent_scan = sc->uart_len;
    if (sc->stop_on[0] && sc->stop_seen_at == SIM_TIME_NEVER && sc->s->stop_matched)
        sc->stop_seen_at = now;
}

static void report_hook(void *opaque, cJSON *r);

int scenario_arm(scenario_t *sc, session_t *s, char *err, size_t errlen)
{
    machine_t *m = s->m;
    sc->s = s;
    cJSON_Delete(sc->applied);
    cJSON_Delete(sc->results);
    sc->applied = cJSON_CreateArray();
    sc->results = NULL;
    sc->uart_len = 0;
    sc->uart_truncated = false;
    sc->absent_scan = 0;
    sc->stop_seen_at = SIM_TIME_NEVER;
    sc->nwatched = 0;
    sc->evaluated = false;
    sc->error[0] = 0;
    sc->reason[0] = 0;
    sc->failed_at = SIM_TIME_NEVER;
    for (unsigned i = 0; i < sc->nabsent; i++)
        sc->absent_seen[i] = SIM_TIME_NEVER;
    s->console_hook = console_hook;
    s->console_hook_opaque = sc;
    s->report_hook = report_hook;
    s->report_hook_opaque = sc;
    for (unsigned i = 0; i < sc->nprobe_exps; i++)
        if (!machine_find_probe(m, sc->probe_exps[i].name)) {
            snprintf(err, errlen, "%s: expect.probes: the board has no probe '%s' (`glitchbox "
                     "controls --board %s` lists them)", sc->path, sc->probe_exps[i].name,
                     m->board_name);
            return -1;
        }
    for (unsigned i = 0; i < sc->nactions; i++) {
        action_t *a = &sc->actions[i];
        char stream[48];
        snprintf(stream, sizeof stream, "scenario.timeline.%d", a->index);
        rng_t r;
        machine_rng(m, stream, &r);
        a->at_ns = draw(&r, &a->at);
        a->count_n = draw(&r, &a->count);
        a->delay_ns = draw(&r, &a->delay);
        a->duration_ns = draw(&r, &a->duration);
        a->rng = r;
        a->fired = false;
        a->done = 0;
        a->uart_scan = 0;
        a->uart_sent = 0;
        a->flips = 0;
        sched_event_init(&a->ev, "scenario.action", action_fire, a);
        sched_event_init(&a->end_ev, "scenario.action_end", action_end, a);
        char where[32];
        snprintf(where, sizeof where, "timeline[%d]", a->index);
        switch (a->kind) {
        case ACT_RESET:
            if (!a->target[0]) {
                endpoint_t *e;
                for (unsigned k = 0; (e = machine_find_endpoint_kind(m, EP_GPIO, k)); k++) {
                    const char *dot = strrchr(e->name, '.');
                    if (dot && !strcmp(dot + 1, "nrst")) {
                        snprintf(a->target, sizeof a->target, "%s", e->name);
                        break;
                    }
                }
                if (!a->target[0]) {
                    snprintf(err, errlen, "%s: %s: the board has no reset pin (name one with "
                             "\"pin\")", sc->path, where);
                    return -1;
                }
            }
            /* fall through */
        case ACT_PULSE:
            a->net = a->kind == ACT_PULSE && !a->lines ? machine_find_net(m, a->target)
                     : machine_pin_net(m, a->target, GPIO_PULL_UP);
            if (!a->net) {
                snprintf(err, errlen, "%s: %s: the board has no %s '%s'", sc->path, where,
                         a->kind == ACT_PULSE && !a->lines ? "net" : "pin", a->target);
                return -1;
            }
            gpio_pin_init(&a->pin, "scenario");
            if (!gpio_net_attach(a->net, &a->pin)) {
                snprintf(err, errlen, "%s: %s: net '%s' has no room for another driver",
                         sc->path, where, a->target);
                return -1;
            }
            break;
        case ACT_SET:
            if (!machine_find_endpoint(m, a->target) ||
                machine_find_endpoint(m, a->target)->kind != EP_CONTROL) {
                snprintf(err, errlen, "%s: %s: the board has no control '%s' (`glitchbox "
                         "controls --board %s` lists them)", sc->path, where, a->target,
                         m->board_name);
                return -1;
            }
            break;
        case ACT_SPI_ERRORS: {
            endpoint_t *e = machine_find_endpoint(m, a->target);
            if (!e || e->kind != EP_SPI_BUS) {
                snprintf(err, errlen, "%s: %s: the board has no SPI bus '%s'", sc->path, where,
                         a->target);
                return -1;
            }
            a->bus = e->spi_bus;
            break;
        }
        case ACT_LINK:
            if (a->target[0] ? !network_find(&s->net, a->target) : !s->net.nlinks) {
                snprintf(err, errlen, "%s: %s: the board has no network '%s'", sc->path, where,
                         a->target);
                return -1;
            }
            break;
        case ACT_UART: {
            endpoint_t *e = machine_find_endpoint(m, a->target);
            if (!e || e->kind != EP_UART) {
                snprintf(err, errlen, "%s: %s: the board has no UART '%s'", sc->path, where,
                         a->target);
                return -1;
            }
            break;
        }
        default:
            break;
        }
        if (a->trig == TRIG_AT) {
            sched_at(&m->sched, &a->ev, a->at_ns);
        } else if (a->trig == TRIG_PROBE) {
            a->probe_p = machine_find_probe(m, a->probe);
            if (!a->probe_p) {
                snprintf(err, errlen, "%s: %s.on: the board has no probe '%s' (`glitchbox "
                         "controls --board %s` lists them)", sc->path, where, a->probe,
                         m->board_name);
                return -1;
            }
            bool seen = false;
            for (unsigned k = 0; k < sc->nwatched; k++)
                seen |= sc->watched[k].p == a->probe_p;
            if (!seen) {
                if (sc->nwatched >= SC_MAX_WATCHED) {
                    snprintf(err, errlen, "%s: %s: at most %d different probes", sc->path,
                             where, SC_MAX_WATCHED);
                    return -1;
                }
                watched_t *w = &sc->watched[sc->nwatched++];
                w->p = a->probe_p;
                w->prev = a->probe_p->watch;
                w->prev_opaque = a->probe_p->watch_opaque;
                a->probe_p->watch = probe_watcher;
                a->probe_p->watch_opaque = sc;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* expectations */

static void result(scenario_t *sc, bool ok, sim_time_t at, const char *what, const char *fmt,
                   ...) SIM_PRINTF(5, 6);
static void result(scenario_t *sc, bool ok, sim_time_t at, const char *what, const char *fmt,
                   ...)
{
    char detail[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "expect", what);
    cJSON_AddBoolToObject(e, "ok", ok);
    cJSON_AddStringToObject(e, "detail", detail);
    cJSON_AddItemToArray(sc->results, e);
    if (!ok && sc->passed) {
        sc->passed = false;
        snprintf(sc->reason, sizeof sc->reason, "%s: %s", what, detail);
        sc->failed_at = at;
    }
}

static void check_match(scenario_t *sc, uart_match_t *u, sim_time_t end)
{
    uint64_t count = 0;
    double hi = 0;
    char last[64] = "";
    bool have = false;
    const char *p = sc->uart ? sc->uart : "";
    regmatch_t mt[2];
    int flags = 0;
    while (*p && !regexec(&u->re, p, 2, mt, flags)) {
        count++;
        if (u->re.re_nsub >= 1 && mt[1].rm_so >= 0) {
            size_t n = (size_t)(mt[1].rm_eo - mt[1].rm_so);
            if (n >= sizeof last)
                n = sizeof last - 1;
            memcpy(last, p + mt[1].rm_so, n);
            last[n] = 0;
            double v = strtod(last, NULL);
            if (!have || v > hi)
                hi = v;
            have = true;
        }
        p += mt[0].rm_eo > mt[0].rm_so ? mt[0].rm_eo : mt[0].rm_so + 1;
        flags = REG_NOTBOL;
        if (p > sc->uart && p[-1] == '\n')
            flags = 0;
    }
    char what[300];
    snprintf(what, sizeof what, "uart_match '%s'", u->pattern);
    if (u->has_count)
        result(sc, count == u->count, end, what, "%llu matches (expected %llu)",
               (unsigned long long)count, (unsigned long long)u->count);
    if (u->has_last) {
        bool ok = have;
        if (ok) {
            char *e1, *e2;
            double a = strtod(last, &e1), b = strtod(u->last, &e2);
            ok = (!*e1 && !*e2) ? a == b : !strcmp(last, u->last);
        }
        result(sc, ok, end, what, have ? "last value '%s' (expected '%s')"
                                       : "%snever printed (expected a last value '%s')",
               have ? last : "", u->last);
    }
    /* at_least: some value reached it; at_most: no value went past it */
    if (u->has_min)
        result(sc, have && hi >= u->min, end, what, have ? "largest value %g (expected at least "
                                                         "%g)" : "never printed (%g; expected "
                                                         "at least %g)", hi, u->min);
    if (u->has_max)
        result(sc, !have || hi <= u->max, end, what, "largest value %g (expected at most %g)",
               hi, u->max);
}

bool scenario_evaluate(scenario_t *sc, bool quiet)
{
    session_t *s = sc->s;
    machine_t *m = s->m;
    sim_time_t end = machine_now(m);
    cJSON_Delete(sc->results);
    sc->results = cJSON_CreateArray();
    sc->passed = true;
    sc->reason[0] = 0;
    sc->failed_at = SIM_TIME_NEVER;
    if (sc->error[0])
        result(sc, false, end, "timeline", "%s", sc->error);
    if (sc->uart_truncated)
        result(sc, false, end, "uart", "more than %u bytes of output: expectations cannot be "
               "checked", SC_UART_MAX);
    if (sc->stop_on[0]) {
        bool ok = s->stop_matched;
        result(sc, ok, end, "stop_on", ok ? "'%s' printed at %.6f s"
                                          : "'%s' never printed (run ended at %.6f s, %s)",
               sc->stop_on, (double)(ok ? sc->stop_seen_at : end) / 1e9,
               session_stop_name(s->stop));
        if (ok && sc->has_finish_within)
            result(sc, sc->stop_seen_at <= sc->finish_within, sc->stop_seen_at,
                   "finish_within", "finished at %.6f s (limit %.6f s)",
                   (double)sc->stop_seen_at / 1e9, (double)sc->finish_within / 1e9);
    }
    for (unsigned i = 0; i < sc->ncontains; i++) {
        size_t scan = 0;
        bool ok = uart_find_from(sc, sc->contains[i], &scan);
        result(sc, ok, end, "uart_contains", ok ? "'%s' printed" : "'%s' never printed",
               sc->contains[i]);
    }
    for (unsigned i = 0; i < sc->nabsent; i++) {
        bool ok = sc->absent_seen[i] == SIM_TIME_NEVER;
        result(sc, ok, ok ? end : sc->absent_seen[i], "uart_absent",
               ok ? "'%s' never printed" : "'%s' printed at %.6f s", sc->absent[i],
               (double)sc->absent_seen[i] / 1e9);
    }
    for (unsigned i = 0; i < sc->nmatches; i++)
        check_match(sc, &sc->matches[i], end);
    if (sc->no_hardfault) {
        uint64_t hf = m->cpu->exc_taken[EXC_HARDFAULT];
        result(sc, hf == 0, end, "no_hardfault", "%llu HardFault exceptions taken",
               (unsigned long long)hf);
    }
    if (sc->no_lockup) {
        if (s->stop == CPU_STOP_LOCKUP)
            result(sc, false, end, "no_lockup", "the core locked up at 0x%08x",
                   m->cpu->lockup_pc);
        else
            result(sc, true, end, "no_lockup", "no lockup");
    }
    const char *outcome = s->stop_matched ? "stop-on" : session_stop_name(s->stop);
    if (sc->outcome[0])
        result(sc, !strcmp(outcome, sc->outcome), end, "outcome", "%s (expected %s)", outcome,
               sc->outcome);
    if (sc->has_exit_code)
        result(sc, s->exit_code == sc->exit_code, end, "exit_code", "%d (expected %d)",
               s->exit_code, sc->exit_code);
    for (unsigned i = 0; i < sc->nprobe_exps; i++) {
        probe_exp_t *pe = &sc->probe_exps[i];
        sim_probe_t *p = machine_find_probe(m, pe->name);
        uint64_t h = p ? p->hits : 0;
        bool ok = (!pe->has_min || h >= pe->min) && (!pe->has_max || h <= pe->max);
        char what[96];
        snprintf(what, sizeof what, "probes.%s", pe->name);
        result(sc, ok, end, what, "%llu hits (expected %s%llu%s%s%llu)", (unsigned long long)h,
               pe->has_min ? "at least " : "", (unsigned long long)pe->min,
               pe->has_min && pe->has_max ? ", " : "", pe->has_max ? "at most " : "",
               (unsigned long long)pe->max);
    }
    sc->evaluated = true;
    if (!quiet) {
        cJSON *e;
        cJSON_ArrayForEach(e, sc->results) {
            if (!cJSON_IsTrue(field(e, "ok")))
                fprintf(stderr, "scenario %s: FAILED %s: %s\n", sc->name,
                        field(e, "expect")->valuestring, field(e, "detail")->valuestring);
        }
    }
    return sc->passed;
}

/* The reference firmware's progress line, "update: state=... version=...", as
 * fields, so reports and tools see where an update got to. */
static void add_update_state(scenario_t *sc, cJSON *r)
{
    if (!sc->uart)
        return;
    const char *last = NULL;
    for (const char *p = sc->uart; (p = strstr(p, "update: ")); p++)
        if (p == sc->uart || p[-1] == '\n')
            last = p;
    if (!last)
        return;
    cJSON *u = cJSON_AddObjectToObject(r, "update");
    const char *eol = strchr(last, '\n');
    size_t n = eol ? (size_t)(eol - last) : strlen(last);
    char line[512];
    if (n >= sizeof line)
        n = sizeof line - 1;
    memcpy(line, last, n);
    line[n] = 0;
    while (n && line[n - 1] == '\r')
        line[--n] = 0;
    cJSON_AddStringToObject(u, "line", line);
    char *save = NULL;
    for (char *tok = strtok_r(line + 8, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (eq && eq != tok) {
            *eq = 0;
            if (!field(u, tok))
                cJSON_AddStringToObject(u, tok, eq + 1);
        }
    }
}

static void report_hook(void *opaque, cJSON *r)
{
    scenario_t *sc = opaque;
    machine_t *m = sc->s->m;
    cJSON *x = cJSON_AddObjectToObject(r, "exceptions");
    static const char *const names[] = { [EXC_HARDFAULT] = "hardfault",
                                         [EXC_MEMMANAGE] = "memmanage",
                                         [EXC_BUSFAULT] = "busfault",
                                         [EXC_USAGEFAULT] = "usagefault" };
    for (int k = EXC_HARDFAULT; k <= EXC_USAGEFAULT; k++)
        cJSON_AddNumberToObject(x, names[k], (double)m->cpu->exc_taken[k]);
    add_update_state(sc, r);
    cJSON *o = cJSON_AddObjectToObject(r, "scenario");
    cJSON_AddStringToObject(o, "name", sc->name);
    const char *base = strrchr(sc->path, '/');
    cJSON_AddStringToObject(o, "file", base ? base + 1 : sc->path);
    if (sc->evaluated) {
        cJSON_AddBoolToObject(o, "passed", sc->passed);
        if (sc->failure_sometimes)
            cJSON_AddStringToObject(o, "expect_failure", "sometimes");
        else
            cJSON_AddBoolToObject(o, "expect_failure", sc->expect_failure);
        scenario_result_t rr = { .ran = true, .passed = sc->passed,
                                 .expected_failure = sc->expect_failure,
                                 .failure_sometimes = sc->failure_sometimes };
        cJSON_AddStringToObject(o, "verdict", scenario_verdict(&rr));
        if (!sc->passed) {
            cJSON_AddStringToObject(o, "reason", sc->reason);
            cJSON_AddNumberToObject(o, "failed_at_ns", (double)sc->failed_at);
        }
        cJSON_AddItemReferenceToObject(o, "expectations", sc->results);
    }
    cJSON_AddItemReferenceToObject(o, "timeline", sc->applied);
}

/* ---------------------------------------------------------------------- */
/* faults, for shrinking */

static sim_time_t entry_time(const cJSON *e)
{
    sim_time_t t;
    const cJSON *at = field(e, "at");
    if (!at)
        at = field(e, "from");
    if (at && !time_of(at, &t))
        return t;
    if (cJSON_IsObject(at)) {
        const cJSON *u = field(at, "uniform");
        if (cJSON_IsArray(u) && !time_of(cJSON_GetArrayItem(u, 0), &t))
            return t;
    }
    return SIM_TIME_NEVER;
}

/* Arrays of the network section whose items are faults (timed changes of a
 * cable, server faults, traffic hosts); see models/net/README.md. */
static bool is_fault_array(const char *name)
{
    return !strcmp(name, "schedule") || !strcmp(name, "faults") || !strcmp(name, "hosts");
}

static void collect_network_faults(const cJSON *o, const char *prefix, scenario_fault_t *out,
                                   unsigned max, unsigned *n)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o) {
        char path[96];
        snprintf(path, sizeof path, "%s.%s", prefix, it->string);
        if (cJSON_IsArray(it) && is_fault_array(it->string)) {
            for (int k = 0; k < cJSON_GetArraySize(it); k++) {
                if (*n < max) {
                    snprintf(out[*n].path, sizeof out[*n].path, "%s[%d]", path, k);
                    out[*n].at = entry_time(cJSON_GetArrayItem(it, k));
                }
                (*n)++;
            }
        } else if (cJSON_IsObject(it)) {
            collect_network_faults(it, path, out, max, n);
        }
    }
}

static int fault_cmp(const void *a, const void *b)
{
    const scenario_fault_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return strcmp(x->path, y->path);
}

unsigned scenario_faults(const scenario_t *sc, scenario_fault_t *out, unsigned max)
{
    unsigned n = 0;
    const cJSON *tl = field(sc->json, "timeline");
    for (int k = 0; k < cJSON_GetArraySize(tl); k++) {
        const cJSON *e = cJSON_GetArrayItem(tl, k);
        const cJSON *d = field(e, "do");
        if (cJSON_IsString(d) && !strcmp(d->valuestring, "note"))
            continue;
        if (n < max) {
            snprintf(out[n].path, sizeof out[n].path, "timeline[%d]", k);
            out[n].at = entry_time(e);
        }
        n++;
    }
    if (sc->network)
        collect_network_faults(sc->network, "network", out, max, &n);
    qsort(out, n < max ? n : max, sizeof *out, fault_cmp);
    return n;
}

/* Find "a.b[3].c" in root: the item and its parent. */
static cJSON *find_path(cJSON *root, const char *path, cJSON **parent)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *cur = root, *par = NULL;
    char *save = NULL;
    for (char *seg = strtok_r(buf, ".", &save); seg && cur; seg = strtok_r(NULL, ".", &save)) {
        char *br = strchr(seg, '[');
        int idx = -1;
        if (br) {
            *br = 0;
            idx = atoi(br + 1);
        }
        par = cur;
        cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
        if (cur && idx >= 0) {
            par = cur;
            cur = cJSON_GetArrayItem(cur, idx);
        }
    }
    *parent = par;
    return cur;
}

cJSON *scenario_json_without(const scenario_t *sc, const char *const *drop, unsigned ndrop)
{
    cJSON *copy = cJSON_Duplicate(sc->json, 1);
    if (!copy)
        return NULL;
    cJSON **items = calloc(ndrop ? ndrop : 1, sizeof *items);
    cJSON **parents = calloc(ndrop ? ndrop : 1, sizeof *parents);
    for (unsigned i = 0; items && parents && i < ndrop; i++)
        items[i] = find_path(copy, drop[i], &parents[i]);
    for (unsigned i = 0; items && parents && i < ndrop; i++)
        if (items[i] && parents[i])
            cJSON_Delete(cJSON_DetachItemViaPointer(parents[i], items[i]));
    free(items);
    free(parents);
    return copy;
}

/* ---------------------------------------------------------------------- */
/* replay files */

const char *scenario_verdict(const scenario_result_t *r)
{
    if (!r->ran)
        return "error";
    if (r->expected_failure)
        return !r->passed ? "reproduced"
               : r->failure_sometimes ? "not-reproduced" : "unexpectedly-passed";
    return r->passed ? "passed" : "failed";
}

bool scenario_verdict_ok(const char *v)
{
    return !strcmp(v, "passed") || !strcmp(v, "reproduced") || !strcmp(v, "not-reproduced");
}

void scenario_abs_path(const char *p, char *out, size_t outlen)
{
    char cwd[PATH_MAX];
    if (p[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(out, outlen, "%s", p);
    else
        snprintf(out, outlen, "%s/%s", cwd, p);
}

cJSON *scenario_json_of_run(const session_config_t *c, const char *network_path, char *err,
                            size_t errlen)
{
    char path[PATH_MAX + 16];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", "recorded-run");
    cJSON_AddStringToObject(j, "description", "a run recorded with glitchbox run --record");
    if (strchr(c->board, '/') || strstr(c->board, ".json"))
        scenario_abs_path(c->board, path, sizeof path);
    else
        snprintf(path, sizeof path, "%s", c->board);
    cJSON_AddStringToObject(j, "board", path);
    cJSON *fw = cJSON_AddArrayToObject(j, "firmware");
    static const char *const fmts[] = { [LOADER_FMT_ELF] = "elf", [LOADER_FMT_IHEX] = "hex",
                                        [LOADER_FMT_BIN] = "bin" };
    for (unsigned i = 0; i < c->nfirmware; i++) {
        const session_firmware_t *f = &c->firmware[i];
        cJSON *e = cJSON_CreateObject();
        scenario_abs_path(f->path, path, sizeof path);
        cJSON_AddStringToObject(e, "file", path);
        if (f->format != LOADER_FMT_AUTO)
            cJSON_AddStringToObject(e, "format", fmts[f->format]);
        if (f->base_set) {
            char b[16];
            snprintf(b, sizeof b, "0x%08x", f->base);
            cJSON_AddStringToObject(e, "base", b);
        }
        cJSON_AddItemToArray(fw, e);
    }
    cJSON_AddNumberToObject(j, "seed", (double)c->seed);
    char t[32];
    snprintf(t, sizeof t, "%lluns", (unsigned long long)c->max_time);
    cJSON_AddStringToObject(j, "max_time", t);
    if (c->stop_on)
        cJSON_AddStringToObject(j, "stop_on", c->stop_on);
    cJSON *net = NULL;
    if (network_path) {
        net = session_read_json(network_path, err, errlen);
        if (!net) {
            cJSON_Delete(j);
            return NULL;
        }
        /* its relative server folder is relative to the network file */
        cJSON *srv = cJSON_GetObjectItemCaseSensitive(net, "server");
        cJSON *root = srv ? cJSON_GetObjectItemCaseSensitive(srv, "root") : NULL;
        if (cJSON_IsString(root) && root->valuestring[0] != '/') {
            char base[PATH_MAX];
            scenario_abs_path(network_path, base, sizeof base);
            char *slash = strrchr(base, '/');
            *slash = 0;
            snprintf(path, sizeof path, "%s/%s", base, root->valuestring);
            cJSON_SetValuestring(root, path);
        }
    }
    if (c->serve_root) {
        if (!net)
            net = cJSON_CreateObject();
        cJSON *srv = cJSON_CreateObject();
        scenario_abs_path(c->serve_root, path, sizeof path);
        cJSON_AddStringToObject(srv, "root", path);
        if (c->serve_network)
            cJSON_AddStringToObject(srv, "network", c->serve_network);
        cJSON_DeleteItemFromObjectCaseSensitive(net, "server");
        cJSON_AddItemToObject(net, "server", srv);
    }
    if (net)
        cJSON_AddItemToObject(j, "network", net);
    return j;
}

int scenario_write_replay(const char *path, const scenario_t *sc, uint64_t seed,
                          const scenario_result_t *res, const cJSON *inputs, char *err,
                          size_t errlen)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "glitchbox_replay", 1);
    cJSON_AddStringToObject(r, "glitchbox", GLITCHBOX_VERSION);
    char ap[PATH_MAX + 64];
    scenario_abs_path(scenario_path(sc), ap, sizeof ap);
    cJSON_AddStringToObject(r, "scenario_file", ap);
    cJSON_AddNumberToObject(r, "seed", (double)seed);
    cJSON *scj = cJSON_Duplicate(scenario_json(sc), 1);
    if (res->cut_at) {
        char t[32];
        snprintf(t, sizeof t, "%lluns", (unsigned long long)res->cut_at);
        cJSON_DeleteItemFromObjectCaseSensitive(scj, "max_time");
        cJSON_AddStringToObject(scj, "max_time", t);
    }
    cJSON_AddItemToObject(r, "scenario", scj);
    /* the firmware files as they were, so a replay can tell when they changed */
    session_config_t c;
    session_config_init(&c);
    scenario_session_config((scenario_t *)sc, &c);
    cJSON *fw = cJSON_AddArrayToObject(r, "firmware");
    for (unsigned i = 0; i <= c.nfirmware; i++) {
        /* the firmware files, then the initial flash image if there is one */
        const char *file = i < c.nfirmware ? c.firmware[i].path : c.flash_image;
        if (!file)
            break;
        cJSON *f = cJSON_CreateObject();
        char hex[65];
        session_file_sha256(file, hex);
        scenario_abs_path(file, ap, sizeof ap);
        cJSON_AddStringToObject(f, "path", ap);
        cJSON_AddStringToObject(f, "sha256", hex);
        cJSON_AddItemToArray(fw, f);
    }
    cJSON *e = cJSON_AddObjectToObject(r, "expect");
    cJSON_AddStringToObject(e, "verdict", scenario_verdict(res));
    cJSON_AddStringToObject(e, "outcome", res->outcome);
    cJSON_AddNumberToObject(e, "virtual_time_ns", (double)res->virtual_ns);
    if (res->reason[0])
        cJSON_AddStringToObject(e, "reason", res->reason);
    if (res->failed_at != SIM_TIME_NEVER)
        cJSON_AddNumberToObject(e, "failed_at_ns", (double)res->failed_at);
    cJSON_AddStringToObject(e, "report_sha256", res->report_sha256);
    cJSON_AddStringToObject(e, "uart_sha256", res->uart_sha256);
    cJSON_AddStringToObject(e, "pcap_sha256", res->pcap_sha256);
    if (res->trace_sha256[0])
        cJSON_AddStringToObject(e, "trace_sha256", res->trace_sha256);
    cJSON_AddItemToObject(r, "inputs", inputs ? cJSON_Duplicate(inputs, 1) : cJSON_CreateArray());
    char *text = cJSON_Print(r);
    FILE *f = text ? fopen(path, "w") : NULL;
    int rc = !f || fputs(text, f) < 0 || fputc('\n', f) < 0;
    if (f)
        rc |= fclose(f) != 0;
    free(text);
    cJSON_Delete(r);
    if (rc)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return rc;
}

/* ---------------------------------------------------------------------- */
/* one run */

int scenario_run(scenario_t *sc, const scenario_run_opts_t *o, scenario_result_t *res,
                 char *err, size_t errlen, int *status)
{
    memset(res, 0, sizeof *res);
    res->failed_at = SIM_TIME_NEVER;
    session_config_t c;
    session_config_init(&c);
    scenario_session_config(sc, &c);
    c.seed = o->seed_set ? o->seed : sc->seed;
    c.quiet = o->quiet;
    c.trace_path = o->trace_path;
    char report[1024], uart[1024], pcap[1024];
    if (o->out_dir) {
        mkdir(o->out_dir, 0777);
        snprintf(report, sizeof report, "%s/report.json", o->out_dir);
        snprintf(uart, sizeof uart, "%s/uart.log", o->out_dir);
        snprintf(pcap, sizeof pcap, "%s/net.pcap", o->out_dir);
        c.report_path = report;
        c.uart_log_path = uart;
        c.pcap_path = pcap;
    }
    c.console_uart = o->console_uart;
    c.uart_socket = o->uart_socket;
    c.uart_input = o->uart_input;
    c.inputs = o->inputs;
    c.record_inputs = o->record_path != NULL;
    sim_time_t limit = c.max_time;
    if (o->until && o->until < limit)
        c.max_time = o->until;
    session_t *s = session_open(&c, err, errlen, status);
    if (!s)
        return -1;
    if (scenario_arm(sc, s, err, errlen)) {
        *status = EXIT_INPUT;
        session_close(s);
        return -1;
    }
    if (o->gdb) {
        machine_run(s->m, c.max_time);
        s->cfg.max_time = limit;
        if (session_run(s, o->gdb, true) < 0) {
            snprintf(err, errlen, "cannot open the GDB stub on %s", o->gdb);
            *status = EXIT_USAGE;
            session_close(s);
            return -1;
        }
    } else if (o->drive) {
        double w0 = session_wall_seconds();
        sim_time_t end = c.max_time;
        enum cpu_stop st = o->drive(o->drive_opaque, s, &end);
        s->wall_seconds = session_wall_seconds() - w0;
        if (st == CPU_STOP_LIMIT)
            s->cfg.max_time = end;
        session_set_stop(s, st);
    } else {
        session_run(s, NULL, false);
    }
    if (s->stop == CPU_STOP_LIMIT && !s->stop_matched && s->cfg.max_time < limit)
        res->cut_at = s->cfg.max_time;
    if (!o->quiet)
        session_print_outcome(s);
    res->ran = true;
    res->passed = scenario_evaluate(sc, o->quiet);
    res->expected_failure = sc->expect_failure;
    res->failure_sometimes = sc->failure_sometimes;
    res->exit_code = session_finish(s);
    snprintf(res->outcome, sizeof res->outcome, "%s",
             s->stop_matched ? "stop-on" : session_stop_name(s->stop));
    res->virtual_ns = machine_now(s->m);
    res->failed_at = sc->failed_at;
    res->wall_s = s->wall_seconds;
    res->instructions = s->m->cpu->insns;
    snprintf(res->reason, sizeof res->reason, "%s", sc->reason);
    snprintf(res->report_sha256, sizeof res->report_sha256, "%s", s->report_sha256);
    snprintf(res->pcap_sha256, sizeof res->pcap_sha256, "%s", s->pcap_sha256);
    uint8_t d[32];
    sha256_t h = s->uart_hash;
    sha256_final(&h, d);
    sha256_hex(d, res->uart_sha256);
    if (s->trace) {
        h = s->trace_hash;
        sha256_final(&h, d);
        sha256_hex(d, res->trace_sha256);
    }
    int rc = 0;
    if (o->record_path && scenario_write_replay(o->record_path, sc, c.seed, res,
                                                inputlog_records(&s->in), err, errlen)) {
        *status = 1;
        rc = -1;
    }
    if (s->in.error[0] && !rc) {
        snprintf(err, errlen, "outside input: %s", s->in.error);
        *status = EXIT_INPUT;
        rc = -1;
    }
    session_close(s);
    return rc;
}
