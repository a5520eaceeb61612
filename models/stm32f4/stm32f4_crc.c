/*
 * STM32F4 CRC (RM0090 section 4.3-4.4).
 *
 * Modelled: DR (reset 0xFFFFFFFF) takes 32-bit words and updates the CRC
 * with polynomial 0x04C11DB7, MSB first, no reflection, no final XOR; IDR is
 * an 8-bit scratch register; CR.RESET (write-only) reloads 0xFFFFFFFF. The
 * unit has no programmable polynomial or reversal on the F4. A write of
 * DR narrower than 32 bits feeds the zero-extended word (and is logged: the
 * F4 unit is specified for word writes). The 4 AHB cycles per word are not
 * charged.
 */
#include <string.h>
#include "stm32f4_crc.h"
#include "sim/log.h"

REG32(DR, 0x00)
REG32(IDR, 0x04)
FIELD(IDR, IDR, 0, 8)      /* general-purpose byte */
REG32(CR, 0x08)
FIELD(CR, RESET, 0, 1)     /* reset the calculation (wo) */

#define CRC_POLY 0x04C11DB7u

static void dr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t crc_regs[CRC_NREGS] = {
    [CRC_DR] = { "DR", A_DR, 0xFFFFFFFF, 0, .post_write = dr_written },
    [CRC_IDR] = { "IDR", A_IDR, 0, R_IDR_IDR_MASK },
    [CRC_CR] = { "CR", A_CR, 0, 0, .wo_mask = R_CR_RESET_MASK, .post_write = cr_written },
};

static void dr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_crc_t *s = dev;
    (void)idx;
    uint32_t crc = old ^ written;
    for (int k = 0; k < 32; k++)
        crc = (crc & 0x80000000u) ? (crc << 1) ^ CRC_POLY : crc << 1;
    s->r[CRC_DR] = crc;
}

static void cr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_crc_t *s = dev;
    (void)idx;
    (void)old;
    if (written & R_CR_RESET_MASK)
        s->r[CRC_DR] = 0xFFFFFFFF;
}

static int crc_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
    stm32f4_crc_t *s = dev;
    if ((off & ~3u) == A_DR && size != 4) {
        log_once(LOG_GUEST_ERROR, "crc", 1, "CRC_DR written with a %u-byte access: fed as a "
                 "zero-extended word", size);
        v = (v & (size == 1 ? 0xFFu : 0xFFFFu)) << ((off & 3) * 8);
        off &= ~3u;
        size = 4;
    }
    regs_write(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_crc_ops = { stm32f4_regs_read, crc_write };

void stm32f4_crc_init(stm32f4_crc_t *s)
{
    memset(s, 0, sizeof *s);
    regs_init(&s->regs, "crc", crc_regs, CRC_NREGS, s->r, s);
}

void stm32f4_crc_reset(stm32f4_crc_t *s)
{
    regs_reset(&s->regs);
}
