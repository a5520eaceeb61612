/*
 * STM32F4 system parts: PWR and the backup domain, backup SRAM across
 * resets and power cuts, the IWDG in LSI time with its reset flags, the
 * WWDG window, RNG timing and errors, CRC, DBGMCU and the device IDs, the
 * memory map (unmodelled peripherals read 0, holes bus-fault), reset flags
 * per cause, what survives each reset, and the NRST pin holding the core.
 */
#include "stm32f4_fixture.h"

#define PWR_CR 0x40007000u
#define PWR_CSR 0x40007004u
#define BKPSRAM 0x40024000u
#define IWDG 0x40003000u
#define WWDG 0x40002C00u
#define RNG 0x50060800u
#define CSR (RCC + 0x74)

static void set_control(const char *name, cJSON *v)
{
    char err[128];
    int rc = machine_set_control(m, name, v, err, sizeof err);
    cJSON_Delete(v);
    ck_assert_msg(rc == 0, "%s: %s", name, err);
}

START_TEST(pwr_registers)
{
    ck_assert_uint_eq(rd(PWR_CR), 0);                 /* clock off: reads 0 */
    set_bits(RCC_APB1ENR, 1u << 28);
    ck_assert_uint_eq(rd(PWR_CR), 0x4000);
    ck_assert_uint_eq(rd(PWR_CSR), 0);
    wr(PWR_CR, 0x4000);                               /* VOSRDY 10 us after VOS is written */
    run_ns(SIM_US(10));
    ck_assert_uint_eq(rd(PWR_CSR), 0x4000);
    wr(PWR_CR, 0xFFFFFFFF);
    ck_assert_uint_eq(rd(PWR_CR), 0x43F3);            /* CWUF/CSBF read 0 */
    wr(PWR_CSR, 1u << 9);                             /* BRE: BRR after 10 us */
    ck_assert_uint_eq(rd(PWR_CSR) & 8, 0);
    run_ns(SIM_US(10));
    ck_assert_uint_eq(rd(PWR_CSR) & 0x208, 0x208);
}
END_TEST

START_TEST(backup_sram_protection_and_retention)
{
    wr(BKPSRAM, 0x11111111);                          /* clock off: ignored, reads 0 */
    ck_assert_uint_eq(rd(BKPSRAM), 0);
    set_bits(RCC_AHB1ENR, 1u << 18);
    set_bits(RCC_APB1ENR, 1u << 28);
    wr(BKPSRAM, 0x22222222);                          /* DBP clear: ignored */
    ck_assert_uint_eq(rd(BKPSRAM), 0);
    set_bits(PWR_CR, 1u << 8);
    wr(BKPSRAM, 0x33333333);
    wr8(BKPSRAM + 0xFFF, 0x44);
    ck_assert_uint_eq(rd(BKPSRAM), 0x33333333);
    wr(0x20000000, 0x55555555);                       /* SRAM */
    wr(0x10000000, 0x66666666);                       /* CCM */
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_SOFTWARE);
    set_bits(RCC_AHB1ENR, 1u << 18);
    ck_assert_uint_eq(rd(BKPSRAM), 0x33333333);       /* kept by a system reset */
    ck_assert_uint_eq(rd(0x20000000), 0x55555555);
    ck_assert_uint_eq(rd(0x10000000), 0x66666666);
    machine_power_cut(m, SIM_MS(1));                  /* no battery on this board */
    machine_run(m, m->sched.now + SIM_MS(2));
    set_bits(RCC_AHB1ENR, 1u << 18);
    ck_assert_uint_eq(rd(BKPSRAM), 0);
    ck_assert_uint_eq(rd(0x20000000), 0);
}
END_TEST

START_TEST(backup_sram_on_battery)
{
    teardown();
    load("{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", "
         "\"battery\": true } ] }", 1);
    set_bits(RCC_AHB1ENR, 1u << 18);
    set_bits(RCC_APB1ENR, 1u << 28);
    set_bits(PWR_CR, 1u << 8);
    wr(BKPSRAM, 0x77777777);
    machine_power_cut(m, SIM_MS(1));                  /* BRE off: the SRAM is lost */
    machine_run(m, m->sched.now + SIM_MS(2));
    set_bits(RCC_AHB1ENR, 1u << 18);
    ck_assert_uint_eq(rd(BKPSRAM), 0);
    set_bits(RCC_APB1ENR, 1u << 28);
    set_bits(PWR_CR, 1u << 8);
    wr(PWR_CSR, 1u << 9);                             /* backup regulator on */
    run_ns(SIM_US(20));
    wr(BKPSRAM, 0x88888888);
    machine_power_cut(m, SIM_MS(1));
    machine_run(m, m->sched.now + SIM_MS(2));
    set_bits(RCC_AHB1ENR, 1u << 18);
    set_bits(RCC_APB1ENR, 1u << 28);
    ck_assert_uint_eq(rd(BKPSRAM), 0x88888888);
    ck_assert_uint_eq(rd(PWR_CSR) & 0x208, 0x208);    /* BRE/BRR are in the backup domain */
    ck_assert_uint_eq(rd(CSR) & 0xFE000000, 0x0E000000);
}
END_TEST

START_TEST(iwdg_timeout_in_lsi_time)
{
    ck_assert_uint_eq(rd(IWDG + 0x08), 0xFFF);
    wr(IWDG + 0x04, 3);                               /* locked: ignored */
    ck_assert_uint_eq(rd(IWDG + 0x04), 0);
    wr(IWDG, 0x5555);
    wr(IWDG + 0x04, 0);                               /* /4 */
    wr(IWDG + 0x08, 79);                              /* 80 ticks of 8 kHz = 10 ms */
    ck_assert_uint_eq(rd(IWDG + 0x0C), 3);            /* PVU, RVU */
    run_ns(SIM_US(160));                              /* 5 LSI periods */
    ck_assert_uint_eq(rd(IWDG + 0x0C), 0);
    wr(IWDG, 0xCCCC);                                 /* start: the LSI comes up (15 us) */
    ck_assert_uint_eq(rd(CSR) & 1, 0);
    run_ns(SIM_US(20));
    ck_assert_uint_eq(rd(CSR) & 3, 2);                /* LSIRDY without LSION: forced */
    machine_run(m, m->sched.now + SIM_MS(9));
    ck_assert_uint_eq(m->resets, 1);
    wr(IWDG, 0xAAAA);                                 /* reload */
    machine_run(m, m->sched.now + SIM_MS(9));
    ck_assert_uint_eq(m->resets, 1);
    ck_assert_uint_eq(machine_find_probe(m, "mcu.iwdg.expired")->hits, 0);
    machine_run(m, m->sched.now + SIM_MS(2));
    ck_assert_uint_eq(m->resets, 2);
    ck_assert_uint_eq(machine_find_probe(m, "mcu.iwdg.expired")->hits, 1);
    ck_assert_uint_eq(rd(CSR) & 0xFE000000, 0x2E000000); /* + IWDGRSTF, PINRSTF */
    ck_assert_uint_eq(rd(IWDG + 0x08), 0xFFF);           /* the reset stopped it */
}
END_TEST

START_TEST(iwdg_follows_lsi_frequency)
{
    set_control("mcu.lsi_hz", cJSON_CreateNumber(16000));
    wr(IWDG, 0x5555);
    wr(IWDG + 0x08, 39);                              /* 40 ticks of 4 kHz = 10 ms at 16 kHz */
    run_ns(SIM_US(400));
    wr(IWDG, 0xCCCC);
    machine_run(m, m->sched.now + SIM_US(10014));
    ck_assert_uint_eq(m->resets, 1);
    machine_run(m, m->sched.now + SIM_US(10));
    ck_assert_uint_eq(m->resets, 2);
    ck_assert_uint_eq(stm32f4_iwdg_counter(&soc->iwdg), 0xFFF);
}
END_TEST

START_TEST(wwdg_window_and_early_wakeup)
{
    set_bits(RCC_APB1ENR, 1u << 11);
    ck_assert_uint_eq(rd(WWDG), 0x7F);
    ck_assert_uint_eq(rd(WWDG + 4), 0x7F);
    /* PCLK1 16 MHz / 4096: one count every 256 us */
    wr(WWDG + 4, (1u << 9) | 0x50);                   /* EWI, window 0x50 */
    wr(WWDG, 0x80 | 0x45);                            /* WDGA, T = 0x45 */
    run_ns(5 * 256000);
    ck_assert_uint_eq(rd(WWDG) & 0x7F, 0x40);
    ck_assert_uint_eq(rd(WWDG + 8), 1);               /* EWIF */
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 0]);
    wr(WWDG + 8, 0);
    wr(WWDG, 0x80 | 0x7F);                            /* 0x40 < W: refresh inside the window */
    ck_assert_uint_eq(m->reset_pending, 0);
    wr(WWDG, 0x80 | 0x7F);                            /* now 0x7F > W: outside, reset */
    ck_assert_uint_eq(m->reset_pending, RESET_CAUSE_WWDG + 1);
}
END_TEST

START_TEST(rng_timing_and_errors)
{
    set_bits(RCC_AHB2ENR, 1u << 6);
    wr(RNG, 4);                                       /* RNGEN without PLL48: clock error */
    ck_assert_uint_eq(rd(RNG + 4), 0x22);             /* CECS, CEIS */
    clock_168mhz();                                   /* PLL48CK 48 MHz */
    run_ns(1);
    ck_assert_uint_eq(rd(RNG + 4) & 2, 0);
    wr(RNG + 4, 0);                                   /* CEIS rc_w0 */
    wr(RNG, 0);
    wr(RNG, 4 | 8);                                   /* IE */
    run_ns(833);                                      /* 40 periods of 48 MHz = 833.3 ns */
    ck_assert_uint_eq(rd(RNG + 4), 0);
    run_ns(1);
    ck_assert_uint_eq(rd(RNG + 4), 1);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 80]);
    uint32_t a = rd(RNG + 8);
    ck_assert_uint_eq(rd(RNG + 4), 0);
    run_ns(834);
    uint32_t b = rd(RNG + 8);
    ck_assert_uint_ne(a, b);
    set_control("mcu.rng.seed_error", cJSON_CreateTrue());
    ck_assert_uint_eq(rd(RNG + 4), 0x44);             /* SECS, SEIS */
    run_ns(SIM_US(10));
    ck_assert_uint_eq(rd(RNG + 4) & 1, 0);
    /* the machine's seed decides the words */
    uint32_t w[3];
    for (unsigned k = 0; k < 3; k++) {
        teardown();
        load("{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\" } ] }",
             k == 2 ? 2 : 1);
        set_bits(RCC_AHB2ENR, 1u << 6);
        clock_168mhz();
        wr(RNG, 4);
        run_ns(834);
        w[k] = rd(RNG + 8);
    }
    ck_assert_uint_eq(w[0], w[1]);
    ck_assert_uint_ne(w[0], w[2]);
}
END_TEST

START_TEST(crc_unit)
{
    set_bits(RCC_AHB1ENR, 1u << 12);
    ck_assert_uint_eq(rd(0x40023000), 0xFFFFFFFF);
    wr(0x40023000, 0x12345678);
    uint32_t crc = 0xFFFFFFFFu ^ 0x12345678u;
    for (int k = 0; k < 32; k++)
        crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    ck_assert_uint_eq(rd(0x40023000), crc);
    wr(0x40023004, 0x1AB);
    ck_assert_uint_eq(rd(0x40023004), 0xAB);
    wr(0x40023008, 1);
    ck_assert_uint_eq(rd(0x40023000), 0xFFFFFFFF);
    ck_assert_uint_eq(rd(0x40023008), 0);
}
END_TEST

START_TEST(memory_map_and_ids)
{
    uint32_t v;
    ck_assert_uint_eq(rd(0x40012000), 0);             /* ADC: unmodelled, reads 0 */
    wr(0x40005400, 0xFF);                             /* I2C1: write ignored */
    ck_assert_uint_eq(rd(0x40005400), 0);
    ck_assert_int_ne(bus_read(&m->bus, 0x40007800, 4, &v), 0);  /* holes fault */
    ck_assert_int_ne(bus_read(&m->bus, 0x50060000, 4, &v), 0);  /* CRYP: F415/417 only */
    ck_assert_int_ne(bus_read(&m->bus, 0x20020000, 4, &v), 0);  /* past SRAM2 */
    ck_assert_int_ne(bus_read(&m->bus, 0x40025000, 4, &v), 0);  /* past backup SRAM */
    ck_assert_uint_eq(rd(0xE0042000), 0x10076413);
    ck_assert_uint_eq(rd16(0x1FFF7A22), 1024);
    ck_assert_uint_eq(m->cpu->sys.syst_calib & 0xFFFFFF, 18750);
    teardown();
    load("{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", "
         "\"revision\": \"Z\", \"uid\": \"0102030405060708090A0B0C\" } ] }", 1);
    ck_assert_uint_eq(rd(0xE0042000), 0x10016413);
    ck_assert_uint_eq(rd(0x1FFF7A10), 0x01020304);
    ck_assert_uint_eq(rd(0x1FFF7A18), 0x090A0B0C);
    /* DBGMCU keeps its settings over a system reset, not over power-on */
    wr(0xE0042008, 1u << 12);
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_SOFTWARE);
    ck_assert_uint_eq(rd(0xE0042008), 1u << 12);
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    ck_assert_uint_eq(rd(0xE0042008), 0);
}
END_TEST

START_TEST(bad_board_settings)
{
    static const char *const bad[] = {
        "{ \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", \"hse\": 8000000 } ] }",
        "{ \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", \"hse_hz\": 30000000 } ] }",
        "{ \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", \"revision\": \"Q\" } ] }",
        "{ \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", \"uid\": \"12\" } ] }",
        "{ \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", \"battery\": 1 } ] }",
    };
    static const char *const why[] = { "unknown field \"hse\"", "hse_hz", "revision", "uid", "battery" };
    for (unsigned k = 0; k < ARRAY_SIZE(bad); k++) {
        machine_t *x = machine_new(1);
        ck_assert_int_ne(machine_load_board_json(x, bad[k], "b.json"), 0);
        ck_assert_msg(strstr(x->error, "b.json: devices[0] (mcu, stm32f407)") && strstr(x->error, why[k]),
                      "%s", x->error);
        machine_free(x);
    }
}
END_TEST

START_TEST(nrst_holds_the_core)
{
    teardown();
    load("{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\" },"
         "  { \"name\": \"rb\", \"type\": \"button\", \"active_low\": true } ],"
         "  \"nets\": { \"NRST\": { \"pins\": [\"mcu.nrst\", \"rb.out\"], \"pull\": \"up\" } } }", 1);
    /* code in SRAM: an endless loop; vectors at 0 point there */
    memset(soc->flash_mem, 0xFF, 8);
    wr_le32(soc->flash_mem, 0x20001000);
    wr_le32(soc->flash_mem + 4, 0x20000001);
    wr16(0x20000000, 0xE7FE);                         /* b . */
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_SOFTWARE);
    wr(CSR, 1u << 24);
    machine_run(m, m->sched.now + SIM_US(100));
    uint64_t insns = m->cpu->insns;
    ck_assert_uint_gt(insns, 100);
    set_control("rb.pressed", cJSON_CreateTrue());
    machine_run(m, m->sched.now + SIM_MS(1));
    ck_assert_uint_eq(rd(CSR) & 0xFE000000, 0x04000000);  /* PINRSTF */
    insns = m->cpu->insns;
    machine_run(m, m->sched.now + SIM_MS(1));
    ck_assert_uint_eq(m->cpu->insns, insns);                /* held in reset */
    set_control("rb.pressed", cJSON_CreateFalse());
    machine_run(m, m->sched.now + SIM_MS(1));
    ck_assert_uint_gt(m->cpu->insns, insns + 100);
    /* the mcu.reset_pin control presses it for a time */
    uint64_t resets = m->resets;
    set_control("mcu.reset_pin", cJSON_CreateNumber(0.5));
    machine_run(m, m->sched.now + SIM_MS(1));
    ck_assert_uint_eq(m->resets, resets + 1);
    ck_assert_uint_eq(machine_find_probe(m, "mcu.reset")->hits, resets + 1);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { pwr_registers, backup_sram_protection_and_retention, backup_sram_on_battery,
                             iwdg_timeout_in_lsi_time, iwdg_follows_lsi_frequency,
                             wwdg_window_and_early_wakeup, rng_timing_and_errors, crc_unit,
                             memory_map_and_ids, bad_board_settings, nrst_holds_the_core };
    return run_suite("stm32f4_system", tests, ARRAY_SIZE(tests));
}
