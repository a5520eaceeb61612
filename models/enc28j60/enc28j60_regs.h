/*
 * ENC28J60 register map (DS39662E section 3, tables 3-1 to 3-3), bit
 * positions and the functions the model's source files share. Written from
 * the datasheet; names follow it. Not for use outside models/enc28j60.
 */
#ifndef MODELS_ENC28J60_REGS_H
#define MODELS_ENC28J60_REGS_H

#include "enc28j60.h"

/* Common registers, present at 0x1B-0x1F in every bank. */
#define ENC_EIE 0x1B
#define ENC_EIR 0x1C
#define ENC_ESTAT 0x1D
#define ENC_ECON2 0x1E
#define ENC_ECON1 0x1F

/* Bank 0 (ETH): buffer pointers, 13 bits each, low byte first. */
#define ENC_ERDPTL 0x00
#define ENC_EWRPTL 0x02
#define ENC_ETXSTL 0x04
#define ENC_ETXNDL 0x06
#define ENC_ERXSTL 0x08
#define ENC_ERXNDL 0x0A
#define ENC_ERXRDPTL 0x0C
#define ENC_ERXWRPTL 0x0E
#define ENC_EDMASTL 0x10
#define ENC_EDMANDL 0x12
#define ENC_EDMADSTL 0x14
#define ENC_EDMACSL 0x16

/* Bank 1 (ETH): filters and the packet counter. */
#define ENC_EHT0 0x00
#define ENC_EPMM0 0x08
#define ENC_EPMCSL 0x10
#define ENC_EPMOL 0x14
#define ENC_ERXFCON 0x18
#define ENC_EPKTCNT 0x19

/* Bank 2 (MAC and MII: RCR returns a dummy byte first). */
#define ENC_MACON1 0x00
#define ENC_MACON3 0x02
#define ENC_MACON4 0x03
#define ENC_MABBIPG 0x04
#define ENC_MAIPGL 0x06
#define ENC_MAIPGH 0x07
#define ENC_MACLCON1 0x08
#define ENC_MACLCON2 0x09
#define ENC_MAMXFLL 0x0A
#define ENC_MAMXFLH 0x0B
#define ENC_MICMD 0x12
#define ENC_MIREGADR 0x14
#define ENC_MIWRL 0x16
#define ENC_MIWRH 0x17
#define ENC_MIRDL 0x18
#define ENC_MIRDH 0x19

/* Bank 3: MAC address (MAC), BIST, MISTAT (MII), revision, clock out, flow control. */
#define ENC_MAADR5 0x00
#define ENC_MAADR6 0x01
#define ENC_MAADR3 0x02
#define ENC_MAADR4 0x03
#define ENC_MAADR1 0x04
#define ENC_MAADR2 0x05
#define ENC_EBSTSD 0x06
#define ENC_EBSTCON 0x07
#define ENC_EBSTCSL 0x08
#define ENC_EBSTCSH 0x09
#define ENC_MISTAT 0x0A
#define ENC_EREVID 0x12
#define ENC_ECOCON 0x15
#define ENC_EFLOCON 0x17
#define ENC_EPAUSL 0x18
#define ENC_EPAUSH 0x19

/* EIE / EIR */
#define ENC_EIE_INTIE 0x80
#define ENC_INT_PKT 0x40
#define ENC_INT_DMA 0x20
#define ENC_INT_LINK 0x10
#define ENC_INT_TX 0x08
#define ENC_INT_TXER 0x02
#define ENC_INT_RXER 0x01
#define ENC_INT_SOURCES 0x7B   /* the six sources; bit 2 is reserved */
/* ESTAT */
#define ENC_ESTAT_INT 0x80
#define ENC_ESTAT_BUFER 0x40
#define ENC_ESTAT_LATECOL 0x10
#define ENC_ESTAT_RXBUSY 0x04
#define ENC_ESTAT_TXABRT 0x02
#define ENC_ESTAT_CLKRDY 0x01
/* ECON2 */
#define ENC_ECON2_AUTOINC 0x80
#define ENC_ECON2_PKTDEC 0x40
#define ENC_ECON2_PWRSV 0x20
#define ENC_ECON2_VRPS 0x08
/* ECON1 */
#define ENC_ECON1_TXRST 0x80
#define ENC_ECON1_RXRST 0x40
#define ENC_ECON1_DMAST 0x20
#define ENC_ECON1_CSUMEN 0x10
#define ENC_ECON1_TXRTS 0x08
#define ENC_ECON1_RXEN 0x04
#define ENC_ECON1_BSEL 0x03
/* ERXFCON */
#define ENC_RXF_UCEN 0x80
#define ENC_RXF_ANDOR 0x40
#define ENC_RXF_CRCEN 0x20
#define ENC_RXF_PMEN 0x10
#define ENC_RXF_MPEN 0x08
#define ENC_RXF_HTEN 0x04
#define ENC_RXF_MCEN 0x02
#define ENC_RXF_BCEN 0x01
/* MACON1 */
#define ENC_MACON1_TXPAUS 0x08
#define ENC_MACON1_RXPAUS 0x04
#define ENC_MACON1_PASSALL 0x02
#define ENC_MACON1_MARXEN 0x01
/* MACON3 */
#define ENC_MACON3_PADCFG_SHIFT 5
#define ENC_MACON3_TXCRCEN 0x10
#define ENC_MACON3_PHDREN 0x08
#define ENC_MACON3_HFRMEN 0x04
#define ENC_MACON3_FRMLNEN 0x02
#define ENC_MACON3_FULDPX 0x01
/* MACON4 */
#define ENC_MACON4_DEFER 0x40
#define ENC_MACON4_BPEN 0x20
#define ENC_MACON4_NOBKOFF 0x10
/* MICMD / MISTAT */
#define ENC_MICMD_MIISCAN 0x02
#define ENC_MICMD_MIIRD 0x01
#define ENC_MISTAT_NVALID 0x04
#define ENC_MISTAT_SCAN 0x02
#define ENC_MISTAT_BUSY 0x01
/* EBSTCON */
#define ENC_EBSTCON_PSV_SHIFT 5
#define ENC_EBSTCON_PSEL 0x10
#define ENC_EBSTCON_TMSEL_SHIFT 2
#define ENC_EBSTCON_TME 0x02
#define ENC_EBSTCON_BISTST 0x01
/* EFLOCON */
#define ENC_EFLOCON_FULDPXS 0x04
#define ENC_EFLOCON_FCEN 0x03
/* Per-packet control byte in front of a frame to transmit. */
#define ENC_PPC_PHUGEEN 0x08
#define ENC_PPC_PPADEN 0x04
#define ENC_PPC_PCRCEN 0x02
#define ENC_PPC_POVERRIDE 0x01

/* PHY registers (16 bit, through MII). */
#define ENC_PHCON1 0x00
#define ENC_PHSTAT1 0x01
#define ENC_PHID1 0x02
#define ENC_PHID2 0x03
#define ENC_PHCON2 0x10
#define ENC_PHSTAT2 0x11
#define ENC_PHIE 0x12
#define ENC_PHIR 0x13
#define ENC_PHLCON 0x14
#define ENC_PHCON1_PRST 0x8000
#define ENC_PHCON1_PLOOPBK 0x4000
#define ENC_PHCON1_PPWRSV 0x0800
#define ENC_PHCON1_PDPXMD 0x0100
#define ENC_PHSTAT1_PFDPX 0x1000
#define ENC_PHSTAT1_PHDPX 0x0800
#define ENC_PHSTAT1_LLSTAT 0x0004
#define ENC_PHSTAT1_JBSTAT 0x0002
#define ENC_PHCON2_FRCLNK 0x4000
#define ENC_PHCON2_TXDIS 0x2000
#define ENC_PHCON2_JABBER 0x0400
#define ENC_PHCON2_HDLDIS 0x0100
#define ENC_PHSTAT2_TXSTAT 0x2000
#define ENC_PHSTAT2_RXSTAT 0x1000
#define ENC_PHSTAT2_COLSTAT 0x0800
#define ENC_PHSTAT2_LSTAT 0x0400
#define ENC_PHSTAT2_DPXSTAT 0x0200
#define ENC_PHSTAT2_PLRITY 0x0020
#define ENC_PHIE_PLNKIE 0x0010
#define ENC_PHIE_PGEIE 0x0002
#define ENC_PHIR_PLNKIF 0x0010
#define ENC_PHIR_PGIF 0x0004

/* Receive status vector bits (DS39662E table 7-3). */
#define ENC_RSV_LONG_DROP (1u << 16)
#define ENC_RSV_CARRIER_SEEN (1u << 18)
#define ENC_RSV_CRC_ERROR (1u << 20)
#define ENC_RSV_LEN_CHECK_ERROR (1u << 21)
#define ENC_RSV_LEN_OUT_OF_RANGE (1u << 22)
#define ENC_RSV_RX_OK (1u << 23)
#define ENC_RSV_MULTICAST (1u << 24)
#define ENC_RSV_BROADCAST (1u << 25)
#define ENC_RSV_DRIBBLE (1u << 26)
#define ENC_RSV_CONTROL (1u << 27)
#define ENC_RSV_PAUSE (1u << 28)
#define ENC_RSV_UNKNOWN_OPCODE (1u << 29)
#define ENC_RSV_VLAN (1u << 30)
/* Transmit status vector bits (DS39662E table 7-1), as a 64-bit value. */
#define ENC_TSV_COLL_SHIFT 16
#define ENC_TSV_CRC_ERROR (1ull << 20)
#define ENC_TSV_LEN_CHECK_ERROR (1ull << 21)
#define ENC_TSV_LEN_OUT_OF_RANGE (1ull << 22)
#define ENC_TSV_DONE (1ull << 23)
#define ENC_TSV_MULTICAST (1ull << 24)
#define ENC_TSV_BROADCAST (1ull << 25)
#define ENC_TSV_DEFER (1ull << 26)
#define ENC_TSV_EXCESS_DEFER (1ull << 27)
#define ENC_TSV_EXCESS_COLL (1ull << 28)
#define ENC_TSV_LATE_COLL (1ull << 29)
#define ENC_TSV_GIANT (1ull << 30)
#define ENC_TSV_UNDERRUN (1ull << 31)
#define ENC_TSV_WIRE_SHIFT 32
#define ENC_TSV_CONTROL (1ull << 48)
#define ENC_TSV_PAUSE (1ull << 49)
#define ENC_TSV_BACKPRESSURE (1ull << 50)
#define ENC_TSV_VLAN (1ull << 51)

/* Register classes: how SPI reaches them. */
enum enc_reg_kind { ENC_R_NONE = 0, ENC_R_ETH, ENC_R_MAC, ENC_R_MII, ENC_R_RESERVED };

/* One register of the map: its reset value and access semantics.
 *   wmask: bits a write stores; cmask: bits a write of 0 clears and a write
 *   of 1 leaves (R/C, host-clearable flags); keep_on_reset: SRC and the
 *   RESET pin leave the register as it is (only power-on resets it). */
typedef struct enc_reg_desc {
    const char *name;
    uint8_t kind;
    uint8_t reset;
    uint8_t wmask;
    uint8_t cmask;
    bool keep_on_reset;
} enc_reg_desc_t;

/* Clock arithmetic: 'cycles' of the 25 MHz oscillator as virtual ns, with
 * the configured drift. */
sim_time_t enc_cycles(const enc28j60_t *s, uint64_t cycles);
#define ENC_BYTE_CYCLES 20u    /* one byte at 10 Mbit/s: 0.8 us = 20 OSC cycles */

/* enc28j60.c */
const enc_reg_desc_t *enc_reg_desc(unsigned bank, unsigned addr);
uint16_t enc_rd16(const enc28j60_t *s, unsigned bank, unsigned lo);
void enc_wr16(enc28j60_t *s, unsigned bank, unsigned lo, uint16_t v);
void enc_update_irq(enc28j60_t *s);
void enc_log_event(enc28j60_t *s, enum enc_event_kind k, uint8_t detail, uint16_t len, uint16_t addr);
bool enc_erratum(enc28j60_t *s, enum enc_erratum e);
bool enc_erratum_draw(enc28j60_t *s, enum enc_erratum e);
void enc_erratum_hit(enc28j60_t *s, enum enc_erratum e, uint16_t addr);
bool enc_mac_ready(const enc28j60_t *s);

/* enc28j60_net.c: receive, transmit, DMA, BIST, filters */
uint16_t enc_erxst(const enc28j60_t *s);
uint16_t enc_erxnd(const enc28j60_t *s);
uint16_t enc_ring_next(const enc28j60_t *s, uint16_t a);
void enc_set_pktcnt(enc28j60_t *s, unsigned count);
void enc_rx_frame(void *owner, const uint8_t *frame, size_t len, bool fcs_ok);
void enc_rx_commit_event(void *opaque);
void enc_rx_reset(enc28j60_t *s);
void enc_tx_request(enc28j60_t *s);
void enc_tx_cancel(enc28j60_t *s);
void enc_tx_reset_changed(enc28j60_t *s, bool asserted);
void enc_tx_event(void *opaque);
void enc_dma_start(enc28j60_t *s);
void enc_dma_cancel(enc28j60_t *s);
void enc_dma_event(void *opaque);
void enc_bist_start(enc28j60_t *s);
void enc_bist_event(void *opaque);
uint16_t enc_inet_checksum(const uint8_t *p, size_t n);
uint32_t enc_hash_crc(const uint8_t dest[6]);

/* enc28j60_phy.c: PHY registers, MII, link, LEDs, CLKOUT */
void enc_phy_reset(enc28j60_t *s, bool power_on);
uint16_t enc_phy_read(enc28j60_t *s, unsigned reg);
void enc_phy_write(enc28j60_t *s, unsigned reg, uint16_t v);
uint16_t enc_phy_peek(const enc28j60_t *s, unsigned reg);
void enc_micmd_written(enc28j60_t *s, uint8_t old, uint8_t v);
void enc_miwrh_written(enc28j60_t *s);
void enc_mii_event(void *opaque);
bool enc_phy_full_duplex(const enc28j60_t *s);
bool enc_phy_receiving(const enc28j60_t *s);
bool enc_phy_link(const enc28j60_t *s);
void enc_link_changed(void *owner, bool up);
void enc_link_event(void *opaque);
void enc_phy_power_changed(enc28j60_t *s);
void enc_led_activity(enc28j60_t *s, unsigned what, sim_time_t duration);
void enc_led_update(enc28j60_t *s);
void enc_led_event(void *opaque);
void enc_clkout_update(enc28j60_t *s);
#define ENC_ACT_TX 1u
#define ENC_ACT_RX 2u
#define ENC_ACT_COL 4u

#endif
