/*
 * The Ethernet link: exact timing of a frame at 10 Mbit/s, queueing behind
 * earlier frames, fault statistics for a fixed seed (exact counts), corrupted
 * frames failing the receiver's CRC check, cable pulled and plugged at
 * scheduled times, changes that touch only the properties they name, jitter
 * that keeps frame order and reordering that does not, duplicates, the
 * maximum frame size, byte-identical nanosecond pcap files across runs, and
 * tshark reading the capture without malformed frames.
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
    uint8_t order[4096];   /* byte 20 of each frame, in arrival order */
} rx_t;
static rx_t ra, rb;

static void rx(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    rx_t *r = owner;
    if (len > 20 && r->frames < sizeof r->order)
        r->order[r->frames] = frame[20];
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

START_TEST(jitter_keeps_order_reorder_does_not)
{
    net_link_params_t p = net_link_default_params();
    p.jitter_ns = SIM_US(500); /* much more than the 57.6 us between frames */
    net_link_set_params(lnk, &p);
    uint8_t f[60] = { 0 };
    for (int k = 0; k < 200; k++) {
        f[20] = (uint8_t)k;
        net_port_send(&pa, f, sizeof f);
        sched_run_until(&sched, sched.now + SIM_US(70));
    }
    sched_run_until(&sched, sched.now + SIM_MS(5));
    ck_assert_uint_eq(rb.frames, 200);
    for (int k = 0; k < 200; k++)
        ck_assert_uint_eq(rb.order[k], (uint8_t)k);
    /* now 10 % reordered: those arrive late and are overtaken */
    p.jitter_ns = 0;
    p.reorder_ppm = 100000;
    net_link_set_params(lnk, &p);
    memset(&rb, 0, sizeof rb);
    for (int k = 0; k < 200; k++) {
        f[20] = (uint8_t)k;
        net_port_send(&pa, f, sizeof f);
        sched_run_until(&sched, sched.now + SIM_US(70));
    }
    sched_run_until(&sched, sched.now + SIM_MS(10));
    ck_assert_uint_eq(rb.frames, 200);
    ck_assert_uint_eq(lnk->stats.reordered, 13); /* pinned for seed 42 (10 % of 200: about 20) */
    unsigned inversions = 0;
    for (int k = 1; k < 200; k++)
        inversions += rb.order[k] < rb.order[k - 1];
    ck_assert_uint_gt(inversions, 0);
}
END_TEST

START_TEST(schedule_changes_only_named_properties)
{
    net_link_params_t p = net_link_default_params();
    p.loss_ppm = 1000000;
    ck_assert_int_eq(net_link_schedule(lnk, SIM_S(1), NET_LINK_LOSS, &p), 0);
    p.loss_ppm = 0;
    ck_assert_int_eq(net_link_schedule(lnk, SIM_S(2), NET_LINK_LOSS, &p), 0);
    /* a change made in between (a control) survives both */
    sched_run_until(&sched, SIM_MS(500));
    net_link_params_t q = lnk->p;
    q.latency_ns = SIM_MS(3);
    net_link_apply(lnk, NET_LINK_LATENCY, &q);
    sched_run_until(&sched, SIM_MS(1500));
    ck_assert_uint_eq(lnk->p.loss_ppm, 1000000);
    ck_assert_uint_eq(lnk->p.latency_ns, SIM_MS(3));
    uint8_t f[60] = { 0 };
    net_port_send(&pa, f, sizeof f);
    sched_run_until(&sched, SIM_MS(2500));
    ck_assert_uint_eq(rb.frames, 0);
    ck_assert_uint_eq(lnk->p.loss_ppm, 0);
    ck_assert_uint_eq(lnk->p.latency_ns, SIM_MS(3));
    sim_time_t t0 = sched.now;
    net_port_send(&pa, f, sizeof f);
    sched_run_until(&sched, SIM_S(3));
    ck_assert_uint_eq(rb.frames, 1);
    ck_assert_uint_eq(rb.last_t - t0, 57600 + SIM_MS(3));
    /* a change in the past is refused */
    ck_assert_int_eq(net_link_schedule(lnk, SIM_S(1), NET_LINK_LOSS, &p), -1);
}
END_TEST

START_TEST(bad_fcs_and_max_frame)
{
    uint8_t f[1600] = { 0 };
    net_port_send_fcs(&pa, f, 60, false);
    net_port_send(&pa, f, 1600);
    net_link_params_t p = net_link_default_params();
    p.max_frame = 1514;
    net_link_set_params(lnk, &p);
    net_port_send(&pa, f, 1515);
    net_port_send(&pa, f, 1514);
    sched_run_until(&sched, SIM_MS(10));
    ck_assert_uint_eq(rb.frames, 3);
    ck_assert_uint_eq(rb.bad_fcs, 1);
    ck_assert_uint_eq(lnk->stats.too_big, 1);
    ck_assert_uint_eq(lnk->stats.corrupted, 0); /* the sender's bad FCS is not the link's doing */
}
END_TEST

START_TEST(duplicate_arrives_one_frame_later)
{
    net_link_params_t p = net_link_default_params();
    p.dup_ppm = 1000000;
    p.latency_ns = 0;
    net_link_set_params(lnk, &p);
    uint8_t f[60] = { 0 };
    net_port_send(&pa, f, sizeof f);
    sched_run_until(&sched, 57600);
    ck_assert_uint_eq(rb.frames, 1);
    sched_run_until(&sched, 57600 + 67200 - 1);
    ck_assert_uint_eq(rb.frames, 1);
    sched_run_until(&sched, 57600 + 67200);
    ck_assert_uint_eq(rb.frames, 2);
    ck_assert_uint_eq(lnk->stats.duplicated, 1);
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
    /* libpcap's nanosecond format: magic a1b23c4d, Ethernet; the first frame
     * arrives at 57.6 us + 5 us latency + its jitter draw */
    FILE *fp = fopen(p1, "rb");
    uint8_t h[40];
    ck_assert_uint_eq(fread(h, 1, sizeof h, fp), sizeof h);
    fclose(fp);
    ck_assert_uint_eq(rd_le32(h), 0xa1b23c4du);
    ck_assert_uint_eq(rd_le32(h + 20), 1);
    ck_assert_uint_eq(rd_le32(h + 24), 0);
    ck_assert_uint_ge(rd_le32(h + 28), 62600);
    ck_assert_uint_le(rd_le32(h + 28), 62600 + 30000);
    ck_assert_uint_eq(rd_le32(h + 32), 74);
    ck_assert_msg(system("command -v tshark >/dev/null 2>&1") == 0, "tshark is missing (make deps)");
    snprintf(cmd, sizeof cmd,
             "tshark -r %s 2>/dev/null | grep -c . | grep -qx 50 && ! tshark -r %s -V 2>&1 | grep -qi malformed",
             p1, p1);
    ck_assert_int_eq(system(cmd), 0);
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
    tcase_add_test(tc, jitter_keeps_order_reorder_does_not);
    tcase_add_test(tc, schedule_changes_only_named_properties);
    tcase_add_test(tc, bad_fcs_and_max_frame);
    tcase_add_test(tc, duplicate_arrives_one_frame_later);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
