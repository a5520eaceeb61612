/* Traffic hosts (see traffic.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "traffic.h"
#include "link.h"
#include "pkt.h"

#define DISCARD_PORT 9
#define MDNS_PORT 5353
#define SSDP_PORT 1900
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

const char *const traffic_kind_names[TRAFFIC_KIND_COUNT] = {
    [TRAFFIC_BROADCAST_STORM] = "broadcast_storm",
    [TRAFFIC_ARP_FLOOD] = "arp_flood",
    [TRAFFIC_MULTICAST_NOISE] = "multicast_noise",
    [TRAFFIC_RUNT] = "runt",
    [TRAFFIC_OVERSIZE] = "oversize",
    [TRAFFIC_BAD_FCS] = "bad_fcs",
    [TRAFFIC_CHATTY_NEIGHBOUR] = "chatty_neighbour",
};

void traffic_default_config(traffic_config_t *c, const char *name, traffic_kind_t kind)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->kind = kind;
    char seed[48];
    snprintf(seed, sizeof seed, "traffic.%s", name);
    pkt_mac_from_name(c->mac, seed);
    c->net_addr = PKT_IP(10, 0, 2, 0);
    c->net_mask = PKT_IP(255, 255, 255, 0);
    c->ip = PKT_IP(10, 0, 2, 200);
    c->target_ip = kind == TRAFFIC_CHATTY_NEIGHBOUR ? PKT_IP(10, 0, 2, 15) : 0;
    memcpy(c->dst, pkt_broadcast, 6);
    c->group_port = 5000;
    c->pattern = TRAFFIC_CONSTANT;
    c->burst = 1;
    c->p.rate_mfps = 100000;
    c->p.size = kind == TRAFFIC_RUNT ? 32 : kind == TRAFFIC_OVERSIZE ? 1600 : PKT_ETH_MIN;
    c->p.on = true;
}

/* ---- frames ---- */

static void random_mac(traffic_host_t *t, uint8_t mac[6])
{
    uint64_t r = rng_next(&t->rng);
    for (int k = 0; k < 6; k++)
        mac[k] = (uint8_t)(r >> (8 * k));
    mac[0] = (uint8_t)((mac[0] & 0xFC) | 0x02); /* unicast, locally administered */
}

static uint32_t random_host(traffic_host_t *t)
{
    uint32_t hosts = ~t->cfg.net_mask;
    if (hosts < 2)
        return t->cfg.net_addr;
    return t->cfg.net_addr | (uint32_t)(1 + rng_below(&t->rng, hosts - 1));
}

/* UDP padded with a counter so the frame has 'size' bytes (if the size allows). */
static size_t udp_to(traffic_host_t *t, uint8_t *f, const uint8_t dmac[6], uint32_t dst,
                     uint16_t port, uint32_t size)
{
    uint8_t payload[PKT_ETH_MAX];
    size_t n = size > 42 ? size - 42 : 0;
    if (n > sizeof payload - 42)
        n = sizeof payload - 42;
    for (size_t k = 0; k < n; k++)
        payload[k] = (uint8_t)(t->stats.sent + k);
    return pkt_build_udp(f, dmac, t->cfg.mac, t->cfg.ip, DISCARD_PORT, dst, port, t->ip_id++,
                         payload, n);
}

/* An mDNS question for the DNS-SD service list (RFC 6763 section 9). */
static size_t mdns_query(traffic_host_t *t, uint8_t *f)
{
    static const uint8_t q[] = {
        0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
        9, '_', 's', 'e', 'r', 'v', 'i', 'c', 'e', 's', 7, '_', 'd', 'n', 's', '-', 's', 'd',
        4, '_', 'u', 'd', 'p', 5, 'l', 'o', 'c', 'a', 'l', 0, 0, 12, 0, 1,
    };
    uint8_t mac[6];
    uint32_t group = PKT_IP(224, 0, 0, 251);
    pkt_multicast_mac(mac, group);
    return pkt_build_udp(f, mac, t->cfg.mac, t->cfg.ip, MDNS_PORT, group, MDNS_PORT, t->ip_id++,
                         q, sizeof q);
}

static size_t ssdp_search(traffic_host_t *t, uint8_t *f)
{
    static const char msg[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                              "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n";
    uint8_t mac[6];
    uint32_t group = PKT_IP(239, 255, 255, 250);
    pkt_multicast_mac(mac, group);
    return pkt_build_udp(f, mac, t->cfg.mac, t->cfg.ip, 50000, group, SSDP_PORT, t->ip_id++,
                         (const uint8_t *)msg, sizeof msg - 1);
}

static size_t raw_frame(traffic_host_t *t, uint8_t *f, uint32_t size)
{
    uint8_t hdr[PKT_ETH_HLEN];
    memcpy(hdr, t->cfg.dst, 6);
    memcpy(hdr + 6, t->cfg.mac, 6);
    wr_be16(hdr + 12, PKT_ETHERTYPE_LOCAL);
    if (size > NET_FRAME_MAX)
        size = NET_FRAME_MAX;
    for (uint32_t k = 0; k < size; k++)
        f[k] = k < PKT_ETH_HLEN ? hdr[k] : (uint8_t)(t->stats.sent + k);
    return size;
}

static size_t arp_request(traffic_host_t *t, uint8_t *f, uint32_t target)
{
    static const uint8_t zero[6];
    return pkt_build_arp(f, pkt_broadcast, t->cfg.mac, 1, t->cfg.mac, t->cfg.ip, zero, target);
}

static size_t chatty_frame(traffic_host_t *t, uint8_t *f)
{
    if (!t->target_known)
        return arp_request(t, f, t->cfg.target_ip);
    switch (t->turn++ % 4) {
    case 0: {
        uint8_t body[40];
        wr_be16(body, (uint16_t)rng_hash_name(t->cfg.name));
        wr_be16(body + 2, t->echo_seq++);
        for (unsigned k = 4; k < sizeof body; k++)
            body[k] = (uint8_t)k;
        return pkt_build_icmp(f, t->target_mac, t->cfg.mac, t->cfg.ip, t->cfg.target_ip,
                              t->ip_id++, ICMP_ECHO_REQUEST, 0, body, sizeof body);
    }
    case 1:
        return udp_to(t, f, t->target_mac, t->cfg.target_ip, DISCARD_PORT, 100);
    case 2:
        return arp_request(t, f, t->cfg.target_ip);
    default: /* gratuitous ARP: a request for its own address */
        return arp_request(t, f, t->cfg.ip);
    }
}

/* The length of the next frame: fixed, or drawn from size..size_max. */
static uint32_t frame_size(traffic_host_t *t)
{
    if (t->p.size_max <= t->p.size)
        return t->p.size;
    return t->p.size + (uint32_t)rng_below(&t->rng, t->p.size_max - t->p.size + 1);
}

/* One frame of the host's kind; returns its length and whether its FCS is good. */
static size_t make_frame(traffic_host_t *t, uint8_t *f, bool *fcs_ok)
{
    *fcs_ok = true;
    switch (t->cfg.kind) {
    case TRAFFIC_BROADCAST_STORM:
        return udp_to(t, f, pkt_broadcast, 0xFFFFFFFFu, DISCARD_PORT, frame_size(t));
    case TRAFFIC_ARP_FLOOD: {
        static const uint8_t zero[6];
        uint32_t target = t->cfg.target_ip ? t->cfg.target_ip : random_host(t);
        if (!t->cfg.spoof)
            return arp_request(t, f, target);
        uint8_t mac[6];
        random_mac(t, mac);
        return pkt_build_arp(f, pkt_broadcast, mac, 1, mac, random_host(t), zero, target);
    }
    case TRAFFIC_MULTICAST_NOISE:
        if (t->cfg.ngroups) {
            uint32_t g = t->cfg.groups[t->turn++ % t->cfg.ngroups];
            uint8_t mac[6];
            pkt_multicast_mac(mac, g);
            return udp_to(t, f, mac, g, t->cfg.group_port, frame_size(t));
        }
        return t->turn++ % 2 ? ssdp_search(t, f) : mdns_query(t, f);
    case TRAFFIC_RUNT:
    case TRAFFIC_OVERSIZE:
        return raw_frame(t, f, frame_size(t));
    case TRAFFIC_BAD_FCS:
        *fcs_ok = false;
        return udp_to(t, f, pkt_broadcast, 0xFFFFFFFFu, DISCARD_PORT, frame_size(t));
    case TRAFFIC_CHATTY_NEIGHBOUR:
    default:
        return chatty_frame(t, f);
    }
}

/* ---- timing ---- */

static sim_time_t mean_gap(traffic_host_t *t, size_t len)
{
    if (t->p.rate_mfps == TRAFFIC_RATE_LINE) {
        net_link_t *l = net_link_of(&t->port);
        sim_time_t w = l ? net_link_wire_time(l, len) : 0;
        return w ? w : SIM_US(1);
    }
    sim_time_t g = (sim_time_t)(1000000000000ull / t->p.rate_mfps);
    return g ? g : 1;
}

static void send_event(void *opaque)
{
    traffic_host_t *t = opaque;
    if (!t->p.on || !t->p.rate_mfps)
        return;
    unsigned n = t->cfg.pattern == TRAFFIC_BURST ? t->cfg.burst : 1;
    size_t len = 0;
    for (unsigned k = 0; k < n; k++) {
        uint8_t f[NET_FRAME_MAX];
        bool fcs_ok;
        len = make_frame(t, f, &fcs_ok);
        t->stats.sent++;
        t->stats.sent_bytes += len;
        net_port_send_fcs(&t->port, f, len, fcs_ok);
    }
    sim_time_t gap = mean_gap(t, len);
    if (t->cfg.pattern == TRAFFIC_BURST)
        gap *= n;
    else if (t->cfg.pattern == TRAFFIC_UNIFORM)
        gap = (sim_time_t)rng_below(&t->rng, 2 * (uint64_t)gap + 1);
    sched_at(t->sched, &t->send_ev, t->sched->now + (gap ? gap : 1));
}

void traffic_apply(traffic_host_t *t, uint32_t mask, const traffic_params_t *p)
{
    if (mask & TRAFFIC_RATE) t->p.rate_mfps = p->rate_mfps;
    if (mask & TRAFFIC_SIZE) {
        t->p.size = p->size;
        t->p.size_max = p->size_max;
    }
    if (mask & TRAFFIC_ON) t->p.on = p->on;
    if (!t->p.on || !t->p.rate_mfps) {
        sched_cancel(t->sched, &t->send_ev);
        return;
    }
    sim_time_t next = t->sched->now +
                      mean_gap(t, t->p.size_max > t->p.size ? (t->p.size + t->p.size_max) / 2
                                                             : t->p.size);
    if (!sched_is_armed(&t->send_ev))
        sched_at(t->sched, &t->send_ev, t->sched->now);
    else if (sched_when(&t->send_ev) > next)
        sched_at(t->sched, &t->send_ev, next);
}

static void apply_change(void *owner, const net_timeline_item_t *item)
{
    const traffic_change_t *c = (const traffic_change_t *)item;
    traffic_apply(owner, c->t.mask, &c->p);
}

int traffic_schedule(traffic_host_t *t, sim_time_t at, uint32_t mask, const traffic_params_t *p)
{
    traffic_change_t c;
    memset(&c, 0, sizeof c);
    c.t.at = at;
    c.t.mask = mask;
    c.p = *p;
    return net_timeline_add(&t->changes, &c.t);
}

/* ---- receiving: answer what a neighbour answers ---- */

static void port_receive(void *owner, const uint8_t *f, size_t len, bool fcs_ok)
{
    traffic_host_t *t = owner;
    if (!fcs_ok)
        return;
    t->stats.received++;
    pkt_arp_t a;
    if (pkt_parse_arp(f, len, &a)) {
        if (t->cfg.target_ip && a.spa == t->cfg.target_ip) {
            memcpy(t->target_mac, a.sha, 6);
            t->target_known = true;
        }
        if (a.op == 1 && t->cfg.ip && !t->cfg.spoof && a.tpa == t->cfg.ip && a.spa != t->cfg.ip) {
            uint8_t r[PKT_ETH_MIN];
            size_t n = pkt_build_arp(r, a.sha, t->cfg.mac, 2, t->cfg.mac, t->cfg.ip, a.sha, a.spa);
            t->stats.arp_replies++;
            net_port_send(&t->port, r, n);
        }
        return;
    }
    pkt_ipv4_t ip;
    pkt_icmp_t c;
    if (!pkt_parse_ipv4(f, len, &ip) || !t->cfg.ip || ip.dst != t->cfg.ip)
        return;
    if (t->cfg.target_ip && ip.src == t->cfg.target_ip && !t->target_known) {
        memcpy(t->target_mac, f + 6, 6);
        t->target_known = true;
    }
    if (!pkt_parse_icmp(&ip, &c))
        return;
    if (c.type == ICMP_ECHO_REPLY) {
        t->stats.echo_replies++;
    } else if (c.type == ICMP_ECHO_REQUEST) {
        uint8_t r[PKT_ETH_MAX];
        size_t body = c.body_len > PKT_ETH_MAX - 42 ? PKT_ETH_MAX - 42 : c.body_len;
        size_t n = pkt_build_icmp(r, f + 6, t->cfg.mac, t->cfg.ip, ip.src, t->ip_id++,
                                  ICMP_ECHO_REPLY, 0, c.body, body);
        t->stats.echo_answers++;
        net_port_send(&t->port, r, n);
    }
}

void traffic_init(traffic_host_t *t, sched_t *sched, uint64_t seed, const traffic_config_t *c)
{
    memset(t, 0, sizeof *t);
    t->cfg = *c;
    if (!t->cfg.burst)
        t->cfg.burst = 1;
    t->sched = sched;
    char stream[64];
    snprintf(stream, sizeof stream, "net.host.%s", c->name);
    rng_stream(&t->rng, seed, stream);
    net_port_init(&t->port, t->cfg.name, port_receive, NULL, t);
    sched_event_init(&t->send_ev, "traffic.send", send_event, t);
    net_timeline_init(&t->changes, sched, "traffic.change", sizeof(traffic_change_t), apply_change, t);
    t->p.on = false;
    traffic_apply(t, TRAFFIC_ALL, &c->p);
}

void traffic_destroy(traffic_host_t *t)
{
    sched_cancel(t->sched, &t->send_ev);
    net_timeline_destroy(&t->changes);
}
