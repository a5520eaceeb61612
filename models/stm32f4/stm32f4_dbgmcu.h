/* STM32F4 MCU debug component (RM0090 section 38.16): device ID, debug
 * configuration and peripheral freeze registers. */
#ifndef MODELS_STM32F4_DBGMCU_H
#define MODELS_STM32F4_DBGMCU_H

#include "stm32f4_periph.h"

enum { DBGMCU_IDCODE, DBGMCU_CR, DBGMCU_APB1_FZ, DBGMCU_APB2_FZ, DBGMCU_NREGS };

typedef struct stm32f4_dbgmcu {
    regs_t regs;
    uint32_t r[DBGMCU_NREGS];
    uint32_t idcode;
} stm32f4_dbgmcu_t;

/* Silicon revision letter/number ("A", "Z", "1", "2", "Y", "4") -> IDCODE,
 * 0 if unknown. */
uint32_t stm32f4_dbgmcu_idcode_of(const char *revision);
void stm32f4_dbgmcu_init(stm32f4_dbgmcu_t *s, uint32_t idcode);
/* CR.DBG_STOP, CR.DBG_STANDBY: debug in the low-power modes. */
bool stm32f4_dbgmcu_debug_stop(const stm32f4_dbgmcu_t *s);
bool stm32f4_dbgmcu_debug_standby(const stm32f4_dbgmcu_t *s);
/* The registers are reset by power-on only, not by a system reset. */
void stm32f4_dbgmcu_reset(stm32f4_dbgmcu_t *s);
extern const bus_ops_t stm32f4_dbgmcu_ops;

#endif
