/*
 * STM32F4 DMA controller (RM0090 section 10): 8 streams, 8 channels each.
 */
#ifndef MODELS_STM32F4_DMA_H
#define MODELS_STM32F4_DMA_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

#define DMA_STREAMS 8

typedef struct stm32f4_dma_stream {
    uint32_t cr, ndtr, par, m0ar, m1ar, fcr;
    uint32_t ndtr_start;       /* for HT/TC and circular reload */
    uint32_t pos;              /* items done since enable / reload */
} stm32f4_dma_stream_t;

typedef struct stm32f4_dma {
    char name[8];
    bus_t *bus;
    stm32f4_dma_stream_t s[DMA_STREAMS];
    uint32_t isr[2];           /* LISR, HISR */
    irq_line_t irq[DMA_STREAMS];
    /* peripheral request levels by stream and channel: bit (stream * 8 + channel) */
    uint64_t req;
    uint64_t transfers;
} stm32f4_dma_t;

void stm32f4_dma_init(stm32f4_dma_t *d, const stm32f4_ctx_t *ctx, uint32_t base, int index);
void stm32f4_dma_reset(stm32f4_dma_t *d);
/* A peripheral DMA request line; n = stream * 8 + channel (irq_handler_fn shape). */
void stm32f4_dma_request(void *dma, int n, bool level);
extern const bus_ops_t stm32f4_dma_ops;

#endif
