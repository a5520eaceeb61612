/*
 * The boot state area and image checks shared by the bootloader and the
 * update agent. State records are appended to two flash sectors; the valid
 * record with the highest sequence number is the state. A record torn by a
 * power cut fails its CRC and the previous one stays in force; a sector is
 * only erased when the other one holds the newest record, so there is always
 * a valid state.
 */
#ifndef FW_BOOTSTATE_H
#define FW_BOOTSTATE_H

#include <stdbool.h>
#include "layout.h"

/* Reads the newest valid record; false if there is none (a fresh device). */
bool state_read(boot_state_t *st);
/* Appends a record with the next sequence number. Returns 0 or -1. */
int state_write(boot_state_t *st);
/* Header sane, linked for this slot, payload SHA-256 matches. */
bool image_valid(unsigned slot, image_header_t *out);
const image_header_t *image_header(unsigned slot);

#endif
