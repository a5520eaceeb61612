/* GPIO nets: see gpio.h for the resolution rules. */
#include <string.h>
#include "gpio.h"
#include "log.h"

void gpio_net_init(gpio_net_t *net, const char *name, enum gpio_pull pull)
{
    memset(net, 0, sizeof *net);
    net->name = name;
    net->pull = pull;
    net->level = pull == GPIO_PULL_UP;
}

void gpio_pin_init(gpio_pin_t *pin, const char *name)
{
    pin->name = name;
    pin->net = NULL;
    pin->drive = GPIO_RELEASED;
}

static bool net_resolve(gpio_net_t *net)
{
    bool low = false, high = false, force_low = false, force_high = false;
    for (unsigned i = 0; i < net->ndrivers; i++) {
        switch (net->drivers[i]->drive) {
        case GPIO_DRIVE_LOW: low = true; break;
        case GPIO_DRIVE_HIGH: high = true; break;
        case GPIO_FORCE_LOW: force_low = true; break;
        case GPIO_FORCE_HIGH: force_high = true; break;
        default: break;
        }
    }
    if (force_low || force_high)
        return !force_low;
    if (low && high) {
        log_once(LOG_GUEST_ERROR, "gpio", (uint64_t)(uintptr_t)net->name,
                 "net %s driven high and low at once (resolves low)", net->name);
        return false;
    }
    if (low)
        return false;
    if (high)
        return true;
    if (net->pull == GPIO_PULL_UP)
        return true;
    if (net->pull == GPIO_PULL_DOWN)
        return false;
    return net->level;
}

void gpio_net_update(gpio_net_t *net)
{
    bool level = net_resolve(net);
    if (level == net->level)
        return;
    net->level = level;
    net->edges++;
    for (unsigned i = 0; i < net->nlisteners; i++) {
        gpio_listener_t *l = &net->listeners[i];
        l->fn(l->opaque, l->n, level);
    }
}

bool gpio_net_attach(gpio_net_t *net, gpio_pin_t *pin)
{
    if (net->ndrivers >= GPIO_NET_MAX_DRIVERS)
        return false;
    net->drivers[net->ndrivers++] = pin;
    pin->net = net;
    gpio_net_update(net);
    return true;
}

bool gpio_net_listen(gpio_net_t *net, gpio_listener_fn fn, void *opaque, int n)
{
    if (net->nlisteners >= GPIO_NET_MAX_LISTENERS)
        return false;
    net->listeners[net->nlisteners++] = (gpio_listener_t){ fn, opaque, n };
    return true;
}

void gpio_net_set_pull(gpio_net_t *net, enum gpio_pull pull)
{
    net->pull = pull;
    gpio_net_update(net);
}

void gpio_pin_drive(gpio_pin_t *pin, enum gpio_drive drive)
{
    if (pin->drive == drive)
        return;
    pin->drive = drive;
    if (pin->net)
        gpio_net_update(pin->net);
}

bool gpio_pin_level(const gpio_pin_t *pin)
{
    if (pin->net)
        return pin->net->level;
    return pin->drive == GPIO_DRIVE_HIGH || pin->drive == GPIO_FORCE_HIGH;
}
