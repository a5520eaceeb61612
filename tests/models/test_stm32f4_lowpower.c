/*
 * STM32F4 low-power modes through the core's deep sleep: Stop (clocks,
 * registers kept, EXTI wake-up in interrupt and event mode, the datasheet
 * latencies by LPDS/FPDS, the clock after wake-up, SLEEPONEXIT, entry
 * refused while a line is pending, DBG_STOP), Standby (what loses power, WKUP and its
 * pull-down, the exit reset with SBF/WUF and no reset flag, backup SRAM
 * with and without BRE, NRST and IWDG endings, entry with WUF set), the
 * low-power management reset of the option bytes, and the core's time base
 * while its clock is stopped (across a power cut too). A few Thumb instructions in flash are the
 * program; the test plays the rest of the firmware through the bus.
 */
#include "stm32f4_fixture.h"

#define PWR_CR 0x40007000u
#define PWR_CSR 0x40007004u
#define SCB_SCR 0xE000ED10u
#define NVIC_ISER0 0xE000E100u
#define EXTI 0x40013C00u
#define GPIOA 0x40020000u
#define GPIOD 0x40020C00u
#define TIM2 0x40000000u
#define IWDG 0x40003000u
#define BKPSRAM 0x40024000u
#define DBGMCU_CR 0xE0042004u
#define CSR (RCC + 0x74)
#define CODE 0x08000100u
#define HANDLER 0x08000200u

enum { WFI = 0xBF30, WFE = 0xBF20, SEV = 0xBF40, LOOP = 0xE7FE };

/* A vector table whose every handler spins, the program at CODE, and the
 * core restarted on it (the rest of the chip keeps its state; the core's
 * own registers, SCR among them, reset). */
static void program(const uint16_t *code, unsigned n)
{
    uint8_t *f = soc->flash_mem;
    wr_le32(f, 0x20020000u);
    wr_le32(f + 4, CODE | 1);
    for (unsigned k = 2; k < 16 + STM32F407_NUM_IRQS; k++)
        wr_le32(f + 4 * k, HANDLER | 1);
    for (unsigned k = 0; k < n; k++)
        wr_le16(f + (CODE - 0x08000000u) + 2 * k, code[k]);
    wr_le16(f + (HANDLER - 0x08000000u), LOOP);
    cpu_reset(m->cpu);
}

static void run_to(sim_time_t t)
{
    machine_run(m, t);
}

static uint64_t hits(const char *probe)
{
    return machine_find_probe(m, probe)->hits;
}

static uint32_t nvic_enabled; /* NVIC_ISER0 once the core is restarted */

/* PWR clock on, SLEEPDEEP, PWR_CR deep-sleep bits; then the core runs
 * "wfi; b ." until it sleeps. */
static void deep_sleep_by_wfi(uint32_t pwr_cr_bits)
{
    static const uint16_t code[] = { WFI, LOOP };
    program(code, 2);
    wr(NVIC_ISER0, nvic_enabled);
    nvic_enabled = 0;
    set_bits(RCC_APB1ENR, 1u << 28);
    wr(PWR_CR, (rd(PWR_CR) & ~0x203u) | pwr_cr_bits);
    wr(SCB_SCR, 4);
    run_to(m->sched.now + SIM_US(1));
}

/* EXTI line 0 from PA0, rising edge, interrupt mode, EXTI0 enabled in the NVIC. */
static gpio_net_t *exti0_on_pa0(bool nvic)
{
    set_bits(RCC_AHB1ENR, 1u);
    set_bits(RCC_APB2ENR, 1u << 14);
    wr(EXTI + 0x08, 1);
    wr(EXTI + 0x00, 1);
    nvic_enabled = nvic ? 1u << 6 : 0;
    return machine_pin_net(m, "mcu.PA0", GPIO_PULL_DOWN);
}

START_TEST(stop_stops_the_clocks)
{
    clock_168mhz();
    set_bits(RCC_APB1ENR, 1u);                        /* TIM2 counting */
    wr(TIM2 + 0x00, 1);
    wr(RCC + 0x74, 1);                                /* LSION */
    run_ns(SIM_US(20));
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 168000000);
    deep_sleep_by_wfi(0);
    ck_assert_int_eq(soc->lp_mode, STM32F407_STOP);
    ck_assert(m->cpu->sleeping && m->cpu->sleep_held);
    ck_assert_uint_eq(hits("mcu.pwr.stop"), 1);
    ck_assert_uint_eq(clock_hz(&soc->rcc.sysclk), 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.gate[GATE_TIM2]), 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.lsi), 32000); /* the LSI runs on */
    ck_assert_uint_eq(rd(RCC) & ((1u << 16) | (1u << 24)), 0); /* HSEON, PLLON cleared */
    uint32_t cnt = rd(TIM2 + 0x24);
    uint64_t cycles = m->cpu->cycles;
    armv7m_set_pending(m->cpu, EXC_SYSTICK);          /* no EXTI: nothing wakes it */
    run_to(m->sched.now + SIM_MS(50));
    ck_assert_int_eq(soc->lp_mode, STM32F407_STOP);
    ck_assert(m->cpu->sleeping);
    ck_assert_uint_eq(rd(TIM2 + 0x24), cnt);          /* the timer stood still */
    ck_assert_uint_eq(m->cpu->cycles, cycles);        /* and so did the core's cycles */
}
END_TEST

START_TEST(stop_wakes_on_exti_after_the_latency)
{
    clock_168mhz();
    gpio_net_t *pa0 = exti0_on_pa0(true);
    deep_sleep_by_wfi(0);
    run_to(m->sched.now + SIM_MS(1));
    sim_time_t edge = m->sched.now;
    gpio_net_set_pull(pa0, GPIO_PULL_UP);
    ck_assert_uint_eq(sched_when(&soc->lp_ev), edge + SIM_NS(13500)); /* main regulator, flash in Stop */
    run_to(edge + SIM_NS(13499));
    ck_assert(m->cpu->sleep_held);
    run_to(edge + SIM_NS(13501));
    ck_assert(!m->cpu->sleep_held);
    ck_assert_uint_eq(hits("mcu.pwr.wakeup"), 1);
    run_to(edge + SIM_US(20));
    ck_assert_int_eq(soc->lp_mode, STM32F407_RUN);
    ck_assert_uint_eq(m->cpu->ipsr, 16 + 6);          /* in the EXTI0 handler */
    uint32_t cr = rd(RCC), cfgr = rd(RCC + 0x08);
    ck_assert_uint_eq(cfgr & 0xF, 0);                 /* SW = SWS = HSI */
    ck_assert_uint_eq(cr & 3, 3);                     /* HSION, HSIRDY */
    ck_assert_uint_eq(cr & ((1u << 16) | (1u << 24)), 0);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 16000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk1), 4000000); /* APB1 /4 kept */
    /* the core's clock restarted at the wake-up, not at the time it slept */
    ck_assert_uint_le(cpu_time_of(m->cpu, m->cpu->cycles) - (edge + SIM_NS(13500)), SIM_US(7));
}
END_TEST

START_TEST(stop_latency_by_regulator_and_flash)
{
    static const struct { uint32_t bits; const char *timing; sim_time_t ns; } cases[] = {
        { 1u << 9, "typical", 105000 }, { 1u << 0, "typical", 21000 },
        { (1u << 0) | (1u << 9), "typical", 113000 }, { (1u << 0) | (1u << 9), "max", 130000 },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(cases); k++) {
        char err[64];
        cJSON *v = cJSON_CreateString(cases[k].timing);
        ck_assert_int_eq(machine_set_control(m, "mcu.pwr.wakeup_timing", v, err, sizeof err), 0);
        cJSON_Delete(v);
        gpio_net_t *pa0 = exti0_on_pa0(true);
        gpio_net_set_pull(pa0, GPIO_PULL_DOWN);
        wr(EXTI + 0x14, 1);
        deep_sleep_by_wfi(cases[k].bits);
        ck_assert_int_eq(soc->lp_mode, STM32F407_STOP);
        sim_time_t edge = m->sched.now;
        gpio_net_set_pull(pa0, GPIO_PULL_UP);
        ck_assert_uint_eq(sched_when(&soc->lp_ev), edge + cases[k].ns);
        run_to(edge + cases[k].ns + 1);
        ck_assert_msg(!m->cpu->sleep_held, "case %u still asleep", k);
        m->cpu->sys.pending[EXC_IRQ0 + 6] = 0;
    }
}
END_TEST

START_TEST(stop_wfi_and_wfe_wake_up_sources)
{
    static const uint16_t by_wfe[] = { SEV, WFE, WFE, LOOP };
    gpio_net_t *pa0 = exti0_on_pa0(false);            /* interrupt mode, NVIC off */
    deep_sleep_by_wfi(0);
    gpio_net_set_pull(pa0, GPIO_PULL_UP);
    run_to(m->sched.now + SIM_MS(1));
    ck_assert_int_eq(soc->lp_mode, STM32F407_STOP);   /* WFI: the interrupt is not enabled */
    gpio_net_set_pull(pa0, GPIO_PULL_DOWN);
    /* event mode with WFE (HAL: SEV, WFE, WFE): wakes, no pending bit */
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_PIN);
    set_bits(RCC_AHB1ENR, 1u);
    set_bits(RCC_APB2ENR, 1u << 14);
    wr(EXTI + 0x00, 0);
    wr(EXTI + 0x04, 1);
    wr(EXTI + 0x08, 1);
    program(by_wfe, 4);
    set_bits(RCC_APB1ENR, 1u << 28);
    wr(SCB_SCR, 4);
    run_to(m->sched.now + SIM_US(10));
    ck_assert_int_eq(soc->lp_mode, STM32F407_STOP);   /* the first WFE only took the SEV */
    ck_assert_uint_eq(hits("mcu.pwr.stop"), 2);
    gpio_net_set_pull(pa0, GPIO_PULL_UP);
    run_to(m->sched.now + SIM_US(20));
    ck_assert_int_eq(soc->lp_mode, STM32F407_RUN);
    ck_assert(!m->cpu->sleeping);
    ck_assert_uint_eq(m->cpu->r[15], CODE + 6);       /* past the second WFE, in the loop */
    ck_assert_uint_eq(rd(EXTI + 0x14), 0);
}
END_TEST

/* SLEEPONEXIT with SLEEPDEEP: the return from the last handler enters Stop. */
START_TEST(stop_on_exit_from_a_handler)
{
    static const uint16_t thread[] = { LOOP };
    program(thread, 1);
    wr_le32(soc->flash_mem + 4 * EXC_PENDSV, (HANDLER + 0x10) | 1);
    wr_le16(soc->flash_mem + (HANDLER + 0x10 - 0x08000000u), 0x4770); /* bx lr */
    cpu_reset(m->cpu);
    set_bits(RCC_APB1ENR, 1u << 28);
    wr(SCB_SCR, 4 | 2);                               /* SLEEPDEEP, SLEEPONEXIT */
    armv7m_set_pending(m->cpu, EXC_PENDSV);
    run_to(m->sched.now + SIM_US(5));
    ck_assert_int_eq(soc->lp_mode, STM32F407_STOP);
    ck_assert_uint_eq(m->cpu->ipsr, 0);
    ck_assert(m->cpu->sleep_held);
    ck_assert_uint_eq(hits("mcu.pwr.stop"), 1);
}
END_TEST

START_TEST(stop_refused_while_a_line_is_pending)
{
    set_bits(RCC_APB2ENR, 1u << 14);
    wr(EXTI + 0x00, 2);
    wr(EXTI + 0x10, 2);                               /* line 1 pending, its interrupt off */
    deep_sleep_by_wfi(0);
    ck_assert_int_eq(soc->lp_mode, STM32F407_RUN);
    ck_assert(!m->cpu->sleeping);                     /* execution goes on */
    ck_assert_uint_eq(m->cpu->r[15], CODE + 2);
    ck_assert_uint_eq(hits("mcu.pwr.stop"), 0);
}
END_TEST

START_TEST(stop_with_dbg_stop_runs_on_hsi)
{
    static const uint16_t code[] = { WFI, LOOP };
    clock_168mhz();
    wr(DBGMCU_CR, 2);                                 /* DBG_STOP */
    program(code, 2);
    wr(0xE000E014, 15999);                            /* SysTick: 1 ms at 16 MHz */
    wr(0xE000E018, 0);
    wr(0xE000E010, 7);
    set_bits(RCC_APB1ENR, 1u << 28);
    wr(SCB_SCR, 4);
    run_to(m->sched.now + SIM_US(1));
    ck_assert_uint_eq(hits("mcu.pwr.stop"), 1);
    ck_assert_int_eq(soc->lp_mode, STM32F407_RUN);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 16000000); /* HCLK from the HSI */
    ck_assert_uint_eq(rd(RCC + 0x08) & 0xF, 0);
    ck_assert_uint_eq(rd(RCC) & (1u << 24), 0);
    run_to(m->sched.now + SIM_MS(2));
    ck_assert_uint_eq(m->cpu->ipsr, EXC_SYSTICK);     /* SysTick ran and woke the core */
}
END_TEST

START_TEST(standby_powers_down_and_wakes_on_wkup)
{
    set_bits(RCC_AHB1ENR, (1u << 3) | (1u << 18));
    set_bits(RCC_APB1ENR, 1u << 28);
    set_bits(PWR_CR, 1u << 8);                        /* DBP */
    wr(PWR_CSR, 1u << 9);                             /* BRE */
    run_ns(SIM_US(20));
    wr(BKPSRAM, 0x12345678);
    wr(0x20004000, 0xA5A5A5A5);
    wr(0x10000100, 0xC3C3C3C3);
    wr(0x40002850, 0xB0B0B0B0);                       /* RTC_BKP0R */
    wr(GPIOD, 1u << 24);                              /* PD12 output high */
    wr(GPIOD + 0x18, 1u << 12);
    gpio_net_t *pd12 = machine_pin_net(m, "mcu.PD12", GPIO_PULL_DOWN);
    ck_assert(gpio_net_level(pd12));
    gpio_net_t *pa0 = machine_pin_net(m, "mcu.PA0", GPIO_PULL_NONE);
    set_bits(PWR_CSR, 1u << 8);                       /* EWUP */
    ck_assert(!gpio_net_level(pa0));                  /* WKUP: pull-down */
    wr(RCC + 0x74, 1u << 24);                         /* RMVF */
    deep_sleep_by_wfi(1u << 1);                       /* PDDS */
    ck_assert_int_eq(soc->lp_mode, STM32F407_STANDBY);
    ck_assert_uint_eq(hits("mcu.pwr.standby"), 1);
    ck_assert(!gpio_net_level(pd12));                 /* the pins float */
    run_to(m->sched.now + SIM_S(5));                /* nothing wakes it */
    ck_assert_int_eq(soc->lp_mode, STM32F407_STANDBY);
    sim_time_t edge = m->sched.now;
    gpio_net_set_pull(pa0, GPIO_PULL_UP);
    run_to(edge + SIM_NS(313999));
    ck_assert_uint_eq(m->resets, 1);
    run_to(edge + SIM_US(315));
    ck_assert_uint_eq(m->resets, 2);
    ck_assert_int_eq(m->last_reset_cause, RESET_CAUSE_STANDBY);
    ck_assert_int_eq(soc->lp_mode, STM32F407_RUN);
    ck_assert(!m->cpu->sleep_held);                   /* the program ran again from reset */
    ck_assert_uint_eq(m->cpu->r[15], CODE + 2);       /* to its WFI, SLEEPDEEP clear now */
    ck_assert_uint_eq(rd(CSR) & 0xFE000000u, 0);      /* a power reset: no flag */
    set_bits(RCC_APB1ENR, 1u << 28);
    set_bits(RCC_AHB1ENR, 1u << 18);
    ck_assert_uint_eq(rd(PWR_CSR) & 0x30Bu, 0x30Bu);  /* WUF SBF BRR EWUP BRE */
    ck_assert_uint_eq(rd(PWR_CR), 0x4000);
    ck_assert_uint_eq(rd(BKPSRAM), 0x12345678);       /* on its regulator */
    ck_assert_uint_eq(rd(0x40002850), 0xB0B0B0B0);
    ck_assert_uint_eq(rd(0x20004000), 0);
    ck_assert_uint_eq(rd(0x10000100), 0);
    /* a system reset keeps SBF and clears WUF and EWUP; CSBF clears SBF */
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_SOFTWARE);
    set_bits(RCC_APB1ENR, 1u << 28);
    ck_assert_uint_eq(rd(PWR_CSR) & 0x103u, 2);
    wr(PWR_CR, 0x4000 | (1u << 3));
    ck_assert_uint_eq(rd(PWR_CSR) & 2, 0);
}
END_TEST

START_TEST(standby_without_bre_and_with_wuf)
{
    set_bits(RCC_AHB1ENR, 1u << 18);
    set_bits(RCC_APB1ENR, 1u << 28);
    set_bits(PWR_CR, 1u << 8);
    wr(BKPSRAM, 0x12345678);
    gpio_net_t *pa0 = machine_pin_net(m, "mcu.PA0", GPIO_PULL_UP);
    set_bits(PWR_CSR, 1u << 8);                       /* EWUP while WKUP is high: WUF */
    ck_assert_uint_eq(rd(PWR_CSR) & 1, 1);
    (void)pa0;
    deep_sleep_by_wfi(1u << 1);
    ck_assert_int_eq(soc->lp_mode, STM32F407_STANDBY);
    run_to(m->sched.now + SIM_US(320));               /* WUF set: it wakes at once */
    ck_assert_int_eq(m->last_reset_cause, RESET_CAUSE_STANDBY);
    set_bits(RCC_AHB1ENR, 1u << 18);
    ck_assert_uint_eq(rd(BKPSRAM), 0);                /* lost without the regulator */
}
END_TEST

START_TEST(standby_ended_by_iwdg_and_nrst)
{
    wr(IWDG, 0x5555);
    wr(IWDG + 0x08, 79);                              /* 10 ms */
    run_ns(SIM_US(400));
    wr(IWDG, 0xCCCC);
    run_ns(SIM_US(20));
    wr(RCC + 0x74, 1u << 24);
    wr(0x20000100, 0x11111111);
    deep_sleep_by_wfi(1u << 1);
    ck_assert_int_eq(soc->lp_mode, STM32F407_STANDBY);
    run_to(m->sched.now + SIM_MS(11));                /* the IWDG runs on in Standby */
    ck_assert_int_eq(m->last_reset_cause, RESET_CAUSE_IWDG);
    ck_assert_uint_eq(rd(CSR) & 0xFE000000u, 0x24000000u); /* old flags gone, IWDGRSTF|PINRSTF */
    ck_assert_uint_eq(rd(0x20000100), 0);
    set_bits(RCC_APB1ENR, 1u << 28);
    ck_assert_uint_eq(rd(PWR_CSR) & 3, 2);            /* SBF, no WUF */
    /* NRST ends Standby with PINRSTF */
    wr(0x20000100, 0x22222222);
    deep_sleep_by_wfi(1u << 1);
    ck_assert_int_eq(soc->lp_mode, STM32F407_STANDBY);
    char err[64];
    cJSON *v = cJSON_CreateNumber(1);
    ck_assert_int_eq(machine_set_control(m, "mcu.reset_pin", v, err, sizeof err), 0);
    cJSON_Delete(v);
    run_to(m->sched.now + SIM_MS(2));
    ck_assert_int_eq(m->last_reset_cause, RESET_CAUSE_PIN);
    ck_assert_uint_eq(rd(CSR) & 0xFE000000u, 0x04000000u);
    ck_assert_uint_eq(rd(0x20000100), 0);
    ck_assert(!m->cpu->sleep_held);
}
END_TEST

START_TEST(option_bytes_reset_instead_of_low_power)
{
    uint16_t user = rd_le16(soc->optbytes);
    wr_le16(soc->optbytes, user & ~(1u << 7));        /* nRST_STDBY = 0 */
    wr(RCC + 0x74, 1u << 24);
    deep_sleep_by_wfi(1u << 1);
    ck_assert_int_eq(m->last_reset_cause, RESET_CAUSE_LOW_POWER);
    ck_assert_int_eq(soc->lp_mode, STM32F407_RUN);
    ck_assert_uint_eq(hits("mcu.pwr.standby"), 0);
    ck_assert_uint_eq(rd(CSR) & 0xFE000000u, 0x84000000u); /* LPWRRSTF|PINRSTF */
    wr_le16(soc->optbytes, user & ~(1u << 6));        /* nRST_STOP = 0 */
    deep_sleep_by_wfi(0);
    ck_assert_uint_eq(m->resets, 3);
    ck_assert_uint_eq(hits("mcu.pwr.stop"), 0);
}
END_TEST

static void nothing(void *opaque)
{
    (void)opaque;
}

START_TEST(power_cut_in_stop_keeps_the_core_on_time)
{
    static sched_event_t off_board; /* the network goes on while the board is off */
    sched_event_init(&off_board, "test.off-board", nothing, NULL);
    clock_168mhz();
    deep_sleep_by_wfi(0);
    ck_assert_int_eq(soc->lp_mode, STM32F407_STOP);
    run_to(m->sched.now + SIM_MS(300));
    machine_power_cut(m, SIM_MS(400));
    sched_after(&m->sched, &off_board, SIM_MS(100));
    sim_time_t until = m->sched.now + SIM_MS(500);
    run_to(until);
    ck_assert_uint_eq(m->sched.now, until);
    ck_assert_int_eq(soc->lp_mode, STM32F407_RUN);
    ck_assert_uint_eq(m->power_cuts, 1);
    /* the core restarted with the power, on time (it runs "wfi" again) */
    sim_time_t t = cpu_time_of(m->cpu, m->cpu->cycles);
    ck_assert_uint_le(t > m->sched.now ? t - m->sched.now : m->sched.now - t, SIM_US(1));
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        stop_stops_the_clocks, stop_wakes_on_exti_after_the_latency,
        stop_latency_by_regulator_and_flash, stop_wfi_and_wfe_wake_up_sources,
        stop_on_exit_from_a_handler, stop_refused_while_a_line_is_pending,
        stop_with_dbg_stop_runs_on_hsi,
        standby_powers_down_and_wakes_on_wkup, standby_without_bre_and_with_wuf,
        standby_ended_by_iwdg_and_nrst, option_bytes_reset_instead_of_low_power,
        power_cut_in_stop_keeps_the_core_on_time,
    };
    return run_suite("stm32f4_lowpower", tests, ARRAY_SIZE(tests));
}
