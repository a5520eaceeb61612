/*
 * Target for the debugger tests: a counter loop, a global the tests watch,
 * and a SysTick handler that calls a function, so a backtrace from inside an
 * interrupt handler can be checked.
 */
#include <stdint.h>
#include <stdio.h>

#define REG(a) (*(volatile uint32_t *)(a))

volatile uint32_t counter;
volatile uint32_t ticks;
volatile uint32_t watched;
volatile uint32_t spin; /* a debugger sets it to keep the target busy */

__attribute__((noinline)) void tick_work(uint32_t n)
{
    ticks = n + 1;
}

void systick_handler(void);
void systick_handler(void)
{
    tick_work(ticks);
}

__attribute__((noinline)) uint32_t add_step(uint32_t a, uint32_t b)
{
    return a + b;
}

static uint32_t vectors[64] __attribute__((aligned(256)));

int main(void)
{
    while (spin)
        __asm__ volatile("nop");
    const uint32_t *old = (const uint32_t *)REG(0xE000ED08);
    for (int i = 0; i < 64; i++)
        vectors[i] = old[i];
    vectors[15] = (uint32_t)systick_handler;
    REG(0xE000ED08) = (uint32_t)vectors;
    REG(0xE000E014) = 24999; /* 1 ms at 25 MHz */
    REG(0xE000E018) = 0;
    REG(0xE000E010) = 7;
    for (uint32_t i = 0; i < 2000; i++) {
        counter = add_step(counter, 3);
        if (i == 1000)
            watched = 0xC0FFEE;
    }
    while (ticks < 3)
        __asm__ volatile("wfi");
    printf("counter=%lu ticks>=3\n", (unsigned long)counter);
    return 7;
}
