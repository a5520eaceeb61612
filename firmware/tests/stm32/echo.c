/*
 * USART2 receive path: lines arriving on RX (from `--uart-input`) are read
 * with the RXNE flag and echoed in upper case; an RXNE interrupt counts the
 * bytes of the last line.
 */
#include <stdint.h>
#include <stdio.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define USART2 0x40004400u

static uint32_t vectors[128] __attribute__((aligned(512)));
static volatile uint32_t irq_bytes;
static volatile char last;

static void usart2_handler(void)
{
    if (REG(USART2) & (1u << 5)) {
        last = (char)REG(USART2 + 4);
        irq_bytes++;
    }
}

static void put(char c)
{
    while (!(REG(USART2) & (1u << 7)))
        ;
    REG(USART2 + 4) = (uint8_t)c;
}

int main(void)
{
    REG(0x40023830u) |= 1u;       /* GPIOA */
    REG(0x40023840u) |= 1u << 17; /* USART2 */
    REG(USART2 + 0x08) = 0x8B;    /* 115200 at 16 MHz */
    REG(USART2 + 0x0C) = (1u << 13) | (1u << 3) | (1u << 2);
    int lines = 0;
    while (lines < 2) {
        while (!(REG(USART2) & (1u << 5)))
            ;
        char c = (char)REG(USART2 + 4);
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        put(c);
        if (c == '\n')
            lines++;
    }
    const uint32_t *old = (const uint32_t *)REG(0xE000ED08u);
    for (int i = 0; i < 128; i++)
        vectors[i] = old[i];
    vectors[16 + 38] = (uint32_t)usart2_handler;
    REG(0xE000ED08u) = (uint32_t)vectors;
    REG(0xE000E104u) = 1u << (38 - 32);
    REG(USART2 + 0x0C) |= 1u << 5; /* RXNEIE */
    while (last != '\n')
        __asm__ volatile("wfi");
    while (!(REG(USART2) & (1u << 6)))
        ;
    printf("\nbytes by interrupt: %lu\n", (unsigned long)irq_bytes);
    return 0;
}
