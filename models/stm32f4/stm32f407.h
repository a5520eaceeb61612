/*
 * The STM32F407 system-on-chip: Cortex-M4F core, memories and the
 * peripherals, wired as RM0090 describes. Board files instantiate it as
 * model type "stm32f407".
 */
#ifndef MODELS_STM32F4_STM32F407_H
#define MODELS_STM32F4_STM32F407_H

#include "stm32f4_periph.h"
#include "stm32f4_rcc.h"
#include "stm32f4_pwr.h"
#include "stm32f4_flash.h"
#include "stm32f4_gpio.h"
#include "stm32f4_usart.h"
#include "stm32f4_iwdg.h"
#include "stm32f4_wwdg.h"
#include "stm32f4_rng.h"
#include "stm32f4_crc.h"
#include "stm32f4_dbgmcu.h"
#include "stm32f4_spi.h"
#include "stm32f4_exti.h"
#include "stm32f4_syscfg.h"
#include "stm32f4_tim.h"
#include "stm32f4_dma.h"
#include "stm32f4_rtc.h"
#include "sim/irq.h"
#include "sim/control.h"

#define STM32F407_NUM_IRQS 82
#define STM32F407_PRIO_BITS 4
#define STM32F407_NGPIO 9
#define STM32F407_NUSART 6
#define STM32F407_NTIM 14
#define STM32F407_MAX_WINDOWS 64

/* Low-power state of the chip (for the UI and tests). */
enum stm32f407_lp_mode { STM32F407_RUN, STM32F407_STOP, STM32F407_STANDBY };

/* A peripheral register block behind its RCC clock enable. */
typedef struct stm32f407_window {
    const bus_ops_t *ops;
    void *dev;
    const char *name;
    struct stm32f407 *soc;
    int gate;                  /* enum stm32f4_gate, or -1: always clocked */
    int apb;                   /* 0 AHB, 1 APB1, 2 APB2: bridge wait states */
    bus_region_t *region;
} stm32f407_window_t;

typedef struct stm32f407 {
    machine_t *m;
    char name[32];
    stm32f4_ctx_t ctx;
    bool battery;              /* the board keeps VBAT up when VDD goes */
    /* memories */
    uint8_t *flash_mem, *sram, *ccm, *bkpsram, *sysmem, *otp_uid, *optbytes;
    bus_region_t *bkpsram_region;
    /* peripherals */
    stm32f4_rcc_t rcc;
    stm32f4_pwr_t pwr;
    stm32f4_flash_t flash;
    stm32f4_gpio_t gpio[STM32F407_NGPIO];
    stm32f4_usart_t usart[STM32F407_NUSART]; /* USART1, 2, 3, UART4, 5, USART6 */
    stm32f4_iwdg_t iwdg;
    stm32f4_wwdg_t wwdg;
    stm32f4_rng_t rng;
    stm32f4_crc_t crc;
    stm32f4_dbgmcu_t dbgmcu;
    stm32f4_spi_t spi[3];
    stm32f4_exti_t exti;
    stm32f4_syscfg_t syscfg;
    stm32f4_tim_t tim[STM32F407_NTIM]; /* TIM1..TIM14 */
    stm32f4_dma_t dma[2];
    stm32f4_rtc_t rtc;
    /* vectors shared by two sources (TIM1/TIM8 with TIM9-TIM14) */
    irq_or_gate_t shared_irq[6];
    /* each peripheral DMA request fans out to the streams that can serve it */
    irq_splitter_t dma_req[3 * 2 + 6 * 2];
    stm32f407_window_t windows[STM32F407_MAX_WINDOWS];
    unsigned nwindows;
    /* reset and power */
    gpio_pin_t nrst;           /* reset input (board button or debugger), open drain */
    bool nrst_low;             /* held in reset */
    bool backup_kept;          /* a power cut left the backup domain on VBAT */
    sched_event_t hold_ev, nrst_release_ev;
    sim_probe_t probe_reset;
    /* low-power modes */
    enum stm32f407_lp_mode lp_mode;
    bool lp_max_timing;        /* datasheet maximum wake-up latencies (control) */
    sched_event_t lp_ev;       /* the wake-up latency ends */
    sim_probe_t probe_stop, probe_standby, probe_wakeup;
} stm32f407_t;

extern const model_class_t stm32f407_class;

#endif
