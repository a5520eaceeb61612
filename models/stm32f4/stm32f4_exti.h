/*
 * STM32F4 external interrupt/event controller (RM0090 section 12.2).
 */
#ifndef MODELS_STM32F4_EXTI_H
#define MODELS_STM32F4_EXTI_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

#define EXTI_LINES 23
enum { EXTI_IMR, EXTI_EMR, EXTI_RTSR, EXTI_FTSR, EXTI_SWIER, EXTI_PR, EXTI_NREGS };
/* NVIC outputs: EXTI0..4, EXTI9_5, EXTI15_10, then lines 16..22 one each */
enum { EXTI_OUT_0, EXTI_OUT_1, EXTI_OUT_2, EXTI_OUT_3, EXTI_OUT_4, EXTI_OUT_9_5,
       EXTI_OUT_15_10, EXTI_OUT_16, EXTI_OUT_COUNT = EXTI_OUT_16 + 7 };

typedef struct stm32f4_exti {
    regs_t regs;
    uint32_t r[EXTI_NREGS];
    uint32_t level;            /* input line levels */
    irq_line_t out[EXTI_OUT_COUNT];
    cpu_t *cpu;                /* event outputs (EMR) wake WFE */
    uint64_t edges;
    /* a line in interrupt or event mode triggered (Stop mode wake-up) */
    void (*wakeup)(void *opaque);
    void *wakeup_opaque;
} stm32f4_exti_t;

void stm32f4_exti_init(stm32f4_exti_t *s, const stm32f4_ctx_t *ctx);
void stm32f4_exti_reset(stm32f4_exti_t *s);
/* Input line n changes level (irq_handler_fn shape). */
void stm32f4_exti_input(void *exti, int n, bool level);
/* EXTI_PR: Stop is not entered while a line is pending (RM0090 5.3.5). */
uint32_t stm32f4_exti_pending(const stm32f4_exti_t *s);
extern const bus_ops_t stm32f4_exti_ops;

#endif
