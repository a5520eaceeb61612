/*
 * Declarative register files for MMIO models.
 *
 * A model declares its registers once, as a table that mirrors the reference
 * manual:
 *
 *   enum { R_CR1, R_CR2, R_SR, R_DR, R_COUNT };        // index into values[]
 *   REG32(CR1, 0x00)  FIELD(CR1, SPE, 6, 1)            // offsets and fields
 *   static const reg_desc_t spi_regs[R_COUNT] = {
 *       [R_CR1] = { "CR1", A_CR1, .reset = 0, .rw_mask = 0xFFFF, .post_write = cr1_written },
 *       [R_SR]  = { "SR",  A_SR,  .reset = 0x0002, .rw_mask = 0, .w0c_mask = R_SR_CRCERR_MASK },
 *   };
 *
 * and gets generic read/write with the masks applied:
 *   rw_mask   bits a write stores (others keep their value: read-only),
 *   w1c_mask  bits cleared by writing 1,
 *   w0c_mask  bits cleared by writing 0 (STM32 "rc_w0"),
 *   rc_mask   bits cleared by a read,
 *   wo_mask   bits that read as 0 (write-only),
 *   pre_read  hook to refresh a value before it is read (a counter),
 *   post_write hook for side effects after the stored value changed; it gets
 *              the old value and the raw written value.
 * Sub-word accesses are merged into the 32-bit register (byte lanes), which is
 * what the STM32 AHB/APB bridges do for registers that accept them. A model
 * that rejects a size does so before calling regs_write().
 *
 * An offset not in the table is a guest error (logged once per offset) and
 * reads 0; regs_read/regs_write then return REGS_UNMAPPED so the model can
 * decide whether that is a bus error.
 */
#ifndef SIM_REGS_H
#define SIM_REGS_H

#include "types.h"

#define REG32(reg, addr) enum { A_##reg = (addr) };
#define FIELD(reg, field, shift, length)                                          \
    enum { R_##reg##_##field##_SHIFT = (shift), R_##reg##_##field##_LENGTH = (length) }; \
    static const uint32_t R_##reg##_##field##_MASK SIM_UNUSED =                   \
        (uint32_t)(((length) >= 32 ? 0xFFFFFFFFull : ((1ull << (length)) - 1)) << (shift));
#define FIELD_EX32(v, reg, field) \
    bits32((v), R_##reg##_##field##_SHIFT, R_##reg##_##field##_LENGTH)
#define FIELD_DP32(v, reg, field, x) \
    deposit32((v), R_##reg##_##field##_SHIFT, R_##reg##_##field##_LENGTH, (x))

typedef struct reg_desc reg_desc_t;
typedef struct regs regs_t;

typedef uint32_t (*reg_pre_read_fn)(void *dev, unsigned idx, uint32_t value);
typedef void (*reg_post_write_fn)(void *dev, unsigned idx, uint32_t old, uint32_t written);
typedef void (*reg_post_read_fn)(void *dev, unsigned idx, uint32_t value);

struct reg_desc {
    const char *name;
    uint32_t offset;
    uint32_t reset;
    uint32_t rw_mask;
    uint32_t w1c_mask;
    uint32_t w0c_mask;
    uint32_t rc_mask;
    uint32_t wo_mask;
    reg_pre_read_fn pre_read;
    reg_post_write_fn post_write;
    reg_post_read_fn post_read;
};

struct regs {
    const char *tag;            /* model instance name, for logs */
    const reg_desc_t *desc;
    unsigned count;
    uint32_t *values;           /* count entries, owned by the model's state */
    void *dev;                  /* passed to hooks */
    int16_t by_word[256];       /* offset/4 -> index, for offsets < 0x400; -1 = none */
};

enum { REGS_OK = 0, REGS_UNMAPPED = 1 };

void regs_init(regs_t *r, const char *tag, const reg_desc_t *desc, unsigned count,
               uint32_t *values, void *dev);
void regs_reset(regs_t *r);
/* Index of the register at 'offset' (word-aligned part), or -1. */
int regs_index(const regs_t *r, uint32_t offset);
int regs_read(regs_t *r, uint32_t offset, unsigned size, uint32_t *value);
int regs_write(regs_t *r, uint32_t offset, unsigned size, uint32_t value);
/* Hardware-side updates that bypass the access masks. */
static inline uint32_t regs_get(const regs_t *r, unsigned idx) { return r->values[idx]; }
static inline void regs_set(regs_t *r, unsigned idx, uint32_t v) { r->values[idx] = v; }
/* Name of the register at an index, for dumps. */
static inline const char *regs_name(const regs_t *r, unsigned idx) { return r->desc[idx].name; }

#endif
