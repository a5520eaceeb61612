/*
 * STM32F4 USART/UART (RM0090 section 30) in asynchronous mode.
 */
#ifndef MODELS_STM32F4_USART_H
#define MODELS_STM32F4_USART_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

enum { USART_SR, USART_DR, USART_BRR, USART_CR1, USART_CR2, USART_CR3, USART_GTPR,
       USART_NREGS };

#define USART_RXQ 512

typedef struct stm32f4_usart {
    regs_t regs;
    uint32_t r[USART_NREGS];
    char name[12];             /* "usart2": console source and endpoint name */
    bool is_uart;              /* UART4/5: no synchronous, smartcard or flow control */
    machine_t *m;
    sched_t *sched;
    sim_clock_t *clk;          /* PCLK of its bus, gated by its RCC enable bit */
    irq_line_t irq;
    irq_line_t dma_tx, dma_rx; /* DMA requests: TXE with DMAT, RXNE with DMAR */
    /* transmitter: data register and shift register */
    bool tx_busy, tx_held, tx_data;   /* tx_data: the shift register holds a character */
    uint16_t tx_shift, tx_hold;
    sched_event_t tx_event;
    /* receiver: bytes waiting on the line, delivered at character timing */
    uint8_t rxq[USART_RXQ];
    unsigned rx_head, rx_count;
    uint16_t rx_data;
    bool idle_armed;           /* IDLE may be set (a character came since it was cleared) */
    uint32_t sr_seen;          /* flags seen by an SR read: a DR access then clears them */
    sched_event_t rx_event;
    sched_event_t idle_event;
    uint64_t tx_bytes, rx_bytes, overruns;
} stm32f4_usart_t;

void stm32f4_usart_init(stm32f4_usart_t *s, const stm32f4_ctx_t *ctx, int index, sim_clock_t *clk,
                        bool is_uart);
void stm32f4_usart_reset(stm32f4_usart_t *s);
/* Bytes arriving on RX (console input, scenarios); returns how many the
 * line takes now (none while the receiver is off: the sender waits). */
size_t stm32f4_usart_rx_push(stm32f4_usart_t *s, const uint8_t *buf, size_t len);
extern const bus_ops_t stm32f4_usart_ops;

#endif
