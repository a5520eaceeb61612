/*
 * ENC28J60 driver for the reference board (SPI2, CS PB12, INT PB11 on
 * EXTI11, RESET PB10). Each silicon-errata workaround can be built out with
 * a flag so a scenario can show the failure it prevents:
 *   ENC_NO_WA_RESET_WAIT  errata #2: wait 1 ms after reset, not CLKRDY alone
 *   ENC_NO_WA_PKTCNT      errata #6: PKTIF is unreliable; poll EPKTCNT
 *   ENC_NO_WA_TXRST       errata #12: reset the TX logic before each frame,
 *                         retry when TXERIF or a late collision (TSV) says so
 *   ENC_NO_WA_RXRDPT_ODD  errata #14: ERXRDPT must be written odd
 *   ENC_NO_WA_PHCON1      errata #16: write PHCON1.PDPXMD explicitly
 * Checksums are always computed in software (errata #17: the DMA checksum
 * engine aborts a packet being received).
 */
#ifndef FW_ENC28J60_H
#define FW_ENC28J60_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_stats {
    uint32_t rx_frames, rx_errors, tx_frames, tx_retries, tx_errors, irqs, rx_overflows;
} enc_stats_t;

extern enc_stats_t enc_stats;
extern volatile bool enc_irq_pending;

int enc_init(const uint8_t mac[6]);
bool enc_link_up(void);
/* Copies the next received frame (without FCS) into buf; returns its length or 0. */
size_t enc_receive(uint8_t *buf, size_t max);
int enc_send(const uint8_t *frame, size_t len);
/* Services the interrupt flags; call when enc_irq_pending or periodically. */
void enc_service(void);

#endif
