/*
 * STM32F407 SoC container (RM0090 section 2.3 memory map; interrupt numbers
 * from the vector table, RM0090 table 61, as listed in the fact sheet
 * section 1.4).
 *
 * Memories: 1 MiB flash at 0x08000000 with the boot alias at 0 (BOOT0 = 0),
 * SRAM1+SRAM2 (128 KiB) at 0x20000000, CCM 64 KiB at 0x10000000 (data
 * only: no instruction fetch, no DMA), backup SRAM 4 KiB at 0x40024000,
 * system memory (erased), OTP, the unique ID and the flash-size register,
 * option bytes, and the two bit-band aliases. SRAM and CCM are cleared by a
 * power-on reset and kept across a system reset; flash and backup SRAM are
 * kept across both.
 *
 * Peripherals modelled: RCC, PWR, FLASH, GPIOA-I, EXTI, SYSCFG, SPI1-3,
 * TIM2-5, DMA1/2 (with the SPI and USART request mapping of RM0090 tables
 * 42/43), USART1/2/3/6, UART4/5, IWDG, RNG, CRC, DBGMCU, and the core's
 * NVIC/SysTick (external reference = HCLK/8). GPIO pin levels reach EXTI
 * lines 0-15 through the SYSCFG EXTICR selection. Every other peripheral of the chip is mapped as unmodelled: reads
 * give 0, writes are ignored, the first access logs one line naming it.
 * Addresses where the chip has nothing raise a bus error.
 *
 * Not modelled yet: TIM1/8/9-14, RTC, ADC/DAC, I2C, CAN,
 * USB, Ethernet MAC, FSMC (all in the unmodelled list); BOOT0 = 1 and
 * SYSCFG memory remapping; backup SRAM write protection by PWR.DBP.
 */
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
#define OTP_BASE 0x1FFF7800u /* OTP, lock bytes, unique ID, flash size */
#define OTP_PAGE 0x400u
#define OPTBYTES_BASE 0x1FFFC000u

static const struct { uint32_t base; int irq; bool is_uart; int index; bool apb2; } usart_map[STM32F407_NUSART] = {
    { 0x40011000, 37, false, 1, true }, { 0x40004400, 38, false, 2, false },
    { 0x40004800, 39, false, 3, false }, { 0x40004C00, 52, true, 4, false },
    { 0x40005000, 53, true, 5, false }, { 0x40011400, 71, false, 6, true },
};

static const struct { const char *name; uint32_t base, size; } unmodelled[] = {
    
    { "TIM6", 0x40001000, 0x400 }, { "TIM7", 0x40001400, 0x400 },
    { "TIM12", 0x40001800, 0x400 }, { "TIM13", 0x40001C00, 0x400 }, { "TIM14", 0x40002000, 0x400 },
    { "RTC", 0x40002800, 0x400 }, { "WWDG", 0x40002C00, 0x400 }, { "I2S2ext", 0x40003400, 0x400 },
    { "I2S3ext", 0x40004000, 0x400 },
    { "I2C1", 0x40005400, 0x400 }, { "I2C2", 0x40005800, 0x400 }, { "I2C3", 0x40005C00, 0x400 },
    { "CAN1", 0x40006400, 0x400 }, { "CAN2", 0x40006800, 0x400 }, { "DAC", 0x40007400, 0x400 },
    { "TIM1", 0x40010000, 0x400 }, { "TIM8", 0x40010400, 0x400 }, { "ADC", 0x40012000, 0x400 },
    { "SDIO", 0x40012C00, 0x400 }, 
    { "TIM9", 0x40014000, 0x400 }, { "TIM10", 0x40014400, 0x400 },
    { "TIM11", 0x40014800, 0x400 }, { "ETH MAC", 0x40028000, 0x1400 }, { "USB OTG HS", 0x40040000, 0x40000 },
    { "USB OTG FS", 0x50000000, 0x40000 }, { "DCMI", 0x50050000, 0x400 },
    { "FSMC", 0xA0000000, 0x1000 },
};

typedef struct unmodelled_dev {
    const char *name;
    uint32_t base;
} unmodelled_dev_t;

static int unmodelled_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    unmodelled_dev_t *u = dev;
    (void)size;
    log_once(LOG_UNIMP, "stm32f407", u->base, "access to %s (not modelled: reads 0, writes ignored) at 0x%08x",
             u->name, u->base + off);
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

static const struct { uint32_t base; int irq; } spi_map[3] = {
    { 0x40013000, 35 }, { 0x40003800, 36 }, { 0x40003C00, 51 },
};
static const struct { uint32_t base; int irq; bool wide; } tim_map[4] = {
    { 0x40000000, 28, true }, { 0x40000400, 29, false }, { 0x40000800, 30, false },
    { 0x40000C00, 50, true },
};
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

/* A GPIO input changed: it reaches EXTI if SYSCFG routes that port to the line. */
static void gpio_edge(void *opaque, unsigned port, unsigned pin, bool level)
{
    stm32f407_t *s = opaque;
    if (stm32f4_syscfg_port(&s->syscfg, pin) == port)
        stm32f4_exti_input(&s->exti, (int)pin, level);
}

static void periph_reset(void *opaque, unsigned rstr, uint32_t bits)
{
    stm32f407_t *s = opaque;
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
        if (bits & (1u << 28))
            stm32f4_pwr_reset(&s->pwr, false);
        for (unsigned k = 0; k < 4; k++)
            if (bits & (1u << k))
                stm32f4_tim_reset(&s->tim[k]);
        if (bits & (1u << 14))
            stm32f4_spi_reset(&s->spi[1]);
        if (bits & (1u << 15))
            stm32f4_spi_reset(&s->spi[2]);
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
    default:
        break;
    }
}

/* NRST pin: pulling it low resets the system (PINRSTF). */
static void nrst_changed(void *opaque, int n, bool level)
{
    stm32f407_t *s = opaque;
    (void)n;
    if (!level)
        machine_request_reset(s->m, RESET_CAUSE_PIN);
}

static bool map_mmio(stm32f407_t *s, const char *name, uint32_t base, uint32_t size,
                     const bus_ops_t *ops, void *dev)
{
    return bus_map_mmio(&s->m->bus, name, base, size, ops, dev, BUS_F_NOEXEC, 0) != NULL;
}

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

static void *stm32f407_create(machine_t *m, const char *name, const cJSON *cfg)
{
    uint64_t hse = 8000000;
    const cJSON *it;
    cJSON_ArrayForEach(it, cfg) {
        if (!strcmp(it->string, "name") || !strcmp(it->string, "type"))
            continue;
        if (!strcmp(it->string, "hse_hz")) {
            if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 50e6) {
                machine_error(m, "hse_hz must be a crystal frequency in Hz (0 = no crystal, at most 50 MHz)");
                return NULL;
            }
            hse = (uint64_t)it->valuedouble;
            continue;
        }
        machine_error(m, "unknown field \"%s\" (stm32f407 takes hse_hz)", it->string);
        return NULL;
    }
    stm32f407_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->m = m;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->flash_mem = malloc(STM32F4_FLASH_SIZE);
    s->sram = calloc(1, SRAM_SIZE);
    s->ccm = calloc(1, CCM_SIZE);
    s->bkpsram = calloc(1, BKPSRAM_SIZE);
    s->sysmem = malloc(SYSMEM_SIZE);
    s->otp_uid = malloc(OTP_PAGE);
    s->optbytes = malloc(OTP_PAGE);
    cpu_t *cpu = machine_create_cpu(m, STM32F407_NUM_IRQS, STM32F407_PRIO_BITS, true);
    if (!s->flash_mem || !s->sram || !s->ccm || !s->bkpsram || !s->sysmem || !s->otp_uid ||
        !s->optbytes || !cpu) {
        free_mem(s);
        free(s);
        return NULL;
    }
    memset(s->flash_mem, 0xFF, STM32F4_FLASH_SIZE);
    memset(s->sysmem, 0xFF, SYSMEM_SIZE);
    memset(s->otp_uid, 0xFF, OTP_PAGE);
    /* unique ID (a fixed, plausible value) and flash size in KiB */
    static const uint8_t uid[12] = { 0x33, 0x00, 0x2B, 0x00, 0x0F, 0x47, 0x35, 0x30,
                                     0x31, 0x38, 0x37, 0x33 };
    memcpy(s->otp_uid + 0x210, uid, sizeof uid);
    wr_le16(s->otp_uid + 0x222, 0x0400);
    memset(s->optbytes, 0xFF, OTP_PAGE);
    wr_le16(s->optbytes + 0, 0xAAED);  /* USER/RDP */
    wr_le16(s->optbytes + 8, 0x0FFF);  /* nWRP */

    stm32f4_rcc_init(&s->rcc, hse);
    stm32f4_ctx_t *c = &s->ctx;
    c->m = m;
    c->bus = &m->bus;
    c->sched = &m->sched;
    c->cpu = cpu;
    c->inst = s->name;
    c->hclk = &s->rcc.hclk;
    c->pclk1 = &s->rcc.pclk1;
    c->pclk2 = &s->rcc.pclk2;
    c->tim1clk = &s->rcc.tim1clk;
    c->tim2clk = &s->rcc.tim2clk;
    c->lsi = &s->rcc.lsi;
    c->pll48 = &s->rcc.pll48;
    s->rcc.periph_reset = periph_reset;
    s->rcc.periph_reset_opaque = s;
    cpu_set_clock(cpu, &s->rcc.hclk);

    bus_t *bus = &m->bus;
    stm32f4_flash_init(&s->flash, c, s->flash_mem);
    bool ok = stm32f4_flash_map(&s->flash, bus) &&
              bus_map_alias(bus, "boot alias (flash)", 0x00000000, STM32F4_FLASH_SIZE, STM32F4_FLASH_BASE) &&
              bus_map_ram(bus, "sram", SRAM_BASE, SRAM_SIZE, s->sram, 0, 0) &&
              bus_map_ram(bus, "ccm", CCM_BASE, CCM_SIZE, s->ccm, BUS_F_NOEXEC | BUS_F_NODMA, 0) &&
              bus_map_ram(bus, "backup sram", BKPSRAM_BASE, BKPSRAM_SIZE, s->bkpsram, 0, 0) &&
              bus_map_rom(bus, "system memory", SYSMEM_BASE, SYSMEM_SIZE, s->sysmem, NULL, NULL, 0, 0) &&
              bus_map_rom(bus, "otp/uid", OTP_BASE, OTP_PAGE, s->otp_uid, NULL, NULL, 0, 0) &&
              bus_map_rom(bus, "option bytes", OPTBYTES_BASE, OTP_PAGE, s->optbytes, NULL, NULL, 0, 0) &&
              bus_map_bitband(bus, "sram bit-band", 0x22000000, SRAM_BASE, 1u << 20) &&
              bus_map_bitband(bus, "peripheral bit-band", 0x42000000, 0x40000000, 1u << 20);
    s->flash.alias = bus_find(bus, 0);

    stm32f4_pwr_init(&s->pwr);
    stm32f4_iwdg_init(&s->iwdg, c);
    stm32f4_rng_init(&s->rng, c);
    stm32f4_crc_init(&s->crc);
    stm32f4_dbgmcu_init(&s->dbgmcu);
    ok = ok && map_mmio(s, "RCC", 0x40023800, 0x400, &stm32f4_rcc_ops, &s->rcc) &&
         map_mmio(s, "PWR", 0x40007000, 0x400, &stm32f4_pwr_ops, &s->pwr) &&
         map_mmio(s, "FLASH", 0x40023C00, 0x400, &stm32f4_flash_ops, &s->flash) &&
         map_mmio(s, "IWDG", 0x40003000, 0x400, &stm32f4_iwdg_ops, &s->iwdg) &&
         map_mmio(s, "RNG", 0x50060800, 0x400, &stm32f4_rng_ops, &s->rng) &&
         map_mmio(s, "CRC", 0x40023000, 0x400, &stm32f4_crc_ops, &s->crc) &&
         map_mmio(s, "DBGMCU", 0xE0042000, 0x400, &stm32f4_dbgmcu_ops, &s->dbgmcu);
    for (unsigned k = 0; k < STM32F407_NGPIO && ok; k++) {
        uint32_t base = 0x40020000u + 0x400u * k;
        stm32f4_gpio_init(&s->gpio[k], c, base, (char)('A' + k));
        ok = map_mmio(s, s->gpio[k].pin_names[0], base, 0x400, &stm32f4_gpio_ops, &s->gpio[k]);
    }
    for (unsigned k = 0; k < STM32F407_NUSART && ok; k++) {
        stm32f4_usart_init(&s->usart[k], c, usart_map[k].base, usart_map[k].index,
                           usart_map[k].apb2 ? &s->rcc.pclk2 : &s->rcc.pclk1, usart_map[k].is_uart);
        ok = map_mmio(s, s->usart[k].name, usart_map[k].base, 0x400, &stm32f4_usart_ops, &s->usart[k]);
        irq_connect(&s->usart[k].irq, armv7m_nvic_irq_input, cpu, usart_map[k].irq);
    }
    for (unsigned k = 0; k < 3 && ok; k++) {
        stm32f4_spi_init(&s->spi[k], c, spi_map[k].base, (int)k + 1, k == 0 ? &s->rcc.pclk2 : &s->rcc.pclk1);
        ok = map_mmio(s, s->spi[k].name, spi_map[k].base, 0x400, &stm32f4_spi_ops, &s->spi[k]);
        irq_connect(&s->spi[k].irq, armv7m_nvic_irq_input, cpu, spi_map[k].irq);
    }
    for (unsigned k = 0; k < 4 && ok; k++) {
        stm32f4_tim_init(&s->tim[k], c, (int)k + 2, tim_map[k].wide, &s->rcc.tim1clk);
        ok = map_mmio(s, s->tim[k].name, tim_map[k].base, 0x400, &stm32f4_tim_ops, &s->tim[k]);
        irq_connect(&s->tim[k].irq, armv7m_nvic_irq_input, cpu, tim_map[k].irq);
    }
    for (unsigned k = 0; k < 2 && ok; k++) {
        uint32_t base = 0x40026000u + 0x400u * k;
        stm32f4_dma_init(&s->dma[k], c, base, (int)k + 1);
        ok = map_mmio(s, s->dma[k].name, base, 0x400, &stm32f4_dma_ops, &s->dma[k]);
        for (unsigned st = 0; st < DMA_STREAMS; st++)
            irq_connect(&s->dma[k].irq[st], armv7m_nvic_irq_input, cpu, dma_irqs[k][st]);
    }
    if (ok) {
        static const unsigned usart_order[6] = { 0, 1, 2, 3, 4, 5 }; /* USART1,2,3, UART4,5, USART6 */
        for (unsigned k = 0; k < 3; k++) {
            route_dma(s, 2 * k, &s->spi[k].dma_tx);
            route_dma(s, 2 * k + 1, &s->spi[k].dma_rx);
        }
        for (unsigned k = 0; k < 6; k++) {
            route_dma(s, 6 + 2 * k, &s->usart[usart_order[k]].dma_tx);
            route_dma(s, 6 + 2 * k + 1, &s->usart[usart_order[k]].dma_rx);
        }
    }
    stm32f4_exti_init(&s->exti, c);
    stm32f4_syscfg_init(&s->syscfg);
    ok = ok && map_mmio(s, "EXTI", 0x40013C00, 0x400, &stm32f4_exti_ops, &s->exti) &&
         map_mmio(s, "SYSCFG", 0x40013800, 0x400, &stm32f4_syscfg_ops, &s->syscfg);
    for (unsigned k = 0; k < EXTI_OUT_COUNT; k++)
        irq_connect(&s->exti.out[k], armv7m_nvic_irq_input, cpu, exti_irqs[k]);
    for (unsigned k = 0; k < STM32F407_NGPIO; k++) {
        s->gpio[k].edge = gpio_edge;
        s->gpio[k].edge_opaque = s;
    }
    irq_connect(&s->flash.irq, armv7m_nvic_irq_input, cpu, 4);
    irq_connect(&s->rng.irq, armv7m_nvic_irq_input, cpu, 80);
    for (unsigned k = 0; k < sizeof unmodelled / sizeof unmodelled[0] && ok; k++) {
        unmodelled_dev_t *u = calloc(1, sizeof *u);
        if (!u) {
            ok = false;
            break;
        }
        u->name = unmodelled[k].name;
        u->base = unmodelled[k].base;
        bus_region_t *r = bus_map_mmio(bus, unmodelled[k].name, unmodelled[k].base,
                                       unmodelled[k].size, &unmodelled_ops, u, BUS_F_NOEXEC, 0);
        if (!r) {
            free(u);
            ok = false;
        } else {
            r->dev_owned = true;
        }
    }
    machine_add_clock(m, name, "hclk", &s->rcc.hclk);
    gpio_pin_init(&s->nrst, "nrst");
    machine_add_gpio(m, name, "nrst", &s->nrst, nrst_changed, s, 0);
    machine_add_memory(m, name, "flash", s->flash_mem, STM32F4_FLASH_SIZE, STM32F4_FLASH_BASE);
    if (!ok) {
        if (!m->error[0])
            machine_error(m, "could not map the stm32f407 memory and peripherals");
        free_mem(s);
        free(s);
        return NULL;
    }
    return s;
}

static void stm32f407_reset(void *inst, enum reset_kind kind)
{
    stm32f407_t *s = inst;
    bool por = kind == RESET_POWER_ON;
    if (por) {
        memset(s->sram, 0, SRAM_SIZE);
        memset(s->ccm, 0, CCM_SIZE);
    }
    stm32f4_rcc_reset(&s->rcc, por);
    uint32_t flags = RCC_CSR_PINRSTF;
    switch (s->m->last_reset_cause) {
    case RESET_CAUSE_POWER_ON: flags |= RCC_CSR_PORRSTF | RCC_CSR_BORRSTF; break;
    case RESET_CAUSE_SOFTWARE: flags |= RCC_CSR_SFTRSTF; break;
    case RESET_CAUSE_IWDG: flags |= RCC_CSR_IWDGRSTF; break;
    case RESET_CAUSE_WWDG: flags |= RCC_CSR_WWDGRSTF; break;
    case RESET_CAUSE_LOW_POWER: flags |= RCC_CSR_LPWRRSTF; break;
    default: break;
    }
    if (por)
        flags = RCC_CSR_PORRSTF | RCC_CSR_PINRSTF | RCC_CSR_BORRSTF;
    stm32f4_rcc_set_reset_flags(&s->rcc, flags);
    stm32f4_pwr_reset(&s->pwr, por);
    stm32f4_flash_reset(&s->flash);
    for (unsigned k = 0; k < STM32F407_NGPIO; k++)
        stm32f4_gpio_reset(&s->gpio[k]);
    for (unsigned k = 0; k < STM32F407_NUSART; k++)
        stm32f4_usart_reset(&s->usart[k]);
    stm32f4_iwdg_reset(&s->iwdg);
    stm32f4_rng_reset(&s->rng);
    stm32f4_crc_reset(&s->crc);
    stm32f4_dbgmcu_reset(&s->dbgmcu);
    for (unsigned k = 0; k < 3; k++)
        stm32f4_spi_reset(&s->spi[k]);
    for (unsigned k = 0; k < 4; k++)
        stm32f4_tim_reset(&s->tim[k]);
    stm32f4_exti_reset(&s->exti);
    stm32f4_syscfg_reset(&s->syscfg);
    stm32f4_dma_reset(&s->dma[0]);
    stm32f4_dma_reset(&s->dma[1]);
}

static void stm32f407_destroy(void *inst)
{
    stm32f407_t *s = inst;
    free_mem(s);
    free(s);
}

const model_class_t stm32f407_class = {
    .type = "stm32f407",
    .summary = "STM32F407 SoC: Cortex-M4F 168 MHz, 1 MiB flash, 192 KiB RAM, RCC/FLASH/GPIO/EXTI/SPI/TIM/DMA/USART/IWDG/RNG/CRC",
    .create = stm32f407_create,
    .reset = stm32f407_reset,
    .destroy = stm32f407_destroy,
};
