/*
 * STM32F4 WWDG (RM0090 section 20.3-20.6).
 *
 * Modelled: CR (T counter, WDGA: set by software, cleared only by reset), CFR
 * (window W, timebase WDGTB, EWI: set only), SR.EWIF (rc_w0); the counter
 * derived from virtual time at PCLK1 / 4096 / 2^WDGTB (stopped while the
 * RCC clock is off); with WDGA set, a system reset with WWDGRSTF when T6
 * falls (0x40 -> 0x3F) or when CR is written while the counter is above
 * the window; EWIF and the interrupt when the counter reaches 0x40.
 */
#include <string.h>
#include "stm32f4_wwdg.h"
#include "sim/log.h"

REG32(CR, 0x00)
FIELD(CR, T, 0, 7)         /* counter */
FIELD(CR, WDGA, 7, 1)      /* activation */
REG32(CFR, 0x04)
FIELD(CFR, W, 0, 7)        /* window value */
FIELD(CFR, WDGTB, 7, 2)    /* timer base: PCLK1/4096/2^WDGTB */
FIELD(CFR, EWI, 9, 1)      /* early wakeup interrupt enable */
REG32(SR, 0x08)
FIELD(SR, EWIF, 0, 1)      /* early wakeup flag (rc_w0) */

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cfr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static uint32_t cr_read(void *dev, unsigned idx, uint32_t v);

static const reg_desc_t wwdg_regs[WWDG_NREGS] = {
    [WWDG_CR] = { "CR", A_CR, 0x7F, 0xFF, .pre_read = cr_read, .post_write = cr_written },
    [WWDG_CFR] = { "CFR", A_CFR, 0x7F, 0x3FF, .post_write = cfr_written },
    [WWDG_SR] = { "SR", A_SR, 0, 0, .w0c_mask = R_SR_EWIF_MASK, .post_write = sr_written },
};

static uint64_t tick_div(const stm32f4_wwdg_t *s)
{
    return 4096ull << FIELD_EX32(s->r[WWDG_CFR], CFR, WDGTB);
}

static uint64_t ticks_since_base(const stm32f4_wwdg_t *s)
{
    if (!s->hz || s->sched->now <= s->base_ns)
        return 0;
    unsigned __int128 c = (unsigned __int128)(s->sched->now - s->base_ns) * s->hz;
    return (uint64_t)(c / ((unsigned __int128)tick_div(s) * 1000000000u));
}

uint32_t stm32f4_wwdg_counter(const stm32f4_wwdg_t *s)
{
    return (uint32_t)(s->count - ticks_since_base(s)) & 0x7F;
}

static void update_irq(stm32f4_wwdg_t *s)
{
    irq_set(&s->irq, (s->r[WWDG_SR] & R_SR_EWIF_MASK) && (s->r[WWDG_CFR] & R_CFR_EWI_MASK));
}

static sim_time_t time_of_tick(const stm32f4_wwdg_t *s, uint64_t n)
{
    unsigned __int128 ns = (unsigned __int128)n * tick_div(s) * 1000000000u;
    return s->base_ns + (sim_time_t)((ns + s->hz - 1) / s->hz);
}

static void schedule(stm32f4_wwdg_t *s)
{
    sched_cancel(s->sched, &s->ewi_ev);
    sched_cancel(s->sched, &s->reset_ev);
    if (!s->hz)
        return;
    /* ticks until the counter reaches 0x40 and 0x3F (mod 128) */
    uint64_t to40 = (s->count - 0x40) & 0x7F, to3f = (s->count - 0x3F) & 0x7F;
    sched_at(s->sched, &s->ewi_ev, time_of_tick(s, to40 ? to40 : 128));
    sched_at(s->sched, &s->reset_ev, time_of_tick(s, to3f ? to3f : 128));
}

static void rebase(stm32f4_wwdg_t *s)
{
    s->count = stm32f4_wwdg_counter(s);
    s->base_ns = s->sched->now;
}

static void ewi(void *opaque)
{
    stm32f4_wwdg_t *s = opaque;
    rebase(s);
    s->r[WWDG_SR] |= R_SR_EWIF_MASK;
    update_irq(s);
    schedule(s);
}

static void t6_falls(void *opaque)
{
    stm32f4_wwdg_t *s = opaque;
    rebase(s);
    if (s->r[WWDG_CR] & R_CR_WDGA_MASK) {
        log_msg(LOG_INFO, "wwdg", "window watchdog counter passed 0x40: system reset");
        machine_request_reset(s->m, RESET_CAUSE_WWDG);
        return;
    }
    schedule(s);
}

static uint32_t cr_read(void *dev, unsigned idx, uint32_t v)
{
    stm32f4_wwdg_t *s = dev;
    (void)idx;
    return (v & R_CR_WDGA_MASK) | stm32f4_wwdg_counter(s);
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_wwdg_t *s = dev;
    (void)idx;
    uint32_t now_count = stm32f4_wwdg_counter(s);
    bool active = (old & R_CR_WDGA_MASK) || (written & R_CR_WDGA_MASK);
    if ((old & R_CR_WDGA_MASK) && now_count > FIELD_EX32(s->r[WWDG_CFR], CFR, W)) {
        log_msg(LOG_INFO, "wwdg", "window watchdog refreshed outside the window: system reset");
        machine_request_reset(s->m, RESET_CAUSE_WWDG);
    }
    s->r[WWDG_CR] = (active ? R_CR_WDGA_MASK : 0) | (written & R_CR_T_MASK);
    s->count = written & R_CR_T_MASK;
    s->base_ns = s->sched->now;
    schedule(s);
}

static void cfr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_wwdg_t *s = dev;
    (void)idx;
    (void)written;
    /* EWI can be set but only a reset clears it */
    s->r[WWDG_CFR] |= old & R_CFR_EWI_MASK;
    uint32_t cfr = s->r[WWDG_CFR];
    s->r[WWDG_CFR] = old;
    rebase(s);
    s->r[WWDG_CFR] = cfr;
    schedule(s);
    update_irq(s);
}

static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    update_irq(dev);
}

static void clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f4_wwdg_t *s = opaque;
    (void)old_hz;
    rebase(s);
    s->hz = new_hz;
    schedule(s);
}

const bus_ops_t stm32f4_wwdg_ops = { stm32f4_regs_read, stm32f4_regs_write };

void stm32f4_wwdg_init(stm32f4_wwdg_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *clk)
{
    memset(s, 0, sizeof *s);
    s->m = ctx->m;
    s->sched = ctx->sched;
    s->clk = clk;
    s->hz = clock_hz(clk);
    clock_listen(clk, clock_changed, s);
    irq_init(&s->irq, "wwdg");
    sched_event_init(&s->ewi_ev, "wwdg.ewi", ewi, s);
    sched_event_init(&s->reset_ev, "wwdg.t6", t6_falls, s);
    regs_init(&s->regs, "wwdg", wwdg_regs, WWDG_NREGS, s->r, s);
}

void stm32f4_wwdg_reset(stm32f4_wwdg_t *s)
{
    regs_reset(&s->regs);
    s->count = 0x7F;
    s->base_ns = s->sched->now;
    s->hz = clock_hz(s->clk);
    schedule(s);
    update_irq(s);
}
