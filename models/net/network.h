/*
 * The virtual network of a run, built from the board's "ethernet" section:
 * ports that name the same network are joined (two ports: a cable).
 */
#ifndef MODELS_NET_NETWORK_H
#define MODELS_NET_NETWORK_H

#include "sim/machine.h"
#include "link.h"
#include "pcap.h"
#include "update_server.h"

#define NETWORK_MAX_LINKS 8

typedef struct network {
    net_link_t *links[NETWORK_MAX_LINKS];
    char names[NETWORK_MAX_LINKS][32];
    unsigned nlinks;
    pcap_writer_t *pcap;
    update_server_t *server;
} network_t;

typedef struct network_opts {
    const char *pcap_path;       /* capture every link here */
    const char *serve_root;      /* an update server serving this folder joins ... */
    const char *serve_network;   /* ... this network (NULL: the board's first) */
} network_opts_t;

/* Build the networks and hosts. Returns 0, or -1 with err. */
int network_build(network_t *n, machine_t *m, const network_opts_t *o, char *err, size_t errlen);
net_link_t *network_find(network_t *n, const char *name);
void network_free(network_t *n);

#endif
