/*
 * STM32F407 bring-up as the vendor HAL does it, on the stm32f407-disco board:
 * reset values, clock-up to 168 MHz from the 8 MHz crystal (PLL enabled
 * through the bit-band alias), SysTick period in virtual time, USART2
 * output, flash unlock/erase/program/verify with its error cases, RNG, CRC,
 * and an IWDG reset with its reset flag. Register definitions are our own.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC 0x40023800u
#define RCC_CR REG(RCC + 0x00)
#define RCC_PLLCFGR REG(RCC + 0x04)
#define RCC_CFGR REG(RCC + 0x08)
#define RCC_AHB1ENR REG(RCC + 0x30)
#define RCC_AHB2ENR REG(RCC + 0x34)
#define RCC_APB1ENR REG(RCC + 0x40)
#define RCC_CSR REG(RCC + 0x74)
#define PWR_CR REG(0x40007000u)
#define PWR_CSR REG(0x40007004u)
#define FLASH_ACR REG(0x40023C00u)
#define FLASH_KEYR REG(0x40023C04u)
#define FLASH_SR REG(0x40023C0Cu)
#define FLASH_CR REG(0x40023C10u)
#define GPIOA 0x40020000u
#define GPIOD 0x40020C00u
#define USART2 0x40004400u
#define USART_SR REG(USART2 + 0x00)
#define USART_DR REG(USART2 + 0x04)
#define USART_BRR REG(USART2 + 0x08)
#define USART_CR1 REG(USART2 + 0x0C)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SCB_VTOR REG(0xE000ED08u)
/* bit-band alias of a peripheral register bit */
#define BB(addr, bit) REG(0x42000000u + ((addr) - 0x40000000u) * 32u + (bit) * 4u)

static int failures;
static void check(const char *what, int ok)
{
    printf("%-34s %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

static volatile uint32_t ticks;
static void systick_handler(void) { ticks++; }
static uint32_t vectors[128] __attribute__((aligned(512)));

/* SYS_ELAPSED: ticks of the rate SYS_TICKFREQ reports */
static uint64_t elapsed(void)
{
    uint32_t block[2];
    register uint32_t r0 __asm__("r0") = 0x30;
    register uint32_t r1 __asm__("r1") = (uint32_t)block;
    __asm__ volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (uint64_t)block[1] << 32 | block[0];
}

/* A number of SYS_ELAPSED ticks in microseconds (outside the measured time) */
static uint64_t ticks_us(uint64_t ticks)
{
    register uint32_t r0 __asm__("r0") = 0x31;
    __asm__ volatile("bkpt #0xab" : "+r"(r0) : : "memory");
    return ticks * 1000000u / (r0 ? r0 : 1);
}

static void usart_puts(const char *s)
{
    for (; *s; s++) {
        while (!(USART_SR & (1u << 7)))
            ;
        USART_DR = (uint8_t)*s;
    }
    while (!(USART_SR & (1u << 6)))
        ;
}

int main(void)
{
    if (RCC_CSR & (1u << 29)) {
        printf("after IWDG reset: CSR %08lx\n", (unsigned long)(RCC_CSR & 0xFE000000u));
        /* flags accumulate until RMVF: power-on ones are still there */
        check("IWDG reset flag", (RCC_CSR & 0xFE000000u) == 0x2E000000u);
        RCC_CSR |= 1u << 24; /* RMVF */
        check("RMVF clears the flags", (RCC_CSR & 0xFE000000u) == 0);
        return failures;
    }
    check("power-on reset flags", (RCC_CSR & 0xFE000000u) == 0x0E000000u);
    check("RCC_CR reset (HSI on and ready)", (RCC_CR & 0x3) == 0x3);
    check("RCC_PLLCFGR reset", RCC_PLLCFGR == 0x24003010u);
    check("PWR_CR reset (VOS)", PWR_CR == 0x4000u);
    check("FLASH_CR reset (locked)", FLASH_CR == 0x80000000u);
    check("flash size register", *(volatile uint16_t *)0x1FFF7A22u == 0x400);

    const uint32_t *old = (const uint32_t *)SCB_VTOR;
    for (int i = 0; i < 128; i++)
        vectors[i] = old[i];
    vectors[15] = (uint32_t)systick_handler;
    SCB_VTOR = (uint32_t)vectors;

    /* clock-up, the HAL way */
    RCC_APB1ENR |= 1u << 28;
    PWR_CR |= 1u << 14;
    RCC_CR |= 1u << 16;
    while (!(RCC_CR & (1u << 17)))
        ;
    BB(RCC + 0x00, 24) = 0; /* PLL off (bit-band), then wait for PLLRDY to fall */
    while (RCC_CR & (1u << 25))
        ;
    RCC_PLLCFGR = 8u | (336u << 6) | (0u << 16) | (1u << 22) | (7u << 24);
    BB(RCC + 0x00, 24) = 1;
    while (!(RCC_CR & (1u << 25)))
        ;
    while (!(PWR_CSR & (1u << 14)))
        ;
    FLASH_ACR = 5u | (1u << 8) | (1u << 9) | (1u << 10);
    check("FLASH_ACR reads back", (FLASH_ACR & 0x707) == 0x705);
    RCC_CFGR = (RCC_CFGR & ~0xFCF0u) | (5u << 10) | (4u << 13);
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
    while (((RCC_CFGR >> 2) & 3) != 2)
        ;
    check("SYSCLK from PLL", ((RCC_CFGR >> 2) & 3) == 2);

    /* SysTick at 168 MHz: 10 periods of 1 ms */
    uint64_t t0 = elapsed();
    SYST_RVR = 168000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 7;
    while (ticks < 10)
        __asm__ volatile("wfi");
    SYST_CSR = 0;
    uint64_t dt = ticks_us(elapsed() - t0);
    printf("10 SysTick periods took %lu us\n", (unsigned long)dt);
    check("SysTick period at 168 MHz", dt >= 10000 && dt <= 10010);

    /* USART2 at 115200 from PCLK1 = 42 MHz */
    RCC_AHB1ENR |= 1u;
    RCC_APB1ENR |= 1u << 17;
    REG(GPIOA + 0x00) = (REG(GPIOA + 0x00) & ~0xF0u) | 0xA0u; /* PA2, PA3 AF */
    REG(GPIOA + 0x20) = (REG(GPIOA + 0x20) & ~0xFF00u) | 0x7700u;
    USART_BRR = 0x16D;
    USART_CR1 = (1u << 13) | (1u << 3) | (1u << 2);
    t0 = elapsed();
    usart_puts("hello from usart2 at 115200 baud\r\n");
    dt = ticks_us(elapsed() - t0);
    printf("34 characters took %lu us\n", (unsigned long)dt);
    check("USART character timing", dt >= 2900 && dt <= 3000);

    /* GPIO: LEDs on PD12-PD15 */
    RCC_AHB1ENR |= 1u << 3;
    REG(GPIOD + 0x00) = 0x55000000u;
    REG(GPIOD + 0x18) = 0xF000u;
    check("GPIO output reads back in IDR", (REG(GPIOD + 0x10) & 0xF000u) == 0xF000u);
    REG(GPIOD + 0x18) = 0x50000000u; /* reset PD12, PD14 */
    check("BSRR reset half", (REG(GPIOD + 0x14) & 0xF000u) == 0xA000u);

    /* flash: store while locked is PGSERR, data dropped */
    volatile uint32_t *sector11 = (volatile uint32_t *)0x080E0000u;
    sector11[0] = 0;
    check("store while locked: PGSERR", (FLASH_SR & (1u << 7)) != 0);
    FLASH_SR = 0xF3;
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
    check("unlocked", !(FLASH_CR & (1u << 31)));
    FLASH_CR = (2u << 8) | (11u << 3) | (1u << 1);
    t0 = elapsed();
    FLASH_CR |= 1u << 16; /* the next fetch from flash stalls until the erase ends */
    while (FLASH_SR & (1u << 16))
        ;
    dt = ticks_us(elapsed() - t0);
    printf("128 KiB sector erase took %lu ms\n", (unsigned long)(dt / 1000));
    check("sector erased", sector11[0] == 0xFFFFFFFFu && sector11[32767] == 0xFFFFFFFFu);
    check("erase time (x32, 128 KiB)", dt / 1000 == 1000);
    FLASH_CR = (2u << 8) | 1u; /* PG, x32 */
    sector11[0] = 0x12345678u;
    while (FLASH_SR & (1u << 16))
        ;
    sector11[1] = 0xA5A5A5A5u;
    while (FLASH_SR & (1u << 16))
        ;
    sector11[1] = 0xFFFF0000u; /* bits only go 1 -> 0 */
    while (FLASH_SR & (1u << 16))
        ;
    check("programmed", sector11[0] == 0x12345678u && sector11[1] == 0xA5A50000u);
    *(volatile uint16_t *)&sector11[2] = 0x1111; /* wrong width for x32 */
    check("wrong width: PGPERR", (FLASH_SR & (1u << 6)) != 0 && sector11[2] == 0xFFFFFFFFu);
    FLASH_SR = 0xF3;
    FLASH_CR = 1u << 31;
    check("locked again", (FLASH_CR & (1u << 31)) != 0);

    /* RNG from PLL48 */
    RCC_AHB2ENR |= 1u << 6;
    REG(0x50060800u) = 1u << 2;
    uint32_t r[2];
    for (int i = 0; i < 2; i++) {
        while (!(REG(0x50060804u) & 1))
            ;
        r[i] = REG(0x50060808u);
    }
    printf("rng %08lx %08lx\n", (unsigned long)r[0], (unsigned long)r[1]);
    check("RNG words differ", r[0] != r[1]);

    /* CRC unit against a software CRC-32/MPEG-2 */
    RCC_AHB1ENR |= 1u << 12;
    REG(0x40023008u) = 1;
    REG(0x40023000u) = 0x12345678u;
    uint32_t crc = 0xFFFFFFFFu ^ 0x12345678u;
    for (int k = 0; k < 32; k++)
        crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    check("CRC unit", REG(0x40023000u) == crc);

    /* IWDG: about 2 ms timeout, then a reset */
    printf("failures before IWDG: %d\n", failures);
    REG(0x40003000u) = 0x5555;
    REG(0x40003004u) = 0;  /* /4 */
    REG(0x40003008u) = 15; /* 16 ticks of 8 kHz = 2 ms */
    REG(0x40003000u) = 0xCCCC;
    for (;;)
        __asm__ volatile("wfi");
}
