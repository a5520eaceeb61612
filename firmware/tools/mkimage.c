/*
 * mkimage: keys, signed images for a slot, flash files and the manifest.
 *
 *   mkimage keygen [--from TEXT] KEY [PUB.c]
 *       makes a new Ed25519 key: KEY holds the 32-byte secret seed (mode
 *       0600), KEY.pub the 32-byte public key; PUB.c, if given, defines
 *       fw_signing_pubkey for the firmware. Keeps an existing KEY.
 *   mkimage image --version N --slot a|b --key KEY [--name NAME] IN.bin OUT.img
 *       prepends the 512-byte image header (magic, version, size, load
 *       address, SHA-256 of the payload, Ed25519 signature of the header
 *       with KEY) to a binary linked for that slot.
 *   mkimage verify --slot a|b --pub KEY.pub IMG
 *       checks an image as the bootloader does (exit 0 when it would boot).
 *   mkimage flash OUT.bin FILE@ADDR...
 *       writes a 1 MiB STM32F407 flash file (erased bytes 0xFF) with each
 *       FILE placed at ADDR (0x08000000 ...).
 *   mkimage manifest OUT VERSION IMG_A@/PATH_A IMG_B@/PATH_B
 *       writes the update server's manifest: the version, and for each
 *       slot the server path and size of its image.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include "firmware/common/layout.h"
#include "sim/sha256.h"

#define FLASH_BASE 0x08000000u
#define FLASH_SIZE 0x100000u

static int usage(void)
{
    fprintf(stderr, "usage: mkimage keygen [--from TEXT] KEY [PUB.c]\n"
                    "       mkimage image --version N --slot a|b --key KEY [--name NAME] IN.bin OUT.img\n"
                    "       mkimage verify --slot a|b --pub KEY.pub IMG\n"
                    "       mkimage flash OUT.bin FILE@ADDR...\n"
                    "       mkimage manifest OUT VERSION IMG_A@/PATH_A IMG_B@/PATH_B\n");
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

/* A file of exactly n bytes (a key). */
static int read_exact(const char *path, uint8_t *out, size_t n)
{
    size_t len;
    uint8_t *data = read_file(path, &len);
    if (!data)
        return -1;
    if (len != n) {
        fprintf(stderr, "mkimage: %s: expected %zu bytes, found %zu\n", path, n, len);
        free(data);
        return -1;
    }
    memcpy(out, data, n);
    free(data);
    return 0;
}

/* Ed25519 signature of msg with the key from seed; also its public key. */
static int sign(const uint8_t seed[32], const void *msg, size_t len, uint8_t sig[64],
                uint8_t pub[32])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t sl = 64, pl = 32;
    int ok = key && md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
             (!sig || EVP_DigestSign(md, sig, &sl, msg, len) == 1) &&
             (!pub || EVP_PKEY_get_raw_public_key(key, pub, &pl) == 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    if (!ok)
        fprintf(stderr, "mkimage: Ed25519 signing failed (OpenSSL)\n");
    return ok ? 0 : -1;
}

/* keygen [--from TEXT] KEY [PUB.c]: an existing KEY is kept; otherwise a new
 * key is drawn from /dev/urandom, or with --from derived from TEXT (the
 * SHA-256 of TEXT is the private seed): a test key every machine derives
 * alike, so that every machine builds byte-identical signed images. */
static int cmd_keygen(int argc, char **argv)
{
    const char *from = NULL;
    if (argc >= 4 && !strcmp(argv[2], "--from")) {
        from = argv[3];
        argc -= 2;
        argv += 2;
    }
    if (argc != 3 && argc != 4)
        return usage();
    const char *keyfile = argv[2];
    uint8_t seed[32], pub[32];
    struct stat st;
    if (stat(keyfile, &st) == 0) {
        if (read_exact(keyfile, seed, sizeof seed))
            return 65;
    } else if (from) {
        sha256_t h;
        sha256_init(&h);
        sha256_update(&h, from, strlen(from));
        sha256_final(&h, seed);
        if (write_file(keyfile, seed, sizeof seed))
            return 73;
    } else {
        FILE *r = fopen("/dev/urandom", "rb");
        if (!r || fread(seed, 1, sizeof seed, r) != sizeof seed) {
            fprintf(stderr, "mkimage: /dev/urandom: cannot read\n");
            if (r)
                fclose(r);
            return 71;
        }
        fclose(r);
        mode_t old = umask(077);
        int w = write_file(keyfile, seed, sizeof seed);
        umask(old);
        if (w)
            return 73;
    }
    if (sign(seed, NULL, 0, NULL, pub))
        return 70;
    char pubfile[4096];
    snprintf(pubfile, sizeof pubfile, "%s.pub", keyfile);
    if (write_file(pubfile, pub, sizeof pub))
        return 73;
    if (argc == 4) {
        char text[1024];
        int n = snprintf(text, sizeof text,
                         "/* Generated by mkimage keygen from %s.pub: the key images are signed with. */\n"
                         "#include <stdint.h>\nconst uint8_t fw_signing_pubkey[32] = {", keyfile);
        for (int k = 0; k < 32; k++)
            n += snprintf(text + n, sizeof text - (size_t)n, "%s0x%02x", k ? ", " : "", pub[k]);
        n += snprintf(text + n, sizeof text - (size_t)n, " };\n");
        if (write_file(argv[3], text, (size_t)n))
            return 73;
    }
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    if (argc != 7 || strcmp(argv[2], "--slot") || strcmp(argv[4], "--pub"))
        return usage();
    int slot = !strcmp(argv[3], "a") ? 0 : !strcmp(argv[3], "b") ? 1 : -1;
    uint8_t pub[32];
    if (slot < 0)
        return usage();
    if (read_exact(argv[5], pub, sizeof pub))
        return 65;
    size_t len;
    uint8_t *img = read_file(argv[6], &len);
    if (!img)
        return 65;
    image_header_t h;
    const char *why = NULL;
    if (len < HEADER_SIZE)
        why = "shorter than the header";
    else {
        memcpy(&h, img, sizeof h);
        if (h.magic != IMAGE_MAGIC || h.header_size != HEADER_SIZE)
            why = "no image header";
        else if (h.load_addr != SLOT_ADDR(slot))
            why = "linked for the other slot";
        else if (h.image_size != len - HEADER_SIZE)
            why = "size differs from the header";
    }
    if (!why) {
        uint8_t d[32];
        sha256_t c;
        sha256_init(&c);
        sha256_update(&c, img + HEADER_SIZE, h.image_size);
        sha256_final(&c, d);
        if (memcmp(d, h.sha256, 32))
            why = "SHA-256 differs";
    }
    if (!why) {
        EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        int ok = key && md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
                 EVP_DigestVerify(md, h.signature, 64, img, HEADER_SIGNED_BYTES) == 1;
        EVP_MD_CTX_free(md);
        EVP_PKEY_free(key);
        if (!ok)
            why = "bad signature";
    }
    free(img);
    if (why) {
        fprintf(stderr, "mkimage: %s: %s\n", argv[6], why);
        return 1;
    }
    printf("%s: version %u, %u bytes, signature good\n", argv[6], h.version, h.image_size);
    return 0;
}

static int cmd_image(int argc, char **argv)
{
    unsigned long version = 0;
    int slot = -1;
    const char *name = "glitchbox-agent";
    const char *keyfile = NULL;
    int k = 2;
    for (; k + 1 < argc && argv[k][0] == '-'; k += 2) {
        if (!strcmp(argv[k], "--version"))
            version = strtoul(argv[k + 1], NULL, 0);
        else if (!strcmp(argv[k], "--slot"))
            slot = !strcmp(argv[k + 1], "a") ? 0 : !strcmp(argv[k + 1], "b") ? 1 : -2;
        else if (!strcmp(argv[k], "--name"))
            name = argv[k + 1];
        else if (!strcmp(argv[k], "--key"))
            keyfile = argv[k + 1];
        else
            return usage();
    }
    if (k + 2 != argc || slot < 0 || !version || !keyfile)
        return usage();
    uint8_t seed[32];
    if (read_exact(keyfile, seed, sizeof seed))
        return 65;
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
    if (sign(seed, &h, HEADER_SIGNED_BYTES, h.signature, NULL)) {
        free(payload);
        return 70;
    }
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
    char text[2048];
    int n = snprintf(text, sizeof text, "version %s\n", argv[3]);
    for (int k = 0; k < 2; k++) {
        char *spec = argv[4 + k], *at = strrchr(spec, '@');
        if (!at || at[1] != '/') {
            fprintf(stderr, "mkimage: '%s': expected IMAGE@/PATH\n", spec);
            return 64;
        }
        *at = 0;
        size_t len;
        uint8_t *img = read_file(spec, &len);
        if (!img)
            return 65;
        free(img);
        n += snprintf(text + n, sizeof text - (size_t)n, "image-%c %s\nsize-%c %zu\n", 'a' + k, at + 1,
                      'a' + k, len);
    }
    return write_file(argv[2], text, (size_t)n) ? 73 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (!strcmp(argv[1], "keygen"))
        return cmd_keygen(argc, argv);
    if (!strcmp(argv[1], "verify"))
        return cmd_verify(argc, argv);
    if (!strcmp(argv[1], "image"))
        return cmd_image(argc, argv);
    if (!strcmp(argv[1], "flash"))
        return cmd_flash(argc, argv);
    if (!strcmp(argv[1], "manifest"))
        return cmd_manifest(argc, argv);
    return usage();
}
