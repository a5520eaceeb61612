/*
 * STM32F4 PWR (RM0090 section 5.4; fact sheet section 2.2).
 *
 * Modelled: CR and CSR of the STM32F405/407 with their reset values and
 * access rules; VOS (one bit on this part: 1 = scale 1, up to 168 MHz;
 * 0 = scale 2, up to 144 MHz, checked by the SoC) with VOSRDY rising 10 us
 * after PWR_CR is written (HAL polls it); DBP gating writes to the backup
 * domain (RCC_BDCR, backup SRAM; the SoC asks); BRE with BRR following 10 us
 * later, both in the backup domain (kept across system resets, and across
 * power cycles when the board has a backup battery); CWUF/CSBF clearing WUF
 * and SBF; the PVD: PVDO = PVDE and VDD below the PLS threshold (2.0 V ..
 * 2.9 V), driving EXTI line 16, with VDD set by the mcu.vdd_mv control
 * (stopped in Standby).
 * The low-power modes are the SoC's (stm32f407.c): it reads PDDS, LPDS and
 * FPDS when the core goes to deep sleep, sets SBF when Standby is entered
 * and WUF for each wake-up event (a WKUP rising edge while EWUP is set,
 * EWUP set while WKUP is high, an RTC alarm or wakeup interrupt), and is told
 * when EWUP changes (the WKUP pin is then an input with pull-down).
 * What survives: SBF is cleared only by a power-on reset (or CSBF), WUF and
 * EWUP by any system reset (or CWUF); the exit from Standby keeps all of
 * CSR (RM0090 5.4.2).
 * Not modelled: brown-out reset. The 10 us settling times are assumptions
 * (RM0090 gives none).
 */
#include <string.h>
#include "stm32f4_pwr.h"
#include "sim/log.h"

REG32(CR, 0x00)
FIELD(CR, LPDS, 0, 1)      /* low-power deep sleep */
FIELD(CR, PDDS, 1, 1)      /* power-down deep sleep (Standby) */
FIELD(CR, CWUF, 2, 1)      /* clear wakeup flag (w1, reads 0) */
FIELD(CR, CSBF, 3, 1)      /* clear standby flag (w1, reads 0) */
FIELD(CR, PVDE, 4, 1)      /* PVD enable */
FIELD(CR, PLS, 5, 3)       /* PVD level */
FIELD(CR, DBP, 8, 1)       /* disable backup domain write protection */
FIELD(CR, FPDS, 9, 1)      /* flash power-down in Stop */
FIELD(CR, VOS, 14, 1)      /* regulator voltage scaling: 1 = scale 1 */
REG32(CSR, 0x04)
FIELD(CSR, WUF, 0, 1)      /* wakeup flag (ro) */
FIELD(CSR, SBF, 1, 1)      /* standby flag (ro) */
FIELD(CSR, PVDO, 2, 1)     /* PVD output (ro) */
FIELD(CSR, BRR, 3, 1)      /* backup regulator ready (ro) */
FIELD(CSR, EWUP, 8, 1)     /* WKUP pin enable */
FIELD(CSR, BRE, 9, 1)      /* backup regulator enable */
FIELD(CSR, VOSRDY, 14, 1)  /* voltage scaling ready (ro) */

#define SETTLE_NS SIM_US(10)

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void csr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t pwr_regs[PWR_NREGS] = {
    [PWR_CR] = { "CR", A_CR, 0x00004000, 0x000043F3, .wo_mask = R_CR_CWUF_MASK | R_CR_CSBF_MASK,
                 .post_write = cr_written },
    [PWR_CSR] = { "CSR", A_CSR, 0x00000000, R_CSR_EWUP_MASK | R_CSR_BRE_MASK,
                  .post_write = csr_written },
};

/* PLS thresholds, mV (RM0090 5.4.1). */
static const uint16_t pvd_mv[8] = { 2000, 2100, 2300, 2500, 2600, 2700, 2800, 2900 };

static void update_pvd(stm32f4_pwr_t *s)
{
    uint32_t cr = s->r[PWR_CR];
    bool below = (cr & R_CR_PVDE_MASK) && !s->standby && s->vdd_mv < pvd_mv[FIELD_EX32(cr, CR, PLS)];
    s->r[PWR_CSR] = FIELD_DP32(s->r[PWR_CSR], CSR, PVDO, below);
    irq_set(&s->pvd_out, below);
}

static void vos_ready(void *opaque)
{
    stm32f4_pwr_t *s = opaque;
    s->r[PWR_CSR] |= R_CSR_VOSRDY_MASK;
}

static void brr_ready(void *opaque)
{
    stm32f4_pwr_t *s = opaque;
    if (s->r[PWR_CSR] & R_CSR_BRE_MASK)
        s->r[PWR_CSR] |= R_CSR_BRR_MASK;
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_pwr_t *s = dev;
    (void)idx;
    (void)old;
    if (written & R_CR_CWUF_MASK)
        s->r[PWR_CSR] &= ~R_CSR_WUF_MASK;
    if (written & R_CR_CSBF_MASK)
        s->r[PWR_CSR] &= ~R_CSR_SBF_MASK;
    /* The regulator settles on the (re)written scale. */
    s->r[PWR_CSR] &= ~R_CSR_VOSRDY_MASK;
    sched_after(s->sched, &s->vos_ev, SETTLE_NS);
    update_pvd(s);
}

static void csr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_pwr_t *s = dev;
    (void)idx;
    (void)written;
    if (!(s->r[PWR_CSR] & R_CSR_BRE_MASK)) {
        s->r[PWR_CSR] &= ~R_CSR_BRR_MASK;
        sched_cancel(s->sched, &s->brr_ev);
    } else if (!(old & R_CSR_BRE_MASK)) {
        sched_after(s->sched, &s->brr_ev, SETTLE_NS);
    }
    if ((s->r[PWR_CSR] ^ old) & R_CSR_EWUP_MASK && s->ewup_changed)
        s->ewup_changed(s->ewup_opaque, s->r[PWR_CSR] & R_CSR_EWUP_MASK);
}

const bus_ops_t stm32f4_pwr_ops = { stm32f4_regs_read, stm32f4_regs_write };

void stm32f4_pwr_init(stm32f4_pwr_t *s, const stm32f4_ctx_t *ctx)
{
    memset(s, 0, sizeof *s);
    s->sched = ctx->sched;
    s->vdd_mv = 3300;
    sched_event_init(&s->vos_ev, "pwr.vosrdy", vos_ready, s);
    sched_event_init(&s->brr_ev, "pwr.brr", brr_ready, s);
    irq_init(&s->pvd_out, "pwr.pvd");
    regs_init(&s->regs, "pwr", pwr_regs, PWR_NREGS, s->r, s);
}

void stm32f4_pwr_reset(stm32f4_pwr_t *s, enum stm32f4_pwr_reset kind, bool backup_domain)
{
    uint32_t csr = s->r[PWR_CSR], keep = R_CSR_BRE_MASK | R_CSR_BRR_MASK;
    if (kind == PWR_RESET_SYSTEM)
        keep |= R_CSR_SBF_MASK;
    else if (kind == PWR_RESET_STANDBY_EXIT)
        keep |= R_CSR_SBF_MASK | R_CSR_WUF_MASK | R_CSR_EWUP_MASK;
    else if (backup_domain)
        keep = 0;
    bool brr_pending = sched_is_armed(&s->brr_ev);
    sched_cancel(s->sched, &s->vos_ev);
    regs_reset(&s->regs);
    s->standby = false;
    s->r[PWR_CSR] |= csr & keep;
    if (!(keep & R_CSR_BRE_MASK) || !brr_pending)
        sched_cancel(s->sched, &s->brr_ev);
    if ((csr ^ s->r[PWR_CSR]) & R_CSR_EWUP_MASK && s->ewup_changed)
        s->ewup_changed(s->ewup_opaque, s->r[PWR_CSR] & R_CSR_EWUP_MASK);
    update_pvd(s);
}

bool stm32f4_pwr_standby_selected(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CR] & R_CR_PDDS_MASK;
}

bool stm32f4_pwr_low_power_regulator(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CR] & R_CR_LPDS_MASK;
}

bool stm32f4_pwr_flash_power_down(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CR] & R_CR_FPDS_MASK;
}

bool stm32f4_pwr_wakeup_pin_enabled(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CSR] & R_CSR_EWUP_MASK;
}

bool stm32f4_pwr_wakeup_flag(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CSR] & R_CSR_WUF_MASK;
}

void stm32f4_pwr_wakeup_event(stm32f4_pwr_t *s)
{
    s->r[PWR_CSR] |= R_CSR_WUF_MASK;
}

void stm32f4_pwr_enter_standby(stm32f4_pwr_t *s)
{
    s->r[PWR_CSR] |= R_CSR_SBF_MASK;
    s->standby = true;
    update_pvd(s);
}

bool stm32f4_pwr_backup_writable(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CR] & R_CR_DBP_MASK;
}

bool stm32f4_pwr_backup_regulator(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CSR] & R_CSR_BRE_MASK;
}

bool stm32f4_pwr_scale1(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CR] & R_CR_VOS_MASK;
}

void stm32f4_pwr_set_vdd_mv(stm32f4_pwr_t *s, uint32_t mv)
{
    s->vdd_mv = mv;
    update_pvd(s);
}
