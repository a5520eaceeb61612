/* The update agent's IPv4 stack (see net.h). */
#include <stdio.h>
#include <string.h>
#include "enc28j60.h"
#include "net.h"
#include "platform.h"

#define ETH_ARP 0x0806
#define ETH_IP 0x0800
#define IP_ICMP 1
#define IP_TCP 6
#define IP_UDP 17
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_WINDOW 4380u       /* three full segments: what the flash writer keeps up with */
#define TCP_MSS 1460u
#define TCP_RTO_INITIAL 1000u  /* RFC 6298 (2.1) */
#define TCP_RTO_MIN 250u       /* below RFC 6298's 1 s: a LAN, and a device that must recover fast */
#define TCP_RTO_MAX 16000u
#define TCP_MAX_RETRIES 8u
#define TCP_SNDBUF 1024u

netif_t netif;
tcp_stats_t tcp_stats;
static uint8_t rxf[1536], txf[1536];

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t acc, const uint8_t *p, size_t n)
{
    for (; n > 1; p += 2, n -= 2)
        acc += get16(p);
    if (n)
        acc += (uint32_t)p[0] << 8;
    return acc;
}

static uint16_t csum_fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFFu) + (acc >> 16);
    return (uint16_t)~acc;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    uint8_t ph[12];
    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, (uint16_t)len);
    return csum_add(0, ph, sizeof ph);
}

const char *ip_str(uint32_t ip)
{
    static char s[16];
    snprintf(s, sizeof s, "%lu.%lu.%lu.%lu", (unsigned long)(ip >> 24), (unsigned long)(ip >> 16 & 255),
             (unsigned long)(ip >> 8 & 255), (unsigned long)(ip & 255));
    return s;
}

static uint32_t random32(void) { return hw_random32(); }

/* ---- Ethernet and ARP ---- */

static const uint8_t broadcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

static void eth_send(const uint8_t *dst, uint16_t type, size_t payload)
{
    memcpy(txf, dst, 6);
    memcpy(txf + 6, netif.mac, 6);
    put16(txf + 12, type);
    enc_send(txf, 14 + payload);
}

#define ARP_ENTRIES 4
static struct { uint32_t ip; uint8_t mac[6]; bool valid; } arp_cache[ARP_ENTRIES];
static unsigned arp_next;
static uint32_t arp_last_request_ms, arp_last_request_ip;

static void arp_learn(uint32_t ip, const uint8_t *mac)
{
    for (unsigned k = 0; k < ARP_ENTRIES; k++)
        if (arp_cache[k].valid && arp_cache[k].ip == ip) {
            memcpy(arp_cache[k].mac, mac, 6);
            return;
        }
    arp_cache[arp_next].ip = ip;
    memcpy(arp_cache[arp_next].mac, mac, 6);
    arp_cache[arp_next].valid = true;
    arp_next = (arp_next + 1) % ARP_ENTRIES;
}

static void arp_send(uint16_t oper, const uint8_t *tha, uint32_t tpa, const uint8_t *dst)
{
    uint8_t *a = txf + 14;
    put16(a, 1);
    put16(a + 2, ETH_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, oper);
    memcpy(a + 8, netif.mac, 6);
    put32(a + 14, netif.ip);
    memcpy(a + 18, tha, 6);
    put32(a + 24, tpa);
    eth_send(dst, ETH_ARP, 28);
}

/* The MAC of the next hop to 'ip', or false after asking for it. */
static bool arp_resolve(uint32_t ip, uint8_t *mac)
{
    if (ip == 0xFFFFFFFFu) {
        memcpy(mac, broadcast, 6);
        return true;
    }
    if (netif.gw && (ip & netif.mask) != (netif.ip & netif.mask))
        ip = netif.gw;
    for (unsigned k = 0; k < ARP_ENTRIES; k++)
        if (arp_cache[k].valid && arp_cache[k].ip == ip) {
            memcpy(mac, arp_cache[k].mac, 6);
            return true;
        }
    if (ip != arp_last_request_ip || millis() - arp_last_request_ms > 200) {
        static const uint8_t zero[6];
        arp_send(1, zero, ip, broadcast);
        arp_last_request_ip = ip;
        arp_last_request_ms = millis();
    }
    return false;
}

static void tcp_arp_resolved(uint32_t ip);

static void arp_input(const uint8_t *a, size_t len)
{
    if (len < 28 || get16(a) != 1 || get16(a + 2) != ETH_IP)
        return;
    uint32_t spa = get32(a + 14), tpa = get32(a + 24);
    if (spa) {
        arp_learn(spa, a + 8);
        tcp_arp_resolved(spa);
    }
    if (get16(a + 6) == 1 && netif.ip && tpa == netif.ip)
        arp_send(2, a + 8, spa, a + 8);
}

/* ---- IPv4 ---- */

static uint16_t ip_id;

/* Sends txf[34 ..] as the payload of an IPv4 datagram. */
static bool ip_send(uint32_t dst, uint8_t proto, size_t payload)
{
    uint8_t mac[6];
    if (!arp_resolve(dst, mac))
        return false;
    uint8_t *ip = txf + 14;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(20 + payload));
    put16(ip + 4, ip_id++);
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, netif.ip);
    put32(ip + 16, dst);
#ifndef ENC_NO_WA_SW_CHECKSUM
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    eth_send(mac, ETH_IP, 20 + payload);
#else
    /* the header checksum from the chip's DMA engine (errata #17 shows why not) */
    memcpy(txf, mac, 6);
    memcpy(txf + 6, netif.mac, 6);
    put16(txf + 12, ETH_IP);
    enc_send_hw_checksum(txf, 14 + 20 + payload, 14, 34, 24);
#endif
    return true;
}

static void icmp_input(uint32_t src, const uint8_t *p, size_t len)
{
    if (len < 8 || p[0] != 8 || len > sizeof txf - 34)
        return;
    uint8_t *r = txf + 34;
    memcpy(r, p, len);
    r[0] = 0;
    put16(r + 2, 0);
    put16(r + 2, csum_fold(csum_add(0, r, len)));
    ip_send(src, IP_ICMP, len);
}

/* ---- UDP and DHCP ---- */

static void udp_send(uint32_t dst, uint16_t sport, uint16_t dport, size_t len)
{
    uint8_t *u = txf + 34;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0);
    uint16_t c = csum_fold(csum_add(pseudo_sum(netif.ip, dst, IP_UDP, 8 + len), u, 8 + len));
    put16(u + 6, c ? c : 0xFFFF);
    ip_send(dst, IP_UDP, 8 + len);
}

enum { DHCP_IDLE, DHCP_SELECTING, DHCP_REQUESTING, DHCP_BOUND };
static struct {
    int state;
    uint32_t xid, offered, server, sent_ms, interval_ms;
} dhcp;

static void dhcp_send(uint8_t type)
{
    uint8_t *d = txf + 42;
    memset(d, 0, 240 + 32);
    d[0] = 1;
    d[1] = 1;
    d[2] = 6;
    put32(d + 4, dhcp.xid);
    put16(d + 10, 0x8000); /* broadcast replies: we have no address yet */
    memcpy(d + 28, netif.mac, 6);
    put32(d + 236, 0x63825363u);
    uint8_t *o = d + 240;
    *o++ = 53; *o++ = 1; *o++ = type;
    if (type == 3) {
        *o++ = 50; *o++ = 4; put32(o, dhcp.offered); o += 4;
        *o++ = 54; *o++ = 4; put32(o, dhcp.server); o += 4;
    }
    *o++ = 55; *o++ = 3; *o++ = 1; *o++ = 3; *o++ = 6;
    *o++ = 255;
    uint32_t saved = netif.ip;
    netif.ip = 0;
    udp_send(0xFFFFFFFFu, 68, 67, (size_t)(o - d));
    netif.ip = saved;
    dhcp.sent_ms = millis();
}

static void dhcp_input(const uint8_t *d, size_t len)
{
    if (len < 240 || d[0] != 2 || get32(d + 4) != dhcp.xid || get32(d + 236) != 0x63825363u ||
        memcmp(d + 28, netif.mac, 6))
        return;
    uint8_t type = 0;
    uint32_t mask = 0xFFFFFF00u, router = 0, server = 0;
    for (size_t k = 240; k + 1 < len && d[k] != 255;) {
        uint8_t opt = d[k];
        if (opt == 0) {
            k++;
            continue;
        }
        uint8_t ol = d[k + 1];
        const uint8_t *v = d + k + 2;
        if (k + 2 + ol > len)
            break;
        if (opt == 53 && ol >= 1) type = v[0];
        if (opt == 1 && ol >= 4) mask = get32(v);
        if (opt == 3 && ol >= 4) router = get32(v);
        if (opt == 54 && ol >= 4) server = get32(v);
        k += 2u + ol;
    }
    if (type == 2 && dhcp.state == DHCP_SELECTING) {
        dhcp.offered = get32(d + 16);
        dhcp.server = server;
        dhcp.state = DHCP_REQUESTING;
        dhcp.interval_ms = 1000;
        dhcp_send(3);
    } else if (type == 5 && dhcp.state == DHCP_REQUESTING) {
        netif.ip = get32(d + 16);
        netif.mask = mask;
        netif.gw = router;
        netif.server = server;
        netif.configured = true;
        dhcp.state = DHCP_BOUND;
        printf("net: address %s", ip_str(netif.ip));
        printf(" from DHCP server %s\n", ip_str(server));
    } else if (type == 6 && dhcp.state == DHCP_REQUESTING) {
        dhcp.state = DHCP_SELECTING;
        dhcp_send(1);
    }
}

static void dhcp_timer(void)
{
    if ((dhcp.state != DHCP_SELECTING && dhcp.state != DHCP_REQUESTING) ||
        millis() - dhcp.sent_ms < dhcp.interval_ms)
        return;
    if (dhcp.interval_ms < 8000)
        dhcp.interval_ms *= 2;
    if (dhcp.state == DHCP_REQUESTING) {
        dhcp.state = DHCP_SELECTING;
    }
    dhcp.xid = random32();
    dhcp_send(1);
}

bool dhcp_run(uint32_t timeout_ms)
{
    uint32_t start = millis();
    dhcp.state = DHCP_SELECTING;
    dhcp.xid = random32();
    dhcp.interval_ms = 1000;
    dhcp_send(1);
    while (dhcp.state != DHCP_BOUND) {
        if (millis() - start > timeout_ms)
            return false;
        net_wait();
    }
    return true;
}

/* ---- TCP: one client connection ---- */

static struct {
    tcp_state_t state;
    tcp_error_t error;
    uint32_t rip;
    uint16_t lport, rport;
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, rcv_nxt;
    uint16_t mss;
    uint8_t sndbuf[TCP_SNDBUF];
    size_t snd_len;               /* bytes in sndbuf, starting at snd_una (after SYN) */
    bool fin_queued, fin_acked, peer_fin;
    uint32_t rto, rto_deadline, retries, dupacks;
    bool timer_on;
    /* RFC 6298 estimator, in ms scaled by 8 (srtt) and 4 (rttvar); one
     * segment timed at a time, never a retransmitted one (Karn) */
    int32_t srtt8, rttvar4;
    bool rtt_timing, rtt_valid;
    uint32_t rtt_seq, rtt_start;
    tcp_recv_fn recv;
    void *ctx;
} tcb;
static uint16_t next_port;

tcp_state_t tcp_state(void) { return tcb.state; }
tcp_error_t tcp_error(void) { return tcb.error; }
bool tcp_peer_closed(void) { return tcb.peer_fin; }

static void tcp_emit(uint32_t seq, uint8_t flags, const uint8_t *data, size_t len)
{
    uint8_t *t = txf + 34;
    size_t hl = (flags & TCP_SYN) ? 24 : 20;
    put16(t, tcb.lport);
    put16(t + 2, tcb.rport);
    put32(t + 4, seq);
    put32(t + 8, (flags & TCP_ACK) ? tcb.rcv_nxt : 0);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = flags;
    put16(t + 14, TCP_WINDOW);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (hl == 24) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, TCP_MSS);
    }
    if (len)
        memcpy(t + hl, data, len);
    put16(t + 16, csum_fold(csum_add(pseudo_sum(netif.ip, tcb.rip, IP_TCP, hl + len), t, hl + len)));
    ip_send(tcb.rip, IP_TCP, hl + len);
}

/* The first SYN waits for ARP; send it as soon as the answer is in. */
static void tcp_arp_resolved(uint32_t ip)
{
    if (tcb.state == TCP_SYN_SENT && ip == tcb.rip && !tcb.retries) {
        tcp_emit(tcb.iss, TCP_SYN, NULL, 0);
        tcb.rto_deadline = millis() + tcb.rto;
    }
}

static void tcp_arm_timer(void)
{
    tcb.timer_on = true;
    tcb.rto_deadline = millis() + tcb.rto;
}

/* Sends what the window allows from snd_nxt on. */
static void tcp_output(void)
{
    if (tcb.state == TCP_SYN_SENT) {
        if (tcb.snd_nxt == tcb.iss) {
            tcp_emit(tcb.iss, TCP_SYN, NULL, 0);
            tcb.snd_nxt = tcb.snd_max = tcb.iss + 1;
            if (!tcb.timer_on)
                tcp_arm_timer();
        }
        return;
    }
    if (tcb.state != TCP_ESTABLISHED && tcb.state != TCP_CLOSE_WAIT &&
        tcb.state != TCP_FIN_WAIT_1 && tcb.state != TCP_LAST_ACK)
        return;
    for (;;) {
        uint32_t off = tcb.snd_nxt - tcb.snd_una;
        uint32_t wnd_end = tcb.snd_una + tcb.snd_wnd;
        if (off < tcb.snd_len) {
            size_t n = tcb.snd_len - off;
            if (n > tcb.mss)
                n = tcb.mss;
            if ((int32_t)(wnd_end - tcb.snd_nxt) < (int32_t)n)
                n = (int32_t)(wnd_end - tcb.snd_nxt) > 0 ? wnd_end - tcb.snd_nxt : 0;
            if (!n)
                return;
            tcp_emit(tcb.snd_nxt, TCP_ACK | TCP_PSH, tcb.sndbuf + off, n);
            if (!tcb.rtt_timing && tcb.snd_nxt == tcb.snd_max) {
                tcb.rtt_timing = true;
                tcb.rtt_seq = tcb.snd_nxt + (uint32_t)n;
                tcb.rtt_start = millis();
            }
            tcb.snd_nxt += (uint32_t)n;
            if ((int32_t)(tcb.snd_nxt - tcb.snd_max) > 0)
                tcb.snd_max = tcb.snd_nxt;
            if (!tcb.timer_on)
                tcp_arm_timer();
            continue;
        }
        if (tcb.fin_queued && off == tcb.snd_len) {
            tcp_emit(tcb.snd_nxt, TCP_ACK | TCP_FIN, NULL, 0);
            tcb.snd_nxt++;
            if ((int32_t)(tcb.snd_nxt - tcb.snd_max) > 0)
                tcb.snd_max = tcb.snd_nxt;
            if (!tcb.timer_on)
                tcp_arm_timer();
        }
        return;
    }
}

int tcp_connect(uint32_t ip, uint16_t port, tcp_recv_fn recv, void *ctx)
{
    memset(&tcb, 0, sizeof tcb);
    if (!next_port)
        next_port = (uint16_t)(49152u + random32() % 8192u);
    tcb.lport = next_port++;
    if (next_port < 49152u)
        next_port = 49152u;
    tcb.rip = ip;
    tcb.rport = port;
    tcb.iss = random32();
    tcb.snd_una = tcb.snd_nxt = tcb.snd_max = tcb.iss;
    tcb.mss = 536;
    tcb.snd_wnd = 1;
    tcb.rto = TCP_RTO_INITIAL;
    tcb.recv = recv;
    tcb.ctx = ctx;
    tcb.state = TCP_SYN_SENT;
    tcb.rtt_start = millis();
    tcp_output();
    return 0;
}

int tcp_send(const void *data, size_t len)
{
    if (tcb.state != TCP_ESTABLISHED || tcb.snd_len + len > TCP_SNDBUF)
        return -1;
    memcpy(tcb.sndbuf + tcb.snd_len, data, len);
    tcb.snd_len += len;
    tcp_output();
    return 0;
}

void tcp_close(void)
{
    if (tcb.state == TCP_ESTABLISHED) {
        tcb.state = TCP_FIN_WAIT_1;
        tcb.fin_queued = true;
    } else if (tcb.state == TCP_CLOSE_WAIT) {
        tcb.state = TCP_LAST_ACK;
        tcb.fin_queued = true;
    } else if (tcb.state == TCP_SYN_SENT) {
        tcb.state = TCP_CLOSED;
        return;
    }
    tcp_output();
}

void tcp_abort(void)
{
    if (tcb.state != TCP_CLOSED && tcb.state != TCP_SYN_SENT)
        tcp_emit(tcb.snd_nxt, TCP_RST | TCP_ACK, NULL, 0);
    tcb.state = TCP_CLOSED;
    tcb.timer_on = false;
}

static void tcp_fail(tcp_error_t e)
{
    tcb.error = e;
    tcb.state = TCP_CLOSED;
    tcb.timer_on = false;
}

static void tcp_timer(void)
{
    if (!tcb.timer_on || tcb.state == TCP_CLOSED || (int32_t)(millis() - tcb.rto_deadline) < 0)
        return;
    if (++tcb.retries > TCP_MAX_RETRIES) {
        tcp_stats.timeouts++;
        printf("tcp: connection to %s timed out\n", ip_str(tcb.rip));
        tcp_abort();
        tcb.error = TCP_ERR_TIMEOUT;
        return;
    }
    tcp_stats.retransmits++;
    tcb.rto = tcb.rto * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : tcb.rto * 2;   /* back off (5.5) */
    tcb.rtt_timing = false;
    tcb.snd_nxt = tcb.snd_una;   /* go back and resend from the oldest unacknowledged byte */
    tcb.timer_on = false;
    if (tcb.state == TCP_SYN_SENT) {
        tcp_emit(tcb.iss, TCP_SYN, NULL, 0);
        tcb.snd_nxt = tcb.snd_max = tcb.iss + 1;
        tcp_arm_timer();
        return;
    }
    if (tcb.snd_wnd == 0)
        tcb.snd_wnd = 1;   /* a window probe */
    tcp_output();
    if (!tcb.timer_on)
        tcp_arm_timer();
}

static uint16_t parse_mss(const uint8_t *t, size_t hl)
{
    for (size_t k = 20; k < hl;) {
        if (t[k] == 0)
            break;
        if (t[k] == 1) {
            k++;
            continue;
        }
        if (k + 1 >= hl || t[k + 1] < 2)
            break;
        if (t[k] == 2 && t[k + 1] == 4 && k + 4 <= hl)
            return get16(t + k + 2);
        k += t[k + 1];
    }
    return 536;
}

static void tcp_rtt_sample(uint32_t ack)
{
    if (!tcb.rtt_timing || (int32_t)(ack - tcb.rtt_seq) < 0)
        return;
    tcb.rtt_timing = false;
    int32_t r = (int32_t)(millis() - tcb.rtt_start);
    if (!tcb.rtt_valid) {
        tcb.srtt8 = r * 8;
        tcb.rttvar4 = r * 2;
        tcb.rtt_valid = true;
    } else {
        int32_t err = r - tcb.srtt8 / 8;
        tcb.srtt8 += err;                                   /* alpha = 1/8 */
        tcb.rttvar4 += (err < 0 ? -err : err) - tcb.rttvar4 / 4;   /* beta = 1/4 */
    }
    uint32_t rto = (uint32_t)(tcb.srtt8 / 8 + (tcb.rttvar4 > 4 ? tcb.rttvar4 : 4));
    tcb.rto = rto < TCP_RTO_MIN ? TCP_RTO_MIN : rto > TCP_RTO_MAX ? TCP_RTO_MAX : rto;
}

static void tcp_ack_input(uint32_t ack, uint16_t wnd, size_t len, uint8_t flags)
{
    uint32_t acked = ack - tcb.snd_una;
    uint32_t outstanding = tcb.snd_max - tcb.snd_una;
    if (acked && acked <= outstanding) {
        uint32_t data = acked;
        /* an acknowledgement beyond the data covers our FIN */
        if (data > tcb.snd_len) {
            tcb.fin_acked = true;
            data = (uint32_t)tcb.snd_len;
        }
        memmove(tcb.sndbuf, tcb.sndbuf + data, tcb.snd_len - data);
        tcb.snd_len -= data;
        tcb.snd_una = ack;
        if ((int32_t)(tcb.snd_nxt - ack) < 0)
            tcb.snd_nxt = ack;
        tcb.retries = 0;
        tcb.dupacks = 0;
        tcp_rtt_sample(ack);
        if (tcb.snd_una == tcb.snd_max)
            tcb.timer_on = false;
        else
            tcp_arm_timer();
    } else if (!acked && !len && outstanding && !(flags & (TCP_SYN | TCP_FIN)) && wnd == tcb.snd_wnd) {
        if (++tcb.dupacks == 3) {
            /* fast retransmit (RFC 5681 3.2): resend the oldest segment now */
            tcp_stats.fast_retransmits++;
            tcb.snd_nxt = tcb.snd_una;
            tcb.rtt_timing = false;
        }
    }
    tcb.snd_wnd = wnd;
    /* data waits behind a closed window: the timer becomes the persist timer,
     * whose expiry sends a one-byte probe */
    if (!tcb.timer_on && !wnd && tcb.snd_len > tcb.snd_nxt - tcb.snd_una)
        tcp_arm_timer();
}

static void tcp_input(uint32_t src, const uint8_t *t, size_t len)
{
    if (len < 20)
        return;
    size_t hl = (size_t)(t[12] >> 4) * 4;
    if (hl < 20 || hl > len)
        return;
    if (csum_fold(csum_add(pseudo_sum(src, netif.ip, IP_TCP, len), t, len)) != 0)
        return;
    uint16_t sport = get16(t), dport = get16(t + 2);
    uint32_t seq = get32(t + 4), ack = get32(t + 8);
    uint8_t flags = t[13];
    uint16_t wnd = get16(t + 14);
    const uint8_t *data = t + hl;
    size_t dlen = len - hl;
    if (tcb.state == TCP_CLOSED || src != tcb.rip || sport != tcb.rport || dport != tcb.lport) {
        if (!(flags & TCP_RST)) {
            /* nobody listens here: answer with a reset, as RFC 793 asks */
            uint32_t save_rip = tcb.rip;
            uint16_t save_l = tcb.lport, save_r = tcb.rport;
            tcb.rip = src;
            tcb.lport = dport;
            tcb.rport = sport;
            uint32_t save_rcv = tcb.rcv_nxt;
            tcb.rcv_nxt = seq + (uint32_t)dlen + ((flags & TCP_SYN) ? 1 : 0) + ((flags & TCP_FIN) ? 1 : 0);
            tcp_emit((flags & TCP_ACK) ? ack : 0, TCP_RST | TCP_ACK, NULL, 0);
            tcb.rip = save_rip;
            tcb.lport = save_l;
            tcb.rport = save_r;
            tcb.rcv_nxt = save_rcv;
        }
        return;
    }
    if (tcb.state == TCP_SYN_SENT) {
        if ((flags & TCP_ACK) && ack != tcb.iss + 1)
            return;
        if (flags & TCP_RST) {
            if (flags & TCP_ACK)
                tcp_fail(TCP_ERR_REFUSED);
            return;
        }
        if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
            tcb.rcv_nxt = seq + 1;
            tcb.snd_una = ack;
            tcb.snd_wnd = wnd;
            tcb.mss = parse_mss(t, hl);
            if (tcb.mss > TCP_MSS)
                tcb.mss = TCP_MSS;
            tcb.state = TCP_ESTABLISHED;
            tcb.timer_on = false;
            if (!tcb.retries) {
                /* the SYN's round trip is the first sample (Karn: only if not retransmitted) */
                tcb.rtt_timing = true;
                tcb.rtt_seq = ack;
                tcp_rtt_sample(ack);
            }
            tcb.retries = 0;
            tcp_emit(tcb.snd_nxt, TCP_ACK, NULL, 0);
            tcp_output();
        }
        return;
    }
    if (flags & TCP_RST) {
        if ((int32_t)(seq - tcb.rcv_nxt) >= 0 && (int32_t)(seq - tcb.rcv_nxt) < (int32_t)TCP_WINDOW) {
            tcp_stats.resets++;
            printf("tcp: connection reset by %s\n", ip_str(tcb.rip));
            tcp_fail(TCP_ERR_RESET);
        }
        return;
    }
    if (flags & TCP_ACK)
        tcp_ack_input(ack, wnd, dlen, flags);
    bool send_ack = false;
    if (dlen || (flags & TCP_FIN)) {
        if (seq != tcb.rcv_nxt) {
            tcp_stats.out_of_order++;
            tcp_stats.dup_acks_sent++;
            send_ack = true;
        } else {
            if (dlen && !tcb.peer_fin) {
                tcb.rcv_nxt += (uint32_t)dlen;
                if (tcb.recv && !tcb.recv(data, dlen, tcb.ctx)) {
                    tcp_abort();
                    return;
                }
            }
            if (flags & TCP_FIN) {
                tcb.rcv_nxt++;
                tcb.peer_fin = true;
                if (tcb.state == TCP_ESTABLISHED)
                    tcb.state = TCP_CLOSE_WAIT;
                else if (tcb.state == TCP_FIN_WAIT_1 || tcb.state == TCP_FIN_WAIT_2)
                    tcb.state = TCP_TIME_WAIT;
            }
            send_ack = true;
        }
    }
    if (tcb.fin_acked) {
        if (tcb.state == TCP_FIN_WAIT_1)
            tcb.state = TCP_FIN_WAIT_2;
        else if (tcb.state == TCP_LAST_ACK)
            tcb.state = TCP_CLOSED;
    }
    if (send_ack)
        tcp_emit(tcb.snd_nxt, TCP_ACK, NULL, 0);
    if (tcb.state == TCP_TIME_WAIT)
        tcb.state = TCP_CLOSED; /* the next connection uses a new port: no need to linger */
    tcp_output();
}

/* ---- dispatch ---- */

static void ip_input(const uint8_t *ip, size_t len)
{
    if (len < 20 || (ip[0] >> 4) != 4)
        return;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t tot = get16(ip + 2);
    if (ihl < 20 || tot < ihl || tot > len || csum_fold(csum_add(0, ip, ihl)) != 0)
        return;
    if (get16(ip + 6) & 0x3FFF)
        return; /* fragments: not used by anything we talk to */
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    const uint8_t *p = ip + ihl;
    size_t plen = tot - ihl;
    if (ip[9] == IP_UDP && plen >= 8) {
        if (get16(p + 2) == 68)
            dhcp_input(p + 8, plen - 8);
        return;
    }
    if (!netif.ip || dst != netif.ip)
        return;
    if (ip[9] == IP_ICMP)
        icmp_input(src, p, plen);
    else if (ip[9] == IP_TCP)
        tcp_input(src, p, plen);
}

void net_init(const uint8_t mac[6])
{
    memcpy(netif.mac, mac, 6);
}

void (*net_background)(void);

void net_wait(void)
{
    net_poll();
    watchdog_kick();
    if (net_background)
        net_background();
    cpu_idle();
}

void net_link_changed(bool up)
{
    /* a cable back in: retransmit now rather than at the end of a backed-off RTO */
    if (up && tcb.timer_on && tcb.state != TCP_CLOSED)
        tcb.rto_deadline = millis();
    if (!up)
        arp_last_request_ms = millis() - 1000u;
}

void net_poll(void)
{
    if (enc_service()) {
        for (int k = 0;; k++) {
            if (k == 32) {
                enc_irq_pending = true;   /* more later: let the timers run in between */
                break;
            }
            size_t n = enc_receive(rxf, sizeof rxf);
            if (!n)
                break;
            if (n < 14)
                continue;
            uint16_t type = get16(rxf + 12);
            if (type == ETH_ARP)
                arp_input(rxf + 14, n - 14);
            else if (type == ETH_IP)
                ip_input(rxf + 14, n - 14);
        }
    }
    dhcp_timer();
    tcp_timer();
}
