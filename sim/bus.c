/* System bus: see bus.h for the contract. */
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "log.h"

void bus_init(bus_t *bus)
{
    memset(bus, 0, sizeof *bus);
}

void bus_free(bus_t *bus)
{
    for (unsigned i = 0; i < bus->nregions; i++)
        if (bus->regions[i].dev_owned)
            free(bus->regions[i].dev);
    for (unsigned i = 0; i < 4096; i++)
        free(bus->l1[i]);
    memset(bus->l1, 0, sizeof bus->l1);
    bus->nregions = 0;
}

static bus_l2_t *l2_get(bus_t *bus, uint32_t addr)
{
    bus_l2_t **slot = &bus->l1[addr >> 20];
    if (!*slot)
        *slot = calloc(1, sizeof **slot);
    return *slot;
}

static bus_region_t *map_region(bus_t *bus, const bus_region_t *tmpl)
{
    if ((tmpl->base | tmpl->size) & (BUS_PAGE_SIZE - 1) || tmpl->size == 0 ||
        (uint64_t)tmpl->base + tmpl->size > 0x100000000ull) {
        log_msg(LOG_ERROR, "bus", "region %s at 0x%08x size 0x%x is not 1 KiB aligned",
                tmpl->name, tmpl->base, tmpl->size);
        return NULL;
    }
    if (bus->nregions >= BUS_MAX_REGIONS) {
        log_msg(LOG_ERROR, "bus", "too many regions (mapping %s)", tmpl->name);
        return NULL;
    }
    for (uint64_t a = tmpl->base; a < (uint64_t)tmpl->base + tmpl->size; a += BUS_PAGE_SIZE) {
        bus_region_t *other = bus_find(bus, (uint32_t)a);
        if (other) {
            log_msg(LOG_ERROR, "bus", "region %s at 0x%08x overlaps %s", tmpl->name,
                    (uint32_t)a, other->name);
            return NULL;
        }
    }
    bus_region_t *r = &bus->regions[bus->nregions];
    *r = *tmpl;
    r->index = bus->nregions++;
    bus->generation++; /* decoded code and its timing bounds see the new map */
    for (uint64_t a = r->base; a < (uint64_t)r->base + r->size; a += BUS_PAGE_SIZE) {
        bus_l2_t *l2 = l2_get(bus, (uint32_t)a);
        if (!l2) {
            log_msg(LOG_ERROR, "bus", "out of memory");
            return NULL;
        }
        l2->page[(a >> BUS_PAGE_SHIFT) & (BUS_L2_ENTRIES - 1)] = r;
    }
    return r;
}

bus_region_t *bus_map_ram(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                          uint8_t *host, unsigned flags, unsigned wait_states)
{
    bus_region_t t = { .name = name, .kind = BUS_RAM, .base = base, .size = size,
                       .host = host, .flags = flags, .wait_states = wait_states, .direct = true };
    return map_region(bus, &t);
}

bus_region_t *bus_map_rom(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                          uint8_t *host, const bus_ops_t *write_hook, void *dev,
                          unsigned flags, unsigned wait_states)
{
    bus_region_t t = { .name = name, .kind = BUS_ROM, .base = base, .size = size, .host = host,
                       .ops = write_hook, .dev = dev, .flags = flags,
                       .wait_states = wait_states, .direct = true };
    return map_region(bus, &t);
}

bus_region_t *bus_map_mmio(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                           const bus_ops_t *ops, void *dev, unsigned flags, unsigned wait_states)
{
    bus_region_t t = { .name = name, .kind = BUS_MMIO, .base = base, .size = size, .ops = ops,
                       .dev = dev, .flags = flags | BUS_F_NOEXEC, .wait_states = wait_states };
    return map_region(bus, &t);
}

/* --- alias and bit-band windows: MMIO regions forwarding to the bus --- */

typedef struct bus_window {
    bus_t *bus;
    uint32_t target;
    uint32_t size;
} bus_window_t;

#define BUS_MAX_WINDOWS 16
static bus_window_t *window_new(bus_t *bus, uint32_t target, uint32_t size)
{
    bus_window_t *w = calloc(1, sizeof *w);
    if (w) {
        w->bus = bus;
        w->target = target;
        w->size = size;
    }
    return w;
}

static int alias_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    bus_window_t *w = dev;
    return bus_read(w->bus, w->target + off, size, v);
}

static int alias_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    bus_window_t *w = dev;
    return bus_write(w->bus, w->target + off, size, v);
}

static const bus_ops_t alias_ops = { alias_read, alias_write };

bus_region_t *bus_map_alias(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                            uint32_t target)
{
    bus_region_t *t = bus_find(bus, target);
    /* A RAM/ROM target is mapped a second time on the same buffer: fast path. */
    if (t && t->kind != BUS_MMIO && target >= t->base &&
        (uint64_t)target - t->base + size <= t->size) {
        bus_region_t tmpl = *t;
        tmpl.name = name;
        tmpl.base = base;
        tmpl.size = size;
        tmpl.host = t->host + (target - t->base);
        tmpl.dev_owned = false;
        return map_region(bus, &tmpl);
    }
    bus_window_t *w = window_new(bus, target, size);
    if (!w)
        return NULL;
    bus_region_t *r = bus_map_mmio(bus, name, base, size, &alias_ops, w, 0, 0);
    if (!r) {
        free(w);
    } else {
        r->flags &= ~(unsigned)BUS_F_NOEXEC;
        r->dev_owned = true;
    }
    return r;
}

/*
 * Bit-band: alias word k maps bit (k % 8) of target byte k / 8. The target
 * is read (and for a write, read-modify-written) with the size of the
 * access to the alias, as the Cortex-M4 does ("the bit band transfer size
 * matches the transfer size of the instruction", Cortex-M4 Devices Generic
 * User Guide 2.2.5), so a peripheral register sees an access of that size.
 */
static uint32_t bitband_target(const bus_window_t *w, uint32_t off, unsigned size,
                               unsigned *bit)
{
    uint32_t byte_addr = w->target + (off >> 5);
    uint32_t addr = byte_addr & ~(uint32_t)(size - 1);
    *bit = (byte_addr - addr) * 8 + ((off >> 2) & 7);
    return addr;
}

static int bitband_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    bus_window_t *w = dev;
    unsigned bit;
    uint32_t addr = bitband_target(w, off, size, &bit), word;
    if (bus_read(w->bus, addr, size, &word))
        return 1;
    *v = (word >> bit) & 1;
    return 0;
}

static int bitband_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    bus_window_t *w = dev;
    unsigned bit;
    uint32_t addr = bitband_target(w, off, size, &bit), word;
    if (bus_read(w->bus, addr, size, &word))
        return 1;
    word = (v & 1) ? word | (1u << bit) : word & ~(1u << bit);
    return bus_write(w->bus, addr, size, word);
}

static const bus_ops_t bitband_ops = { bitband_read, bitband_write };

bus_region_t *bus_map_bitband(bus_t *bus, const char *name, uint32_t alias_base,
                              uint32_t target_base, uint32_t target_size)
{
    bus_window_t *w = window_new(bus, target_base, target_size);
    if (!w)
        return NULL;
    bus_region_t *r = bus_map_mmio(bus, name, alias_base, target_size * 32, &bitband_ops, w, 0, 0);
    if (!r)
        free(w);
    else
        r->dev_owned = true;
    return r;
}

/* --- generic access --- */

static inline uint32_t host_load(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return p[0];
    case 2: return rd_le16(p);
    default: return rd_le32(p);
    }
}

static inline void host_store(uint8_t *p, unsigned size, uint32_t v)
{
    switch (size) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: wr_le16(p, (uint16_t)v); break;
    default: wr_le32(p, v); break;
    }
}

int bus_read(bus_t *bus, uint32_t addr, unsigned size, uint32_t *value)
{
    bus_region_t *r = bus_find(bus, addr);
    if (!r || (uint64_t)addr + size > (uint64_t)r->base + r->size) {
        /* An access crossing into the next region is split into bytes. */
        if (r && size > 1) {
            uint32_t v = 0, b;
            for (unsigned i = 0; i < size; i++) {
                if (bus_read(bus, addr + i, 1, &b))
                    return 1;
                v |= b << (8 * i);
            }
            *value = v;
            return 0;
        }
        return 1;
    }
    uint32_t off = addr - r->base;
    if (r->kind != BUS_MMIO && r->direct) {
        *value = host_load(r->host + off, size);
        return 0;
    }
    if (!r->ops || !r->ops->read)
        return 1;
    return r->ops->read(r->dev, off, size, value);
}

int bus_write(bus_t *bus, uint32_t addr, unsigned size, uint32_t value)
{
    bus_region_t *r = bus_find(bus, addr);
    if (!r || (uint64_t)addr + size > (uint64_t)r->base + r->size) {
        if (r && size > 1) {
            for (unsigned i = 0; i < size; i++)
                if (bus_write(bus, addr + i, 1, (value >> (8 * i)) & 0xFF))
                    return 1;
            return 0;
        }
        return 1;
    }
    uint32_t off = addr - r->base;
    switch (r->kind) {
    case BUS_RAM:
        host_store(r->host + off, size, value);
        if (bus_is_code(bus, addr))
            bus_notify_write(bus, addr, size);
        return 0;
    case BUS_ROM:
        if (!r->ops || !r->ops->write)
            return 1;
        return r->ops->write(r->dev, off, size, value);
    case BUS_MMIO:
        if (!r->ops || !r->ops->write)
            return 1;
        return r->ops->write(r->dev, off, size, value);
    }
    return 1;
}

size_t bus_debug_read(bus_t *bus, uint32_t addr, void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t done = 0;
    while (done < len) {
        uint32_t a = addr + (uint32_t)done;
        bus_region_t *r = bus_find(bus, a);
        if (!r)
            break;
        if (r->kind != BUS_MMIO) {
            size_t n = r->size - (a - r->base);
            if (n > len - done)
                n = len - done;
            memcpy(out + done, r->host + (a - r->base), n);
            done += n;
        } else {
            uint32_t v;
            if (bus_read(bus, a, 1, &v))
                break;
            out[done++] = (uint8_t)v;
        }
    }
    return done;
}

size_t bus_debug_write(bus_t *bus, uint32_t addr, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    size_t done = 0;
    while (done < len) {
        uint32_t a = addr + (uint32_t)done;
        bus_region_t *r = bus_find(bus, a);
        if (!r)
            break;
        if (r->kind != BUS_MMIO) {
            size_t n = r->size - (a - r->base);
            if (n > len - done)
                n = len - done;
            memcpy(r->host + (a - r->base), in + done, n);
            bus_notify_write(bus, a, (unsigned)(n > 0xFFFFFFFFu ? 0xFFFFFFFFu : n));
            done += n;
        } else {
            if (bus_write(bus, a, 1, in[done]))
                break;
            done++;
        }
    }
    return done;
}

/* Regions do not point back at their bus; the generation lives in the bus
 * that contains the region, found by address arithmetic on the array. */
static bus_t *region_bus(bus_region_t *r, unsigned *idx)
{
    (void)idx;
    return (bus_t *)((char *)(r - (r->index)) - offsetof(bus_t, regions));
}

void bus_region_set_wait_states(bus_region_t *r, unsigned ws)
{
    if (r->wait_states == ws)
        return;
    r->wait_states = ws;
    region_bus(r, NULL)->generation++;
}

unsigned bus_max_wait_states(const bus_t *bus)
{
    unsigned ws = 0;
    for (unsigned k = 0; k < bus->nregions; k++)
        if (bus->regions[k].wait_states > ws)
            ws = bus->regions[k].wait_states;
    return ws;
}

void bus_region_set_direct(bus_region_t *r, bool direct)
{
    if (r->direct == direct)
        return;
    r->direct = direct;
    region_bus(r, NULL)->generation++;
}

void bus_set_code_write_hook(bus_t *bus, bus_code_write_fn fn, void *opaque)
{
    bus->code_write = fn;
    bus->code_write_opaque = opaque;
}

void bus_mark_code(bus_t *bus, uint32_t addr)
{
    bus_l2_t *l2 = bus->l1[addr >> 20];
    if (!l2)
        return;
    unsigned p = (addr >> BUS_PAGE_SHIFT) & (BUS_L2_ENTRIES - 1);
    l2->code[p >> 6] |= 1ull << (p & 63);
}

void bus_clear_code_marks(bus_t *bus)
{
    for (unsigned i = 0; i < 4096; i++)
        if (bus->l1[i])
            memset(bus->l1[i]->code, 0, sizeof bus->l1[i]->code);
}

void bus_notify_write(bus_t *bus, uint32_t addr, unsigned size)
{
    uint64_t end = (uint64_t)addr + (size ? size : 1);
    for (uint64_t a = addr & ~(uint64_t)(BUS_PAGE_SIZE - 1); a < end; a += BUS_PAGE_SIZE) {
        if (bus_is_code(bus, (uint32_t)a)) {
            if (bus->code_write)
                bus->code_write(bus->code_write_opaque, (uint32_t)a);
            return;
        }
    }
}
