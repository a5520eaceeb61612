/* ENC28J60 driver (see enc28j60.h). */
#include <stdio.h>
#include <string.h>
#include "enc28j60.h"
#include "platform.h"
#include "stm32f407.h"

/* common registers */
#define EIE 0x1B
#define EIR 0x1C
#define ESTAT 0x1D
#define ECON2 0x1E
#define ECON1 0x1F
/* bank 0 */
#define ERDPTL 0x00
#define EWRPTL 0x02
#define ETXSTL 0x04
#define ETXNDL 0x06
#define ERXSTL 0x08
#define ERXNDL 0x0A
#define ERXRDPTL 0x0C
/* bank 1 */
#define ERXFCON 0x18
#define EPKTCNT 0x19
/* bank 2 (MAC/MII: reads carry a dummy byte) */
#define MACON1 0x00
#define MACON3 0x02
#define MACON4 0x03
#define MABBIPG 0x04
#define MAIPGL 0x06
#define MAIPGH 0x07
#define MACLCON2 0x09
#define MAMXFLL 0x0A
#define MICMD 0x12
#define MIREGADR 0x14
#define MIWRL 0x16
#define MIWRH 0x17
#define MIRDL 0x18
#define MIRDH 0x19
/* bank 3 */
#define MAADR5 0x00
#define MAADR6 0x01
#define MAADR3 0x02
#define MAADR4 0x03
#define MAADR1 0x04
#define MAADR2 0x05
#define MISTAT 0x0A
#define EREVID 0x12
/* PHY */
#define PHCON1 0x00
#define PHCON2 0x10
#define PHSTAT2 0x11
#define PHIE 0x12
#define PHIR 0x13

#define RX_START 0x0000u
#define RX_END 0x19FFu   /* odd, so the ring length is even */
#define TX_START 0x1A00u

enc_stats_t enc_stats;
volatile bool enc_irq_pending;
static uint16_t next_packet = RX_START;
static unsigned cur_bank = 0xFF;

static void cs(bool active) { GPIO_BSRR(PORTB) = active ? 1u << (12 + 16) : 1u << 12; }

static uint8_t xfer(uint8_t v)
{
    while (!(SPI_SR(SPI2_BASE) & SPI_SR_TXE))
        ;
    SPI_DR(SPI2_BASE) = v;
    while (!(SPI_SR(SPI2_BASE) & SPI_SR_RXNE))
        ;
    return (uint8_t)SPI_DR(SPI2_BASE);
}

static void end(void)
{
    while (SPI_SR(SPI2_BASE) & SPI_SR_BSY)
        ;
    cs(false);
}

static void op(uint8_t opcode, uint8_t arg)
{
    cs(true);
    xfer(opcode);
    xfer(arg);
    end();
}

static void bank(uint8_t addr)
{
    unsigned b = (addr >> 5) & 3u;
    if ((addr & 0x1F) >= 0x1B || b == cur_bank)
        return;
    op(0xA0 | ECON1, 0x03);
    op(0x80 | ECON1, (uint8_t)b);
    cur_bank = b;
}

/* Register addresses carry the bank in bits 6:5 and a MAC/MII flag in bit 7. */
#define B0(a) (a)
#define B1(a) ((a) | 0x20)
#define B2(a) ((a) | 0x40 | 0x80)
#define B3(a) ((a) | 0x60)
#define B3M(a) ((a) | 0x60 | 0x80)

static uint8_t rcr(uint8_t addr)
{
    bank(addr);
    cs(true);
    xfer(addr & 0x1F);
    if (addr & 0x80)
        xfer(0);
    uint8_t v = xfer(0);
    end();
    return v;
}

static void wcr(uint8_t addr, uint8_t v)
{
    bank(addr);
    op((uint8_t)(0x40 | (addr & 0x1F)), v);
}

static void bfs(uint8_t addr, uint8_t m)
{
    bank(addr);
    op((uint8_t)(0x80 | (addr & 0x1F)), m);
}

static void bfc(uint8_t addr, uint8_t m)
{
    bank(addr);
    op((uint8_t)(0xA0 | (addr & 0x1F)), m);
}

static void wcr16(uint8_t addr, uint16_t v)
{
    wcr(addr, (uint8_t)v);
    wcr((uint8_t)(addr + 1), (uint8_t)(v >> 8));
}

static void read_buf(uint8_t *p, size_t n)
{
    cs(true);
    xfer(0x3A);
    while (n--)
        *p++ = xfer(0);
    end();
}

static void write_buf(const uint8_t *p, size_t n)
{
    cs(true);
    xfer(0x7A);
    while (n--)
        xfer(*p++);
    end();
}

static void phy_write(uint8_t reg, uint16_t v)
{
    wcr(B2(MIREGADR), reg);
    wcr(B2(MIWRL), (uint8_t)v);
    wcr(B2(MIWRH), (uint8_t)(v >> 8));
    while (rcr(B3M(MISTAT)) & 1)
        ;
}

static uint16_t phy_read(uint8_t reg)
{
    wcr(B2(MIREGADR), reg);
    wcr(B2(MICMD), 0x01);
    while (rcr(B3M(MISTAT)) & 1)
        ;
    wcr(B2(MICMD), 0x00);
    return (uint16_t)(rcr(B2(MIRDL)) | rcr(B2(MIRDH)) << 8);
}

static void busy_wait_us(uint32_t us)
{
    uint32_t loops = us * (clock_hz() / 4000000u);
    for (volatile uint32_t k = 0; k < loops; k++)
        ;
}

static void gpio_spi_init(void)
{
    RCC_AHB1ENR |= 1u << PORTB;
    RCC_APB1ENR |= 1u << 14;
    RCC_APB2ENR |= 1u << 14; /* SYSCFG */
    GPIO_BSRR(PORTB) = (1u << 10) | (1u << 12);
    /* PB10 RESET, PB12 CS outputs; PB11 INT input; PB13-15 SPI2 (AF5) */
    GPIO_MODER(PORTB) = (GPIO_MODER(PORTB) & ~0xFFF00000u) | (1u << 20) | (1u << 24) |
                        (2u << 26) | (2u << 28) | (2u << 30);
    GPIO_AFRH(PORTB) = (GPIO_AFRH(PORTB) & ~0xFFF00000u) | 0x55500000u;
    /* master, software NSS, APB1 / 4 (10.5 MHz at 168 MHz, within the chip's 20 MHz) */
    SPI_CR1(SPI2_BASE) = (1u << 9) | (1u << 8) | (1u << 2) | (1u << 3);
    SPI_CR1(SPI2_BASE) |= 1u << 6;
    /* INT: falling edge on EXTI11 from port B */
    SYSCFG_EXTICR(2) = (SYSCFG_EXTICR(2) & ~0xF000u) | (1u << 12);
    EXTI_FTSR |= 1u << 11;
    EXTI_IMR |= 1u << 11;
    NVIC_IPR8(IRQ_EXTI15_10) = 0x80;
    NVIC_ISER(IRQ_EXTI15_10 / 32) = 1u << (IRQ_EXTI15_10 % 32);
}

void EXTI15_10_IRQHandler(void)
{
    EXTI_PR = 1u << 11;
    enc_stats.irqs++;
    enc_irq_pending = true;
}

int enc_init(const uint8_t mac[6])
{
    gpio_spi_init();
    GPIO_BSRR(PORTB) = 1u << (10 + 16);
    busy_wait_us(10);
    GPIO_BSRR(PORTB) = 1u << 10;
    cur_bank = 0xFF;
#ifndef ENC_NO_WA_RESET_WAIT
    delay_ms(2);
#endif
    uint32_t start = millis();
    while (!(rcr(ESTAT) & 0x01))
        if (millis() - start > 100)
            return -1;
    uint8_t rev = rcr(B3(EREVID));
    if (rev == 0x00 || rev == 0xFF)
        return -1;

    next_packet = RX_START;
    wcr16(B0(ERXSTL), RX_START);
    wcr16(B0(ERXNDL), RX_END);
    wcr16(B0(ERXRDPTL), RX_END);
    wcr16(B0(ETXSTL), TX_START);
    /* unicast to us, broadcast, and frames with a good CRC only */
    wcr(B1(ERXFCON), 0x80 | 0x20 | 0x01);

    wcr(B2(MACON1), 0x01 | 0x04 | 0x08);           /* MARXEN, RXPAUS, TXPAUS */
    wcr(B2(MACON3), 0x20 | 0x10 | 0x02 | 0x01);    /* pad 60, CRC, length check, full duplex */
    wcr(B2(MACON4), 0x00);
    wcr16(B2(MAMXFLL), 1518);
    wcr(B2(MABBIPG), 0x15);
    wcr(B2(MAIPGL), 0x12);
    wcr(B2(MACLCON2), 63);
    wcr(B3M(MAADR1), mac[0]);
    wcr(B3M(MAADR2), mac[1]);
    wcr(B3M(MAADR3), mac[2]);
    wcr(B3M(MAADR4), mac[3]);
    wcr(B3M(MAADR5), mac[4]);
    wcr(B3M(MAADR6), mac[5]);
#ifndef ENC_NO_WA_PHCON1
    phy_write(PHCON1, 0x0100);                     /* PDPXMD: full duplex, whatever the strap */
#endif
    phy_write(PHCON2, 0x0100);                     /* HDLDIS */
    phy_write(PHIE, 0x0012);                       /* link change interrupts */
    bfs(ECON2, 0x80);                              /* AUTOINC */
    bfs(EIE, 0x80 | 0x40 | 0x10 | 0x01);           /* INTIE, PKTIE, LINKIE, RXERIE */
    bfs(ECON1, 0x04);                              /* RXEN */
    printf("eth: ENC28J60 revision %02x, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", rev, mac[0],
           mac[1], mac[2], mac[3], mac[4], mac[5]);
    return 0;
}

bool enc_link_up(void) { return (phy_read(PHSTAT2) & 0x0400) != 0; }

static uint8_t packet_count(void) { return rcr(B1(EPKTCNT)); }

size_t enc_receive(uint8_t *buf, size_t max)
{
#ifdef ENC_NO_WA_PKTCNT
    if (!(rcr(EIR) & 0x40))
        return 0;
#endif
    if (!packet_count())
        return 0;
    wcr16(B0(ERDPTL), next_packet);
    uint8_t hdr[6];
    read_buf(hdr, sizeof hdr);
    uint16_t next = (uint16_t)(hdr[0] | hdr[1] << 8);
    uint16_t count = (uint16_t)(hdr[2] | hdr[3] << 8);
    bool ok = (hdr[4] & 0x80) != 0;
    size_t len = 0;
    if (ok && count >= 18 && count - 4u <= max) {
        len = count - 4u;
        read_buf(buf, len);
        enc_stats.rx_frames++;
    } else {
        enc_stats.rx_errors++;
    }
    if (next > RX_END || (next & 1)) {
        /* a corrupted pointer: only a receive reset brings the ring back */
        printf("eth: bad next-packet pointer %04x, resetting the receiver\n", next);
        bfs(ECON1, 0x40);
        bfc(ECON1, 0x40);
        next_packet = RX_START;
        wcr16(B0(ERXSTL), RX_START);
        wcr16(B0(ERXNDL), RX_END);
        wcr16(B0(ERXRDPTL), RX_END);
        bfs(ECON1, 0x04);
        return 0;
    }
    next_packet = next;
#ifndef ENC_NO_WA_RXRDPT_ODD
    uint16_t rd = next == RX_START ? RX_END : (uint16_t)(next - 1);
#else
    uint16_t rd = next;
#endif
    wcr16(B0(ERXRDPTL), rd);
    bfs(ECON2, 0x40); /* PKTDEC */
    return len;
}

int enc_send(const uint8_t *frame, size_t len)
{
    if (len > 1514)
        return -1;
    uint32_t start = millis();
    while (rcr(ECON1) & 0x08)
        if (millis() - start > 50) {
            enc_stats.tx_errors++;
            bfs(ECON1, 0x80);
            bfc(ECON1, 0x80);
            break;
        }
    for (int attempt = 0; attempt < 16; attempt++) {
#ifndef ENC_NO_WA_TXRST
        bfs(ECON1, 0x80);
        bfc(ECON1, 0x80);
        bfc(EIR, 0x02 | 0x08);
#endif
        wcr16(B0(EWRPTL), TX_START);
        static const uint8_t control = 0;
        write_buf(&control, 1);
        write_buf(frame, len);
        wcr16(B0(ETXNDL), (uint16_t)(TX_START + len));
        bfs(ECON1, 0x08);
        start = millis();
        uint8_t eir;
        while (!((eir = rcr(EIR)) & (0x08 | 0x02)))
            if (millis() - start > 20)
                break;
        bfc(ECON1, 0x08);
#ifndef ENC_NO_WA_TXRST
        /* the transmit status vector follows the frame: bit 29 is a late collision */
        uint8_t tsv[7];
        wcr16(B0(ERDPTL), (uint16_t)(TX_START + len + 1));
        read_buf(tsv, sizeof tsv);
        bool late = (tsv[3] & 0x20) != 0;
        if ((eir & 0x02) || late) {
            enc_stats.tx_retries++;
            continue;
        }
#endif
        if (eir & 0x08) {
            bfc(EIR, 0x08);
            enc_stats.tx_frames++;
            return 0;
        }
        enc_stats.tx_errors++;
        return -1;
    }
    enc_stats.tx_errors++;
    return -1;
}

void enc_service(void)
{
    enc_irq_pending = false;
    bfc(EIE, 0x80);
    uint8_t eir = rcr(EIR);
    if (eir & 0x10) {
        phy_read(PHIR); /* reading PHIR clears LINKIF */
        printf("eth: link %s\n", enc_link_up() ? "up" : "down");
    }
    if (eir & 0x01) {
        enc_stats.rx_overflows++;
        bfc(EIR, 0x01);
    }
    bfs(EIE, 0x80);
}
