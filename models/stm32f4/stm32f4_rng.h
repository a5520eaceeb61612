/*
 * STM32F4 random number generator (RM0090 section 24): a 32-bit word every
 * 40 periods of its 48 MHz clock, with clock and seed error detection.
 */
#ifndef MODELS_STM32F4_RNG_H
#define MODELS_STM32F4_RNG_H

#include "stm32f4_periph.h"
#include "sim/irq.h"
#include "sim/rng.h"

enum { RNG_CR, RNG_SR, RNG_DR, RNG_NREGS };

typedef struct stm32f4_rng {
    regs_t regs;
    uint32_t r[RNG_NREGS];
    rng_t stream;              /* seeded: the words are reproducible */
    sched_t *sched;
    sim_clock_t *clk;          /* PLL48CK, gated by RCC_AHB2ENR.RNGEN */
    sim_clock_t *hclk;
    bool seed_fault;           /* control: the analog source misbehaves */
    irq_line_t irq;
    sched_event_t ready;
} stm32f4_rng_t;

void stm32f4_rng_init(stm32f4_rng_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *clk);
void stm32f4_rng_reset(stm32f4_rng_t *s);
void stm32f4_rng_set_seed_fault(stm32f4_rng_t *s, bool fault);
extern const bus_ops_t stm32f4_rng_ops;

#endif
