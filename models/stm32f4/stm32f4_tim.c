/*
 * STM32F4 TIM2-TIM5 (RM0090 section 18.3 counter, 18.4 registers; fact
 * sheet section 2.9).
 *
 * Modelled: the up-counter derived from virtual time and the timer kernel
 * clock (PSC + 1 kernel cycles per count), PSC buffered until an update
 * event, ARR buffered when ARPE=1, update events at overflow with UIF and
 * the update interrupt (UIE), UDIS, URS, UG (counter and prescaler
 * re-initialised), one-pulse mode (CEN clears at the update), CNT readable
 * and writable, CCRx compare flags (CCxIF) with their interrupts, evaluated
 * when the counter passes them between updates.
 * Not modelled: down and centre-aligned counting, slave modes and triggers,
 * input capture, output compare pins and PWM outputs, DMA requests; a change
 * of the kernel clock frequency while counting takes effect at the next
 * update.
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_tim.h"
#include "sim/log.h"

REG32(CR1, 0x00)
REG32(CR2, 0x04)
REG32(SMCR, 0x08)
REG32(DIER, 0x0C)
REG32(SR, 0x10)
REG32(EGR, 0x14)
REG32(CCMR1, 0x18)
REG32(CCMR2, 0x1C)
REG32(CCER, 0x20)
REG32(CNT, 0x24)
REG32(PSC, 0x28)
REG32(ARR, 0x2C)
REG32(CCR1, 0x34)
REG32(CCR2, 0x38)
REG32(CCR3, 0x3C)
REG32(CCR4, 0x40)
REG32(DCR, 0x48)
REG32(DMAR, 0x4C)
REG32(OR, 0x50)

#define CR1_CEN (1u << 0)
#define CR1_UDIS (1u << 1)
#define CR1_URS (1u << 2)
#define CR1_OPM (1u << 3)
#define CR1_ARPE (1u << 7)
#define SR_UIF (1u << 0)

static void cr1_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void egr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cnt_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void arr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void irq_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static uint32_t cnt_read(void *dev, unsigned idx, uint32_t v);

static const reg_desc_t tim_regs[TIM_NREGS] = {
    [TIM_CR1] = { "CR1", A_CR1, 0, 0x03FF, .post_write = cr1_written },
    [TIM_CR2] = { "CR2", A_CR2, 0, 0x00F8 },
    [TIM_SMCR] = { "SMCR", A_SMCR, 0, 0xFFF7 },
    [TIM_DIER] = { "DIER", A_DIER, 0, 0x5F5F, .post_write = irq_written },
    [TIM_SR] = { "SR", A_SR, 0, 0, .w0c_mask = 0x1E5F, .post_write = irq_written },
    [TIM_EGR] = { "EGR", A_EGR, 0, 0x5F, .wo_mask = 0x5F, .post_write = egr_written },
    [TIM_CCMR1] = { "CCMR1", A_CCMR1, 0, 0xFFFF },
    [TIM_CCMR2] = { "CCMR2", A_CCMR2, 0, 0xFFFF },
    [TIM_CCER] = { "CCER", A_CCER, 0, 0xBBBB },
    [TIM_CNT] = { "CNT", A_CNT, 0, 0xFFFFFFFF, .pre_read = cnt_read, .post_write = cnt_written },
    [TIM_PSC] = { "PSC", A_PSC, 0, 0xFFFF },
    [TIM_ARR] = { "ARR", A_ARR, 0xFFFFFFFF, 0xFFFFFFFF, .post_write = arr_written },
    [TIM_CCR1] = { "CCR1", A_CCR1, 0, 0xFFFFFFFF },
    [TIM_CCR2] = { "CCR2", A_CCR2, 0, 0xFFFFFFFF },
    [TIM_CCR3] = { "CCR3", A_CCR3, 0, 0xFFFFFFFF },
    [TIM_CCR4] = { "CCR4", A_CCR4, 0, 0xFFFFFFFF },
    [TIM_DCR] = { "DCR", A_DCR, 0, 0x1F1F },
    [TIM_DMAR] = { "DMAR", A_DMAR, 0, 0xFFFF },
    [TIM_OR] = { "OR", A_OR, 0, 0x0CC0 },
};

static uint32_t width_mask(const stm32f4_tim_t *s)
{
    return s->wide ? 0xFFFFFFFFu : 0xFFFFu;
}

static void update_irq(stm32f4_tim_t *s)
{
    irq_set(&s->irq, (s->r[TIM_SR] & s->r[TIM_DIER] & 0x1F) != 0);
}

/* Counts elapsed between base_ns and t. */
static uint64_t counts_since(const stm32f4_tim_t *s, sim_time_t t)
{
    uint64_t hz = clock_hz(s->clk);
    if (!hz || t <= s->base_ns)
        return 0;
    unsigned __int128 num = (unsigned __int128)(t - s->base_ns) * hz;
    return (uint64_t)(num / ((unsigned __int128)(s->psc + 1) * 1000000000u));
}

/* Time at which 'n' counts have elapsed after base_ns. */
static sim_time_t time_of_counts(const stm32f4_tim_t *s, uint64_t n)
{
    uint64_t hz = clock_hz(s->clk);
    if (!hz)
        return SIM_TIME_NEVER;
    unsigned __int128 num = (unsigned __int128)n * (s->psc + 1) * 1000000000u;
    return s->base_ns + (sim_time_t)((num + hz - 1) / hz);
}

static uint32_t current_cnt(const stm32f4_tim_t *s)
{
    if (!(s->r[TIM_CR1] & CR1_CEN))
        return s->cnt_base;
    uint64_t c = s->cnt_base + counts_since(s, s->sched->now);
    return (uint32_t)(c % ((uint64_t)s->arr + 1));
}

/* Compare flags for counts passed between 'from' and 'to' (inclusive). */
static void compare_flags(stm32f4_tim_t *s, uint64_t from, uint64_t to)
{
    for (unsigned ch = 0; ch < 4; ch++) {
        uint32_t ccr = s->r[TIM_CCR1 + ch];
        if (ccr >= from && ccr <= to)
            s->r[TIM_SR] |= 2u << ch;
    }
}

static void schedule_update(stm32f4_tim_t *s)
{
    sched_cancel(s->sched, &s->update);
    if (!(s->r[TIM_CR1] & CR1_CEN))
        return;
    uint64_t remaining = (uint64_t)s->arr + 1 - s->cnt_base;
    sched_at(s->sched, &s->update, time_of_counts(s, remaining));
}

static void rebase(stm32f4_tim_t *s)
{
    s->cnt_base = current_cnt(s);
    s->base_ns = s->sched->now;
}

static void do_update(stm32f4_tim_t *s, bool from_ug)
{
    s->psc = s->r[TIM_PSC];
    s->arr = s->r[TIM_ARR] & width_mask(s);
    if (!(s->r[TIM_CR1] & CR1_UDIS) && !(from_ug && (s->r[TIM_CR1] & CR1_URS)))
        s->r[TIM_SR] |= SR_UIF;
    s->updates++;
}

static void update_event(void *opaque)
{
    stm32f4_tim_t *s = opaque;
    compare_flags(s, s->cnt_base, s->arr);
    /* the overflow instant becomes the new base: no drift */
    s->base_ns = s->update.when;
    s->cnt_base = 0;
    do_update(s, false);
    if (s->r[TIM_CR1] & CR1_OPM)
        s->r[TIM_CR1] &= ~CR1_CEN;
    update_irq(s);
    schedule_update(s);
}

static void cr1_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t now = s->r[TIM_CR1];
    if ((old & CR1_CEN) && !(now & CR1_CEN)) {
        s->r[TIM_CR1] = old;
        s->cnt_base = current_cnt(s);
        s->r[TIM_CR1] = now;
    }
    if (!(old & CR1_CEN) && (now & CR1_CEN))
        s->base_ns = s->sched->now;
    if (s->r[TIM_CR1] & CR1_CEN)
        rebase(s);
    schedule_update(s);
}

static void egr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)old;
    if (written & 1) { /* UG */
        s->cnt_base = 0;
        s->base_ns = s->sched->now;
        do_update(s, true);
        schedule_update(s);
    }
    s->r[TIM_SR] |= written & 0x1E; /* CCxG */
    update_irq(s);
}

static void cnt_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)old;
    s->cnt_base = written & width_mask(s);
    s->base_ns = s->sched->now;
    schedule_update(s);
}

static void arr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    if (!(s->r[TIM_CR1] & CR1_ARPE)) {
        rebase(s);
        s->arr = s->r[TIM_ARR] & width_mask(s);
        if (s->cnt_base > s->arr)
            s->cnt_base = 0;
        schedule_update(s);
    }
}

static void irq_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    update_irq(dev);
}

static uint32_t cnt_read(void *dev, unsigned idx, uint32_t v)
{
    (void)idx;
    (void)v;
    return current_cnt(dev);
}

static int tim_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_tim_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int tim_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_tim_t *s = dev;
    if (!s->wide && ((off & ~3u) == A_ARR || (off & ~3u) == A_CNT))
        v &= 0xFFFF;
    regs_write(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_tim_ops = { tim_read, tim_write };

void stm32f4_tim_init(stm32f4_tim_t *s, const stm32f4_ctx_t *ctx, int index, bool wide,
                      sim_clock_t *clk)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "tim%d", index);
    s->wide = wide;
    s->sched = ctx->sched;
    s->clk = clk;
    irq_init(&s->irq, s->name);
    sched_event_init(&s->update, "tim-update", update_event, s);
    regs_init(&s->regs, s->name, tim_regs, TIM_NREGS, s->r, s);
}

void stm32f4_tim_reset(stm32f4_tim_t *s)
{
    sched_cancel(s->sched, &s->update);
    regs_reset(&s->regs);
    if (!s->wide)
        s->r[TIM_ARR] = 0xFFFF;
    s->psc = 0;
    s->arr = s->r[TIM_ARR];
    s->cnt_base = 0;
    s->base_ns = s->sched->now;
    irq_set(&s->irq, false);
}
