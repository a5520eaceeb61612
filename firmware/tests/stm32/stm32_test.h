/*
 * Helpers for the STM32F407 test programs (our own register definitions):
 * register access, a check line per assertion, virtual time from
 * semihosting SYS_ELAPSED, a vector table in RAM, and USART2 output.
 * Every program prints one line per check ("name  ok" or "name  FAIL") and
 * exits with the number of failures.
 */
#ifndef FIRMWARE_TESTS_STM32_TEST_H
#define FIRMWARE_TESTS_STM32_TEST_H

#include <stdint.h>
#include <stdio.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define REG16(a) (*(volatile uint16_t *)(a))
#define REG8(a) (*(volatile uint8_t *)(a))

#define RCC 0x40023800u
#define RCC_CR REG(RCC + 0x00)
#define RCC_PLLCFGR REG(RCC + 0x04)
#define RCC_CFGR REG(RCC + 0x08)
#define RCC_CIR REG(RCC + 0x0C)
#define RCC_AHB1RSTR REG(RCC + 0x10)
#define RCC_APB1RSTR REG(RCC + 0x20)
#define RCC_AHB1ENR REG(RCC + 0x30)
#define RCC_AHB2ENR REG(RCC + 0x34)
#define RCC_APB1ENR REG(RCC + 0x40)
#define RCC_APB2ENR REG(RCC + 0x44)
#define RCC_BDCR REG(RCC + 0x70)
#define RCC_CSR REG(RCC + 0x74)
#define PWR_CR REG(0x40007000u)
#define PWR_CSR REG(0x40007004u)
#define FLASH_ACR REG(0x40023C00u)
#define FLASH_KEYR REG(0x40023C04u)
#define FLASH_OPTKEYR REG(0x40023C08u)
#define FLASH_SR REG(0x40023C0Cu)
#define FLASH_CR REG(0x40023C10u)
#define FLASH_OPTCR REG(0x40023C14u)
#define GPIOA 0x40020000u
#define GPIOD 0x40020C00u
#define GPIOE 0x40021000u
#define USART2 0x40004400u
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SCB_VTOR REG(0xE000ED08u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define SCB_SHCSR REG(0xE000ED24u)
#define SCB_CFSR REG(0xE000ED28u)
#define SCB_BFAR REG(0xE000ED38u)
#define NVIC_ISER(n) REG(0xE000E100u + 4u * (n))
#define BKPSRAM 0x40024000u
#define CCM 0x10000000u
/* bit-band alias of a peripheral register bit */
#define BB(addr, bit) REG(0x42000000u + ((addr) - 0x40000000u) * 32u + (bit) * 4u)

#define CSR_FLAGS (RCC_CSR & 0xFE000000u)

static int failures __attribute__((unused));

static inline void check(const char *what, int ok)
{
    printf("%-40s %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

/* Virtual time since power-on in us (semihosting SYS_ELAPSED, 1 MHz ticks). */
static inline uint64_t elapsed_us(void)
{
    uint32_t block[2];
    register uint32_t r0 __asm__("r0") = 0x30;
    register uint32_t r1 __asm__("r1") = (uint32_t)block;
    __asm__ volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (uint64_t)block[1] << 32 | block[0];
}

/* A RAM copy of the vector table so handlers can be installed. */
static uint32_t ram_vectors[128] __attribute__((aligned(512), unused));

static inline void vectors_to_ram(void)
{
    const uint32_t *old = (const uint32_t *)SCB_VTOR;
    for (int i = 0; i < 128; i++)
        ram_vectors[i] = old[i];
    SCB_VTOR = (uint32_t)ram_vectors;
}

static inline void set_handler(int exception, void (*fn)(void))
{
    ram_vectors[exception] = (uint32_t)fn;
}

/* USART2 on PA2/PA3 (AF7) at 'brr' from its PCLK1. */
static inline void usart2_init(uint32_t brr)
{
    RCC_AHB1ENR |= 1u;
    RCC_APB1ENR |= 1u << 17;
    (void)RCC_APB1ENR;
    REG(GPIOA + 0x00) = (REG(GPIOA + 0x00) & ~0xF0u) | 0xA0u;
    REG(GPIOA + 0x20) = (REG(GPIOA + 0x20) & ~0xFF00u) | 0x7700u;
    REG(USART2 + 0x08) = brr;
    REG(USART2 + 0x0C) = (1u << 13) | (1u << 3) | (1u << 2);
}

static inline void usart2_puts(const char *s)
{
    for (; *s; s++) {
        while (!(REG(USART2 + 0x00) & (1u << 7)))
            ;
        REG(USART2 + 0x04) = (uint8_t)*s;
    }
    while (!(REG(USART2 + 0x00) & (1u << 6)))
        ;
}

#endif
