/*
 * Small STM32F4 system peripherals (facts: STM32F407 fact sheet sections
 * 2.2, 2.8, 2.10, 2.11; RM0090).
 *
 * PWR: CR (reset 0x4000, VOS), CSR with VOSRDY always 1 (the regulator is
 * on), DBP gating backup-domain writes. Low-power modes are not modelled.
 * IWDG: KR keys (0xCCCC start, 0xAAAA reload, 0x5555 unlock PR/RLR), 32 kHz
 * LSI, counter in virtual time, expiry requests a system reset with
 * IWDGRSTF; PVU/RVU read 0 (updates take effect at once); the debug freeze
 * bit is not honoured (time never stops in a run).
 * RNG: CR.RNGEN, SR.DRDY after 40 PLL48CK periods per word, DR from the
 * machine's seeded stream (deterministic), the interrupt on DRDY with IE.
 * Seed and clock errors never occur (a fault scenario may add them).
 * CRC: 32-bit CRC with polynomial 0x04C11DB7, MSB first, on word writes to
 * DR; IDR scratch byte; CR.RESET.
 * DBGMCU: IDCODE 0x10076413 (DEV_ID 0x413 = STM32F405/407,
 * REV_ID 0x1007), CR and freeze registers stored.
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_sysctl.h"
#include "sim/log.h"

/* ---- PWR ---- */
REG32(PWR_CR, 0x00)
REG32(PWR_CSR, 0x04)
static const reg_desc_t pwr_regs[PWR_NREGS] = {
    [PWR_CR] = { "CR", A_PWR_CR, 0x4000, 0x43FF, .wo_mask = 0x0C },
    [PWR_CSR] = { "CSR", A_PWR_CSR, 0x4000, 0x0300 },
};

static int pwr_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_pwr_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int pwr_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_pwr_t *s = dev;
    regs_write(&s->regs, off, size, v);
    /* BRE enables the backup regulator: BRR follows; VOSRDY stays 1 */
    uint32_t csr = s->r[PWR_CSR];
    csr = (csr & ~(1u << 3)) | ((csr >> 9) & 1) << 3;
    s->r[PWR_CSR] = csr | 0x4000;
    return 0;
}

const bus_ops_t stm32f4_pwr_ops = { pwr_read, pwr_write };

void stm32f4_pwr_init(stm32f4_pwr_t *s)
{
    memset(s, 0, sizeof *s);
    regs_init(&s->regs, "pwr", pwr_regs, PWR_NREGS, s->r, s);
}

void stm32f4_pwr_reset(stm32f4_pwr_t *s, bool power_on)
{
    uint32_t csr = s->r[PWR_CSR];
    regs_reset(&s->regs);
    if (!power_on) /* BRE is in the backup domain */
        s->r[PWR_CSR] = (s->r[PWR_CSR] & ~0x208u) | (csr & 0x208u);
}

bool stm32f4_pwr_backup_writable(const stm32f4_pwr_t *s)
{
    return s->r[PWR_CR] & (1u << 8);
}

/* ---- IWDG ---- */
REG32(IWDG_KR, 0x00)
REG32(IWDG_PR, 0x04)
REG32(IWDG_RLR, 0x08)
REG32(IWDG_SR, 0x0C)
static const reg_desc_t iwdg_regs[IWDG_NREGS] = {
    [IWDG_KR] = { "KR", A_IWDG_KR, 0, 0xFFFF, .wo_mask = 0xFFFF },
    [IWDG_PR] = { "PR", A_IWDG_PR, 0, 0x7 },
    [IWDG_RLR] = { "RLR", A_IWDG_RLR, 0x0FFF, 0x0FFF },
    [IWDG_SR] = { "SR", A_IWDG_SR, 0, 0 },
};

static sim_time_t iwdg_period(const stm32f4_iwdg_t *s)
{
    unsigned pr = s->r[IWDG_PR] & 7;
    unsigned div = 4u << (pr > 6 ? 6 : pr);
    /* (RLR + 1) ticks of LSI / div; LSI 32 kHz */
    return (sim_time_t)(((uint64_t)(s->r[IWDG_RLR] & 0xFFF) + 1) * div * 1000000000ull / 32000);
}

static void iwdg_arm(stm32f4_iwdg_t *s)
{
    s->reload_at = s->sched->now;
    sched_at(s->sched, &s->expire, s->sched->now + iwdg_period(s));
}

static void iwdg_expire(void *opaque)
{
    stm32f4_iwdg_t *s = opaque;
    s->resets++;
    log_msg(LOG_INFO, "iwdg", "watchdog expired: system reset");
    machine_request_reset(s->m, RESET_CAUSE_IWDG);
}

static int iwdg_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_iwdg_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int iwdg_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_iwdg_t *s = dev;
    if ((off & ~3u) == A_IWDG_KR) {
        switch (v & 0xFFFF) {
        case 0xCCCC:
            s->running = true;
            s->m->watchdog_armed = true;
            iwdg_arm(s);
            break;
        case 0xAAAA:
            if (s->running)
                iwdg_arm(s);
            break;
        case 0x5555:
            s->unlocked = true;
            break;
        default:
            s->unlocked = false;
            break;
        }
        return 0;
    }
    if (((off & ~3u) == A_IWDG_PR || (off & ~3u) == A_IWDG_RLR) && !s->unlocked) {
        log_once(LOG_GUEST_ERROR, "iwdg", off, "IWDG PR/RLR written without the 0x5555 key: ignored");
        return 0;
    }
    regs_write(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_iwdg_ops = { iwdg_read, iwdg_write };

void stm32f4_iwdg_init(stm32f4_iwdg_t *s, const stm32f4_ctx_t *ctx)
{
    memset(s, 0, sizeof *s);
    s->m = ctx->m;
    s->sched = ctx->sched;
    sched_event_init(&s->expire, "iwdg", iwdg_expire, s);
    regs_init(&s->regs, "iwdg", iwdg_regs, IWDG_NREGS, s->r, s);
}

void stm32f4_iwdg_reset(stm32f4_iwdg_t *s)
{
    sched_cancel(s->sched, &s->expire);
    regs_reset(&s->regs);
    s->running = s->unlocked = false;
    s->m->watchdog_armed = false;
}

/* ---- RNG ---- */
REG32(RNG_CR, 0x00)
REG32(RNG_SR, 0x04)
REG32(RNG_DR, 0x08)
static void rng_cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static const reg_desc_t rng_regs[RNG_NREGS] = {
    [RNG_CR] = { "CR", A_RNG_CR, 0, 0x0C, .post_write = rng_cr_written },
    [RNG_SR] = { "SR", A_RNG_SR, 0, 0, .w0c_mask = 0x60 },
    [RNG_DR] = { "DR", A_RNG_DR, 0, 0 },
};

static void rng_update_irq(stm32f4_rng_t *s)
{
    irq_set(&s->irq, (s->r[RNG_CR] & 8) && (s->r[RNG_SR] & 1));
}

static void rng_schedule(stm32f4_rng_t *s)
{
    uint64_t hz = clock_hz(s->pll48);
    sim_time_t t = hz ? (sim_time_t)(40ull * 1000000000ull / hz) : SIM_US(1);
    sched_after(s->sched, &s->ready, t ? t : 1);
}

static void rng_ready(void *opaque)
{
    stm32f4_rng_t *s = opaque;
    if (!(s->r[RNG_CR] & 4))
        return;
    s->r[RNG_DR] = rng_u32(&s->stream);
    s->r[RNG_SR] |= 1;
    rng_update_irq(s);
}

static void rng_cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rng_t *s = dev;
    (void)idx;
    (void)written;
    if ((s->r[RNG_CR] & 4) && !(old & 4))
        rng_schedule(s);
    if (!(s->r[RNG_CR] & 4)) {
        sched_cancel(s->sched, &s->ready);
        s->r[RNG_SR] &= ~1u;
    }
    rng_update_irq(s);
}

static int rng_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_rng_t *s = dev;
    regs_read(&s->regs, off, size, v);
    if ((off & ~3u) == A_RNG_DR && (s->r[RNG_SR] & 1)) {
        s->r[RNG_SR] &= ~1u; /* the next word comes 40 PLL48 cycles later */
        rng_schedule(s);
        rng_update_irq(s);
    }
    return 0;
}

static int rng_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_rng_t *s = dev;
    regs_write(&s->regs, off, size, v);
    rng_update_irq(s);
    return 0;
}

const bus_ops_t stm32f4_rng_ops = { rng_read, rng_write };

void stm32f4_rng_init(stm32f4_rng_t *s, const stm32f4_ctx_t *ctx)
{
    memset(s, 0, sizeof *s);
    s->sched = ctx->sched;
    s->pll48 = ctx->pll48;
    char name[64];
    snprintf(name, sizeof name, "%s.rng", ctx->inst);
    machine_rng(ctx->m, name, &s->stream);
    irq_init(&s->irq, "rng");
    sched_event_init(&s->ready, "rng", rng_ready, s);
    regs_init(&s->regs, "rng", rng_regs, RNG_NREGS, s->r, s);
}

void stm32f4_rng_reset(stm32f4_rng_t *s)
{
    sched_cancel(s->sched, &s->ready);
    regs_reset(&s->regs);
    irq_set(&s->irq, false);
}

/* ---- CRC ---- */
REG32(CRC_DR, 0x00)
REG32(CRC_IDR, 0x04)
REG32(CRC_CR, 0x08)
static const reg_desc_t crc_regs[CRC_NREGS] = {
    [CRC_DR] = { "DR", A_CRC_DR, 0xFFFFFFFF, 0 },
    [CRC_IDR] = { "IDR", A_CRC_IDR, 0, 0xFF },
    [CRC_CR] = { "CR", A_CRC_CR, 0, 0, .wo_mask = 1 },
};

static int crc_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_crc_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int crc_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_crc_t *s = dev;
    switch (off & ~3u) {
    case A_CRC_DR: {
        uint32_t crc = s->r[CRC_DR] ^ v;
        for (int k = 0; k < 32; k++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
        s->r[CRC_DR] = crc;
        return 0;
    }
    case A_CRC_CR:
        if (v & 1)
            s->r[CRC_DR] = 0xFFFFFFFF;
        return 0;
    default:
        regs_write(&s->regs, off, size, v);
        return 0;
    }
}

const bus_ops_t stm32f4_crc_ops = { crc_read, crc_write };

void stm32f4_crc_init(stm32f4_crc_t *s)
{
    memset(s, 0, sizeof *s);
    regs_init(&s->regs, "crc", crc_regs, CRC_NREGS, s->r, s);
}

void stm32f4_crc_reset(stm32f4_crc_t *s)
{
    regs_reset(&s->regs);
}

/* ---- DBGMCU ---- */
REG32(DBG_IDCODE, 0x00)
REG32(DBG_CR, 0x04)
REG32(DBG_APB1_FZ, 0x08)
REG32(DBG_APB2_FZ, 0x0C)
static const reg_desc_t dbgmcu_regs[DBGMCU_NREGS] = {
    [DBGMCU_IDCODE] = { "IDCODE", A_DBG_IDCODE, 0x10076413, 0 },
    [DBGMCU_CR] = { "CR", A_DBG_CR, 0, 0xE7 },
    [DBGMCU_APB1_FZ] = { "APB1_FZ", A_DBG_APB1_FZ, 0, 0x06E01DFF },
    [DBGMCU_APB2_FZ] = { "APB2_FZ", A_DBG_APB2_FZ, 0, 0x00070003 },
};

static int dbgmcu_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_dbgmcu_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int dbgmcu_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_dbgmcu_t *s = dev;
    regs_write(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_dbgmcu_ops = { dbgmcu_read, dbgmcu_write };

void stm32f4_dbgmcu_init(stm32f4_dbgmcu_t *s)
{
    memset(s, 0, sizeof *s);
    regs_init(&s->regs, "dbgmcu", dbgmcu_regs, DBGMCU_NREGS, s->r, s);
}

void stm32f4_dbgmcu_reset(stm32f4_dbgmcu_t *s)
{
    regs_reset(&s->regs);
}
