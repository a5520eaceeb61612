/*
 * LED model: a listener on a GPIO net (endpoint "in"). Settings: "color"
 * (free text for the UI, e.g. "green"), "active_low" (default false: lit
 * while the net is high, as the STM32F4-Discovery's LD3-LD6 on PD12-PD15).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "led.h"

static void level_changed(void *opaque, int n, bool level)
{
    led_t *l = opaque;
    (void)n;
    bool on = level != l->active_low;
    if (on == l->on)
        return;
    sim_time_t now = sched_now(l->sched);
    if (l->on)
        l->on_ns += now - l->last_change;
    l->last_change = now;
    l->on = on;
    l->changes++;
    probe_hit(&l->probe);
}

bool led_is_on(const led_t *l)
{
    return l->on;
}

const char *led_color(const led_t *l)
{
    return l->color;
}

uint64_t led_changes(const led_t *l)
{
    return l->changes;
}

sim_time_t led_on_time(const led_t *l)
{
    return l->on_ns + (l->on ? sched_now(l->sched) - l->last_change : 0);
}

static void *led_create(machine_t *m, const char *name, const cJSON *cfg)
{
    const cJSON *it;
    const char *color = "";
    bool active_low = false;
    cJSON_ArrayForEach(it, cfg) {
        if (!strcmp(it->string, "name") || !strcmp(it->string, "type"))
            continue;
        if (!strcmp(it->string, "color") && cJSON_IsString(it) && strlen(it->valuestring) < 16) {
            color = it->valuestring;
        } else if (!strcmp(it->string, "active_low") && cJSON_IsBool(it)) {
            active_low = cJSON_IsTrue(it);
        } else if (!strcmp(it->string, "color") || !strcmp(it->string, "active_low")) {
            machine_error(m, "%s: %s", it->string, !strcmp(it->string, "color")
                          ? "must be a string of at most 15 characters" : "must be true or false");
            return NULL;
        } else {
            machine_error(m, "unknown field \"%s\" (led takes color, active_low)", it->string);
            return NULL;
        }
    }
    led_t *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    snprintf(l->name, sizeof l->name, "%s", name);
    snprintf(l->color, sizeof l->color, "%s", color);
    l->active_low = active_low;
    l->sched = &m->sched;
    if (machine_add_gpio(m, name, "in", NULL, level_changed, l, 0) ||
        machine_add_probe(m, name, "changed", "the LED turns on or off", &l->probe)) {
        free(l);
        return NULL;
    }
    return l;
}

static void led_destroy(void *inst)
{
    free(inst);
}

const model_class_t led_class = {
    .type = "led",
    .summary = "LED on a GPIO net (endpoint in); settings color, active_low",
    .create = led_create,
    .destroy = led_destroy,
};
