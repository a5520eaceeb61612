/* Boot state records and image verification (see bootstate.h). */
#include <string.h>
#include "bootstate.h"
#include "platform.h"
#include "sim/sha256.h"

#define RECORDS_PER_SECTOR (STATE_SIZE / sizeof(boot_state_t))

static const boot_state_t *record(unsigned sector, unsigned k)
{
    return (const boot_state_t *)(uintptr_t)(STATE_ADDR(sector) + k * sizeof(boot_state_t));
}

static bool record_valid(const boot_state_t *r)
{
    return r->magic == STATE_MAGIC && r->crc == crc32_buf(r, offsetof(boot_state_t, crc)) &&
           r->active < 2 && (r->pending < 2 || r->pending == SLOT_NONE);
}

static bool record_blank(const boot_state_t *r)
{
    const uint32_t *w = (const uint32_t *)r;
    for (unsigned k = 0; k < sizeof *r / 4; k++)
        if (w[k] != 0xFFFFFFFFu)
            return false;
    return true;
}

/* Newest valid record: its sector and index. */
static bool find_newest(unsigned *sector, unsigned *index)
{
    bool found = false;
    uint32_t best = 0;
    for (unsigned s = 0; s < 2; s++)
        for (unsigned k = 0; k < RECORDS_PER_SECTOR; k++) {
            const boot_state_t *r = record(s, k);
            if (record_blank(r))
                break;
            if (record_valid(r) && (!found || (int32_t)(r->seq - best) > 0)) {
                found = true;
                best = r->seq;
                *sector = s;
                *index = k;
            }
        }
    return found;
}

bool state_read(boot_state_t *st)
{
    unsigned s, k;
    if (!find_newest(&s, &k))
        return false;
    *st = *record(s, k);
    return true;
}

int state_write(boot_state_t *st)
{
    unsigned s = 0, k = 0;
    bool have = find_newest(&s, &k);
    st->magic = STATE_MAGIC;
    st->seq = have ? record(s, k)->seq + 1 : 1;
    st->crc = crc32_buf(st, offsetof(boot_state_t, crc));
    /* the first blank slot after the newest record, in its sector */
    unsigned slot = have ? k + 1 : 0;
    while (have && slot < RECORDS_PER_SECTOR && !record_blank(record(s, slot)))
        slot++;
    if (!have || slot >= RECORDS_PER_SECTOR) {
        /* start over in the other sector; the newest record stays in this one until then */
        unsigned other = have ? s ^ 1u : 0;
        if (!have || !record_blank(record(other, 0))) {
            if (flash_erase_sector(STATE_SECTOR(other)))
                return -1;
        }
        s = other;
        slot = 0;
    }
    int r = flash_program(STATE_ADDR(s) + slot * sizeof(boot_state_t), st, sizeof *st);
    flash_lock();
    return r;
}

const image_header_t *image_header(unsigned slot)
{
    return (const image_header_t *)(uintptr_t)SLOT_ADDR(slot);
}

bool image_valid(unsigned slot, image_header_t *out)
{
    const image_header_t *h = image_header(slot);
    if (h->magic != IMAGE_MAGIC || h->header_size != HEADER_SIZE ||
        h->load_addr != SLOT_ADDR(slot) || h->image_size < 8 ||
        h->image_size > SLOT_SIZE - HEADER_SIZE)
        return false;
    uint8_t digest[32];
    sha256_t c;
    sha256_init(&c);
    sha256_update(&c, (const uint8_t *)h + HEADER_SIZE, h->image_size);
    sha256_final(&c, digest);
    if (memcmp(digest, h->sha256, 32))
        return false;
    if (out)
        *out = *h;
    return true;
}
