/*
 * STM32F4 embedded flash: the 1 MiB main array, the OTP area, the option
 * bytes and the flash interface registers (RM0090 section 3): latency and
 * the ART accelerator, unlock keys, programming, sector and mass erase,
 * status and error flags, write protection, option byte programming.
 */
#ifndef MODELS_STM32F4_FLASH_H
#define MODELS_STM32F4_FLASH_H

#include "stm32f4_periph.h"
#include "sim/irq.h"
#include "sim/rng.h"
#include "sim/control.h"

#define STM32F4_FLASH_BASE 0x08000000u
#define STM32F4_FLASH_SIZE (1u << 20)
#define STM32F4_OTP_BASE 0x1FFF7800u
#define STM32F4_OTP_SIZE 528u          /* 512 data bytes + 16 lock bytes */
#define STM32F4_OPTBYTES_BASE 0x1FFFC000u

enum { FLASH_ACR, FLASH_KEYR, FLASH_OPTKEYR, FLASH_SR, FLASH_CR, FLASH_OPTCR, FLASH_NREGS };

enum flash_op_kind { FLASH_OP_NONE, FLASH_OP_PROGRAM, FLASH_OP_ERASE, FLASH_OP_OPTION };
/* A write the bus holds until the operation ends. */
enum flash_deferred { FLASH_DEFER_NONE, FLASH_DEFER_REG, FLASH_DEFER_MAIN, FLASH_DEFER_OTP };

typedef struct stm32f4_flash {
    regs_t regs;
    uint32_t r[FLASH_NREGS];
    uint8_t *mem;              /* main array (persists across resets) */
    uint8_t *otp;              /* OTP page at STM32F4_OTP_BASE, also holds the UID */
    uint8_t *optbytes;         /* option byte page at STM32F4_OPTBYTES_BASE */
    bus_region_t *region;      /* the array's mapping: wait states, stalls */
    bus_region_t *alias;       /* the boot alias at 0 (same array) */
    sched_t *sched;
    cpu_t *cpu;
    bus_t *bus;
    sim_clock_t *hclk;
    irq_line_t irq;            /* FLASH global interrupt */
    rng_t rng;                 /* partial results of interrupted operations */
    unsigned key_state;        /* 0 none, 1 KEY1 seen */
    bool locked_out;           /* wrong key: locked until reset */
    unsigned optkey_state;
    bool timing_max;           /* control: datasheet maximum times instead of typical */
    sim_time_t holdup_ns;      /* supply hold-up after a power cut (operations go on) */
    /* x64 programming takes two word writes */
    bool half_pending;
    uint32_t half_addr, half_data;
    /* the operation in progress */
    enum flash_op_kind op;
    sim_time_t op_start, op_end;
    uint8_t *op_mem;           /* array (main or OTP) the operation changes */
    uint32_t op_off, op_len;   /* erase range, or program offset and size */
    uint64_t op_data;          /* program data */
    uint32_t op_bus_addr;      /* bus address of op_off, for decoded-code invalidation */
    sched_event_t done_event;
    enum flash_deferred deferred;
    uint32_t deferred_off, deferred_value;
    unsigned deferred_size;
    sched_event_t deferred_ev;
    /* statistics and fault-scenario probes */
    uint64_t programs, erases, interrupted;
    sim_probe_t probe_op, probe_erase, probe_program;
} stm32f4_flash_t;

void stm32f4_flash_init(stm32f4_flash_t *s, const stm32f4_ctx_t *ctx, uint8_t *mem, uint8_t *otp,
                        uint8_t *optbytes);
/* Reset of the interface. An operation in progress is cut short and leaves
 * a partial, seeded-random result; 'power_cut' adds the supply hold-up. */
void stm32f4_flash_reset(stm32f4_flash_t *s, bool power_cut);
/* Map the array and the OTP page; the container maps the boot alias. */
bool stm32f4_flash_map(stm32f4_flash_t *s, bus_t *bus);
/* Factory state of the option bytes (RDP level 0, no protection, software
 * watchdog, BOR off). */
void stm32f4_flash_default_optbytes(uint8_t *optbytes);
/* Option byte USER bit WDG_SW = 0 selects the hardware watchdog. */
bool stm32f4_flash_hw_watchdog(const stm32f4_flash_t *s);
/* Option bits nRST_STOP / nRST_STDBY = 0: entering Stop / Standby resets
 * the chip instead (a low-power management reset, RM0090 7.1.1). */
bool stm32f4_flash_reset_on_stop(const stm32f4_flash_t *s);
bool stm32f4_flash_reset_on_standby(const stm32f4_flash_t *s);
bool stm32f4_flash_busy(const stm32f4_flash_t *s);
extern const bus_ops_t stm32f4_flash_ops;

#endif
