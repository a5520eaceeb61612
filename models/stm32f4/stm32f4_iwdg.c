/*
 * STM32F4 IWDG (RM0090 section 21.3-21.4; fact sheet section 2.8).
 *
 * Modelled: KR keys (0xCCCC start, which also forces the LSI on; 0xAAAA
 * reload; 0x5555 unlocks PR and RLR, any other key locks them again); PR
 * (/4 .. /256) and RLR (reset 0xFFF); SR.PVU/RVU set while a new value
 * crosses into the LSI domain (5 LSI periods, RM0090 21.4.4), the counter
 * keeps using the old value until then; the 12-bit counter derived from
 * virtual time and the LSI frequency (which the mcu.lsi_hz control moves, so
 * a slow or fast LSI shifts the timeout as on real parts); at zero a system
 * reset with IWDGRSTF, reported on the probe "<inst>.iwdg.expired"; the
 * hardware watchdog option (WDG_SW = 0) starting it at reset.
 * Nothing but a reset stops it. DBGMCU's freeze bit needs no model: virtual
 * time stands still while a debugger halts the core.
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_iwdg.h"
#include "sim/log.h"

REG32(KR, 0x00)
FIELD(KR, KEY, 0, 16)      /* key (wo) */
REG32(PR, 0x04)
FIELD(PR, PR, 0, 3)        /* prescaler /4 << PR, 6 and 7 = /256 */
REG32(RLR, 0x08)
FIELD(RLR, RL, 0, 12)      /* reload value */
REG32(SR, 0x0C)
FIELD(SR, PVU, 0, 1)       /* prescaler update in progress (ro) */
FIELD(SR, RVU, 1, 1)       /* reload update in progress (ro) */

#define KEY_START 0xCCCCu
#define KEY_RELOAD 0xAAAAu
#define KEY_ACCESS 0x5555u
#define UPDATE_LSI_CYCLES 5

static void pr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void rlr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void kr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t iwdg_regs[IWDG_NREGS] = {
    [IWDG_KR] = { "KR", A_KR, 0, R_KR_KEY_MASK, .wo_mask = R_KR_KEY_MASK, .post_write = kr_written },
    [IWDG_PR] = { "PR", A_PR, 0, R_PR_PR_MASK, .post_write = pr_written },
    [IWDG_RLR] = { "RLR", A_RLR, 0x0FFF, R_RLR_RL_MASK, .post_write = rlr_written },
    [IWDG_SR] = { "SR", A_SR, 0, 0 },
};

static uint32_t prescaler(uint32_t pr)
{
    return 4u << (pr > 6 ? 6 : pr);
}

/* LSI cycles elapsed since base_ns, in counter ticks. */
static uint64_t ticks_since_base(const stm32f4_iwdg_t *s)
{
    uint64_t hz = s->hz;
    if (!hz || s->sched->now <= s->base_ns)
        return 0;
    unsigned __int128 c = (unsigned __int128)(s->sched->now - s->base_ns) * hz;
    return (uint64_t)(c / ((unsigned __int128)s->div * 1000000000u));
}

uint32_t stm32f4_iwdg_counter(const stm32f4_iwdg_t *s)
{
    if (!s->running)
        return s->count;
    uint64_t t = ticks_since_base(s);
    return t >= s->count ? 0 : s->count - (uint32_t)t;
}

/* Re-anchor the counter at now (before the LSI rate or the divider change). */
static void rebase(stm32f4_iwdg_t *s)
{
    s->count = stm32f4_iwdg_counter(s);
    s->base_ns = s->sched->now;
}

static void schedule(stm32f4_iwdg_t *s)
{
    sched_cancel(s->sched, &s->expire);
    uint64_t hz = s->hz;
    if (!s->running || !hz)
        return;
    /* expiry when the counter passes zero: count + 1 ticks after base */
    unsigned __int128 ns = (unsigned __int128)((uint64_t)s->count + 1) * s->div * 1000000000u;
    ns = (ns + hz - 1) / hz;
    sched_at(s->sched, &s->expire, s->base_ns + (sim_time_t)ns);
}

static void reload(stm32f4_iwdg_t *s)
{
    s->count = s->rlr_active;
    s->base_ns = s->sched->now;
    schedule(s);
}

static void expire(void *opaque)
{
    stm32f4_iwdg_t *s = opaque;
    s->expiries++;
    log_msg(LOG_INFO, "iwdg", "watchdog expired: system reset");
    probe_hit(&s->probe);
    machine_request_reset(s->m, RESET_CAUSE_IWDG);
}

static void lsi_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f4_iwdg_t *s = opaque;
    (void)old_hz;
    /* count what elapsed at the old rate, then continue at the new one */
    rebase(s);
    s->hz = new_hz;
    schedule(s);
}

static void pvu_done(void *opaque)
{
    stm32f4_iwdg_t *s = opaque;
    rebase(s);
    s->pr_active = s->r[IWDG_PR];
    s->div = prescaler(s->pr_active);
    s->r[IWDG_SR] &= ~R_SR_PVU_MASK;
    schedule(s);
}

static void rvu_done(void *opaque)
{
    stm32f4_iwdg_t *s = opaque;
    s->rlr_active = s->r[IWDG_RLR];
    s->r[IWDG_SR] &= ~R_SR_RVU_MASK;
}

static sim_time_t update_delay(const stm32f4_iwdg_t *s)
{
    uint64_t hz = clock_hz(s->lsi);
    return hz ? (sim_time_t)(UPDATE_LSI_CYCLES * 1000000000ull / hz) : SIM_US(160);
}

static bool check_access(stm32f4_iwdg_t *s, unsigned idx, uint32_t old)
{
    if (s->unlocked)
        return true;
    s->r[idx] = old;
    log_once(LOG_GUEST_ERROR, "iwdg", idx, "IWDG %s written without the 0x5555 key: ignored",
             iwdg_regs[idx].name);
    return false;
}

static void pr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_iwdg_t *s = dev;
    (void)written;
    if (!check_access(s, idx, old))
        return;
    s->r[IWDG_SR] |= R_SR_PVU_MASK;
    sched_after(s->sched, &s->pvu_ev, update_delay(s));
}

static void rlr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_iwdg_t *s = dev;
    (void)written;
    if (!check_access(s, idx, old))
        return;
    s->r[IWDG_SR] |= R_SR_RVU_MASK;
    sched_after(s->sched, &s->rvu_ev, update_delay(s));
}

static void start(stm32f4_iwdg_t *s)
{
    if (s->running)
        return;
    s->running = true;
    s->m->watchdog_armed = true;
    if (s->lsi_request)
        s->lsi_request(s->lsi_opaque, true);
    reload(s);
}

static void kr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_iwdg_t *s = dev;
    (void)idx;
    (void)old;
    switch (written & R_KR_KEY_MASK) {
    case KEY_START:
        start(s);
        break;
    case KEY_RELOAD:
        if (s->running)
            reload(s);
        break;
    case KEY_ACCESS:
        s->unlocked = true;
        break;
    default:
        s->unlocked = false;
        break;
    }
}

const bus_ops_t stm32f4_iwdg_ops = { stm32f4_regs_read, stm32f4_regs_write };

void stm32f4_iwdg_init(stm32f4_iwdg_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *lsi)
{
    memset(s, 0, sizeof *s);
    s->m = ctx->m;
    s->sched = ctx->sched;
    s->lsi = lsi;
    s->hz = clock_hz(lsi);
    clock_listen(lsi, lsi_changed, s);
    sched_event_init(&s->expire, "iwdg.expire", expire, s);
    sched_event_init(&s->pvu_ev, "iwdg.pvu", pvu_done, s);
    sched_event_init(&s->rvu_ev, "iwdg.rvu", rvu_done, s);
    regs_init(&s->regs, "iwdg", iwdg_regs, IWDG_NREGS, s->r, s);
    machine_add_probe(ctx->m, ctx->inst, "iwdg.expired",
                      "the independent watchdog ran out and resets the system", &s->probe);
}

void stm32f4_iwdg_stop(stm32f4_iwdg_t *s)
{
    sched_cancel(s->sched, &s->expire);
    sched_cancel(s->sched, &s->pvu_ev);
    sched_cancel(s->sched, &s->rvu_ev);
    s->running = s->unlocked = false;
    s->m->watchdog_armed = false;
}

void stm32f4_iwdg_reset(stm32f4_iwdg_t *s, bool hardware_watchdog)
{
    stm32f4_iwdg_stop(s);
    regs_reset(&s->regs);
    s->pr_active = 0;
    s->rlr_active = 0x0FFF;
    s->div = prescaler(0);
    s->count = s->rlr_active;
    s->base_ns = s->sched->now;
    if (hardware_watchdog)
        start(s);
}
