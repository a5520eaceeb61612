/*
 * Board support shared by the bootloader and the application: start-up,
 * clocks, the USART2 console, a millisecond tick, the watchdog and flash
 * programming on the STM32F407 of the reference board.
 */
#ifndef FW_PLATFORM_H
#define FW_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 168 MHz from the 8 MHz crystal (or 16 MHz HSI when 'fast' is false). */
void clock_init(bool fast);
uint32_t clock_hz(void);
void console_init(void);
void console_flush(void);
/* Flushes and turns the console interrupt off (before starting another image). */
void console_quiesce(void);
void tick_init(void);
uint32_t millis(void);
void delay_ms(uint32_t ms);
/* Sleep until the next interrupt (WFI). */
void cpu_idle(void);
void watchdog_start(uint32_t ms);
void watchdog_kick(void);
void system_reset(void) __attribute__((noreturn));
void led_init(void);
void led_set(unsigned led, bool on);  /* 0..3: PD12 green, PD13 orange, PD14 red, PD15 blue */

/* The flash array at a physical address, for reading (the host tests map
 * it onto a simulated flash). */
#ifdef FW_HOST_TEST
/* tests/firmware/support/fwhost.c */
const void *flash_ptr(uint32_t addr);
#else
static inline const void *flash_ptr(uint32_t addr) { return (const void *)(uintptr_t)addr; }
#endif
int flash_erase_sector(unsigned sector);
/* Programs 32-bit words; dst and len must be multiples of 4. */
int flash_program(uint32_t dst, const void *src, size_t len);
void flash_lock(void);

/* CRC-32 (IEEE 802.3, reflected), crc32.c */
uint32_t crc32_buf(const void *data, size_t len);
/* 32 bits from the hardware RNG (started on first use). */
uint32_t hw_random32(void);

/* Hook for the application: called from SysTick every millisecond. */
extern void (*tick_hook)(void);

#endif
