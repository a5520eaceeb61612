/*
 * Bit-band aliases (Cortex-M4 TRM 3.7, Cortex-M4 Devices Generic User Guide
 * 2.2.5): each word of 0x22000000.. maps one bit of SRAM 0x20000000..
 * 0x200FFFFF, each word of 0x42000000.. one bit of the peripherals at
 * 0x40000000..0x400FFFFF. A read returns the bit in bit 0; a write of bit 0
 * is a read-modify-write of the target, of the size of the access. Vendor
 * HALs (STM32 SPL, CMSIS BITBAND macros) set and clear peripheral bits this
 * way. Peripheral checks use UART0 CTRL (CMSDK APB UART, 0x40004008).
 */
#include <stdint.h>
#include <stdio.h>

#define SRAM_BASE 0x20000000u
#define PERIPH_BASE 0x40000000u
#define ALIAS(base, addr, bit) (0x02000000u + (base) + ((addr) - (base)) * 32u + (bit) * 4u)
#define W32(a) (*(volatile uint32_t *)(a))
#define W16(a) (*(volatile uint16_t *)(a))
#define W8(a) (*(volatile uint8_t *)(a))
#define UART0_CTRL 0x40004008u

static volatile uint32_t word;
static volatile uint8_t bytes[8];

static uint32_t sram_alias(volatile void *p, unsigned bit)
{
    return ALIAS(SRAM_BASE, (uint32_t)p, bit);
}

int main(void)
{
    /* word writes: bit 0 of the value decides, the other bits are ignored */
    word = 0;
    W32(sram_alias(&word, 0)) = 1;
    W32(sram_alias(&word, 5)) = 0xFF;
    W32(sram_alias(&word, 31)) = 3;
    W32(sram_alias(&word, 7)) = 0xFE; /* bit 0 clear: writes 0 */
    printf("sram-set          %08lx\n", (unsigned long)word);
    word = 0xFFFFFFFFu;
    W32(sram_alias(&word, 16)) = 0;
    W32(sram_alias(&word, 0)) = 0x0E;
    printf("sram-clear        %08lx\n", (unsigned long)word);
    /* reads give 0 or 1 in bit 0, whatever the access size */
    word = 0x80000021u;
    printf("sram-read         %lu %lu %lu %lu\n", (unsigned long)W32(sram_alias(&word, 0)),
           (unsigned long)W32(sram_alias(&word, 1)), (unsigned long)W32(sram_alias(&word, 5)),
           (unsigned long)W32(sram_alias(&word, 31)));
    printf("sram-read-sizes   %u %u %u\n", W8(sram_alias(&word, 5)), W16(sram_alias(&word, 31)),
           W8(sram_alias(&word, 30)));
    /* bytes at odd addresses, and every bit of one byte */
    for (unsigned k = 0; k < 8; k++)
        bytes[k] = 0;
    W32(sram_alias(&bytes[3], 2)) = 1;
    W32(sram_alias(&bytes[5], 7)) = 1;
    for (unsigned b = 0; b < 8; b += 2)
        W32(sram_alias(&bytes[6], b)) = 1;
    printf("sram-bytes       ");
    for (unsigned k = 0; k < 8; k++)
        printf(" %02x", bytes[k]);
    printf("\n");
    /* byte and halfword writes to the alias */
    word = 0x12345678u;
    W8(sram_alias(&word, 0)) = 0;
    W16(sram_alias(&word, 12)) = 0;
    W8(sram_alias(&word, 31)) = 1;
    W16(sram_alias(&word, 3)) = 1;
    printf("sram-write-sizes  %08lx\n", (unsigned long)word);
    /* the alias of the last word of the 1 MiB bit-band region */
    volatile uint32_t *last = (volatile uint32_t *)(SRAM_BASE + 0xFFFFCu);
    *last = 0;
    W32(ALIAS(SRAM_BASE, SRAM_BASE + 0xFFFFFu, 7)) = 1;
    printf("sram-last         %08lx %lu\n", (unsigned long)*last,
           (unsigned long)W32(ALIAS(SRAM_BASE, SRAM_BASE + 0xFFFFFu, 7)));
    /* an exclusive pair on an alias word */
    word = 0;
    uint32_t a = sram_alias(&word, 9), v, fail;
    __asm__ volatile("ldrex %0, [%2]\n\t"
                     "orr %0, %0, #1\n\t"
                     "strex %1, %0, [%2]" : "=&r"(v), "=&r"(fail) : "r"(a) : "memory");
    printf("sram-exclusive    %lu %08lx\n", (unsigned long)fail, (unsigned long)word);

    /* peripheral: UART0 CTRL bits (TXEN 0, RXEN 1, TXINTEN 2, RXINTEN 3) */
    W32(UART0_CTRL) = 0;
    W32(ALIAS(PERIPH_BASE, UART0_CTRL, 0)) = 1;
    printf("periph-set-txen   %08lx\n", (unsigned long)W32(UART0_CTRL));
    W32(ALIAS(PERIPH_BASE, UART0_CTRL, 1)) = 1;
    W32(ALIAS(PERIPH_BASE, UART0_CTRL, 0)) = 0;
    printf("periph-rmw        %08lx\n", (unsigned long)W32(UART0_CTRL));
    printf("periph-read       %lu %lu\n", (unsigned long)W32(ALIAS(PERIPH_BASE, UART0_CTRL, 1)),
           (unsigned long)W32(ALIAS(PERIPH_BASE, UART0_CTRL, 0)));
    /* byte and halfword accesses to a peripheral alias */
    W8(ALIAS(PERIPH_BASE, UART0_CTRL, 3)) = 1;
    W16(ALIAS(PERIPH_BASE, UART0_CTRL, 1)) = 0;
    printf("periph-sizes      %08lx %u %u\n", (unsigned long)W32(UART0_CTRL),
           W8(ALIAS(PERIPH_BASE, UART0_CTRL, 3)), W16(ALIAS(PERIPH_BASE, UART0_CTRL, 1)));
    W32(UART0_CTRL) = 0;
    printf("done\n");
    return 0;
}
