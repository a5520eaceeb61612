/*
 * Microchip ENC28J60 stand-alone 10BASE-T Ethernet controller with SPI
 * interface (datasheet DS39662E, silicon errata DS80349C), modelled at
 * register level as a driver sees it: the SPI instruction set, the four
 * register banks, the 8 KiB buffer with its receive ring, the receive
 * filters, transmit, the DMA engine, the built-in self test, the PHY
 * through MII, the LEDs, the INT and RESET pins, and the silicon errata of
 * revisions B1, B4, B5 and B7, each switchable by itself.
 *
 * Endpoints: SPI device "spi"; pins "int" (output, active low), "reset"
 * (input, active low), "leda" and "ledb" (outputs, high = LED lit); net port
 * "eth0"; clock "clkout" (the CLKOUT pin). Controls and probes are listed by
 * `glitchbox controls --board B`; models/boards/README.md documents them.
 *
 * Everything below the accessors is the model's state: one plain struct,
 * read-only for everyone but the model (the UI uses the accessors).
 */
#ifndef MODELS_ENC28J60_H
#define MODELS_ENC28J60_H

#include "sim/machine.h"

#define ENC_MEM_SIZE 8192
#define ENC_EVENT_LOG 256
#define ENC_RXQ 4

enum enc_revision { ENC_REV_B1 = 0x02, ENC_REV_B4 = 0x04, ENC_REV_B5 = 0x05, ENC_REV_B7 = 0x06 };

/* The silicon errata of DS80349C a driver can observe (the numbers are the
 * sheet's; 3, temperature range, and 8, RBIAS resistor, have no behaviour a
 * simulation can show). */
enum enc_erratum {
    ENC_ERR_SPI_SLOW_CLOCK,      /*  1 */
    ENC_ERR_SRC_CLKRDY,          /*  2 */
    ENC_ERR_CLKOUT_POWER_SAVE,   /*  4 */
    ENC_ERR_ERXWRPT_ZERO,        /*  5 */
    ENC_ERR_PKTIF,               /*  6 */
    ENC_ERR_TPIN_POLARITY,       /*  7 */
    ENC_ERR_HD_LOOPBACK,         /*  9 */
    ENC_ERR_FD_LOOPBACK,         /* 10 */
    ENC_ERR_LED_DUPLEX_COLL,     /* 11 */
    ENC_ERR_TX_ABORT_STALL,      /* 12 */
    ENC_ERR_LINK_PULSE_COLL,     /* 13 */
    ENC_ERR_RXRDPT_EVEN,         /* 14 */
    ENC_ERR_LATECOL,             /* 15 */
    ENC_ERR_LED_AUTOPOLARITY,    /* 16 */
    ENC_ERR_DMA_CSUM_RX,         /* 17 */
    ENC_ERR_PATTERN_MATCH,       /* 18 */
    ENC_ERR_SRC_POWER_SAVE,      /* 19 */
    ENC_ERR_COUNT
};

#define ENC_REVS_B1 0x1u
#define ENC_REVS_B4 0x2u
#define ENC_REVS_B5 0x4u
#define ENC_REVS_B7 0x8u
#define ENC_REVS_ALL 0xFu

typedef struct enc_erratum_info {
    const char *name;        /* "rxrdpt_even": board files and controls use it */
    unsigned number;         /* issue number in DS80349C */
    unsigned revisions;      /* ENC_REVS_* the issue applies to */
    bool has_chance;         /* the sheet says "may": the symptom is drawn */
    double chance;           /* default probability of the symptom */
    const char *summary;     /* one line (control help) */
    const char *trigger, *symptom, *workaround;
} enc_erratum_info_t;

const enc_erratum_info_t *enc28j60_erratum_info(unsigned e);
int enc28j60_erratum_find(const char *name);

/* What the introspection log records. */
enum enc_event_kind {
    ENC_EV_RX_OK,          /* stored in the ring: addr = packet start */
    ENC_EV_RX_FILTERED,    /* rejected by the receive filters (detail: enc_rx_reason) */
    ENC_EV_RX_DROPPED,     /* lost: detail = enc_rx_reason */
    ENC_EV_RX_OVERFLOW,    /* ring full or EPKTCNT at 255: RXERIF */
    ENC_EV_TX_DONE,        /* len = bytes on the wire with CRC */
    ENC_EV_TX_COLLISION,   /* detail = attempt, addr = byte offset */
    ENC_EV_TX_ABORT,       /* detail = enc_tx_abort_reason */
    ENC_EV_TX_STALLED,     /* TXRTS set, the stalled transmit logic does nothing */
    ENC_EV_DMA_DONE,       /* detail: 1 = checksum, 0 = copy */
    ENC_EV_BIST_DONE,
    ENC_EV_LINK,           /* detail: 1 = up */
    ENC_EV_RESET,          /* detail = enc_reset_kind */
    ENC_EV_POWER_SAVE,     /* detail: 1 = entered, 0 = left */
    ENC_EV_ERRATUM,        /* detail = enum enc_erratum: its symptom happened */
    ENC_EV_BAD_COMMAND,    /* detail = enc_bad_kind, len = opcode byte / register */
    ENC_EV_KIND_COUNT
};

enum enc_rx_reason {
    ENC_RXR_NONE, ENC_RXR_NOT_READY, ENC_RXR_DISABLED, ENC_RXR_NO_LINK, ENC_RXR_FIFO_FULL,
    ENC_RXR_TOO_LONG, ENC_RXR_CRC, ENC_RXR_FILTER, ENC_RXR_CONTROL, ENC_RXR_RING_FULL,
    ENC_RXR_COUNT_FULL, ENC_RXR_DMA_ABORT, ENC_RXR_POLARITY, ENC_RXR_RUNT, ENC_RXR_COUNT
};
enum enc_tx_abort_reason {
    ENC_TXA_GIANT, ENC_TXA_EXCESS_COLL, ENC_TXA_LATE_COLL, ENC_TXA_CANCELLED, ENC_TXA_RESET,
    ENC_TXA_COUNT
};
enum enc_reset_kind { ENC_RST_POWER_ON, ENC_RST_PIN, ENC_RST_SRC, ENC_RST_POWER_CUT };
enum enc_bad_kind {
    ENC_BAD_OPCODE, ENC_BAD_EXTRA_BYTES, ENC_BAD_UNIMPLEMENTED, ENC_BAD_POINTER,
    ENC_BAD_NOT_READY, ENC_BAD_POWER_SAVE, ENC_BAD_MII_BUSY, ENC_BAD_COUNT
};

typedef struct enc_event {
    sim_time_t t;
    uint8_t kind;
    uint8_t detail;
    uint16_t len;
    uint16_t addr;
} enc_event_t;

typedef struct enc28j60_stats {
    uint64_t rx_frames, rx_bytes, rx_filtered, rx_dropped, rx_overflows;
    uint64_t tx_frames, tx_bytes, tx_aborts, tx_collisions;
    uint64_t spi_bytes, spi_commands, dma_ops, resets;
} enc28j60_stats_t;

/* One register as a dump shows it. */
typedef struct enc_reg_view {
    uint8_t bank;          /* 0-3; 4 for the common registers 0x1B-0x1F */
    uint8_t addr;
    uint8_t value;
    const char *name;
} enc_reg_view_t;

/* A frame on its way from the wire into the ring. */
typedef struct enc_rx_slot {
    sim_time_t start, end;     /* on the wire at our port: first preamble bit .. last FCS bit */
    uint16_t len;              /* without FCS */
    bool fcs_ok;
    uint8_t data[NET_FRAME_MAX];
} enc_rx_slot_t;

typedef struct enc28j60 {
    /* wiring (private) */
    char name[32];
    machine_t *m;
    sched_t *sched;
    rng_t rng;
    uint64_t log_key;
    /* configuration */
    uint8_t revision;
    bool erratum_on[ENC_ERR_COUNT];
    double erratum_chance[ENC_ERR_COUNT];
    int32_t osc_ppm;           /* 25 MHz oscillator frequency error, ppm (positive = fast) */
    uint32_t spi_sck_hz;       /* SCK the board runs the chip at, 0 = not declared */
    bool strap_full_duplex;    /* LEDB wiring: the PHY's duplex after reset */
    bool tpin_reversed;        /* receive pair wired with swapped polarity */
    double collision_chance;   /* half duplex: chance a transmit attempt meets other traffic */
    sim_time_t link_delay;     /* PHY wake/reset to link up */
    /* registers */
    uint8_t regs[4][0x1B];
    uint8_t eie, eir, estat, econ2, econ1;
    uint8_t erxrdpt_latch;     /* ERXRDPTL waits for the high byte */
    uint16_t erxwrpt;
    bool pktif_stale;          /* erratum 6: the readable PKTIF missed the last packet */
    uint16_t phy[0x20];
    uint8_t mem[ENC_MEM_SIZE];
    /* SPI command framing */
    bool selected;
    unsigned nbyte;
    uint8_t opcode, arg;
    bool cmd_bad, src_pending;
    sim_time_t spi_last_byte;
    sim_time_t spi_min_gap;    /* shortest byte-to-byte time seen in a command */
    /* power, reset, clock */
    bool powered;
    bool in_reset;             /* RESET pin held low */
    sim_time_t reset_low_at;
    bool osc_ready;            /* ESTAT.CLKRDY source: the start-up timer ran out */
    sim_time_t mac_ready_at;   /* MAC/MII/PHY usable from (erratum 2 delays it past CLKRDY) */
    /* PHY, MII, link */
    bool cable_up;             /* the link partner's pulses reach us */
    bool link_up;              /* the PHY's link state (LSTAT) */
    bool llstat_low;           /* PHSTAT1.LLSTAT latched low since the last read */
    uint8_t mii_op;            /* 0 none, 1 read, 2 write, 3 scan */
    uint16_t mii_wdata;
    uint8_t mii_reg;           /* PHY register of the MII transaction in progress */
    sim_time_t link_pulse_phase;
    /* receive */
    enc_rx_slot_t rxq[ENC_RXQ];
    unsigned rxq_head, rxq_count;
    sim_time_t rx_wire_free;   /* our receive wire is busy until */
    bool rx_drop_seen;         /* a frame was lost since the last stored one (RSV bit 16) */
    /* transmit */
    bool tx_busy, tx_stalled, tx_error_since_reset;
    uint16_t tx_start, tx_end;
    uint16_t tx_len;           /* bytes on the wire, padding and CRC included */
    uint16_t tx_payload;       /* what goes to the link (no FCS) */
    unsigned tx_attempt;
    uint32_t tx_wire_total;
    uint64_t tsv;
    sim_time_t tx_wire_start, tx_wire_end, last_tx_end;
    int tx_coll_at;            /* byte offset of this attempt's collision, -1 none */
    bool tx_coll_link_pulse;
    bool tx_giant;             /* longer than MAMXFL: aborted once MAMXFL bytes are out */
    uint8_t tx_frame[NET_FRAME_MAX + 8];
    /* DMA and BIST */
    bool dma_busy, dma_waits_tx, bist_busy;
    sim_time_t dma_csum_from, dma_csum_to;   /* the last checksum's busy interval */
    /* LEDs and CLKOUT */
    bool led[2];
    sim_time_t act_until[3];   /* tx, rx, collision activity (stretched) */
    sim_clock_t clkout;
    /* scheduled work */
    sched_event_t ost_ev, ready_ev, mii_ev, rx_ev, tx_ev, dma_ev, bist_ev, led_ev, link_ev;
    /* pins and port */
    gpio_pin_t int_pin, reset_in, leda_pin, ledb_pin;
    net_port_t port;
    /* probes */
    sim_probe_t pr_rx_frame, pr_rx_overflow, pr_rx_dropped, pr_rx_filtered, pr_tx_start,
        pr_tx_done, pr_tx_abort, pr_tx_collision, pr_link, pr_reset, pr_bad_command;
    sim_probe_t pr_erratum[ENC_ERR_COUNT];
    /* statistics and introspection */
    enc28j60_stats_t stats;
    uint64_t erratum_hits[ENC_ERR_COUNT];
    enc_event_t log[ENC_EVENT_LOG];
    unsigned log_head, log_count;
} enc28j60_t;

extern const model_class_t enc28j60_class;
extern const spi_device_ops_t enc28j60_spi_ops;

/* Read-only introspection (no side effects: nothing is cleared or latched). */
/* Register as the chip holds it: bank 0-3, addr 0-0x1F (0x1B-0x1F common). */
uint8_t enc28j60_peek(const enc28j60_t *s, unsigned bank, unsigned addr);
const char *enc28j60_reg_name(unsigned bank, unsigned addr);
/* Every implemented register, bank by bank, then the common ones. */
unsigned enc28j60_dump(const enc28j60_t *s, enc_reg_view_t *out, unsigned max);
uint16_t enc28j60_phy_peek(const enc28j60_t *s, unsigned reg);
const char *enc28j60_phy_name(unsigned reg);
/* Copy 'len' buffer bytes from 'addr' (wrapping at 0x1FFF). */
void enc28j60_buffer(const enc28j60_t *s, uint16_t addr, uint8_t *out, size_t len);
/* Events recorded so far, oldest first; returns the count copied. */
unsigned enc28j60_events(const enc28j60_t *s, enc_event_t *out, unsigned max);
/* One line describing an event ("rx dropped: ring full, 60 bytes"). */
void enc28j60_event_text(const enc_event_t *ev, char *buf, size_t len);
const char *enc28j60_event_name(unsigned kind);
bool enc28j60_led(const enc28j60_t *s, unsigned which);   /* 0 = LEDA, 1 = LEDB */
bool enc28j60_int_asserted(const enc28j60_t *s);
bool enc28j60_erratum_enabled(const enc28j60_t *s, unsigned e);
uint64_t enc28j60_erratum_hits(const enc28j60_t *s, unsigned e);
const enc28j60_stats_t *enc28j60_stats(const enc28j60_t *s);
const char *enc28j60_revision_name(uint8_t erevid);

/* Configuration the controls also reach (scenarios call these through
 * machine_set_control; tests may call them directly). */
int enc28j60_set_revision(enc28j60_t *s, const char *rev);
void enc28j60_set_erratum(enc28j60_t *s, unsigned e, bool on);

#endif
