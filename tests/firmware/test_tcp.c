/*
 * The agent's TCP client against a scripted peer: ARP before the SYN, the
 * handshake with MSS, data in both directions with the receive window,
 * out-of-order data answered with a duplicate ACK, retransmission with RTO
 * back-off up to the timeout, fast retransmit after three duplicate ACKs,
 * a zero window probed, RST handling, a reset for a segment nobody expects,
 * and the close.
 */
#include <check.h>
#include <string.h>
#include "fwhost.h"
#include "net.h"
#include "platform.h"

#define PEER_IP 0x0A000264u   /* 10.0.2.100 */
#define OUR_IP 0x0A00020Fu
static const uint8_t our_mac[6] = { 0x02, 0x47, 0x42, 1, 2, 3 };
static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0A, 0, 2, 2 };

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static uint16_t csum(uint32_t acc, const uint8_t *p, size_t n)
{
    for (; n > 1; p += 2, n -= 2)
        acc += get16(p);
    if (n)
        acc += (uint32_t)p[0] << 8;
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc;
}

/* What the peer knows about the connection. */
static struct {
    uint16_t port, our_port;
    uint32_t seq, ack;       /* peer's next sequence number, what it acknowledges */
    uint16_t window;
} peer;

typedef struct seg {
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window, mss;
    const uint8_t *data;
    size_t len;
} seg_t;

/* Parses our k-th sent frame as TCP (fails the test if it is not). */
static seg_t sent(unsigned k)
{
    ck_assert_uint_lt(k, host_tx_count);
    const uint8_t *f = host_tx[k].data;
    ck_assert_uint_eq(get16(f + 12), 0x0800);
    const uint8_t *ip = f + 14;
    ck_assert_uint_eq(ip[9], 6);
    ck_assert_uint_eq(csum(0, ip, 20), 0);
    size_t tot = get16(ip + 2);
    const uint8_t *t = ip + 20;
    size_t tl = tot - 20;
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = 6;
    put16(ph + 10, (uint16_t)tl);
    uint32_t acc = 0;
    for (int i = 0; i < 12; i += 2)
        acc += get16(ph + i);
    ck_assert_msg(csum(acc, t, tl) == 0, "bad TCP checksum");
    seg_t s = { get32(t + 4), get32(t + 8), t[13], get16(t + 14), 0, NULL, 0 };
    size_t hl = (size_t)(t[12] >> 4) * 4;
    if (hl >= 24 && t[20] == 2 && t[21] == 4)
        s.mss = get16(t + 22);
    s.data = t + hl;
    s.len = tl - hl;
    peer.our_port = get16(t);
    return s;
}

static void peer_send(uint8_t flags, uint32_t seq, const void *data, size_t len, uint16_t mss)
{
    uint8_t f[1536] = { 0 };
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *t = ip + 20;
    size_t hl = mss ? 24 : 20;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + hl + len));
    ip[8] = 64;
    ip[9] = 6;
    put32(ip + 12, PEER_IP);
    put32(ip + 16, OUR_IP);
    put16(ip + 10, csum(0, ip, 20));
    put16(t, peer.port);
    put16(t + 2, peer.our_port);
    put32(t + 4, seq);
    put32(t + 8, peer.ack);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = flags;
    put16(t + 14, peer.window);
    if (mss) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, mss);
    }
    if (len)
        memcpy(t + hl, data, len);
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = 6;
    put16(ph + 10, (uint16_t)(hl + len));
    uint32_t acc = 0;
    for (int i = 0; i < 12; i += 2)
        acc += get16(ph + i);
    put16(t + 16, csum(acc, t, hl + len));
    host_rx_push(f, 14 + 20 + hl + len);
}

static void arp_reply(void)
{
    uint8_t f[60] = { 0 };
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, 0x0806);
    uint8_t *a = f + 14;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, 2);
    memcpy(a + 8, peer_mac, 6);
    put32(a + 14, PEER_IP);
    memcpy(a + 18, our_mac, 6);
    put32(a + 24, OUR_IP);
    host_rx_push(f, sizeof f);
}

static uint8_t received[8192];
static size_t received_len;
static bool on_recv(const uint8_t *d, size_t n, void *ctx)
{
    (void)ctx;
    memcpy(received + received_len, d, n);
    received_len += n;
    return true;
}

static void run_ms(uint32_t ms)
{
    while (ms--) {
        net_poll();
        cpu_idle();
    }
    net_poll();
}

/* Connects: ARP, SYN (with our MSS), SYN-ACK from the peer with 'mss'. */
static seg_t connect_with(uint16_t mss, uint16_t window)
{
    host_net_reset();
    host_ms = 1000;
    memset(&tcp_stats, 0, sizeof tcp_stats);
    received_len = 0;
    net_init(our_mac);
    netif.ip = OUR_IP;
    netif.mask = 0xFFFFFF00u;
    netif.configured = true;
    peer.port = 80;
    peer.window = window;
    ck_assert_int_eq(tcp_connect(PEER_IP, 80, on_recv, NULL), 0);
    ck_assert_int_eq(tcp_state(), TCP_SYN_SENT);
    /* no MAC for the server yet: the first frame is an ARP request */
    ck_assert_uint_ge(host_tx_count, 1);
    ck_assert_uint_eq(get16(host_tx[host_tx_count - 1].data + 12), 0x0806);
    unsigned before = host_tx_count;
    arp_reply();
    run_ms(0);
    ck_assert_uint_eq(host_tx_count, before + 1);
    seg_t syn = sent(before);
    ck_assert_uint_eq(syn.flags, 0x02);
    ck_assert_uint_eq(syn.mss, 1460);
    peer.seq = 5000;
    peer.ack = syn.seq + 1;
    peer_send(0x12, peer.seq, NULL, 0, mss);
    peer.seq++;
    run_ms(0);
    ck_assert_int_eq(tcp_state(), TCP_ESTABLISHED);
    seg_t ack = sent(host_tx_count - 1);
    ck_assert_uint_eq(ack.flags & 0x10, 0x10);
    ck_assert_uint_eq(ack.ack, peer.seq);
    ck_assert_uint_eq(ack.seq, syn.seq + 1);
    return ack;
}

START_TEST(handshake_data_and_close)
{
    seg_t a = connect_with(1000, 8192);
    ck_assert_uint_eq(a.window, 4380);   /* our receive window */
    unsigned n = host_tx_count;
    ck_assert_int_eq(tcp_send("GET / HTTP/1.1\r\n\r\n", 18), 0);
    seg_t d = sent(n);
    ck_assert_uint_eq(d.len, 18);
    ck_assert_uint_eq(d.seq, a.seq);
    peer.ack = d.seq + 18;
    /* the peer answers in two segments */
    peer_send(0x10, peer.seq, "hello ", 6, 0);
    peer_send(0x18, peer.seq + 6, "world", 5, 0);
    peer.seq += 11;
    run_ms(0);
    ck_assert_uint_eq(received_len, 11);
    ck_assert(!memcmp(received, "hello world", 11));
    seg_t last = sent(host_tx_count - 1);
    ck_assert_uint_eq(last.ack, peer.seq);
    /* a segment beyond the window is not taken */
    peer_send(0x10, peer.seq + 5000, "x", 1, 0);
    run_ms(0);
    ck_assert_uint_eq(received_len, 11);
    /* the peer closes; we close */
    peer_send(0x11, peer.seq, NULL, 0, 0);
    peer.seq++;
    run_ms(0);
    ck_assert(tcp_peer_closed());
    ck_assert_int_eq(tcp_state(), TCP_CLOSE_WAIT);
    tcp_close();
    seg_t fin = sent(host_tx_count - 1);
    ck_assert_uint_eq(fin.flags & 0x01, 0x01);
    peer.ack = fin.seq + 1;
    peer_send(0x10, peer.seq, NULL, 0, 0);
    run_ms(0);
    ck_assert_int_eq(tcp_state(), TCP_CLOSED);
    ck_assert_int_eq(tcp_error(), TCP_OK);
}
END_TEST

START_TEST(out_of_order_gets_duplicate_ack)
{
    connect_with(1460, 8192);
    uint32_t base = peer.seq;
    peer_send(0x10, base + 100, "later", 5, 0);    /* the segment before it was lost */
    run_ms(0);
    ck_assert_uint_eq(received_len, 0);
    seg_t dup = sent(host_tx_count - 1);
    ck_assert_uint_eq(dup.ack, base);
    ck_assert_uint_eq(tcp_stats.out_of_order, 1);
    char first[100];
    memset(first, 'a', sizeof first);
    peer_send(0x10, base, first, 100, 0);
    peer_send(0x10, base + 100, "later", 5, 0);    /* the peer retransmits */
    run_ms(0);
    ck_assert_uint_eq(received_len, 105);
    ck_assert_uint_eq(sent(host_tx_count - 1).ack, base + 105);
}
END_TEST

START_TEST(retransmission_backoff_and_timeout)
{
    seg_t a = connect_with(1460, 8192);
    unsigned n = host_tx_count;
    ck_assert_int_eq(tcp_send("request", 7), 0);
    ck_assert_uint_eq(host_tx_count, n + 1);
    /* no answer: the same segment again, each time after twice the wait */
    uint32_t t_prev = host_ms, gap_prev = 0;
    unsigned seen = host_tx_count;
    for (int k = 0; k < 6; k++) {
        uint32_t t0 = host_ms;
        while (host_tx_count == seen && host_ms - t0 < 40000)
            run_ms(1);
        ck_assert_uint_eq(host_tx_count, seen + 1);
        seen = host_tx_count;
        seg_t r = sent(seen - 1);
        ck_assert_uint_eq(r.seq, a.seq);
        ck_assert_uint_eq(r.len, 7);
        uint32_t gap = host_ms - t_prev;
        t_prev = host_ms;
        if (k == 0)
            ck_assert_uint_ge(gap, 250);   /* the minimum RTO */
        else
            ck_assert_msg(gap >= 2 * gap_prev - 2 || gap >= 16000, "gap %u after %u", gap, gap_prev);
        gap_prev = gap;
    }
    ck_assert_uint_eq(tcp_stats.retransmits, 6);
    /* an ACK stops it */
    peer.ack = a.seq + 7;
    peer_send(0x10, peer.seq, NULL, 0, 0);
    run_ms(0);
    unsigned quiet = host_tx_count;
    run_ms(40000);
    ck_assert_uint_eq(host_tx_count, quiet);
    /* and with no answer at all, the connection times out */
    tcp_send("again", 5);
    run_ms(200000);
    ck_assert_int_eq(tcp_state(), TCP_CLOSED);
    ck_assert_int_eq(tcp_error(), TCP_ERR_TIMEOUT);
    ck_assert_uint_eq(tcp_stats.timeouts, 1);
}
END_TEST

START_TEST(fast_retransmit)
{
    seg_t a = connect_with(100, 8192);   /* small MSS: 300 bytes are three segments */
    char buf[300];
    memset(buf, 'q', sizeof buf);
    unsigned n = host_tx_count;
    ck_assert_int_eq(tcp_send(buf, sizeof buf), 0);
    ck_assert_uint_eq(host_tx_count, n + 3);
    for (unsigned k = 0; k < 3; k++) {
        seg_t s = sent(n + k);
        ck_assert_uint_eq(s.len, 100);
        ck_assert_uint_eq(s.seq, a.seq + 100 * k);
    }
    /* the first arrived, the second was lost: three duplicate ACKs */
    peer.ack = a.seq + 100;
    for (int k = 0; k < 4; k++)
        peer_send(0x10, peer.seq, NULL, 0, 0);
    run_ms(0);
    ck_assert_uint_eq(tcp_stats.fast_retransmits, 1);
    ck_assert_uint_eq(tcp_stats.retransmits, 0);   /* before any timer ran out */
    seg_t r = sent(n + 3);
    ck_assert_uint_eq(r.seq, a.seq + 100);
    ck_assert_uint_eq(r.len, 100);
}
END_TEST

START_TEST(window_respected_and_probed)
{
    seg_t a = connect_with(1460, 150);
    char buf[400];
    memset(buf, 'w', sizeof buf);
    unsigned n = host_tx_count;
    tcp_send(buf, sizeof buf);
    ck_assert_uint_eq(host_tx_count, n + 1);
    ck_assert_uint_eq(sent(n).len, 150);   /* only what the peer's window holds */
    /* acknowledged, but the window is now closed */
    peer.ack = a.seq + 150;
    peer.window = 0;
    peer_send(0x10, peer.seq, NULL, 0, 0);
    run_ms(0);
    ck_assert_uint_eq(host_tx_count, n + 1);
    /* after the RTO, a one-byte probe */
    run_ms(2000);
    ck_assert_uint_gt(host_tx_count, n + 1);
    seg_t p = sent(n + 1);
    ck_assert_uint_eq(p.seq, a.seq + 150);
    ck_assert_uint_eq(p.len, 1);
    /* the window opens: the rest flows */
    peer.window = 4000;
    peer.ack = a.seq + 151;
    peer_send(0x10, peer.seq, NULL, 0, 0);
    run_ms(0);
    seg_t rest = sent(host_tx_count - 1);
    ck_assert_uint_eq(rest.seq + rest.len, a.seq + 400);
}
END_TEST

START_TEST(reset_handling)
{
    connect_with(1460, 8192);
    /* a RST outside the window is ignored (RFC 5961 spirit) */
    peer_send(0x04, peer.seq + 100000, NULL, 0, 0);
    run_ms(0);
    ck_assert_int_eq(tcp_state(), TCP_ESTABLISHED);
    peer_send(0x04, peer.seq, NULL, 0, 0);
    run_ms(0);
    ck_assert_int_eq(tcp_state(), TCP_CLOSED);
    ck_assert_int_eq(tcp_error(), TCP_ERR_RESET);
    ck_assert_uint_eq(tcp_stats.resets, 1);
    /* a segment for a connection that no longer exists is answered with RST */
    unsigned n = host_tx_count;
    peer_send(0x18, peer.seq, "late", 4, 0);
    run_ms(0);
    ck_assert_uint_eq(host_tx_count, n + 1);
    ck_assert_uint_eq(sent(n).flags & 0x04, 0x04);
}
END_TEST

START_TEST(connection_refused)
{
    host_net_reset();
    net_init(our_mac);
    netif.ip = OUR_IP;
    netif.mask = 0xFFFFFF00u;
    tcp_connect(PEER_IP, 81, on_recv, NULL);
    arp_reply();
    run_ms(0);
    seg_t syn = sent(host_tx_count - 1);
    peer.port = 81;
    peer.ack = syn.seq + 1;
    peer_send(0x14, 0, NULL, 0, 0);   /* RST+ACK */
    run_ms(0);
    ck_assert_int_eq(tcp_state(), TCP_CLOSED);
    ck_assert_int_eq(tcp_error(), TCP_ERR_REFUSED);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fw-tcp");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, handshake_data_and_close);
    tcase_add_test(tc, out_of_order_gets_duplicate_ack);
    tcase_add_test(tc, retransmission_backoff_and_timeout);
    tcase_add_test(tc, fast_retransmit);
    tcase_add_test(tc, window_respected_and_probed);
    tcase_add_test(tc, reset_handling);
    tcase_add_test(tc, connection_refused);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
