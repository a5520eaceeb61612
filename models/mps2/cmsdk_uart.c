/*
 * ARM CMSDK APB UART, per the Cortex-M System Design Kit Technical Reference
 * Manual (ARM DDI 0479), section "UART": DATA 0x00, STATE 0x04, CTRL 0x08,
 * INTSTATUS/INTCLEAR 0x0C, BAUDDIV 0x10, identification registers at 0xFD0.
 * Not modelled: the high-speed test mode, the overrun interrupts' OR gate.
 * Timing: a character takes 10 bit times of BAUDDIV PCLK cycles each.
 */
#include <stdio.h>
#include <string.h>
#include "cmsdk_uart.h"
#include "sim/log.h"
#include "sim/machine.h"

REG32(DATA, 0x00)
REG32(STATE, 0x04)
    FIELD(STATE, TXFULL, 0, 1)
    FIELD(STATE, RXFULL, 1, 1)
    FIELD(STATE, TXOVR, 2, 1)
    FIELD(STATE, RXOVR, 3, 1)
REG32(CTRL, 0x08)
    FIELD(CTRL, TXEN, 0, 1)
    FIELD(CTRL, RXEN, 1, 1)
    FIELD(CTRL, TXINTEN, 2, 1)
    FIELD(CTRL, RXINTEN, 3, 1)
REG32(INTSTATUS, 0x0C)
    FIELD(INTSTATUS, TX, 0, 1)
    FIELD(INTSTATUS, RX, 1, 1)
REG32(BAUDDIV, 0x10)

static void uart_update_irq(cmsdk_uart_t *u)
{
    uint32_t is = u->values[CMSDK_UART_R_INTSTATUS];
    uint32_t ctrl = u->values[CMSDK_UART_R_CTRL];
    irq_set(&u->tx_irq, (is & R_INTSTATUS_TX_MASK) && (ctrl & R_CTRL_TXINTEN_MASK));
    irq_set(&u->rx_irq, (is & R_INTSTATUS_RX_MASK) && (ctrl & R_CTRL_RXINTEN_MASK));
}

static void data_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    cmsdk_uart_t *u = dev;
    (void)idx;
    (void)old;
    uint32_t *st = &u->values[CMSDK_UART_R_STATE];
    if (!(u->values[CMSDK_UART_R_CTRL] & R_CTRL_TXEN_MASK))
        return;
    if (*st & R_STATE_TXFULL_MASK) {
        *st |= R_STATE_TXOVR_MASK;
        return;
    }
    uint8_t c = (uint8_t)written;
    machine_console_write(u->m, u->name, &c, 1);
    *st |= R_STATE_TXFULL_MASK;
    uint32_t div = u->values[CMSDK_UART_R_BAUDDIV];
    if (div < 16)
        div = 16;
    sim_time_t t = (sim_time_t)((unsigned __int128)10 * div * 1000000000u / u->pclk_hz);
    sched_after(u->sched, &u->tx_done, t ? t : 1);
}

static void tx_done(void *opaque)
{
    cmsdk_uart_t *u = opaque;
    u->values[CMSDK_UART_R_STATE] &= ~R_STATE_TXFULL_MASK;
    u->values[CMSDK_UART_R_INTSTATUS] |= R_INTSTATUS_TX_MASK;
    uart_update_irq(u);
}

static uint32_t data_read(void *dev, unsigned idx, uint32_t v)
{
    cmsdk_uart_t *u = dev;
    (void)idx;
    (void)v;
    u->values[CMSDK_UART_R_STATE] &= ~R_STATE_RXFULL_MASK;
    return u->rx_byte;
}

static void ctrl_or_status_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    uart_update_irq(dev);
}

static const reg_desc_t uart_regs[CMSDK_UART_R_COUNT] = {
    [CMSDK_UART_R_DATA] = { "DATA", A_DATA, 0, 0, .pre_read = data_read,
                            .post_write = data_written },
    [CMSDK_UART_R_STATE] = { "STATE", A_STATE, 0, 0,
                             .w1c_mask = R_STATE_TXOVR_MASK | R_STATE_RXOVR_MASK },
    [CMSDK_UART_R_CTRL] = { "CTRL", A_CTRL, 0, 0x7F, .post_write = ctrl_or_status_written },
    [CMSDK_UART_R_INTSTATUS] = { "INTSTATUS", A_INTSTATUS, 0, 0, .w1c_mask = 0xF,
                                 .post_write = ctrl_or_status_written },
    [CMSDK_UART_R_BAUDDIV] = { "BAUDDIV", A_BAUDDIV, 0, 0xFFFFF },
};

/* Peripheral and component identification (CMSDK UART part number 0x821). */
static const uint8_t uart_id[12] = { 0x04, 0, 0, 0, 0x21, 0xB8, 0x1B, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

static int uart_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    cmsdk_uart_t *u = dev;
    if (off >= 0xFD0 && off < 0x1000) {
        *v = uart_id[(off - 0xFD0) >> 2];
        return 0;
    }
    regs_read(&u->regs, off, size, v);
    return 0;
}

static int uart_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    cmsdk_uart_t *u = dev;
    if (off >= 0xFD0)
        return 0;
    regs_write(&u->regs, off, size, v);
    return 0;
}

const bus_ops_t cmsdk_uart_ops = { uart_read, uart_write };

void cmsdk_uart_init(cmsdk_uart_t *u, struct machine *m, const char *name, uint64_t pclk_hz)
{
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", name);
    u->m = m;
    u->sched = &m->sched;
    u->pclk_hz = pclk_hz ? pclk_hz : 25000000;
    irq_init(&u->tx_irq, "uart.tx");
    irq_init(&u->rx_irq, "uart.rx");
    sched_event_init(&u->tx_done, "uart.tx_done", tx_done, u);
    regs_init(&u->regs, u->name, uart_regs, CMSDK_UART_R_COUNT, u->values, u);
}

void cmsdk_uart_reset(cmsdk_uart_t *u)
{
    sched_cancel(u->sched, &u->tx_done);
    regs_reset(&u->regs);
    uart_update_irq(u);
}

bool cmsdk_uart_rx(cmsdk_uart_t *u, uint8_t byte)
{
    uint32_t *st = &u->values[CMSDK_UART_R_STATE];
    if (!(u->values[CMSDK_UART_R_CTRL] & R_CTRL_RXEN_MASK))
        return false;
    if (*st & R_STATE_RXFULL_MASK) {
        *st |= R_STATE_RXOVR_MASK;
        return false;
    }
    u->rx_byte = byte;
    *st |= R_STATE_RXFULL_MASK;
    u->values[CMSDK_UART_R_INTSTATUS] |= R_INTSTATUS_RX_MASK;
    uart_update_irq(u);
    return true;
}
