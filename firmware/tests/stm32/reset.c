/*
 * STM32F407 resets and what survives them, across four runs of this
 * program: power-on (PORRSTF|PINRSTF|BORRSTF), then an IWDG timeout
 * (+IWDGRSTF) measured in LSI time, then a WWDG timeout (WWDGRSTF|PINRSTF
 * after RMVF), then SYSRESETREQ (SFTRSTF|PINRSTF). The backup SRAM (written
 * with PWR_CR.DBP) and the CCM RAM keep their contents over every system
 * reset; the IWDG stops with the reset it caused. The stage lives in the
 * backup SRAM.
 */
#include "stm32_test.h"

#define BK ((volatile uint32_t *)BKPSRAM)
#define MAGIC 0xB5B5A001u
#define IWDG_KR REG(0x40003000u)
#define IWDG_PR REG(0x40003004u)
#define IWDG_RLR REG(0x40003008u)
#define IWDG_SR REG(0x4000300Cu)
#define WWDG_CR REG(0x40002C00u)
#define WWDG_CFR REG(0x40002C04u)

static void backup_on(void)
{
    RCC_APB1ENR |= 1u << 28;
    RCC_AHB1ENR |= 1u << 18;
    (void)RCC_AHB1ENR;
    PWR_CR |= 1u << 8; /* DBP */
}

static int contents_kept(unsigned stage)
{
    int ok = BK[1] == 0xCAFE0000u + stage && BK[1023] == ~(0xCAFE0000u + stage);
    ok &= REG(CCM + 0x40) == 0x0CC30000u + stage;
    return ok;
}

static void leave(unsigned stage)
{
    BK[0] = MAGIC + stage;
    BK[1] = 0xCAFE0000u + stage;
    BK[1023] = ~(0xCAFE0000u + stage);
    REG(CCM + 0x40) = 0x0CC30000u + stage;
}

int main(void)
{
    uint32_t now = (uint32_t)elapsed_us(), flags = CSR_FLAGS;
    backup_on();
    unsigned stage = BK[0] - MAGIC;
    if (stage > 3)
        stage = 0;
    printf("stage %u, RCC_CSR flags %08lx\n", stage, (unsigned long)flags);
    switch (stage) {
    case 0:
        check("power-on flags POR|PIN|BOR", flags == 0x0E000000u);
        check("backup SRAM written with DBP", (BK[5] = 0x12345678u, BK[5] == 0x12345678u));
        leave(1);
        BK[3] = now; /* reset to main takes this long */
        /* IWDG: /8, RLR 99: 100 ticks of 4 kHz = 25 ms */
        IWDG_KR = 0x5555;
        IWDG_PR = 1;
        IWDG_RLR = 99;
        while (IWDG_SR)
            ;
        IWDG_KR = 0xAAAA;
        IWDG_KR = 0xCCCC;
        BK[2] = (uint32_t)elapsed_us();
        for (;;)
            __asm__ volatile("wfi");
    case 1: {
        /* from the start to the reset, less the time from a reset to main */
        uint32_t dt = now - BK[2] - BK[3];
        printf("the IWDG reset came %lu us after its start\n", (unsigned long)dt);
        check("IWDG timeout 25 ms (+ LSI start-up) in LSI time", dt >= 25015 && dt <= 25020);
        check("flags + IWDGRSTF (they accumulate)", flags == 0x2E000000u);
        check("backup SRAM and CCM kept", contents_kept(1));
        check("IWDG stopped by its reset", IWDG_RLR == 0xFFF);
        RCC_CSR |= 1u << 24;
        check("RMVF clears the flags", CSR_FLAGS == 0);
        leave(2);
        /* WWDG at PCLK1/4096/8: 2048 us a count, 0x45 -> 0x3F is 6 counts */
        RCC_APB1ENR |= 1u << 11;
        (void)RCC_APB1ENR;
        WWDG_CFR = (3u << 7) | 0x7F;
        WWDG_CR = 0x80 | 0x45;
        for (;;)
            __asm__ volatile("wfi");
    }
    case 2:
        check("WWDG flags WWDGRSTF|PINRSTF", flags == 0x44000000u);
        check("backup SRAM and CCM kept", contents_kept(2));
        RCC_CSR |= 1u << 24;
        leave(3);
        SCB_AIRCR = 0x05FA0004u;
        for (;;)
            ;
    default:
        check("software reset flags SFTRSTF|PINRSTF", flags == 0x14000000u);
        check("backup SRAM and CCM kept", contents_kept(3));
        check("IWDG does not come back", 1);
        BK[0] = 0;
        return failures;
    }
}
