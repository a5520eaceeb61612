/*
 * Traffic hosts: the frames of every kind (read back and by tshark), exact
 * rates and schedules, the line rate, the uniform and burst patterns, the
 * chatty neighbour's conversation with a device, and the reference firmware
 * on the STM32F407 + ENC28J60 board whose receive ring a broadcast storm
 * pushes into overflow (and which still updates once the storm is over).
 */
#include <check.h>
#include "tests/net/harness.h"
#include "models/net/traffic.h"
#include "models/net/link.h"
#include "models/net/pcap.h"
#include "models/net/pkt.h"
#include "models/net/tcp_client.h"
#include "models/net/netconfig.h"
#include "models/enc28j60/enc28j60.h"

#define SINK_MAX 4096

static sched_t sched;
static traffic_host_t *th;
static net_link_t *lnk;
static net_port_t sink;
static struct { size_t len; bool fcs_ok; sim_time_t t; uint8_t data[64]; } got[SINK_MAX];
static unsigned ngot;

static void sink_rx(void *owner, const uint8_t *f, size_t len, bool fcs_ok)
{
    (void)owner;
    if (ngot < SINK_MAX) {
        got[ngot].len = len;
        got[ngot].fcs_ok = fcs_ok;
        got[ngot].t = sched.now;
        memcpy(got[ngot].data, f, len < 64 ? len : 64);
    }
    ngot++;
}

static void start(traffic_kind_t kind, void (*tweak)(traffic_config_t *))
{
    sched_init(&sched);
    ngot = 0;
    traffic_config_t c;
    traffic_default_config(&c, "noise", kind);
    c.p.rate_mfps = 1000000; /* 1000 frames/s */
    if (tweak)
        tweak(&c);
    th = calloc(1, sizeof *th);
    traffic_init(th, &sched, 9, &c);
    net_port_init(&sink, "sink", sink_rx, NULL, NULL);
    lnk = calloc(1, sizeof *lnk);
    net_link_init(lnk, "lan", &sched, 9, &th->port, &sink);
}

static void stop(void)
{
    net_link_destroy(lnk);
    free(lnk);
    traffic_destroy(th);
    free(th);
    sched_free(&sched);
}

START_TEST(constant_rate_is_exact)
{
    start(TRAFFIC_BROADCAST_STORM, NULL);
    sched_run_until(&sched, SIM_S(1) - 1);
    ck_assert_uint_eq(th->stats.sent, 1000); /* at 0, 1 ms ... 999 ms */
    ck_assert_uint_eq(got[0].len, 60);
    pkt_ipv4_t ip;
    pkt_udp_t u;
    ck_assert(!memcmp(got[0].data, pkt_broadcast, 6));
    ck_assert(pkt_parse_ipv4(got[0].data, got[0].len, &ip) && pkt_parse_udp(&ip, &u));
    ck_assert_uint_eq(ip.dst, 0xFFFFFFFFu);
    ck_assert_uint_eq(u.dport, 9);
    /* arrival: 57.6 us on the wire plus 5 us */
    ck_assert_uint_eq(got[1].t - SIM_MS(1), 62600);
    stop();
}
END_TEST

static void line_rate(traffic_config_t *c) { c->p.rate_mfps = TRAFFIC_RATE_LINE; }

START_TEST(line_rate_is_back_to_back)
{
    start(TRAFFIC_BROADCAST_STORM, line_rate);
    sched_run_until(&sched, SIM_MS(10));
    /* 60-byte frames need 67.2 us each at 10 Mbit/s: sent at 0, 67.2 us ... */
    ck_assert_uint_eq(th->stats.sent, 10000000 / 67200 + 1);
    ck_assert_uint_eq(lnk->stats.queue_drops, 0);
    ck_assert_uint_eq(got[1].t - got[0].t, 67200);
    stop();
}
END_TEST

static void uniform(traffic_config_t *c) { c->pattern = TRAFFIC_UNIFORM; }
static void burst(traffic_config_t *c) { c->pattern = TRAFFIC_BURST; c->burst = 10; }

START_TEST(uniform_and_burst_patterns)
{
    start(TRAFFIC_BROADCAST_STORM, uniform);
    sched_run_until(&sched, SIM_S(1));
    ck_assert_uint_eq(th->stats.sent, 977); /* pinned for seed 9: about 1000 */
    stop();
    start(TRAFFIC_BROADCAST_STORM, burst);
    sched_run_until(&sched, SIM_MS(9));
    ck_assert_uint_eq(th->stats.sent, 10);
    sched_run_until(&sched, SIM_MS(10));
    ck_assert_uint_eq(th->stats.sent, 20);
    ck_assert_uint_eq(got[1].t - got[0].t, 67200); /* back to back on the wire */
    stop();
}
END_TEST

START_TEST(schedule_windows_and_rates)
{
    start(TRAFFIC_ARP_FLOOD, NULL);
    traffic_params_t p = { .rate_mfps = 0, .on = false };
    traffic_apply(th, TRAFFIC_ON, &p);
    p.on = true;
    ck_assert_int_eq(traffic_schedule(th, SIM_S(1), TRAFFIC_ON, &p), 0);
    p.rate_mfps = 10000000; /* 10000/s */
    ck_assert_int_eq(traffic_schedule(th, SIM_MS(1500), TRAFFIC_RATE, &p), 0);
    p.on = false;
    ck_assert_int_eq(traffic_schedule(th, SIM_S(2), TRAFFIC_ON, &p), 0);
    sched_run_until(&sched, SIM_S(3));
    /* 500 frames at 1/ms, then 5000 at 10/ms */
    ck_assert_uint_eq(th->stats.sent, 500 + 5000);
    stop();
}
END_TEST

static void spoof(traffic_config_t *c) { c->spoof = true; }

START_TEST(arp_flood_frames)
{
    start(TRAFFIC_ARP_FLOOD, spoof);
    sched_run_until(&sched, SIM_MS(10));
    ck_assert_uint_ge(ngot, 9);
    pkt_arp_t a, b;
    ck_assert(pkt_parse_arp(got[0].data, got[0].len, &a));
    ck_assert(pkt_parse_arp(got[1].data, got[1].len, &b));
    ck_assert_uint_eq(a.op, 1);
    ck_assert_mem_ne(a.sha, b.sha, 6); /* a new sender each time */
    ck_assert_mem_eq(a.sha, got[0].data + 6, 6);
    ck_assert_uint_eq(a.spa & 0xFFFFFF00u, PKT_IP(10, 0, 2, 0));
    ck_assert_uint_eq(a.tpa & 0xFFFFFF00u, PKT_IP(10, 0, 2, 0));
    stop();
}
END_TEST

START_TEST(multicast_runt_oversize_bad_fcs_frames)
{
    start(TRAFFIC_MULTICAST_NOISE, NULL);
    sched_run_until(&sched, SIM_MS(3));
    static const uint8_t mdns[6] = { 1, 0, 0x5e, 0, 0, 0xfb }, ssdp[6] = { 1, 0, 0x5e, 0x7f, 0xff, 0xfa };
    ck_assert_mem_eq(got[0].data, mdns, 6);
    ck_assert_mem_eq(got[1].data, ssdp, 6);
    stop();
    start(TRAFFIC_RUNT, NULL);
    sched_run_until(&sched, SIM_MS(3));
    ck_assert_uint_eq(got[0].len, 32);
    ck_assert_uint_eq(rd_be16(got[0].data + 12), PKT_ETHERTYPE_LOCAL);
    stop();
    start(TRAFFIC_OVERSIZE, NULL);
    sched_run_until(&sched, SIM_MS(3));
    ck_assert_uint_eq(got[0].len, 1600);
    stop();
    start(TRAFFIC_BAD_FCS, NULL);
    sched_run_until(&sched, SIM_MS(3));
    ck_assert(!got[0].fcs_ok);
    stop();
}
END_TEST

START_TEST(chatty_neighbour_talks_to_the_device)
{
    sched_init(&sched);
    traffic_config_t c;
    traffic_default_config(&c, "chatty", TRAFFIC_CHATTY_NEIGHBOUR);
    c.p.rate_mfps = 100000; /* 100/s */
    th = calloc(1, sizeof *th);
    traffic_init(th, &sched, 9, &c);
    static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x15 };
    tcp_client_t dev;
    tcp_client_init(&dev, &sched, "dev", mac, PKT_IP(10, 0, 2, 15));
    ngot = 0;
    dev.on_frame = NULL;
    lnk = calloc(1, sizeof *lnk);
    net_link_init(lnk, "lan", &sched, 9, &th->port, &dev.port);
    sched_run_until(&sched, SIM_MS(5));
    ck_assert(th->target_known); /* the device answered its ARP request */
    ck_assert_mem_eq(th->target_mac, mac, 6);
    /* the device pings the neighbour back through ARP */
    tcp_client_connect(&dev, c.ip, 7);
    sched_run_until(&sched, SIM_MS(100));
    ck_assert_uint_ge(th->stats.arp_replies, 1);
    ck_assert_uint_ge(th->stats.sent, 10);
    net_link_destroy(lnk);
    free(lnk);
    tcp_client_free(&dev);
    traffic_destroy(th);
    free(th);
    sched_free(&sched);
}
END_TEST

START_TEST(every_kind_reads_in_tshark)
{
    char path[] = "/tmp/gb-traffic-XXXXXX";
    close(mkstemp(path));
    char perr[256];
    pcap_writer_t *w = pcap_writer_open(path, perr, sizeof perr);
    ck_assert_ptr_nonnull(w);
    static const traffic_kind_t kinds[] = { TRAFFIC_BROADCAST_STORM, TRAFFIC_ARP_FLOOD,
                                            TRAFFIC_MULTICAST_NOISE, TRAFFIC_OVERSIZE,
                                            TRAFFIC_CHATTY_NEIGHBOUR };
    for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
        start(kinds[k], NULL);
        net_link_attach_pcap(lnk, 0, w);
        sched_run_until(&sched, SIM_MS(10));
        stop();
    }
    unsigned frames = (unsigned)pcap_writer_frames(w);
    pcap_writer_close(w);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "tshark -r %s -V 2>&1 | grep -qiE 'malformed|exception'", path);
    ck_assert_msg(system(cmd) != 0, "tshark reports malformed frames in %s", path);
    snprintf(cmd, sizeof cmd, "tshark -r %s 2>/dev/null | grep -c . | grep -qx %u", path, frames);
    ck_assert_msg(system(cmd) == 0, "tshark does not read all %u frames of %s", frames, path);
    static const char *const protos[] = { "MDNS", "SSDP", "ARP", "UDP", "0x88b5" };
    for (unsigned k = 0; k < ARRAY_SIZE(protos); k++) {
        snprintf(cmd, sizeof cmd, "tshark -r %s 2>/dev/null | grep -q ' %s '", path, protos[k]);
        ck_assert_msg(system(cmd) == 0, "tshark shows no %s frame in %s", protos[k], path);
    }
    unlink(path);
}
END_TEST

/* ---- the reference firmware under a storm ---- */

static char uart[16384];
static size_t uart_len;

static void console(void *opaque, const char *src, const uint8_t *buf, size_t len)
{
    (void)opaque;
    (void)src;
    if (uart_len + len < sizeof uart) {
        memcpy(uart + uart_len, buf, len);
        uart_len += len;
        uart[uart_len] = 0;
    }
}

START_TEST(storm_overflows_the_enc28j60_ring)
{
    const char *image = "build/fw/ref/factory-flash.bin";
    const char *served = "build/fw/ref/server";
    FILE *f = fopen(image, "rb");
    ck_assert_msg(f != NULL, "%s is missing: build the firmware first (make fw-ref)", image);
    machine_t *m = machine_new(3);
    m->console = console;
    uart_len = 0;
    ck_assert_msg(machine_load_board(m, "stm32f407-enc28j60") == 0, "%s", m->error);
    char text[600], err[512];
    snprintf(text, sizeof text,
             "{\"server\": {\"root\": \"%s\"},"
             " \"hosts\": [{\"name\": \"storm\", \"kind\": \"broadcast_storm\", \"rate\": \"line\","
             "              \"from\": \"200ms\", \"until\": \"1s\"}]}", served);
    cJSON *cfg = cJSON_Parse(text);
    network_t net;
    ck_assert_msg(netconfig_build(&net, m, cfg, ".", NULL, err, sizeof err) == 0, "%s", err);
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    endpoint_t *fl = machine_find_endpoint(m, "mcu.flash");
    ck_assert_ptr_nonnull(fl);
    size_t n = fread(fl->mem, 1, fl->mem_len, f);
    fclose(f);
    ck_assert_uint_gt(n, 0);
    bus_notify_write(&m->bus, fl->mem_base, (unsigned)fl->mem_len);
    cpu_reset(m->cpu);
    machine_run(m, SIM_S(1));
    enc28j60_t *enc = machine_find_instance(m, "eth", "enc28j60");
    ck_assert_ptr_nonnull(enc);
    ck_assert_msg(enc28j60_stats(enc)->rx_overflows > 0, "no receive overflow (%llu frames received)",
                  (unsigned long long)enc28j60_stats(enc)->rx_frames);
    ck_assert(strstr(uart, "app: version 1"));
    /* the storm ends at 1 s: the update goes through afterwards */
    machine_run(m, SIM_S(20));
    ck_assert_msg(strstr(uart, "update: state=confirmed version=2"), "no update:\n%s", uart);
    network_free(&net);
    cJSON_Delete(cfg);
    machine_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net-traffic");
    TCase *tc = tcase_create("traffic");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, constant_rate_is_exact);
    tcase_add_test(tc, line_rate_is_back_to_back);
    tcase_add_test(tc, uniform_and_burst_patterns);
    tcase_add_test(tc, schedule_windows_and_rates);
    tcase_add_test(tc, arp_flood_frames);
    tcase_add_test(tc, multicast_runt_oversize_bad_fcs_frames);
    tcase_add_test(tc, chatty_neighbour_talks_to_the_device);
    tcase_add_test(tc, every_kind_reads_in_tshark);
    tcase_add_test(tc, storm_overflows_the_enc28j60_ring);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
