/*
 * The board under the firmware's host tests: a simulated STM32F407 flash
 * (program clears bits only, erase sets a sector to 0xFF) that can lose
 * power at its Nth operation, a millisecond clock the tests advance, and a
 * fake ENC28J60 that queues frames in both directions.
 */
#ifndef TESTS_FWHOST_H
#define TESTS_FWHOST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_FLASH_BASE 0x08000000u
#define HOST_FLASH_SIZE 0x100000u
extern uint8_t host_flash[HOST_FLASH_SIZE];
extern unsigned long host_flash_ops;       /* word programs + sector erases so far */
void host_flash_erase_all(void);
/* Power is cut when operation number 'n' (counted from host_flash_ops = 0)
 * starts: an erase leaves the sector partly erased, a word program a word
 * with some of its bits programmed (seeded), then longjmp(host_power_cut). */
void host_flash_cut_at(long n, uint32_t seed);
extern jmp_buf host_power_cut;
void host_flash_place(uint32_t addr, const void *data, size_t len);

extern uint32_t host_ms;
extern void (*host_idle_hook)(void);   /* run by cpu_idle() after time advanced 1 ms */

/* The fake network chip: frames the firmware sent, frames it will receive. */
#define HOST_FRAMES 64
typedef struct host_frame {
    uint8_t data[1536];
    size_t len;
} host_frame_t;
extern host_frame_t host_tx[HOST_FRAMES];
extern unsigned host_tx_count;
void host_rx_push(const uint8_t *frame, size_t len);
void host_net_reset(void);

#endif
