/*
 * Builds the run's networks from the board file (see network.h). A network
 * with two device ports becomes a cable between them; a network with one
 * port leaves it unconnected for now (hosts such as the update server join
 * networks by name); more than two ports need a switch, which is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "network.h"

int network_build(network_t *n, machine_t *m, const network_opts_t *o, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    if (o->pcap_path && !(n->pcap = pcap_writer_open(o->pcap_path, err, errlen)))
        return -1;
    const cJSON *eth = m->board_json ? cJSON_GetObjectItemCaseSensitive(m->board_json, "ethernet") : NULL;
    if (!eth) {
        if (o->serve_root) {
            snprintf(err, errlen, "the board has no Ethernet port for the update server to reach");
            return -1;
        }
        return 0;
    }
    /* gather ports per network name, in board order */
    struct { char name[32]; net_port_t *ports[4]; unsigned n; } nets[NETWORK_MAX_LINKS];
    unsigned nn = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, eth) {
        const cJSON *port = cJSON_GetObjectItemCaseSensitive(e, "port");
        const cJSON *net = cJSON_GetObjectItemCaseSensitive(e, "network");
        const char *netname = cJSON_IsString(net) ? net->valuestring : "lan";
        endpoint_t *ep = cJSON_IsString(port) ? machine_find_endpoint(m, port->valuestring) : NULL;
        if (!ep || ep->kind != EP_NET_PORT)
            continue; /* the board loader has reported it */
        unsigned k;
        for (k = 0; k < nn; k++)
            if (!strcmp(nets[k].name, netname))
                break;
        if (k == nn) {
            if (nn == NETWORK_MAX_LINKS) {
                snprintf(err, errlen, "more than %d networks", NETWORK_MAX_LINKS);
                return -1;
            }
            snprintf(nets[nn].name, sizeof nets[nn].name, "%s", netname);
            nets[nn].n = 0;
            nn++;
        }
        if (nets[k].n == 4) {
            snprintf(err, errlen, "network '%s': more than 4 ports", netname);
            return -1;
        }
        nets[k].ports[nets[k].n++] = ep->port;
    }
    if (o->serve_root) {
        unsigned k = 0;
        if (o->serve_network)
            for (k = 0; k < nn && strcmp(nets[k].name, o->serve_network); k++)
                ;
        if (k == nn) {
            snprintf(err, errlen, "update server: the board has no network '%s'",
                     o->serve_network ? o->serve_network : "");
            return -1;
        }
        update_server_config_t c;
        update_server_default_config(&c, o->serve_root);
        n->server = calloc(1, sizeof *n->server);
        if (!n->server || update_server_init(n->server, &m->sched, &c, err, errlen))
            return -1;
        if (nets[k].n == 4) {
            snprintf(err, errlen, "network '%s': more than 4 ports", nets[k].name);
            return -1;
        }
        nets[k].ports[nets[k].n++] = &n->server->port;
    }
    for (unsigned k = 0; k < nn; k++) {
        if (nets[k].n > 2) {
            snprintf(err, errlen, "network '%s' joins %u ports: a switch is needed, which this "
                     "version does not provide", nets[k].name, nets[k].n);
            return -1;
        }
        net_link_t *l = calloc(1, sizeof *l);
        if (!l) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        net_link_init(l, nets[k].name, &m->sched, m->seed, nets[k].ports[0],
                      nets[k].n > 1 ? nets[k].ports[1] : NULL);
        if (n->pcap)
            net_link_attach_pcap(l, n->pcap);
        snprintf(n->names[n->nlinks], sizeof n->names[0], "%s", nets[k].name);
        n->links[n->nlinks++] = l;
    }
    return 0;
}

net_link_t *network_find(network_t *n, const char *name)
{
    for (unsigned k = 0; k < n->nlinks; k++)
        if (!strcmp(n->names[k], name))
            return n->links[k];
    return NULL;
}

void network_free(network_t *n)
{
    for (unsigned k = 0; k < n->nlinks; k++)
        free(n->links[k]);
    if (n->server) {
        update_server_free(n->server);
        free(n->server);
    }
    pcap_writer_close(n->pcap);
    memset(n, 0, sizeof *n);
}
