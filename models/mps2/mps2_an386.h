/* ARM MPS2 board with the AN386 FPGA image (Cortex-M4), as QEMU models it. */
#ifndef MODELS_MPS2_AN386_H
#define MODELS_MPS2_AN386_H

#include "sim/machine.h"

extern const model_class_t mps2_an386_class;

#endif
