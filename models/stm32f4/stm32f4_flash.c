/*
 * STM32F4 embedded flash and its interface (RM0090 sections 3.4-3.9; facts
 * in the STM32F407 fact sheet, section 2.3).
 *
 * Modelled:
 * - ACR: LATENCY turned into bus wait states (below), PRFTEN/ICEN/DCEN,
 *   ICRST/DCRST writable only while their cache is off; a warning when
 *   LATENCY is too low for HCLK at 2.7-3.6 V (real silicon reads garbage).
 * - KEYR: KEY1 then KEY2 clears LOCK; a wrong key or order is a bus error and
 *   locks FLASH_CR until the next reset. CR.LOCK is set-only.
 * - Programming with PG: the access width must match PSIZE (else PGPERR),
 *   the data must stay inside one 128-bit row (else PGAERR), x64 takes two
 *   consecutive word writes; a store while PG is clear, while locked or with
 *   SER/MER set is PGSERR and the data is dropped; a store to a sector whose
 *   nWRP bit is 0 is WRPERR; bits only go 1 -> 0. The OTP area programs the
 *   same way (a block whose lock byte is 0x00 is WRPERR) and never erases.
 * - Sector erase (SER, SNB 0..11) and mass erase (MER), WRPERR on a
 *   protected sector, PGSERR for SER with MER or a sector number above 11.
 * - OPERR with PGAERR, PGPERR or WRPERR when ERRIE is set; EOP (only with
 *   EOPIE); the FLASH interrupt on EOP with EOPIE or an error with ERRIE.
 * - Busy times in virtual time, typical or maximum (the mcu.flash.timing
 *   control): program 16/100 us; erase x32 16 KiB 250/500 ms, 64 KiB
 *   550/1100 ms, 128 KiB 1/2 s, mass 8/16 s; x16 300/600, 700/1400,
 *   1300/2600 ms, 11/22 s; x8 400/800, 1200/2400, 2000/4000 ms, 16/32 s
 *   (STM32F405/407 datasheet; x64 uses the x32 times). While an operation
 *   runs, every read of the array (fetch or data, not served by the decoded
 *   instruction cache, which stands in for the ART cache) and every write
 *   of FLASH_CR or of the array stall the core until it ends; the operation
 *   still ends at its own time among the other events (a power cut 400 ms
 *   into an erase finds it running even if the core stalled behind it), and
 *   a stalled write takes effect right after it.
 * - The change reaches the array when the operation ends; a reset or a
 *   power cut during an operation leaves a partial result drawn from the
 *   flash's seeded RNG stream: each bit of a program, each byte of an erase
 *   is done with the probability of the elapsed fraction of the operation
 *   (after a power cut the operation goes on for a random part of the supply
 *   hold-up time, mcu.flash.holdup_us), erased bytes that are not done have
 *   some bits erased already. Probes mcu.flash.op (every program or erase),
 *   mcu.flash.erase, mcu.flash.program fire when an operation starts.
 * - Option bytes: OPTKEYR unlock, OPTCR loaded from the option bytes at
 *   reset, OPTSTRT programs them (busy for the x32 16 KiB sector erase time,
 *   an assumption: the datasheet gives no figure) and
 *   the new write protection applies when it ends; RDP from level 1 back to
 *   level 0 mass-erases the array.
 * Every change of the array invalidates decoded code.
 *
 * ART accelerator approximation: wait states per flash access are LATENCY
 * with caches and prefetch off, LATENCY/2 with prefetch only, none with the
 * instruction and data caches on (loops then hit).
 * Not modelled: read protection levels' effect on debug access (RDP is
 * stored), PCROP (not on this part), the x64 requirement of an external
 * VPP, option bytes across runs (--flash saves the main array only).
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_flash.h"
#include "sim/log.h"

REG32(ACR, 0x00)
FIELD(ACR, LATENCY, 0, 3)      /* wait states */
FIELD(ACR, PRFTEN, 8, 1)       /* prefetch */
FIELD(ACR, ICEN, 9, 1)         /* instruction cache */
FIELD(ACR, DCEN, 10, 1)        /* data cache */
FIELD(ACR, ICRST, 11, 1)       /* instruction cache reset (only while ICEN = 0) */
FIELD(ACR, DCRST, 12, 1)       /* data cache reset (only while DCEN = 0) */
REG32(KEYR, 0x04)
REG32(OPTKEYR, 0x08)
REG32(SR, 0x0C)
FIELD(SR, EOP, 0, 1)           /* end of operation (rc_w1) */
FIELD(SR, OPERR, 1, 1)         /* operation error (rc_w1; SOP in ST's header) */
FIELD(SR, WRPERR, 4, 1)        /* write protection error (rc_w1) */
FIELD(SR, PGAERR, 5, 1)        /* programming alignment error (rc_w1) */
FIELD(SR, PGPERR, 6, 1)        /* programming parallelism error (rc_w1) */
FIELD(SR, PGSERR, 7, 1)        /* programming sequence error (rc_w1) */
FIELD(SR, BSY, 16, 1)          /* busy (ro) */
REG32(CR, 0x10)
FIELD(CR, PG, 0, 1)            /* programming */
FIELD(CR, SER, 1, 1)           /* sector erase */
FIELD(CR, MER, 2, 1)           /* mass erase */
FIELD(CR, SNB, 3, 5)           /* sector number (0..11 on this part) */
FIELD(CR, PSIZE, 8, 2)         /* parallelism x8 x16 x32 x64 */
FIELD(CR, STRT, 16, 1)         /* start erase (set-only) */
FIELD(CR, EOPIE, 24, 1)        /* end of operation interrupt */
FIELD(CR, ERRIE, 25, 1)        /* error interrupt */
FIELD(CR, LOCK, 31, 1)         /* lock (set-only) */
REG32(OPTCR, 0x14)
FIELD(OPTCR, OPTLOCK, 0, 1)    /* option lock (set-only) */
FIELD(OPTCR, OPTSTRT, 1, 1)    /* option start (set-only) */
FIELD(OPTCR, BOR_LEV, 2, 2)
FIELD(OPTCR, WDG_SW, 5, 1)     /* 1 = software watchdog */
FIELD(OPTCR, NRST_STOP, 6, 1)
FIELD(OPTCR, NRST_STDBY, 7, 1)
FIELD(OPTCR, RDP, 8, 8)        /* read protection: 0xAA level 0, 0xCC level 2 */
FIELD(OPTCR, NWRP, 16, 12)     /* sector i write-protected when bit i is 0 */

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu
#define SR_ERRORS (R_SR_OPERR_MASK | R_SR_WRPERR_MASK | R_SR_PGAERR_MASK | R_SR_PGPERR_MASK | \
                   R_SR_PGSERR_MASK)
#define OPTCR_BYTES_MASK 0x0FFFFFECu   /* what the option bytes hold */
#define OTP_LOCK_OFF 0x200u            /* lock bytes, one per 32-byte block */
#define RDP_LEVEL0 0xAAu
#define RDP_LEVEL2 0xCCu

static void acr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void keyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void optkeyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void optcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t flash_regs[FLASH_NREGS] = {
    [FLASH_ACR] = { "ACR", A_ACR, 0, 0x00001F07, .post_write = acr_written },
    [FLASH_KEYR] = { "KEYR", A_KEYR, 0, 0, .wo_mask = 0xFFFFFFFF, .post_write = keyr_written },
    [FLASH_OPTKEYR] = { "OPTKEYR", A_OPTKEYR, 0, 0, .wo_mask = 0xFFFFFFFF,
                        .post_write = optkeyr_written },
    [FLASH_SR] = { "SR", A_SR, 0, 0, .w1c_mask = R_SR_EOP_MASK | SR_ERRORS, .post_write = sr_written },
    [FLASH_CR] = { "CR", A_CR, 0x80000000, 0x030103FF, .post_write = cr_written },
    [FLASH_OPTCR] = { "OPTCR", A_OPTCR, 0x0FFFAAED, OPTCR_BYTES_MASK, .post_write = optcr_written },
};

static const uint32_t sector_kib[12] = { 16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128 };

/* Typical and maximum times, ms, by PSIZE (x8, x16, x32; x64 as x32) and
 * size (16 KiB, 64 KiB, 128 KiB, mass). */
static const uint32_t erase_ms[2][3][4] = {
    { { 400, 1200, 2000, 16000 }, { 300, 700, 1300, 11000 }, { 250, 550, 1000, 8000 } },
    { { 800, 2400, 4000, 32000 }, { 600, 1400, 2600, 22000 }, { 500, 1100, 2000, 16000 } },
};
static const sim_time_t program_ns[2] = { SIM_US(16), SIM_US(100) };

static uint32_t sector_base(unsigned n)
{
    uint32_t off = 0;
    for (unsigned k = 0; k < n && k < 12; k++)
        off += sector_kib[k] << 10;
    return off;
}

static unsigned sector_of(uint32_t off)
{
    unsigned k = 0;
    while (k < 11 && off >= sector_base(k + 1))
        k++;
    return k;
}

/* Write protection as loaded from the option bytes. */
static bool sector_protected(const stm32f4_flash_t *s, unsigned sector)
{
    return !((rd_le16(s->optbytes + 8) >> sector) & 1);
}

static void update_irq(stm32f4_flash_t *s)
{
    uint32_t sr = s->r[FLASH_SR], cr = s->r[FLASH_CR];
    bool on = ((sr & R_SR_EOP_MASK) && (cr & R_CR_EOPIE_MASK)) ||
              ((sr & SR_ERRORS) && (cr & R_CR_ERRIE_MASK));
    irq_set(&s->irq, on);
}

static void error(stm32f4_flash_t *s, uint32_t bit, const char *why)
{
    s->r[FLASH_SR] |= bit;
    if ((bit & (R_SR_PGAERR_MASK | R_SR_PGPERR_MASK | R_SR_WRPERR_MASK)) &&
        (s->r[FLASH_CR] & R_CR_ERRIE_MASK))
        s->r[FLASH_SR] |= R_SR_OPERR_MASK;
    log_once(LOG_GUEST_ERROR, "flash", bit, "%s", why);
    update_irq(s);
}

/* ---- wait states ---- */

static void check_latency(stm32f4_flash_t *s)
{
    uint64_t hclk = clock_hz(s->hclk);
    unsigned lat = FIELD_EX32(s->r[FLASH_ACR], ACR, LATENCY);
    unsigned need = hclk ? (unsigned)((hclk - 1) / 30000000u) : 0; /* 30 MHz per wait state at 2.7-3.6 V */
    if (lat < need)
        log_once(LOG_GUEST_ERROR, "flash", 0x100 + need, "flash LATENCY %u is too low for HCLK %llu Hz "
                 "(needs %u at 2.7-3.6 V): real silicon would read wrong data", lat,
                 (unsigned long long)hclk, need);
}

static void apply_wait_states(stm32f4_flash_t *s)
{
    uint32_t acr = s->r[FLASH_ACR];
    unsigned lat = FIELD_EX32(acr, ACR, LATENCY);
    bool prft = acr & R_ACR_PRFTEN_MASK, ic = acr & R_ACR_ICEN_MASK, dc = acr & R_ACR_DCEN_MASK;
    unsigned ws = (ic && dc) ? 0 : prft ? lat / 2 : lat;
    if (s->region)
        bus_region_set_wait_states(s->region, ws);
    if (s->alias)
        bus_region_set_wait_states(s->alias, ws);
}

static void hclk_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    (void)old_hz;
    (void)new_hz;
    check_latency(opaque);
}

static void acr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t acr = s->r[FLASH_ACR];
    /* a cache can be reset only while it is off */
    if ((old & R_ACR_ICEN_MASK) && (acr & R_ACR_ICEN_MASK))
        acr = (acr & ~R_ACR_ICRST_MASK) | (old & R_ACR_ICRST_MASK);
    if ((old & R_ACR_DCEN_MASK) && (acr & R_ACR_DCEN_MASK))
        acr = (acr & ~R_ACR_DCRST_MASK) | (old & R_ACR_DCRST_MASK);
    s->r[FLASH_ACR] = acr;
    apply_wait_states(s);
    check_latency(s);
}

/* ---- operations ---- */

static void set_direct(stm32f4_flash_t *s, bool direct)
{
    if (s->region)
        bus_region_set_direct(s->region, direct);
    if (s->alias)
        bus_region_set_direct(s->alias, direct);
}

static void notify_change(stm32f4_flash_t *s)
{
    bus_notify_write(s->bus, s->op_bus_addr, s->op_len);
    if (s->op_mem == s->mem)
        bus_notify_write(s->bus, s->op_off, s->op_len); /* the boot alias at 0 */
}

static void program_bits(stm32f4_flash_t *s, double p)
{
    uint8_t *d = s->op_mem + s->op_off;
    for (unsigned k = 0; k < s->op_len; k++) {
        uint8_t want = d[k] & (uint8_t)(s->op_data >> (8 * k));
        uint8_t clear = d[k] & ~want;   /* bits to bring to 0 */
        if (p < 1.0)
            for (unsigned b = 0; b < 8; b++)
                if (((clear >> b) & 1) && !rng_chance(&s->rng, p))
                    clear &= (uint8_t)~(1u << b);
        d[k] &= (uint8_t)~clear;
    }
}

static void erase_bytes(stm32f4_flash_t *s, double p)
{
    uint8_t *d = s->op_mem + s->op_off;
    if (p >= 1.0) {
        memset(d, 0xFF, s->op_len);
        return;
    }
    uint64_t full = (uint64_t)(p * 4294967296.0), weak = (uint64_t)(p * 65536.0);
    for (uint32_t k = 0; k < s->op_len; k++) {
        uint64_t u = rng_next(&s->rng);
        if ((u & 0xFFFFFFFFu) < full)
            d[k] = 0xFF;
        else if (((u >> 48) & 0xFFFF) < weak)
            d[k] |= (uint8_t)(u >> 32) & (uint8_t)(u >> 40);
    }
}

static void write_option_bytes(stm32f4_flash_t *s)
{
    uint32_t optcr = s->r[FLASH_OPTCR];
    unsigned old_rdp = s->optbytes[1], rdp = FIELD_EX32(optcr, OPTCR, RDP);
    wr_le16(s->optbytes + 0, (uint16_t)((optcr & 0xFFEC) | 1u));
    wr_le16(s->optbytes + 8, (uint16_t)FIELD_EX32(optcr, OPTCR, NWRP));
    if (old_rdp != RDP_LEVEL0 && rdp == RDP_LEVEL0) {
        log_msg(LOG_INFO, "flash", "read protection back to level 0: the flash is mass-erased");
        memset(s->mem, 0xFF, STM32F4_FLASH_SIZE);
        bus_notify_write(s->bus, STM32F4_FLASH_BASE, STM32F4_FLASH_SIZE);
        bus_notify_write(s->bus, 0, STM32F4_FLASH_SIZE);
    }
    if (rdp == RDP_LEVEL2)
        log_once(LOG_UNIMP, "flash", 0x200, "read protection level 2 programmed: its debug lock-out "
                 "is not modelled");
}

/* Apply the operation's effect; p < 1 for one cut short. */
static void apply(stm32f4_flash_t *s, double p)
{
    switch (s->op) {
    case FLASH_OP_PROGRAM:
        program_bits(s, p);
        notify_change(s);
        break;
    case FLASH_OP_ERASE:
        erase_bytes(s, p);
        notify_change(s);
        break;
    case FLASH_OP_OPTION:
        if (p >= 1.0)
            write_option_bytes(s);
        else
            log_msg(LOG_INFO, "flash", "option byte programming interrupted: option bytes unchanged");
        break;
    default:
        break;
    }
}

static void end_op(stm32f4_flash_t *s)
{
    sched_cancel(s->sched, &s->done_event);
    s->op = FLASH_OP_NONE;
    s->r[FLASH_SR] &= ~R_SR_BSY_MASK;
    s->r[FLASH_CR] &= ~R_CR_STRT_MASK;
    s->r[FLASH_OPTCR] &= ~R_OPTCR_OPTSTRT_MASK;
    set_direct(s, true);
}

static void complete(stm32f4_flash_t *s)
{
    if (!s->op)
        return;
    apply(s, 1.0);
    end_op(s);
    if (s->r[FLASH_CR] & R_CR_EOPIE_MASK)
        s->r[FLASH_SR] |= R_SR_EOP_MASK;
    update_irq(s);
}

static void done_event(void *opaque)
{
    complete(opaque);
}

/* The core waits on the bus until the operation ends: its clock jumps to
 * the end, and the operation completes in order with every other event
 * (done_event), so a power cut or reset that comes first still finds it
 * running. The access that stalled ends the CPU's slice, the scheduler
 * catches up before the next instruction. */
static void stall_until_done(stm32f4_flash_t *s)
{
    if (s->op)
        cpu_sync_to_time(s->cpu, s->op_end);
}

/* What a read stalled behind the operation returns: the array as the
 * operation leaves it. */
static uint32_t read_after_op(const stm32f4_flash_t *s, const uint8_t *mem, uint32_t off,
                              unsigned size)
{
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        uint32_t o = off + k;
        uint8_t b = mem[o];
        if (s->op && mem == s->op_mem && o >= s->op_off && o < s->op_off + s->op_len) {
            if (s->op == FLASH_OP_ERASE)
                b = 0xFF;
            else if (s->op == FLASH_OP_PROGRAM)
                b &= (uint8_t)(s->op_data >> (8 * (o - s->op_off)));
        }
        v |= (uint32_t)b << (8 * k);
    }
    return v;
}

static void program(stm32f4_flash_t *s, bool otp, uint32_t off, unsigned size, uint32_t v);
static void reg_write(stm32f4_flash_t *s, uint32_t off, unsigned size, uint32_t v);

static void apply_deferred(stm32f4_flash_t *s)
{
    enum flash_deferred kind = s->deferred;
    s->deferred = FLASH_DEFER_NONE;
    sched_cancel(s->sched, &s->deferred_ev);
    if (kind == FLASH_DEFER_REG)
        reg_write(s, s->deferred_off, s->deferred_size, s->deferred_value);
    else if (kind != FLASH_DEFER_NONE)
        program(s, kind == FLASH_DEFER_OTP, s->deferred_off, s->deferred_size, s->deferred_value);
}

static void deferred_event(void *opaque)
{
    apply_deferred(opaque);
}

/* A write that waits for the operation happens when the operation ends
 * (deferred_ev runs right after done_event at the same time). Returns false
 * when it could not wait (a second such write in one instruction): the
 * caller then performs it at once, after completing the operation. */
static bool defer_write(stm32f4_flash_t *s, enum flash_deferred kind, uint32_t off, unsigned size,
                        uint32_t v)
{
    if (s->deferred) {
        complete(s);
        apply_deferred(s);
        return false;
    }
    stall_until_done(s);
    s->deferred = kind;
    s->deferred_off = off;
    s->deferred_size = size;
    s->deferred_value = v;
    sched_at(s->sched, &s->deferred_ev, s->op_end);
    return true;
}

static void start_op(stm32f4_flash_t *s, enum flash_op_kind kind, uint8_t *mem, uint32_t bus_base,
                     uint32_t off, uint32_t len, uint64_t data, sim_time_t duration)
{
    s->op = kind;
    s->op_mem = mem;
    s->op_off = off;
    s->op_len = len;
    s->op_data = data;
    s->op_bus_addr = bus_base + off;
    s->op_start = s->sched->now;
    s->op_end = s->op_start + duration;
    s->r[FLASH_SR] |= R_SR_BSY_MASK;
    set_direct(s, false);
    sched_at(s->sched, &s->done_event, s->op_end);
    if (kind == FLASH_OP_PROGRAM) {
        s->programs++;
        probe_hit(&s->probe_program);
        probe_hit(&s->probe_op);
    } else if (kind == FLASH_OP_ERASE) {
        s->erases++;
        probe_hit(&s->probe_erase);
        probe_hit(&s->probe_op);
    }
}

static sim_time_t erase_time(const stm32f4_flash_t *s, uint32_t kib, bool mass)
{
    unsigned psize = FIELD_EX32(s->r[FLASH_CR], CR, PSIZE);
    unsigned size = mass ? 3 : kib <= 16 ? 0 : kib <= 64 ? 1 : 2;
    return SIM_MS(erase_ms[s->timing_max][psize > 2 ? 2 : psize][size]);
}

static void start_erase(stm32f4_flash_t *s)
{
    uint32_t cr = s->r[FLASH_CR];
    bool ser = cr & R_CR_SER_MASK, mer = cr & R_CR_MER_MASK;
    unsigned snb = FIELD_EX32(cr, CR, SNB);
    if (ser == mer) {
        error(s, R_SR_PGSERR_MASK, ser ? "erase started with both SER and MER (PGSERR)"
                                       : "STRT set without SER or MER (PGSERR)");
        return;
    }
    if (ser && snb > 11) {
        error(s, R_SR_PGSERR_MASK, "sector erase of a sector above 11 (PGSERR)");
        return;
    }
    for (unsigned k = ser ? snb : 0; k <= (ser ? snb : 11u); k++) {
        if (sector_protected(s, k)) {
            error(s, R_SR_WRPERR_MASK, "erase of a write-protected sector (WRPERR)");
            return;
        }
    }
    uint32_t off = ser ? sector_base(snb) : 0;
    uint32_t len = ser ? sector_kib[snb] << 10 : STM32F4_FLASH_SIZE;
    start_op(s, FLASH_OP_ERASE, s->mem, STM32F4_FLASH_BASE, off, len, 0,
             erase_time(s, ser ? sector_kib[snb] : 1024, mer));
}

/* A store to the main array (otp = false) or the OTP area. */
static void program(stm32f4_flash_t *s, bool otp, uint32_t off, unsigned size, uint32_t v)
{
    uint32_t cr = s->r[FLASH_CR];
    if ((cr & R_CR_LOCK_MASK) || !(cr & R_CR_PG_MASK) || (cr & (R_CR_SER_MASK | R_CR_MER_MASK))) {
        error(s, R_SR_PGSERR_MASK, "store to flash while not set up for programming (PGSERR): "
              "data dropped");
        return;
    }
    if (s->op && defer_write(s, otp ? FLASH_DEFER_OTP : FLASH_DEFER_MAIN, off, size, v))
        return;
    unsigned psize = FIELD_EX32(cr, CR, PSIZE);
    uint64_t data = v;
    if (psize == 3) {
        /* x64: a double word arrives as two word writes */
        if (size != 4) {
            error(s, R_SR_PGPERR_MASK, "x64 programming takes word writes (PGPERR)");
            return;
        }
        if (!s->half_pending) {
            if (off & 7) {
                error(s, R_SR_PGAERR_MASK, "x64 programming starts on a double word (PGAERR)");
                return;
            }
            s->half_pending = true;
            s->half_addr = off;
            s->half_data = v;
            return;
        }
        s->half_pending = false;
        if (off != s->half_addr + 4) {
            error(s, R_SR_PGAERR_MASK, "x64 programming: the second word does not follow the first "
                  "(PGAERR)");
            return;
        }
        data = s->half_data | ((uint64_t)v << 32);
        off = s->half_addr;
        size = 8;
    } else if (size != (1u << psize)) {
        error(s, R_SR_PGPERR_MASK, "program width does not match PSIZE (PGPERR): data dropped");
        return;
    }
    if ((off & 15) + size > 16) {
        error(s, R_SR_PGAERR_MASK, "program data crosses a 128-bit row (PGAERR): data dropped");
        return;
    }
    if (otp ? s->otp[OTP_LOCK_OFF + off / 32] == 0x00 : sector_protected(s, sector_of(off))) {
        error(s, R_SR_WRPERR_MASK, otp ? "program of a locked OTP block (WRPERR)"
                                       : "program of a write-protected sector (WRPERR)");
        return;
    }
    start_op(s, FLASH_OP_PROGRAM, otp ? s->otp : s->mem, otp ? STM32F4_OTP_BASE : STM32F4_FLASH_BASE,
             off, size, data, program_ns[s->timing_max]);
}

/* ---- registers ---- */

static void keyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    (void)old;
    if (s->locked_out)
        return;
    if (s->key_state == 0 && written == KEY1) {
        s->key_state = 1;
        return;
    }
    if (s->key_state == 1 && written == KEY2) {
        s->key_state = 0;
        s->r[FLASH_CR] &= ~R_CR_LOCK_MASK;
        return;
    }
    s->key_state = 0;
    s->locked_out = true;
    log_msg(LOG_GUEST_ERROR, "flash", "wrong FLASH_KEYR sequence: bus error, FLASH_CR locked until reset");
}

static void optkeyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    (void)old;
    if (s->optkey_state == 0 && written == OPTKEY1) {
        s->optkey_state = 1;
    } else if (s->optkey_state == 1 && written == OPTKEY2) {
        s->optkey_state = 0;
        s->r[FLASH_OPTCR] &= ~R_OPTCR_OPTLOCK_MASK;
    } else {
        s->optkey_state = 0;
        log_once(LOG_GUEST_ERROR, "flash", 0x300, "wrong FLASH_OPTKEYR sequence");
    }
}

static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    update_irq(dev);
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    if (old & R_CR_LOCK_MASK) {
        s->r[FLASH_CR] = old; /* locked: writes are ignored */
        return;
    }
    uint32_t cr = s->r[FLASH_CR];
    if (written & R_CR_LOCK_MASK)
        cr |= R_CR_LOCK_MASK;
    if (!(cr & R_CR_PG_MASK))
        s->half_pending = false;
    cr |= old & R_CR_STRT_MASK; /* set-only */
    s->r[FLASH_CR] = cr;
    if ((written & R_CR_STRT_MASK) && !(old & R_CR_STRT_MASK)) {
        if (cr & R_CR_LOCK_MASK)
            return;
        s->r[FLASH_CR] |= R_CR_STRT_MASK;
        start_erase(s);
        if (!s->op)
            s->r[FLASH_CR] &= ~R_CR_STRT_MASK;
    }
    update_irq(s);
}

static void optcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    if (old & R_OPTCR_OPTLOCK_MASK) {
        s->r[FLASH_OPTCR] = old;
        return;
    }
    uint32_t v = s->r[FLASH_OPTCR] | (written & R_OPTCR_OPTLOCK_MASK) | (old & R_OPTCR_OPTSTRT_MASK);
    s->r[FLASH_OPTCR] = v;
    if ((written & R_OPTCR_OPTSTRT_MASK) && !s->op && !(v & R_OPTCR_OPTLOCK_MASK)) {
        s->r[FLASH_OPTCR] |= R_OPTCR_OPTSTRT_MASK;
        start_op(s, FLASH_OP_OPTION, s->optbytes, STM32F4_OPTBYTES_BASE, 0, 16, 0,
                 SIM_MS(erase_ms[s->timing_max][2][0]));
    }
}

static int flash_reg_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_flash_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static void reg_write(stm32f4_flash_t *s, uint32_t off, unsigned size, uint32_t v)
{
    regs_write(&s->regs, off, size, v);
}

static int flash_reg_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_flash_t *s = dev;
    uint32_t reg = off & ~3u;
    /* CR and OPTCR writes wait for the operation (RM0090 3.9) */
    if ((reg == A_CR || reg == A_OPTCR) && s->op && defer_write(s, FLASH_DEFER_REG, off, size, v))
        return 0;
    reg_write(s, off, size, v);
    /* a wrong key is a bus error (RM0090 3.5.1), and so is every key after it */
    return reg == A_KEYR && s->locked_out;
}

const bus_ops_t stm32f4_flash_ops = { flash_reg_read, flash_reg_write };

/* ---- the arrays on the bus ---- */

static int array_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_flash_t *s = dev;
    *v = read_after_op(s, s->mem, off, size);
    stall_until_done(s); /* the AHB stalls while the array is busy */
    return 0;
}

static int array_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    program(dev, false, off, size, v);
    return 0;
}

static const bus_ops_t array_ops = { array_read, array_write };

static int otp_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_flash_t *s = dev;
    *v = read_after_op(s, s->otp, off, size);
    stall_until_done(s);
    return 0;
}

static int otp_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_flash_t *s = dev;
    if (off + size > STM32F4_OTP_SIZE) {
        log_once(LOG_GUEST_ERROR, "flash", 0x400, "store to the device ID area at 0x%08x: ignored "
                 "(read-only)", STM32F4_OTP_BASE + off);
        return 0;
    }
    program(s, true, off, size, v);
    return 0;
}

static const bus_ops_t otp_ops = { otp_read, otp_write };

/* sector_kib as runs, for the debugger's memory map */
static const bus_flash_geom_t flash_geom = {
    3, { { 16u << 10, 4 }, { 64u << 10, 1 }, { 128u << 10, 7 } }
};

bool stm32f4_flash_map(stm32f4_flash_t *s, bus_t *bus)
{
    s->region = bus_map_rom(bus, "flash", STM32F4_FLASH_BASE, STM32F4_FLASH_SIZE, s->mem,
                            &array_ops, s, 0, 0);
    if (s->region)
        s->region->erase_geom = &flash_geom;
    bus_region_t *otp = bus_map_rom(bus, "otp/uid", STM32F4_OTP_BASE, 0x400, s->otp, &otp_ops, s, 0, 0);
    return s->region && otp;
}

/* ---- controls ---- */

static int set_timing(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f4_flash_t *s = dev;
    (void)name;
    return stm32f4_control_timing(value, &s->timing_max, err, errlen);
}

static int set_holdup(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f4_flash_t *s = dev;
    double us;
    (void)name;
    if (stm32f4_control_number(value, 0, 1e6, &us, err, errlen))
        return -1;
    s->holdup_ns = (sim_time_t)(us * 1000.0);
    return 0;
}

void stm32f4_flash_default_optbytes(uint8_t *optbytes)
{
    memset(optbytes, 0xFF, 0x400);
    wr_le16(optbytes + 0, 0xAAED);  /* RDP level 0, USER: BOR off, software watchdog */
    wr_le16(optbytes + 8, 0x0FFF);  /* nWRP: no sector protected */
}

void stm32f4_flash_init(stm32f4_flash_t *s, const stm32f4_ctx_t *ctx, uint8_t *mem, uint8_t *otp,
                        uint8_t *optbytes)
{
    memset(s, 0, sizeof *s);
    s->mem = mem;
    s->otp = otp;
    s->optbytes = optbytes;
    s->sched = ctx->sched;
    s->cpu = ctx->cpu;
    s->bus = ctx->bus;
    s->hclk = ctx->hclk;
    s->holdup_ns = SIM_US(50);
    char name[64];
    snprintf(name, sizeof name, "%s.flash", ctx->inst);
    machine_rng(ctx->m, name, &s->rng);
    clock_listen(ctx->hclk, hclk_changed, s);
    irq_init(&s->irq, "flash");
    sched_event_init(&s->done_event, "flash.done", done_event, s);
    sched_event_init(&s->deferred_ev, "flash.deferred-write", deferred_event, s);
    regs_init(&s->regs, "flash", flash_regs, FLASH_NREGS, s->r, s);
    machine_add_probe(ctx->m, ctx->inst, "flash.op", "a flash program or erase operation starts",
                      &s->probe_op);
    machine_add_probe(ctx->m, ctx->inst, "flash.erase", "a flash sector or mass erase starts",
                      &s->probe_erase);
    machine_add_probe(ctx->m, ctx->inst, "flash.program", "a flash program operation starts",
                      &s->probe_program);
    machine_add_control(ctx->m, ctx->inst, "flash.timing",
                        "\"typical\" or \"max\": datasheet flash program/erase times", set_timing, s);
    machine_add_control(ctx->m, ctx->inst, "flash.holdup_us",
                        "supply hold-up after a power cut, us: flash operations go on for part of it",
                        set_holdup, s);
}

void stm32f4_flash_reset(stm32f4_flash_t *s, bool power_cut)
{
    /* a write waiting on the bus never happens: the core stopped */
    s->deferred = FLASH_DEFER_NONE;
    sched_cancel(s->sched, &s->deferred_ev);
    if (s->op) {
        sim_time_t dur = s->op_end - s->op_start, done = s->sched->now - s->op_start;
        if (power_cut)
            done += (sim_time_t)rng_below(&s->rng, s->holdup_ns + 1);
        double p = dur ? (double)done / (double)dur : 1.0;
        s->interrupted++;
        log_msg(LOG_INFO, "flash", "%s interrupted at %.1f%% by a %s", s->op == FLASH_OP_ERASE ? "erase"
                : s->op == FLASH_OP_PROGRAM ? "program" : "option byte programming",
                (p > 1 ? 1 : p) * 100.0, power_cut ? "power cut" : "reset");
        apply(s, p > 1 ? 1.0 : p);
        end_op(s);
    }
    if (power_cut)
        return; /* the registers come back with the power */
    regs_reset(&s->regs);
    s->r[FLASH_OPTCR] = (rd_le16(s->optbytes + 0) & 0xFFECu) |
                        ((uint32_t)(rd_le16(s->optbytes + 8) & 0xFFFu) << 16) | R_OPTCR_OPTLOCK_MASK;
    s->key_state = s->optkey_state = 0;
    s->locked_out = false;
    s->half_pending = false;
    apply_wait_states(s);
    update_irq(s);
}

bool stm32f4_flash_hw_watchdog(const stm32f4_flash_t *s)
{
    return !(rd_le16(s->optbytes + 0) & R_OPTCR_WDG_SW_MASK);
}

bool stm32f4_flash_reset_on_stop(const stm32f4_flash_t *s)
{
    return !(rd_le16(s->optbytes + 0) & R_OPTCR_NRST_STOP_MASK);
}

bool stm32f4_flash_reset_on_standby(const stm32f4_flash_t *s)
{
    return !(rd_le16(s->optbytes + 0) & R_OPTCR_NRST_STDBY_MASK);
}

bool stm32f4_flash_busy(const stm32f4_flash_t *s)
{
    return s->op != FLASH_OP_NONE;
}
