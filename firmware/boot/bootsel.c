/*
 * Boot decision (see bootsel.h). The rules, in order:
 *  1. no state record (a new device): the active slot is A, or B if only B
 *     holds a valid image;
 *  2. a slot on trial that was already started once and came back through
 *     the watchdog, or that was started MAX_TRIAL_BOOTS times without
 *     confirming, or that no longer verifies, is rolled back: its version
 *     is remembered as failed so the agent does not fetch it again;
 *  3. otherwise a slot on trial is started, after its trial count has been
 *     written (if that write fails, the trial is not started: an uncounted
 *     trial could loop forever);
 *  4. otherwise the active slot is started if it verifies, else the other
 *     slot if it verifies (and becomes active).
 * Every image is verified (SHA-256 and Ed25519) right before it starts.
 */
#include <stdio.h>
#include "bootsel.h"

static char slot_name(unsigned s) { return s ? 'B' : 'A'; }

static void roll_back(boot_state_t *st, const char *why)
{
    printf("boot: rollback slot=%c version=%lu reason=%s, back to slot %c\n", slot_name(st->pending),
           (unsigned long)st->pending_version, why, slot_name(st->active));
    st->failed_version = st->pending_version;
    st->pending = SLOT_NONE;
    st->tries = 0;
    if (state_write(st))
        printf("boot: cannot write the boot state\n");
}

/* Each slot is verified at most once per boot (a check costs a signature verification). */
typedef struct checks {
    bool done[2];
    image_status_t status[2];
    image_header_t header[2];
} checks_t;

static image_status_t check(checks_t *c, unsigned slot, image_header_t *h)
{
    if (!c->done[slot]) {
        c->status[slot] = image_check(slot, &c->header[slot]);
        c->done[slot] = true;
    }
    *h = c->header[slot];
    return c->status[slot];
}

unsigned boot_select(bool watchdog_reset, image_header_t *h)
{
    checks_t c = { 0 };
    boot_state_t st;
    if (!state_read(&st)) {
        st.active = (check(&c, 0, h) != IMAGE_OK && check(&c, 1, h) == IMAGE_OK) ? 1 : 0;
        st.pending = SLOT_NONE;
        st.tries = 0;
        st.pending_version = 0;
        st.failed_version = 0;
        printf("boot: no boot state, slot %c is active\n", slot_name(st.active));
        if (state_write(&st))
            printf("boot: cannot write the boot state\n");
    }
    if (st.pending != SLOT_NONE) {
        image_status_t is = check(&c, st.pending, h);
        if (st.tries > 0 && watchdog_reset)
            roll_back(&st, "watchdog");
        else if (st.tries >= MAX_TRIAL_BOOTS)
            roll_back(&st, "not-confirmed");
        else if (is != IMAGE_OK)
            roll_back(&st, image_status_str(is));
        else if (st.pending == st.active)
            roll_back(&st, "bad-state");
        else {
            st.tries++;
            if (state_write(&st) == 0) {
                printf("boot: trial slot=%c version=%lu boot=%u/%u\n", slot_name(st.pending),
                       (unsigned long)h->version, st.tries, MAX_TRIAL_BOOTS);
                return st.pending;
            }
            printf("boot: cannot count the trial boot, starting the active slot\n");
        }
    }
    for (unsigned n = 0; n < 2; n++) {
        unsigned slot = n ? st.active ^ 1u : st.active;
        image_status_t is = check(&c, slot, h);
        if (is != IMAGE_OK) {
            printf("boot: slot %c not bootable (%s)\n", slot_name(slot), image_status_str(is));
            continue;
        }
        if (slot != st.active) {
            st.active = (uint8_t)slot;
            st.pending = SLOT_NONE;
            st.tries = 0;
            if (state_write(&st))
                printf("boot: cannot write the boot state\n");
        }
        printf("boot: start slot=%c version=%lu\n", slot_name(slot), (unsigned long)h->version);
        return slot;
    }
    return SLOT_NONE;
}
