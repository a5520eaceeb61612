/*
 * Traffic hosts: neighbours on the device's network that send unwanted
 * traffic at a rate and on a schedule, to load the device's receive path
 * (an ENC28J60's receive ring can be pushed into overflow).
 *
 * Kinds (frame sizes are without FCS):
 * - broadcast_storm: UDP broadcasts (to 255.255.255.255:9, discard) of "size"
 *   bytes (60);
 * - arp_flood: ARP requests for "target" (default: a random address of the
 *   subnet each time), from the host or, with "spoof", from a random MAC and
 *   address each time (which also fills a switch's MAC table);
 * - multicast_noise: mDNS queries (224.0.0.251:5353) and SSDP searches
 *   (239.255.255.250:1900) in turn, or UDP of "size" bytes to the "groups"
 *   given, each to its 01:00:5e MAC;
 * - runt: frames shorter than the 60-byte minimum ("size", 32), to "dst"
 *   (broadcast by default), EtherType 0x88B5 (local experimental);
 * - oversize: frames longer than 1514 bytes ("size", 1600), likewise;
 * - bad_fcs: broadcast frames of "size" bytes whose FCS is wrong;
 * - chatty_neighbour: a host that talks to the device ("target", 10.0.2.15)
 *   in turn with ICMP echo requests, UDP datagrams, ARP requests for the
 *   device and gratuitous ARP for itself; it learns the device's MAC from
 *   ARP, and answers ARP and echo requests itself, as a real neighbour does.
 * Every host with an address answers ARP requests for it.
 *
 * Rate: frames per second, or "line" (back to back at the cable's bit rate).
 * Pattern: "constant" (evenly spaced), "uniform" (each gap uniform in 0..2
 * times the mean gap, from the host's own RNG stream "net.host.<name>"),
 * "burst" ("burst" frames back to back, then a gap keeping the mean rate).
 * "size_max" (more than "size") draws each frame's length uniformly from
 * size..size_max, from the host's stream: traffic of mixed sizes fills a
 * receive ring to every possible level.
 * The rate, size and on/off state change on a schedule (traffic_schedule),
 * with the same rules as link changes.
 */
#ifndef MODELS_NET_TRAFFIC_H
#define MODELS_NET_TRAFFIC_H

#include "sim/netport.h"
#include "sim/sched.h"
#include "sim/rng.h"
#include "timeline.h"

typedef enum traffic_kind {
    TRAFFIC_BROADCAST_STORM,
    TRAFFIC_ARP_FLOOD,
    TRAFFIC_MULTICAST_NOISE,
    TRAFFIC_RUNT,
    TRAFFIC_OVERSIZE,
    TRAFFIC_BAD_FCS,
    TRAFFIC_CHATTY_NEIGHBOUR,
    TRAFFIC_KIND_COUNT,
} traffic_kind_t;

typedef enum traffic_pattern { TRAFFIC_CONSTANT, TRAFFIC_UNIFORM, TRAFFIC_BURST } traffic_pattern_t;

#define TRAFFIC_RATE_LINE UINT64_MAX  /* rate_mfps: back to back on the wire */
#define TRAFFIC_MAX_GROUPS 8

typedef struct traffic_params {
    uint64_t rate_mfps;        /* milli-frames per second (1000 = 1 frame/s) */
    uint32_t size;             /* frame length without FCS, where the kind has one */
    uint32_t size_max;         /* > size: each frame's length is drawn from size..size_max */
    bool on;
} traffic_params_t;

enum { TRAFFIC_RATE = 1u << 0, TRAFFIC_SIZE = 1u << 1, TRAFFIC_ON = 1u << 2,
       TRAFFIC_ALL = (1u << 3) - 1 };

typedef struct traffic_config {
    char name[32];
    traffic_kind_t kind;
    uint8_t mac[6];
    uint32_t ip;               /* 0: none (arp_flood with spoof) */
    uint32_t net_addr, net_mask;
    uint32_t target_ip;        /* arp_flood (0: random), chatty_neighbour */
    uint8_t dst[6];            /* runt, oversize */
    bool spoof;
    uint32_t groups[TRAFFIC_MAX_GROUPS];
    unsigned ngroups;
    uint16_t group_port;
    traffic_pattern_t pattern;
    uint32_t burst;
    traffic_params_t p;
} traffic_config_t;

typedef struct traffic_change {
    net_timeline_item_t t;
    traffic_params_t p;
} traffic_change_t;

typedef struct traffic_stats {
    uint64_t sent, sent_bytes, received, arp_replies, echo_replies, echo_answers;
} traffic_stats_t;

typedef struct traffic_host {
    traffic_config_t cfg;
    net_port_t port;
    sched_t *sched;
    rng_t rng;
    traffic_params_t p;
    sched_event_t send_ev;
    net_timeline_t changes;
    unsigned turn;             /* which message comes next (multicast, chatty) */
    uint8_t target_mac[6];
    bool target_known;
    uint16_t ip_id, echo_seq;
    traffic_stats_t stats;
} traffic_host_t;

extern const char *const traffic_kind_names[TRAFFIC_KIND_COUNT];
/* Defaults of a kind: rate 100 frames/s, constant, the kind's frame size. */
void traffic_default_config(traffic_config_t *c, const char *name, traffic_kind_t kind);
void traffic_init(traffic_host_t *t, sched_t *sched, uint64_t seed, const traffic_config_t *c);
void traffic_destroy(traffic_host_t *t);
int traffic_schedule(traffic_host_t *t, sim_time_t at, uint32_t mask, const traffic_params_t *p);
void traffic_apply(traffic_host_t *t, uint32_t mask, const traffic_params_t *p);

#endif
