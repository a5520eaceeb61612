/*
 * A light-emitting diode on a GPIO net: on while the net is at its active
 * level. Board model type "led". The UI and tests read its state through the
 * accessors below; scenarios count its changes on the probe
 * "<name>.changed".
 */
#ifndef MODELS_BOARD_LED_H
#define MODELS_BOARD_LED_H

#include "sim/machine.h"

typedef struct led {
    char name[32];
    char color[16];
    bool active_low;
    bool on;
    sched_t *sched;
    sim_time_t last_change, on_ns; /* on_ns: time spent on before last_change */
    uint64_t changes;
    sim_probe_t probe;
} led_t;

bool led_is_on(const led_t *l);
const char *led_color(const led_t *l);
uint64_t led_changes(const led_t *l);
/* Total time lit up to now, in virtual ns. */
sim_time_t led_on_time(const led_t *l);

extern const model_class_t led_class;

#endif
