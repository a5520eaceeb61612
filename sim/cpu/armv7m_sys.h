/*
 * State of the system parts every Cortex-M4 has: NVIC, SCB, SysTick, DWT,
 * MPU and the FP context control registers. Embedded in cpu_t (plain data,
 * no host pointers); implemented in armv7m_sys.c.
 */
#ifndef SIM_CPU_ARMV7M_SYS_H
#define SIM_CPU_ARMV7M_SYS_H

#include "../types.h"
#include "../sched.h"

#define ARMV7M_NUM_EXC 256

typedef struct armv7m_sys {
    /* NVIC / exception state, indexed by exception number */
    uint8_t enabled[ARMV7M_NUM_EXC];  /* IRQs: ISER */
    uint8_t pending[ARMV7M_NUM_EXC];
    uint8_t active[ARMV7M_NUM_EXC];
    uint8_t level[ARMV7M_NUM_EXC];    /* external input line level */
    uint8_t prio[ARMV7M_NUM_EXC];     /* priority byte as written (IPR/SHPR), implemented bits */
    unsigned nactive;
    /* SCB */
    uint32_t vtor, aircr_prigroup, scr, ccr, shcsr;
    uint32_t cfsr, hfsr, dfsr, mmfar, bfar, afsr;
    uint32_t cpacr, actlr;
    /* FP context control */
    uint32_t fpccr, fpcar, fpdscr;
    /* SysTick: the count is derived from core cycles, never ticked */
    uint32_t syst_csr, syst_rvr;
    uint32_t syst_v0;                 /* value at syst_base */
    sim_cycles_t syst_base;           /* cycle count at which the count was syst_v0 */
    sim_cycles_t syst_flag_seen;      /* zero crossings before this tick are acknowledged */
    uint32_t syst_ext_div;            /* core cycles per external reference tick */
    uint32_t syst_calib;
    sched_event_t syst_event;
    /* DWT and debug */
    uint32_t dwt_ctrl;
    uint64_t cyccnt_base;             /* CYCCNT = cycles - base while counting */
    uint32_t cyccnt_frozen;
    uint32_t dwt_comp[4], dwt_mask[4], dwt_function[4];
    uint32_t demcr, dhcsr;
    /* MPU */
    uint32_t mpu_ctrl, mpu_rnr, mpu_rbar[8], mpu_rasr[8];
    bool mpu_active;
} armv7m_sys_t;

#endif
