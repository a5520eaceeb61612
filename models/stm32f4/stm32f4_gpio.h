/*
 * STM32F4 general-purpose I/O port (RM0090 section 8): 16 pins, each a GPIO
 * pin on a board net.
 */
#ifndef MODELS_STM32F4_GPIO_H
#define MODELS_STM32F4_GPIO_H

#include "stm32f4_periph.h"

enum { GPIO_MODER, GPIO_OTYPER, GPIO_OSPEEDR, GPIO_PUPDR, GPIO_IDR, GPIO_ODR, GPIO_BSRR,
       GPIO_LCKR, GPIO_AFRL, GPIO_AFRH, GPIO_NREGS };

/* Level change of an input (for EXTI through SYSCFG): port index, pin, level. */
typedef void (*stm32f4_gpio_edge_fn)(void *opaque, unsigned port, unsigned pin, bool level);

typedef struct stm32f4_gpio {
    regs_t regs;
    uint32_t r[GPIO_NREGS];
    char port;                 /* 'A'..'I' */
    char tag[8];               /* "gpioa": log tag */
    char pin_names[16][8];
    gpio_pin_t pins[16];
    uint16_t ext_level;        /* level of each pin's net as last seen */
    uint16_t lock_mask;
    uint16_t wakeup_pins;      /* forced inputs with pull-down (PWR wake-up function) */
    bool locked;
    unsigned lock_step;
    stm32f4_gpio_edge_fn edge;
    void *edge_opaque;
} stm32f4_gpio_t;

void stm32f4_gpio_init(stm32f4_gpio_t *s, const stm32f4_ctx_t *ctx, char port);
void stm32f4_gpio_reset(stm32f4_gpio_t *s);
/* The pin becomes a wake-up input (input with pull-down, outputs released)
 * or goes back to its registers' configuration; kept across resets. */
void stm32f4_gpio_set_wakeup_pin(stm32f4_gpio_t *s, unsigned pin, bool on);
/* Current input level of a pin (what IDR shows). */
bool stm32f4_gpio_level(const stm32f4_gpio_t *s, unsigned pin);
extern const bus_ops_t stm32f4_gpio_ops;

#endif
