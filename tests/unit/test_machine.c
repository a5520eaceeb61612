/* Machine: board files (errors name file, field and reason), endpoints and
 * nets, resets. Uses the mps2-an386 board model and a small in-test model. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/machine.h"

static machine_t *m;

static void setup(void) { m = machine_new(1); }
static void teardown(void) { machine_free(m); }

static int load(const char *json) { return machine_load_board_json(m, json, "test.json"); }

START_TEST(good_board_builds_cpu_and_memory)
{
    ck_assert_int_eq(load("{\"name\":\"b\",\"devices\":[{\"name\":\"soc\",\"type\":\"mps2-an386\"}]}"), 0);
    ck_assert_ptr_nonnull(m->cpu);
    ck_assert_str_eq(m->board_name, "b");
    uint32_t v;
    ck_assert_int_eq(bus_write(&m->bus, 0x20000000, 4, 0x1234), 0);
    ck_assert_int_eq(bus_read(&m->bus, 0x20400000, 4, &v), 0); /* mirror */
    ck_assert_uint_eq(v, 0x1234);
    ck_assert_ptr_nonnull(machine_find_instance(m, "soc", "mps2-an386"));
    ck_assert_ptr_nonnull(machine_find_endpoint(m, "soc.sysclk"));
}
END_TEST

START_TEST(bad_json_reports_line_and_column)
{
    ck_assert_int_ne(load("{\n  \"name\": \"x\",\n  oops\n}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "test.json:3:"));
}
END_TEST

START_TEST(unknown_model_is_named)
{
    ck_assert_int_ne(load("{\"devices\":[{\"name\":\"e\",\"type\":\"enc28j6\"}]}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "devices[0].type: unknown model 'enc28j6'"));
}
END_TEST

START_TEST(unknown_top_level_field)
{
    ck_assert_int_ne(load("{\"devcies\":[]}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "unknown field \"devcies\""));
}
END_TEST

START_TEST(missing_cpu_and_duplicates)
{
    ck_assert_int_ne(load("{\"devices\":[]}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "no device of the board provides a CPU"));
    machine_free(m);
    m = machine_new(1);
    ck_assert_int_ne(load("{\"devices\":[{\"name\":\"a\",\"type\":\"mps2-an386\"},"
                          "{\"name\":\"a\",\"type\":\"mps2-an386\"}]}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "devices[1].name: 'a' is used twice"));
}
END_TEST

START_TEST(model_config_errors_are_wrapped_with_context)
{
    ck_assert_int_ne(load("{\"devices\":[{\"name\":\"s\",\"type\":\"mps2-an386\",\"speed\":3}]}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "devices[0] (s, mps2-an386): unknown field \"speed\""));
}
END_TEST

START_TEST(nets_check_endpoints)
{
    ck_assert_int_ne(load("{\"devices\":[{\"name\":\"s\",\"type\":\"mps2-an386\"}],"
                          "\"nets\":{\"N\":[\"s.nothing\"]}}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "nets.N[0]: no endpoint 's.nothing'"));
    machine_free(m);
    m = machine_new(1);
    ck_assert_int_ne(load("{\"devices\":[{\"name\":\"s\",\"type\":\"mps2-an386\"}],"
                          "\"nets\":{\"N\":[\"s.sysclk\"]}}"), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "is not a pin"));
}
END_TEST

START_TEST(endpoint_registration_rules)
{
    gpio_pin_t p;
    gpio_pin_init(&p, "p");
    ck_assert_int_eq(machine_add_gpio(m, "x", "p0", &p, NULL, NULL, 0), 0);
    ck_assert_int_ne(machine_add_gpio(m, "x", "p0", &p, NULL, NULL, 0), 0);
    ck_assert_ptr_nonnull(strstr(m->error, "registered twice"));
    ck_assert_ptr_nonnull(machine_find_endpoint(m, "x.p0"));
    ck_assert_ptr_null(machine_find_endpoint(m, "x.p1"));
}
END_TEST

START_TEST(rng_streams_depend_on_seed_and_name)
{
    rng_t a, b, c;
    machine_rng(m, "eth", &a);
    machine_rng(m, "eth", &b);
    machine_rng(m, "link", &c);
    uint64_t x = rng_next(&a);
    ck_assert_uint_eq(x, rng_next(&b));
    ck_assert_uint_ne(x, rng_next(&c));
}
END_TEST

static int last_set;
static int set_level(void *dev, const char *name, const cJSON *v, char *err, size_t errlen)
{
    (void)dev;
    if (strcmp(name, "level") || !cJSON_IsNumber(v) || v->valueint < 0) {
        snprintf(err, errlen, "expected a number of 0 or more");
        return -1;
    }
    last_set = v->valueint;
    return 0;
}

static int watched;
static void watch(void *opaque, sim_probe_t *p)
{
    (void)opaque;
    watched = (int)p->hits;
}

START_TEST(controls_and_probes_by_name)
{
    sim_probe_t probe = { 0 };
    ck_assert_int_eq(machine_add_control(m, "t", "level", "a number", set_level, NULL), 0);
    ck_assert_int_eq(machine_add_probe(m, "t", "op", "an operation", &probe), 0);
    ck_assert_str_eq(probe.name, "t.op");
    cJSON *v = cJSON_CreateNumber(7);
    char err[256];
    ck_assert_int_eq(machine_set_control(m, "t.level", v, err, sizeof err), 0);
    ck_assert_int_eq(last_set, 7);
    cJSON_SetNumberValue(v, -1);
    ck_assert_int_eq(machine_set_control(m, "t.level", v, err, sizeof err), -1);
    ck_assert_str_eq(err, "expected a number of 0 or more");
    ck_assert_int_eq(machine_set_control(m, "t.nope", v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no control 't.nope'"));
    cJSON_Delete(v);
    ck_assert_ptr_eq(machine_find_probe(m, "t.op"), &probe);
    ck_assert_ptr_null(machine_find_probe(m, "t.level"));
    probe.watch = watch;
    probe_hit(&probe);
    probe_hit(&probe);
    ck_assert_int_eq(watched, 2);
}
END_TEST

START_TEST(power_cut_stops_the_cpu_until_power_returns)
{
    ck_assert_int_eq(load("{\"devices\":[{\"name\":\"soc\",\"type\":\"mps2-an386\"}]}"), 0);
    /* vector table at 0: SP, reset = 0x101 (Thumb); code at 0x100: b . */
    ck_assert_int_eq(bus_write(&m->bus, 0, 4, 0x20001000), 0);
    ck_assert_int_eq(bus_write(&m->bus, 4, 4, 0x101), 0);
    ck_assert_int_eq(bus_write(&m->bus, 0x100, 2, 0xE7FE), 0);
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    machine_run(m, SIM_US(100));
    uint64_t before = m->cpu->insns;
    ck_assert_uint_gt(before, 0);
    uint64_t resets = m->resets;
    machine_power_cut(m, SIM_MS(1));
    machine_run(m, SIM_US(900));
    ck_assert(m->power_off);
    ck_assert_uint_eq(m->power_cuts, 1);
    uint64_t during = m->cpu->insns;
    machine_run(m, SIM_US(1050));
    ck_assert(m->power_off);
    ck_assert_uint_eq(m->cpu->insns, during);
    machine_run(m, SIM_MS(2));
    ck_assert(!m->power_off);
    ck_assert_uint_eq(m->resets, resets + 1);
    ck_assert_int_eq(m->last_reset_cause, RESET_CAUSE_POWER_ON);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("machine");
    TCase *tc = tcase_create("boards");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_board_builds_cpu_and_memory);
    tcase_add_test(tc, bad_json_reports_line_and_column);
    tcase_add_test(tc, unknown_model_is_named);
    tcase_add_test(tc, unknown_top_level_field);
    tcase_add_test(tc, missing_cpu_and_duplicates);
    tcase_add_test(tc, model_config_errors_are_wrapped_with_context);
    tcase_add_test(tc, nets_check_endpoints);
    tcase_add_test(tc, endpoint_registration_rules);
    tcase_add_test(tc, rng_streams_depend_on_seed_and_name);
    tcase_add_test(tc, controls_and_probes_by_name);
    tcase_add_test(tc, power_cut_stops_the_cpu_until_power_returns);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
