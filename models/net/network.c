/*
 * Builds the run's network (see network.h): segments from the board, hosts
 * from the network section and the command line, a cable or a switch per
 * segment, then the section's cable properties, schedules and faults, and
 * the controls and probes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "network.h"
#include "netconfig.h"
#include "sim/sha256.h"

/* ---- controls ---- */

static const struct { const char *prop, *help; } link_controls[] = {
    { "up", "cable plugged in (true) or pulled (false)" },
    { "loss", "probability a frame is lost (0..1 or \"5%\")" },
    { "latency", "one-way latency (\"50us\")" },
    { "jitter", "extra delay, uniform up to this (\"20us\"); keeps frame order" },
    { "bandwidth", "bit rate (\"10Mbit\")" },
    { "duplicate", "probability a frame arrives twice" },
    { "corrupt", "probability a frame gets a bit flip (the receiver's CRC check fails)" },
    { "reorder", "probability a frame is held back and overtaken" },
    { "reorder_delay", "how long a reordered frame is held back (\"2ms\")" },
    { "max_frame", "longest frame carried, bytes without FCS" },
};

static int link_control(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    net_link_t *l = dev;
    const char *prop = strrchr(name, '.');
    prop = prop ? prop + 1 : name;
    char where[80];
    snprintf(where, sizeof where, "net.%s", l->name);
    net_link_params_t p = l->p;
    uint32_t mask = 0;
    if (netconfig_link_prop(prop, value, where, &p, &mask, err, errlen))
        return -1;
    net_link_apply(l, mask, &p);
    return 0;
}

static int server_control(void *dev, const char *name, const cJSON *v, char *err, size_t errlen)
{
    update_server_t *s = dev;
    const char *what = strrchr(name, '.');
    what = what ? what + 1 : name;
    bool off = cJSON_IsFalse(v) || (cJSON_IsNumber(v) && v->valuedouble == 0);
    bool number = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 4294967295.0 &&
                  v->valuedouble == (double)(uint64_t)v->valuedouble;
    if (!strcmp(what, "stall") || !strcmp(what, "unavailable")) {
        if (!cJSON_IsBool(v)) {
            snprintf(err, errlen, "net.server.%s: expected true or false", what);
            return -1;
        }
        http_server_set_manual(&s->http, what[0] == 's' ? HTTP_FAULT_STALL : HTTP_FAULT_503,
                               cJSON_IsTrue(v), 0);
    } else if (!strcmp(what, "drip") || !strcmp(what, "corrupt") || !strcmp(what, "reset_after")) {
        if (!off && !number) {
            snprintf(err, errlen, "net.server.%s: expected a whole number (%s) or false", what,
                     what[0] == 'd' ? "bytes per second" : what[0] == 'c' ? "body offset" : "bytes");
            return -1;
        }
        http_fault_kind_t k = what[0] == 'd' ? HTTP_FAULT_DRIP : what[0] == 'c' ? HTTP_FAULT_CORRUPT
                                                                               : HTTP_FAULT_RESET;
        if (k == HTTP_FAULT_CORRUPT || k == HTTP_FAULT_RESET)
            off = cJSON_IsFalse(v);
        http_server_set_manual(&s->http, k, !off, number ? (uint64_t)v->valuedouble : 0);
    } else if (!strcmp(what, "reset")) {
        if (!cJSON_IsTrue(v)) {
            snprintf(err, errlen, "net.server.reset: set it to true to reset the connection now");
            return -1;
        }
        update_server_reset_connection(s);
    } else {
        snprintf(err, errlen, "net.server: no control '%s'", what);
        return -1;
    }
    return 0;
}

static int traffic_control(void *dev, const char *name, const cJSON *v, char *err, size_t errlen)
{
    traffic_host_t *t = dev;
    const char *what = strrchr(name, '.');
    what = what ? what + 1 : name;
    traffic_params_t p = t->p;
    char where[64];
    snprintf(where, sizeof where, "net.%s", t->cfg.name);
    if (!strcmp(what, "rate")) {
        if (netconfig_rate(v, where, &p.rate_mfps, err, errlen))
            return -1;
        traffic_apply(t, TRAFFIC_RATE, &p);
        return 0;
    }
    if (!cJSON_IsBool(v)) {
        snprintf(err, errlen, "%s.on: expected true or false", where);
        return -1;
    }
    p.on = cJSON_IsTrue(v);
    traffic_apply(t, TRAFFIC_ON, &p);
    return 0;
}

static int add_controls(network_t *n, char *err, size_t errlen)
{
    machine_t *m = n->m;
    char name[80];
    for (unsigned k = 0; k < n->nlinks; k++) {
        net_link_t *l = n->links[k];
        for (unsigned c = 0; c < ARRAY_SIZE(link_controls); c++) {
            snprintf(name, sizeof name, "%s.%s", l->name, link_controls[c].prop);
            if (machine_add_control(m, "net", name, link_controls[c].help, link_control, l))
                goto fail;
        }
        snprintf(name, sizeof name, "%s.fault", l->name);
        if (machine_add_probe(m, "net", name, "the cable lost, corrupted, duplicated or "
                              "reordered a frame", &l->fault_probe))
            goto fail;
    }
    if (n->server) {
        static const struct { const char *name, *help; } sc[] = {
            { "server.stall", "true: the HTTP server sends nothing until false" },
            { "server.drip", "HTTP server sends at most N bytes per second (false: off)" },
            { "server.corrupt", "invert the body byte at this offset of every file (false: off)" },
            { "server.unavailable", "true: answer 503 to every request until false" },
            { "server.reset", "true: reset the current HTTP connection now (a forged RST)" },
            { "server.reset_after", "reset every connection after N response bytes (false: off)" },
        };
        for (unsigned c = 0; c < ARRAY_SIZE(sc); c++)
            if (machine_add_control(m, "net", sc[c].name, sc[c].help, server_control, n->server))
                goto fail;
        if (machine_add_probe(m, "net", "server.request", "an HTTP request arrived at the update "
                              "server", &n->server->http.request_probe) ||
            machine_add_probe(m, "net", "server.fault", "an update-server fault took effect",
                              &n->server->http.fault_probe))
            goto fail;
    }
    for (unsigned k = 0; k < n->ntraffic; k++) {
        traffic_host_t *t = n->traffic[k];
        snprintf(name, sizeof name, "%s.rate", t->cfg.name);
        if (machine_add_control(m, "net", name, "frames per second, or \"line\"", traffic_control, t))
            goto fail;
        snprintf(name, sizeof name, "%s.on", t->cfg.name);
        if (machine_add_control(m, "net", name, "the traffic host sends (true) or is quiet",
                                traffic_control, t))
            goto fail;
    }
    return 0;
fail:
    snprintf(err, errlen, "network controls: %s", m->error);
    return -1;
}

/* ---- building ---- */

static network_segment_t *segment(network_t *n, const char *name)
{
    for (unsigned k = 0; k < n->nsegs; k++)
        if (!strcmp(n->segs[k].name, name))
            return &n->segs[k];
    return NULL;
}

static int add_port(network_segment_t *s, net_port_t *p, const char *name, char *err, size_t errlen)
{
    if (s->nports == SWITCH_MAX_PORTS) {
        snprintf(err, errlen, "network '%s': more than %d ports", s->name, SWITCH_MAX_PORTS);
        return -1;
    }
    for (unsigned k = 0; k < s->nports; k++)
        if (!strcmp(s->port_names[k], name)) {
            snprintf(err, errlen, "network '%s': two ports named '%s'", s->name, name);
            return -1;
        }
    s->ports[s->nports] = p;
    snprintf(s->port_names[s->nports], sizeof s->port_names[0], "%s", name);
    s->nports++;
    return 0;
}

/* The segment a host joins: 'want' by name, else the board's first. */
static network_segment_t *host_segment(network_t *n, const char *want, const char *field,
                                       char *err, size_t errlen)
{
    if (!n->nsegs) {
        snprintf(err, errlen, "%s: the board has no Ethernet port for it to reach", field);
        return NULL;
    }
    if (!want)
        return &n->segs[0];
    network_segment_t *s = segment(n, want);
    if (!s) {
        char names[200] = "";
        for (unsigned k = 0; k < n->nsegs; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "",
                     n->segs[k].name);
        snprintf(err, errlen, "%s: the board has no network '%s' (it has: %s)", field, want, names);
    }
    return s;
}

static int board_segments(network_t *n, char *err, size_t errlen)
{
    machine_t *m = n->m;
    const cJSON *eth = m->board_json ? cJSON_GetObjectItemCaseSensitive(m->board_json, "ethernet") : NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, eth) {
        const cJSON *port = cJSON_GetObjectItemCaseSensitive(e, "port");
        const cJSON *net = cJSON_GetObjectItemCaseSensitive(e, "network");
        const char *netname = cJSON_IsString(net) ? net->valuestring : "lan";
        endpoint_t *ep = cJSON_IsString(port) ? machine_find_endpoint(m, port->valuestring) : NULL;
        if (!ep || ep->kind != EP_NET_PORT)
            continue; /* the board loader has reported it */
        network_segment_t *s = segment(n, netname);
        if (!s) {
            if (n->nsegs == NETWORK_MAX_SEGMENTS) {
                snprintf(err, errlen, "the board has more than %d networks", NETWORK_MAX_SEGMENTS);
                return -1;
            }
            if (strlen(netname) >= sizeof s->name || strchr(netname, '/') || strchr(netname, '.')) {
                snprintf(err, errlen, "network name '%s': up to 31 characters, no '/' or '.'", netname);
                return -1;
            }
            s = &n->segs[n->nsegs++];
            snprintf(s->name, sizeof s->name, "%s", netname);
        }
        if (add_port(s, ep->port, ep->name, err, errlen))
            return -1;
    }
    return 0;
}

static int add_server(network_t *n, const network_opts_t *o, char *err, size_t errlen)
{
    update_server_config_t sc;
    char root[1024];
    const char *net = NULL;
    bool present;
    if (netconfig_server(o->config, o->config_dir, &sc, root, sizeof root, &net, &present, err, errlen))
        return -1;
    if (!present && !o->serve_root)
        return 0;
    if (!present)
        update_server_default_config(&sc, o->serve_root);
    if (o->serve_root)
        sc.root = o->serve_root;
    if (!sc.root) {
        snprintf(err, errlen, "network.server.root: expected the folder to serve (or --serve DIR)");
        return -1;
    }
    if (o->serve_network)
        net = o->serve_network;
    network_segment_t *s = host_segment(n, net, "update server", err, errlen);
    if (!s)
        return -1;
    n->server = calloc(1, sizeof *n->server);
    if (!n->server) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (update_server_init(n->server, &n->m->sched, &sc, err, errlen)) {
        free(n->server);
        n->server = NULL;
        return -1;
    }
    return add_port(s, &n->server->port, "server", err, errlen);
}

static int add_traffic(network_t *n, const network_opts_t *o, char *err, size_t errlen)
{
    const cJSON *hosts = o->config ? cJSON_GetObjectItemCaseSensitive(o->config, "hosts") : NULL;
    if (hosts && !cJSON_IsArray(hosts)) {
        snprintf(err, errlen, "network.hosts: expected an array of traffic hosts");
        return -1;
    }
    const cJSON *e;
    for (unsigned k = 0; (e = netconfig_traffic_entry(o->config, k)); k++) {
        if (n->ntraffic == NETWORK_MAX_TRAFFIC) {
            snprintf(err, errlen, "network.hosts: at most %d traffic hosts", NETWORK_MAX_TRAFFIC);
            return -1;
        }
        traffic_config_t tc;
        const char *net = NULL;
        if (netconfig_traffic(e, k, &tc, &net, err, errlen))
            return -1;
        if (network_find_traffic(n, tc.name)) {
            snprintf(err, errlen, "network.hosts[%u].name: '%s' is used twice", k, tc.name);
            return -1;
        }
        char field[64];
        snprintf(field, sizeof field, "network.hosts[%u].network", k);
        network_segment_t *s = host_segment(n, net, field, err, errlen);
        if (!s)
            return -1;
        traffic_host_t *t = calloc(1, sizeof *t);
        if (!t) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        traffic_init(t, &n->m->sched, n->m->seed, &tc);
        n->traffic[n->ntraffic++] = t;
        if (add_port(s, &t->port, t->cfg.name, err, errlen))
            return -1;
    }
    return 0;
}

static int add_live(network_t *n, const network_opts_t *o, char *err, size_t errlen)
{
    live_config_t lc;
    live_default_config(&lc);
    char paths[2048]; /* the config's resolved record/replay paths, read during live_init */
    const char *net = NULL;
    bool present;
    if (netconfig_live(o->config, o->config_dir, &lc, paths, sizeof paths, &net, &present, err, errlen))
        return -1;
    if (!present && !o->live && !o->live_replay && !o->live_replay_json && !o->tap)
        return 0;
    if (o->tap) {
        lc.backend = LIVE_TAP;
        snprintf(lc.tap_name, sizeof lc.tap_name, "%s", o->tap);
    }
    for (unsigned k = 0; k < o->nlive_forward; k++) {
        if (lc.nfwd == LIVE_MAX_FORWARDS ||
            netconfig_live_forward(o->live_forward[k], &lc.fwd[lc.nfwd])) {
            snprintf(err, errlen, "--live-forward %s: expected GUEST:PORT=HOST:PORT such as "
                     "10.0.2.100:80=127.0.0.1:8000 (at most %d)", o->live_forward[k],
                     LIVE_MAX_FORWARDS);
            return -1;
        }
        lc.nfwd++;
    }
    if (o->live_record) {
        lc.record_path = o->live_record;
        lc.replay_path = NULL;
        lc.replay_json = NULL;
    }
    if (o->live_replay || o->live_replay_json) {
        lc.replay_path = o->live_replay;
        lc.replay_json = o->live_replay_json;
        lc.record_path = NULL;
    }
    if (o->live_network)
        net = o->live_network;
    network_segment_t *s = host_segment(n, net, "live mode", err, errlen);
    if (!s)
        return -1;
    for (unsigned k = 0; k < s->nports; k++)
        if (n->server && s->ports[k] == &n->server->port) {
            snprintf(err, errlen, "live mode and the update server cannot share network '%s' "
                     "(there would be two DHCP servers)", s->name);
            return -1;
        }
    n->live = calloc(1, sizeof *n->live);
    if (!n->live) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (live_init(n->live, &n->m->sched, &lc, err, errlen)) {
        free(n->live);
        n->live = NULL;
        return -1;
    }
    n->live->cfg.record_path = n->live->cfg.replay_path = NULL;
    n->live->cfg.replay_json = NULL;
    return add_port(s, &n->live->port, "live", err, errlen);
}

static int new_link(network_t *n, const char *name, net_port_t *a, net_port_t *b, char *err,
                    size_t errlen)
{
    if (n->nlinks == NETWORK_MAX_LINKS) {
        snprintf(err, errlen, "more than %d cables", NETWORK_MAX_LINKS);
        return -1;
    }
    net_link_t *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    net_link_init(l, name, &n->m->sched, n->m->seed, a, b);
    if (n->pcap)
        net_link_attach_pcap(l, 0, n->pcap);
    n->links[n->nlinks++] = l;
    return 0;
}

static int wire(network_t *n, const network_opts_t *o, char *err, size_t errlen)
{
    for (unsigned k = 0; k < n->nsegs; k++) {
        network_segment_t *s = &n->segs[k];
        if (netconfig_switch(o->config, s->name, &s->sw_cfg, &s->want_switch, err, errlen))
            return -1;
        if (s->nports <= 2 && !s->want_switch) {
            if (new_link(n, s->name, s->ports[0], s->nports > 1 ? s->ports[1] : NULL, err, errlen))
                return -1;
            continue;
        }
        s->sw = calloc(1, sizeof *s->sw);
        if (!s->sw || net_switch_init(s->sw, s->name, &n->m->sched, &s->sw_cfg)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (unsigned p = 0; p < s->nports; p++) {
            char name[96];
            snprintf(name, sizeof name, "%s/%s", s->name, s->port_names[p]);
            if (strlen(name) >= sizeof n->links[0]->name) {
                snprintf(err, errlen, "cable name '%s' is too long", name);
                return -1;
            }
            net_port_t *sp = net_switch_add_port(s->sw, s->port_names[p]);
            if (new_link(n, name, s->ports[p], sp, err, errlen))
                return -1;
        }
    }
    return 0;
}

static int build(network_t *n, const network_opts_t *o, char *err, size_t errlen)
{
    const cJSON *cfg = o->config;
    if (netconfig_check(cfg, err, errlen))
        return -1;
    const cJSON *pc = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, "pcap") : NULL;
    if (pc && !cJSON_IsString(pc)) {
        snprintf(err, errlen, "network.pcap: expected a file name");
        return -1;
    }
    if (o->pcap_path)
        snprintf(n->pcap_path, sizeof n->pcap_path, "%s", o->pcap_path);
    else if (pc && (pc->valuestring[0] == '/' || !n->config_dir[0]))
        snprintf(n->pcap_path, sizeof n->pcap_path, "%s", pc->valuestring);
    else if (pc)
        snprintf(n->pcap_path, sizeof n->pcap_path, "%s/%s", n->config_dir, pc->valuestring);
    if (n->pcap_path[0] && !(n->pcap = pcap_writer_open(n->pcap_path, err, errlen)))
        return -1;
    if (board_segments(n, err, errlen) || add_server(n, o, err, errlen) ||
        add_traffic(n, o, err, errlen) || add_live(n, o, err, errlen) || wire(n, o, err, errlen))
        return -1;
    if (cfg) {
        if (netconfig_apply_links(cfg, n, err, errlen) ||
            netconfig_apply_server(cfg, n->server, err, errlen))
            return -1;
        for (unsigned k = 0; k < n->ntraffic; k++)
            if (netconfig_apply_traffic(netconfig_traffic_entry(cfg, k), k, n->traffic[k], err, errlen))
                return -1;
        n->config_applied = true;
    }
    return add_controls(n, err, errlen);
}

int network_build(network_t *n, machine_t *m, const network_opts_t *o, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    n->m = m;
    if (o->config_dir)
        snprintf(n->config_dir, sizeof n->config_dir, "%s", o->config_dir);
    if (build(n, o, err, errlen)) {
        network_free(n);
        return -1;
    }
    return 0;
}

net_link_t *network_find(network_t *n, const char *name)
{
    for (unsigned k = 0; k < n->nlinks; k++)
        if (!strcmp(n->links[k]->name, name))
            return n->links[k];
    /* a switched network by its name: the cable of its first port */
    size_t nl = strlen(name);
    for (unsigned k = 0; k < n->nlinks; k++)
        if (!strncmp(n->links[k]->name, name, nl) && n->links[k]->name[nl] == '/')
            return n->links[k];
    return NULL;
}

traffic_host_t *network_find_traffic(network_t *n, const char *name)
{
    for (unsigned k = 0; k < n->ntraffic; k++)
        if (!strcmp(n->traffic[k]->cfg.name, name))
            return n->traffic[k];
    return NULL;
}

/* ---- report ---- */

static void add_u64(cJSON *o, const char *k, uint64_t v)
{
    cJSON_AddNumberToObject(o, k, (double)v);
}

void network_report(network_t *n, cJSON *report)
{
    if (!n->nlinks)
        return;
    cJSON *net = cJSON_AddObjectToObject(report, "network");
    cJSON *links = cJSON_AddObjectToObject(net, "links");
    for (unsigned k = 0; k < n->nlinks; k++) {
        const net_link_stats_t *s = &n->links[k]->stats;
        cJSON *l = cJSON_AddObjectToObject(links, n->links[k]->name);
        add_u64(l, "sent", s->sent);
        add_u64(l, "delivered", s->delivered);
        add_u64(l, "lost", s->lost);
        add_u64(l, "duplicated", s->duplicated);
        add_u64(l, "corrupted", s->corrupted);
        add_u64(l, "reordered", s->reordered);
        add_u64(l, "too_big", s->too_big);
        add_u64(l, "down_drops", s->down_drops);
        add_u64(l, "queue_drops", s->queue_drops);
    }
    for (unsigned k = 0; k < n->nsegs; k++) {
        const net_switch_t *sw = n->segs[k].sw;
        if (!sw)
            continue;
        cJSON *sws = cJSON_GetObjectItemCaseSensitive(net, "switches");
        if (!sws)
            sws = cJSON_AddObjectToObject(net, "switches");
        cJSON *o = cJSON_AddObjectToObject(sws, sw->name);
        cJSON_AddStringToObject(o, "kind", sw->cfg.kind == NET_SWITCH_HUB ? "hub" : "switch");
        add_u64(o, "frames_in", sw->stats.frames_in);
        add_u64(o, "forwarded", sw->stats.forwarded);
        add_u64(o, "flooded", sw->stats.flooded);
        add_u64(o, "filtered", sw->stats.filtered);
        add_u64(o, "dropped_bad_fcs", sw->stats.bad_fcs);
        add_u64(o, "dropped_runts", sw->stats.runts);
        add_u64(o, "dropped_too_big", sw->stats.too_big);
        add_u64(o, "learned", sw->stats.learned);
        add_u64(o, "table_full", sw->stats.table_full);
    }
    if (n->server) {
        const update_server_t *s = n->server;
        const http_server_stats_t *h = &s->http.stats;
        cJSON *o = cJSON_AddObjectToObject(net, "server");
        add_u64(o, "frames_in", s->stats.frames_in);
        add_u64(o, "frames_out", s->stats.frames_out);
        add_u64(o, "bad_fcs", s->stats.bad_fcs);
        add_u64(o, "dns_queries", s->stats.dns_queries);
        add_u64(o, "echo_replies", s->stats.echo_replies);
        add_u64(o, "http_connections", h->connections);
        add_u64(o, "http_requests", h->requests);
        add_u64(o, "http_200", h->responses_200);
        add_u64(o, "http_206", h->responses_206);
        add_u64(o, "http_404", h->responses_404);
        add_u64(o, "http_416", h->responses_416);
        add_u64(o, "http_503", h->responses_503);
        add_u64(o, "http_other", h->responses_other);
        add_u64(o, "body_bytes", h->body_bytes);
        add_u64(o, "forged_resets", s->stats.forged_resets);
        add_u64(o, "corrupted_bytes", h->corrupted_bytes);
    }
    if (n->ntraffic) {
        cJSON *tr = cJSON_AddObjectToObject(net, "traffic");
        for (unsigned k = 0; k < n->ntraffic; k++) {
            const traffic_host_t *t = n->traffic[k];
            cJSON *o = cJSON_AddObjectToObject(tr, t->cfg.name);
            cJSON_AddStringToObject(o, "kind", traffic_kind_names[t->cfg.kind]);
            add_u64(o, "sent", t->stats.sent);
            add_u64(o, "sent_bytes", t->stats.sent_bytes);
            add_u64(o, "received", t->stats.received);
            add_u64(o, "echo_replies", t->stats.echo_replies);
        }
    }
    if (n->live) {
        const live_host_t *h = n->live;
        /* The same in a live run and in its replay, so that a faithful replay
         * writes the same report; only a divergence shows. */
        cJSON *o = cJSON_AddObjectToObject(net, "live");
        cJSON_AddStringToObject(o, "backend", h->cfg.backend == LIVE_TAP ? "tap" : "slirp");
        add_u64(o, "frames_in", h->stats.frames_in);
        add_u64(o, "frames_out", h->stats.frames_out);
        if (h->replay && h->diverged) {
            cJSON_AddBoolToObject(o, "replay_diverged", true);
            add_u64(o, "diverged_at_ns", h->diverged_at);
        }
    }
    if (n->pcap) {
        /* No file name: the report depends on the inputs only (its hash is in "hashes"). */
        cJSON *o = cJSON_AddObjectToObject(net, "pcap");
        add_u64(o, "frames", pcap_writer_frames(n->pcap));
    }
}

void network_free(network_t *n)
{
    for (unsigned k = 0; k < n->nlinks; k++) {
        net_link_destroy(n->links[k]);
        free(n->links[k]);
        pcap_writer_close(n->link_pcap[k]);
    }
    for (unsigned k = 0; k < n->nsegs; k++)
        if (n->segs[k].sw) {
            net_switch_destroy(n->segs[k].sw);
            free(n->segs[k].sw);
        }
    if (n->server) {
        update_server_free(n->server);
        free(n->server);
    }
    for (unsigned k = 0; k < n->ntraffic; k++) {
        traffic_destroy(n->traffic[k]);
        free(n->traffic[k]);
    }
    if (n->live) {
        live_free(n->live);
        free(n->live);
    }
    pcap_writer_close(n->pcap);
    memset(n, 0, sizeof *n);
}
