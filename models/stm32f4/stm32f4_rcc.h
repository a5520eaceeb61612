/*
 * STM32F4 reset and clock control (RM0090 section 7): oscillators, PLL,
 * system clock switch, bus prescalers, peripheral enables and resets, reset
 * cause flags. Owns the clocks every other model times itself by.
 */
#ifndef MODELS_STM32F4_RCC_H
#define MODELS_STM32F4_RCC_H

#include "stm32f4_periph.h"
#include "sim/regs.h"

enum {
    RCC_CR, RCC_PLLCFGR, RCC_CFGR, RCC_CIR, RCC_AHB1RSTR, RCC_AHB2RSTR, RCC_AHB3RSTR,
    RCC_APB1RSTR, RCC_APB2RSTR, RCC_AHB1ENR, RCC_AHB2ENR, RCC_AHB3ENR, RCC_APB1ENR,
    RCC_APB2ENR, RCC_AHB1LPENR, RCC_AHB2LPENR, RCC_AHB3LPENR, RCC_APB1LPENR, RCC_APB2LPENR,
    RCC_BDCR, RCC_CSR, RCC_SSCGR, RCC_PLLI2SCFGR, RCC_NREGS
};

/* Peripheral reset lines: called with the RSTR register index and the bits
 * that went from 0 to 1 (the container resets those peripherals). */
typedef void (*stm32f4_rcc_reset_fn)(void *opaque, unsigned rstr, uint32_t bits);

typedef struct stm32f4_rcc {
    regs_t regs;
    uint32_t r[RCC_NREGS];
    uint64_t hse_hz;          /* board crystal; 0 = none (HSERDY never sets) */
    bool warned_overclock;
    sim_clock_t sysclk, hclk, pclk1, pclk2, tim1clk, tim2clk, lsi, pll48;
    stm32f4_rcc_reset_fn periph_reset;
    void *periph_reset_opaque;
} stm32f4_rcc_t;

void stm32f4_rcc_init(stm32f4_rcc_t *s, uint64_t hse_hz);
/* Reset: a power-on reset also clears the backup domain (BDCR). */
void stm32f4_rcc_reset(stm32f4_rcc_t *s, bool power_on);
/* Set the reset cause flags in CSR (they accumulate until RMVF). */
void stm32f4_rcc_set_reset_flags(stm32f4_rcc_t *s, uint32_t csr_bits);
extern const bus_ops_t stm32f4_rcc_ops;

#define RCC_CSR_BORRSTF (1u << 25)
#define RCC_CSR_PINRSTF (1u << 26)
#define RCC_CSR_PORRSTF (1u << 27)
#define RCC_CSR_SFTRSTF (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)
#define RCC_CSR_WWDGRSTF (1u << 30)
#define RCC_CSR_LPWRRSTF (1u << 31)

#endif
