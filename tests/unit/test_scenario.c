/* Scenario files: every error names the file, the field and the reason; the
 * faults of a scenario in time order; removing faults for shrinking. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/scenario.h"

static char fw_path[64];
static char err[1024];

static void setup(void)
{
    snprintf(fw_path, sizeof fw_path, "/tmp/gb-scenario-test-%d.bin", (int)getpid());
    FILE *f = fopen(fw_path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("firmware", f);
    fclose(f);
}

static void teardown(void) { unlink(fw_path); }

/* A scenario with the given extra fields (JSON object members, comma-led). */
static scenario_t *load(const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{ \"name\": \"t\", \"board\": \"stm32f407-enc28j60\", \"firmware\": [\"%s@0x08000000\"]"
             "%s }", fw_path, extra);
    cJSON *j = cJSON_Parse(text);
    ck_assert_msg(j != NULL, "test JSON does not parse: %s", text);
    err[0] = 0;
    return scenario_from_json(j, "dir/test.json", err, sizeof err);
}

static void refused(const char *extra, const char *want)
{
    scenario_t *sc = load(extra);
    ck_assert_msg(sc == NULL, "accepted: %s", extra);
    ck_assert_msg(strstr(err, want) != NULL, "error '%s' does not say '%s'", err, want);
    ck_assert_msg(!strncmp(err, "dir/test.json: ", 15), "error '%s' does not name the file", err);
}

START_TEST(good_scenario_loads)
{
    scenario_t *sc = load(", \"seed\": 7, \"max_time\": \"90s\", \"stop_on\": \"done\","
                          "\"timeline\": [ { \"at\": \"1s\", \"do\": \"power_cut\", \"off\": \"1s\" },"
                          "  { \"on\": \"mcu.flash.op\", \"count\": {\"uniform\": [1, 9]}, \"do\": \"reset\" },"
                          "  { \"on_uart\": \"go\", \"delay\": \"2ms\", \"do\": \"set\", \"control\": \"eth.x\","
                          "    \"value\": {\"a\": 1}, \"repeat\": {\"every\": \"1ms\", \"times\": 3} } ],"
                          "\"expect\": { \"final_version\": 2, \"uart_absent\": \"HardFault\","
                          "  \"finish_within\": \"60s\", \"probes\": { \"eth.rx_overflow\": 0 } }");
    ck_assert_msg(sc != NULL, "%s", err);
    ck_assert_str_eq(scenario_name(sc), "t");
    ck_assert_uint_eq(scenario_default_seed(sc), 7);
    session_config_t c;
    session_config_init(&c);
    scenario_session_config(sc, &c);
    ck_assert_uint_eq(c.max_time, 90000000000ull);
    ck_assert_str_eq(c.stop_on, "done");
    ck_assert_uint_eq(c.nfirmware, 1);
    ck_assert_uint_eq(c.firmware[0].base, 0x08000000);
    ck_assert(c.firmware[0].base_set);
    scenario_free(sc);
}
END_TEST

START_TEST(errors_name_field_and_reason)
{
    refused(", \"timelin\": []", "scenario: unknown field \"timelin\"");
    refused(", \"seed\": -1", "seed: must be a whole number");
    refused(", \"max_time\": \"forever\"", "max_time: expected a duration");
    refused(", \"timeline\": {}", "timeline: must be a list");
    refused(", \"timeline\": [ { \"at\": \"1s\" } ]", "timeline[0]: missing \"do\"");
    refused(", \"timeline\": [ { \"at\": \"1s\", \"do\": \"zap\" } ]", "unknown action \"zap\"");
    refused(", \"timeline\": [ { \"do\": \"power_cut\" } ]", "needs exactly one trigger");
    refused(", \"timeline\": [ { \"at\": \"3s\", \"on\": \"x.y\", \"do\": \"power_cut\" } ]",
            "needs exactly one trigger");
    refused(", \"timeline\": [ { \"at\": {\"uniform\": [\"3s\", \"1s\"]}, \"do\": \"power_cut\" } ]",
            "timeline[0].at: the uniform range ends before it starts");
    refused(", \"timeline\": [ { \"on\": \"p.q\", \"count\": 0, \"do\": \"power_cut\" } ]",
            "timeline[0].count: expected a whole number of 1 or more");
    refused(", \"timeline\": [ { \"at\": \"1s\", \"do\": \"power_cut\", \"for\": \"1s\" } ]",
            "timeline[0]: unknown field \"for\"");
    refused(", \"timeline\": [ { \"at\": \"1s\", \"do\": \"spi_errors\", \"bus\": \"b\", \"ber\": 2 } ]",
            "\"ber\" (bit error rate) must be a number in (0, 1]");
    refused(", \"timeline\": [ { \"at\": \"1s\", \"do\": \"pulse\" } ]",
            "needs one of \"net\" (a board net) or \"pin\"");
    refused(", \"timeline\": [ { \"at\": \"1s\", \"do\": \"set\", \"control\": \"a.b\" } ]",
            "timeline[0]: missing \"value\"");
    refused(", \"timeline\": [ { \"at\": \"1s\", \"do\": \"note\", \"text\": \"x\","
            " \"repeat\": {\"every\": \"0s\", \"times\": 2} } ]",
            "\"every\" must be longer than 0");
    refused(", \"expect\": { \"uart_match\": { \"pattern\": \"x(\", \"last\": 1 } }",
            "expect.uart_match: pattern 'x(':");
    refused(", \"expect\": { \"uart_match\": { \"pattern\": \"x\", \"last\": 1 } }",
            "needs a group ( ) for the value to check");
    refused(", \"expect\": { \"uart_match\": { \"pattern\": \"x\" } }", "says nothing to check");
    refused(", \"expect\": { \"finish_within\": \"1s\" }", "needs \"stop_on\"");
    refused(", \"expect\": { \"outcome\": \"won\" }", "expect.outcome: must be stop-on, exit");
    refused(", \"expect\": { \"probes\": { \"a.b\": \"many\" } }", "expect.probes.a.b:");
    refused(", \"network\": 3", "network: must be an object");
}
END_TEST

START_TEST(firmware_forms)
{
    char text[1024];
    snprintf(text, sizeof text, "{ \"name\": \"t\", \"board\": \"b\", \"firmware\": "
             "{ \"file\": \"%s\", \"format\": \"bin\", \"base\": \"0x20000000\" } }", fw_path);
    scenario_t *sc = scenario_from_json(cJSON_Parse(text), "x.json", err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    scenario_free(sc);
    snprintf(text, sizeof text, "{ \"name\": \"t\", \"board\": \"b\", \"firmware\": \"%s@zz\" }",
             fw_path);
    sc = scenario_from_json(cJSON_Parse(text), "x.json", err, sizeof err);
    ck_assert_ptr_null(sc);
    ck_assert_ptr_nonnull(strstr(err, "firmware[0]: '"));
    ck_assert_ptr_nonnull(strstr(err, "the part after '@' is not an address"));
    sc = scenario_from_json(cJSON_Parse("{ \"name\": \"t\", \"board\": \"b\", \"firmware\": "
                                        "\"missing.elf\" }"), "x.json", err, sizeof err);
    ck_assert_ptr_null(sc);
    ck_assert_ptr_nonnull(strstr(err, "firmware[0]: no firmware file missing.elf"));
    sc = scenario_from_json(cJSON_Parse("{ \"name\": \"t\", \"board\": \"b\", \"flash\": "
                                        "\"no-flash.bin\" }"), "x.json", err, sizeof err);
    ck_assert_ptr_null(sc);
    ck_assert_ptr_nonnull(strstr(err, "x.json: flash: no flash image no-flash.bin"));
    snprintf(text, sizeof text, "{ \"name\": \"t\", \"board\": \"b\", \"flash\": \"%s\" }",
             fw_path);
    sc = scenario_from_json(cJSON_Parse(text), "x.json", err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    session_config_t c;
    session_config_init(&c);
    scenario_session_config(sc, &c);
    ck_assert_str_eq(c.flash_image, fw_path);
    ck_assert_uint_eq(c.nfirmware, 0);
    scenario_free(sc);
    sc = scenario_from_json(cJSON_Parse("{ \"name\": \"bad name\", \"board\": \"b\" }"), "x.json",
                            err, sizeof err);
    ck_assert_ptr_null(sc);
    ck_assert_ptr_nonnull(strstr(err, "name: 'bad name' is not a simple name"));
}
END_TEST

START_TEST(faults_in_time_order_and_removal)
{
    scenario_t *sc = load(", \"network\": { \"links\": { \"lan\": { \"schedule\": ["
                          "    { \"at\": \"2s\", \"up\": false }, { \"at\": \"5s\", \"up\": true } ] } },"
                          "  \"server\": { \"root\": \"x\", \"faults\": [ { \"kind\": \"503\", \"from\": \"1s\" } ] } },"
                          "\"timeline\": [ { \"at\": \"3s\", \"do\": \"power_cut\" },"
                          "  { \"at\": \"0.5s\", \"do\": \"note\", \"text\": \"not a fault\" },"
                          "  { \"on_uart\": \"x\", \"do\": \"reset\" },"
                          "  { \"at\": {\"uniform\": [\"0.1s\", \"9s\"]}, \"do\": \"reset\" } ]");
    ck_assert_msg(sc != NULL, "%s", err);
    scenario_fault_t f[8];
    unsigned n = scenario_faults(sc, f, 8);
    ck_assert_uint_eq(n, 6);
    /* by time: uniform's lower end 0.1 s, 503 at 1 s, link down 2 s, cut 3 s, link up 5 s,
     * then the console-triggered reset */
    ck_assert_str_eq(f[0].path, "timeline[3]");
    ck_assert_str_eq(f[1].path, "network.server.faults[0]");
    ck_assert_str_eq(f[2].path, "network.links.lan.schedule[0]");
    ck_assert_str_eq(f[3].path, "timeline[0]");
    ck_assert_str_eq(f[4].path, "network.links.lan.schedule[1]");
    ck_assert_str_eq(f[5].path, "timeline[2]");
    ck_assert_uint_eq(f[5].at, SIM_TIME_NEVER);
    const char *drop[] = { "timeline[0]", "network.links.lan.schedule[1]", "timeline[3]" };
    cJSON *j = scenario_json_without(sc, drop, 3);
    const cJSON *tl = cJSON_GetObjectItem(j, "timeline");
    ck_assert_int_eq(cJSON_GetArraySize(tl), 2);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 0), "do")->valuestring, "note");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 1), "do")->valuestring, "reset");
    const cJSON *sch = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
        cJSON_GetObjectItem(j, "network"), "links"), "lan"), "schedule");
    ck_assert_int_eq(cJSON_GetArraySize(sch), 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(sch, 0), "at")->valuestring, "2s");
    /* the original is untouched */
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(scenario_json(sc), "timeline")), 4);
    cJSON_Delete(j);
    scenario_free(sc);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("scenario");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_scenario_loads);
    tcase_add_test(tc, errors_name_field_and_reason);
    tcase_add_test(tc, firmware_forms);
    tcase_add_test(tc, faults_in_time_order_and_removal);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
