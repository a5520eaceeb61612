/* Scheduler: ordering, re-arming, cancellation, time advance. */
#include <check.h>
#include <stdlib.h>
#include "sim/sched.h"

static sched_t s;
static char trace[64];
static unsigned ntrace;

typedef struct { sched_event_t ev; char tag; sched_event_t *rearm; sim_time_t rearm_at; } tev_t;

static void fire(void *opaque)
{
    tev_t *t = opaque;
    if (ntrace < sizeof trace - 1)
        trace[ntrace++] = t->tag;
    if (t->rearm)
        sched_at(&s, t->rearm, t->rearm_at);
}

static void setup(void)
{
    sched_init(&s);
    ntrace = 0;
    trace[0] = 0;
}

static void teardown(void) { sched_free(&s); }

START_TEST(equal_times_run_in_arming_order)
{
    tev_t e[5];
    const char tags[] = "abcde";
    for (int i = 0; i < 5; i++) {
        e[i] = (tev_t){ .tag = tags[i] };
        sched_event_init(&e[i].ev, "t", fire, &e[i]);
    }
    /* arm out of address order, same time */
    sched_at(&s, &e[3].ev, 100);
    sched_at(&s, &e[0].ev, 100);
    sched_at(&s, &e[4].ev, 50);
    sched_at(&s, &e[1].ev, 100);
    sched_at(&s, &e[2].ev, 100);
    sched_run_until(&s, 1000);
    trace[ntrace] = 0;
    ck_assert_str_eq(trace, "edabc");
    ck_assert_uint_eq(sched_now(&s), 1000);
}
END_TEST

START_TEST(rearm_moves_and_cancel_removes)
{
    tev_t a = { .tag = 'a' }, b = { .tag = 'b' };
    sched_event_init(&a.ev, "a", fire, &a);
    sched_event_init(&b.ev, "b", fire, &b);
    sched_at(&s, &a.ev, 10);
    sched_at(&s, &b.ev, 20);
    sched_at(&s, &a.ev, 30); /* move a after b */
    ck_assert(sched_is_armed(&a.ev));
    ck_assert_uint_eq(sched_next_deadline(&s), 20);
    sched_cancel(&s, &b.ev);
    ck_assert(!sched_is_armed(&b.ev));
    sched_cancel(&s, &b.ev); /* no-op */
    sched_run_until(&s, 25);
    ck_assert_uint_eq(ntrace, 0);
    sched_run_until(&s, 30);
    ck_assert_uint_eq(ntrace, 1);
    ck_assert_int_eq(trace[0], 'a');
    ck_assert_uint_eq(sched_next_deadline(&s), SIM_TIME_NEVER);
}
END_TEST

START_TEST(callback_sees_its_time_and_can_rearm)
{
    tev_t a = { .tag = 'a' }, b = { .tag = 'b' };
    sched_event_init(&a.ev, "a", fire, &a);
    sched_event_init(&b.ev, "b", fire, &b);
    a.rearm = &b.ev;
    a.rearm_at = 15; /* b armed from a's callback, still inside the window */
    sched_at(&s, &a.ev, 10);
    sched_run_until(&s, 20);
    trace[ntrace] = 0;
    ck_assert_str_eq(trace, "ab");
}
END_TEST

START_TEST(past_times_clamp_to_now)
{
    tev_t a = { .tag = 'a' };
    sched_event_init(&a.ev, "a", fire, &a);
    sched_run_until(&s, 500);
    sched_at(&s, &a.ev, 100);
    ck_assert_uint_eq(sched_when(&a.ev), 500);
    ck_assert_uint_eq(sched_run_due(&s), 1);
}
END_TEST

START_TEST(many_events_stay_ordered)
{
    enum { N = 2000 };
    tev_t *e = calloc(N, sizeof *e);
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        sched_event_init(&e[i].ev, "x", fire, &e[i]);
        x = x * 1103515245u + 12345u;
        sched_at(&s, &e[i].ev, (x >> 8) % 1000);
    }
    sim_time_t last = 0;
    while (sched_next_deadline(&s) != SIM_TIME_NEVER) {
        sim_time_t t = sched_next_deadline(&s);
        ck_assert_uint_ge(t, last);
        last = t;
        sched_run_until(&s, t);
    }
    free(e);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sched");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, equal_times_run_in_arming_order);
    tcase_add_test(tc, rearm_moves_and_cancel_removes);
    tcase_add_test(tc, callback_sees_its_time_and_can_rearm);
    tcase_add_test(tc, past_times_clamp_to_now);
    tcase_add_test(tc, many_events_stay_ordered);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
