/*
 * STM32F4 power controller (RM0090 section 5): voltage scaling, backup
 * domain write protection, backup regulator, programmable voltage detector.
 */
#ifndef MODELS_STM32F4_PWR_H
#define MODELS_STM32F4_PWR_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

enum { PWR_CR, PWR_CSR, PWR_NREGS };

typedef struct stm32f4_pwr {
    regs_t regs;
    uint32_t r[PWR_NREGS];
    sched_t *sched;
    uint32_t vdd_mv;           /* supply voltage (control), 3300 by default */
    sched_event_t vos_ev, brr_ev;
    irq_line_t pvd_out;        /* PVD output, EXTI line 16 */
} stm32f4_pwr_t;

void stm32f4_pwr_init(stm32f4_pwr_t *s, const stm32f4_ctx_t *ctx);
/* 'backup_domain': the backup regulator state (BRE/BRR) is lost too. */
void stm32f4_pwr_reset(stm32f4_pwr_t *s, bool backup_domain);
bool stm32f4_pwr_backup_writable(const stm32f4_pwr_t *s);   /* CR.DBP */
bool stm32f4_pwr_backup_regulator(const stm32f4_pwr_t *s);  /* CSR.BRE */
bool stm32f4_pwr_scale1(const stm32f4_pwr_t *s);            /* CR.VOS: 168 MHz allowed */
void stm32f4_pwr_set_vdd_mv(stm32f4_pwr_t *s, uint32_t mv);
extern const bus_ops_t stm32f4_pwr_ops;

#endif
