/*
 * STM32F407 registers used by the reference firmware, written from the
 * reference manual (RM0090) register maps. Addresses are absolute; bit
 * positions are named where the code uses them.
 */
#ifndef FW_STM32F407_H
#define FW_STM32F407_H

#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* RCC */
#define RCC_BASE        0x40023800u
#define RCC_CR          REG32(RCC_BASE + 0x00)
#define RCC_PLLCFGR     REG32(RCC_BASE + 0x04)
#define RCC_CFGR        REG32(RCC_BASE + 0x08)
#define RCC_AHB1ENR     REG32(RCC_BASE + 0x30)
#define RCC_AHB2ENR     REG32(RCC_BASE + 0x34)
#define RCC_APB1ENR     REG32(RCC_BASE + 0x40)
#define RCC_APB2ENR     REG32(RCC_BASE + 0x44)
#define RCC_CSR         REG32(RCC_BASE + 0x74)
#define RCC_CR_HSEON    (1u << 16)
#define RCC_CR_HSERDY   (1u << 17)
#define RCC_CR_PLLON    (1u << 24)
#define RCC_CR_PLLRDY   (1u << 25)
#define RCC_CSR_RMVF    (1u << 24)
#define RCC_CSR_PINRSTF (1u << 26)
#define RCC_CSR_PORRSTF (1u << 27)
#define RCC_CSR_SFTRSTF (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)

/* PWR */
#define PWR_CR          REG32(0x40007000u)
#define PWR_CR_VOS      (1u << 14)

/* FLASH interface */
#define FLASH_BASE_R    0x40023C00u
#define FLASH_ACR       REG32(FLASH_BASE_R + 0x00)
#define FLASH_KEYR      REG32(FLASH_BASE_R + 0x04)
#define FLASH_SR        REG32(FLASH_BASE_R + 0x0C)
#define FLASH_CR        REG32(FLASH_BASE_R + 0x10)
#define FLASH_SR_EOP    (1u << 0)
#define FLASH_SR_ERRORS 0xF2u       /* OPERR, WRPERR, PGAERR, PGPERR, PGSERR */
#define FLASH_SR_BSY    (1u << 16)
#define FLASH_CR_PG     (1u << 0)
#define FLASH_CR_SER    (1u << 1)
#define FLASH_CR_SNB(n) ((uint32_t)(n) << 3)
#define FLASH_CR_PSIZE_X32 (2u << 8)
#define FLASH_CR_STRT   (1u << 16)
#define FLASH_CR_EOPIE  (1u << 24)
#define FLASH_CR_LOCK   (1u << 31)
#define FLASH_KEY1      0x45670123u
#define FLASH_KEY2      0xCDEF89ABu

/* GPIO: port n at 0x40020000 + n * 0x400 */
#define GPIO_BASE(p)    (0x40020000u + (uint32_t)(p) * 0x400u)
#define GPIO_MODER(p)   REG32(GPIO_BASE(p) + 0x00)
#define GPIO_PUPDR(p)   REG32(GPIO_BASE(p) + 0x0C)
#define GPIO_IDR(p)     REG32(GPIO_BASE(p) + 0x10)
#define GPIO_ODR(p)     REG32(GPIO_BASE(p) + 0x14)
#define GPIO_BSRR(p)    REG32(GPIO_BASE(p) + 0x18)
#define GPIO_AFRL(p)    REG32(GPIO_BASE(p) + 0x20)
#define GPIO_AFRH(p)    REG32(GPIO_BASE(p) + 0x24)
enum { PORTA, PORTB, PORTC, PORTD, PORTE };

/* USART2 */
#define USART2_BASE     0x40004400u
#define USART_SR(b)     REG32((b) + 0x00)
#define USART_DR(b)     REG32((b) + 0x04)
#define USART_BRR(b)    REG32((b) + 0x08)
#define USART_CR1(b)    REG32((b) + 0x0C)
#define USART_SR_TXE    (1u << 7)
#define USART_SR_TC     (1u << 6)
#define USART_CR1_TXEIE (1u << 7)

/* SPI2 */
#define SPI2_BASE       0x40003800u
#define SPI_CR1(b)      REG32((b) + 0x00)
#define SPI_SR(b)       REG32((b) + 0x08)
#define SPI_DR(b)       REG32((b) + 0x0C)
#define SPI_SR_RXNE     (1u << 0)
#define SPI_SR_TXE      (1u << 1)
#define SPI_SR_BSY      (1u << 7)

/* EXTI and SYSCFG */
#define EXTI_IMR        REG32(0x40013C00u)
#define EXTI_FTSR       REG32(0x40013C0Cu)
#define EXTI_PR         REG32(0x40013C14u)
#define SYSCFG_EXTICR(n) REG32(0x40013808u + 4u * (n))

/* IWDG */
#define IWDG_KR         REG32(0x40003000u)
#define IWDG_PR         REG32(0x40003004u)
#define IWDG_RLR        REG32(0x40003008u)
#define IWDG_SR         REG32(0x4000300Cu)

/* RNG */
#define RNG_CR          REG32(0x50060800u)
#define RNG_SR          REG32(0x50060804u)
#define RNG_DR          REG32(0x50060808u)

/* Unique device ID */
#define UID0            REG32(0x1FFF7A10u)
#define UID1            REG32(0x1FFF7A14u)
#define UID2            REG32(0x1FFF7A18u)

/* Cortex-M4 system control */
#define SYST_CSR        REG32(0xE000E010u)
#define SYST_RVR        REG32(0xE000E014u)
#define SYST_CVR        REG32(0xE000E018u)
#define NVIC_ISER(n)    REG32(0xE000E100u + 4u * (n))
#define NVIC_ICER(n)    REG32(0xE000E180u + 4u * (n))
#define NVIC_IPR8(n)    (*(volatile uint8_t *)(uintptr_t)(0xE000E400u + (n)))
#define SCB_VTOR        REG32(0xE000ED08u)
#define SCB_AIRCR       REG32(0xE000ED0Cu)
#define SCB_CPACR       REG32(0xE000ED88u)
#define AIRCR_RESET     (0x05FA0000u | (1u << 2))

#define IRQ_FLASH       4
#define IRQ_USART2      38
#define IRQ_EXTI15_10   40

#endif
