/*
 * Register semantics of the STM32F407 models, driven through the bus as the
 * core would: reset values, RCC ready flags and clock switching with the
 * resulting clocks, flash unlock/lock-out/program/erase, GPIO BSRR and LCKR,
 * USART character timing, IWDG reset with flags, the unmodelled-peripheral
 * policy and bus errors in holes.
 */
#include <check.h>
#include <stdlib.h>
#include "sim/machine.h"
#include "models/stm32f4/stm32f407.h"

static machine_t *m;
static stm32f407_t *soc;

static const char *board =
    "{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\", \"hse_hz\": 8000000 } ] }";

static void setup(void)
{
    m = machine_new(1);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(machine_load_board_json(m, board, "test"), 0);
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    soc = machine_find_instance(m, "mcu", "stm32f407");
    ck_assert_ptr_nonnull(soc);
}

static void teardown(void)
{
    machine_free(m);
}

static uint32_t rd(uint32_t a)
{
    uint32_t v = 0xDEADBEEF;
    ck_assert_int_eq(bus_read(&m->bus, a, 4, &v), 0);
    return v;
}

static void wr(uint32_t a, uint32_t v)
{
    ck_assert_int_eq(bus_write(&m->bus, a, 4, v), 0);
}

START_TEST(rcc_reset_and_clock_switch)
{
    ck_assert_uint_eq(rd(0x40023800) & 0xFF, 0x83);
    ck_assert_uint_eq(rd(0x40023804), 0x24003010);
    ck_assert_uint_eq(rd(0x40023830), 0x00100000); /* AHB1ENR: CCM on */
    ck_assert_uint_eq(rd(0x40023874), 0x0E000000); /* power-on flags */
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 16000000);
    /* HSE on: HSERDY; PLL 8/8*336/2 = 168 MHz */
    wr(0x40023800, rd(0x40023800) | (1u << 16));
    ck_assert(rd(0x40023800) & (1u << 17));
    wr(0x40023804, 8u | (336u << 6) | (1u << 22) | (7u << 24));
    ck_assert_uint_eq(rd(0x40023804) & 0x0F437FFF, 8u | (336u << 6) | (1u << 22) | (7u << 24));
    /* switching to a PLL that is not running is refused: SWS stays HSI */
    wr(0x40023808, 2);
    ck_assert_uint_eq((rd(0x40023808) >> 2) & 3, 0);
    /* PLLON through the bit-band alias */
    wr(0x42000000 + (0x23800 * 32) + 24 * 4, 1);
    ck_assert(rd(0x40023800) & (1u << 25));
    wr(0x40023808, (5u << 10) | (4u << 13) | 2);
    ck_assert_uint_eq((rd(0x40023808) >> 2) & 3, 2);
    ck_assert_uint_eq(clock_hz(&soc->rcc.hclk), 168000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk1), 42000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pclk2), 84000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.tim1clk), 84000000);
    ck_assert_uint_eq(clock_hz(&soc->rcc.pll48), 48000000);
    ck_assert_uint_eq(m->cpu->hz, 168000000);
    /* the running PLL cannot be switched off; RDY falls with ON otherwise */
    wr(0x40023800, rd(0x40023800) & ~(1u << 24));
    ck_assert(rd(0x40023800) & (1u << 25));
    /* RMVF clears the reset flags */
    wr(0x40023874, 1u << 24);
    ck_assert_uint_eq(rd(0x40023874) & 0xFE000000, 0);
}
END_TEST

START_TEST(flash_keys_program_erase)
{
    ck_assert_uint_eq(rd(0x40023C10), 0x80000000);
    ck_assert_uint_eq(rd(0x40023C14), 0x0FFFAAED);
    /* program while locked: PGSERR, nothing written */
    wr(0x08000100, 0);
    ck_assert_uint_eq(rd(0x40023C0C) & 0x80, 0x80);
    ck_assert_uint_eq(rd(0x08000100), 0xFFFFFFFF);
    wr(0x40023C0C, 0xF3);
    ck_assert_uint_eq(rd(0x40023C0C), 0);
    wr(0x40023C04, 0x45670123);
    wr(0x40023C04, 0xCDEF89AB);
    ck_assert_uint_eq(rd(0x40023C10), 0);
    wr(0x40023C10, (2u << 8) | 1u);
    wr(0x08000100, 0x12345678);
    ck_assert_uint_eq(rd(0x08000100), 0x12345678);
    ck_assert_uint_eq(rd(0x00000100), 0x12345678); /* boot alias */
    ck_assert(rd(0x40023C0C) & (1u << 16));        /* BSY */
    sched_run_until(&m->sched, m->sched.now + SIM_US(20));
    ck_assert_uint_eq(rd(0x40023C0C), 0);          /* no EOP without EOPIE */
    /* sector 0 erase with EOPIE: BSY for 250 ms, then EOP and the FLASH IRQ */
    wr(0x40023C10, (2u << 8) | (0u << 3) | 2u | (1u << 24));
    wr(0x40023C10, rd(0x40023C10) | (1u << 16));
    ck_assert(rd(0x40023C0C) & (1u << 16));
    sched_run_until(&m->sched, m->sched.now + SIM_MS(249));
    ck_assert(rd(0x40023C0C) & (1u << 16));
    sched_run_until(&m->sched, m->sched.now + SIM_MS(2));
    ck_assert_uint_eq(rd(0x40023C0C), 1);
    ck_assert_uint_eq(rd(0x08000100), 0xFFFFFFFF);
    ck_assert(m->cpu->sys.pending[EXC_IRQ0 + 4]);
    /* relock, then a wrong key: bus error and locked until reset */
    wr(0x40023C10, 1u << 31);
    wr(0x40023C04, 0x45670123);
    ck_assert_int_ne(bus_write(&m->bus, 0x40023C04, 4, 0x11111111), 0);
    ck_assert_int_ne(bus_write(&m->bus, 0x40023C04, 4, 0x45670123), 0);
    ck_assert_int_ne(bus_write(&m->bus, 0x40023C04, 4, 0xCDEF89AB), 0);
    ck_assert_uint_eq(rd(0x40023C10) >> 31, 1);
    machine_reset(m, RESET_SYSTEM, RESET_CAUSE_PIN);
    wr(0x40023C04, 0x45670123);
    wr(0x40023C04, 0xCDEF89AB);
    ck_assert_uint_eq(rd(0x40023C10) >> 31, 0);
}
END_TEST

START_TEST(gpio_bsrr_lock_reset_values)
{
    ck_assert_uint_eq(rd(0x40020000), 0xA8000000); /* GPIOA MODER */
    ck_assert_uint_eq(rd(0x4002000C), 0x64000000);
    ck_assert_uint_eq(rd(0x40020400), 0x00000280); /* GPIOB */
    ck_assert_uint_eq(rd(0x40020408), 0x000000C0);
    wr(0x40020C00, 0x55000000);                     /* PD12-15 outputs */
    wr(0x40020C18, 0x0000F000 | 0x10000000);        /* set 12-15 and reset 12: set wins */
    ck_assert_uint_eq(rd(0x40020C14), 0xF000);
    ck_assert_uint_eq(rd(0x40020C10) & 0xF000, 0xF000);
    ck_assert_uint_eq(rd(0x40020C18), 0);           /* BSRR reads 0 */
    /* lock PD12's configuration */
    wr(0x40020C1C, 0x11000);
    wr(0x40020C1C, 0x01000);
    wr(0x40020C1C, 0x11000);
    ck_assert_uint_eq(rd(0x40020C1C), 0x11000);
    wr(0x40020C00, 0);
    ck_assert_uint_eq(rd(0x40020C00), 0x01000000); /* PD12 stays output */
    /* an input with pull-up reads 1 */
    wr(0x40020800, 0);
    wr(0x4002080C, 1u << 10);
    ck_assert_uint_eq(rd(0x40020810) & (1u << 5), 1u << 5);
}
END_TEST

START_TEST(usart_timing_and_unmodelled)
{
    /* 16 MHz PCLK, BRR 0x8B (115108 baud): a byte leaves after 10 bit times */
    wr(0x40004408, 0x8B);
    wr(0x4000440C, (1u << 13) | (1u << 3));
    ck_assert_uint_eq(rd(0x40004400) & 0xC0, 0xC0);
    wr(0x40004404, 'A');
    ck_assert_uint_eq(rd(0x40004400) & 0xC0, 0x80); /* TXE (shifter took it), TC = 0 */
    wr(0x40004404, 'B');
    ck_assert_uint_eq(rd(0x40004400) & 0xC0, 0x00);
    sched_run_until(&m->sched, m->sched.now + 86875 + 10);
    ck_assert_uint_eq(rd(0x40004400) & 0xC0, 0x80);
    sched_run_until(&m->sched, m->sched.now + 86875 + 10);
    ck_assert_uint_eq(rd(0x40004400) & 0xC0, 0xC0);
    ck_assert_uint_eq(soc->usart[1].tx_bytes, 2);
    /* RX: a byte queued arrives after a character time; a second one overruns */
    wr(0x4000440C, (1u << 13) | (1u << 3) | (1u << 2));
    stm32f4_usart_rx_push(&soc->usart[1], (const uint8_t *)"xy", 2);
    sched_run_until(&m->sched, m->sched.now + 2 * 86875 + 10);
    ck_assert_uint_eq(rd(0x40004400) & 0x28, 0x28); /* RXNE and ORE */
    ck_assert_uint_eq(rd(0x40004404), 'x');
    /* unmodelled peripheral reads 0, writes ignored; a hole is a bus error */
    ck_assert_uint_eq(rd(0x40013000), 0);           /* SPI1 */
    uint32_t v;
    ck_assert_int_ne(bus_read(&m->bus, 0x40007800, 4, &v), 0);
    ck_assert_uint_eq(rd(0xE0042000), 0x10076413);  /* DBGMCU IDCODE */
    ck_assert_uint_eq(rd(0x1FFF7A20) >> 16, 0x0400); /* flash size */
}
END_TEST

START_TEST(iwdg_reset)
{
    wr(0x40003000, 0x5555);
    wr(0x40003004, 0);   /* /4: 8 kHz */
    wr(0x40003008, 79);  /* 80 ticks: 10 ms */
    wr(0x40003000, 0xCCCC);
    machine_run(m, m->sched.now + SIM_MS(9));
    ck_assert_uint_eq(m->resets, 1);
    wr(0x40003000, 0xAAAA); /* reload */
    machine_run(m, m->sched.now + SIM_MS(9));
    ck_assert_uint_eq(m->resets, 1);
    machine_run(m, m->sched.now + SIM_MS(2));
    ck_assert_uint_eq(m->resets, 2);
    ck_assert_uint_eq(rd(0x40023874) & 0xFE000000, 0x2E000000); /* + IWDGRSTF, PINRSTF */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stm32f4");
    TCase *tc = tcase_create("registers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, rcc_reset_and_clock_switch);
    tcase_add_test(tc, flash_keys_program_erase);
    tcase_add_test(tc, gpio_bsrr_lock_reset_values);
    tcase_add_test(tc, usart_timing_and_unmodelled);
    tcase_add_test(tc, iwdg_reset);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
