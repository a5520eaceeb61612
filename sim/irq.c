/* IRQ lines, OR gates and splitters: see irq.h. */
#include <string.h>
#include "irq.h"

void irq_init(irq_line_t *line, const char *name)
{
    memset(line, 0, sizeof *line);
    line->name = name;
}

void irq_connect(irq_line_t *line, irq_handler_fn sink, void *opaque, int n)
{
    line->handler = sink;
    line->opaque = opaque;
    line->n = n;
    if (sink && line->level)
        sink(opaque, n, true);
}

void irq_set(irq_line_t *line, bool level)
{
    if (line->level == level)
        return;
    line->level = level;
    if (line->handler)
        line->handler(line->opaque, line->n, level);
}

void irq_or_gate_init(irq_or_gate_t *g, const char *name)
{
    g->inputs = 0;
    irq_init(&g->out, name);
}

void irq_or_gate_input(void *gate, int n, bool level)
{
    irq_or_gate_t *g = gate;
    if (n < 0 || n >= IRQ_OR_MAX_INPUTS)
        return;
    if (level)
        g->inputs |= 1u << n;
    else
        g->inputs &= ~(1u << n);
    irq_set(&g->out, g->inputs != 0);
}

void irq_splitter_init(irq_splitter_t *s, const char *name)
{
    memset(s, 0, sizeof *s);
    for (unsigned i = 0; i < IRQ_SPLIT_MAX; i++)
        irq_init(&s->out[i], name);
}

irq_line_t *irq_splitter_add(irq_splitter_t *s)
{
    return s->count < IRQ_SPLIT_MAX ? &s->out[s->count++] : NULL;
}

void irq_splitter_input(void *splitter, int n, bool level)
{
    irq_splitter_t *s = splitter;
    (void)n;
    for (unsigned i = 0; i < s->count; i++)
        irq_set(&s->out[i], level);
}
