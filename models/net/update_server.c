/*
 * Update server host on libslirp (see update_server.h for what it adds to
 * slirp and the determinism rules). Per step, in this order: poll slirp (runs
 * its due TCP timers), handle the frames that arrived (DNS and echo for the
 * HTTP address here, the rest into slirp), move HTTP response bytes into the
 * guestfwd socket as far as its buffer allows, send the step's frames to the
 * wire, carry out a forged reset or a close, then ask slirp for its next
 * deadline.
 */
#include <arpa/inet.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "update_server.h"
#include "sim/log.h"

#define DNS_PORT 53
#define DHCP_SERVER_PORT 67
#define BOOTP_OPTIONS 240          /* fixed BOOTP fields and the magic cookie */
#define DHCP_OPT_ROUTER 3
#define DHCP_OPT_DNS 6
#define DHCP_OPT_END 255
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
/* a reset waits for the bytes before it to be on the wire, at most this long */
#define RESET_WAIT SIM_S(2)

static struct in_addr in4(uint32_t host_order)
{
    struct in_addr a;
    a.s_addr = htonl(host_order);
    return a;
}

/* A frame the host builds itself joins slirp's in the step's output. */
static uint8_t *tx_slot(update_server_t *s)
{
    if (s->txq_n == UPDATE_SERVER_RXQ)
        return NULL;
    return s->txq[s->txq_n].data;
}

static void tx_commit(update_server_t *s, size_t len)
{
    s->txq[s->txq_n++].len = (uint16_t)len;
}

/* ---- what restricted slirp does not do ---- */

static bool answer_dns(update_server_t *s, const uint8_t *f, size_t len)
{
    pkt_ipv4_t ip;
    pkt_udp_t u;
    if (!pkt_parse_ipv4(f, len, &ip) || ip.dst != s->cfg.dns_addr || !pkt_parse_udp(&ip, &u) ||
        u.dport != DNS_PORT)
        return false;
    s->stats.dns_queries++;
    uint8_t ans[512];
    size_t n = dns_respond(&s->zone, u.data, u.len, ans, sizeof ans);
    uint8_t *out = tx_slot(s);
    if (n && out) {
        uint8_t mac[6];
        pkt_slirp_mac(mac, s->cfg.dns_addr);
        tx_commit(s, pkt_build_udp(out, f + 6, mac, s->cfg.dns_addr, DNS_PORT, ip.src, u.sport,
                                   s->ip_id++, ans, n));
    }
    return true;
}

static bool answer_echo(update_server_t *s, const uint8_t *f, size_t len)
{
    pkt_ipv4_t ip;
    pkt_icmp_t c;
    if (!pkt_parse_ipv4(f, len, &ip) || ip.dst != s->cfg.http_addr || !pkt_parse_icmp(&ip, &c))
        return false;
    uint8_t *out = tx_slot(s);
    if (c.type == ICMP_ECHO_REQUEST && out && pkt_fold(pkt_sum(ip.l4, ip.l4_len, 0)) == 0) {
        uint8_t mac[6];
        pkt_slirp_mac(mac, s->cfg.http_addr);
        tx_commit(s, pkt_build_icmp(out, f + 6, mac, s->cfg.http_addr, ip.src, s->ip_id++,
                                    ICMP_ECHO_REPLY, 0, c.body, c.body_len));
        s->stats.echo_replies++;
    }
    return true;
}

/* Adds the router and DNS options to slirp's DHCP offer or ack. */
static void complete_dhcp(update_server_t *s, pkt_frame_t *fr)
{
    pkt_ipv4_t ip;
    pkt_udp_t u;
    if (!pkt_parse_ipv4(fr->data, fr->len, &ip) || ip.src != s->cfg.host_addr ||
        !pkt_parse_udp(&ip, &u) || u.sport != DHCP_SERVER_PORT || u.len <= BOOTP_OPTIONS)
        return;
    uint8_t *opt = (uint8_t *)u.data + BOOTP_OPTIONS;
    size_t room = u.len - BOOTP_OPTIONS, k = 0;
    while (k < room && opt[k] != DHCP_OPT_END) {
        if (opt[k] == 0) {
            k++;
            continue;
        }
        if (opt[k] == DHCP_OPT_ROUTER || opt[k] == DHCP_OPT_DNS || k + 1 >= room)
            return; /* already there, or malformed: leave it */
        k += 2u + opt[k + 1];
    }
    if (k + 13 > room)
        return;
    uint8_t add[13] = { DHCP_OPT_ROUTER, 4, 0, 0, 0, 0, DHCP_OPT_DNS, 4, 0, 0, 0, 0, DHCP_OPT_END };
    wr_be32(add + 2, s->cfg.host_addr);
    wr_be32(add + 8, s->cfg.dns_addr);
    memcpy(opt + k, add, sizeof add);
    pkt_fix_checksums(fr->data, fr->len);
    s->stats.dhcp_replies++;
}

/* ---- the HTTP connection as seen on the wire ---- */

static void watch_device_frame(update_server_t *s, const uint8_t *f, size_t len)
{
    pkt_ipv4_t ip;
    pkt_tcp_t t;
    if (!pkt_parse_ipv4(f, len, &ip) || !pkt_parse_tcp(&ip, &t) || ip.dst != s->cfg.http_addr ||
        t.dport != s->cfg.http_port)
        return;
    if ((t.flags & PKT_TCP_SYN) && !(t.flags & PKT_TCP_ACK)) {
        if (s->conn.open && ip.src == s->conn.dev_ip && t.sport == s->conn.dev_port &&
            t.seq == s->conn.dev_iss)
            return; /* a retransmitted SYN */
        /* slirp's guestfwd talks to the newest connection only: so do we */
        memset(&s->conn, 0, sizeof s->conn);
        s->conn.open = true;
        memcpy(s->conn.dev_mac, f + 6, 6);
        s->conn.dev_ip = ip.src;
        s->conn.dev_port = t.sport;
        s->conn.dev_iss = t.seq;
        s->conn.dev_nxt = t.seq + 1;
        s->reset_pending = s->close_pending = false;
        http_server_new_connection(&s->http);
        return;
    }
    if (!s->conn.open || ip.src != s->conn.dev_ip || t.sport != s->conn.dev_port)
        return;
    if (t.flags & PKT_TCP_RST) {
        s->conn.open = false;
        return;
    }
    uint32_t end = t.seq + pkt_tcp_seg_len(&t);
    if ((int32_t)(end - s->conn.dev_nxt) > 0)
        s->conn.dev_nxt = end;
    if (t.flags & PKT_TCP_FIN)
        s->conn.dev_fin = true;
}

static void watch_server_frame(update_server_t *s, const uint8_t *f, size_t len)
{
    pkt_ipv4_t ip;
    pkt_tcp_t t;
    if (!s->conn.open || !pkt_parse_ipv4(f, len, &ip) || !pkt_parse_tcp(&ip, &t) ||
        ip.src != s->cfg.http_addr || t.sport != s->cfg.http_port || ip.dst != s->conn.dev_ip ||
        t.dport != s->conn.dev_port)
        return;
    memcpy(s->conn.srv_mac, f + 6, 6);
    uint32_t end = t.seq + pkt_tcp_seg_len(&t);
    if (t.flags & PKT_TCP_SYN) {
        s->conn.srv_iss = t.seq;
        s->conn.srv_syn_seen = true;
    }
    if ((t.flags & PKT_TCP_SYN) || (int32_t)(end - s->conn.srv_nxt) > 0)
        s->conn.srv_nxt = end;
}

static void flush_tx(update_server_t *s)
{
    for (unsigned k = 0; k < s->txq_n; k++) {
        pkt_frame_t *fr = &s->txq[k];
        complete_dhcp(s, fr);
        watch_server_frame(s, fr->data, fr->len);
        if (fr->len < PKT_ETH_MIN) {
            /* the host's NIC pads short frames */
            memset(fr->data + fr->len, 0, PKT_ETH_MIN - fr->len);
            fr->len = PKT_ETH_MIN;
        }
        s->stats.frames_out++;
        net_port_send(&s->port, fr->data, fr->len);
    }
    s->txq_n = 0;
}

static void forge_reset(update_server_t *s)
{
    if (!s->conn.open)
        return;
    uint8_t f[PKT_ETH_MIN];
    size_t n = pkt_build_tcp(f, s->conn.dev_mac, s->conn.srv_mac, s->cfg.http_addr,
                             s->cfg.http_port, s->conn.dev_ip, s->conn.dev_port, s->ip_id++,
                             s->conn.srv_nxt, s->conn.dev_nxt, PKT_TCP_RST | PKT_TCP_ACK, 0,
                             NULL, 0, NULL, 0);
    s->stats.frames_out++;
    net_port_send(&s->port, f, n);
    /* and tell slirp, so its side of the connection goes away too */
    n = pkt_build_tcp(f, s->conn.srv_mac, s->conn.dev_mac, s->conn.dev_ip, s->conn.dev_port,
                      s->cfg.http_addr, s->cfg.http_port, 0, s->conn.dev_nxt, s->conn.srv_nxt,
                      PKT_TCP_RST | PKT_TCP_ACK, 0, NULL, 0, NULL, 0);
    slirp_input(s->slirp, f, (int)n);
    s->txq_n = 0; /* whatever slirp answers to its own reset stays inside */
    s->conn.open = false;
    s->stats.forged_resets++;
}

/* True when every byte handed to slirp has gone out on the wire. */
static bool all_sent(const update_server_t *s)
{
    if (!s->conn.srv_syn_seen)
        return s->conn.to_slirp == 0;
    return (uint64_t)(uint32_t)(s->conn.srv_nxt - s->conn.srv_iss - 1) >= s->conn.to_slirp;
}

static void pump_http(update_server_t *s)
{
    struct in_addr fwd = in4(s->cfg.http_addr);
    uint8_t buf[8192];
    for (int rounds = 0; rounds < 64 && s->conn.open; rounds++) {
        if (!http_server_has_output(&s->http))
            return;
        size_t room = slirp_socket_can_recv(s->slirp, fwd, s->cfg.http_port);
        if (!room)
            return;
        size_t n;
        http_output_status_t st =
            http_server_output(&s->http, s->sched->now, buf, room < sizeof buf ? room : sizeof buf, &n);
        if (n) {
            slirp_socket_recv(s->slirp, fwd, s->cfg.http_port, buf, (int)n);
            s->conn.to_slirp += n;
        }
        if (st == HTTP_OUT_RESET) {
            s->reset_pending = true;
            s->reset_deadline = s->sched->now + RESET_WAIT;
            return;
        }
        if (st == HTTP_OUT_CLOSE) {
            s->close_pending = true;
            return;
        }
        if (!n)
            return;
    }
}

/* slirp 4.7 has no server-side close for guestfwd: a receive larger than the
 * socket's free space takes its error path, which shuts the socket down
 * after the queued data (FIN follows the last byte). */
static void close_connection(update_server_t *s)
{
    static const uint8_t dummy = 0;
    slirp_socket_recv(s->slirp, in4(s->cfg.http_addr), s->cfg.http_port, &dummy, 1 << 30);
    s->stats.closes++;
}

static void step(void *opaque)
{
    update_server_t *s = opaque;
    sim_time_t now = s->sched->now;
    s->stats.steps++;
    slirp_glue_poll(&s->glue, s->slirp, 0);
    for (unsigned k = 0; k < s->rxq_n; k++) {
        const uint8_t *f = s->rxq[k].data;
        size_t len = s->rxq[k].len;
        if (answer_dns(s, f, len) || answer_echo(s, f, len))
            continue;
        watch_device_frame(s, f, len);
        slirp_input(s->slirp, f, (int)len);
    }
    s->rxq_n = 0;
    pump_http(s);
    flush_tx(s);
    if (s->reset_pending && (!s->conn.open || all_sent(s) || now >= s->reset_deadline)) {
        s->reset_pending = false;
        forge_reset(s);
    } else if (s->reset_pending) {
        /* wait: slirp sends the rest as the device's window opens */
    } else if (s->close_pending || (s->conn.open && s->conn.dev_fin &&
                                     !http_server_has_output(&s->http))) {
        s->close_pending = false;
        s->conn.dev_fin = false;
        if (s->conn.open)
            close_connection(s);
        s->conn.open = false;
        flush_tx(s);
    }
    uint32_t timeout_ms = slirp_glue_fill(&s->glue, s->slirp);
    sim_time_t next = now + SIM_MS(timeout_ms ? timeout_ms : 1);
    sim_time_t wake = http_server_wake_time(&s->http, now);
    if (wake < next)
        next = wake;
    if (s->reset_pending && s->reset_deadline < next)
        next = s->reset_deadline;
    sched_at(s->sched, &s->step_ev, next);
}

static void step_now(update_server_t *s)
{
    if (!sched_is_armed(&s->step_ev) || sched_when(&s->step_ev) > s->sched->now)
        sched_at(s->sched, &s->step_ev, s->sched->now);
}

static void port_receive(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    update_server_t *s = owner;
    if (!fcs_ok) {
        s->stats.bad_fcs++; /* the NIC's CRC check drops it */
        return;
    }
    if (s->rxq_n == UPDATE_SERVER_RXQ || len > NET_FRAME_MAX) {
        s->stats.rx_overflow++;
        return;
    }
    s->stats.frames_in++;
    memcpy(s->rxq[s->rxq_n].data, frame, len);
    s->rxq[s->rxq_n].len = (uint16_t)len;
    s->rxq_n++;
    step_now(s);
}

void update_server_reset_connection(update_server_t *s)
{
    if (!s->conn.open)
        return;
    s->reset_pending = true;
    s->reset_deadline = s->sched->now;
    s->http.closed = true;
    s->http.responding = false;
    step_now(s);
}

void update_server_default_config(update_server_config_t *c, const char *root)
{
    memset(c, 0, sizeof *c);
    c->root = root;
    c->net_addr = PKT_IP(10, 0, 2, 0);
    c->net_mask = PKT_IP(255, 255, 255, 0);
    c->host_addr = PKT_IP(10, 0, 2, 2);
    c->dns_addr = PKT_IP(10, 0, 2, 3);
    c->dhcp_start = PKT_IP(10, 0, 2, 15);
    c->http_addr = PKT_IP(10, 0, 2, 100);
    c->http_port = 80;
    snprintf(c->name, sizeof c->name, "update");
    snprintf(c->domain, sizeof c->domain, "glitchbox.test");
}

/* Bytes the device sent on the HTTP connection (called from inside slirp). */
static ssize_t guestfwd_write(const void *buf, size_t len, void *opaque)
{
    update_server_t *s = opaque;
    http_server_input(&s->http, s->sched->now, buf, len);
    return (ssize_t)len;
}

static bool in_net(const update_server_config_t *c, uint32_t a)
{
    return (a & c->net_mask) == c->net_addr && a != c->net_addr && a != (c->net_addr | ~c->net_mask);
}

int update_server_init(update_server_t *s, sched_t *sched, const update_server_config_t *c,
                       char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->sched = sched;
    s->cfg = *c;
    if (http_server_init(&s->http, c->root)) {
        snprintf(err, errlen, "update server: '%s' is not a readable folder",
                 c->root ? c->root : "(none)");
        return -1;
    }
    if (!in_net(c, c->host_addr) || !in_net(c, c->dns_addr) || !in_net(c, c->http_addr) ||
        !in_net(c, c->dhcp_start)) {
        snprintf(err, errlen, "update server: the gateway, DNS, HTTP and first DHCP addresses "
                 "must lie in the virtual network");
        return -1;
    }
    if (c->http_addr == c->host_addr || c->http_addr == c->dns_addr || c->dns_addr == c->host_addr) {
        snprintf(err, errlen, "update server: the gateway, DNS and HTTP addresses must differ");
        return -1;
    }
    if (c->name[0])
        dns_zone_add(&s->zone, c->name, c->http_addr);
    for (unsigned k = 0; k < c->extra.n; k++)
        if (dns_zone_add(&s->zone, c->extra.rec[k].name, c->extra.rec[k].addr)) {
            snprintf(err, errlen, "update server: at most %d DNS names", DNS_MAX_RECORDS);
            return -1;
        }
    snprintf(s->zone.domain, sizeof s->zone.domain, "%s", c->domain);
    slirp_glue_init(&s->glue, sched, s->txq, &s->txq_n, UPDATE_SERVER_RXQ);
    slirp_glue_net_t sn = { c->net_addr, c->net_mask, c->host_addr, c->dhcp_start, c->dns_addr,
                            true, s->cfg.domain[0] ? s->cfg.domain : NULL };
    s->slirp = slirp_glue_new(&s->glue, &sn);
    if (!s->slirp) {
        snprintf(err, errlen, "update server: libslirp refused its configuration");
        return -1;
    }
    struct in_addr fwd = in4(c->http_addr);
    if (slirp_add_guestfwd(s->slirp, guestfwd_write, s, &fwd, c->http_port)) {
        snprintf(err, errlen, "update server: cannot listen on the HTTP address");
        slirp_cleanup(s->slirp);
        s->slirp = NULL;
        return -1;
    }
    s->txq_n = 0;
    net_port_init(&s->port, "update-server", port_receive, NULL, s);
    sched_event_init(&s->step_ev, "update-server.step", step, s);
    sched_at(sched, &s->step_ev, sched->now + SIM_S(1));
    return 0;
}

void update_server_free(update_server_t *s)
{
    if (s->sched)
        sched_cancel(s->sched, &s->step_ev);
    if (s->slirp)
        slirp_cleanup(s->slirp);
    s->slirp = NULL;
}
