/*
 * The network section: a network built from the board file and the section
 * (a cable, or a switch with one cable per port and their names), timed
 * changes and windows that put back the value they found, cable and host
 * controls, and the errors for bad fields, units and times, each naming the
 * field.
 */
#include <check.h>
#include "tests/net/harness.h"
#include "models/net/netconfig.h"

static machine_t *m;
static network_t net;
static char root[64];
static char err[1024];

static void setup(void)
{
    m = machine_new(5);
    ck_assert_msg(machine_load_board(m, "stm32f407-enc28j60") == 0, "%s", m->error);
    make_root(root, sizeof root);
    memset(&net, 0, sizeof net);
}

static void teardown(void)
{
    network_free(&net);
    machine_free(m);
    remove_root(root);
}

/* Builds from JSON text in which '@' stands for the served folder. */
static int build(const char *json)
{
    char text[4096], *o = text;
    for (const char *p = json; *p && o < text + sizeof text - 80; p++) {
        if (*p == '@')
            o += sprintf(o, "%s", root);
        else
            *o++ = *p;
    }
    *o = 0;
    cJSON *cfg = cJSON_Parse(text);
    ck_assert_msg(cfg != NULL, "bad test JSON: %s", text);
    err[0] = 0;
    int r = netconfig_build(&net, m, cfg, "/tmp", NULL, err, sizeof err);
    cJSON_Delete(cfg);
    return r;
}

static int control(const char *name, const char *json)
{
    cJSON *v = cJSON_Parse(json);
    err[0] = 0;
    int r = machine_set_control(m, name, v, err, sizeof err);
    cJSON_Delete(v);
    return r;
}

START_TEST(board_only_is_one_cable_with_controls)
{
    ck_assert_int_eq(build("{}"), 0);
    ck_assert_uint_eq(net.nlinks, 1);
    net_link_t *l = network_find(&net, "lan");
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_null(l->end[1]); /* nothing at the other end */
    ck_assert_int_eq(control("net.lan.loss", "0.05"), 0);
    ck_assert_uint_eq(l->p.loss_ppm, 50000);
    ck_assert_int_eq(control("net.lan.loss", "\"1%\""), 0);
    ck_assert_uint_eq(l->p.loss_ppm, 10000);
    ck_assert_int_eq(control("net.lan.latency", "\"2ms\""), 0);
    ck_assert_uint_eq(l->p.latency_ns, SIM_MS(2));
    ck_assert_int_eq(control("net.lan.up", "false"), 0);
    ck_assert(!l->p.up);
    ck_assert_int_ne(control("net.lan.loss", "7"), 0);
    ck_assert_ptr_nonnull(strstr(err, "net.lan.loss: expected a probability"));
    ck_assert_int_ne(control("net.lan.latency", "\"3 fortnights\""), 0);
    ck_assert_ptr_nonnull(strstr(err, "net.lan.latency: '3 fortnights' is not a duration"));
    ck_assert_ptr_nonnull(machine_find_probe(m, "net.lan.fault"));
}
END_TEST

START_TEST(server_and_timed_changes)
{
    ck_assert_int_eq(build("{\"server\": {\"root\": \"@\"},"
                           " \"links\": {\"lan\": {\"latency\": \"50us\", \"bandwidth\": \"100Mbps\","
                           "   \"schedule\": [ {\"at\": \"1.2s\", \"up\": false}, {\"at\": \"4.2s\", \"up\": true},"
                           "                  {\"from\": \"2s\", \"until\": \"4s\", \"loss\": 0.05},"
                           "                  {\"from\": \"5s\", \"until\": \"6s\", \"loss\": \"20%\"} ]}}}"), 0);
    net_link_t *l = network_find(&net, "lan");
    ck_assert_ptr_nonnull(l);
    ck_assert_ptr_nonnull(net.server);
    ck_assert_ptr_eq(l->end[1], &net.server->port);
    ck_assert_uint_eq(l->p.latency_ns, SIM_US(50));
    ck_assert_uint_eq(l->p.bandwidth_bps, 100000000);
    struct { sim_time_t t; bool up; uint32_t loss; } want[] = {
        { SIM_MS(1100), true, 0 }, { SIM_MS(1300), false, 0 }, { SIM_MS(2500), false, 50000 },
        { SIM_MS(4100), false, 0 }, { SIM_MS(4300), true, 0 }, { SIM_MS(5500), true, 200000 },
        { SIM_MS(6500), true, 0 },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(want); k++) {
        sched_run_until(&m->sched, want[k].t);
        ck_assert_msg(l->p.up == want[k].up && l->p.loss_ppm == want[k].loss,
                      "at %llu ms: up %d loss %u", (unsigned long long)want[k].t / 1000000,
                      l->p.up, l->p.loss_ppm);
    }
    ck_assert_ptr_nonnull(machine_find_probe(m, "net.server.request"));
    ck_assert_int_eq(control("net.server.stall", "true"), 0);
    ck_assert(net.server->http.manual_on[HTTP_FAULT_STALL]);
    ck_assert_int_eq(control("net.server.drip", "500"), 0);
    ck_assert_uint_eq(net.server->http.manual[HTTP_FAULT_DRIP].arg, 500);
    ck_assert_int_eq(control("net.server.drip", "false"), 0);
    ck_assert(!net.server->http.manual_on[HTTP_FAULT_DRIP]);
    ck_assert_int_ne(control("net.server.stall", "3"), 0);
    ck_assert_ptr_nonnull(strstr(err, "net.server.stall: expected true or false"));
}
END_TEST

START_TEST(three_ports_make_a_switch)
{
    ck_assert_int_eq(build("{\"server\": {\"root\": \"@\"},"
                           " \"hosts\": [ {\"name\": \"storm\", \"kind\": \"broadcast_storm\", \"rate\": 1000,"
                           "               \"from\": \"1s\", \"until\": \"2s\"} ],"
                           " \"links\": {\"lan\": {\"latency\": \"10us\"}, \"lan/storm\": {\"bandwidth\": \"1Mbit\"}}}"), 0);
    ck_assert_ptr_nonnull(net.segs[0].sw);
    ck_assert_uint_eq(net.nlinks, 3);
    const char *names[] = { "lan/eth.eth0", "lan/server", "lan/storm" };
    for (unsigned k = 0; k < 3; k++) {
        net_link_t *l = network_find(&net, names[k]);
        ck_assert_msg(l != NULL, "no cable %s", names[k]);
        ck_assert_uint_eq(l->p.latency_ns, SIM_US(10));
        ck_assert_uint_eq(l->p.bandwidth_bps, k == 2 ? 1000000 : 10000000);
    }
    /* the network's name stands for the cable of its first (the board's) port */
    ck_assert_ptr_eq(network_find(&net, "lan"), network_find(&net, "lan/eth.eth0"));
    traffic_host_t *t = network_find_traffic(&net, "storm");
    ck_assert_ptr_nonnull(t);
    /* 1000 frames/s from 1 s until 2 s: frames at 1.000, 1.001 ... 1.999 s */
    sched_run_until(&m->sched, SIM_S(3));
    ck_assert_uint_eq(t->stats.sent, 1000);
    ck_assert_int_eq(control("net.storm.rate", "\"line\""), 0);
    ck_assert_int_eq(control("net.storm.on", "true"), 0);
    sched_run_until(&m->sched, SIM_S(3) + SIM_MS(10));
    /* 60-byte frames back to back at 1 Mbit/s: 672 us apart */
    ck_assert_uint_eq(t->stats.sent, 1000 + 15);
    ck_assert_ptr_nonnull(machine_find_probe(m, "net.lan/eth.eth0.fault"));
}
END_TEST

START_TEST(hub_for_two_ports_and_link_pcap)
{
    ck_assert_int_eq(build("{\"switches\": {\"lan\": {\"kind\": \"hub\"}},"
                           " \"links\": {\"lan/eth.eth0\": {\"pcap\": \"gb-net-config-test.pcap\"}}}"), 0);
    ck_assert_ptr_nonnull(net.segs[0].sw);
    ck_assert_int_eq(net.segs[0].sw->cfg.kind, NET_SWITCH_HUB);
    ck_assert_ptr_nonnull(net.link_pcap[0]);
    ck_assert_int_eq(access("/tmp/gb-net-config-test.pcap", F_OK), 0);
    unlink("/tmp/gb-net-config-test.pcap");
}
END_TEST

typedef struct bad_case {
    const char *json, *msg;
} bad_case_t;

static const bad_case_t bad[] = {
    { "{\"lnks\": {}}", "network: unknown field 'lnks'" },
    { "{\"links\": {\"lan\": {\"loss\": 5}}}", "network.links.lan.loss: expected a probability" },
    { "{\"links\": {\"lan\": {\"latency\": \"5 parsecs\"}}}",
      "network.links.lan.latency: '5 parsecs' is not a duration" },
    { "{\"links\": {\"lan\": {\"latency\": 5}}}", "network.links.lan.latency: expected a duration as a string" },
    { "{\"links\": {\"lan\": {\"bandwidth\": \"fast\"}}}", "network.links.lan.bandwidth: expected a bit rate" },
    { "{\"links\": {\"lan\": {\"max_frame\": 9000}}}", "network.links.lan.max_frame: expected a whole number from 14 to 2048" },
    { "{\"links\": {\"lan\": {\"speed\": 1}}}", "network.links.lan: unknown field 'speed'" },
    { "{\"links\": {\"wan\": {}}}", "network.links.wan: there is no cable or network of that name (cables: lan)" },
    { "{\"links\": {\"lan\": {\"schedule\": [{\"at\": \"1s\"}]}}}", "network.links.lan.schedule[0]: changes nothing" },
    { "{\"links\": {\"lan\": {\"schedule\": [{\"up\": false}]}}}",
      "network.links.lan.schedule[0]: give either 'at', or both 'from' and 'until'" },
    { "{\"links\": {\"lan\": {\"schedule\": [{\"from\": \"3s\", \"until\": \"2s\", \"loss\": 0.1}]}}}",
      "network.links.lan.schedule[0].until: 2s must come after 'from' (3s)" },
    { "{\"links\": {\"lan\": {\"schedule\": [{\"from\": \"1s\", \"until\": \"3s\", \"loss\": 0.1},"
      " {\"at\": \"2s\", \"loss\": 0.2}]}}}",
      "network.links.lan.schedule[1]: changes a property inside the window 1s..3s of schedule[0]" },
    { "{\"links\": {\"lan\": {\"schedule\": [{\"at\": \"soon\", \"up\": false}]}}}",
      "network.links.lan.schedule[0].at: 'soon' is not a duration" },
    { "{\"server\": {\"root\": \"/nonexistent-gb\"}}", "'/nonexistent-gb' is not a readable folder" },
    { "{\"server\": {}}", "network.server.root: expected the folder to serve" },
    { "{\"server\": {\"root\": \"@\", \"address\": \"10.0.2\"}}",
      "network.server.address: '10.0.2' is not an IPv4 address" },
    { "{\"server\": {\"root\": \"@\", \"network\": \"wan\"}}", "the board has no network 'wan' (it has: lan)" },
    { "{\"server\": {\"root\": \"@\", \"faults\": [{\"kind\": \"explode\"}]}}",
      "network.server.faults[0].kind: expected one of stall, drip, corrupt, 503, reset" },
    { "{\"server\": {\"root\": \"@\", \"faults\": [{\"kind\": \"reset\"}]}}",
      "network.server.faults[0]: a reset fault needs 'after_bytes'" },
    { "{\"server\": {\"root\": \"@\", \"faults\": [{\"kind\": \"stall\", \"offset\": 3}]}}",
      "network.server.faults[0].offset: does not apply to a stall fault" },
    { "{\"server\": {\"root\": \"@\", \"faults\": [{\"kind\": \"stall\", \"from\": \"2s\", \"until\": \"1s\"}]}}",
      "network.server.faults[0].until: 1s must come after 'from' (2s)" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"storm\"}]}", "network.hosts[0].kind: 'storm' is not a traffic kind" },
    { "{\"hosts\": [{\"kind\": \"runt\"}]}", "network.hosts[0]: a host needs a 'name' and a 'kind'" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"runt\", \"size\": 100}]}",
      "network.hosts[0].size: expected a whole number from 1 to 59" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"broadcast_storm\", \"rate\": \"fast\"}]}",
      "network.hosts[0].rate: expected frames per second" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"broadcast_storm\", \"network\": \"wan\"}]}",
      "network.hosts[0].network: the board has no network 'wan'" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"arp_flood\"}, {\"name\": \"x\", \"kind\": \"runt\"}]}",
      "network.hosts[1].name: 'x' is used twice" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"chatty_neighbour\", \"target\": \"me\"}]}",
      "network.hosts[0].target: 'me' is not an IPv4 address" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"multicast_noise\", \"groups\": [\"10.0.0.1\"]}]}",
      "network.hosts[0].groups[0]: expected an IPv4 multicast address" },
    { "{\"hosts\": [{\"name\": \"x\", \"kind\": \"arp_flood\", \"schedule\": [{\"at\": \"1s\", \"rate\": -1}]}]}",
      "network.hosts[0].schedule[0].rate: expected frames per second" },
    { "{\"switches\": {\"lan\": {}}, \"links\": {\"lan\": {\"pcap\": \"x.pcap\"}}}",
      "network.links.lan.pcap: the cables of a switched network need a file each" },
    { "{\"switches\": {\"lan\": {\"kind\": \"router\"}}}",
      "network.switches.lan.kind: expected \"switch\" or \"hub\", not 'router'" },
    { "{\"switches\": {\"lan\": {\"aging\": \"forever\"}}}", "network.switches.lan.aging: 'forever' is not a duration" },
    { "{\"live\": {\"forward\": [\"x\"]}}", "network.live.forward[0]: expected \"GUEST:PORT=HOST:PORT\"" },
    { "{\"live\": {\"record\": \"a\", \"replay\": \"b\"}}", "network.live: 'record' and 'replay' exclude each other" },
    { "{\"server\": {\"root\": \"@\"}, \"live\": {}}",
      "live mode and the update server cannot share network 'lan'" },
    { "{\"live\": {\"replay\": \"/nonexistent-gb.json\"}}", "live replay /nonexistent-gb.json: No such file" },
};

START_TEST(bad_sections_name_the_field)
{
    const bad_case_t *c = &bad[_i];
    int r = build(c->json);
    ck_assert_msg(r != 0, "accepted: %s", c->json);
    ck_assert_msg(strstr(err, c->msg) != NULL, "for %s\n  got:  %s\n  want: %s", c->json, err, c->msg);
    network_free(&net);
}
END_TEST

START_TEST(old_two_step_api)
{
    char text[300];
    snprintf(text, sizeof text, "{\"server\": {\"root\": \"%s\", \"faults\": [{\"kind\": \"503\", \"count\": 2}]},"
             " \"links\": {\"lan\": {\"loss\": 0.5}}}", root);
    cJSON *cfg = cJSON_Parse(text);
    network_opts_t o;
    memset(&o, 0, sizeof o);
    char path[64];
    ck_assert_int_eq(netconfig_server_opts(cfg, ".", &o, path, sizeof path, err, sizeof err), 0);
    ck_assert_int_eq(network_build(&net, m, &o, err, sizeof err), 0);
    ck_assert_int_eq(netconfig_apply(cfg, &net, err, sizeof err), 0);
    ck_assert_uint_eq(network_find(&net, "lan")->p.loss_ppm, 500000);
    ck_assert_uint_eq(net.server->http.nfaults, 1); /* applied once, not twice */
    cJSON_Delete(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net-config");
    TCase *tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, board_only_is_one_cable_with_controls);
    tcase_add_test(tc, server_and_timed_changes);
    tcase_add_test(tc, three_ports_make_a_switch);
    tcase_add_test(tc, hub_for_two_ports_and_link_pcap);
    tcase_add_loop_test(tc, bad_sections_name_the_field, 0, (int)ARRAY_SIZE(bad));
    tcase_add_test(tc, old_two_step_api);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
