/*
 * STM32F4 SPI in master mode (RM0090 section 28.3.3, 28.3.7; registers 28.5;
 * fact sheet section 2.7).
 *
 * Modelled: CR1 (SPE, MSTR, BR, DFF 8/16-bit, LSBFIRST, SSM/SSI), CR2 (TXEIE,
 * RXNEIE, ERRIE, TXDMAEN/RXDMAEN raising DMA requests), SR (TXE, RXNE, BSY,
 * OVR, MODF),
 * DR with a transmit buffer in front of the shift register: writing DR
 * starts a frame that lasts (8 or 16) * 2^(BR+1) PCLK periods in virtual
 * time; at its end the selected device answers through the SPI bus, RXNE is
 * set (OVR if the previous byte was not read) and a buffered frame starts.
 * MODF when SSM=1, SSI=0 in master mode. The CRC registers are stored.
 * Not modelled: slave mode, bidirectional and receive-only modes, hardware
 * CRC calculation, I2S; chip select is a GPIO the board wires
 * (as drivers do with SSM=1).
 */
#include <stdio.h>
#include <string.h>
#include "stm32f4_spi.h"
#include "sim/log.h"

REG32(CR1, 0x00)
REG32(CR2, 0x04)
REG32(SR, 0x08)
REG32(DR, 0x0C)
REG32(CRCPR, 0x10)
REG32(RXCRCR, 0x14)
REG32(TXCRCR, 0x18)
REG32(I2SCFGR, 0x1C)
REG32(I2SPR, 0x20)

#define CR1_MSTR (1u << 2)
#define CR1_SPE (1u << 6)
#define CR1_LSBFIRST (1u << 7)
#define CR1_SSI (1u << 8)
#define CR1_SSM (1u << 9)
#define CR1_DFF (1u << 11)
#define CR2_ERRIE (1u << 5)
#define CR2_RXNEIE (1u << 6)
#define CR2_TXEIE (1u << 7)
#define SR_RXNE (1u << 0)
#define SR_TXE (1u << 1)
#define SR_MODF (1u << 5)
#define SR_OVR (1u << 6)
#define SR_BSY (1u << 7)

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t spi_regs[SPI_NREGS] = {
    [SPI_CR1] = { "CR1", A_CR1, 0, 0xFFFF, .post_write = cr_written },
    [SPI_CR2] = { "CR2", A_CR2, 0, 0x00F7, .post_write = cr_written },
    [SPI_SR] = { "SR", A_SR, 0x0002, 0, .w0c_mask = 0x10 },
    [SPI_DR] = { "DR", A_DR, 0, 0xFFFF },
    [SPI_CRCPR] = { "CRCPR", A_CRCPR, 0x0007, 0xFFFF },
    [SPI_RXCRCR] = { "RXCRCR", A_RXCRCR, 0, 0 },
    [SPI_TXCRCR] = { "TXCRCR", A_TXCRCR, 0, 0 },
    [SPI_I2SCFGR] = { "I2SCFGR", A_I2SCFGR, 0, 0x0FBF },
    [SPI_I2SPR] = { "I2SPR", A_I2SPR, 0x0002, 0x03FF },
};

static void update_irq(stm32f4_spi_t *s)
{
    uint32_t sr = s->r[SPI_SR], cr2 = s->r[SPI_CR2];
    bool on = ((sr & SR_TXE) && (cr2 & CR2_TXEIE)) || ((sr & SR_RXNE) && (cr2 & CR2_RXNEIE)) ||
              ((sr & (SR_OVR | SR_MODF)) && (cr2 & CR2_ERRIE));
    irq_set(&s->irq, on);
    /* A DMA transfer triggered by one line changes SR: read it afresh. */
    irq_set(&s->dma_tx, (s->r[SPI_SR] & SR_TXE) && (s->r[SPI_CR2] & 2) && (s->r[SPI_CR1] & CR1_SPE));
    irq_set(&s->dma_rx, (s->r[SPI_SR] & SR_RXNE) && (s->r[SPI_CR2] & 1));
}

static void check_modf(stm32f4_spi_t *s)
{
    uint32_t cr1 = s->r[SPI_CR1];
    if ((cr1 & CR1_MSTR) && (cr1 & CR1_SSM) && !(cr1 & CR1_SSI) && (cr1 & CR1_SPE)) {
        /* master with NSS seen low: mode fault, SPE and MSTR drop */
        s->r[SPI_SR] |= SR_MODF;
        s->r[SPI_CR1] &= ~(CR1_SPE | CR1_MSTR);
        log_once(LOG_GUEST_ERROR, s->name, 1, "%s: mode fault (SSM=1, SSI=0 in master mode)", s->name);
    }
}

static unsigned frame_bits(const stm32f4_spi_t *s)
{
    return (s->r[SPI_CR1] & CR1_DFF) ? 16 : 8;
}

static sim_time_t frame_time(const stm32f4_spi_t *s)
{
    uint64_t pclk = clock_hz(s->pclk);
    unsigned br = (s->r[SPI_CR1] >> 3) & 7;
    if (!pclk)
        return SIM_US(1);
    return (sim_time_t)((uint64_t)frame_bits(s) * (2ull << br) * 1000000000ull / pclk);
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
    s->tx_shift = v;
    s->shifting = true;
    s->r[SPI_SR] |= SR_BSY;
    sched_after(s->sched, &s->frame_done, frame_time(s));
}

static void frame_done(void *opaque)
{
    stm32f4_spi_t *s = opaque;
    unsigned bits = frame_bits(s);
    bool lsb = s->r[SPI_CR1] & CR1_LSBFIRST;
    uint16_t mosi = lsb ? bit_reverse(s->tx_shift, bits) : s->tx_shift;
    uint16_t miso = spi_bus_transfer(&s->bus, mosi, bits);
    if (lsb)
        miso = bit_reverse(miso, bits);
    s->frames++;
    if (s->r[SPI_SR] & SR_RXNE) {
        s->r[SPI_SR] |= SR_OVR; /* the new frame is lost */
        s->ovr_dr_read = false;
        s->overruns++;
    } else {
        s->rx_buf = miso;
        s->r[SPI_SR] |= SR_RXNE;
    }
    s->shifting = false;
    if (s->tx_full) {
        s->tx_full = false;
        s->r[SPI_SR] |= SR_TXE;
        start_frame(s, s->tx_buf);
    } else {
        s->r[SPI_SR] &= ~SR_BSY;
    }
    update_irq(s);
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_spi_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    check_modf(s);
    update_irq(s);
}

static int spi_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_spi_t *s = dev;
    if ((off & ~3u) == A_DR) {
        *v = s->rx_buf;
        s->r[SPI_SR] &= ~SR_RXNE;
        if (s->r[SPI_SR] & SR_OVR)
            s->ovr_dr_read = true;
        update_irq(s);
        return 0;
    }
    regs_read(&s->regs, off, size, v);
    if ((off & ~3u) == A_SR && (s->r[SPI_SR] & SR_OVR) && s->ovr_dr_read) {
        /* OVR clears with a read of DR followed by a read of SR */
        s->r[SPI_SR] &= ~SR_OVR;
        s->ovr_dr_read = false;
        update_irq(s);
    }
    return 0;
}

static int spi_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_spi_t *s = dev;
    if ((off & ~3u) == A_DR) {
        uint32_t cr1 = s->r[SPI_CR1];
        uint16_t val = (uint16_t)(frame_bits(s) == 8 ? v & 0xFF : v & 0xFFFF);
        if (!(cr1 & CR1_SPE) || !(cr1 & CR1_MSTR)) {
            log_once(LOG_UNIMP, s->name, 2, "%s: DR written with SPE=0 or in slave mode (slave mode is not modelled)",
                     s->name);
            return 0;
        }
        if (!s->shifting) {
            start_frame(s, val);
        } else {
            s->tx_buf = val;
            s->tx_full = true;
            s->r[SPI_SR] &= ~SR_TXE;
        }
        update_irq(s);
        return 0;
    }
    regs_write(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_spi_ops = { spi_read, spi_write };

void stm32f4_spi_init(stm32f4_spi_t *s, const stm32f4_ctx_t *ctx, uint32_t base, int index,
                      sim_clock_t *pclk)
{
    (void)base;
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "spi%d", index);
    snprintf(s->bus_name, sizeof s->bus_name, "spi%d", index);
    s->sched = ctx->sched;
    s->pclk = pclk;
    spi_bus_init(&s->bus, s->bus_name);
    irq_init(&s->irq, s->name);
    irq_init(&s->dma_tx, s->name);
    irq_init(&s->dma_rx, s->name);
    sched_event_init(&s->frame_done, "spi-frame", frame_done, s);
    regs_init(&s->regs, s->name, spi_regs, SPI_NREGS, s->r, s);
    machine_add_spi_bus(ctx->m, ctx->inst, s->bus_name, &s->bus);
}

void stm32f4_spi_reset(stm32f4_spi_t *s)
{
    sched_cancel(s->sched, &s->frame_done);
    regs_reset(&s->regs);
    s->shifting = s->tx_full = false;
    s->rx_buf = 0;
    irq_set(&s->irq, false);
}
