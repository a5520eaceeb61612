/*
 * STM32F4 SYSCFG (RM0090 section 9.2).
 *
 * Modelled: MEMRMP (MEM_MODE reset from the BOOT pins: 00, main flash),
 * PMC (MII_RMII_SEL), EXTICR1-4 routing port pins A..I to EXTI lines 0-15,
 * CMPCR (READY follows CMP_PD: the I/O compensation cell is ready at once).
 * Not modelled: remapping address 0 to system memory, FSMC or SRAM (a write
 * of MEM_MODE is stored and logged; address 0 keeps showing the flash).
 */
#include <string.h>
#include "stm32f4_syscfg.h"
#include "sim/log.h"

REG32(MEMRMP, 0x00)
FIELD(MEMRMP, MEM_MODE, 0, 2)    /* what address 0 shows */
REG32(PMC, 0x04)
FIELD(PMC, MII_RMII_SEL, 23, 1)  /* Ethernet PHY interface */
REG32(EXTICR1, 0x08)             /* lines 0-3, 4 bits each */
REG32(EXTICR2, 0x0C)             /* lines 4-7 */
REG32(EXTICR3, 0x10)             /* lines 8-11 */
REG32(EXTICR4, 0x14)             /* lines 12-15 */
REG32(CMPCR, 0x20)
FIELD(CMPCR, CMP_PD, 0, 1)       /* compensation cell on */
FIELD(CMPCR, READY, 8, 1)        /* compensation cell ready (ro) */

static void cmpcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written);
static void memrmp_written(void *dev, unsigned idx, uint32_t old, uint32_t written);

static const reg_desc_t syscfg_regs[SYSCFG_NREGS] = {
    [SYSCFG_MEMRMP] = { "MEMRMP", A_MEMRMP, 0, R_MEMRMP_MEM_MODE_MASK, .post_write = memrmp_written },
    [SYSCFG_PMC] = { "PMC", A_PMC, 0, R_PMC_MII_RMII_SEL_MASK },
    [SYSCFG_EXTICR1] = { "EXTICR1", A_EXTICR1, 0, 0xFFFF },
    [SYSCFG_EXTICR2] = { "EXTICR2", A_EXTICR2, 0, 0xFFFF },
    [SYSCFG_EXTICR3] = { "EXTICR3", A_EXTICR3, 0, 0xFFFF },
    [SYSCFG_EXTICR4] = { "EXTICR4", A_EXTICR4, 0, 0xFFFF },
    [SYSCFG_CMPCR] = { "CMPCR", A_CMPCR, 0, R_CMPCR_CMP_PD_MASK, .post_write = cmpcr_written },
};

static void memrmp_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    (void)dev;
    (void)idx;
    (void)old;
    if (FIELD_EX32(written, MEMRMP, MEM_MODE))
        log_once(LOG_UNIMP, "syscfg", 1, "SYSCFG_MEMRMP.MEM_MODE = %u: remapping address 0 is not "
                 "modelled (it keeps showing the main flash)", FIELD_EX32(written, MEMRMP, MEM_MODE));
}

static void cmpcr_written(void *dev, unsigned idx, uint32_t old, uint32_t written)
{
    stm32f4_syscfg_t *s = dev;
    (void)idx;
    (void)old;
    (void)written;
    uint32_t v = s->r[SYSCFG_CMPCR];
    s->r[SYSCFG_CMPCR] = FIELD_DP32(v, CMPCR, READY, FIELD_EX32(v, CMPCR, CMP_PD));
}

unsigned stm32f4_syscfg_port(const stm32f4_syscfg_t *s, unsigned pin)
{
    return (s->r[SYSCFG_EXTICR1 + pin / 4] >> (4 * (pin % 4))) & 0xF;
}

const bus_ops_t stm32f4_syscfg_ops = { stm32f4_regs_read, stm32f4_regs_write };

void stm32f4_syscfg_init(stm32f4_syscfg_t *s)
{
    memset(s, 0, sizeof *s);
    regs_init(&s->regs, "syscfg", syscfg_regs, SYSCFG_NREGS, s->r, s);
}

void stm32f4_syscfg_reset(stm32f4_syscfg_t *s)
{
    regs_reset(&s->regs);
}
