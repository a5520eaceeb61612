/*
 * Controls and probes: how scenarios, the GDB monitor and the UI reach into a
 * model without knowing it.
 *
 * A control is a named setting of a model instance that may change while the
 * machine runs: "eth.erratum.rxrdpt_even" (true/false), "mcu.hse_ppm" (a
 * number), "eth.revision" ("B7"). The model registers it with
 * machine_add_control() while it is created. The setter receives a JSON
 * value, checks it and applies it at the current virtual time; for a bad
 * value it returns -1 and writes the reason to err (the caller adds the file
 * and field). A setter may also be called before the first instruction runs.
 *
 * A probe is a named moment in a model: "mcu.flash.op" (a flash program or
 * erase operation starts), "eth.rx_overflow". The model calls probe_hit() at
 * that moment, from whatever code notices it. Whoever watches the probe (the
 * scenario runner, a test) is called synchronously, with the model in the
 * state of that moment, and may act on it: cut the power, stop the run. It
 * must not re-enter the model that hit the probe, only schedule or request.
 * Hit counts are part of the report.
 */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include <cjson/cJSON.h>
#include "types.h"

typedef int (*control_set_fn)(void *dev, const char *name, const cJSON *value, char *err,
                              size_t errlen);

typedef struct sim_probe sim_probe_t;
typedef void (*probe_watch_fn)(void *opaque, sim_probe_t *p);

struct sim_probe {
    const char *name;          /* full name, "mcu.flash.op"; set at registration */
    uint64_t hits;
    probe_watch_fn watch;      /* NULL: nobody watches */
    void *watch_opaque;
};

static inline void probe_hit(sim_probe_t *p)
{
    p->hits++;
    if (p->watch)
        p->watch(p->watch_opaque, p);
}

#endif
