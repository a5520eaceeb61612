/*
 * Level-sensitive interrupt / signal lines.
 *
 * An irq_line_t is owned by the model that drives it. The board or SoC wiring
 * connects it to one sink (NVIC input, EXTI input, an OR gate ...). irq_set()
 * filters repeated levels, so a sink sees only changes. Driving an unconnected
 * line is a no-op (the level is still remembered, so a later connect delivers
 * it). Fan-in goes through an explicit irq_or_gate_t, never by chaining.
 * A fan-out to several sinks goes through irq_splitter_t.
 */
#ifndef SIM_IRQ_H
#define SIM_IRQ_H

#include "types.h"

typedef void (*irq_handler_fn)(void *opaque, int n, bool level);

typedef struct irq_line {
    irq_handler_fn handler; /* NULL = unconnected */
    void *opaque;
    int n;                  /* input index at the sink */
    bool level;
    const char *name;
} irq_line_t;

void irq_init(irq_line_t *line, const char *name);
/* Connect and deliver the current level if it is high. */
void irq_connect(irq_line_t *line, irq_handler_fn sink, void *opaque, int n);
void irq_set(irq_line_t *line, bool level);
static inline void irq_raise(irq_line_t *l) { irq_set(l, true); }
static inline void irq_lower(irq_line_t *l) { irq_set(l, false); }

#define IRQ_OR_MAX_INPUTS 32
typedef struct irq_or_gate {
    uint32_t inputs;   /* bit per input level */
    irq_line_t out;
} irq_or_gate_t;
void irq_or_gate_init(irq_or_gate_t *g, const char *name);
/* Sink function to connect inputs to: irq_connect(src, irq_or_gate_input, g, idx). */
void irq_or_gate_input(void *gate, int n, bool level);

#define IRQ_SPLIT_MAX 8
typedef struct irq_splitter {
    irq_line_t out[IRQ_SPLIT_MAX];
    unsigned count;
} irq_splitter_t;
void irq_splitter_init(irq_splitter_t *s, const char *name);
irq_line_t *irq_splitter_add(irq_splitter_t *s); /* NULL when full */
void irq_splitter_input(void *splitter, int n, bool level);

#endif
