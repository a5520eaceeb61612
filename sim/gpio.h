/*
 * GPIO nets: electrical nodes that pins drive and listeners watch.
 *
 * A net has any number of drivers (each is a gpio_pin_t: push-pull high/low,
 * open-drain low, or released) and an optional pull (up/down/none). The level
 * is resolved deterministically: any driver pulling low and any driver pushing
 * high at once is a conflict (logged once, resolves low); otherwise a driven
 * level wins, else the pull, else the last level (floating keeps its charge).
 * Listeners are called with the new level on every change, in the order they
 * were added. Listener callbacks may drive other nets (an inverter) but must
 * not drive the net that called them.
 *
 * Typical wiring: the STM32 GPIO model owns one gpio_pin_t per pin and attaches
 * it to a net; the ENC28J60 listens to the CS net and drives the INT net; the
 * UI listens to LED nets.
 */
#ifndef SIM_GPIO_H
#define SIM_GPIO_H

#include "types.h"

typedef void (*gpio_listener_fn)(void *opaque, int n, bool level);

enum gpio_drive {
    GPIO_RELEASED = 0, /* input / high-Z */
    GPIO_DRIVE_LOW,
    GPIO_DRIVE_HIGH,
    /* A fault injector's drive (a glitch coupled onto the line, a button
     * shorting it): wins over every ordinary driver without a conflict. */
    GPIO_FORCE_LOW,
    GPIO_FORCE_HIGH,
};
enum gpio_pull { GPIO_PULL_NONE = 0, GPIO_PULL_UP, GPIO_PULL_DOWN };

#define GPIO_NET_MAX_DRIVERS 8
#define GPIO_NET_MAX_LISTENERS 8

struct gpio_net;

typedef struct gpio_pin {
    const char *name;
    struct gpio_net *net;  /* NULL: unconnected, drive has no effect */
    enum gpio_drive drive;
} gpio_pin_t;

typedef struct gpio_listener {
    gpio_listener_fn fn;
    void *opaque;
    int n;
} gpio_listener_t;

typedef struct gpio_net {
    const char *name;
    bool level;
    enum gpio_pull pull;        /* board-level pull resistor */
    gpio_pin_t *drivers[GPIO_NET_MAX_DRIVERS];
    unsigned ndrivers;
    gpio_listener_t listeners[GPIO_NET_MAX_LISTENERS];
    unsigned nlisteners;
    uint64_t edges;             /* count of level changes, for tests and the UI */
} gpio_net_t;

void gpio_net_init(gpio_net_t *net, const char *name, enum gpio_pull pull);
void gpio_pin_init(gpio_pin_t *pin, const char *name);
/* Attach a pin as a driver of the net; returns false if the net is full. */
bool gpio_net_attach(gpio_net_t *net, gpio_pin_t *pin);
bool gpio_net_listen(gpio_net_t *net, gpio_listener_fn fn, void *opaque, int n);
void gpio_net_set_pull(gpio_net_t *net, enum gpio_pull pull);
void gpio_pin_drive(gpio_pin_t *pin, enum gpio_drive drive);
static inline void gpio_pin_set(gpio_pin_t *pin, bool high)
{
    gpio_pin_drive(pin, high ? GPIO_DRIVE_HIGH : GPIO_DRIVE_LOW);
}
/* Level seen on the pin's net (the pin's own drive if unconnected). */
bool gpio_pin_level(const gpio_pin_t *pin);
static inline bool gpio_net_level(const gpio_net_t *net) { return net->level; }
/* Re-evaluate the level (after a pull change, for instance). */
void gpio_net_update(gpio_net_t *net);

#endif
