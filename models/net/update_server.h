/*
 * The update server host: one network port behind which libslirp (QEMU's
 * user-mode TCP/IP stack) answers ARP, DHCP, ICMP echo for the gateway and
 * TCP, and an HTTP/1.1 file server (http_server.h) listens on a guestfwd
 * address and port. Around slirp, the host adds what restricted slirp does
 * not do itself:
 * - DNS for its own names on the nameserver address (10.0.2.3:53, dns.h);
 * - ICMP echo for the HTTP address (restricted slirp answers only the
 *   gateway and nameserver addresses);
 * - the router and DNS server options in DHCP offers and acks (restricted
 *   slirp leaves them out, so a device would have no nameserver);
 * - padding of short frames to the 60-byte Ethernet minimum, as its NIC would;
 * - a connection reset, which slirp cannot do from the server side: the host
 *   forges it as a middlebox on the wire would, a RST to the device with the
 *   server's next sequence number and one to slirp with the device's.
 *
 * Deterministic by construction: slirp's only clock is the virtual clock
 * (offset by 1 s, because slirp treats a millisecond clock of 0 as "none"),
 * IPv6 is off (its router-advertisement timer is random), restricted mode
 * opens no host socket, and slirp is driven by one fixed stepping policy: a
 * step runs when a frame arrives and at the deadline slirp asks for
 * (slirp_pollfds_fill), or earlier when an HTTP fault window opens or ends.
 */
#ifndef MODELS_NET_UPDATE_SERVER_H
#define MODELS_NET_UPDATE_SERVER_H

#include "sim/netport.h"
#include "sim/sched.h"
#include "dns.h"
#include "pkt.h"
#include "slirp_glue.h"
#include "http_server.h"

#define UPDATE_SERVER_RXQ 128

typedef struct update_server_config {
    const char *root;           /* folder served over HTTP */
    uint32_t net_addr;          /* 10.0.2.0, host byte order */
    uint32_t net_mask;          /* 255.255.255.0 */
    uint32_t host_addr;         /* slirp's gateway address 10.0.2.2 */
    uint32_t dns_addr;          /* 10.0.2.3 */
    uint32_t dhcp_start;        /* first address handed out, 10.0.2.15 */
    uint32_t http_addr;         /* 10.0.2.100 */
    uint16_t http_port;         /* 80 */
    char name[DNS_NAME_MAX];    /* "update": the DNS name of http_addr */
    char domain[DNS_NAME_MAX];  /* "glitchbox.test": DHCP domain, DNS zone */
    dns_zone_t extra;           /* more names the DNS answers */
} update_server_config_t;

typedef struct update_server_stats {
    uint64_t frames_in, frames_out, bad_fcs, rx_overflow, steps, forged_resets, closes,
        dns_queries, echo_replies, dhcp_replies;
} update_server_stats_t;

typedef struct update_server {
    net_port_t port;
    sched_t *sched;
    sched_event_t step_ev;
    struct Slirp *slirp;
    slirp_glue_t glue;
    update_server_config_t cfg;
    dns_zone_t zone;
    http_server_t http;
    /* frames received since the last step */
    pkt_frame_t rxq[UPDATE_SERVER_RXQ];
    unsigned rxq_n;
    /* frames to send at the end of the current step (slirp's and ours) */
    pkt_frame_t txq[UPDATE_SERVER_RXQ];
    unsigned txq_n;
    uint16_t ip_id;             /* for the frames the host builds itself */
    /* the current HTTP connection as seen on the wire */
    struct {
        bool open;
        uint8_t dev_mac[6], srv_mac[6];
        uint32_t dev_ip;
        uint16_t dev_port;
        uint32_t dev_iss, dev_nxt, srv_iss, srv_nxt;
        bool srv_syn_seen, dev_fin;
        uint64_t to_slirp;      /* response bytes handed to slirp */
    } conn;
    bool reset_pending, close_pending;
    sim_time_t reset_deadline;  /* forge the reset by then even if bytes are still queued */
    update_server_stats_t stats;
} update_server_t;

void update_server_default_config(update_server_config_t *c, const char *root);
/* Returns 0, or -1 with err (bad folder, slirp failed). The port is
 * update_server_t.port; a link joins it to the device. */
int update_server_init(update_server_t *s, sched_t *sched, const update_server_config_t *c,
                       char *err, size_t errlen);
void update_server_free(update_server_t *s);
/* Reset the current HTTP connection now (a control). */
void update_server_reset_connection(update_server_t *s);

#endif
