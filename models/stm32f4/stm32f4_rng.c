/*
 * STM32F4 RNG (RM0090 section 24.3-24.4; fact sheet section 2.10).
 *
 * Modelled: CR (RNGEN, IE), SR (DRDY, CECS, SECS read-only; CEIS, SEIS
 * rc_w0), DR; a new word 40 RNG clock periods after enable and after each
 * read of DR, drawn from the machine's seeded stream (so runs reproduce);
 * the clock error (CECS/CEIS) while the RNG clock is below HCLK/16 or
 * stopped, which holds back new words; a seed error (SECS/SEIS, DRDY held 0
 * until the RNG is disabled and enabled again) when the mcu.rng.seed_error
 * control is set; the interrupt on DRDY, CEIS or SEIS with IE.
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_rng.h"
#include "sim/log.h"

REG32(CR, 0x00)
FIELD(CR, RNGEN, 2, 1)     /* generator enable */
FIELD(CR, IE, 3, 1)        /* interrupt enable */
REG32(SR, 0x04)
FIELD(SR, DRDY, 0, 1)      /* data ready (ro) */
FIELD(SR, CECS, 1, 1)      /* clock error current status (ro) */
FIELD(SR, SECS, 2, 1)      /* seed error current status (ro) */
FIELD(SR, CEIS, 5, 1)      /* clock error interrupt status (rc_w0) */
FIELD(SR, SEIS, 6, 1)      /* seed error interrupt status (rc_w0) */
REG32(DR, 0x08)

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void dr_read(void *dev, unsigned idx, uint32_t v);

static const reg_desc_t rng_regs[RNG_NREGS] = {
    [RNG_CR] = { "CR", A_CR, 0, R_CR_RNGEN_MASK | R_CR_IE_MASK, .post_write = cr_written },
    [RNG_SR] = { "SR", A_SR, 0, 0, .w0c_mask = R_SR_CEIS_MASK | R_SR_SEIS_MASK,
                 .post_write = sr_written },
    [RNG_DR] = { "DR", A_DR, 0, 0, .post_read = dr_read },
};

static void update_irq(stm32f4_rng_t *s)
{
    uint32_t sr = s->r[RNG_SR];
    irq_set(&s->irq, (s->r[RNG_CR] & R_CR_IE_MASK) &&
                         (sr & (R_SR_DRDY_MASK | R_SR_CEIS_MASK | R_SR_SEIS_MASK)));
}

static bool clock_ok(const stm32f4_rng_t *s)
{
    uint64_t hz = clock_hz(s->clk);
    return hz && hz >= clock_hz(s->hclk) / 16;
}

static void schedule(stm32f4_rng_t *s)
{
    uint64_t hz = clock_hz(s->clk);
    sched_cancel(s->sched, &s->ready);
    if (!(s->r[RNG_CR] & R_CR_RNGEN_MASK) || !hz || (s->r[RNG_SR] & R_SR_SECS_MASK))
        return;
    sim_time_t t = (sim_time_t)((40ull * 1000000000ull + hz - 1) / hz);
    sched_after(s->sched, &s->ready, t);
}

/* Errors follow the clock and the source; they raise the sticky flags. */
static void check_errors(stm32f4_rng_t *s)
{
    uint32_t sr = s->r[RNG_SR];
    bool on = s->r[RNG_CR] & R_CR_RNGEN_MASK;
    bool cerr = on && !clock_ok(s);
    if (cerr && !(sr & R_SR_CECS_MASK))
        sr |= R_SR_CEIS_MASK;
    sr = FIELD_DP32(sr, SR, CECS, cerr);
    if (on && s->seed_fault && !(sr & R_SR_SECS_MASK)) {
        sr |= R_SR_SECS_MASK | R_SR_SEIS_MASK;
        sr &= ~R_SR_DRDY_MASK;
    }
    s->r[RNG_SR] = sr;
}

static void word_ready(void *opaque)
{
    stm32f4_rng_t *s = opaque;
    check_errors(s);
    if (!(s->r[RNG_SR] & (R_SR_CECS_MASK | R_SR_SECS_MASK))) {
        s->r[RNG_DR] = rng_u32(&s->stream);
        s->r[RNG_SR] |= R_SR_DRDY_MASK;
    }
    update_irq(s);
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rng_t *s = dev;
    (void)idx;
    (void)written;
    bool on = s->r[RNG_CR] & R_CR_RNGEN_MASK;
    if (!on) {
        /* disabling clears the data and the current seed error */
        sched_cancel(s->sched, &s->ready);
        s->r[RNG_SR] &= ~(R_SR_DRDY_MASK | R_SR_SECS_MASK);
    } else if (!(old & R_CR_RNGEN_MASK)) {
        check_errors(s);
        schedule(s);
    }
    update_irq(s);
}

static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    update_irq(dev);
}

static void dr_read(void *dev, unsigned idx, uint32_t v)
{
    stm32f4_rng_t *s = dev;
    (void)idx;
    (void)v;
    if (s->r[RNG_SR] & R_SR_DRDY_MASK) {
        s->r[RNG_SR] &= ~R_SR_DRDY_MASK;
        schedule(s);
        update_irq(s);
    }
}

static void clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f4_rng_t *s = opaque;
    (void)old_hz;
    (void)new_hz;
    check_errors(s);
    if (!sched_is_armed(&s->ready) && !(s->r[RNG_SR] & R_SR_DRDY_MASK))
        schedule(s);
    update_irq(s);
}

const bus_ops_t stm32f4_rng_ops = { stm32f4_regs_read, stm32f4_regs_write };

void stm32f4_rng_init(stm32f4_rng_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *clk)
{
    memset(s, 0, sizeof *s);
    s->sched = ctx->sched;
    s->clk = clk;
    s->hclk = ctx->hclk;
    char name[64];
    snprintf(name, sizeof name, "%s.rng", ctx->inst);
    machine_rng(ctx->m, name, &s->stream);
    clock_listen(clk, clock_changed, s);
    clock_listen(ctx->hclk, clock_changed, s);
    irq_init(&s->irq, "rng");
    sched_event_init(&s->ready, "rng.word", word_ready, s);
    regs_init(&s->regs, "rng", rng_regs, RNG_NREGS, s->r, s);
}

void stm32f4_rng_reset(stm32f4_rng_t *s)
{
    sched_cancel(s->sched, &s->ready);
    regs_reset(&s->regs);
    update_irq(s);
}

void stm32f4_rng_set_seed_fault(stm32f4_rng_t *s, bool fault)
{
    s->seed_fault = fault;
    check_errors(s);
    update_irq(s);
}
