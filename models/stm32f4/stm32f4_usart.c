/*
 * STM32F4 USART in asynchronous mode (RM0090 section 30.6; register facts in
 * the fact sheet, section 2.6).
 *
 * Modelled: SR flags (TXE, TC, RXNE, IDLE, ORE), DR with the transmit data
 * register in front of the shift register, BRR with 16x and 8x oversampling
 * giving the character time (start + 8 or 9 data + parity + stop bits) in
 * virtual time, transmitted bytes going to the machine console when their
 * stop bit has been sent, received bytes (queued by the front end or a
 * scenario) arriving one per character time with overrun when RXNE was not
 * read, the interrupt line (TXEIE, TCIE, RXNEIE, IDLEIE).
 * Not modelled: synchronous, IrDA, smartcard and LIN modes, hardware flow
 * control, parity/framing/noise errors (the line is clean). DMA requests
 * (CR3.DMAT/DMAR) follow TXE and RXNE.
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_usart.h"
#include "sim/log.h"

REG32(SR, 0x00)
REG32(DR, 0x04)
REG32(BRR, 0x08)
REG32(CR1, 0x0C)
REG32(CR2, 0x10)
REG32(CR3, 0x14)
REG32(GTPR, 0x18)

#define SR_PE (1u << 0)
#define SR_ORE (1u << 3)
#define SR_IDLE (1u << 4)
#define SR_RXNE (1u << 5)
#define SR_TC (1u << 6)
#define SR_TXE (1u << 7)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_IDLEIE (1u << 4)
#define CR1_RXNEIE (1u << 5)
#define CR1_TCIE (1u << 6)
#define CR1_TXEIE (1u << 7)
#define CR1_PCE (1u << 10)
#define CR1_M (1u << 12)
#define CR1_UE (1u << 13)
#define CR1_OVER8 (1u << 15)

static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static size_t usart_rx_push_fn(void *dev, const uint8_t *buf, size_t len);
static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void dr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t usart_regs[USART_NREGS] = {
    /* SR: TC and RXNE are rc_w0; the others are cleared by read sequences */
    [USART_SR] = { "SR", A_SR, 0x00C0, 0, .w0c_mask = SR_TC | SR_RXNE, .post_write = sr_written },
    [USART_DR] = { "DR", A_DR, 0, 0x1FF, .post_write = dr_written },
    [USART_BRR] = { "BRR", A_BRR, 0, 0xFFFF },
    [USART_CR1] = { "CR1", A_CR1, 0, 0xBFFF, .post_write = cr_written },
    [USART_CR2] = { "CR2", A_CR2, 0, 0x7F7F },
    [USART_CR3] = { "CR3", A_CR3, 0, 0x0FFF, .post_write = cr_written },
    [USART_GTPR] = { "GTPR", A_GTPR, 0, 0xFFFF },
};

static void update_irq(stm32f4_usart_t *s)
{
    uint32_t sr = s->r[USART_SR], cr1 = s->r[USART_CR1];
    bool on = ((sr & SR_TXE) && (cr1 & CR1_TXEIE)) || ((sr & SR_TC) && (cr1 & CR1_TCIE)) ||
              ((sr & (SR_RXNE | SR_ORE)) && (cr1 & CR1_RXNEIE)) ||
              ((sr & SR_IDLE) && (cr1 & CR1_IDLEIE));
    irq_set(&s->irq, on && (cr1 & CR1_UE));
    /* A DMA transfer triggered by one line changes SR: read it afresh. */
    irq_set(&s->dma_tx, (cr1 & CR1_UE) && (cr1 & CR1_TE) && (s->r[USART_SR] & SR_TXE) &&
                            (s->r[USART_CR3] & (1u << 7)));
    irq_set(&s->dma_rx, (cr1 & CR1_UE) && (s->r[USART_SR] & SR_RXNE) && (s->r[USART_CR3] & (1u << 6)));
}

/* One character on the line, in nanoseconds. */
static sim_time_t char_time(const stm32f4_usart_t *s)
{
    uint32_t cr1 = s->r[USART_CR1], brr = s->r[USART_BRR];
    uint64_t pclk = clock_hz(s->pclk);
    if (!pclk || brr < 16)
        return SIM_US(100);
    uint64_t div = (cr1 & CR1_OVER8) ? ((brr >> 4) << 3) + (brr & 7) : brr; /* pclk cycles per bit */
    unsigned stop = ((s->r[USART_CR2] >> 12) & 3) == 2 ? 2 : 1;
    unsigned bits = 1 + ((cr1 & CR1_M) ? 9 : 8) + stop;
    return (sim_time_t)(div * bits * 1000000000ull / pclk);
}

static void start_tx(stm32f4_usart_t *s, uint8_t byte)
{
    s->tx_shift = byte;
    s->tx_busy = true;
    s->r[USART_SR] &= ~SR_TC;
    sched_after(s->sched, &s->tx_event, char_time(s));
}

static void tx_done(void *opaque)
{
    stm32f4_usart_t *s = opaque;
    s->tx_busy = false;
    s->tx_bytes++;
    machine_console_write(s->m, s->name, &s->tx_shift, 1);
    if (s->tx_held) {
        s->tx_held = false;
        s->r[USART_SR] |= SR_TXE;
        start_tx(s, s->tx_hold);
    } else {
        s->r[USART_SR] |= SR_TC;
    }
    update_irq(s);
}

static void rx_schedule(stm32f4_usart_t *s)
{
    uint32_t cr1 = s->r[USART_CR1];
    if (s->rx_count && (cr1 & CR1_UE) && (cr1 & CR1_RE) && !sched_is_armed(&s->rx_event))
        sched_after(s->sched, &s->rx_event, char_time(s));
}

static void rx_arrive(void *opaque)
{
    stm32f4_usart_t *s = opaque;
    if (!s->rx_count)
        return;
    uint8_t b = s->rxq[s->rx_head];
    s->rx_head = (s->rx_head + 1) % USART_RXQ;
    s->rx_count--;
    s->rx_bytes++;
    if (s->r[USART_SR] & SR_RXNE) {
        s->r[USART_SR] |= SR_ORE; /* the new byte is lost */
        s->overruns++;
    } else {
        s->rx_data = b;
        s->r[USART_SR] |= SR_RXNE;
    }
    sched_cancel(s->sched, &s->idle_event);
    if (s->rx_count)
        rx_schedule(s);
    else
        sched_after(s->sched, &s->idle_event, char_time(s));
    update_irq(s);
}

static void idle_detect(void *opaque)
{
    stm32f4_usart_t *s = opaque;
    s->r[USART_SR] |= SR_IDLE;
    update_irq(s);
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
    stm32f4_usart_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    rx_schedule(s);
    update_irq(s);
}

static void dr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_usart_t *s = dev;
    (void)idx;
    (void)old;
    uint32_t cr1 = s->r[USART_CR1];
    if (!(cr1 & CR1_UE) || !(cr1 & CR1_TE)) {
        log_once(LOG_GUEST_ERROR, s->name, 1, "%s: DR written while the transmitter is off", s->name);
        return;
    }
    uint8_t byte = (uint8_t)written;
    if (!s->tx_busy) {
        start_tx(s, byte);
    } else if (!s->tx_held) {
        s->tx_held = true;
        s->tx_hold = byte;
        s->r[USART_SR] &= ~SR_TXE;
    } else {
        /* writing DR while TXE = 0 overwrites the pending byte */
        s->tx_hold = byte;
    }
    update_irq(s);
}

static int usart_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_usart_t *s = dev;
    if ((off & ~3u) == A_DR) {
        *v = s->rx_data;
        /* reading DR clears RXNE, and (after an SR read) ORE and IDLE */
        s->r[USART_SR] &= ~(SR_RXNE | SR_ORE | SR_IDLE);
        update_irq(s);
        rx_schedule(s);
        return 0;
    }
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int usart_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_usart_t *s = dev;
    regs_write(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_usart_ops = { usart_read, usart_write };

static size_t usart_rx_push_fn(void *dev, const uint8_t *buf, size_t len)
{
    return stm32f4_usart_rx_push(dev, buf, len);
}

size_t stm32f4_usart_rx_push(stm32f4_usart_t *s, const uint8_t *buf, size_t len)
{
    size_t n = 0;
    while (n < len && s->rx_count < USART_RXQ) {
        s->rxq[(s->rx_head + s->rx_count) % USART_RXQ] = buf[n++];
        s->rx_count++;
    }
    rx_schedule(s);
    return n;
}

void stm32f4_usart_init(stm32f4_usart_t *s, const stm32f4_ctx_t *ctx, uint32_t base, int index,
                        sim_clock_t *pclk, bool is_uart)
{
    (void)base;
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s%d", is_uart ? "uart" : "usart", index);
    s->m = ctx->m;
    s->sched = ctx->sched;
    s->pclk = pclk;
    irq_init(&s->irq, s->name);
    irq_init(&s->dma_tx, s->name);
    irq_init(&s->dma_rx, s->name);
    sched_event_init(&s->tx_event, "usart-tx", tx_done, s);
    sched_event_init(&s->rx_event, "usart-rx", rx_arrive, s);
    sched_event_init(&s->idle_event, "usart-idle", idle_detect, s);
    regs_init(&s->regs, s->name, usart_regs, USART_NREGS, s->r, s);
    machine_add_uart(ctx->m, ctx->inst, s->name, usart_rx_push_fn, s);
}

void stm32f4_usart_reset(stm32f4_usart_t *s)
{
    sched_cancel(s->sched, &s->tx_event);
    sched_cancel(s->sched, &s->rx_event);
    sched_cancel(s->sched, &s->idle_event);
    regs_reset(&s->regs);
    s->tx_busy = s->tx_held = false;
    s->rx_data = 0;
    irq_set(&s->irq, false);
}
