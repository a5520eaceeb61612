/*
 * STM32F4 embedded flash and its interface (RM0090 section 3.5-3.9; facts in
 * the STM32F407 fact sheet, section 2.3).
 *
 * Modelled: ACR latency turned into bus wait states (see below), the KEYR
 * unlock sequence with lock-out until reset and a bus error on a wrong key,
 * OPTKEYR/OPTCR, programming by PSIZE (bits only go 1 -> 0; wrong width
 * PGPERR, write while not programming PGSERR, data dropped), sector and mass
 * erase with busy times in virtual time, EOP (only with EOPIE) and error
 * flags, the FLASH interrupt, and a read of the array while an erase runs
 * stalling the core until the erase completes. Every change of the array
 * invalidates decoded code.
 *
 * Timing: word program 16 us; erase x32 16 KiB 250 ms, 64 KiB 550 ms,
 * 128 KiB 1 s, mass 8 s; x16 and x8 scale as the fact sheet's table (typical
 * values from the STM32F405/407 datasheet, DS8626). The ART accelerator is
 * approximated by the wait states charged per 16-byte line fetch and per data
 * read: LATENCY with caches and prefetch off, half of it with prefetch only,
 * none when the instruction and data caches are on (loops then hit).
 * Programs do not stall reads (16 us); option bytes are not persisted.
 */
#include <string.h>
#include "stm32f4_flash.h"
#include "sim/log.h"

REG32(ACR, 0x00)
REG32(KEYR, 0x04)
REG32(OPTKEYR, 0x08)
REG32(SR, 0x0C)
REG32(CR, 0x10)
REG32(OPTCR, 0x14)

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_BSY (1u << 16)
#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_ERRIE (1u << 25)
#define CR_LOCK (1u << 31)

static void acr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void keyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void optkeyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void optcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t flash_regs[FLASH_NREGS] = {
    [FLASH_ACR] = { "ACR", A_ACR, 0, 0x00000707, .wo_mask = 0x1800, .post_write = acr_written },
    [FLASH_KEYR] = { "KEYR", A_KEYR, 0, 0, .wo_mask = 0xFFFFFFFF, .post_write = keyr_written },
    [FLASH_OPTKEYR] = { "OPTKEYR", A_OPTKEYR, 0, 0, .wo_mask = 0xFFFFFFFF, .post_write = optkeyr_written },
    [FLASH_SR] = { "SR", A_SR, 0, 0, .w1c_mask = 0xF3, .post_write = sr_written },
    [FLASH_CR] = { "CR", A_CR, 0x80000000, 0x030103FF, .post_write = cr_written },
    [FLASH_OPTCR] = { "OPTCR", A_OPTCR, 0x0FFFAAED, 0x0FFFFFEC, .post_write = optcr_written },
};

static const uint32_t sector_kib[12] = { 16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128 };

static uint32_t sector_base(unsigned n)
{
    uint32_t off = 0;
    for (unsigned k = 0; k < n && k < 12; k++)
        off += sector_kib[k] << 10;
    return off;
}

static void update_irq(stm32f4_flash_t *s)
{
    uint32_t sr = s->r[FLASH_SR], cr = s->r[FLASH_CR];
    bool on = ((sr & SR_EOP) && (cr & CR_EOPIE)) ||
              ((sr & (SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_PGSERR)) && (cr & CR_ERRIE));
    irq_set(&s->irq, on);
}

static void error(stm32f4_flash_t *s, uint32_t bit, const char *why)
{
    s->r[FLASH_SR] |= bit;
    log_once(LOG_GUEST_ERROR, "flash", bit, "%s", why);
    update_irq(s);
}

static void acr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    uint32_t acr = s->r[FLASH_ACR], lat = acr & 7;
    bool prft = acr & (1u << 8), ic = acr & (1u << 9), dc = acr & (1u << 10);
    unsigned ws = (ic && dc) ? 0 : prft ? lat / 2 : lat;
    if (s->region)
        bus_region_set_wait_states(s->region, ws);
    if (s->alias)
        bus_region_set_wait_states(s->alias, ws);
}

static void keyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    (void)old;
    if (s->locked_out)
        return;
    if (s->key_state == 0 && written == 0x45670123u) {
        s->key_state = 1;
        return;
    }
    if (s->key_state == 1 && written == 0xCDEF89ABu) {
        s->key_state = 0;
        s->r[FLASH_CR] &= ~CR_LOCK;
        return;
    }
    s->key_state = 0;
    s->locked_out = true;
    s->r[FLASH_CR] |= CR_LOCK;
    log_msg(LOG_GUEST_ERROR, "flash", "wrong KEYR sequence: FLASH_CR locked until reset");
}

static void optkeyr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    (void)old;
    if (s->optkey_state == 0 && written == 0x08192A3Bu) {
        s->optkey_state = 1;
    } else if (s->optkey_state == 1 && written == 0x4C5D6E7Fu) {
        s->optkey_state = 0;
        s->r[FLASH_OPTCR] &= ~1u;
    } else {
        s->optkey_state = 0;
    }
}

static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    update_irq(dev);
}

static void set_busy(stm32f4_flash_t *s, sim_time_t dur)
{
    s->busy = true;
    s->busy_until = s->sched->now + dur;
    s->r[FLASH_SR] |= SR_BSY;
    sched_at(s->sched, &s->done_event, s->busy_until);
}

static void finish(stm32f4_flash_t *s)
{
    if (!s->busy)
        return;
    sched_cancel(s->sched, &s->done_event);
    s->busy = false;
    if (s->erase_len) {
        memset(s->mem + s->erase_addr, 0xFF, s->erase_len);
        bus_notify_write(s->cpu->bus, STM32F4_FLASH_BASE + s->erase_addr, s->erase_len);
        bus_notify_write(s->cpu->bus, s->erase_addr, s->erase_len);
        s->erase_len = 0;
        if (s->region)
            bus_region_set_direct(s->region, true);
        if (s->alias)
            bus_region_set_direct(s->alias, true);
    }
    s->r[FLASH_SR] &= ~SR_BSY;
    s->r[FLASH_CR] &= ~CR_STRT;
    if (s->r[FLASH_CR] & CR_EOPIE)
        s->r[FLASH_SR] |= SR_EOP;
    update_irq(s);
}

static void done_event(void *opaque)
{
    finish(opaque);
}

static sim_time_t erase_time(const stm32f4_flash_t *s, uint32_t kib, bool mass)
{
    unsigned psize = (s->r[FLASH_CR] >> 8) & 3;
    /* milliseconds for x32; x16 and x8 take longer (DS8626) */
    uint64_t ms = mass ? 8000 : kib <= 16 ? 250 : kib <= 64 ? 550 : 1000;
    if (psize == 1)
        ms = mass ? 11000 : kib <= 16 ? 300 : kib <= 64 ? 700 : 1300;
    else if (psize == 0)
        ms = mass ? 16000 : kib <= 16 ? 400 : kib <= 64 ? 1200 : 2000;
    return SIM_MS(ms);
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    if (old & CR_LOCK) {
        /* locked: only the value it had (LOCK stays) */
        s->r[FLASH_CR] = old;
        return;
    }
    uint32_t cr = s->r[FLASH_CR];
    if (written & CR_LOCK)
        cr |= CR_LOCK;
    s->r[FLASH_CR] = cr;
    if ((written & CR_STRT) && !s->busy) {
        bool ser = cr & CR_SER, mer = cr & CR_MER;
        if (ser == mer) {
            error(s, SR_PGSERR, "erase started with neither or both of SER and MER");
            s->r[FLASH_CR] &= ~CR_STRT;
            return;
        }
        unsigned snb = (cr >> 3) & 0xF;
        if (ser && snb > 11) {
            error(s, SR_PGSERR, "sector number above 11");
            s->r[FLASH_CR] &= ~CR_STRT;
            return;
        }
        s->erase_addr = ser ? sector_base(snb) : 0;
        s->erase_len = ser ? sector_kib[snb] << 10 : STM32F4_FLASH_SIZE;
        s->erases++;
        /* Reads of the array now stall until the erase completes. */
        if (s->region)
            bus_region_set_direct(s->region, false);
        if (s->alias)
            bus_region_set_direct(s->alias, false);
        set_busy(s, erase_time(s, ser ? sector_kib[snb] : 1024, mer));
    }
}

static void optcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_flash_t *s = dev;
    (void)idx;
    if (old & 1) { /* OPTLOCK */
        s->r[FLASH_OPTCR] = old;
        return;
    }
    s->r[FLASH_OPTCR] = (s->r[FLASH_OPTCR] & ~1u) | (written & 1);
    if (written & 2)
        log_once(LOG_UNIMP, "flash", 2, "option bytes programmed (OPTSTRT): not kept across runs");
    s->r[FLASH_OPTCR] &= ~2u;
}

static int flash_reg_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_flash_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int flash_reg_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_flash_t *s = dev;
    if ((off & ~3u) == A_CR && s->busy) /* the write waits for the operation */
        finish(s);
    regs_write(&s->regs, off, size, v);
    /* a wrong key is a bus error (RM0090 3.5.1) */
    if ((off & ~3u) == A_KEYR && s->locked_out && v != 0)
        return 1;
    return 0;
}

const bus_ops_t stm32f4_flash_ops = { flash_reg_read, flash_reg_write };

/* Reads of the array while it is not directly readable (an erase runs). */
static int array_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_flash_t *s = dev;
    if (s->busy) {
        /* the AHB stalls: the core waits for the end of the operation */
        cpu_sync_to_time(s->cpu, s->busy_until);
        finish(s);
    }
    const uint8_t *p = s->mem + off;
    *v = size == 4 ? rd_le32(p) : size == 2 ? rd_le16(p) : p[0];
    return 0;
}

/* Stores to the array: programming. */
static int array_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_flash_t *s = dev;
    uint32_t cr = s->r[FLASH_CR];
    if ((cr & CR_LOCK) || !(cr & CR_PG)) {
        error(s, SR_PGSERR, "store to flash while not programming (PGSERR): data dropped");
        return 0;
    }
    if (s->busy)
        finish(s);
    static const unsigned width[4] = { 1, 2, 4, 4 }; /* x64 takes word pairs */
    unsigned psize = (cr >> 8) & 3;
    if (size != width[psize]) {
        error(s, SR_PGPERR, "program width does not match PSIZE (PGPERR)");
        return 0;
    }
    for (unsigned k = 0; k < size; k++)
        s->mem[off + k] &= (uint8_t)(v >> (8 * k));
    s->programs++;
    bus_notify_write(s->cpu->bus, STM32F4_FLASH_BASE + off, size);
    bus_notify_write(s->cpu->bus, off, size); /* the boot alias at 0 */
    set_busy(s, SIM_US(16));
    return 0;
}

static const bus_ops_t array_ops = { array_read, array_write };

bus_region_t *stm32f4_flash_map(stm32f4_flash_t *s, bus_t *bus)
{
    s->region = bus_map_rom(bus, "flash", STM32F4_FLASH_BASE, STM32F4_FLASH_SIZE, s->mem,
                            &array_ops, s, 0, 0);
    return s->region;
}

void stm32f4_flash_init(stm32f4_flash_t *s, const stm32f4_ctx_t *ctx, uint8_t *mem)
{
    memset(s, 0, sizeof *s);
    s->mem = mem;
    s->sched = ctx->sched;
    s->cpu = ctx->cpu;
    s->hclk = ctx->hclk;
    irq_init(&s->irq, "flash");
    sched_event_init(&s->done_event, "flash-done", done_event, s);
    regs_init(&s->regs, "flash", flash_regs, FLASH_NREGS, s->r, s);
}

void stm32f4_flash_reset(stm32f4_flash_t *s)
{
    if (s->busy)
        finish(s); /* a reset interrupts the operation; modelled as completed */
    regs_reset(&s->regs);
    s->key_state = s->optkey_state = 0;
    s->locked_out = false;
    acr_written(s, FLASH_ACR, 0, 0);
    irq_set(&s->irq, false);
}
