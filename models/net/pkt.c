/* Framing helpers for the network's hosts (see pkt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pkt.h"
#include "sim/rng.h"

const uint8_t pkt_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

bool pkt_parse_arp(const uint8_t *f, size_t len, pkt_arp_t *a)
{
    if (len < PKT_ETH_HLEN + 28 || rd_be16(f + 12) != PKT_ETHERTYPE_ARP)
        return false;
    const uint8_t *p = f + PKT_ETH_HLEN;
    /* Ethernet hardware, IPv4 protocol, address lengths 6 and 4 */
    if (rd_be16(p) != 1 || rd_be16(p + 2) != PKT_ETHERTYPE_IPV4 || p[4] != 6 || p[5] != 4)
        return false;
    a->op = rd_be16(p + 6);
    memcpy(a->sha, p + 8, 6);
    a->spa = rd_be32(p + 14);
    memcpy(a->tha, p + 18, 6);
    a->tpa = rd_be32(p + 24);
    return true;
}

bool pkt_parse_ipv4(const uint8_t *f, size_t len, pkt_ipv4_t *v)
{
    if (len < PKT_ETH_HLEN + 20 || rd_be16(f + 12) != PKT_ETHERTYPE_IPV4)
        return false;
    const uint8_t *ip = f + PKT_ETH_HLEN;
    size_t hlen = (size_t)(ip[0] & 15) * 4;
    size_t total = rd_be16(ip + 2);
    if ((ip[0] >> 4) != 4 || hlen < 20 || total < hlen || total > len - PKT_ETH_HLEN)
        return false;
    v->ip = ip;
    v->hlen = hlen;
    v->total = total;
    v->id = rd_be16(ip + 4);
    v->fragment = (rd_be16(ip + 6) & 0x3FFF) != 0;
    v->ttl = ip[8];
    v->proto = ip[9];
    v->src = rd_be32(ip + 12);
    v->dst = rd_be32(ip + 16);
    v->l4 = ip + hlen;
    v->l4_len = total - hlen;
    return true;
}

bool pkt_parse_udp(const pkt_ipv4_t *ip, pkt_udp_t *u)
{
    if (ip->proto != PKT_PROTO_UDP || ip->fragment || ip->l4_len < 8)
        return false;
    size_t ulen = rd_be16(ip->l4 + 4);
    if (ulen < 8 || ulen > ip->l4_len)
        return false;
    u->sport = rd_be16(ip->l4);
    u->dport = rd_be16(ip->l4 + 2);
    u->data = ip->l4 + 8;
    u->len = ulen - 8;
    return true;
}

bool pkt_parse_tcp(const pkt_ipv4_t *ip, pkt_tcp_t *t)
{
    if (ip->proto != PKT_PROTO_TCP || ip->fragment || ip->l4_len < 20)
        return false;
    const uint8_t *p = ip->l4;
    size_t hlen = (size_t)(p[12] >> 4) * 4;
    if (hlen < 20 || hlen > ip->l4_len)
        return false;
    t->sport = rd_be16(p);
    t->dport = rd_be16(p + 2);
    t->seq = rd_be32(p + 4);
    t->ack = rd_be32(p + 8);
    t->flags = p[13];
    t->window = rd_be16(p + 14);
    t->hlen = hlen;
    t->opts = p + 20;
    t->opts_len = hlen - 20;
    t->data = p + hlen;
    t->len = ip->l4_len - hlen;
    return true;
}

bool pkt_parse_icmp(const pkt_ipv4_t *ip, pkt_icmp_t *c)
{
    if (ip->proto != PKT_PROTO_ICMP || ip->fragment || ip->l4_len < 4)
        return false;
    c->type = ip->l4[0];
    c->code = ip->l4[1];
    c->body = ip->l4 + 4;
    c->body_len = ip->l4_len - 4;
    return true;
}

uint32_t pkt_tcp_seg_len(const pkt_tcp_t *t)
{
    return (uint32_t)t->len + ((t->flags & PKT_TCP_SYN) ? 1u : 0u) + ((t->flags & PKT_TCP_FIN) ? 1u : 0u);
}

uint32_t pkt_sum(const uint8_t *p, size_t n, uint32_t acc)
{
    for (; n > 1; p += 2, n -= 2)
        acc += rd_be16(p);
    if (n)
        acc += (uint32_t)p[0] << 8;
    return acc;
}

uint16_t pkt_fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    uint8_t ph[12];
    wr_be32(ph, src);
    wr_be32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    wr_be16(ph + 10, (uint16_t)len);
    return pkt_sum(ph, sizeof ph, 0);
}

void pkt_fix_checksums(uint8_t *f, size_t len)
{
    pkt_ipv4_t v;
    if (!pkt_parse_ipv4(f, len, &v))
        return;
    uint8_t *ip = f + PKT_ETH_HLEN;
    uint8_t *l4 = ip + v.hlen;
    wr_be16(ip + 10, 0);
    wr_be16(ip + 10, pkt_fold(pkt_sum(ip, v.hlen, 0)));
    if (v.fragment)
        return;
    size_t off;
    if (v.proto == PKT_PROTO_TCP && v.l4_len >= 20)
        off = 16;
    else if (v.proto == PKT_PROTO_UDP && v.l4_len >= 8)
        off = 6;
    else if (v.proto == PKT_PROTO_ICMP && v.l4_len >= 4)
        off = 2;
    else
        return;
    wr_be16(l4 + off, 0);
    uint32_t acc = v.proto == PKT_PROTO_ICMP ? 0 : pseudo_sum(v.src, v.dst, v.proto, v.l4_len);
    uint16_t sum = pkt_fold(pkt_sum(l4, v.l4_len, acc));
    if (v.proto == PKT_PROTO_UDP && !sum)
        sum = 0xFFFF; /* 0 means "no checksum" in UDP */
    wr_be16(l4 + off, sum);
}

void pkt_slirp_mac(uint8_t mac[6], uint32_t ip)
{
    mac[0] = 0x52;
    mac[1] = 0x55;
    wr_be32(mac + 2, ip);
}

void pkt_mac_from_name(uint8_t mac[6], const char *name)
{
    uint64_t h = rng_hash_name(name);
    mac[0] = 0x02; /* locally administered, unicast */
    for (int k = 1; k < 6; k++)
        mac[k] = (uint8_t)(h >> (8 * k));
}

void pkt_multicast_mac(uint8_t mac[6], uint32_t group)
{
    mac[0] = 0x01;
    mac[1] = 0x00;
    mac[2] = 0x5e;
    mac[3] = (uint8_t)((group >> 16) & 0x7F);
    mac[4] = (uint8_t)(group >> 8);
    mac[5] = (uint8_t)group;
}

int pkt_parse_ip(const char *s, uint32_t *ip, uint16_t *port)
{
    unsigned a, b, c, d, p = 0;
    char tail;
    int n = port ? sscanf(s, "%u.%u.%u.%u:%u%c", &a, &b, &c, &d, &p, &tail)
                 : sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail);
    if (n != (port ? 5 : 4) || a > 255 || b > 255 || c > 255 || d > 255 || p > 65535)
        return -1;
    *ip = PKT_IP(a, b, c, d);
    if (port)
        *port = (uint16_t)p;
    return 0;
}

void pkt_format_ip(uint32_t ip, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

size_t pkt_build_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type,
                     const uint8_t *payload, size_t len)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    wr_be16(f + 12, type);
    if (payload && len)
        memmove(f + PKT_ETH_HLEN, payload, len);
    size_t n = PKT_ETH_HLEN + len;
    if (n < PKT_ETH_MIN) {
        memset(f + n, 0, PKT_ETH_MIN - n);
        n = PKT_ETH_MIN;
    }
    return n;
}

size_t pkt_build_arp(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t op,
                     const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
    uint8_t a[28];
    wr_be16(a, 1);
    wr_be16(a + 2, PKT_ETHERTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    wr_be16(a + 6, op);
    memcpy(a + 8, sha, 6);
    wr_be32(a + 14, spa);
    memcpy(a + 18, tha, 6);
    wr_be32(a + 24, tpa);
    return pkt_build_eth(f, dst, src, PKT_ETHERTYPE_ARP, a, sizeof a);
}

size_t pkt_build_ipv4(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, uint8_t ttl,
                      const uint8_t *l4, size_t l4_len)
{
    uint8_t *ip = f + PKT_ETH_HLEN;
    if (l4 && l4_len)
        memmove(ip + 20, l4, l4_len);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    wr_be16(ip + 2, (uint16_t)(20 + l4_len));
    wr_be16(ip + 4, id);
    wr_be16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = ttl;
    ip[9] = proto;
    wr_be32(ip + 12, src);
    wr_be32(ip + 16, dst);
    size_t n = pkt_build_eth(f, dst_mac, src_mac, PKT_ETHERTYPE_IPV4, NULL, 20 + l4_len);
    pkt_fix_checksums(f, n);
    return n;
}

size_t pkt_build_udp(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                     uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint16_t id,
                     const uint8_t *data, size_t len)
{
    uint8_t *u = f + PKT_ETH_HLEN + 20;
    if (data && len)
        memmove(u + 8, data, len);
    wr_be16(u, sport);
    wr_be16(u + 2, dport);
    wr_be16(u + 4, (uint16_t)(8 + len));
    wr_be16(u + 6, 0);
    return pkt_build_ipv4(f, dst_mac, src_mac, src, dst, PKT_PROTO_UDP, id, 64, NULL, 8 + len);
}

size_t pkt_build_tcp(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                     uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint16_t id,
                     uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
                     const uint8_t *opts, size_t opts_len, const uint8_t *data, size_t len)
{
    size_t hlen = 20 + ((opts_len + 3) & ~(size_t)3);
    uint8_t *t = f + PKT_ETH_HLEN + 20;
    if (data && len)
        memmove(t + hlen, data, len);
    memset(t, 0, hlen);
    wr_be16(t, sport);
    wr_be16(t + 2, dport);
    wr_be32(t + 4, seq);
    wr_be32(t + 8, ack);
    t[12] = (uint8_t)((hlen / 4) << 4);
    t[13] = flags;
    wr_be16(t + 14, window);
    if (opts_len)
        memcpy(t + 20, opts, opts_len);
    return pkt_build_ipv4(f, dst_mac, src_mac, src, dst, PKT_PROTO_TCP, id, 64, NULL, hlen + len);
}

size_t pkt_build_icmp(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                      uint32_t src, uint32_t dst, uint16_t id, uint8_t type, uint8_t code,
                      const uint8_t *body, size_t body_len)
{
    uint8_t *c = f + PKT_ETH_HLEN + 20;
    if (body && body_len)
        memmove(c + 4, body, body_len);
    c[0] = type;
    c[1] = code;
    wr_be16(c + 2, 0);
    return pkt_build_ipv4(f, dst_mac, src_mac, src, dst, PKT_PROTO_ICMP, id, 64, NULL, 4 + body_len);
}
