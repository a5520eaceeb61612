/*
 * A point-to-point Ethernet link between two ports (a cable), with the faults
 * a real network has: bandwidth, latency, jitter, loss, duplication,
 * corruption, reordering, a maximum frame size and up/down state, each
 * changeable at a scheduled virtual time. Randomness comes from the link's
 * own stream of the run's seed.
 */
#ifndef MODELS_NET_LINK_H
#define MODELS_NET_LINK_H

#include "sim/netport.h"
#include "sim/sched.h"
#include "sim/rng.h"

#define LINK_INFLIGHT 256

typedef struct net_link_params {
    uint64_t bandwidth_bps;    /* 0 = no serialization delay */
    sim_time_t latency_ns;     /* one way, after the last bit is sent */
    sim_time_t jitter_ns;      /* extra delay, uniform in [0, jitter] */
    uint32_t loss_ppm;         /* frames lost, per million */
    uint32_t dup_ppm;          /* frames delivered twice */
    uint32_t corrupt_ppm;      /* frames with one flipped bit (receiver's CRC fails) */
    uint32_t reorder_ppm;      /* frames held back so that later ones overtake them */
    uint32_t max_frame;        /* longest frame carried, without FCS (1514 for Ethernet) */
    bool up;
} net_link_params_t;

struct pcap_writer;
struct net_link;

/* What became of a frame, for a watcher of the link. */
enum net_link_fate {
    NET_LINK_SENT,          /* a port handed it to the link */
    NET_LINK_DELIVERED,     /* it arrived ('fcs_ok' false: corrupted on the way) */
    NET_LINK_LOST,          /* lost on the way (the loss rate) */
    NET_LINK_DOWN,          /* dropped: the cable is out */
    NET_LINK_TOO_BIG,       /* dropped: longer than max_frame */
    NET_LINK_QUEUE_FULL,    /* dropped: too many frames in flight */
    NET_LINK_CABLE,         /* not a frame: the cable was pulled or plugged (see p.up) */
};
/* A front end watching a link's frames (the UI's network timeline). 'from' is
 * the sending end (0 or 1; -1 for NET_LINK_CABLE). Called at the virtual time
 * it happens; it only reads, and must not send or change the link. */
typedef void (*net_link_watch_fn)(void *opaque, const struct net_link *l, int from,
                                  enum net_link_fate fate, bool fcs_ok, const uint8_t *frame,
                                  size_t len);

typedef struct net_link_slot {
    sched_event_t ev;
    struct net_link *link;
    bool used;
    int to;                    /* 0 or 1: destination end */
    bool fcs_ok;
    uint16_t len;
    uint8_t data[NET_FRAME_MAX];
} net_link_slot_t;

typedef struct net_link {
    char name[32];
    sched_t *sched;
    rng_t rng;
    net_port_t *end[2];
    net_link_params_t p;
    sim_time_t busy_until[2];  /* per direction: the sender's wire is busy until */
    net_link_slot_t slots[LINK_INFLIGHT];
    struct pcap_writer *pcap;
    /* scheduled parameter changes */
    sched_event_t change_ev;
    struct { sim_time_t at; net_link_params_t p; } changes[32];
    unsigned nchanges, next_change;
    /* statistics */
    uint64_t sent, delivered, lost, duplicated, corrupted, reordered, too_big, down_drops,
        queue_drops;
    net_link_watch_fn watch;
    void *watch_opaque;
} net_link_t;

net_link_params_t net_link_default_params(void);
/* Join two ports (either may be NULL until later). 'seed' is the run's seed. */
void net_link_init(net_link_t *l, const char *name, sched_t *sched, uint64_t seed,
                   net_port_t *a, net_port_t *b);
void net_link_set_params(net_link_t *l, const net_link_params_t *p);
/* Apply 'p' at virtual time 'at' (changes must be added in time order). */
int net_link_schedule(net_link_t *l, sim_time_t at, const net_link_params_t *p);
void net_link_attach_pcap(net_link_t *l, struct pcap_writer *w);
/* One watcher per link (NULL removes it). */
void net_link_watch(net_link_t *l, net_link_watch_fn fn, void *opaque);
/* Wire time of a frame of 'len' bytes (without FCS) at the link's rate:
 * preamble/SFD 8, FCS 4, inter-frame gap 12 bytes. */
sim_time_t net_link_wire_time(const net_link_t *l, size_t len);

#endif
