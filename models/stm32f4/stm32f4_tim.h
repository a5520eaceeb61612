/*
 * STM32F4 timers (RM0090 sections 17-20): the advanced-control TIM1/TIM8,
 * the general-purpose TIM2-TIM5 and TIM9-TIM14, and the basic TIM6/TIM7,
 * one model with a feature description per instance.
 */
#ifndef MODELS_STM32F4_TIM_H
#define MODELS_STM32F4_TIM_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

enum { TIM_CR1, TIM_CR2, TIM_SMCR, TIM_DIER, TIM_SR, TIM_EGR, TIM_CCMR1, TIM_CCMR2, TIM_CCER,
       TIM_CNT, TIM_PSC, TIM_ARR, TIM_RCR, TIM_CCR1, TIM_CCR2, TIM_CCR3, TIM_CCR4, TIM_BDTR,
       TIM_DCR, TIM_DMAR, TIM_OR, TIM_NREGS };

/* What an instance has (RM0090 tables in sections 17-20). */
enum {
    TIM_F_32BIT = 1 << 0,      /* 32-bit counter: TIM2, TIM5 */
    TIM_F_ADVANCED = 1 << 1,   /* RCR, BDTR, complementary outputs: TIM1, TIM8 */
    TIM_F_UPDOWN = 1 << 2,     /* down and centre-aligned counting */
    TIM_F_SLAVE = 1 << 3,      /* SMCR */
    TIM_F_DMA = 1 << 4,        /* DCR/DMAR */
    TIM_F_OR = 1 << 5,         /* option register (TIM2, TIM5, TIM11) */
    TIM_F_BASIC = 1 << 6,      /* TIM6/7: update only */
};

/* Interrupt outputs: general-purpose and basic timers use TIM_IRQ_GLOBAL;
 * TIM1/TIM8 have four vectors. */
enum { TIM_IRQ_GLOBAL = 0, TIM_IRQ_UP = 0, TIM_IRQ_CC, TIM_IRQ_TRG_COM, TIM_IRQ_BRK, TIM_IRQ_COUNT };

typedef struct stm32f4_tim {
    regs_t regs;
    uint32_t r[TIM_NREGS];
    reg_desc_t desc[TIM_NREGS]; /* this instance's registers and writable bits */
    char name[8];
    unsigned features, channels;
    sched_t *sched;
    sim_clock_t *clk;          /* timer kernel clock (x2 on APB1/APB2 when prescaled), gated */
    irq_line_t irq[TIM_IRQ_COUNT];
    /* time base: the counter's phase advances one count per (psc + 1)
     * kernel cycles; 'epoch_count' counts since base_ns had 'epoch_phase' */
    uint64_t hz;
    uint32_t psc, arr, rcr;    /* active (shadow) prescaler, auto-reload, repetition */
    uint32_t ccr[4];           /* active compare values */
    uint32_t rep;              /* repetition down-counter */
    bool running;
    sim_time_t base_ns;
    uint64_t epoch_count, epoch_phase;
    uint64_t ev_count;         /* count index of the next event */
    sched_event_t event;
    uint64_t updates;
} stm32f4_tim_t;

void stm32f4_tim_init(stm32f4_tim_t *s, const stm32f4_ctx_t *ctx, int index, unsigned features,
                      unsigned channels, sim_clock_t *clk);
void stm32f4_tim_reset(stm32f4_tim_t *s);
uint32_t stm32f4_tim_counter(const stm32f4_tim_t *s);
extern const bus_ops_t stm32f4_tim_ops;

#endif
