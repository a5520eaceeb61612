/*
 * STM32F407 peripherals on the stm32f407-disco board at the reset clock
 * (HSI 16 MHz): TIM2 update and compare interrupts at the right virtual
 * time, TIM6 as a time base, TIM3 one-pulse mode, an EXTI interrupt from a
 * GPIO edge routed by SYSCFG, the EXTI software trigger, SPI1 master
 * transfers with their timing, RXNE and overrun, SPI over DMA, the board's
 * LIS3DSH accelerometer as the SPI test slave (polled and over DMA), and
 * memory-to-memory DMA.
 */
#include "stm32_test.h"

#define NVIC_ISER0 REG(0xE000E100u)
#define NVIC_ISER1 REG(0xE000E104u)
#define TIM2 0x40000000u
#define TIM3 0x40000400u
#define TIM6 0x40001000u
#define SYSCFG_EXTICR1 REG(0x40013808u)
#define EXTI 0x40013C00u
#define SPI1 0x40013000u

static volatile uint32_t tim2_irqs, tim2_cc_irqs, tim6_irqs, exti0_irqs;
static volatile uint64_t tim2_cc_at;

static void tim2_handler(void)
{
    uint32_t sr = REG(TIM2 + 0x10) & REG(TIM2 + 0x0C);
    REG(TIM2 + 0x10) = ~sr; /* clear what was seen */
    if (sr & 2) {
        tim2_cc_irqs++;
        tim2_cc_at = elapsed_us();
    }
    if (sr & 1)
        tim2_irqs++;
}

static void tim6_handler(void)
{
    REG(TIM6 + 0x10) = 0;
    tim6_irqs++;
}

static void exti0_handler(void)
{
    REG(EXTI + 0x14) = 1; /* clear pending */
    exti0_irqs++;
}

/* One LIS3DSH register over SPI1, polled. */
static uint8_t spi1_xfer(uint8_t v)
{
    while (!(REG(SPI1 + 0x08) & 2))
        ;
    REG(SPI1 + 0x0C) = v;
    while (!(REG(SPI1 + 0x08) & 1))
        ;
    return (uint8_t)REG(SPI1 + 0x0C);
}

static uint8_t accel_read(uint8_t reg)
{
    REG(GPIOE + 0x18) = 1u << 19;
    spi1_xfer(0x80 | reg);
    uint8_t v = spi1_xfer(0);
    while (REG(SPI1 + 0x08) & 0x80)
        ;
    REG(GPIOE + 0x18) = 1u << 3;
    return v;
}

static void accel_write(uint8_t reg, uint8_t v)
{
    REG(GPIOE + 0x18) = 1u << 19;
    spi1_xfer(reg);
    spi1_xfer(v);
    while (REG(SPI1 + 0x08) & 0x80)
        ;
    REG(GPIOE + 0x18) = 1u << 3;
}

int main(void)
{
    vectors_to_ram();
    set_handler(16 + 28, tim2_handler);
    set_handler(16 + 54, tim6_handler);
    set_handler(16 + 6, exti0_handler);

    /* TIM2: 16 MHz / 16 = 1 MHz counts, ARR 999: 1 kHz update interrupts */
    RCC_APB1ENR |= 1u | 2u;
    REG(TIM2 + 0x28) = 15;
    REG(TIM2 + 0x2C) = 999;
    REG(TIM2 + 0x14) = 1;          /* UG loads PSC */
    REG(TIM2 + 0x10) = 0;
    REG(TIM2 + 0x0C) = 1;          /* UIE */
    NVIC_ISER0 = 1u << 28;
    uint64_t t0 = elapsed_us();
    REG(TIM2 + 0x00) = 1;          /* CEN */
    while (tim2_irqs < 10)
        __asm__ volatile("wfi");
    uint64_t dt = elapsed_us() - t0;
    REG(TIM2 + 0x00) = 0;
    printf("10 TIM2 updates took %lu us\n", (unsigned long)dt);
    check("TIM2 update period 1 ms", dt >= 10000 && dt <= 10005);
    uint32_t cnt = REG(TIM2 + 0x24);
    check("TIM2 counter stopped", REG(TIM2 + 0x24) == cnt);

    /* TIM2 compare: CC1IF when the counter reaches CCR1 = 250 (250 us into a period) */
    REG(TIM2 + 0x34) = 250;
    REG(TIM2 + 0x14) = 1;                  /* UG: counter to 0 */
    REG(TIM2 + 0x10) = 0;
    REG(TIM2 + 0x0C) = 2;                  /* CC1IE */
    tim2_cc_irqs = 0;
    t0 = elapsed_us();
    REG(TIM2 + 0x00) = 1;
    while (!tim2_cc_irqs)
        __asm__ volatile("wfi");
    REG(TIM2 + 0x00) = 0;
    printf("TIM2 compare interrupt after %lu us\n", (unsigned long)(tim2_cc_at - t0));
    check("TIM2 compare at CCR1", tim2_cc_at - t0 >= 250 && tim2_cc_at - t0 <= 253);

    /* TIM6 as the HAL time base: 1 kHz update interrupts, 20 of them */
    RCC_APB1ENR |= 1u << 4;
    REG(TIM6 + 0x28) = 15;
    REG(TIM6 + 0x2C) = 999;
    REG(TIM6 + 0x14) = 1;
    REG(TIM6 + 0x10) = 0;
    REG(TIM6 + 0x0C) = 1;
    NVIC_ISER1 = 1u << (54 - 32);
    t0 = elapsed_us();
    REG(TIM6 + 0x00) = 1;
    while (tim6_irqs < 20)
        __asm__ volatile("wfi");
    dt = elapsed_us() - t0;
    REG(TIM6 + 0x00) = 0;
    printf("20 TIM6 updates took %lu us\n", (unsigned long)dt);
    check("TIM6 (basic timer) period 1 ms", dt >= 20000 && dt <= 20005);

    /* TIM3 one-pulse: counts to ARR once, then CEN clears by itself */
    REG(TIM3 + 0x28) = 159;        /* 100 kHz */
    REG(TIM3 + 0x2C) = 99;         /* 1 ms */
    REG(TIM3 + 0x14) = 1;
    REG(TIM3 + 0x10) = 0;
    REG(TIM3 + 0x00) = (1u << 3) | 1u;
    t0 = elapsed_us();
    while (REG(TIM3 + 0x00) & 1)
        ;
    dt = elapsed_us() - t0;
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
    t0 = elapsed_us();
    REG(SPI1 + 0x0C) = 0x5A;
    int busy = (REG(SPI1 + 0x08) & 0x80) != 0;
    while (!(REG(SPI1 + 0x08) & 1))
        ;
    dt = elapsed_us() - t0;
    check("SPI busy", busy);
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
    t0 = elapsed_us();
    while (REG(d2 + 0x10) & 1)                          /* RX stream done */
        ;
    dt = elapsed_us() - t0;
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

    /* SPI1 with a test slave: the Discovery's LIS3DSH accelerometer, CS on PE3 */
    RCC_AHB1ENR |= (1u << 0) | (1u << 4);
    (void)RCC_AHB1ENR;
    REG(GPIOA + 0x00) = (REG(GPIOA + 0x00) & ~(0x3Fu << 10)) | (0x2Au << 10); /* PA5-7 AF */
    REG(GPIOA + 0x20) = (REG(GPIOA + 0x20) & ~0xFFF00000u) | 0x55500000u;     /* AF5 */
    REG(GPIOE + 0x18) = 1u << 3;                                             /* CS high */
    REG(GPIOE + 0x00) = (REG(GPIOE + 0x00) & ~(3u << 6)) | (1u << 6);
    REG(SPI1 + 0x04) = 0;
    REG(SPI1 + 0x00) = 0;
    REG(SPI1 + 0x00) = (3u << 3) | (1u << 2) | (1u << 9) | (1u << 8) | 3u | (1u << 6); /* 1 MHz, mode 3 */
    uint8_t who = accel_read(0x0F);
    printf("LIS3DSH WHO_AM_I %02x\n", who);
    check("SPI test slave answers WHO_AM_I 0x3F", who == 0x3F);
    accel_write(0x20, 0x67);                     /* CTRL_REG4: 100 Hz, X Y Z */
    check("control register written and read back", accel_read(0x20) == 0x67);
    /* OUT_X_L..OUT_Z_H in one transaction over DMA2 (auto-increment) */
    static uint8_t cmd[7] = { 0x80 | 0x28 }, out[7];
    REG(d2 + 0x08) = 0x0F7D0F7Du;
    REG(d2 + 0x10 + 0x18 * 0 + 0x08) = SPI1 + 0x0C;
    REG(d2 + 0x10 + 0x18 * 0 + 0x0C) = (uint32_t)out;
    REG(d2 + 0x10 + 0x18 * 0 + 0x04) = 7;
    REG(d2 + 0x10 + 0x18 * 0) = (3u << 25) | (1u << 10) | 1u;
    REG(d2 + 0x10 + 0x18 * 3 + 0x08) = SPI1 + 0x0C;
    REG(d2 + 0x10 + 0x18 * 3 + 0x0C) = (uint32_t)cmd;
    REG(d2 + 0x10 + 0x18 * 3 + 0x04) = 7;
    REG(d2 + 0x10 + 0x18 * 3) = (3u << 25) | (1u << 10) | (1u << 6) | 1u;
    (void)REG(SPI1 + 0x0C);
    REG(GPIOE + 0x18) = 1u << 19;                /* CS low */
    REG(SPI1 + 0x04) = 3;
    while (REG(d2 + 0x10) & 1)
        ;
    while (REG(SPI1 + 0x08) & 0x80)
        ;
    REG(GPIOE + 0x18) = 1u << 3;
    REG(SPI1 + 0x04) = 0;
    int16_t ax = (int16_t)(out[1] | out[2] << 8), ay = (int16_t)(out[3] | out[4] << 8);
    int16_t az = (int16_t)(out[5] | out[6] << 8);
    printf("acceleration %d %d %d (0.06 mg/digit)\n", ax, ay, az);
    check("1 g on Z at rest, read over DMA", ax == 0 && ay == 0 && az == 16667);

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
