/*
 * STM32F4 EXTI (RM0090 section 12.3) and SYSCFG (section 9.2).
 *
 * IMR/EMR/RTSR/FTSR/SWIER/PR for 23 lines; an input edge selected by
 * RTSR/FTSR on a line unmasked in IMR sets PR (the pending register sits
 * after the interrupt mask, RM0090 figure 41), which raises the line's
 * interrupt; PR and SWIER bits clear by writing 1 to PR; an SWIER 0->1
 * write triggers the line like an edge; lines unmasked in EMR set the
 * core's event register (wakes WFE). Output lines: EXTI0-4, EXTI9_5,
 * EXTI15_10 and lines 16-22, connected by the container. Lines 0-15 come
 * from the GPIO pins SYSCFG selects, line 16 from the PVD, 17 from the RTC
 * alarms and 22 from the RTC wakeup timer; the USB and Ethernet wakeup
 * lines (18-20) and RTC tamper/time stamp (21) have no source here.
 * Edge detection needs no clock, so it works in Stop: after each trigger of
 * a line in interrupt or event mode the container is told (it decides
 * whether that wakes the chip).
 */
#include <string.h>
#include "stm32f4_exti.h"
#include "sim/log.h"

REG32(IMR, 0x00)       /* interrupt mask, 1 = unmasked */
REG32(EMR, 0x04)       /* event mask */
REG32(RTSR, 0x08)      /* rising trigger */
REG32(FTSR, 0x0C)      /* falling trigger */
REG32(SWIER, 0x10)     /* software trigger */
REG32(PR, 0x14)        /* pending (rc_w1) */

#define LINE_MASK 0x7FFFFFu

static void exti_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t exti_regs[EXTI_NREGS] = {
    [EXTI_IMR] = { "IMR", A_IMR, 0, LINE_MASK, .post_write = exti_written },
    [EXTI_EMR] = { "EMR", A_EMR, 0, LINE_MASK },
    [EXTI_RTSR] = { "RTSR", A_RTSR, 0, LINE_MASK },
    [EXTI_FTSR] = { "FTSR", A_FTSR, 0, LINE_MASK },
    [EXTI_SWIER] = { "SWIER", A_SWIER, 0, LINE_MASK, .post_write = exti_written },
    [EXTI_PR] = { "PR", A_PR, 0, 0, .w1c_mask = LINE_MASK, .post_write = exti_written },
};

static void update_outputs(stm32f4_exti_t *s)
{
    uint32_t act = s->r[EXTI_PR] & s->r[EXTI_IMR];
    for (unsigned k = 0; k < 5; k++)
        irq_set(&s->out[EXTI_OUT_0 + k], (act >> k) & 1);
    irq_set(&s->out[EXTI_OUT_9_5], (act & 0x03E0) != 0);
    irq_set(&s->out[EXTI_OUT_15_10], (act & 0xFC00) != 0);
    for (unsigned k = 0; k < 7; k++)
        irq_set(&s->out[EXTI_OUT_16 + k], (act >> (16 + k)) & 1);
}

/* Returns whether the line is in interrupt or event mode. */
static bool trigger(stm32f4_exti_t *s, unsigned line)
{
    if ((s->r[EXTI_IMR] >> line) & 1)
        s->r[EXTI_PR] |= 1u << line;
    if ((s->r[EXTI_EMR] >> line) & 1 && s->cpu)
        s->cpu->event_reg = true;
    return ((s->r[EXTI_IMR] | s->r[EXTI_EMR]) >> line) & 1;
}

static void exti_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_exti_t *s = dev;
    bool fired = false;
    if (idx == EXTI_SWIER) {
        uint32_t rising = s->r[EXTI_SWIER] & ~old;
        for (unsigned k = 0; k < EXTI_LINES; k++)
            if ((rising >> k) & 1)
                fired |= trigger(s, k);
    } else if (idx == EXTI_PR) {
        s->r[EXTI_SWIER] &= ~(written & LINE_MASK);
    }
    update_outputs(s);
    if (fired && s->wakeup)
        s->wakeup(s->wakeup_opaque);
}

void stm32f4_exti_input(void *exti, int n, bool level)
{
    stm32f4_exti_t *s = exti;
    if (n < 0 || n >= EXTI_LINES)
        return;
    /* Callers report changes of the routed pin; the line's previous level
     * may belong to another port (EXTICR changed), so every call is an edge. */
    s->level = (s->level & ~(1u << n)) | ((uint32_t)level << n);
    s->edges++;
    uint32_t sel = level ? s->r[EXTI_RTSR] : s->r[EXTI_FTSR];
    if ((sel >> n) & 1) {
        bool fired = trigger(s, (unsigned)n);
        update_outputs(s);
        if (fired && s->wakeup)
            s->wakeup(s->wakeup_opaque);
    }
}

uint32_t stm32f4_exti_pending(const stm32f4_exti_t *s)
{
    return s->r[EXTI_PR];
}

const bus_ops_t stm32f4_exti_ops = { stm32f4_regs_read, stm32f4_regs_write };

void stm32f4_exti_init(stm32f4_exti_t *s, const stm32f4_ctx_t *ctx)
{
    memset(s, 0, sizeof *s);
    s->cpu = ctx->cpu;
    for (unsigned k = 0; k < EXTI_OUT_COUNT; k++)
        irq_init(&s->out[k], "exti");
    regs_init(&s->regs, "exti", exti_regs, EXTI_NREGS, s->r, s);
}

void stm32f4_exti_reset(stm32f4_exti_t *s)
{
    regs_reset(&s->regs);
    update_outputs(s);
}
