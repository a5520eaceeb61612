/*
 * ENC28J60 driver for the reference board: SPI2 (SCK PB13, MISO PB14, MOSI
 * PB15), CS PB12, INT PB11 on EXTI11 (falling edge), RESET PB10 (held high:
 * the chip is reset with the SRC command, as Linux does).
 *
 * Receive is interrupt-driven: the EXTI handler only flags the event, and
 * enc_service() (called from the main loop) clears EIE.INTIE, handles every
 * flag, drains the receive ring and sets INTIE again, which makes a fresh
 * edge if anything is still pending (datasheet section 12). As a fallback
 * for a lost edge, the ring is polled every ENC_POLL_MS as well;
 * ENC_POLL_ONLY builds a driver without the interrupt.
 *
 * Silicon errata (DS80349C, numbered as in docs/enc28j60.md section 6) and
 * the flag that builds each workaround out, so a scenario can show the
 * failure it prevents:
 *   #1  ENC_NO_WA_SPI_CLOCK    SCK 10.5 MHz (>= 8 MHz); without: 2.6 MHz
 *   #2  ENC_NO_WA_RESET_WAIT   wait 2 ms after SRC; without: poll CLKRDY only
 *   #5  ENC_NO_WA_RX_AT_ZERO   receive ring at 0x0000; without: after the TX area
 *   #6  ENC_NO_WA_PKTCNT       count packets with EPKTCNT; without: trust EIR.PKTIF
 *   #9  ENC_NO_WA_HDLDIS       PHCON2.HDLDIS in half duplex; without: not set
 *   #12 ENC_NO_WA_TXRST        pulse ECON1.TXRST before each frame, then clear
 *                              TXERIF/TXIF; without: no reset
 *   #13 ENC_NO_WA_TX_STALL     wait for TXIF or TXERIF with a timeout, clear a
 *                              stuck TXRTS, resend after a late collision (up
 *                              to 16 times), MACLCON2 = 63; without: wait for
 *                              TXIF alone, forever
 *   #14 ENC_NO_WA_RXRDPT_ODD   ERXRDPT always odd; without: the even next pointer
 *   #15 ENC_NO_WA_TSV_LATECOL  late collision from TSV bit 29; without: ESTAT.LATECOL
 *   #16 ENC_NO_WA_PHCON1       write PHCON1.PDPXMD; without: trust the LED strap
 *   #17 ENC_NO_WA_SW_CHECKSUM  IPv4 checksums in software; without: the DMA
 *                              checksum engine (which aborts a frame being received)
 *   #18 ENC_NO_WA_SW_FILTER    re-check each frame's destination in software;
 *                              without: take what the filters passed
 *   #19 ENC_NO_WA_PWRSV_SRC    leave power-save before SRC; without: SRC at once
 * No firmware action exists or is needed for #3 (temperature range), #4
 * (CLKOUT in power-save: the board does not use CLKOUT, ECOCON = 0), #7
 * (TPIN polarity: wiring), #8 (RBIAS: board), #10 and #11 (the driver never
 * uses PHY loopback or LED mode 1110).
 * ENC_HALF_DUPLEX builds a half-duplex driver (where #9, #12, #13 matter most).
 * ENC_TRUST_RX_HEADER drops the check of each receive header (next packet
 * pointer, length, status) that lets the driver recover from a corrupted
 * ring with a receive reset: a driver as many are written, which shows
 * what erratum #14 does when its workaround is missing too.
 */
#ifndef FW_ENC28J60_H
#define FW_ENC28J60_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENC_POLL_MS 10u

typedef struct enc_stats {
    uint32_t rx_frames, rx_errors, rx_filtered, rx_resets, rx_overflows;
    uint32_t nic_resets;       /* the agent set the chip up again after a stall */
    uint32_t tx_frames, tx_retries, tx_errors, tx_stalls;
    uint32_t irqs, polls;
} enc_stats_t;

extern enc_stats_t enc_stats;
extern volatile bool enc_irq_pending;

/* Resets and configures the chip; 0, or -1 when it does not answer. */
int enc_init(const uint8_t mac[6]);
bool enc_link_up(void);
/* Copies the next received frame (without FCS) into buf; returns its length
 * or 0 when the ring is empty. */
size_t enc_receive(uint8_t *buf, size_t max);
/* Sends a frame (destination MAC first, no FCS); 0 or -1. */
int enc_send(const uint8_t *frame, size_t len);
/* Like enc_send, with the 16-bit Internet checksum of frame[start, end)
 * computed by the chip's DMA engine and stored at frame offset 'field'
 * (only built with ENC_NO_WA_SW_CHECKSUM). */
int enc_send_hw_checksum(const uint8_t *frame, size_t len, size_t start, size_t end, size_t field);
/* Handles the interrupt flags (link change, errors); true if the receive
 * ring should be drained now (an interrupt came, or the poll interval passed). */
bool enc_service(void);
/* Quiesces the chip before a reset: receive off, power-save. */
void enc_power_down(void);

#endif
