/*
 * STM32F4 USART in asynchronous mode (RM0090 sections 30.3-30.6; register
 * facts in the fact sheet, section 2.6).
 *
 * Modelled: every register with its reset value (UART4/5 without the
 * synchronous, smartcard and flow-control bits); the transmit data register
 * in front of the shift register: TXE rises when the data moves into the
 * shift register, TC one character time after the last stop bit; setting TE
 * first sends an idle frame; SBK sends a break frame; a character lasts
 * (start + 8 or 9 data bits incl. parity + 0.5/1/1.5/2 stop bits) bit
 * times, with the bit time from BRR for 16x or 8x oversampling and the
 * USART's PCLK, in virtual time; transmitted characters (7 or 8 data bits
 * when a parity bit is in the frame) go to the machine console once their
 * stop bit is out; received bytes (the --uart-input front end, scenarios)
 * arrive one per character time while UE and RE are set, with ORE when RXNE
 * was not read (the byte in DR is kept) and IDLE one character time after
 * the line goes quiet; the flag clearing sequences (SR read then DR read
 * clears PE/FE/NF/ORE/IDLE; SR read then DR write clears TC; TC, RXNE, LBD,
 * CTS are rc_w0); the interrupt (TXE, TC, RXNE or ORE, IDLE, PE, LBD, CTS,
 * and FE/NF/ORE with EIE and DMAR); DMA requests (TXE with DMAT, RXNE with
 * DMAR).
 * The line is clean: parity, framing and noise errors never occur; CTS is
 * always asserted. LIN, synchronous (CLKEN), smartcard, IrDA and mute mode
 * frame like plain asynchronous mode and are logged once.
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_usart.h"
#include "sim/log.h"

REG32(SR, 0x00)
FIELD(SR, PE, 0, 1)            /* parity error (ro) */
FIELD(SR, FE, 1, 1)            /* framing error (ro) */
FIELD(SR, NF, 2, 1)            /* noise (ro) */
FIELD(SR, ORE, 3, 1)           /* overrun (ro) */
FIELD(SR, IDLE, 4, 1)          /* idle line (ro) */
FIELD(SR, RXNE, 5, 1)          /* receive data (rc_w0) */
FIELD(SR, TC, 6, 1)            /* transmission complete (rc_w0) */
FIELD(SR, TXE, 7, 1)           /* transmit data register empty (ro) */
FIELD(SR, LBD, 8, 1)           /* LIN break detected (rc_w0) */
FIELD(SR, CTS, 9, 1)           /* CTS change (rc_w0) */
REG32(DR, 0x04)
FIELD(DR, DR, 0, 9)
REG32(BRR, 0x08)
FIELD(BRR, FRACTION, 0, 4)
FIELD(BRR, MANTISSA, 4, 12)
REG32(CR1, 0x0C)
FIELD(CR1, SBK, 0, 1)          /* send break */
FIELD(CR1, RWU, 1, 1)          /* receiver mute */
FIELD(CR1, RE, 2, 1)
FIELD(CR1, TE, 3, 1)
FIELD(CR1, IDLEIE, 4, 1)
FIELD(CR1, RXNEIE, 5, 1)
FIELD(CR1, TCIE, 6, 1)
FIELD(CR1, TXEIE, 7, 1)
FIELD(CR1, PEIE, 8, 1)
FIELD(CR1, PS, 9, 1)           /* odd parity */
FIELD(CR1, PCE, 10, 1)         /* parity control */
FIELD(CR1, WAKE, 11, 1)
FIELD(CR1, M, 12, 1)           /* 9-bit words */
FIELD(CR1, UE, 13, 1)          /* enable */
FIELD(CR1, OVER8, 15, 1)       /* 8x oversampling */
REG32(CR2, 0x10)
FIELD(CR2, LBDIE, 6, 1)
FIELD(CR2, CLKEN, 11, 1)
FIELD(CR2, STOP, 12, 2)        /* 1, 0.5, 2, 1.5 stop bits */
FIELD(CR2, LINEN, 14, 1)
REG32(CR3, 0x14)
FIELD(CR3, EIE, 0, 1)
FIELD(CR3, IREN, 1, 1)
FIELD(CR3, SCEN, 5, 1)
FIELD(CR3, DMAR, 6, 1)
FIELD(CR3, DMAT, 7, 1)
FIELD(CR3, CTSIE, 10, 1)
REG32(GTPR, 0x18)

#define SR_SEQ_FLAGS (R_SR_PE_MASK | R_SR_FE_MASK | R_SR_NF_MASK | R_SR_ORE_MASK | R_SR_IDLE_MASK)

static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

#define USART_REGS(cr2, cr3, gtpr)                                                              \
    {                                                                                           \
        [USART_SR] = { "SR", A_SR, 0x00C0, 0,                                                   \
                       .w0c_mask = R_SR_RXNE_MASK | R_SR_TC_MASK | R_SR_LBD_MASK | R_SR_CTS_MASK, \
                       .post_write = sr_written },                                              \
        [USART_DR] = { "DR", A_DR, 0, R_DR_DR_MASK },                                           \
        [USART_BRR] = { "BRR", A_BRR, 0, 0xFFFF },                                              \
        [USART_CR1] = { "CR1", A_CR1, 0, 0xBFFF, .post_write = cr_written },                    \
        [USART_CR2] = { "CR2", A_CR2, 0, cr2, .post_write = cr_written },                       \
        [USART_CR3] = { "CR3", A_CR3, 0, cr3, .post_write = cr_written },                       \
        [USART_GTPR] = { "GTPR", A_GTPR, 0, gtpr },                                             \
    }
static const reg_desc_t usart_regs[USART_NREGS] = USART_REGS(0x7F6F, 0x0FFF, 0xFFFF);
static const reg_desc_t uart_regs[USART_NREGS] = USART_REGS(0x706F, 0x08CF, 0);

static uint32_t cr1(const stm32f4_usart_t *s) { return s->r[USART_CR1]; }

static void update_irq(stm32f4_usart_t *s)
{
    uint32_t sr = s->r[USART_SR], c1 = cr1(s), c2 = s->r[USART_CR2], c3 = s->r[USART_CR3];
    bool on = ((sr & R_SR_TXE_MASK) && (c1 & R_CR1_TXEIE_MASK)) ||
              ((sr & R_SR_TC_MASK) && (c1 & R_CR1_TCIE_MASK)) ||
              ((sr & (R_SR_RXNE_MASK | R_SR_ORE_MASK)) && (c1 & R_CR1_RXNEIE_MASK)) ||
              ((sr & R_SR_IDLE_MASK) && (c1 & R_CR1_IDLEIE_MASK)) ||
              ((sr & R_SR_PE_MASK) && (c1 & R_CR1_PEIE_MASK)) ||
              ((sr & R_SR_LBD_MASK) && (c2 & R_CR2_LBDIE_MASK)) ||
              ((sr & R_SR_CTS_MASK) && (c3 & R_CR3_CTSIE_MASK)) ||
              ((sr & (R_SR_FE_MASK | R_SR_NF_MASK | R_SR_ORE_MASK)) && (c3 & R_CR3_EIE_MASK) &&
               (c3 & R_CR3_DMAR_MASK));
    irq_set(&s->irq, on && (c1 & R_CR1_UE_MASK));
    /* A DMA transfer triggered by one line changes SR: read it afresh. */
    irq_set(&s->dma_tx, (cr1(s) & R_CR1_UE_MASK) && (cr1(s) & R_CR1_TE_MASK) &&
                            (s->r[USART_SR] & R_SR_TXE_MASK) && (s->r[USART_CR3] & R_CR3_DMAT_MASK));
    irq_set(&s->dma_rx, (cr1(s) & R_CR1_UE_MASK) && (s->r[USART_SR] & R_SR_RXNE_MASK) &&
                            (s->r[USART_CR3] & R_CR3_DMAR_MASK));
}

/* One character (or idle/break frame) on the line, in nanoseconds. */
static sim_time_t char_time(const stm32f4_usart_t *s)
{
    uint32_t c1 = cr1(s), brr = s->r[USART_BRR];
    uint64_t pclk = clock_hz(s->clk);
    if (!pclk || brr < 16) {
        if (pclk && (c1 & R_CR1_UE_MASK))
            log_once(LOG_GUEST_ERROR, s->name, 3, "%s: BRR 0x%x is below 16: no valid baud rate",
                     s->name, brr);
        return SIM_TIME_NEVER;
    }
    /* PCLK cycles per bit: USARTDIV * 16, or * 8 with OVER8 (3 fraction bits) */
    uint64_t div = (c1 & R_CR1_OVER8_MASK) ? (FIELD_EX32(brr, BRR, MANTISSA) << 3) + (brr & 7) : brr;
    static const unsigned stop_halves[4] = { 2, 1, 4, 3 };
    uint64_t halves = 2 * (1 + ((c1 & R_CR1_M_MASK) ? 9 : 8)) +
                      stop_halves[FIELD_EX32(s->r[USART_CR2], CR2, STOP)];
    unsigned __int128 ns = (unsigned __int128)div * halves * 1000000000u;
    return (sim_time_t)((ns + 2 * pclk - 1) / (2 * pclk));
}

static void arm_tx(stm32f4_usart_t *s)
{
    sim_time_t t = char_time(s);
    if (t != SIM_TIME_NEVER)
        sched_after(s->sched, &s->tx_event, t);
}

static void start_tx(stm32f4_usart_t *s, uint16_t word, bool data)
{
    s->tx_shift = word;
    s->tx_busy = true;
    s->tx_data = data;
    s->r[USART_SR] &= ~R_SR_TC_MASK;
    arm_tx(s);
}

static void emit(stm32f4_usart_t *s, uint16_t word)
{
    uint32_t c1 = cr1(s);
    unsigned bits = ((c1 & R_CR1_M_MASK) ? 9 : 8) - ((c1 & R_CR1_PCE_MASK) ? 1 : 0);
    uint8_t byte = (uint8_t)(word & ((1u << (bits > 8 ? 8 : bits)) - 1));
    s->tx_bytes++;
    machine_console_write(s->m, s->name, &byte, 1);
}

static void tx_done(void *opaque)
{
    stm32f4_usart_t *s = opaque;
    s->tx_busy = false;
    if (s->tx_data)
        emit(s, s->tx_shift);
    if (cr1(s) & R_CR1_SBK_MASK) {
        s->r[USART_CR1] &= ~R_CR1_SBK_MASK; /* cleared at the break's stop bit */
    }
    if (s->tx_held && (cr1(s) & R_CR1_TE_MASK)) {
        s->tx_held = false;
        s->r[USART_SR] |= R_SR_TXE_MASK;
        start_tx(s, s->tx_hold, true);
    } else {
        s->r[USART_SR] |= R_SR_TC_MASK;
    }
    update_irq(s);
}

static bool rx_on(const stm32f4_usart_t *s)
{
    return (cr1(s) & R_CR1_UE_MASK) && (cr1(s) & R_CR1_RE_MASK);
}

static void rx_schedule(stm32f4_usart_t *s)
{
    if (s->rx_count && rx_on(s) && !sched_is_armed(&s->rx_event)) {
        sim_time_t t = char_time(s);
        if (t != SIM_TIME_NEVER)
            sched_after(s->sched, &s->rx_event, t);
    }
}

static void rx_arrive(void *opaque)
{
    stm32f4_usart_t *s = opaque;
    if (!s->rx_count || !rx_on(s))
        return;
    uint8_t b = s->rxq[s->rx_head];
    s->rx_head = (s->rx_head + 1) % USART_RXQ;
    s->rx_count--;
    s->rx_bytes++;
    if (s->r[USART_SR] & R_SR_RXNE_MASK) {
        s->r[USART_SR] |= R_SR_ORE_MASK; /* the new byte is lost, DR keeps the old one */
        s->overruns++;
    } else {
        s->rx_data = b;
        s->r[USART_SR] |= R_SR_RXNE_MASK;
    }
    s->idle_armed = true;
    sched_cancel(s->sched, &s->idle_event);
    if (s->rx_count)
        rx_schedule(s);
    else if (char_time(s) != SIM_TIME_NEVER)
        sched_after(s->sched, &s->idle_event, char_time(s));
    update_irq(s);
}

static void idle_detect(void *opaque)
{
    stm32f4_usart_t *s = opaque;
    if (s->idle_armed && rx_on(s)) {
        s->r[USART_SR] |= R_SR_IDLE_MASK;
        s->idle_armed = false;
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

static void log_modes(stm32f4_usart_t *s)
{
    uint32_t c1 = cr1(s), c2 = s->r[USART_CR2], c3 = s->r[USART_CR3];
    if ((c2 & R_CR2_LINEN_MASK) || (c2 & R_CR2_CLKEN_MASK) || (c3 & R_CR3_SCEN_MASK) ||
        (c3 & R_CR3_IREN_MASK) || (c1 & R_CR1_RWU_MASK))
        log_once(LOG_UNIMP, s->name, 4, "%s: LIN, synchronous, smartcard, IrDA and mute modes are "
                 "not modelled: the line frames as plain asynchronous", s->name);
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_usart_t *s = dev;
    uint32_t c1 = cr1(s);
    (void)written;
    if (idx == USART_CR1) {
        bool te_rise = (c1 & R_CR1_TE_MASK) && (c1 & R_CR1_UE_MASK) &&
                       !((old & R_CR1_TE_MASK) && (old & R_CR1_UE_MASK));
        /* setting TE sends an idle frame first; SBK a break frame */
        if (te_rise && !s->tx_busy)
            start_tx(s, 0, false);
        if ((c1 & R_CR1_SBK_MASK) && !(old & R_CR1_SBK_MASK) && (c1 & R_CR1_UE_MASK) &&
            (c1 & R_CR1_TE_MASK) && !s->tx_busy)
            start_tx(s, 0, false);
        if (!(c1 & R_CR1_UE_MASK)) {
            /* UE = 0 stops the prescalers and outputs at the end of the character */
            sched_cancel(s->sched, &s->rx_event);
            sched_cancel(s->sched, &s->idle_event);
        }
    }
    log_modes(s);
    rx_schedule(s);
    update_irq(s);
}

static void dr_write(stm32f4_usart_t *s, uint32_t v)
{
    uint32_t c1 = cr1(s);
    if (s->sr_seen & R_SR_TC_MASK)
        s->r[USART_SR] &= ~R_SR_TC_MASK; /* SR read then DR write clears TC */
    s->sr_seen &= ~R_SR_TC_MASK;
    if (!(c1 & R_CR1_UE_MASK) || !(c1 & R_CR1_TE_MASK)) {
        log_once(LOG_GUEST_ERROR, s->name, 1, "%s: DR written while the transmitter is off", s->name);
        return;
    }
    uint16_t word = (uint16_t)(v & R_DR_DR_MASK);
    if (!s->tx_busy) {
        start_tx(s, word, true);
    } else if (!s->tx_held) {
        s->tx_held = true;
        s->tx_hold = word;
        s->r[USART_SR] &= ~R_SR_TXE_MASK;
    } else {
        log_once(LOG_GUEST_ERROR, s->name, 2, "%s: DR written while TXE = 0: the pending character "
                 "is overwritten", s->name);
        s->tx_hold = word;
    }
    update_irq(s);
}

static int usart_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_usart_t *s = dev;
    if ((off & ~3u) == A_DR) {
        *v = (s->rx_data >> ((off & 3) * 8)) & (size == 1 ? 0xFF : 0xFFFF);
        /* reading DR clears RXNE, and the error/idle flags an SR read saw */
        s->r[USART_SR] &= ~(R_SR_RXNE_MASK | (s->sr_seen & SR_SEQ_FLAGS));
        s->sr_seen &= ~SR_SEQ_FLAGS;
        update_irq(s);
        rx_schedule(s);
        return 0;
    }
    regs_read(&s->regs, off, size, v);
    if ((off & ~3u) == A_SR)
        s->sr_seen = s->r[USART_SR] & (SR_SEQ_FLAGS | R_SR_TC_MASK);
    return 0;
}

static int usart_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_usart_t *s = dev;
    if ((off & ~3u) == A_DR) {
        dr_write(s, v);
        return 0;
    }
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
    if (!rx_on(s))
        return 0;
    while (n < len && s->rx_count < USART_RXQ) {
        s->rxq[(s->rx_head + s->rx_count) % USART_RXQ] = buf[n++];
        s->rx_count++;
    }
    rx_schedule(s);
    return n;
}

void stm32f4_usart_init(stm32f4_usart_t *s, const stm32f4_ctx_t *ctx, int index, sim_clock_t *clk,
                        bool is_uart)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s%d", is_uart ? "uart" : "usart", index);
    s->is_uart = is_uart;
    s->m = ctx->m;
    s->sched = ctx->sched;
    s->clk = clk;
    irq_init(&s->irq, s->name);
    irq_init(&s->dma_tx, s->name);
    irq_init(&s->dma_rx, s->name);
    sched_event_init(&s->tx_event, "usart.tx", tx_done, s);
    sched_event_init(&s->rx_event, "usart.rx", rx_arrive, s);
    sched_event_init(&s->idle_event, "usart.idle", idle_detect, s);
    regs_init(&s->regs, s->name, is_uart ? uart_regs : usart_regs, USART_NREGS, s->r, s);
    machine_add_uart(ctx->m, ctx->inst, s->name, usart_rx_push_fn, s);
}

void stm32f4_usart_reset(stm32f4_usart_t *s)
{
    sched_cancel(s->sched, &s->tx_event);
    sched_cancel(s->sched, &s->rx_event);
    sched_cancel(s->sched, &s->idle_event);
    regs_reset(&s->regs);
    s->tx_busy = s->tx_held = s->tx_data = s->idle_armed = false;
    s->rx_data = 0;
    s->rx_count = s->rx_head = 0;
    s->sr_seen = 0;
    update_irq(s);
}
