/*
 * The Ethernet link: exact timing of a frame at 10 Mbit/s, queueing behind
 * earlier frames, fault statistics for a fixed seed (exact counts), corrupted
 * frames failing the receiver's CRC check, cable pulled and plugged at
 * scheduled times, byte-identical pcap files across runs, and tshark reading
 * the capture without malformed frames.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "models/net/link.h"
#include "models/net/pcap.h"

static sched_t sched;
static net_link_t *lnk;
static net_port_t pa, pb;

typedef struct {
    unsigned frames, bad_fcs;
    sim_time_t last_t;
    bool up;
    unsigned link_events;
} rx_t;
static rx_t ra, rb;

static void rx(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    rx_t *r = owner;
    (void)frame;
    (void)len;
    r->frames++;
    r->bad_fcs += !fcs_ok;
    r->last_t = sched.now;
}

static void lc(void *owner, bool up)
{
    rx_t *r = owner;
    r->up = up;
    r->link_events++;
}

static void setup(void)
{
    sched_init(&sched);
    memset(&ra, 0, sizeof ra);
    memset(&rb, 0, sizeof rb);
    net_port_init(&pa, "a", rx, lc, &ra);
    net_port_init(&pb, "b", rx, lc, &rb);
    lnk = calloc(1, sizeof *lnk);
    net_link_init(lnk, "lan", &sched, 42, &pa, &pb);
}

static void teardown(void)
{
    net_link_destroy(lnk);
    free(lnk);
    sched_free(&sched);
}

START_TEST(timing_at_10mbit)
{
    ck_assert(ra.up && rb.up);
    net_link_params_t p = net_link_default_params();
    p.latency_ns = 0;
    net_link_set_params(lnk, &p);
    uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    net_port_send(&pa, f, sizeof f);
    /* (8 preamble + 60 + 4 FCS) bytes at 0.8 us per byte = 57.6 us */
    sched_run_until(&sched, 57599);
    ck_assert_uint_eq(rb.frames, 0);
    sched_run_until(&sched, 57600);
    ck_assert_uint_eq(rb.frames, 1);
    /* a second frame sent at once waits for the first and its 12-byte gap */
    net_port_send(&pa, f, sizeof f);
    net_port_send(&pa, f, sizeof f);
    sched_run_until(&sched, SIM_MS(1));
    ck_assert_uint_eq(rb.frames, 3);
    ck_assert_uint_eq(net_link_wire_time(lnk, 60), 67200);
    ck_assert_uint_eq(rb.last_t, 57600 + 67200 + 67200);
}
END_TEST

START_TEST(fault_statistics_exact)
{
    net_link_params_t p = net_link_default_params();
    p.loss_ppm = 50000;    /* 5 % */
    p.corrupt_ppm = 10000; /* 1 % */
    p.dup_ppm = 5000;
    p.bandwidth_bps = 0;
    net_link_set_params(lnk, &p);
    uint8_t f[100] = { 0 };
    for (int k = 0; k < 10000; k++) {
        net_port_send(&pa, f, sizeof f);
        if (k % 100 == 99)
            sched_run_until(&sched, sched.now + SIM_MS(1));
    }
    sched_run_until(&sched, sched.now + SIM_MS(10));
    /* the counts are a function of the seed: pinned */
    ck_assert_uint_eq(lnk->stats.lost, 506);
    ck_assert_uint_eq(lnk->stats.corrupted, 87);
    ck_assert_uint_eq(lnk->stats.duplicated, 47);
    ck_assert_uint_eq(rb.frames, 10000 - 506 + 47);
    ck_assert_uint_ge(rb.bad_fcs, lnk->stats.corrupted);
}
END_TEST

START_TEST(cable_pulled_on_schedule)
{
    net_link_params_t down = net_link_default_params(), up = net_link_default_params();
    down.up = false;
    ck_assert_int_eq(net_link_schedule(lnk, SIM_MS(1200), NET_LINK_ALL, &down), 0);
    ck_assert_int_eq(net_link_schedule(lnk, SIM_MS(4200), NET_LINK_ALL, &up), 0);
    uint8_t f[60] = { 0 };
    sched_run_until(&sched, SIM_MS(1300));
    ck_assert(!ra.up && !rb.up);
    net_port_send(&pa, f, sizeof f);
    sched_run_until(&sched, SIM_MS(4300));
    ck_assert(ra.up && rb.up);
    ck_assert_uint_eq(rb.frames, 0);
    ck_assert_uint_eq(lnk->stats.down_drops, 1);
    net_port_send(&pa, f, sizeof f);
    sched_run_until(&sched, SIM_MS(4400));
    ck_assert_uint_eq(rb.frames, 1);
}
END_TEST

static void capture(const char *path)
{
    char err[256];
    pcap_writer_t *w = pcap_writer_open(path, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    net_link_attach_pcap(lnk, 0, w);
    net_link_params_t p = net_link_default_params();
    p.corrupt_ppm = 100000;
    p.jitter_ns = SIM_US(30);
    net_link_set_params(lnk, &p);
    uint8_t f[74];
    memset(f, 0, sizeof f);
    memcpy(f, "\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x06", 14);
    for (int k = 0; k < 50; k++) {
        f[20] = (uint8_t)k;
        net_port_send(k % 2 ? &pb : &pa, f, sizeof f);
        sched_run_until(&sched, sched.now + SIM_US(200));
    }
    ck_assert_uint_eq(pcap_writer_frames(w), 50);
    pcap_writer_close(w);
}

START_TEST(pcap_identical_and_readable)
{
    char p1[] = "/tmp/gb-pcap1-XXXXXX", p2[] = "/tmp/gb-pcap2-XXXXXX";
    int fd1 = mkstemp(p1), fd2 = mkstemp(p2);
    ck_assert(fd1 >= 0 && fd2 >= 0);
    close(fd1);
    close(fd2);
    capture(p1);
    teardown();
    setup();
    capture(p2);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", p1, p2);
    ck_assert_int_eq(system(cmd), 0);
    if (system("command -v tshark >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd,
                 "tshark -r %s 2>/dev/null | grep -c . | grep -qx 50 && ! tshark -r %s 2>&1 | grep -qi malformed",
                 p1, p1);
        ck_assert_int_eq(system(cmd), 0);
    }
    unlink(p1);
    unlink(p2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net-link");
    TCase *tc = tcase_create("link");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, timing_at_10mbit);
    tcase_add_test(tc, fault_statistics_exact);
    tcase_add_test(tc, cable_pulled_on_schedule);
    tcase_add_test(tc, pcap_identical_and_readable);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
