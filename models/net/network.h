/*
 * The virtual network of a run, built from the board's "ethernet" section,
 * the network section of a scenario (or a --network file; netconfig.h) and
 * command-line options.
 *
 * Ports that name the same network form a segment. Hosts join segments by
 * name: the update server, traffic hosts, the live host. A segment of two
 * ports is one cable between them, named after the network ("lan"). A
 * segment of more than two ports, or one given a "switches" entry, becomes a
 * switch (switch.h) with one cable per port, named "<network>/<port>"
 * ("lan/eth.eth0", "lan/server", "lan/storm", "lan/live"). A segment of one
 * port is a cable with nothing at the other end (the device sees no link).
 *
 * Every cable registers controls "net.<cable>.up|loss|latency|jitter|
 * bandwidth|duplicate|corrupt|reorder|reorder_delay|max_frame" and a probe
 * "net.<cable>.fault"; the update server "net.server.stall|drip|corrupt|
 * unavailable|reset|reset_after" and probes "net.server.request|fault";
 * traffic hosts "net.<host>.rate|on".
 */
#ifndef MODELS_NET_NETWORK_H
#define MODELS_NET_NETWORK_H

#include <cjson/cJSON.h>
#include "sim/machine.h"
#include "link.h"
#include "live.h"
#include "pcap.h"
#include "switch.h"
#include "traffic.h"
#include "update_server.h"

#define NETWORK_MAX_SEGMENTS 8
#define NETWORK_MAX_LINKS 32
#define NETWORK_MAX_TRAFFIC 16
#define NETWORK_MAX_FORWARDS 8

typedef struct network_segment {
    char name[32];
    net_port_t *ports[SWITCH_MAX_PORTS];
    char port_names[SWITCH_MAX_PORTS][48];
    unsigned nports;
    bool want_switch;
    net_switch_config_t sw_cfg;
    net_switch_t *sw;          /* NULL: a single cable */
} network_segment_t;

typedef struct network {
    machine_t *m;
    network_segment_t segs[NETWORK_MAX_SEGMENTS];
    unsigned nsegs;
    net_link_t *links[NETWORK_MAX_LINKS];
    pcap_writer_t *link_pcap[NETWORK_MAX_LINKS]; /* a cable's own capture */
    unsigned nlinks;
    pcap_writer_t *pcap;       /* every cable */
    char pcap_path[512];
    update_server_t *server;
    traffic_host_t *traffic[NETWORK_MAX_TRAFFIC];
    unsigned ntraffic;
    live_host_t *live;
    char config_dir[512];      /* relative paths of the network section */
    bool config_applied;
} network_t;

typedef struct network_opts {
    const char *pcap_path;       /* capture every cable here */
    const char *serve_root;      /* an update server serving this folder joins ... */
    const char *serve_network;   /* ... this network (NULL: the board's first) */
    /* the network section (a scenario's "network" object or a --network file);
     * relative paths in it are resolved against config_dir */
    const cJSON *config;
    const char *config_dir;
    /* live mode from the command line */
    bool live;                   /* NAT the device's network through libslirp */
    const char *live_network;    /* NULL: the board's first network */
    const char *live_forward[NETWORK_MAX_FORWARDS]; /* "10.0.2.100:80=127.0.0.1:8000" */
    unsigned nlive_forward;
    const char *live_record;     /* record what enters the simulation */
    const char *live_replay;     /* replay a record instead of the host ... */
    const cJSON *live_replay_json; /* ... or a record object carried by a scenario replay file */
    const char *tap;             /* live through this TAP interface ("" = any name) */
} network_opts_t;

/* Build the networks and hosts, apply the network section. Returns 0, or -1
 * with err (which names the field, unit or time that is wrong). */
int network_build(network_t *n, machine_t *m, const network_opts_t *o, char *err, size_t errlen);
/* A cable by name; the name of a switched network gives the cable of its
 * first port (the board's device, as ports are taken in board order). */
net_link_t *network_find(network_t *n, const char *name);
traffic_host_t *network_find_traffic(network_t *n, const char *name);
/* Statistics and the capture's hash for the run's report. */
void network_report(network_t *n, cJSON *report);
void network_free(network_t *n);

#endif
