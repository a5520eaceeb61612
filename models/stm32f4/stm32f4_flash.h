/*
 * STM32F4 embedded flash: the 1 MiB main array and its interface registers
 * (RM0090 section 3): latency, unlock keys, program, sector and mass erase,
 * status and error flags, option bytes.
 */
#ifndef MODELS_STM32F4_FLASH_H
#define MODELS_STM32F4_FLASH_H

#include "stm32f4_periph.h"
#include "sim/regs.h"
#include "sim/irq.h"

#define STM32F4_FLASH_BASE 0x08000000u
#define STM32F4_FLASH_SIZE (1u << 20)

enum { FLASH_ACR, FLASH_KEYR, FLASH_OPTKEYR, FLASH_SR, FLASH_CR, FLASH_OPTCR, FLASH_NREGS };

typedef struct stm32f4_flash {
    regs_t regs;
    uint32_t r[FLASH_NREGS];
    uint8_t *mem;              /* the array (persists across resets) */
    bus_region_t *region;      /* its mapping, for wait states */
    bus_region_t *alias;       /* the boot alias at 0 (same array) */
    sched_t *sched;
    cpu_t *cpu;
    sim_clock_t *hclk;
    irq_line_t irq;            /* FLASH global interrupt */
    unsigned key_state;        /* 0 none, 1 KEY1 seen */
    bool locked_out;           /* wrong key: locked until reset */
    unsigned optkey_state;
    /* program/erase in progress */
    bool busy;
    sim_time_t busy_until;
    sched_event_t done_event;
    uint32_t erase_addr, erase_len;
    uint64_t programs, erases;  /* counts, for scenarios (power cut at the Nth) */
} stm32f4_flash_t;

void stm32f4_flash_init(stm32f4_flash_t *s, const stm32f4_ctx_t *ctx, uint8_t *mem);
void stm32f4_flash_reset(stm32f4_flash_t *s);
/* Map the array at its address; the container maps the boot alias. */
bus_region_t *stm32f4_flash_map(stm32f4_flash_t *s, bus_t *bus);
extern const bus_ops_t stm32f4_flash_ops;

#endif
