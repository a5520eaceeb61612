/*
 * STM32F407 flash: unlock, erase, program and verify as a bootloader does,
 * with every error case: PGSERR (store while not programming), PGPERR (width
 * against PSIZE), PGAERR (an x64 double word out of place), WRPERR (a sector protected
 * through the option bytes), OPERR (with ERRIE, and the FLASH interrupt), and
 * the lock-out after a wrong key (a BusFault, then locked even with the right
 * keys until a reset). The second run (after SYSRESETREQ) checks that the
 * reset lifted the lock-out and the data stayed. Erase times are measured in
 * virtual time. The word 0x12345678 at 0x080E0000 is what the --flash test
 * looks for in the saved image.
 */
#include "stm32_test.h"

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_BSY (1u << 16)
#define SR_ALL 0xF3u
#define CR_PG 1u
#define CR_SER 2u
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_ERRIE (1u << 25)
#define CR_LOCK (1u << 31)
#define X8 (0u << 8)
#define X16 (1u << 8)
#define X32 (2u << 8)
#define SECTOR10 ((volatile uint32_t *)0x080C0000u)
#define SECTOR11 ((volatile uint32_t *)0x080E0000u)
#define STATE (*(volatile uint32_t *)(CCM + 0x100)) /* CCM survives a system reset */
#define STATE_AFTER_RESET 0x5EC0u

static volatile uint32_t bus_faults, bfar, flash_irqs;

static void busfault_handler(void)
{
    bus_faults++;
    bfar = SCB_BFAR;
    SCB_CFSR = SCB_CFSR; /* clear */
    /* return past the faulting 16-bit store */
    uint32_t *frame;
    __asm__ volatile("mrs %0, msp" : "=r"(frame));
    frame[6] += 2;
}

static void flash_handler(void)
{
    flash_irqs++;
    FLASH_SR = SR_ALL;
}

/* One 16-bit STR, so the fault handler knows how far to skip. */
static void store16bit(volatile uint32_t *addr, uint32_t v)
{
    __asm__ volatile("str %1, [%0]" : : "l"(addr), "l"(v) : "memory");
}

static void unlock(void)
{
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
}

static void wait_bsy(void)
{
    while (FLASH_SR & SR_BSY)
        ;
}

static uint64_t erase(unsigned sector, uint32_t psize)
{
    wait_bsy();
    FLASH_CR = psize | (sector << 3) | CR_SER;
    uint64_t t0 = elapsed_us();
    FLASH_CR |= CR_STRT;
    wait_bsy();   /* this code runs from flash: its fetches stall until the end */
    return (elapsed_us() - t0) / 1000;
}

static void after_reset(void)
{
    check("software reset flags", CSR_FLAGS == 0x14000000u);
    check("flash locked again after the reset", (FLASH_CR & CR_LOCK) != 0);
    unlock();
    check("keys accepted after the reset", !(FLASH_CR & CR_LOCK));
    check("programmed data kept over the reset", SECTOR11[0] == 0x12345678u);
    FLASH_CR = CR_LOCK;
}

int main(void)
{
    if (STATE == STATE_AFTER_RESET) {
        STATE = 0;
        after_reset();
        return failures;
    }
    RCC_CSR |= 1u << 24; /* RMVF */
    vectors_to_ram();
    set_handler(5, busfault_handler);
    set_handler(16 + 4, flash_handler);
    SCB_SHCSR |= 1u << 17; /* BUSFAULTENA */

    /* PGSERR: a store while locked or without PG is dropped, no fault */
    SECTOR11[0] = 0;
    check("store while locked: PGSERR", FLASH_SR == SR_PGSERR && SECTOR11[0] == 0xFFFFFFFFu);
    FLASH_SR = SR_ALL;
    unlock();
    check("unlocked by KEY1, KEY2", !(FLASH_CR & CR_LOCK));
    FLASH_CR = X32;
    SECTOR11[0] = 0;
    check("store with PG = 0: PGSERR", FLASH_SR == SR_PGSERR && SECTOR11[0] == 0xFFFFFFFFu);
    FLASH_SR = SR_ALL;

    /* erase times in virtual time (typical, datasheet) */
    uint64_t ms = erase(11, X32);
    printf("128 KiB sector erase (x32) took %lu ms\n", (unsigned long)ms);
    check("erase time x32 128 KiB = 1000 ms", ms == 1000);
    ms = erase(10, X16);
    printf("128 KiB sector erase (x16) took %lu ms\n", (unsigned long)ms);
    check("erase time x16 128 KiB = 1300 ms", ms == 1300);
    check("sectors erased", SECTOR11[0] == 0xFFFFFFFFu && SECTOR11[32767] == 0xFFFFFFFFu &&
          SECTOR10[100] == 0xFFFFFFFFu);

    /* program and verify by width; bits only go 1 -> 0 */
    FLASH_CR = X32 | CR_PG;
    SECTOR11[0] = 0x12345678u;
    wait_bsy();
    SECTOR11[1] = 0xA5A5A5A5u;
    wait_bsy();
    SECTOR11[1] = 0xFFFF0000u;
    wait_bsy();
    check("x32 programmed and verified", SECTOR11[0] == 0x12345678u && SECTOR11[1] == 0xA5A50000u);
    FLASH_CR = X16 | CR_PG;
    REG16(&SECTOR10[0]) = 0xBEEF;
    wait_bsy();
    FLASH_CR = X8 | CR_PG;
    REG8((uint32_t)&SECTOR10[0] + 2) = 0x42;
    wait_bsy();
    check("x16 and x8 programmed", SECTOR10[0] == 0xFF42BEEFu);
    check("no EOP without EOPIE", FLASH_SR == 0);

    /* PGPERR and PGAERR */
    FLASH_CR = X32 | CR_PG;
    REG16(&SECTOR11[2]) = 0x1111;
    check("halfword at x32: PGPERR", FLASH_SR == SR_PGPERR && SECTOR11[2] == 0xFFFFFFFFu);
    FLASH_SR = SR_ALL;
    /* x64 programs a double word from two word stores; one starting off the
     * double word cannot be contained in the row slot: PGAERR (the core
     * splits unaligned stores into bytes, so narrower widths give PGPERR) */
    FLASH_CR = (3u << 8) | CR_PG;
    SECTOR11[3] = 0x22222222u;
    check("x64 off a double word: PGAERR", FLASH_SR == SR_PGAERR && SECTOR11[3] == 0xFFFFFFFFu);
    FLASH_SR = SR_ALL;
    SECTOR11[6] = 0x33333333u;
    SECTOR11[7] = 0x44444444u;
    wait_bsy();
    check("x64 double word programmed", SECTOR11[6] == 0x33333333u && SECTOR11[7] == 0x44444444u);

    /* OPERR and the FLASH interrupt with ERRIE */
    NVIC_ISER(0) = 1u << 4;
    FLASH_CR = X32 | CR_PG | CR_ERRIE;
    REG8(&SECTOR11[4]) = 0;
    __asm__ volatile("dsb\n\tisb");
    check("ERRIE: OPERR with PGPERR, FLASH interrupt", flash_irqs == 1);
    /* EOP with EOPIE */
    FLASH_CR = X32 | CR_PG | CR_EOPIE;
    SECTOR11[5] = 0;
    wait_bsy();
    __asm__ volatile("dsb\n\tisb");
    check("EOP interrupt after a program", flash_irqs == 2);
    FLASH_CR = 0;

    /* WRPERR: protect sector 9 through the option bytes */
    FLASH_OPTKEYR = 0x08192A3Bu;
    FLASH_OPTKEYR = 0x4C5D6E7Fu;
    check("option bytes unlocked", !(FLASH_OPTCR & 1u));
    FLASH_OPTCR &= ~(1u << (16 + 9));
    FLASH_OPTCR |= 2u; /* OPTSTRT */
    wait_bsy();
    check("nWRP9 programmed", REG16(0x1FFFC008u) == 0x0DFF);
    ms = erase(9, X32);
    check("erase of a protected sector: WRPERR", FLASH_SR == SR_WRPERR && ms == 0);
    FLASH_SR = SR_ALL;
    FLASH_CR = X32 | CR_PG;
    ((volatile uint32_t *)0x080A0000u)[0] = 0;
    check("program of a protected sector: WRPERR", (FLASH_SR & SR_WRPERR) &&
          ((volatile uint32_t *)0x080A0000u)[0] == 0xFFFFFFFFu);
    FLASH_SR = SR_ALL;
    FLASH_OPTCR |= 1u << (16 + 9);
    FLASH_OPTCR |= 2u;
    wait_bsy();
    FLASH_OPTCR |= 1u; /* OPTLOCK */
    check("protection removed", REG16(0x1FFFC008u) == 0x0FFF);

    /* lock, then a wrong key: BusFault and locked until reset */
    FLASH_CR = CR_LOCK;
    FLASH_KEYR = 0x45670123u;
    store16bit(&FLASH_KEYR, 0x11111111u);
    check("wrong key: BusFault at FLASH_KEYR", bus_faults == 1 && bfar == 0x40023C04u);
    store16bit(&FLASH_KEYR, 0x45670123u);
    store16bit(&FLASH_KEYR, 0xCDEF89ABu);
    check("the right keys fault too now", bus_faults == 3);
    check("FLASH_CR stays locked", (FLASH_CR & CR_LOCK) != 0);
    printf("failures before the reset: %d\n", failures);
    STATE = STATE_AFTER_RESET;
    SCB_AIRCR = 0x05FA0004u; /* SYSRESETREQ */
    for (;;)
        ;
}
