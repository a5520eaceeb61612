/*
 * STM32F4 SPI controller (RM0090 section 28) in master mode, with hardware
 * CRC and DMA requests.
 */
#ifndef MODELS_STM32F4_SPI_H
#define MODELS_STM32F4_SPI_H

#include "stm32f4_periph.h"
#include "sim/irq.h"
#include "sim/spi.h"

enum { SPI_CR1, SPI_CR2, SPI_SR, SPI_DR, SPI_CRCPR, SPI_RXCRCR, SPI_TXCRCR, SPI_I2SCFGR,
       SPI_I2SPR, SPI_NREGS };

typedef struct stm32f4_spi {
    regs_t regs;
    uint32_t r[SPI_NREGS];
    char name[8];
    sched_t *sched;
    sim_clock_t *clk;          /* PCLK of its bus, gated by its RCC enable bit */
    spi_bus_t bus;             /* the board attaches a device through "<inst>.spiN" */
    irq_line_t irq;
    irq_line_t dma_tx, dma_rx; /* DMA requests: TXE with TXDMAEN, RXNE with RXDMAEN */
    bool shifting, tx_full;
    bool crc_phase;            /* the frame on the wire is the CRC */
    bool ovr_dr_read;          /* DR was read while OVR: the next SR read clears it */
    bool modf_sr_read;         /* SR was read while MODF: the next CR1 write clears it */
    uint16_t tx_shift, tx_buf, rx_buf;
    sched_event_t frame_done;
    uint64_t frames, overruns;
} stm32f4_spi_t;

void stm32f4_spi_init(stm32f4_spi_t *s, const stm32f4_ctx_t *ctx, int index, sim_clock_t *clk);
void stm32f4_spi_reset(stm32f4_spi_t *s);
extern const bus_ops_t stm32f4_spi_ops;

#endif
