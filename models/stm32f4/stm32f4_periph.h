/*
 * What every STM32F4 peripheral model receives from the SoC container
 * (stm32f407.c) when it is set up. Each peripheral is one .c/.h pair with a
 * plain state struct and
 *
 *   void stm32f4_<p>_init(stm32f4_<p>_t *s, const stm32f4_ctx_t *ctx, <instance parameters>);
 *   void stm32f4_<p>_reset(stm32f4_<p>_t *s);
 *
 * init registers its board endpoints ("<inst>.PA5", "<inst>.spi1", ...)
 * through machine_add_*() and takes the clock it times itself by (its RCC
 * gated clock: 0 Hz while its enable bit is clear). The container maps the
 * register block, connects interrupt outputs (irq_line_t) to NVIC inputs or
 * EXTI lines, and wires DMA requests. Peripherals never call each other.
 */
#ifndef MODELS_STM32F4_PERIPH_H
#define MODELS_STM32F4_PERIPH_H

#include "sim/machine.h"
#include "sim/regs.h"

typedef struct stm32f4_ctx {
    machine_t *m;
    bus_t *bus;
    sched_t *sched;
    cpu_t *cpu;
    const char *inst;        /* board instance name, prefix of endpoint and control names */
    sim_clock_t *hclk;       /* AHB clock (the core) */
} stm32f4_ctx_t;

/* bus_ops_t for a model whose state struct starts with its regs_t and that
 * needs no access hooks beyond the register table. */
int stm32f4_regs_read(void *dev, uint32_t off, unsigned size, uint32_t *v);
int stm32f4_regs_write(void *dev, uint32_t off, unsigned size, uint32_t v);
extern const bus_ops_t stm32f4_regs_ops;

/* Parse a JSON boolean control value (true/false or 1/0). */
int stm32f4_control_bool(const cJSON *value, bool *out, char *err, size_t errlen);
/* Parse a JSON number control value within [min, max]. */
int stm32f4_control_number(const cJSON *value, double min, double max, double *out, char *err,
                           size_t errlen);
/* Parse a datasheet timing choice: "typical" (false) or "max" (true). */
int stm32f4_control_timing(const cJSON *value, bool *max, char *err, size_t errlen);

#endif
