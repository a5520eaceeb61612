/*
 * STM32F4 USART and SPI: reset values, character and frame timing from BRR
 * and BR (asserted to the nanosecond), the idle frame after TE, flag
 * clearing sequences, overrun, SPI against a device on the bus, mode fault,
 * hardware CRC, receive-only clocking, and DMA moving SPI and USART data.
 */
#include "stm32f4_fixture.h"

#define USART2 0x40004400u
#define UART4 0x40004C00u
#define SPI1 0x40013000u
#define DMA2 0x40026400u
#define SR 0x00
#define DR 0x04
#define BRR 0x08
#define CR1 0x0C
#define CR2 0x10
#define CR3 0x14
#define UE (1u << 13)
#define TE (1u << 3)
#define RE (1u << 2)

/* A byte-echo SPI device: answers each frame with the previous one + 1. */
typedef struct { uint16_t last; unsigned frames; bool selected; } echo_dev_t;
static uint16_t echo_transfer(void *dev, uint16_t mosi, unsigned bits)
{
    echo_dev_t *e = dev;
    uint16_t r = (uint16_t)(e->last + 1) & (bits == 8 ? 0xFF : 0xFFFF);
    e->last = mosi;
    e->frames++;
    return r;
}
static void echo_select(void *dev, bool sel) { ((echo_dev_t *)dev)->selected = sel; }
static const spi_device_ops_t echo_ops = { echo_transfer, echo_select };
static echo_dev_t echo;

static void attach_echo(void)
{
    memset(&echo, 0, sizeof echo);
    spi_bus_attach(&soc->spi[0].bus, &echo_ops, &echo);
    spi_bus_select(&soc->spi[0].bus, true);
}

START_TEST(usart_reset_and_masks)
{
    set_bits(RCC_APB1ENR, (1u << 17) | (1u << 19));
    ck_assert_uint_eq(rd(USART2 + SR), 0xC0);
    for (uint32_t off = 4; off <= 0x18; off += 4)
        ck_assert_uint_eq(rd(USART2 + off), 0);
    wr(USART2 + CR2, 0xFFFFFFFF);
    ck_assert_uint_eq(rd(USART2 + CR2), 0x7F6F);
    wr(UART4 + CR2, 0xFFFFFFFF);                  /* no clock pins on UART4 */
    ck_assert_uint_eq(rd(UART4 + CR2), 0x706F);
    wr(UART4 + CR3, 0xFFFFFFFF);                  /* no flow control or smartcard */
    ck_assert_uint_eq(rd(UART4 + CR3), 0x08CF);
    wr(USART2 + SR, 0);                           /* TC and RXNE are rc_w0; TXE read-only */
    ck_assert_uint_eq(rd(USART2 + SR), 0x80);
}
END_TEST

START_TEST(usart_character_timing)
{
    set_bits(RCC_APB1ENR, 1u << 17);
    /* PCLK1 16 MHz, BRR 0x8B = 139 cycles per bit; 8N1 = 10 bits = 86875 ns */
    wr(USART2 + BRR, 0x8B);
    wr(USART2 + CR1, UE | TE);
    /* TE first sends an idle frame: TC falls until it is out */
    ck_assert_uint_eq(rd(USART2 + SR) & 0xC0, 0x80);
    wr(USART2 + DR, 'A');                         /* waits in DR behind the idle frame */
    ck_assert_uint_eq(rd(USART2 + SR) & 0xC0, 0x00);
    run_ns(86875);
    ck_assert_uint_eq(rd(USART2 + SR) & 0xC0, 0x80); /* 'A' moved to the shift register */
    ck_assert_uint_eq(soc->usart[1].tx_bytes, 0);
    run_ns(86875);
    ck_assert_uint_eq(rd(USART2 + SR) & 0xC0, 0xC0);
    ck_assert_uint_eq(soc->usart[1].tx_bytes, 1);
    /* 9 data bits, 2 stop bits: 12 bits; OVER8 with BRR 0x45 = 8*4+5 = 37 cycles per bit */
    wr(USART2 + CR2, 2u << 12);
    wr(USART2 + CR1, UE | TE | (1u << 12) | (1u << 15));
    wr(USART2 + BRR, 0x45);
    sim_time_t t0 = m->sched.now;
    wr(USART2 + DR, 0x1FF);
    ck_assert_uint_eq(sched_when(&soc->usart[1].tx_event) - t0, 27750); /* 37*12/16 MHz */
    /* TC clears by an SR read then a DR write */
    run_ns(SIM_US(30));
    ck_assert_uint_eq(rd(USART2 + SR) & 0x40, 0x40);
    wr(USART2 + DR, 0x55);
    run_ns(SIM_US(60));
    (void)rd(USART2 + SR);
    wr(USART2 + CR1, rd(USART2 + CR1) & ~TE);     /* no DR write: stays */
    ck_assert_uint_eq(rd(USART2 + SR) & 0x40, 0x40);
}
END_TEST

START_TEST(usart_receive_overrun_idle)
{
    set_bits(RCC_APB1ENR, 1u << 17);
    wr(USART2 + BRR, 0x8B);
    ck_assert_uint_eq(stm32f4_usart_rx_push(&soc->usart[1], (const uint8_t *)"x", 1), 0); /* RE off */
    wr(USART2 + CR1, UE | RE | (1u << 5) | (1u << 4));   /* RXNEIE, IDLEIE */
    ck_assert_uint_eq(stm32f4_usart_rx_push(&soc->usart[1], (const uint8_t *)"xyz", 3), 3);
    run_ns(86875);
    ck_assert_uint_eq(rd(USART2 + SR) & 0x20, 0x20);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 38]);
    run_ns(2 * 86875);                            /* y and z overrun: x stays in DR */
    ck_assert_uint_eq(rd(USART2 + SR) & 0x28, 0x28);
    run_ns(86875);                                /* a quiet character time: IDLE */
    ck_assert_uint_eq(rd(USART2 + SR) & 0x10, 0x10);
    /* ORE and IDLE clear with an SR read (the one above) then a DR read */
    ck_assert_uint_eq(rd(USART2 + DR), 'x');
    ck_assert_uint_eq(rd(USART2 + SR) & 0x38, 0);
    ck_assert(!m->cpu->sys.level[EXC_IRQ0 + 38]);
    ck_assert_uint_eq(soc->usart[1].overruns, 2);
}
END_TEST

START_TEST(spi_frames_with_a_device)
{
    set_bits(RCC_APB2ENR, 1u << 12);
    attach_echo();
    ck_assert_uint_eq(rd(SPI1 + 0x08), 0x0002);
    ck_assert_uint_eq(rd(SPI1 + 0x10), 0x0007);
    ck_assert_uint_eq(rd(SPI1 + 0x20), 0x0002);
    /* BR = 2: PCLK2 / 8 = 2 MHz, 8 bits = 4000 ns */
    wr(SPI1, (2u << 3) | (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6));
    wr(SPI1 + 0x0C, 0x10);
    ck_assert_uint_eq(rd(SPI1 + 0x08), 0x82);      /* BSY, TXE (shift register took it) */
    wr(SPI1 + 0x0C, 0x20);
    ck_assert_uint_eq(rd(SPI1 + 0x08), 0x80);      /* buffer full */
    run_ns(3999);
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 1, 0);
    run_ns(1);
    ck_assert_uint_eq(rd(SPI1 + 0x08), 0x83);      /* RXNE, second frame on the wire */
    ck_assert_uint_eq(rd(SPI1 + 0x0C), 0x01);
    run_ns(4000);
    ck_assert_uint_eq(rd(SPI1 + 0x08), 0x03);      /* done: BSY falls */
    ck_assert_uint_eq(rd(SPI1 + 0x0C), 0x11);
    /* 16-bit frames, LSB first */
    wr(SPI1, 0);
    wr(SPI1, (2u << 3) | 4 | (3u << 8) | (1u << 11) | (1u << 7) | (1u << 6));
    wr(SPI1 + 0x0C, 0x0001);
    run_ns(8000);
    ck_assert_uint_eq(echo.last, 0x8000);          /* bit 0 went out first */
    ck_assert_uint_eq(rd(SPI1 + 0x0C), 0x8400);     /* the device sent 0x0021 */
}
END_TEST

START_TEST(spi_overrun_modf_crc_rxonly)
{
    set_bits(RCC_APB2ENR, 1u << 12);
    attach_echo();
    uint32_t master = (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6); /* BR 0: 125 ns/bit */
    wr(SPI1, master);
    wr(SPI1 + 0x0C, 1);
    wr(SPI1 + 0x0C, 2);
    run_ns(2000);
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 0x41, 0x41);  /* OVR, RXNE */
    (void)rd(SPI1 + 0x08);
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 0x40, 0x40);  /* SR alone does not clear */
    (void)rd(SPI1 + 0x0C);
    (void)rd(SPI1 + 0x08);
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 0x40, 0);
    /* mode fault: NSS seen low (SSM=1, SSI=0) drops SPE and MSTR */
    wr(SPI1 + 0x04, 1u << 5);                          /* ERRIE */
    wr(SPI1, (1u << 2) | (1u << 9) | (1u << 6));
    ck_assert_uint_eq(rd(SPI1) & 0x44, 0);
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 0x20, 0x20);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 35]);
    wr(SPI1, master);                                  /* SR was read: this CR1 write clears MODF */
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 0x20, 0);
    ck_assert_uint_eq(rd(SPI1) & 0x44, 0x44);
    wr(SPI1 + 0x04, 0);
    /* CRC-8 (CRCPR 7) over two bytes, then CRCNEXT sends it and checks what comes back */
    wr(SPI1, 0);
    wr(SPI1, master | (1u << 13));
    wr(SPI1 + 0x0C, 0xA5);
    run_ns(1000);
    (void)rd(SPI1 + 0x0C);
    uint32_t txcrc = rd(SPI1 + 0x18);
    ck_assert_uint_eq(txcrc, 0x72);                    /* CRC-8, polynomial 0x07, of 0xA5 */
    wr(SPI1, rd(SPI1) | (1u << 12));                   /* CRCNEXT */
    run_ns(1000);
    ck_assert_uint_eq(echo.last, 0x72);                /* the CRC went out */
    ck_assert_uint_eq(rd(SPI1) & (1u << 12), 0);
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 0x10, 0x10);   /* the echo answered wrong: CRCERR */
    wr(SPI1 + 0x08, 0);
    ck_assert_uint_eq(rd(SPI1 + 0x08) & 0x10, 0);
    /* receive-only: the clock runs by itself */
    wr(SPI1, 0);
    unsigned f0 = echo.frames;
    wr(SPI1, master | (1u << 10));
    run_ns(10000);
    ck_assert_uint_ge(echo.frames - f0, 9);
    wr(SPI1, master);
}
END_TEST

START_TEST(spi_and_usart_over_dma)
{
    set_bits(RCC_APB2ENR, 1u << 12);
    set_bits(RCC_AHB1ENR, 1u << 22);
    attach_echo();
    static uint8_t tx[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint32_t buf = 0x20001000;
    for (unsigned k = 0; k < 8; k++)
        wr8(buf + k, tx[k]);
    /* SPI1 RX on DMA2 stream 0 ch 3 into buf+0x100, TX on stream 3 ch 3 from buf */
    wr(DMA2 + 0x10 + 0x08, SPI1 + 0x0C);
    wr(DMA2 + 0x10 + 0x0C, buf + 0x100);
    wr(DMA2 + 0x10 + 0x04, 8);
    wr(DMA2 + 0x10, (3u << 25) | (1u << 10) | (1u << 4) | 1u);
    wr(DMA2 + 0x10 + 0x18 * 3 + 0x08, SPI1 + 0x0C);
    wr(DMA2 + 0x10 + 0x18 * 3 + 0x0C, buf);
    wr(DMA2 + 0x10 + 0x18 * 3 + 0x04, 8);
    wr(DMA2 + 0x10 + 0x18 * 3, (3u << 25) | (1u << 10) | (1u << 6) | 1u);
    wr(SPI1, (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6));
    wr(SPI1 + 0x04, 3);
    ck_assert_uint_eq(rd(DMA2 + 0x10 + 0x18 * 3 + 0x04), 6);   /* two in flight */
    run_ns(8 * 1000);
    ck_assert_uint_eq(rd(DMA2 + 0x10 + 0x04), 0);
    ck_assert_uint_eq(rd(DMA2 + 0x10) & 1, 0);                 /* stream done */
    ck_assert_uint_eq(rd(DMA2 + 0x00) & ((1u << 5) | (1u << 27)), (1u << 5) | (1u << 27));
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 56]);               /* stream 0 TCIE */
    ck_assert_uint_eq(rd8_at(buf + 0x100), 1);                 /* echo: 0+1, then tx[k-1]+1 */
    for (unsigned k = 1; k < 8; k++)
        ck_assert_uint_eq(rd8_at(buf + 0x100 + k), tx[k - 1] + 1u);
    /* USART2 TX over DMA1 stream 6 channel 4 */
    set_bits(RCC_APB1ENR, 1u << 17);
    set_bits(RCC_AHB1ENR, 1u << 21);
    uint32_t d1 = 0x40026000;
    wr(USART2 + BRR, 0x8B);
    wr(USART2 + CR3, 1u << 7);
    wr(USART2 + CR1, UE | TE);
    wr(d1 + 0x10 + 0x18 * 6 + 0x08, USART2 + DR);
    wr(d1 + 0x10 + 0x18 * 6 + 0x0C, buf);
    wr(d1 + 0x10 + 0x18 * 6 + 0x04, 4);
    wr(d1 + 0x10 + 0x18 * 6, (4u << 25) | (1u << 10) | (1u << 6) | 1u);
    run_ns(6 * 86875);                                          /* idle frame + 4 characters */
    ck_assert_uint_eq(soc->usart[1].tx_bytes, 4);
    ck_assert_uint_eq(rd(d1 + 0x04) & (1u << 21), 1u << 21);   /* HISR TCIF6 */
}
END_TEST

START_TEST(dma_memory_to_memory_and_rules)
{
    set_bits(RCC_AHB1ENR, (1u << 21) | (1u << 22));
    uint32_t src = 0x20002000, dst = 0x20003000;
    for (unsigned k = 0; k < 16; k++)
        wr8(src + k, 0x10 + k);
    /* bytes in, words out through the FIFO */
    wr(DMA2 + 0x10 + 0x18 + 0x08, src);
    wr(DMA2 + 0x10 + 0x18 + 0x0C, dst);
    wr(DMA2 + 0x10 + 0x18 + 0x04, 16);
    wr(DMA2 + 0x10 + 0x18 + 0x14, 1u << 2);                    /* FIFO mode */
    wr(DMA2 + 0x10 + 0x18, (2u << 13) | (0u << 11) | (1u << 10) | (1u << 9) | (2u << 6) | 1u);
    ck_assert_uint_eq(rd(dst), 0x13121110);
    ck_assert_uint_eq(rd(dst + 12), 0x1F1E1D1C);
    ck_assert_uint_eq(rd(DMA2 + 0x00), (1u << 11) | (1u << 10)); /* TCIF1, HTIF1 */
    /* enabling again before the flags are cleared is refused */
    wr(DMA2 + 0x10 + 0x18 + 0x04, 4);
    wr(DMA2 + 0x10 + 0x18, rd(DMA2 + 0x10 + 0x18) | 1u);
    ck_assert_uint_eq(rd(DMA2 + 0x10 + 0x18) & 1, 0);
    wr(DMA2 + 0x08, 0x0F7D0F7D);
    ck_assert_uint_eq(rd(DMA2 + 0x00), 0);
    /* DMA1 has no memory-to-memory path */
    uint32_t d1 = 0x40026000;
    wr(d1 + 0x10 + 0x08, src);
    wr(d1 + 0x10 + 0x0C, dst);
    wr(d1 + 0x10 + 0x04, 4);
    wr(d1 + 0x10, (2u << 6) | 1u);
    ck_assert_uint_eq(rd(d1 + 0x00) & (1u << 3), 1u << 3);     /* TEIF0 */
    /* configuration is frozen while enabled; disabling early sets TCIF */
    wr(d1 + 0x08, 0x3D);
    wr(d1 + 0x10 + 0x04, 4);
    wr(d1 + 0x10, (4u << 25) | 1u);                            /* P2M, nobody requests */
    wr(d1 + 0x10 + 0x04, 9);
    ck_assert_uint_eq(rd(d1 + 0x10 + 0x04), 4);
    wr(d1 + 0x10, 0);
    ck_assert_uint_eq(rd(d1 + 0x00) & (1u << 5), 1u << 5);
    ck_assert_uint_eq(rd(d1 + 0x10 + 0x14), 0x21);             /* FCR reset value */
}
END_TEST

int main(void)
{
    const TTest *tests[] = { usart_reset_and_masks, usart_character_timing, usart_receive_overrun_idle,
                             spi_frames_with_a_device, spi_overrun_modf_crc_rxonly,
                             spi_and_usart_over_dma, dma_memory_to_memory_and_rules };
    return run_suite("stm32f4_serial", tests, ARRAY_SIZE(tests));
}
