/*
 * STM32F407 peripherals on the stm32f407-disco board at the reset clock
 * (HSI 16 MHz): TIM2 update interrupt period in virtual time, TIM3 one-pulse
 * mode, an EXTI interrupt from a GPIO edge routed by SYSCFG, the EXTI
 * software trigger, and SPI1 master transfers with their timing, RXNE and
 * overrun.
 */
#include <stdint.h>
#include <stdio.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define RCC_APB2ENR REG(0x40023844u)
#define NVIC_ISER0 REG(0xE000E100u)
#define NVIC_ISER1 REG(0xE000E104u)
#define TIM2 0x40000000u
#define TIM3 0x40000400u
#define GPIOD 0x40020C00u
#define SYSCFG_EXTICR1 REG(0x40013808u)
#define EXTI 0x40013C00u
#define SPI1 0x40013000u

static int failures;
static void check(const char *what, int ok)
{
    printf("%-34s %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

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

static uint32_t vectors[128] __attribute__((aligned(512)));
static volatile uint32_t tim2_irqs, exti0_irqs;

static void tim2_handler(void)
{
    REG(TIM2 + 0x10) = ~1u; /* clear UIF */
    tim2_irqs++;
}

static void exti0_handler(void)
{
    REG(EXTI + 0x14) = 1; /* clear pending */
    exti0_irqs++;
}

int main(void)
{
    const uint32_t *old = (const uint32_t *)REG(0xE000ED08u);
    for (int i = 0; i < 128; i++)
        vectors[i] = old[i];
    vectors[16 + 28] = (uint32_t)tim2_handler;
    vectors[16 + 6] = (uint32_t)exti0_handler;
    REG(0xE000ED08u) = (uint32_t)vectors;

    /* TIM2: 16 MHz / 16 = 1 MHz counts, ARR 999: 1 kHz update interrupts */
    RCC_APB1ENR |= 1u | 2u;
    REG(TIM2 + 0x28) = 15;
    REG(TIM2 + 0x2C) = 999;
    REG(TIM2 + 0x14) = 1;          /* UG loads PSC */
    REG(TIM2 + 0x10) = 0;
    REG(TIM2 + 0x0C) = 1;          /* UIE */
    NVIC_ISER0 = 1u << 28;
    uint64_t t0 = elapsed();
    REG(TIM2 + 0x00) = 1;          /* CEN */
    while (tim2_irqs < 10)
        __asm__ volatile("wfi");
    uint64_t dt = ticks_us(elapsed() - t0);
    REG(TIM2 + 0x00) = 0;
    printf("10 TIM2 updates took %lu us\n", (unsigned long)dt);
    check("TIM2 update period", dt >= 10000 && dt <= 10005);
    uint32_t cnt = REG(TIM2 + 0x24);
    check("TIM2 counter stopped", REG(TIM2 + 0x24) == cnt);

    /* TIM3 one-pulse: counts to ARR once, then CEN clears by itself */
    REG(TIM3 + 0x28) = 159;        /* 100 kHz */
    REG(TIM3 + 0x2C) = 99;         /* 1 ms */
    REG(TIM3 + 0x14) = 1;
    REG(TIM3 + 0x10) = 0;
    REG(TIM3 + 0x00) = (1u << 3) | 1u;
    t0 = elapsed();
    while (REG(TIM3 + 0x00) & 1)
        ;
    dt = ticks_us(elapsed() - t0);
    check("TIM3 one-pulse ends by itself", (REG(TIM3 + 0x10) & 1) && dt >= 990 && dt <= 1020);

    /* EXTI0 from PD0 (an output looped back through its own input) */
    RCC_AHB1ENR |= 1u << 3;
    RCC_APB2ENR |= 1u << 14;       /* SYSCFG */
    REG(GPIOD + 0x00) = (REG(GPIOD + 0x00) & ~3u) | 1u;
    SYSCFG_EXTICR1 = 3;            /* line 0 from port D */
    REG(EXTI + 0x08) = 1;          /* rising */
    REG(EXTI + 0x00) = 1;          /* unmask */
    NVIC_ISER0 = 1u << 6;
    REG(GPIOD + 0x18) = 1;         /* PD0 high: rising edge */
    __asm__ volatile("dsb\n\tisb");
    REG(GPIOD + 0x18) = 1u << 16;  /* falling: not selected */
    __asm__ volatile("dsb\n\tisb");
    check("EXTI0 on the rising edge only", exti0_irqs == 1);
    REG(EXTI + 0x10) = 1;          /* software trigger */
    __asm__ volatile("dsb\n\tisb");
    check("EXTI software trigger", exti0_irqs == 2 && REG(EXTI + 0x10) == 0);
    SYSCFG_EXTICR1 = 0;            /* line 0 from port A now: PD0 no longer reaches it */
    REG(GPIOD + 0x18) = 1;
    __asm__ volatile("dsb\n\tisb");
    check("EXTICR routes ports", exti0_irqs == 2);

    /* SPI1 master, 84 kHz... : PCLK2 16 MHz / 256 = 62.5 kHz, 8 bits = 128 us */
    RCC_APB2ENR |= 1u << 12;
    REG(SPI1 + 0x00) = (7u << 3) | (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6);
    check("SPI TXE after enable", (REG(SPI1 + 0x08) & 0x83) == 0x02);
    t0 = elapsed();
    REG(SPI1 + 0x0C) = 0x5A;
    check("SPI busy", (REG(SPI1 + 0x08) & 0x80) != 0);
    while (!(REG(SPI1 + 0x08) & 1))
        ;
    dt = ticks_us(elapsed() - t0);
    printf("one SPI byte took %lu us\n", (unsigned long)dt);
    check("SPI byte time", dt >= 128 && dt <= 140);
    check("SPI reads 0xFF with no device", REG(SPI1 + 0x0C) == 0xFF);
    REG(SPI1 + 0x0C) = 1;
    REG(SPI1 + 0x0C) = 2;
    while (REG(SPI1 + 0x08) & 0x80)
        ;
    uint32_t sr = REG(SPI1 + 0x08);
    check("SPI overrun when RXNE is not read", (sr & 0x41) == 0x41);
    check("OVR stays until DR then SR are read", (REG(SPI1 + 0x08) & 0x40) != 0);
    (void)REG(SPI1 + 0x0C);
    (void)REG(SPI1 + 0x08);
    check("OVR cleared by DR then SR", (REG(SPI1 + 0x08) & 0x40) == 0);

    /* SPI1 over DMA2: TX on stream 3 channel 3, RX on stream 0 channel 3 */
    static uint8_t tx[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, rx[8];
    RCC_AHB1ENR |= 1u << 22;
    uint32_t d2 = 0x40026400u;
    REG(d2 + 0x10 + 0x18 * 0 + 0x08) = SPI1 + 0x0C;     /* S0PAR */
    REG(d2 + 0x10 + 0x18 * 0 + 0x0C) = (uint32_t)rx;    /* S0M0AR */
    REG(d2 + 0x10 + 0x18 * 0 + 0x04) = 8;               /* S0NDTR */
    REG(d2 + 0x10 + 0x18 * 0) = (3u << 25) | (1u << 10) | 1u; /* ch3, MINC, P2M, EN */
    REG(d2 + 0x10 + 0x18 * 3 + 0x08) = SPI1 + 0x0C;
    REG(d2 + 0x10 + 0x18 * 3 + 0x0C) = (uint32_t)tx;
    REG(d2 + 0x10 + 0x18 * 3 + 0x04) = 8;
    REG(d2 + 0x10 + 0x18 * 3) = (3u << 25) | (1u << 10) | (1u << 6) | 1u; /* M2P */
    (void)REG(SPI1 + 0x0C);
    REG(SPI1 + 0x04) = 3;                               /* TXDMAEN | RXDMAEN */
    t0 = elapsed();
    while (REG(d2 + 0x10) & 1)                          /* RX stream done */
        ;
    dt = ticks_us(elapsed() - t0);
    printf("8 SPI bytes over DMA took %lu us\n", (unsigned long)dt);
    check("DMA RX stream completed", REG(d2 + 0x10 + 0x04) == 0 && (REG(d2 + 0x00) & (1u << 5)));
    check("DMA TX stream completed", (REG(d2 + 0x00) & (1u << 27)) != 0);
    int all_ff = 1;
    for (int k = 0; k < 8; k++)
        all_ff &= rx[k] == 0xFF;
    check("received bytes landed in memory", all_ff);
    check("8 byte times", dt >= 8 * 128 && dt <= 8 * 128 + 30);
    REG(d2 + 0x08) = 0x0F7D0F7Du;                       /* clear stream 0-3 flags */
    check("LIFCR clears", REG(d2 + 0x00) == 0);

    /* memory to memory on stream 1 */
    static uint32_t src[16], dst[16];
    for (int k = 0; k < 16; k++)
        src[k] = 0x1000u * (uint32_t)k + 7;
    REG(d2 + 0x10 + 0x18 * 1 + 0x08) = (uint32_t)src;
    REG(d2 + 0x10 + 0x18 * 1 + 0x0C) = (uint32_t)dst;
    REG(d2 + 0x10 + 0x18 * 1 + 0x04) = 16;
    REG(d2 + 0x10 + 0x18 * 1) = (2u << 13) | (2u << 11) | (1u << 10) | (1u << 9) | (2u << 6) | 1u;
    while (REG(d2 + 0x10 + 0x18 * 1) & 1)
        ;
    int same = 1;
    for (int k = 0; k < 16; k++)
        same &= dst[k] == src[k];
    check("memory-to-memory DMA", same && (REG(d2 + 0x00) & (1u << 11)));
    return failures;
}
