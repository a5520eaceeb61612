/*
 * What every STM32F4 peripheral model receives from the SoC container
 * (stm32f407.c) when it is set up. Each peripheral is one .c/.h pair with a
 * plain state struct and
 *
 *   void stm32f4_<p>_init(stm32f4_<p>_t *s, const stm32f4_ctx_t *ctx,
 *                         uint32_t base, <instance parameters>);
 *   void stm32f4_<p>_reset(stm32f4_<p>_t *s);
 *
 * init maps the register block on ctx->bus, connects its interrupt outputs
 * (irq_line_t, connected by the container to NVIC inputs or EXTI lines) and
 * registers its board endpoints ("<inst>.PA5", "<inst>.spi1", ...) through
 * machine_add_*(). Peripherals never call each other: the container wires
 * their lines, GPIO pins, clocks and DMA requests.
 */
#ifndef MODELS_STM32F4_PERIPH_H
#define MODELS_STM32F4_PERIPH_H

#include "sim/machine.h"

typedef struct stm32f4_ctx {
    machine_t *m;
    bus_t *bus;
    sched_t *sched;
    cpu_t *cpu;
    const char *inst;        /* board instance name, prefix of endpoint names */
    /* Bus clocks owned by the RCC model; peripherals listen for changes. */
    sim_clock_t *hclk;       /* AHB: core, DMA, GPIO */
    sim_clock_t *pclk1;      /* APB1: USART2/3, UART4/5, SPI2/3, I2C, TIM2-7, 12-14 */
    sim_clock_t *pclk2;      /* APB2: USART1/6, SPI1, TIM1/8-11, SYSCFG, ADC */
    sim_clock_t *tim1clk;    /* timer kernel clock on APB1 (x2 when APB1 prescaler > 1) */
    sim_clock_t *tim2clk;    /* timer kernel clock on APB2 */
    sim_clock_t *lsi;        /* 32 kHz internal oscillator (IWDG) */
    sim_clock_t *pll48;      /* PLL48CK (RNG, USB OTG FS, SDIO) */
} stm32f4_ctx_t;

#endif
