/*
 * Update server host on libslirp (see update_server.h for the determinism
 * rules). Per step, in this order: poll slirp (runs its due TCP timers),
 * feed it the frames that arrived, move HTTP response bytes into the
 * guestfwd socket as far as its buffer allows, send slirp's frames to the
 * wire, carry out a forged reset or a close, then ask slirp for its next
 * deadline.
 */
#include <arpa/inet.h>
#include <glib.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "update_server.h"
#include "sim/log.h"

/* slirp's ms clock treats 0 as "no delayed ACK pending": start at 1 s */
#define SLIRP_CLOCK_OFFSET SIM_S(1)

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* A TCP segment inside an Ethernet frame, or false. */
typedef struct tcp_view {
    const uint8_t *eth, *ip, *tcp;
    uint32_t src, dst, seq, ack;
    uint16_t sport, dport;
    uint8_t flags;
    size_t payload;
} tcp_view_t;

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static bool tcp_parse(const uint8_t *f, size_t len, tcp_view_t *t)
{
    if (len < 14 + 20 || rd16(f + 12) != 0x0800)
        return false;
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t tot = rd16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6 || tot > len - 14 || tot < ihl + 20 ||
        (rd16(ip + 6) & 0x3FFF))
        return false;
    const uint8_t *tcp = ip + ihl;
    size_t doff = (size_t)(tcp[12] >> 4) * 4;
    if (doff < 20 || ihl + doff > tot)
        return false;
    t->eth = f; t->ip = ip; t->tcp = tcp;
    t->src = rd32(ip + 12); t->dst = rd32(ip + 16);
    t->sport = rd16(tcp); t->dport = rd16(tcp + 2);
    t->seq = rd32(tcp + 4); t->ack = rd32(tcp + 8);
    t->flags = tcp[13];
    t->payload = tot - ihl - doff;
    return true;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
    for (; n > 1; p += 2, n -= 2)
        acc += rd16(p);
    if (n)
        acc += (uint32_t)p[0] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc;
}

/* Builds a 54-byte Ethernet/IPv4/TCP RST|ACK segment. */
static size_t build_rst(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t sip,
                        uint32_t dip, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack)
{
    memset(f, 0, 54);
    memcpy(f, dmac, 6);
    memcpy(f + 6, smac, 6);
    wr16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    wr16(ip + 2, 40);
    ip[8] = 64;
    ip[9] = 6;
    wr32(ip + 12, sip);
    wr32(ip + 16, dip);
    wr16(ip + 10, fold(sum16(ip, 20, 0)));
    uint8_t *tcp = ip + 20;
    wr16(tcp, sport);
    wr16(tcp + 2, dport);
    wr32(tcp + 4, seq);
    wr32(tcp + 8, ack);
    tcp[12] = 5 << 4;
    tcp[13] = TCP_RST | TCP_ACK;
    uint8_t pseudo[12];
    wr32(pseudo, sip);
    wr32(pseudo + 4, dip);
    pseudo[8] = 0;
    pseudo[9] = 6;
    wr16(pseudo + 10, 20);
    wr16(tcp + 16, fold(sum16(tcp, 20, sum16(pseudo, 12, 0))));
    return 54;
}

static uint32_t seg_len(const tcp_view_t *t)
{
    return (uint32_t)t->payload + ((t->flags & TCP_SYN) ? 1 : 0) + ((t->flags & TCP_FIN) ? 1 : 0);
}

/* ---- slirp callbacks: queue or flag only, never call back into slirp ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    update_server_t *s = opaque;
    if (len > NET_FRAME_MAX || s->txq_n == UPDATE_SERVER_RXQ)
        return (ssize_t)len; /* dropped; TCP retransmits */
    memcpy(s->txq[s->txq_n].data, buf, len);
    s->txq[s->txq_n].len = (uint16_t)len;
    s->txq_n++;
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    log_msg(LOG_TRACE, "update-server", "slirp: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    update_server_t *s = opaque;
    return (int64_t)(s->sched->now + SLIRP_CLOCK_OFFSET);
}

/* IPv6 is off, so slirp creates no timer; these exist because the API needs them. */
static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    (void)id; (void)cb_opaque; (void)opaque;
    static int dummy;
    return &dummy;
}
static void cb_timer_free(void *timer, void *opaque) { (void)timer; (void)opaque; }
static void cb_timer_mod(void *timer, int64_t expire, void *opaque)
{
    (void)timer; (void)expire; (void)opaque;
}
static void cb_register_poll_fd(int fd, void *opaque) { (void)fd; (void)opaque; }
static void cb_unregister_poll_fd(int fd, void *opaque) { (void)fd; (void)opaque; }
static void cb_notify(void *opaque) { (void)opaque; }

static ssize_t cb_guestfwd_write(const void *buf, size_t len, void *opaque)
{
    update_server_t *s = opaque;
    http_server_input(&s->http, s->sched->now, buf, len);
    return (ssize_t)len;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
    (void)fd; (void)events; (void)opaque;
    return 0;
}
static int cb_get_revents(int idx, void *opaque)
{
    (void)idx; (void)opaque;
    return 0;
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* The close path below makes slirp log a GLib critical by design. */
static void slirp_log_filter(const gchar *domain, GLogLevelFlags level, const gchar *msg,
                             gpointer data)
{
    (void)domain; (void)level; (void)data;
    log_msg(LOG_TRACE, "update-server", "slirp: %s", msg);
}

/* ---- the wire ---- */

static void watch_device_frame(update_server_t *s, const uint8_t *f, size_t len)
{
    tcp_view_t t;
    if (!tcp_parse(f, len, &t) || t.dst != s->cfg.http_addr || t.dport != s->cfg.http_port)
        return;
    if ((t.flags & TCP_SYN) && !(t.flags & TCP_ACK)) {
        /* slirp's guestfwd talks to the newest connection only: so do we */
        memset(&s->conn, 0, sizeof s->conn);
        s->conn.open = true;
        memcpy(s->conn.dev_mac, f + 6, 6);
        s->conn.dev_ip = t.src;
        s->conn.dev_port = t.sport;
        s->conn.dev_nxt = t.seq + 1;
        s->reset_pending = s->close_pending = false;
        http_server_new_connection(&s->http);
        return;
    }
    if (!s->conn.open || t.src != s->conn.dev_ip || t.sport != s->conn.dev_port)
        return;
    if (t.flags & TCP_RST) {
        s->conn.open = false;
        return;
    }
    uint32_t end = t.seq + seg_len(&t);
    if ((int32_t)(end - s->conn.dev_nxt) > 0)
        s->conn.dev_nxt = end;
    if (t.flags & TCP_FIN)
        s->conn.dev_fin = true;
}

static void watch_server_frame(update_server_t *s, const uint8_t *f, size_t len)
{
    tcp_view_t t;
    if (!s->conn.open || !tcp_parse(f, len, &t) || t.src != s->cfg.http_addr ||
        t.sport != s->cfg.http_port || t.dst != s->conn.dev_ip || t.dport != s->conn.dev_port)
        return;
    memcpy(s->conn.srv_mac, f + 6, 6);
    uint32_t end = t.seq + seg_len(&t);
    if ((t.flags & TCP_SYN) || (int32_t)(end - s->conn.srv_nxt) > 0)
        s->conn.srv_nxt = end;
}

static void flush_tx(update_server_t *s)
{
    for (unsigned k = 0; k < s->txq_n; k++) {
        watch_server_frame(s, s->txq[k].data, s->txq[k].len);
        s->stats.frames_out++;
        net_port_send(&s->port, s->txq[k].data, s->txq[k].len);
    }
    s->txq_n = 0;
}

static void forge_reset(update_server_t *s)
{
    if (!s->conn.open)
        return;
    uint8_t f[64];
    size_t n = build_rst(f, s->conn.dev_mac, s->conn.srv_mac, s->cfg.http_addr, s->conn.dev_ip,
                         s->cfg.http_port, s->conn.dev_port, s->conn.srv_nxt, s->conn.dev_nxt);
    s->stats.frames_out++;
    net_port_send(&s->port, f, n);
    /* and tell slirp, so its side of the connection goes away too */
    n = build_rst(f, s->conn.srv_mac, s->conn.dev_mac, s->conn.dev_ip, s->cfg.http_addr,
                  s->conn.dev_port, s->cfg.http_port, s->conn.dev_nxt, s->conn.srv_nxt);
    slirp_input(s->slirp, f, (int)n);
    s->txq_n = 0; /* whatever slirp answers to its own reset stays inside */
    s->conn.open = false;
    s->stats.forged_resets++;
}

static struct in_addr in4(uint32_t host_order)
{
    struct in_addr a;
    a.s_addr = htonl(host_order);
    return a;
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
        if (n)
            slirp_socket_recv(s->slirp, fwd, s->cfg.http_port, buf, (int)n);
        if (st == HTTP_OUT_RESET) {
            s->reset_pending = true;
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
    slirp_pollfds_poll(s->slirp, 0, cb_get_revents, s);
    for (unsigned k = 0; k < s->rxq_n; k++) {
        watch_device_frame(s, s->rxq[k].data, s->rxq[k].len);
        slirp_input(s->slirp, s->rxq[k].data, s->rxq[k].len);
    }
    s->rxq_n = 0;
    pump_http(s);
    flush_tx(s);
    if (s->reset_pending) {
        s->reset_pending = false;
        forge_reset(s);
    } else if (s->close_pending || (s->conn.open && s->conn.dev_fin &&
                                     !http_server_has_output(&s->http))) {
        s->close_pending = false;
        s->conn.dev_fin = false;
        if (s->conn.open)
            close_connection(s);
        s->conn.open = false;
        flush_tx(s);
    }
    uint32_t timeout_ms = 1000;
    slirp_pollfds_fill(s->slirp, &timeout_ms, cb_add_poll, s);
    sim_time_t next = now + SIM_MS(timeout_ms ? timeout_ms : 1);
    sim_time_t wake = http_server_wake_time(&s->http, now);
    if (wake < next)
        next = wake;
    sched_at(s->sched, &s->step_ev, next);
}

static void port_receive(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    update_server_t *s = owner;
    if (!fcs_ok) {
        s->stats.bad_fcs++;
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
    if (!sched_is_armed(&s->step_ev) || sched_when(&s->step_ev) > s->sched->now)
        sched_at(s->sched, &s->step_ev, s->sched->now);
}

void update_server_default_config(update_server_config_t *c, const char *root)
{
    memset(c, 0, sizeof *c);
    c->root = root;
    c->net_addr = 0x0A000200;
    c->net_mask = 0xFFFFFF00;
    c->host_addr = 0x0A000202;
    c->dhcp_start = 0x0A00020F;
    c->http_addr = 0x0A000264;
    c->http_port = 80;
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
    if ((c->http_addr & c->net_mask) != c->net_addr || c->http_addr == c->host_addr) {
        snprintf(err, errlen, "update server: HTTP address must lie in the virtual network "
                 "and differ from the gateway");
        return -1;
    }
    g_log_set_handler("Slirp", G_LOG_LEVEL_MASK, slirp_log_filter, NULL);
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = 4;
    cfg.restricted = 1;
    cfg.in_enabled = true;
    cfg.vnetwork = in4(c->net_addr);
    cfg.vnetmask = in4(c->net_mask);
    cfg.vhost = in4(c->host_addr);
    cfg.vdhcp_start = in4(c->dhcp_start);
    cfg.vnameserver = in4(c->host_addr + 1);
    cfg.vhostname = "device";
    cfg.disable_dns = true;
    cfg.disable_host_loopback = true;
    s->slirp = slirp_new(&cfg, &slirp_callbacks, s);
    if (!s->slirp) {
        snprintf(err, errlen, "update server: libslirp refused its configuration");
        return -1;
    }
    struct in_addr fwd = in4(c->http_addr);
    if (slirp_add_guestfwd(s->slirp, cb_guestfwd_write, s, &fwd, c->http_port)) {
        snprintf(err, errlen, "update server: cannot listen on the HTTP address");
        slirp_cleanup(s->slirp);
        s->slirp = NULL;
        return -1;
    }
    /* syncs slirp's process-wide millisecond clock with ours */
    slirp_pollfds_poll(s->slirp, 0, cb_get_revents, s);
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
