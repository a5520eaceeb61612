/*
 * The network section of a scenario (see netconfig.h; the schema is in
 * README.md). Errors name the field with its path from "network".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netconfig.h"
#include "pkt.h"
#include "sim/units.h"

#define MAX_SCHEDULE 256

static const cJSON *field(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
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
        for (unsigned k = 0; allowed[k] && !ok; k++)
            ok = !strcmp(c->string, allowed[k]);
        if (!ok) {
            char list[400] = "";
            for (unsigned k = 0; allowed[k]; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                         allowed[k]);
            snprintf(err, errlen, "%s: unknown field '%s' (known: %s)", where, c->string, list);
            return -1;
        }
    }
    return 0;
}

/* ---- values: 1 = absent, 0 = read, -1 = error in err ---- */

static int time_value(const cJSON *v, const char *where, const char *name, sim_time_t *out,
                      char *err, size_t errlen)
{
    if (!cJSON_IsString(v)) {
        snprintf(err, errlen, "%s.%s: expected a duration as a string such as \"1.5s\" or \"200ms\"",
                 where, name);
        return -1;
    }
    if (units_parse_time(v->valuestring, out)) {
        snprintf(err, errlen, "%s.%s: '%s' is not a duration (a number with s, ms, us, ns or min, "
                 "e.g. \"1.5s\")", where, name, v->valuestring);
        return -1;
    }
    return 0;
}

static int get_time(const cJSON *o, const char *name, const char *where, sim_time_t *out,
                    char *err, size_t errlen)
{
    const cJSON *v = field(o, name);
    return v ? time_value(v, where, name, out, err, errlen) : 1;
}

static int fraction_value(const cJSON *v, const char *where, const char *name, uint32_t *ppm,
                          char *err, size_t errlen)
{
    double f = -1;
    if (cJSON_IsNumber(v)) {
        f = v->valuedouble;
    } else if (cJSON_IsString(v)) {
        char *end;
        double pc = strtod(v->valuestring, &end);
        if (end != v->valuestring && !strcmp(end, "%"))
            f = pc / 100;
    }
    if (!(f >= 0 && f <= 1)) {
        snprintf(err, errlen, "%s.%s: expected a probability between 0 and 1 (a fraction such "
                 "as 0.05, or a percentage such as \"5%%\")", where, name);
        return -1;
    }
    *ppm = (uint32_t)(f * 1e6 + 0.5);
    return 0;
}

static int uint_value(const cJSON *v, const char *where, const char *name, uint64_t min,
                      uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    if (!cJSON_IsNumber(v) || v->valuedouble < (double)min || v->valuedouble > (double)max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble) {
        snprintf(err, errlen, "%s.%s: expected a whole number from %llu to %llu", where, name,
                 (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int get_uint(const cJSON *o, const char *name, const char *where, uint64_t min, uint64_t max,
                    uint64_t *out, char *err, size_t errlen)
{
    const cJSON *v = field(o, name);
    return v ? uint_value(v, where, name, min, max, out, err, errlen) : 1;
}

static int bool_value(const cJSON *v, const char *where, const char *name, bool *out, char *err,
                      size_t errlen)
{
    if (!cJSON_IsBool(v)) {
        snprintf(err, errlen, "%s.%s: expected true or false", where, name);
        return -1;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

static int get_bool(const cJSON *o, const char *name, const char *where, bool *out, char *err,
                    size_t errlen)
{
    const cJSON *v = field(o, name);
    return v ? bool_value(v, where, name, out, err, errlen) : 1;
}

static int get_string(const cJSON *o, const char *name, const char *where, const char **out,
                      char *err, size_t errlen)
{
    const cJSON *v = field(o, name);
    if (!v)
        return 1;
    if (!cJSON_IsString(v) || !*v->valuestring) {
        snprintf(err, errlen, "%s.%s: expected a non-empty string", where, name);
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

static int get_ip(const cJSON *o, const char *name, const char *where, uint32_t *ip, char *err,
                  size_t errlen)
{
    const char *s;
    int r = get_string(o, name, where, &s, err, errlen);
    if (r)
        return r;
    if (pkt_parse_ip(s, ip, NULL)) {
        snprintf(err, errlen, "%s.%s: '%s' is not an IPv4 address (a.b.c.d)", where, name, s);
        return -1;
    }
    return 0;
}

static int get_mac(const cJSON *o, const char *name, const char *where, uint8_t mac[6], char *err,
                   size_t errlen)
{
    const char *s;
    int r = get_string(o, name, where, &s, err, errlen);
    if (r)
        return r;
    unsigned b[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6) {
        snprintf(err, errlen, "%s.%s: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", where, name, s);
        return -1;
    }
    for (int k = 0; k < 6; k++)
        mac[k] = (uint8_t)b[k];
    return 0;
}

static void resolve_path(const char *base_dir, const char *p, char *out, size_t outlen)
{
    if (p[0] == '/' || !base_dir || !*base_dir)
        snprintf(out, outlen, "%s", p);
    else
        snprintf(out, outlen, "%s/%s", base_dir, p);
}

static const char *const top_keys[] = { "links", "switches", "server", "hosts", "live", "pcap", NULL };

int netconfig_check(const cJSON *cfg, char *err, size_t errlen)
{
    return cfg ? check_keys(cfg, top_keys, "network", err, errlen) : 0;
}

/* ---- link properties ---- */

static const char *const link_props[] = { "bandwidth", "latency", "jitter", "loss", "duplicate",
                                          "corrupt", "reorder", "reorder_delay", "max_frame", "up",
                                          NULL };

int netconfig_link_prop(const char *prop, const cJSON *v, const char *where,
                        net_link_params_t *p, uint32_t *mask, char *err, size_t errlen)
{
    int r;
    uint64_t u;
    if (!strcmp(prop, "bandwidth")) {
        if (!cJSON_IsString(v) || units_parse_rate(v->valuestring, &p->bandwidth_bps)) {
            snprintf(err, errlen, "%s.bandwidth: expected a bit rate such as \"10Mbit\" or "
                     "\"100kbit\" (bit, kbit, Mbit, Gbit, optionally /s)", where);
            return -1;
        }
        *mask |= NET_LINK_BANDWIDTH;
        return 0;
    }
    if (!strcmp(prop, "latency") || !strcmp(prop, "jitter") || !strcmp(prop, "reorder_delay")) {
        sim_time_t t;
        if ((r = time_value(v, where, prop, &t, err, errlen)))
            return r;
        if (prop[0] == 'l') {
            p->latency_ns = t;
            *mask |= NET_LINK_LATENCY;
        } else if (prop[0] == 'j') {
            p->jitter_ns = t;
            *mask |= NET_LINK_JITTER;
        } else {
            p->reorder_delay_ns = t;
            *mask |= NET_LINK_REORDER_DELAY;
        }
        return 0;
    }
    static const struct { const char *name; uint32_t bit; size_t off; } fr[] = {
        { "loss", NET_LINK_LOSS, offsetof(net_link_params_t, loss_ppm) },
        { "duplicate", NET_LINK_DUPLICATE, offsetof(net_link_params_t, dup_ppm) },
        { "corrupt", NET_LINK_CORRUPT, offsetof(net_link_params_t, corrupt_ppm) },
        { "reorder", NET_LINK_REORDER, offsetof(net_link_params_t, reorder_ppm) },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(fr); k++)
        if (!strcmp(prop, fr[k].name)) {
            if ((r = fraction_value(v, where, prop, (uint32_t *)((char *)p + fr[k].off), err, errlen)))
                return r;
            *mask |= fr[k].bit;
            return 0;
        }
    if (!strcmp(prop, "max_frame")) {
        if ((r = uint_value(v, where, prop, 14, NET_FRAME_MAX, &u, err, errlen)))
            return r;
        p->max_frame = (uint32_t)u;
        *mask |= NET_LINK_MAX_FRAME;
        return 0;
    }
    if (!strcmp(prop, "up")) {
        if ((r = bool_value(v, where, prop, &p->up, err, errlen)))
            return r;
        *mask |= NET_LINK_UP;
        return 0;
    }
    snprintf(err, errlen, "%s: no link property '%s'", where, prop);
    return -1;
}

static int link_props_of(const cJSON *o, const char *where, net_link_params_t *p, uint32_t *mask,
                         char *err, size_t errlen)
{
    for (unsigned k = 0; link_props[k]; k++) {
        const cJSON *v = field(o, link_props[k]);
        if (v && netconfig_link_prop(link_props[k], v, where, p, mask, err, errlen))
            return -1;
    }
    return 0;
}

/* ---- schedules: "at" changes and "from"/"until" windows ---- */

typedef union sched_params {
    net_link_params_t link;
    traffic_params_t traffic;
} sched_params_t;

typedef struct sched_entry {
    sim_time_t at, until;      /* until: windows only */
    bool window;
    uint32_t mask;
    unsigned index;
    sched_params_t p;
} sched_entry_t;

typedef struct sched_kind {
    const char *const *keys;   /* allowed in an entry */
    int (*props)(const cJSON *o, const char *where, int ctx, sched_params_t *p, uint32_t *mask,
                 char *err, size_t errlen);
    void (*apply)(sched_params_t *dst, const sched_params_t *src, uint32_t mask);
    int (*add)(void *owner, sim_time_t at, uint32_t mask, const sched_params_t *p);
} sched_kind_t;

static void fmt_time(sim_time_t t, char out[32])
{
    if (t % SIM_MS(1) == 0)
        snprintf(out, 32, "%gs", (double)t / 1e9);
    else
        snprintf(out, 32, "%.9gs", (double)t / 1e9);
}

static int entry_order(const void *a, const void *b)
{
    const sched_entry_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Reads the "schedule" of 'o', checks it, and adds its changes to the owner
 * in time order: a window sets its properties at "from" and puts back at
 * "until" what they were just before "from". */
static int apply_schedule(const cJSON *o, const char *where, const sched_kind_t *kind, int ctx,
                          void *owner, const sched_params_t *current, char *err, size_t errlen)
{
    const cJSON *sch = field(o, "schedule");
    if (!sch)
        return 0;
    if (!cJSON_IsArray(sch)) {
        snprintf(err, errlen, "%s.schedule: expected an array of changes", where);
        return -1;
    }
    unsigned n = (unsigned)cJSON_GetArraySize(sch);
    if (n > MAX_SCHEDULE) {
        snprintf(err, errlen, "%s.schedule: at most %d changes", where, MAX_SCHEDULE);
        return -1;
    }
    sched_entry_t *e = calloc(n ? n : 1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    unsigned idx = 0;
    const cJSON *c;
    char cw[160];
    cJSON_ArrayForEach(c, sch) {
        sched_entry_t *x = &e[idx];
        x->index = idx;
        snprintf(cw, sizeof cw, "%s.schedule[%u]", where, idx);
        idx++;
        if (check_keys(c, kind->keys, cw, err, errlen))
            goto out;
        int ra = get_time(c, "at", cw, &x->at, err, errlen);
        sim_time_t from = 0;
        int rf = get_time(c, "from", cw, &from, err, errlen);
        int ru = get_time(c, "until", cw, &x->until, err, errlen);
        if (ra < 0 || rf < 0 || ru < 0)
            goto out;
        if (!ra == !rf || (!rf) != (!ru)) {
            snprintf(err, errlen, "%s: give either 'at', or both 'from' and 'until'", cw);
            goto out;
        }
        if (!rf) {
            x->window = true;
            x->at = from;
            if (x->until <= from) {
                char a[32], b[32];
                fmt_time(from, a);
                fmt_time(x->until, b);
                snprintf(err, errlen, "%s.until: %s must come after 'from' (%s)", cw, b, a);
                goto out;
            }
        }
        if (kind->props(c, cw, ctx, &x->p, &x->mask, err, errlen))
            goto out;
        if (!x->mask) {
            snprintf(err, errlen, "%s: changes nothing (name a property to change)", cw);
            goto out;
        }
    }
    /* a property a window changes must not change otherwise inside it */
    for (unsigned a = 0; a < n; a++) {
        if (!e[a].window)
            continue;
        for (unsigned b = 0; b < n; b++) {
            if (a == b || !(e[a].mask & e[b].mask))
                continue;
            bool inside = e[b].at > e[a].at && e[b].at < e[a].until;
            inside |= e[b].window && e[b].until > e[a].at && e[b].until < e[a].until;
            inside |= e[b].at == e[a].at && b > a;
            if (inside) {
                char f[32], u[32];
                fmt_time(e[a].at, f);
                fmt_time(e[a].until, u);
                snprintf(err, errlen, "%s.schedule[%u]: changes a property inside the window "
                         "%s..%s of schedule[%u]", where, e[b].index, f, u, e[a].index);
                goto out;
            }
        }
    }
    qsort(e, n, sizeof *e, entry_order);
    /* the value each window puts back: what the timeline holds at its start,
     * with the windows that ended by then put back first */
    sched_entry_t *ends = calloc(n ? n : 1, sizeof *ends);
    if (!ends) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    sched_params_t running = *current;
    unsigned nends = 0, done = 0;
    bool *applied = calloc(n ? n : 1, sizeof *applied);
    if (!applied) {
        free(ends);
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (unsigned k = 0; k < n; k++) {
        while (done < nends) {
            unsigned best = n;
            for (unsigned j = 0; j < nends; j++)
                if (!applied[j] && ends[j].at <= e[k].at && (best == n || ends[j].at < ends[best].at))
                    best = j;
            if (best == n)
                break;
            kind->apply(&running, &ends[best].p, ends[best].mask);
            applied[best] = true;
            done++;
        }
        if (e[k].window) {
            sched_entry_t *end = &ends[nends++];
            *end = e[k];
            end->at = e[k].until;
            end->p = running;
        }
        kind->apply(&running, &e[k].p, e[k].mask);
    }
    free(applied);
    /* ends first: at a time where a window ends and a change starts, the change wins */
    int bad = 0;
    for (unsigned k = 0; k < nends; k++)
        bad |= kind->add(owner, ends[k].at, ends[k].mask, &ends[k].p);
    for (unsigned k = 0; k < n && !bad; k++)
        if (kind->add(owner, e[k].at, e[k].mask, &e[k].p)) {
            snprintf(err, errlen, "%s.schedule[%u]: cannot schedule a change in the past",
                     where, e[k].index);
            free(ends);
            goto out;
        }
    free(ends);
    if (bad) {
        snprintf(err, errlen, "%s.schedule: cannot schedule a change in the past", where);
        goto out;
    }
    rc = 0;
out:
    free(e);
    return rc;
}

static const char *const link_change_keys[] = { "at", "from", "until", "bandwidth", "latency",
                                                "jitter", "loss", "duplicate", "corrupt", "reorder",
                                                "reorder_delay", "max_frame", "up", NULL };

static int link_sched_props(const cJSON *o, const char *where, int ctx, sched_params_t *p,
                            uint32_t *mask, char *err, size_t errlen)
{
    (void)ctx;
    return link_props_of(o, where, &p->link, mask, err, errlen);
}

static void link_sched_apply(sched_params_t *dst, const sched_params_t *src, uint32_t mask)
{
    net_link_t tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.p = dst->link;
    net_link_apply(&tmp, mask, &src->link);
    dst->link = tmp.p;
}

static int link_sched_add(void *owner, sim_time_t at, uint32_t mask, const sched_params_t *p)
{
    return net_link_schedule(owner, at, mask, &p->link);
}

static const sched_kind_t link_sched = { link_change_keys, link_sched_props, link_sched_apply,
                                         link_sched_add };

/* ---- links ---- */

static const char *const link_keys[] = { "bandwidth", "latency", "jitter", "loss", "duplicate",
                                         "corrupt", "reorder", "reorder_delay", "max_frame", "up",
                                         "schedule", "pcap", NULL };

static int open_link_pcap(network_t *n, net_link_t *l, const cJSON *lc, const char *where,
                          char *err, size_t errlen)
{
    const char *p;
    int r = get_string(lc, "pcap", where, &p, err, errlen);
    if (r)
        return r < 0 ? -1 : 0;
    for (unsigned k = 0; k < n->nlinks; k++) {
        if (n->links[k] != l)
            continue;
        if (n->link_pcap[k]) {
            snprintf(err, errlen, "%s.pcap: the cable already has a capture file", where);
            return -1;
        }
        char path[1024], perr[1200];
        resolve_path(n->config_dir, p, path, sizeof path);
        if (!(n->link_pcap[k] = pcap_writer_open(path, perr, sizeof perr))) {
            snprintf(err, errlen, "%s.pcap: %s", where, perr);
            return -1;
        }
        net_link_attach_pcap(l, 1, n->link_pcap[k]);
    }
    return 0;
}

static int apply_link(const cJSON *lc, net_link_t *l, network_t *n, const char *where, char *err,
                      size_t errlen)
{
    if (check_keys(lc, link_keys, where, err, errlen))
        return -1;
    net_link_params_t p = l->p;
    uint32_t mask = 0;
    if (link_props_of(lc, where, &p, &mask, err, errlen))
        return -1;
    net_link_apply(l, mask, &p);
    if (open_link_pcap(n, l, lc, where, err, errlen))
        return -1;
    sched_params_t cur;
    memset(&cur, 0, sizeof cur);
    cur.link = l->p;
    return apply_schedule(lc, where, &link_sched, 0, l, &cur, err, errlen);
}

int netconfig_apply_links(const cJSON *cfg, network_t *n, char *err, size_t errlen)
{
    const cJSON *links = field(cfg, "links");
    if (!links)
        return 0;
    if (!cJSON_IsObject(links)) {
        snprintf(err, errlen, "network.links: expected an object of cable or network names");
        return -1;
    }
    /* a switched network's name applies to all its cables, before their own entries */
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *lc;
        cJSON_ArrayForEach(lc, links) {
            char where[128];
            snprintf(where, sizeof where, "network.links.%s", lc->string);
            net_link_t *l = NULL;
            for (unsigned k = 0; k < n->nlinks; k++)
                if (!strcmp(n->links[k]->name, lc->string))
                    l = n->links[k];
            const network_segment_t *seg = NULL;
            for (unsigned k = 0; k < n->nsegs; k++)
                if (n->segs[k].sw && !strcmp(n->segs[k].name, lc->string))
                    seg = &n->segs[k];
            if (!l && !seg) {
                char names[400] = "";
                for (unsigned k = 0; k < n->nlinks; k++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                             k ? ", " : "", n->links[k]->name);
                snprintf(err, errlen, "%s: there is no cable or network of that name (cables: %s)",
                         where, n->nlinks ? names : "none");
                return -1;
            }
            if (pass == 0 && seg && field(lc, "pcap")) {
                snprintf(err, errlen, "%s.pcap: the cables of a switched network need a file "
                         "each: give it under their names (%s/...), or use the top-level pcap",
                         where, seg->name);
                return -1;
            }
            if (pass == 0 && seg) {
                size_t nl = strlen(seg->name);
                for (unsigned k = 0; k < n->nlinks; k++)
                    if (!strncmp(n->links[k]->name, seg->name, nl) && n->links[k]->name[nl] == '/' &&
                        apply_link(lc, n->links[k], n, where, err, errlen))
                        return -1;
            }
            if (pass == 1 && l && apply_link(lc, l, n, where, err, errlen))
                return -1;
        }
    }
    return 0;
}

/* ---- switches ---- */

int netconfig_switch(const cJSON *cfg, const char *network, net_switch_config_t *sc,
                     bool *present, char *err, size_t errlen)
{
    static const char *const keys[] = { "kind", "mac_table", "aging", "max_frame", NULL };
    net_switch_default_config(sc);
    *present = false;
    const cJSON *all = cfg ? field(cfg, "switches") : NULL;
    if (!all)
        return 0;
    if (!cJSON_IsObject(all)) {
        snprintf(err, errlen, "network.switches: expected an object of network names");
        return -1;
    }
    const cJSON *s = field(all, network);
    if (!s)
        return 0;
    char where[96];
    snprintf(where, sizeof where, "network.switches.%s", network);
    if (check_keys(s, keys, where, err, errlen))
        return -1;
    *present = true;
    const char *kind;
    int r = get_string(s, "kind", where, &kind, err, errlen);
    if (r < 0)
        return -1;
    if (!r) {
        if (!strcmp(kind, "hub"))
            sc->kind = NET_SWITCH_HUB;
        else if (strcmp(kind, "switch")) {
            snprintf(err, errlen, "%s.kind: expected \"switch\" or \"hub\", not '%s'", where, kind);
            return -1;
        }
    }
    uint64_t u;
    if ((r = get_uint(s, "mac_table", where, 1, 65536, &u, err, errlen)) < 0)
        return -1;
    if (!r)
        sc->table_size = (unsigned)u;
    if ((r = get_uint(s, "max_frame", where, 60, NET_FRAME_MAX, &u, err, errlen)) < 0)
        return -1;
    if (!r)
        sc->max_frame = (uint32_t)u;
    if (get_time(s, "aging", where, &sc->aging_ns, err, errlen) < 0)
        return -1;
    return 0;
}

/* ---- the update server ---- */

static const char *const server_keys[] = { "network", "root", "address", "port", "name", "domain",
                                           "names", "faults", NULL };

int netconfig_server(const cJSON *cfg, const char *base_dir, update_server_config_t *sc,
                     char *root, size_t rootlen, const char **network, bool *present,
                     char *err, size_t errlen)
{
    *present = false;
    const cJSON *s = cfg ? field(cfg, "server") : NULL;
    if (!s)
        return 0;
    const char *w = "network.server";
    if (check_keys(s, server_keys, w, err, errlen))
        return -1;
    *present = true;
    const char *r = NULL;
    if (get_string(s, "root", w, &r, err, errlen) < 0)
        return -1;
    root[0] = 0;
    if (r)
        resolve_path(base_dir, r, root, rootlen);
    update_server_default_config(sc, r ? root : NULL);
    if (get_string(s, "network", w, network, err, errlen) < 0)
        return -1;
    if (get_ip(s, "address", w, &sc->http_addr, err, errlen) < 0)
        return -1;
    uint64_t port;
    int rp = get_uint(s, "port", w, 1, 65535, &port, err, errlen);
    if (rp < 0)
        return -1;
    if (!rp)
        sc->http_port = (uint16_t)port;
    const char *name = NULL, *domain = NULL;
    if (get_string(s, "name", w, &name, err, errlen) < 0 ||
        get_string(s, "domain", w, &domain, err, errlen) < 0)
        return -1;
    if ((name && strlen(name) >= sizeof sc->name) || (domain && strlen(domain) >= sizeof sc->domain)) {
        snprintf(err, errlen, "%s: names are limited to %d characters", w, DNS_NAME_MAX - 1);
        return -1;
    }
    if (name)
        snprintf(sc->name, sizeof sc->name, "%s", name);
    if (domain)
        snprintf(sc->domain, sizeof sc->domain, "%s", domain);
    const cJSON *names = field(s, "names");
    if (names) {
        if (!cJSON_IsObject(names)) {
            snprintf(err, errlen, "%s.names: expected an object of name: address", w);
            return -1;
        }
        const cJSON *nm;
        cJSON_ArrayForEach(nm, names) {
            char nw[128];
            snprintf(nw, sizeof nw, "%s.names", w);
            uint32_t a;
            if (get_ip(names, nm->string, nw, &a, err, errlen))
                return -1;
            if (dns_zone_add(&sc->extra, nm->string, a)) {
                snprintf(err, errlen, "%s.%s: at most %d names of up to %d characters", nw,
                         nm->string, DNS_MAX_RECORDS - 1, DNS_NAME_MAX - 1);
                return -1;
            }
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
    static const struct { http_fault_kind_t kind; const char *arg; } kinds[] = {
        { HTTP_FAULT_STALL, NULL },
        { HTTP_FAULT_DRIP, "bytes_per_second" },
        { HTTP_FAULT_CORRUPT, "offset" },
        { HTTP_FAULT_503, NULL },
        { HTTP_FAULT_RESET, "after_bytes" },
    };
    unsigned k = 0;
    for (; cJSON_IsString(kind) && k < ARRAY_SIZE(kinds); k++)
        if (!strcmp(kind->valuestring, http_fault_name(kinds[k].kind)))
            break;
    if (!cJSON_IsString(kind) || k == ARRAY_SIZE(kinds)) {
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
        char a[32], b[32];
        fmt_time(hf.from, a);
        fmt_time(hf.until, b);
        snprintf(err, errlen, "%s.until: %s must come after 'from' (%s)", where, b, a);
        return -1;
    }
    uint64_t count = 0;
    if (get_uint(f, "count", where, 0, 1000000, &count, err, errlen) < 0)
        return -1;
    hf.count = (uint32_t)count;
    for (unsigned a = 0; a < ARRAY_SIZE(kinds); a++) {
        if (!kinds[a].arg || !field(f, kinds[a].arg) || a == k)
            continue;
        snprintf(err, errlen, "%s.%s: does not apply to a %s fault", where, kinds[a].arg,
                 kind->valuestring);
        return -1;
    }
    if (kinds[k].arg) {
        int r = get_uint(f, kinds[k].arg, where, hf.kind == HTTP_FAULT_DRIP ? 1 : 0, UINT32_MAX,
                         &hf.arg, err, errlen);
        if (r) {
            if (r > 0)
                snprintf(err, errlen, "%s: a %s fault needs '%s'", where, kind->valuestring,
                         kinds[k].arg);
            return -1;
        }
    }
    if (http_server_add_fault(h, &hf)) {
        snprintf(err, errlen, "%s: at most %d server faults", where, HTTP_MAX_FAULTS);
        return -1;
    }
    return 0;
}

int netconfig_apply_server(const cJSON *cfg, update_server_t *s, char *err, size_t errlen)
{
    const cJSON *sv = cfg ? field(cfg, "server") : NULL;
    const cJSON *faults = sv ? field(sv, "faults") : NULL;
    if (!faults)
        return 0;
    if (!s) {
        snprintf(err, errlen, "network.server.faults: there is no update server");
        return -1;
    }
    if (!cJSON_IsArray(faults)) {
        snprintf(err, errlen, "network.server.faults: expected an array");
        return -1;
    }
    int idx = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, faults) {
        char where[64];
        snprintf(where, sizeof where, "network.server.faults[%d]", idx++);
        if (apply_fault(f, &s->http, where, err, errlen))
            return -1;
    }
    return 0;
}

/* ---- traffic hosts ---- */

static const char *const traffic_keys[] = { "name", "kind", "network", "rate", "size",
                                            "size_max", "pattern",
                                            "burst", "from", "until", "mac", "address", "target",
                                            "spoof", "groups", "port", "dst", "schedule", NULL };
static const char *const traffic_change_keys[] = { "at", "from", "until", "rate", "size",
                                                   "size_max", "on", NULL };

int netconfig_rate(const cJSON *v, const char *where, uint64_t *mfps, char *err, size_t errlen)
{
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "line")) {
        *mfps = TRAFFIC_RATE_LINE;
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e7) {
        snprintf(err, errlen, "%s.rate: expected frames per second (0 to 10000000) or \"line\"",
                 where);
        return -1;
    }
    *mfps = (uint64_t)(v->valuedouble * 1000 + 0.5);
    return 0;
}

static int traffic_size_limits(traffic_kind_t kind, uint64_t *min, uint64_t *max)
{
    switch (kind) {
    case TRAFFIC_RUNT: *min = 1; *max = PKT_ETH_MIN - 1; return 0;
    case TRAFFIC_OVERSIZE: *min = PKT_ETH_MAX + 1; *max = NET_FRAME_MAX; return 0;
    case TRAFFIC_BROADCAST_STORM:
    case TRAFFIC_BAD_FCS:
    case TRAFFIC_MULTICAST_NOISE: *min = PKT_ETH_MIN; *max = PKT_ETH_MAX; return 0;
    default: return -1; /* the kind's frames have their own sizes */
    }
}

static int traffic_props(const cJSON *o, const char *where, int kind, sched_params_t *p,
                         uint32_t *mask, char *err, size_t errlen)
{
    const cJSON *v = field(o, "rate");
    if (v) {
        if (netconfig_rate(v, where, &p->traffic.rate_mfps, err, errlen))
            return -1;
        *mask |= TRAFFIC_RATE;
    }
    uint64_t min, max, u;
    if (field(o, "size")) {
        if (traffic_size_limits((traffic_kind_t)kind, &min, &max)) {
            snprintf(err, errlen, "%s.size: a %s host's frames have their own sizes", where,
                     traffic_kind_names[kind]);
            return -1;
        }
        if (get_uint(o, "size", where, min, max, &u, err, errlen))
            return -1;
        p->traffic.size = (uint32_t)u;
        p->traffic.size_max = 0;
        *mask |= TRAFFIC_SIZE;
        if (field(o, "size_max")) {
            if (get_uint(o, "size_max", where, u, max, &u, err, errlen))
                return -1;
            p->traffic.size_max = (uint32_t)u;
        }
    } else if (field(o, "size_max")) {
        snprintf(err, errlen, "%s.size_max: goes with \"size\" (the smallest frame)", where);
        return -1;
    }
    int r = get_bool(o, "on", where, &p->traffic.on, err, errlen);
    if (r < 0)
        return -1;
    if (!r)
        *mask |= TRAFFIC_ON;
    return 0;
}

static void traffic_sched_apply(sched_params_t *dst, const sched_params_t *src, uint32_t mask)
{
    if (mask & TRAFFIC_RATE) dst->traffic.rate_mfps = src->traffic.rate_mfps;
    if (mask & TRAFFIC_SIZE) {
        dst->traffic.size = src->traffic.size;
        dst->traffic.size_max = src->traffic.size_max;
    }
    if (mask & TRAFFIC_ON) dst->traffic.on = src->traffic.on;
}

static int traffic_sched_add(void *owner, sim_time_t at, uint32_t mask, const sched_params_t *p)
{
    return traffic_schedule(owner, at, mask, &p->traffic);
}

static const sched_kind_t traffic_sched = { traffic_change_keys, traffic_props,
                                            traffic_sched_apply, traffic_sched_add };

const cJSON *netconfig_traffic_entry(const cJSON *cfg, unsigned index)
{
    const cJSON *hosts = cfg ? field(cfg, "hosts") : NULL;
    return cJSON_IsArray(hosts) ? cJSON_GetArrayItem(hosts, (int)index) : NULL;
}

int netconfig_traffic(const cJSON *e, unsigned index, traffic_config_t *tc, const char **network,
                      char *err, size_t errlen)
{
    char where[64];
    snprintf(where, sizeof where, "network.hosts[%u]", index);
    if (check_keys(e, traffic_keys, where, err, errlen))
        return -1;
    const char *name, *kind;
    if (get_string(e, "name", where, &name, err, errlen) ||
        get_string(e, "kind", where, &kind, err, errlen)) {
        if (!field(e, "name") || !field(e, "kind"))
            snprintf(err, errlen, "%s: a host needs a 'name' and a 'kind'", where);
        return -1;
    }
    size_t nl = strlen(name);
    bool ok = nl < 24 && strcmp(name, "server") && strcmp(name, "live");
    for (size_t k = 0; k < nl; k++)
        ok &= isalnum((unsigned char)name[k]) || name[k] == '_' || name[k] == '-';
    if (!ok) {
        snprintf(err, errlen, "%s.name: '%s': use up to 23 letters, digits, '_' or '-' (and not "
                 "\"server\" or \"live\")", where, name);
        return -1;
    }
    unsigned k = 0;
    while (k < TRAFFIC_KIND_COUNT && strcmp(kind, traffic_kind_names[k]))
        k++;
    if (k == TRAFFIC_KIND_COUNT) {
        char list[200] = "";
        for (unsigned j = 0; j < TRAFFIC_KIND_COUNT; j++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "",
                     traffic_kind_names[j]);
        snprintf(err, errlen, "%s.kind: '%s' is not a traffic kind (%s)", where, kind, list);
        return -1;
    }
    traffic_default_config(tc, name, (traffic_kind_t)k);
    tc->ip = PKT_IP(10, 0, 2, 200 + (index % 50));
    *network = NULL;
    if (get_string(e, "network", where, network, err, errlen) < 0)
        return -1;
    sched_params_t p;
    memset(&p, 0, sizeof p);
    p.traffic = tc->p;
    uint32_t mask = 0;
    if (traffic_props(e, where, (int)tc->kind, &p, &mask, err, errlen))
        return -1;
    tc->p = p.traffic;
    const char *pat;
    int r = get_string(e, "pattern", where, &pat, err, errlen);
    if (r < 0)
        return -1;
    if (!r) {
        if (!strcmp(pat, "constant"))
            tc->pattern = TRAFFIC_CONSTANT;
        else if (!strcmp(pat, "uniform"))
            tc->pattern = TRAFFIC_UNIFORM;
        else if (!strcmp(pat, "burst"))
            tc->pattern = TRAFFIC_BURST;
        else {
            snprintf(err, errlen, "%s.pattern: expected \"constant\", \"uniform\" or \"burst\"", where);
            return -1;
        }
    }
    uint64_t u;
    if ((r = get_uint(e, "burst", where, 1, 1000, &u, err, errlen)) < 0)
        return -1;
    if (!r)
        tc->burst = (uint32_t)u;
    if (get_mac(e, "mac", where, tc->mac, err, errlen) < 0 ||
        get_mac(e, "dst", where, tc->dst, err, errlen) < 0 ||
        get_ip(e, "address", where, &tc->ip, err, errlen) < 0 ||
        get_ip(e, "target", where, &tc->target_ip, err, errlen) < 0 ||
        get_bool(e, "spoof", where, &tc->spoof, err, errlen) < 0)
        return -1;
    if (tc->mac[0] & 1) {
        snprintf(err, errlen, "%s.mac: a host's own MAC must be unicast", where);
        return -1;
    }
    if ((r = get_uint(e, "port", where, 1, 65535, &u, err, errlen)) < 0)
        return -1;
    if (!r)
        tc->group_port = (uint16_t)u;
    const cJSON *groups = field(e, "groups");
    if (groups) {
        if (!cJSON_IsArray(groups) || cJSON_GetArraySize(groups) > TRAFFIC_MAX_GROUPS ||
            cJSON_GetArraySize(groups) == 0) {
            snprintf(err, errlen, "%s.groups: expected 1 to %d multicast addresses", where,
                     TRAFFIC_MAX_GROUPS);
            return -1;
        }
        const cJSON *g;
        cJSON_ArrayForEach(g, groups) {
            uint32_t a;
            if (!cJSON_IsString(g) || pkt_parse_ip(g->valuestring, &a, NULL) || (a >> 28) != 14) {
                snprintf(err, errlen, "%s.groups[%u]: expected an IPv4 multicast address "
                         "(224.0.0.0 to 239.255.255.255)", where, tc->ngroups);
                return -1;
            }
            tc->groups[tc->ngroups++] = a;
        }
    }
    sim_time_t from = 0, until = SIM_TIME_NEVER;
    if (get_time(e, "from", where, &from, err, errlen) < 0 ||
        get_time(e, "until", where, &until, err, errlen) < 0)
        return -1;
    if (until <= from) {
        char a[32], b[32];
        fmt_time(from, a);
        fmt_time(until, b);
        snprintf(err, errlen, "%s.until: %s must come after 'from' (%s)", where, b, a);
        return -1;
    }
    if (from > 0)
        tc->p.on = false;
    return 0;
}

int netconfig_apply_traffic(const cJSON *e, unsigned index, traffic_host_t *t, char *err,
                            size_t errlen)
{
    char where[64];
    snprintf(where, sizeof where, "network.hosts[%u]", index);
    sim_time_t from = 0, until = SIM_TIME_NEVER;
    get_time(e, "from", where, &from, err, errlen);
    get_time(e, "until", where, &until, err, errlen);
    traffic_params_t on;
    memset(&on, 0, sizeof on);
    if (from > 0) {
        on.on = true;
        traffic_schedule(t, from, TRAFFIC_ON, &on);
    }
    if (until != SIM_TIME_NEVER) {
        on.on = false;
        traffic_schedule(t, until, TRAFFIC_ON, &on);
    }
    sched_params_t cur;
    memset(&cur, 0, sizeof cur);
    cur.traffic = t->p;
    cur.traffic.on = true;
    return apply_schedule(e, where, &traffic_sched, (int)t->cfg.kind, t, &cur, err, errlen);
}

/* ---- live mode ---- */

int netconfig_live_forward(const char *text, live_forward_t *f)
{
    char guest[64];
    const char *eq = strchr(text, '=');
    if (!eq || (size_t)(eq - text) >= sizeof guest)
        return -1;
    memcpy(guest, text, (size_t)(eq - text));
    guest[eq - text] = 0;
    if (pkt_parse_ip(guest, &f->guest_ip, &f->guest_port) ||
        pkt_parse_ip(eq + 1, &f->host_ip, &f->host_port) || !f->guest_port || !f->host_port)
        return -1;
    return 0;
}

int netconfig_live(const cJSON *cfg, const char *base_dir, live_config_t *lc, char *paths,
                   size_t pathlen, const char **network, bool *present, char *err, size_t errlen)
{
    static const char *const keys[] = { "network", "backend", "tap", "forward", "record", "replay",
                                        NULL };
    *present = false;
    const cJSON *l = cfg ? field(cfg, "live") : NULL;
    if (!l)
        return 0;
    const char *w = "network.live";
    if (check_keys(l, keys, w, err, errlen))
        return -1;
    *present = true;
    if (get_string(l, "network", w, network, err, errlen) < 0)
        return -1;
    const char *be, *tap;
    int r = get_string(l, "backend", w, &be, err, errlen);
    if (r < 0)
        return -1;
    if (!r) {
        if (!strcmp(be, "tap"))
            lc->backend = LIVE_TAP;
        else if (!strcmp(be, "slirp"))
            lc->backend = LIVE_SLIRP;
        else {
            snprintf(err, errlen, "%s.backend: expected \"slirp\" or \"tap\"", w);
            return -1;
        }
    }
    if ((r = get_string(l, "tap", w, &tap, err, errlen)) < 0)
        return -1;
    if (!r) {
        if (strlen(tap) >= sizeof lc->tap_name) {
            snprintf(err, errlen, "%s.tap: interface names have at most 15 characters", w);
            return -1;
        }
        snprintf(lc->tap_name, sizeof lc->tap_name, "%s", tap);
        lc->backend = LIVE_TAP;
    }
    const cJSON *fw = field(l, "forward");
    if (fw) {
        if (!cJSON_IsArray(fw)) {
            snprintf(err, errlen, "%s.forward: expected an array of \"GUEST:PORT=HOST:PORT\"", w);
            return -1;
        }
        const cJSON *f;
        cJSON_ArrayForEach(f, fw) {
            if (lc->nfwd == LIVE_MAX_FORWARDS || !cJSON_IsString(f) ||
                netconfig_live_forward(f->valuestring, &lc->fwd[lc->nfwd])) {
                snprintf(err, errlen, "%s.forward[%u]: expected \"GUEST:PORT=HOST:PORT\" such as "
                         "\"10.0.2.100:80=127.0.0.1:8000\" (at most %d)", w, lc->nfwd,
                         LIVE_MAX_FORWARDS);
                return -1;
            }
            lc->nfwd++;
        }
    }
    const char *rec = NULL, *rep = NULL;
    const cJSON *inline_rec = field(l, "replay");
    if (cJSON_IsObject(inline_rec)) {
        /* a record carried inside the section (a scenario replay file) */
        lc->replay_json = inline_rec;
        inline_rec = NULL;
    } else {
        inline_rec = NULL;
        if (get_string(l, "replay", w, &rep, err, errlen) < 0)
            return -1;
    }
    if (get_string(l, "record", w, &rec, err, errlen) < 0)
        return -1;
    if (rec && lc->replay_json) {
        snprintf(err, errlen, "%s: 'record' and 'replay' exclude each other", w);
        return -1;
    }
    if (rec && rep) {
        snprintf(err, errlen, "%s: 'record' and 'replay' exclude each other", w);
        return -1;
    }
    size_t half = pathlen / 2;
    if (rec) {
        resolve_path(base_dir, rec, paths, half);
        lc->record_path = paths;
    }
    if (rep) {
        resolve_path(base_dir, rep, paths + half, half);
        lc->replay_path = paths + half;
    }
    return 0;
}

/* ---- the one call, and the older two-step form ---- */

int netconfig_build(network_t *n, machine_t *m, const cJSON *cfg, const char *base_dir,
                    const network_opts_t *cli, char *err, size_t errlen)
{
    network_opts_t o;
    if (cli)
        o = *cli;
    else
        memset(&o, 0, sizeof o);
    o.config = cfg;
    o.config_dir = base_dir;
    return network_build(n, m, &o, err, errlen);
}

int netconfig_server_opts(const cJSON *cfg, const char *base_dir, network_opts_t *o,
                          char *pathbuf, size_t pathlen, char *err, size_t errlen)
{
    (void)pathbuf;
    (void)pathlen;
    if (netconfig_check(cfg, err, errlen))
        return -1;
    o->config = cfg;
    o->config_dir = base_dir;
    return 0;
}

int netconfig_apply(const cJSON *cfg, network_t *n, char *err, size_t errlen)
{
    if (n->config_applied || !cfg)
        return 0;
    if (netconfig_check(cfg, err, errlen) || netconfig_apply_links(cfg, n, err, errlen) ||
        netconfig_apply_server(cfg, n->server, err, errlen))
        return -1;
    n->config_applied = true;
    return 0;
}
