/* STM32F4 system configuration controller (RM0090 section 9): memory
 * remap, Ethernet interface select, EXTI line routing, compensation cell. */
#ifndef MODELS_STM32F4_SYSCFG_H
#define MODELS_STM32F4_SYSCFG_H

#include "stm32f4_periph.h"

enum { SYSCFG_MEMRMP, SYSCFG_PMC, SYSCFG_EXTICR1, SYSCFG_EXTICR2, SYSCFG_EXTICR3,
       SYSCFG_EXTICR4, SYSCFG_CMPCR, SYSCFG_NREGS };

typedef struct stm32f4_syscfg {
    regs_t regs;
    uint32_t r[SYSCFG_NREGS];
} stm32f4_syscfg_t;

void stm32f4_syscfg_init(stm32f4_syscfg_t *s);
void stm32f4_syscfg_reset(stm32f4_syscfg_t *s);
/* Port index (0 = A) selected for EXTI line 'pin' (0..15). */
unsigned stm32f4_syscfg_port(const stm32f4_syscfg_t *s, unsigned pin);
extern const bus_ops_t stm32f4_syscfg_ops;

#endif
