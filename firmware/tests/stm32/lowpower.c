/*
 * STM32F407 Stop and Standby modes on the stm32f407-disco board, the way
 * the vendor HAL enters them (HAL_PWR_EnterSTOPMode, HAL_PWR_EnterSTANDBYMode)
 * and reconfigures the clock afterwards. Run by the scenario lowpower.json,
 * which presses the user button (PA0: EXTI0 and the WKUP pin) when this
 * program says it waits for it.
 *
 * Stop, woken by the RTC wakeup timer on the LSI (EXTI 22): 100 ms of
 * virtual time plus the wake-up latency, the clock after wake-up is the HSI
 * (HSE and PLL off), TIM2, SysTick and DWT_CYCCNT did not count, SRAM kept;
 * the latency with the low-power regulator and the flash powered down; WFE
 * with the line in event mode; the user button on EXTI0; no Stop while an
 * EXTI line is pending. Standby, across resets (the stage is in RTC_BKP0R):
 * woken by RTC alarm A, by WKUP, by an IWDG timeout, and at once when
 * entered with WUF set; SBF, WUF and the reset flags each time, the backup
 * registers kept, the backup SRAM kept while BRE is set and lost without
 * it, SRAM and CCM lost.
 */
#include "stm32_test.h"

#define NVIC_ISER0 REG(0xE000E100u)
#define NVIC_ICER0 REG(0xE000E180u)
#define SCB_SCR REG(0xE000ED10u)
#define SCR_SLEEPDEEP (1u << 2)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)
#define TIM2 0x40000000u
#define EXTI 0x40013C00u
#define EXTI_IMR REG(EXTI + 0x00)
#define EXTI_EMR REG(EXTI + 0x04)
#define EXTI_RTSR REG(EXTI + 0x08)
#define EXTI_SWIER REG(EXTI + 0x10)
#define EXTI_PR REG(EXTI + 0x14)
#define RTC 0x40002800u
#define RTC_TR REG(RTC + 0x00)
#define RTC_DR REG(RTC + 0x04)
#define RTC_CR REG(RTC + 0x08)
#define RTC_ISR REG(RTC + 0x0C)
#define RTC_PRER REG(RTC + 0x10)
#define RTC_WUTR REG(RTC + 0x14)
#define RTC_ALRMAR REG(RTC + 0x1C)
#define RTC_WPR REG(RTC + 0x24)
#define RTC_BKP(n) REG(RTC + 0x50 + 4u * (n))
#define IWDG_KR REG(0x40003000u)
#define IWDG_PR REG(0x40003004u)
#define IWDG_RLR REG(0x40003008u)
#define IWDG_SR REG(0x4000300Cu)
#define BK ((volatile uint32_t *)BKPSRAM)
#define SRAM_MARK REG(0x20010000u) /* away from .data, .bss and the stack */
#define CCM_MARK REG(CCM + 0x100)

#define PWR_CR_LPDS (1u << 0)
#define PWR_CR_PDDS (1u << 1)
#define PWR_CR_CWUF (1u << 2)
#define PWR_CR_CSBF (1u << 3)
#define PWR_CR_DBP (1u << 8)
#define PWR_CR_FPDS (1u << 9)
#define PWR_CSR_WUF (1u << 0)
#define PWR_CSR_SBF (1u << 1)
#define PWR_CSR_BRR (1u << 3)
#define PWR_CSR_EWUP (1u << 8)
#define PWR_CSR_BRE (1u << 9)
#define RTC_ISR_WUTWF (1u << 2)
#define RTC_ISR_RSF (1u << 5)
#define RTC_ISR_INITF (1u << 6)
#define RTC_ISR_INIT (1u << 7)
#define RTC_ISR_ALRAF (1u << 8)
#define RTC_ISR_WUTF (1u << 10)
#define RTC_ISR_KEEP 0x0001FF7Fu /* write-0-to-clear flags left alone, INIT 0 */
#define RTC_CR_ALRAE (1u << 8)
#define RTC_CR_WUTE (1u << 10)
#define RTC_CR_ALRAIE (1u << 12)
#define RTC_CR_WUTIE (1u << 14)

enum { STAGE_MAGIC = 0x10F0E000u };

static volatile uint32_t rtc_wakeup_irqs, exti0_irqs;

static void rtc_wakeup_handler(void)
{
    RTC_ISR = RTC_ISR_KEEP & ~RTC_ISR_WUTF;
    EXTI_PR = 1u << 22;
    rtc_wakeup_irqs++;
}

static void exti0_handler(void)
{
    EXTI_PR = 1u;
    exti0_irqs++;
}

/* SystemClock_Config: 168 MHz from the 8 MHz crystal, as after every Stop. */
static void clock_168mhz(void)
{
    RCC_CR |= 1u << 16;
    while (!(RCC_CR & (1u << 17)))
        ;
    RCC_PLLCFGR = 8u | (336u << 6) | (1u << 22) | (7u << 24);
    RCC_CR |= 1u << 24;
    while (!(RCC_CR & (1u << 25)))
        ;
    FLASH_ACR = 5u | (7u << 8);
    RCC_CFGR = (5u << 10) | (4u << 13) | 2u;
    while (((RCC_CFGR >> 2) & 3) != 2)
        ;
}

/* PWR clock, backup domain writable, the RTC on the LSI (the Discovery has
 * no 32 kHz crystal), the RTC registers unlocked and synchronised. */
static void rtc_on_lsi(void)
{
    RCC_APB1ENR |= 1u << 28;
    (void)RCC_APB1ENR;
    PWR_CR |= PWR_CR_DBP;
    RCC_CSR |= 1u;
    while (!(RCC_CSR & 2u))
        ;
    RCC_BDCR = (2u << 8) | (1u << 15);
    RTC_WPR = 0xCA;
    RTC_WPR = 0x53;
    RTC_ISR = RTC_ISR_KEEP & ~RTC_ISR_RSF;
    while (!(RTC_ISR & RTC_ISR_RSF))
        ;
}

/* The wakeup timer: 'ticks' of RTCCLK/16 (2 kHz on the 32 kHz LSI). */
static void rtc_wakeup_in(uint32_t ticks, uint32_t ie)
{
    RTC_CR &= ~(RTC_CR_WUTE | RTC_CR_WUTIE);
    while (!(RTC_ISR & RTC_ISR_WUTWF))
        ;
    RTC_ISR = RTC_ISR_KEEP & ~RTC_ISR_WUTF;
    RTC_WUTR = ticks - 1;
    RTC_CR = (RTC_CR & ~7u) | ie | RTC_CR_WUTE; /* WUCKSEL 0: RTCCLK/16 */
}

static void enter_stop(uint32_t regulator_bits, int wfe)
{
    PWR_CR = (PWR_CR & ~(PWR_CR_PDDS | PWR_CR_LPDS | PWR_CR_FPDS)) | regulator_bits;
    SCB_SCR |= SCR_SLEEPDEEP;
    if (wfe)
        __asm__ volatile("sev\n\twfe\n\twfe");
    else
        __asm__ volatile("wfi");
    SCB_SCR &= ~SCR_SLEEPDEEP;
}

static void enter_standby(unsigned next_stage)
{
    RTC_BKP(0) = STAGE_MAGIC + next_stage;
    RTC_BKP(2) = (uint32_t)elapsed_us();
    PWR_CR |= PWR_CR_PDDS;
    SCB_SCR |= SCR_SLEEPDEEP;
    __asm__ volatile("dsb\n\twfi");
    for (;;)
        ;
}

static int clock_is_hsi_after_stop(void)
{
    return ((RCC_CFGR >> 2) & 3) == 0 && (RCC_CR & 3u) == 3u && !(RCC_CR & (1u << 16)) &&
           !(RCC_CR & (1u << 24));
}

static void stop_tests(void)
{
    vectors_to_ram();
    set_handler(16 + 3, rtc_wakeup_handler);
    set_handler(16 + 6, exti0_handler);
    RCC_AHB1ENR |= 1u;
    RCC_APB2ENR |= 1u << 14;
    clock_168mhz();
    rtc_on_lsi();
    EXTI_RTSR = (1u << 22) | 1u;
    EXTI_IMR = (1u << 22) | 1u;
    NVIC_ISER0 = (1u << 3) | (1u << 6);
    /* TIM2 at 10 kHz (timer clock 84 MHz / 8400) */
    RCC_APB1ENR |= 1u;
    (void)RCC_APB1ENR;
    REG(TIM2 + 0x28) = 8399;
    REG(TIM2 + 0x14) = 1;
    REG(TIM2 + 0x00) = 1;
    DEMCR |= 1u << 24;
    DWT_CTRL |= 1u;
    SRAM_MARK = 0x5A5A0001u;

    rtc_wakeup_in(200, RTC_CR_WUTIE); /* 100 ms */
    uint32_t cnt0 = REG(TIM2 + 0x24), cyc0 = DWT_CYCCNT;
    uint64_t t0 = elapsed_us();
    enter_stop(0, 0);
    uint64_t dt_main = elapsed_us() - t0;
    uint32_t cyc = DWT_CYCCNT - cyc0, ticks = REG(TIM2 + 0x24) - cnt0;
    printf("stop (main regulator) woken by the RTC after %lu us\n", (unsigned long)dt_main);
    check("stop: RTC wakeup interrupt taken", rtc_wakeup_irqs == 1);
    check("stop: 100 ms + wake-up latency", dt_main >= 100000 && dt_main <= 100060);
    check("stop: woken on the HSI, HSE and PLL off", clock_is_hsi_after_stop());
    check("stop: TIM2 did not count", ticks <= 1);
    check("stop: DWT_CYCCNT did not count", cyc < 20000);
    check("stop: SRAM kept", SRAM_MARK == 0x5A5A0001u);
    check("stop: WUF set by the RTC wakeup event", PWR_CSR & PWR_CSR_WUF);
    PWR_CR |= PWR_CR_CWUF;
    check("stop: CWUF clears WUF", !(PWR_CSR & PWR_CSR_WUF));

    clock_168mhz();
    rtc_wakeup_in(200, RTC_CR_WUTIE);
    t0 = elapsed_us();
    enter_stop(PWR_CR_LPDS | PWR_CR_FPDS, 0);
    uint64_t dt_lp = elapsed_us() - t0;
    printf("stop (low-power regulator, flash off) woken after %lu us\n", (unsigned long)dt_lp);
    check("stop: LPDS+FPDS wake-up ~100 us slower", dt_lp > dt_main + 60 && dt_lp < dt_main + 140);

    /* WFE with line 22 in event mode: no interrupt, no pending bit */
    clock_168mhz();
    EXTI_IMR &= ~(1u << 22);
    EXTI_EMR |= 1u << 22;
    NVIC_ICER0 = 1u << 3;
    rtc_wakeup_in(20, RTC_CR_WUTIE); /* 10 ms */
    t0 = elapsed_us();
    enter_stop(0, 1);
    uint64_t dt_ev = elapsed_us() - t0;
    printf("stop by WFE woken by the RTC event after %lu us\n", (unsigned long)dt_ev);
    check("stop: WFE woken by an EXTI event", dt_ev >= 10000 && dt_ev <= 10060);
    check("stop: an event sets no pending bit", !(EXTI_PR & (1u << 22)) && rtc_wakeup_irqs == 2);
    RTC_CR &= ~(RTC_CR_WUTE | RTC_CR_WUTIE);
    RTC_ISR = RTC_ISR_KEEP & ~RTC_ISR_WUTF;
    EXTI_EMR = 0;

    /* the user button (EXTI0 rising), pressed 30 ms after this line */
    clock_168mhz();
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5; /* processor clock, no interrupt */
    printf("stop: waiting for the button\n");
    uint32_t sys0 = SYST_CVR;
    t0 = elapsed_us();
    enter_stop(PWR_CR_LPDS, 0);
    uint64_t dt_btn = elapsed_us() - t0;
    uint32_t systicks = (sys0 - SYST_CVR) & 0xFFFFFF;
    printf("stop woken by the button after %lu us\n", (unsigned long)dt_btn);
    check("stop: EXTI0 from the button woke it", exti0_irqs == 1);
    check("stop: 30 ms until the press", dt_btn >= 30000 && dt_btn <= 30080);
    check("stop: SysTick did not count", systicks < 20000);
    check("stop: woken on the HSI again", clock_is_hsi_after_stop());
    SYST_CSR = 0;

    /* a pending EXTI line: Stop is not entered, execution goes on */
    EXTI_IMR |= 1u << 1;
    EXTI_SWIER = 1u << 1;
    t0 = elapsed_us();
    enter_stop(0, 0);
    check("stop: not entered with EXTI_PR set", elapsed_us() - t0 < 100 && (EXTI_PR & 2u));
    EXTI_PR = 1u << 1;
    EXTI_IMR = 0;
}

static void fill_backup(uint32_t seed)
{
    RTC_BKP(1) = 0xB0C1D000u + seed;
    RTC_BKP(19) = ~(0xB0C1D000u + seed);
    BK[0] = 0xBADC0000u + seed;
    BK[1023] = ~(0xBADC0000u + seed);
    SRAM_MARK = 0x5A5A0000u + seed;
    CCM_MARK = 0xCC000000u + seed;
}

static int backup_registers_kept(uint32_t seed)
{
    return RTC_BKP(1) == 0xB0C1D000u + seed && RTC_BKP(19) == ~(0xB0C1D000u + seed);
}

static int backup_sram_kept(uint32_t seed)
{
    return BK[0] == 0xBADC0000u + seed && BK[1023] == ~(0xBADC0000u + seed);
}

int main(void)
{
    uint32_t now = (uint32_t)elapsed_us(), flags = CSR_FLAGS;
    RCC_AHB1ENR |= 1u << 18; /* backup SRAM */
    rtc_on_lsi();
    unsigned stage = RTC_BKP(0) - STAGE_MAGIC;
    if (stage > 5)
        stage = 0;
    uint32_t csr = PWR_CSR, slept = now - RTC_BKP(2);
    printf("stage %u: RCC_CSR flags %08lx, PWR_CSR %08lx\n", stage, (unsigned long)flags,
           (unsigned long)csr);
    switch (stage) {
    case 0:
        check("power-on: POR|PIN|BOR, SBF clear", flags == 0x0E000000u && !(csr & PWR_CSR_SBF));
        stop_tests();
        /* Standby until RTC alarm A at 00:00:01, the backup SRAM on its regulator */
        PWR_CSR |= PWR_CSR_BRE;
        while (!(PWR_CSR & PWR_CSR_BRR))
            ;
        fill_backup(1);
        RTC_ISR = RTC_ISR_KEEP | RTC_ISR_INIT;
        while (!(RTC_ISR & RTC_ISR_INITF))
            ;
        RTC_PRER = 249;
        RTC_PRER = (127u << 16) | 249; /* 32 kHz / 128 / 250 = 1 Hz */
        RTC_TR = 0;
        RTC_DR = 0x00252101u;
        RTC_ISR = RTC_ISR_KEEP;
        RTC_CR &= ~RTC_CR_ALRAE;
        while (!(RTC_ISR & 1u))
            ;
        RTC_ALRMAR = (1u << 31) | (1u << 23) | (1u << 15) | 0x01; /* seconds == 01 */
        RTC_ISR = RTC_ISR_KEEP & ~RTC_ISR_ALRAF;
        RTC_CR |= RTC_CR_ALRAIE | RTC_CR_ALRAE;
        PWR_CR |= PWR_CR_CWUF;
        enter_standby(1);
        break;
    case 1:
        printf("standby woken by the RTC alarm after %lu us (to main)\n", (unsigned long)slept);
        check("alarm: no reset flag (power reset)", flags == 0);
        check("alarm: SBF and WUF set", (csr & (PWR_CSR_SBF | PWR_CSR_WUF)) == 3u);
        check("alarm: 1 s to the alarm, then reset", slept >= 990000 && slept <= 1002000);
        check("alarm: RTC still counting (00:00:01)", (RTC_TR & 0x7F) == 0x01);
        check("alarm: backup registers kept", backup_registers_kept(1));
        check("alarm: backup SRAM kept (BRE)", backup_sram_kept(1));
        check("alarm: SRAM and CCM lost", SRAM_MARK == 0 && CCM_MARK == 0);
        check("alarm: BRE kept", (PWR_CSR & (PWR_CSR_BRE | PWR_CSR_BRR)) == 0x208u);
        /* Standby until the user button on WKUP */
        RTC_CR &= ~(RTC_CR_ALRAE | RTC_CR_ALRAIE);
        RTC_ISR = RTC_ISR_KEEP & ~RTC_ISR_ALRAF;
        fill_backup(2);
        PWR_CSR |= PWR_CSR_EWUP;
        PWR_CR |= PWR_CR_CWUF;
        check("EWUP with WKUP low: no WUF", !(PWR_CSR & PWR_CSR_WUF));
        printf("standby: waiting for the button\n");
        enter_standby(2);
        break;
    case 2:
        printf("standby woken by WKUP after %lu us (to main)\n", (unsigned long)slept);
        check("WKUP: no reset flag", flags == 0);
        check("WKUP: SBF, WUF, EWUP kept", (csr & (PWR_CSR_SBF | PWR_CSR_WUF | PWR_CSR_EWUP)) ==
                                               (PWR_CSR_SBF | PWR_CSR_WUF | PWR_CSR_EWUP));
        check("WKUP: 40 ms to the press, then reset", slept >= 40000 && slept <= 42000);
        check("WKUP: backup kept, SRAM lost", backup_registers_kept(2) && backup_sram_kept(2) &&
                                                  SRAM_MARK == 0);
        PWR_CR |= PWR_CR_CSBF;
        check("CSBF clears SBF", !(PWR_CSR & PWR_CSR_SBF));
        /* Standby until the IWDG (20 ms), the backup SRAM without its regulator */
        fill_backup(3);
        PWR_CSR &= ~(PWR_CSR_EWUP | PWR_CSR_BRE);
        PWR_CR |= PWR_CR_CWUF;
        IWDG_KR = 0x5555;
        IWDG_PR = 0;
        IWDG_RLR = 159; /* 160 x 4 / 32 kHz */
        while (IWDG_SR)
            ;
        IWDG_KR = 0xAAAA;
        IWDG_KR = 0xCCCC;
        enter_standby(3);
        break;
    case 3:
        printf("standby ended by the IWDG after %lu us (to main)\n", (unsigned long)slept);
        check("IWDG: IWDGRSTF|PINRSTF", flags == 0x24000000u);
        check("IWDG: SBF set again, no WUF", (csr & (PWR_CSR_SBF | PWR_CSR_WUF)) == PWR_CSR_SBF);
        check("IWDG: 20 ms", slept >= 20000 && slept <= 22000);
        check("IWDG: backup registers kept", backup_registers_kept(3));
        check("IWDG: backup SRAM lost without BRE", BK[0] == 0 && BK[1023] == 0);
        check("IWDG: stopped by its reset", IWDG_RLR == 0xFFF);
        /* a wake-up event in Run mode sets WUF: Standby then ends at once */
        RCC_CSR |= 1u << 24;
        rtc_wakeup_in(1, RTC_CR_WUTIE);
        while (!(RTC_ISR & RTC_ISR_WUTF))
            ;
        check("RTC wakeup event in Run sets WUF", PWR_CSR & PWR_CSR_WUF);
        RTC_CR &= ~(RTC_CR_WUTE | RTC_CR_WUTIE);
        RTC_ISR = RTC_ISR_KEEP & ~RTC_ISR_WUTF;
        enter_standby(4);
        break;
    default:
        printf("standby with WUF set left after %lu us (to main)\n", (unsigned long)slept);
        check("WUF set: Standby ends at once", slept >= 314 && slept <= 2500);
        check("WUF set: SBF, WUF, no reset flag", flags == 0 && (csr & 3u) == 3u);
        PWR_CR |= PWR_CR_CSBF | PWR_CR_CWUF;
        RTC_BKP(0) = 0;
        printf("lowpower: done, %d failures\n", failures);
        return failures;
    }
    return 1;
}
