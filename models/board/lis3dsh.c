/*
 * LIS3DSH accelerometer (ST datasheet DocID022405): the SPI register
 * interface as drivers use it.
 *
 * Modelled: the 4-wire SPI protocol (first byte: bit 7 read, bits 6:0
 * address; the address increments after each data byte when CTRL_REG6
 * ADD_INC is set, its reset state), the identification registers (INFO1
 * 0x21, INFO2 0x00, WHO_AM_I 0x3F), the control registers as plain
 * read/write registers with their reset values (CTRL_REG4 0x07, CTRL_REG6
 * 0x10), STATUS showing new data for every axis while the output data rate
 * is not zero, OUT_X/Y/Z from the sensed acceleration (the controls
 * "<name>.x_mg", ".y_mg", ".z_mg"; at rest 0, 0, 1000 mg) at the sensitivity
 * CTRL_REG5.FSCALE selects (0.06 .. 0.73 mg/digit), zero in power-down,
 * CTRL_REG6.BOOT reloading the defaults.
 * Not modelled: the state machines and their interrupts (INT1/INT2 are
 * not wired), the FIFO, the temperature sensor (OUT_T reads 0), self-test,
 * the 3-wire interface and I2C.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lis3dsh.h"

enum {
    REG_OUT_T = 0x0C, REG_INFO1 = 0x0D, REG_INFO2 = 0x0E, REG_WHO_AM_I = 0x0F,
    REG_CTRL4 = 0x20, REG_CTRL1 = 0x21, REG_CTRL2 = 0x22, REG_CTRL3 = 0x23, REG_CTRL5 = 0x24,
    REG_CTRL6 = 0x25, REG_STATUS = 0x27, REG_OUT_X_L = 0x28, REG_OUT_Z_H = 0x2D,
    REG_FIFO_CTRL = 0x2E, REG_FIFO_SRC = 0x2F,
};
#define CTRL6_BOOT 0x80
#define CTRL6_ADD_INC 0x10
#define WHO_AM_I_VALUE 0x3F

/* Writable registers (control, offsets, thresholds, state machine code). */
static bool writable(uint8_t a)
{
    return (a >= 0x10 && a <= 0x17) || (a >= 0x19 && a <= 0x26) || a == REG_FIFO_CTRL ||
           (a >= 0x40 && a <= 0x7F && a != 0x5F && a != 0x7F);
}

static void load_defaults(lis3dsh_t *d)
{
    memset(d->reg, 0, sizeof d->reg);
    d->reg[REG_INFO1] = 0x21;
    d->reg[REG_INFO2] = 0x00;
    d->reg[REG_WHO_AM_I] = WHO_AM_I_VALUE;
    d->reg[REG_CTRL4] = 0x07;
    d->reg[REG_CTRL6] = CTRL6_ADD_INC;
}

static uint8_t read_reg(lis3dsh_t *d, uint8_t a)
{
    bool running = (d->reg[REG_CTRL4] >> 4) != 0;
    if (a == REG_STATUS)
        return running ? 0x0F : 0x00;
    if (a >= REG_OUT_X_L && a <= REG_OUT_Z_H) {
        if (!running)
            return 0;
        static const double mg_per_digit[8] = { 0.06, 0.12, 0.18, 0.24, 0.73, 0.73, 0.73, 0.73 };
        unsigned axis = (unsigned)(a - REG_OUT_X_L) / 2;
        double v = d->accel_mg[axis] / mg_per_digit[(d->reg[REG_CTRL5] >> 3) & 7];
        long digits = lround(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
        uint16_t u = (uint16_t)(int16_t)digits;
        return (uint8_t)((a - REG_OUT_X_L) % 2 ? u >> 8 : u);
    }
    return d->reg[a & 0x7F];
}

static void write_reg(lis3dsh_t *d, uint8_t a, uint8_t v)
{
    if (!writable(a))
        return;
    d->reg[a] = v;
    if (a == REG_CTRL6 && (v & CTRL6_BOOT))
        load_defaults(d);
}

static uint16_t spi_transfer(void *dev, uint16_t mosi, unsigned bits)
{
    lis3dsh_t *d = dev;
    (void)bits;
    uint8_t in = (uint8_t)mosi, out = 0xFF;
    if (d->nbyte++ == 0) {
        d->read = in & 0x80;
        d->addr = in & 0x7F;
        return out;
    }
    if (d->read)
        out = read_reg(d, d->addr);
    else
        write_reg(d, d->addr, in);
    if (d->reg[REG_CTRL6] & CTRL6_ADD_INC)
        d->addr = (d->addr + 1) & 0x7F;
    return out;
}

static void spi_select(void *dev, bool selected)
{
    lis3dsh_t *d = dev;
    if (selected && !d->selected)
        d->transactions++;
    d->selected = selected;
    d->nbyte = 0;
}

const spi_device_ops_t lis3dsh_spi_ops = { spi_transfer, spi_select };

static int set_accel(void *dev, const char *name, const cJSON *value, char *err, size_t errlen)
{
    lis3dsh_t *d = dev;
    if (!cJSON_IsNumber(value) || fabs(value->valuedouble) > 16000) {
        snprintf(err, errlen, "expected an acceleration in mg from -16000 to 16000");
        return -1;
    }
    d->accel_mg[name[0] - 'x'] = (int32_t)lround(value->valuedouble);
    return 0;
}

static void *lis_create(machine_t *m, const char *name, const cJSON *cfg)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cfg) {
        if (strcmp(it->string, "name") && strcmp(it->string, "type")) {
            machine_error(m, "unknown field \"%s\" (lis3dsh has no settings; its acceleration is a "
                          "control)", it->string);
            return NULL;
        }
    }
    lis3dsh_t *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    snprintf(d->name, sizeof d->name, "%s", name);
    d->accel_mg[2] = 1000;
    load_defaults(d);
    if (machine_add_spi_device(m, name, "spi", &lis3dsh_spi_ops, d) ||
        machine_add_control(m, name, "x_mg", "acceleration along X in mg", set_accel, d) ||
        machine_add_control(m, name, "y_mg", "acceleration along Y in mg", set_accel, d) ||
        machine_add_control(m, name, "z_mg", "acceleration along Z in mg (1000 at rest)", set_accel, d)) {
        free(d);
        return NULL;
    }
    return d;
}

static void lis_reset(void *inst, enum reset_kind kind)
{
    if (kind == RESET_POWER_ON)
        load_defaults(inst);
}

static void lis_destroy(void *inst)
{
    free(inst);
}

const model_class_t lis3dsh_class = {
    .type = "lis3dsh",
    .summary = "LIS3DSH accelerometer on SPI (endpoint spi); controls x_mg, y_mg, z_mg",
    .create = lis_create,
    .reset = lis_reset,
    .destroy = lis_destroy,
};
