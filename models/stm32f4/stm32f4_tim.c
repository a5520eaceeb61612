/*
 * STM32F4 timers (RM0090 section 17 TIM1/TIM8, 18 TIM2-TIM5, 19 TIM9-TIM14,
 * 20 TIM6/TIM7; fact sheet section 2.9).
 *
 * Modelled, per instance feature set (registers an instance lacks are
 * unmapped offsets; bits it lacks are reserved):
 * - the time base derived from virtual time and the timer kernel clock
 *   (one count per PSC + 1 kernel cycles, re-timed when the clock changes,
 *   stopped while the RCC clock is off): up, down (DIR) and centre-aligned
 *   (CMS 1-3) counting, overflow/underflow update events with UIF and the
 *   update interrupt, UDIS, URS, the repetition counter (RCR, TIM1/TIM8),
 *   one-pulse mode (CEN clears at the update), PSC always buffered, ARR
 *   buffered with ARPE, CCRx buffered with OCxPE, EGR.UG re-initialising the
 *   counter and prescaler, CNT readable and writable, DIR read back in
 *   centre-aligned mode;
 * - output compare: CCxIF when the counter reaches CCRx on a channel in
 *   output mode (CCxS = 00), at the exact count, in centre-aligned mode on
 *   the counting direction CMS selects; CCxG, TG, COMG, BG software events;
 *   the interrupt outputs (one global line, or UP / CC / TRG_COM / BRK on
 *   TIM1 and TIM8);
 * - ARR = 0 blocks the counter; its reset value is 0 as RM0090 documents
 *   (some forum dumps show all ones after reset; RM0090 is followed).
 * Not modelled: input capture and the CCxOF overcapture flags (no timer
 * inputs are routed from the pins), output compare and PWM pins, break and
 * dead-time logic (BDTR stored), slave modes, triggers and timer chaining
 * (SMS is logged when set), encoder mode, DMA requests (UDE, CCxDE: DCR and
 * DMAR are stored, DMAR does not access the burst).
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_tim.h"
#include "sim/log.h"

REG32(CR1, 0x00)
FIELD(CR1, CEN, 0, 1)          /* counter enable */
FIELD(CR1, UDIS, 1, 1)         /* update disable */
FIELD(CR1, URS, 2, 1)          /* update request source: overflow only */
FIELD(CR1, OPM, 3, 1)          /* one-pulse */
FIELD(CR1, DIR, 4, 1)          /* down-counting */
FIELD(CR1, CMS, 5, 2)          /* centre-aligned mode */
FIELD(CR1, ARPE, 7, 1)         /* ARR preload */
FIELD(CR1, CKD, 8, 2)          /* dead-time / filter clock division */
REG32(CR2, 0x04)
REG32(SMCR, 0x08)
FIELD(SMCR, SMS, 0, 3)         /* slave mode */
REG32(DIER, 0x0C)
REG32(SR, 0x10)
FIELD(SR, UIF, 0, 1)
FIELD(SR, CCIF, 1, 4)          /* CC1IF..CC4IF */
FIELD(SR, COMIF, 5, 1)
FIELD(SR, TIF, 6, 1)
FIELD(SR, BIF, 7, 1)
FIELD(SR, CCOF, 9, 4)          /* CC1OF..CC4OF */
REG32(EGR, 0x14)
FIELD(EGR, UG, 0, 1)
REG32(CCMR1, 0x18)
REG32(CCMR2, 0x1C)
REG32(CCER, 0x20)
REG32(CNT, 0x24)
REG32(PSC, 0x28)
REG32(ARR, 0x2C)
REG32(RCR, 0x30)
REG32(CCR1, 0x34)
REG32(CCR2, 0x38)
REG32(CCR3, 0x3C)
REG32(CCR4, 0x40)
REG32(BDTR, 0x44)
REG32(DCR, 0x48)
REG32(DMAR, 0x4C)
REG32(OR, 0x50)

static void cr1_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void egr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cnt_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void arr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cc_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void smcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void irq_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static uint32_t cnt_read(void *dev, unsigned idx, uint32_t v);
static uint32_t cr1_read(void *dev, unsigned idx, uint32_t v);

/* Every register any instance has; init masks this per instance. */
static const reg_desc_t tim_regs_all[TIM_NREGS] = {
    [TIM_CR1] = { "CR1", A_CR1, 0, 0x03FF, .pre_read = cr1_read, .post_write = cr1_written },
    [TIM_CR2] = { "CR2", A_CR2, 0, 0 },
    [TIM_SMCR] = { "SMCR", A_SMCR, 0, 0, .post_write = smcr_written },
    [TIM_DIER] = { "DIER", A_DIER, 0, 0, .post_write = irq_written },
    [TIM_SR] = { "SR", A_SR, 0, 0, .post_write = irq_written },
    [TIM_EGR] = { "EGR", A_EGR, 0, 0, .post_write = egr_written },
    [TIM_CCMR1] = { "CCMR1", A_CCMR1, 0, 0, .post_write = cc_written },
    [TIM_CCMR2] = { "CCMR2", A_CCMR2, 0, 0, .post_write = cc_written },
    [TIM_CCER] = { "CCER", A_CCER, 0, 0 },
    [TIM_CNT] = { "CNT", A_CNT, 0, 0, .pre_read = cnt_read, .post_write = cnt_written },
    [TIM_PSC] = { "PSC", A_PSC, 0, 0xFFFF },
    [TIM_ARR] = { "ARR", A_ARR, 0, 0, .post_write = arr_written },
    [TIM_RCR] = { "RCR", A_RCR, 0, 0xFF },
    [TIM_CCR1] = { "CCR1", A_CCR1, 0, 0, .post_write = cc_written },
    [TIM_CCR2] = { "CCR2", A_CCR2, 0, 0, .post_write = cc_written },
    [TIM_CCR3] = { "CCR3", A_CCR3, 0, 0, .post_write = cc_written },
    [TIM_CCR4] = { "CCR4", A_CCR4, 0, 0, .post_write = cc_written },
    [TIM_BDTR] = { "BDTR", A_BDTR, 0, 0xFFFF },
    [TIM_DCR] = { "DCR", A_DCR, 0, 0x1F1F },
    [TIM_DMAR] = { "DMAR", A_DMAR, 0, 0 },
    [TIM_OR] = { "OR", A_OR, 0, 0 },
};

static uint32_t width_mask(const stm32f4_tim_t *s)
{
    return (s->features & TIM_F_32BIT) ? 0xFFFFFFFFu : 0xFFFFu;
}

static unsigned cms(const stm32f4_tim_t *s)
{
    return (s->features & TIM_F_UPDOWN) ? FIELD_EX32(s->r[TIM_CR1], CR1, CMS) : 0;
}

static bool down(const stm32f4_tim_t *s)
{
    return (s->features & TIM_F_UPDOWN) && !cms(s) && (s->r[TIM_CR1] & R_CR1_DIR_MASK);
}

/* Counts per counter cycle; 0 while ARR = 0 blocks the counter. */
static uint64_t period(const stm32f4_tim_t *s)
{
    if (!s->arr)
        return 0;
    return cms(s) ? 2ull * s->arr : (uint64_t)s->arr + 1;
}

/* ---- phase <-> counter ---- */

static uint32_t cnt_of_phase(const stm32f4_tim_t *s, uint64_t p)
{
    if (cms(s))
        return (uint32_t)(p <= s->arr ? p : 2ull * s->arr - p);
    return (uint32_t)(down(s) ? s->arr - p : p);
}

static uint64_t phase_of_cnt(const stm32f4_tim_t *s, uint32_t cnt, bool counting_down)
{
    uint64_t per = period(s);
    if (!per)
        return 0;
    if (cnt > s->arr)
        cnt = cnt % (s->arr + 1);
    if (cms(s))
        return counting_down && cnt > 0 && cnt < s->arr ? 2ull * s->arr - cnt : cnt;
    return down(s) ? s->arr - cnt : cnt;
}

/* ---- time base ---- */

static uint64_t counts_since_base(const stm32f4_tim_t *s, sim_time_t t)
{
    if (!s->hz || t <= s->base_ns)
        return 0;
    unsigned __int128 c = (unsigned __int128)(t - s->base_ns) * s->hz;
    return (uint64_t)(c / ((unsigned __int128)(s->psc + 1) * 1000000000u));
}

static sim_time_t time_of_count(const stm32f4_tim_t *s, uint64_t n)
{
    if (!s->hz)
        return SIM_TIME_NEVER;
    unsigned __int128 ns = (unsigned __int128)n * (s->psc + 1) * 1000000000u;
    ns = (ns + s->hz - 1) / s->hz;
    if (ns > SIM_TIME_NEVER - s->base_ns)
        return SIM_TIME_NEVER;
    return s->base_ns + (sim_time_t)ns;
}

static uint64_t phase_at(const stm32f4_tim_t *s, uint64_t count)
{
    uint64_t per = period(s);
    if (!per)
        return 0;
    return (s->epoch_phase + (count - s->epoch_count)) % per;
}

static uint64_t phase_now(const stm32f4_tim_t *s)
{
    if (!s->running || !period(s))
        return s->epoch_phase;
    return phase_at(s, counts_since_base(s, s->sched->now));
}

uint32_t stm32f4_tim_counter(const stm32f4_tim_t *s)
{
    if (!period(s))
        return s->r[TIM_CNT];
    return cnt_of_phase(s, phase_now(s));
}

/* Re-anchor at now with phase p (rate, period or phase changes). */
static void rebase(stm32f4_tim_t *s, uint64_t p)
{
    s->base_ns = s->sched->now;
    s->epoch_count = 0;
    s->epoch_phase = p;
}

static bool channel_is_output(const stm32f4_tim_t *s, unsigned ch)
{
    uint32_t ccmr = s->r[ch < 2 ? TIM_CCMR1 : TIM_CCMR2];
    return ch < s->channels && ((ccmr >> (8 * (ch & 1))) & 3) == 0;
}

static bool preload(const stm32f4_tim_t *s, unsigned ch)
{
    uint32_t ccmr = s->r[ch < 2 ? TIM_CCMR1 : TIM_CCMR2];
    return (ccmr >> (8 * (ch & 1) + 3)) & 1;
}

/* Phases at which channel ch matches; returns how many (0..2). */
static unsigned compare_phases(const stm32f4_tim_t *s, unsigned ch, uint64_t out[2], bool dn[2])
{
    uint32_t c = s->ccr[ch];
    if (!channel_is_output(s, ch) || c > s->arr)
        return 0;
    unsigned m = cms(s);
    if (!m) {
        out[0] = down(s) ? s->arr - c : c;
        dn[0] = down(s);
        return 1;
    }
    unsigned n = 0;
    if (m & 2 || c == 0 || c == s->arr) { /* counting up (CMS 2, 3) */
        out[n] = c;
        dn[n++] = false;
    }
    if ((m & 1) && c > 0 && c < s->arr) { /* counting down (CMS 1, 3) */
        out[n] = 2ull * s->arr - c;
        dn[n++] = true;
    }
    return n;
}

static bool is_update_phase(const stm32f4_tim_t *s, uint64_t p)
{
    return p == 0 || (cms(s) && p == s->arr);
}

static void update_irq(stm32f4_tim_t *s)
{
    uint32_t act = s->r[TIM_SR] & s->r[TIM_DIER];
    if (!(s->features & TIM_F_ADVANCED)) {
        irq_set(&s->irq[TIM_IRQ_GLOBAL], (act & 0xFF) != 0);
        return;
    }
    irq_set(&s->irq[TIM_IRQ_UP], act & R_SR_UIF_MASK);
    irq_set(&s->irq[TIM_IRQ_CC], act & R_SR_CCIF_MASK);
    irq_set(&s->irq[TIM_IRQ_TRG_COM], act & (R_SR_TIF_MASK | R_SR_COMIF_MASK));
    irq_set(&s->irq[TIM_IRQ_BRK], act & R_SR_BIF_MASK);
}

/* Arm the event for the first count after 'count' (phase p) that matters. */
static void schedule_from(stm32f4_tim_t *s, uint64_t count, uint64_t p)
{
    sched_cancel(s->sched, &s->event);
    uint64_t per = period(s);
    if (!s->running || !per || !s->hz)
        return;
    uint64_t best = (p == 0) ? per : per - p;   /* next wrap to 0 */
    if (cms(s) && p < s->arr && s->arr - p < best)
        best = s->arr - p;                      /* the peak */
    for (unsigned ch = 0; ch < s->channels; ch++) {
        uint64_t q[2];
        bool dn[2];
        unsigned n = compare_phases(s, ch, q, dn);
        for (unsigned k = 0; k < n; k++) {
            uint64_t d = (q[k] + per - p) % per;
            if (d == 0)
                d = per;
            if (d < best)
                best = d;
        }
    }
    s->ev_count = count + best;
    sched_at(s->sched, &s->event, time_of_count(s, s->ev_count));
}

static void schedule_now(stm32f4_tim_t *s)
{
    if (!s->running) {
        sched_cancel(s->sched, &s->event);
        return;
    }
    uint64_t c = counts_since_base(s, s->sched->now);
    schedule_from(s, c, phase_at(s, c));
}

/* Transfer the preload registers into the active ones (an update event). */
static void load_shadows(stm32f4_tim_t *s)
{
    s->psc = s->r[TIM_PSC];
    s->arr = s->r[TIM_ARR] & width_mask(s);
    s->rcr = (s->features & TIM_F_ADVANCED) ? s->r[TIM_RCR] & 0xFF : 0;
    for (unsigned ch = 0; ch < s->channels; ch++)
        s->ccr[ch] = s->r[TIM_CCR1 + ch] & width_mask(s);
}

static void timer_event(void *opaque)
{
    stm32f4_tim_t *s = opaque;
    uint64_t k = s->ev_count, p = phase_at(s, k);
    bool counting_down = down(s) || (cms(s) && p > s->arr);
    for (unsigned ch = 0; ch < s->channels; ch++) {
        uint64_t q[2];
        bool dn[2];
        unsigned n = compare_phases(s, ch, q, dn);
        for (unsigned j = 0; j < n; j++)
            if (q[j] == p)
                s->r[TIM_SR] |= 2u << ch;
    }
    (void)counting_down;
    if (is_update_phase(s, p)) {
        if (s->rep > 0) {
            s->rep--;
        } else {
            s->rep = s->rcr;
            if (!(s->r[TIM_CR1] & R_CR1_UDIS_MASK)) {
                uint32_t psc = s->psc, arr = s->arr;
                load_shadows(s);
                s->r[TIM_SR] |= R_SR_UIF_MASK;
                s->updates++;
                if (psc != s->psc || arr != s->arr) {
                    /* new rate or period from this exact count on */
                    sim_time_t t = sched_when(&s->event);
                    uint64_t np = (cms(s) && p == arr) ? s->arr : 0;
                    s->base_ns = t;
                    s->epoch_count = 0;
                    s->epoch_phase = np;
                    k = 0;
                    p = np;
                }
            }
            if (s->r[TIM_CR1] & R_CR1_OPM_MASK) {
                s->r[TIM_CR1] &= ~R_CR1_CEN_MASK;
                s->running = false;
                s->epoch_phase = p;
            }
        }
    }
    update_irq(s);
    if (s->running)
        schedule_from(s, k, p);
}

/* ---- registers ---- */

static uint32_t cr1_read(void *dev, unsigned idx, uint32_t v)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    if (cms(s) && s->arr) {
        /* DIR shows the counting direction in centre-aligned mode */
        bool dn = phase_now(s) >= s->arr;
        v = FIELD_DP32(v, CR1, DIR, dn);
    }
    return v;
}

static void cr1_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t now = s->r[TIM_CR1];
    /* the counter value carries over mode and direction changes */
    uint32_t saved = s->r[TIM_CR1];
    s->r[TIM_CR1] = old;
    uint64_t p_old = phase_now(s);
    uint32_t cnt = cnt_of_phase(s, p_old);
    bool was_down = down(s) || (cms(s) && p_old > s->arr);
    s->r[TIM_CR1] = saved;
    if (cms(s) && FIELD_EX32(old, CR1, CMS) == 0 && (old & R_CR1_CEN_MASK))
        log_once(LOG_GUEST_ERROR, s->name, 1, "%s: switched to centre-aligned mode while counting "
                 "(RM0090 forbids it)", s->name);
    uint64_t p = phase_of_cnt(s, cnt, was_down);
    if (!(now & R_CR1_CEN_MASK)) {
        s->running = false;
        s->epoch_phase = p;
        sched_cancel(s->sched, &s->event);
    } else {
        s->running = true;
        rebase(s, p);
        schedule_now(s);
    }
    update_irq(s);
}

static void egr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)old;
    uint32_t sw_flags = written & 0xFE & s->regs.desc[TIM_SR].w0c_mask;
    if (written & R_EGR_UG_MASK) {
        /* counter and prescaler re-initialised, shadows loaded */
        load_shadows(s);
        s->rep = s->rcr;
        rebase(s, 0);
        if (!(s->r[TIM_CR1] & R_CR1_URS_MASK))
            s->r[TIM_SR] |= R_SR_UIF_MASK;
        s->updates++;
        schedule_now(s);
    }
    s->r[TIM_SR] |= sw_flags; /* CCxG, COMG, TG, BG */
    update_irq(s);
}

static void cnt_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)old;
    uint32_t v = written & width_mask(s);
    s->r[TIM_CNT] = v;
    bool dn = cms(s) && (s->r[TIM_CR1] & R_CR1_DIR_MASK);
    if (s->running)
        rebase(s, phase_of_cnt(s, v, dn));
    else
        s->epoch_phase = phase_of_cnt(s, v, dn);
    schedule_now(s);
}

static void arr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    s->r[TIM_ARR] &= width_mask(s);
    if (s->r[TIM_CR1] & R_CR1_ARPE_MASK)
        return; /* takes effect at the next update */
    uint64_t p = phase_now(s);
    uint32_t cnt = cnt_of_phase(s, p);
    bool dn = down(s) || (cms(s) && p > s->arr);
    s->arr = s->r[TIM_ARR];
    p = phase_of_cnt(s, cnt, dn);
    if (s->running)
        rebase(s, p);
    else
        s->epoch_phase = p;
    schedule_now(s);
}

static void cc_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)old;
    (void)written;
    if (idx >= TIM_CCR1 && idx <= TIM_CCR4) {
        unsigned ch = idx - TIM_CCR1;
        s->r[idx] &= width_mask(s);
        if (!preload(s, ch))
            s->ccr[ch] = s->r[idx];
    }
    schedule_now(s);
}

static void smcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_tim_t *s = dev;
    (void)idx;
    (void)old;
    if (FIELD_EX32(written, SMCR, SMS))
        log_once(LOG_UNIMP, s->name, 2, "%s: slave mode %u is not modelled (the counter keeps its "
                 "internal clock)", s->name, FIELD_EX32(written, SMCR, SMS));
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
    return stm32f4_tim_counter(dev);
}

const bus_ops_t stm32f4_tim_ops = { stm32f4_regs_read, stm32f4_regs_write };

static void clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f4_tim_t *s = opaque;
    (void)old_hz;
    uint64_t p = phase_now(s); /* at the old rate */
    s->hz = new_hz;
    if (s->running) {
        rebase(s, p);
        schedule_now(s);
    }
}

/* Writable bits of the registers this instance has (RM0090 17.4, 18.4,
 * 19.4/19.5, 20.4). */
static void build_table(stm32f4_tim_t *s, reg_desc_t *d, int index)
{
    unsigned f = s->features, ch = s->channels;
    bool adv = f & TIM_F_ADVANCED, basic = f & TIM_F_BASIC, dma = f & TIM_F_DMA;
    uint32_t w = width_mask(s);
    uint32_t ccie = ((1u << ch) - 1) << 1;
    memcpy(d, tim_regs_all, sizeof tim_regs_all);
    d[TIM_CR1].rw_mask = basic ? 0x8F : (f & TIM_F_UPDOWN) ? 0x3FF : 0x38F;
    d[TIM_CR2].rw_mask = adv ? 0x7FFD : basic ? 0x70 : (f & TIM_F_SLAVE) && ch == 4 ? 0xF8 : 0;
    if (!d[TIM_CR2].rw_mask)
        d[TIM_CR2].name = NULL;
    d[TIM_SMCR].rw_mask = !(f & TIM_F_SLAVE) ? 0 : ch == 4 ? 0xFFF7 : 0x00F7;
    if (!d[TIM_SMCR].rw_mask)
        d[TIM_SMCR].name = NULL;
    uint32_t dier = 1 | ccie | ((f & TIM_F_SLAVE) ? 0x40 : 0) | (adv ? 0x20A0 : 0) |
                    (dma ? 0x100 | (ccie << 8) | ((f & TIM_F_SLAVE) ? 0x4000 : 0) : 0);
    d[TIM_DIER].rw_mask = basic ? 0x101 : dier;
    uint32_t flags = 1 | ccie | ((f & TIM_F_SLAVE) ? 0x40 : 0) | (adv ? 0xA0 : 0) | (ccie << 8);
    d[TIM_SR].w0c_mask = basic ? 1 : flags;
    d[TIM_EGR].rw_mask = 0;
    d[TIM_EGR].wo_mask = basic ? 1 : flags & 0xFF;
    d[TIM_CCMR1].rw_mask = ch >= 2 ? 0xFFFF : ch == 1 ? 0xFF : 0;
    d[TIM_CCMR2].rw_mask = ch >= 4 ? 0xFFFF : 0;
    d[TIM_CCER].rw_mask = adv ? 0x3FFF : ch == 4 ? 0xBBBB : ch == 2 ? 0xBB : ch == 1 ? 0x0B : 0;
    d[TIM_CNT].rw_mask = w;
    d[TIM_ARR].rw_mask = w;
    for (unsigned k = 0; k < 4; k++)
        d[TIM_CCR1 + k].rw_mask = k < ch ? w : 0;
    d[TIM_DMAR].rw_mask = dma ? 0xFFFF : 0;
    d[TIM_OR].rw_mask = index == 2 ? 0x0C00 : index == 5 ? 0x00C0 : index == 11 ? 0x0003 : 0;
    if (!ch) {
        d[TIM_CCMR1].name = d[TIM_CCMR2].name = d[TIM_CCER].name = NULL;
    } else if (ch < 4) {
        d[TIM_CCMR2].name = NULL;
    }
    for (unsigned k = ch; k < 4; k++)
        d[TIM_CCR1 + k].name = NULL;
    if (!adv)
        d[TIM_RCR].name = d[TIM_BDTR].name = NULL;
    if (!dma)
        d[TIM_DCR].name = d[TIM_DMAR].name = NULL;
    if (!(f & TIM_F_OR))
        d[TIM_OR].name = NULL;
}

void stm32f4_tim_init(stm32f4_tim_t *s, const stm32f4_ctx_t *ctx, int index, unsigned features,
                      unsigned channels, sim_clock_t *clk)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "tim%d", index);
    s->features = features;
    s->channels = channels;
    s->sched = ctx->sched;
    s->clk = clk;
    s->hz = clock_hz(clk);
    clock_listen(clk, clock_changed, s);
    for (unsigned k = 0; k < TIM_IRQ_COUNT; k++)
        irq_init(&s->irq[k], s->name);
    sched_event_init(&s->event, "tim", timer_event, s);
    build_table(s, s->desc, index);
    regs_init(&s->regs, s->name, s->desc, TIM_NREGS, s->r, s);
}

void stm32f4_tim_reset(stm32f4_tim_t *s)
{
    sched_cancel(s->sched, &s->event);
    regs_reset(&s->regs);
    s->running = false;
    load_shadows(s);
    s->rep = 0;
    s->base_ns = s->sched->now;
    s->epoch_count = s->epoch_phase = 0;
    update_irq(s);
}
