/*
 * Firmware image loader (see loader.h). Field offsets follow the System V
 * ABI ELF32 layout; every offset and size read from the file is checked
 * against the file length before use, so a truncated or hostile file gives a
 * message, never a crash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader.h"

#define EI_NIDENT 16
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_ARM 40
#define PT_LOAD 1
#define SHT_SYMTAB 2
#define STT_OBJECT 1
#define STT_FUNC 2
#define ELF_HDR_SIZE 52
#define ELF_PHDR_SIZE 32
#define ELF_SHDR_SIZE 40
#define ELF_SYM_SIZE 16

/* Refuse images larger than any memory a Cortex-M board has. */
#define LOADER_MAX_FILE (256u << 20)

static int fail(char *err, size_t errlen, const char *fmt, ...) SIM_PRINTF(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int add_segment(loader_image_t *img, uint32_t addr, uint32_t size, const char *origin,
                       char *err, size_t errlen)
{
    if (!size)
        return 0;
    /* Intel HEX records arrive in small pieces: merge contiguous ones. */
    if (img->nsegments) {
        loader_segment_t *last = &img->segments[img->nsegments - 1];
        if (last->addr + last->size == addr) {
            last->size += size;
            return 0;
        }
    }
    if (img->nsegments == LOADER_MAX_SEGMENTS)
        return fail(err, errlen, "%s: more than %d separate load regions", origin,
                    LOADER_MAX_SEGMENTS);
    img->segments[img->nsegments].addr = addr;
    img->segments[img->nsegments].size = size;
    img->nsegments++;
    return 0;
}

static int place(bus_t *bus, uint32_t addr, const uint8_t *data, uint32_t size,
                 const char *origin, const char *what, char *err, size_t errlen)
{
    if ((uint64_t)addr + size > 0x100000000ull)
        return fail(err, errlen, "%s: %s at 0x%08x (%u bytes) runs past the end of the "
                    "address space", origin, what, addr, size);
    size_t done = bus_debug_write(bus, addr, data, size);
    if (done != size)
        return fail(err, errlen, "%s: %s at 0x%08x (%u bytes): address 0x%08x is not "
                    "memory on this board", origin, what, addr, size, addr + (uint32_t)done);
    return 0;
}

static int zero_fill(bus_t *bus, uint32_t addr, uint32_t size, const char *origin,
                     const char *what, char *err, size_t errlen)
{
    static const uint8_t zeros[4096];
    while (size) {
        uint32_t n = size < sizeof zeros ? size : (uint32_t)sizeof zeros;
        if (place(bus, addr, zeros, n, origin, what, err, errlen))
            return -1;
        addr += n;
        size -= n;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* ELF32 */

static int sym_cmp(const void *a, const void *b)
{
    const loader_symbol_t *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Symbols are a convenience: a malformed symbol table is skipped, not fatal. */
static void elf_read_symbols(const uint8_t *d, size_t len, uint32_t shoff, unsigned shnum,
                             loader_image_t *img)
{
    for (unsigned s = 0; s < shnum; s++) {
        const uint8_t *sh = d + shoff + (size_t)s * ELF_SHDR_SIZE;
        if (rd_le32(sh + 4) != SHT_SYMTAB)
            continue;
        uint32_t off = rd_le32(sh + 16), size = rd_le32(sh + 20), link = rd_le32(sh + 24);
        if (link >= shnum || (uint64_t)off + size > len)
            return;
        const uint8_t *strh = d + shoff + (size_t)link * ELF_SHDR_SIZE;
        uint32_t stroff = rd_le32(strh + 16), strsize = rd_le32(strh + 20);
        if ((uint64_t)stroff + strsize > len || !strsize)
            return;
        size_t n = size / ELF_SYM_SIZE, kept = 0;
        loader_symbol_t *syms = calloc(n ? n : 1, sizeof *syms);
        if (!syms)
            return;
        for (size_t k = 0; k < n; k++) {
            const uint8_t *e = d + off + k * ELF_SYM_SIZE;
            uint32_t name = rd_le32(e), value = rd_le32(e + 4), ssize = rd_le32(e + 8);
            unsigned type = e[12] & 0xF;
            uint16_t shndx = rd_le16(e + 14);
            if ((type != STT_FUNC && type != STT_OBJECT) || !shndx || name >= strsize)
                continue;
            const char *nm = (const char *)d + stroff + name;
            size_t nlen = strnlen(nm, strsize - name);
            if (nlen == strsize - name || !nlen)
                continue;
            syms[kept].name = strndup(nm, nlen);
            if (!syms[kept].name)
                break;
            syms[kept].value = type == STT_FUNC ? value & ~1u : value;
            syms[kept].size = ssize;
            syms[kept].is_func = type == STT_FUNC;
            kept++;
        }
        qsort(syms, kept, sizeof *syms, sym_cmp);
        img->symbols = syms;
        img->nsymbols = kept;
        return;
    }
}

static int load_elf(bus_t *bus, const uint8_t *d, size_t len, const char *origin,
                    loader_image_t *img, char *err, size_t errlen)
{
    if (len < ELF_HDR_SIZE)
        return fail(err, errlen, "%s: truncated ELF header (%zu bytes)", origin, len);
    if (d[4] != ELFCLASS32)
        return fail(err, errlen, "%s: not a 32-bit ELF file (class %u); a Cortex-M image is "
                    "ELF32", origin, d[4]);
    if (d[5] != ELFDATA2LSB)
        return fail(err, errlen, "%s: big-endian ELF; this CPU is little-endian", origin);
    uint16_t type = rd_le16(d + 16), machine = rd_le16(d + 18);
    if (machine != EM_ARM)
        return fail(err, errlen, "%s: ELF for machine %u, not ARM (40): wrong toolchain?",
                    origin, machine);
    if (type != ET_EXEC)
        return fail(err, errlen, "%s: ELF type %u is not an executable (relocatable object or "
                    "shared library?)", origin, type);
    uint32_t entry = rd_le32(d + 24), phoff = rd_le32(d + 28), shoff = rd_le32(d + 32);
    uint16_t phentsize = rd_le16(d + 42), phnum = rd_le16(d + 44);
    uint16_t shentsize = rd_le16(d + 46), shnum = rd_le16(d + 48);
    if (phnum == 0)
        return fail(err, errlen, "%s: ELF has no program headers", origin);
    if (phentsize != ELF_PHDR_SIZE)
        return fail(err, errlen, "%s: ELF program header size %u, expected %d", origin,
                    phentsize, ELF_PHDR_SIZE);
    if ((uint64_t)phoff + (uint64_t)phnum * ELF_PHDR_SIZE > len)
        return fail(err, errlen, "%s: ELF program headers (offset 0x%x, %u entries) run past "
                    "the end of the file", origin, phoff, phnum);
    unsigned loaded = 0;
    for (unsigned p = 0; p < phnum; p++) {
        const uint8_t *ph = d + phoff + (size_t)p * ELF_PHDR_SIZE;
        if (rd_le32(ph) != PT_LOAD)
            continue;
        uint32_t off = rd_le32(ph + 4), paddr = rd_le32(ph + 12);
        uint32_t filesz = rd_le32(ph + 16), memsz = rd_le32(ph + 20);
        if (!memsz)
            continue;
        if (filesz > memsz)
            return fail(err, errlen, "%s: segment %u: file size %u exceeds memory size %u",
                        origin, p, filesz, memsz);
        if ((uint64_t)off + filesz > len)
            return fail(err, errlen, "%s: segment %u: data (offset 0x%x, %u bytes) runs past "
                        "the end of the file (%zu bytes): truncated?", origin, p, off, filesz,
                        len);
        char what[32];
        snprintf(what, sizeof what, "segment %u", p);
        if (place(bus, paddr, d + off, filesz, origin, what, err, errlen) ||
            zero_fill(bus, paddr + filesz, memsz - filesz, origin, what, err, errlen) ||
            add_segment(img, paddr, memsz, origin, err, errlen))
            return -1;
        loaded++;
    }
    if (!loaded)
        return fail(err, errlen, "%s: ELF has no loadable segment", origin);
    img->has_entry = true;
    img->entry = entry;
    if (shnum && shentsize == ELF_SHDR_SIZE && (uint64_t)shoff + (uint64_t)shnum * ELF_SHDR_SIZE <= len)
        elf_read_symbols(d, len, shoff, shnum, img);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Intel HEX */

static int load_ihex(bus_t *bus, const uint8_t *d, size_t len, const char *origin,
                     loader_image_t *img, char *err, size_t errlen)
{
    uint32_t upper = 0;
    bool seen_eof = false;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && d[end] != '\n')
            end++;
        line++;
        size_t stop = end;
        while (stop > pos && (d[stop - 1] == '\r' || d[stop - 1] == ' ' || d[stop - 1] == '\t'))
            stop--;
        size_t start = pos;
        pos = end + 1;
        if (stop == start)
            continue;
        if (seen_eof)
            return fail(err, errlen, "%s:%u: data after the end-of-file record", origin, line);
        if (d[start] != ':')
            return fail(err, errlen, "%s:%u: a record must start with ':'", origin, line);
        size_t nhex = stop - start - 1;
        if (nhex % 2 || nhex < 10)
            return fail(err, errlen, "%s:%u: malformed record (odd or too few hex digits)",
                        origin, line);
        uint8_t rec[262];
        size_t nbytes = nhex / 2;
        if (nbytes > sizeof rec)
            return fail(err, errlen, "%s:%u: record too long", origin, line);
        for (size_t k = 0; k < nbytes; k++) {
            int hi = hex_digit(d[start + 1 + 2 * k]), lo = hex_digit(d[start + 2 + 2 * k]);
            if (hi < 0 || lo < 0)
                return fail(err, errlen, "%s:%u: column %zu: not a hex digit", origin, line,
                            (size_t)(hi < 0 ? 2 + 2 * k : 3 + 2 * k));
            rec[k] = (uint8_t)(hi << 4 | lo);
        }
        unsigned count = rec[0];
        if (nbytes != count + 5u)
            return fail(err, errlen, "%s:%u: byte count %u does not match the record length",
                        origin, line, count);
        uint8_t sum = 0;
        for (size_t k = 0; k < nbytes; k++)
            sum = (uint8_t)(sum + rec[k]);
        if (sum)
            return fail(err, errlen, "%s:%u: checksum mismatch", origin, line);
        uint16_t off = (uint16_t)(rec[1] << 8 | rec[2]);
        const uint8_t *data = rec + 4;
        switch (rec[3]) {
        case 0x00: {
            uint32_t addr = upper + off;
            char what[32];
            snprintf(what, sizeof what, "line %u", line);
            if (place(bus, addr, data, count, origin, what, err, errlen) ||
                add_segment(img, addr, count, origin, err, errlen))
                return -1;
            break;
        }
        case 0x01:
            seen_eof = true;
            break;
        case 0x02:
            if (count != 2)
                return fail(err, errlen, "%s:%u: segment address record needs 2 bytes", origin,
                            line);
            upper = (uint32_t)(data[0] << 8 | data[1]) << 4;
            break;
        case 0x03:
            if (count != 4)
                return fail(err, errlen, "%s:%u: start segment record needs 4 bytes", origin,
                            line);
            img->has_entry = true;
            img->entry = ((uint32_t)(data[0] << 8 | data[1]) << 4) + (uint32_t)(data[2] << 8 | data[3]);
            break;
        case 0x04:
            if (count != 2)
                return fail(err, errlen, "%s:%u: linear address record needs 2 bytes", origin,
                            line);
            upper = (uint32_t)(data[0] << 8 | data[1]) << 16;
            break;
        case 0x05:
            if (count != 4)
                return fail(err, errlen, "%s:%u: start linear record needs 4 bytes", origin,
                            line);
            img->has_entry = true;
            img->entry = rd_be32(data);
            break;
        default:
            return fail(err, errlen, "%s:%u: unknown record type %02x", origin, line, rec[3]);
        }
    }
    if (!seen_eof)
        return fail(err, errlen, "%s: no end-of-file record (truncated?)", origin);
    return 0;
}

static bool looks_like_ihex(const uint8_t *d, size_t len)
{
    if (!len || d[0] != ':')
        return false;
    for (size_t k = 1; k < len && k < 64; k++) {
        if (d[k] == '\r' || d[k] == '\n')
            return true;
        if (hex_digit(d[k]) < 0)
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------------- */

int loader_load_buffer(bus_t *bus, const uint8_t *data, size_t len, const char *origin,
                       const loader_opts_t *opts, loader_image_t *img, char *err,
                       size_t errlen)
{
    memset(img, 0, sizeof *img);
    loader_fmt_t fmt = opts ? opts->format : LOADER_FMT_AUTO;
    bool is_elf = len >= 4 && data[0] == 0x7F && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
    if (fmt == LOADER_FMT_AUTO)
        fmt = is_elf ? LOADER_FMT_ELF : looks_like_ihex(data, len) ? LOADER_FMT_IHEX
                                                                    : LOADER_FMT_BIN;
    img->format = fmt;
    int rc;
    switch (fmt) {
    case LOADER_FMT_ELF:
        if (!is_elf)
            return fail(err, errlen, "%s: not an ELF file (bad magic)", origin);
        rc = load_elf(bus, data, len, origin, img, err, errlen);
        break;
    case LOADER_FMT_IHEX:
        rc = load_ihex(bus, data, len, origin, img, err, errlen);
        break;
    default:
        if (!len)
            return fail(err, errlen, "%s: empty file", origin);
        if (len > 0xFFFFFFFFu)
            return fail(err, errlen, "%s: file too large", origin);
        rc = place(bus, opts ? opts->bin_base : 0, data, (uint32_t)len, origin, "binary image",
                   err, errlen);
        if (!rc)
            rc = add_segment(img, opts ? opts->bin_base : 0, (uint32_t)len, origin, err, errlen);
        break;
    }
    if (rc)
        loader_image_free(img);
    return rc;
}

int loader_load_file(bus_t *bus, const char *path, const loader_opts_t *opts,
                     loader_image_t *img, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= LOADER_MAX_FILE) {
                fclose(f);
                free(buf);
                return fail(err, errlen, "%s: larger than %u MiB: not a firmware image", path,
                            LOADER_MAX_FILE >> 20);
            }
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                fclose(f);
                free(buf);
                return fail(err, errlen, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    bool rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        return fail(err, errlen, "%s: read error", path);
    }
    int rc = loader_load_buffer(bus, buf, len, path, opts, img, err, errlen);
    free(buf);
    return rc;
}

void loader_image_free(loader_image_t *img)
{
    for (size_t k = 0; k < img->nsymbols; k++)
        free(img->symbols[k].name);
    free(img->symbols);
    img->symbols = NULL;
    img->nsymbols = 0;
}

const loader_symbol_t *loader_find_symbol(const loader_image_t *img, const char *name)
{
    for (size_t k = 0; k < img->nsymbols; k++)
        if (!strcmp(img->symbols[k].name, name))
            return &img->symbols[k];
    return NULL;
}

const loader_symbol_t *loader_symbol_at(const loader_image_t *img, uint32_t addr)
{
    size_t lo = 0, hi = img->nsymbols;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (img->symbols[mid].value <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0) {
        const loader_symbol_t *s = &img->symbols[--lo];
        if (addr < s->value + (s->size ? s->size : 1))
            return s;
        if (s->size)
            break;
    }
    return NULL;
}
