/*
 * STM32F4 RTC (RM0090 section 26; register layout as in the CMSIS
 * stm32f407xx.h).
 *
 * Modelled: the register file with its reset values (DR 0x2101, ISR 0x07,
 * PRER 0x007F00FF, WUTR 0xFFFF) and access rules: every write needs
 * PWR_CR.DBP; all registers but TAFCR, the backup registers and the ISR
 * flags 13:8 need the WPR key sequence 0xCA, 0x53 (a wrong key locks them
 * again); TR, DR, PRER and CALIBR only in initialization mode; ALRMxR and
 * ALRMxSSR only while ALRxWF is set (alarm off) or in initialization mode;
 * WUTR and WUCKSEL only while WUTWF is set; SHIFTR only with SHPF clear.
 * Flag changes that cross into the RTCCLK domain land 2 RTCCLK cycles
 * later (INITF after INIT, ALRxWF/WUTWF after the enable clears, RSF after
 * a shadow copy: once the clock runs after a reset, and after software
 * writes 0 to it), and the calendar restarts 4 cycles after INIT clears:
 * with no RTCCLK (RCC_BDCR.RTCEN clear, the LSI off after a system reset)
 * they never land, as on the chip. The calendar counts RTCCLK through the
 * asynchronous (PREDIV_A + 1) and synchronous (PREDIV_S + 1) prescalers:
 * SSR, seconds to years in BCD, 24- and 12-hour formats, leap years (every
 * year divisible by 4), the week day; ADD1H/SUB1H, the SHIFTR shift
 * (ADD1S, SUBFS); the shadow registers frozen by a read of SSR or TR until
 * DR is read, BYPSHAD; INITS. Alarms A and B with the MSK1-4 and WDSEL
 * comparisons and the sub-second comparison of MASKSS, ALRxF; the wakeup
 * timer on RTCCLK/16../2 or ck_spre (WUCKSEL 1xx, 11x adding 2^16), WUTF
 * every WUT + 1 ticks; the alarm and wakeup interrupts as levels into EXTI
 * lines 17 and 22. Backup domain: kept across system resets (only INIT,
 * INITF, RSF clear), reset by BDRST or a power-on without a battery, the
 * calendar running through a power cut only on the LSE with a battery.
 * Not modelled: tamper and time-stamp inputs (TSF, TAMPxF never set, TSTR,
 * TSDR, TSSSR read 0, TAFCR is stored), the RTC_AF1 outputs (alarm,
 * calibration), coarse (CALIBR) and smooth (CALR) calibration (stored,
 * RECALPF never set: the frequency is RTCCLK's own), the reference clock
 * detection (REFCKON stored).
 */
#include <string.h>
#include "stm32f4_rtc.h"
#include "sim/log.h"

REG32(TR, 0x00)
FIELD(TR, SEC, 0, 7)           /* ST, SU */
FIELD(TR, MIN, 8, 7)           /* MNT, MNU */
FIELD(TR, HOUR, 16, 6)         /* HT, HU */
FIELD(TR, PM, 22, 1)
REG32(DR, 0x04)
FIELD(DR, DATE, 0, 6)          /* DT, DU */
FIELD(DR, MONTH, 8, 5)         /* MT, MU */
FIELD(DR, WDU, 13, 3)          /* week day, 1 = Monday */
FIELD(DR, YEAR, 16, 8)         /* YT, YU */
REG32(CR, 0x08)
FIELD(CR, WUCKSEL, 0, 3)
FIELD(CR, BYPSHAD, 5, 1)
FIELD(CR, FMT, 6, 1)           /* 1: 12-hour format */
FIELD(CR, ALRAE, 8, 1)
FIELD(CR, ALRBE, 9, 1)
FIELD(CR, WUTE, 10, 1)
FIELD(CR, ALRAIE, 12, 1)
FIELD(CR, ALRBIE, 13, 1)
FIELD(CR, WUTIE, 14, 1)
FIELD(CR, ADD1H, 16, 1)        /* wo */
FIELD(CR, SUB1H, 17, 1)        /* wo */
REG32(ISR, 0x0C)
FIELD(ISR, ALRAWF, 0, 1)
FIELD(ISR, ALRBWF, 1, 1)
FIELD(ISR, WUTWF, 2, 1)
FIELD(ISR, SHPF, 3, 1)
FIELD(ISR, INITS, 4, 1)
FIELD(ISR, RSF, 5, 1)          /* rc_w0 */
FIELD(ISR, INITF, 6, 1)
FIELD(ISR, INIT, 7, 1)
FIELD(ISR, ALRAF, 8, 1)        /* rc_w0, like the other flags up to TAMP2F */
FIELD(ISR, ALRBF, 9, 1)
FIELD(ISR, WUTF, 10, 1)
FIELD(ISR, FLAGS, 8, 7)        /* ALRAF .. TAMP2F */
FIELD(ISR, UNPROTECTED, 8, 6)  /* ISR[13:8]: clearable while write-protected */
REG32(PRER, 0x10)
FIELD(PRER, PREDIV_S, 0, 15)
FIELD(PRER, PREDIV_A, 16, 7)
REG32(WUTR, 0x14)
FIELD(WUTR, WUT, 0, 16)
REG32(CALIBR, 0x18)
REG32(ALRMAR, 0x1C)
FIELD(ALRM, MSK1, 7, 1)        /* ALRMAR and ALRMBR */
FIELD(ALRM, MSK2, 15, 1)
FIELD(ALRM, MSK3, 23, 1)
FIELD(ALRM, DATE, 24, 6)
FIELD(ALRM, WDSEL, 30, 1)
FIELD(ALRM, MSK4, 31, 1)
REG32(ALRMBR, 0x20)
REG32(WPR, 0x24)
REG32(SSR, 0x28)
REG32(SHIFTR, 0x2C)
FIELD(SHIFTR, SUBFS, 0, 15)
FIELD(SHIFTR, ADD1S, 31, 1)
REG32(TSTR, 0x30)
REG32(TSDR, 0x34)
REG32(TSSSR, 0x38)
REG32(CALR, 0x3C)
REG32(TAFCR, 0x40)
REG32(ALRMASSR, 0x44)
FIELD(ALRMSS, SS, 0, 15)       /* ALRMASSR and ALRMBSSR */
FIELD(ALRMSS, MASKSS, 24, 4)
REG32(ALRMBSSR, 0x48)
REG32(BKP0R, 0x50)

#define SYNC_CYCLES 2          /* RTCCLK cycles for a flag to cross domains */
#define RESTART_CYCLES 4       /* calendar restart after INIT clears */
#define NEVER UINT64_MAX

static uint32_t ssr_read(void *dev, unsigned idx, uint32_t v);
static uint32_t isr_read(void *dev, unsigned idx, uint32_t v);
static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void isr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void prer_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void wutr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void shiftr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

#define BKP(n) [RTC_BKP0R + (n)] = { "BKP" #n "R", A_BKP0R + 4 * (n), 0, 0xFFFFFFFF }
static const reg_desc_t rtc_regs[RTC_NREGS] = {
    [RTC_TR] = { "TR", A_TR, 0, 0x007F7F7F },      /* read through the shadows: rtc_read */
    [RTC_DR] = { "DR", A_DR, 0x00002101, 0x00FFFF3F },
    [RTC_CR] = { "CR", A_CR, 0, 0x00FFFFFF,
                 .wo_mask = R_CR_ADD1H_MASK | R_CR_SUB1H_MASK, .post_write = cr_written },
    [RTC_ISR] = { "ISR", A_ISR, 0x00000007, R_ISR_INIT_MASK,
                  .w0c_mask = R_ISR_RSF_MASK | R_ISR_FLAGS_MASK, .pre_read = isr_read,
                  .post_write = isr_written },
    [RTC_PRER] = { "PRER", A_PRER, 0x007F00FF, R_PRER_PREDIV_S_MASK | R_PRER_PREDIV_A_MASK,
                   .post_write = prer_written },
    [RTC_WUTR] = { "WUTR", A_WUTR, 0x0000FFFF, R_WUTR_WUT_MASK, .post_write = wutr_written },
    [RTC_CALIBR] = { "CALIBR", A_CALIBR, 0, 0x0000009F },
    [RTC_ALRMAR] = { "ALRMAR", A_ALRMAR, 0, 0xFFFFFFFF },
    [RTC_ALRMBR] = { "ALRMBR", A_ALRMBR, 0, 0xFFFFFFFF },
    [RTC_WPR] = { "WPR", A_WPR, 0, 0x000000FF, .wo_mask = 0x000000FF },
    [RTC_SSR] = { "SSR", A_SSR, 0, 0, .pre_read = ssr_read },
    [RTC_SHIFTR] = { "SHIFTR", A_SHIFTR, 0, R_SHIFTR_SUBFS_MASK | R_SHIFTR_ADD1S_MASK,
                     .wo_mask = R_SHIFTR_SUBFS_MASK | R_SHIFTR_ADD1S_MASK,
                     .post_write = shiftr_written },
    [RTC_TSTR] = { "TSTR", A_TSTR, 0, 0 },
    [RTC_TSDR] = { "TSDR", A_TSDR, 0, 0 },
    [RTC_TSSSR] = { "TSSSR", A_TSSSR, 0, 0 },
    [RTC_CALR] = { "CALR", A_CALR, 0, 0x0000E1FF },
    [RTC_TAFCR] = { "TAFCR", A_TAFCR, 0, 0x0007FF9F },
    [RTC_ALRMASSR] = { "ALRMASSR", A_ALRMASSR, 0, R_ALRMSS_SS_MASK | R_ALRMSS_MASKSS_MASK },
    [RTC_ALRMBSSR] = { "ALRMBSSR", A_ALRMBSSR, 0, R_ALRMSS_SS_MASK | R_ALRMSS_MASKSS_MASK },
    BKP(0), BKP(1), BKP(2), BKP(3), BKP(4), BKP(5), BKP(6), BKP(7), BKP(8), BKP(9),
    BKP(10), BKP(11), BKP(12), BKP(13), BKP(14), BKP(15), BKP(16), BKP(17), BKP(18), BKP(19),
};

/* ---- the calendar in BCD ---- */

static unsigned from_bcd(uint32_t v)
{
    return (unsigned)((v >> 4) * 10 + (v & 0xF));
}

static uint32_t to_bcd(unsigned v)
{
    return (uint32_t)((v / 10) << 4 | (v % 10));
}

static bool twelve_hour(const stm32f4_rtc_t *s)
{
    return FIELD_EX32(s->r[RTC_CR], CR, FMT);
}

/* The hour 0..23 of TR in either format. */
static unsigned hour24(const stm32f4_rtc_t *s)
{
    unsigned h = from_bcd(FIELD_EX32(s->r[RTC_TR], TR, HOUR));
    if (!twelve_hour(s))
        return h;
    return h % 12 + (FIELD_EX32(s->r[RTC_TR], TR, PM) ? 12 : 0);
}

static void set_hour24(stm32f4_rtc_t *s, unsigned h)
{
    uint32_t tr = s->r[RTC_TR];
    if (twelve_hour(s)) {
        tr = FIELD_DP32(tr, TR, PM, h >= 12);
        h = h % 12 ? h % 12 : 12;
    } else {
        tr = FIELD_DP32(tr, TR, PM, 0);
    }
    s->r[RTC_TR] = FIELD_DP32(tr, TR, HOUR, to_bcd(h));
}

static void next_day(stm32f4_rtc_t *s)
{
    static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    uint32_t dr = s->r[RTC_DR];
    unsigned date = from_bcd(FIELD_EX32(dr, DR, DATE)), month = from_bcd(FIELD_EX32(dr, DR, MONTH));
    unsigned year = from_bcd(FIELD_EX32(dr, DR, YEAR)), wd = FIELD_EX32(dr, DR, WDU);
    unsigned dim = month >= 1 && month <= 12 ? days[month - 1] : 31;
    if (month == 2 && year % 4 == 0)
        dim = 29;
    if (++date > dim) {
        date = 1;
        if (++month > 12) {
            month = 1;
            year = (year + 1) % 100;
        }
    }
    dr = FIELD_DP32(dr, DR, DATE, to_bcd(date));
    dr = FIELD_DP32(dr, DR, MONTH, to_bcd(month));
    dr = FIELD_DP32(dr, DR, YEAR, to_bcd(year));
    s->r[RTC_DR] = FIELD_DP32(dr, DR, WDU, wd % 7 + 1);
}

static void add_hour(stm32f4_rtc_t *s)
{
    unsigned h = hour24(s) + 1;
    if (h >= 24) {
        h = 0;
        next_day(s);
    }
    set_hour24(s, h);
}

static void next_second(stm32f4_rtc_t *s)
{
    uint32_t tr = s->r[RTC_TR];
    unsigned sec = from_bcd(FIELD_EX32(tr, TR, SEC)) + 1, min = from_bcd(FIELD_EX32(tr, TR, MIN));
    if (sec >= 60) {
        sec = 0;
        if (++min >= 60)
            min = 0;
    }
    s->r[RTC_TR] = FIELD_DP32(FIELD_DP32(tr, TR, SEC, to_bcd(sec)), TR, MIN, to_bcd(min));
    if (sec == 0 && min == 0)
        add_hour(s);
}

/* ---- alarms ---- */

static bool alarm_matches(const stm32f4_rtc_t *s, unsigned k, bool new_second)
{
    uint32_t a = s->r[RTC_ALRMAR + k], ss = s->r[RTC_ALRMASSR + k];
    uint32_t tr = s->r[RTC_TR], dr = s->r[RTC_DR];
    unsigned maskss = FIELD_EX32(ss, ALRMSS, MASKSS);
    if (!maskss && !new_second)
        return false; /* without sub-seconds, the alarm fires as the second begins */
    if (maskss) {
        uint32_t m = maskss >= 15 ? 0x7FFF : (1u << maskss) - 1;
        if ((s->ss & m) != (ss & m))
            return false;
    }
    if (!FIELD_EX32(a, ALRM, MSK1) && (a & R_TR_SEC_MASK) != (tr & R_TR_SEC_MASK))
        return false;
    if (!FIELD_EX32(a, ALRM, MSK2) && (a & R_TR_MIN_MASK) != (tr & R_TR_MIN_MASK))
        return false;
    uint32_t hmask = R_TR_HOUR_MASK | R_TR_PM_MASK;
    if (!FIELD_EX32(a, ALRM, MSK3) && (a & hmask) != (tr & hmask))
        return false;
    if (!FIELD_EX32(a, ALRM, MSK4)) {
        unsigned want = FIELD_EX32(a, ALRM, DATE);
        if (FIELD_EX32(a, ALRM, WDSEL) ? (want & 0xF) != FIELD_EX32(dr, DR, WDU)
                                       : want != FIELD_EX32(dr, DR, DATE))
            return false;
    }
    return true;
}

static bool subsecond_alarm(const stm32f4_rtc_t *s)
{
    uint32_t cr = s->r[RTC_CR];
    return (FIELD_EX32(cr, CR, ALRAE) && FIELD_EX32(s->r[RTC_ALRMASSR], ALRMSS, MASKSS)) ||
           (FIELD_EX32(cr, CR, ALRBE) && FIELD_EX32(s->r[RTC_ALRMBSSR], ALRMSS, MASKSS));
}

static void check_alarms(stm32f4_rtc_t *s, bool new_second)
{
    uint32_t cr = s->r[RTC_CR];
    if (FIELD_EX32(cr, CR, ALRAE) && alarm_matches(s, 0, new_second))
        s->r[RTC_ISR] |= R_ISR_ALRAF_MASK;
    if (FIELD_EX32(cr, CR, ALRBE) && alarm_matches(s, 1, new_second))
        s->r[RTC_ISR] |= R_ISR_ALRBF_MASK;
}

/* ---- counting ---- */

static uint32_t prediv_a1(const stm32f4_rtc_t *s)
{
    return FIELD_EX32(s->r[RTC_PRER], PRER, PREDIV_A) + 1;
}

static uint32_t prediv_s(const stm32f4_rtc_t *s)
{
    return FIELD_EX32(s->r[RTC_PRER], PRER, PREDIV_S);
}

static bool wakeup_on(const stm32f4_rtc_t *s)
{
    return FIELD_EX32(s->r[RTC_CR], CR, WUTE);
}

static unsigned wakeup_div(const stm32f4_rtc_t *s)
{
    unsigned sel = FIELD_EX32(s->r[RTC_CR], CR, WUCKSEL);
    return sel < 4 ? 16u >> sel : 0; /* 0: counts ck_spre (seconds) */
}

static uint32_t wakeup_reload(const stm32f4_rtc_t *s)
{
    uint32_t n = FIELD_EX32(s->r[RTC_WUTR], WUTR, WUT) + 1;
    return FIELD_EX32(s->r[RTC_CR], CR, WUCKSEL) >= 6 ? n + 0x10000 : n;
}

static void wakeup_ticks(stm32f4_rtc_t *s, uint64_t t)
{
    if (t < s->wu_cnt) {
        s->wu_cnt -= (uint32_t)t;
        return;
    }
    s->r[RTC_ISR] |= R_ISR_WUTF_MASK;
    uint32_t reload = wakeup_reload(s);
    s->wu_cnt = reload - (uint32_t)((t - s->wu_cnt) % reload);
}

static uint64_t now_cycles(const stm32f4_rtc_t *s)
{
    sim_time_t now = sched_now(s->sched);
    if (!s->powered || !s->hz || now <= s->base_ns)
        return s->base_cycles;
    return s->base_cycles + (uint64_t)((unsigned __int128)(now - s->base_ns) * s->hz / 1000000000u);
}

/* Cycles until the next ck_apre tick. */
static uint64_t to_tick(const stm32f4_rtc_t *s)
{
    uint32_t a1 = prediv_a1(s);
    return s->apre < a1 ? a1 - s->apre : 1;
}

/* Cycles until the calendar's next second. */
static uint64_t to_second(const stm32f4_rtc_t *s)
{
    return to_tick(s) + (uint64_t)s->ss * prediv_a1(s);
}

/* Apply n RTCCLK cycles (no flag change lands within them). */
static void count(stm32f4_rtc_t *s, uint64_t n)
{
    unsigned div = wakeup_div(s);
    if (wakeup_on(s) && div) {
        uint64_t p = s->wu_pre + n;
        s->wu_pre = (uint32_t)(p % div);
        if (p / div)
            wakeup_ticks(s, p / div);
    }
    if (!s->counting)
        return;
    uint32_t a1 = prediv_a1(s);
    uint64_t p = s->apre + n, ticks = p / a1;
    s->apre = (uint32_t)(p % a1);
    if (!ticks)
        return;
    uint64_t secs = 0;
    if (ticks <= s->ss) {
        s->ss -= (uint32_t)ticks;
    } else {
        uint64_t s1 = (uint64_t)prediv_s(s) + 1, t = ticks - s->ss - 1;
        secs = 1 + t / s1;
        s->ss = prediv_s(s) - (uint32_t)(t % s1);
    }
    for (uint64_t k = 0; k < secs; k++)
        next_second(s);
    if (wakeup_on(s) && !div && secs)
        wakeup_ticks(s, secs);
    check_alarms(s, secs != 0);
}

static void land(stm32f4_rtc_t *s, unsigned k)
{
    uint32_t *isr = &s->r[RTC_ISR];
    s->sync_at[k] = NEVER;
    switch (k) {
    case RTC_SYNC_INITF:
        *isr |= R_ISR_INITF_MASK;
        *isr &= ~R_ISR_RSF_MASK;
        s->counting = false;
        s->apre = 0;
        s->ss = prediv_s(s);
        break;
    case RTC_SYNC_RUN:
        s->counting = true;
        s->sync_at[RTC_SYNC_RSF] = s->done + SYNC_CYCLES;
        break;
    case RTC_SYNC_RSF:
        if (!(*isr & R_ISR_INIT_MASK) && !FIELD_EX32(s->r[RTC_CR], CR, BYPSHAD))
            *isr |= R_ISR_RSF_MASK;
        break;
    case RTC_SYNC_ALRAWF:
        *isr |= R_ISR_ALRAWF_MASK;
        break;
    case RTC_SYNC_ALRBWF:
        *isr |= R_ISR_ALRBWF_MASK;
        break;
    case RTC_SYNC_WUTWF:
        *isr |= R_ISR_WUTWF_MASK;
        break;
    default:
        break;
    }
}

/* Bring the counters and flags up to now. */
static void sync(stm32f4_rtc_t *s)
{
    uint64_t to = now_cycles(s);
    while (s->done < to) {
        uint64_t step = to - s->done;
        for (unsigned k = 0; k < RTC_SYNC_COUNT; k++)
            if (s->sync_at[k] != NEVER && s->sync_at[k] - s->done < step)
                step = s->sync_at[k] - s->done;
        /* stop where an alarm or the wakeup timer may fire */
        uint32_t cr = s->r[RTC_CR];
        if (s->counting && (FIELD_EX32(cr, CR, ALRAE) || FIELD_EX32(cr, CR, ALRBE))) {
            uint64_t c = subsecond_alarm(s) ? to_tick(s) : to_second(s);
            step = c < step ? c : step;
        }
        if (wakeup_on(s)) {
            unsigned div = wakeup_div(s);
            uint64_t c = div ? (uint64_t)s->wu_cnt * div - s->wu_pre : s->counting ? to_second(s) : step;
            step = c && c < step ? c : step;
        }
        if (step == 0)
            step = 1;
        count(s, step);
        s->done += step;
        for (unsigned k = 0; k < RTC_SYNC_COUNT; k++)
            if (s->sync_at[k] <= s->done)
                land(s, k);
    }
}

static void update_irqs(stm32f4_rtc_t *s)
{
    uint32_t cr = s->r[RTC_CR], isr = s->r[RTC_ISR];
    irq_set(&s->alarm_irq, (FIELD_EX32(isr, ISR, ALRAF) && FIELD_EX32(cr, CR, ALRAIE)) ||
                           (FIELD_EX32(isr, ISR, ALRBF) && FIELD_EX32(cr, CR, ALRBIE)));
    irq_set(&s->wakeup_irq, FIELD_EX32(isr, ISR, WUTF) && FIELD_EX32(cr, CR, WUTIE));
}

/* The next cycle where something visible happens, or NEVER. */
static uint64_t next_cycle(const stm32f4_rtc_t *s)
{
    uint64_t next = NEVER;
    for (unsigned k = 0; k < RTC_SYNC_COUNT; k++)
        if (s->sync_at[k] < next)
            next = s->sync_at[k];
    uint32_t cr = s->r[RTC_CR];
    uint64_t c = NEVER;
    if (s->counting && (FIELD_EX32(cr, CR, ALRAE) || FIELD_EX32(cr, CR, ALRBE)))
        c = subsecond_alarm(s) ? to_tick(s) : to_second(s);
    if (wakeup_on(s)) {
        unsigned div = wakeup_div(s);
        uint64_t w = div ? (uint64_t)s->wu_cnt * div - s->wu_pre : s->counting ? to_second(s) : NEVER;
        c = w < c ? w : c;
    }
    if (c != NEVER && s->done + c < next)
        next = s->done + c;
    return next;
}

static void reschedule(stm32f4_rtc_t *s)
{
    update_irqs(s);
    sched_cancel(s->sched, &s->ev);
    uint64_t next = next_cycle(s);
    if (next == NEVER || !s->powered || !s->hz)
        return;
    unsigned __int128 ns = (unsigned __int128)(next - s->base_cycles) * 1000000000u;
    ns = (ns + s->hz - 1) / s->hz;
    sched_at(s->sched, &s->ev, s->base_ns + (sim_time_t)ns);
}

static void rtc_event(void *opaque)
{
    stm32f4_rtc_t *s = opaque;
    sync(s);
    reschedule(s);
}

static void rebase(stm32f4_rtc_t *s)
{
    s->base_cycles = now_cycles(s);
    s->base_ns = sched_now(s->sched);
}

static void clock_changed(void *opaque, uint64_t old_hz, uint64_t new_hz)
{
    stm32f4_rtc_t *s = opaque;
    (void)old_hz;
    sync(s);
    rebase(s);
    s->hz = new_hz;
    reschedule(s);
}

/* ---- register access ---- */

/* TR and DR as software reads them: the shadow registers. */
static uint32_t tr_read(stm32f4_rtc_t *s)
{
    uint32_t v = s->r[RTC_TR];
    if (FIELD_EX32(s->r[RTC_CR], CR, BYPSHAD))
        return v;
    if (s->tr_frozen)
        return s->tr_shadow;
    if (!s->dr_frozen) {
        s->dr_frozen = true;
        s->dr_shadow = s->r[RTC_DR];
    }
    return v;
}

static uint32_t dr_read(stm32f4_rtc_t *s)
{
    uint32_t v = s->r[RTC_DR];
    bool frozen = s->dr_frozen && !FIELD_EX32(s->r[RTC_CR], CR, BYPSHAD);
    s->dr_frozen = s->tr_frozen = false;
    return frozen ? s->dr_shadow : v;
}

static uint32_t ssr_read(void *dev, unsigned idx, uint32_t v)
{
    stm32f4_rtc_t *s = dev;
    (void)idx;
    (void)v;
    if (!FIELD_EX32(s->r[RTC_CR], CR, BYPSHAD) && !s->tr_frozen) {
        s->tr_frozen = s->dr_frozen = true;
        s->tr_shadow = s->r[RTC_TR];
        s->dr_shadow = s->r[RTC_DR];
    }
    return s->ss;
}

static uint32_t isr_read(void *dev, unsigned idx, uint32_t v)
{
    stm32f4_rtc_t *s = dev;
    (void)idx;
    return FIELD_DP32(v, ISR, INITS, FIELD_EX32(s->r[RTC_DR], DR, YEAR) != 0);
}

/* An enable bit changed: its write flag drops at once and rises 2 RTCCLK
 * cycles after the enable clears. */
static void enable_changed(stm32f4_rtc_t *s, uint32_t old, uint32_t cr, uint32_t en_mask,
                           uint32_t wf_mask, unsigned sync_k)
{
    if ((old ^ cr) & en_mask) {
        if (cr & en_mask) {
            s->r[RTC_ISR] &= ~wf_mask;
            s->sync_at[sync_k] = NEVER;
        } else {
            s->sync_at[sync_k] = now_cycles(s) + SYNC_CYCLES;
        }
    }
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rtc_t *s = dev;
    (void)idx;
    uint32_t cr = s->r[RTC_CR];
    if (!FIELD_EX32(s->r[RTC_ISR], ISR, WUTWF) || (old & R_CR_WUTE_MASK)) {
        if ((cr ^ old) & R_CR_WUCKSEL_MASK)
            log_once(LOG_GUEST_ERROR, "rtc", 1, "RTC_CR.WUCKSEL written while the wakeup timer "
                     "runs (WUTWF = 0): ignored");
        cr = (cr & ~R_CR_WUCKSEL_MASK) | (old & R_CR_WUCKSEL_MASK);
        s->r[RTC_CR] = cr;
    }
    enable_changed(s, old, cr, R_CR_ALRAE_MASK, R_ISR_ALRAWF_MASK, RTC_SYNC_ALRAWF);
    enable_changed(s, old, cr, R_CR_ALRBE_MASK, R_ISR_ALRBWF_MASK, RTC_SYNC_ALRBWF);
    enable_changed(s, old, cr, R_CR_WUTE_MASK, R_ISR_WUTWF_MASK, RTC_SYNC_WUTWF);
    if ((cr & ~old) & R_CR_WUTE_MASK) {
        s->wu_pre = 0;
        s->wu_cnt = wakeup_reload(s);
    }
    if (cr & R_CR_BYPSHAD_MASK)
        s->r[RTC_ISR] &= ~R_ISR_RSF_MASK;
    else if (old & R_CR_BYPSHAD_MASK)
        s->sync_at[RTC_SYNC_RSF] = now_cycles(s) + SYNC_CYCLES;
    s->r[RTC_CR] &= ~(R_CR_ADD1H_MASK | R_CR_SUB1H_MASK);
    /* daylight saving: one hour forward, or back unless it is hour 0 */
    if (written & R_CR_ADD1H_MASK)
        add_hour(s);
    else if ((written & R_CR_SUB1H_MASK) && hour24(s) != 0)
        set_hour24(s, hour24(s) - 1);
}

static void isr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rtc_t *s = dev;
    (void)idx;
    (void)written;
    uint32_t isr = s->r[RTC_ISR];
    if ((isr & ~old) & R_ISR_INIT_MASK) {
        s->sync_at[RTC_SYNC_INITF] = now_cycles(s) + SYNC_CYCLES;
        s->sync_at[RTC_SYNC_RUN] = NEVER;
    } else if ((old & ~isr) & R_ISR_INIT_MASK) {
        s->sync_at[RTC_SYNC_INITF] = NEVER;
        if (old & R_ISR_INITF_MASK)
            s->sync_at[RTC_SYNC_RUN] = now_cycles(s) + RESTART_CYCLES;
        s->r[RTC_ISR] = isr & ~R_ISR_INITF_MASK;
    }
    /* software cleared RSF (or wrote 0 to it while it was clear, as
     * HAL_RTC_WaitForSynchro does): the next shadow copy sets it again */
    if (!(written & R_ISR_RSF_MASK) && !(isr & R_ISR_INIT_MASK) && s->sync_at[RTC_SYNC_RSF] == NEVER)
        s->sync_at[RTC_SYNC_RSF] = now_cycles(s) + SYNC_CYCLES;
}

static void prer_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rtc_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    s->apre = 0;
    s->ss = prediv_s(s);
}

static void wutr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rtc_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    s->wu_cnt = wakeup_reload(s);
}

/* SHIFTR: SUBFS is added to the synchronous counter (the clock loses
 * SUBFS/(PREDIV_S+1) s); ADD1S adds one second as well. */
static void shiftr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_rtc_t *s = dev;
    (void)idx;
    (void)old;
    if (FIELD_EX32(s->r[RTC_CR], CR, BYPSHAD) || (s->r[RTC_CR] & (1u << 4))) /* REFCKON */
        return;
    s->ss += FIELD_EX32(written, SHIFTR, SUBFS);
    if (FIELD_EX32(written, SHIFTR, ADD1S))
        next_second(s);
}

static uint32_t merge_lanes(uint32_t old, uint32_t off, unsigned size, uint32_t v)
{
    if (size >= 4)
        return v;
    unsigned shift = (off & 3) * 8;
    uint32_t mask = ((1u << (size * 8)) - 1) << shift;
    return (old & ~mask) | ((v << shift) & mask);
}

static bool refuse(unsigned key, const char *name, const char *why)
{
    log_once(LOG_GUEST_ERROR, "rtc", key, "RTC_%s written %s: ignored", name, why);
    return false;
}

/* May this register be written now? (write protection and mode rules) */
static bool write_allowed(stm32f4_rtc_t *s, int idx)
{
    uint32_t isr = s->r[RTC_ISR];
    bool initf = FIELD_EX32(isr, ISR, INITF);
    const char *name = rtc_regs[idx].name;
    if (s->key_state != 2)
        return refuse(100, name, "while write-protected (RTC_WPR needs 0xCA then 0x53)");
    switch (idx) {
    case RTC_TR: case RTC_DR: case RTC_PRER: case RTC_CALIBR:
        return initf || refuse(101 + (unsigned)idx, name, "outside initialization mode (INITF = 0)");
    case RTC_ALRMAR: case RTC_ALRMASSR:
        return initf || FIELD_EX32(isr, ISR, ALRAWF) ||
               refuse(110 + (unsigned)idx, name, "while alarm A is enabled (ALRAWF = 0)");
    case RTC_ALRMBR: case RTC_ALRMBSSR:
        return initf || FIELD_EX32(isr, ISR, ALRBWF) ||
               refuse(120 + (unsigned)idx, name, "while alarm B is enabled (ALRBWF = 0)");
    case RTC_WUTR:
        return FIELD_EX32(isr, ISR, WUTWF) ||
               refuse(130, name, "while the wakeup timer is enabled (WUTWF = 0)");
    case RTC_SHIFTR:
        return (!FIELD_EX32(isr, ISR, SHPF) && !FIELD_EX32(isr, ISR, INIT)) ||
               refuse(131, name, "in initialization mode");
    default:
        return true;
    }
}

static int rtc_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_rtc_t *s = dev;
    sync(s);
    int idx = regs_index(&s->regs, off);
    if (idx == RTC_TR || idx == RTC_DR) {
        uint32_t w = idx == RTC_TR ? tr_read(s) : dr_read(s);
        uint32_t lanes = size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
        *v = (w >> ((off & 3) * 8)) & lanes;
        return 0;
    }
    regs_read(&s->regs, off, size, v);
    return 0;
}

static int rtc_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_rtc_t *s = dev;
    sync(s);
    if (s->backup_writable && !s->backup_writable(s->backup_opaque)) {
        log_once(LOG_GUEST_ERROR, "rtc", 0, "RTC written while PWR_CR.DBP = 0: ignored (the "
                 "backup domain is write-protected)");
        return 0;
    }
    int idx = regs_index(&s->regs, off);
    if (idx == RTC_WPR) {
        uint8_t key = (uint8_t)merge_lanes(0, off, size, v);
        s->key_state = key == 0xCA ? 1 : key == 0x53 && s->key_state == 1 ? 2 : 0;
        return 0;
    }
    if (idx == RTC_ISR && s->key_state != 2) {
        /* the event flags ISR[13:8] clear even while write-protected */
        uint32_t w = merge_lanes(s->r[RTC_ISR], off, size, v);
        s->r[RTC_ISR] &= ~(~w & R_ISR_UNPROTECTED_MASK);
    } else if (idx < 0 || idx >= RTC_BKP0R || idx == RTC_TAFCR || write_allowed(s, idx)) {
        regs_write(&s->regs, off, size, v);
    }
    reschedule(s);
    return 0;
}

const bus_ops_t stm32f4_rtc_ops = { rtc_read, rtc_write };

void stm32f4_rtc_init(stm32f4_rtc_t *s, const stm32f4_ctx_t *ctx, sim_clock_t *rtcclk)
{
    memset(s, 0, sizeof *s);
    s->sched = ctx->sched;
    s->clk = rtcclk;
    s->hz = clock_hz(rtcclk);
    s->powered = true;
    regs_init(&s->regs, "rtc", rtc_regs, RTC_NREGS, s->r, s);
    sched_event_init(&s->ev, "rtc", rtc_event, s);
    irq_init(&s->alarm_irq, "rtc.alarm");
    irq_init(&s->wakeup_irq, "rtc.wakeup");
    clock_listen(rtcclk, clock_changed, s);
    for (unsigned k = 0; k < RTC_SYNC_COUNT; k++)
        s->sync_at[k] = NEVER;
}

void stm32f4_rtc_reset(stm32f4_rtc_t *s, bool backup_domain)
{
    sync(s);
    /* power is back (if it was off): count from now */
    s->base_cycles = s->done;
    s->base_ns = sched_now(s->sched);
    s->powered = true;
    s->hz = clock_hz(s->clk);
    for (unsigned k = 0; k < RTC_SYNC_COUNT; k++)
        s->sync_at[k] = NEVER;
    if (backup_domain) {
        regs_reset(&s->regs);
        s->apre = s->wu_pre = 0;
        s->ss = prediv_s(s);
        s->wu_cnt = wakeup_reload(s);
        /* the calendar runs from its reset value: the first shadow copy
         * lands once RTCCLK runs */
        s->sync_at[RTC_SYNC_RSF] = s->done + SYNC_CYCLES;
    } else {
        /* a flag that was about to land still does */
        uint32_t isr = s->r[RTC_ISR];
        if (!(s->r[RTC_CR] & R_CR_ALRAE_MASK))
            isr |= R_ISR_ALRAWF_MASK;
        if (!(s->r[RTC_CR] & R_CR_ALRBE_MASK))
            isr |= R_ISR_ALRBWF_MASK;
        if (!(s->r[RTC_CR] & R_CR_WUTE_MASK))
            isr |= R_ISR_WUTWF_MASK;
        s->r[RTC_ISR] = isr & ~(R_ISR_INIT_MASK | R_ISR_INITF_MASK | R_ISR_RSF_MASK);
        /* the shadow registers are copied again 2 RTCCLK cycles on */
        if (!FIELD_EX32(s->r[RTC_CR], CR, BYPSHAD))
            s->sync_at[RTC_SYNC_RSF] = s->done + SYNC_CYCLES;
    }
    s->counting = true;
    s->key_state = 0;
    s->tr_frozen = s->dr_frozen = false;
    reschedule(s);
}

void stm32f4_rtc_power_cut(stm32f4_rtc_t *s, bool runs_on_vbat)
{
    sync(s);
    rebase(s);
    if (!runs_on_vbat) {
        s->powered = false;
        sched_cancel(s->sched, &s->ev);
    }
    irq_set(&s->alarm_irq, false);
    irq_set(&s->wakeup_irq, false);
}
