/*
 * STM32F4 RCC (RM0090 section 7.2 clock tree, 7.3 registers; register facts
 * in the STM32F407 fact sheet, section 2.1).
 *
 * Modelled: every register with its reset value and access rules; the
 * oscillators and PLLs with start-up and lock times in virtual time (HSI
 * 2.2 us, HSE crystal 2 ms, PLL and PLLI2S lock 100 us, LSI 15 us, LSE 2 s:
 * typical values of the STM32F405/407 datasheet); ready flags that rise after
 * that time and fall when the oscillator is switched off; a source that runs
 * SYSCLK (directly or through the PLL) cannot be switched off; the system
 * clock switch, which completes when the selected source is ready (so SWS
 * follows SW then); the clock tree (HSI 16 MHz, HSE from the board, PLL
 * M/N/P/Q, AHB/APB prescalers, timer clocks doubled when the APB prescaler
 * is not 1, PLL48CK, LSI, LSE) driving the sim_clock_t's the CPU and every
 * peripheral time themselves by; one gated clock per peripheral enable bit
 * (0 Hz while the enable bit is clear); the ready interrupts (CIR) on the
 * RCC line; the clock security system (HSE failure: CSSF, NMI, switch to
 * HSI, HSE and an HSE-fed PLL stop); RSTR bits resetting peripherals through
 * the container; BDCR write protection by PWR_CR.DBP, RTCSEL fixed until
 * BDRST, the backup domain kept across system resets; CSR reset flags with
 * RMVF.
 * The PLL runs with the PLLCFGR value it locked with: RM0090 allows writing
 * PLLCFGR only while the PLL is off, and a write while it runs takes effect
 * at the next lock (and is logged). Any PLL setting the chip accepts is
 * accepted; settings outside the datasheet's VCO ranges and a SYSCLK above
 * 168 MHz run and are reported once. Without the clock security system an
 * HSE failure stops an HSE-fed SYSCLK, and an HSE-fed PLL free-runs near the
 * bottom of its VCO range (as observed on real parts).
 *
 * Stop and Standby (the SoC calls stm32f4_rcc_enter_stop/exit_stop): the
 * hardware clears HSEON, PLLON and PLLI2SON; the HSI stops too, and with it
 * SYSCLK and every clock of the 1.2 V domain (timers, buses, the core) stand
 * at 0 Hz, while the LSI and LSE (and the RTC and IWDG on them) run on; an
 * RTC on HSE/RTCPRE stops. On the way out of Stop the HSI is on and selected
 * (HSION set, SW = SWS = HSI), the bus prescalers as they were (RM0090 5.3.5,
 * 7.3.1, 7.3.3). With DBGMCU_CR.DBG_STOP the HSI keeps clocking the system
 * through Stop (RM0090 38.16.1), so the clock configuration of the exit is
 * there from the start.
 * Not modelled: MCO outputs, the PLLI2S outputs (I2S is not modelled), spread
 * spectrum (SSCGR is stored), the low-power enable registers (stored; sleep
 * keeps every clock running), HSITRIM's effect on the HSI frequency (the
 * mcu.hsi_ppm control moves it instead).
 */
#include "stm32f4_rcc.h"
#include <stdio.h>
#include <string.h>
#include "sim/log.h"

#define HSI_HZ 16000000u
#define LSI_HZ_TYP 32000u
#define HSICAL_FACTORY 0x6Eu         /* bits 15:8 of CR: a plausible calibration */
#define PLL_FREE_RUN_VCO_HZ 16000000u /* VCO with its reference gone */

REG32(CR, 0x00)
FIELD(CR, HSION, 0, 1)               /* HSI on */
FIELD(CR, HSIRDY, 1, 1)              /* HSI ready (ro) */
FIELD(CR, HSITRIM, 3, 5)             /* user trim */
FIELD(CR, HSICAL, 8, 8)              /* factory calibration (ro) */
FIELD(CR, HSEON, 16, 1)              /* HSE on */
FIELD(CR, HSERDY, 17, 1)             /* HSE ready (ro) */
FIELD(CR, HSEBYP, 18, 1)             /* external clock instead of a crystal */
FIELD(CR, CSSON, 19, 1)              /* clock security system on */
FIELD(CR, PLLON, 24, 1)              /* main PLL on */
FIELD(CR, PLLRDY, 25, 1)             /* main PLL locked (ro) */
FIELD(CR, PLLI2SON, 26, 1)           /* I2S PLL on */
FIELD(CR, PLLI2SRDY, 27, 1)          /* I2S PLL locked (ro) */
REG32(PLLCFGR, 0x04)
FIELD(PLLCFGR, PLLM, 0, 6)           /* input divider, 2..63 */
FIELD(PLLCFGR, PLLN, 6, 9)           /* VCO multiplier, 50..432 */
FIELD(PLLCFGR, PLLP, 16, 2)          /* SYSCLK divider /2 /4 /6 /8 */
FIELD(PLLCFGR, PLLSRC, 22, 1)        /* 0 HSI, 1 HSE */
FIELD(PLLCFGR, PLLQ, 24, 4)          /* PLL48CK divider, 2..15 */
REG32(CFGR, 0x08)
FIELD(CFGR, SW, 0, 2)                /* system clock switch */
FIELD(CFGR, SWS, 2, 2)               /* system clock in use (ro) */
FIELD(CFGR, HPRE, 4, 4)              /* AHB prescaler */
FIELD(CFGR, PPRE1, 10, 3)            /* APB1 prescaler */
FIELD(CFGR, PPRE2, 13, 3)            /* APB2 prescaler */
FIELD(CFGR, RTCPRE, 16, 5)           /* HSE divider for the RTC */
REG32(CIR, 0x0C)
FIELD(CIR, RDYF, 0, 6)               /* LSI LSE HSI HSE PLL PLLI2S ready flags (ro) */
FIELD(CIR, CSSF, 7, 1)               /* clock security flag (ro) */
FIELD(CIR, RDYIE, 8, 6)              /* ready interrupt enables */
FIELD(CIR, RDYC, 16, 6)              /* ready flag clears (w1) */
FIELD(CIR, CSSC, 23, 1)              /* clock security flag clear (w1) */
REG32(AHB1RSTR, 0x10)
REG32(AHB2RSTR, 0x14)
REG32(AHB3RSTR, 0x18)
REG32(APB1RSTR, 0x20)
REG32(APB2RSTR, 0x24)
REG32(AHB1ENR, 0x30)
REG32(AHB2ENR, 0x34)
REG32(AHB3ENR, 0x38)
REG32(APB1ENR, 0x40)
REG32(APB2ENR, 0x44)
REG32(AHB1LPENR, 0x50)
REG32(AHB2LPENR, 0x54)
REG32(AHB3LPENR, 0x58)
REG32(APB1LPENR, 0x60)
REG32(APB2LPENR, 0x64)
REG32(BDCR, 0x70)
FIELD(BDCR, LSEON, 0, 1)             /* LSE on */
FIELD(BDCR, LSERDY, 1, 1)            /* LSE ready (ro) */
FIELD(BDCR, LSEBYP, 2, 1)            /* LSE bypass */
FIELD(BDCR, RTCSEL, 8, 2)            /* RTC clock: none, LSE, LSI, HSE/RTCPRE */
FIELD(BDCR, RTCEN, 15, 1)            /* RTC clock enable */
FIELD(BDCR, BDRST, 16, 1)            /* backup domain software reset */
REG32(CSR, 0x74)
FIELD(CSR, LSION, 0, 1)              /* LSI on */
FIELD(CSR, LSIRDY, 1, 1)             /* LSI ready (ro) */
FIELD(CSR, RMVF, 24, 1)              /* remove reset flags (w) */
FIELD(CSR, RSTF, 25, 7)              /* BOR PIN POR SFT IWDG WWDG LPWR reset flags (ro) */
REG32(SSCGR, 0x80)
REG32(PLLI2SCFGR, 0x84)

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void pllcfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cir_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void rstr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void enr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void bdcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void csr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

/* Writable bits follow RM0090 7.3 for the STM32F405/407 (the CRYP and HASH
 * bits of AHB2 exist only on the F415/417 and are reserved here). */
static const reg_desc_t rcc_regs[RCC_NREGS] = {
    [RCC_CR] = { "CR", A_CR, 0x00000083 | (HSICAL_FACTORY << 8), 0x050D00F9,
                 .post_write = cr_written },
    [RCC_PLLCFGR] = { "PLLCFGR", A_PLLCFGR, 0x24003010, 0x0F437FFF, .post_write = pllcfgr_written },
    [RCC_CFGR] = { "CFGR", A_CFGR, 0, 0xFFFFFCF3, .post_write = cfgr_written },
    [RCC_CIR] = { "CIR", A_CIR, 0, 0x00003F00, .wo_mask = 0x00BF0000, .post_write = cir_written },
    [RCC_AHB1RSTR] = { "AHB1RSTR", A_AHB1RSTR, 0, 0x22E011FF, .post_write = rstr_written },
    [RCC_AHB2RSTR] = { "AHB2RSTR", A_AHB2RSTR, 0, 0x000000C1, .post_write = rstr_written },
    [RCC_AHB3RSTR] = { "AHB3RSTR", A_AHB3RSTR, 0, 0x00000001, .post_write = rstr_written },
    [RCC_APB1RSTR] = { "APB1RSTR", A_APB1RSTR, 0, 0x36FEC9FF, .post_write = rstr_written },
    [RCC_APB2RSTR] = { "APB2RSTR", A_APB2RSTR, 0, 0x00075933, .post_write = rstr_written },
    [RCC_AHB1ENR] = { "AHB1ENR", A_AHB1ENR, 0x00100000, 0x7E7411FF, .post_write = enr_written },
    [RCC_AHB2ENR] = { "AHB2ENR", A_AHB2ENR, 0, 0x000000C1, .post_write = enr_written },
    [RCC_AHB3ENR] = { "AHB3ENR", A_AHB3ENR, 0, 0x00000001, .post_write = enr_written },
    [RCC_APB1ENR] = { "APB1ENR", A_APB1ENR, 0, 0x36FEC9FF, .post_write = enr_written },
    [RCC_APB2ENR] = { "APB2ENR", A_APB2ENR, 0, 0x00075F33, .post_write = enr_written },
    [RCC_AHB1LPENR] = { "AHB1LPENR", A_AHB1LPENR, 0x7E6791FF, 0x7E6791FF },
    [RCC_AHB2LPENR] = { "AHB2LPENR", A_AHB2LPENR, 0x000000F1, 0x000000F1 },
    [RCC_AHB3LPENR] = { "AHB3LPENR", A_AHB3LPENR, 0x00000001, 0x00000001 },
    [RCC_APB1LPENR] = { "APB1LPENR", A_APB1LPENR, 0x36FEC9FF, 0x36FEC9FF },
    [RCC_APB2LPENR] = { "APB2LPENR", A_APB2LPENR, 0x00075F33, 0x00075F33 },
    [RCC_BDCR] = { "BDCR", A_BDCR, 0, 0x00018305, .post_write = bdcr_written },
    [RCC_CSR] = { "CSR", A_CSR, 0x0E000000, 0x00000001, .wo_mask = R_CSR_RMVF_MASK,
                  .post_write = csr_written },
    [RCC_SSCGR] = { "SSCGR", A_SSCGR, 0, 0xCFFFFFFF },
    [RCC_PLLI2SCFGR] = { "PLLI2SCFGR", A_PLLI2SCFGR, 0x20003000, 0x70007FC0 },
};

/* Parent clocks of the gates. */
enum { PAR_HCLK, PAR_PCLK1, PAR_PCLK2, PAR_TIMCLK1, PAR_TIMCLK2, PAR_PLL48 };

static const struct {
    const char *name;
    uint8_t reg, bit, parent;
} gates[GATE_COUNT] = {
    [GATE_GPIOA] = { "GPIOA", RCC_AHB1ENR, 0, PAR_HCLK },
    [GATE_GPIOB] = { "GPIOB", RCC_AHB1ENR, 1, PAR_HCLK },
    [GATE_GPIOC] = { "GPIOC", RCC_AHB1ENR, 2, PAR_HCLK },
    [GATE_GPIOD] = { "GPIOD", RCC_AHB1ENR, 3, PAR_HCLK },
    [GATE_GPIOE] = { "GPIOE", RCC_AHB1ENR, 4, PAR_HCLK },
    [GATE_GPIOF] = { "GPIOF", RCC_AHB1ENR, 5, PAR_HCLK },
    [GATE_GPIOG] = { "GPIOG", RCC_AHB1ENR, 6, PAR_HCLK },
    [GATE_GPIOH] = { "GPIOH", RCC_AHB1ENR, 7, PAR_HCLK },
    [GATE_GPIOI] = { "GPIOI", RCC_AHB1ENR, 8, PAR_HCLK },
    [GATE_CRC] = { "CRC", RCC_AHB1ENR, 12, PAR_HCLK },
    [GATE_BKPSRAM] = { "BKPSRAM", RCC_AHB1ENR, 18, PAR_HCLK },
    [GATE_CCMRAM] = { "CCMDATARAM", RCC_AHB1ENR, 20, PAR_HCLK },
    [GATE_DMA1] = { "DMA1", RCC_AHB1ENR, 21, PAR_HCLK },
    [GATE_DMA2] = { "DMA2", RCC_AHB1ENR, 22, PAR_HCLK },
    [GATE_RNG] = { "RNG", RCC_AHB2ENR, 6, PAR_PLL48 },
    [GATE_TIM2] = { "TIM2", RCC_APB1ENR, 0, PAR_TIMCLK1 },
    [GATE_TIM3] = { "TIM3", RCC_APB1ENR, 1, PAR_TIMCLK1 },
    [GATE_TIM4] = { "TIM4", RCC_APB1ENR, 2, PAR_TIMCLK1 },
    [GATE_TIM5] = { "TIM5", RCC_APB1ENR, 3, PAR_TIMCLK1 },
    [GATE_TIM6] = { "TIM6", RCC_APB1ENR, 4, PAR_TIMCLK1 },
    [GATE_TIM7] = { "TIM7", RCC_APB1ENR, 5, PAR_TIMCLK1 },
    [GATE_TIM12] = { "TIM12", RCC_APB1ENR, 6, PAR_TIMCLK1 },
    [GATE_TIM13] = { "TIM13", RCC_APB1ENR, 7, PAR_TIMCLK1 },
    [GATE_TIM14] = { "TIM14", RCC_APB1ENR, 8, PAR_TIMCLK1 },
    [GATE_WWDG] = { "WWDG", RCC_APB1ENR, 11, PAR_PCLK1 },
    [GATE_SPI2] = { "SPI2", RCC_APB1ENR, 14, PAR_PCLK1 },
    [GATE_SPI3] = { "SPI3", RCC_APB1ENR, 15, PAR_PCLK1 },
    [GATE_USART2] = { "USART2", RCC_APB1ENR, 17, PAR_PCLK1 },
    [GATE_USART3] = { "USART3", RCC_APB1ENR, 18, PAR_PCLK1 },
    [GATE_UART4] = { "UART4", RCC_APB1ENR, 19, PAR_PCLK1 },
    [GATE_UART5] = { "UART5", RCC_APB1ENR, 20, PAR_PCLK1 },
    [GATE_PWR] = { "PWR", RCC_APB1ENR, 28, PAR_PCLK1 },
    [GATE_TIM1] = { "TIM1", RCC_APB2ENR, 0, PAR_TIMCLK2 },
    [GATE_TIM8] = { "TIM8", RCC_APB2ENR, 1, PAR_TIMCLK2 },
    [GATE_USART1] = { "USART1", RCC_APB2ENR, 4, PAR_PCLK2 },
    [GATE_USART6] = { "USART6", RCC_APB2ENR, 5, PAR_PCLK2 },
    [GATE_SPI1] = { "SPI1", RCC_APB2ENR, 12, PAR_PCLK2 },
    [GATE_SYSCFG] = { "SYSCFG", RCC_APB2ENR, 14, PAR_PCLK2 },
    [GATE_TIM9] = { "TIM9", RCC_APB2ENR, 16, PAR_TIMCLK2 },
    [GATE_TIM10] = { "TIM10", RCC_APB2ENR, 17, PAR_TIMCLK2 },
    [GATE_TIM11] = { "TIM11", RCC_APB2ENR, 18, PAR_TIMCLK2 },
};

/* Start-up (or lock) times, ns. */
static const sim_time_t start_ns[OSC_COUNT] = {
    [OSC_HSI] = 2200, [OSC_HSE] = SIM_MS(2), [OSC_PLL] = SIM_US(100),
    [OSC_PLLI2S] = SIM_US(100), [OSC_LSI] = SIM_US(15), [OSC_LSE] = SIM_S(2),
};
#define HSE_BYPASS_START_NS SIM_US(1)

/* Ready flag positions: CR/CSR/BDCR bit, CIR flag bit. */
static const uint8_t cir_flag[OSC_COUNT] = {
    [OSC_LSI] = 0, [OSC_LSE] = 1, [OSC_HSI] = 2, [OSC_HSE] = 3, [OSC_PLL] = 4, [OSC_PLLI2S] = 5,
};
static const char *const osc_names[OSC_COUNT] = {
    [OSC_HSI] = "rcc.hsi", [OSC_HSE] = "rcc.hse", [OSC_PLL] = "rcc.pll",
    [OSC_PLLI2S] = "rcc.plli2s", [OSC_LSI] = "rcc.lsi", [OSC_LSE] = "rcc.lse",
};

const char *stm32f4_rcc_gate_name(enum stm32f4_gate g)
{
    return g < GATE_COUNT ? gates[g].name : "?";
}

bool stm32f4_rcc_gate_on(const stm32f4_rcc_t *s, enum stm32f4_gate g)
{
    return (s->r[gates[g].reg] >> gates[g].bit) & 1;
}

static uint64_t scale_ppb(uint64_t hz, int64_t ppb)
{
    __int128 v = (__int128)hz * (1000000000 + ppb);
    v /= 1000000000;
    return v < 0 ? 0 : (uint64_t)v;
}

static uint64_t hsi_hz(const stm32f4_rcc_t *s)
{
    return scale_ppb(HSI_HZ, s->hsi_ppb);
}

static uint64_t hse_hz(const stm32f4_rcc_t *s)
{
    return s->hse_failed ? 0 : scale_ppb(s->hse_hz, s->hse_ppb);
}

static bool pll_cfg_valid(uint32_t cfg)
{
    unsigned m = FIELD_EX32(cfg, PLLCFGR, PLLM), n = FIELD_EX32(cfg, PLLCFGR, PLLN);
    return m >= 2 && n >= 2 && n <= 432;
}

/* The PLL's VCO frequency with the configuration it locked with. */
static uint64_t pll_vco(const stm32f4_rcc_t *s)
{
    if (!s->ready[OSC_PLL])
        return 0;
    uint32_t cfg = s->pll_cfg;
    uint64_t src = FIELD_EX32(cfg, PLLCFGR, PLLSRC) ? hse_hz(s) : hsi_hz(s);
    if (!src)
        return PLL_FREE_RUN_VCO_HZ;
    return src * FIELD_EX32(cfg, PLLCFGR, PLLN) / FIELD_EX32(cfg, PLLCFGR, PLLM);
}

static uint64_t source_hz(const stm32f4_rcc_t *s, unsigned sws)
{
    switch (sws) {
    case 0: return hsi_hz(s);
    case 1: return hse_hz(s);
    case 2: return pll_vco(s) / (2 * (FIELD_EX32(s->pll_cfg, PLLCFGR, PLLP) + 1));
    default: return 0;
    }
}

static void warn_once(stm32f4_rcc_t *s, unsigned key, const char *what, uint64_t hz, uint64_t max)
{
    (void)s;
    if (hz > max)
        log_once(LOG_WARN, "rcc", key, "%s %llu Hz is above the rated %llu MHz; running anyway",
                 what, (unsigned long long)hz, (unsigned long long)(max / 1000000));
}

static uint64_t rtcclk_hz(const stm32f4_rcc_t *s)
{
    uint32_t bdcr = s->r[RCC_BDCR];
    unsigned pre = FIELD_EX32(s->r[RCC_CFGR], CFGR, RTCPRE);
    if (!(bdcr & R_BDCR_RTCEN_MASK))
        return 0;
    switch (FIELD_EX32(bdcr, BDCR, RTCSEL)) {
    case 1: return s->ready[OSC_LSE] ? s->lse_hz : 0;
    case 2: return s->ready[OSC_LSI] ? s->lsi_hz : 0;
    case 3: return s->ready[OSC_HSE] && pre >= 2 ? hse_hz(s) / pre : 0;
    default: return 0;
    }
}

static void recompute(stm32f4_rcc_t *s)
{
    uint32_t cfgr = s->r[RCC_CFGR];
    uint64_t sys = s->stopped ? 0 : source_hz(s, FIELD_EX32(cfgr, CFGR, SWS));
    unsigned hpre = FIELD_EX32(cfgr, CFGR, HPRE);
    static const unsigned hdiv[8] = { 2, 4, 8, 16, 64, 128, 256, 512 };
    uint64_t hclk = hpre & 8 ? sys / hdiv[hpre & 7] : sys;
    unsigned p1 = FIELD_EX32(cfgr, CFGR, PPRE1), p2 = FIELD_EX32(cfgr, CFGR, PPRE2);
    uint64_t pclk1 = p1 & 4 ? hclk >> ((p1 & 3) + 1) : hclk;
    uint64_t pclk2 = p2 & 4 ? hclk >> ((p2 & 3) + 1) : hclk;
    unsigned q = FIELD_EX32(s->pll_cfg, PLLCFGR, PLLQ);
    uint64_t pll48 = q >= 2 ? pll_vco(s) / q : 0;
    if (sys > 168000000u && !s->warned_overclock) {
        s->warned_overclock = true;
        log_msg(LOG_WARN, "rcc", "SYSCLK %llu Hz is above the rated 168 MHz; running anyway",
                (unsigned long long)sys);
    }
    warn_once(s, 1, "PCLK1 (APB1)", pclk1, 42000000u);
    warn_once(s, 2, "PCLK2 (APB2)", pclk2, 84000000u);
    warn_once(s, 3, "PLL48CK", pll48, 48000000u);
    if (FIELD_EX32(s->r[RCC_BDCR], BDCR, RTCSEL) == 3)
        warn_once(s, 4, "RTCCLK (HSE/RTCPRE)", rtcclk_hz(s), 1000000u);
    clock_set_hz(&s->sysclk, sys);
    clock_set_hz(&s->hclk, hclk);
    clock_set_hz(&s->pclk1, pclk1);
    clock_set_hz(&s->pclk2, pclk2);
    clock_set_hz(&s->timclk1, p1 & 4 ? 2 * pclk1 : pclk1);
    clock_set_hz(&s->timclk2, p2 & 4 ? 2 * pclk2 : pclk2);
    clock_set_hz(&s->pll48, pll48);
    clock_set_hz(&s->lsi, s->ready[OSC_LSI] ? s->lsi_hz : 0);
    clock_set_hz(&s->lse, s->ready[OSC_LSE] ? s->lse_hz : 0);
    clock_set_hz(&s->rtcclk, rtcclk_hz(s));
    const sim_clock_t *parents[] = { [PAR_HCLK] = &s->hclk, [PAR_PCLK1] = &s->pclk1,
                                     [PAR_PCLK2] = &s->pclk2, [PAR_TIMCLK1] = &s->timclk1,
                                     [PAR_TIMCLK2] = &s->timclk2, [PAR_PLL48] = &s->pll48 };
    for (unsigned g = 0; g < GATE_COUNT; g++)
        clock_set_hz(&s->gate[g], stm32f4_rcc_gate_on(s, g) ? clock_hz(parents[gates[g].parent]) : 0);
}

static void update_irq(stm32f4_rcc_t *s)
{
    uint32_t cir = s->r[RCC_CIR];
    irq_set(&s->irq, (FIELD_EX32(cir, CIR, RDYF) & FIELD_EX32(cir, CIR, RDYIE)) != 0);
    irq_set(&s->css_nmi, (cir & R_CIR_CSSF_MASK) != 0);
}

/* Whether each oscillator is asked to run (by software or by hardware). */
static bool osc_wanted(const stm32f4_rcc_t *s, unsigned osc)
{
    uint32_t cr = s->r[RCC_CR];
    switch (osc) {
    case OSC_HSI: return (cr & R_CR_HSION_MASK) && !s->stopped;
    case OSC_HSE: return (cr & R_CR_HSEON_MASK) && s->hse_hz && !s->hse_failed;
    case OSC_PLL: return cr & R_CR_PLLON_MASK;
    case OSC_PLLI2S: return cr & R_CR_PLLI2SON_MASK;
    case OSC_LSI: return (s->r[RCC_CSR] & R_CSR_LSION_MASK) || s->lsi_forced;
    case OSC_LSE: return (s->r[RCC_BDCR] & R_BDCR_LSEON_MASK) && s->lse_hz;
    default: return false;
    }
}

/* A PLL can lock only once its reference runs. */
static bool pll_source_ready(const stm32f4_rcc_t *s)
{
    return FIELD_EX32(s->r[RCC_PLLCFGR], PLLCFGR, PLLSRC) ? s->ready[OSC_HSE] : s->ready[OSC_HSI];
}

static void sync_ready_bits(stm32f4_rcc_t *s)
{
    uint32_t cr = s->r[RCC_CR];
    cr = FIELD_DP32(cr, CR, HSIRDY, s->ready[OSC_HSI]);
    cr = FIELD_DP32(cr, CR, HSERDY, s->ready[OSC_HSE]);
    cr = FIELD_DP32(cr, CR, PLLRDY, s->ready[OSC_PLL]);
    cr = FIELD_DP32(cr, CR, PLLI2SRDY, s->ready[OSC_PLLI2S]);
    s->r[RCC_CR] = cr;
    s->r[RCC_CSR] = FIELD_DP32(s->r[RCC_CSR], CSR, LSIRDY, s->ready[OSC_LSI]);
    s->r[RCC_BDCR] = FIELD_DP32(s->r[RCC_BDCR], BDCR, LSERDY, s->ready[OSC_LSE]);
}

/* The system clock switch completes once its target is ready. */
static void try_switch(stm32f4_rcc_t *s)
{
    uint32_t cfgr = s->r[RCC_CFGR];
    unsigned sw = FIELD_EX32(cfgr, CFGR, SW);
    static const unsigned osc_of_sw[3] = { OSC_HSI, OSC_HSE, OSC_PLL };
    if (sw == 3) {
        log_once(LOG_GUEST_ERROR, "rcc", 0x8, "CFGR.SW = 3 is not allowed: the system clock stays");
        return;
    }
    if (s->ready[osc_of_sw[sw]])
        s->r[RCC_CFGR] = FIELD_DP32(cfgr, CFGR, SWS, sw);
}

static void update_oscillators(stm32f4_rcc_t *s);

/* Hardware selects the HSI, running at once (the exit from Stop and the
 * clock security system; their latency covers its start-up). */
static void switch_to_hsi(stm32f4_rcc_t *s)
{
    s->r[RCC_CR] |= R_CR_HSION_MASK;
    s->ready[OSC_HSI] = true;
    sched_cancel(s->sched, &s->start_ev[OSC_HSI]);
    s->r[RCC_CFGR] = FIELD_DP32(FIELD_DP32(s->r[RCC_CFGR], CFGR, SW, 0), CFGR, SWS, 0);
}

static void osc_started(void *opaque, unsigned osc)
{
    stm32f4_rcc_t *s = opaque;
    s->ready[osc] = true;
    if (osc == OSC_PLL)
        s->pll_cfg = s->r[RCC_PLLCFGR];
    if ((s->r[RCC_CIR] >> (8 + cir_flag[osc])) & 1)
        s->r[RCC_CIR] |= 1u << cir_flag[osc];
    update_oscillators(s); /* a PLL may now lock on this reference */
}

#define OSC_EVENT_FN(o)                                                                         \
    static void started_##o(void *opaque) { osc_started(opaque, o); }
OSC_EVENT_FN(OSC_HSI)
OSC_EVENT_FN(OSC_HSE)
OSC_EVENT_FN(OSC_PLL)
OSC_EVENT_FN(OSC_PLLI2S)
OSC_EVENT_FN(OSC_LSI)
OSC_EVENT_FN(OSC_LSE)
static const sched_fn osc_event_fns[OSC_COUNT] = {
    [OSC_HSI] = started_OSC_HSI, [OSC_HSE] = started_OSC_HSE, [OSC_PLL] = started_OSC_PLL,
    [OSC_PLLI2S] = started_OSC_PLLI2S, [OSC_LSI] = started_OSC_LSI, [OSC_LSE] = started_OSC_LSE,
};

static void check_pll_config(uint32_t cfg, uint64_t ref)
{
    unsigned m = FIELD_EX32(cfg, PLLCFGR, PLLM), n = FIELD_EX32(cfg, PLLCFGR, PLLN);
    if (!pll_cfg_valid(cfg)) {
        log_once(LOG_GUEST_ERROR, "rcc", 0x10, "PLLCFGR M=%u N=%u is a wrong configuration "
                 "(M 2..63, N 2..432): the PLL does not lock", m, n);
        return;
    }
    uint64_t in = ref / m, vco = ref * n / m;
    if (in < 950000 || in > 2100000)
        log_once(LOG_GUEST_ERROR, "rcc", 0x11, "PLL input %llu Hz (source / M) is outside 1-2 MHz",
                 (unsigned long long)in);
    if (vco < 100000000u || vco > 432000000u)
        log_once(LOG_GUEST_ERROR, "rcc", 0x12, "PLL VCO %llu Hz is outside 100-432 MHz",
                 (unsigned long long)vco);
}

/* Start or stop every oscillator to match what is asked; recompute clocks.
 * A PLL starts locking once its reference runs; a locked main PLL whose HSE
 * stopped keeps running (free-running VCO, see the header). */
static void update_oscillators(stm32f4_rcc_t *s)
{
    for (unsigned o = 0; o < OSC_COUNT; o++) {
        bool want = osc_wanted(s, o);
        if (!want) {
            s->ready[o] = false;
            sched_cancel(s->sched, &s->start_ev[o]);
            continue;
        }
        if (s->ready[o] || sched_is_armed(&s->start_ev[o]))
            continue;
        sim_time_t t = start_ns[o];
        if (o == OSC_PLL || o == OSC_PLLI2S) {
            uint32_t cfg = s->r[RCC_PLLCFGR];
            if (!pll_source_ready(s))
                continue;
            if (o == OSC_PLL) {
                check_pll_config(cfg, FIELD_EX32(cfg, PLLCFGR, PLLSRC) ? hse_hz(s) : hsi_hz(s));
                if (!pll_cfg_valid(cfg))
                    continue;
            }
        }
        if (o == OSC_HSE && (s->r[RCC_CR] & R_CR_HSEBYP_MASK))
            t = HSE_BYPASS_START_NS;
        if (o == OSC_LSE && (s->r[RCC_BDCR] & R_BDCR_LSEBYP_MASK))
            t = HSE_BYPASS_START_NS;
        sched_after(s->sched, &s->start_ev[o], t);
    }
    sync_ready_bits(s);
    try_switch(s);
    recompute(s);
    update_irq(s);
}

static bool pll_uses_hse(const stm32f4_rcc_t *s)
{
    return FIELD_EX32(s->pll_cfg, PLLCFGR, PLLSRC) != 0;
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t cr = s->r[RCC_CR];
    unsigned sws = FIELD_EX32(s->r[RCC_CFGR], CFGR, SWS);
    bool pll_sys = sws == 2;
    /* A source that runs SYSCLK, directly or through the PLL, stays on. */
    if ((sws == 0 || (pll_sys && !pll_uses_hse(s))) && (old & R_CR_HSION_MASK))
        cr |= R_CR_HSION_MASK;
    if ((sws == 1 || (pll_sys && pll_uses_hse(s))) && (old & R_CR_HSEON_MASK))
        cr |= R_CR_HSEON_MASK;
    if (pll_sys && (old & R_CR_PLLON_MASK))
        cr |= R_CR_PLLON_MASK;
    /* HSEBYP is writable only while the HSE is off. */
    if (old & R_CR_HSEON_MASK)
        cr = (cr & ~R_CR_HSEBYP_MASK) | (old & R_CR_HSEBYP_MASK);
    s->r[RCC_CR] = cr;
    update_oscillators(s);
}

static void pllcfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)written;
    if ((s->r[RCC_CR] & R_CR_PLLON_MASK) && s->r[RCC_PLLCFGR] != old)
        log_once(LOG_GUEST_ERROR, "rcc", 4, "PLLCFGR written while the PLL is on: the PLL keeps its "
                 "configuration until it is switched off and on again");
    update_oscillators(s);
}

static void cfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    update_oscillators(s);
}

static void cir_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    uint32_t flags = old & (R_CIR_RDYF_MASK | R_CIR_CSSF_MASK);
    flags &= ~((written >> 16) & (R_CIR_RDYF_MASK | R_CIR_CSSF_MASK));
    s->r[RCC_CIR] = (s->r[RCC_CIR] & R_CIR_RDYIE_MASK) | flags;
    update_irq(s);
}

static void rstr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    uint32_t rising = written & ~old & rcc_regs[idx].rw_mask;
    if (rising && s->periph_reset)
        s->periph_reset(s->periph_reset_opaque, idx, rising);
}

static void enr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)idx;
    (void)old;
    (void)written;
    recompute(dev);
}

static void backup_domain_reset(stm32f4_rcc_t *s)
{
    s->r[RCC_BDCR] &= R_BDCR_BDRST_MASK;
    s->ready[OSC_LSE] = false;
    sched_cancel(s->sched, &s->start_ev[OSC_LSE]);
    if (s->periph_reset) /* the RTC and its backup registers */
        s->periph_reset(s->periph_reset_opaque, RCC_BDCR, R_BDCR_BDRST_MASK);
}

static void bdcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)written;
    if (s->backup_writable && !s->backup_writable(s->backup_opaque)) {
        s->r[RCC_BDCR] = old;
        log_once(LOG_GUEST_ERROR, "rcc", 0x70, "BDCR written while PWR_CR.DBP = 0: ignored "
                 "(the backup domain is write-protected)");
        return;
    }
    uint32_t v = s->r[RCC_BDCR];
    if (old & R_BDCR_LSEON_MASK) /* LSEBYP only while the LSE is off */
        v = (v & ~R_BDCR_LSEBYP_MASK) | (old & R_BDCR_LSEBYP_MASK);
    if (FIELD_EX32(old, BDCR, RTCSEL) && FIELD_EX32(v, BDCR, RTCSEL) != FIELD_EX32(old, BDCR, RTCSEL)) {
        v = (v & ~R_BDCR_RTCSEL_MASK) | (old & R_BDCR_RTCSEL_MASK);
        log_once(LOG_GUEST_ERROR, "rcc", 0x71, "BDCR.RTCSEL cannot change once set (until BDRST)");
    }
    s->r[RCC_BDCR] = v;
    if (v & R_BDCR_BDRST_MASK)
        backup_domain_reset(s);
    update_oscillators(s);
}

static void csr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    uint32_t v = (old & R_CSR_RSTF_MASK) | (s->r[RCC_CSR] & R_CSR_LSION_MASK);
    if (written & R_CSR_RMVF_MASK)
        v &= ~R_CSR_RSTF_MASK;
    s->r[RCC_CSR] = v;
    update_oscillators(s);
}

static int rcc_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_rcc_t *s = dev;
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int rcc_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_rcc_t *s = dev;
    regs_write(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_rcc_ops = { rcc_read, rcc_write };

void stm32f4_rcc_init(stm32f4_rcc_t *s, const stm32f4_ctx_t *ctx, uint64_t hse_hz, uint64_t lse_hz)
{
    memset(s, 0, sizeof *s);
    s->sched = ctx->sched;
    s->hse_hz = hse_hz;
    s->lse_hz = lse_hz;
    s->lsi_hz = LSI_HZ_TYP;
    regs_init(&s->regs, "rcc", rcc_regs, RCC_NREGS, s->r, s);
    clock_init(&s->sysclk, "sysclk", HSI_HZ);
    clock_init(&s->hclk, "hclk", HSI_HZ);
    clock_init(&s->pclk1, "pclk1", HSI_HZ);
    clock_init(&s->pclk2, "pclk2", HSI_HZ);
    clock_init(&s->timclk1, "timclk1", HSI_HZ);
    clock_init(&s->timclk2, "timclk2", HSI_HZ);
    clock_init(&s->lsi, "lsi", 0);
    clock_init(&s->lse, "lse", 0);
    clock_init(&s->pll48, "pll48", 0);
    clock_init(&s->rtcclk, "rtcclk", 0);
    for (unsigned g = 0; g < GATE_COUNT; g++) {
        snprintf(s->gate_names[g], sizeof s->gate_names[g], "%s", gates[g].name);
        clock_init(&s->gate[g], s->gate_names[g], 0);
    }
    for (unsigned o = 0; o < OSC_COUNT; o++)
        sched_event_init(&s->start_ev[o], osc_names[o], osc_event_fns[o], s);
    irq_init(&s->irq, "rcc");
    irq_init(&s->css_nmi, "rcc.css");
}

void stm32f4_rcc_reset(stm32f4_rcc_t *s, bool power_on, bool backup_domain)
{
    uint32_t bdcr = s->r[RCC_BDCR], csr_flags = s->r[RCC_CSR] & R_CSR_RSTF_MASK;
    bool lse_ready = s->ready[OSC_LSE];
    regs_reset(&s->regs);
    for (unsigned o = 0; o < OSC_COUNT; o++) {
        sched_cancel(s->sched, &s->start_ev[o]);
        s->ready[o] = false;
    }
    s->ready[OSC_HSI] = true; /* the core starts on the HSI */
    s->stopped = false;
    s->lsi_forced = false;
    s->pll_cfg = s->r[RCC_PLLCFGR];
    s->r[RCC_CSR] = power_on ? 0 : csr_flags;
    if (!backup_domain) {
        s->r[RCC_BDCR] = bdcr;
        s->ready[OSC_LSE] = lse_ready;
    }
    update_oscillators(s);
}

void stm32f4_rcc_enter_stop(stm32f4_rcc_t *s, bool keep_hsi)
{
    s->r[RCC_CR] &= ~(R_CR_HSEON_MASK | R_CR_PLLON_MASK | R_CR_PLLI2SON_MASK);
    if (keep_hsi)
        switch_to_hsi(s);
    else
        s->stopped = true;
    update_oscillators(s);
}

void stm32f4_rcc_exit_stop(stm32f4_rcc_t *s)
{
    s->stopped = false;
    switch_to_hsi(s);
    update_oscillators(s);
}

void stm32f4_rcc_set_reset_flags(stm32f4_rcc_t *s, uint32_t csr_bits)
{
    s->r[RCC_CSR] |= csr_bits & R_CSR_RSTF_MASK;
}

bool stm32f4_rcc_rtc_on_lse(const stm32f4_rcc_t *s)
{
    return (s->r[RCC_BDCR] & R_BDCR_RTCEN_MASK) && FIELD_EX32(s->r[RCC_BDCR], BDCR, RTCSEL) == 1 &&
           s->ready[OSC_LSE];
}

void stm32f4_rcc_force_lsi(stm32f4_rcc_t *s, bool on)
{
    s->lsi_forced = on;
    update_oscillators(s);
}

void stm32f4_rcc_set_hse_ppb(stm32f4_rcc_t *s, int64_t ppb)
{
    s->hse_ppb = ppb;
    recompute(s);
}

void stm32f4_rcc_set_hsi_ppb(stm32f4_rcc_t *s, int64_t ppb)
{
    s->hsi_ppb = ppb;
    recompute(s);
}

void stm32f4_rcc_set_lsi_hz(stm32f4_rcc_t *s, uint32_t hz)
{
    s->lsi_hz = hz;
    recompute(s);
}

/* The crystal stops (or starts again). With CSSON the clock security system
 * takes over (RM0090 7.2.7). */
void stm32f4_rcc_set_hse_failed(stm32f4_rcc_t *s, bool failed)
{
    if (s->hse_failed == failed)
        return;
    s->hse_failed = failed;
    if (failed && s->ready[OSC_HSE] && (s->r[RCC_CR] & R_CR_CSSON_MASK)) {
        unsigned sws = FIELD_EX32(s->r[RCC_CFGR], CFGR, SWS);
        bool pll_hse = s->ready[OSC_PLL] && pll_uses_hse(s);
        s->r[RCC_CIR] |= R_CIR_CSSF_MASK;
        s->r[RCC_CR] &= ~(R_CR_HSEON_MASK | R_CR_CSSON_MASK);
        if (sws == 1 || (sws == 2 && pll_hse)) {
            switch_to_hsi(s);
            if (pll_hse)
                s->r[RCC_CR] &= ~R_CR_PLLON_MASK;
        }
        log_msg(LOG_INFO, "rcc", "HSE failure: clock security system switched SYSCLK to the HSI");
    } else if (failed) {
        log_msg(LOG_INFO, "rcc", "HSE failure without the clock security system");
    }
    update_oscillators(s);
}
