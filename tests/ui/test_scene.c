/* The UI's scene model and its script parser (no SDL). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "ui/scene.h"
#include "ui/script.h"

static scene_t *sc;

static void setup(void) { sc = scene_new(); }
static void teardown(void) { scene_free(sc); }

static void feed(sim_time_t t, const char *s) { scene_console_feed(sc, t, (const uint8_t *)s, strlen(s)); }

/* ---- console ---- */

START_TEST(console_splits_lines_and_keeps_their_times)
{
    feed(10, "boot: hello\r\nsecond");
    feed(20, " half\n");
    feed(30, "tail");
    ck_assert_uint_eq(scene_console_nlines(sc), 3);
    ck_assert_str_eq(scene_console_line(sc, 0)->text, "boot: hello");
    ck_assert_uint_eq(scene_console_line(sc, 0)->t, 10);
    /* a line is stamped with its first byte's time */
    ck_assert_str_eq(scene_console_line(sc, 1)->text, "second half");
    ck_assert_uint_eq(scene_console_line(sc, 1)->t, 10);
    ck_assert_str_eq(scene_console_line(sc, 2)->text, "tail");
    ck_assert_uint_eq(scene_console_line(sc, 2)->t, 30);
    char buf[64];
    scene_console_tail(sc, buf, sizeof buf);
    ck_assert_str_eq(buf, "boot: hello\nsecond half\ntail");
    /* a tail too small for everything keeps the last whole lines */
    scene_console_tail(sc, buf, 18);
    ck_assert_str_eq(buf, "second half\ntail");
    ck_assert_uint_eq(sc->console.bytes, strlen("boot: hello\r\nsecond half\ntail"));
}
END_TEST

START_TEST(console_tabs_backspace_and_control_bytes)
{
    feed(0, "a\tb\x01x\by\n");
    /* tab to column 8; \x01 dropped; backspace removes the x */
    ck_assert_str_eq(scene_console_line(sc, 0)->text, "a       by");
}
END_TEST

START_TEST(console_long_lines_continue_and_ring_keeps_the_last)
{
    char big[SCENE_LINE_MAX * 2 + 10];
    memset(big, 'x', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = 0;
    feed(5, big);
    ck_assert_uint_eq(scene_console_nlines(sc), 3);
    ck_assert_uint_eq(scene_console_line(sc, 0)->len, SCENE_LINE_MAX - 1);
    for (unsigned k = 0; k < SCENE_CONSOLE_LINES + 10; k++)
        feed(6 + k, "line\n");
    ck_assert_uint_eq(scene_console_nlines(sc), SCENE_CONSOLE_LINES);
    ck_assert_uint_eq(scene_console_line(sc, SCENE_CONSOLE_LINES - 1)->t, 6 + SCENE_CONSOLE_LINES + 9);
}
END_TEST

/* ---- update progress ---- */

START_TEST(update_lines_of_the_reference_agent)
{
    feed(100, "update: state=available version=2 path=/v2/app-v2-b.img\n");
    ck_assert(sc->update.seen);
    ck_assert_str_eq(sc->update.state, "available");
    ck_assert_str_eq(sc->update.version, "2");
    ck_assert(scene_update_progress(&sc->update) < 0);
    feed(200, "update: state=downloading version=2 bytes=0/0 retries=0 errors=0\n");
    ck_assert(scene_update_progress(&sc->update) < 0);  /* total not known yet */
    feed(300, "update: state=downloading version=2 bytes=5298/21192 retries=1 errors=2\n");
    ck_assert_uint_eq(sc->update.bytes, 5298);
    ck_assert_uint_eq(sc->update.total, 21192);
    ck_assert_int_eq(sc->update.retries, 1);
    ck_assert_int_eq(sc->update.errors, 2);
    ck_assert_double_eq_tol(scene_update_progress(&sc->update), 0.25, 1e-9);
    feed(400, "update: download interrupted (timeout, status 0) at 5298 bytes\n");
    ck_assert_str_eq(sc->update.state, "downloading");
    /* "bytes=N" without a total keeps the total printed before */
    feed(500, "update: state=rebooting version=2 slot=B bytes=21192 retries=1 errors=2\n");
    ck_assert_double_eq_tol(scene_update_progress(&sc->update), 1.0, 1e-9);
    /* "bytes=0/0": no transfer now; the last one's figures stay */
    feed(550, "update: state=idle version=2 bytes=0/0 retries=0 errors=0 reason=up-to-date\n");
    ck_assert_double_eq_tol(scene_update_progress(&sc->update), 1.0, 1e-9);
    ck_assert_str_eq(sc->update.reason, "up-to-date");
    feed(600, "update: state=failed reason=no-manifest\n");
    ck_assert_str_eq(sc->update.reason, "no-manifest");
    ck_assert_str_eq(sc->update.version, "");
    /* marks: one per state change, one for the interruption */
    ck_assert_uint_eq(scene_nmarks(sc), 6);
    ck_assert_str_eq(scene_mark_at(sc, 0)->label, "available v2");
    ck_assert_str_eq(scene_mark_at(sc, 1)->label, "downloading v2");
    ck_assert_str_eq(scene_mark_at(sc, 2)->label, "download interrupted");
    ck_assert_uint_eq(scene_mark_at(sc, 2)->t, 400);
    ck_assert_str_eq(scene_mark_at(sc, 4)->label, "idle v2");
    ck_assert_str_eq(scene_mark_at(sc, 5)->label, "failed");
    ck_assert(!scene_update_parse(&sc->update, "app: version 2 running", 700));
}
END_TEST

START_TEST(boot_lines_mark_the_reset_cause)
{
    feed(7, "boot: glitchbox A/B bootloader, reset cause power-on\n");
    ck_assert_uint_eq(scene_nmarks(sc), 1);
    ck_assert_str_eq(scene_mark_at(sc, 0)->label, "boot (power-on)");
    ck_assert_int_eq(scene_mark_at(sc, 0)->kind, MARK_RESET);
}
END_TEST

/* ---- frames ---- */

static size_t eth(uint8_t *f, unsigned type)
{
    memset(f, 0, 64);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    return 60;
}

static size_t ipv4(uint8_t *f, unsigned proto, unsigned payload)
{
    eth(f, 0x0800);
    f[14] = 0x45;
    unsigned total = 20 + payload;
    f[16] = (uint8_t)(total >> 8);
    f[17] = (uint8_t)total;
    f[23] = (uint8_t)proto;
    return 14 + total < 60 ? 60 : 14 + total;
}

START_TEST(frames_are_classified)
{
    uint8_t f[1600], p, fl;
    scene_classify(f, eth(f, 0x0806), &p, &fl);
    ck_assert_int_eq(p, PROTO_ARP);
    size_t n = ipv4(f, 17, 8 + 300);
    f[34] = 0, f[35] = 68, f[36] = 0, f[37] = 67;
    scene_classify(f, n, &p, &fl);
    ck_assert_int_eq(p, PROTO_DHCP);
    n = ipv4(f, 6, 20);
    f[34 + 12] = 5 << 4;
    f[34 + 13] = 0x02; /* SYN */
    scene_classify(f, n, &p, &fl);
    ck_assert_int_eq(p, PROTO_TCP_CTRL);
    ck_assert_int_eq(fl, 0x02);
    f[34 + 13] = 0x10; /* ACK, no data */
    scene_classify(f, n, &p, &fl);
    ck_assert_int_eq(p, PROTO_TCP);
    n = ipv4(f, 6, 20 + 1000);
    f[34 + 12] = 5 << 4;
    f[34 + 13] = 0x18;
    scene_classify(f, n, &p, &fl);
    ck_assert_int_eq(p, PROTO_TCP_DATA);
    n = ipv4(f, 1, 8);
    scene_classify(f, n, &p, &fl);
    ck_assert_int_eq(p, PROTO_ICMP);
    scene_classify(f, 10, &p, &fl);
    ck_assert_int_eq(p, PROTO_OTHER);
}
END_TEST

START_TEST(buckets_count_what_each_lane_saw)
{
    uint8_t f[64];
    size_t n = eth(f, 0x0806);
    /* lane (0, 0): two delivered in the first tenth, a corrupted one and a loss
     * in the second; lane (0, 1): one cable-out drop; SENT is not drawn */
    scene_add_frame(sc, 10, 0, 0, FATE_SENT, f, n);
    scene_add_frame(sc, 10, 0, 0, FATE_DELIVERED, f, n);
    scene_add_frame(sc, 50, 0, 0, FATE_DELIVERED, f, n);
    scene_add_frame(sc, 120, 0, 0, FATE_CORRUPTED, f, n);
    scene_add_frame(sc, 150, 0, 0, FATE_LOST, f, n);
    scene_add_frame(sc, 160, 0, 1, FATE_DOWN, f, n);
    scene_add_frame(sc, 2000, 0, 0, FATE_DELIVERED, f, n);
    ck_assert_uint_eq(scene_nkept(sc), 6);
    ck_assert_uint_eq(sc->stats[0].fate[0][FATE_SENT], 1);
    ck_assert_uint_eq(sc->stats[0].fate[0][FATE_DELIVERED], 3);
    ck_assert_uint_eq(sc->stats[0].bytes[0], 4 * n);
    ck_assert_uint_eq(scene_frame_find(sc, 51), 2);
    scene_bucket_t b[10];
    scene_buckets(sc, 0, 0, 0, 1000, 10, b);
    ck_assert_uint_eq(b[0].frames, 2);
    ck_assert_uint_eq(b[0].bytes, 2 * n);
    ck_assert_int_eq(b[0].proto, PROTO_ARP);
    ck_assert_uint_eq(b[1].frames, 1);
    ck_assert_uint_eq(b[1].corrupted, 1);
    ck_assert_uint_eq(b[1].dropped, 1);
    for (int k = 2; k < 10; k++)
        ck_assert_uint_eq(b[k].frames + b[k].dropped + b[k].down, 0);
    scene_buckets(sc, 0, 1, 0, 1000, 10, b);
    ck_assert_uint_eq(b[1].down, 1);
    ck_assert_uint_eq(b[1].frames, 0);
    /* every lane in one pass gives the same */
    scene_bucket_t all[2 * 2 * 10];
    scene_add_frame(sc, 2100, 1, 1, FATE_DELIVERED, f, n);
    scene_buckets_all(sc, 2, 0, 1000, 10, all);
    ck_assert_uint_eq(all[0].frames, 2);
    ck_assert_uint_eq(all[1].dropped, 1);
    ck_assert_uint_eq(all[10 + 1].down, 1);
    scene_buckets_all(sc, 2, 2000, 3000, 10, all);
    ck_assert_uint_eq(all[0].frames, 1);
    ck_assert_uint_eq(all[30 + 1].frames, 1);
    ck_assert_uint_eq(all[30 + 1].proto, PROTO_ARP);
}
END_TEST

START_TEST(the_frame_ring_keeps_the_latest)
{
    uint8_t f[64];
    size_t n = eth(f, 0x0806);
    for (uint64_t k = 0; k < SCENE_FRAMES + 100; k++)
        scene_add_frame(sc, k, 1, 0, FATE_DELIVERED, f, n);
    ck_assert_uint_eq(scene_nkept(sc), SCENE_FRAMES);
    ck_assert_uint_eq(scene_frame_at(sc, 0)->t, 100);
    ck_assert_uint_eq(scene_frame_find(sc, 150), 50);
    ck_assert_uint_eq(sc->nlinks, 2);
}
END_TEST

/* ---- intervals and marks ---- */

START_TEST(intervals_open_and_close)
{
    scene_intervals_t *iv = &sc->link_down[0];
    scene_intervals_set(iv, 100, true);
    scene_intervals_set(iv, 150, true);   /* already down: nothing new */
    ck_assert_uint_eq(scene_intervals_count(iv), 1);
    ck_assert_uint_eq(scene_interval_at(iv, 0)->to, SIM_TIME_NEVER);
    scene_intervals_set(iv, 300, false);
    scene_intervals_set(iv, 400, false);
    ck_assert_uint_eq(scene_interval_at(iv, 0)->from, 100);
    ck_assert_uint_eq(scene_interval_at(iv, 0)->to, 300);
    scene_intervals_set(iv, 500, true);
    ck_assert_uint_eq(scene_intervals_count(iv), 2);
}
END_TEST

START_TEST(marks_stay_in_time_order)
{
    scene_mark(sc, 30, MARK_UPDATE, "b");
    scene_mark(sc, 10, MARK_INPUT, "a");
    scene_mark(sc, 40, MARK_END, "c");
    ck_assert_str_eq(scene_mark_at(sc, 0)->label, "a");
    ck_assert_str_eq(scene_mark_at(sc, 1)->label, "b");
    ck_assert_str_eq(scene_mark_at(sc, 2)->label, "c");
}
END_TEST

/* ---- script ---- */

START_TEST(script_parses_commands_in_time_order)
{
    script_t s;
    char err[256];
    const char *text = "# a test\n"
                       "at 1.5s click cable.0\n"
                       "at 1500ms press button.user   # held\n"
                       "at 2s type \"help\\r\\x41\"\n"
                       "at 2s speed max\n"
                       "at 2s move 12 34\n"
                       "\n"
                       "at 3s quit\n";
    ck_assert_int_eq(script_parse(&s, text, "t.txt", err, sizeof err), 0);
    ck_assert_uint_eq(s.n, 6);
    ck_assert_int_eq(s.cmds[4].op, SCR_MOVE);
    ck_assert_int_eq(s.cmds[4].x, 12);
    ck_assert_int_eq(s.cmds[4].y, 34);
    ck_assert_int_eq(s.cmds[0].op, SCR_CLICK);
    ck_assert_str_eq(s.cmds[0].arg, "cable.0");
    ck_assert_uint_eq(s.cmds[0].at, 1500000000);
    ck_assert_str_eq(s.cmds[1].arg, "button.user");
    ck_assert_uint_eq(s.cmds[2].arg_len, 6);
    ck_assert_mem_eq(s.cmds[2].arg, "help\rA", 6);
    ck_assert_int_eq(s.cmds[3].op, SCR_SPEED);
    ck_assert_int_eq(s.cmds[5].line, 8);
    ck_assert_ptr_null(script_due(&s, 1499999999));
    ck_assert_ptr_nonnull(script_due(&s, 1500000000));
    ck_assert_ptr_nonnull(script_due(&s, 1500000000));
    ck_assert_ptr_null(script_due(&s, 1500000000));
    ck_assert_uint_eq(script_next_time(&s), 2000000000);
    script_free(&s);
}
END_TEST

START_TEST(script_waits_for_text_and_follows_the_command_before)
{
    script_t s;
    char err[256];
    const char *text = "after \"state=downloading\" 20ms click cable.0\n"
                       "in 1s click cable.0\n"
                       "after \"link up\" quit\n";
    ck_assert_int_eq(script_parse(&s, text, "t.txt", err, sizeof err), 0);
    ck_assert_int_eq(s.cmds[0].when, WHEN_AFTER_TEXT);
    ck_assert_str_eq(s.cmds[0].text, "state=downloading");
    ck_assert_uint_eq(s.cmds[0].at, 20000000);
    ck_assert_uint_eq(script_next_time(&s), SIM_TIME_NEVER);
    /* the text split across two writes; due 20 ms after its last byte */
    script_output(&s, 100, (const uint8_t *)"update: state=down", 18);
    ck_assert_uint_eq(script_next_time(&s), SIM_TIME_NEVER);
    script_output(&s, 150, (const uint8_t *)"loading version=2\n", 18);
    ck_assert_uint_eq(script_next_time(&s), 150 + 20000000);
    ck_assert_ptr_null(script_due(&s, 20000149));
    ck_assert_ptr_nonnull(script_due(&s, 20000200));
    /* "in": after the command before ran */
    ck_assert_uint_eq(script_next_time(&s), 20000200 + 1000000000);
    ck_assert_ptr_nonnull(script_due(&s, 1020000200));
    /* output before that command ran does not count for the next one */
    ck_assert_uint_eq(script_next_time(&s), SIM_TIME_NEVER);
    script_output(&s, 1030000000, (const uint8_t *)"eth: link up\n", 13);
    ck_assert_uint_eq(script_next_time(&s), 1030000000);
    ck_assert_int_eq(script_due(&s, 1030000000)->op, SCR_QUIT);
    ck_assert_ptr_null(script_due(&s, SIM_TIME_NEVER - 1));
    script_free(&s);
}
END_TEST

START_TEST(script_errors_name_the_line)
{
    script_t s;
    char err[256];
    static const struct { const char *text, *want; } bad[] = {
        { "click cable.0\n", "t.txt:1: expected \"at TIME\"" },
        { "after boot 1s quit\n", "t.txt:1: expected \"at TIME\"" },
        { "after \"boot\" 1s\n", "t.txt:1: after \"TEXT\" needs a command" },
        { "after \"\" quit\n", "t.txt:1: after needs a quoted text" },
        { "at soon click x\n", "t.txt:1: 'soon' is not a time" },
        { "at 2s click x\nat 1s click y\n", "t.txt:2: 1s is earlier" },
        { "at 1s jump x\n", "t.txt:1: unknown command 'jump'" },
        { "at 1s click\n", "t.txt:1: click needs an argument" },
        { "at 1s quit now\n", "t.txt:1: quit takes no argument" },
        { "at 1s type \"abc\n", "t.txt:1: bad quoted text" },
        { "at 1s speed fast\n", "t.txt:1: speed is a factor" },
        { "at 1s move 10\n", "t.txt:1: move takes X Y" },
    };
    for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_int_eq(script_parse(&s, bad[k].text, "t.txt", err, sizeof err), -1);
        ck_assert_msg(strstr(err, bad[k].want), "%s: got '%s'", bad[k].text, err);
    }
}
END_TEST

int main(void)
{
    Suite *su = suite_create("ui-scene");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, console_splits_lines_and_keeps_their_times);
    tcase_add_test(tc, console_tabs_backspace_and_control_bytes);
    tcase_add_test(tc, console_long_lines_continue_and_ring_keeps_the_last);
    tcase_add_test(tc, update_lines_of_the_reference_agent);
    tcase_add_test(tc, boot_lines_mark_the_reset_cause);
    tcase_add_test(tc, frames_are_classified);
    tcase_add_test(tc, buckets_count_what_each_lane_saw);
    tcase_add_test(tc, the_frame_ring_keeps_the_latest);
    tcase_add_test(tc, intervals_open_and_close);
    tcase_add_test(tc, marks_stay_in_time_order);
    tcase_add_test(tc, script_parses_commands_in_time_order);
    tcase_add_test(tc, script_waits_for_text_and_follows_the_command_before);
    tcase_add_test(tc, script_errors_name_the_line);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
