/*
 * The update server on libslirp, driven through a cable by the test TCP
 * client: HTTP/1.1 conformance (GET, HEAD, Range 206/416, keep-alive and
 * pipelining, Content-Length, 404, 400, 405, 505, percent-decoding), the
 * server-side faults (reset after N bytes as a forged RST, stall, drip,
 * corrupt, 503, each counted), DNS for its own names, ICMP echo, the DHCP
 * router and DNS options, a download over a lossy cable, and a byte-identical
 * pcap for two runs of the same session, read by tshark without malformed
 * frames.
 */
#include <check.h>
#include "tests/net/harness.h"
#include "models/net/update_server.h"
#include "models/net/tcp_client.h"
#include "models/net/link.h"
#include "models/net/pcap.h"
#include "models/net/pkt.h"

#define SRV_IP PKT_IP(10, 0, 2, 100)
#define DEV_IP PKT_IP(10, 0, 2, 15)

static sched_t sched;
static update_server_t *srv;
static tcp_client_t cli;
static net_link_t *lnk;
static char root[64];
static const uint8_t dev_mac[6] = { 0x02, 0, 0, 0, 0, 0x15 };

static void setup(void)
{
    sched_init(&sched);
    make_root(root, sizeof root);
    update_server_config_t c;
    update_server_default_config(&c, root);
    srv = calloc(1, sizeof *srv);
    char err[256];
    ck_assert_msg(update_server_init(srv, &sched, &c, err, sizeof err) == 0, "%s", err);
    tcp_client_init(&cli, &sched, "client", dev_mac, DEV_IP);
    lnk = calloc(1, sizeof *lnk);
    net_link_init(lnk, "lan", &sched, 1, &cli.port, &srv->port);
}

static void teardown(void)
{
    net_link_destroy(lnk);
    free(lnk);
    tcp_client_free(&cli);
    update_server_free(srv);
    free(srv);
    remove_root(root);
    sched_free(&sched);
}

/* ---- helpers ---- */

static struct { unsigned want; unsigned head_mask; } expect; /* bit k: response k answers a HEAD */

static unsigned complete_responses(void)
{
    size_t off = 0;
    unsigned n = 0;
    http_resp_t r;
    while (off < cli.rx_len && http_parse(cli.rx + off, cli.rx_len - off, (expect.head_mask >> n) & 1, &r)) {
        off += r.total;
        n++;
    }
    return n;
}

static bool responses_done(void *ctx)
{
    (void)ctx;
    return complete_responses() >= expect.want || cli.state == TCPC_RESET || cli.state == TCPC_FAILED;
}

static bool client_state_is(void *ctx)
{
    return cli.state == *(tcp_client_state_t *)ctx;
}

static bool peer_closed(void *ctx)
{
    (void)ctx;
    return cli.peer_fin || cli.state == TCPC_RESET;
}

/* Connects, sends 'req', waits for 'n' responses (bit k of head_mask: the
 * k-th answers a HEAD). */
static void exchange(const char *req, unsigned n, unsigned head_mask)
{
    tcp_client_connect(&cli, SRV_IP, 80);
    tcp_client_send(&cli, req, strlen(req));
    expect.want = n;
    expect.head_mask = head_mask;
    ck_assert_msg(run_until(&sched, responses_done, NULL, SIM_S(20)), "no response, client %s",
                  tcp_client_state_name(cli.state));
}

static http_resp_t response(unsigned index, bool head_first)
{
    size_t off = 0;
    http_resp_t r;
    for (unsigned k = 0; k <= index; k++) {
        ck_assert(http_parse(cli.rx + off, cli.rx_len - off, head_first && k == 0, &r));
        if (k < index)
            off += r.total;
    }
    return r;
}

static void check_blob(const uint8_t *body, size_t len, size_t first)
{
    for (size_t i = 0; i < len; i++)
        if (body[i] != blob_byte(first + i))
            ck_abort_msg("body byte %zu differs", first + i);
}

/* ---- HTTP ---- */

START_TEST(get_whole_file_and_close)
{
    exchange("GET /blob.bin HTTP/1.1\r\nHost: update\r\n\r\n", 1, false);
    http_resp_t r = response(0, false);
    char v[128];
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.content_length, BLOB_SIZE);
    ck_assert_str_eq(http_header(&r, "Accept-Ranges", v, sizeof v), "bytes");
    ck_assert_str_eq(http_header(&r, "Content-Type", v, sizeof v), "application/octet-stream");
    ck_assert_ptr_null(http_header(&r, "Connection", v, sizeof v)); /* keep-alive is the default */
    check_blob(r.body, r.body_len, 0);
    ck_assert_uint_eq(cli.rx_len, r.total);
    /* the client closes; the server closes its side too (slirp's close path) */
    tcp_client_close(&cli);
    tcp_client_state_t done = TCPC_DONE;
    ck_assert(run_until(&sched, client_state_is, &done, SIM_S(5)));
    ck_assert_uint_eq(srv->stats.closes, 1);
    ck_assert_uint_eq(srv->http.stats.responses_200, 1);
}
END_TEST

START_TEST(head_then_get_on_one_connection)
{
    exchange("HEAD /blob.bin HTTP/1.1\r\nHost: update\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: update\r\n\r\n",
             2, 1);
    http_resp_t h = response(0, true), g = response(1, true);
    ck_assert_int_eq(h.status, 200);
    ck_assert_int_eq(h.content_length, BLOB_SIZE);
    ck_assert_uint_eq(h.body_len, 0);
    ck_assert_int_eq(g.status, 200);
    ck_assert_int_eq(g.content_length, 12);
    ck_assert(!memcmp(g.body, "hello world\n", 12));
    ck_assert_uint_eq(cli.rx_len, h.total + g.total);
    ck_assert_int_eq(cli.state, TCPC_ESTABLISHED);
    ck_assert_uint_eq(srv->http.stats.connections, 1);
}
END_TEST

START_TEST(ranges_206_and_416)
{
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\nRange: bytes=1000-1999\r\n\r\n"
             "GET /blob.bin HTTP/1.1\r\nHost: u\r\nRange: bytes=-10\r\n\r\n"
             "GET /blob.bin HTTP/1.1\r\nHost: u\r\nRange: bytes=99990-\r\n\r\n"
             "GET /blob.bin HTTP/1.1\r\nHost: u\r\nRange: bytes=100000-\r\n\r\n"
             "GET /blob.bin HTTP/1.1\r\nHost: u\r\nRange: bytes=5-3\r\n\r\n"
             "GET /small.txt HTTP/1.1\r\nHost: u\r\nRange: bytes=0-99999\r\n\r\n",
             6, false);
    char v[128];
    http_resp_t r = response(0, false);
    ck_assert_int_eq(r.status, 206);
    ck_assert_int_eq(r.content_length, 1000);
    ck_assert_str_eq(http_header(&r, "Content-Range", v, sizeof v), "bytes 1000-1999/100000");
    check_blob(r.body, r.body_len, 1000);
    r = response(1, false);
    ck_assert_int_eq(r.status, 206);
    ck_assert_str_eq(http_header(&r, "Content-Range", v, sizeof v), "bytes 99990-99999/100000");
    check_blob(r.body, r.body_len, 99990);
    r = response(2, false);
    ck_assert_int_eq(r.status, 206);
    ck_assert_int_eq(r.content_length, 10);
    r = response(3, false);
    ck_assert_int_eq(r.status, 416);
    ck_assert_str_eq(http_header(&r, "Content-Range", v, sizeof v), "bytes */100000");
    r = response(4, false); /* an invalid range is ignored: the whole file */
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.content_length, BLOB_SIZE);
    r = response(5, false); /* a range past the end is cut to the file */
    ck_assert_int_eq(r.status, 206);
    ck_assert_str_eq(http_header(&r, "Content-Range", v, sizeof v), "bytes 0-11/12");
    ck_assert_uint_eq(srv->http.stats.responses_206, 4);
    ck_assert_uint_eq(srv->http.stats.responses_416, 1);
}
END_TEST

START_TEST(keep_alive_then_connection_close)
{
    exchange("GET /small.txt HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    ck_assert_int_eq(response(0, false).status, 200);
    sched_run_until(&sched, sched.now + SIM_S(2));
    ck_assert_int_eq(cli.state, TCPC_ESTABLISHED); /* still open two seconds later */
    const char *req = "GET /small.txt HTTP/1.1\r\nHost: u\r\nConnection: close\r\n\r\n";
    tcp_client_send(&cli, req, strlen(req));
    ck_assert(run_until(&sched, peer_closed, NULL, SIM_S(5)));
    http_resp_t r = response(1, false);
    char v[64];
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(http_header(&r, "Connection", v, sizeof v), "close");
    ck_assert_int_eq(cli.state, TCPC_CLOSE_WAIT); /* the server sent FIN after the response */
    ck_assert_uint_eq(srv->http.stats.connections, 1);
}
END_TEST

START_TEST(not_found_and_paths)
{
    exchange("GET /nope HTTP/1.1\r\nHost: u\r\n\r\n"
             "GET /../etc/passwd HTTP/1.1\r\nHost: u\r\n\r\n"
             "GET /sub HTTP/1.1\r\nHost: u\r\n\r\n"
             "GET /a%20b.txt HTTP/1.1\r\nHost: u\r\n\r\n"
             "GET /sub/x.txt?v=1 HTTP/1.1\r\nHost: u\r\n\r\n"
             "GET http://update/small.txt HTTP/1.1\r\nHost: u\r\n\r\n"
             "HEAD /nope HTTP/1.1\r\nHost: u\r\n\r\n"
             "GET /small.txt HTTP/1.0\r\n\r\n",
             8, 1u << 6);
    int want[] = { 404, 404, 404, 200, 200, 200, 404, 200 };
    size_t off = 0;
    for (unsigned k = 0; k < 8; k++) {
        http_resp_t r;
        ck_assert(http_parse(cli.rx + off, cli.rx_len - off, k == 6, &r));
        ck_assert_int_eq(r.status, want[k]);
        if (k == 3)
            ck_assert(!memcmp(r.body, "space\n", 6));
        if (k == 6)
            ck_assert_uint_eq(r.body_len, 0);
        off += r.total;
    }
    /* HTTP/1.0 without keep-alive: the server closes */
    ck_assert(run_until(&sched, peer_closed, NULL, SIM_S(5)));
}
END_TEST

START_TEST(bad_requests)
{
    exchange("POST /small.txt HTTP/1.1\r\nHost: u\r\n\r\nGET /small.txt HTTP/2.0\r\n\r\n", 2, false);
    char v[64];
    http_resp_t r = response(0, false);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD");
    r = response(1, false);
    ck_assert_int_eq(r.status, 505);
    ck_assert(run_until(&sched, peer_closed, NULL, SIM_S(5)));
    tcp_client_close(&cli);
    sched_run_until(&sched, sched.now + SIM_S(1));
    exchange("GET /small.txt HTTP/1.1\r\n\r\n", 1, false);
    r = response(0, false);
    ck_assert_int_eq(r.status, 400); /* HTTP/1.1 needs Host */
    ck_assert_str_eq(http_header(&r, "Connection", v, sizeof v), "close");
    ck_assert(run_until(&sched, peer_closed, NULL, SIM_S(5)));
}
END_TEST

/* ---- faults ---- */

static void add_fault(http_fault_kind_t kind, sim_time_t from, sim_time_t until, uint64_t arg,
                      uint32_t count)
{
    http_fault_t f = { .kind = kind, .from = from, .until = until, .arg = arg, .count = count };
    ck_assert_int_eq(http_server_add_fault(&srv->http, &f), 0);
}

START_TEST(reset_after_n_bytes_is_a_forged_rst)
{
    add_fault(HTTP_FAULT_RESET, 0, SIM_TIME_NEVER, 5000, 1);
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    ck_assert_int_eq(cli.state, TCPC_RESET);
    ck_assert_uint_eq(cli.rx_len, 5000); /* exactly N bytes, then the reset */
    ck_assert_uint_eq(srv->stats.forged_resets, 1);
    ck_assert_uint_eq(srv->http.fault_probe.hits, 1);
    /* count 1: the next connection is served in full */
    cli.rx_len = 0;
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    http_resp_t r = response(0, false);
    ck_assert_int_eq(r.status, 200);
    check_blob(r.body, r.body_len, 0);
}
END_TEST

START_TEST(stall_until_window_ends)
{
    add_fault(HTTP_FAULT_STALL, 0, SIM_S(3), 0, 0);
    exchange("GET /small.txt HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    ck_assert_int_eq(response(0, false).status, 200);
    ck_assert_uint_ge(cli.first_byte_at, SIM_S(3));
    ck_assert_uint_lt(cli.first_byte_at, SIM_S(3) + SIM_MS(5));
}
END_TEST

START_TEST(drip_at_a_rate)
{
    add_fault(HTTP_FAULT_DRIP, 0, SIM_TIME_NEVER, 1000, 0);
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\nRange: bytes=0-2799\r\n\r\n", 1, false);
    http_resp_t r = response(0, false);
    ck_assert_int_eq(r.status, 206);
    check_blob(r.body, r.body_len, 0);
    /* about 3000 bytes (header and body) at 1000 bytes/s in 100 ms steps */
    sim_time_t took = cli.last_byte_at - cli.first_byte_at;
    ck_assert_uint_ge(took, SIM_MS(2700));
    ck_assert_uint_le(took, SIM_MS(3100));
    ck_assert_uint_ge(cli.segments_in, 25); /* about 100 bytes per step */
}
END_TEST

START_TEST(corrupt_one_byte)
{
    add_fault(HTTP_FAULT_CORRUPT, 0, SIM_TIME_NEVER, 1234, 0);
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    http_resp_t r = response(0, false);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body[1234], (uint8_t)~blob_byte(1234));
    ck_assert_uint_eq(r.body[1233], blob_byte(1233));
    ck_assert_uint_eq(r.body[1235], blob_byte(1235));
    ck_assert_uint_eq(srv->http.stats.corrupted_bytes, 1);
}
END_TEST

START_TEST(unavailable_503_twice)
{
    add_fault(HTTP_FAULT_503, 0, SIM_TIME_NEVER, 0, 2);
    exchange("GET /small.txt HTTP/1.1\r\nHost: u\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: u\r\n\r\n"
             "GET /small.txt HTTP/1.1\r\nHost: u\r\n\r\n", 3, false);
    char v[32];
    http_resp_t r = response(0, false);
    ck_assert_int_eq(r.status, 503);
    ck_assert_str_eq(http_header(&r, "Retry-After", v, sizeof v), "1");
    ck_assert_int_eq(response(1, false).status, 503);
    ck_assert_int_eq(response(2, false).status, 200);
    ck_assert_uint_eq(srv->http.stats.responses_503, 2);
}
END_TEST

START_TEST(manual_faults_by_control_functions)
{
    http_server_set_manual(&srv->http, HTTP_FAULT_503, true, 0);
    exchange("GET /small.txt HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    ck_assert_int_eq(response(0, false).status, 503);
    http_server_set_manual(&srv->http, HTTP_FAULT_503, false, 0);
    const char *req = "GET /blob.bin HTTP/1.1\r\nHost: u\r\n\r\n";
    tcp_client_send(&cli, req, strlen(req));
    sched_run_until(&sched, sched.now + SIM_MS(20));
    ck_assert_uint_gt(cli.rx_len, response(0, false).total); /* the download runs */
    update_server_reset_connection(srv);
    /* the RST queues on the wire behind the data already sent (16 KiB window) */
    sched_run_until(&sched, sched.now + SIM_MS(50));
    ck_assert_uint_eq(srv->stats.forged_resets, 1);
    ck_assert_int_eq(cli.state, TCPC_RESET);
}
END_TEST

START_TEST(download_over_a_lossy_cable)
{
    net_link_params_t p = lnk->p;
    p.loss_ppm = 20000; /* 2 % each way */
    net_link_set_params(lnk, &p);
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    http_resp_t r = response(0, false);
    ck_assert_int_eq(r.status, 200);
    check_blob(r.body, r.body_len, 0);
    ck_assert_uint_gt(lnk->stats.lost, 0);
}
END_TEST

/* ---- DNS, ICMP, DHCP ---- */

static uint8_t last_frame[NET_FRAME_MAX];
static size_t last_len;
static unsigned frames_seen;

static void capture_frame(void *opaque, const uint8_t *f, size_t len)
{
    (void)opaque;
    memcpy(last_frame, f, len);
    last_len = len;
    frames_seen++;
}

static bool frame_seen(void *ctx)
{
    return frames_seen >= *(unsigned *)ctx;
}

static pkt_udp_t udp_exchange(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *payload,
                              size_t len)
{
    uint8_t mac[6], f[PKT_ETH_MAX];
    pkt_slirp_mac(mac, dst);
    unsigned want = frames_seen + 1;
    size_t n = pkt_build_udp(f, dst == 0xFFFFFFFFu ? pkt_broadcast : mac, dev_mac,
                             dst == 0xFFFFFFFFu ? 0 : DEV_IP, sport, dst, dport, 1, payload, len);
    tcp_client_send_frame(&cli, f, n);
    ck_assert(run_until(&sched, frame_seen, &want, SIM_S(2)));
    static pkt_ipv4_t ip;
    pkt_udp_t u;
    ck_assert(pkt_parse_ipv4(last_frame, last_len, &ip));
    ck_assert(pkt_parse_udp(&ip, &u));
    return u;
}

static size_t dns_query(uint8_t *q, const char *name, uint16_t type)
{
    static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
    memcpy(q, hdr, 12);
    size_t n = 12;
    for (const char *p = name; *p;) {
        size_t l = strcspn(p, ".");
        q[n++] = (uint8_t)l;
        memcpy(q + n, p, l);
        n += l;
        p += l;
        if (*p)
            p++;
    }
    q[n++] = 0;
    wr_be16(q + n, type);
    wr_be16(q + n + 2, 1);
    return n + 4;
}

static const uint8_t *dns_answer(const char *name, uint16_t type, int *rcode, unsigned *answers)
{
    uint8_t q[256];
    size_t n = dns_query(q, name, type);
    pkt_udp_t u = udp_exchange(PKT_IP(10, 0, 2, 3), 5353, 53, q, n);
    ck_assert_uint_eq(u.sport, 53);
    ck_assert_uint_eq(u.data[0], 0x12);
    ck_assert_uint_eq(u.data[1], 0x34);
    ck_assert(u.data[2] & 0x80);
    *rcode = u.data[3] & 15;
    *answers = rd_be16(u.data + 6);
    return u.data + n; /* the answer record after the echoed question */
}

START_TEST(dns_for_its_own_names)
{
    cli.on_frame = capture_frame;
    int rc;
    unsigned an;
    const uint8_t *a = dns_answer("update.glitchbox.test", 1, &rc, &an);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(an, 1);
    ck_assert_uint_eq(rd_be32(a + 12), SRV_IP);
    a = dns_answer("UPDATE", 1, &rc, &an);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(rd_be32(a + 12), SRV_IP);
    dns_answer("update.glitchbox.test", 28, &rc, &an); /* AAAA: the name exists, no record */
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(an, 0);
    dns_answer("other.glitchbox.test", 1, &rc, &an);
    ck_assert_int_eq(rc, 3); /* NXDOMAIN */
    dns_answer("example.com", 1, &rc, &an);
    ck_assert_int_eq(rc, 5); /* REFUSED: no recursion */
    ck_assert_uint_eq(srv->stats.dns_queries, 5);
}
END_TEST

static void ping(uint32_t dst)
{
    uint8_t mac[6], f[PKT_ETH_MAX], body[36];
    pkt_slirp_mac(mac, dst);
    for (unsigned k = 0; k < sizeof body; k++)
        body[k] = (uint8_t)k;
    unsigned want = frames_seen + 1;
    size_t n = pkt_build_icmp(f, mac, dev_mac, DEV_IP, dst, 7, 8, 0, body, sizeof body);
    tcp_client_send_frame(&cli, f, n);
    ck_assert_msg(run_until(&sched, frame_seen, &want, SIM_S(2)), "no echo reply");
    pkt_ipv4_t ip;
    pkt_icmp_t c;
    ck_assert(pkt_parse_ipv4(last_frame, last_len, &ip) && pkt_parse_icmp(&ip, &c));
    ck_assert_uint_eq(ip.src, dst);
    ck_assert_uint_eq(c.type, 0);
    ck_assert_uint_eq(c.body_len, sizeof body);
    ck_assert(!memcmp(c.body, body, sizeof body));
    ck_assert_uint_eq(pkt_fold(pkt_sum(ip.l4, ip.l4_len, 0)), 0);
}

START_TEST(icmp_echo_for_server_and_gateway)
{
    cli.on_frame = capture_frame;
    /* slirp must know the device's MAC to answer the gateway: ARP first */
    tcp_client_connect(&cli, SRV_IP, 80);
    sched_run_until(&sched, SIM_MS(50));
    ping(SRV_IP);
    ping(PKT_IP(10, 0, 2, 2));
    ck_assert_uint_eq(srv->stats.echo_replies, 1);
}
END_TEST

static const uint8_t *dhcp_option(const pkt_udp_t *u, uint8_t code)
{
    const uint8_t *o = u->data + 240;
    size_t room = u->len - 240;
    for (size_t k = 0; k < room && o[k] != 255;) {
        if (!o[k]) {
            k++;
            continue;
        }
        if (o[k] == code)
            return o + k;
        k += 2u + o[k + 1];
    }
    return NULL;
}

START_TEST(dhcp_offer_has_router_and_dns)
{
    cli.on_frame = capture_frame;
    uint8_t b[300];
    memset(b, 0, sizeof b);
    b[0] = 1;
    b[1] = 1;
    b[2] = 6;
    wr_be32(b + 4, 0xC0FFEE01);
    memcpy(b + 28, dev_mac, 6);
    wr_be32(b + 236, 0x63825363);
    static const uint8_t opts[] = { 53, 1, 1, 55, 3, 1, 3, 6, 255 };
    memcpy(b + 240, opts, sizeof opts);
    pkt_udp_t u = udp_exchange(0xFFFFFFFFu, 68, 67, b, 240 + sizeof opts);
    ck_assert_uint_eq(u.sport, 67);
    ck_assert_uint_eq(rd_be32(u.data + 16), DEV_IP); /* yiaddr */
    const uint8_t *r = dhcp_option(&u, 3), *d = dhcp_option(&u, 6), *dom = dhcp_option(&u, 15);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(dom);
    ck_assert_uint_eq(rd_be32(r + 2), PKT_IP(10, 0, 2, 2));
    ck_assert_uint_eq(rd_be32(d + 2), PKT_IP(10, 0, 2, 3));
    ck_assert(!memcmp(dom + 2, "glitchbox.test", 14));
    pkt_ipv4_t ip;
    ck_assert(pkt_parse_ipv4(last_frame, last_len, &ip));
    ck_assert_uint_eq(pkt_fold(pkt_sum(ip.ip, ip.hlen, 0)), 0);
}
END_TEST

/* ---- determinism and capture ---- */

static void session(const char *pcap_path)
{
    char err[256];
    pcap_writer_t *w = pcap_writer_open(pcap_path, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    net_link_attach_pcap(lnk, 0, w);
    net_link_params_t p = lnk->p;
    p.loss_ppm = 10000;
    p.jitter_ns = SIM_US(200);
    net_link_set_params(lnk, &p);
    add_fault(HTTP_FAULT_RESET, 0, SIM_TIME_NEVER, 30000, 1);
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\n\r\n", 1, false);
    cli.rx_len = 0;
    exchange("GET /blob.bin HTTP/1.1\r\nHost: u\r\nRange: bytes=30000-\r\n\r\n", 1, false);
    tcp_client_close(&cli);
    sched_run_until(&sched, sched.now + SIM_S(2));
    ck_assert_int_eq(response(0, false).status, 206);
    pcap_writer_close(w);
}

START_TEST(pcap_byte_identical_and_valid)
{
    char p1[] = "/tmp/gb-http1-XXXXXX", p2[] = "/tmp/gb-http2-XXXXXX";
    close(mkstemp(p1));
    close(mkstemp(p2));
    session(p1);
    teardown();
    setup();
    session(p2);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", p1, p2);
    ck_assert_msg(system(cmd) == 0, "two runs of the same session differ");
    ck_assert_msg(system("command -v tshark >/dev/null") == 0, "tshark is missing (make deps)");
    snprintf(cmd, sizeof cmd, "tshark -r %s -V 2>&1 | grep -qiE 'malformed|exception'", p1);
    ck_assert_msg(system(cmd) != 0, "tshark reports malformed frames in %s", p1);
    snprintf(cmd, sizeof cmd, "tshark -r %s -Y 'tcp.flags.reset==1' 2>/dev/null | grep -q RST", p1);
    ck_assert_msg(system(cmd) == 0, "the forged reset is not in the capture");
    unlink(p1);
    unlink(p2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net-http");
    TCase *tc = tcase_create("http");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, get_whole_file_and_close);
    tcase_add_test(tc, head_then_get_on_one_connection);
    tcase_add_test(tc, ranges_206_and_416);
    tcase_add_test(tc, keep_alive_then_connection_close);
    tcase_add_test(tc, not_found_and_paths);
    tcase_add_test(tc, bad_requests);
    tcase_add_test(tc, reset_after_n_bytes_is_a_forged_rst);
    tcase_add_test(tc, stall_until_window_ends);
    tcase_add_test(tc, drip_at_a_rate);
    tcase_add_test(tc, corrupt_one_byte);
    tcase_add_test(tc, unavailable_503_twice);
    tcase_add_test(tc, manual_faults_by_control_functions);
    tcase_add_test(tc, download_over_a_lossy_cable);
    tcase_add_test(tc, dns_for_its_own_names);
    tcase_add_test(tc, icmp_echo_for_server_and_gateway);
    tcase_add_test(tc, dhcp_offer_has_router_and_dns);
    tcase_add_test(tc, pcap_byte_identical_and_valid);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
