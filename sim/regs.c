/* Declarative register files: see regs.h. */
#include <string.h>
#include "regs.h"
#include "log.h"

void regs_init(regs_t *r, const char *tag, const reg_desc_t *desc, unsigned count,
               uint32_t *values, void *dev)
{
    r->tag = tag;
    r->desc = desc;
    r->count = count;
    r->values = values;
    r->dev = dev;
    for (unsigned i = 0; i < ARRAY_SIZE(r->by_word); i++)
        r->by_word[i] = -1;
    for (unsigned i = 0; i < count; i++) {
        if (!desc[i].name)
            continue;
        if (desc[i].offset < 0x400)
            r->by_word[desc[i].offset >> 2] = (int16_t)i;
    }
    regs_reset(r);
}

void regs_reset(regs_t *r)
{
    for (unsigned i = 0; i < r->count; i++)
        r->values[i] = r->desc[i].reset;
}

int regs_index(const regs_t *r, uint32_t offset)
{
    if (offset < 0x400)
        return r->by_word[offset >> 2];
    for (unsigned i = 0; i < r->count; i++)
        if (r->desc[i].name && r->desc[i].offset == (offset & ~3u))
            return (int)i;
    return -1;
}

static uint32_t lane_mask(uint32_t offset, unsigned size)
{
    unsigned shift = (offset & 3) * 8;
    uint32_t m = size >= 4 ? 0xFFFFFFFFu : ((1u << (size * 8)) - 1u);
    return m << shift;
}

int regs_read(regs_t *r, uint32_t offset, unsigned size, uint32_t *value)
{
    int idx = regs_index(r, offset);
    if (idx < 0) {
        log_once(LOG_GUEST_ERROR, r->tag, offset, "read of unknown register at offset 0x%03x",
                 offset);
        *value = 0;
        return REGS_UNMAPPED;
    }
    const reg_desc_t *d = &r->desc[idx];
    uint32_t v = r->values[idx];
    if (d->pre_read)
        v = r->values[idx] = d->pre_read(r->dev, (unsigned)idx, v);
    uint32_t shown = v & ~d->wo_mask;
    *value = (shown & lane_mask(offset, size)) >> ((offset & 3) * 8);
    if (d->rc_mask) {
        uint32_t lanes = lane_mask(offset, size);
        r->values[idx] &= ~(d->rc_mask & lanes);
    }
    if (d->post_read)
        d->post_read(r->dev, (unsigned)idx, v);
    return REGS_OK;
}

int regs_write(regs_t *r, uint32_t offset, unsigned size, uint32_t value)
{
    int idx = regs_index(r, offset);
    if (idx < 0) {
        log_once(LOG_GUEST_ERROR, r->tag, offset, "write of unknown register at offset 0x%03x",
                 offset);
        return REGS_UNMAPPED;
    }
    const reg_desc_t *d = &r->desc[idx];
    uint32_t lanes = lane_mask(offset, size);
    uint32_t w = (value << ((offset & 3) * 8)) & lanes;
    uint32_t old = r->values[idx];
    uint32_t v = old;
    uint32_t rw = d->rw_mask & lanes;
    v = (v & ~rw) | (w & rw);
    v &= ~(d->w1c_mask & lanes & w);
    v &= ~(d->w0c_mask & lanes & ~w);
    if ((w & ~(d->rw_mask | d->w1c_mask | d->w0c_mask) & lanes & ~old) &&
        !(d->post_write))
        log_once(LOG_GUEST_ERROR, r->tag, offset | 0x80000000u,
                 "write to read-only bits of %s (value 0x%08x)", d->name, value);
    r->values[idx] = v;
    if (d->post_write)
        d->post_write(r->dev, (unsigned)idx, old, w | (old & ~lanes));
    return REGS_OK;
}
