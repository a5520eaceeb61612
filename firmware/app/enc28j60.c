/* ENC28J60 driver (see enc28j60.h); registers from DS39662 section 3. */
#include <stdio.h>
#include <string.h>
#include "enc28j60.h"
#include "net.h"
#include "platform.h"
#include "stm32f407.h"

/* common registers and their bits */
#define EIE 0x1B
#define EIR 0x1C
#define ESTAT 0x1D
#define ECON2 0x1E
#define ECON1 0x1F
#define EIE_INTIE 0x80
#define EIE_PKTIE 0x40
#define EIE_LINKIE 0x10
#define EIE_TXERIE 0x02
#define EIE_RXERIE 0x01
#define EIR_PKTIF 0x40
#define EIR_DMAIF 0x20
#define EIR_LINKIF 0x10
#define EIR_TXIF 0x08
#define EIR_TXERIF 0x02
#define EIR_RXERIF 0x01
#define ESTAT_LATECOL 0x10
#define ESTAT_RXBUSY 0x04
#define ESTAT_CLKRDY 0x01
#define ECON2_AUTOINC 0x80
#define ECON2_PKTDEC 0x40
#define ECON2_PWRSV 0x20
#define ECON2_VRPS 0x08
#define ECON1_TXRST 0x80
#define ECON1_RXRST 0x40
#define ECON1_DMAST 0x20
#define ECON1_CSUMEN 0x10
#define ECON1_TXRTS 0x08
#define ECON1_RXEN 0x04

/* Register addresses carry the bank in bits 6:5 and a MAC/MII flag in bit 7
 * (those reads shift out a dummy byte first). */
#define B0(a) (a)
#define B1(a) ((a) | 0x20)
#define B2(a) ((a) | 0x40 | 0x80)
#define B3(a) ((a) | 0x60)
#define B3M(a) ((a) | 0x60 | 0x80)
/* bank 0 */
#define ERDPTL B0(0x00)
#define EWRPTL B0(0x02)
#define ETXSTL B0(0x04)
#define ETXNDL B0(0x06)
#define ERXSTL B0(0x08)
#define ERXNDL B0(0x0A)
#define ERXRDPTL B0(0x0C)
#define EDMASTL B0(0x10)
#define EDMANDL B0(0x12)
#define EDMACSL B0(0x16)
#define EDMACSH B0(0x17)
/* bank 1 */
#define ERXFCON B1(0x18)
#define EPKTCNT B1(0x19)
/* bank 2 */
#define MACON1 B2(0x00)
#define MACON3 B2(0x02)
#define MACON4 B2(0x03)
#define MABBIPG B2(0x04)
#define MAIPGL B2(0x06)
#define MAIPGH B2(0x07)
#define MACLCON2 B2(0x09)
#define MAMXFLL B2(0x0A)
#define MICMD B2(0x12)
#define MIREGADR B2(0x14)
#define MIWRL B2(0x16)
#define MIWRH B2(0x17)
#define MIRDL B2(0x18)
#define MIRDH B2(0x19)
/* bank 3 */
#define MAADR5 B3M(0x00)
#define MAADR6 B3M(0x01)
#define MAADR3 B3M(0x02)
#define MAADR4 B3M(0x03)
#define MAADR1 B3M(0x04)
#define MAADR2 B3M(0x05)
#define MISTAT B3M(0x0A)
#define EREVID B3(0x12)
#define ECOCON B3(0x15)
/* PHY */
#define PHCON1 0x00
#define PHCON2 0x10
#define PHSTAT2 0x11
#define PHIE 0x12
#define PHIR 0x13
#define PHCON1_PDPXMD 0x0100
#define PHCON2_HDLDIS 0x0100
#define PHSTAT2_LSTAT 0x0400

/* Buffer partition. Errata #5: the receive ring must start at 0x0000. */
#ifndef ENC_NO_WA_RX_AT_ZERO
#define RX_START 0x0000u
#define RX_END 0x19FFu      /* odd, so the ring length is even */
#define TX_START 0x1A00u
#else
#define TX_START 0x0000u
#define RX_START 0x0600u
#define RX_END 0x1FFFu
#endif
#define MAX_FRAME 1518u

enc_stats_t enc_stats;
volatile bool enc_irq_pending;
static uint16_t next_packet = RX_START;
static unsigned cur_bank = 0xFF;
static uint32_t last_poll_ms;
static bool link_was_up;

/* ---- SPI ---- */

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
    if (b)
        op(0x80 | ECON1, (uint8_t)b);
    cur_bank = b;
}

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

/* BFS/BFC work on ETH registers only (datasheet 4.2.3). */
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

/* Low byte first: the chip latches a pointer when its high byte is written. */
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

static void system_reset_command(void)
{
    cs(true);
    xfer(0xFF);
    end();
    cur_bank = 0xFF;   /* ECON1 is back to bank 0, our idea of it is unknown */
}

/* ---- PHY through the MII ---- */

static bool mii_wait(void)
{
    uint32_t start = millis();
    while (rcr(MISTAT) & 1)
        if (millis() - start > 20)
            return false;
    return true;
}

static void phy_write(uint8_t reg, uint16_t v)
{
    wcr(MIREGADR, reg);
    wcr(MIWRL, (uint8_t)v);
    wcr(MIWRH, (uint8_t)(v >> 8));
    mii_wait();
}

static uint16_t phy_read(uint8_t reg)
{
    wcr(MIREGADR, reg);
    wcr(MICMD, 0x01);
    mii_wait();
    wcr(MICMD, 0x00);
    return (uint16_t)(rcr(MIRDL) | rcr(MIRDH) << 8);
}

/* ---- set-up ---- */

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
#ifndef ENC_NO_WA_SPI_CLOCK
    /* errata #1: SCK of 8 MHz or more; APB1 (42 MHz) / 4 = 10.5 MHz, within the 20 MHz limit */
    uint32_t br = 1u;
#else
    uint32_t br = 3u;   /* / 16: 2.6 MHz */
#endif
    /* master, software NSS, mode 0 */
    SPI_CR1(SPI2_BASE) = (1u << 9) | (1u << 8) | (1u << 2) | (br << 3);
    SPI_CR1(SPI2_BASE) |= 1u << 6;
#ifndef ENC_POLL_ONLY
    /* INT: falling edge on EXTI11 from port B */
    SYSCFG_EXTICR(2) = (SYSCFG_EXTICR(2) & ~0xF000u) | (1u << 12);
    EXTI_FTSR |= 1u << 11;
    EXTI_IMR |= 1u << 11;
    NVIC_IPR8(IRQ_EXTI15_10) = 0x80;
    NVIC_ISER(IRQ_EXTI15_10 / 32) = 1u << (IRQ_EXTI15_10 % 32);
#endif
}

void EXTI15_10_IRQHandler(void)
{
    EXTI_PR = 1u << 11;
    enc_stats.irqs++;
    enc_irq_pending = true;
}

static bool wait_clkrdy(uint32_t ms)
{
    uint32_t start = millis();
    while (!(rcr(ESTAT) & ESTAT_CLKRDY))
        if (millis() - start > ms)
            return false;
    return true;
}

static void rx_ring_init(void)
{
    next_packet = RX_START;
    wcr16(ERXSTL, RX_START);
    wcr16(ERXNDL, RX_END);
#ifndef ENC_NO_WA_RXRDPT_ODD
    wcr16(ERXRDPTL, RX_END);   /* errata #14: odd */
#else
    wcr16(ERXRDPTL, RX_START);
#endif
}

int enc_init(const uint8_t mac[6])
{
    gpio_spi_init();
    cur_bank = 0xFF;
    uint8_t econ2 = rcr(ECON2);
#ifndef ENC_NO_WA_PWRSV_SRC
    /* errata #19: SRC is ignored in power-save (the previous firmware may have left it there) */
    if (econ2 & ECON2_PWRSV) {
        bfc(ECON2, ECON2_PWRSV);
        delay_ms(1);
    }
#endif
    if (!(econ2 & ECON2_PWRSV) && !wait_clkrdy(100))
        return -1;   /* after a power-on the oscillator needs its start-up time */
    system_reset_command();
#ifndef ENC_NO_WA_RESET_WAIT
    /* errata #2: CLKRDY says nothing after SRC; give the chip 2 ms (1 ms minimum) */
    delay_ms(2);
#endif
    if (!wait_clkrdy(100))
        return -1;
    uint8_t rev = rcr(EREVID);
    if (rev == 0x00 || rev == 0xFF)
        return -1;

    rx_ring_init();
    wcr16(ETXSTL, TX_START);
    /* unicast to us, broadcast, good CRC only (no pattern match: errata #18) */
    wcr(ERXFCON, 0x80 | 0x20 | 0x01);
    wcr(ECOCON, 0x00);                              /* CLKOUT unused (errata #4) */

    wcr(MACON1, 0x01 | 0x04 | 0x08);                /* MARXEN, RXPAUS, TXPAUS */
#ifndef ENC_HALF_DUPLEX
    wcr(MACON3, 0x20 | 0x10 | 0x02 | 0x01);         /* pad 60, CRC, length check, full duplex */
    wcr(MACON4, 0x00);
    wcr(MABBIPG, 0x15);
#else
    wcr(MACON3, 0x20 | 0x10 | 0x02);
    wcr(MACON4, 0x40);                              /* DEFER */
    wcr(MABBIPG, 0x12);
    wcr(MAIPGH, 0x0C);
#endif
    wcr16(MAMXFLL, MAX_FRAME);
    wcr(MAIPGL, 0x12);
#ifndef ENC_NO_WA_TX_STALL
    wcr(MACLCON2, 63);                              /* errata #13: the widest collision window */
#endif
    wcr(MAADR1, mac[0]);
    wcr(MAADR2, mac[1]);
    wcr(MAADR3, mac[2]);
    wcr(MAADR4, mac[3]);
    wcr(MAADR5, mac[4]);
    wcr(MAADR6, mac[5]);
#ifndef ENC_NO_WA_PHCON1
    /* errata #16: the LED strap is unreliable; set the PHY duplex to match the MAC */
#ifndef ENC_HALF_DUPLEX
    phy_write(PHCON1, PHCON1_PDPXMD);
#else
    phy_write(PHCON1, 0);
#endif
#endif
#if defined(ENC_HALF_DUPLEX) && !defined(ENC_NO_WA_HDLDIS)
    phy_write(PHCON2, PHCON2_HDLDIS);               /* errata #9: no loopback in half duplex */
#else
    phy_write(PHCON2, 0);
#endif
    phy_write(PHIE, 0x0012);                        /* PGEIE, PLNKIE: link changes */
    phy_read(PHIR);
    bfs(ECON2, ECON2_AUTOINC);
    bfc(EIR, EIR_DMAIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF);
    bfs(EIE, EIE_INTIE | EIE_PKTIE | EIE_LINKIE | EIE_RXERIE);
    bfs(ECON1, ECON1_RXEN);
    link_was_up = enc_link_up();
    printf("eth: ENC28J60 revision %02x, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", rev, mac[0],
           mac[1], mac[2], mac[3], mac[4], mac[5], link_was_up ? "up" : "down");
    return 0;
}

bool enc_link_up(void) { return (phy_read(PHSTAT2) & PHSTAT2_LSTAT) != 0; }

void enc_power_down(void)
{
    bfc(EIE, EIE_INTIE);
    bfc(ECON1, ECON1_RXEN);
    uint32_t start = millis();
    while ((rcr(ESTAT) & ESTAT_RXBUSY) || (rcr(ECON1) & ECON1_TXRTS))
        if (millis() - start > 5)
            break;
    bfs(ECON2, ECON2_VRPS);
    bfs(ECON2, ECON2_PWRSV);
}

/* ---- receive ---- */

#ifndef ENC_TRUST_RX_HEADER
static void rx_reset(const char *why)
{
    printf("eth: %s, resetting the receiver\n", why);
    enc_stats.rx_resets++;
    bfc(ECON1, ECON1_RXEN);
    bfs(ECON1, ECON1_RXRST);
    bfc(ECON1, ECON1_RXRST);
    rx_ring_init();
    bfc(EIR, EIR_RXERIF);
    bfs(ECON1, ECON1_RXEN);
}
#endif

static bool packet_waiting(void)
{
#ifndef ENC_NO_WA_PKTCNT
    return rcr(EPKTCNT) != 0;   /* errata #6: EIR.PKTIF is unreliable */
#else
    return (rcr(EIR) & EIR_PKTIF) != 0;
#endif
}

static bool frame_for_us(const uint8_t *f)
{
#ifndef ENC_NO_WA_SW_FILTER
    /* errata #18: the hardware filters can pass extra frames; look again */
    static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    return !memcmp(f, netif.mac, 6) || !memcmp(f, bcast, 6);
#else
    (void)f;
    return true;
#endif
}

size_t enc_receive(uint8_t *buf, size_t max)
{
    if (!packet_waiting())
        return 0;
    wcr16(ERDPTL, next_packet);
    uint8_t hdr[6];
    read_buf(hdr, sizeof hdr);
    uint16_t next = (uint16_t)(hdr[0] | hdr[1] << 8);
    uint16_t count = (uint16_t)(hdr[2] | hdr[3] << 8);
    uint32_t rsv = (uint32_t)hdr[2] | (uint32_t)hdr[3] << 8 | (uint32_t)hdr[4] << 16 | (uint32_t)hdr[5] << 24;
#ifndef ENC_TRUST_RX_HEADER
    if ((uint16_t)(next - RX_START) > RX_END - RX_START || (next & 1) || count > MAX_FRAME || (rsv >> 31)) {
        /* a corrupted header (what an even ERXRDPT can do): only a receive reset recovers */
        rx_reset("corrupt receive header");
        return 0;
    }
#else
    /* as many drivers are written: the next packet pointer is taken as it is */
    next &= 0x1FFF;
#endif
    bool ok = (rsv & (1u << 23)) != 0;
    size_t len = 0;
    if (ok && count >= 18 && count - 4u <= max) {
        len = count - 4u;
        read_buf(buf, len);
        if (!frame_for_us(buf)) {
            enc_stats.rx_filtered++;
            len = 0;
        } else {
            enc_stats.rx_frames++;
        }
    } else {
        enc_stats.rx_errors++;
    }
    next_packet = next;
#ifndef ENC_NO_WA_RXRDPT_ODD
    /* errata #14: free up to next - 1, which is odd */
    uint16_t rd = next == RX_START ? RX_END : (uint16_t)(next - 1);
#else
    uint16_t rd = next;
#endif
    wcr16(ERXRDPTL, rd);
    bfs(ECON2, ECON2_PKTDEC);
    /* 0 for a dropped frame would read as "ring empty"; report a runt instead */
    return len ? len : 1;
}

/* ---- transmit ---- */

static void tx_reset(void)
{
    bfs(ECON1, ECON1_TXRST);
    bfc(ECON1, ECON1_TXRST);
    bfc(EIR, EIR_TXERIF | EIR_TXIF);   /* clearing TXRST can itself set TXERIF */
}

static void tx_load(const uint8_t *frame, size_t len)
{
    wcr16(EWRPTL, TX_START);
    static const uint8_t control = 0;   /* MACON3 decides padding and CRC */
    write_buf(&control, 1);
    write_buf(frame, len);
    wcr16(ETXNDL, (uint16_t)(TX_START + len));
}

static bool late_collision(size_t len)
{
#ifndef ENC_NO_WA_TSV_LATECOL
    /* errata #15: ESTAT.LATECOL is unreliable; the status vector after the frame is not */
    uint8_t tsv[7];
    wcr16(ERDPTL, (uint16_t)(TX_START + len + 1));
    read_buf(tsv, sizeof tsv);
    return (tsv[3] & 0x20) != 0;
#else
    (void)len;
    return (rcr(ESTAT) & ESTAT_LATECOL) != 0;
#endif
}

static int transmit(size_t len)
{
#ifndef ENC_NO_WA_TX_STALL
    for (int attempt = 0; attempt < 16; attempt++) {
        bfs(ECON1, ECON1_TXRTS);
        /* a 1518-byte frame takes 1.23 ms on the wire: 3 ms means the logic stalled */
        uint32_t start = millis();
        uint8_t eir;
        while (!((eir = rcr(EIR)) & (EIR_TXIF | EIR_TXERIF)))
            if (millis() - start > 3)
                break;
        if (!(eir & (EIR_TXIF | EIR_TXERIF))) {
            enc_stats.tx_stalls++;
            bfc(ECON1, ECON1_TXRTS);
            tx_reset();
            continue;
        }
        bfc(ECON1, ECON1_TXRTS);
        if ((eir & EIR_TXERIF) && late_collision(len)) {
            enc_stats.tx_retries++;
            tx_reset();
            continue;
        }
        bfc(EIR, EIR_TXIF | EIR_TXERIF);
        if (eir & EIR_TXERIF) {
            enc_stats.tx_errors++;
            return -1;
        }
        enc_stats.tx_frames++;
        return 0;
    }
    enc_stats.tx_errors++;
    return -1;
#else
    bfs(ECON1, ECON1_TXRTS);
    while (!(rcr(EIR) & EIR_TXIF))
        ;
    uint8_t eir = rcr(EIR);
    bfc(EIR, EIR_TXIF | EIR_TXERIF);
    if (eir & EIR_TXERIF) {
        (void)late_collision(len);
        enc_stats.tx_errors++;
        return -1;
    }
    enc_stats.tx_frames++;
    return 0;
#endif
}

static bool tx_prepare(size_t len)
{
    if (len > MAX_FRAME - 4)
        return false;
    /* the previous frame may still be on the wire */
    uint32_t start = millis();
    while (rcr(ECON1) & ECON1_TXRTS)
        if (millis() - start > 3) {
            enc_stats.tx_stalls++;
            bfc(ECON1, ECON1_TXRTS);
            break;
        }
#ifndef ENC_NO_WA_TXRST
    tx_reset();   /* errata #12: a previous abort may have stalled the transmit logic */
#endif
    return true;
}

int enc_send(const uint8_t *frame, size_t len)
{
    if (!tx_prepare(len))
        return -1;
    tx_load(frame, len);
    return transmit(len);
}

int enc_send_hw_checksum(const uint8_t *frame, size_t len, size_t start, size_t end, size_t field)
{
    if (!tx_prepare(len) || start >= end || end > len || field + 2 > len)
        return -1;
    tx_load(frame, len);
    /* errata #17: this aborts any frame being received while the DMA runs */
    uint16_t base = (uint16_t)(TX_START + 1);
    wcr16(EDMASTL, (uint16_t)(base + start));
    wcr16(EDMANDL, (uint16_t)(base + end - 1));
    bfs(ECON1, ECON1_CSUMEN | ECON1_DMAST);
    uint32_t t0 = millis();
    while (rcr(ECON1) & ECON1_DMAST)
        if (millis() - t0 > 2)
            return -1;
    bfc(ECON1, ECON1_CSUMEN);
    bfc(EIR, EIR_DMAIF);
    uint8_t sum[2] = { rcr(EDMACSH), rcr(EDMACSL) };
    wcr16(EWRPTL, (uint16_t)(base + field));
    write_buf(sum, 2);
    return transmit(len);
}

/* ---- events ---- */

bool enc_service(void)
{
    bool drain = false;
    if (enc_irq_pending) {
        enc_irq_pending = false;
        drain = true;
    }
    if (millis() - last_poll_ms >= ENC_POLL_MS) {
        last_poll_ms = millis();
        enc_stats.polls++;
        drain = true;
    } else if (!drain) {
        return false;
    }
    bfc(EIE, EIE_INTIE);
    uint8_t eir = rcr(EIR);
    if (eir & EIR_LINKIF) {
        phy_read(PHIR);   /* clears LINKIF */
        bool up = enc_link_up();
        if (up != link_was_up) {
            link_was_up = up;
            printf("eth: link %s\n", up ? "up" : "down");
            net_link_changed(up);
        }
    }
    if (eir & EIR_RXERIF) {
        enc_stats.rx_overflows++;
        bfc(EIR, EIR_RXERIF);
    }
    bfs(EIE, EIE_INTIE);
    return true;
}
