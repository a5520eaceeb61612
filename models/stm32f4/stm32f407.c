/*
 * STM32F407 SoC container (RM0090 section 2.3 memory map; interrupt numbers
 * from the vector table, RM0090 table 62, as listed in the fact sheet
 * section 1.4). THE wiring file: the only one that names two models.
 *
 * Memories: 1 MiB flash at 0x08000000 with the boot alias at 0 (BOOT0 = 0),
 * SRAM1+SRAM2 (128 KiB) at 0x20000000, CCM 64 KiB at 0x10000000 (data
 * only: no instruction fetch, no DMA), backup SRAM 4 KiB at 0x40024000
 * (writes need PWR_CR.DBP and its RCC clock; it reads 0 with the clock
 * off), system memory (erased), OTP with the unique ID and the flash-size
 * register, option bytes, and the two bit-band aliases. SRAM and CCM are
 * cleared by a power-on reset and kept across a system reset; flash and
 * option bytes are kept across both; the backup domain (RCC_BDCR, the RTC
 * and its backup registers, PWR BRE, and the backup SRAM while BRE is set) is kept across system resets and,
 * with a backup battery on the board ("battery": true), across power cuts.
 *
 * Every peripheral register block sits behind its RCC enable bit: with the
 * clock off it reads 0 and ignores writes (logged once), and its timing
 * clock stops. APB accesses cost 1 + HCLK/PCLK extra cycles (bridge
 * synchronisation, an approximation).
 *
 * Resets: power-on (PORRSTF|PINRSTF|BORRSTF), NRST pin (PINRSTF; the chip
 * stays in reset while the pin is low), software (SFTRSTF|PINRSTF), IWDG
 * (IWDGRSTF|PINRSTF), WWDG (WWDGRSTF|PINRSTF); flags accumulate until RMVF.
 * A power cut stops every peripheral and leaves a flash operation in
 * progress half done (see stm32f4_flash.c).
 *
 * Every other peripheral of the chip (I2C, CAN, DAC, ADC, SDIO, Ethernet
 * MAC, USB OTG FS/HS, DCMI, FSMC, I2S extensions)
 * is mapped as unmodelled: reads give 0, writes are ignored, the first
 * access logs one line naming it. Addresses where the chip has nothing
 * (including the CRYP/HASH slots of the F415/417) raise a bus error.
 * Low-power modes (RM0090 5.3): the core's deep sleep (WFI, WFE or
 * SLEEPONEXIT with SCR.SLEEPDEEP) is Stop with PWR_CR.PDDS = 0, Standby with
 * PDDS = 1, or a low-power management reset (LPWRRSTF) when the option bit
 * nRST_STOP / nRST_STDBY is 0.
 * - Stop: not entered while an EXTI line or an RTC alarm/wakeup flag is
 *   pending (execution continues). The HSE, the PLLs and the HSI stop, so
 *   every 1.2 V clock does (the core, SysTick, the bus clocks, timers, SPI,
 *   USART, WWDG); SRAM and registers are kept; the LSI and LSE, with the RTC
 *   and IWDG, run on. Only EXTI wakes it: a line in interrupt mode whose
 *   interrupt the NVIC would take for a WFI, or an event for a WFE. After
 *   the datasheet's wake-up latency for LPDS/FPDS the core goes on on the
 *   HSI (HSE and PLL off). With DBGMCU_CR.DBG_STOP the HSI keeps clocking
 *   the system instead, and any interrupt wakes the core.
 * - Standby: SBF is set and everything but the backup domain (RTC, backup
 *   registers, the backup SRAM while PWR_CSR.BRE is set), the IWDG, the
 *   LSI/LSE and the wake-up logic loses power: peripherals go to reset, pins
 *   float (PA0 is the WKUP input while EWUP is set). A WKUP rising edge or
 *   an RTC alarm or wakeup interrupt (WUF) wakes it; after the latency the
 *   chip resets with reset cause RESET_CAUSE_STANDBY: SRAM and CCM read 0
 *   (unless DBG_STANDBY kept them), RCC_CSR has no reset flag (a power
 *   reset), PWR_CSR is kept. NRST and an IWDG timeout also end it, with
 *   their flags. Entering it with WUF set wakes it at once.
 * - Time: the held core skips straight to the next event (an RTC alarm, an
 *   IWDG timeout, a pin change the board makes).
 * Not modelled: BOOT0 = 1 and SYSCFG memory remapping; CCM's clock enable;
 * the RTC tamper and time-stamp wake-ups (the RTC has neither); a
 * transfer that SPI or USART had in flight when Stop began completes (the
 * chip would freeze it); the under-drive and over-drive modes (F42x only).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stm32f407.h"
#include "sim/log.h"

#define SRAM_BASE 0x20000000u
#define SRAM_SIZE (128u << 10)
#define CCM_BASE 0x10000000u
#define CCM_SIZE (64u << 10)
#define BKPSRAM_BASE 0x40024000u
#define BKPSRAM_SIZE (4u << 10)
#define SYSMEM_BASE 0x1FFF0000u
#define SYSMEM_SIZE (30u << 10)
#define PAGE 0x400u
#define UID_OFF 0x210u          /* in the OTP page at 0x1FFF7800 */
#define FLASH_SIZE_OFF 0x222u
#define SYST_CALIB_TENMS 18750u /* RM0090 12.1.2 */

/* ---- the address map: what sits where ---- */

enum { AHB, APB1, APB2 };

static const struct { uint32_t base; int irq; int gate; int apb; bool is_uart; int index; } usart_map[STM32F407_NUSART] = {
    { 0x40011000, 37, GATE_USART1, APB2, false, 1 }, { 0x40004400, 38, GATE_USART2, APB1, false, 2 },
    { 0x40004800, 39, GATE_USART3, APB1, false, 3 }, { 0x40004C00, 52, GATE_UART4, APB1, true, 4 },
    { 0x40005000, 53, GATE_UART5, APB1, true, 5 },   { 0x40011400, 71, GATE_USART6, APB2, false, 6 },
};

static const struct { uint32_t base; int irq; int gate; int apb; } spi_map[3] = {
    { 0x40013000, 35, GATE_SPI1, APB2 }, { 0x40003800, 36, GATE_SPI2, APB1 },
    { 0x40003C00, 51, GATE_SPI3, APB1 },
};

#define GP (TIM_F_UPDOWN | TIM_F_SLAVE | TIM_F_DMA)
#define ADV (TIM_F_ADVANCED | GP)
/* irq: NVIC line of the global (or UP) output; for TIM1/TIM8 the others
 * follow in cc/trg/brk. A line listed in shared_vectors[] is an OR. */
static const struct { uint32_t base; unsigned features, channels; int gate, apb, irq, cc, trg, brk; } tim_map[STM32F407_NTIM] = {
    { 0x40010000, ADV, 4, GATE_TIM1, APB2, 25, 27, 26, 24 },
    { 0x40000000, GP | TIM_F_32BIT | TIM_F_OR, 4, GATE_TIM2, APB1, 28, -1, -1, -1 },
    { 0x40000400, GP, 4, GATE_TIM3, APB1, 29, -1, -1, -1 },
    { 0x40000800, GP, 4, GATE_TIM4, APB1, 30, -1, -1, -1 },
    { 0x40000C00, GP | TIM_F_32BIT | TIM_F_OR, 4, GATE_TIM5, APB1, 50, -1, -1, -1 },
    { 0x40001000, TIM_F_BASIC, 0, GATE_TIM6, APB1, 54, -1, -1, -1 },
    { 0x40001400, TIM_F_BASIC, 0, GATE_TIM7, APB1, 55, -1, -1, -1 },
    { 0x40010400, ADV, 4, GATE_TIM8, APB2, 44, 46, 45, 43 },
    { 0x40014000, TIM_F_SLAVE, 2, GATE_TIM9, APB2, 24, -1, -1, -1 },
    { 0x40014400, 0, 1, GATE_TIM10, APB2, 25, -1, -1, -1 },
    { 0x40014800, TIM_F_OR, 1, GATE_TIM11, APB2, 26, -1, -1, -1 },
    { 0x40001800, TIM_F_SLAVE, 2, GATE_TIM12, APB1, 43, -1, -1, -1 },
    { 0x40001C00, 0, 1, GATE_TIM13, APB1, 44, -1, -1, -1 },
    { 0x40002000, 0, 1, GATE_TIM14, APB1, 45, -1, -1, -1 },
};
/* NVIC lines shared by TIM1/TIM8 outputs and TIM9-TIM14. */
static const int shared_vectors[6] = { 24, 25, 26, 43, 44, 45 };

/* NVIC inputs of the EXTI outputs (EXTI0..4, 9_5, 15_10, lines 16..22) */
static const int exti_irqs[EXTI_OUT_COUNT] = { 6, 7, 8, 9, 10, 23, 40, 1, 41, 42, 62, 76, 2, 3 };

/* DMA request routing (RM0090 tables 42 and 43): controller, then up to two
 * (stream, channel) pairs per request. Order: SPI1-3 TX/RX, then USART1, 2, 3,
 * UART4, UART5, USART6 TX/RX. */
static const struct { int ctl; int n; uint8_t st[2], ch[2]; } dma_routes[18] = {
    { 1, 2, { 3, 5 }, { 3, 3 } }, { 1, 2, { 0, 2 }, { 3, 3 } },  /* SPI1 TX, RX */
    { 0, 1, { 4, 0 }, { 0, 0 } }, { 0, 1, { 3, 0 }, { 0, 0 } },  /* SPI2 */
    { 0, 2, { 5, 7 }, { 0, 0 } }, { 0, 2, { 0, 2 }, { 0, 0 } },  /* SPI3 */
    { 1, 1, { 7, 0 }, { 4, 0 } }, { 1, 2, { 2, 5 }, { 4, 4 } },  /* USART1 */
    { 0, 1, { 6, 0 }, { 4, 0 } }, { 0, 1, { 5, 0 }, { 4, 0 } },  /* USART2 */
    { 0, 2, { 3, 4 }, { 4, 7 } }, { 0, 1, { 1, 0 }, { 4, 0 } },  /* USART3 */
    { 0, 1, { 4, 0 }, { 4, 0 } }, { 0, 1, { 2, 0 }, { 4, 0 } },  /* UART4 */
    { 0, 1, { 7, 0 }, { 4, 0 } }, { 0, 1, { 0, 0 }, { 4, 0 } },  /* UART5 */
    { 1, 2, { 6, 7 }, { 5, 5 } }, { 1, 2, { 1, 2 }, { 5, 5 } },  /* USART6 */
};
static const int dma_irqs[2][DMA_STREAMS] = {
    { 11, 12, 13, 14, 15, 16, 17, 47 }, { 56, 57, 58, 59, 60, 68, 69, 70 },
};

static const struct { const char *name; uint32_t base, size; } unmodelled[] = {
    { "I2S2ext", 0x40003400, 0x400 }, { "I2S3ext", 0x40004000, 0x400 },
    { "I2C1", 0x40005400, 0x400 }, { "I2C2", 0x40005800, 0x400 }, { "I2C3", 0x40005C00, 0x400 },
    { "CAN1", 0x40006400, 0x400 }, { "CAN2", 0x40006800, 0x400 }, { "DAC", 0x40007400, 0x400 },
    { "ADC1/ADC2/ADC3", 0x40012000, 0x400 }, { "SDIO", 0x40012C00, 0x400 },
    { "Ethernet MAC", 0x40028000, 0x1400 }, { "USB OTG HS", 0x40040000, 0x40000 },
    { "USB OTG FS", 0x50000000, 0x40000 }, { "DCMI", 0x50050000, 0x400 },
    { "FSMC control", 0xA0000000, 0x1000 },
};

/* ---- unmodelled peripherals ---- */

typedef struct unmodelled_dev {
    const char *name;
    uint32_t base;
} unmodelled_dev_t;

static int unmodelled_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    unmodelled_dev_t *u = dev;
    (void)size;
    log_once(LOG_UNIMP, "stm32f407", u->base, "access to %s (not modelled: reads 0, writes ignored) "
             "at 0x%08x", u->name, u->base + off);
    *v = 0;
    return 0;
}

static int unmodelled_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    uint32_t dummy;
    (void)v;
    return unmodelled_read(dev, off, size, &dummy);
}

static const bus_ops_t unmodelled_ops = { unmodelled_read, unmodelled_write };

/* ---- peripheral windows: clock gate and bridge ---- */

static bool window_clocked(stm32f407_window_t *w, uint32_t off)
{
    if (w->gate < 0 || stm32f4_rcc_gate_on(&w->soc->rcc, (enum stm32f4_gate)w->gate))
        return true;
    log_once(LOG_GUEST_ERROR, w->soc->name, 0x40000000u + (unsigned)w->gate, "%s accessed (offset "
             "0x%03x) while its clock is off (RCC %sEN = 0): reads 0, writes ignored", w->name, off,
             stm32f4_rcc_gate_name((enum stm32f4_gate)w->gate));
    return false;
}

static int window_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f407_window_t *w = dev;
    if (!window_clocked(w, off)) {
        *v = 0;
        return 0;
    }
    return w->ops->read(w->dev, off, size, v);
}

static int window_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f407_window_t *w = dev;
    if (!window_clocked(w, off))
        return 0;
    return w->ops->write(w->dev, off, size, v);
}

static const bus_ops_t window_ops = { window_read, window_write };

static bool map_periph(stm32f407_t *s, const char *name, uint32_t base, uint32_t size,
                       const bus_ops_t *ops, void *dev, int gate, int apb)
{
    if (s->nwindows >= STM32F407_MAX_WINDOWS)
        return false;
    stm32f407_window_t *w = &s->windows[s->nwindows++];
    *w = (stm32f407_window_t){ ops, dev, name, s, gate, apb, NULL };
    w->region = bus_map_mmio(&s->m->bus, name, base, size, &window_ops, w, BUS_F_NOEXEC, 0);
    return w->region != NULL;
}

/* APB accesses wait for the bridge: about 1 + HCLK/PCLK cycles. (Nothing
 * accesses the bus while HCLK is stopped.) */
static void bridge_clocks_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f407_t *s = opaque;
    (void)old_hz;
    (void)new_hz;
    uint64_t hclk = clock_hz(&s->rcc.hclk);
    if (!hclk)
        return;
    uint64_t pclk[3] = { hclk, clock_hz(&s->rcc.pclk1), clock_hz(&s->rcc.pclk2) };
    for (unsigned k = 0; k < s->nwindows; k++) {
        stm32f407_window_t *w = &s->windows[k];
        unsigned ws = 0;
        if (w->apb != AHB && pclk[w->apb])
            ws = 1 + (unsigned)(hclk / pclk[w->apb]);
        bus_region_set_wait_states(w->region, ws);
    }
}

/* ---- wiring helpers ---- */

static void route_dma(stm32f407_t *s, unsigned k, irq_line_t *line)
{
    irq_splitter_t *sp = &s->dma_req[k];
    irq_splitter_init(sp, "dma-request");
    irq_connect(line, irq_splitter_input, sp, 0);
    for (int j = 0; j < dma_routes[k].n; j++) {
        irq_line_t *out = irq_splitter_add(sp);
        if (out)
            irq_connect(out, stm32f4_dma_request, &s->dma[dma_routes[k].ctl],
                        dma_routes[k].st[j] * 8 + dma_routes[k].ch[j]);
    }
}

/* Connect a timer output to its NVIC line, through the OR gate if the line
 * is shared (input 0: TIM1/TIM8, input 1: TIM9-TIM14). */
static void connect_tim_irq(stm32f407_t *s, irq_line_t *line, int irq, int input)
{
    for (unsigned k = 0; k < ARRAY_SIZE(shared_vectors); k++) {
        if (shared_vectors[k] == irq) {
            irq_connect(line, irq_or_gate_input, &s->shared_irq[k], input);
            return;
        }
    }
    irq_connect(line, armv7m_nvic_irq_input, s->ctx.cpu, irq);
}

static void wakeup_event(stm32f407_t *s);

/* A GPIO input changed: it reaches EXTI if SYSCFG routes that port to the
 * line; PA0 is also the WKUP pin. */
static void gpio_edge(void *opaque, unsigned port, unsigned pin, bool level)
{
    stm32f407_t *s = opaque;
    if (port == 0 && pin == 0 && level && stm32f4_pwr_wakeup_pin_enabled(&s->pwr))
        wakeup_event(s);
    if (stm32f4_syscfg_port(&s->syscfg, pin) == port)
        stm32f4_exti_input(&s->exti, (int)pin, level);
}

/* The RTC's alarm and wakeup interrupts go to EXTI lines 17 and 22 (n),
 * and each one is a wake-up event of the PWR (Standby). */
static void rtc_line(void *opaque, int n, bool level)
{
    stm32f407_t *s = opaque;
    stm32f4_exti_input(&s->exti, n, level);
    if (level)
        wakeup_event(s);
}

/* PWR_CSR.EWUP: PA0 becomes the WKUP input (pull-down); setting it while the
 * pin is already high counts as a wake-up event (RM0090 5.4.2, WUF). */
static void ewup_changed(void *opaque, bool on)
{
    stm32f407_t *s = opaque;
    stm32f4_gpio_set_wakeup_pin(&s->gpio[0], 0, on);
    if (on && stm32f4_gpio_level(&s->gpio[0], 0))
        wakeup_event(s);
}

static void css_nmi(void *opaque, int n, bool level)
{
    stm32f407_t *s = opaque;
    (void)n;
    if (level)
        armv7m_set_pending(s->ctx.cpu, EXC_NMI);
}

static void lsi_request(void *opaque, bool on)
{
    stm32f407_t *s = opaque;
    stm32f4_rcc_force_lsi(&s->rcc, on);
}

static bool backup_writable(void *opaque)
{
    stm32f407_t *s = opaque;
    return stm32f4_pwr_backup_writable(&s->pwr);
}

/* RCC xxxRSTR: the peripherals whose reset bit rose. */
static void periph_reset(void *opaque, unsigned rstr, uint32_t bits)
{
    stm32f407_t *s = opaque;
    for (unsigned k = 0; k < STM32F407_NTIM; k++) {
        uint32_t g = (uint32_t)tim_map[k].gate;
        unsigned reg = g >= GATE_TIM1 ? RCC_APB2RSTR : RCC_APB1RSTR;
        static const uint8_t bit_of[STM32F407_NTIM] = { 0, 0, 1, 2, 3, 4, 5, 1, 16, 17, 18, 6, 7, 8 };
        if (rstr == reg && (bits >> bit_of[k]) & 1)
            stm32f4_tim_reset(&s->tim[k]);
    }
    switch (rstr) {
    case RCC_AHB1RSTR:
        for (unsigned k = 0; k < STM32F407_NGPIO; k++)
            if (bits & (1u << k))
                stm32f4_gpio_reset(&s->gpio[k]);
        if (bits & (1u << 12))
            stm32f4_crc_reset(&s->crc);
        if (bits & (1u << 21))
            stm32f4_dma_reset(&s->dma[0]);
        if (bits & (1u << 22))
            stm32f4_dma_reset(&s->dma[1]);
        break;
    case RCC_AHB2RSTR:
        if (bits & (1u << 6))
            stm32f4_rng_reset(&s->rng);
        break;
    case RCC_APB1RSTR:
        for (unsigned k = 1; k <= 4; k++) /* USART2, USART3, UART4, UART5: bits 17-20 */
            if (bits & (1u << (16 + k)))
                stm32f4_usart_reset(&s->usart[k]);
        if (bits & (1u << 11))
            stm32f4_wwdg_reset(&s->wwdg);
        if (bits & (1u << 14))
            stm32f4_spi_reset(&s->spi[1]);
        if (bits & (1u << 15))
            stm32f4_spi_reset(&s->spi[2]);
        if (bits & (1u << 28))
            stm32f4_pwr_reset(&s->pwr, PWR_RESET_SYSTEM, false);
        break;
    case RCC_APB2RSTR:
        if (bits & (1u << 4))
            stm32f4_usart_reset(&s->usart[0]);
        if (bits & (1u << 5))
            stm32f4_usart_reset(&s->usart[5]);
        if (bits & (1u << 12))
            stm32f4_spi_reset(&s->spi[0]);
        if (bits & (1u << 14))
            stm32f4_syscfg_reset(&s->syscfg);
        break;
    case RCC_BDCR: /* BDRST */
        stm32f4_rtc_reset(&s->rtc, true);
        break;
    default:
        break;
    }
}

/* ---- backup SRAM: writable with PWR_CR.DBP, readable with its clock ---- */

static int bkpsram_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f407_t *s = dev;
    if (!stm32f4_rcc_gate_on(&s->rcc, GATE_BKPSRAM)) {
        log_once(LOG_GUEST_ERROR, s->name, 0x24000, "backup SRAM read while its clock is off "
                 "(RCC_AHB1ENR.BKPSRAMEN = 0): reads 0");
        *v = 0;
        return 0;
    }
    const uint8_t *p = s->bkpsram + off;
    *v = size == 4 ? rd_le32(p) : size == 2 ? rd_le16(p) : p[0];
    return 0;
}

static int bkpsram_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f407_t *s = dev;
    if (!stm32f4_rcc_gate_on(&s->rcc, GATE_BKPSRAM) || !stm32f4_pwr_backup_writable(&s->pwr)) {
        log_once(LOG_GUEST_ERROR, s->name, 0x24001, "backup SRAM write ignored: it needs "
                 "RCC_AHB1ENR.BKPSRAMEN and PWR_CR.DBP");
        return 0;
    }
    uint8_t *p = s->bkpsram + off;
    for (unsigned k = 0; k < size; k++)
        p[k] = (uint8_t)(v >> (8 * k));
    return 0;
}

static const bus_ops_t bkpsram_ops = { bkpsram_read, bkpsram_write };

static void bkpsram_clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f407_t *s = opaque;
    (void)old_hz;
    bus_region_set_direct(s->bkpsram_region, new_hz != 0);
}

/* ---- NRST: the chip stays in reset while the pin is low ---- */

static void hold_in_reset(void *opaque)
{
    stm32f407_t *s = opaque;
    if (s->nrst_low) {
        s->ctx.cpu->sleeping = true;
        s->ctx.cpu->sleep_wfe = false;
    }
}

static void nrst_changed(void *opaque, int n, bool level)
{
    stm32f407_t *s = opaque;
    (void)n;
    if (!level && !s->nrst_low) {
        s->nrst_low = true;
        machine_request_reset(s->m, RESET_CAUSE_PIN);
    } else if (level && s->nrst_low) {
        s->nrst_low = false;
        s->ctx.cpu->sleeping = false; /* leaves reset at the reset vector */
        s->ctx.cpu->exc_check = true;
    }
}

static void drive_nrst(stm32f407_t *s, bool low)
{
    if (s->nrst.net)
        gpio_pin_drive(&s->nrst, low ? GPIO_DRIVE_LOW : GPIO_RELEASED);
    else
        nrst_changed(s, 0, !low);
}

static void nrst_release(void *opaque)
{
    drive_nrst(opaque, false);
}

/* ---- low-power modes: Stop and Standby (RM0090 5.3.5, 5.3.6) ---- */

/* Wake-up latencies of the STM32F405/407 datasheet (DS8626, "Low-power mode
 * wakeup timings"), typical and maximum, in ns. Stop: [LPDS][FPDS]; the
 * time from the wake-up event to the first instruction, HSI start included. */
static const sim_time_t stop_latency_ns[2][2][2] = {
    { { 13500, 14500 }, { 105000, 111000 } },  /* main regulator; flash in Stop / deep power-down */
    { { 21000, 33000 }, { 113000, 130000 } },  /* low-power regulator */
};
static const sim_time_t standby_latency_ns[2] = { 314000, 407000 };

static void wake_up_begins(stm32f407_t *s)
{
    if (sched_is_armed(&s->lp_ev))
        return;
    bool max = s->lp_max_timing;
    sim_time_t t = standby_latency_ns[max];
    if (s->lp_mode == STM32F407_STOP)
        t = stop_latency_ns[stm32f4_pwr_low_power_regulator(&s->pwr)]
                           [stm32f4_pwr_flash_power_down(&s->pwr)][max];
    sched_after(s->ctx.sched, &s->lp_ev, t);
}

/* The wake-up latency is over: out of Stop the core goes on, on the HSI;
 * out of Standby the chip resets (a power reset of the 1.2 V domain). */
static void wake_up_done(void *opaque)
{
    stm32f407_t *s = opaque;
    cpu_t *cpu = s->ctx.cpu;
    probe_hit(&s->probe_wakeup);
    if (s->lp_mode == STM32F407_STANDBY) {
        machine_request_reset(s->m, RESET_CAUSE_STANDBY);
        return;
    }
    s->lp_mode = STM32F407_RUN;
    stm32f4_rcc_exit_stop(&s->rcc);
    cpu->sleep_held = false;
    cpu->exc_check = true;
}

/* An EXTI line in interrupt or event mode fired. In Stop it wakes the chip
 * when the core would leave its WFI or WFE for it: the line's interrupt
 * enabled in the NVIC, or an event for a WFE (RM0090 table 25). */
static void exti_wakeup(void *opaque)
{
    stm32f407_t *s = opaque;
    if (s->lp_mode == STM32F407_STOP && armv7m_wakeup_pending(s->ctx.cpu, s->ctx.cpu->sleep_wfe))
        wake_up_begins(s);
}

/* A wake-up event of the PWR (WKUP rising edge with EWUP, RTC alarm or
 * wakeup interrupt): WUF, and the end of Standby. */
static void wakeup_event(stm32f407_t *s)
{
    stm32f4_pwr_wakeup_event(&s->pwr);
    if (s->lp_mode == STM32F407_STANDBY)
        wake_up_begins(s);
}

/* Every peripheral of the 1.2 V domain loses power (the backup domain, the
 * IWDG and the PWR wake-up logic do not). */
static void power_down_core_domain(stm32f407_t *s);

static void enter_stop(stm32f407_t *s, cpu_t *cpu)
{
    uint32_t pending = stm32f4_exti_pending(&s->exti);
    if (pending || s->rtc.alarm_irq.level || s->rtc.wakeup_irq.level) {
        log_once(LOG_GUEST_ERROR, s->name, 0x5700, "deep sleep with EXTI_PR = 0x%06x or an RTC "
                 "alarm/wakeup flag set: Stop mode entry is ignored and execution continues "
                 "(RM0090 5.3.5)", pending);
        cpu->sleeping = false;
        return;
    }
    if (stm32f4_flash_reset_on_stop(&s->flash)) {
        machine_request_reset(s->m, RESET_CAUSE_LOW_POWER);
        return;
    }
    bool dbg = stm32f4_dbgmcu_debug_stop(&s->dbgmcu);
    stm32f4_rcc_enter_stop(&s->rcc, dbg);
    probe_hit(&s->probe_stop);
    if (dbg)
        return; /* DBG_STOP: the HSI clocks the core, which sleeps as in Sleep mode */
    s->lp_mode = STM32F407_STOP;
    cpu->sleep_held = true;
}

static void enter_standby(stm32f407_t *s, cpu_t *cpu)
{
    if (stm32f4_flash_reset_on_standby(&s->flash)) {
        machine_request_reset(s->m, RESET_CAUSE_LOW_POWER);
        return;
    }
    s->lp_mode = STM32F407_STANDBY;
    cpu->sleep_held = true;
    stm32f4_pwr_enter_standby(&s->pwr);
    stm32f4_rcc_enter_stop(&s->rcc, false);
    power_down_core_domain(s);
    probe_hit(&s->probe_standby);
    if (stm32f4_pwr_wakeup_flag(&s->pwr)) {
        log_once(LOG_GUEST_ERROR, s->name, 0x5701, "Standby entered with PWR_CSR.WUF set (clear it "
                 "with CWUF first): the chip wakes up at once");
        wake_up_begins(s);
    }
    if (s->rtc.alarm_irq.level || s->rtc.wakeup_irq.level)
        log_once(LOG_GUEST_ERROR, s->name, 0x5702, "Standby entered with an RTC alarm or wakeup flag "
                 "set: that source cannot wake the chip (clear the flag first, RM0090 5.3.6)");
}

/* The core sleeps with SCR.SLEEPDEEP: Stop (PDDS = 0) or Standby (PDDS =
 * 1); a successful entry is a low-power management reset instead when the
 * option bit nRST_STOP / nRST_STDBY is 0. */
static void deep_sleep(void *opaque, cpu_t *cpu)
{
    stm32f407_t *s = opaque;
    if (stm32f4_pwr_standby_selected(&s->pwr))
        enter_standby(s, cpu);
    else
        enter_stop(s, cpu);
}

/* ---- controls ---- */

static int ctl_nrst(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f407_t *s = dev;
    (void)name;
    if (cJSON_IsNumber(value)) {
        double ms;
        if (stm32f4_control_number(value, 0.001, 1e7, &ms, err, errlen))
            return -1;
        drive_nrst(s, true);
        sched_after(s->ctx.sched, &s->nrst_release_ev, (sim_time_t)(ms * 1e6));
        return 0;
    }
    bool low;
    if (stm32f4_control_bool(value, &low, err, errlen)) {
        snprintf(err, errlen, "expected true (hold the reset pin low), false (release) or a press "
                 "length in ms");
        return -1;
    }
    sched_cancel(s->ctx.sched, &s->nrst_release_ev);
    drive_nrst(s, low);
    return 0;
}

static int ctl_ppm(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f407_t *s = dev;
    double ppm;
    if (stm32f4_control_number(value, -100000, 100000, &ppm, err, errlen))
        return -1;
    int64_t ppb = (int64_t)llround(ppm * 1000.0);
    if (!strcmp(name, "hse_ppm"))
        stm32f4_rcc_set_hse_ppb(&s->rcc, ppb);
    else
        stm32f4_rcc_set_hsi_ppb(&s->rcc, ppb);
    return 0;
}

static int ctl_lsi(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f407_t *s = dev;
    double hz;
    (void)name;
    if (stm32f4_control_number(value, 1000, 100000, &hz, err, errlen))
        return -1;
    stm32f4_rcc_set_lsi_hz(&s->rcc, (uint32_t)llround(hz));
    return 0;
}

static int ctl_hse_fail(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f407_t *s = dev;
    bool fail;
    (void)name;
    if (stm32f4_control_bool(value, &fail, err, errlen))
        return -1;
    stm32f4_rcc_set_hse_failed(&s->rcc, fail);
    return 0;
}

static int ctl_vdd(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f407_t *s = dev;
    double mv;
    (void)name;
    if (stm32f4_control_number(value, 1700, 3600, &mv, err, errlen))
        return -1;
    stm32f4_pwr_set_vdd_mv(&s->pwr, (uint32_t)llround(mv));
    return 0;
}

static int ctl_rng_seed(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    stm32f407_t *s = dev;
    bool fault;
    (void)name;
    if (stm32f4_control_bool(value, &fault, err, errlen))
        return -1;
    stm32f4_rng_set_seed_fault(&s->rng, fault);
    return 0;
}

static int ctl_wakeup_timing(void *dev, const char *name, const cJSON *value, char *err,
                             size_t errlen)
{
    stm32f407_t *s = dev;
    (void)name;
    return stm32f4_control_timing(value, &s->lp_max_timing, err, errlen);
}

static void add_controls(stm32f407_t *s)
{
    machine_t *m = s->m;
    const char *n = s->name;
    machine_add_control(m, n, "hse_ppm", "HSE crystal error in ppm: every HSE-derived clock follows",
                        ctl_ppm, s);
    machine_add_control(m, n, "hsi_ppm", "HSI RC oscillator error in ppm (the part allows +-1%)",
                        ctl_ppm, s);
    machine_add_control(m, n, "lsi_hz", "LSI RC frequency in Hz (17000-47000 on real parts; IWDG "
                        "timing)", ctl_lsi, s);
    machine_add_control(m, n, "hse_fail", "true: the HSE crystal stops (clock security system, if "
                        "on, switches to HSI and raises NMI)", ctl_hse_fail, s);
    machine_add_control(m, n, "reset_pin", "NRST pin: true holds it low, false releases it, a number "
                        "presses it for that many ms", ctl_nrst, s);
    machine_add_control(m, n, "vdd_mv", "supply voltage in mV as the PVD sees it (EXTI line 16)",
                        ctl_vdd, s);
    machine_add_control(m, n, "rng.seed_error", "true: the RNG's entropy source fails (SECS/SEIS)",
                        ctl_rng_seed, s);
    machine_add_probe(m, n, "reset", "the MCU comes out of a reset (power-on, pin, software, "
                      "watchdog, Standby)", &s->probe_reset);
    machine_add_control(m, n, "pwr.wakeup_timing", "\"typical\" (default) or \"max\": datasheet "
                        "wake-up latencies from Stop and Standby", ctl_wakeup_timing, s);
    machine_add_probe(m, n, "pwr.stop", "the MCU enters Stop mode (deep sleep, PDDS = 0)",
                      &s->probe_stop);
    machine_add_probe(m, n, "pwr.standby", "the MCU enters Standby mode (deep sleep, PDDS = 1)",
                      &s->probe_standby);
    machine_add_probe(m, n, "pwr.wakeup", "the MCU leaves Stop or Standby (after the wake-up "
                      "latency)", &s->probe_wakeup);
}

/* ---- construction ---- */

static void free_mem(stm32f407_t *s)
{
    free(s->flash_mem);
    free(s->sram);
    free(s->ccm);
    free(s->bkpsram);
    free(s->sysmem);
    free(s->otp_uid);
    free(s->optbytes);
}

static int parse_uid(const char *hex, uint8_t out[12])
{
    if (!hex || strlen(hex) != 24)
        return -1;
    for (unsigned w = 0; w < 3; w++) {
        char word[9];
        memcpy(word, hex + 8 * w, 8);
        word[8] = 0;
        char *end;
        unsigned long v = strtoul(word, &end, 16);
        if (*end)
            return -1;
        wr_le32(out + 4 * w, (uint32_t)v);
    }
    return 0;
}

typedef struct soc_config {
    uint64_t hse, lse;
    uint8_t uid[12];
    uint32_t idcode;
    bool battery;
} soc_config_t;

static int parse_config(machine_t *m, const cJSON *cfg, soc_config_t *c)
{
    c->hse = 8000000;
    c->lse = 0;
    parse_uid("002B00333035470F33373831", c->uid);
    c->idcode = stm32f4_dbgmcu_idcode_of("2");
    c->battery = false;
    const cJSON *it;
    cJSON_ArrayForEach(it, cfg) {
        const char *k = it->string;
        if (!strcmp(k, "name") || !strcmp(k, "type"))
            continue;
        if (!strcmp(k, "hse_hz") || !strcmp(k, "lse_hz")) {
            double max = !strcmp(k, "hse_hz") ? 26e6 : 1e6;
            if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > max ||
                (it->valuedouble > 0 && !strcmp(k, "hse_hz") && it->valuedouble < 4e6))
                return machine_error(m, "%s must be a crystal frequency in Hz (0 = none fitted; HSE "
                                     "4-26 MHz, LSE up to 1 MHz)", k);
            *(!strcmp(k, "hse_hz") ? &c->hse : &c->lse) = (uint64_t)it->valuedouble;
        } else if (!strcmp(k, "uid")) {
            if (parse_uid(cJSON_GetStringValue(it), c->uid))
                return machine_error(m, "uid must be 24 hex digits (the three ID words at "
                                     "0x1FFF7A10, 0x1FFF7A14, 0x1FFF7A18, in that order)");
        } else if (!strcmp(k, "revision")) {
            const char *r = cJSON_GetStringValue(it);
            c->idcode = r ? stm32f4_dbgmcu_idcode_of(r) : 0;
            if (!c->idcode)
                return machine_error(m, "revision must be \"A\", \"Z\", \"1\", \"2\", \"Y\" or \"4\"");
        } else if (!strcmp(k, "battery")) {
            if (!cJSON_IsBool(it))
                return machine_error(m, "battery must be true or false (a backup battery on VBAT)");
            c->battery = cJSON_IsTrue(it);
        } else {
            return machine_error(m, "unknown field \"%s\" (stm32f407 takes hse_hz, lse_hz, uid, "
                                 "revision, battery)", k);
        }
    }
    return 0;
}

static bool map_memories(stm32f407_t *s)
{
    bus_t *bus = &s->m->bus;
    bool ok = stm32f4_flash_map(&s->flash, bus) &&
              bus_map_alias(bus, "boot alias (flash)", 0x00000000, STM32F4_FLASH_SIZE,
                            STM32F4_FLASH_BASE) &&
              bus_map_ram(bus, "sram", SRAM_BASE, SRAM_SIZE, s->sram, 0, 0) &&
              bus_map_ram(bus, "ccm", CCM_BASE, CCM_SIZE, s->ccm, BUS_F_NOEXEC | BUS_F_NODMA, 0) &&
              bus_map_rom(bus, "system memory", SYSMEM_BASE, SYSMEM_SIZE, s->sysmem, NULL, NULL, 0, 0) &&
              bus_map_rom(bus, "option bytes", STM32F4_OPTBYTES_BASE, PAGE, s->optbytes, NULL, NULL, 0, 0) &&
              bus_map_bitband(bus, "sram bit-band", 0x22000000, SRAM_BASE, 1u << 20) &&
              bus_map_bitband(bus, "peripheral bit-band", 0x42000000, 0x40000000, 1u << 20);
    s->bkpsram_region = ok ? bus_map_rom(bus, "backup sram", BKPSRAM_BASE, BKPSRAM_SIZE, s->bkpsram,
                                         &bkpsram_ops, s, 0, 0) : NULL;
    s->flash.alias = bus_find(bus, 0);
    return ok && s->bkpsram_region;
}

static bool map_peripherals(stm32f407_t *s)
{
    stm32f4_ctx_t *c = &s->ctx;
    cpu_t *cpu = c->cpu;
    bool ok = map_periph(s, "RCC", 0x40023800, PAGE, &stm32f4_rcc_ops, &s->rcc, -1, AHB) &&
              map_periph(s, "PWR", 0x40007000, PAGE, &stm32f4_pwr_ops, &s->pwr, GATE_PWR, APB1) &&
              map_periph(s, "FLASH", 0x40023C00, PAGE, &stm32f4_flash_ops, &s->flash, -1, AHB) &&
              map_periph(s, "IWDG", 0x40003000, PAGE, &stm32f4_iwdg_ops, &s->iwdg, -1, APB1) &&
              map_periph(s, "RTC", 0x40002800, PAGE, &stm32f4_rtc_ops, &s->rtc, -1, APB1) &&
              map_periph(s, "WWDG", 0x40002C00, PAGE, &stm32f4_wwdg_ops, &s->wwdg, GATE_WWDG, APB1) &&
              map_periph(s, "RNG", 0x50060800, PAGE, &stm32f4_rng_ops, &s->rng, GATE_RNG, AHB) &&
              map_periph(s, "CRC", 0x40023000, PAGE, &stm32f4_crc_ops, &s->crc, GATE_CRC, AHB) &&
              map_periph(s, "EXTI", 0x40013C00, PAGE, &stm32f4_exti_ops, &s->exti, -1, APB2) &&
              map_periph(s, "SYSCFG", 0x40013800, PAGE, &stm32f4_syscfg_ops, &s->syscfg, GATE_SYSCFG, APB2);
    /* DBGMCU sits on the core's external PPB, clocked and reachable always */
    ok = ok && bus_map_mmio(&s->m->bus, "DBGMCU", 0xE0042000, PAGE, &stm32f4_dbgmcu_ops, &s->dbgmcu,
                            BUS_F_NOEXEC, 0);
    static const char *const gpio_names[STM32F407_NGPIO] = { "GPIOA", "GPIOB", "GPIOC", "GPIOD",
        "GPIOE", "GPIOF", "GPIOG", "GPIOH", "GPIOI" };
    for (unsigned k = 0; k < STM32F407_NGPIO && ok; k++)
        ok = map_periph(s, gpio_names[k], 0x40020000u + PAGE * k, PAGE, &stm32f4_gpio_ops, &s->gpio[k],
                        GATE_GPIOA + (int)k, AHB);
    for (unsigned k = 0; k < STM32F407_NUSART && ok; k++) {
        ok = map_periph(s, s->usart[k].name, usart_map[k].base, PAGE, &stm32f4_usart_ops, &s->usart[k],
                        usart_map[k].gate, usart_map[k].apb);
        irq_connect(&s->usart[k].irq, armv7m_nvic_irq_input, cpu, usart_map[k].irq);
    }
    for (unsigned k = 0; k < 3 && ok; k++) {
        ok = map_periph(s, s->spi[k].name, spi_map[k].base, PAGE, &stm32f4_spi_ops, &s->spi[k],
                        spi_map[k].gate, spi_map[k].apb);
        irq_connect(&s->spi[k].irq, armv7m_nvic_irq_input, cpu, spi_map[k].irq);
    }
    for (unsigned k = 0; k < ARRAY_SIZE(shared_vectors); k++) {
        irq_or_gate_init(&s->shared_irq[k], "tim-shared");
        irq_connect(&s->shared_irq[k].out, armv7m_nvic_irq_input, cpu, shared_vectors[k]);
    }
    for (unsigned k = 0; k < STM32F407_NTIM && ok; k++) {
        stm32f4_tim_t *t = &s->tim[k];
        ok = map_periph(s, t->name, tim_map[k].base, PAGE, &stm32f4_tim_ops, t, tim_map[k].gate,
                        tim_map[k].apb);
        bool adv = tim_map[k].features & TIM_F_ADVANCED;
        connect_tim_irq(s, &t->irq[TIM_IRQ_GLOBAL], tim_map[k].irq, adv ? 0 : 1);
        if (adv) {
            connect_tim_irq(s, &t->irq[TIM_IRQ_CC], tim_map[k].cc, 0);
            connect_tim_irq(s, &t->irq[TIM_IRQ_TRG_COM], tim_map[k].trg, 0);
            connect_tim_irq(s, &t->irq[TIM_IRQ_BRK], tim_map[k].brk, 0);
        }
    }
    for (unsigned k = 0; k < 2 && ok; k++) {
        ok = map_periph(s, s->dma[k].name, 0x40026000u + PAGE * k, PAGE, &stm32f4_dma_ops, &s->dma[k],
                        GATE_DMA1 + (int)k, AHB);
        for (unsigned st = 0; st < DMA_STREAMS; st++)
            irq_connect(&s->dma[k].irq[st], armv7m_nvic_irq_input, cpu, dma_irqs[k][st]);
    }
    for (unsigned k = 0; k < 3; k++) {
        route_dma(s, 2 * k, &s->spi[k].dma_tx);
        route_dma(s, 2 * k + 1, &s->spi[k].dma_rx);
    }
    for (unsigned k = 0; k < STM32F407_NUSART; k++) {
        route_dma(s, 6 + 2 * k, &s->usart[k].dma_tx);
        route_dma(s, 6 + 2 * k + 1, &s->usart[k].dma_rx);
    }
    for (unsigned k = 0; k < EXTI_OUT_COUNT; k++)
        irq_connect(&s->exti.out[k], armv7m_nvic_irq_input, cpu, exti_irqs[k]);
    for (unsigned k = 0; k < STM32F407_NGPIO; k++) {
        s->gpio[k].edge = gpio_edge;
        s->gpio[k].edge_opaque = s;
    }
    irq_connect(&s->pwr.pvd_out, stm32f4_exti_input, &s->exti, 16);
    irq_connect(&s->rtc.alarm_irq, rtc_line, s, 17);
    irq_connect(&s->rtc.wakeup_irq, rtc_line, s, 22);
    irq_connect(&s->flash.irq, armv7m_nvic_irq_input, cpu, 4);
    irq_connect(&s->rcc.irq, armv7m_nvic_irq_input, cpu, 5);
    irq_connect(&s->rcc.css_nmi, css_nmi, s, 0);
    irq_connect(&s->wwdg.irq, armv7m_nvic_irq_input, cpu, 0);
    irq_connect(&s->rng.irq, armv7m_nvic_irq_input, cpu, 80);
    for (unsigned k = 0; k < ARRAY_SIZE(unmodelled) && ok; k++) {
        unmodelled_dev_t *u = calloc(1, sizeof *u);
        if (!u)
            return false;
        u->name = unmodelled[k].name;
        u->base = unmodelled[k].base;
        bus_region_t *r = bus_map_mmio(&s->m->bus, unmodelled[k].name, unmodelled[k].base,
                                       unmodelled[k].size, &unmodelled_ops, u, BUS_F_NOEXEC, 0);
        if (!r) {
            free(u);
            return false;
        }
        r->dev_owned = true;
    }
    return ok;
}

static void init_peripherals(stm32f407_t *s, const soc_config_t *cfg)
{
    stm32f4_ctx_t *c = &s->ctx;
    stm32f4_rcc_t *rcc = &s->rcc;
    stm32f4_rcc_init(rcc, c, cfg->hse, cfg->lse);
    c->hclk = &rcc->hclk;
    rcc->periph_reset = periph_reset;
    rcc->periph_reset_opaque = s;
    rcc->backup_writable = backup_writable;
    rcc->backup_opaque = s;
    cpu_set_clock(c->cpu, &rcc->hclk);
    stm32f4_flash_init(&s->flash, c, s->flash_mem, s->otp_uid, s->optbytes);
    stm32f4_pwr_init(&s->pwr, c);
    s->pwr.ewup_changed = ewup_changed;
    s->pwr.ewup_opaque = s;
    stm32f4_iwdg_init(&s->iwdg, c, &rcc->lsi);
    s->iwdg.lsi_request = lsi_request;
    s->iwdg.lsi_opaque = s;
    stm32f4_wwdg_init(&s->wwdg, c, &rcc->gate[GATE_WWDG]);
    stm32f4_rtc_init(&s->rtc, c, &rcc->rtcclk);
    s->rtc.backup_writable = backup_writable;
    s->rtc.backup_opaque = s;
    stm32f4_rng_init(&s->rng, c, &rcc->gate[GATE_RNG]);
    stm32f4_crc_init(&s->crc);
    stm32f4_dbgmcu_init(&s->dbgmcu, cfg->idcode);
    stm32f4_exti_init(&s->exti, c);
    s->exti.wakeup = exti_wakeup;
    s->exti.wakeup_opaque = s;
    stm32f4_syscfg_init(&s->syscfg);
    for (unsigned k = 0; k < STM32F407_NGPIO; k++)
        stm32f4_gpio_init(&s->gpio[k], c, (char)('A' + k));
    for (unsigned k = 0; k < STM32F407_NUSART; k++)
        stm32f4_usart_init(&s->usart[k], c, usart_map[k].index, &rcc->gate[usart_map[k].gate],
                           usart_map[k].is_uart);
    for (unsigned k = 0; k < 3; k++)
        stm32f4_spi_init(&s->spi[k], c, (int)k + 1, &rcc->gate[spi_map[k].gate]);
    for (unsigned k = 0; k < STM32F407_NTIM; k++)
        stm32f4_tim_init(&s->tim[k], c, (int)k + 1, tim_map[k].features, tim_map[k].channels,
                         &rcc->gate[tim_map[k].gate]);
    for (unsigned k = 0; k < 2; k++)
        stm32f4_dma_init(&s->dma[k], c, (int)k + 1, &rcc->gate[GATE_DMA1 + k]);
    clock_listen(&rcc->gate[GATE_BKPSRAM], bkpsram_clock_changed, s);
    clock_listen(&rcc->hclk, bridge_clocks_changed, s);
    clock_listen(&rcc->pclk1, bridge_clocks_changed, s);
    clock_listen(&rcc->pclk2, bridge_clocks_changed, s);
}

static void *stm32f407_create(machine_t *m, const char *name, const cJSON *cfg)
{
    soc_config_t config;
    if (parse_config(m, cfg, &config))
        return NULL;
    stm32f407_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->m = m;
    s->battery = config.battery;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->flash_mem = malloc(STM32F4_FLASH_SIZE);
    s->sram = calloc(1, SRAM_SIZE);
    s->ccm = calloc(1, CCM_SIZE);
    s->bkpsram = calloc(1, BKPSRAM_SIZE);
    s->sysmem = malloc(SYSMEM_SIZE);
    s->otp_uid = malloc(PAGE);
    s->optbytes = malloc(PAGE);
    cpu_t *cpu = machine_create_cpu(m, STM32F407_NUM_IRQS, STM32F407_PRIO_BITS, true);
    if (!s->flash_mem || !s->sram || !s->ccm || !s->bkpsram || !s->sysmem || !s->otp_uid ||
        !s->optbytes || !cpu) {
        free_mem(s);
        free(s);
        return NULL;
    }
    cpu->sys.syst_calib = SYST_CALIB_TENMS;
    memset(s->flash_mem, 0xFF, STM32F4_FLASH_SIZE);
    memset(s->sysmem, 0xFF, SYSMEM_SIZE);
    memset(s->otp_uid, 0xFF, PAGE);
    memcpy(s->otp_uid + UID_OFF, config.uid, sizeof config.uid);
    wr_le16(s->otp_uid + FLASH_SIZE_OFF, STM32F4_FLASH_SIZE >> 10);
    stm32f4_flash_default_optbytes(s->optbytes);

    stm32f4_ctx_t *c = &s->ctx;
    c->m = m;
    c->bus = &m->bus;
    c->sched = &m->sched;
    c->cpu = cpu;
    c->inst = s->name;
    init_peripherals(s, &config);
    sched_event_init(&s->hold_ev, "stm32f407.nrst-hold", hold_in_reset, s);
    sched_event_init(&s->lp_ev, "stm32f407.wakeup", wake_up_done, s);
    cpu->on_deep_sleep = deep_sleep;
    cpu->on_deep_sleep_opaque = s;
    sched_event_init(&s->nrst_release_ev, "stm32f407.nrst-release", nrst_release, s);
    bool ok = map_memories(s) && map_peripherals(s);
    gpio_pin_init(&s->nrst, "nrst");
    machine_add_clock(m, name, "hclk", &s->rcc.hclk);
    machine_add_gpio(m, name, "nrst", &s->nrst, nrst_changed, s, 0);
    machine_add_memory(m, name, "flash", s->flash_mem, STM32F4_FLASH_SIZE, STM32F4_FLASH_BASE);
    add_controls(s);
    if (!ok) {
        if (!m->error[0])
            machine_error(m, "could not map the stm32f407 memory and peripherals");
        free_mem(s);
        free(s);
        return NULL;
    }
    bridge_clocks_changed(s, 0, 0);
    return s;
}

/* Every peripheral of the 1.2 V domain back to its reset state (events
 * cancelled, pins released). */
static void reset_core_domain(stm32f407_t *s)
{
    stm32f4_flash_reset(&s->flash, false);
    for (unsigned k = 0; k < STM32F407_NGPIO; k++)
        stm32f4_gpio_reset(&s->gpio[k]);
    for (unsigned k = 0; k < STM32F407_NUSART; k++)
        stm32f4_usart_reset(&s->usart[k]);
    stm32f4_wwdg_reset(&s->wwdg);
    stm32f4_rng_reset(&s->rng);
    stm32f4_crc_reset(&s->crc);
    for (unsigned k = 0; k < 3; k++)
        stm32f4_spi_reset(&s->spi[k]);
    for (unsigned k = 0; k < STM32F407_NTIM; k++)
        stm32f4_tim_reset(&s->tim[k]);
    stm32f4_exti_reset(&s->exti);
    stm32f4_syscfg_reset(&s->syscfg);
    stm32f4_dma_reset(&s->dma[0]);
    stm32f4_dma_reset(&s->dma[1]);
}

/* Every peripheral back to its reset state. */
static void reset_peripherals(stm32f407_t *s)
{
    reset_core_domain(s);
    stm32f4_iwdg_reset(&s->iwdg, stm32f4_flash_hw_watchdog(&s->flash));
    stm32f4_gpio_set_wakeup_pin(&s->gpio[0], 0, stm32f4_pwr_wakeup_pin_enabled(&s->pwr));
}

static void power_down_core_domain(stm32f407_t *s)
{
    reset_core_domain(s);
    stm32f4_gpio_set_wakeup_pin(&s->gpio[0], 0, stm32f4_pwr_wakeup_pin_enabled(&s->pwr));
}

static uint32_t reset_flags(enum reset_cause cause)
{
    switch (cause) {
    case RESET_CAUSE_POWER_ON: return RCC_CSR_PORRSTF | RCC_CSR_PINRSTF | RCC_CSR_BORRSTF;
    case RESET_CAUSE_SOFTWARE:
    case RESET_CAUSE_DEBUGGER: return RCC_CSR_SFTRSTF | RCC_CSR_PINRSTF;
    case RESET_CAUSE_IWDG: return RCC_CSR_IWDGRSTF | RCC_CSR_PINRSTF;
    case RESET_CAUSE_WWDG: return RCC_CSR_WWDGRSTF | RCC_CSR_PINRSTF;
    case RESET_CAUSE_LOW_POWER: return RCC_CSR_LPWRRSTF | RCC_CSR_PINRSTF;
    case RESET_CAUSE_STANDBY: return 0; /* SBF tells (and WUF: a wake-up event) */
    default: return RCC_CSR_PINRSTF;
    }
}

/* A core stalled on the bus (behind a flash operation) has its clock ahead
 * of the cut: it never got there. */
static void rewind_core(cpu_t *cpu, sim_time_t now)
{
    if (cpu_time_of(cpu, cpu->cycles) <= now)
        return;
    sim_cycles_t c = cpu_cycles_at(cpu, now);
    if (c < cpu->clk_base_cycles) {
        cpu->clk_base_cycles = c;
        cpu->clk_base_ns = now;
    }
    cpu->cycles = c;
}

static void stm32f407_reset(void *inst, enum reset_kind kind)
{
    stm32f407_t *s = inst;
    bool from_standby = s->lp_mode == STM32F407_STANDBY;
    if (kind == RESET_POWER_CUT && s->lp_mode != STM32F407_RUN)
        stm32f4_rcc_exit_stop(&s->rcc); /* the core's time base restarts at the cut */
    s->lp_mode = STM32F407_RUN;
    sched_cancel(s->ctx.sched, &s->lp_ev);
    if (kind == RESET_POWER_CUT) {
        rewind_core(s->ctx.cpu, sched_now(s->ctx.sched));
        /* the flash is left as the cut finds it; the rest stops */
        stm32f4_flash_reset(&s->flash, true);
        /* the backup registers live on VBAT; the backup SRAM also needs its regulator */
        s->backup_kept = s->battery;
        stm32f4_rtc_power_cut(&s->rtc, s->battery && stm32f4_rcc_rtc_on_lse(&s->rcc));
        if (!(s->battery && stm32f4_pwr_backup_regulator(&s->pwr)))
            memset(s->bkpsram, 0, BKPSRAM_SIZE);
        sched_cancel(s->ctx.sched, &s->hold_ev);
        sched_cancel(s->ctx.sched, &s->nrst_release_ev);
        reset_peripherals(s);
        return;
    }
    bool por = kind == RESET_POWER_ON;
    bool backup_lost = por && !s->backup_kept;
    enum reset_cause cause = por ? RESET_CAUSE_POWER_ON : s->m->last_reset_cause;
    s->backup_kept = false;
    /* Standby powered the 1.2 V domain down (unless DBG_STANDBY kept it up):
     * SRAM is lost, and the backup SRAM without its regulator; leaving it is
     * a power reset, which clears the reset flags (RM0090 5.3.6, 7.1.2). */
    if (por || (from_standby && !stm32f4_dbgmcu_debug_standby(&s->dbgmcu))) {
        memset(s->sram, 0, SRAM_SIZE);
        memset(s->ccm, 0, CCM_SIZE);
    }
    if (por)
        stm32f4_dbgmcu_reset(&s->dbgmcu); /* power-on only */
    if (backup_lost || (from_standby && !stm32f4_pwr_backup_regulator(&s->pwr)))
        memset(s->bkpsram, 0, BKPSRAM_SIZE);
    stm32f4_rcc_reset(&s->rcc, por || from_standby, backup_lost);
    stm32f4_rcc_set_reset_flags(&s->rcc, reset_flags(cause));
    stm32f4_pwr_reset(&s->pwr, por ? PWR_RESET_POWER_ON : from_standby && cause == RESET_CAUSE_STANDBY ?
                      PWR_RESET_STANDBY_EXIT : PWR_RESET_SYSTEM, backup_lost);
    stm32f4_rtc_reset(&s->rtc, backup_lost);
    reset_peripherals(s);
    if (s->nrst_low)
        sched_after(s->ctx.sched, &s->hold_ev, 0);
    probe_hit(&s->probe_reset);
}

static void stm32f407_destroy(void *inst)
{
    stm32f407_t *s = inst;
    free_mem(s);
    free(s);
}

const model_class_t stm32f407_class = {
    .type = "stm32f407",
    .summary = "STM32F407 SoC: Cortex-M4F 168 MHz, 1 MiB flash, 192 KiB RAM, RCC/PWR/FLASH/GPIO/EXTI/"
               "SPI/USART/TIM1-14/DMA/IWDG/WWDG/RTC/RNG/CRC",
    .create = stm32f407_create,
    .reset = stm32f407_reset,
    .destroy = stm32f407_destroy,
};
