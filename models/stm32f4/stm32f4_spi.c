/*
 * STM32F4 SPI in master mode (RM0090 sections 28.3.3-28.3.10, registers
 * 28.5; fact sheet section 2.7).
 *
 * Modelled: every register with its reset value; full-duplex master with a
 * transmit buffer in front of the shift register: TXE rises when the buffer
 * moves into the shift register, BSY covers the frames on the wire, a frame
 * lasts (8 or 16) * 2^(BR+1) periods of the SPI's PCLK in virtual time, at
 * its end the selected device answers through the SPI bus, RXNE rises (OVR
 * and the frame lost if the last one was not read; OVR clears with a DR read
 * then an SR read); DR written while SPE = 0 waits for SPE; DFF 8/16-bit,
 * LSBFIRST; two-line receive-only (RXONLY) and bidirectional receive
 * (BIDIMODE, BIDIOE = 0) run the clock continuously while enabled, as the
 * hardware does; bidirectional transmit discards what comes back; hardware
 * CRC (CRCEN, CRCPR, RXCRCR, TXCRCR, CRCNEXT sending TXCRC after the last
 * data, CRCERR when the received CRC differs; clearing CRCEN resets them);
 * MODF when NSS is seen low in master mode (SSM = 1, SSI = 0): SPE and MSTR
 * drop and stay write-protected until an SR read then a CR1 write; TXEIE,
 * RXNEIE, ERRIE interrupts; TXDMAEN/RXDMAEN DMA requests.
 * With SSM = 0 and SSOE = 0 the NSS pin input is taken as high (the pin is
 * not read; drivers use SSM = 1 or SSOE = 1). Clearing SPE during a frame
 * abandons it (and is logged, the reference manual forbids it).
 * Not modelled: slave mode (nothing on our boards drives an SPI clock), TI
 * frame format timing (treated as Motorola), I2S (I2SCFGR and I2SPR are
 * stored; I2SMOD is logged), UDR, FRE and CHSIDE (slave/I2S only).
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_spi.h"
#include "sim/log.h"

REG32(CR1, 0x00)
FIELD(CR1, CPHA, 0, 1)
FIELD(CR1, CPOL, 1, 1)
FIELD(CR1, MSTR, 2, 1)         /* master */
FIELD(CR1, BR, 3, 3)           /* baud rate: PCLK / 2^(BR+1) */
FIELD(CR1, SPE, 6, 1)          /* enable */
FIELD(CR1, LSBFIRST, 7, 1)
FIELD(CR1, SSI, 8, 1)          /* internal NSS level with SSM */
FIELD(CR1, SSM, 9, 1)          /* software NSS */
FIELD(CR1, RXONLY, 10, 1)
FIELD(CR1, DFF, 11, 1)         /* 16-bit frames */
FIELD(CR1, CRCNEXT, 12, 1)     /* send TXCRC after this data */
FIELD(CR1, CRCEN, 13, 1)
FIELD(CR1, BIDIOE, 14, 1)
FIELD(CR1, BIDIMODE, 15, 1)
REG32(CR2, 0x04)
FIELD(CR2, RXDMAEN, 0, 1)
FIELD(CR2, TXDMAEN, 1, 1)
FIELD(CR2, SSOE, 2, 1)         /* drive NSS as an output */
FIELD(CR2, FRF, 4, 1)          /* TI frame format */
FIELD(CR2, ERRIE, 5, 1)
FIELD(CR2, RXNEIE, 6, 1)
FIELD(CR2, TXEIE, 7, 1)
REG32(SR, 0x08)
FIELD(SR, RXNE, 0, 1)          /* (ro) */
FIELD(SR, TXE, 1, 1)           /* (ro) */
FIELD(SR, CHSIDE, 2, 1)        /* I2S (ro) */
FIELD(SR, UDR, 3, 1)           /* slave/I2S underrun (ro) */
FIELD(SR, CRCERR, 4, 1)        /* (rc_w0) */
FIELD(SR, MODF, 5, 1)          /* mode fault (ro) */
FIELD(SR, OVR, 6, 1)           /* overrun (ro) */
FIELD(SR, BSY, 7, 1)           /* busy (ro) */
FIELD(SR, FRE, 8, 1)           /* TI frame error (ro) */
REG32(DR, 0x0C)
REG32(CRCPR, 0x10)
REG32(RXCRCR, 0x14)
REG32(TXCRCR, 0x18)
REG32(I2SCFGR, 0x1C)
FIELD(I2SCFGR, I2SMOD, 11, 1)
REG32(I2SPR, 0x20)

static void cr1_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cr2_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void i2scfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t spi_regs[SPI_NREGS] = {
    [SPI_CR1] = { "CR1", A_CR1, 0, 0xFFFF, .post_write = cr1_written },
    [SPI_CR2] = { "CR2", A_CR2, 0, 0x00F7, .post_write = cr2_written },
    [SPI_SR] = { "SR", A_SR, 0x0002, 0, .w0c_mask = R_SR_CRCERR_MASK, .post_write = sr_written },
    [SPI_DR] = { "DR", A_DR, 0, 0xFFFF },
    [SPI_CRCPR] = { "CRCPR", A_CRCPR, 0x0007, 0xFFFF },
    [SPI_RXCRCR] = { "RXCRCR", A_RXCRCR, 0, 0 },
    [SPI_TXCRCR] = { "TXCRCR", A_TXCRCR, 0, 0 },
    [SPI_I2SCFGR] = { "I2SCFGR", A_I2SCFGR, 0, 0x0FBF, .post_write = i2scfgr_written },
    [SPI_I2SPR] = { "I2SPR", A_I2SPR, 0x0002, 0x03FF },
};

static uint32_t cr1(const stm32f4_spi_t *s) { return s->r[SPI_CR1]; }

static void update_irq(stm32f4_spi_t *s)
{
    uint32_t sr = s->r[SPI_SR], cr2 = s->r[SPI_CR2];
    bool on = ((sr & R_SR_TXE_MASK) && (cr2 & R_CR2_TXEIE_MASK)) ||
              ((sr & R_SR_RXNE_MASK) && (cr2 & R_CR2_RXNEIE_MASK)) ||
              ((sr & (R_SR_OVR_MASK | R_SR_MODF_MASK | R_SR_CRCERR_MASK)) && (cr2 & R_CR2_ERRIE_MASK));
    irq_set(&s->irq, on);
    /* A DMA transfer triggered by one line changes SR: read it afresh. */
    irq_set(&s->dma_tx, (s->r[SPI_SR] & R_SR_TXE_MASK) && (s->r[SPI_CR2] & R_CR2_TXDMAEN_MASK) &&
                            (cr1(s) & R_CR1_SPE_MASK));
    irq_set(&s->dma_rx, (s->r[SPI_SR] & R_SR_RXNE_MASK) && (s->r[SPI_CR2] & R_CR2_RXDMAEN_MASK));
}

static unsigned frame_bits(const stm32f4_spi_t *s)
{
    return (cr1(s) & R_CR1_DFF_MASK) ? 16 : 8;
}

static bool master_on(const stm32f4_spi_t *s)
{
    return (cr1(s) & R_CR1_SPE_MASK) && (cr1(s) & R_CR1_MSTR_MASK);
}

/* The clock runs by itself in the receive-only configurations. */
static bool receive_only(const stm32f4_spi_t *s)
{
    uint32_t c = cr1(s);
    return (c & R_CR1_RXONLY_MASK) || ((c & R_CR1_BIDIMODE_MASK) && !(c & R_CR1_BIDIOE_MASK));
}

static uint16_t crc_step(uint16_t crc, uint16_t data, unsigned bits, uint16_t poly)
{
    for (int k = (int)bits - 1; k >= 0; k--) {
        bool fb = ((crc >> (bits - 1)) & 1) ^ ((data >> k) & 1);
        crc = (uint16_t)(crc << 1);
        if (fb)
            crc ^= poly;
    }
    return bits == 8 ? (uint16_t)(crc & 0xFF) : crc;
}

static uint16_t bit_reverse(uint16_t v, unsigned bits)
{
    uint16_t r = 0;
    for (unsigned k = 0; k < bits; k++)
        if (v & (1u << k))
            r |= (uint16_t)(1u << (bits - 1 - k));
    return r;
}

static void start_frame(stm32f4_spi_t *s, uint16_t v)
{
    uint64_t pclk = clock_hz(s->clk);
    s->tx_shift = v;
    s->shifting = true;
    s->r[SPI_SR] |= R_SR_BSY_MASK;
    if (!pclk)
        return; /* the clock is off: the frame waits for it */
    unsigned br = FIELD_EX32(cr1(s), CR1, BR);
    unsigned __int128 ns = (unsigned __int128)frame_bits(s) * (2ull << br) * 1000000000u;
    sched_after(s->sched, &s->frame_done, (sim_time_t)((ns + pclk - 1) / pclk));
}

/* Move the next data (buffered, CRC, or the receive-only dummy) onto the wire. */
static void next_frame(stm32f4_spi_t *s)
{
    if (s->tx_full) {
        s->tx_full = false;
        s->r[SPI_SR] |= R_SR_TXE_MASK;
        if (cr1(s) & R_CR1_CRCEN_MASK)
            s->r[SPI_TXCRCR] = crc_step((uint16_t)s->r[SPI_TXCRCR], s->tx_buf, frame_bits(s),
                                        (uint16_t)s->r[SPI_CRCPR]);
        start_frame(s, s->tx_buf);
        return;
    }
    if ((cr1(s) & R_CR1_CRCEN_MASK) && (cr1(s) & R_CR1_CRCNEXT_MASK) && !s->crc_phase) {
        s->crc_phase = true;
        start_frame(s, (uint16_t)s->r[SPI_TXCRCR]);
        return;
    }
    if (receive_only(s) && master_on(s)) {
        start_frame(s, 0xFFFF);
        return;
    }
    s->r[SPI_SR] &= ~R_SR_BSY_MASK;
}

static void frame_done(void *opaque)
{
    stm32f4_spi_t *s = opaque;
    unsigned bits = frame_bits(s);
    uint16_t mask = bits == 8 ? 0xFF : 0xFFFF;
    bool lsb = cr1(s) & R_CR1_LSBFIRST_MASK;
    bool bidi_tx = (cr1(s) & R_CR1_BIDIMODE_MASK) && (cr1(s) & R_CR1_BIDIOE_MASK);
    uint16_t mosi = (uint16_t)(s->tx_shift & mask);
    uint16_t miso = spi_bus_transfer(&s->bus, lsb ? bit_reverse(mosi, bits) : mosi, bits) & mask;
    if (lsb)
        miso = bit_reverse(miso, bits);
    s->frames++;
    s->shifting = false;
    if (s->crc_phase) {
        /* the received CRC frame lands in DR like data, and is checked */
        if ((uint16_t)miso != (uint16_t)s->r[SPI_RXCRCR])
            s->r[SPI_SR] |= R_SR_CRCERR_MASK;
        s->crc_phase = false;
        s->r[SPI_CR1] &= ~R_CR1_CRCNEXT_MASK;
    } else if ((cr1(s) & R_CR1_CRCEN_MASK) && !bidi_tx) {
        s->r[SPI_RXCRCR] = crc_step((uint16_t)s->r[SPI_RXCRCR], miso, bits, (uint16_t)s->r[SPI_CRCPR]);
    }
    if (!bidi_tx) {
        if (s->r[SPI_SR] & R_SR_RXNE_MASK) {
            s->r[SPI_SR] |= R_SR_OVR_MASK; /* the new frame is lost */
            s->ovr_dr_read = false;
            s->overruns++;
        } else {
            s->rx_buf = miso;
            s->r[SPI_SR] |= R_SR_RXNE_MASK;
        }
    }
    next_frame(s);
    update_irq(s);
}

static void abandon_frame(stm32f4_spi_t *s)
{
    if (s->shifting || s->tx_full)
        log_once(LOG_GUEST_ERROR, s->name, 3, "%s: SPE cleared while a frame was on the wire "
                 "(wait for BSY = 0 first): the frame is abandoned", s->name);
    sched_cancel(s->sched, &s->frame_done);
    s->shifting = s->tx_full = s->crc_phase = false;
    s->r[SPI_SR] = (s->r[SPI_SR] & ~R_SR_BSY_MASK) | R_SR_TXE_MASK;
}

static void check_modf(stm32f4_spi_t *s)
{
    uint32_t c = cr1(s);
    if ((c & R_CR1_MSTR_MASK) && (c & R_CR1_SSM_MASK) && !(c & R_CR1_SSI_MASK) && (c & R_CR1_SPE_MASK)) {
        /* master with NSS seen low: mode fault, SPE and MSTR drop */
        s->r[SPI_SR] |= R_SR_MODF_MASK;
        s->r[SPI_CR1] &= ~(R_CR1_SPE_MASK | R_CR1_MSTR_MASK);
        s->modf_sr_read = false;
        abandon_frame(s);
        log_once(LOG_GUEST_ERROR, s->name, 1, "%s: mode fault (SSM=1, SSI=0 in master mode)", s->name);
    }
    if ((c & R_CR1_MSTR_MASK) && !(c & R_CR1_SSM_MASK) && !(s->r[SPI_CR2] & R_CR2_SSOE_MASK) &&
        (c & R_CR1_SPE_MASK))
        log_once(LOG_UNIMP, s->name, 4, "%s: master with hardware NSS input (SSM=0, SSOE=0): the NSS "
                 "pin is taken as high", s->name);
}

static void cr1_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_spi_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t c = s->r[SPI_CR1];
    if (s->r[SPI_SR] & R_SR_MODF_MASK) {
        if (s->modf_sr_read) {
            s->r[SPI_SR] &= ~R_SR_MODF_MASK; /* SR read then CR1 write */
        } else {
            /* SPE and MSTR are write-protected while MODF is set */
            c &= ~(R_CR1_SPE_MASK | R_CR1_MSTR_MASK);
            s->r[SPI_CR1] = c;
        }
    }
    if (!(c & R_CR1_CRCEN_MASK) && (old & R_CR1_CRCEN_MASK))
        s->r[SPI_RXCRCR] = s->r[SPI_TXCRCR] = 0;
    if ((old & R_CR1_SPE_MASK) && !(c & R_CR1_SPE_MASK))
        abandon_frame(s);
    check_modf(s);
    /* enabling starts a frame buffered while SPE was 0, or the receive-only clock */
    if (master_on(s) && !s->shifting)
        next_frame(s);
    update_irq(s);
}

static void cr2_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    update_irq(dev);
}

static void sr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    update_irq(dev);
}

static void i2scfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_spi_t *s = dev;
    (void)idx;
    (void)old;
    if (written & R_I2SCFGR_I2SMOD_MASK)
        log_once(LOG_UNIMP, s->name, 5, "%s: I2S mode is not modelled", s->name);
}

static int spi_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_spi_t *s = dev;
    if ((off & ~3u) == A_DR) {
        *v = s->rx_buf >> ((off & 1) * 8);
        s->r[SPI_SR] &= ~R_SR_RXNE_MASK;
        if (s->r[SPI_SR] & R_SR_OVR_MASK)
            s->ovr_dr_read = true;
        update_irq(s);
        return 0;
    }
    regs_read(&s->regs, off, size, v);
    if ((off & ~3u) == A_SR) {
        if (s->r[SPI_SR] & R_SR_MODF_MASK)
            s->modf_sr_read = true;
        if ((s->r[SPI_SR] & R_SR_OVR_MASK) && s->ovr_dr_read) {
            /* OVR clears with a read of DR followed by a read of SR */
            s->r[SPI_SR] &= ~R_SR_OVR_MASK;
            s->ovr_dr_read = false;
            update_irq(s);
        }
    }
    return 0;
}

static int spi_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_spi_t *s = dev;
    if ((off & ~3u) != A_DR) {
        regs_write(&s->regs, off, size, v);
        return 0;
    }
    uint16_t val = (uint16_t)(frame_bits(s) == 8 ? v & 0xFF : v & 0xFFFF);
    if (!(cr1(s) & R_CR1_MSTR_MASK)) {
        log_once(LOG_UNIMP, s->name, 2, "%s: DR written in slave mode (slave mode is not modelled)",
                 s->name);
        return 0;
    }
    if (s->tx_full)
        log_once(LOG_GUEST_ERROR, s->name, 6, "%s: DR written while TXE = 0: the buffered data is "
                 "overwritten", s->name);
    s->tx_buf = val;
    s->tx_full = true;
    s->r[SPI_SR] &= ~R_SR_TXE_MASK;
    if (master_on(s) && !s->shifting)
        next_frame(s);
    update_irq(s);
    return 0;
}

const bus_ops_t stm32f4_spi_ops = { spi_read, spi_write };

static void clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f4_spi_t *s = opaque;
    (void)old_hz;
    /* a frame that waited for the clock goes out now */
    if (new_hz && s->shifting && !sched_is_armed(&s->frame_done))
        start_frame(s, s->tx_shift);
}

void stm32f4_spi_init(stm32f4_spi_t *s, const stm32f4_ctx_t *ctx, int index, sim_clock_t *clk)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "spi%d", index);
    s->sched = ctx->sched;
    s->clk = clk;
    clock_listen(clk, clock_changed, s);
    spi_bus_init(&s->bus, s->name);
    irq_init(&s->irq, s->name);
    irq_init(&s->dma_tx, s->name);
    irq_init(&s->dma_rx, s->name);
    sched_event_init(&s->frame_done, "spi.frame", frame_done, s);
    regs_init(&s->regs, s->name, spi_regs, SPI_NREGS, s->r, s);
    machine_add_spi_bus(ctx->m, ctx->inst, s->name, &s->bus);
}

void stm32f4_spi_reset(stm32f4_spi_t *s)
{
    sched_cancel(s->sched, &s->frame_done);
    regs_reset(&s->regs);
    s->shifting = s->tx_full = s->crc_phase = s->ovr_dr_read = s->modf_sr_read = false;
    s->rx_buf = 0;
    update_irq(s);
}
