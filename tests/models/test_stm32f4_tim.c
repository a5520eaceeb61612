/*
 * STM32F4 timers: the time base in virtual time (periods asserted to the
 * nanosecond), buffered PSC/ARR, counting modes, compare flags at the right
 * count, one-pulse, the repetition counter, per-instance register sets, the
 * shared vectors, and re-timing when the kernel clock changes.
 * PCLK1 = PCLK2 = 16 MHz after reset, so the timer clocks are 16 MHz.
 */
#include "stm32f4_fixture.h"

#define TIM1 0x40010000u
#define TIM2 0x40000000u
#define TIM3 0x40000400u
#define TIM6 0x40001000u
#define TIM10 0x40014400u
#define CR1 0x00
#define DIER 0x0C
#define SR 0x10
#define EGR 0x14
#define CCMR1 0x18
#define CNT 0x24
#define PSC 0x28
#define ARR 0x2C
#define RCR 0x30
#define CCR1 0x34

/* TIM2 counting at 1 MHz (PSC 15), period ARR + 1 counts. */
static void tim2_start(uint32_t arr)
{
    set_bits(RCC_APB1ENR, 1);
    wr(TIM2 + PSC, 15);
    wr(TIM2 + ARR, arr);
    wr(TIM2 + EGR, 1);                    /* UG: load PSC */
    wr(TIM2 + SR, 0);
    wr(TIM2 + CR1, 1);
}

START_TEST(arr_reset_blocks_counter)
{
    set_bits(RCC_APB1ENR, 1);
    ck_assert_uint_eq(rd(TIM2 + ARR), 0);  /* RM0090 18.4.12 */
    wr(TIM2 + CR1, 1);
    run_ns(SIM_MS(1));
    ck_assert_uint_eq(rd(TIM2 + CNT), 0);
    ck_assert_uint_eq(rd(TIM2 + SR), 0);
}
END_TEST

START_TEST(up_counting_period_exact)
{
    tim2_start(999);                      /* 1000 counts of 1 us: updates every 1 ms */
    run_ns(SIM_US(500));
    ck_assert_uint_eq(rd(TIM2 + CNT), 500);
    run_ns(SIM_US(500) - 1);
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 0);
    run_ns(1);
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);
    ck_assert_uint_eq(rd(TIM2 + CNT), 0);
    /* 1000 periods later it is still exact */
    wr(TIM2 + SR, 0);
    run_ns(SIM_MS(999));
    ck_assert_uint_eq(soc->tim[1].updates, 1 + 1000);
    ck_assert_uint_eq(rd(TIM2 + CNT), 0);
    /* the update interrupt */
    wr(TIM2 + DIER, 1);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 28]);
    wr(TIM2 + SR, ~1u);                   /* rc_w0 */
    ck_assert(!m->cpu->sys.level[EXC_IRQ0 + 28]);
}
END_TEST

START_TEST(buffered_psc_and_arr)
{
    tim2_start(999);
    wr(TIM2 + PSC, 31);                   /* takes effect at the next update */
    run_ns(SIM_MS(1));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);
    wr(TIM2 + SR, 0);
    run_ns(SIM_MS(2) - 1);                /* now 2 us per count: 2 ms */
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 0);
    run_ns(1);
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);
    /* ARR without ARPE applies at once */
    wr(TIM2 + SR, 0);
    wr(TIM2 + ARR, 99);
    run_ns(SIM_US(200));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);
    /* with ARPE it waits for the update */
    wr(TIM2 + CR1, (1u << 7) | 1);
    wr(TIM2 + EGR, 1);
    wr(TIM2 + SR, 0);
    wr(TIM2 + ARR, 9999);
    run_ns(SIM_US(200));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);
    wr(TIM2 + SR, 0);
    run_ns(SIM_US(19999));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 0);
    run_ns(SIM_US(1));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);
    /* URS: UG sets no UIF */
    wr(TIM2 + SR, 0);
    wr(TIM2 + CR1, (1u << 7) | (1u << 2) | 1);
    wr(TIM2 + EGR, 1);
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 0);
}
END_TEST

START_TEST(down_and_centre_aligned)
{
    set_bits(RCC_APB1ENR, 1);
    wr(TIM2 + PSC, 15);
    wr(TIM2 + ARR, 99);
    wr(TIM2 + CR1, 1u << 4);              /* DIR down */
    wr(TIM2 + EGR, 1);
    ck_assert_uint_eq(rd(TIM2 + CNT), 99);
    wr(TIM2 + SR, 0);
    wr(TIM2 + CR1, (1u << 4) | 1);
    run_ns(SIM_US(30));
    ck_assert_uint_eq(rd(TIM2 + CNT), 69);
    run_ns(SIM_US(70));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);   /* underflow after 100 counts */
    ck_assert_uint_eq(rd(TIM2 + CNT), 99);
    /* centre-aligned: 0..100..0, updates at both ends every 100 us */
    wr(TIM2 + CR1, 0);
    wr(TIM2 + ARR, 100);
    wr(TIM2 + CR1, 1u << 5);              /* CMS = 1 */
    wr(TIM2 + EGR, 1);
    wr(TIM2 + SR, 0);
    wr(TIM2 + CR1, (1u << 5) | 1);
    run_ns(SIM_US(60));
    ck_assert_uint_eq(rd(TIM2 + CNT), 60);
    ck_assert_uint_eq(rd(TIM2 + CR1) & (1u << 4), 0);     /* counting up */
    run_ns(SIM_US(40));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);              /* overflow at 100 */
    wr(TIM2 + SR, 0);
    run_ns(SIM_US(30));
    ck_assert_uint_eq(rd(TIM2 + CNT), 70);
    ck_assert_uint_eq(rd(TIM2 + CR1) & (1u << 4), 1u << 4); /* counting down */
    run_ns(SIM_US(70));
    ck_assert_uint_eq(rd(TIM2 + SR) & 1, 1);              /* underflow at 0 */
    ck_assert_uint_eq(soc->tim[1].updates, 2 + 1 + 2); /* UG, underflow, UG, both ends */
}
END_TEST

START_TEST(compare_and_one_pulse)
{
    tim2_start(999);
    wr(TIM2 + CCR1, 250);                 /* channel 1 in output compare (CCMR1 = 0) */
    wr(TIM2 + DIER, 2);                   /* CC1IE */
    run_ns(SIM_US(250) - 1);
    ck_assert_uint_eq(rd(TIM2 + SR) & 2, 0);
    run_ns(1);
    ck_assert_uint_eq(rd(TIM2 + SR) & 2, 2);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 28]);
    wr(TIM2 + SR, ~2u);
    run_ns(SIM_MS(1));                    /* once per period */
    ck_assert_uint_eq(rd(TIM2 + SR) & 2, 2);
    /* an input-capture channel (CC1S = 01) makes no compare flags */
    wr(TIM2 + SR, 0);
    wr(TIM2 + CCMR1, 1);
    run_ns(SIM_MS(2));
    ck_assert_uint_eq(rd(TIM2 + SR) & 2, 0);
    /* one-pulse: CEN clears at the update */
    set_bits(RCC_APB1ENR, 2);
    wr(TIM3 + PSC, 159);                  /* 100 kHz */
    wr(TIM3 + ARR, 99);                   /* 1 ms */
    wr(TIM3 + EGR, 1);
    wr(TIM3 + SR, 0);
    wr(TIM3 + CR1, (1u << 3) | 1);
    run_ns(SIM_US(999));
    ck_assert_uint_eq(rd(TIM3 + CR1) & 1, 1);
    run_ns(SIM_US(1));
    ck_assert_uint_eq(rd(TIM3 + CR1) & 1, 0);
    ck_assert_uint_eq(rd(TIM3 + SR) & 1, 1);
    uint32_t c = rd(TIM3 + CNT);
    run_ns(SIM_MS(1));
    ck_assert_uint_eq(rd(TIM3 + CNT), c);
    /* TIM3 is 16-bit */
    wr(TIM3 + ARR, 0x12345678);
    ck_assert_uint_eq(rd(TIM3 + ARR), 0x5678);
}
END_TEST

START_TEST(advanced_repetition_and_shared_vectors)
{
    set_bits(RCC_APB2ENR, 1u | (1u << 17));  /* TIM1, TIM10 */
    wr(TIM1 + PSC, 15);
    wr(TIM1 + ARR, 99);
    wr(TIM1 + RCR, 2);                    /* update every 3rd overflow */
    wr(TIM1 + EGR, 1);
    wr(TIM1 + SR, 0);
    wr(TIM1 + DIER, 1);
    wr(TIM1 + CR1, 1);
    run_ns(SIM_US(299));
    ck_assert_uint_eq(rd(TIM1 + SR) & 1, 0);
    run_ns(SIM_US(1));
    ck_assert_uint_eq(rd(TIM1 + SR) & 1, 1);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 25]);  /* TIM1_UP_TIM10 */
    /* TIM10 shares the vector through an OR */
    wr(TIM10 + DIER, 1);
    wr(TIM10 + EGR, 1);
    wr(TIM1 + SR, 0);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 25]);
    wr(TIM10 + SR, 0);
    ck_assert(!m->cpu->sys.level[EXC_IRQ0 + 25]);
    /* the compare vector of TIM1 is separate */
    wr(TIM1 + DIER, 2);
    wr(TIM1 + EGR, 2);                    /* CC1G */
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 27]);
}
END_TEST

START_TEST(instance_register_sets)
{
    set_bits(RCC_APB1ENR, 1u << 4);
    uint32_t v;
    /* TIM6: update only; no compare registers */
    wr(TIM6 + DIER, 0xFFFF);
    ck_assert_uint_eq(rd(TIM6 + DIER), 0x101);
    wr(TIM6 + CR1, 0xFFFF);
    ck_assert_uint_eq(rd(TIM6 + CR1), 0x8F);
    ck_assert_int_eq(bus_read(&m->bus, TIM6 + CCR1, 4, &v), 0);
    ck_assert_uint_eq(v, 0);
    wr(TIM6 + CR1, 0);
    /* TIM2 is 32-bit with an option register */
    set_bits(RCC_APB1ENR, 1);
    wr(TIM2 + ARR, 0xFFFFFFFF);
    ck_assert_uint_eq(rd(TIM2 + ARR), 0xFFFFFFFF);
    wr(TIM2 + 0x50, 0xFFFF);
    ck_assert_uint_eq(rd(TIM2 + 0x50), 0x0C00);
    wr(TIM2 + DIER, 0xFFFF);
    ck_assert_uint_eq(rd(TIM2 + DIER), 0x5F5F);
}
END_TEST

START_TEST(kernel_clock_changes)
{
    tim2_start(999);
    run_ns(SIM_US(500));
    ck_assert_uint_eq(rd(TIM2 + CNT), 500);
    /* APB1 /2: PCLK1 8 MHz but the timer clock doubles back to 16 MHz */
    wr(RCC + 0x08, 4u << 10);
    run_ns(SIM_US(100));
    ck_assert_uint_eq(rd(TIM2 + CNT), 600);
    /* AHB /2: everything at half speed from here */
    wr(RCC + 0x08, 8u << 4);
    run_ns(SIM_US(100));
    ck_assert_uint_eq(rd(TIM2 + CNT), 650);
    /* its RCC clock off: the counter stops */
    clear_bits(RCC_APB1ENR, 1);
    run_ns(SIM_MS(5));
    set_bits(RCC_APB1ENR, 1);
    ck_assert_uint_eq(rd(TIM2 + CNT), 650);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { arr_reset_blocks_counter, up_counting_period_exact, buffered_psc_and_arr,
                             down_and_centre_aligned, compare_and_one_pulse,
                             advanced_repetition_and_shared_vectors, instance_register_sets,
                             kernel_clock_changes };
    return run_suite("stm32f4_tim", tests, ARRAY_SIZE(tests));
}
