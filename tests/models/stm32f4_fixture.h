/*
 * Fixture for the STM32F407 model suites: a machine with one stm32f407
 * (8 MHz crystal) after a power-on reset, and bus helpers that access
 * registers as the core would. Time advances only through run_ns(), with the
 * arithmetic in each test's comments.
 */
#ifndef TESTS_MODELS_STM32F4_FIXTURE_H
#define TESTS_MODELS_STM32F4_FIXTURE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "sim/machine.h"
#include "sim/log.h"
#include "models/stm32f4/stm32f407.h"

static machine_t *m;
static stm32f407_t *soc;

#define RCC 0x40023800u
#define RCC_AHB1ENR (RCC + 0x30)
#define RCC_AHB2ENR (RCC + 0x34)
#define RCC_APB1ENR (RCC + 0x40)
#define RCC_APB2ENR (RCC + 0x44)

/* Guest console output: counted, kept off the test's stdout. */
static size_t console_bytes;
static inline void console_sink(void *opaque, const char *source, const uint8_t *buf, size_t len)
{
    (void)opaque;
    (void)source;
    (void)buf;
    console_bytes += len;
}

static inline void load(const char *board_json, uint64_t seed)
{
    log_set_quiet(true);
    log_once_reset();
    m = machine_new(seed);
    ck_assert_ptr_nonnull(m);
    m->console = console_sink;
    int rc = machine_load_board_json(m, board_json, "test");
    if (rc)
        ck_abort_msg("%s", m->error);
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    soc = machine_find_instance(m, "mcu", "stm32f407");
    ck_assert_ptr_nonnull(soc);
}

static inline void setup(void)
{
    load("{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", "
         "\"hse_hz\": 8000000 } ] }", 1);
}

static inline void teardown(void)
{
    machine_free(m);
    log_set_quiet(false);
}

static inline uint32_t rd(uint32_t a)
{
    uint32_t v = 0xDEADBEEF;
    ck_assert_int_eq(bus_read(&m->bus, a, 4, &v), 0);
    return v;
}

static inline uint32_t rd16(uint32_t a)
{
    uint32_t v = 0xDEADBEEF;
    ck_assert_int_eq(bus_read(&m->bus, a, 2, &v), 0);
    return v;
}

static inline uint32_t rd8_at(uint32_t a)
{
    uint32_t v = 0xDEADBEEF;
    ck_assert_int_eq(bus_read(&m->bus, a, 1, &v), 0);
    return v;
}

static inline void wr(uint32_t a, uint32_t v)
{
    ck_assert_int_eq(bus_write(&m->bus, a, 4, v), 0);
}

static inline void wr16(uint32_t a, uint32_t v)
{
    ck_assert_int_eq(bus_write(&m->bus, a, 2, v), 0);
}

static inline void wr8(uint32_t a, uint32_t v)
{
    ck_assert_int_eq(bus_write(&m->bus, a, 1, v), 0);
}

static inline void set_bits(uint32_t a, uint32_t bits)
{
    wr(a, rd(a) | bits);
}

static inline void clear_bits(uint32_t a, uint32_t bits)
{
    wr(a, rd(a) & ~bits);
}

/* Advance virtual time, running every event on the way. */
static inline void run_ns(sim_time_t ns)
{
    sched_run_until(&m->sched, m->sched.now + ns);
    cpu_sync_to_time(m->cpu, m->sched.now);
}

/* After a model stalled the core (cpu_sync_to_time), bring the scheduler
 * to the core's time, as the machine loop does after a slice. */
static inline void sync_sched_to_cpu(void)
{
    sched_run_until(&m->sched, cpu_time_of(m->cpu, m->cpu->cycles));
}

static inline bool nvic_pending(int irq)
{
    return m->cpu->sys.pending[EXC_IRQ0 + irq] != 0;
}

/* Bring the core to 168 MHz from the 8 MHz crystal (PCLK1 42, PCLK2 84 MHz),
 * as the vendor HAL does, waiting out the oscillator and PLL start-up. */
static inline void clock_168mhz(void)
{
    set_bits(RCC + 0x00, 1u << 16);                      /* HSEON */
    run_ns(SIM_MS(3));
    wr(RCC + 0x04, 8u | (336u << 6) | (1u << 22) | (7u << 24));
    set_bits(RCC + 0x00, 1u << 24);                      /* PLLON */
    run_ns(SIM_US(200));
    wr(0x40023C00, 5u | (7u << 8));                       /* FLASH_ACR: 5 WS, caches */
    wr(RCC + 0x08, (5u << 10) | (4u << 13) | 2u);         /* APB1 /4, APB2 /2, SW = PLL */
}

/* Run the tests of one suite with the fixture; the exit status for make. */
static inline int run_suite(const char *name, const TTest *const *tests, unsigned n)
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create("model");
    tcase_add_checked_fixture(tc, setup, teardown);
    for (unsigned k = 0; k < n; k++)
        tcase_add_test(tc, tests[k]);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#endif
