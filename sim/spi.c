/* SPI bus glue: see spi.h. */
#include <string.h>
#include "spi.h"

void spi_bus_init(spi_bus_t *bus, const char *name)
{
    memset(bus, 0, sizeof *bus);
    bus->name = name;
}

void spi_bus_attach(spi_bus_t *bus, const spi_device_ops_t *ops, void *dev)
{
    bus->ops = ops;
    bus->dev = dev;
}

uint16_t spi_bus_transfer(spi_bus_t *bus, uint16_t mosi, unsigned bits)
{
    uint16_t all = bits >= 16 ? 0xFFFF : (uint16_t)((1u << bits) - 1);
    bus->frames++;
    if (bus->fault)
        mosi = bus->fault(bus->fault_opaque, false, mosi, bits);
    uint16_t miso = all; /* MISO idles high */
    if (bus->ops && bus->selected && bus->ops->transfer)
        miso = bus->ops->transfer(bus->dev, mosi & all, bits);
    if (bus->fault)
        miso = bus->fault(bus->fault_opaque, true, miso, bits);
    return miso & all;
}

void spi_bus_select(spi_bus_t *bus, bool selected)
{
    if (bus->selected == selected)
        return;
    bus->selected = selected;
    if (bus->ops && bus->ops->select)
        bus->ops->select(bus->dev, selected);
}

static void cs_changed(void *opaque, int n, bool level)
{
    spi_cs_adapter_t *a = opaque;
    (void)n;
    spi_bus_select(a->bus, a->active_low ? !level : level);
}

void spi_cs_adapter_init(spi_cs_adapter_t *a, spi_bus_t *bus, gpio_net_t *cs_net, bool active_low)
{
    a->bus = bus;
    a->active_low = active_low;
    gpio_net_listen(cs_net, cs_changed, a, 0);
    spi_bus_select(bus, active_low ? !cs_net->level : cs_net->level);
}

uint16_t spi_flip_bits(rng_t *r, double ber, uint16_t value, unsigned bits, uint64_t *flips)
{
    for (unsigned b = 0; b < bits; b++)
        if (rng_chance(r, ber)) {
            value ^= (uint16_t)(1u << b);
            (*flips)++;
        }
    return value;
}
