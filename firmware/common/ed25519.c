/*
 * Ed25519 verification over edwards25519 (RFC 8032, RFC 7748 for the field).
 *
 * Field elements of GF(2^255 - 19) are 16 signed 64-bit limbs of 16 bits
 * each (radix 2^16): products of two reduced limbs fit 32 bits and a full
 * schoolbook product fits 64 bits with room for the 38 = 2 * 19 fold, so no
 * intermediate carries are needed. Points are in extended coordinates
 * (X : Y : Z : T) with x = X/Z, y = Y/Z, xy = T/Z, added with the unified
 * formula of Hisil, Wong, Carter and Dawson (2008) for a = -1, which also
 * doubles; doubling has its own cheaper formula (dbl-2008-hwcd).
 * [s]B - [k]A is computed in one pass (Straus/Shamir).
 *
 * Cost on the Cortex-M4: the limbs of a product's operands fit 32 bits, so
 * each of the 256 partial products is one SMLAL into a register pair.
 */
#include <string.h>
#include "ed25519.h"
#include "sha512.h"

typedef int64_t fe[16];
typedef struct point {
    fe x, y, z, t;
} point_t;

static void fe_copy(fe o, const fe a) { memcpy(o, a, sizeof(fe)); }

static void fe_set(fe o, int64_t v)
{
    memset(o, 0, sizeof(fe));
    o[0] = v;
}

/* Brings every limb into [0, 2^16) except for a small excess in limb 0;
 * a carry out of limb 15 (weight 2^256) folds back as 38. */
static void fe_carry(fe o)
{
    for (int i = 0; i < 16; i++) {
        int64_t c = o[i] >> 16;   /* arithmetic shift: floor division */
        o[i] -= c * 65536;
        if (i < 15)
            o[i + 1] += c;
        else
            o[0] += 38 * c;
    }
}

/* After a product: limbs up to 2^50 in magnitude. One full pass leaves
 * limbs 1..15 in [0, 2^16) and limb 0 up to 2^40 (the 38 fold); carrying
 * limb 0 into 1 and 1 into 2 then bounds every limb by 2^17, all that the
 * next product needs (fe_tobytes normalises fully). */
static void fe_carry_product(fe o)
{
    for (int i = 0; i < 15; i++) {
        o[i + 1] += o[i] >> 16;
        o[i] &= 0xffff;
    }
    int64_t c = o[15] >> 16;
    o[15] &= 0xffff;
    o[0] += 38 * c;
    o[1] += o[0] >> 16;
    o[0] &= 0xffff;
    o[2] += o[1] >> 16;
    o[1] &= 0xffff;
}

static void fe_add(fe o, const fe a, const fe b)
{
    for (int i = 0; i < 16; i++)
        o[i] = a[i] + b[i];
}

static void fe_sub(fe o, const fe a, const fe b)
{
    for (int i = 0; i < 16; i++)
        o[i] = a[i] - b[i];
}

static void fe_neg_into(fe o)
{
    for (int i = 0; i < 16; i++)
        o[i] = -o[i];
}

/* The operands' limbs are below 2^20 in magnitude (carried limbs plus a few
 * additions), so they are multiplied as 32-bit values, and the fold of
 * 2^256 = 38 (mod p) is applied to one operand first: output limb k is
 * sum_i x[i] * Y[16 + k - i], where Y[16 + j] = y[j] and Y[j] = 38 y[j].
 * Every limb is then exactly 16 products, a loop the compiler unrolls. */
static void fe_mul(fe o, const fe a, const fe b)
{
    int32_t x[16], y[32];
    for (int i = 0; i < 16; i++) {
        x[i] = (int32_t)a[i];
        y[16 + i] = (int32_t)b[i];
        y[i] = 38 * (int32_t)b[i];
    }
    for (int k = 0; k < 16; k++) {
        int64_t acc = 0;
        const int32_t *yk = y + 16 + k;
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            acc += (int64_t)x[i] * yk[-i];
        o[k] = acc;
    }
    fe_carry_product(o);
}

/* A square needs only the products x[i] x[j] with i <= j (136 of 256): the
 * off-diagonal ones count twice; the fold by 38 as in fe_mul. */
static void fe_sq(fe o, const fe a)
{
    int32_t x[16], x2[16], x38[16], x76[16];
    for (int i = 0; i < 16; i++) {
        x[i] = (int32_t)a[i];
        x2[i] = 2 * x[i];
        x38[i] = 38 * x[i];
        x76[i] = 76 * x[i];
    }
    for (int k = 0; k < 16; k++) {
        int64_t acc = 0;
        /* i + j = k, i < j */
        for (int i = 0; 2 * i < k; i++)
            acc += (int64_t)x2[i] * x[k - i];
        /* i + j = k + 16 (weight 2^256 = 38), i < j <= 15 */
        for (int i = k + 1; 2 * i < k + 16; i++)
            acc += (int64_t)x76[i] * x[k + 16 - i];
        if (!(k & 1)) {
            acc += (int64_t)x[k / 2] * x[k / 2];
            acc += (int64_t)x38[k / 2 + 8] * x[k / 2 + 8];
        }
        o[k] = acc;
    }
    fe_carry_product(o);
}

/* The canonical little-endian encoding (value reduced below p). */
static void fe_tobytes(uint8_t out[32], const fe a)
{
    fe t;
    fe_copy(t, a);
    fe_carry(t);
    fe_carry(t);
    fe_carry(t);
    /* now 0 <= t < 2^256; subtracting p at most twice makes it canonical */
    for (int pass = 0; pass < 2; pass++) {
        fe m;
        m[0] = t[0] - 0xffed;
        for (int i = 1; i < 15; i++) {
            m[i] = t[i] - 0xffff - ((m[i - 1] >> 16) & 1);
            m[i - 1] &= 0xffff;
        }
        m[15] = t[15] - 0x7fff - ((m[14] >> 16) & 1);
        m[14] &= 0xffff;
        bool borrow = (m[15] >> 16) & 1;
        if (!borrow)
            fe_copy(t, m);
    }
    for (int i = 0; i < 16; i++) {
        out[2 * i] = (uint8_t)t[i];
        out[2 * i + 1] = (uint8_t)(t[i] >> 8);
    }
}

/* Ignores bit 255 (the sign of x in a point encoding). */
static void fe_frombytes(fe o, const uint8_t in[32])
{
    for (int i = 0; i < 16; i++)
        o[i] = in[2 * i] | (int64_t)in[2 * i + 1] << 8;
    o[15] &= 0x7fff;
}

static bool fe_equal(const fe a, const fe b)
{
    uint8_t x[32], y[32];
    fe_tobytes(x, a);
    fe_tobytes(y, b);
    return !memcmp(x, y, 32);
}

static bool fe_is_odd(const fe a)
{
    uint8_t x[32];
    fe_tobytes(x, a);
    return x[0] & 1;
}

/* a^e for an exponent given as 255 bits, most significant first, by the
 * rule "bit i of e is 1 unless i is in 'zeros'": the two exponents used are
 * p - 2 (inversion) and (p - 5) / 8 (square roots), both almost all ones. */
static void fe_pow_mostly_ones(fe o, const fe a, int top, int zero1, int zero2)
{
    fe c;
    fe_copy(c, a);
    for (int i = top - 1; i >= 0; i--) {
        fe_sq(c, c);
        if (i != zero1 && i != zero2)
            fe_mul(c, c, a);
    }
    fe_copy(o, c);
}

/* p - 2 = 2^255 - 21: bits 254..0 set except bits 4 and 2. */
static void fe_invert(fe o, const fe a) { fe_pow_mostly_ones(o, a, 254, 4, 2); }

/* (p - 5) / 8 = 2^252 - 3: bits 251..0 set except bit 1. */
static void fe_pow2523(fe o, const fe a) { fe_pow_mostly_ones(o, a, 251, 1, -1); }

/* Curve constants, as carried limbs: d = -121665/121666, 2d, sqrt(-1) =
 * 2^((p-1)/4), and the base point B (y = 4/5, x even, T = xy). */
static const fe curve_d = { 0x78a3, 0x1359, 0x4dca, 0x75eb, 0xd8ab, 0x4141, 0x0a4d, 0x0070,
                            0xe898, 0x7779, 0x4079, 0x8cc7, 0xfe73, 0x2b6f, 0x6cee, 0x5203 };
static const fe curve_d2 = { 0xf159, 0x26b2, 0x9b94, 0xebd6, 0xb156, 0x8283, 0x149a, 0x00e0,
                             0xd130, 0xeef3, 0x80f2, 0x198e, 0xfce7, 0x56df, 0xd9dc, 0x2406 };
static const fe sqrt_m1 = { 0xa0b0, 0x4a0e, 0x1b27, 0xc4ee, 0xe478, 0xad2f, 0x1806, 0x2f43,
                            0xd7a7, 0x3dfb, 0x0099, 0x2b4d, 0xdf0b, 0x4fc1, 0x2480, 0x2b83 };
static const point_t base_point = {
    .x = { 0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525, 0xc760, 0x692c,
           0xdc5c, 0xfdd6, 0xe231, 0xc0a4, 0x53fe, 0xcd6e, 0x36d3, 0x2169 },
    .y = { 0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666,
           0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666 },
    .z = { 1 },
    .t = { 0xdda3, 0xa5b7, 0x8ab3, 0x6dde, 0x52f5, 0x7751, 0x9f80, 0x20f0,
           0xe37d, 0x64ab, 0x4e8e, 0x66ea, 0x7665, 0xd78b, 0x5f0f, 0x6787 },
};

static void point_identity(point_t *p)
{
    fe_set(p->x, 0);
    fe_set(p->y, 1);
    fe_set(p->z, 1);
    fe_set(p->t, 0);
}

/* o = p + q (also correct for p == q and for the identity). */
static void point_add(point_t *o, const point_t *p, const point_t *q)
{
    fe a, b, c, d, e, f, g, h, t;
    fe_sub(a, p->y, p->x);
    fe_sub(t, q->y, q->x);
    fe_mul(a, a, t);
    fe_add(b, p->y, p->x);
    fe_add(t, q->y, q->x);
    fe_mul(b, b, t);
    fe_mul(c, p->t, q->t);
    fe_mul(c, c, curve_d2);
    fe_mul(d, p->z, q->z);
    fe_add(d, d, d);
    fe_sub(e, b, a);
    fe_sub(f, d, c);
    fe_add(g, d, c);
    fe_add(h, b, a);
    fe_mul(o->x, e, f);
    fe_mul(o->y, g, h);
    fe_mul(o->t, e, h);
    fe_mul(o->z, f, g);
}

/* o = 2p, for a = -1: 4 squarings and 4 multiplications. */
static void point_double(point_t *o, const point_t *p)
{
    fe a, b, c, e, g, f, h;
    fe_sq(a, p->x);
    fe_sq(b, p->y);
    fe_sq(c, p->z);
    fe_add(c, c, c);
    fe_add(e, p->x, p->y);
    fe_sq(e, e);
    fe_sub(e, e, a);
    fe_sub(e, e, b);       /* E = 2xy */
    fe_sub(g, b, a);       /* G = D + B with D = -A */
    fe_sub(f, g, c);       /* F = G - C */
    fe_add(h, a, b);
    fe_neg_into(h);        /* H = D - B = -(A + B) */
    fe_mul(o->x, e, f);
    fe_mul(o->y, g, h);
    fe_mul(o->t, e, h);
    fe_mul(o->z, f, g);
}

static void point_neg(point_t *o, const point_t *p)
{
    fe zero;
    fe_set(zero, 0);
    fe_sub(o->x, zero, p->x);
    fe_copy(o->y, p->y);
    fe_copy(o->z, p->z);
    fe_sub(o->t, zero, p->t);
}

static void point_encode(uint8_t out[32], const point_t *p)
{
    fe zi, x, y;
    fe_invert(zi, p->z);
    fe_mul(x, p->x, zi);
    fe_mul(y, p->y, zi);
    fe_tobytes(out, y);
    out[31] |= (uint8_t)(fe_is_odd(x) << 7);
}

/* RFC 8032 section 5.1.3. */
static bool point_decode(point_t *p, const uint8_t in[32])
{
    fe y, u, v, v3, x, chk, one;
    fe_frombytes(y, in);
    uint8_t canon[32];
    fe_tobytes(canon, y);
    canon[31] |= in[31] & 0x80;
    if (memcmp(canon, in, 32))
        return false;                   /* y >= p */
    fe_set(one, 1);
    fe_sq(u, y);
    fe_mul(v, u, curve_d);
    fe_sub(u, u, one);                  /* u = y^2 - 1 */
    fe_add(v, v, one);                  /* v = d y^2 + 1 */
    fe_sq(v3, v);
    fe_mul(v3, v3, v);                  /* v^3 */
    fe_sq(x, v3);
    fe_mul(x, x, v);
    fe_mul(x, x, u);                    /* u v^7 */
    fe_pow2523(x, x);
    fe_mul(x, x, v3);
    fe_mul(x, x, u);                    /* candidate root u v^3 (u v^7)^((p-5)/8) */
    fe_sq(chk, x);
    fe_mul(chk, chk, v);
    if (!fe_equal(chk, u)) {
        fe neg_u, zero;
        fe_set(zero, 0);
        fe_sub(neg_u, zero, u);
        if (!fe_equal(chk, neg_u))
            return false;               /* not a square: no such point */
        fe_mul(x, x, sqrt_m1);
    }
    bool want_odd = (in[31] >> 7) & 1;
    fe zero;
    fe_set(zero, 0);
    if (want_odd && fe_equal(x, zero))
        return false;
    if (fe_is_odd(x) != want_odd)
        fe_sub(x, zero, x);
    fe_copy(p->x, x);
    fe_copy(p->y, y);
    fe_set(p->z, 1);
    fe_mul(p->t, x, y);
    return true;
}

/* The group order L = 2^252 + 27742317777372353535851937790883648493, little endian. */
static const uint8_t order[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10,
};

/* a < L for a 32-byte little-endian number. */
static bool below_order(const uint8_t a[32])
{
    for (int i = 31; i >= 0; i--)
        if (a[i] != order[i])
            return a[i] < order[i];
    return false;
}

/* out = in mod L for a 64-byte little-endian number, by binary long division:
 * r stays below L < 2^253, so 2r + 1 fits the 9 words. */
static void reduce_mod_order(uint8_t out[32], const uint8_t in[64])
{
    uint32_t r[9] = { 0 }, l[9] = { 0 };
    for (int i = 0; i < 32; i++)
        l[i / 4] |= (uint32_t)order[i] << (8 * (i % 4));
    for (int bit = 511; bit >= 0; bit--) {
        for (int i = 8; i > 0; i--)
            r[i] = r[i] << 1 | r[i - 1] >> 31;
        r[0] = r[0] << 1 | ((in[bit / 8] >> (bit % 8)) & 1u);
        bool ge = true;
        for (int i = 8; i >= 0; i--)
            if (r[i] != l[i]) {
                ge = r[i] > l[i];
                break;
            }
        if (ge) {
            uint64_t borrow = 0;
            for (int i = 0; i < 9; i++) {
                uint64_t d = (uint64_t)r[i] - l[i] - borrow;
                r[i] = (uint32_t)d;
                borrow = (d >> 63) & 1;
            }
        }
    }
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(r[i / 4] >> (8 * (i % 4)));
}

bool ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pub[32])
{
    const uint8_t *s = sig + 32;
    if (!below_order(s))
        return false;
    point_t a;
    if (!point_decode(&a, pub))
        return false;
    uint8_t h[64], hk[32];
    sha512_t c;
    sha512_init(&c);
    sha512_update(&c, sig, 32);
    sha512_update(&c, pub, 32);
    sha512_update(&c, msg, len);
    sha512_final(&c, h);
    reduce_mod_order(hk, h);

    /* R' = [s]B + [k](-A), scanning both scalars from the top bit */
    point_t table[4], q;
    point_identity(&table[0]);
    table[1] = base_point;
    point_neg(&table[2], &a);
    point_add(&table[3], &table[1], &table[2]);
    point_identity(&q);
    for (int bit = 255; bit >= 0; bit--) {
        point_double(&q, &q);
        unsigned sel = ((s[bit / 8] >> (bit % 8)) & 1u) | ((hk[bit / 8] >> (bit % 8)) & 1u) << 1;
        if (sel)
            point_add(&q, &q, &table[sel]);
    }
    uint8_t r[32];
    point_encode(r, &q);
    return !memcmp(r, sig, 32);
}
