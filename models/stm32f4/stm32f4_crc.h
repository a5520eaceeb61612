/* STM32F4 CRC calculation unit (RM0090 section 4): CRC-32 (Ethernet
 * polynomial) over 32-bit words. */
#ifndef MODELS_STM32F4_CRC_H
#define MODELS_STM32F4_CRC_H

#include "stm32f4_periph.h"

enum { CRC_DR, CRC_IDR, CRC_CR, CRC_NREGS };

typedef struct stm32f4_crc {
    regs_t regs;
    uint32_t r[CRC_NREGS];
} stm32f4_crc_t;

void stm32f4_crc_init(stm32f4_crc_t *s);
void stm32f4_crc_reset(stm32f4_crc_t *s);
extern const bus_ops_t stm32f4_crc_ops;

#endif
