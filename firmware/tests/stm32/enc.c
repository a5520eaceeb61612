/*
 * The ENC28J60 on SPI2 of the stm32f407-enc28j60 board, driven the way
 * bare-metal drivers do: reset through PB10, chip select on PB12, revision
 * and PHY identification, buffer write/read back, a transmitted frame
 * completing with TXIF, the INT pin (PB11) reaching the core through
 * EXTI11 as a falling edge, and the B7's SRC erratum (CLKRDY stays set, the
 * MAC is deaf for up to 1 ms).
 */
#include <stdint.h>
#include <stdio.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define RCC_APB2ENR REG(0x40023844u)
#define GPIOB 0x40020400u
#define SPI2 0x40003800u
#define EXTI 0x40013C00u

static int failures;
static void check(const char *what, int ok)
{
    printf("%-34s %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

static void cs(int low)
{
    REG(GPIOB + 0x18) = low ? (1u << (12 + 16)) : (1u << 12);
}

static uint8_t xfer(uint8_t v)
{
    while (!(REG(SPI2 + 0x08) & 2))
        ;
    REG(SPI2 + 0x0C) = v;
    while (!(REG(SPI2 + 0x08) & 1))
        ;
    return (uint8_t)REG(SPI2 + 0x0C);
}

static void wait_idle(void)
{
    while (REG(SPI2 + 0x08) & 0x80)
        ;
}

static uint8_t rcr(uint8_t a, int mac)
{
    cs(1);
    xfer(a);
    if (mac)
        xfer(0);
    uint8_t v = xfer(0);
    wait_idle();
    cs(0);
    return v;
}

static void op(uint8_t opcode, uint8_t v)
{
    cs(1);
    xfer(opcode);
    xfer(v);
    wait_idle();
    cs(0);
}

#define WCR(a, v) op((uint8_t)(0x40 | (a)), (v))
#define BFS(a, v) op((uint8_t)(0x80 | (a)), (v))
#define BFC(a, v) op((uint8_t)(0xA0 | (a)), (v))

static void bank(unsigned b)
{
    BFC(0x1F, 3);
    BFS(0x1F, (uint8_t)b);
}

static void delay_us(uint32_t us)
{
    /* SysTick-free busy wait at 16 MHz HSI: about 4 cycles per loop */
    for (volatile uint32_t i = 0; i < us * 4; i++)
        ;
}

static uint32_t vectors[128] __attribute__((aligned(512)));
static volatile uint32_t int_edges;
static void exti15_10_handler(void)
{
    REG(EXTI + 0x14) = 1u << 11;
    int_edges++;
}

int main(void)
{
    const uint32_t *old = (const uint32_t *)REG(0xE000ED08u);
    for (int i = 0; i < 128; i++)
        vectors[i] = old[i];
    vectors[16 + 40] = (uint32_t)exti15_10_handler;
    REG(0xE000ED08u) = (uint32_t)vectors;

    RCC_AHB1ENR |= 1u << 1;
    RCC_APB1ENR |= 1u << 14;
    RCC_APB2ENR |= 1u << 14;
    /* PB10 RESET and PB12 CS outputs (high), PB11 input, PB13-15 AF5 */
    REG(GPIOB + 0x18) = (1u << 10) | (1u << 12);
    REG(GPIOB + 0x00) = (REG(GPIOB + 0x00) & ~0xFFF00000u) | (1u << 20) | (1u << 24) |
                        (2u << 26) | (2u << 28) | (2u << 30);
    REG(GPIOB + 0x24) = (REG(GPIOB + 0x24) & ~0xFFF00000u) | 0x55500000u;
    /* SPI2 master, /4 of 16 MHz, software NSS */
    REG(SPI2 + 0x00) = (1u << 3) | (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6);

    /* hardware reset pulse, then wait for the oscillator */
    REG(GPIOB + 0x18) = 1u << (10 + 16);
    delay_us(10);
    REG(GPIOB + 0x18) = 1u << 10;
    while (!(rcr(0x1D, 0) & 1))
        ;
    check("CLKRDY after reset", 1);
    bank(3);
    uint8_t rev = rcr(0x12, 0);
    printf("EREVID %02x\n", rev);
    check("revision B7", rev == 0x06);
    bank(2);
    check("MACLCON1 reset via dummy byte", rcr(0x08, 1) == 0x0F);

    /* PHY ID through MII */
    WCR(0x14, 0x02);
    WCR(0x12, 0x01);
    bank(3);
    while (rcr(0x0A, 1) & 1)
        ;
    bank(2);
    WCR(0x12, 0x00);
    uint16_t phid1 = (uint16_t)(rcr(0x18, 1) | rcr(0x19, 1) << 8);
    check("PHID1 through MII", phid1 == 0x0083);

    /* buffer write and read back */
    bank(0);
    WCR(0x02, 0x00);
    WCR(0x03, 0x1A);
    cs(1);
    xfer(0x7A);
    for (int k = 0; k < 16; k++)
        xfer((uint8_t)(0xA0 + k));
    wait_idle();
    cs(0);
    WCR(0x00, 0x00);
    WCR(0x01, 0x1A);
    cs(1);
    xfer(0x3A);
    int same = 1;
    for (int k = 0; k < 16; k++)
        same &= xfer(0) == (uint8_t)(0xA0 + k);
    wait_idle();
    cs(0);
    check("WBM then RBM", same);

    /* INT through EXTI11 (port B), falling edge */
    REG(0x40013810u) = (REG(0x40013810u) & ~0xF000u) | (1u << 12); /* EXTICR3: line 11 = PB */
    REG(EXTI + 0x0C) = 1u << 11;
    REG(EXTI + 0x00) = 1u << 11;
    REG(0xE000E104u) = 1u << (40 - 32);
    BFS(0x1B, 0x88); /* INTIE | TXIE */

    /* transmit a 14-byte frame (control byte 0) */
    bank(2);
    WCR(0x02, 0x32); /* pad, CRC, frame length check */
    bank(0);
    WCR(0x04, 0x00);
    WCR(0x05, 0x1A);
    WCR(0x06, 14);
    WCR(0x07, 0x1A);
    BFS(0x1F, 0x08); /* TXRTS */
    while (rcr(0x1F, 0) & 0x08)
        ;
    check("TXIF after the frame", (rcr(0x1C, 0) & 0x08) != 0);
    __asm__ volatile("dsb\n\tisb");
    check("INT falling edge reached EXTI11", int_edges == 1);
    BFC(0x1C, 0x08);
    check("INT released", (REG(GPIOB + 0x10) & (1u << 11)) != 0);

    /* SRC on B7 (erratum 2): CLKRDY stays set although the MAC only
     * listens again up to 1 ms later; a write at once is lost */
    cs(1);
    xfer(0xFF);
    wait_idle();
    cs(0);
    check("SRC leaves CLKRDY set", (rcr(0x1D, 0) & 1) != 0);
    bank(2);
    WCR(0x00, 0x0D);
    delay_us(2000);
    check("MAC write right after SRC lost", rcr(0x00, 1) == 0x00);
    WCR(0x00, 0x0D);
    check("MAC write 2 ms after SRC kept", rcr(0x00, 1) == 0x0D);
    return failures;
}
