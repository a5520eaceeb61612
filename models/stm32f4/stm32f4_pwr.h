/*
 * STM32F4 power controller (RM0090 section 5): voltage scaling, backup
 * domain write protection, backup regulator, programmable voltage detector.
 */
#ifndef MODELS_STM32F4_PWR_H
#define MODELS_STM32F4_PWR_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

enum { PWR_CR, PWR_CSR, PWR_NREGS };

/* What a reset keeps of CSR: a system reset SBF (and the backup regulator),
 * the exit from Standby all of it, a power-on nothing (but the backup
 * regulator when the backup domain stays powered). */
enum stm32f4_pwr_reset { PWR_RESET_SYSTEM, PWR_RESET_STANDBY_EXIT, PWR_RESET_POWER_ON };

typedef struct stm32f4_pwr {
    regs_t regs;
    uint32_t r[PWR_NREGS];
    sched_t *sched;
    uint32_t vdd_mv;           /* supply voltage (control), 3300 by default */
    bool standby;              /* in Standby: the PVD is off */
    sched_event_t vos_ev, brr_ev;
    irq_line_t pvd_out;        /* PVD output, EXTI line 16 */
    /* CSR.EWUP changed: the WKUP pin (PA0) is a wake-up input or a GPIO */
    void (*ewup_changed)(void *opaque, bool on);
    void *ewup_opaque;
} stm32f4_pwr_t;

void stm32f4_pwr_init(stm32f4_pwr_t *s, const stm32f4_ctx_t *ctx);
/* 'backup_domain' (power-on only): the backup regulator state (BRE/BRR) is
 * lost too. */
void stm32f4_pwr_reset(stm32f4_pwr_t *s, enum stm32f4_pwr_reset kind, bool backup_domain);
bool stm32f4_pwr_backup_writable(const stm32f4_pwr_t *s);   /* CR.DBP */
bool stm32f4_pwr_backup_regulator(const stm32f4_pwr_t *s);  /* CSR.BRE */
bool stm32f4_pwr_scale1(const stm32f4_pwr_t *s);            /* CR.VOS: 168 MHz allowed */
void stm32f4_pwr_set_vdd_mv(stm32f4_pwr_t *s, uint32_t mv);
/* Deep sleep configuration: CR.PDDS (Standby), CR.LPDS (low-power
 * regulator in Stop), CR.FPDS (flash powered down in Stop). */
bool stm32f4_pwr_standby_selected(const stm32f4_pwr_t *s);
bool stm32f4_pwr_low_power_regulator(const stm32f4_pwr_t *s);
bool stm32f4_pwr_flash_power_down(const stm32f4_pwr_t *s);
bool stm32f4_pwr_wakeup_pin_enabled(const stm32f4_pwr_t *s); /* CSR.EWUP */
bool stm32f4_pwr_wakeup_flag(const stm32f4_pwr_t *s);        /* CSR.WUF */
void stm32f4_pwr_wakeup_event(stm32f4_pwr_t *s);             /* sets WUF */
void stm32f4_pwr_enter_standby(stm32f4_pwr_t *s);            /* sets SBF, stops the PVD */
extern const bus_ops_t stm32f4_pwr_ops;

#endif
