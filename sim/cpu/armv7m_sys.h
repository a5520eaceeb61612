/*
 * State of the system parts every Cortex-M4 has: NVIC, SCB, SysTick, DWT, MPU,
 * FP control registers. Embedded in cpu_t (plain data, no host pointers).
 * Implemented in armv7m_sys.c / nvic.c / systick.c / mpu.c.
 */
#ifndef SIM_CPU_ARMV7M_SYS_H
#define SIM_CPU_ARMV7M_SYS_H

#include "../types.h"
#include "../sched.h"

#define ARMV7M_NUM_EXC 256

typedef struct armv7m_sys {
    /* NVIC / exception state, indexed by exception number */
    uint8_t enabled[ARMV7M_NUM_EXC];  /* IRQs: ISER; system: SHCSR enables */
    uint8_t pending[ARMV7M_NUM_EXC];
    uint8_t active[ARMV7M_NUM_EXC];
    uint8_t level[ARMV7M_NUM_EXC];    /* external input line level */
    uint8_t prio[ARMV7M_NUM_EXC];     /* raw priority byte as written (IPR/SHPR) */
    /* SCB */
    uint32_t vtor, aircr_prigroup, scr, ccr, shcsr_extra;
    uint32_t cfsr, hfsr, dfsr, mmfar, bfar, afsr;
    uint32_t cpacr;
    /* FP context control */
    uint32_t fpccr, fpcar, fpdscr;
    /* SysTick */
    uint32_t syst_csr, syst_rvr, syst_cvr_at_base; /* the count is derived from time */
    sim_time_t syst_base;
    sched_event_t syst_event;
    /* DWT */
    uint32_t dwt_ctrl;
    uint64_t cyccnt_base;
    uint32_t dwt_comp[4], dwt_mask[4], dwt_function[4];
    uint32_t demcr, dhcsr;
    /* MPU */
    uint32_t mpu_ctrl, mpu_rnr, mpu_rbar[8], mpu_rasr[8];
    bool mpu_active;
    /* bookkeeping for late arrival / tail chaining */
    int nested;
} armv7m_sys_t;

#endif
