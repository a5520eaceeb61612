/*
 * STM32F4 RCC: reset values, oscillator start-up and PLL lock times, the
 * system clock switch, the clock tree the CPU and peripherals run on,
 * clock gating of peripheral registers, ready interrupts, the clock security
 * system, the backup domain, reset lines and the drift controls.
 */
#include "stm32f4_fixture.h"

#define CR (RCC + 0x00)
#define PLLCFGR (RCC + 0x04)
#define CFGR (RCC + 0x08)
#define CIR (RCC + 0x0C)
#define BDCR (RCC + 0x70)
#define CSR (RCC + 0x74)
#define HSEON (1u << 16)
#define HSERDY (1u << 17)
#define PLLON (1u << 24)
#define PLLRDY (1u << 25)

START_TEST(reset_values)
{
    static const struct { uint32_t off, val; } regs[] = {
        { 0x00, 0x00006E83 }, { 0x04, 0x24003010 }, { 0x08, 0 }, { 0x0C, 0 }, { 0x10, 0 },
        { 0x14, 0 }, { 0x18, 0 }, { 0x20, 0 }, { 0x24, 0 }, { 0x30, 0x00100000 }, { 0x34, 0 },
        { 0x38, 0 }, { 0x40, 0 }, { 0x44, 0 }, { 0x50, 0x7E6791FF }, { 0x54, 0x000000F1 },
        { 0x58, 0x00000001 }, { 0x60, 0x36FEC9FF }, { 0x64, 0x00075F33 }, { 0x70, 0 },
        { 0x74, 0x0E000000 }, { 0x80, 0 }, { 0x84, 0x20003000 },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(regs); k++)
        ck_assert_msg(rd(RCC + regs[k].off) == regs[k].val, "RCC+0x%02x = 0x%08x, want 0x%08x",
                      regs[k].off, rd(RCC + regs[k].off), regs[k].val);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 16000000);
    ck_assert_uint_eq(m->cpu->hz, 16000000);
    /* read-only and reserved bits hold: HSIRDY/HSICAL, the AHB2 CRYP/HASH bits */
    wr(CR, 0);
    ck_assert_uint_eq(rd(CR) & 0xFF03, 0x6E03); /* HSI stays on: it runs SYSCLK */
    wr(RCC + 0x34, 0xFFFFFFFF);
    ck_assert_uint_eq(rd(RCC + 0x34), 0xC1);
}
END_TEST

START_TEST(hse_start_up_and_pll_lock)
{
    set_bits(CR, HSEON);
    ck_assert_uint_eq(rd(CR) & HSERDY, 0);       /* a crystal takes 2 ms */
    run_ns(SIM_US(1999));
    ck_assert_uint_eq(rd(CR) & HSERDY, 0);
    run_ns(SIM_US(2));
    ck_assert_uint_ne(rd(CR) & HSERDY, 0);
    wr(PLLCFGR, 8u | (336u << 6) | (1u << 22) | (7u << 24)); /* 8/8*336 = 336 MHz VCO */
    ck_assert_uint_eq(rd(PLLCFGR), 8u | (336u << 6) | (1u << 22) | (7u << 24) | (1u << 29));
    set_bits(CR, PLLON);
    run_ns(SIM_US(99));
    ck_assert_uint_eq(rd(CR) & PLLRDY, 0);
    /* selecting the PLL before it locks: the switch waits (RM0090 7.2.6) */
    wr(CFGR, (5u << 10) | (4u << 13) | 2u);
    ck_assert_uint_eq((rd(CFGR) >> 2) & 3, 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 16000000);
    run_ns(SIM_US(2));
    ck_assert_uint_ne(rd(CR) & PLLRDY, 0);
    ck_assert_uint_eq((rd(CFGR) >> 2) & 3, 2);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 168000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk1), 42000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk2), 84000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.timclk1), 84000000);  /* x2: APB1 prescaler 4 */
    ck_assert_uint_eq(clock_hz(&soc->rcc.timclk2), 168000000); /* x2: APB2 prescaler 2 */
    ck_assert_uint_eq(clock_hz(&soc->rcc.pll48), 48000000);
    ck_assert_uint_eq(m->cpu->hz, 168000000);
    /* the running PLL and its HSE cannot be switched off */
    wr(CR, rd(CR) & ~(PLLON | HSEON));
    ck_assert_uint_eq(rd(CR) & (PLLON | PLLRDY | HSEON | HSERDY), PLLON | PLLRDY | HSEON | HSERDY);
    /* back to HSI, then the PLL stops and PLLRDY falls at once */
    wr(CFGR, rd(CFGR) & ~3u);
    ck_assert_uint_eq((rd(CFGR) >> 2) & 3, 0);
    clear_bits(CR, PLLON);
    ck_assert_uint_eq(rd(CR) & PLLRDY, 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pll48), 0);
}
END_TEST

START_TEST(prescalers_and_overclock)
{
    /* HSI 16 MHz, PLL M=16 N=432 P=2: 216 MHz runs and warns once */
    unsigned warns = log_count(LOG_WARN);
    wr(PLLCFGR, 16u | (432u << 6) | (0u << 16) | (9u << 24));
    set_bits(CR, PLLON);
    run_ns(SIM_US(101));
    wr(CFGR, (0xBu << 4) | (7u << 10) | (6u << 13) | 2u); /* AHB /16, APB1 /16, APB2 /8 */
    ck_assert_uint_eq(clock_hz(&soc->rcc.sysclk), 216000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 13500000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk1), 843750);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk2), 1687500);
    ck_assert_uint_eq(clock_hz(&soc->rcc.timclk1), 1687500);
    ck_assert_uint_eq(log_count(LOG_WARN), warns + 1);
    wr(CFGR, rd(CFGR) & ~0xF0u);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 216000000);
    ck_assert_uint_eq(log_count(LOG_WARN), warns + 1); /* once */
    /* a wrong configuration (M = 1) never locks */
    wr(CFGR, 0);
    clear_bits(CR, PLLON);
    wr(PLLCFGR, 1u | (100u << 6));
    set_bits(CR, PLLON);
    run_ns(SIM_MS(1));
    ck_assert_uint_eq(rd(CR) & PLLRDY, 0);
}
END_TEST

START_TEST(clock_gating_and_resets)
{
    /* USART2 with its clock off reads 0 and ignores writes */
    wr(0x40004408, 0x1234);
    ck_assert_uint_eq(rd(0x40004408), 0);
    ck_assert_uint_eq(rd(0x40004400), 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.gate[GATE_USART2]), 0);
    set_bits(RCC_APB1ENR, 1u << 17);
    ck_assert_uint_eq(clock_hz(&soc->rcc.gate[GATE_USART2]), 16000000);
    ck_assert_uint_eq(rd(0x40004400), 0xC0);
    wr(0x40004408, 0x1234);
    ck_assert_uint_eq(rd(0x40004408), 0x1234);
    /* the reset line returns it to reset values */
    set_bits(RCC + 0x20, 1u << 17);
    clear_bits(RCC + 0x20, 1u << 17);
    ck_assert_uint_eq(rd(0x40004408), 0);
    /* the timer clock doubles only when the APB prescaler is not 1 */
    set_bits(RCC_APB1ENR, 1u);
    ck_assert_uint_eq(clock_hz(&soc->rcc.gate[GATE_TIM2]), 16000000);
    wr(CFGR, 4u << 10);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk1), 8000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.gate[GATE_TIM2]), 16000000);
    wr(CFGR, 5u << 10);
    ck_assert_uint_eq(clock_hz(&soc->rcc.gate[GATE_TIM2]), 8000000);
}
END_TEST

START_TEST(ready_interrupts_and_css)
{
    wr8(CIR + 1, 1u << 3);                 /* HSERDYIE, by byte as the HAL does */
    set_bits(CR, HSEON | (1u << 19));      /* CSSON */
    run_ns(SIM_MS(3));
    ck_assert_uint_eq(rd(CIR) & 0xBF, 1u << 3);
    ck_assert(nvic_pending(5) || m->cpu->sys.level[EXC_IRQ0 + 5]);
    wr8(CIR + 2, 1u << 3);                 /* HSERDYC */
    ck_assert_uint_eq(rd(CIR) & 0xBF, 0);
    ck_assert(!m->cpu->sys.level[EXC_IRQ0 + 5]);
    /* run from the PLL on HSE, then the crystal fails */
    wr(PLLCFGR, 8u | (336u << 6) | (1u << 22) | (7u << 24));
    set_bits(CR, PLLON);
    run_ns(SIM_US(101));
    wr(CFGR, (5u << 10) | (4u << 13) | 2u);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 168000000);
    char err[128];
    cJSON *t = cJSON_CreateTrue();
    ck_assert_int_eq(machine_set_control(m, "mcu.hse_fail", t, err, sizeof err), 0);
    cJSON_Delete(t);
    ck_assert_uint_eq(rd(CIR) & (1u << 7), 1u << 7);   /* CSSF */
    ck_assert(m->cpu->sys.pending[EXC_NMI]);
    ck_assert_uint_eq((rd(CFGR) >> 2) & 3, 0);          /* back on HSI */
    ck_assert_uint_eq(rd(CR) & (HSEON | PLLON | HSERDY | PLLRDY), 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 16000000);
    wr8(CIR + 2, 1u << 7);                              /* CSSC */
    ck_assert_uint_eq(rd(CIR) & (1u << 7), 0);
}
END_TEST

START_TEST(drift_controls)
{
    char err[128];
    clock_168mhz();
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 168000000);
    cJSON *v = cJSON_CreateNumber(50);  /* +50 ppm: 168 MHz * 1.00005 */
    ck_assert_int_eq(machine_set_control(m, "mcu.hse_ppm", v, err, sizeof err), 0);
    cJSON_Delete(v);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 168008400);
    ck_assert_uint_eq(m->cpu->hz, 168008400);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk1), 42002100);
    v = cJSON_CreateString("fast");
    ck_assert_int_ne(machine_set_control(m, "mcu.hse_ppm", v, err, sizeof err), 0);
    cJSON_Delete(v);
    v = cJSON_CreateNumber(20000);
    ck_assert_int_eq(machine_set_control(m, "mcu.lsi_hz", v, err, sizeof err), 0);
    cJSON_Delete(v);
    set_bits(CSR, 1u);                   /* LSION: 15 us start-up */
    run_ns(SIM_US(16));
    ck_assert_uint_eq(rd(CSR) & 3, 3);
    ck_assert_uint_eq(clock_hz(&soc->rcc.lsi), 20000);
}
END_TEST

START_TEST(backup_domain_and_reset_flags)
{
    set_bits(RCC_APB1ENR, 1u << 28);     /* PWR clock */
    wr(BDCR, 1u << 8);                   /* RTCSEL = LSE, without DBP: ignored */
    ck_assert_uint_eq(rd(BDCR), 0);
    set_bits(0x40007000, 1u << 8);       /* PWR_CR.DBP */
    wr(BDCR, (1u << 8) | (1u << 15));
    ck_assert_uint_eq(rd(BDCR), (1u << 8) | (1u << 15));
    wr(BDCR, (2u << 8) | (1u << 15));    /* RTCSEL is fixed until BDRST */
    ck_assert_uint_eq(rd(BDCR), (1u << 8) | (1u << 15));
    /* a system reset keeps the backup domain and adds flags */
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_SOFTWARE);
    ck_assert_uint_eq(rd(BDCR), (1u << 8) | (1u << 15));
    ck_assert_uint_eq(rd(CSR), 0x1E000000);  /* POR|PIN|BOR from power-on, + SFTRSTF */
    wr(CSR, 1u << 24);                       /* RMVF */
    ck_assert_uint_eq(rd(CSR), 0);
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_PIN);
    ck_assert_uint_eq(rd(CSR), 0x04000000);
    wr(CSR, 1u << 24);
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_WWDG);
    ck_assert_uint_eq(rd(CSR), 0x44000000);
    /* BDRST clears it; power-on without a battery too */
    set_bits(RCC_APB1ENR, 1u << 28);
    set_bits(0x40007000, 1u << 8);
    wr(BDCR, 1u << 16);
    ck_assert_uint_eq(rd(BDCR), 1u << 16);
    wr(BDCR, 1u);                            /* LSEON: no crystal on this board, never ready */
    run_ns(SIM_S(3));
    ck_assert_uint_eq(rd(BDCR), 1u);
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    ck_assert_uint_eq(rd(BDCR), 0);
    ck_assert_uint_eq(rd(CSR), 0x0E000000);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { reset_values, hse_start_up_and_pll_lock, prescalers_and_overclock,
                             clock_gating_and_resets, ready_interrupts_and_css, drift_controls,
                             backup_domain_and_reset_flags };
    return run_suite("stm32f4_rcc", tests, ARRAY_SIZE(tests));
}
