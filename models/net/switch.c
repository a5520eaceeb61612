/* Learning switch and hub (see switch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "switch.h"

#define SWITCH_MIN_FRAME 60

void net_switch_default_config(net_switch_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->kind = NET_SWITCH_LEARNING;
    c->table_size = 1024;
    c->aging_ns = SIM_S(300);
    c->max_frame = 1518;
}

static net_switch_entry_t *find(const net_switch_t *s, const uint8_t mac[6])
{
    for (unsigned k = 0; k < s->cfg.table_size; k++)
        if (s->table[k].used && !memcmp(s->table[k].mac, mac, 6))
            return &s->table[k];
    return NULL;
}

static bool expired(const net_switch_t *s, const net_switch_entry_t *e)
{
    return s->cfg.aging_ns && s->sched->now - e->seen >= s->cfg.aging_ns;
}

int net_switch_lookup(const net_switch_t *s, const uint8_t mac[6])
{
    const net_switch_entry_t *e = find(s, mac);
    return e && !expired(s, e) ? e->port : -1;
}

static void learn(net_switch_t *s, const uint8_t mac[6], unsigned port)
{
    if (mac[0] & 1)
        return; /* a group address is never a source */
    net_switch_entry_t *e = find(s, mac);
    if (!e) {
        for (unsigned k = 0; k < s->cfg.table_size && !e; k++) {
            net_switch_entry_t *c = &s->table[k];
            if (!c->used || expired(s, c)) {
                if (c->used)
                    s->stats.aged_out++;
                e = c;
            }
        }
        if (!e) {
            s->stats.table_full++;
            return;
        }
        memcpy(e->mac, mac, 6);
        e->used = true;
        s->stats.learned++;
    }
    e->port = (uint8_t)port;
    e->seen = s->sched->now;
}

static void flood(net_switch_t *s, unsigned from, const uint8_t *frame, size_t len, bool fcs_ok)
{
    for (unsigned k = 0; k < s->nports; k++)
        if (k != from && s->ports[k].link_up)
            net_port_send_fcs(&s->ports[k], frame, len, fcs_ok);
}

static void port_receive(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    net_switch_port_ctx_t *c = owner;
    net_switch_t *s = c->sw;
    unsigned from = c->index;
    s->stats.frames_in++;
    if (s->cfg.kind == NET_SWITCH_HUB) {
        /* a repeater passes bit errors on: the receivers' CRC checks see them */
        s->stats.flooded++;
        flood(s, from, frame, len, fcs_ok);
        return;
    }
    if (!fcs_ok) {
        s->stats.bad_fcs++;
        return;
    }
    if (len < SWITCH_MIN_FRAME) {
        s->stats.runts++;
        return;
    }
    if (len > s->cfg.max_frame) {
        s->stats.too_big++;
        return;
    }
    learn(s, frame + 6, from);
    int to = (frame[0] & 1) ? -1 : net_switch_lookup(s, frame);
    if (to < 0) {
        s->stats.flooded++;
        flood(s, from, frame, len, true);
    } else if ((unsigned)to == from) {
        s->stats.filtered++;
    } else {
        s->stats.forwarded++;
        if (s->ports[to].link_up)
            net_port_send(&s->ports[to], frame, len);
    }
}

static void port_link_changed(void *owner, bool up)
{
    net_switch_port_ctx_t *c = owner;
    net_switch_t *s = c->sw;
    if (up || s->cfg.kind == NET_SWITCH_HUB)
        return;
    /* the station may come back elsewhere: forget what was learned on this port */
    for (unsigned k = 0; k < s->cfg.table_size; k++)
        if (s->table[k].used && s->table[k].port == c->index)
            s->table[k].used = false;
}

int net_switch_init(net_switch_t *s, const char *name, sched_t *sched, const net_switch_config_t *c)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->sched = sched;
    s->cfg = *c;
    if (s->cfg.kind == NET_SWITCH_LEARNING && !s->cfg.table_size)
        s->cfg.table_size = 1;
    if (s->cfg.table_size && !(s->table = calloc(s->cfg.table_size, sizeof *s->table)))
        return -1;
    return 0;
}

void net_switch_destroy(net_switch_t *s)
{
    free(s->table);
    s->table = NULL;
}

net_port_t *net_switch_add_port(net_switch_t *s, const char *name)
{
    if (s->nports == SWITCH_MAX_PORTS)
        return NULL;
    unsigned k = s->nports++;
    snprintf(s->port_names[k], sizeof s->port_names[k], "%s", name);
    s->ctx[k].sw = s;
    s->ctx[k].index = k;
    net_port_init(&s->ports[k], s->port_names[k], port_receive, port_link_changed, &s->ctx[k]);
    return &s->ports[k];
}
