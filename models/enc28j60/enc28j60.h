/*
 * Microchip ENC28J60 stand-alone 10BASE-T Ethernet controller with SPI
 * interface (datasheet DS39662E), modelled at register level: the SPI
 * instruction set, four register banks, the 8 KiB buffer with its RX ring,
 * transmit, DMA, PHY through MII, interrupts on the INT pin.
 */
#ifndef MODELS_ENC28J60_H
#define MODELS_ENC28J60_H

#include "sim/machine.h"

#define ENC_MEM_SIZE 8192
#define ENC_EVENT_LOG 64

enum enc_revision { ENC_REV_B1 = 0x02, ENC_REV_B4 = 0x04, ENC_REV_B5 = 0x05, ENC_REV_B7 = 0x06 };

/* What the introspection log records. */
enum enc_event_kind {
    ENC_EV_RX_OK, ENC_EV_RX_FILTERED, ENC_EV_RX_OVERFLOW, ENC_EV_RX_DISABLED, ENC_EV_TX_DONE,
    ENC_EV_TX_ABORT, ENC_EV_DMA_DONE, ENC_EV_LINK, ENC_EV_RESET, ENC_EV_BAD_COMMAND,
};

typedef struct enc_event {
    sim_time_t t;
    uint8_t kind;
    uint16_t len;
    uint16_t addr;
} enc_event_t;

typedef struct enc28j60 {
    char name[32];
    machine_t *m;
    sched_t *sched;
    uint8_t revision;
    /* registers: banked ETH/MAC/MII at 0x00-0x1A, then the common five */
    uint8_t bank[4][0x1B];
    uint8_t eie, eir, estat, econ2, econ1;
    uint16_t phy[0x20];
    uint8_t erxrdpt_low;       /* ERXRDPTL is taken with the high byte */
    uint16_t erxwrpt;
    uint8_t mem[ENC_MEM_SIZE];
    /* SPI command framing */
    bool selected;
    unsigned nbyte;            /* bytes of the current command so far */
    uint8_t opcode, arg;
    bool src_pending;
    /* state */
    bool in_reset;             /* RESET pin held low */
    bool link_up;
    bool phy_link_latched_low;
    bool mii_busy, tx_busy, dma_busy;
    uint16_t tx_start, tx_end; /* frame being sent */
    sched_event_t ost_event, mii_event, tx_event, dma_event;
    /* wiring */
    gpio_pin_t int_pin;
    gpio_pin_t reset_in;
    net_port_t port;
    /* statistics and introspection */
    uint64_t rx_frames, rx_dropped, tx_frames, spi_bytes;
    enc_event_t log[ENC_EVENT_LOG];
    unsigned log_head, log_count;
} enc28j60_t;

extern const model_class_t enc28j60_class;
extern const spi_device_ops_t enc28j60_spi_ops;

void enc28j60_reset(enc28j60_t *s, bool power_on);
/* Register of the current bank layout, for dumps: bank 0-3, addr 0-0x1F. */
uint8_t enc28j60_peek(const enc28j60_t *s, unsigned bank, unsigned addr);
/* Events recorded so far, oldest first; returns the count copied. */
unsigned enc28j60_events(const enc28j60_t *s, enc_event_t *out, unsigned max);

#endif
