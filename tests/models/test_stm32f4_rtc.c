/*
 * STM32F4 RTC: reset values, backup-domain and WPR write protection, the
 * initialization mode handshake in RTCCLK cycles, the BCD calendar (leap
 * year, 12-hour format, a day of virtual time), shadow registers, alarms
 * with masks and sub-seconds, the wakeup timer, both interrupts through the
 * EXTI, RSF coming up by itself, and what survives a system reset, BDRST
 * and a power cut.
 *
 * Clocks: the LSI at its typical 32000 Hz (one cycle 31.25 us) with
 * PRER = 127/249, 128 * 250 = 32000: one calendar second per second, one
 * SSR tick per 4 ms; or the 32768 Hz LSE with the reset PRER (127/255).
 */
#include "stm32f4_fixture.h"

#define RTC 0x40002800u
#define TR (RTC + 0x00)
#define DR (RTC + 0x04)
#define CR (RTC + 0x08)
#define ISR (RTC + 0x0C)
#define PRER (RTC + 0x10)
#define WUTR (RTC + 0x14)
#define ALRMAR (RTC + 0x1C)
#define ALRMBR (RTC + 0x20)
#define WPR (RTC + 0x24)
#define SSR (RTC + 0x28)
#define TAFCR (RTC + 0x40)
#define ALRMBSSR (RTC + 0x48)
#define BKP0R (RTC + 0x50)
#define BKP19R (RTC + 0x9C)
#define PWR_CR 0x40007000u
#define BDCR (RCC + 0x70)
#define CSR (RCC + 0x74)
#define EXTI 0x40013C00u

#define ISR_INITF (1u << 6)
#define ISR_INIT (1u << 7)
#define ISR_RSF (1u << 5)
#define ISR_ALRAF (1u << 8)
#define ISR_ALRBF (1u << 9)
#define ISR_WUTF (1u << 10)

static void backup_access(void)
{
    set_bits(RCC_APB1ENR, 1u << 28);                  /* PWREN */
    set_bits(PWR_CR, 1u << 8);                        /* DBP */
}

static void unlock(void)
{
    wr(WPR, 0xCA);
    wr(WPR, 0x53);
}

/* RTC on the LSI (32 kHz, on after its 15 us start-up). */
static void rtc_on_lsi(void)
{
    backup_access();
    set_bits(CSR, 1);                                 /* LSION */
    run_ns(SIM_US(20));
    wr(BDCR, (2u << 8) | (1u << 15));                 /* RTCSEL = LSI, RTCEN */
}

static void enter_init(void)
{
    unlock();
    wr(ISR, ISR_INIT);
    run_ns(SIM_US(63));                               /* INITF within 2 RTCCLK cycles */
    ck_assert_uint_eq(rd(ISR) & ISR_INITF, ISR_INITF);
}

static void exit_init(void)
{
    clear_bits(ISR, ISR_INIT);
}

static bool irq_level(int n)
{
    return m->cpu->sys.level[EXC_IRQ0 + n];
}

START_TEST(reset_values_and_protection)
{
    ck_assert_uint_eq(rd(TR), 0);
    ck_assert_uint_eq(rd(DR), 0x2101);                /* 2000-01-01, Monday */
    ck_assert_uint_eq(rd(CR), 0);
    ck_assert_uint_eq(rd(ISR), 0x07);                 /* ALRAWF, ALRBWF, WUTWF */
    ck_assert_uint_eq(rd(PRER), 0x007F00FF);
    ck_assert_uint_eq(rd(WUTR), 0xFFFF);
    wr(BKP0R, 0x12345678);                            /* DBP = 0: ignored */
    ck_assert_uint_eq(rd(BKP0R), 0);
    backup_access();
    wr(BKP0R, 0x12345678);                            /* backup registers: no key needed */
    wr(BKP19R, 0xCAFE);
    wr(TAFCR, 0xFFFFFFFF);                            /* neither does TAFCR */
    ck_assert_uint_eq(rd(BKP0R), 0x12345678);
    ck_assert_uint_eq(rd(BKP19R), 0xCAFE);
    ck_assert_uint_eq(rd(TAFCR), 0x0007FF9F);
    wr(CR, 1u << 6);                                  /* no key: ignored */
    ck_assert_uint_eq(rd(CR), 0);
    wr(WPR, 0xCA);
    wr(WPR, 0x11);                                    /* wrong second key */
    wr(WPR, 0x53);
    wr(CR, 1u << 6);
    ck_assert_uint_eq(rd(CR), 0);
    unlock();
    ck_assert_uint_eq(rd(WPR), 0);                    /* write-only */
    wr(CR, 0xFFFCFFFF);                               /* every bit but ADD1H/SUB1H (write-only) */
    ck_assert_uint_eq(rd(CR), 0x00FCFFFF);
    ck_assert_uint_eq(rd(ISR) & 7, 0);                /* alarms and wakeup on: no write flags */
    wr(CR, 0);                                        /* WUCKSEL stays: WUTE was on */
    ck_assert_uint_eq(rd(CR), 7);
    wr(TR, 0x123456);                                 /* outside init mode: ignored */
    ck_assert_uint_eq(rd(TR), 0);
    wr(WPR, 0xFF);                                    /* any other key locks again */
    wr(CR, 1u << 6);
    ck_assert_uint_eq(rd(CR), 7);
    /* no RTCCLK: INITF never comes */
    unlock();
    wr(ISR, ISR_INIT);
    run_ns(SIM_MS(10));
    ck_assert_uint_eq(rd(ISR) & ISR_INITF, 0);
}
END_TEST

START_TEST(init_handshake_and_calendar)
{
    rtc_on_lsi();
    unlock();
    wr(ISR, ISR_INIT);
    ck_assert_uint_eq(rd(ISR) & ISR_INITF, 0);        /* 2 cycles later, not at once */
    run_ns(SIM_US(63));
    ck_assert_uint_eq(rd(ISR) & (ISR_INITF | ISR_RSF), ISR_INITF);
    wr(PRER, (127u << 16) | 249u);
    wr(TR, 0x235958);                                 /* 23:59:58 */
    wr(DR, 0x24 << 16 | 3u << 13 | 0x02 << 8 | 0x28); /* 2024-02-28, Wednesday */
    ck_assert_uint_eq(rd(ISR) & (1u << 4), 1u << 4);  /* INITS: the year is not 0 */
    exit_init();
    ck_assert_uint_eq(rd(ISR) & ISR_INITF, 0);
    run_ns(SIM_US(500));                              /* restarts after 4 cycles, RSF 2 later */
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, ISR_RSF);
    ck_assert_uint_eq(rd(TR), 0x235958);
    rd(DR);
    run_ns(SIM_MS(2000));                             /* 2 s after the restart: a leap day */
    ck_assert_uint_eq(rd(TR), 0x000000);
    ck_assert_uint_eq(rd(DR), 0x24 << 16 | 4u << 13 | 0x02 << 8 | 0x29);
    run_ns(SIM_MS(500));                              /* half a second: SS from 249 to 124 */
    ck_assert_uint_eq(rd(SSR), 124);
    rd(DR);
    run_ns(SIM_S(86400));                             /* a day later */
    ck_assert_uint_eq(rd(TR), 0x000000);
    ck_assert_uint_eq(rd(DR), 0x24 << 16 | 5u << 13 | 0x03 << 8 | 0x01);
    /* 12-hour format: 11:59:59 PM becomes 12:00:00 AM of the next day */
    enter_init();
    wr(CR, 1u << 6);                                  /* FMT */
    wr(TR, 1u << 22 | 0x115959);
    wr(DR, 0x99 << 16 | 7u << 13 | 0x12 << 8 | 0x31); /* 2099-12-31, Sunday */
    exit_init();
    run_ns(SIM_MS(1001));
    ck_assert_uint_eq(rd(TR), 0x120000);
    ck_assert_uint_eq(rd(DR), 0x00 << 16 | 1u << 13 | 0x01 << 8 | 0x01);
    /* daylight saving: ADD1H, then SUB1H */
    wr(CR, (1u << 6) | (1u << 16));
    ck_assert_uint_eq(rd(TR), 0x010000);
    rd(DR);
    wr(CR, (1u << 6) | (1u << 17));
    ck_assert_uint_eq(rd(TR), 0x120000);
    rd(DR);
}
END_TEST

START_TEST(shadow_registers)
{
    rtc_on_lsi();
    enter_init();
    wr(PRER, (127u << 16) | 249u);
    wr(TR, 0x000010);
    exit_init();
    run_ns(SIM_MS(500));
    ck_assert_uint_eq(rd(SSR), 249 - 124);            /* ~0.5 s into second 10 */
    run_ns(SIM_MS(1000));                             /* TR frozen since the SSR read */
    ck_assert_uint_eq(rd(TR), 0x000010);
    rd(DR);                                           /* DR releases them */
    ck_assert_uint_eq(rd(TR), 0x000011);
    rd(DR);
    wr(CR, 1u << 5);                                  /* BYPSHAD: live values, RSF clear */
    rd(SSR);
    run_ns(SIM_MS(1000));
    ck_assert_uint_eq(rd(TR), 0x000012);
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, 0);
    wr(CR, 0);
    run_ns(SIM_US(63));                               /* BYPSHAD off: RSF back 2 cycles later */
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, ISR_RSF);
    wr(ISR, ~(ISR_RSF | ISR_INIT));                   /* software clears it: the same */
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, 0);
    run_ns(SIM_US(63));
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, ISR_RSF);
}
END_TEST

START_TEST(alarms_through_exti)
{
    rtc_on_lsi();
    set_bits(RCC_APB2ENR, 1u << 14);                  /* SYSCFG, for completeness */
    wr(EXTI + 0x00, 1u << 17);                        /* line 17: RTC alarm, rising */
    wr(EXTI + 0x08, 1u << 17);
    enter_init();
    wr(PRER, (127u << 16) | 249u);
    wr(TR, 0);
    exit_init();
    /* alarm A at second 05 of any minute; ALRMAR needs ALRAWF */
    wr(ALRMAR, (1u << 31) | (1u << 23) | (1u << 15) | 0x05);
    ck_assert_uint_eq(rd(ALRMAR), 0x80808005);
    wr(CR, (1u << 8) | (1u << 12));                   /* ALRAE, ALRAIE */
    ck_assert_uint_eq(rd(ISR) & 1, 0);                /* ALRAWF drops at once */
    wr(ALRMAR, 0);                                    /* alarm on: ignored */
    ck_assert_uint_eq(rd(ALRMAR), 0x80808005);
    run_ns(SIM_MS(4990));
    ck_assert_uint_eq(rd(ISR) & ISR_ALRAF, 0);
    ck_assert(!irq_level(41));
    run_ns(SIM_MS(20));
    ck_assert_uint_eq(rd(ISR) & ISR_ALRAF, ISR_ALRAF);
    ck_assert_uint_eq(rd(EXTI + 0x14), 1u << 17);
    ck_assert(irq_level(41));                         /* RTC_Alarm */
    wr(ISR, ~(ISR_ALRAF | ISR_INIT));                 /* rc_w0, INIT left clear */
    wr(EXTI + 0x14, 1u << 17);
    ck_assert_uint_eq(rd(ISR) & ISR_ALRAF, 0);
    ck_assert(!irq_level(41));
    /* alarm B on the sub-seconds only: SS == 124, half way through each second */
    wr(CR, 1u << 12);                                 /* ALRAE off */
    run_ns(SIM_US(63));
    ck_assert_uint_eq(rd(ISR) & 1, 1);                /* ALRAWF back after 2 cycles */
    wr(ALRMBR, 0x80808080);
    wr(ALRMBSSR, (15u << 24) | 124);
    rd(SSR);
    rd(DR);
    wr(CR, (1u << 9));                                /* ALRBE, no interrupt */
    uint32_t ss = rd(SSR);
    rd(DR);
    /* ticks until SS reaches 124, 4 ms each */
    uint32_t ticks = ss > 124 ? ss - 124 : ss + 250 - 124;
    run_ns(SIM_MS(4) * (ticks - 1));
    ck_assert_uint_eq(rd(ISR) & ISR_ALRBF, 0);
    run_ns(SIM_MS(4) + SIM_US(100));
    ck_assert_uint_eq(rd(ISR) & ISR_ALRBF, ISR_ALRBF);
    ck_assert(!irq_level(41));
}
END_TEST

START_TEST(wakeup_timer)
{
    rtc_on_lsi();
    wr(EXTI + 0x00, 1u << 22);
    wr(EXTI + 0x08, 1u << 22);
    unlock();
    wr(WUTR, 1999);                                   /* RTC/16 = 2000 Hz: 2000 ticks, 1 s */
    wr(CR, (1u << 10) | (1u << 14));                  /* WUTE, WUTIE, WUCKSEL = 0 */
    ck_assert_uint_eq(rd(ISR) & 4, 0);                /* WUTWF drops */
    wr(WUTR, 5);                                      /* ignored while it runs */
    ck_assert_uint_eq(rd(WUTR), 1999);
    run_ns(SIM_MS(999));
    ck_assert_uint_eq(rd(ISR) & ISR_WUTF, 0);
    run_ns(SIM_MS(2));
    ck_assert_uint_eq(rd(ISR) & ISR_WUTF, ISR_WUTF);
    ck_assert(irq_level(3));                          /* RTC_WKUP */
    wr(ISR, ~(ISR_WUTF | ISR_INIT));
    wr(EXTI + 0x14, 1u << 22);
    ck_assert(!irq_level(3));
    run_ns(SIM_MS(998));                              /* periodic: again at 2 s */
    ck_assert_uint_eq(rd(ISR) & ISR_WUTF, 0);
    run_ns(SIM_MS(2));
    ck_assert_uint_eq(rd(ISR) & ISR_WUTF, ISR_WUTF);
    /* the LSI runs slow: the wakeup period follows it */
    wr(ISR, ~(ISR_WUTF | ISR_INIT));
    char err[64];
    cJSON *v = cJSON_CreateNumber(16000);
    ck_assert_int_eq(machine_set_control(m, "mcu.lsi_hz", v, err, sizeof err), 0);
    cJSON_Delete(v);
    run_ns(SIM_MS(1500));                             /* the next one is 2 s away now */
    ck_assert_uint_eq(rd(ISR) & ISR_WUTF, 0);
    run_ns(SIM_MS(600));
    ck_assert_uint_eq(rd(ISR) & ISR_WUTF, ISR_WUTF);
}
END_TEST

static const char lse_board[] = "{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": "
                                "\"stm32f407\", \"lse_hz\": 32768, \"battery\": true } ] }";

static void rtc_on_lse(void)
{
    teardown();
    load(lse_board, 1);
    backup_access();
    set_bits(BDCR, 1);                                /* LSEON: 2 s start-up */
    run_ns(SIM_S(2));
    ck_assert_uint_eq(rd(BDCR) & 2, 2);
    wr(BDCR, 1u | (1u << 8) | (1u << 15));            /* RTCSEL = LSE, RTCEN */
    enter_init();
    wr(TR, 0x120000);
    exit_init();
}

START_TEST(resets_and_power_cuts)
{
    rtc_on_lse();
    wr(BKP0R, 0xA5A5A5A5);
    run_ns(SIM_S(3) + SIM_MS(1));
    ck_assert_uint_eq(rd(TR), 0x120003);
    rd(DR);
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_SOFTWARE);
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, 0);          /* cleared by the reset ... */
    run_ns(SIM_US(62));                               /* ... set by the next shadow copy */
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, ISR_RSF);
    ck_assert_uint_eq(rd(TR), 0x120003);              /* the calendar ran on */
    rd(DR);
    ck_assert_uint_eq(rd(BKP0R), 0xA5A5A5A5);
    backup_access();
    wr(CR, 1u << 6);                                  /* locked again after the reset */
    ck_assert_uint_eq(rd(CR), 0);
    /* a 5 s power cut: the LSE and the calendar run on the battery */
    machine_power_cut(m, SIM_S(5));
    machine_run(m, m->sched.now + SIM_S(5) + SIM_MS(1));
    ck_assert_uint_eq(rd(TR), 0x120008);
    rd(DR);
    ck_assert_uint_eq(rd(BKP0R), 0xA5A5A5A5);
    /* BDRST: the backup domain back to its reset state */
    backup_access();
    set_bits(BDCR, 1u << 16);
    clear_bits(BDCR, 1u << 16);
    ck_assert_uint_eq(rd(BKP0R), 0);
    ck_assert_uint_eq(rd(TR), 0);
    ck_assert_uint_eq(rd(DR), 0x2101);
    ck_assert_uint_eq(rd(BDCR), 0);
}
END_TEST

START_TEST(power_cut_without_battery)
{
    rtc_on_lsi();
    wr(BKP0R, 0x5A5A5A5A);
    machine_power_cut(m, SIM_MS(1));
    machine_run(m, m->sched.now + SIM_MS(2));
    ck_assert_uint_eq(rd(BKP0R), 0);
    ck_assert_uint_eq(rd(DR), 0x2101);
    /* with a battery but on the LSI, the calendar stops while VDD is off */
    teardown();
    load(lse_board, 1);
    rtc_on_lsi();
    enter_init();
    wr(PRER, (127u << 16) | 249u);
    wr(TR, 0x000000);
    exit_init();
    run_ns(SIM_MS(1001));
    machine_power_cut(m, SIM_S(10));
    machine_run(m, m->sched.now + SIM_S(10) + SIM_MS(1));
    ck_assert_uint_eq(rd(TR), 0x000001);              /* and the LSI is off after it */
    rd(DR);
}
END_TEST

/* The shadow registers are copied every 2 RTCCLK cycles: RSF comes up by
 * itself once the clock runs after a backup-domain reset, and after any
 * write of 0 to it, even while it is already 0 (HAL_RTC_WaitForSynchro). */
START_TEST(rsf_after_first_clock_and_any_clear)
{
    rtc_on_lsi();
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, 0);
    run_ns(SIM_NS(62500));                            /* 2 cycles of 32 kHz */
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, ISR_RSF);
    unlock();
    wr(ISR, ~ISR_RSF & ~ISR_INIT);
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, 0);
    wr(ISR, ~ISR_RSF & ~ISR_INIT);                    /* again, while it is 0 */
    run_ns(SIM_NS(62500));
    ck_assert_uint_eq(rd(ISR) & ISR_RSF, ISR_RSF);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { reset_values_and_protection, init_handshake_and_calendar,
                             shadow_registers, alarms_through_exti, wakeup_timer,
                             resets_and_power_cuts, power_cut_without_battery,
                             rsf_after_first_clock_and_any_clear };
    return run_suite("stm32f4_rtc", tests, ARRAY_SIZE(tests));
}
