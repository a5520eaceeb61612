/*
 * Point-to-point Ethernet link with faults (see link.h).
 *
 * Timing: a frame occupies the sender's direction of the wire for its wire
 * time (preamble and SFD 8 bytes, the frame, FCS 4 bytes, inter-frame gap
 * 12 bytes at the link's rate); frames queue behind each other per
 * direction. The receiver gets it when its last bit (the FCS) arrives, plus
 * the latency and the jitter draw. Faults are decided per frame from the
 * link's RNG stream in a fixed order (loss, corruption, duplication,
 * reordering), so a seed gives exactly the same faults on every run.
 * Corruption flips one random bit; the frame is delivered with fcs_ok false
 * so the receiver's CRC check fails, as it would on a wire. A reordered frame
 * is held back by four wire times of a full-size frame.
 *
 * Captures record each frame as it arrives at a receiver (corruption
 * included), stamped with the arrival time.
 */
#include <stdio.h>
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
    p.max_frame = 1514;
    p.up = true;
    return p;
}

sim_time_t net_link_wire_time(const net_link_t *l, size_t len)
{
    if (!l->p.bandwidth_bps)
        return 0;
    uint64_t bits = (uint64_t)(PREAMBLE_BYTES + len + FCS_BYTES + IFG_BYTES) * 8;
    return (sim_time_t)(bits * 1000000000ull / l->p.bandwidth_bps);
}

static bool chance(net_link_t *l, uint32_t ppm)
{
    return ppm && rng_below(&l->rng, 1000000) < ppm;
}

static void watch(net_link_t *l, int from, enum net_link_fate fate, bool fcs_ok,
                  const uint8_t *frame, size_t len)
{
    if (l->watch)
        l->watch(l->watch_opaque, l, from, fate, fcs_ok, frame, len);
}

static void deliver(void *opaque)
{
    net_link_slot_t *s = opaque;
    net_link_t *l = s->link;
    s->used = false;
    net_port_t *to = l->end[s->to];
    if (!l->p.up || !to) {
        l->down_drops++;
        watch(l, 1 - s->to, NET_LINK_DOWN, s->fcs_ok, s->data, s->len);
        return;
    }
    if (l->pcap)
        pcap_writer_frame(l->pcap, l->sched->now, s->data, s->len);
    l->delivered++;
    watch(l, 1 - s->to, NET_LINK_DELIVERED, s->fcs_ok, s->data, s->len);
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
    l->queue_drops++;
    watch(l, 1 - to, NET_LINK_QUEUE_FULL, fcs_ok, frame, len);
    log_once(LOG_WARN, "link", 1, "link %s: more than %d frames in flight, dropping", l->name,
             LINK_INFLIGHT);
    return false;
}

static void link_send(void *opaque, net_port_t *from, const uint8_t *frame, size_t len)
{
    net_link_t *l = opaque;
    int dir = from == l->end[0] ? 0 : 1;
    int to = 1 - dir;
    l->sent++;
    watch(l, dir, NET_LINK_SENT, true, frame, len);
    if (!l->p.up) {
        l->down_drops++;
        watch(l, dir, NET_LINK_DOWN, true, frame, len);
        return;
    }
    if (len > l->p.max_frame || len > NET_FRAME_MAX) {
        l->too_big++;
        watch(l, dir, NET_LINK_TOO_BIG, true, frame, len);
        return;
    }
    /* the sender's wire time is spent whatever happens to the frame */
    sim_time_t start = l->busy_until[dir] > l->sched->now ? l->busy_until[dir] : l->sched->now;
    sim_time_t wire = net_link_wire_time(l, len);
    l->busy_until[dir] = start + wire;
    sim_time_t frame_time = l->p.bandwidth_bps
        ? (sim_time_t)((uint64_t)(PREAMBLE_BYTES + len + FCS_BYTES) * 8 * 1000000000ull / l->p.bandwidth_bps)
        : 0;
    sim_time_t at = start + frame_time + l->p.latency_ns; /* the FCS's last bit, then latency */
    if (l->p.jitter_ns)
        at += (sim_time_t)rng_below(&l->rng, (uint64_t)l->p.jitter_ns + 1);
    if (chance(l, l->p.loss_ppm)) {
        l->lost++;
        watch(l, dir, NET_LINK_LOST, true, frame, len);
        return;
    }
    uint8_t copy[NET_FRAME_MAX];
    memcpy(copy, frame, len);
    bool fcs_ok = true;
    if (len && chance(l, l->p.corrupt_ppm)) {
        uint64_t bit = rng_below(&l->rng, (uint64_t)len * 8);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        fcs_ok = false;
        l->corrupted++;
    }
    if (chance(l, l->p.reorder_ppm)) {
        at += 4 * net_link_wire_time(l, 1514);
        l->reordered++;
    }
    enqueue(l, to, copy, len, fcs_ok, at);
    if (chance(l, l->p.dup_ppm)) {
        l->duplicated++;
        enqueue(l, to, copy, len, fcs_ok, at + net_link_wire_time(l, len));
    }
}

static const net_port_peer_ops_t link_ops = { link_send };

static void apply(net_link_t *l, const net_link_params_t *p)
{
    bool was_up = l->p.up;
    l->p = *p;
    if (was_up != p->up) {
        watch(l, -1, NET_LINK_CABLE, true, NULL, 0);
        for (int e = 0; e < 2; e++)
            if (l->end[e])
                net_port_set_link(l->end[e], p->up);
    }
}

void net_link_set_params(net_link_t *l, const net_link_params_t *p)
{
    apply(l, p);
}

static void change_event(void *opaque)
{
    net_link_t *l = opaque;
    if (l->next_change < l->nchanges) {
        apply(l, &l->changes[l->next_change].p);
        l->next_change++;
    }
    if (l->next_change < l->nchanges)
        sched_at(l->sched, &l->change_ev, l->changes[l->next_change].at);
}

int net_link_schedule(net_link_t *l, sim_time_t at, const net_link_params_t *p)
{
    if (l->nchanges == sizeof l->changes / sizeof l->changes[0])
        return -1;
    if (l->nchanges && at < l->changes[l->nchanges - 1].at)
        return -1;
    l->changes[l->nchanges].at = at;
    l->changes[l->nchanges].p = *p;
    l->nchanges++;
    if (!sched_is_armed(&l->change_ev))
        sched_at(l->sched, &l->change_ev, l->changes[l->next_change].at);
    return 0;
}

void net_link_attach_pcap(net_link_t *l, pcap_writer_t *w)
{
    l->pcap = w;
}

void net_link_watch(net_link_t *l, net_link_watch_fn fn, void *opaque)
{
    l->watch = fn;
    l->watch_opaque = opaque;
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
        sched_event_init(&l->slots[k].ev, "link-deliver", deliver, &l->slots[k]);
        l->slots[k].link = l;
    }
    sched_event_init(&l->change_ev, "link-change", change_event, l);
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
