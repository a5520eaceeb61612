/*
 * STM32F4 real-time clock (RM0090 section 26): BCD calendar with
 * sub-seconds, two alarms, the periodic wakeup timer, the 20 backup
 * registers; all of it in the backup domain.
 */
#ifndef MODELS_STM32F4_RTC_H
#define MODELS_STM32F4_RTC_H

#include "stm32f4_periph.h"
#include "sim/irq.h"

#define RTC_NBKP 20
enum {
    RTC_TR, RTC_DR, RTC_CR, RTC_ISR, RTC_PRER, RTC_WUTR, RTC_CALIBR, RTC_ALRMAR, RTC_ALRMBR,
    RTC_WPR, RTC_SSR, RTC_SHIFTR, RTC_TSTR, RTC_TSDR, RTC_TSSSR, RTC_CALR, RTC_TAFCR,
    RTC_ALRMASSR, RTC_ALRMBSSR, RTC_BKP0R, RTC_NREGS = RTC_BKP0R + RTC_NBKP
};

/* Flag changes that cross into the RTCCLK domain and land a few cycles later. */
enum { RTC_SYNC_INITF, RTC_SYNC_RUN, RTC_SYNC_RSF, RTC_SYNC_ALRAWF, RTC_SYNC_ALRBWF,
       RTC_SYNC_WUTWF, RTC_SYNC_COUNT };

typedef struct stm32f4_rtc {
    regs_t regs;
    uint32_t r[RTC_NREGS];
    sched_t *sched;
    sim_clock_t *clk;          /* RTCCLK from the RCC (0 Hz: stopped) */
    /* RTCCLK cycles: base_cycles at base_ns, counting at hz since */
    uint64_t hz, base_cycles;
    sim_time_t base_ns;
    uint64_t done;             /* cycles already applied to the counters */
    uint64_t sync_at[RTC_SYNC_COUNT]; /* cycle a pending flag change lands at, or UINT64_MAX */
    bool counting;             /* the calendar runs (not in initialization mode) */
    bool powered;              /* false during a power cut unless the RTC runs on VBAT */
    uint32_t apre;             /* asynchronous prescaler phase, RTCCLK cycles */
    uint32_t ss;               /* synchronous prescaler down-counter (SSR) */
    uint32_t wu_pre, wu_cnt;   /* wakeup: prescaler phase, ticks left until WUTF */
    unsigned key_state;        /* WPR: 0 locked, 1 after 0xCA, 2 unlocked after 0x53 */
    bool tr_frozen, dr_frozen; /* shadow registers held by a read of SSR / TR until DR */
    uint32_t tr_shadow, dr_shadow;
    sched_event_t ev;
    irq_line_t alarm_irq;      /* ALRAF&ALRAIE | ALRBF&ALRBIE: EXTI line 17 */
    irq_line_t wakeup_irq;     /* WUTF&WUTIE: EXTI line 22 */
    bool (*backup_writable)(void *opaque); /* PWR_CR.DBP */
    void *backup_opaque;
} stm32f4_rtc_t;

void stm32f4_rtc_init(stm32f4_rtc_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *rtcclk);
/* 'backup_domain' (BDRST, power-on without a backup battery): everything
 * to its reset value. Otherwise (system reset) only INIT, INITF and RSF
 * clear, and the write protection is armed again. */
void stm32f4_rtc_reset(stm32f4_rtc_t *s, bool backup_domain);
/* A power cut: the calendar goes on only if it runs on VBAT (battery and
 * LSE); the next reset brings the power back. */
void stm32f4_rtc_power_cut(stm32f4_rtc_t *s, bool runs_on_vbat);
extern const bus_ops_t stm32f4_rtc_ops;

#endif
