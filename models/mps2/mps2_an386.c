/*
 * ARM MPS2 board with the AN386 FPGA image (Cortex-M4F at 25 MHz), with the
 * memory map QEMU's machine "mps2-an386" has, so the same ELF runs on both:
 *   0x00000000 4 MiB ZBT SSRAM1 (code; mirrored at 0x00400000)
 *   0x01000000 16 KiB block RAM (mirrored three times above it)
 *   0x20000000 4 MiB ZBT SSRAM2&3 (data; mirrored at 0x20400000)
 *   0x21000000 16 MiB PSRAM
 *   0x40004000.. CMSDK APB UART0..3, UART4 at 0x40009000 (RX IRQ 0/2/4/18/20, TX = RX+1)
 *   bit-band aliases at 0x22000000 and 0x42000000
 * Sources: ARM AN386 application note (memory map), QEMU's hw/arm/mps2.c.
 * Not modelled (mapped as logging "unimplemented" space): the CMSDK timers
 * and dual timer, SCC, FPGA I/O, LAN9220 Ethernet, VGA. SysTick and the rest
 * of the core are in sim/cpu.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mps2_an386.h"
#include "cmsdk_uart.h"
#include "sim/log.h"

#define AN386_SYSCLK_HZ 25000000u
#define AN386_NUM_IRQS 32
#define AN386_PRIO_BITS 3

static const struct { uint32_t base; uint8_t rx_irq; } an386_uarts[] = {
    { 0x40004000, 0 }, { 0x40005000, 2 }, { 0x40006000, 4 }, { 0x40007000, 18 },
    { 0x40009000, 20 },
};

static const struct { const char *name; uint32_t base, size; } an386_unimp[] = {
    { "CMSDK timer0", 0x40000000, 0x1000 },
    { "CMSDK timer1", 0x40001000, 0x1000 },
    { "CMSDK dual timer", 0x40002000, 0x1000 },
    { "CMSDK watchdog", 0x40008000, 0x1000 },
    { "FPGA I/O", 0x40028000, 0x1000 },
    { "SCC", 0x4002F000, 0x1000 },
    { "LAN9220 Ethernet", 0x40200000, 0x100000 },
    { "VGA", 0x41000000, 0x200000 },
};

typedef struct mps2_an386 {
    machine_t *m;
    uint8_t *ssram1, *ssram23, *psram, *blockram;
    cmsdk_uart_t uart[ARRAY_SIZE(an386_uarts)];
    sim_clock_t sysclk;
} mps2_an386_t;

/* --- unimplemented device: reads 0, ignores writes, logs once --- */

typedef struct unimp_dev {
    char name[48];
    uint32_t base;
} unimp_dev_t;

static int unimp_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    unimp_dev_t *u = dev;
    (void)size;
    log_once(LOG_UNIMP, "bus", u->base, "access to unmodelled peripheral %s at 0x%08x",
             u->name, u->base + off);
    *v = 0;
    return 0;
}

static int unimp_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    uint32_t dummy;
    (void)v;
    return unimp_read(dev, off, size, &dummy);
}

static const bus_ops_t unimp_ops = { unimp_read, unimp_write };

static bool map_unimp(machine_t *m, const char *name, uint32_t base, uint32_t size)
{
    unimp_dev_t *u = calloc(1, sizeof *u);
    if (!u)
        return false;
    snprintf(u->name, sizeof u->name, "%s", name);
    u->base = base;
    bus_region_t *r = bus_map_mmio(&m->bus, u->name, base, size, &unimp_ops, u, 0, 0);
    if (!r) {
        free(u);
        return false;
    }
    r->dev_owned = true; /* freed with the bus */
    return true;
}

static void *an386_create(machine_t *m, const char *name, const cJSON *cfg)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cfg) {
        if (strcmp(it->string, "name") && strcmp(it->string, "type")) {
            machine_error(m, "unknown field \"%s\" (this model takes none)", it->string);
            return NULL;
        }
    }
    mps2_an386_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->m = m;
    s->ssram1 = calloc(1, 4u << 20);
    s->ssram23 = calloc(1, 4u << 20);
    s->psram = calloc(1, 16u << 20);
    s->blockram = calloc(1, 16u << 10);
    cpu_t *cpu = machine_create_cpu(m, AN386_NUM_IRQS, AN386_PRIO_BITS, true);
    if (!s->ssram1 || !s->ssram23 || !s->psram || !s->blockram || !cpu)
        goto fail;
    bus_t *bus = &m->bus;
    if (!bus_map_ram(bus, "ssram1", 0x00000000, 4u << 20, s->ssram1, 0, 0) ||
        !bus_map_alias(bus, "ssram1 mirror", 0x00400000, 4u << 20, 0x00000000) ||
        !bus_map_ram(bus, "block ram", 0x01000000, 16u << 10, s->blockram, 0, 0) ||
        !bus_map_alias(bus, "block ram mirror 1", 0x01004000, 16u << 10, 0x01000000) ||
        !bus_map_alias(bus, "block ram mirror 2", 0x01008000, 16u << 10, 0x01000000) ||
        !bus_map_alias(bus, "block ram mirror 3", 0x0100C000, 16u << 10, 0x01000000) ||
        !bus_map_ram(bus, "ssram2&3", 0x20000000, 4u << 20, s->ssram23, 0, 0) ||
        !bus_map_alias(bus, "ssram2&3 mirror", 0x20400000, 4u << 20, 0x20000000) ||
        !bus_map_ram(bus, "psram", 0x21000000, 16u << 20, s->psram, 0, 0) ||
        !bus_map_bitband(bus, "sram bit-band", 0x22000000, 0x20000000, 1u << 20) ||
        !bus_map_bitband(bus, "peripheral bit-band", 0x42000000, 0x40000000, 1u << 20))
        goto fail;
    clock_init(&s->sysclk, "sysclk", AN386_SYSCLK_HZ);
    cpu_set_clock(cpu, &s->sysclk);
    for (unsigned i = 0; i < ARRAY_SIZE(an386_uarts); i++) {
        char uname[16];
        snprintf(uname, sizeof uname, "uart%u", i);
        cmsdk_uart_init(&s->uart[i], m, uname, AN386_SYSCLK_HZ);
        if (!bus_map_mmio(bus, s->uart[i].name, an386_uarts[i].base, 0x1000, &cmsdk_uart_ops,
                          &s->uart[i], 0, 0))
            goto fail;
        irq_connect(&s->uart[i].rx_irq, armv7m_nvic_irq_input, cpu, an386_uarts[i].rx_irq);
        irq_connect(&s->uart[i].tx_irq, armv7m_nvic_irq_input, cpu, an386_uarts[i].rx_irq + 1);
    }
    for (unsigned i = 0; i < ARRAY_SIZE(an386_unimp); i++)
        if (!map_unimp(m, an386_unimp[i].name, an386_unimp[i].base, an386_unimp[i].size))
            goto fail;
    machine_add_clock(m, name, "sysclk", &s->sysclk);
    machine_add_memory(m, name, "ssram1", s->ssram1, 4u << 20, 0);
    return s;
fail:
    if (!m->error[0])
        machine_error(m, "could not map the mps2-an386 memory");
    free(s->ssram1);
    free(s->ssram23);
    free(s->psram);
    free(s->blockram);
    free(s);
    return NULL;
}

static void an386_reset(void *inst, enum reset_kind kind)
{
    mps2_an386_t *s = inst;
    for (unsigned i = 0; i < ARRAY_SIZE(an386_uarts); i++)
        cmsdk_uart_reset(&s->uart[i]);
    (void)kind; /* the SSRAMs hold the loaded image; QEMU keeps them across resets too */
}

static void an386_destroy(void *inst)
{
    mps2_an386_t *s = inst;
    free(s->ssram1);
    free(s->ssram23);
    free(s->psram);
    free(s->blockram);
    free(s);
}

const model_class_t mps2_an386_class = {
    .type = "mps2-an386",
    .summary = "ARM MPS2 AN386: Cortex-M4F, 4+4+16 MiB RAM, CMSDK UARTs (QEMU-compatible)",
    .create = an386_create,
    .reset = an386_reset,
    .destroy = an386_destroy,
};
