/*
 * Ethernet, ARP, IPv4, ICMP, UDP and TCP framing for the hosts of the
 * virtual network (update server, traffic hosts, the test client, the live
 * NAT). Parsers return views into the frame; builders write a complete
 * frame (without FCS, padded to the 60-byte Ethernet minimum as a NIC would)
 * with correct checksums and return its length. Addresses and ports are in
 * host byte order.
 */
#ifndef MODELS_NET_PKT_H
#define MODELS_NET_PKT_H

#include "sim/types.h"
#include "sim/netport.h"

#define PKT_ETH_HLEN 14
#define PKT_ETH_MIN 60          /* shortest frame on the wire, without FCS */
#define PKT_ETH_MAX 1514        /* longest untagged frame, without FCS */

#define PKT_ETHERTYPE_IPV4 0x0800
#define PKT_ETHERTYPE_ARP 0x0806
#define PKT_ETHERTYPE_LOCAL 0x88B5  /* IEEE 802 local experimental */

#define PKT_PROTO_ICMP 1
#define PKT_PROTO_TCP 6
#define PKT_PROTO_UDP 17

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

#define PKT_IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

extern const uint8_t pkt_broadcast[6];

/* A frame held by a host between receiving and handling it. */
typedef struct pkt_frame {
    uint16_t len;
    uint8_t data[NET_FRAME_MAX];
} pkt_frame_t;

typedef struct pkt_arp {
    uint16_t op;                /* 1 request, 2 reply */
    uint8_t sha[6], tha[6];
    uint32_t spa, tpa;
} pkt_arp_t;

typedef struct pkt_ipv4 {
    const uint8_t *ip;          /* IPv4 header inside the frame */
    size_t hlen, total;         /* header length, total length from the header */
    uint32_t src, dst;
    uint8_t proto, ttl;
    uint16_t id;
    bool fragment;              /* MF set or a non-zero offset */
    const uint8_t *l4;
    size_t l4_len;
} pkt_ipv4_t;

typedef struct pkt_udp {
    uint16_t sport, dport;
    const uint8_t *data;
    size_t len;
} pkt_udp_t;

typedef struct pkt_tcp {
    uint16_t sport, dport, window;
    uint32_t seq, ack;
    uint8_t flags;
    size_t hlen;
    const uint8_t *opts;
    size_t opts_len;
    const uint8_t *data;
    size_t len;
} pkt_tcp_t;

typedef struct pkt_icmp {
    uint8_t type, code;
    const uint8_t *body;        /* after type, code and checksum */
    size_t body_len;
} pkt_icmp_t;

bool pkt_parse_arp(const uint8_t *f, size_t len, pkt_arp_t *a);
/* An unfragmented or fragmented IPv4 datagram with a valid header. */
bool pkt_parse_ipv4(const uint8_t *f, size_t len, pkt_ipv4_t *v);
bool pkt_parse_udp(const pkt_ipv4_t *ip, pkt_udp_t *u);
bool pkt_parse_tcp(const pkt_ipv4_t *ip, pkt_tcp_t *t);
bool pkt_parse_icmp(const pkt_ipv4_t *ip, pkt_icmp_t *c);
/* Sequence space a TCP segment takes (payload, SYN and FIN count one each). */
uint32_t pkt_tcp_seg_len(const pkt_tcp_t *t);

/* One's-complement sum (RFC 1071) and its folded complement. */
uint32_t pkt_sum(const uint8_t *p, size_t n, uint32_t acc);
uint16_t pkt_fold(uint32_t acc);
/* Recompute the IPv4 header checksum and the TCP/UDP/ICMP checksum of an
 * IPv4 frame after its addresses or ports were rewritten. */
void pkt_fix_checksums(uint8_t *f, size_t len);

/* The MAC address libslirp gives a virtual address: 52:55 then the IPv4
 * address (10.0.2.2 is 52:55:0a:00:02:02). */
void pkt_slirp_mac(uint8_t mac[6], uint32_t ip);
/* A locally administered unicast MAC derived from a name. */
void pkt_mac_from_name(uint8_t mac[6], const char *name);
/* 01:00:5e + the low 23 bits of an IPv4 multicast group. */
void pkt_multicast_mac(uint8_t mac[6], uint32_t group);
/* Parse "a.b.c.d" (and "a.b.c.d:port" when port is not NULL). */
int pkt_parse_ip(const char *s, uint32_t *ip, uint16_t *port);
void pkt_format_ip(uint32_t ip, char out[16]);

/* Builders. 'f' must hold PKT_ETH_MAX bytes (or the frame's size). */
size_t pkt_build_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type,
                     const uint8_t *payload, size_t len);
size_t pkt_build_arp(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t op,
                     const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa);
size_t pkt_build_ipv4(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, uint8_t ttl,
                      const uint8_t *l4, size_t l4_len);
size_t pkt_build_udp(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                     uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint16_t id,
                     const uint8_t *data, size_t len);
size_t pkt_build_tcp(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                     uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint16_t id,
                     uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
                     const uint8_t *opts, size_t opts_len, const uint8_t *data, size_t len);
size_t pkt_build_icmp(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      uint32_t src, uint32_t dst, uint16_t id, uint8_t type, uint8_t code,
                      const uint8_t *body, size_t body_len);

#endif
