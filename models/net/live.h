/*
 * Live mode: the device's network reaches the host's real network.
 *
 * Backends:
 * - slirp: libslirp in ordinary (not restricted) mode NATs the device's
 *   traffic onto host sockets. DHCP gives the device 10.0.2.15 with router
 *   10.0.2.2 and DNS 10.0.2.3 (forwarded to the host's resolver); 10.0.2.2
 *   is the host's loopback. "forward" rules make a virtual address:port
 *   reach a host address:port (10.0.2.100:80 -> 127.0.0.1:8000 lets
 *   firmware that knows only its update server's address reach a server on
 *   this machine): the host answers ARP and ping for the virtual address and
 *   rewrites the connection's address and port both ways.
 * - tap: frames go to and come from a TAP interface (/dev/net/tun), bridged
 *   wherever the user bridges it. Needs CAP_NET_ADMIN or a persistent TAP
 *   owned by the user; without /dev/net/tun it reports so and fails cleanly.
 *
 * The live host works in fixed ticks of virtual time (1 ms): frames from the
 * device wait for the next tick, and frames from the host enter the
 * simulation only at ticks. In live mode each tick also paces the run: when
 * virtual time is ahead of host time since the start, the tick waits (on the
 * host sockets) until host time catches up, so the device sees real servers
 * at their real speed. This is the one place where the simulator reads host
 * time; it does so only in live mode, and everything that reaches the
 * simulation from the host is recorded.
 *
 * Recording: every frame that enters the simulation from the host, and every
 * frame the device sends to it, with the virtual time of its tick, go to a
 * JSON file (README.md, "Live record"). Replay uses that file instead of the
 * host: the same tick events run, the recorded frames enter at their ticks,
 * and the device's frames are compared with the recorded ones (the first
 * difference is reported: the run has diverged, e.g. the firmware changed).
 * Because the tick events are the same in both modes, a replay is the same
 * run as the recorded one, frame for frame, with no host involved.
 */
#ifndef MODELS_NET_LIVE_H
#define MODELS_NET_LIVE_H

#include <cjson/cJSON.h>
#include "sim/netport.h"
#include "sim/sched.h"
#include "pkt.h"
#include "slirp_glue.h"

#define LIVE_MAX_FORWARDS 8
#define LIVE_NAT_ENTRIES 64
#define LIVE_QUEUE 256

typedef enum live_backend { LIVE_SLIRP, LIVE_TAP } live_backend_t;

typedef struct live_forward {
    uint32_t guest_ip, host_ip;
    uint16_t guest_port, host_port;
} live_forward_t;

typedef struct live_config {
    live_backend_t backend;
    char tap_name[16];          /* "" = the kernel names it */
    uint32_t net_addr, net_mask, host_addr, dns_addr, dhcp_start;
    live_forward_t fwd[LIVE_MAX_FORWARDS];
    unsigned nfwd;
    sim_time_t tick_ns;
    const char *record_path;    /* live: record here (may be NULL) */
    const char *replay_path;    /* replay from this file instead of the host ... */
    const cJSON *replay_json;   /* ... or from this object (a scenario replay file) */
} live_config_t;

typedef struct live_rec_frame {
    sim_time_t t;
    bool in;                    /* entered the simulation (else: the device sent it) */
    uint16_t len;
    uint8_t *data;
} live_rec_frame_t;

typedef struct live_stats {
    uint64_t frames_in, frames_out, ticks, waits, rx_overflow, replay_in, replay_out,
        nat_rewrites;
} live_stats_t;

typedef struct live_host {
    live_config_t cfg;
    bool replay;
    net_port_t port;
    sched_t *sched;
    sched_event_t tick_ev;
    /* live: the backend */
    struct Slirp *slirp;
    slirp_glue_t glue;
    int tap_fd;
    char tap_ifname[16];
    sim_time_t wall_start_ns;   /* host monotonic time of virtual time 'virt_start' */
    sim_time_t virt_start;
    struct { bool used; uint32_t dev_ip; uint16_t dev_port; uint8_t fwd; } nat[LIVE_NAT_ENTRIES];
    unsigned nat_next;
    uint16_t ip_id;
    pkt_frame_t rxq[LIVE_QUEUE];   /* from the device, for the next tick */
    unsigned rxq_n;
    pkt_frame_t txq[LIVE_QUEUE];   /* to the device, this tick */
    unsigned txq_n;
    FILE *rec;
    bool rec_first;
    /* replay */
    live_rec_frame_t *frames;
    size_t nframes, next_frame;
    bool diverged;
    sim_time_t diverged_at;
    live_stats_t stats;
} live_host_t;

void live_default_config(live_config_t *c);
/* Returns 0, or -1 with err (no TAP, slirp refused, bad record file). */
int live_init(live_host_t *h, sched_t *sched, const live_config_t *c, char *err, size_t errlen);
/* Finishes the record file. */
void live_free(live_host_t *h);

#endif
