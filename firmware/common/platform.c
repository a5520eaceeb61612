/*
 * Board support for the reference firmware (see platform.h). Start-up is our
 * own: the vector table lives in .vectors, Reset copies .data, clears .bss,
 * enables the FPU (the firmware is built with -mfloat-abi=hard) and calls
 * main().
 */
#include <stdio.h>
#include <string.h>
#include "platform.h"
#include "stm32f407.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak));
void MemManage_Handler(void) __attribute__((weak, alias("HardFault_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("HardFault_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("HardFault_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void);
void EXTI15_10_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));
void FLASH_IRQHandler(void);
void USART2_IRQHandler(void);

/* 16 system exceptions + 82 interrupts */
__attribute__((section(".vectors"), used)) void (*const vector_table[98])(void) = {
    [0] = (void (*)(void))__stack_top,
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4] = MemManage_Handler,
    [5] = BusFault_Handler,
    [6] = UsageFault_Handler,
    [11] = SVC_Handler,
    [14] = PendSV_Handler,
    [15] = SysTick_Handler,
    [16 + IRQ_FLASH] = FLASH_IRQHandler,
    [16 + IRQ_USART2] = USART2_IRQHandler,
    [16 + IRQ_EXTI15_10] = EXTI15_10_IRQHandler,
};

void Reset_Handler(void)
{
    uint32_t *s = __data_load, *d = __data_start;
    while (d < __data_end)
        *d++ = *s++;
    for (d = __bss_start; d < __bss_end;)
        *d++ = 0;
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb");
    main();
    for (;;)
        __asm__ volatile("wfi");
}

void Default_Handler(void)
{
    for (;;)
        ;
}

static void console_to_polling(void);

void HardFault_Handler(void)
{
    console_to_polling();
    printf("FATAL: hard fault, CFSR %08lx HFSR %08lx\n", (unsigned long)REG32(0xE000ED28u),
           (unsigned long)REG32(0xE000ED2Cu));
    console_flush();
    system_reset();
}

/* ---- clocks ---- */

static uint32_t core_hz = 16000000u;

void clock_init(bool fast)
{
    if (!fast) {
        core_hz = 16000000u;
        return;
    }
    if (((RCC_CFGR >> 2) & 3u) == 2u) {
        /* already on the PLL (the bootloader set it up): PLLCFGR is locked while it runs */
        core_hz = 168000000u;
        return;
    }
    RCC_APB1ENR |= 1u << 28;             /* PWR */
    PWR_CR |= PWR_CR_VOS;
    RCC_CR |= RCC_CR_HSEON;
    while (!(RCC_CR & RCC_CR_HSERDY))
        ;
    /* PLLM 8, PLLN 336, PLLP 2, PLLQ 7, source HSE: 168 MHz, 48 MHz for USB */
    RCC_PLLCFGR = 8u | (336u << 6) | (0u << 16) | (1u << 22) | (7u << 24);
    RCC_CR |= RCC_CR_PLLON;
    while (!(RCC_CR & RCC_CR_PLLRDY))
        ;
    /* 5 wait states, prefetch, instruction and data caches */
    FLASH_ACR = 5u | (1u << 8) | (1u << 9) | (1u << 10);
    /* AHB /1, APB1 /4 (42 MHz), APB2 /2 (84 MHz), then switch to the PLL */
    RCC_CFGR = (RCC_CFGR & ~0xFCF0u) | (5u << 10) | (4u << 13);
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
    while (((RCC_CFGR >> 2) & 3u) != 2u)
        ;
    core_hz = 168000000u;
}

uint32_t clock_hz(void) { return core_hz; }

static uint32_t apb1_hz(void) { return core_hz == 168000000u ? 42000000u : core_hz; }

/* ---- console on USART2, PA2 TX / PA3 RX, 115200 8N1 ----
 * Output goes through a ring drained by the TXE interrupt, so printing
 * costs the core a few instructions a character instead of 87 us of
 * polling; a writer that finds the ring full sleeps until there is room.
 * In a fault handler (interrupts masked) the console falls back to polling. */

#define CONSOLE_RING 1024u
static volatile uint8_t ring[CONSOLE_RING];
static volatile uint32_t ring_head, ring_tail;   /* head: next write; tail: next to send */
static bool console_polled;

void USART2_IRQHandler(void)
{
    if (ring_tail != ring_head) {
        USART_DR(USART2_BASE) = ring[ring_tail % CONSOLE_RING];
        ring_tail++;
    }
    if (ring_tail == ring_head)
        USART_CR1(USART2_BASE) &= ~USART_CR1_TXEIE;
}

static void put_polled(uint8_t c)
{
    while (!(USART_SR(USART2_BASE) & USART_SR_TXE))
        ;
    USART_DR(USART2_BASE) = c;
}

static void put_char(uint8_t c)
{
    if (console_polled) {
        put_polled(c);
        return;
    }
    __asm__ volatile("cpsid i" ::: "memory");
    while (ring_head - ring_tail >= CONSOLE_RING) {
        __asm__ volatile("wfi");
        __asm__ volatile("cpsie i\n\tisb\n\tcpsid i" ::: "memory");
    }
    ring[ring_head % CONSOLE_RING] = c;
    ring_head++;
    USART_CR1(USART2_BASE) |= USART_CR1_TXEIE;
    __asm__ volatile("cpsie i" ::: "memory");
}

static int console_put(char c, FILE *f)
{
    (void)f;
    if (c == '\n')
        put_char('\r');
    put_char((uint8_t)c);
    return (unsigned char)c;
}

static FILE console_file = FDEV_SETUP_STREAM(console_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &console_file;
FILE *const stdout = &console_file;
FILE *const stderr = &console_file;

void console_init(void)
{
    RCC_AHB1ENR |= 1u << PORTA;
    RCC_APB1ENR |= 1u << 17;
    GPIO_MODER(PORTA) = (GPIO_MODER(PORTA) & ~0xF0u) | 0xA0u;
    GPIO_AFRL(PORTA) = (GPIO_AFRL(PORTA) & ~0xFF00u) | 0x7700u;
    uint32_t div = (apb1_hz() + 57600u) / 115200u; /* 16x oversampling: BRR = clock / baud */
    USART_BRR(USART2_BASE) = div;
    ring_head = ring_tail = 0;
    console_polled = false;
    USART_CR1(USART2_BASE) = (1u << 13) | (1u << 3) | (1u << 2);
    NVIC_IPR8(IRQ_USART2) = 0xC0;
    NVIC_ISER(IRQ_USART2 / 32) = 1u << (IRQ_USART2 % 32);
}

/* Everything queued is on the wire. */
void console_flush(void)
{
    if (console_polled) {
        while (!(USART_SR(USART2_BASE) & USART_SR_TC))
            ;
        return;
    }
    __asm__ volatile("cpsid i" ::: "memory");
    while (ring_tail != ring_head) {
        __asm__ volatile("wfi");
        __asm__ volatile("cpsie i\n\tisb\n\tcpsid i" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
    while (!(USART_SR(USART2_BASE) & USART_SR_TC))
        ;
}

/* For fault handlers: send what is queued by polling, then poll from now on. */
static void console_to_polling(void)
{
    USART_CR1(USART2_BASE) &= ~USART_CR1_TXEIE;
    while (ring_tail != ring_head) {
        put_polled(ring[ring_tail % CONSOLE_RING]);
        ring_tail++;
    }
    console_polled = true;
}

/* Before handing the core to another image: nothing of ours may interrupt it. */
void console_quiesce(void)
{
    console_flush();
    NVIC_ICER(IRQ_USART2 / 32) = 1u << (IRQ_USART2 % 32);
    USART_CR1(USART2_BASE) &= ~USART_CR1_TXEIE;
}

/* ---- millisecond tick ---- */

static volatile uint32_t ticks;
void (*tick_hook)(void);

void SysTick_Handler(void)
{
    ticks++;
    if (tick_hook)
        tick_hook();
}

void tick_init(void)
{
    SYST_RVR = core_hz / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;
}

uint32_t millis(void) { return ticks; }

void cpu_idle(void) { __asm__ volatile("wfi"); }

void delay_ms(uint32_t ms)
{
    uint32_t start = ticks;
    while (ticks - start < ms)
        __asm__ volatile("wfi");
}

/* ---- watchdog: LSI 32 kHz / 64 = 500 Hz ---- */

void watchdog_start(uint32_t ms)
{
    uint32_t reload = ms / 2u;
    if (reload > 0xFFFu)
        reload = 0xFFFu;
    IWDG_KR = 0xCCCCu;
    IWDG_KR = 0x5555u;
    IWDG_PR = 4u;
    IWDG_RLR = reload;
    while (IWDG_SR & 3u)
        ;
    IWDG_KR = 0xAAAAu;
}

void watchdog_kick(void) { IWDG_KR = 0xAAAAu; }

void system_reset(void)
{
    __asm__ volatile("dsb");
    SCB_AIRCR = AIRCR_RESET;
    __asm__ volatile("dsb");
    for (;;)
        ;
}

/* ---- LEDs PD12..PD15 ---- */

void led_init(void)
{
    RCC_AHB1ENR |= 1u << PORTD;
    GPIO_MODER(PORTD) = (GPIO_MODER(PORTD) & ~0xFF000000u) | 0x55000000u;
}

void led_set(unsigned led, bool on)
{
    GPIO_BSRR(PORTD) = on ? 1u << (12 + led) : 1u << (12 + led + 16);
}

/* ---- flash ---- */

static void flash_unlock(void)
{
    if (FLASH_CR & FLASH_CR_LOCK) {
        FLASH_KEYR = FLASH_KEY1;
        FLASH_KEYR = FLASH_KEY2;
    }
}

void flash_lock(void) { FLASH_CR |= FLASH_CR_LOCK; }

static int flash_wait(void)
{
    while (FLASH_SR & FLASH_SR_BSY)
        ;
    uint32_t sr = FLASH_SR;
    FLASH_SR = sr & (FLASH_SR_ERRORS | FLASH_SR_EOP);
    return (sr & FLASH_SR_ERRORS) ? -1 : 0;
}

int flash_erase_sector(unsigned sector)
{
    flash_unlock();
    flash_wait();
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(sector);
    FLASH_CR |= FLASH_CR_STRT;
    int r = flash_wait();
    FLASH_CR &= ~FLASH_CR_SER;
    return r;
}

/* End of a flash operation: the wake-up of the wait below. */
void FLASH_IRQHandler(void) { FLASH_SR = FLASH_SR_EOP; }

/* Sleeps until the operation in progress ends: a word takes 16 us, which
 * the core spends in WFI rather than polling. PRIMASK closes the window
 * between the BSY test and WFI (a pending interrupt still ends WFI). */
static void flash_sleep_while_busy(void)
{
    __asm__ volatile("cpsid i" ::: "memory");
    while (FLASH_SR & FLASH_SR_BSY) {
        __asm__ volatile("wfi");
        __asm__ volatile("cpsie i\n\tisb\n\tcpsid i" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

int flash_program(uint32_t dst, const void *src, size_t len)
{
    const uint8_t *p = src;
    flash_unlock();
    flash_wait();
    NVIC_ISER(IRQ_FLASH / 32) = 1u << (IRQ_FLASH % 32);
    FLASH_CR = FLASH_CR_PSIZE_X32 | FLASH_CR_PG | FLASH_CR_EOPIE;
    int r = 0;
    for (size_t k = 0; k < len; k += 4) {
        uint32_t w;
        memcpy(&w, p + k, 4);
        *(volatile uint32_t *)(uintptr_t)(dst + k) = w;
        flash_sleep_while_busy();
        if (flash_wait()) {
            r = -1;
            break;
        }
    }
    FLASH_CR &= ~(FLASH_CR_PG | FLASH_CR_EOPIE);
    if (!r && memcmp((const void *)(uintptr_t)dst, src, len))
        r = -1;
    return r;
}

uint32_t hw_random32(void)
{
    if (!(RNG_CR & (1u << 2))) {
        RCC_AHB2ENR |= 1u << 6;
        RNG_CR |= 1u << 2;
    }
    while (!(RNG_SR & 1u))
        ;
    return RNG_DR;
}
