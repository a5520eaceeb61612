/*
 * The virtual network of a run, built from the board's "ethernet" section:
 * ports that name the same network are joined (two ports: a cable).
 */
#ifndef MODELS_NET_NETWORK_H
#define MODELS_NET_NETWORK_H

#include "sim/machine.h"
#include "link.h"
#include "pcap.h"

#define NETWORK_MAX_LINKS 8

typedef struct network {
    net_link_t *links[NETWORK_MAX_LINKS];
    char names[NETWORK_MAX_LINKS][32];
    unsigned nlinks;
    pcap_writer_t *pcap;
} network_t;

/* Build the networks; with pcap_path, every link is captured to that file.
 * Returns 0, or -1 with err. */
int network_build(network_t *n, machine_t *m, const char *pcap_path, char *err, size_t errlen);
net_link_t *network_find(network_t *n, const char *name);
void network_free(network_t *n);

#endif
