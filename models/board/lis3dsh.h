/*
 * ST LIS3DSH 3-axis accelerometer on SPI (the motion sensor of the
 * STM32F4-Discovery, MB997C, on SPI1 with CS on PE3). Board model type
 * "lis3dsh".
 */
#ifndef MODELS_BOARD_LIS3DSH_H
#define MODELS_BOARD_LIS3DSH_H

#include "sim/machine.h"

typedef struct lis3dsh {
    char name[32];
    uint8_t reg[0x80];
    bool selected;
    unsigned nbyte;            /* bytes of the current SPI transaction */
    uint8_t addr;
    bool read;
    int32_t accel_mg[3];       /* the acceleration it senses (controls x_mg, y_mg, z_mg) */
    uint64_t transactions;
} lis3dsh_t;

extern const model_class_t lis3dsh_class;
extern const spi_device_ops_t lis3dsh_spi_ops;

#endif
