/*
 * Point-to-point Ethernet link with faults (see link.h).
 *
 * Timing: a frame occupies the sender's direction of the wire for its wire
 * time (preamble and SFD 8 bytes, the frame, FCS 4 bytes, inter-frame gap
 * 12 bytes at the link's rate); frames queue behind each other per
 * direction. The receiver gets it when its last bit (the FCS) arrives, plus
 * the latency and the jitter draw; jitter delays but never reorders (a frame
 * arrives no earlier than the one sent before it, as on a real cable or
 * queue). Faults are decided per frame from the link's RNG stream in a fixed
 * order (jitter, loss, corruption, reordering, duplication), so a seed gives
 * exactly the same faults on every run. Corruption flips one random bit; the
 * frame is delivered with fcs_ok false so the receiver's CRC check fails, as
 * it would on a wire. A reordered frame is held back by the reorder delay so
 * later frames overtake it. A duplicate arrives one wire time after the
 * original. Frames on the wire when the cable is pulled are lost.
 *
 * Captures record each frame as it arrives at a receiver (corruption
 * included), stamped with the arrival time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "link.h"
#include "pcap.h"
#include "sim/log.h"

#define PREAMBLE_BYTES 8
#define FCS_BYTES 4
#define IFG_BYTES 12

net_link_params_t net_link_default_params(void)
{
    net_link_params_t p;
    memset(&p, 0, sizeof p);
    p.bandwidth_bps = 10000000;
    p.latency_ns = SIM_US(5);
    p.max_frame = NET_FRAME_MAX; /* a cable carries whatever is sent; switches limit */
    p.up = true;
    return p;
}

static sim_time_t bits_time(const net_link_t *l, uint64_t bytes)
{
    if (!l->p.bandwidth_bps)
        return 0;
    return (sim_time_t)(bytes * 8 * 1000000000ull / l->p.bandwidth_bps);
}

sim_time_t net_link_wire_time(const net_link_t *l, size_t len)
{
    return bits_time(l, PREAMBLE_BYTES + len + FCS_BYTES + IFG_BYTES);
}

net_link_t *net_link_of(const net_port_t *p)
{
    return p && p->link ? (net_link_t *)p->link : NULL;
}

static bool chance(net_link_t *l, uint32_t ppm)
{
    return ppm && rng_below(&l->rng, 1000000) < ppm;
}

static void deliver(void *opaque)
{
    net_link_slot_t *s = opaque;
    net_link_t *l = s->link;
    s->used = false;
    net_port_t *to = l->end[s->to];
    if (!l->p.up || !to) {
        l->stats.down_drops++;
        return;
    }
    for (int k = 0; k < 2; k++)
        if (l->pcap[k])
            pcap_writer_frame(l->pcap[k], l->sched->now, s->data, s->len);
    l->stats.delivered++;
    net_port_deliver(to, s->data, s->len, s->fcs_ok);
}

static bool enqueue(net_link_t *l, int to, const uint8_t *frame, size_t len, bool fcs_ok,
                    sim_time_t at)
{
    for (unsigned k = 0; k < LINK_INFLIGHT; k++) {
        net_link_slot_t *s = &l->slots[k];
        if (s->used)
            continue;
        s->used = true;
        s->to = to;
        s->fcs_ok = fcs_ok;
        s->len = (uint16_t)len;
        memcpy(s->data, frame, len);
        sched_at(l->sched, &s->ev, at);
        return true;
    }
    l->stats.queue_drops++;
    log_once(LOG_WARN, "link", rng_hash_name(l->name),
             "link %s: more than %d frames in flight, dropping (a queue overflows)", l->name,
             LINK_INFLIGHT);
    return false;
}

static sim_time_t reorder_delay(const net_link_t *l)
{
    if (l->p.reorder_delay_ns)
        return l->p.reorder_delay_ns;
    return l->p.bandwidth_bps ? 4 * net_link_wire_time(l, 1514) : SIM_MS(1);
}

static void link_send(void *opaque, net_port_t *from, const uint8_t *frame, size_t len,
                      bool fcs_in)
{
    net_link_t *l = opaque;
    int dir = from == l->end[0] ? 0 : 1;
    int to = 1 - dir;
    l->stats.sent++;
    if (!l->p.up) {
        l->stats.down_drops++;
        return;
    }
    if (len > l->p.max_frame || len > NET_FRAME_MAX) {
        l->stats.too_big++;
        return;
    }
    /* the sender's wire time is spent whatever happens to the frame */
    sim_time_t now = l->sched->now;
    sim_time_t start = l->busy_until[dir] > now ? l->busy_until[dir] : now;
    l->busy_until[dir] = start + net_link_wire_time(l, len);
    /* the FCS's last bit, then latency */
    sim_time_t at = start + bits_time(l, PREAMBLE_BYTES + len + FCS_BYTES) + l->p.latency_ns;
    if (l->p.jitter_ns)
        at += (sim_time_t)rng_below(&l->rng, (uint64_t)l->p.jitter_ns + 1);
    if (chance(l, l->p.loss_ppm)) {
        l->stats.lost++;
        probe_hit(&l->fault_probe);
        return;
    }
    uint8_t copy[NET_FRAME_MAX];
    memcpy(copy, frame, len);
    bool fcs_ok = fcs_in;
    if (len && chance(l, l->p.corrupt_ppm)) {
        uint64_t bit = rng_below(&l->rng, (uint64_t)len * 8);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        fcs_ok = false;
        l->stats.corrupted++;
        probe_hit(&l->fault_probe);
    }
    if (chance(l, l->p.reorder_ppm)) {
        at += reorder_delay(l);
        l->stats.reordered++;
        probe_hit(&l->fault_probe);
    } else {
        if (at < l->last_arrival[dir])
            at = l->last_arrival[dir];
        l->last_arrival[dir] = at;
    }
    enqueue(l, to, copy, len, fcs_ok, at);
    if (chance(l, l->p.dup_ppm)) {
        l->stats.duplicated++;
        probe_hit(&l->fault_probe);
        sim_time_t dup_at = at + net_link_wire_time(l, len);
        if (dup_at > l->last_arrival[dir])
            l->last_arrival[dir] = dup_at;
        enqueue(l, to, copy, len, fcs_ok, dup_at);
    }
}

static void link_send_good(void *opaque, net_port_t *from, const uint8_t *frame, size_t len)
{
    link_send(opaque, from, frame, len, true);
}

static void link_send_bad(void *opaque, net_port_t *from, const uint8_t *frame, size_t len)
{
    link_send(opaque, from, frame, len, false);
}

static const net_port_peer_ops_t link_ops = { link_send_good, link_send_bad };

void net_link_apply(net_link_t *l, uint32_t mask, const net_link_params_t *p)
{
    bool was_up = l->p.up;
    net_link_params_t *d = &l->p;
    if (mask & NET_LINK_BANDWIDTH) d->bandwidth_bps = p->bandwidth_bps;
    if (mask & NET_LINK_LATENCY) d->latency_ns = p->latency_ns;
    if (mask & NET_LINK_JITTER) d->jitter_ns = p->jitter_ns;
    if (mask & NET_LINK_LOSS) d->loss_ppm = p->loss_ppm;
    if (mask & NET_LINK_DUPLICATE) d->dup_ppm = p->dup_ppm;
    if (mask & NET_LINK_CORRUPT) d->corrupt_ppm = p->corrupt_ppm;
    if (mask & NET_LINK_REORDER) d->reorder_ppm = p->reorder_ppm;
    if (mask & NET_LINK_REORDER_DELAY) d->reorder_delay_ns = p->reorder_delay_ns;
    if (mask & NET_LINK_MAX_FRAME) d->max_frame = p->max_frame;
    if (mask & NET_LINK_UP) d->up = p->up;
    if (was_up != d->up)
        for (int e = 0; e < 2; e++)
            if (l->end[e])
                net_port_set_link(l->end[e], d->up && l->end[1 - e]);
}

void net_link_set_params(net_link_t *l, const net_link_params_t *p)
{
    net_link_apply(l, NET_LINK_ALL, p);
}

static void apply_change(void *owner, const net_timeline_item_t *item)
{
    const net_link_change_t *c = (const net_link_change_t *)item;
    net_link_apply(owner, c->t.mask, &c->p);
}

int net_link_schedule(net_link_t *l, sim_time_t at, uint32_t mask, const net_link_params_t *p)
{
    net_link_change_t c;
    memset(&c, 0, sizeof c);
    c.t.at = at;
    c.t.mask = mask;
    c.p = *p;
    return net_timeline_add(&l->changes, &c.t);
}

void net_link_attach_pcap(net_link_t *l, unsigned slot, pcap_writer_t *w)
{
    if (slot < 2)
        l->pcap[slot] = w;
}

void net_link_init(net_link_t *l, const char *name, sched_t *sched, uint64_t seed,
                   net_port_t *a, net_port_t *b)
{
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->sched = sched;
    char stream[64];
    snprintf(stream, sizeof stream, "link.%s", name);
    rng_stream(&l->rng, seed, stream);
    l->p = net_link_default_params();
    l->end[0] = a;
    l->end[1] = b;
    for (unsigned k = 0; k < LINK_INFLIGHT; k++) {
        sched_event_init(&l->slots[k].ev, "link.deliver", deliver, &l->slots[k]);
        l->slots[k].link = l;
    }
    net_timeline_init(&l->changes, sched, "link.change", sizeof(net_link_change_t), apply_change, l);
    for (int e = 0; e < 2; e++) {
        net_port_t *p = e ? b : a;
        if (!p)
            continue;
        p->peer_ops = &link_ops;
        p->link = l;
        /* link pulses need something at the other end of the cable */
        net_port_set_link(p, a && b && l->p.up);
    }
}

void net_link_destroy(net_link_t *l)
{
    for (unsigned k = 0; k < LINK_INFLIGHT; k++)
        sched_cancel(l->sched, &l->slots[k].ev);
    net_timeline_destroy(&l->changes);
}
