/*
 * STM32F4 window watchdog (RM0090 section 20): a 7-bit down-counter on
 * PCLK1/4096 that resets the system when it passes 0x40, or when it is
 * refreshed before the window opens.
 */
#ifndef MODELS_STM32F4_WWDG_H
#define MODELS_STM32F4_WWDG_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

enum { WWDG_CR, WWDG_CFR, WWDG_SR, WWDG_NREGS };

typedef struct stm32f4_wwdg {
    regs_t regs;
    uint32_t r[WWDG_NREGS];
    machine_t *m;
    sched_t *sched;
    sim_clock_t *clk;          /* PCLK1, gated by RCC_APB1ENR.WWDGEN */
    uint64_t hz;               /* clock rate since base_ns */
    uint32_t count;            /* T[6:0] at base_ns */
    sim_time_t base_ns;
    sched_event_t ewi_ev, reset_ev;
    irq_line_t irq;            /* early wakeup interrupt (IRQ 0) */
} stm32f4_wwdg_t;

void stm32f4_wwdg_init(stm32f4_wwdg_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *clk);
void stm32f4_wwdg_reset(stm32f4_wwdg_t *s);
uint32_t stm32f4_wwdg_counter(const stm32f4_wwdg_t *s);
extern const bus_ops_t stm32f4_wwdg_ops;

#endif
