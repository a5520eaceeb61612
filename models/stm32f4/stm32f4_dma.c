/*
 * STM32F4 DMA1/DMA2 (RM0090 section 10.3-10.5).
 *
 * Modelled: the stream registers (CR, NDTR, PAR, M0AR, M1AR, FCR) and the
 * interrupt status/clear registers; peripheral-to-memory and memory-to-
 * peripheral transfers driven by the peripherals' request lines (a request
 * is served while it stays asserted, one data item at a time, through the
 * bus so peripheral registers see normal accesses), memory-to-memory
 * transfers run at once when the stream is enabled; PINC/MINC, PSIZE/MSIZE
 * (items move as MSIZE-sized units when the sizes differ only in direct
 * mode width), circular mode, HT/TC flags and interrupts, a bus error
 * (TEIF) disabling the stream.
 * Not modelled: FIFO thresholds and bursts (the FIFO behaves as direct mode),
 * double-buffer mode (DBM/CT), stream priorities and arbitration (requests
 * are served in the order they arrive), transfer time (items move at once).
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_dma.h"
#include "sim/log.h"

#define CR_EN (1u << 0)
#define CR_TEIE (1u << 2)
#define CR_HTIE (1u << 3)
#define CR_TCIE (1u << 4)
#define CR_PINC (1u << 9)
#define CR_MINC (1u << 10)
#define CR_CIRC (1u << 8)
#define FLAG_TE 3
#define FLAG_HT 4
#define FLAG_TC 5

static const unsigned flag_shift[4] = { 0, 6, 16, 22 };

static void set_flag(stm32f4_dma_t *d, unsigned st, unsigned bit)
{
    d->isr[st / 4] |= 1u << (flag_shift[st % 4] + bit);
}

static void update_irq(stm32f4_dma_t *d, unsigned st)
{
    uint32_t f = (d->isr[st / 4] >> flag_shift[st % 4]) & 0x3D;
    uint32_t cr = d->s[st].cr;
    bool on = ((f >> FLAG_TC) & 1 && (cr & CR_TCIE)) || ((f >> FLAG_HT) & 1 && (cr & CR_HTIE)) ||
              ((f >> FLAG_TE) & 1 && (cr & CR_TEIE));
    irq_set(&d->irq[st], on);
}

static unsigned size_of(unsigned code)
{
    return code == 0 ? 1 : code == 1 ? 2 : 4;
}

/* Move one item; false on a bus error (stream disabled, TEIF). */
static bool move_item(stm32f4_dma_t *d, unsigned st)
{
    stm32f4_dma_stream_t *s = &d->s[st];
    unsigned dir = (s->cr >> 6) & 3;
    unsigned psize = size_of((s->cr >> 11) & 3), msize = size_of((s->cr >> 13) & 3);
    uint32_t paddr = s->par + ((s->cr & CR_PINC) ? s->pos * psize : 0);
    uint32_t maddr = s->m0ar + ((s->cr & CR_MINC) ? s->pos * msize : 0);
    uint32_t v = 0;
    int err;
    if (dir == 0) {        /* peripheral to memory */
        err = bus_read(d->bus, paddr, psize, &v) || bus_write(d->bus, maddr, msize, v);
    } else if (dir == 1) { /* memory to peripheral */
        err = bus_read(d->bus, maddr, msize, &v) || bus_write(d->bus, paddr, psize, v);
    } else {               /* memory to memory: PAR is the source */
        err = bus_read(d->bus, paddr, psize, &v) || bus_write(d->bus, maddr, msize, v);
    }
    if (err) {
        set_flag(d, st, FLAG_TE);
        s->cr &= ~CR_EN;
        log_once(LOG_GUEST_ERROR, d->name, st, "%s stream %u: bus error, stream disabled", d->name, st);
        update_irq(d, st);
        return false;
    }
    bus_notify_write(d->bus, dir == 1 ? paddr : maddr, dir == 1 ? psize : msize);
    d->transfers++;
    s->pos++;
    if (s->ndtr)
        s->ndtr--;
    if (s->pos * 2 == s->ndtr_start)
        set_flag(d, st, FLAG_HT);
    if (s->ndtr == 0) {
        set_flag(d, st, FLAG_TC);
        if (s->cr & CR_CIRC) {
            s->ndtr = s->ndtr_start;
            s->pos = 0;
        } else {
            s->cr &= ~CR_EN;
        }
    }
    update_irq(d, st);
    return true;
}

/* Serve stream st while its request stays asserted. */
static void serve(stm32f4_dma_t *d, unsigned st)
{
    stm32f4_dma_stream_t *s = &d->s[st];
    unsigned ch = (s->cr >> 25) & 7;
    unsigned guard = 0;
    while ((s->cr & CR_EN) && s->ndtr && ((d->req >> (st * 8 + ch)) & 1) && guard++ < 70000)
        if (!move_item(d, st))
            break;
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
    s->ndtr_start = s->ndtr;
    s->pos = 0;
    if (((s->cr >> 6) & 3) == 2) {
        while ((s->cr & CR_EN) && s->ndtr)
            if (!move_item(d, st))
                break;
        return;
    }
    serve(d, st);
}

static int dma_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_dma_t *d = dev;
    (void)size;
    off &= ~3u;
    if (off < 0x10) {
        *v = off == 0x00 ? d->isr[0] : off == 0x04 ? d->isr[1] : 0;
        return 0;
    }
    unsigned st = (off - 0x10) / 0x18, r = (off - 0x10) % 0x18;
    if (st >= DMA_STREAMS) {
        *v = 0;
        return 0;
    }
    stm32f4_dma_stream_t *s = &d->s[st];
    switch (r) {
    case 0x00: *v = s->cr; break;
    case 0x04: *v = s->ndtr; break;
    case 0x08: *v = s->par; break;
    case 0x0C: *v = s->m0ar; break;
    case 0x10: *v = s->m1ar; break;
    default: *v = s->fcr; break;
    }
    return 0;
}

static int dma_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_dma_t *d = dev;
    (void)size;
    off &= ~3u;
    if (off == 0x08 || off == 0x0C) {
        d->isr[off == 0x08 ? 0 : 1] &= ~(v & 0x0F7D0F7Du);
        for (unsigned st = 0; st < DMA_STREAMS; st++)
            update_irq(d, st);
        return 0;
    }
    if (off < 0x10)
        return 0;
    unsigned st = (off - 0x10) / 0x18, r = (off - 0x10) % 0x18;
    if (st >= DMA_STREAMS)
        return 0;
    stm32f4_dma_stream_t *s = &d->s[st];
    bool was_en = s->cr & CR_EN;
    if (was_en && r != 0x00) {
        log_once(LOG_GUEST_ERROR, d->name, 0x100 + st, "%s stream %u: configuration written while enabled",
                 d->name, st);
        return 0;
    }
    switch (r) {
    case 0x00:
        s->cr = v & 0x0FEFFFFFu;
        if (!was_en && (s->cr & CR_EN))
            enable_stream(d, st);
        update_irq(d, st);
        break;
    case 0x04: s->ndtr = v & 0xFFFF; break;
    case 0x08: s->par = v; break;
    case 0x0C: s->m0ar = v; break;
    case 0x10: s->m1ar = v; break;
    default: s->fcr = (s->fcr & 0x38) | (v & 0x87); break;
    }
    return 0;
}

const bus_ops_t stm32f4_dma_ops = { dma_read, dma_write };

void stm32f4_dma_init(stm32f4_dma_t *d, const stm32f4_ctx_t *ctx, uint32_t base, int index)
{
    (void)base;
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "dma%d", index);
    d->bus = ctx->bus;
    for (unsigned st = 0; st < DMA_STREAMS; st++)
        irq_init(&d->irq[st], d->name);
}

void stm32f4_dma_reset(stm32f4_dma_t *d)
{
    memset(d->s, 0, sizeof d->s);
    for (unsigned st = 0; st < DMA_STREAMS; st++) {
        d->s[st].fcr = 0x21;
        irq_set(&d->irq[st], false);
    }
    d->isr[0] = d->isr[1] = 0;
}
