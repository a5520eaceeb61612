/*
 * STM32F4 independent watchdog (RM0090 section 21): a 12-bit down-counter on
 * the LSI that resets the system when it reaches zero.
 */
#ifndef MODELS_STM32F4_IWDG_H
#define MODELS_STM32F4_IWDG_H

#include "stm32f4_periph.h"
#include "sim/control.h"

enum { IWDG_KR, IWDG_PR, IWDG_RLR, IWDG_SR, IWDG_NREGS };

typedef struct stm32f4_iwdg {
    regs_t regs;
    uint32_t r[IWDG_NREGS];
    machine_t *m;
    sched_t *sched;
    sim_clock_t *lsi;
    bool running, unlocked;
    /* the counter: 'count' at 'base_ns', decrementing every 'div' LSI cycles */
    uint32_t count, div;
    uint64_t hz;                     /* LSI frequency since base_ns */
    sim_time_t base_ns;
    uint32_t pr_active, rlr_active;  /* values in the LSI domain */
    sched_event_t expire, pvu_ev, rvu_ev;
    uint64_t expiries;
    sim_probe_t probe;               /* "<inst>.iwdg.expired" */
    /* the RCC forces the LSI on while the watchdog runs */
    void (*lsi_request)(void *opaque, bool on);
    void *lsi_opaque;
} stm32f4_iwdg_t;

void stm32f4_iwdg_init(stm32f4_iwdg_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *lsi);
/* Reset; a hardware watchdog (option bit WDG_SW = 0) starts at once. */
void stm32f4_iwdg_reset(stm32f4_iwdg_t *s, bool hardware_watchdog);
void stm32f4_iwdg_stop(stm32f4_iwdg_t *s);
/* Current counter value (for the UI and tests). */
uint32_t stm32f4_iwdg_counter(const stm32f4_iwdg_t *s);
extern const bus_ops_t stm32f4_iwdg_ops;

#endif
