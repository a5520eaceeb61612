/*
 * Push-button model: drives its pin (endpoint "out") to the active level
 * while pressed and releases it otherwise, so the board's pull resistor
 * sets the idle level. Settings: "active_low" (default false: pressing
 * pulls the net high, like the STM32F4-Discovery's user button B1 on PA0;
 * true for a reset button on NRST), "bounce_ms" (default 0: after each
 * press or release the contact chatters for up to that long, 2-5 changes
 * at times drawn from the button's seeded RNG stream).
 * Control "<name>.pressed": true, false, or a number of milliseconds to hold
 * it down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "button.h"

static void drive(button_t *b, bool closed)
{
    gpio_pin_drive(&b->out, !closed ? GPIO_RELEASED : b->active_low ? GPIO_DRIVE_LOW : GPIO_DRIVE_HIGH);
}

static void bounce(void *opaque)
{
    button_t *b = opaque;
    if (!b->bounces_left) {
        drive(b, b->pressed); /* settled */
        return;
    }
    b->bounces_left--;
    drive(b, b->bounces_left % 2 ? !b->pressed : b->pressed);
    sched_after(b->sched, &b->bounce_ev, 1 + rng_below(&b->rng, b->bounce_ns / 4 + 1));
}

void button_set(button_t *b, bool pressed)
{
    if (pressed == b->pressed)
        return;
    b->pressed = pressed;
    if (pressed)
        b->presses++;
    drive(b, pressed);
    if (b->bounce_ns) {
        b->bounces_left = 2 + (unsigned)rng_below(&b->rng, 4) * 2;
        sched_after(b->sched, &b->bounce_ev, 1 + rng_below(&b->rng, b->bounce_ns / 4 + 1));
    }
}

bool button_is_pressed(const button_t *b)
{
    return b->pressed;
}

uint64_t button_presses(const button_t *b)
{
    return b->presses;
}

static void auto_release(void *opaque)
{
    button_set(opaque, false);
}

static int set_pressed(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    button_t *b = dev;
    (void)name;
    if (cJSON_IsBool(value)) {
        sched_cancel(b->sched, &b->release_ev);
        button_set(b, cJSON_IsTrue(value));
        return 0;
    }
    if (cJSON_IsNumber(value) && value->valuedouble > 0 && value->valuedouble <= 1e7) {
        button_set(b, true);
        sched_after(b->sched, &b->release_ev, (sim_time_t)(value->valuedouble * 1e6));
        return 0;
    }
    snprintf(err, errlen, "expected true (press), false (release) or a press length in ms");
    return -1;
}

static void *button_create(machine_t *m, const char *name, const cJSON *cfg)
{
    const cJSON *it;
    bool active_low = false;
    double bounce_ms = 0;
    cJSON_ArrayForEach(it, cfg) {
        if (!strcmp(it->string, "name") || !strcmp(it->string, "type"))
            continue;
        if (!strcmp(it->string, "active_low")) {
            if (!cJSON_IsBool(it)) {
                machine_error(m, "active_low must be true or false");
                return NULL;
            }
            active_low = cJSON_IsTrue(it);
        } else if (!strcmp(it->string, "bounce_ms")) {
            if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 1000) {
                machine_error(m, "bounce_ms must be a number of milliseconds from 0 to 1000");
                return NULL;
            }
            bounce_ms = it->valuedouble;
        } else {
            machine_error(m, "unknown field \"%s\" (button takes active_low, bounce_ms)", it->string);
            return NULL;
        }
    }
    button_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    snprintf(b->name, sizeof b->name, "%s", name);
    b->active_low = active_low;
    b->bounce_ns = (sim_time_t)(bounce_ms * 1e6);
    b->sched = &m->sched;
    machine_rng(m, b->name, &b->rng);
    gpio_pin_init(&b->out, b->name);
    sched_event_init(&b->bounce_ev, "button.bounce", bounce, b);
    sched_event_init(&b->release_ev, "button.release", auto_release, b);
    if (machine_add_gpio(m, name, "out", &b->out, NULL, NULL, 0) ||
        machine_add_control(m, name, "pressed", "true presses the button, false releases it, a "
                            "number holds it that many ms", set_pressed, b)) {
        free(b);
        return NULL;
    }
    return b;
}

static void button_destroy(void *inst)
{
    button_t *b = inst;
    sched_cancel(b->sched, &b->bounce_ev);
    sched_cancel(b->sched, &b->release_ev);
    free(b);
}

const model_class_t button_class = {
    .type = "button",
    .summary = "push button driving a GPIO net while pressed (endpoint out); settings active_low, "
               "bounce_ms; control pressed",
    .create = button_create,
    .destroy = button_destroy,
};
