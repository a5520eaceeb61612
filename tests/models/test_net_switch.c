/*
 * The learning switch and the hub: learning and forwarding, flooding of
 * broadcast and unknown unicast, filtering, aging, a full MAC table, flushing
 * when a cable is pulled, store-and-forward timing at 10 Mbit/s, what a
 * switch drops (bad FCS, runts, oversize) and what a hub passes on.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "models/net/switch.h"
#include "models/net/link.h"

#define NST 3

typedef struct station {
    net_port_t port;
    uint8_t mac[6];
    unsigned frames, bad_fcs;
    sim_time_t last_t;
    size_t last_len;
} station_t;

static sched_t sched;
static net_switch_t sw;
static station_t st[NST];
static net_link_t *cable[NST];

static void rx(void *owner, const uint8_t *f, size_t len, bool fcs_ok)
{
    station_t *s = owner;
    (void)f;
    s->frames++;
    s->bad_fcs += !fcs_ok;
    s->last_t = sched.now;
    s->last_len = len;
}

static void build(net_switch_kind_t kind, unsigned table, sim_time_t aging)
{
    sched_init(&sched);
    net_switch_config_t c;
    net_switch_default_config(&c);
    c.kind = kind;
    if (table)
        c.table_size = table;
    if (aging)
        c.aging_ns = aging;
    ck_assert_int_eq(net_switch_init(&sw, "lan", &sched, &c), 0);
    for (unsigned k = 0; k < NST; k++) {
        memset(&st[k], 0, sizeof st[k]);
        uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(0xA0 + k) };
        memcpy(st[k].mac, mac, 6);
        net_port_init(&st[k].port, "st", rx, NULL, &st[k]);
        char name[16];
        snprintf(name, sizeof name, "lan/st%u", k);
        cable[k] = calloc(1, sizeof *cable[k]);
        net_link_init(cable[k], name, &sched, 3, &st[k].port, net_switch_add_port(&sw, name));
    }
}

static void setup(void) { build(NET_SWITCH_LEARNING, 0, 0); }

static void teardown(void)
{
    for (unsigned k = 0; k < NST; k++) {
        net_link_destroy(cable[k]);
        free(cable[k]);
    }
    net_switch_destroy(&sw);
    sched_free(&sched);
}

static void send(unsigned from, const uint8_t dst[6], size_t len)
{
    uint8_t f[NET_FRAME_MAX];
    memset(f, 0, sizeof f);
    memcpy(f, dst, 6);
    memcpy(f + 6, st[from].mac, 6);
    f[12] = 0x88;
    f[13] = 0xB5;
    net_port_send(&st[from].port, f, len);
    sched_run_until(&sched, sched.now + SIM_MS(5)); /* two cables of a full-size frame: 2.5 ms */
}

static void counts(unsigned a, unsigned b, unsigned c)
{
    ck_assert_uint_eq(st[0].frames, a);
    ck_assert_uint_eq(st[1].frames, b);
    ck_assert_uint_eq(st[2].frames, c);
}

START_TEST(learns_and_forwards)
{
    send(0, st[1].mac, 60);      /* B unknown: flooded to B and C */
    counts(0, 1, 1);
    ck_assert_int_eq(net_switch_lookup(&sw, st[0].mac), 0);
    send(1, st[0].mac, 60);      /* A known: only A */
    counts(1, 1, 1);
    send(0, st[1].mac, 60);      /* B learned now: only B */
    counts(1, 2, 1);
    ck_assert_uint_eq(sw.stats.learned, 2);
    ck_assert_uint_eq(sw.stats.flooded, 1);
    ck_assert_uint_eq(sw.stats.forwarded, 2);
    static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    send(2, bc, 60);             /* broadcast: everyone but the sender */
    counts(2, 3, 1);
    send(0, st[0].mac, 60);      /* to a MAC on the port it came from: filtered */
    counts(2, 3, 1);
    ck_assert_uint_eq(sw.stats.filtered, 1);
}
END_TEST

START_TEST(store_and_forward_timing)
{
    send(1, st[0].mac, 60);
    memset(st, 0, sizeof st[0]);
    sim_time_t t0 = sched.now;
    uint8_t f[60] = { 0 };
    memcpy(f, st[1].mac, 6);
    memcpy(f + 6, st[2].mac, 6);
    net_port_send(&st[2].port, f, sizeof f);
    sched_run_until(&sched, t0 + SIM_MS(1));
    /* per cable: (8 + 60 + 4) bytes at 0.8 us = 57.6 us, plus 5 us latency;
     * the switch forwards once the whole frame is in */
    ck_assert_uint_eq(st[1].last_t - t0, 2 * (57600 + 5000));
}
END_TEST

START_TEST(aging_and_cable_pull_forget)
{
    teardown();
    build(NET_SWITCH_LEARNING, 0, SIM_S(1));
    send(0, st[1].mac, 60);
    send(1, st[0].mac, 60);
    ck_assert_int_eq(net_switch_lookup(&sw, st[0].mac), 0);
    sched_run_until(&sched, sched.now + SIM_MS(1500));
    ck_assert_int_eq(net_switch_lookup(&sw, st[0].mac), -1); /* aged out */
    send(1, st[0].mac, 60);
    counts(2, 1, 2); /* flooded again */
    send(0, st[1].mac, 60);
    ck_assert_int_eq(net_switch_lookup(&sw, st[0].mac), 0);
    net_link_params_t down = cable[0]->p;
    down.up = false;
    net_link_set_params(cable[0], &down);
    ck_assert_int_eq(net_switch_lookup(&sw, st[0].mac), -1); /* flushed with the port */
    ck_assert_int_eq(net_switch_lookup(&sw, st[1].mac), 1);
}
END_TEST

START_TEST(full_table_floods)
{
    teardown();
    build(NET_SWITCH_LEARNING, 2, 0);
    send(0, st[1].mac, 60);
    send(1, st[0].mac, 60);
    send(2, st[0].mac, 60);      /* C cannot be learned */
    ck_assert_uint_eq(sw.stats.table_full, 1);
    ck_assert_int_eq(net_switch_lookup(&sw, st[2].mac), -1);
    unsigned b = st[1].frames;
    send(0, st[2].mac, 60);      /* so frames to C are flooded */
    ck_assert_uint_eq(st[1].frames, b + 1);
    ck_assert_uint_eq(st[2].frames, 2);
}
END_TEST

START_TEST(switch_drops_bad_frames)
{
    static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    send(0, bc, 40);             /* runt */
    send(0, bc, 1600);           /* oversize */
    uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    net_port_send_fcs(&st[0].port, f, sizeof f, false);
    sched_run_until(&sched, sched.now + SIM_MS(1));
    counts(0, 0, 0);
    ck_assert_uint_eq(sw.stats.runts, 1);
    ck_assert_uint_eq(sw.stats.too_big, 1);
    ck_assert_uint_eq(sw.stats.bad_fcs, 1);
    send(0, bc, 1518);           /* a tagged full-size frame passes */
    counts(0, 1, 1);
}
END_TEST

START_TEST(hub_repeats_everything)
{
    teardown();
    build(NET_SWITCH_HUB, 0, 0);
    static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    send(0, st[1].mac, 40);
    send(0, bc, 1600);
    uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    net_port_send_fcs(&st[0].port, f, sizeof f, false);
    sched_run_until(&sched, sched.now + SIM_MS(1));
    counts(0, 3, 3);
    ck_assert_uint_eq(st[1].bad_fcs, 1); /* the CRC error reaches the receivers */
    ck_assert_uint_eq(st[2].bad_fcs, 1);
    ck_assert_int_eq(net_switch_lookup(&sw, st[0].mac), -1); /* a hub learns nothing */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net-switch");
    TCase *tc = tcase_create("switch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, learns_and_forwards);
    tcase_add_test(tc, store_and_forward_timing);
    tcase_add_test(tc, aging_and_cable_pull_forget);
    tcase_add_test(tc, full_table_floods);
    tcase_add_test(tc, switch_drops_bad_frames);
    tcase_add_test(tc, hub_repeats_everything);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
