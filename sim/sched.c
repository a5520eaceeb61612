/* Event scheduler: a binary min-heap ordered by (when, seq). See sched.h. */
#include <stdlib.h>
#include <string.h>
#include "sched.h"
#include "log.h"

void sched_init(sched_t *s)
{
    memset(s, 0, sizeof *s);
}

/* Events live in their owners' state, which may already be gone: only the
 * heap itself is released. */
void sched_free(sched_t *s)
{
    free(s->heap);
    s->heap = NULL;
    s->count = s->cap = 0;
}

void sched_event_init(sched_event_t *ev, const char *name, sched_fn fn, void *opaque)
{
    ev->name = name;
    ev->fn = fn;
    ev->opaque = opaque;
    ev->when = 0;
    ev->seq = 0;
    ev->heap_index = -1;
}

static inline bool ev_before(const sched_event_t *a, const sched_event_t *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_place(sched_t *s, uint32_t i, sched_event_t *ev)
{
    s->heap[i] = ev;
    ev->heap_index = (int32_t)i;
}

static void sift_up(sched_t *s, uint32_t i)
{
    sched_event_t *ev = s->heap[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!ev_before(ev, s->heap[parent]))
            break;
        heap_place(s, i, s->heap[parent]);
        i = parent;
    }
    heap_place(s, i, ev);
}

static void sift_down(sched_t *s, uint32_t i)
{
    sched_event_t *ev = s->heap[i];
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        const sched_event_t *best = ev;
        if (l < s->count && ev_before(s->heap[l], best)) {
            m = l;
            best = s->heap[l];
        }
        if (r < s->count && ev_before(s->heap[r], best))
            m = r;
        if (m == i)
            break;
        heap_place(s, i, s->heap[m]);
        i = m;
    }
    heap_place(s, i, ev);
}

static void heap_remove(sched_t *s, sched_event_t *ev)
{
    uint32_t i = (uint32_t)ev->heap_index;
    ev->heap_index = -1;
    s->count--;
    if (i == s->count)
        return;
    sched_event_t *last = s->heap[s->count];
    heap_place(s, i, last);
    if (i > 0 && ev_before(last, s->heap[(i - 1) / 2]))
        sift_up(s, i);
    else
        sift_down(s, i);
}

void sched_at(sched_t *s, sched_event_t *ev, sim_time_t when)
{
    if (when < s->now)
        when = s->now;
    if (ev->heap_index >= 0)
        heap_remove(s, ev);
    ev->when = when;
    ev->seq = s->seq++;
    if (s->count == s->cap) {
        uint32_t ncap = s->cap ? s->cap * 2 : 64;
        sched_event_t **nh = realloc(s->heap, ncap * sizeof *nh);
        if (!nh) {
            log_msg(LOG_ERROR, "sched", "out of memory");
            abort();
        }
        s->heap = nh;
        s->cap = ncap;
    }
    heap_place(s, s->count, ev);
    s->count++;
    sift_up(s, s->count - 1);
}

void sched_after(sched_t *s, sched_event_t *ev, sim_time_t delay)
{
    sim_time_t when = s->now + delay;
    if (when < s->now) /* saturate */
        when = SIM_TIME_NEVER - 1;
    sched_at(s, ev, when);
}

void sched_cancel(sched_t *s, sched_event_t *ev)
{
    if (ev->heap_index >= 0)
        heap_remove(s, ev);
}

sim_time_t sched_next_deadline(const sched_t *s)
{
    return s->count ? s->heap[0]->when : SIM_TIME_NEVER;
}

void sched_advance(sched_t *s, sim_time_t t)
{
    if (t > s->now)
        s->now = t;
}

unsigned sched_run_due(sched_t *s)
{
    unsigned n = 0;
    while (s->count && s->heap[0]->when <= s->now) {
        sched_event_t *ev = s->heap[0];
        heap_remove(s, ev);
        s->dispatched++;
        n++;
        ev->fn(ev->opaque);
    }
    return n;
}

void sched_run_until(sched_t *s, sim_time_t t)
{
    while (s->count && s->heap[0]->when <= t) {
        sched_event_t *ev = s->heap[0];
        if (ev->when > s->now)
            s->now = ev->when;
        heap_remove(s, ev);
        s->dispatched++;
        ev->fn(ev->opaque);
    }
    if (t > s->now)
        s->now = t;
}
