/*
 * Event scheduler in virtual nanoseconds.
 *
 * Contract:
 * - Events live inside model state (no allocation here). A model initialises
 *   each event once with sched_event_init() and arms it as often as it likes.
 * - Arming an armed event moves it. Cancelling an unarmed event is a no-op.
 * - Events due at the same time run in the order they were armed (a global
 *   sequence number), never in pointer order: this is what makes a run a pure
 *   function of its inputs.
 * - A callback runs with sched_now() == the event's time and may arm, cancel
 *   or re-arm any event, including itself.
 * - The CPU is not an event: it runs in slices up to sched_next_deadline()
 *   and the machine loop calls sched_run_due() between slices.
 */
#ifndef SIM_SCHED_H
#define SIM_SCHED_H

#include "types.h"

typedef struct sched sched_t;
typedef void (*sched_fn)(void *opaque);

typedef struct sched_event {
    const char *name;  /* "tim2.update": for traces */
    sched_fn fn;
    void *opaque;
    /* private */
    sim_time_t when;
    uint64_t seq;
    int32_t heap_index; /* -1 when not armed */
} sched_event_t;

struct sched {
    sim_time_t now;
    uint64_t seq;
    sched_event_t **heap;
    uint32_t count, cap;
    uint64_t dispatched; /* events run so far */
};

void sched_init(sched_t *s);
void sched_free(sched_t *s);
void sched_event_init(sched_event_t *ev, const char *name, sched_fn fn, void *opaque);
void sched_at(sched_t *s, sched_event_t *ev, sim_time_t when);   /* absolute; clamps to now */
void sched_after(sched_t *s, sched_event_t *ev, sim_time_t delay);
void sched_cancel(sched_t *s, sched_event_t *ev);
static inline bool sched_is_armed(const sched_event_t *ev) { return ev->heap_index >= 0; }
static inline sim_time_t sched_when(const sched_event_t *ev) { return ev->when; }
static inline sim_time_t sched_now(const sched_t *s) { return s->now; }
/* Time of the earliest armed event, SIM_TIME_NEVER if none. */
sim_time_t sched_next_deadline(const sched_t *s);
/* Advance the clock to 't' (must be >= now and <= next deadline). */
void sched_advance(sched_t *s, sim_time_t t);
/* Run every event due at or before 'now'; returns the number run. */
unsigned sched_run_due(sched_t *s);
/* Advance to 't', running every event due on the way (in order). For tests and
 * for front ends that run without a CPU. */
void sched_run_until(sched_t *s, sim_time_t t);

#endif
