/*
 * The system bus: a 4 GiB address map of RAM/ROM regions (direct host
 * buffers, the fast path) and MMIO regions (device callbacks).
 *
 * Contract:
 * - Regions are mapped with 1 KiB granularity (base and size multiples of
 *   0x400) and must not overlap; a device that needs finer decoding maps one
 *   region and decodes inside. Mapping happens at machine construction only.
 * - Lookup is two-level (addr>>20, then (addr>>10)&1023): no search per access.
 * - RAM regions are read/write; ROM regions read directly and send writes to
 *   the region's write hook (a flash controller), or fault if there is none.
 * - MMIO callbacks return 0 on success and non-zero for a bus error; an
 *   unmapped address is a bus error too. The CPU turns bus errors into
 *   BusFaults; other masters (DMA) into their own error flags. Never a host
 *   error.
 * - Accesses are little-endian; size is 1, 2 or 4. The bus does not check
 *   alignment (the CPU does); MMIO devices get the offset from the region base.
 * - Every region carries wait states (extra cycles per access) that the CPU
 *   adds on the fast path; a flash controller changes them at run time through
 *   bus_region_set_wait_states().
 * - Pages that hold decoded instructions are marked (bus_mark_code); any write
 *   to such a page through the bus or the CPU fast path calls the code-write
 *   hook so the CPU drops stale decoded blocks.
 */
#ifndef SIM_BUS_H
#define SIM_BUS_H

#include "types.h"

#define BUS_PAGE_SHIFT 10
#define BUS_PAGE_SIZE (1u << BUS_PAGE_SHIFT)
#define BUS_L2_ENTRIES 1024u   /* pages per MiB */

typedef struct bus_ops {
    int (*read)(void *dev, uint32_t offset, unsigned size, uint32_t *value);
    int (*write)(void *dev, uint32_t offset, unsigned size, uint32_t value);
} bus_ops_t;

enum bus_region_kind { BUS_RAM, BUS_ROM, BUS_MMIO };

enum {
    BUS_F_NOEXEC = 1 << 0,  /* instruction fetch here is a fault (CCM RAM, devices) */
    BUS_F_NODMA = 1 << 1,   /* not reachable by DMA masters (CCM RAM) */
};

/* Erase geometry of a flash array, told to debuggers so `load` erases whole
 * sectors the way a probe does: runs of equal-sized sectors from the base. */
typedef struct bus_flash_run {
    uint32_t size, count;
} bus_flash_run_t;

typedef struct bus_flash_geom {
    unsigned nruns;
    bus_flash_run_t run[4];
} bus_flash_geom_t;

typedef struct bus_region {
    const char *name;
    enum bus_region_kind kind;
    uint32_t base, size;
    uint8_t *host;            /* RAM/ROM: backing buffer of 'size' bytes */
    const bus_ops_t *ops;     /* MMIO; ROM write hook (ops->write) */
    void *dev;
    unsigned flags;
    unsigned wait_states;     /* extra cycles per access */
    bool direct;              /* RAM/ROM reads served from 'host' (false: via ops->read) */
    const bus_flash_geom_t *erase_geom; /* ROM: sectors of a flash array (NULL: not one) */
    unsigned index;           /* private: position in bus->regions */
    bool dev_owned;           /* private: 'dev' was allocated by the bus (windows) */
} bus_region_t;

typedef struct bus_l2 {
    bus_region_t *page[BUS_L2_ENTRIES];
    uint64_t code[BUS_L2_ENTRIES / 64]; /* pages holding decoded code */
} bus_l2_t;

typedef void (*bus_code_write_fn)(void *opaque, uint32_t addr);

#define BUS_MAX_REGIONS 256

typedef struct bus {
    bus_l2_t *l1[4096];
    bus_region_t regions[BUS_MAX_REGIONS];
    unsigned nregions;
    bus_code_write_fn code_write;
    void *code_write_opaque;
    uint32_t generation;      /* bumped when wait states or direct access change */
} bus_t;

void bus_init(bus_t *bus);
void bus_free(bus_t *bus);
/* Each returns the region, or NULL (and logs) on overlap/misalignment/full. */
bus_region_t *bus_map_ram(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                          uint8_t *host, unsigned flags, unsigned wait_states);
bus_region_t *bus_map_rom(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                          uint8_t *host, const bus_ops_t *write_hook, void *dev,
                          unsigned flags, unsigned wait_states);
bus_region_t *bus_map_mmio(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                           const bus_ops_t *ops, void *dev, unsigned flags, unsigned wait_states);
/* An alias window: accesses to [base, base+size) go to target + offset. */
bus_region_t *bus_map_alias(bus_t *bus, const char *name, uint32_t base, uint32_t size,
                            uint32_t target);
/* Cortex-M bit-band alias: each word of the alias maps one bit of the target
 * region; a write is a read-modify-write of the target word through the bus
 * (so peripheral write side effects happen). */
bus_region_t *bus_map_bitband(bus_t *bus, const char *name, uint32_t alias_base,
                              uint32_t target_base, uint32_t target_size);

static inline bus_region_t *bus_find(const bus_t *bus, uint32_t addr)
{
    const bus_l2_t *l2 = bus->l1[addr >> 20];
    return l2 ? l2->page[(addr >> BUS_PAGE_SHIFT) & (BUS_L2_ENTRIES - 1)] : NULL;
}

/* Generic access (all region kinds). Returns 0 or non-zero for a bus error. */
int bus_read(bus_t *bus, uint32_t addr, unsigned size, uint32_t *value);
int bus_write(bus_t *bus, uint32_t addr, unsigned size, uint32_t value);
/* Debugger/loader access: bypasses MMIO side effects where possible. ROM is
 * written directly (this is how ELF images are loaded into flash). Returns the
 * number of bytes done (stops at the first unmapped byte). */
size_t bus_debug_read(bus_t *bus, uint32_t addr, void *buf, size_t len);
size_t bus_debug_write(bus_t *bus, uint32_t addr, const void *buf, size_t len);

void bus_region_set_wait_states(bus_region_t *r, unsigned ws);
/* The highest wait states of any region (bounds a block's cycles). */
unsigned bus_max_wait_states(const bus_t *bus);
void bus_region_set_direct(bus_region_t *r, bool direct);

/* Decoded-code tracking (see contract). */
void bus_set_code_write_hook(bus_t *bus, bus_code_write_fn fn, void *opaque);
void bus_mark_code(bus_t *bus, uint32_t addr);
void bus_clear_code_marks(bus_t *bus);
static inline bool bus_is_code(const bus_t *bus, uint32_t addr)
{
    const bus_l2_t *l2 = bus->l1[addr >> 20];
    unsigned p = (addr >> BUS_PAGE_SHIFT) & (BUS_L2_ENTRIES - 1);
    return l2 && ((l2->code[p >> 6] >> (p & 63)) & 1);
}
void bus_notify_write(bus_t *bus, uint32_t addr, unsigned size);

#endif
