/*
 * An Ethernet switch (or hub) joining several ports of one network. Each of
 * its ports is plugged into a cable (link.h) whose other end is a device or a
 * host, so a frame crosses two cables and the switch.
 *
 * Switch (IEEE 802.1D transparent bridge, store and forward): it learns the
 * source MAC of every good frame on the port it came from; a unicast frame to
 * a known MAC goes out of that port only (or nowhere, if that is the port it
 * came in on); broadcast, multicast and unknown unicast are flooded to every
 * other port whose cable is up. Entries age out ("aging", 300 s by default,
 * the 802.1D default) and are flushed when a port's cable goes down. A full
 * table learns nothing new, so frames to unlearned MACs are flooded (what a
 * MAC-flooding attack achieves on real switches). Frames with a bad FCS,
 * runts (shorter than 60 bytes without FCS) and frames longer than
 * "max_frame" (1518: an 802.1Q-tagged full-size frame) are dropped and
 * counted, as a store-and-forward switch does.
 *
 * Hub: a repeater. Every frame, good or bad, runts and oversize included,
 * goes out of every other port. Not modelled: collisions (every port is full
 * duplex), spanning tree, VLANs, pause frames, per-port egress queue limits
 * beyond the cable's in-flight limit, forwarding latency (add it to the
 * cables' latency).
 */
#ifndef MODELS_NET_SWITCH_H
#define MODELS_NET_SWITCH_H

#include "sim/netport.h"
#include "sim/sched.h"

#define SWITCH_MAX_PORTS 16

typedef enum net_switch_kind { NET_SWITCH_LEARNING, NET_SWITCH_HUB } net_switch_kind_t;

typedef struct net_switch_config {
    net_switch_kind_t kind;
    unsigned table_size;       /* MAC table entries (1024) */
    sim_time_t aging_ns;       /* 300 s */
    uint32_t max_frame;        /* without FCS (1518) */
} net_switch_config_t;

typedef struct net_switch_entry {
    uint8_t mac[6];
    uint8_t port;
    bool used;
    sim_time_t seen;
} net_switch_entry_t;

typedef struct net_switch_stats {
    uint64_t frames_in, forwarded, flooded, filtered, bad_fcs, runts, too_big, learned,
        table_full, aged_out;
} net_switch_stats_t;

struct net_switch;
typedef struct net_switch_port_ctx {
    struct net_switch *sw;
    unsigned index;
} net_switch_port_ctx_t;

typedef struct net_switch {
    char name[32];
    sched_t *sched;
    net_switch_config_t cfg;
    net_port_t ports[SWITCH_MAX_PORTS];
    char port_names[SWITCH_MAX_PORTS][48];
    net_switch_port_ctx_t ctx[SWITCH_MAX_PORTS];
    unsigned nports;
    net_switch_entry_t *table;
    net_switch_stats_t stats;
} net_switch_t;

void net_switch_default_config(net_switch_config_t *c);
/* Returns 0, or -1 if the table cannot be allocated. */
int net_switch_init(net_switch_t *s, const char *name, sched_t *sched, const net_switch_config_t *c);
void net_switch_destroy(net_switch_t *s);
/* A new port (to plug into a cable), or NULL when all are used. */
net_port_t *net_switch_add_port(net_switch_t *s, const char *name);
/* Port a MAC is learned on (-1: unknown or aged out), for tests and the UI. */
int net_switch_lookup(const net_switch_t *s, const uint8_t mac[6]);

#endif
