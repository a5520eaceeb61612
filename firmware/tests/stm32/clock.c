/*
 * STM32F407 clock-up to 168 MHz from the 8 MHz crystal the way the vendor
 * HAL does it (HAL_Init, HAL_MspInit, SystemClock_Config with
 * HAL_RCC_OscConfig and HAL_RCC_ClockConfig, HAL_GetTick time-outs on
 * SysTick), checking reset values on the way, the oscillator start-up and
 * PLL lock times in virtual time, SystemCoreClock recomputed from the
 * registers as HAL_RCC_GetSysClockFreq does, the SysTick period, USART2
 * output at 115200 baud with its character timing, and the LEDs on PD12-15.
 */
#include "stm32_test.h"

static volatile uint32_t ticks;
static void systick_handler(void) { ticks++; }

/* HAL_GetTick-style wait: 1 when 'done' happened before 'timeout_ms'. */
#define WAIT_UNTIL(cond, timeout_ms)                                                            \
    ({                                                                                          \
        uint32_t t0_ = ticks;                                                                   \
        int ok_ = 1;                                                                            \
        while (!(cond))                                                                         \
            if (ticks - t0_ > (timeout_ms)) {                                                   \
                ok_ = 0;                                                                        \
                break;                                                                          \
            }                                                                                   \
        ok_;                                                                                    \
    })

/* HAL_RCC_GetSysClockFreq */
static uint32_t sysclk_from_registers(uint32_t hse)
{
    uint32_t sws = (RCC_CFGR >> 2) & 3, pll = RCC_PLLCFGR;
    if (sws == 0)
        return 16000000u;
    if (sws == 1)
        return hse;
    uint32_t m = pll & 0x3F, n = (pll >> 6) & 0x1FF, p = (((pll >> 16) & 3) + 1) * 2;
    uint32_t src = (pll >> 22) & 1 ? hse : 16000000u;
    return (uint32_t)((uint64_t)src * n / m / p);
}

int main(void)
{
    check("power-on reset flags", CSR_FLAGS == 0x0E000000u);
    check("RCC_CR reset (HSI on and ready)", (RCC_CR & 0xFFFF00FFu) == 0x83u);
    check("RCC_PLLCFGR reset", RCC_PLLCFGR == 0x24003010u);
    check("RCC_CFGR reset", RCC_CFGR == 0);
    check("RCC_AHB1ENR reset (CCM on)", RCC_AHB1ENR == 0x00100000u);
    check("FLASH_CR reset (locked)", FLASH_CR == 0x80000000u);
    check("FLASH_OPTCR reset", FLASH_OPTCR == 0x0FFFAAEDu);
    check("flash size register", REG16(0x1FFF7A22u) == 0x400);
    check("DBGMCU_IDCODE: F405/407 rev 2", REG(0xE0042000u) == 0x10076413u);
    check("PWR reads 0 while its clock is off", PWR_CR == 0);

    /* HAL_Init */
    FLASH_ACR |= 1u << 9;
    FLASH_ACR |= 1u << 10;
    FLASH_ACR |= 1u << 8;
    SCB_AIRCR = 0x05FA0300u;
    vectors_to_ram();
    set_handler(15, systick_handler);
    SYST_RVR = 16000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 7;
    /* HAL_MspInit: clocks on, read back as the delay */
    RCC_APB2ENR |= 1u << 14;
    (void)RCC_APB2ENR;
    RCC_APB1ENR |= 1u << 28;
    (void)RCC_APB1ENR;
    check("PWR_CR reset (VOS scale 1)", PWR_CR == 0x4000u);

    /* SystemClock_Config: voltage scaling */
    PWR_CR = (PWR_CR & ~(1u << 14)) | (1u << 14);
    check("PWR_CR VOS reads back", (PWR_CR & (1u << 14)) != 0);
    /* HAL_RCC_OscConfig: HSE on, wait HSERDY (HSE_STARTUP_TIMEOUT 100 ms) */
    uint64_t t0 = elapsed_us();
    RCC_CR |= 1u << 16;
    int ready = WAIT_UNTIL(RCC_CR & (1u << 17), 100);
    uint64_t hse_us = elapsed_us() - t0;
    check("HSE ready before the HAL time-out", ready);
    printf("HSE crystal ready after %lu us\n", (unsigned long)hse_us);
    check("HSE start-up 2 ms", hse_us >= 2000 && hse_us <= 2010);
    BB(RCC + 0x00, 24) = 0;                 /* PLL off through the bit-band alias */
    check("PLLRDY falls", WAIT_UNTIL(!(RCC_CR & (1u << 25)), 2));
    RCC_PLLCFGR = 8u | (336u << 6) | (0u << 16) | (1u << 22) | (7u << 24);
    t0 = elapsed_us();
    BB(RCC + 0x00, 24) = 1;
    ready = WAIT_UNTIL(RCC_CR & (1u << 25), 2);
    uint64_t pll_us = elapsed_us() - t0;
    check("PLL locks before the HAL time-out", ready);
    printf("PLL locked after %lu us\n", (unsigned long)pll_us);
    check("PLL lock time 100 us", pll_us >= 100 && pll_us <= 110);
    check("VOSRDY", WAIT_UNTIL(PWR_CSR & (1u << 14), 1000));
    /* HAL_RCC_ClockConfig */
    FLASH_ACR = (FLASH_ACR & ~7u) | 5u;
    check("FLASH_ACR latency reads back", (FLASH_ACR & 7u) == 5u);
    RCC_CFGR = (RCC_CFGR & ~(7u << 10)) | (7u << 10);   /* APB1 /16 */
    RCC_CFGR = (RCC_CFGR & ~(7u << 13)) | (7u << 13);   /* APB2 /16 */
    RCC_CFGR = (RCC_CFGR & ~0xF0u);                     /* AHB /1 */
    check("PLL ready before the switch", (RCC_CR & (1u << 25)) != 0);
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
    check("SWS follows SW (CLOCKSWITCH_TIMEOUT)", WAIT_UNTIL(((RCC_CFGR >> 2) & 3) == 2, 5000));
    RCC_CFGR = (RCC_CFGR & ~(7u << 10)) | (5u << 10);   /* APB1 /4 */
    RCC_CFGR = (RCC_CFGR & ~(7u << 13)) | (4u << 13);   /* APB2 /2 */
    uint32_t core = sysclk_from_registers(8000000u);
    printf("SystemCoreClock %lu\n", (unsigned long)core);
    check("SystemCoreClock 168 MHz", core == 168000000u);

    /* HAL_InitTick again: 1 ms at 168 MHz, 10 periods measured */
    SYST_RVR = core / 1000 - 1;
    SYST_CVR = 0;
    ticks = 0;
    t0 = elapsed_us();
    while (ticks < 10)
        __asm__ volatile("wfi");
    uint64_t dt = elapsed_us() - t0;
    printf("10 SysTick periods took %lu us\n", (unsigned long)dt);
    check("SysTick period at 168 MHz", dt >= 9999 && dt <= 10010);

    /* USART2 at 115200 from PCLK1 = 42 MHz: BRR = 22.8125 (0x16D), 86.8 us a character */
    usart2_init(0x16D);
    t0 = elapsed_us();
    usart2_puts("hello from usart2 at 115200 baud\r\n");
    dt = elapsed_us() - t0;
    printf("34 characters (after the idle frame) took %lu us\n", (unsigned long)dt);
    check("USART character timing", dt >= 35 * 86 && dt <= 35 * 87 + 10);

    /* the Discovery's LEDs: PD12-PD15 outputs */
    RCC_AHB1ENR |= 1u << 3;
    (void)RCC_AHB1ENR;
    REG(GPIOD + 0x00) = 0x55000000u;
    REG(GPIOD + 0x18) = 0xF000u;
    check("GPIO output reads back in IDR", (REG(GPIOD + 0x10) & 0xF000u) == 0xF000u);
    REG(GPIOD + 0x18) = 0x50000000u;       /* reset PD12, PD14 */
    check("BSRR reset half", (REG(GPIOD + 0x14) & 0xF000u) == 0xA000u);
    SYST_CSR = 0;
    return failures;
}
