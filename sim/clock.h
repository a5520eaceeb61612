/*
 * Clock signals. A clock source model (RCC) owns sim_clock_t outputs (SYSCLK,
 * HCLK, PCLK1 ...); consumers (the CPU, peripherals) read clock_hz() when they
 * compute a time and subscribe to changes to re-time what they have scheduled.
 * A clock of 0 Hz is stopped. Listener order is subscription order.
 */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include "types.h"

#define CLOCK_MAX_LISTENERS 32

typedef void (*clock_listener_fn)(void *opaque, uint64_t old_hz, uint64_t new_hz);

typedef struct sim_clock {
    const char *name;
    uint64_t hz;
    struct { clock_listener_fn fn; void *opaque; } listeners[CLOCK_MAX_LISTENERS];
    unsigned nlisteners;
} sim_clock_t;

void clock_init(sim_clock_t *c, const char *name, uint64_t hz);
bool clock_listen(sim_clock_t *c, clock_listener_fn fn, void *opaque);
void clock_set_hz(sim_clock_t *c, uint64_t hz);
static inline uint64_t clock_hz(const sim_clock_t *c) { return c->hz; }
/* Time for 'n' cycles of a clock, rounded up to whole ns (0 Hz: SIM_TIME_NEVER). */
sim_time_t clock_cycles_to_ns(const sim_clock_t *c, uint64_t n);

#endif
