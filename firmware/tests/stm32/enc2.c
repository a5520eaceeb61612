/*
 * Two ENC28J60 on one board, cabled to each other through the virtual
 * network: a frame transmitted by the chip on SPI2 is received by the chip
 * on SPI3 after its wire time, read out of the receive ring and compared.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define GPIOB 0x40020400u
#define GPIOD 0x40020C00u

typedef struct { uint32_t spi, gpio; unsigned cs, rst; } chip_t;
static const chip_t c1 = { 0x40003800u, GPIOB, 12, 10 }, c2 = { 0x40003C00u, GPIOD, 0, 1 };

static void cs(const chip_t *c, int low) { REG(c->gpio + 0x18) = low ? 1u << (c->cs + 16) : 1u << c->cs; }
static uint8_t xfer(const chip_t *c, uint8_t v)
{
    while (!(REG(c->spi + 8) & 2))
        ;
    REG(c->spi + 0x0C) = v;
    while (!(REG(c->spi + 8) & 1))
        ;
    return (uint8_t)REG(c->spi + 0x0C);
}
static void done(const chip_t *c) { while (REG(c->spi + 8) & 0x80) ; cs(c, 0); }
static void op(const chip_t *c, uint8_t o, uint8_t v) { cs(c, 1); xfer(c, o); xfer(c, v); done(c); }
static uint8_t rcr(const chip_t *c, uint8_t a) { cs(c, 1); xfer(c, a); uint8_t v = xfer(c, 0); done(c); return v; }
static void wcr(const chip_t *c, uint8_t a, uint8_t v) { op(c, (uint8_t)(0x40 | a), v); }
static void bank(const chip_t *c, unsigned b) { op(c, 0xBF, 3); op(c, (uint8_t)(0x9F), (uint8_t)b); }
static void w16(const chip_t *c, uint8_t a, uint16_t v) { wcr(c, a, (uint8_t)v); wcr(c, (uint8_t)(a + 1), (uint8_t)(v >> 8)); }

static void init(const chip_t *c)
{
    REG(c->gpio + 0x18) = 1u << c->rst;
    REG(c->spi) = (1u << 3) | (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6);
    while (!(rcr(c, 0x1D) & 1))
        ;
    bank(c, 0);
    w16(c, 0x08, 0x0000);
    w16(c, 0x0C, 0x17FF);
    w16(c, 0x0A, 0x17FF);
    bank(c, 1);
    wcr(c, 0x18, 0x00); /* promiscuous */
    bank(c, 2);
    wcr(c, 0x00, 0x01); /* MARXEN */
    wcr(c, 0x02, 0x32);
    op(c, 0x9F, 0x04);  /* RXEN */
}

int main(void)
{
    REG(0x40023830u) |= (1u << 1) | (1u << 3);
    REG(0x40023840u) |= (1u << 14) | (1u << 15);
    REG(GPIOB + 0x18) = (1u << 12);
    REG(GPIOB + 0x00) |= (1u << 20) | (1u << 24);
    REG(GPIOD + 0x18) = 1u;
    REG(GPIOD + 0x00) |= 1u | (1u << 2);
    init(&c1);
    init(&c2);
    bank(&c2, 3);
    printf("revisions %02x %02x\n", (bank(&c1, 3), rcr(&c1, 0x12)), rcr(&c2, 0x12));
    /* chip 1 sends a 60-byte broadcast */
    uint8_t frame[61];
    frame[0] = 0;
    for (int k = 1; k < 61; k++)
        frame[k] = (uint8_t)(k < 7 ? 0xFF : k);
    bank(&c1, 0);
    w16(&c1, 0x02, 0x1800);
    cs(&c1, 1);
    xfer(&c1, 0x7A);
    for (int k = 0; k < 61; k++)
        xfer(&c1, frame[k]);
    done(&c1);
    w16(&c1, 0x04, 0x1800);
    w16(&c1, 0x06, 0x1800 + 60);
    op(&c1, 0x9F, 0x08);
    while (rcr(&c1, 0x1F) & 0x08)
        ;
    /* chip 2 has it */
    bank(&c2, 1);
    while (rcr(&c2, 0x19) == 0)
        ;
    bank(&c2, 0);
    w16(&c2, 0x00, 0x0000);
    cs(&c2, 1);
    xfer(&c2, 0x3A);
    uint8_t hdr[6], got[64];
    for (int k = 0; k < 6; k++)
        hdr[k] = xfer(&c2, 0);
    for (int k = 0; k < 64; k++)
        got[k] = xfer(&c2, 0);
    done(&c2);
    unsigned count = hdr[2] | hdr[3] << 8;
    printf("received %u bytes, status %02x, next %u\n", count, hdr[4], hdr[0] | hdr[1] << 8);
    printf("payload %s\n", memcmp(got, frame + 1, 60) == 0 ? "matches" : "DIFFERS");
    return memcmp(got, frame + 1, 60) != 0;
}
