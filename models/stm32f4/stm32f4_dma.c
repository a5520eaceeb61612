/*
 * STM32F4 DMA1/DMA2 (RM0090 sections 10.3-10.5).
 *
 * Modelled: every register (LISR/HISR read-only, LIFCR/HIFCR write-1-to-
 * clear, per stream CR, NDTR, PAR, M0AR, M1AR, FCR with its reset value
 * 0x21); configuration writes are ignored while the stream is enabled
 * (except the idle memory address in double-buffer mode); a stream does not
 * enable while one of its status flags is still set (RM0090 10.3.17) and
 * that is logged; peripheral-to-memory and memory-to-peripheral transfers
 * driven by the peripherals' request lines (served while the request stays
 * asserted, one peripheral item at a time, through the bus so peripheral
 * registers see normal accesses); memory-to-memory on DMA2 runs when the
 * stream is enabled (DMA1 has no memory-to-memory path: transfer error);
 * PINC/MINC, PINCOS, PSIZE/MSIZE packing and unpacking through the FIFO
 * (direct mode uses PSIZE for both); circular mode; double-buffer mode with
 * CT toggling; HT and TC flags and interrupts; a bus error (TEIF) disabling
 * the stream; a stream disabled by software before the end sets TCIF; NDTR
 * counting down as items move; requests wait while the DMA clock is off.
 * Not modelled: transfer time (items move at once, so arbitration between
 * streams and burst sizes have no visible effect), FIFO thresholds (the
 * FIFO drains as soon as a memory word is complete), FIFO and direct-mode
 * errors (FEIF/DMEIF never set, as nothing here overruns), the peripheral
 * flow controller (PFCTRL, SDIO only: logged).
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_dma.h"
#include "sim/log.h"

REG32(LISR, 0x00)
REG32(HISR, 0x04)
REG32(LIFCR, 0x08)
REG32(HIFCR, 0x0C)
REG32(S0CR, 0x10)              /* streams at 0x10 + 0x18 * n */
FIELD(SCR, EN, 0, 1)
FIELD(SCR, DMEIE, 1, 1)
FIELD(SCR, TEIE, 2, 1)
FIELD(SCR, HTIE, 3, 1)
FIELD(SCR, TCIE, 4, 1)
FIELD(SCR, PFCTRL, 5, 1)
FIELD(SCR, DIR, 6, 2)          /* P2M, M2P, M2M */
FIELD(SCR, CIRC, 8, 1)
FIELD(SCR, PINC, 9, 1)
FIELD(SCR, MINC, 10, 1)
FIELD(SCR, PSIZE, 11, 2)
FIELD(SCR, MSIZE, 13, 2)
FIELD(SCR, PINCOS, 15, 1)
FIELD(SCR, PL, 16, 2)
FIELD(SCR, DBM, 18, 1)
FIELD(SCR, CT, 19, 1)
FIELD(SCR, CHSEL, 25, 3)
FIELD(SFCR, FTH, 0, 2)
FIELD(SFCR, DMDIS, 2, 1)       /* FIFO mode */
FIELD(SFCR, FS, 3, 3)          /* FIFO status (ro) */
FIELD(SFCR, FEIE, 7, 1)

/* Flag bit positions within a stream's 6-bit group. */
enum { FLAG_FE = 0, FLAG_DME = 2, FLAG_TE = 3, FLAG_HT = 4, FLAG_TC = 5 };
#define STREAM_FLAGS 0x3Du
static const unsigned flag_shift[4] = { 0, 6, 16, 22 };

static void isr_clear_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void scr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void config_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

#define DMA_STREAM_REGS(n)                                                                       \
    [DMA_REG(n, DMA_SCR)] = { "S" #n "CR", A_S0CR + 0x18 * (n), 0, 0x0FEFFFFF,                   \
                              .post_write = scr_written },                                       \
    [DMA_REG(n, DMA_SNDTR)] = { "S" #n "NDTR", A_S0CR + 0x18 * (n) + 0x04, 0, 0xFFFF,            \
                                .post_write = config_written },                                  \
    [DMA_REG(n, DMA_SPAR)] = { "S" #n "PAR", A_S0CR + 0x18 * (n) + 0x08, 0, 0xFFFFFFFF,          \
                               .post_write = config_written },                                   \
    [DMA_REG(n, DMA_SM0AR)] = { "S" #n "M0AR", A_S0CR + 0x18 * (n) + 0x0C, 0, 0xFFFFFFFF,        \
                                .post_write = config_written },                                  \
    [DMA_REG(n, DMA_SM1AR)] = { "S" #n "M1AR", A_S0CR + 0x18 * (n) + 0x10, 0, 0xFFFFFFFF,        \
                                .post_write = config_written },                                  \
    [DMA_REG(n, DMA_SFCR)] = { "S" #n "FCR", A_S0CR + 0x18 * (n) + 0x14, 0x21, 0x87,             \
                               .post_write = config_written },

static const reg_desc_t dma_regs[DMA_NREGS] = {
    [DMA_LISR] = { "LISR", A_LISR, 0, 0 },
    [DMA_HISR] = { "HISR", A_HISR, 0, 0 },
    [DMA_LIFCR] = { "LIFCR", A_LIFCR, 0, 0, .wo_mask = 0xFFFFFFFF, .post_write = isr_clear_written },
    [DMA_HIFCR] = { "HIFCR", A_HIFCR, 0, 0, .wo_mask = 0xFFFFFFFF, .post_write = isr_clear_written },
    DMA_STREAM_REGS(0) DMA_STREAM_REGS(1) DMA_STREAM_REGS(2) DMA_STREAM_REGS(3)
    DMA_STREAM_REGS(4) DMA_STREAM_REGS(5) DMA_STREAM_REGS(6) DMA_STREAM_REGS(7)
};

static uint32_t *sreg(stm32f4_dma_t *d, unsigned st, unsigned r)
{
    return &d->r[DMA_REG(st, r)];
}

static uint32_t flags_of(const stm32f4_dma_t *d, unsigned st)
{
    return (d->r[DMA_LISR + st / 4] >> flag_shift[st % 4]) & STREAM_FLAGS;
}

static void set_flag(stm32f4_dma_t *d, unsigned st, unsigned bit)
{
    d->r[DMA_LISR + st / 4] |= 1u << (flag_shift[st % 4] + bit);
}

static void update_irq(stm32f4_dma_t *d, unsigned st)
{
    uint32_t f = flags_of(d, st), cr = *sreg(d, st, DMA_SCR), fcr = *sreg(d, st, DMA_SFCR);
    bool on = (((f >> FLAG_TC) & 1) && (cr & R_SCR_TCIE_MASK)) ||
              (((f >> FLAG_HT) & 1) && (cr & R_SCR_HTIE_MASK)) ||
              (((f >> FLAG_TE) & 1) && (cr & R_SCR_TEIE_MASK)) ||
              (((f >> FLAG_DME) & 1) && (cr & R_SCR_DMEIE_MASK)) ||
              (((f >> FLAG_FE) & 1) && (fcr & R_SFCR_FEIE_MASK));
    irq_set(&d->irq[st], on);
}

static unsigned size_of(unsigned code)
{
    return code == 0 ? 1 : code == 1 ? 2 : 4;
}

static void stop(stm32f4_dma_t *d, unsigned st)
{
    *sreg(d, st, DMA_SCR) &= ~R_SCR_EN_MASK;
}

static bool bus_error(stm32f4_dma_t *d, unsigned st, uint32_t addr)
{
    set_flag(d, st, FLAG_TE);
    stop(d, st);
    log_once(LOG_GUEST_ERROR, d->name, st, "%s stream %u: bus error at 0x%08x, stream disabled",
             d->name, st, addr);
    update_irq(d, st);
    return false;
}

static uint32_t mem_base(stm32f4_dma_t *d, unsigned st)
{
    uint32_t cr = *sreg(d, st, DMA_SCR);
    return (cr & R_SCR_DBM_MASK) && (cr & R_SCR_CT_MASK) ? *sreg(d, st, DMA_SM1AR)
                                                           : *sreg(d, st, DMA_SM0AR);
}

/* One bus access of n bytes (little-endian in buf) at addr. */
static bool transfer(stm32f4_dma_t *d, unsigned st, uint32_t addr, bool write, uint8_t *buf, unsigned n)
{
    uint32_t v = 0;
    if (write) {
        for (unsigned k = 0; k < n; k++)
            v |= (uint32_t)buf[k] << (8 * k);
        if (bus_write(d->bus, addr, n, v))
            return bus_error(d, st, addr);
        bus_notify_write(d->bus, addr, n);
    } else {
        if (bus_read(d->bus, addr, n, &v))
            return bus_error(d, st, addr);
        for (unsigned k = 0; k < n; k++)
            buf[k] = (uint8_t)(v >> (8 * k));
    }
    return true;
}

static bool mem_access(stm32f4_dma_t *d, unsigned st, bool write, uint8_t *buf, unsigned n)
{
    stm32f4_dma_stream_t *s = &d->s[st];
    uint32_t cr = *sreg(d, st, DMA_SCR);
    uint32_t addr = mem_base(d, st) + ((cr & R_SCR_MINC_MASK) ? s->mpos : 0);
    if (!transfer(d, st, addr, write, buf, n))
        return false;
    s->mpos += n;
    return true;
}

static bool periph_access(stm32f4_dma_t *d, unsigned st, bool write, uint8_t *buf, unsigned n)
{
    stm32f4_dma_stream_t *s = &d->s[st];
    uint32_t cr = *sreg(d, st, DMA_SCR);
    unsigned step = (cr & R_SCR_PINCOS_MASK) ? 4 : n;
    uint32_t addr = *sreg(d, st, DMA_SPAR) + ((cr & R_SCR_PINC_MASK) ? s->pos * step : 0);
    return transfer(d, st, addr, write, buf, n);
}

static void fifo_push(stm32f4_dma_stream_t *s, const uint8_t *b, unsigned n)
{
    memcpy(s->fifo + s->fifo_len, b, n);
    s->fifo_len += n;
}

static void fifo_pop(stm32f4_dma_stream_t *s, uint8_t *b, unsigned n)
{
    memcpy(b, s->fifo, n);
    memmove(s->fifo, s->fifo + n, s->fifo_len - n);
    s->fifo_len -= n;
}

/* End of block: TC, then reload (circular, double buffer) or stop. */
static void block_done(stm32f4_dma_t *d, unsigned st)
{
    stm32f4_dma_stream_t *s = &d->s[st];
    uint32_t *cr = sreg(d, st, DMA_SCR);
    set_flag(d, st, FLAG_TC);
    if (*cr & (R_SCR_CIRC_MASK | R_SCR_DBM_MASK)) {
        if (*cr & R_SCR_DBM_MASK)
            *cr ^= R_SCR_CT_MASK;
        *sreg(d, st, DMA_SNDTR) = s->ndtr_start;
        s->pos = s->mpos = 0;
    } else {
        stop(d, st);
    }
}

/* Move one peripheral item (source to destination through the FIFO). */
static bool move_item(stm32f4_dma_t *d, unsigned st)
{
    stm32f4_dma_stream_t *s = &d->s[st];
    uint32_t cr = *sreg(d, st, DMA_SCR), *ndtr = sreg(d, st, DMA_SNDTR);
    unsigned dir = FIELD_EX32(cr, SCR, DIR);
    unsigned psize = size_of(FIELD_EX32(cr, SCR, PSIZE));
    bool fifo_mode = (*sreg(d, st, DMA_SFCR) & R_SFCR_DMDIS_MASK) || dir == 2;
    unsigned msize = fifo_mode ? size_of(FIELD_EX32(cr, SCR, MSIZE)) : psize;
    uint8_t buf[4];
    if (dir == 1) {
        while (s->fifo_len < psize) {
            if (!mem_access(d, st, false, buf, msize))
                return false;
            fifo_push(s, buf, msize);
        }
        fifo_pop(s, buf, psize);
        if (!periph_access(d, st, true, buf, psize))
            return false;
    } else {
        /* peripheral to memory; memory to memory reads PAR as a memory */
        if (!periph_access(d, st, false, buf, psize))
            return false;
        fifo_push(s, buf, psize);
        while (s->fifo_len >= msize) {
            fifo_pop(s, buf, msize);
            if (!mem_access(d, st, true, buf, msize))
                return false;
        }
    }
    d->transfers++;
    s->pos++;
    (*ndtr)--;
    if (*ndtr == s->ndtr_start / 2 && s->ndtr_start > 1)
        set_flag(d, st, FLAG_HT);
    if (*ndtr == 0) {
        /* leftover bytes of an incomplete memory word are flushed */
        while (s->fifo_len && dir != 1) {
            unsigned n = s->fifo_len >= 2 ? 2 : 1;
            fifo_pop(s, buf, n);
            if (!mem_access(d, st, true, buf, n))
                return false;
        }
        s->fifo_len = 0;
        block_done(d, st);
    }
    update_irq(d, st);
    return true;
}

static bool clock_on(const stm32f4_dma_t *d)
{
    return clock_hz(d->clk) != 0;
}

/* Serve stream st while its request stays asserted. */
static void serve(stm32f4_dma_t *d, unsigned st)
{
    unsigned guard = 0;
    while (clock_on(d)) {
        uint32_t cr = *sreg(d, st, DMA_SCR);
        unsigned ch = FIELD_EX32(cr, SCR, CHSEL);
        if (!(cr & R_SCR_EN_MASK) || !*sreg(d, st, DMA_SNDTR) || !((d->req >> (st * 8 + ch)) & 1))
            break;
        if (++guard > 70000 || !move_item(d, st))
            break;
    }
}

void stm32f4_dma_request(void *dma, int n, bool level)
{
    stm32f4_dma_t *d = dma;
    if (n < 0 || n >= 64)
        return;
    uint64_t bit = 1ull << n;
    d->req = level ? d->req | bit : d->req & ~bit;
    if (level)
        serve(d, (unsigned)n / 8);
}

static void enable_stream(stm32f4_dma_t *d, unsigned st)
{
    stm32f4_dma_stream_t *s = &d->s[st];
    uint32_t cr = *sreg(d, st, DMA_SCR);
    s->ndtr_start = *sreg(d, st, DMA_SNDTR);
    s->pos = s->mpos = 0;
    s->fifo_len = 0;
    if (cr & R_SCR_PFCTRL_MASK)
        log_once(LOG_UNIMP, d->name, 0x200 + st, "%s stream %u: peripheral flow control (SDIO) is "
                 "not modelled: NDTR decides the length", d->name, st);
    if (FIELD_EX32(cr, SCR, DIR) == 2) {
        if (!d->is_dma2) {
            log_once(LOG_GUEST_ERROR, d->name, 0x300 + st, "%s stream %u: memory-to-memory needs DMA2",
                     d->name, st);
            bus_error(d, st, *sreg(d, st, DMA_SPAR));
            return;
        }
        unsigned guard = 0;
        while ((*sreg(d, st, DMA_SCR) & R_SCR_EN_MASK) && *sreg(d, st, DMA_SNDTR) && guard++ < 70000)
            if (!move_item(d, st))
                break;
        return;
    }
    serve(d, st);
}

static void scr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_dma_t *d = dev;
    unsigned st = (idx - DMA_S0CR) / DMA_SREGS;
    uint32_t *cr = sreg(d, st, DMA_SCR);
    if (old & R_SCR_EN_MASK) {
        /* while enabled only EN may change */
        *cr = (old & ~R_SCR_EN_MASK) | (written & R_SCR_EN_MASK);
        if (!(written & R_SCR_EN_MASK) && *sreg(d, st, DMA_SNDTR))
            set_flag(d, st, FLAG_TC); /* stopped by software before the end */
        update_irq(d, st);
        return;
    }
    if ((*cr & R_SCR_EN_MASK) && flags_of(d, st)) {
        *cr &= ~R_SCR_EN_MASK;
        log_once(LOG_GUEST_ERROR, d->name, 0x100 + st, "%s stream %u: EN set while status flags of "
                 "the last transfer are still set (clear them in LIFCR/HIFCR first): not enabled",
                 d->name, st);
    } else if (*cr & R_SCR_EN_MASK) {
        enable_stream(d, st);
    }
    update_irq(d, st);
}

static void config_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_dma_t *d = dev;
    unsigned st = (idx - DMA_S0CR) / DMA_SREGS, r = (idx - DMA_S0CR) % DMA_SREGS;
    uint32_t cr = *sreg(d, st, DMA_SCR);
    (void)written;
    if (cr & R_SCR_EN_MASK) {
        /* in double-buffer mode the memory address not in use may change */
        bool idle_mem = (cr & R_SCR_DBM_MASK) &&
                        ((r == DMA_SM0AR && (cr & R_SCR_CT_MASK)) ||
                         (r == DMA_SM1AR && !(cr & R_SCR_CT_MASK)));
        if (!idle_mem) {
            d->r[idx] = old;
            log_once(LOG_GUEST_ERROR, d->name, 0x400 + st, "%s stream %u: %s written while the stream "
                     "is enabled: ignored", d->name, st, dma_regs[idx].name);
        }
        return;
    }
    if (r == DMA_SFCR) /* FS reads "empty" while the stream is off */
        d->r[idx] = FIELD_DP32(d->r[idx], SFCR, FS, 4);
}

static void isr_clear_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_dma_t *d = dev;
    (void)old;
    d->r[idx == DMA_LIFCR ? DMA_LISR : DMA_HISR] &= ~(written & 0x0F7D0F7Du);
    for (unsigned st = 0; st < DMA_STREAMS; st++)
        update_irq(d, st);
}

const bus_ops_t stm32f4_dma_ops = { stm32f4_regs_read, stm32f4_regs_write };

static void clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f4_dma_t *d = opaque;
    if (!old_hz && new_hz)
        for (unsigned st = 0; st < DMA_STREAMS; st++)
            serve(d, st);
}

void stm32f4_dma_init(stm32f4_dma_t *d, const stm32f4_ctx_t *ctx, int index, sim_clock_t *clk)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "dma%d", index);
    d->is_dma2 = index == 2;
    d->bus = ctx->bus;
    d->clk = clk;
    clock_listen(clk, clock_changed, d);
    for (unsigned st = 0; st < DMA_STREAMS; st++)
        irq_init(&d->irq[st], d->name);
    regs_init(&d->regs, d->name, dma_regs, DMA_NREGS, d->r, d);
}

void stm32f4_dma_reset(stm32f4_dma_t *d)
{
    regs_reset(&d->regs);
    memset(d->s, 0, sizeof d->s);
    for (unsigned st = 0; st < DMA_STREAMS; st++)
        update_irq(d, st);
}
