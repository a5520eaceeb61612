/*
 * Flash layout of the reference firmware on the STM32F407 (1 MiB, sectors
 * 0-3 of 16 KiB, 4 of 64 KiB, 5-11 of 128 KiB), the image header and the
 * boot state record. firmware/README.md describes the same layout.
 */
#ifndef FW_LAYOUT_H
#define FW_LAYOUT_H

#include <stdint.h>

#define BOOT_ADDR        0x08000000u   /* sectors 0-1: bootloader */
#define STATE_ADDR(n)    (0x08008000u + (uint32_t)(n) * 0x4000u)  /* sectors 2 and 3 */
#define STATE_SECTOR(n)  (2u + (unsigned)(n))
#define STATE_SIZE       0x4000u
#define SLOT_ADDR(s)     (0x08020000u + (uint32_t)(s) * 0x40000u) /* A: sectors 5-6, B: 7-8 */
#define SLOT_SIZE        0x40000u
#define SLOT_FIRST_SECTOR(s) (5u + 2u * (unsigned)(s))
#define SLOT_SECTORS     2u
#define SLOT_NONE        0xFFu
#define HEADER_SIZE      0x200u        /* the vector table follows, 512-byte aligned */

#define IMAGE_MAGIC      0x31494247u   /* "GBI1" */

typedef struct image_header {
    uint32_t magic;
    uint32_t header_size;     /* HEADER_SIZE */
    uint32_t version;
    uint32_t image_size;      /* bytes after the header */
    uint32_t load_addr;       /* slot address the image is linked for */
    uint32_t flags;
    uint8_t sha256[32];       /* of the image_size bytes after the header */
    char name[32];
    uint8_t signature[64];    /* Ed25519 over the header bytes before this field
                                 (which include the SHA-256 of the payload) */
    uint8_t reserved[HEADER_SIZE - 24 - 32 - 32 - 64];
} image_header_t;

_Static_assert(sizeof(image_header_t) == HEADER_SIZE, "image header size");
#define HEADER_SIGNED_BYTES 88u   /* offsetof(image_header_t, signature) */
_Static_assert(__builtin_offsetof(image_header_t, signature) == HEADER_SIGNED_BYTES, "signed part");

#define STATE_MAGIC      0x54534247u   /* "GBST" */
#define MAX_TRIAL_BOOTS  3u   /* trial boots without confirmation before a rollback */

/* One record, appended to the state sectors; the newest valid one counts. */
typedef struct boot_state {
    uint32_t magic;
    uint32_t seq;
    uint8_t active;           /* confirmed slot: 0 = A, 1 = B */
    uint8_t pending;          /* slot on trial, SLOT_NONE if none */
    uint8_t tries;            /* trial boots started */
    uint8_t reserved0;
    uint32_t pending_version; /* version of the image on trial */
    uint32_t failed_version;  /* the last version rolled back; 0 if none */
    uint32_t reserved[2];
    uint32_t crc;             /* CRC-32 of the bytes before it */
} boot_state_t;

_Static_assert(sizeof(boot_state_t) == 32, "state record size");

#endif
