/*
 * STM32F4 reset and clock control (RM0090 section 7): oscillators with their
 * start-up times, the main PLL, system clock switch, bus prescalers,
 * peripheral clock enables (the gated clocks every peripheral times itself
 * by) and resets, the clock security system, reset cause flags.
 */
#ifndef MODELS_STM32F4_RCC_H
#define MODELS_STM32F4_RCC_H

#include "stm32f4_periph.h"
#include "sim/regs.h"
#include "sim/irq.h"

enum {
    RCC_CR, RCC_PLLCFGR, RCC_CFGR, RCC_CIR, RCC_AHB1RSTR, RCC_AHB2RSTR, RCC_AHB3RSTR,
    RCC_APB1RSTR, RCC_APB2RSTR, RCC_AHB1ENR, RCC_AHB2ENR, RCC_AHB3ENR, RCC_APB1ENR,
    RCC_APB2ENR, RCC_AHB1LPENR, RCC_AHB2LPENR, RCC_AHB3LPENR, RCC_APB1LPENR, RCC_APB2LPENR,
    RCC_BDCR, RCC_CSR, RCC_SSCGR, RCC_PLLI2SCFGR, RCC_NREGS
};

/* Peripheral clock gates: one enable bit each, in the order of the table in
 * stm32f4_rcc.c. Each has a clock (its bus or kernel clock while enabled,
 * 0 Hz while disabled). */
enum stm32f4_gate {
    GATE_GPIOA, GATE_GPIOB, GATE_GPIOC, GATE_GPIOD, GATE_GPIOE, GATE_GPIOF, GATE_GPIOG,
    GATE_GPIOH, GATE_GPIOI, GATE_CRC, GATE_BKPSRAM, GATE_CCMRAM, GATE_DMA1, GATE_DMA2,
    GATE_RNG,
    GATE_TIM2, GATE_TIM3, GATE_TIM4, GATE_TIM5, GATE_TIM6, GATE_TIM7, GATE_TIM12, GATE_TIM13,
    GATE_TIM14, GATE_WWDG, GATE_SPI2, GATE_SPI3, GATE_USART2, GATE_USART3, GATE_UART4,
    GATE_UART5, GATE_PWR,
    GATE_TIM1, GATE_TIM8, GATE_USART1, GATE_USART6, GATE_SPI1, GATE_SYSCFG, GATE_TIM9,
    GATE_TIM10, GATE_TIM11,
    GATE_COUNT
};

/* Oscillators and PLLs with a ready flag. */
enum { OSC_HSI, OSC_HSE, OSC_PLL, OSC_PLLI2S, OSC_LSI, OSC_LSE, OSC_COUNT };

/* Peripheral reset lines: called with the RSTR register index and the bits
 * that went from 0 to 1 (the container resets those peripherals). */
typedef void (*stm32f4_rcc_reset_fn)(void *opaque, unsigned rstr, uint32_t bits);

typedef struct stm32f4_rcc {
    regs_t regs;
    uint32_t r[RCC_NREGS];
    sched_t *sched;
    /* board: crystals (0 = none fitted) */
    uint64_t hse_hz, lse_hz;
    /* run-time deviations (controls) */
    int64_t hse_ppb, hsi_ppb;  /* crystal / RC drift in parts per billion */
    uint32_t lsi_hz;           /* the LSI RC (17-47 kHz on real parts) */
    bool hse_failed;           /* the crystal stopped oscillating */
    bool lsi_forced;           /* IWDG running keeps the LSI on */
    bool stopped;              /* Stop or Standby: the HSI and the 1.2 V domain clocks are off */
    /* oscillator state: 'on' requested, 'ready' after the start-up time */
    bool ready[OSC_COUNT];
    sched_event_t start_ev[OSC_COUNT];
    uint32_t pll_cfg;          /* PLLCFGR the PLL locked with */
    bool warned_overclock;
    /* clocks */
    sim_clock_t sysclk, hclk, pclk1, pclk2, timclk1, timclk2, lsi, lse, pll48;
    sim_clock_t rtcclk;        /* BDCR.RTCSEL source while RTCEN, else 0 Hz */
    sim_clock_t gate[GATE_COUNT];
    char gate_names[GATE_COUNT][16];
    /* outputs */
    irq_line_t irq;            /* RCC global interrupt (ready flags) */
    irq_line_t css_nmi;        /* clock security system: NMI on HSE failure */
    stm32f4_rcc_reset_fn periph_reset;
    void *periph_reset_opaque;
    bool (*backup_writable)(void *opaque); /* PWR_CR.DBP */
    void *backup_opaque;
} stm32f4_rcc_t;

void stm32f4_rcc_init(stm32f4_rcc_t *s, const stm32f4_ctx_t *ctx, uint64_t hse_hz, uint64_t lse_hz);
/* Reset: the backup domain (BDCR) is reset only when 'backup_domain' is set
 * (power-on without a backup battery, or BDRST). */
void stm32f4_rcc_reset(stm32f4_rcc_t *s, bool power_on, bool backup_domain);
/* Stop or Standby begins: HSEON, PLLON, PLLI2SON clear; every clock from
 * the HSI, HSE and PLLs stops, unless 'keep_hsi' (DBGMCU_CR.DBG_STOP): then
 * the system runs on the HSI through it. The LSI and LSE run on. */
void stm32f4_rcc_enter_stop(stm32f4_rcc_t *s, bool keep_hsi);
/* The exit from Stop: the HSI runs and is the system clock (SW = SWS = 0). */
void stm32f4_rcc_exit_stop(stm32f4_rcc_t *s);
/* Set the reset cause flags in CSR (they accumulate until RMVF). */
void stm32f4_rcc_set_reset_flags(stm32f4_rcc_t *s, uint32_t csr_bits);
/* Is a peripheral's clock enabled? (register access and timing) */
bool stm32f4_rcc_gate_on(const stm32f4_rcc_t *s, enum stm32f4_gate g);
const char *stm32f4_rcc_gate_name(enum stm32f4_gate g);
/* The RTC keeps counting through a power cut on a backup battery: it runs
 * on the LSE. */
bool stm32f4_rcc_rtc_on_lse(const stm32f4_rcc_t *s);
/* The IWDG forces the LSI on while it runs (RM0090 21.3.2). */
void stm32f4_rcc_force_lsi(stm32f4_rcc_t *s, bool on);
/* Run-time deviations (controls): crystal drift, RC drift, LSI frequency,
 * crystal failure. */
void stm32f4_rcc_set_hse_ppb(stm32f4_rcc_t *s, int64_t ppb);
void stm32f4_rcc_set_hsi_ppb(stm32f4_rcc_t *s, int64_t ppb);
void stm32f4_rcc_set_lsi_hz(stm32f4_rcc_t *s, uint32_t hz);
void stm32f4_rcc_set_hse_failed(stm32f4_rcc_t *s, bool failed);
extern const bus_ops_t stm32f4_rcc_ops;

#define RCC_CSR_BORRSTF (1u << 25)
#define RCC_CSR_PINRSTF (1u << 26)
#define RCC_CSR_PORRSTF (1u << 27)
#define RCC_CSR_SFTRSTF (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)
#define RCC_CSR_WWDGRSTF (1u << 30)
#define RCC_CSR_LPWRRSTF (1u << 31)

#endif
