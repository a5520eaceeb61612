/*
 * The firmware's hashes and signature check on the host: SHA-256 (shared
 * with the simulator, sim/sha256.c) and SHA-512 against the FIPS 180-4
 * example vectors published by NIST, Ed25519 verification against the RFC
 * 8032 section 7.1 vectors, then against signatures made by OpenSSL for
 * random keys and messages, and forgeries that must fail.
 */
#include <check.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include "ed25519.h"
#include "sha512.h"
#include "sim/sha256.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        unsigned v;
        ck_assert(sscanf(hex + 2 * k, "%2x", &v) == 1);
        out[k] = (uint8_t)v;
    }
}

static void tohex(const uint8_t *in, size_t n, char *out)
{
    for (size_t k = 0; k < n; k++)
        sprintf(out + 2 * k, "%02x", in[k]);
}

static const char msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                             "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

static const char *sha256_hex_of(const void *m, size_t n)
{
    static char hex[65];
    uint8_t d[32];
    sha256_t c;
    sha256_init(&c);
    sha256_update(&c, m, n);
    sha256_final(&c, d);
    tohex(d, 32, hex);
    return hex;
}

static const char *sha512_hex_of(const void *m, size_t n, size_t chunk)
{
    static char hex[129];
    uint8_t d[64];
    sha512_t c;
    sha512_init(&c);
    const uint8_t *p = m;
    while (n) {
        size_t k = n < chunk ? n : chunk;
        sha512_update(&c, p, k);
        p += k;
        n -= k;
    }
    sha512_final(&c, d);
    tohex(d, 64, hex);
    return hex;
}

START_TEST(sha256_nist)
{
    ck_assert_str_eq(sha256_hex_of("abc", 3),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_str_eq(sha256_hex_of("", 0),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_str_eq(sha256_hex_of(msg448, strlen(msg448)),
                     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    ck_assert_str_eq(sha256_hex_of(msg896, strlen(msg896)),
                     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    ck_assert_str_eq(sha256_hex_of(million, 1000000),
                     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}
END_TEST

START_TEST(sha512_nist)
{
    ck_assert_str_eq(sha512_hex_of("abc", 3, 3),
                     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    ck_assert_str_eq(sha512_hex_of("", 0, 1),
                     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                     "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    ck_assert_str_eq(sha512_hex_of(msg896, strlen(msg896), 7),
                     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
                     "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
    ck_assert_str_eq(sha512_hex_of(msg448, strlen(msg448), 64),
                     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
                     "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    /* in pieces that straddle the 128-byte blocks */
    ck_assert_str_eq(sha512_hex_of(million, 1000000, 1000),
                     "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                     "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
    free(million);
}
END_TEST

/* RFC 8032 section 7.1, TEST 1, 2 and 3: public key, message, signature. */
static const struct {
    const char *pub, *msg, *sig;
} rfc[] = {
    { "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
    { "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
    { "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
      "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

START_TEST(ed25519_rfc8032)
{
    for (size_t v = 0; v < sizeof rfc / sizeof rfc[0]; v++) {
        uint8_t pub[32], sig[64], msg[8];
        size_t n = strlen(rfc[v].msg) / 2;
        unhex(rfc[v].pub, pub, 32);
        unhex(rfc[v].sig, sig, 64);
        unhex(rfc[v].msg, msg, n);
        ck_assert_msg(ed25519_verify(sig, msg, n, pub), "RFC 8032 TEST %zu", v + 1);
        /* any flipped bit of signature, message or key breaks it */
        for (int bit = 0; bit < 512; bit += 37) {
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            ck_assert(!ed25519_verify(sig, msg, n, pub));
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        if (n) {
            msg[0] ^= 1;
            ck_assert(!ed25519_verify(sig, msg, n, pub));
            msg[0] ^= 1;
        }
        pub[5] ^= 0x10;
        ck_assert(!ed25519_verify(sig, msg, n, pub));
    }
}
END_TEST

/* S + L verifies in a lax implementation; RFC 8032 requires S < L. */
START_TEST(ed25519_rejects_noncanonical_s)
{
    static const uint8_t order[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        [31] = 0x10,
    };
    uint8_t pub[32], sig[64];
    unhex(rfc[0].pub, pub, 32);
    unhex(rfc[0].sig, sig, 64);
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        unsigned s = sig[32 + i] + order[i] + carry;
        sig[32 + i] = (uint8_t)s;
        carry = s >> 8;
    }
    ck_assert_uint_eq(carry, 0);
    ck_assert(!ed25519_verify(sig, NULL, 0, pub));
    /* a public key with y >= p is not an encoding */
    memset(pub, 0xff, 32);
    pub[31] = 0x7f;
    unhex(rfc[0].sig, sig, 64);
    ck_assert(!ed25519_verify(sig, NULL, 0, pub));
}
END_TEST

static void openssl_sign(const uint8_t seed[32], const uint8_t *msg, size_t n, uint8_t pub[32],
                         uint8_t sig[64])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    ck_assert_ptr_nonnull(key);
    size_t pl = 32, sl = 64;
    ck_assert(EVP_PKEY_get_raw_public_key(key, pub, &pl) == 1);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ck_assert(EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1);
    ck_assert(EVP_DigestSign(md, sig, &sl, msg, n) == 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
}

/* OpenSSL signs like the RFC: TEST 1's secret reproduces TEST 1's signature. */
START_TEST(ed25519_openssl_matches_rfc)
{
    uint8_t seed[32], pub[32], sig[64], want[64];
    unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seed, 32);
    openssl_sign(seed, NULL, 0, pub, sig);
    unhex(rfc[0].sig, want, 64);
    ck_assert_mem_eq(sig, want, 64);
}
END_TEST

START_TEST(ed25519_random_against_openssl)
{
    uint32_t x = 0x1234567u;
    for (int round = 0; round < 40; round++) {
        uint8_t seed[32], pub[32], sig[64], msg[300];
        size_t n = (size_t)(round * 7) % sizeof msg;
        for (size_t k = 0; k < 32; k++)
            seed[k] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
        for (size_t k = 0; k < n; k++)
            msg[k] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
        openssl_sign(seed, msg, n, pub, sig);
        ck_assert_msg(ed25519_verify(sig, msg, n, pub), "round %d", round);
        sig[round % 64] ^= 0x01;
        ck_assert_msg(!ed25519_verify(sig, msg, n, pub), "forged round %d", round);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fw-crypto");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sha256_nist);
    tcase_add_test(tc, sha512_nist);
    tcase_add_test(tc, ed25519_rfc8032);
    tcase_add_test(tc, ed25519_rejects_noncanonical_s);
    tcase_add_test(tc, ed25519_openssl_matches_rfc);
    tcase_add_test(tc, ed25519_random_against_openssl);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
