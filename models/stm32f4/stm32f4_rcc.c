/*
 * STM32F4 RCC (RM0090 section 7.3; register facts in the STM32F407 fact
 * sheet, section 2.1).
 *
 * Modelled: every register with its reset value; ready flags that follow
 * their ON bits (set at once: firmware polls them, often without a
 * time-out), SWS following SW when the source is ready, the clock tree
 * (HSI 16 MHz, HSE from the board, PLL M/N/P/Q, AHB/APB prescalers, timer
 * clock doubling, PLL48CK, LSI 32 kHz) driving sim_clock_t's that the CPU and
 * peripherals time themselves by, reset-cause flags with RMVF, peripheral
 * reset lines (RSTR bits reset the peripheral through the container).
 * Any PLL setting the chip accepts is accepted; SYSCLK above 168 MHz runs
 * and is reported once.
 *
 * Not modelled: oscillator start-up and PLL lock delays (ready at once),
 * clock security system, MCO outputs, the effect of a disabled peripheral
 * clock (registers stay accessible), PLLI2S output, spread spectrum.
 */
#include "stm32f4_rcc.h"
#include <string.h>
#include "sim/log.h"

#define HSI_HZ 16000000u
#define LSI_HZ 32000u

REG32(CR, 0x00)
FIELD(CR, HSION, 0, 1)
FIELD(CR, HSIRDY, 1, 1)
FIELD(CR, HSEON, 16, 1)
FIELD(CR, HSERDY, 17, 1)
FIELD(CR, PLLON, 24, 1)
FIELD(CR, PLLRDY, 25, 1)
FIELD(CR, PLLI2SON, 26, 1)
FIELD(CR, PLLI2SRDY, 27, 1)
REG32(PLLCFGR, 0x04)
REG32(CFGR, 0x08)
REG32(CIR, 0x0C)
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
REG32(CSR, 0x74)
REG32(SSCGR, 0x80)
REG32(PLLI2SCFGR, 0x84)

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cir_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void rstr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void bdcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void csr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void pllcfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t rcc_regs[RCC_NREGS] = {
    [RCC_CR] = { "CR", A_CR, 0x00000083, 0x050D00F9, .post_write = cr_written },
    [RCC_PLLCFGR] = { "PLLCFGR", A_PLLCFGR, 0x24003010, 0x0F437FFF, .post_write = pllcfgr_written },
    [RCC_CFGR] = { "CFGR", A_CFGR, 0, 0xFFFFFCF3, .post_write = cfgr_written },
    [RCC_CIR] = { "CIR", A_CIR, 0, 0x00003F00, .wo_mask = 0x00BF0000, .post_write = cir_written },
    [RCC_AHB1RSTR] = { "AHB1RSTR", A_AHB1RSTR, 0, 0x22E011FF, .post_write = rstr_written },
    [RCC_AHB2RSTR] = { "AHB2RSTR", A_AHB2RSTR, 0, 0x000000F1, .post_write = rstr_written },
    [RCC_AHB3RSTR] = { "AHB3RSTR", A_AHB3RSTR, 0, 0x00000001, .post_write = rstr_written },
    [RCC_APB1RSTR] = { "APB1RSTR", A_APB1RSTR, 0, 0x36FEC9FF, .post_write = rstr_written },
    [RCC_APB2RSTR] = { "APB2RSTR", A_APB2RSTR, 0, 0x00075933, .post_write = rstr_written },
    [RCC_AHB1ENR] = { "AHB1ENR", A_AHB1ENR, 0x00100000, 0x7E7411FF },
    [RCC_AHB2ENR] = { "AHB2ENR", A_AHB2ENR, 0, 0x000000F1 },
    [RCC_AHB3ENR] = { "AHB3ENR", A_AHB3ENR, 0, 0x00000001 },
    [RCC_APB1ENR] = { "APB1ENR", A_APB1ENR, 0, 0x36FEC9FF },
    [RCC_APB2ENR] = { "APB2ENR", A_APB2ENR, 0, 0x00075F33 },
    [RCC_AHB1LPENR] = { "AHB1LPENR", A_AHB1LPENR, 0x7E6791FF, 0x7E6791FF },
    [RCC_AHB2LPENR] = { "AHB2LPENR", A_AHB2LPENR, 0x000000F1, 0x000000F1 },
    [RCC_AHB3LPENR] = { "AHB3LPENR", A_AHB3LPENR, 0x00000001, 0x00000001 },
    [RCC_APB1LPENR] = { "APB1LPENR", A_APB1LPENR, 0x36FEC9FF, 0x36FEC9FF },
    [RCC_APB2LPENR] = { "APB2LPENR", A_APB2LPENR, 0x00075F33, 0x00075F33 },
    [RCC_BDCR] = { "BDCR", A_BDCR, 0, 0x00018305, .post_write = bdcr_written },
    [RCC_CSR] = { "CSR", A_CSR, 0x0E000000, 0x00000001, .post_write = csr_written },
    [RCC_SSCGR] = { "SSCGR", A_SSCGR, 0, 0xCFFFFFFF },
    [RCC_PLLI2SCFGR] = { "PLLI2SCFGR", A_PLLI2SCFGR, 0x20003000, 0x70007FC0 },
};

static uint64_t pll_vco(const stm32f4_rcc_t *s)
{
    uint32_t p = s->r[RCC_PLLCFGR];
    uint64_t src = (p >> 22) & 1 ? s->hse_hz : HSI_HZ;
    unsigned m = p & 0x3F, n = (p >> 6) & 0x1FF;
    if (m < 2 || n < 2)
        return 0;
    return src * n / m;
}

static uint64_t source_hz(const stm32f4_rcc_t *s, unsigned sw)
{
    switch (sw) {
    case 0: return HSI_HZ;
    case 1: return s->hse_hz;
    case 2: {
        unsigned pdiv = 2 * (((s->r[RCC_PLLCFGR] >> 16) & 3) + 1);
        return pll_vco(s) / pdiv;
    }
    default: return HSI_HZ;
    }
}

static void recompute(stm32f4_rcc_t *s)
{
    uint32_t cfgr = s->r[RCC_CFGR];
    uint64_t sys = source_hz(s, (cfgr >> 2) & 3);
    unsigned hpre = (cfgr >> 4) & 0xF;
    static const unsigned hdiv[8] = { 2, 4, 8, 16, 64, 128, 256, 512 };
    uint64_t hclk = hpre & 8 ? sys / hdiv[hpre & 7] : sys;
    unsigned p1 = (cfgr >> 10) & 7, p2 = (cfgr >> 13) & 7;
    uint64_t pclk1 = p1 & 4 ? hclk >> ((p1 & 3) + 1) : hclk;
    uint64_t pclk2 = p2 & 4 ? hclk >> ((p2 & 3) + 1) : hclk;
    unsigned q = (s->r[RCC_PLLCFGR] >> 24) & 0xF;
    uint64_t pll48 = q >= 2 ? pll_vco(s) / q : 0;
    if (sys > 168000000u && !s->warned_overclock) {
        s->warned_overclock = true;
        log_msg(LOG_WARN, "rcc", "SYSCLK %llu Hz is above the rated 168 MHz; running anyway",
                (unsigned long long)sys);
    }
    clock_set_hz(&s->sysclk, sys);
    clock_set_hz(&s->hclk, hclk);
    clock_set_hz(&s->pclk1, pclk1);
    clock_set_hz(&s->pclk2, pclk2);
    clock_set_hz(&s->tim1clk, p1 & 4 ? 2 * pclk1 : pclk1);
    clock_set_hz(&s->tim2clk, p2 & 4 ? 2 * pclk2 : pclk2);
    clock_set_hz(&s->pll48, pll48);
}

/* Ready bits follow their enables; the PLL needs its source running. */
static void update_ready(stm32f4_rcc_t *s)
{
    uint32_t cr = s->r[RCC_CR];
    bool hsi = cr & R_CR_HSION_MASK, hse = (cr & R_CR_HSEON_MASK) && s->hse_hz;
    bool pll_src_ok = (s->r[RCC_PLLCFGR] >> 22) & 1 ? hse : hsi;
    cr = FIELD_DP32(cr, CR, HSIRDY, hsi);
    cr = FIELD_DP32(cr, CR, HSERDY, hse);
    cr = FIELD_DP32(cr, CR, PLLRDY, (cr & R_CR_PLLON_MASK) && pll_src_ok && pll_vco(s));
    cr = FIELD_DP32(cr, CR, PLLI2SRDY, (cr & R_CR_PLLI2SON_MASK) != 0);
    s->r[RCC_CR] = cr;
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t sws = (s->r[RCC_CFGR] >> 2) & 3;
    /* The running SYSCLK source cannot be switched off. */
    if (sws == 0 && !(s->r[RCC_CR] & R_CR_HSION_MASK) && (old & R_CR_HSION_MASK))
        s->r[RCC_CR] |= R_CR_HSION_MASK;
    if (sws == 1 && !(s->r[RCC_CR] & R_CR_HSEON_MASK) && (old & R_CR_HSEON_MASK))
        s->r[RCC_CR] |= R_CR_HSEON_MASK;
    if (sws == 2 && !(s->r[RCC_CR] & R_CR_PLLON_MASK) && (old & R_CR_PLLON_MASK))
        s->r[RCC_CR] |= R_CR_PLLON_MASK;
    update_ready(s);
    recompute(s);
}

static void pllcfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)written;
    if (s->r[RCC_CR] & R_CR_PLLON_MASK) {
        /* RM0090: PLLCFGR is written only while the PLL is off. */
        log_once(LOG_GUEST_ERROR, "rcc", 4, "PLLCFGR written while the PLL is on: ignored");
        s->r[RCC_PLLCFGR] = old;
        return;
    }
    update_ready(s);
    recompute(s);
}

static void cfgr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t cfgr = s->r[RCC_CFGR], sw = cfgr & 3;
    uint32_t cr = s->r[RCC_CR];
    bool ready = sw == 0 ? (cr & R_CR_HSIRDY_MASK) : sw == 1 ? (cr & R_CR_HSERDY_MASK)
                                                           : sw == 2 ? (cr & R_CR_PLLRDY_MASK) : false;
    uint32_t sws = ready ? sw : (old >> 2) & 3;
    s->r[RCC_CFGR] = (cfgr & ~0xCu) | (sws << 2);
    recompute(s);
}

static void cir_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    /* ready flags (0-5, 7) are cleared by writing their clear bits (16-21, 23) */
    uint32_t flags = old & 0xBF;
    flags &= ~((written >> 16) & 0xBF);
    s->r[RCC_CIR] = (s->r[RCC_CIR] & 0x3F00) | flags;
}

static void rstr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    uint32_t rising = written & ~old & rcc_regs[idx].rw_mask;
    if (rising && s->periph_reset)
        s->periph_reset(s->periph_reset_opaque, idx, rising);
}

static void bdcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    uint32_t v = s->r[RCC_BDCR];
    if (v & (1u << 16)) /* BDRST: backup domain reset while set */
        v &= 1u << 16;
    v = (v & ~2u) | ((v & 1) << 1); /* LSERDY follows LSEON */
    s->r[RCC_BDCR] = v;
}

static void csr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rcc_t *s = dev;
    (void)idx;
    uint32_t v = (old & 0xFE000000u) | (s->r[RCC_CSR] & 1);
    if (written & (1u << 24)) /* RMVF */
        v &= ~0xFE000000u;
    v = (v & ~2u) | ((v & 1) << 1); /* LSIRDY follows LSION */
    s->r[RCC_CSR] = v;
    clock_set_hz(&s->lsi, (v & 1) ? LSI_HZ : 0);
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

void stm32f4_rcc_init(stm32f4_rcc_t *s, uint64_t hse_hz)
{
    memset(s, 0, sizeof *s);
    s->hse_hz = hse_hz;
    regs_init(&s->regs, "rcc", rcc_regs, RCC_NREGS, s->r, s);
    clock_init(&s->sysclk, "sysclk", HSI_HZ);
    clock_init(&s->hclk, "hclk", HSI_HZ);
    clock_init(&s->pclk1, "pclk1", HSI_HZ);
    clock_init(&s->pclk2, "pclk2", HSI_HZ);
    clock_init(&s->tim1clk, "tim1clk", HSI_HZ);
    clock_init(&s->tim2clk, "tim2clk", HSI_HZ);
    clock_init(&s->lsi, "lsi", 0);
    clock_init(&s->pll48, "pll48", 0);
}

void stm32f4_rcc_reset(stm32f4_rcc_t *s, bool power_on)
{
    uint32_t bdcr = s->r[RCC_BDCR], csr_flags = s->r[RCC_CSR] & 0xFE000000u;
    regs_reset(&s->regs);
    if (!power_on) {
        s->r[RCC_BDCR] = bdcr; /* the backup domain survives a system reset */
        s->r[RCC_CSR] = csr_flags;
    } else {
        s->r[RCC_CSR] = 0;
    }
    recompute(s);
    clock_set_hz(&s->lsi, 0);
}

void stm32f4_rcc_set_reset_flags(stm32f4_rcc_t *s, uint32_t csr_bits)
{
    s->r[RCC_CSR] |= csr_bits & 0xFE000000u;
}
