/*
 * A power cut in the middle of a flash erase (run by tests/fw/stm32-powercut,
 * which cuts the power 400 ms into the first erase and restores it 5 ms
 * later). First run: a marker word goes to sector 9, the first 4 KiB of
 * sector 10 are programmed to zero, then sector 10 is erased (1 s at x32).
 * Second run, after the power comes back: power-on reset flags, the marker
 * is there, and the 4 KiB are neither erased nor intact but a mix (about
 * 40 % of the bytes erased, some half-erased), the same mix for the same
 * seed; SRAM was cleared by the power loss.
 */
#include "stm32_test.h"

#define MARKER ((volatile uint32_t *)0x080A0000u)
#define AREA ((volatile uint8_t *)0x080C0000u)
#define AREA_WORDS 1024
#define SRAM_WORD REG(0x2001F000u)

static void unlock(void)
{
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
}

static void wait_bsy(void)
{
    while (FLASH_SR & (1u << 16))
        ;
}

int main(void)
{
    if (MARKER[0] != 0xC0FFEE01u) {
        check("power-on reset flags", CSR_FLAGS == 0x0E000000u);
        SRAM_WORD = 0x5A5A5A5Au;
        unlock();
        FLASH_CR = (2u << 8) | 1u;
        MARKER[0] = 0xC0FFEE01u;
        wait_bsy();
        for (unsigned k = 0; k < AREA_WORDS; k++) {
            ((volatile uint32_t *)AREA)[k] = 0;
            wait_bsy();
        }
        check("area programmed to zero", ((volatile uint32_t *)AREA)[AREA_WORDS - 1] == 0);
        printf("erasing sector 10\n");
        FLASH_CR = (2u << 8) | (10u << 3) | 2u;
        FLASH_CR |= 1u << 16;
        wait_bsy();
        printf("the erase finished: the power was not cut\n");
        return 1;
    }
    uint64_t ms = elapsed_us() / 1000;
    printf("running again %lu ms after the first power-on\n", (unsigned long)ms);
    /* 1024 programs (~17 ms), 400 ms of erase, 5 ms without power, the boot */
    check("power back 5 ms after the cut, 400 ms into the erase", ms >= 420 && ms <= 428);
    check("power-on reset flags after the cut", CSR_FLAGS == 0x0E000000u);
    check("SRAM lost with the power", SRAM_WORD == 0);
    check("flash controller back to its reset state", FLASH_CR == 0x80000000u && FLASH_SR == 0);
    unsigned erased = 0, zero = 0, partial = 0;
    for (unsigned k = 0; k < 4 * AREA_WORDS; k++) {
        uint8_t b = AREA[k];
        erased += b == 0xFF;
        zero += b == 0;
        partial += b != 0xFF && b != 0;
    }
    printf("after the cut: %u bytes erased, %u untouched, %u half-erased\n", erased, zero, partial);
    check("partial erase: some bytes erased", erased > 4 * AREA_WORDS * 30 / 100 &&
          erased < 4 * AREA_WORDS * 50 / 100);
    check("partial erase: some bytes half-erased", partial > 0);
    check("partial erase: some bytes untouched", zero > 0);
    return failures;
}
