/*
 * STM32F4 DMA controller (RM0090 section 10): 8 streams, 8 channels each,
 * with a 16-byte FIFO per stream.
 */
#ifndef MODELS_STM32F4_DMA_H
#define MODELS_STM32F4_DMA_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

#define DMA_STREAMS 8

/* Register indices: LISR, HISR, LIFCR, HIFCR, then six per stream. */
enum { DMA_LISR, DMA_HISR, DMA_LIFCR, DMA_HIFCR, DMA_S0CR };
enum { DMA_SCR, DMA_SNDTR, DMA_SPAR, DMA_SM0AR, DMA_SM1AR, DMA_SFCR, DMA_SREGS };
#define DMA_NREGS (DMA_S0CR + DMA_STREAMS * DMA_SREGS)
#define DMA_REG(st, r) (DMA_S0CR + (st) * DMA_SREGS + (r))

typedef struct stm32f4_dma_stream {
    uint32_t ndtr_start;       /* for HT/TC and circular reload */
    uint32_t pos;              /* peripheral items done since enable / reload */
    uint32_t mpos;             /* memory bytes done since enable / reload */
    uint8_t fifo[16];          /* packing between PSIZE and MSIZE */
    unsigned fifo_len;
} stm32f4_dma_stream_t;

typedef struct stm32f4_dma {
    regs_t regs;
    uint32_t r[DMA_NREGS];
    char name[8];
    bool is_dma2;              /* only DMA2 does memory-to-memory */
    bus_t *bus;
    sim_clock_t *clk;          /* HCLK gated by DMAxEN */
    stm32f4_dma_stream_t s[DMA_STREAMS];
    irq_line_t irq[DMA_STREAMS];
    /* peripheral request levels by stream and channel: bit (stream * 8 + channel) */
    uint64_t req;
    uint64_t transfers;
} stm32f4_dma_t;

void stm32f4_dma_init(stm32f4_dma_t *d, const stm32f4_ctx_t *ctx, int index, sim_clock_t *clk);
void stm32f4_dma_reset(stm32f4_dma_t *d);
/* A peripheral DMA request line; n = stream * 8 + channel (irq_handler_fn shape). */
void stm32f4_dma_request(void *dma, int n, bool level);
extern const bus_ops_t stm32f4_dma_ops;

#endif
