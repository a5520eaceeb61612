/*
 * A push button that connects a GPIO net to a supply rail while pressed
 * (to VDD by default, to ground with "active_low"). Board model type
 * "button". Scenarios and the UI press it through the control
 * "<name>.pressed"; its state reads through the accessors below.
 */
#ifndef MODELS_BOARD_BUTTON_H
#define MODELS_BOARD_BUTTON_H

#include "sim/machine.h"

typedef struct button {
    char name[32];
    bool active_low;
    bool pressed;              /* what the user does */
    sim_time_t bounce_ns;      /* contact bounce after each change */
    sched_t *sched;
    rng_t rng;                 /* bounce pattern */
    gpio_pin_t out;
    unsigned bounces_left;
    sched_event_t bounce_ev, release_ev;
    uint64_t presses;
} button_t;

bool button_is_pressed(const button_t *b);
uint64_t button_presses(const button_t *b);
/* Press or release (what the control and the UI call). */
void button_set(button_t *b, bool pressed);

extern const model_class_t button_class;

#endif
