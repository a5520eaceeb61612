/*
 * mkimage: packs the update agent for a slot, and composes flash files.
 *
 *   mkimage image --version N --slot a|b [--name NAME] IN.bin OUT.img
 *       prepends the 512-byte image header (magic, version, size, load
 *       address, SHA-256 of the payload) to a binary linked for that slot.
 *   mkimage flash OUT.bin FILE@ADDR...
 *       writes a 1 MiB STM32F407 flash file (erased bytes 0xFF) with each
 *       FILE placed at ADDR (0x08000000 ...).
 *   mkimage manifest OUT VERSION PATH_A PATH_B
 *       writes the update server's manifest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware/common/layout.h"
#include "sim/sha256.h"

#define FLASH_BASE 0x08000000u
#define FLASH_SIZE 0x100000u

static int usage(void)
{
    fprintf(stderr, "usage: mkimage image --version N --slot a|b [--name NAME] IN.bin OUT.img\n"
                    "       mkimage flash OUT.bin FILE@ADDR...\n"
                    "       mkimage manifest OUT VERSION PATH_A PATH_B\n");
    return 64;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "mkimage: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
        fprintf(stderr, "mkimage: %s: read error\n", path);
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "mkimage: %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int cmd_image(int argc, char **argv)
{
    unsigned long version = 0;
    int slot = -1;
    const char *name = "glitchbox-agent";
    int k = 2;
    for (; k + 1 < argc && argv[k][0] == '-'; k += 2) {
        if (!strcmp(argv[k], "--version"))
            version = strtoul(argv[k + 1], NULL, 0);
        else if (!strcmp(argv[k], "--slot"))
            slot = !strcmp(argv[k + 1], "a") ? 0 : !strcmp(argv[k + 1], "b") ? 1 : -2;
        else if (!strcmp(argv[k], "--name"))
            name = argv[k + 1];
        else
            return usage();
    }
    if (k + 2 != argc || slot < 0 || !version)
        return usage();
    size_t len;
    uint8_t *payload = read_file(argv[k], &len);
    if (!payload)
        return 65;
    if (len + HEADER_SIZE > SLOT_SIZE || len < 8) {
        fprintf(stderr, "mkimage: %s: %zu bytes do not fit a %u-byte slot\n", argv[k], len,
                SLOT_SIZE);
        free(payload);
        return 65;
    }
    const uint32_t *vec = (const uint32_t *)payload;
    uint32_t reset = vec[1];
    if (reset < SLOT_ADDR(slot) + HEADER_SIZE || reset >= SLOT_ADDR(slot) + SLOT_SIZE) {
        fprintf(stderr, "mkimage: %s is not linked for slot %c (reset vector %08x)\n", argv[k],
                slot ? 'b' : 'a', reset);
        free(payload);
        return 65;
    }
    image_header_t h;
    memset(&h, 0, sizeof h);
    h.magic = IMAGE_MAGIC;
    h.header_size = HEADER_SIZE;
    h.version = (uint32_t)version;
    h.image_size = (uint32_t)len;
    h.load_addr = SLOT_ADDR(slot);
    snprintf(h.name, sizeof h.name, "%s", name);
    sha256_t c;
    sha256_init(&c);
    sha256_update(&c, payload, len);
    sha256_final(&c, h.sha256);
    uint8_t *out = malloc(HEADER_SIZE + len);
    memcpy(out, &h, HEADER_SIZE);
    memcpy(out + HEADER_SIZE, payload, len);
    int r = write_file(argv[k + 1], out, HEADER_SIZE + len);
    free(out);
    free(payload);
    return r ? 73 : 0;
}

static int cmd_flash(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    uint8_t *flash = malloc(FLASH_SIZE);
    memset(flash, 0xFF, FLASH_SIZE);
    for (int k = 3; k < argc; k++) {
        char *at = strrchr(argv[k], '@');
        if (!at) {
            fprintf(stderr, "mkimage: '%s': expected FILE@ADDR\n", argv[k]);
            free(flash);
            return 64;
        }
        *at = 0;
        unsigned long addr = strtoul(at + 1, NULL, 0);
        size_t len;
        uint8_t *data = read_file(argv[k], &len);
        if (!data) {
            free(flash);
            return 65;
        }
        if (addr < FLASH_BASE || addr - FLASH_BASE + len > FLASH_SIZE) {
            fprintf(stderr, "mkimage: %s does not fit flash at %#lx\n", argv[k], addr);
            free(data);
            free(flash);
            return 65;
        }
        memcpy(flash + (addr - FLASH_BASE), data, len);
        free(data);
    }
    int r = write_file(argv[2], flash, FLASH_SIZE);
    free(flash);
    return r ? 73 : 0;
}

static int cmd_manifest(int argc, char **argv)
{
    if (argc != 6)
        return usage();
    char text[1024];
    int n = snprintf(text, sizeof text, "version %s\nimage-a %s\nimage-b %s\n", argv[3], argv[4],
                     argv[5]);
    return write_file(argv[2], text, (size_t)n) ? 73 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (!strcmp(argv[1], "image"))
        return cmd_image(argc, argv);
    if (!strcmp(argv[1], "flash"))
        return cmd_flash(argc, argv);
    if (!strcmp(argv[1], "manifest"))
        return cmd_manifest(argc, argv);
    return usage();
}
