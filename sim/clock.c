/* Clock signals: see clock.h. */
#include <string.h>
#include "clock.h"

void clock_init(sim_clock_t *c, const char *name, uint64_t hz)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->hz = hz;
}

bool clock_listen(sim_clock_t *c, clock_listener_fn fn, void *opaque)
{
    if (c->nlisteners >= CLOCK_MAX_LISTENERS)
        return false;
    c->listeners[c->nlisteners].fn = fn;
    c->listeners[c->nlisteners].opaque = opaque;
    c->nlisteners++;
    return true;
}

void clock_set_hz(sim_clock_t *c, uint64_t hz)
{
    uint64_t old = c->hz;
    if (old == hz)
        return;
    c->hz = hz;
    for (unsigned i = 0; i < c->nlisteners; i++)
        c->listeners[i].fn(c->listeners[i].opaque, old, hz);
}

sim_time_t clock_cycles_to_ns(const sim_clock_t *c, uint64_t n)
{
    if (!c->hz)
        return SIM_TIME_NEVER;
    unsigned __int128 ns = (unsigned __int128)n * 1000000000u + c->hz - 1;
    ns /= c->hz;
    return ns > SIM_TIME_NEVER ? SIM_TIME_NEVER : (sim_time_t)ns;
}
