/* The network section of a scenario (see netconfig.h). */
#include <stdio.h>
#include <string.h>
#include "netconfig.h"
#include "sim/units.h"

static const cJSON *field(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static int get_time(const cJSON *o, const char *name, const char *where, sim_time_t *out,
                    char *err, size_t errlen)
{
    const cJSON *v = field(o, name);
    if (!v)
        return 1;
    if (!cJSON_IsString(v) || units_parse_time(v->valuestring, out)) {
        snprintf(err, errlen, "%s.%s: expected a duration such as \"1.5s\" or \"200ms\"", where, name);
        return -1;
    }
    return 0;
}

static int get_fraction(const cJSON *o, const char *name, const char *where, uint32_t *ppm,
                        char *err, size_t errlen)
{
    const cJSON *v = field(o, name);
    if (!v)
        return 1;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1) {
        snprintf(err, errlen, "%s.%s: expected a probability between 0 and 1", where, name);
        return -1;
    }
    *ppm = (uint32_t)(v->valuedouble * 1e6 + 0.5);
    return 0;
}

static int get_uint(const cJSON *o, const char *name, const char *where, uint64_t max,
                    uint64_t *out, char *err, size_t errlen)
{
    const cJSON *v = field(o, name);
    if (!v)
        return 1;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > (double)max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble) {
        snprintf(err, errlen, "%s.%s: expected a whole number from 0 to %llu", where, name,
                 (unsigned long long)max);
        return -1;
    }
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int check_keys(const cJSON *o, const char *const *allowed, const char *where, char *err,
                      size_t errlen)
{
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "%s: expected an object", where);
        return -1;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, o) {
        bool ok = false;
        for (unsigned k = 0; allowed[k]; k++)
            ok |= !strcmp(c->string, allowed[k]);
        if (!ok) {
            snprintf(err, errlen, "%s: unknown field '%s'", where, c->string);
            return -1;
        }
    }
    return 0;
}

/* Link properties present in 'o' overwrite those in 'p'. */
static int link_props(const cJSON *o, const char *where, net_link_params_t *p, char *err,
                      size_t errlen)
{
    const cJSON *v = field(o, "bandwidth");
    if (v && (!cJSON_IsString(v) || units_parse_rate(v->valuestring, &p->bandwidth_bps))) {
        snprintf(err, errlen, "%s.bandwidth: expected a rate such as \"10Mbit\"", where);
        return -1;
    }
    if (get_time(o, "latency", where, &p->latency_ns, err, errlen) < 0 ||
        get_time(o, "jitter", where, &p->jitter_ns, err, errlen) < 0 ||
        get_fraction(o, "loss", where, &p->loss_ppm, err, errlen) < 0 ||
        get_fraction(o, "duplicate", where, &p->dup_ppm, err, errlen) < 0 ||
        get_fraction(o, "corrupt", where, &p->corrupt_ppm, err, errlen) < 0 ||
        get_fraction(o, "reorder", where, &p->reorder_ppm, err, errlen) < 0)
        return -1;
    uint64_t mf;
    int r = get_uint(o, "max_frame", where, NET_FRAME_MAX, &mf, err, errlen);
    if (r < 0)
        return -1;
    if (!r) {
        if (mf < 14) {
            snprintf(err, errlen, "%s.max_frame: at least 14 bytes", where);
            return -1;
        }
        p->max_frame = (uint32_t)mf;
    }
    v = field(o, "up");
    if (v) {
        if (!cJSON_IsBool(v)) {
            snprintf(err, errlen, "%s.up: expected true or false", where);
            return -1;
        }
        p->up = cJSON_IsTrue(v);
    }
    return 0;
}

static const char *const link_keys[] = { "bandwidth", "latency", "jitter", "loss", "duplicate",
                                         "corrupt", "reorder", "max_frame", "up", "schedule", NULL };
static const char *const change_keys[] = { "at", "bandwidth", "latency", "jitter", "loss",
                                           "duplicate", "corrupt", "reorder", "max_frame", "up", NULL };

static int apply_link(const cJSON *lc, net_link_t *l, const char *name, char *err, size_t errlen)
{
    char where[96];
    snprintf(where, sizeof where, "links.%s", name);
    if (check_keys(lc, link_keys, where, err, errlen))
        return -1;
    net_link_params_t p = l->p;
    if (link_props(lc, where, &p, err, errlen))
        return -1;
    net_link_set_params(l, &p);
    const cJSON *sch = field(lc, "schedule");
    if (!sch)
        return 0;
    if (!cJSON_IsArray(sch)) {
        snprintf(err, errlen, "%s.schedule: expected an array", where);
        return -1;
    }
    sim_time_t last = 0;
    int idx = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, sch) {
        char cw[128];
        snprintf(cw, sizeof cw, "%s.schedule[%d]", where, idx++);
        if (check_keys(c, change_keys, cw, err, errlen))
            return -1;
        sim_time_t at;
        int r = get_time(c, "at", cw, &at, err, errlen);
        if (r) {
            if (r > 0)
                snprintf(err, errlen, "%s: 'at' is required", cw);
            return -1;
        }
        if (at < last) {
            snprintf(err, errlen, "%s.at: changes must be in time order", cw);
            return -1;
        }
        last = at;
        if (link_props(c, cw, &p, err, errlen))
            return -1;
        if (net_link_schedule(l, at, &p)) {
            snprintf(err, errlen, "%s: too many scheduled changes", cw);
            return -1;
        }
    }
    return 0;
}

static const char *const fault_keys[] = { "kind", "from", "until", "after_bytes", "count",
                                          "bytes_per_second", "offset", NULL };

static int apply_fault(const cJSON *f, http_server_t *h, const char *where, char *err, size_t errlen)
{
    if (check_keys(f, fault_keys, where, err, errlen))
        return -1;
    const cJSON *kind = field(f, "kind");
    static const struct { const char *name; http_fault_kind_t kind; const char *arg; } kinds[] = {
        { "stall", HTTP_FAULT_STALL, NULL },
        { "drip", HTTP_FAULT_DRIP, "bytes_per_second" },
        { "corrupt", HTTP_FAULT_CORRUPT, "offset" },
        { "503", HTTP_FAULT_503, NULL },
        { "reset", HTTP_FAULT_RESET, "after_bytes" },
    };
    unsigned k = 0;
    for (; cJSON_IsString(kind) && k < sizeof kinds / sizeof kinds[0]; k++)
        if (!strcmp(kind->valuestring, kinds[k].name))
            break;
    if (!cJSON_IsString(kind) || k == sizeof kinds / sizeof kinds[0]) {
        snprintf(err, errlen, "%s.kind: expected one of stall, drip, corrupt, 503, reset", where);
        return -1;
    }
    http_fault_t hf;
    memset(&hf, 0, sizeof hf);
    hf.kind = kinds[k].kind;
    hf.until = SIM_TIME_NEVER;
    if (get_time(f, "from", where, &hf.from, err, errlen) < 0 ||
        get_time(f, "until", where, &hf.until, err, errlen) < 0)
        return -1;
    if (hf.until <= hf.from) {
        snprintf(err, errlen, "%s: 'until' must come after 'from'", where);
        return -1;
    }
    uint64_t count = 0;
    if (get_uint(f, "count", where, 1000000, &count, err, errlen) < 0)
        return -1;
    hf.count = (uint32_t)count;
    if (kinds[k].arg) {
        int r = get_uint(f, kinds[k].arg, where, UINT32_MAX, &hf.arg, err, errlen);
        if (r) {
            if (r > 0)
                snprintf(err, errlen, "%s: a %s fault needs '%s'", where, kinds[k].name, kinds[k].arg);
            return -1;
        }
    }
    if (http_server_add_fault(h, &hf)) {
        snprintf(err, errlen, "%s: at most %d server faults", where, HTTP_MAX_FAULTS);
        return -1;
    }
    return 0;
}

int netconfig_server_opts(const cJSON *cfg, const char *base_dir, network_opts_t *o,
                          char *pathbuf, size_t pathlen, char *err, size_t errlen)
{
    static const char *const top_keys[] = { "links", "server", NULL };
    static const char *const server_keys[] = { "network", "root", "faults", NULL };
    if (check_keys(cfg, top_keys, "network", err, errlen))
        return -1;
    const cJSON *s = field(cfg, "server");
    if (!s)
        return 0;
    if (check_keys(s, server_keys, "server", err, errlen))
        return -1;
    const cJSON *root = field(s, "root");
    if (!cJSON_IsString(root)) {
        snprintf(err, errlen, "server.root: expected the folder to serve");
        return -1;
    }
    if (root->valuestring[0] == '/' || !base_dir || !*base_dir)
        snprintf(pathbuf, pathlen, "%s", root->valuestring);
    else
        snprintf(pathbuf, pathlen, "%s/%s", base_dir, root->valuestring);
    o->serve_root = pathbuf;
    const cJSON *net = field(s, "network");
    if (net && !cJSON_IsString(net)) {
        snprintf(err, errlen, "server.network: expected a network name");
        return -1;
    }
    if (net)
        o->serve_network = net->valuestring;
    return 0;
}

int netconfig_apply(const cJSON *cfg, network_t *n, char *err, size_t errlen)
{
    const cJSON *links = field(cfg, "links");
    if (links) {
        if (!cJSON_IsObject(links)) {
            snprintf(err, errlen, "links: expected an object of link names");
            return -1;
        }
        const cJSON *lc;
        cJSON_ArrayForEach(lc, links) {
            net_link_t *l = network_find(n, lc->string);
            if (!l) {
                snprintf(err, errlen, "links.%s: the board has no network of that name", lc->string);
                return -1;
            }
            if (apply_link(lc, l, lc->string, err, errlen))
                return -1;
        }
    }
    const cJSON *s = field(cfg, "server");
    const cJSON *faults = s ? field(s, "faults") : NULL;
    if (faults) {
        if (!cJSON_IsArray(faults)) {
            snprintf(err, errlen, "server.faults: expected an array");
            return -1;
        }
        int idx = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, faults) {
            char where[64];
            snprintf(where, sizeof where, "server.faults[%d]", idx++);
            if (apply_fault(f, &n->server->http, where, err, errlen))
                return -1;
        }
    }
    return 0;
}
