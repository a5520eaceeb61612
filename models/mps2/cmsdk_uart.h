/*
 * ARM CMSDK APB UART (as on the MPS2 FPGA images): TX to the machine console,
 * RX from a push function, TX/RX interrupts.
 */
#ifndef MODELS_MPS2_CMSDK_UART_H
#define MODELS_MPS2_CMSDK_UART_H

#include "sim/bus.h"
#include "sim/irq.h"
#include "sim/regs.h"
#include "sim/sched.h"

struct machine;

enum { CMSDK_UART_R_DATA, CMSDK_UART_R_STATE, CMSDK_UART_R_CTRL, CMSDK_UART_R_INTSTATUS,
       CMSDK_UART_R_BAUDDIV, CMSDK_UART_R_COUNT };

typedef struct cmsdk_uart {
    char name[16];
    regs_t regs;
    uint32_t values[CMSDK_UART_R_COUNT];
    uint8_t rx_byte;
    uint64_t pclk_hz;
    sched_event_t tx_done;
    irq_line_t tx_irq, rx_irq;
    /* wiring */
    struct machine *m;
    sched_t *sched;
} cmsdk_uart_t;

extern const bus_ops_t cmsdk_uart_ops;
void cmsdk_uart_init(cmsdk_uart_t *u, struct machine *m, const char *name, uint64_t pclk_hz);
void cmsdk_uart_reset(cmsdk_uart_t *u);
/* Deliver one received byte; false if the receive buffer is still full. */
bool cmsdk_uart_rx(cmsdk_uart_t *u, uint8_t byte);

#endif
