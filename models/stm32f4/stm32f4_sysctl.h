/*
 * Small STM32F4 system peripherals: PWR (RM0090 5.4), IWDG (21), RNG (24),
 * CRC (4) and DBGMCU (38.16).
 */
#ifndef MODELS_STM32F4_SYSCTL_H
#define MODELS_STM32F4_SYSCTL_H

#include "stm32f4_periph.h"
#include "sim/regs.h"
#include "sim/irq.h"
#include "sim/rng.h"

enum { PWR_CR, PWR_CSR, PWR_NREGS };
typedef struct stm32f4_pwr {
    regs_t regs;
    uint32_t r[PWR_NREGS];
} stm32f4_pwr_t;
void stm32f4_pwr_init(stm32f4_pwr_t *s);
void stm32f4_pwr_reset(stm32f4_pwr_t *s, bool power_on);
bool stm32f4_pwr_backup_writable(const stm32f4_pwr_t *s); /* CR.DBP */
extern const bus_ops_t stm32f4_pwr_ops;

enum { IWDG_KR, IWDG_PR, IWDG_RLR, IWDG_SR, IWDG_NREGS };
typedef struct stm32f4_iwdg {
    regs_t regs;
    uint32_t r[IWDG_NREGS];
    machine_t *m;
    sched_t *sched;
    bool running, unlocked, frozen_by_debug;
    sim_time_t reload_at;      /* virtual time of the last reload */
    sched_event_t expire;
    uint64_t resets;
} stm32f4_iwdg_t;
void stm32f4_iwdg_init(stm32f4_iwdg_t *s, const stm32f4_ctx_t *ctx);
void stm32f4_iwdg_reset(stm32f4_iwdg_t *s);
extern const bus_ops_t stm32f4_iwdg_ops;

enum { RNG_CR, RNG_SR, RNG_DR, RNG_NREGS };
typedef struct stm32f4_rng {
    regs_t regs;
    uint32_t r[RNG_NREGS];
    rng_t stream;
    sched_t *sched;
    sim_clock_t *pll48;
    irq_line_t irq;
    sched_event_t ready;
} stm32f4_rng_t;
void stm32f4_rng_init(stm32f4_rng_t *s, const stm32f4_ctx_t *ctx);
void stm32f4_rng_reset(stm32f4_rng_t *s);
extern const bus_ops_t stm32f4_rng_ops;

enum { CRC_DR, CRC_IDR, CRC_CR, CRC_NREGS };
typedef struct stm32f4_crc {
    regs_t regs;
    uint32_t r[CRC_NREGS];
} stm32f4_crc_t;
void stm32f4_crc_init(stm32f4_crc_t *s);
void stm32f4_crc_reset(stm32f4_crc_t *s);
extern const bus_ops_t stm32f4_crc_ops;

enum { DBGMCU_IDCODE, DBGMCU_CR, DBGMCU_APB1_FZ, DBGMCU_APB2_FZ, DBGMCU_NREGS };
typedef struct stm32f4_dbgmcu {
    regs_t regs;
    uint32_t r[DBGMCU_NREGS];
} stm32f4_dbgmcu_t;
void stm32f4_dbgmcu_init(stm32f4_dbgmcu_t *s);
void stm32f4_dbgmcu_reset(stm32f4_dbgmcu_t *s);
extern const bus_ops_t stm32f4_dbgmcu_ops;

#endif
