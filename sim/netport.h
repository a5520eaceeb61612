/*
 * Ethernet ports. A NIC model (ENC28J60) or a host (update server, traffic
 * generator) owns a net_port_t; a link (models/net) joins two ports.
 *
 * Contract:
 * - net_port_send() hands a complete frame (destination MAC .. payload, no
 *   preamble, WITHOUT the 4-byte FCS) to the link at the current virtual time.
 *   The sender has already spent its own wire time; the link adds latency,
 *   queueing behind earlier frames at its bandwidth, and faults.
 * - The link calls the peer's receive() from a scheduler event at the time the
 *   last bit arrives. 'fcs_ok' is false when the link corrupted the frame (the
 *   receiver's CRC check fails); frames are always delivered without FCS.
 * - link_changed() tells the owner that the cable went up or down.
 * - A port that is not connected drops what is sent (counted).
 */
#ifndef SIM_NETPORT_H
#define SIM_NETPORT_H

#include "types.h"

#define NET_FRAME_MAX 2048  /* longest frame a link carries, without FCS */

struct net_port;

typedef struct net_port_peer_ops {
    /* link side: called by net_port_send */
    void (*send)(void *link, struct net_port *from, const uint8_t *frame, size_t len);
    /* optional: a frame whose FCS is wrong (a repeater passing on a corrupted
     * frame, a fault generator); without it such frames are not sent */
    void (*send_bad_fcs)(void *link, struct net_port *from, const uint8_t *frame, size_t len);
} net_port_peer_ops_t;

typedef struct net_port {
    const char *name;   /* "eth0" */
    /* owner side, filled by the NIC/host model */
    void (*receive)(void *owner, const uint8_t *frame, size_t len, bool fcs_ok);
    void (*link_changed)(void *owner, bool up);
    void *owner;
    /* link side, filled by the link */
    const net_port_peer_ops_t *peer_ops;
    void *link;
    bool link_up;
    uint64_t tx_frames, rx_frames, tx_dropped;
} net_port_t;

void net_port_init(net_port_t *p, const char *name,
                   void (*receive)(void *, const uint8_t *, size_t, bool),
                   void (*link_changed)(void *, bool), void *owner);
void net_port_send(net_port_t *p, const uint8_t *frame, size_t len);
/* The same with the FCS given as good or bad (a bad one fails the receiver's CRC check). */
void net_port_send_fcs(net_port_t *p, const uint8_t *frame, size_t len, bool fcs_ok);
/* Link side: deliver to the owner / report a cable change. */
void net_port_deliver(net_port_t *p, const uint8_t *frame, size_t len, bool fcs_ok);
void net_port_set_link(net_port_t *p, bool up);

/* IEEE 802.3 CRC-32 (the FCS), as transmitted: crc32 of the frame. */
uint32_t net_crc32(const uint8_t *data, size_t len);

#endif
