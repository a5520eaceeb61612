/*
 * Firmware image loading: ELF32 (ARM, little-endian), Intel HEX and raw
 * binary, written into the board's memories through the bus debug path
 * (ROM/flash is written directly, as a programmer would).
 *
 * ELF: every PT_LOAD segment goes to its physical (load) address; bytes
 * between p_filesz and p_memsz are zeroed. Function and object symbols are
 * kept for traces and tests. Every byte of every segment must land in memory
 * the board has: a segment outside it is an error naming the segment and
 * address, and nothing about a bad file is guessed.
 */
#ifndef SIM_LOADER_H
#define SIM_LOADER_H

#include "types.h"
#include "bus.h"

typedef enum {
    LOADER_FMT_AUTO = 0,   /* ELF by magic, Intel HEX by its ':' records, else binary */
    LOADER_FMT_ELF,
    LOADER_FMT_IHEX,
    LOADER_FMT_BIN,
} loader_fmt_t;

typedef struct loader_opts {
    loader_fmt_t format;
    uint32_t bin_base;     /* load address of a raw binary */
} loader_opts_t;

typedef struct loader_segment {
    uint32_t addr;
    uint32_t size;         /* bytes written (including zero fill) */
} loader_segment_t;

typedef struct loader_symbol {
    char *name;
    uint32_t value;
    uint32_t size;
    bool is_func;
} loader_symbol_t;

#define LOADER_MAX_SEGMENTS 64

typedef struct loader_image {
    loader_fmt_t format;
    bool has_entry;
    uint32_t entry;
    unsigned nsegments;
    loader_segment_t segments[LOADER_MAX_SEGMENTS];
    loader_symbol_t *symbols;  /* sorted by value; NULL when none */
    size_t nsymbols;
} loader_image_t;

/* Load 'len' bytes of an image already in memory; 'origin' names it in errors.
 * Returns 0, or -1 with a message in err. On error 'img' holds nothing to free
 * but memory may be partly written. */
int loader_load_buffer(bus_t *bus, const uint8_t *data, size_t len, const char *origin,
                       const loader_opts_t *opts, loader_image_t *img, char *err,
                       size_t errlen);
int loader_load_file(bus_t *bus, const char *path, const loader_opts_t *opts,
                     loader_image_t *img, char *err, size_t errlen);
void loader_image_free(loader_image_t *img);
/* Symbol lookup by name (NULL if absent) and by address (containing symbol). */
const loader_symbol_t *loader_find_symbol(const loader_image_t *img, const char *name);
const loader_symbol_t *loader_symbol_at(const loader_image_t *img, uint32_t addr);

#endif
