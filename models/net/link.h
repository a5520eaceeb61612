/*
 * A point-to-point Ethernet link between two ports (a cable), with the faults
 * a real network has: bandwidth, latency, jitter, loss, duplication,
 * corruption, reordering, a maximum frame size and up/down state. Each
 * property can change at a scheduled virtual time (only the properties a
 * change names are touched, so a control set at run time survives a later
 * change of another property). Randomness comes from the link's own stream
 * ("link.<name>") of the run's seed.
 */
#ifndef MODELS_NET_LINK_H
#define MODELS_NET_LINK_H

#include "sim/netport.h"
#include "sim/sched.h"
#include "sim/rng.h"
#include "sim/control.h"
#include "timeline.h"

#define LINK_INFLIGHT 256      /* frames on the wire and queued, both directions */

typedef struct net_link_params {
    uint64_t bandwidth_bps;    /* 0 = no serialization delay */
    sim_time_t latency_ns;     /* one way, after the last bit is sent */
    sim_time_t jitter_ns;      /* extra delay, uniform in [0, jitter]; never reorders */
    uint32_t loss_ppm;         /* frames lost, per million */
    uint32_t dup_ppm;          /* frames delivered twice */
    uint32_t corrupt_ppm;      /* frames with one flipped bit (receiver's CRC fails) */
    uint32_t reorder_ppm;      /* frames held back so that later ones overtake them */
    sim_time_t reorder_delay_ns; /* how long; 0 = four full-size frame times (1 ms unlimited) */
    uint32_t max_frame;        /* longest frame carried, without FCS */
    bool up;
} net_link_params_t;

/* Property bits for net_link_apply() and net_link_schedule(). */
enum {
    NET_LINK_BANDWIDTH = 1u << 0,
    NET_LINK_LATENCY = 1u << 1,
    NET_LINK_JITTER = 1u << 2,
    NET_LINK_LOSS = 1u << 3,
    NET_LINK_DUPLICATE = 1u << 4,
    NET_LINK_CORRUPT = 1u << 5,
    NET_LINK_REORDER = 1u << 6,
    NET_LINK_REORDER_DELAY = 1u << 7,
    NET_LINK_MAX_FRAME = 1u << 8,
    NET_LINK_UP = 1u << 9,
    NET_LINK_ALL = (1u << 10) - 1,
};

struct pcap_writer;

typedef struct net_link_slot {
    sched_event_t ev;
    struct net_link *link;
    bool used;
    int to;                    /* 0 or 1: destination end */
    bool fcs_ok;
    uint16_t len;
    uint8_t data[NET_FRAME_MAX];
} net_link_slot_t;

typedef struct net_link_change {
    net_timeline_item_t t;
    net_link_params_t p;
} net_link_change_t;

typedef struct net_link_stats {
    uint64_t sent, delivered, lost, duplicated, corrupted, reordered, too_big, down_drops,
        queue_drops;
} net_link_stats_t;

typedef struct net_link {
    char name[48];
    sched_t *sched;
    rng_t rng;
    net_port_t *end[2];
    net_link_params_t p;
    sim_time_t busy_until[2];  /* per direction: the sender's wire is busy until */
    sim_time_t last_arrival[2]; /* per direction: jitter keeps frames in order */
    net_link_slot_t slots[LINK_INFLIGHT];
    struct pcap_writer *pcap[2]; /* the run's capture and the link's own */
    net_timeline_t changes;    /* scheduled property changes */
    net_link_stats_t stats;
    sim_probe_t fault_probe;   /* a frame lost, corrupted, duplicated or reordered */
} net_link_t;

net_link_params_t net_link_default_params(void);
/* Join two ports (either may be NULL: an unplugged end). 'seed' is the run's seed. */
void net_link_init(net_link_t *l, const char *name, sched_t *sched, uint64_t seed,
                   net_port_t *a, net_port_t *b);
void net_link_destroy(net_link_t *l);
/* Change the properties in 'mask' now. */
void net_link_apply(net_link_t *l, uint32_t mask, const net_link_params_t *p);
void net_link_set_params(net_link_t *l, const net_link_params_t *p);
/* Change the properties in 'mask' at virtual time 'at' (kept in time order;
 * changes at the same time apply in the order they were added). */
int net_link_schedule(net_link_t *l, sim_time_t at, uint32_t mask, const net_link_params_t *p);
/* slot 0: the run's capture of every link; slot 1: this link's own file. */
void net_link_attach_pcap(net_link_t *l, unsigned slot, struct pcap_writer *w);
/* Wire time of a frame of 'len' bytes (without FCS) at the link's rate:
 * preamble/SFD 8, FCS 4, inter-frame gap 12 bytes. */
sim_time_t net_link_wire_time(const net_link_t *l, size_t len);
/* The link a port is plugged into, or NULL. */
net_link_t *net_link_of(const net_port_t *p);

#endif
