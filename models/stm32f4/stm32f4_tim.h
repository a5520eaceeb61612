/*
 * STM32F4 general-purpose timers TIM2-TIM5 (RM0090 section 18), up-counting.
 */
#ifndef MODELS_STM32F4_TIM_H
#define MODELS_STM32F4_TIM_H

#include "stm32f4_periph.h"
#include "sim/regs.h"
#include "sim/irq.h"

enum { TIM_CR1, TIM_CR2, TIM_SMCR, TIM_DIER, TIM_SR, TIM_EGR, TIM_CCMR1, TIM_CCMR2, TIM_CCER,
       TIM_CNT, TIM_PSC, TIM_ARR, TIM_CCR1, TIM_CCR2, TIM_CCR3, TIM_CCR4, TIM_DCR, TIM_DMAR,
       TIM_OR, TIM_NREGS };

typedef struct stm32f4_tim {
    regs_t regs;
    uint32_t r[TIM_NREGS];
    char name[8];
    bool wide;                 /* 32-bit counter (TIM2, TIM5) */
    sched_t *sched;
    sim_clock_t *clk;          /* timer kernel clock */
    irq_line_t irq;
    uint32_t psc, arr;         /* active (shadow) prescaler and auto-reload */
    uint32_t cnt_base;         /* counter value at base_ns */
    sim_time_t base_ns;
    sched_event_t update;
    uint64_t updates;
} stm32f4_tim_t;

void stm32f4_tim_init(stm32f4_tim_t *s, const stm32f4_ctx_t *ctx, int index, bool wide,
                      sim_clock_t *clk);
void stm32f4_tim_reset(stm32f4_tim_t *s);
extern const bus_ops_t stm32f4_tim_ops;

#endif
