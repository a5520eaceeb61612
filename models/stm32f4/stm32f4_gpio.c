/*
 * STM32F4 GPIO port (RM0090 section 8.4; reset values from the fact sheet,
 * section 2.4, checked against the SVD).
 *
 * Modelled: MODER/OTYPER/OSPEEDR/PUPDR/ODR/BSRR/LCKR/AFR with each port's
 * reset values; output pins drive their net (push-pull high/low, open-drain
 * low or released), input pins read the net, with the pin's pull when the
 * net floats; IDR; the LCKR key sequence freezing configuration until reset;
 * level changes reported for EXTI; a pin the container makes a wake-up
 * input (PA0 while PWR_CSR.EWUP is set) is an input with pull-down whatever
 * its registers say (RM0090 5.4.2).
 * The internal pull-up/down sets the level the pin reads when nothing on its
 * net drives it and the board fits no pull resistor there (other devices on
 * that net see the net's own level).
 * Not modelled: alternate-function signals are not routed through the pins
 * (peripherals reach the board through their own endpoints: SPI buses,
 * UARTs); analog mode reads 0; output speed has no effect.
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_gpio.h"
#include "sim/log.h"

REG32(MODER, 0x00)
REG32(OTYPER, 0x04)
REG32(OSPEEDR, 0x08)
REG32(PUPDR, 0x0C)
REG32(IDR, 0x10)
REG32(ODR, 0x14)
REG32(BSRR, 0x18)
REG32(LCKR, 0x1C)
REG32(AFRL, 0x20)
REG32(AFRH, 0x24)

static void cfg_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void bsrr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void lckr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static uint32_t idr_read(void *dev, unsigned idx, uint32_t v);

#define GPIO_REGS(moder, ospeedr, pupdr)                                                        \
    {                                                                                           \
        [GPIO_MODER] = { "MODER", A_MODER, moder, 0xFFFFFFFF, .post_write = cfg_written },       \
        [GPIO_OTYPER] = { "OTYPER", A_OTYPER, 0, 0xFFFF, .post_write = cfg_written },            \
        [GPIO_OSPEEDR] = { "OSPEEDR", A_OSPEEDR, ospeedr, 0xFFFFFFFF, .post_write = cfg_written }, \
        [GPIO_PUPDR] = { "PUPDR", A_PUPDR, pupdr, 0xFFFFFFFF, .post_write = cfg_written },       \
        [GPIO_IDR] = { "IDR", A_IDR, 0, 0, .pre_read = idr_read },                               \
        [GPIO_ODR] = { "ODR", A_ODR, 0, 0xFFFF, .post_write = cfg_written },                     \
        [GPIO_BSRR] = { "BSRR", A_BSRR, 0, 0xFFFFFFFF, .wo_mask = 0xFFFFFFFF,                   \
                        .post_write = bsrr_written },                                           \
        [GPIO_LCKR] = { "LCKR", A_LCKR, 0, 0x1FFFF, .post_write = lckr_written },                \
        [GPIO_AFRL] = { "AFRL", A_AFRL, 0, 0xFFFFFFFF, .post_write = cfg_written },              \
        [GPIO_AFRH] = { "AFRH", A_AFRH, 0, 0xFFFFFFFF, .post_write = cfg_written },              \
    }

static const reg_desc_t gpio_regs_a[GPIO_NREGS] = GPIO_REGS(0xA8000000, 0x00000000, 0x64000000);
static const reg_desc_t gpio_regs_b[GPIO_NREGS] = GPIO_REGS(0x00000280, 0x000000C0, 0x00000100);
static const reg_desc_t gpio_regs_other[GPIO_NREGS] = GPIO_REGS(0, 0, 0);

static unsigned mode(const stm32f4_gpio_t *s, unsigned pin)
{
    if ((s->wakeup_pins >> pin) & 1)
        return 0;
    return (s->r[GPIO_MODER] >> (2 * pin)) & 3;
}

/* Nobody on the net drives it and the board has no pull resistor there. */
static bool net_floats(const gpio_net_t *net)
{
    if (net->pull != GPIO_PULL_NONE)
        return false;
    for (unsigned k = 0; k < net->ndrivers; k++)
        if (net->drivers[k]->drive != GPIO_RELEASED)
            return false;
    return true;
}

bool stm32f4_gpio_level(const stm32f4_gpio_t *s, unsigned pin)
{
    unsigned md = mode(s, pin);
    if (md == 3)
        return false; /* analog: the Schmitt trigger is off, IDR reads 0 */
    const gpio_pin_t *p = &s->pins[pin];
    unsigned pull = (s->wakeup_pins >> pin) & 1 ? 2 : (s->r[GPIO_PUPDR] >> (2 * pin)) & 3;
    if (p->net && !net_floats(p->net))
        return gpio_pin_level(p);
    /* unconnected or floating: what the pin itself does, then its pull */
    if (md == 1 && !((s->r[GPIO_OTYPER] >> pin) & 1))
        return (s->r[GPIO_ODR] >> pin) & 1;
    if (md == 1 && ((s->r[GPIO_ODR] >> pin) & 1) == 0)
        return false; /* open drain pulling low */
    if (pull == 1 || pull == 2)
        return pull == 1;
    return p->net ? gpio_pin_level(p) : false;
}

static void notify_edges(stm32f4_gpio_t *s)
{
    for (unsigned pin = 0; pin < 16; pin++) {
        bool lv = stm32f4_gpio_level(s, pin);
        if (lv != (bool)((s->ext_level >> pin) & 1)) {
            s->ext_level = (uint16_t)((s->ext_level & ~(1u << pin)) | ((unsigned)lv << pin));
            if (s->edge)
                s->edge(s->edge_opaque, (unsigned)(s->port - 'A'), pin, lv);
        }
    }
}

/* Drive each pin from the configuration. */
static void drive_pins(stm32f4_gpio_t *s)
{
    for (unsigned pin = 0; pin < 16; pin++) {
        gpio_pin_t *p = &s->pins[pin];
        enum gpio_drive d = GPIO_RELEASED;
        if (mode(s, pin) == 1) {
            bool high = (s->r[GPIO_ODR] >> pin) & 1;
            bool od = (s->r[GPIO_OTYPER] >> pin) & 1;
            d = high ? (od ? GPIO_RELEASED : GPIO_DRIVE_HIGH) : GPIO_DRIVE_LOW;
        }
        if (p->drive != d)
            gpio_pin_drive(p, d);
    }
    notify_edges(s);
}

static void cfg_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_gpio_t *s = dev;
    (void)written;
    if (s->locked && idx != GPIO_ODR) {
        /* locked pins keep their configuration */
        uint32_t m = s->lock_mask, wide = 0;
        for (unsigned p = 0; p < 16; p++)
            if ((m >> p) & 1)
                wide |= 3u << (2 * p);
        uint32_t keep = idx == GPIO_OTYPER ? m : idx == GPIO_AFRL ? 0 : idx == GPIO_AFRH ? 0 : wide;
        if (idx == GPIO_AFRL || idx == GPIO_AFRH) {
            for (unsigned p = 0; p < 8; p++)
                if ((m >> (p + (idx == GPIO_AFRH ? 8 : 0))) & 1)
                    keep |= 0xFu << (4 * p);
        }
        s->r[idx] = (s->r[idx] & ~keep) | (old & keep);
    }
    drive_pins(s);
}

static void bsrr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_gpio_t *s = dev;
    (void)idx;
    (void)old;
    uint32_t odr = s->r[GPIO_ODR];
    odr &= ~(written >> 16);
    odr |= written & 0xFFFF; /* set wins over reset */
    s->r[GPIO_ODR] = odr & 0xFFFF;
    s->r[GPIO_BSRR] = 0;
    drive_pins(s);
}

static void lckr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_gpio_t *s = dev;
    (void)idx;
    if (s->locked) {
        s->r[GPIO_LCKR] = old;
        return;
    }
    /* key sequence: LCKK=1, LCKK=0, LCKK=1 with the same mask */
    bool lckk = written & 0x10000;
    uint16_t mask = (uint16_t)written;
    if (s->lock_step == 0 && lckk) {
        s->lock_step = 1;
        s->lock_mask = mask;
    } else if (s->lock_step == 1 && !lckk && mask == s->lock_mask) {
        s->lock_step = 2;
    } else if (s->lock_step == 2 && lckk && mask == s->lock_mask) {
        s->locked = true;
        s->lock_step = 0;
        s->r[GPIO_LCKR] = 0x10000u | mask;
        return;
    } else {
        s->lock_step = lckk ? 1 : 0;
        s->lock_mask = mask;
    }
    s->r[GPIO_LCKR] = mask;
}

static uint32_t idr_read(void *dev, unsigned idx, uint32_t v)
{
    stm32f4_gpio_t *s = dev;
    (void)idx;
    (void)v;
    uint32_t idr = 0;
    for (unsigned pin = 0; pin < 16; pin++)
        if (stm32f4_gpio_level(s, pin))
            idr |= 1u << pin;
    return idr;
}

static void net_changed(void *opaque, int n, bool level)
{
    stm32f4_gpio_t *s = opaque;
    (void)n;
    (void)level;
    notify_edges(s);
}

const bus_ops_t stm32f4_gpio_ops = { stm32f4_regs_read, stm32f4_regs_write };

void stm32f4_gpio_init(stm32f4_gpio_t *s, const stm32f4_ctx_t *ctx, char port)
{
    memset(s, 0, sizeof *s);
    s->port = port;
    const reg_desc_t *desc = port == 'A' ? gpio_regs_a : port == 'B' ? gpio_regs_b : gpio_regs_other;
    snprintf(s->tag, sizeof s->tag, "gpio%c", port + 32);
    regs_init(&s->regs, s->tag, desc, GPIO_NREGS, s->r, s);
    for (unsigned pin = 0; pin < 16; pin++) {
        snprintf(s->pin_names[pin], sizeof s->pin_names[pin], "P%c%u", port, pin);
        gpio_pin_init(&s->pins[pin], s->pin_names[pin]);
        machine_add_gpio(ctx->m, ctx->inst, s->pin_names[pin], &s->pins[pin], net_changed, s,
                         (int)pin);
    }
}

void stm32f4_gpio_set_wakeup_pin(stm32f4_gpio_t *s, unsigned pin, bool on)
{
    s->wakeup_pins = (uint16_t)((s->wakeup_pins & ~(1u << pin)) | ((unsigned)on << pin));
    drive_pins(s);
}

void stm32f4_gpio_reset(stm32f4_gpio_t *s)
{
    regs_reset(&s->regs);
    s->locked = false;
    s->lock_step = 0;
    s->lock_mask = 0;
    drive_pins(s);
}
