/*
 * Microchip ENC28J60 (DS39662E; silicon errata DS80349C). This file: the
 * register map and its access rules, the SPI instruction set framed by chip
 * select, resets (power-on, RESET pin, SRC), the oscillator start-up timer,
 * power save, the INT pin, errata configuration, controls and probes,
 * introspection. enc28j60_net.c holds the buffer engines (receive ring,
 * filters, transmit, DMA, BIST); enc28j60_phy.c the PHY, MII, link and LEDs.
 *
 * Modelled as the datasheet describes:
 * - RCR (MAC and MII registers answer a dummy byte first), RBM, WCR, WBM,
 *   BFS, BFC, SRC; a command ends when CS rises; SRC acts when CS rises;
 *   reserved opcodes are ignored until CS rises; bytes after a complete
 *   command are ignored. All of these are logged once.
 * - Every register of the four banks with its POR value, writable bits and
 *   host-clearable (R/C) flags, read from one table (enc_regs below). SRC and
 *   the RESET pin leave ECOCON (Microchip's own driver notes that a system
 *   reset keeps it) and the buffer memory; power-on fills the buffer with
 *   seeded noise, as SRAM powers up.
 * - CLKRDY 7500 oscillator cycles (300 us) after power-on, after the RESET
 *   pin rises (a pulse shorter than the 400 ns minimum is logged) and after
 *   leaving power save; MAC, MII and PHY registers ignore writes and read 0
 *   until then. Power save stops the MAC and PHY (their registers too).
 * - INT is driven low while INTIE and an enabled flag are set (a level, no
 *   extra edges); ESTAT.INT shows the pending flag without INTIE.
 * - All chip timing runs on the 25 MHz oscillator, which may drift
 *   (osc_ppm): start-up, MII, DMA, BIST, the wire at 10 Mbit/s.
 *
 * Not modelled: ESTAT.BUFER (no internal FIFO can under- or overrun here);
 * VRPS only stores its bit (it changes current, not behaviour); pause
 * frames and flow control (EFLOCON.FCEN, MACON1.TXPAUS/RXPAUS: received
 * pause frames do not pause our transmitter; logged once); the SPI clock
 * as an electrical signal (the board declares it, see spi_sck_hz).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enc28j60_regs.h"
#include "sim/log.h"

#define ENC_OST_CYCLES 7500u          /* oscillator start-up timer */
#define ENC_SRC_READY_MAX_NS SIM_MS(1) /* erratum 2: ready no later than 1 ms after SRC */
#define ENC_RESET_MIN_NS 400u          /* RESET pin minimum low time */

/* ------------------------------------------------------------------------ */
/* The register map (DS39662E table 3-2). wmask: bits a write stores;
 * cmask: R/C flags a write of 0 clears. Addresses not listed are
 * unimplemented (read 0, writes ignored, logged once). */

#define ETH(n, r, w) { n, ENC_R_ETH, r, w, 0, false }
#define MAC(n, r, w) { n, ENC_R_MAC, r, w, 0, false }
#define MII(n, r, w) { n, ENC_R_MII, r, w, 0, false }
#define RSVD(n) { n, ENC_R_RESERVED, 0, 0, 0, false }

static const enc_reg_desc_t enc_regs[4][0x1B] = {
    [0] = {
        [0x00] = ETH("ERDPTL", 0xFA, 0xFF), [0x01] = ETH("ERDPTH", 0x05, 0x1F),
        [0x02] = ETH("EWRPTL", 0x00, 0xFF), [0x03] = ETH("EWRPTH", 0x00, 0x1F),
        [0x04] = ETH("ETXSTL", 0x00, 0xFF), [0x05] = ETH("ETXSTH", 0x00, 0x1F),
        [0x06] = ETH("ETXNDL", 0x00, 0xFF), [0x07] = ETH("ETXNDH", 0x00, 0x1F),
        [0x08] = ETH("ERXSTL", 0xFA, 0xFF), [0x09] = ETH("ERXSTH", 0x05, 0x1F),
        [0x0A] = ETH("ERXNDL", 0xFF, 0xFF), [0x0B] = ETH("ERXNDH", 0x1F, 0x1F),
        [0x0C] = ETH("ERXRDPTL", 0xFA, 0xFF), [0x0D] = ETH("ERXRDPTH", 0x05, 0x1F),
        [0x0E] = ETH("ERXWRPTL", 0x00, 0x00), [0x0F] = ETH("ERXWRPTH", 0x00, 0x00),
        [0x10] = ETH("EDMASTL", 0x00, 0xFF), [0x11] = ETH("EDMASTH", 0x00, 0x1F),
        [0x12] = ETH("EDMANDL", 0x00, 0xFF), [0x13] = ETH("EDMANDH", 0x00, 0x1F),
        [0x14] = ETH("EDMADSTL", 0x00, 0xFF), [0x15] = ETH("EDMADSTH", 0x00, 0x1F),
        [0x16] = ETH("EDMACSL", 0x00, 0xFF), [0x17] = ETH("EDMACSH", 0x00, 0xFF),
        [0x1A] = RSVD("(reserved 0:1A)"),
    },
    [1] = {
        [0x00] = ETH("EHT0", 0, 0xFF), [0x01] = ETH("EHT1", 0, 0xFF),
        [0x02] = ETH("EHT2", 0, 0xFF), [0x03] = ETH("EHT3", 0, 0xFF),
        [0x04] = ETH("EHT4", 0, 0xFF), [0x05] = ETH("EHT5", 0, 0xFF),
        [0x06] = ETH("EHT6", 0, 0xFF), [0x07] = ETH("EHT7", 0, 0xFF),
        [0x08] = ETH("EPMM0", 0, 0xFF), [0x09] = ETH("EPMM1", 0, 0xFF),
        [0x0A] = ETH("EPMM2", 0, 0xFF), [0x0B] = ETH("EPMM3", 0, 0xFF),
        [0x0C] = ETH("EPMM4", 0, 0xFF), [0x0D] = ETH("EPMM5", 0, 0xFF),
        [0x0E] = ETH("EPMM6", 0, 0xFF), [0x0F] = ETH("EPMM7", 0, 0xFF),
        [0x10] = ETH("EPMCSL", 0, 0xFF), [0x11] = ETH("EPMCSH", 0, 0xFF),
        [0x14] = ETH("EPMOL", 0, 0xFF), [0x15] = ETH("EPMOH", 0, 0x1F),
        [0x18] = ETH("ERXFCON", 0xA1, 0xFF), [0x19] = ETH("EPKTCNT", 0, 0x00),
        [0x1A] = RSVD("(reserved 1:1A)"),
    },
    [2] = {
        [0x00] = MAC("MACON1", 0x00, 0x0F), [0x01] = RSVD("(reserved 2:01)"),
        [0x02] = MAC("MACON3", 0x00, 0xFF), [0x03] = MAC("MACON4", 0x00, 0x70),
        [0x04] = MAC("MABBIPG", 0x00, 0x7F),
        [0x06] = MAC("MAIPGL", 0x00, 0x7F), [0x07] = MAC("MAIPGH", 0x00, 0x7F),
        [0x08] = MAC("MACLCON1", 0x0F, 0x0F), [0x09] = MAC("MACLCON2", 0x37, 0x3F),
        [0x0A] = MAC("MAMXFLL", 0x00, 0xFF), [0x0B] = MAC("MAMXFLH", 0x06, 0xFF),
        [0x0C] = RSVD("(reserved 2:0C)"), [0x0D] = RSVD("(reserved 2:0D)"),
        [0x0E] = RSVD("(reserved 2:0E)"), [0x10] = RSVD("(reserved 2:10)"),
        [0x11] = RSVD("(reserved 2:11)"),
        [0x12] = MII("MICMD", 0x00, 0x03), [0x14] = MII("MIREGADR", 0x00, 0x1F),
        [0x15] = RSVD("(reserved 2:15)"),
        [0x16] = MII("MIWRL", 0x00, 0xFF), [0x17] = MII("MIWRH", 0x00, 0xFF),
        [0x18] = MII("MIRDL", 0x00, 0x00), [0x19] = MII("MIRDH", 0x00, 0x00),
        [0x1A] = RSVD("(reserved 2:1A)"),
    },
    [3] = {
        [0x00] = MAC("MAADR5", 0, 0xFF), [0x01] = MAC("MAADR6", 0, 0xFF),
        [0x02] = MAC("MAADR3", 0, 0xFF), [0x03] = MAC("MAADR4", 0, 0xFF),
        [0x04] = MAC("MAADR1", 0, 0xFF), [0x05] = MAC("MAADR2", 0, 0xFF),
        [0x06] = ETH("EBSTSD", 0x00, 0xFF), [0x07] = ETH("EBSTCON", 0x00, 0xFF),
        [0x08] = ETH("EBSTCSL", 0x00, 0x00), [0x09] = ETH("EBSTCSH", 0x00, 0x00),
        [0x0A] = MII("MISTAT", 0x00, 0x00),
        [0x12] = ETH("EREVID", 0x00, 0x00),
        [0x15] = { "ECOCON", ENC_R_ETH, 0x04, 0x07, 0, true },
        [0x16] = RSVD("(reserved 3:16)"),
        [0x17] = ETH("EFLOCON", 0x00, 0x03),
        [0x18] = ETH("EPAUSL", 0x00, 0xFF), [0x19] = ETH("EPAUSH", 0x10, 0xFF),
        [0x1A] = RSVD("(reserved 3:1A)"),
    },
};

static const enc_reg_desc_t enc_common[5] = {
    { "EIE", ENC_R_ETH, 0x00, 0xFF, 0, false },
    { "EIR", ENC_R_ETH, 0x00, 0x00, ENC_INT_DMA | ENC_INT_TX | ENC_INT_TXER | ENC_INT_RXER, false },
    { "ESTAT", ENC_R_ETH, 0x00, 0x00, ENC_ESTAT_BUFER | ENC_ESTAT_LATECOL | ENC_ESTAT_TXABRT, false },
    { "ECON2", ENC_R_ETH, 0x80, 0xF8, 0, false },
    { "ECON1", ENC_R_ETH, 0x00, 0xFF, 0, false },
};

static const enc_reg_desc_t enc_unimplemented = { NULL, ENC_R_NONE, 0, 0, 0, false };

const enc_reg_desc_t *enc_reg_desc(unsigned bank, unsigned addr)
{
    if (addr >= 0x1B && addr <= 0x1F)
        return &enc_common[addr - 0x1B];
    if (bank > 3 || addr >= 0x1B || !enc_regs[bank][addr].name)
        return &enc_unimplemented;
    return &enc_regs[bank][addr];
}

const char *enc28j60_reg_name(unsigned bank, unsigned addr)
{
    const enc_reg_desc_t *d = enc_reg_desc(bank, addr);
    return d->name ? d->name : "(unimplemented)";
}

static const char *const phy_names[0x20] = {
    [ENC_PHCON1] = "PHCON1", [ENC_PHSTAT1] = "PHSTAT1", [ENC_PHID1] = "PHID1",
    [ENC_PHID2] = "PHID2", [ENC_PHCON2] = "PHCON2", [ENC_PHSTAT2] = "PHSTAT2",
    [ENC_PHIE] = "PHIE", [ENC_PHIR] = "PHIR", [ENC_PHLCON] = "PHLCON",
};

const char *enc28j60_phy_name(unsigned reg)
{
    return reg < 0x20 && phy_names[reg] ? phy_names[reg] : "(reserved)";
}

/* ------------------------------------------------------------------------ */
/* The errata (DS80349C), as this model shows them. */

static const enc_erratum_info_t errata[ENC_ERR_COUNT] = {
    [ENC_ERR_SPI_SLOW_CLOCK] = { "spi_slow_clock", 1, ENC_REVS_B1 | ENC_REVS_B4, true, 0.02,
        "MAC/MII registers unreliable with an SPI clock below 8 MHz",
        "SCK below 8 MHz and not derived from the chip's 25 MHz clock (board field spi_sck_hz)",
        "a MAC or MII register access (WCR, RCR, BFS/BFC) reads or stores a wrong value",
        "run SCK at 8 MHz or more, or derive it from CLKOUT" },
    [ENC_ERR_SRC_CLKRDY] = { "src_clkrdy", 2, ENC_REVS_ALL, false, 1.0,
        "CLKRDY is not cleared by SRC; the chip is ready only later",
        "the SPI System Reset Command",
        "ESTAT.CLKRDY stays 1, but MAC, MII and PHY registers ignore writes and read 0 until "
        "a moment drawn between 300 us and 1 ms after the command",
        "wait at least 1 ms after SRC before touching the chip (or use the RESET pin)" },
    [ENC_ERR_CLKOUT_POWER_SAVE] = { "clkout_power_save", 4, ENC_REVS_ALL, false, 1.0,
        "CLKOUT stops in power save",
        "ECON2.PWRSV set with CLKOUT enabled (ECOCON)",
        "the clkout clock endpoint drops to 0 Hz until PWRSV is cleared",
        "do not clock anything from CLKOUT through power save" },
    [ENC_ERR_ERXWRPT_ZERO] = { "erxwrpt_zero", 5, ENC_REVS_ALL, true, 0.5,
        "receive buffer must start at 0000h",
        "writing ERXST or ERXND while ERXST is not 0",
        "the hardware write pointer loads 0000h instead of ERXST: packets land outside the ring",
        "place the receive ring at 0000h and the transmit area above it" },
    [ENC_ERR_PKTIF] = { "pktif_unreliable", 6, ENC_REVS_ALL, true, 0.1,
        "EIR.PKTIF does not reliably report pending packets",
        "a packet arriving (EPKTCNT counts up)",
        "EIR.PKTIF reads 0 although EPKTCNT is not 0, until the count changes again; the INT "
        "pin still follows the real state",
        "decide on EPKTCNT (bank 1), not on EIR.PKTIF" },
    [ENC_ERR_TPIN_POLARITY] = { "tpin_polarity", 7, ENC_REVS_ALL, true, 0.5,
        "TPIN+/- automatic polarity detection and correction unreliable",
        "a receive pair wired with swapped polarity (board field tpin_reversed)",
        "received frames are lost and PHSTAT2.PLRITY does not report the reversal",
        "wire TPIN+/TPIN- correctly" },
    [ENC_ERR_HD_LOOPBACK] = { "hd_loopback", 9, ENC_REVS_ALL, true, 0.5,
        "internal loopback in half duplex unreliable",
        "half duplex (PHCON1.PDPXMD=0) with PHCON2.HDLDIS=0, which loops transmitted frames back",
        "the looped-back copy of a transmitted frame arrives corrupted (CRC error)",
        "set PHCON2.HDLDIS in half duplex" },
    [ENC_ERR_FD_LOOPBACK] = { "fd_loopback", 10, ENC_REVS_ALL, true, 0.5,
        "internal loopback in full duplex unreliable",
        "PHCON1.PLOOPBK=1",
        "looped-back frames arrive corrupted (CRC error)",
        "use an external loopback instead of PLOOPBK" },
    [ENC_ERR_LED_DUPLEX_COLL] = { "led_duplex_collision", 11, ENC_REVS_ALL, false, 1.0,
        "LED mode 1110 (duplex and collision) unavailable",
        "PHLCON.LACFG or LBCFG = 1110",
        "that LED stays dark",
        "use a different LED mode" },
    [ENC_ERR_TX_ABORT_STALL] = { "tx_abort_stall", 12, ENC_REVS_ALL, true, 0.5,
        "a transmit abort may stall the transmit logic",
        "a half-duplex abort: excessive collisions or a late collision",
        "the next ECON1.TXRTS never completes (TXRTS stays 1, no TXIF) until TXRST is pulsed; "
        "clearing TXRST then raises TXERIF",
        "pulse ECON1.TXRST before each transmission (or after TXERIF), then clear EIR.TXERIF" },
    [ENC_ERR_LINK_PULSE_COLL] = { "link_pulse_collision", 13, ENC_REVS_B5 | ENC_REVS_B7, true, 0.5,
        "received link pulses may be taken for collisions",
        "half duplex: a link pulse of the partner (every 16 ms) arrives while we transmit",
        "a collision: within MACLCON2 bytes the MAC backs off and retries, later it is a late "
        "collision: the frame is aborted (TXERIF, TSV late-collision bit)",
        "on TXERIF with the TSV late-collision bit retransmit (up to 16 times); a larger "
        "MACLCON2 makes late ones rarer" },
    [ENC_ERR_RXRDPT_EVEN] = { "rxrdpt_even", 14, ENC_REVS_ALL, true, 1.0,
        "even values in ERXRDPT may corrupt the receive buffer",
        "ERXRDPT holds an even address and the ring fills up to it",
        "the hardware's write pointer reaches ERXRDPT, the ring then looks empty and the next "
        "frame overwrites the oldest unread packet, its next-packet pointer and status included",
        "always write ERXRDPT odd: next packet pointer - 1, or ERXND when that is ERXST - 1" },
    [ENC_ERR_LATECOL] = { "latecol_unreliable", 15, ENC_REVS_ALL, true, 0.5,
        "ESTAT.LATECOL unreliable",
        "a late collision aborts a transmission",
        "ESTAT.LATECOL stays 0 (TXERIF and the TSV are right)",
        "read the late-collision bit of the transmit status vector (bit 29)" },
    [ENC_ERR_LED_AUTOPOLARITY] = { "led_autopolarity", 16, ENC_REVS_ALL, true, 0.5,
        "LED auto-polarity detection unreliable",
        "a reset: PHCON1.PDPXMD is taken from how LEDB is wired",
        "PDPXMD (PHY duplex) comes up opposite to the LEDB strap",
        "write PHCON1.PDPXMD (and MACON3.FULDPX to match) after every reset" },
    [ENC_ERR_DMA_CSUM_RX] = { "dma_checksum_rx", 17, ENC_REVS_ALL, true, 1.0,
        "DMA checksum calculations abort receive packets",
        "a DMA checksum (ECON1.CSUMEN|DMAST) runs while a frame is being received",
        "that frame is lost",
        "compute checksums in software, or only while reception is off" },
    [ENC_ERR_PATTERN_MATCH] = { "pattern_match_extra", 18, ENC_REVS_ALL, true, 0.05,
        "pattern match filter lets extra packets through",
        "ERXFCON.PMEN set and a frame whose pattern checksum does not match",
        "the frame is accepted as if it matched",
        "check the pattern again in software" },
    [ENC_ERR_SRC_POWER_SAVE] = { "src_power_save", 19, ENC_REVS_ALL, false, 1.0,
        "System Reset Command unavailable in power save",
        "SRC while ECON2.PWRSV=1",
        "the command is ignored",
        "clear PWRSV and wait for CLKRDY before SRC, or use the RESET pin" },
};

const enc_erratum_info_t *enc28j60_erratum_info(unsigned e)
{
    return e < ENC_ERR_COUNT ? &errata[e] : NULL;
}

int enc28j60_erratum_find(const char *name)
{
    for (unsigned e = 0; e < ENC_ERR_COUNT; e++)
        if (!strcmp(errata[e].name, name))
            return (int)e;
    return -1;
}

static unsigned revision_mask(uint8_t erevid)
{
    switch (erevid) {
    case ENC_REV_B1: return ENC_REVS_B1;
    case ENC_REV_B4: return ENC_REVS_B4;
    case ENC_REV_B5: return ENC_REVS_B5;
    default: return ENC_REVS_B7;
    }
}

const char *enc28j60_revision_name(uint8_t erevid)
{
    switch (erevid) {
    case ENC_REV_B1: return "B1";
    case ENC_REV_B4: return "B4";
    case ENC_REV_B5: return "B5";
    case ENC_REV_B7: return "B7";
    default: return "?";
    }
}

static int parse_revision(const char *r, uint8_t *out)
{
    static const struct { const char *name; uint8_t id; } revs[] = {
        { "B1", ENC_REV_B1 }, { "B4", ENC_REV_B4 }, { "B5", ENC_REV_B5 }, { "B7", ENC_REV_B7 },
    };
    for (unsigned k = 0; r && k < ARRAY_SIZE(revs); k++)
        if (!strcmp(r, revs[k].name)) {
            *out = revs[k].id;
            return 0;
        }
    return -1;
}

int enc28j60_set_revision(enc28j60_t *s, const char *rev)
{
    uint8_t id;
    if (parse_revision(rev, &id))
        return -1;
    s->revision = id;
    unsigned mask = revision_mask(id);
    for (unsigned e = 0; e < ENC_ERR_COUNT; e++)
        s->erratum_on[e] = (errata[e].revisions & mask) != 0;
    enc_clkout_update(s);
    enc_led_update(s);
    return 0;
}

void enc28j60_set_erratum(enc28j60_t *s, unsigned e, bool on)
{
    if (e >= ENC_ERR_COUNT)
        return;
    s->erratum_on[e] = on;
    enc_clkout_update(s);
    enc_led_update(s);
}

bool enc_erratum(enc28j60_t *s, enum enc_erratum e)
{
    return s->erratum_on[e];
}

/* An erratum's trigger happened: does its symptom show this time? Draws
 * from the model's stream only when the erratum is on and says "may". */
bool enc_erratum_draw(enc28j60_t *s, enum enc_erratum e)
{
    if (!s->erratum_on[e])
        return false;
    if (!errata[e].has_chance)
        return true;
    double p = s->erratum_chance[e];
    if (p >= 1.0)
        return true;
    if (p <= 0.0)
        return false;
    return rng_chance(&s->rng, p);
}

void enc_erratum_hit(enc28j60_t *s, enum enc_erratum e, uint16_t addr)
{
    s->erratum_hits[e]++;
    enc_log_event(s, ENC_EV_ERRATUM, (uint8_t)e, 0, addr);
    log_msg(LOG_TRACE, "enc28j60", "%s: erratum %u (%s): %s", s->name, errata[e].number,
            errata[e].name, errata[e].symptom);
    probe_hit(&s->pr_erratum[e]);
}

/* ------------------------------------------------------------------------ */
/* small helpers */

sim_time_t enc_cycles(const enc28j60_t *s, uint64_t cycles)
{
    /* 40 ns per cycle at 25 MHz; the oscillator's error (ppm of frequency,
     * positive = fast, as for the MCU's crystals) shortens or stretches
     * every interval */
    uint64_t f = (uint64_t)(1000000 + (int64_t)s->osc_ppm);
    return (sim_time_t)((cycles * 40u * 1000000u + f / 2) / f);
}

uint16_t enc_rd16(const enc28j60_t *s, unsigned bank, unsigned lo)
{
    return (uint16_t)(s->regs[bank][lo] | (s->regs[bank][lo + 1] << 8));
}

void enc_wr16(enc28j60_t *s, unsigned bank, unsigned lo, uint16_t v)
{
    s->regs[bank][lo] = (uint8_t)v;
    s->regs[bank][lo + 1] = (uint8_t)(v >> 8);
}

void enc_log_event(enc28j60_t *s, enum enc_event_kind k, uint8_t detail, uint16_t len, uint16_t addr)
{
    unsigned idx = (s->log_head + s->log_count) % ENC_EVENT_LOG;
    if (s->log_count == ENC_EVENT_LOG)
        s->log_head = (s->log_head + 1) % ENC_EVENT_LOG;
    else
        s->log_count++;
    s->log[idx] = (enc_event_t){ s->sched->now, (uint8_t)k, detail, len, addr };
}

/* The driver did something the chip does not support: log it once per
 * kind and place, count it, and let a scenario see it. */
static void bad_input(enc28j60_t *s, enum enc_bad_kind kind, unsigned where, const char *fmt, ...)
    SIM_PRINTF(4, 5);
static void bad_input(enc28j60_t *s, enum enc_bad_kind kind, unsigned where, const char *fmt, ...)
{
    char text[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + (uint64_t)kind * 0x10000u + where, "%s: %s",
             s->name, text);
    enc_log_event(s, ENC_EV_BAD_COMMAND, (uint8_t)kind, (uint16_t)where, 0);
    probe_hit(&s->pr_bad_command);
}

bool enc_mac_ready(const enc28j60_t *s)
{
    return s->powered && !s->in_reset && s->osc_ready && s->sched->now >= s->mac_ready_at &&
           !(s->econ2 & ENC_ECON2_PWRSV);
}

void enc_update_irq(enc28j60_t *s)
{
    uint8_t pending = s->eie & s->eir & ENC_INT_SOURCES;
    if (pending)
        s->estat |= ENC_ESTAT_INT;
    else
        s->estat &= (uint8_t)~ENC_ESTAT_INT;
    if (!s->powered) {
        gpio_pin_drive(&s->int_pin, GPIO_RELEASED);
        return;
    }
    bool asserted = !s->in_reset && (s->eie & ENC_EIE_INTIE) && pending;
    gpio_pin_drive(&s->int_pin, asserted ? GPIO_DRIVE_LOW : GPIO_DRIVE_HIGH);
}

/* ------------------------------------------------------------------------ */
/* register access */

static unsigned cur_bank(const enc28j60_t *s)
{
    return s->econ1 & ENC_ECON1_BSEL;
}

/* Is the address in the MAC/MII space (RCR answers a dummy byte first)? */
static bool mac_space(unsigned bank, unsigned addr)
{
    if (addr >= 0x1B)
        return false;
    return bank == 2 || (bank == 3 && (addr <= ENC_MAADR2 || addr == ENC_MISTAT));
}

static uint8_t estat_value(const enc28j60_t *s)
{
    uint8_t v = s->estat & (ENC_ESTAT_INT | ENC_ESTAT_BUFER | ENC_ESTAT_LATECOL | ENC_ESTAT_TXABRT);
    if (s->rxq_count)
        v |= ENC_ESTAT_RXBUSY;
    if (s->osc_ready)
        v |= ENC_ESTAT_CLKRDY;
    return v;
}

/* The value a register holds, without side effects. */
static uint8_t reg_value(const enc28j60_t *s, unsigned bank, unsigned addr)
{
    switch (addr) {
    case ENC_EIE: return s->eie;
    case ENC_EIR: return s->eir;
    case ENC_ESTAT: return estat_value(s);
    case ENC_ECON2: return s->econ2 & (uint8_t)~ENC_ECON2_PKTDEC;
    case ENC_ECON1: return s->econ1;
    default: break;
    }
    const enc_reg_desc_t *d = enc_reg_desc(bank, addr);
    if (d->kind == ENC_R_NONE || d->kind == ENC_R_RESERVED)
        return 0;
    if (bank == 0 && addr == ENC_ERXWRPTL)
        return (uint8_t)s->erxwrpt;
    if (bank == 0 && addr == ENC_ERXWRPTL + 1)
        return (uint8_t)(s->erxwrpt >> 8);
    if (bank == 3) {
        switch (addr) {
        case ENC_MISTAT: {
            uint8_t v = 0;
            if (sched_is_armed(&s->mii_ev))
                v |= ENC_MISTAT_BUSY;
            if (s->mii_op == 3)
                v |= ENC_MISTAT_SCAN;
            if (s->mii_op == 3 && s->regs[3][ENC_MISTAT] & ENC_MISTAT_NVALID)
                v |= ENC_MISTAT_NVALID;
            return v;
        }
        case ENC_EREVID: return s->revision;
        case ENC_EFLOCON:
            return (uint8_t)((s->regs[3][ENC_EFLOCON] & ENC_EFLOCON_FCEN) |
                             ((s->regs[2][ENC_MACON3] & ENC_MACON3_FULDPX) ? ENC_EFLOCON_FULDPXS : 0));
        default: break;
        }
    }
    return s->regs[bank][addr];
}

uint8_t enc28j60_peek(const enc28j60_t *s, unsigned bank, unsigned addr)
{
    if (addr > 0x1F)
        return 0;
    return reg_value(s, bank & 3, addr);
}

unsigned enc28j60_dump(const enc28j60_t *s, enc_reg_view_t *out, unsigned max)
{
    unsigned n = 0;
    for (unsigned b = 0; b < 5; b++) {
        unsigned from = b < 4 ? 0 : 0x1B, to = b < 4 ? 0x1B : 0x20;
        for (unsigned a = from; a < to; a++) {
            const enc_reg_desc_t *d = enc_reg_desc(b < 4 ? b : 0, a);
            if (!d->name || d->kind == ENC_R_RESERVED)
                continue;
            if (n < max)
                out[n] = (enc_reg_view_t){ (uint8_t)b, (uint8_t)a, reg_value(s, b < 4 ? b : 0, a), d->name };
            n++;
        }
    }
    return n < max ? n : max;
}

/* Can the host reach a MAC/MII register now? Logs why not. */
static bool mac_access(enc28j60_t *s, unsigned bank, unsigned addr, bool write)
{
    if (s->econ2 & ENC_ECON2_PWRSV) {
        bad_input(s, ENC_BAD_POWER_SAVE, bank * 32 + addr + (write ? 0x100u : 0u),
                  "MAC/MII register %s %s in power save (ignored)", enc28j60_reg_name(bank, addr),
                  write ? "written" : "read");
        return false;
    }
    if (!s->osc_ready || s->sched->now < s->mac_ready_at) {
        if (s->osc_ready)
            enc_erratum_hit(s, ENC_ERR_SRC_CLKRDY, (uint16_t)(bank * 32 + addr));
        bad_input(s, ENC_BAD_NOT_READY, bank * 32 + addr + (write ? 0x100u : 0u),
                  "MAC/MII register %s %s before the chip is ready (ignored)",
                  enc28j60_reg_name(bank, addr), write ? "written" : "read");
        return false;
    }
    return true;
}

/* Erratum 1: slow asynchronous SCK corrupts MAC/MII accesses. */
static uint8_t slow_clock_corrupt(enc28j60_t *s, unsigned bank, unsigned addr, uint8_t v)
{
    if (!s->spi_sck_hz || s->spi_sck_hz >= 8000000u || !s->erratum_on[ENC_ERR_SPI_SLOW_CLOCK])
        return v;
    if (!enc_erratum_draw(s, ENC_ERR_SPI_SLOW_CLOCK))
        return v;
    enc_erratum_hit(s, ENC_ERR_SPI_SLOW_CLOCK, (uint16_t)(bank * 32 + addr));
    return (uint8_t)(v ^ (1u << rng_below(&s->rng, 8)));
}

static uint8_t reg_read(enc28j60_t *s, unsigned addr)
{
    unsigned bank = cur_bank(s);
    if (addr == ENC_EIR) {
        uint8_t v = s->eir;
        if (s->pktif_stale)
            v &= (uint8_t)~ENC_INT_PKT;
        return v;
    }
    if (addr >= 0x1B)
        return reg_value(s, bank, addr);
    const enc_reg_desc_t *d = enc_reg_desc(bank, addr);
    if (d->kind == ENC_R_NONE || d->kind == ENC_R_RESERVED) {
        bad_input(s, ENC_BAD_UNIMPLEMENTED, bank * 32 + addr,
                  "read of %s register at bank %u address 0x%02x (reads 0)",
                  d->kind == ENC_R_NONE ? "an unimplemented" : "a reserved", bank, addr);
        return 0;
    }
    if (d->kind == ENC_R_MAC || d->kind == ENC_R_MII) {
        if (!mac_access(s, bank, addr, false))
            return 0;
        return slow_clock_corrupt(s, bank, addr, reg_value(s, bank, addr));
    }
    return reg_value(s, bank, addr);
}

static void econ1_written(enc28j60_t *s, uint8_t old)
{
    uint8_t v = s->econ1;
    uint8_t rose = (uint8_t)(v & ~old), fell = (uint8_t)(old & ~v);
    if (rose & ENC_ECON1_TXRST)
        enc_tx_reset_changed(s, true);
    if (fell & ENC_ECON1_TXRST)
        enc_tx_reset_changed(s, false);
    if (s->econ1 & ENC_ECON1_TXRST) {
        if (rose & ENC_ECON1_TXRTS)
            log_msg(LOG_TRACE, "enc28j60", "%s: TXRTS while TXRST holds the transmitter", s->name);
        s->econ1 &= (uint8_t)~ENC_ECON1_TXRTS;
    } else if (rose & ENC_ECON1_TXRTS) {
        enc_tx_request(s);
    } else if (fell & ENC_ECON1_TXRTS) {
        enc_tx_cancel(s);
    }
    if (rose & ENC_ECON1_DMAST)
        enc_dma_start(s);
    else if ((fell & ENC_ECON1_DMAST) && (s->dma_busy || s->dma_waits_tx))
        enc_dma_cancel(s);
    if (rose & ENC_ECON1_RXRST)
        enc_rx_reset(s);
    enc_update_irq(s);
}

static void power_save(enc28j60_t *s, bool enter);

static void econ2_written(enc28j60_t *s, uint8_t old)
{
    if (s->econ2 & ENC_ECON2_PKTDEC) {
        uint8_t count = s->regs[1][ENC_EPKTCNT];
        if (count)
            enc_set_pktcnt(s, count - 1u);
        else
            log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x908,
                     "%s: ECON2.PKTDEC with EPKTCNT already 0 (it stays 0)", s->name);
        s->econ2 &= (uint8_t)~ENC_ECON2_PKTDEC;
    }
    if ((s->econ2 & 0x10) && !(old & 0x10))
        bad_input(s, ENC_BAD_UNIMPLEMENTED, 0x1E, "reserved bit 4 of ECON2 set");
    bool was = old & ENC_ECON2_PWRSV, now = s->econ2 & ENC_ECON2_PWRSV;
    if (now != was)
        power_save(s, now);
    enc_update_irq(s);
}

static void pointer_check(enc28j60_t *s, unsigned bank, unsigned addr, uint8_t v)
{
    bool high = (bank == 0 && addr < 0x16 && (addr & 1)) || (bank == 1 && addr == ENC_EPMOL + 1);
    if (high && (v & 0xE0))
        bad_input(s, ENC_BAD_POINTER, bank * 32 + addr,
                  "%s = 0x%02x: pointers are 13 bits, the chip keeps 0x%02x",
                  enc28j60_reg_name(bank, addr), v, v & 0x1F);
}

static void reg_write(enc28j60_t *s, unsigned addr, uint8_t v)
{
    unsigned bank = cur_bank(s);
    const enc_reg_desc_t *d = enc_reg_desc(bank, addr);
    if (addr >= 0x1B) {
        uint8_t old;
        switch (addr) {
        case ENC_EIE:
            s->eie = v;
            if (v & 0x04)
                bad_input(s, ENC_BAD_UNIMPLEMENTED, 0x1B, "reserved bit 2 of EIE set");
            break;
        case ENC_EIR:
            /* PKTIF and LINKIF follow EPKTCNT and PHIR; the others are R/C */
            s->eir = (uint8_t)((s->eir & ~d->cmask) | (s->eir & d->cmask & v));
            break;
        case ENC_ESTAT:
            s->estat = (uint8_t)((s->estat & ~d->cmask) | (s->estat & d->cmask & v));
            break;
        case ENC_ECON2:
            old = s->econ2;
            s->econ2 = v & d->wmask;
            econ2_written(s, old);
            return;
        default:
            old = s->econ1;
            s->econ1 = v;
            econ1_written(s, old);
            return;
        }
        enc_update_irq(s);
        return;
    }
    if (d->kind == ENC_R_NONE || d->kind == ENC_R_RESERVED) {
        bad_input(s, ENC_BAD_UNIMPLEMENTED, bank * 32 + addr + 0x100u,
                  "write of 0x%02x to %s register at bank %u address 0x%02x (ignored)", v,
                  d->kind == ENC_R_NONE ? "an unimplemented" : "a reserved", bank, addr);
        return;
    }
    if (d->kind == ENC_R_MAC || d->kind == ENC_R_MII) {
        if (!mac_access(s, bank, addr, true))
            return;
        v = slow_clock_corrupt(s, bank, addr, v);
    }
    if (!d->wmask) {
        bad_input(s, ENC_BAD_UNIMPLEMENTED, bank * 32 + addr + 0x200u,
                  "write of 0x%02x to read-only register %s (ignored)", v, d->name);
        return;
    }
    pointer_check(s, bank, addr, v);
    uint8_t old = s->regs[bank][addr];
    uint8_t nv = (uint8_t)((old & ~d->wmask) | (v & d->wmask));
    if (bank == 0 && addr == ENC_ERXRDPTL) {
        s->erxrdpt_latch = nv;  /* takes effect with the high byte */
        return;
    }
    s->regs[bank][addr] = nv;
    switch (bank) {
    case 0:
        if (addr == ENC_ERXRDPTL + 1) {
            s->regs[0][ENC_ERXRDPTL] = s->erxrdpt_latch;
        } else if (addr >= ENC_ERXSTL && addr <= ENC_ERXNDL + 1) {
            /* writing the ring bounds reloads the hardware write pointer */
            uint16_t st = enc_erxst(s);
            s->erxwrpt = st;
            if (st != 0 && enc_erratum_draw(s, ENC_ERR_ERXWRPT_ZERO)) {
                s->erxwrpt = 0;
                enc_erratum_hit(s, ENC_ERR_ERXWRPT_ZERO, st);
            }
        }
        break;
    case 2:
        if (addr == ENC_MICMD)
            enc_micmd_written(s, old, nv);
        else if (addr == ENC_MIWRH)
            enc_miwrh_written(s);
        else if (addr == ENC_MACON1 && (nv & (ENC_MACON1_TXPAUS | ENC_MACON1_RXPAUS)))
            log_once(LOG_UNIMP, "enc28j60", s->log_key + 0x901,
                     "%s: pause frames (MACON1.TXPAUS/RXPAUS) are not modelled", s->name);
        else if (addr == ENC_MACON3 && (nv & ENC_MACON3_PHDREN))
            log_once(LOG_UNIMP, "enc28j60", s->log_key + 0x902,
                     "%s: MACON3.PHDREN (proprietary header) is not modelled", s->name);
        break;
    case 3:
        if (addr == ENC_EBSTCON) {
            if ((nv & ENC_EBSTCON_BISTST) && !(old & ENC_EBSTCON_BISTST))
                enc_bist_start(s);
            else if (!(nv & ENC_EBSTCON_BISTST) && s->bist_busy) {
                sched_cancel(s->sched, &s->bist_ev);
                s->bist_busy = false;
            }
        } else if (addr == ENC_ECOCON) {
            enc_clkout_update(s);
        } else if (addr == ENC_EFLOCON && (nv & ENC_EFLOCON_FCEN)) {
            log_once(LOG_UNIMP, "enc28j60", s->log_key + 0x903,
                     "%s: flow control (EFLOCON.FCEN) is not modelled: no pause frames are sent",
                     s->name);
        }
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* resets, oscillator start-up, power save */

static void fill_noise(enc28j60_t *s)
{
    for (unsigned a = 0; a < ENC_MEM_SIZE; a += 8) {
        uint64_t r = rng_next(&s->rng);
        memcpy(s->mem + a, &r, 8);
    }
}

static void stop_activity(enc28j60_t *s)
{
    sched_cancel(s->sched, &s->mii_ev);
    sched_cancel(s->sched, &s->tx_ev);
    sched_cancel(s->sched, &s->dma_ev);
    sched_cancel(s->sched, &s->bist_ev);
    sched_cancel(s->sched, &s->rx_ev);
    sched_cancel(s->sched, &s->link_ev);
    sched_cancel(s->sched, &s->ready_ev);
    s->mii_op = 0;
    s->rxq_count = 0;
    s->tx_busy = false;
    s->tx_stalled = false;
    s->tx_error_since_reset = false;
    s->dma_busy = s->dma_waits_tx = s->bist_busy = false;
    memset(s->act_until, 0, sizeof s->act_until);
}

static void registers_reset(enc28j60_t *s, bool power_on)
{
    for (unsigned b = 0; b < 4; b++)
        for (unsigned a = 0; a < 0x1B; a++) {
            const enc_reg_desc_t *d = enc_reg_desc(b, a);
            if (!power_on && d->keep_on_reset)
                continue;
            s->regs[b][a] = d->kind == ENC_R_NONE ? 0 : d->reset;
        }
    s->eie = s->eir = s->estat = s->econ1 = 0;
    s->econ2 = ENC_ECON2_AUTOINC;
    s->erxrdpt_latch = s->regs[0][ENC_ERXRDPTL];
    s->erxwrpt = 0;
    s->pktif_stale = false;
}

static void start_ost(enc28j60_t *s)
{
    s->osc_ready = false;
    sched_after(s->sched, &s->ost_ev, enc_cycles(s, ENC_OST_CYCLES));
}

static void ost_event(void *opaque)
{
    enc28j60_t *s = opaque;
    s->osc_ready = true;
    if (s->mac_ready_at < s->sched->now)
        s->mac_ready_at = s->sched->now;
    sched_at(s->sched, &s->ready_ev, s->mac_ready_at);
}

/* The MAC has a clock again: what the host asked for meanwhile starts. */
static void ready_event(void *opaque)
{
    enc28j60_t *s = opaque;
    if (!enc_mac_ready(s))
        return;
    if ((s->econ1 & ENC_ECON1_TXRTS) && !s->tx_busy && !s->tx_stalled)
        enc_tx_request(s);
    if ((s->econ1 & ENC_ECON1_DMAST) && !s->dma_busy)
        enc_dma_start(s);
    enc_phy_power_changed(s);
}

static void chip_reset(enc28j60_t *s, enum enc_reset_kind kind)
{
    stop_activity(s);
    bool power_on = kind == ENC_RST_POWER_ON;
    registers_reset(s, power_on);
    if (power_on)
        fill_noise(s);
    s->selected = false;
    s->nbyte = 0;
    s->src_pending = false;
    switch (kind) {
    case ENC_RST_SRC:
        if (s->erratum_on[ENC_ERR_SRC_CLKRDY] && s->osc_ready) {
            /* the start-up timer does not run again and CLKRDY stays; the
             * PHY clock restarts some time within the next millisecond */
            sim_time_t ost = enc_cycles(s, ENC_OST_CYCLES);
            s->mac_ready_at = s->sched->now + ost +
                              rng_below(&s->rng, ENC_SRC_READY_MAX_NS - ost + 1);
            sched_at(s->sched, &s->ready_ev, s->mac_ready_at);
            log_msg(LOG_TRACE, "enc28j60", "%s: SRC: CLKRDY stays set, ready in %llu ns", s->name,
                    (unsigned long long)(s->mac_ready_at - s->sched->now));
        } else {
            s->mac_ready_at = 0;
            start_ost(s);
        }
        break;
    case ENC_RST_POWER_ON:
        s->mac_ready_at = 0;
        start_ost(s);
        break;
    default: /* the RESET pin: the start-up timer runs when the pin rises */
        s->mac_ready_at = 0;
        s->osc_ready = false;
        sched_cancel(s->sched, &s->ost_ev);
        break;
    }
    enc_phy_reset(s, power_on);
    s->stats.resets++;
    enc_log_event(s, ENC_EV_RESET, (uint8_t)kind, 0, 0);
    probe_hit(&s->pr_reset);
    enc_update_irq(s);
    enc_led_update(s);
    enc_clkout_update(s);
}

static void power_save(enc28j60_t *s, bool enter)
{
    enc_log_event(s, ENC_EV_POWER_SAVE, enter, 0, 0);
    if (enter) {
        if (s->tx_busy || (s->econ1 & ENC_ECON1_TXRTS))
            bad_input(s, ENC_BAD_POWER_SAVE, 0x1E,
                      "power save entered while a transmission is pending (it is lost)");
        if (s->rxq_count)
            bad_input(s, ENC_BAD_POWER_SAVE, 0x1F,
                      "power save entered while a frame is being received (it is lost)");
        sched_cancel(s->sched, &s->tx_ev);
        sched_cancel(s->sched, &s->rx_ev);
        sched_cancel(s->sched, &s->mii_ev);
        sched_cancel(s->sched, &s->ost_ev);
        sched_cancel(s->sched, &s->ready_ev);
        s->tx_busy = false;
        s->rxq_count = 0;
        s->mii_op = 0;
        s->osc_ready = false;
        s->econ1 &= (uint8_t)~ENC_ECON1_TXRTS;
    } else {
        start_ost(s);
    }
    enc_phy_power_changed(s);
    enc_clkout_update(s);
    enc_led_update(s);
}

static void reset_pin(void *opaque, int n, bool level)
{
    enc28j60_t *s = opaque;
    (void)n;
    if (!s->powered)
        return;
    if (!level) {
        if (s->in_reset)
            return;
        s->in_reset = true;
        s->reset_low_at = s->sched->now;
        chip_reset(s, ENC_RST_PIN);
    } else if (s->in_reset) {
        s->in_reset = false;
        if (s->sched->now - s->reset_low_at < ENC_RESET_MIN_NS)
            bad_input(s, ENC_BAD_NOT_READY, 0x200,
                      "RESET low for %llu ns, less than the 400 ns the datasheet requires "
                      "(modelled as a reset)",
                      (unsigned long long)(s->sched->now - s->reset_low_at));
        start_ost(s);
        enc_update_irq(s);
    }
}

/* ------------------------------------------------------------------------ */
/* SPI */

static bool opcode_valid(uint8_t op, uint8_t arg)
{
    switch (op) {
    case 1: case 3: return arg == 0x1A;
    case 6: return false;
    case 7: return arg == 0x1F;
    default: return true;
    }
}

static void spi_timing(enc28j60_t *s)
{
    sim_time_t now = s->sched->now;
    if (s->nbyte > 0 && now > s->spi_last_byte) {
        sim_time_t gap = now - s->spi_last_byte;
        if (gap < s->spi_min_gap) {
            s->spi_min_gap = gap;
            /* 8 bits took 'gap': SCK is at least 8/gap */
            if (s->spi_sck_hz && (uint64_t)gap * s->spi_sck_hz < 8000000000ull)
                log_once(LOG_WARN, "enc28j60", s->log_key + 0x904,
                         "%s: SPI bytes arrive %llu ns apart, faster than the declared "
                         "spi_sck_hz %u allows", s->name, (unsigned long long)gap, s->spi_sck_hz);
        }
    }
    s->spi_last_byte = now;
}

static uint16_t spi_transfer(void *dev, uint16_t mosi, unsigned bits)
{
    enc28j60_t *s = dev;
    uint8_t in = (uint8_t)mosi;
    if (bits != 8)
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x905,
                 "%s: %u-bit SPI frames; the chip works in bytes (low byte used)", s->name, bits);
    if (!s->powered || s->in_reset)
        return 0xFF; /* SO is not driven: the pulled-up line */
    s->stats.spi_bytes++;
    spi_timing(s);
    unsigned n = s->nbyte++;
    if (n == 0) {
        s->opcode = in >> 5;
        s->arg = in & 0x1F;
        s->cmd_bad = !opcode_valid(s->opcode, s->arg);
        s->stats.spi_commands++;
        if (s->cmd_bad)
            bad_input(s, ENC_BAD_OPCODE, in, "undefined SPI opcode 0x%02x (ignored until CS rises)", in);
        else if (s->opcode == 7)
            s->src_pending = true;
        return 0;
    }
    if (s->cmd_bad)
        return 0;
    uint8_t out = 0;
    unsigned expected;
    switch (s->opcode) {
    case 0: { /* RCR */
        bool dummy = mac_space(cur_bank(s), s->arg);
        expected = dummy ? 3 : 2;
        if (n == expected - 1)
            out = reg_read(s, s->arg);
        break;
    }
    case 1: { /* RBM */
        uint16_t p = enc_rd16(s, 0, ENC_ERDPTL) & 0x1FFF;
        out = s->mem[p];
        if (s->econ2 & ENC_ECON2_AUTOINC) {
            uint16_t next = enc_ring_next(s, p);
            if (p == 0x1FFF && next == 0)
                log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x906,
                         "%s: RBM ran past 0x1FFF and wraps to 0x0000", s->name);
            enc_wr16(s, 0, ENC_ERDPTL, next);
        }
        return out;
    }
    case 2: /* WCR */
        expected = 2;
        if (n == 1)
            reg_write(s, s->arg, in);
        break;
    case 3: { /* WBM */
        uint16_t p = enc_rd16(s, 0, ENC_EWRPTL) & 0x1FFF;
        s->mem[p] = in;
        if (s->econ2 & ENC_ECON2_AUTOINC) {
            if (p == 0x1FFF)
                log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x907,
                         "%s: WBM ran past 0x1FFF and wraps to 0x0000", s->name);
            enc_wr16(s, 0, ENC_EWRPTL, (uint16_t)((p + 1) & 0x1FFF));
        }
        return 0;
    }
    case 4: case 5: /* BFS, BFC */
        expected = 2;
        if (n == 1) {
            unsigned bank = cur_bank(s);
            uint8_t cur;
            if (mac_space(bank, s->arg)) {
                /* the datasheet allows BFS/BFC on ETH registers only; a
                 * read-modify-write gives what drivers that do it expect */
                log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x500 + bank * 32 + s->arg,
                         "%s: %s on MAC/MII register %s (done as read-modify-write)", s->name,
                         s->opcode == 4 ? "BFS" : "BFC", enc28j60_reg_name(bank, s->arg));
            }
            cur = reg_value(s, bank, s->arg);
            reg_write(s, s->arg, (uint8_t)(s->opcode == 4 ? cur | in : cur & ~in));
        }
        break;
    default: /* SRC: acts when CS rises; further bytes are ignored */
        return 0;
    }
    if (n >= expected)
        bad_input(s, ENC_BAD_EXTRA_BYTES, s->opcode,
                  "bytes after a complete %s command within one chip select (ignored)",
                  s->opcode == 0 ? "RCR" : s->opcode == 2 ? "WCR" : s->opcode == 4 ? "BFS" : "BFC");
    return out;
}

static void spi_select(void *dev, bool selected)
{
    enc28j60_t *s = dev;
    s->selected = selected;
    if (!selected && s->src_pending && s->powered && !s->in_reset) {
        s->src_pending = false;
        if ((s->econ2 & ENC_ECON2_PWRSV) && s->erratum_on[ENC_ERR_SRC_POWER_SAVE]) {
            enc_erratum_hit(s, ENC_ERR_SRC_POWER_SAVE, 0);
            bad_input(s, ENC_BAD_POWER_SAVE, 0xFF, "SRC in power save is ignored by this silicon");
        } else {
            if (s->econ2 & ENC_ECON2_PWRSV)
                power_save(s, false);
            chip_reset(s, ENC_RST_SRC);
        }
    }
    s->src_pending = false;
    s->nbyte = 0;
    s->cmd_bad = false;
}

const spi_device_ops_t enc28j60_spi_ops = { spi_transfer, spi_select };

/* ------------------------------------------------------------------------ */
/* introspection */

void enc28j60_buffer(const enc28j60_t *s, uint16_t addr, uint8_t *out, size_t len)
{
    for (size_t k = 0; k < len; k++)
        out[k] = s->mem[(addr + k) & 0x1FFF];
}

unsigned enc28j60_events(const enc28j60_t *s, enc_event_t *out, unsigned max)
{
    unsigned n = s->log_count < max ? s->log_count : max;
    unsigned skip = s->log_count - n;
    for (unsigned k = 0; k < n; k++)
        out[k] = s->log[(s->log_head + skip + k) % ENC_EVENT_LOG];
    return n;
}

static const char *const event_names[ENC_EV_KIND_COUNT] = {
    [ENC_EV_RX_OK] = "rx", [ENC_EV_RX_FILTERED] = "rx filtered", [ENC_EV_RX_DROPPED] = "rx dropped",
    [ENC_EV_RX_OVERFLOW] = "rx overflow", [ENC_EV_TX_DONE] = "tx done",
    [ENC_EV_TX_COLLISION] = "tx collision", [ENC_EV_TX_ABORT] = "tx abort",
    [ENC_EV_TX_STALLED] = "tx stalled", [ENC_EV_DMA_DONE] = "dma done",
    [ENC_EV_BIST_DONE] = "bist done", [ENC_EV_LINK] = "link", [ENC_EV_RESET] = "reset",
    [ENC_EV_POWER_SAVE] = "power save", [ENC_EV_ERRATUM] = "erratum",
    [ENC_EV_BAD_COMMAND] = "bad driver input",
};

static const char *const rx_reasons[ENC_RXR_COUNT] = {
    [ENC_RXR_NONE] = "", [ENC_RXR_NOT_READY] = "chip not running",
    [ENC_RXR_DISABLED] = "receiver disabled", [ENC_RXR_NO_LINK] = "no link",
    [ENC_RXR_FIFO_FULL] = "receiver busy", [ENC_RXR_TOO_LONG] = "longer than MAMXFL",
    [ENC_RXR_CRC] = "CRC error", [ENC_RXR_FILTER] = "no filter matched",
    [ENC_RXR_CONTROL] = "control frame", [ENC_RXR_RING_FULL] = "ring full",
    [ENC_RXR_COUNT_FULL] = "EPKTCNT at 255", [ENC_RXR_DMA_ABORT] = "aborted by DMA checksum",
    [ENC_RXR_POLARITY] = "reversed polarity", [ENC_RXR_RUNT] = "collision fragment",
};

static const char *const tx_reasons[ENC_TXA_COUNT] = {
    [ENC_TXA_GIANT] = "longer than MAMXFL", [ENC_TXA_EXCESS_COLL] = "excessive collisions",
    [ENC_TXA_LATE_COLL] = "late collision", [ENC_TXA_CANCELLED] = "TXRTS cleared by the host",
    [ENC_TXA_RESET] = "TXRST",
};

static const char *const reset_names[] = { "power-on", "RESET pin", "SRC", "power cut" };

static const char *const bad_names[ENC_BAD_COUNT] = {
    [ENC_BAD_OPCODE] = "undefined opcode", [ENC_BAD_EXTRA_BYTES] = "extra bytes",
    [ENC_BAD_UNIMPLEMENTED] = "unimplemented register", [ENC_BAD_POINTER] = "pointer beyond 0x1FFF",
    [ENC_BAD_NOT_READY] = "chip not ready", [ENC_BAD_POWER_SAVE] = "power save",
    [ENC_BAD_MII_BUSY] = "MII busy",
};

const char *enc28j60_event_name(unsigned kind)
{
    return kind < ENC_EV_KIND_COUNT ? event_names[kind] : "?";
}

void enc28j60_event_text(const enc_event_t *ev, char *buf, size_t len)
{
    const char *name = enc28j60_event_name(ev->kind);
    switch (ev->kind) {
    case ENC_EV_RX_OK:
        snprintf(buf, len, "%s: %u bytes at 0x%04x", name, ev->len, ev->addr);
        break;
    case ENC_EV_RX_FILTERED: case ENC_EV_RX_DROPPED: case ENC_EV_RX_OVERFLOW:
        snprintf(buf, len, "%s: %s, %u bytes", name,
                 ev->detail < ENC_RXR_COUNT ? rx_reasons[ev->detail] : "?", ev->len);
        break;
    case ENC_EV_TX_DONE:
        snprintf(buf, len, "%s: %u bytes from 0x%04x", name, ev->len, ev->addr);
        break;
    case ENC_EV_TX_COLLISION:
        snprintf(buf, len, "%s: attempt %u, at byte %u", name, ev->detail, ev->addr);
        break;
    case ENC_EV_TX_ABORT:
        snprintf(buf, len, "%s: %s", name, ev->detail < ENC_TXA_COUNT ? tx_reasons[ev->detail] : "?");
        break;
    case ENC_EV_LINK: case ENC_EV_POWER_SAVE:
        snprintf(buf, len, "%s %s", name, ev->detail ? (ev->kind == ENC_EV_LINK ? "up" : "entered")
                                                     : (ev->kind == ENC_EV_LINK ? "down" : "left"));
        break;
    case ENC_EV_RESET:
        snprintf(buf, len, "%s: %s", name, ev->detail < ARRAY_SIZE(reset_names) ? reset_names[ev->detail] : "?");
        break;
    case ENC_EV_ERRATUM:
        snprintf(buf, len, "%s %u (%s)", name,
                 ev->detail < ENC_ERR_COUNT ? errata[ev->detail].number : 0,
                 ev->detail < ENC_ERR_COUNT ? errata[ev->detail].name : "?");
        break;
    case ENC_EV_BAD_COMMAND:
        snprintf(buf, len, "%s: %s (0x%02x)", name,
                 ev->detail < ENC_BAD_COUNT ? bad_names[ev->detail] : "?", ev->len);
        break;
    default:
        snprintf(buf, len, "%s", name);
        break;
    }
}

bool enc28j60_led(const enc28j60_t *s, unsigned which)
{
    return which < 2 && s->led[which];
}

bool enc28j60_int_asserted(const enc28j60_t *s)
{
    return s->int_pin.drive == GPIO_DRIVE_LOW;
}

bool enc28j60_erratum_enabled(const enc28j60_t *s, unsigned e)
{
    return e < ENC_ERR_COUNT && s->erratum_on[e];
}

uint64_t enc28j60_erratum_hits(const enc28j60_t *s, unsigned e)
{
    return e < ENC_ERR_COUNT ? s->erratum_hits[e] : 0;
}

const enc28j60_stats_t *enc28j60_stats(const enc28j60_t *s)
{
    return &s->stats;
}

/* ------------------------------------------------------------------------ */
/* settings: board fields and run-time controls share these */

static int set_number(const cJSON *v, double lo, double hi, double *out, char *err, size_t errlen)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi) {
        snprintf(err, errlen, "expected a number from %g to %g", lo, hi);
        return -1;
    }
    *out = v->valuedouble;
    return 0;
}

static int set_bool(const cJSON *v, bool *out, char *err, size_t errlen)
{
    if (!cJSON_IsBool(v)) {
        snprintf(err, errlen, "expected true or false");
        return -1;
    }
    *out = cJSON_IsTrue(v);
    return 0;
}

/* One setting by name (board field or control); -1 with err on a bad value,
 * 1 if the name is not a setting. */
static int apply_setting(enc28j60_t *s, const char *name, const cJSON *v, char *err, size_t errlen)
{
    double d;
    bool b;
    if (!strcmp(name, "revision")) {
        if (!cJSON_IsString(v) || enc28j60_set_revision(s, v->valuestring)) {
            snprintf(err, errlen, "revision must be \"B1\", \"B4\", \"B5\" or \"B7\"");
            return -1;
        }
        return 0;
    }
    if (!strncmp(name, "erratum.", 8)) {
        char ename[48];
        snprintf(ename, sizeof ename, "%s", name + 8);
        char *dot = strchr(ename, '.');
        bool chance = dot && !strcmp(dot, ".chance");
        if (dot)
            *dot = 0;
        int e = enc28j60_erratum_find(ename);
        if (e < 0 || (dot && !chance) || (chance && !errata[e].has_chance)) {
            snprintf(err, errlen, "no erratum setting '%s'", name);
            return -1;
        }
        if (chance) {
            if (set_number(v, 0, 1, &d, err, errlen))
                return -1;
            s->erratum_chance[e] = d;
            return 0;
        }
        if (set_bool(v, &b, err, errlen))
            return -1;
        enc28j60_set_erratum(s, (unsigned)e, b);
        return 0;
    }
    if (!strcmp(name, "osc_ppm")) {
        if (set_number(v, -100000, 100000, &d, err, errlen))
            return -1;
        s->osc_ppm = (int32_t)lround(d);
        return 0;
    }
    if (!strcmp(name, "spi_sck_hz")) {
        if (set_number(v, 0, 100000000, &d, err, errlen))
            return -1;
        s->spi_sck_hz = (uint32_t)d;
        return 0;
    }
    if (!strcmp(name, "tpin_reversed"))
        return set_bool(v, &s->tpin_reversed, err, errlen);
    if (!strcmp(name, "collision_chance")) {
        if (set_number(v, 0, 1, &d, err, errlen))
            return -1;
        s->collision_chance = d;
        return 0;
    }
    if (!strcmp(name, "link_delay_ms")) {
        if (set_number(v, 0, 10000, &d, err, errlen))
            return -1;
        s->link_delay = (sim_time_t)llround(d * 1e6);
        return 0;
    }
    if (!strcmp(name, "duplex_strap")) {
        if (!cJSON_IsString(v) || (strcmp(v->valuestring, "full") && strcmp(v->valuestring, "half"))) {
            snprintf(err, errlen, "duplex_strap must be \"full\" or \"half\"");
            return -1;
        }
        s->strap_full_duplex = !strcmp(v->valuestring, "full");
        return 0;
    }
    return 1;
}

static int control_set(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    int r = apply_setting(dev, name, value, err, errlen);
    if (r > 0)
        snprintf(err, errlen, "unknown control '%s'", name);
    return r ? -1 : 0;
}

static const struct { const char *name, *help; } settings[] = {
    { "revision", "silicon revision \"B1\" | \"B4\" | \"B5\" | \"B7\": sets EREVID and that revision's errata" },
    { "osc_ppm", "frequency error of the 25 MHz oscillator in ppm (positive = fast); scales all chip timing" },
    { "spi_sck_hz", "SPI clock the board runs the chip at (erratum 1 below 8 MHz); 0 = not declared" },
    { "tpin_reversed", "true: the receive pair is wired with swapped polarity (erratum 7)" },
    { "collision_chance", "half duplex: probability that a transmit attempt collides with other traffic" },
    { "link_delay_ms", "time the PHY takes to bring the link up after reset, wake or cable plug-in" },
    { "duplex_strap", "\"full\" | \"half\": PHY duplex after reset, from the LEDB wiring (erratum 16)" },
};

static const char *const chance_help =
    "probability (0..1) that this erratum's symptom shows when its trigger happens";

static int register_controls(enc28j60_t *s, machine_t *m, const char *name)
{
    for (unsigned k = 0; k < ARRAY_SIZE(settings); k++)
        if (machine_add_control(m, name, settings[k].name, settings[k].help, control_set, s))
            return -1;
    char ep[64];
    for (unsigned e = 0; e < ENC_ERR_COUNT; e++) {
        snprintf(ep, sizeof ep, "erratum.%s", errata[e].name);
        if (machine_add_control(m, name, ep, errata[e].summary, control_set, s))
            return -1;
        if (errata[e].has_chance) {
            snprintf(ep, sizeof ep, "erratum.%s.chance", errata[e].name);
            if (machine_add_control(m, name, ep, chance_help, control_set, s))
                return -1;
        }
        snprintf(ep, sizeof ep, "erratum.%s.hit", errata[e].name);
        if (machine_add_probe(m, name, ep, errata[e].symptom, &s->pr_erratum[e]))
            return -1;
    }
    static const struct { const char *name, *help; size_t off; } probes[] = {
        { "rx_frame", "a received frame is stored in the ring", offsetof(enc28j60_t, pr_rx_frame) },
        { "rx_overflow", "a frame is lost because the ring is full or EPKTCNT is 255 (RXERIF)",
          offsetof(enc28j60_t, pr_rx_overflow) },
        { "rx_dropped", "a frame that reached the chip is lost (overflow, receiver off, errata, ...)",
          offsetof(enc28j60_t, pr_rx_dropped) },
        { "rx_filtered", "a frame is rejected by the receive filters", offsetof(enc28j60_t, pr_rx_filtered) },
        { "tx_start", "a transmission starts (TXRTS set)", offsetof(enc28j60_t, pr_tx_start) },
        { "tx_done", "a frame has been transmitted (TXIF)", offsetof(enc28j60_t, pr_tx_done) },
        { "tx_abort", "a transmission is aborted (TXERIF)", offsetof(enc28j60_t, pr_tx_abort) },
        { "tx_collision", "a transmit attempt collides (half duplex)", offsetof(enc28j60_t, pr_tx_collision) },
        { "link_change", "the PHY's link goes up or down", offsetof(enc28j60_t, pr_link) },
        { "chip_reset", "the chip resets (power-on, RESET pin, SRC)", offsetof(enc28j60_t, pr_reset) },
        { "bad_input", "the driver did something the chip does not support (logged once)",
          offsetof(enc28j60_t, pr_bad_command) },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(probes); k++)
        if (machine_add_probe(m, name, probes[k].name, probes[k].help,
                              (sim_probe_t *)((char *)s + probes[k].off)))
            return -1;
    return 0;
}

static int apply_board(enc28j60_t *s, machine_t *m, const cJSON *cfg)
{
    char err[160];
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive(cfg, "revision");
    if (rev && apply_setting(s, "revision", rev, err, sizeof err))
        return machine_error(m, "revision: %s", err);
    const cJSON *it;
    cJSON_ArrayForEach(it, cfg) {
        const char *k = it->string;
        if (!strcmp(k, "name") || !strcmp(k, "type") || !strcmp(k, "revision"))
            continue;
        if (!strcmp(k, "errata")) {
            if (!cJSON_IsObject(it))
                return machine_error(m, "errata: expected an object of erratum name -> true/false "
                                        "or a probability");
            const cJSON *e;
            cJSON_ArrayForEach(e, it) {
                int idx = enc28j60_erratum_find(e->string);
                if (idx < 0) {
                    char known[512] = "";
                    for (unsigned j = 0; j < ENC_ERR_COUNT; j++)
                        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                                 j ? ", " : "", errata[j].name);
                    return machine_error(m, "errata.%s: no such erratum (known: %s)", e->string, known);
                }
                if (cJSON_IsBool(e)) {
                    enc28j60_set_erratum(s, (unsigned)idx, cJSON_IsTrue(e));
                } else if (cJSON_IsNumber(e) && errata[idx].has_chance && e->valuedouble >= 0 &&
                           e->valuedouble <= 1) {
                    enc28j60_set_erratum(s, (unsigned)idx, e->valuedouble > 0);
                    s->erratum_chance[idx] = e->valuedouble;
                } else {
                    return machine_error(m, "errata.%s: expected true, false%s", e->string,
                                         errata[idx].has_chance ? " or a probability 0..1" : "");
                }
            }
            continue;
        }
        int r = apply_setting(s, k, it, err, sizeof err);
        if (r < 0)
            return machine_error(m, "%s: %s", k, err);
        if (r > 0)
            return machine_error(m, "unknown field \"%s\" (enc28j60 takes revision, errata, osc_ppm, "
                                    "spi_sck_hz, tpin_reversed, collision_chance, link_delay_ms, "
                                    "duplex_strap)", k);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* life cycle */

static void *enc_create(machine_t *m, const char *name, const cJSON *cfg)
{
    enc28j60_t *s = calloc(1, sizeof *s);
    if (!s) {
        machine_error(m, "out of memory");
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->m = m;
    s->sched = &m->sched;
    s->log_key = rng_hash_name(name) << 20;
    machine_rng(m, name, &s->rng);
    for (unsigned e = 0; e < ENC_ERR_COUNT; e++)
        s->erratum_chance[e] = errata[e].chance;
    clock_init(&s->clkout, "clkout", 0);
    gpio_pin_init(&s->int_pin, "int");
    gpio_pin_init(&s->reset_in, "reset");
    gpio_pin_init(&s->leda_pin, "leda");
    gpio_pin_init(&s->ledb_pin, "ledb");
    net_port_init(&s->port, "eth0", enc_rx_frame, enc_link_changed, s);
    sched_event_init(&s->ost_ev, "enc-ost", ost_event, s);
    sched_event_init(&s->ready_ev, "enc-ready", ready_event, s);
    sched_event_init(&s->mii_ev, "enc-mii", enc_mii_event, s);
    sched_event_init(&s->rx_ev, "enc-rx", enc_rx_commit_event, s);
    sched_event_init(&s->tx_ev, "enc-tx", enc_tx_event, s);
    sched_event_init(&s->dma_ev, "enc-dma", enc_dma_event, s);
    sched_event_init(&s->bist_ev, "enc-bist", enc_bist_event, s);
    sched_event_init(&s->led_ev, "enc-led", enc_led_event, s);
    sched_event_init(&s->link_ev, "enc-link", enc_link_event, s);
    enc28j60_set_revision(s, "B7");
    if (cfg && apply_board(s, m, cfg)) {
        free(s);
        return NULL;
    }
    if (machine_add_spi_device(m, name, "spi", &enc28j60_spi_ops, s) ||
        machine_add_gpio(m, name, "int", &s->int_pin, NULL, NULL, 0) ||
        machine_add_gpio(m, name, "reset", &s->reset_in, reset_pin, s, 0) ||
        machine_add_gpio(m, name, "leda", &s->leda_pin, NULL, NULL, 0) ||
        machine_add_gpio(m, name, "ledb", &s->ledb_pin, NULL, NULL, 1) ||
        machine_add_net_port(m, name, "eth0", &s->port) ||
        machine_add_clock(m, name, "clkout", &s->clkout) ||
        register_controls(s, m, name)) {
        free(s);
        return NULL;
    }
    return s;
}

static void enc_reset(void *inst, enum reset_kind kind)
{
    enc28j60_t *s = inst;
    switch (kind) {
    case RESET_POWER_ON:
        s->powered = true;
        s->in_reset = false;
        s->cable_up = s->port.link_up;
        s->link_pulse_phase = rng_below(&s->rng, SIM_MS(16));
        s->spi_min_gap = SIM_TIME_NEVER;
        chip_reset(s, ENC_RST_POWER_ON);
        break;
    case RESET_POWER_CUT:
        /* everything stops; the pins float; SRAM contents fade */
        stop_activity(s);
        sched_cancel(s->sched, &s->ost_ev);
        sched_cancel(s->sched, &s->led_ev);
        s->powered = false;
        s->osc_ready = false;
        enc_log_event(s, ENC_EV_RESET, ENC_RST_POWER_CUT, 0, 0);
        enc_update_irq(s);
        enc_led_update(s);
        enc_clkout_update(s);
        break;
    default:
        /* a reset of the MCU does not reach the chip (its RESET pin is a
         * GPIO the board wires) */
        break;
    }
}

static void enc_destroy(void *inst)
{
    free(inst);
}

const model_class_t enc28j60_class = {
    .type = "enc28j60",
    .summary = "Microchip ENC28J60 10BASE-T Ethernet controller on SPI (register level, silicon errata)",
    .create = enc_create,
    .reset = enc_reset,
    .destroy = enc_destroy,
};
