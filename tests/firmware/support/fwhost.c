/* The simulated board of the firmware host tests (see fwhost.h). */
#include <string.h>
#include "fwhost.h"
#include "enc28j60.h"
#include "platform.h"

uint8_t host_flash[HOST_FLASH_SIZE];
unsigned long host_flash_ops;
jmp_buf host_power_cut;
static long cut_at = -1;
static uint32_t cut_rng;
uint32_t host_ms;
void (*host_idle_hook)(void);

/* The image signing key of the tests: RFC 8032 TEST 1 (its secret is public). */
const uint8_t fw_signing_pubkey[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

static uint32_t rng_next(void)
{
    cut_rng ^= cut_rng << 13;
    cut_rng ^= cut_rng >> 17;
    cut_rng ^= cut_rng << 5;
    return cut_rng;
}

void host_flash_erase_all(void)
{
    memset(host_flash, 0xFF, sizeof host_flash);
    host_flash_ops = 0;
    cut_at = -1;
}

void host_flash_cut_at(long n, uint32_t seed)
{
    cut_at = n;
    cut_rng = seed ? seed : 1;
}

void host_flash_place(uint32_t addr, const void *data, size_t len)
{
    memcpy(host_flash + (addr - HOST_FLASH_BASE), data, len);
}

const void *flash_ptr(uint32_t addr) { return host_flash + (addr - HOST_FLASH_BASE); }

static const uint32_t sector_start[13] = {
    0x00000, 0x04000, 0x08000, 0x0C000, 0x10000, 0x20000, 0x40000,
    0x60000, 0x80000, 0xA0000, 0xC0000, 0xE0000, 0x100000,
};

static bool cut_now(void)
{
    return cut_at >= 0 && (long)host_flash_ops == cut_at;
}

int flash_erase_sector(unsigned sector)
{
    if (sector > 11)
        return -1;
    uint8_t *p = host_flash + sector_start[sector];
    size_t n = sector_start[sector + 1] - sector_start[sector];
    if (cut_now()) {
        /* an erase cut short: some bytes erased, some old, some in between */
        for (size_t k = 0; k < n; k++) {
            uint32_t r = rng_next();
            if (r & 1)
                p[k] = 0xFF;
            else if (r & 2)
                p[k] |= (uint8_t)(r >> 8);
        }
        host_flash_ops++;
        longjmp(host_power_cut, 1);
    }
    memset(p, 0xFF, n);
    host_flash_ops++;
    return 0;
}

int flash_program(uint32_t dst, const void *src, size_t len)
{
    const uint8_t *s = src;
    uint8_t *d = host_flash + (dst - HOST_FLASH_BASE);
    for (size_t k = 0; k < len; k += 4) {
        if (cut_now()) {
            /* a word program cut short: some of the bits to clear are cleared */
            uint32_t keep = rng_next();
            for (int b = 0; b < 4; b++)
                d[k + b] &= (uint8_t)(s[k + b] | (keep >> (8 * b)));
            host_flash_ops++;
            longjmp(host_power_cut, 1);
        }
        for (int b = 0; b < 4; b++)
            d[k + b] &= s[k + b];
        host_flash_ops++;
    }
    return memcmp(d, s, len) ? -1 : 0;
}

void flash_lock(void) {}

uint32_t millis(void) { return host_ms; }
void watchdog_kick(void) {}
void cpu_idle(void)
{
    host_ms++;
    if (host_idle_hook)
        host_idle_hook();
}
void delay_ms(uint32_t ms)
{
    while (ms--)
        cpu_idle();
}

uint32_t hw_random32(void)
{
    static uint32_t x = 0x9E3779B9u;
    x = x * 1664525u + 1013904223u;
    return x;
}

/* ---- the fake ENC28J60 ---- */

host_frame_t host_tx[HOST_FRAMES];
unsigned host_tx_count;
static host_frame_t rxq[HOST_FRAMES];
static unsigned rx_head, rx_tail;
enc_stats_t enc_stats;
volatile bool enc_irq_pending;

void host_net_reset(void)
{
    host_tx_count = 0;
    rx_head = rx_tail = 0;
}

void host_rx_push(const uint8_t *frame, size_t len)
{
    host_frame_t *f = &rxq[rx_tail++ % HOST_FRAMES];
    memcpy(f->data, frame, len);
    f->len = len;
}

int enc_init(const uint8_t mac[6])
{
    (void)mac;
    return 0;
}

bool enc_link_up(void) { return true; }
bool enc_service(void) { return true; }
void enc_power_down(void) {}

size_t enc_receive(uint8_t *buf, size_t max)
{
    if (rx_head == rx_tail)
        return 0;
    host_frame_t *f = &rxq[rx_head++ % HOST_FRAMES];
    size_t n = f->len < max ? f->len : max;
    memcpy(buf, f->data, n);
    return n;
}

int enc_send(const uint8_t *frame, size_t len)
{
    host_frame_t *f = &host_tx[host_tx_count++ % HOST_FRAMES];
    memcpy(f->data, frame, len);
    f->len = len;
    return 0;
}

int enc_send_hw_checksum(const uint8_t *frame, size_t len, size_t start, size_t end, size_t field)
{
    (void)start;
    (void)end;
    (void)field;
    return enc_send(frame, len);
}
