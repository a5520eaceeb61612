/* Boot state records and image verification (see bootstate.h). */
#include <string.h>
#include "bootstate.h"
#include "ed25519.h"
#include "platform.h"
#include "sim/sha256.h"

#define RECORDS_PER_SECTOR (STATE_SIZE / sizeof(boot_state_t))

static const boot_state_t *record(unsigned sector, unsigned k)
{
    return flash_ptr(STATE_ADDR(sector) + k * (uint32_t)sizeof(boot_state_t));
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
    st->reserved0 = 0;
    memset(st->reserved, 0, sizeof st->reserved);
    st->crc = crc32_buf(st, offsetof(boot_state_t, crc));
    /* the first blank slot after the newest record, in its sector */
    unsigned slot = have ? k + 1 : 0;
    while (have && slot < RECORDS_PER_SECTOR && !record_blank(record(s, slot)))
        slot++;
    if (!have || slot >= RECORDS_PER_SECTOR) {
        /* continue in the other sector; the newest record stays in this one until then */
        unsigned other = have ? s ^ 1u : 0;
        /* (with no valid record anywhere, sector 0; garbage in sector 1 never validates) */
        if (!record_blank(record(other, 0)) && flash_erase_sector(STATE_SECTOR(other))) {
            flash_lock();
            return -1;
        }
        s = other;
        slot = 0;
    }
    int r = flash_program(STATE_ADDR(s) + slot * (uint32_t)sizeof(boot_state_t), st, sizeof *st);
    flash_lock();
    return r;
}

const char *image_status_str(image_status_t s)
{
    switch (s) {
    case IMAGE_OK: return "ok";
    case IMAGE_EMPTY: return "empty";
    case IMAGE_BAD_HEADER: return "bad-header";
    case IMAGE_BAD_HASH: return "bad-hash";
    case IMAGE_BAD_SIGNATURE: return "bad-signature";
    }
    return "?";
}

image_status_t image_check(unsigned slot, image_header_t *out)
{
    const image_header_t *h = flash_ptr(SLOT_ADDR(slot));
    if (h->magic != IMAGE_MAGIC)
        return IMAGE_EMPTY;
    if (h->header_size != HEADER_SIZE || h->load_addr != SLOT_ADDR(slot) || h->image_size < 8 ||
        h->image_size > SLOT_SIZE - HEADER_SIZE)
        return IMAGE_BAD_HEADER;
    uint8_t digest[32];
    sha256_t c;
    sha256_init(&c);
    sha256_update(&c, (const uint8_t *)h + HEADER_SIZE, h->image_size);
    sha256_final(&c, digest);
    if (memcmp(digest, h->sha256, 32))
        return IMAGE_BAD_HASH;
    if (!ed25519_verify(h->signature, (const uint8_t *)h, HEADER_SIGNED_BYTES, fw_signing_pubkey))
        return IMAGE_BAD_SIGNATURE;
    if (out)
        *out = *h;
    return IMAGE_OK;
}
