/* A small TCP client host (see tcp_client.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tcp_client.h"
#include "pkt.h"

#define RTO_INITIAL SIM_MS(300)
#define MAX_TRIES 6

static const char *const state_names[] = {
    [TCPC_CLOSED] = "closed", [TCPC_ARP] = "arp", [TCPC_SYN_SENT] = "syn-sent",
    [TCPC_ESTABLISHED] = "established", [TCPC_FIN_WAIT] = "fin-wait",
    [TCPC_CLOSE_WAIT] = "close-wait", [TCPC_LAST_ACK] = "last-ack", [TCPC_DONE] = "done",
    [TCPC_RESET] = "reset", [TCPC_FAILED] = "failed",
};

const char *tcp_client_state_name(tcp_client_state_t s)
{
    return s <= TCPC_FAILED ? state_names[s] : "?";
}

static void grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    uint8_t *b = realloc(*buf, n);
    if (!b)
        abort(); /* a test host: running out of memory is fatal */
    *buf = b;
    *cap = n;
}

static void send_segment(tcp_client_t *c, uint32_t seq, uint8_t flags, const uint8_t *data, size_t len)
{
    uint8_t f[PKT_ETH_MAX];
    uint8_t mss[4] = { 2, 4, 0, 0 };
    wr_be16(mss + 2, 1460);
    bool syn = flags & PKT_TCP_SYN;
    size_t n = pkt_build_tcp(f, c->peer_mac, c->mac, c->ip, c->local_port, c->peer_ip, c->peer_port,
                             c->ip_id++, seq, syn && !(flags & PKT_TCP_ACK) ? 0 : c->rcv_nxt, flags,
                             c->rcv_wnd, syn ? mss : NULL, syn ? sizeof mss : 0, data, len);
    net_port_send(&c->port, f, n);
}

static void send_ack(tcp_client_t *c)
{
    send_segment(c, c->snd_nxt, PKT_TCP_ACK, NULL, 0);
}

static void arm_rto(tcp_client_t *c)
{
    sched_at(c->sched, &c->rto_ev, c->sched->now + c->rto);
}

/* Sends what the peer's window allows, then the FIN if asked for. */
static void push(tcp_client_t *c)
{
    if (c->state != TCPC_ESTABLISHED && c->state != TCPC_CLOSE_WAIT)
        return;
    size_t sent = c->snd_nxt - c->snd_una;
    if (c->fin_sent)
        sent--;
    while (sent < c->tx_len && sent < c->peer_wnd) {
        size_t n = c->tx_len - sent;
        if (n > c->mss)
            n = c->mss;
        if (n > (size_t)c->peer_wnd - sent)
            n = (size_t)c->peer_wnd - sent;
        send_segment(c, c->snd_una + (uint32_t)sent, PKT_TCP_ACK | PKT_TCP_PSH, c->tx + sent, n);
        sent += n;
        c->snd_nxt = c->snd_una + (uint32_t)sent;
        arm_rto(c);
    }
    if (c->fin_wanted && !c->fin_sent && sent == c->tx_len) {
        send_segment(c, c->snd_nxt, PKT_TCP_FIN | PKT_TCP_ACK, NULL, 0);
        c->snd_nxt++;
        c->fin_sent = true;
        c->state = c->state == TCPC_CLOSE_WAIT ? TCPC_LAST_ACK : TCPC_FIN_WAIT;
        arm_rto(c);
    }
}

static void send_syn(tcp_client_t *c)
{
    c->state = TCPC_SYN_SENT;
    send_segment(c, c->iss, PKT_TCP_SYN, NULL, 0);
    c->snd_nxt = c->iss + 1;
    arm_rto(c);
}

static void send_arp(tcp_client_t *c)
{
    static const uint8_t zero[6];
    uint8_t f[PKT_ETH_MIN];
    size_t n = pkt_build_arp(f, pkt_broadcast, c->mac, 1, c->mac, c->ip, zero, c->peer_ip);
    net_port_send(&c->port, f, n);
    arm_rto(c);
}

static void rto_event(void *opaque)
{
    tcp_client_t *c = opaque;
    if (++c->tries >= MAX_TRIES) {
        c->state = TCPC_FAILED;
        return;
    }
    c->rto *= 2;
    c->retransmits++;
    switch (c->state) {
    case TCPC_ARP: send_arp(c); break;
    case TCPC_SYN_SENT: send_syn(c); break;
    case TCPC_ESTABLISHED:
    case TCPC_CLOSE_WAIT:
    case TCPC_FIN_WAIT:
    case TCPC_LAST_ACK: {
        /* go back to the first unacknowledged byte */
        bool fin = c->fin_sent;
        c->snd_nxt = c->snd_una;
        c->fin_sent = false;
        if (c->state == TCPC_FIN_WAIT)
            c->state = TCPC_ESTABLISHED;
        if (c->state == TCPC_LAST_ACK)
            c->state = TCPC_CLOSE_WAIT;
        c->fin_wanted |= fin;
        push(c);
        break;
    }
    default: break;
    }
}

static void handle_tcp(tcp_client_t *c, const pkt_ipv4_t *ip, const pkt_tcp_t *t)
{
    c->segments_in++;
    if (t->flags & PKT_TCP_RST) {
        if (c->state != TCPC_SYN_SENT || ((t->flags & PKT_TCP_ACK) && t->ack == c->snd_nxt)) {
            c->state = TCPC_RESET;
            c->reset_at = c->sched->now;
            sched_cancel(c->sched, &c->rto_ev);
        }
        return;
    }
    (void)ip;
    if (c->state == TCPC_SYN_SENT) {
        if ((t->flags & (PKT_TCP_SYN | PKT_TCP_ACK)) != (PKT_TCP_SYN | PKT_TCP_ACK) ||
            t->ack != c->iss + 1)
            return;
        c->rcv_nxt = t->seq + 1;
        c->snd_una = t->ack;
        c->peer_wnd = t->window;
        for (size_t k = 0; k + 3 < t->opts_len;) {
            uint8_t kind = t->opts[k];
            if (kind == 0)
                break;
            if (kind == 1) {
                k++;
                continue;
            }
            if (kind == 2 && t->opts[k + 1] == 4)
                c->mss = rd_be16(t->opts + k + 2) < c->mss ? rd_be16(t->opts + k + 2) : c->mss;
            k += t->opts[k + 1] ? t->opts[k + 1] : 1;
        }
        c->state = TCPC_ESTABLISHED;
        c->tries = 0;
        c->rto = RTO_INITIAL;
        sched_cancel(c->sched, &c->rto_ev);
        send_ack(c);
        push(c);
        return;
    }
    if (c->state < TCPC_ESTABLISHED || c->state >= TCPC_DONE)
        return;
    if (t->flags & PKT_TCP_ACK) {
        uint32_t acked = t->ack - c->snd_una;
        if (acked && acked <= c->snd_nxt - c->snd_una) {
            size_t data = acked;
            if (c->fin_sent && t->ack == c->snd_nxt)
                data--;
            if (data > c->tx_len)
                data = c->tx_len;
            memmove(c->tx, c->tx + data, c->tx_len - data);
            c->tx_len -= data;
            c->snd_una = t->ack;
            c->tries = 0;
            c->rto = RTO_INITIAL;
            if (c->snd_una == c->snd_nxt)
                sched_cancel(c->sched, &c->rto_ev);
            else
                arm_rto(c);
        }
        c->peer_wnd = t->window;
    }
    bool in_order = t->seq == c->rcv_nxt;
    if (t->len || (t->flags & PKT_TCP_FIN)) {
        if (!in_order) {
            c->out_of_order++;
            send_ack(c); /* a duplicate ACK */
            return;
        }
        if (t->len) {
            grow(&c->rx, &c->rx_cap, c->rx_len + t->len);
            memcpy(c->rx + c->rx_len, t->data, t->len);
            if (!c->rx_len)
                c->first_byte_at = c->sched->now;
            c->rx_len += t->len;
            c->last_byte_at = c->sched->now;
            c->rcv_nxt += (uint32_t)t->len;
        }
        if (t->flags & PKT_TCP_FIN) {
            c->rcv_nxt++;
            c->peer_fin = true;
            c->peer_fin_at = c->sched->now;
            if (c->state == TCPC_ESTABLISHED)
                c->state = TCPC_CLOSE_WAIT;
        }
        send_ack(c);
    }
    if (c->fin_sent && c->snd_una == c->snd_nxt && (c->peer_fin || c->state == TCPC_LAST_ACK))
        c->state = TCPC_DONE;
    push(c);
}

static void port_receive(void *owner, const uint8_t *f, size_t len, bool fcs_ok)
{
    tcp_client_t *c = owner;
    if (!fcs_ok)
        return;
    pkt_arp_t a;
    if (pkt_parse_arp(f, len, &a)) {
        if (a.spa == c->peer_ip && c->peer_ip) {
            memcpy(c->peer_mac, a.sha, 6);
            bool waiting = c->state == TCPC_ARP;
            c->peer_mac_known = true;
            if (waiting) {
                c->tries = 0;
                c->rto = RTO_INITIAL;
                send_syn(c);
            }
        }
        if (a.op == 1 && a.tpa == c->ip) {
            uint8_t r[PKT_ETH_MIN];
            size_t n = pkt_build_arp(r, a.sha, c->mac, 2, c->mac, c->ip, a.sha, a.spa);
            net_port_send(&c->port, r, n);
        }
        if (c->on_frame)
            c->on_frame(c->on_frame_opaque, f, len);
        return;
    }
    pkt_ipv4_t ip;
    pkt_tcp_t t;
    if (pkt_parse_ipv4(f, len, &ip) && ip.dst == c->ip && pkt_parse_tcp(&ip, &t) &&
        ip.src == c->peer_ip && t.sport == c->peer_port && t.dport == c->local_port) {
        handle_tcp(c, &ip, &t);
        return;
    }
    if (c->on_frame)
        c->on_frame(c->on_frame_opaque, f, len);
}

void tcp_client_init(tcp_client_t *c, sched_t *sched, const char *name, const uint8_t mac[6],
                     uint32_t ip)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->sched = sched;
    memcpy(c->mac, mac, 6);
    c->ip = ip;
    c->rcv_wnd = 16384;
    c->local_port = 40000;
    net_port_init(&c->port, c->name, port_receive, NULL, c);
    sched_event_init(&c->rto_ev, "tcp-client.rto", rto_event, c);
}

void tcp_client_free(tcp_client_t *c)
{
    sched_cancel(c->sched, &c->rto_ev);
    free(c->tx);
    free(c->rx);
    c->tx = c->rx = NULL;
}

void tcp_client_connect(tcp_client_t *c, uint32_t ip, uint16_t port)
{
    if (ip != c->peer_ip)
        c->peer_mac_known = false;
    c->peer_ip = ip;
    c->peer_port = port;
    c->local_port++;
    c->connections++;
    c->iss = 0x10000000u * c->connections;
    c->snd_una = c->snd_nxt = c->iss;
    c->mss = 1460;
    c->peer_wnd = 0;
    c->fin_wanted = c->fin_sent = c->peer_fin = false;
    c->tx_len = 0;
    c->rx_len = 0;
    c->first_byte_at = c->last_byte_at = c->reset_at = c->peer_fin_at = 0;
    c->tries = 0;
    c->rto = RTO_INITIAL;
    if (c->peer_mac_known) {
        send_syn(c);
    } else {
        c->state = TCPC_ARP;
        send_arp(c);
    }
}

void tcp_client_send(tcp_client_t *c, const void *data, size_t len)
{
    grow(&c->tx, &c->tx_cap, c->tx_len + len);
    memcpy(c->tx + c->tx_len, data, len);
    c->tx_len += len;
    push(c);
}

void tcp_client_close(tcp_client_t *c)
{
    c->fin_wanted = true;
    push(c);
}

void tcp_client_send_frame(tcp_client_t *c, const uint8_t *frame, size_t len)
{
    net_port_send(&c->port, frame, len);
}
