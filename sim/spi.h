/*
 * SPI: the controller side and the device side meet only here.
 *
 * One device per bus (point to point, as on our boards; a bus with several
 * slaves uses one spi_bus_t per chip-select on the same controller is NOT
 * supported: boards give each controller one slave). The controller model
 * calls spi_bus_transfer() once per frame (8 or 16 bits) at the moment the
 * frame completes on the wire; the time a frame takes is the controller's
 * business (baud prescaler). The device sees select() edges from a GPIO net
 * through spi_cs_adapter (active low by default) and answers transfer() only
 * while selected; unselected or absent devices read as 0xFF (pulled-up MISO).
 *
 * A fault hook lets scenarios flip bits on MOSI or MISO (SPI bit errors).
 */
#ifndef SIM_SPI_H
#define SIM_SPI_H

#include "types.h"
#include "gpio.h"
#include "rng.h"

typedef struct spi_device_ops {
    /* One frame; 'bits' is 8 or 16. Called only while selected. */
    uint16_t (*transfer)(void *dev, uint16_t mosi, unsigned bits);
    /* Chip-select edge: selected=true on assert. */
    void (*select)(void *dev, bool selected);
} spi_device_ops_t;

typedef uint16_t (*spi_fault_fn)(void *opaque, bool miso, uint16_t value, unsigned bits);

typedef struct spi_bus {
    const char *name;
    const spi_device_ops_t *ops;
    void *dev;
    bool selected;
    spi_fault_fn fault;      /* optional: corrupt MOSI/MISO */
    void *fault_opaque;
    uint64_t frames;         /* frames transferred, for tests and the UI */
} spi_bus_t;

/* For fault hooks: each of the low 'bits' bits of 'value' flips with
 * probability 'ber', drawn from 'r'; *flips counts them. */
uint16_t spi_flip_bits(rng_t *r, double ber, uint16_t value, unsigned bits, uint64_t *flips);

void spi_bus_init(spi_bus_t *bus, const char *name);
void spi_bus_attach(spi_bus_t *bus, const spi_device_ops_t *ops, void *dev);
uint16_t spi_bus_transfer(spi_bus_t *bus, uint16_t mosi, unsigned bits);
void spi_bus_select(spi_bus_t *bus, bool selected);

/* Listens on a chip-select net and calls select() on the bus's device. */
typedef struct spi_cs_adapter {
    spi_bus_t *bus;
    bool active_low;
} spi_cs_adapter_t;
void spi_cs_adapter_init(spi_cs_adapter_t *a, spi_bus_t *bus, gpio_net_t *cs_net, bool active_low);

#endif
