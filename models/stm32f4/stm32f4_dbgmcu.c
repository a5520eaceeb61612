/*
 * STM32F4 DBGMCU (RM0090 sections 38.6.1 and 38.16; fact sheet 2.11).
 *
 * IDCODE: DEV_ID 0x413 (STM32F405/407/415/417) and REV_ID by silicon
 * revision per RM0090: 0x1000 rev A, 0x1001 rev Z, 0x1003 rev 1, 0x1007
 * rev 2, 0x100F rev Y. Revision 4 parts report 0x1007 (observed on marked
 * parts). Revision A returns DEV_ID 0x411 (errata sheet ES0182, "MCU device
 * ID is incorrect"). Read-only, 32-bit access only (narrower reads are
 * logged and served from the word). The APB freeze registers are stored;
 * their effect needs no model here: virtual time stands still while the
 * debugger halts the core. CR's DBG_STOP and DBG_STANDBY are read by the
 * SoC when the core enters Stop or Standby: DBG_STOP keeps the system on
 * the HSI through Stop, DBG_STANDBY keeps the digital part (SRAM) powered
 * in Standby (RM0090 38.16.1). The simulator's debug port stays usable in
 * every mode either way. DBG_SLEEP needs no model (sleep keeps the clocks).
 * The registers are reset by power-on only (RM0090 38.16.2).
 */
#include <string.h>
#include "stm32f4_dbgmcu.h"
#include "sim/log.h"

REG32(IDCODE, 0x00)
FIELD(IDCODE, DEV_ID, 0, 12)
FIELD(IDCODE, REV_ID, 16, 16)
REG32(CR, 0x04)
FIELD(CR, DBG_SLEEP, 0, 1)
FIELD(CR, DBG_STOP, 1, 1)
FIELD(CR, DBG_STANDBY, 2, 1)
FIELD(CR, TRACE_IOEN, 5, 1)
FIELD(CR, TRACE_MODE, 6, 2)
REG32(APB1_FZ, 0x08)
REG32(APB2_FZ, 0x0C)

static const reg_desc_t dbgmcu_regs[DBGMCU_NREGS] = {
    [DBGMCU_IDCODE] = { "IDCODE", A_IDCODE, 0, 0 },
    [DBGMCU_CR] = { "CR", A_CR, 0, 0xE7 },
    [DBGMCU_APB1_FZ] = { "APB1_FZ", A_APB1_FZ, 0, 0x06E01DFF },
    [DBGMCU_APB2_FZ] = { "APB2_FZ", A_APB2_FZ, 0, 0x00070003 },
};

uint32_t stm32f4_dbgmcu_idcode_of(const char *revision)
{
    static const struct { const char *rev; uint32_t id; } revs[] = {
        { "A", 0x10006411 }, { "Z", 0x10016413 }, { "1", 0x10036413 },
        { "2", 0x10076413 }, { "Y", 0x100F6413 }, { "4", 0x10076413 },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(revs); k++)
        if (!strcmp(revision, revs[k].rev))
            return revs[k].id;
    return 0;
}

static int dbgmcu_read(void *dev, uint32_t off, unsigned size, uint32_t *v)
{
    stm32f4_dbgmcu_t *s = dev;
    if ((off & ~3u) == A_IDCODE && size != 4)
        log_once(LOG_GUEST_ERROR, "dbgmcu", 1, "DBGMCU_IDCODE read with a %u-byte access "
                 "(32-bit only)", size);
    regs_read(&s->regs, off, size, v);
    return 0;
}

const bus_ops_t stm32f4_dbgmcu_ops = { dbgmcu_read, stm32f4_regs_write };

bool stm32f4_dbgmcu_debug_stop(const stm32f4_dbgmcu_t *s)
{
    return s->r[DBGMCU_CR] & R_CR_DBG_STOP_MASK;
}

bool stm32f4_dbgmcu_debug_standby(const stm32f4_dbgmcu_t *s)
{
    return s->r[DBGMCU_CR] & R_CR_DBG_STANDBY_MASK;
}

void stm32f4_dbgmcu_init(stm32f4_dbgmcu_t *s, uint32_t idcode)
{
    memset(s, 0, sizeof *s);
    s->idcode = idcode;
    regs_init(&s->regs, "dbgmcu", dbgmcu_regs, DBGMCU_NREGS, s->r, s);
    s->r[DBGMCU_IDCODE] = idcode;
}

void stm32f4_dbgmcu_reset(stm32f4_dbgmcu_t *s)
{
    regs_reset(&s->regs);
    s->r[DBGMCU_IDCODE] = s->idcode;
}
