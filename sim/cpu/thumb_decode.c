/*
 * Thumb-2 decoder for ARMv7-M (ARM ARM v7-M, A5.2 16-bit and A5.3 32-bit
 * encodings). Decoding happens once per instruction into insn_t; the
 * register data-processing, multiply and DSP groups are decoded by
 * thumb_dsp.c and the coprocessor space by vfp.c.
 *
 * Field conventions (see the handlers in thumb_exec.c): rd/rn/rm/ra as in
 * the ARM ARM pseudo-code (for long multiplies rd = RdLo, ra = RdHi; for
 * LDRD/STRD and STREX ra = the second register); imm = imm32 or the branch
 * target; aux = handler-specific (carry of an expanded immediate, load/store
 * addressing bits, condition of B<cond>). UNPREDICTABLE register choices
 * decode as UNDEFINED, which is what a careful implementation may do and
 * what keeps guest mistakes visible.
 */
#include <string.h>
#include "thumb_internal.h"

#define BITS(x, hi, lo) (((x) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))
#define BIT(x, n) (((x) >> (n)) & 1u)

static void set(insn_t *o, insn_fn fn, unsigned op, unsigned cycles)
{
    o->fn = fn;
    o->op = (uint16_t)op;
    o->cycles = (uint8_t)cycles;
}

static void undef(insn_t *o)
{
    set(o, exec_undefined, OP_UNDEFINED, 1);
    o->flags |= INSN_END;
}

/* DecodeImmShift */
static void imm_shift(insn_t *o, unsigned type, unsigned imm5)
{
    o->shift_t = (uint8_t)type;
    o->shift_n = (uint8_t)imm5;
    if (type == SRTYPE_LSR || type == SRTYPE_ASR) {
        if (imm5 == 0)
            o->shift_n = 32;
    } else if (type == SRTYPE_ROR && imm5 == 0) {
        o->shift_t = SRTYPE_RRX;
        o->shift_n = 1;
    }
}

/* ThumbExpandImm_C: value and carry (IMM_CKEEP when the carry is unchanged) */
static uint32_t expand_imm(unsigned imm12, uint16_t *carry)
{
    unsigned imm8 = imm12 & 0xFF;
    if ((imm12 >> 10) == 0) {
        *carry = IMM_CKEEP;
        switch ((imm12 >> 8) & 3) {
        case 0: return imm8;
        case 1: return imm8 << 16 | imm8;
        case 2: return imm8 << 24 | imm8 << 8;
        default: return imm8 << 24 | imm8 << 16 | imm8 << 8 | imm8;
        }
    }
    uint32_t unrot = 0x80 | (imm12 & 0x7F);
    uint32_t v = ror32(unrot, imm12 >> 7);
    *carry = (uint16_t)(v >> 31);
    return v;
}

/* A PC write by a data-processing instruction ends the block and refills. */
static void mark_pc_write(insn_t *o, unsigned d)
{
    if (d == 15) {
        o->flags |= INSN_END;
        o->cycles += T_REFILL;
    }
}

/* ---------------------------------------------------------------------- */
/* 16-bit */

static void dp_reg16(insn_t *o, insn_fn fn, unsigned op, unsigned d, unsigned n, unsigned m,
                     bool setflags)
{
    set(o, fn, op, T_ALU);
    o->rd = (uint8_t)d;
    o->rn = (uint8_t)n;
    o->rm = (uint8_t)m;
    o->shift_t = SRTYPE_LSL;
    o->shift_n = 0;
    if (setflags)
        o->flags |= INSN_S;
}

static void dp_imm16(insn_t *o, insn_fn fn, unsigned op, unsigned d, unsigned n, uint32_t imm,
                     bool setflags)
{
    set(o, fn, op, T_ALU);
    o->rd = (uint8_t)d;
    o->rn = (uint8_t)n;
    o->imm = imm;
    o->aux = IMM_CKEEP;
    if (setflags)
        o->flags |= INSN_S;
}

static void ls16(insn_t *o, insn_fn fn, unsigned op, unsigned t, unsigned n, uint32_t imm,
                 bool load)
{
    set(o, fn, op, load ? T_LOAD : T_STORE);
    o->rd = (uint8_t)t;
    o->rn = (uint8_t)n;
    o->imm = imm;
    o->aux = LS_P | LS_U;
    o->flags |= load ? INSN_LOAD : INSN_STORE;
}

static void ls16_reg(insn_t *o, insn_fn fn, unsigned op, unsigned t, unsigned n, unsigned m,
                     bool load)
{
    ls16(o, fn, op, t, n, 0, load);
    o->rm = (uint8_t)m;
    o->aux |= LS_REG;
    o->shift_n = 0;
}

static void decode16(uint32_t pc, uint16_t hw, bool in_it, insn_t *o)
{
    bool sf = !in_it; /* 16-bit data processing sets flags outside IT blocks */
    unsigned rd = hw & 7, rn = (hw >> 3) & 7, rm = (hw >> 6) & 7;
    switch (hw >> 10) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: {
        /* shift (immediate), add, subtract, move */
        unsigned op = BITS(hw, 12, 11), imm5 = BITS(hw, 10, 6);
        if (op == 3) {
            unsigned opc = BITS(hw, 10, 9);
            if (opc == 0)
                dp_reg16(o, exec_ADD_reg, OP_ADD_reg, rd, rn, BITS(hw, 8, 6), sf);
            else if (opc == 1)
                dp_reg16(o, exec_SUB_reg, OP_SUB_reg, rd, rn, BITS(hw, 8, 6), sf);
            else if (opc == 2)
                dp_imm16(o, exec_ADD_imm, OP_ADD_imm, rd, rn, BITS(hw, 8, 6), sf);
            else
                dp_imm16(o, exec_SUB_imm, OP_SUB_imm, rd, rn, BITS(hw, 8, 6), sf);
            return;
        }
        dp_reg16(o, exec_MOV_reg, OP_MOV_reg, rd, 0, rn, sf);
        imm_shift(o, op, imm5);
        return;
    }
    case 0x08: case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x0E: case 0x0F: {
        /* MOV/CMP/ADD/SUB 8-bit immediate */
        unsigned d = BITS(hw, 10, 8), imm8 = hw & 0xFF;
        switch (BITS(hw, 12, 11)) {
        case 0: dp_imm16(o, exec_MOV_imm, OP_MOV_imm, d, 0, imm8, sf); break;
        case 1: dp_imm16(o, exec_CMP_imm, OP_CMP_imm, 0, d, imm8, true); break;
        case 2: dp_imm16(o, exec_ADD_imm, OP_ADD_imm, d, d, imm8, sf); break;
        default: dp_imm16(o, exec_SUB_imm, OP_SUB_imm, d, d, imm8, sf); break;
        }
        return;
    }
    case 0x10: {
        /* data processing (register) */
        unsigned d = rd, m = rn;
        switch (BITS(hw, 9, 6)) {
        case 0x0: dp_reg16(o, exec_AND_reg, OP_AND_reg, d, d, m, sf); break;
        case 0x1: dp_reg16(o, exec_EOR_reg, OP_EOR_reg, d, d, m, sf); break;
        case 0x2: dp_reg16(o, exec_shift_reg, OP_shift_reg, d, d, m, sf); o->shift_t = SRTYPE_LSL; break;
        case 0x3: dp_reg16(o, exec_shift_reg, OP_shift_reg, d, d, m, sf); o->shift_t = SRTYPE_LSR; break;
        case 0x4: dp_reg16(o, exec_shift_reg, OP_shift_reg, d, d, m, sf); o->shift_t = SRTYPE_ASR; break;
        case 0x5: dp_reg16(o, exec_ADC_reg, OP_ADC_reg, d, d, m, sf); break;
        case 0x6: dp_reg16(o, exec_SBC_reg, OP_SBC_reg, d, d, m, sf); break;
        case 0x7: dp_reg16(o, exec_shift_reg, OP_shift_reg, d, d, m, sf); o->shift_t = SRTYPE_ROR; break;
        case 0x8: dp_reg16(o, exec_TST_reg, OP_TST_reg, 0, d, m, true); break;
        case 0x9: dp_imm16(o, exec_RSB_imm, OP_RSB_imm, d, m, 0, sf); break;
        case 0xA: dp_reg16(o, exec_CMP_reg, OP_CMP_reg, 0, d, m, true); break;
        case 0xB: dp_reg16(o, exec_CMN_reg, OP_CMN_reg, 0, d, m, true); break;
        case 0xC: dp_reg16(o, exec_ORR_reg, OP_ORR_reg, d, d, m, sf); break;
        case 0xD: dp_reg16(o, exec_MUL, OP_MUL, d, m, d, sf); o->cycles = T_MUL; break;
        case 0xE: dp_reg16(o, exec_BIC_reg, OP_BIC_reg, d, d, m, sf); break;
        default: dp_reg16(o, exec_MVN_reg, OP_MVN_reg, d, 0, m, sf); break;
        }
        return;
    }
    case 0x11: {
        /* special data processing and branch/exchange */
        unsigned d = (BIT(hw, 7) << 3) | rd, m = BITS(hw, 6, 3);
        switch (BITS(hw, 9, 8)) {
        case 0:
            if (d == 15 && m == 15) {
                undef(o);
                return;
            }
            dp_reg16(o, exec_ADD_reg, OP_ADD_reg, d, d, m, false);
            mark_pc_write(o, d);
            return;
        case 1:
            if (d < 8 && m < 8) {
                undef(o);
                return;
            }
            dp_reg16(o, exec_CMP_reg, OP_CMP_reg, 0, d, m, true);
            return;
        case 2:
            dp_reg16(o, exec_MOV_reg, OP_MOV_reg, d, 0, m, false);
            mark_pc_write(o, d);
            return;
        default:
            if (hw & 7) {
                undef(o);
                return;
            }
            if (BIT(hw, 7)) {
                if (m == 15) {
                    undef(o);
                    return;
                }
                set(o, exec_BLX, OP_BLX, T_BRANCH);
            } else {
                set(o, exec_BX, OP_BX, T_BRANCH);
            }
            o->rm = (uint8_t)m;
            o->flags |= INSN_END;
            return;
        }
    }
    case 0x12: case 0x13: {
        /* LDR (literal) */
        set(o, exec_LDR, OP_LDR, T_LOAD);
        o->rd = (uint8_t)BITS(hw, 10, 8);
        o->imm = (hw & 0xFF) << 2;
        o->aux = LS_P | LS_U | LS_LIT;
        o->flags |= INSN_LOAD;
        return;
    }
    case 0x14: case 0x15: case 0x16: case 0x17: {
        /* load/store register offset */
        static const struct { insn_fn fn; unsigned op; bool load; } t[8] = {
            { exec_STR, OP_STR, false }, { exec_STRH, OP_STRH, false },
            { exec_STRB, OP_STRB, false }, { exec_LDRSB, OP_LDRSB, true },
            { exec_LDR, OP_LDR, true }, { exec_LDRH, OP_LDRH, true },
            { exec_LDRB, OP_LDRB, true }, { exec_LDRSH, OP_LDRSH, true },
        };
        unsigned k = BITS(hw, 11, 9);
        ls16_reg(o, t[k].fn, t[k].op, rd, rn, rm, t[k].load);
        return;
    }
    case 0x18: case 0x19: case 0x1A: case 0x1B: case 0x1C: case 0x1D: case 0x1E: case 0x1F: {
        /* STR/LDR/STRB/LDRB immediate */
        unsigned imm5 = BITS(hw, 10, 6);
        bool load = BIT(hw, 11), byte = BIT(hw, 12);
        if (byte)
            ls16(o, load ? exec_LDRB : exec_STRB, load ? OP_LDRB : OP_STRB, rd, rn, imm5, load);
        else
            ls16(o, load ? exec_LDR : exec_STR, load ? OP_LDR : OP_STR, rd, rn, imm5 << 2, load);
        return;
    }
    case 0x20: case 0x21: case 0x22: case 0x23: {
        bool load = BIT(hw, 11);
        ls16(o, load ? exec_LDRH : exec_STRH, load ? OP_LDRH : OP_STRH, rd, rn,
             BITS(hw, 10, 6) << 1, load);
        return;
    }
    case 0x24: case 0x25: case 0x26: case 0x27: {
        /* SP-relative */
        bool load = BIT(hw, 11);
        ls16(o, load ? exec_LDR : exec_STR, load ? OP_LDR : OP_STR, BITS(hw, 10, 8), 13,
             (hw & 0xFF) << 2, load);
        return;
    }
    case 0x28: case 0x29: {
        /* ADR */
        set(o, exec_ADR, OP_ADR, T_ALU);
        o->rd = (uint8_t)BITS(hw, 10, 8);
        o->imm = (hw & 0xFF) << 2;
        return;
    }
    case 0x2A: case 0x2B:
        /* ADD Rd, SP, #imm8 */
        dp_imm16(o, exec_ADD_imm, OP_ADD_imm, BITS(hw, 10, 8), 13, (hw & 0xFF) << 2, false);
        return;
    case 0x2C: case 0x2D: case 0x2E: case 0x2F: {
        /* miscellaneous 16-bit */
        unsigned op = BITS(hw, 11, 5);
        if ((op & 0x7C) == 0x00) { /* ADD SP, SP, #imm7 */
            dp_imm16(o, exec_ADD_imm, OP_ADD_imm, 13, 13, (hw & 0x7F) << 2, false);
            return;
        }
        if ((op & 0x7C) == 0x04) { /* SUB SP, SP, #imm7 */
            dp_imm16(o, exec_SUB_imm, OP_SUB_imm, 13, 13, (hw & 0x7F) << 2, false);
            return;
        }
        if ((op & 0x28) == 0x08) { /* CBZ/CBNZ */
            if (in_it) {
                undef(o);
                return;
            }
            bool nz = BIT(hw, 11);
            set(o, nz ? exec_CBNZ : exec_CBZ, nz ? OP_CBNZ : OP_CBZ, T_BRANCH);
            o->rn = (uint8_t)rd;
            o->imm = pc + 4 + ((BIT(hw, 9) << 6) | (BITS(hw, 7, 3) << 1));
            o->flags |= INSN_END;
            return;
        }
        if ((op & 0x78) == 0x10) { /* extends */
            static const struct { insn_fn fn; unsigned op; } t[4] = {
                { exec_SXTH, OP_SXTH }, { exec_SXTB, OP_SXTB },
                { exec_UXTH, OP_UXTH }, { exec_UXTB, OP_UXTB } };
            unsigned k = BITS(hw, 7, 6);
            dp_reg16(o, t[k].fn, t[k].op, rd, 15, rn, false);
            return;
        }
        if ((op & 0x70) == 0x20 || (op & 0x70) == 0x60) { /* PUSH / POP */
            bool pop = BIT(hw, 11);
            uint32_t list = hw & 0xFF;
            if (BIT(hw, 8))
                list |= pop ? 0x8000 : 0x4000;
            if (!list) {
                undef(o);
                return;
            }
            set(o, pop ? exec_LDM : exec_STMDB, pop ? OP_LDM : OP_STMDB,
                T_MULTI_BASE + (unsigned)__builtin_popcount(list));
            o->rn = 13;
            o->imm = list;
            o->aux = LS_W;
            if (pop && (list & 0x8000))
                o->flags |= INSN_END;
            return;
        }
        if (op == 0x33) { /* CPS: I -> PRIMASK, F -> FAULTMASK */
            if (in_it) {
                undef(o);
                return;
            }
            set(o, exec_CPS, OP_CPS, T_SYS);
            o->aux = (uint16_t)(BIT(hw, 4) | (BIT(hw, 1) << 1) | (BIT(hw, 0) << 2));
            o->flags |= INSN_END;
            return;
        }
        if ((op & 0x78) == 0x50) { /* REV, REV16, REVSH */
            unsigned k = BITS(hw, 7, 6);
            if (k == 2) {
                undef(o);
                return;
            }
            static const struct { insn_fn fn; unsigned op; } t[4] = {
                { exec_REV, OP_REV }, { exec_REV16, OP_REV16 }, { NULL, 0 },
                { exec_REVSH, OP_REVSH } };
            dp_reg16(o, t[k].fn, t[k].op, rd, 0, rn, false);
            return;
        }
        if ((op & 0x78) == 0x70) { /* BKPT */
            set(o, exec_BKPT, OP_BKPT, T_SVC);
            o->imm = hw & 0xFF;
            o->flags |= INSN_END;
            return;
        }
        if ((op & 0x78) == 0x78) { /* IT and hints */
            if (hw & 0xF) {
                if (in_it || BITS(hw, 7, 4) == 0xF || (BITS(hw, 7, 4) == 0xE && __builtin_popcount(hw & 0xF) != 1)) {
                    undef(o);
                    return;
                }
                set(o, exec_IT, OP_IT, T_ALU);
                return;
            }
            switch (BITS(hw, 7, 4)) {
            case 0: case 1: set(o, exec_NOP, OP_NOP, T_SYS); return; /* NOP, YIELD */
            case 2: set(o, exec_WFE, OP_WFE, T_SYS); o->flags |= INSN_END; return;
            case 3: set(o, exec_WFI, OP_WFI, T_SYS); o->flags |= INSN_END; return;
            case 4: set(o, exec_SEV, OP_SEV, T_SYS); return;
            default: set(o, exec_NOP, OP_NOP, T_SYS); return;
            }
        }
        undef(o);
        return;
    }
    case 0x30: case 0x31: case 0x32: case 0x33: {
        /* STM / LDM (IA, writeback unless the base is in an LDM list) */
        bool load = BIT(hw, 11);
        unsigned n = BITS(hw, 10, 8);
        uint32_t list = hw & 0xFF;
        if (!list) {
            undef(o);
            return;
        }
        set(o, load ? exec_LDM : exec_STM, load ? OP_LDM : OP_STM,
            T_MULTI_BASE + (unsigned)__builtin_popcount(list));
        o->rn = (uint8_t)n;
        o->imm = list;
        o->aux = (load && (list & (1u << n))) ? 0 : LS_W;
        o->flags |= load ? INSN_LOAD : INSN_STORE;
        return;
    }
    case 0x34: case 0x35: case 0x36: case 0x37: {
        /* B<cond>, UDF, SVC */
        unsigned cond = BITS(hw, 11, 8);
        if (cond == 0xE) {
            set(o, exec_UDF, OP_UDF, T_ALU);
            o->imm = hw & 0xFF;
            o->flags |= INSN_END;
            return;
        }
        if (cond == 0xF) {
            set(o, exec_SVC, OP_SVC, T_SVC);
            o->imm = hw & 0xFF;
            o->flags |= INSN_END;
            return;
        }
        if (in_it) {
            undef(o);
            return;
        }
        set(o, exec_B_cond, OP_B_cond, T_BRANCH);
        o->aux = (uint16_t)cond;
        o->imm = pc + 4 + (uint32_t)((int32_t)(int8_t)(hw & 0xFF) * 2);
        o->flags |= INSN_END;
        return;
    }
    case 0x38: case 0x39: {
        /* B (T2) */
        set(o, exec_B, OP_B, T_BRANCH);
        int32_t off = (int32_t)((uint32_t)(hw & 0x7FF) << 21) >> 20;
        o->imm = pc + 4 + (uint32_t)off;
        o->flags |= INSN_END;
        return;
    }
    default:
        undef(o);
        return;
    }
}

/* ---------------------------------------------------------------------- */
/* 32-bit */

static bool bad_reg(unsigned r) { return r == 13 || r == 15; }

/* Data processing (modified immediate), A5.3.1 */
static void dp_modimm(uint32_t w, insn_t *o)
{
    unsigned op = BITS(w, 24, 21), s = BIT(w, 20), rn = BITS(w, 19, 16), rd = BITS(w, 11, 8);
    unsigned imm12 = (BIT(w, 26) << 11) | (BITS(w, 14, 12) << 8) | BITS(w, 7, 0);
    uint16_t carry;
    uint32_t imm = expand_imm(imm12, &carry);
    o->imm = imm;
    o->aux = carry;
    o->rd = (uint8_t)rd;
    o->rn = (uint8_t)rn;
    if (s)
        o->flags |= INSN_S;
    o->cycles = T_ALU;
    bool test = rd == 15 && s;
    switch (op) {
    case 0x0:
        if (test) { set(o, exec_TST_imm, OP_TST_imm, T_ALU); break; }
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_AND_imm, OP_AND_imm, T_ALU);
        break;
    case 0x1:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_BIC_imm, OP_BIC_imm, T_ALU);
        break;
    case 0x2:
        if (bad_reg(rd)) goto bad;
        if (rn == 15) set(o, exec_MOV_imm, OP_MOV_imm, T_ALU);
        else if (rn == 13) goto bad;
        else set(o, exec_ORR_imm, OP_ORR_imm, T_ALU);
        break;
    case 0x3:
        if (bad_reg(rd)) goto bad;
        if (rn == 15) set(o, exec_MVN_imm, OP_MVN_imm, T_ALU);
        else if (rn == 13) goto bad;
        else set(o, exec_ORN_imm, OP_ORN_imm, T_ALU);
        break;
    case 0x4:
        if (test) { set(o, exec_TEQ_imm, OP_TEQ_imm, T_ALU); break; }
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_EOR_imm, OP_EOR_imm, T_ALU);
        break;
    case 0x8:
        if (test) { set(o, exec_CMN_imm, OP_CMN_imm, T_ALU); break; }
        if (rd == 15 || rn == 15 || (rd == 13 && rn != 13)) goto bad;
        set(o, exec_ADD_imm, OP_ADD_imm, T_ALU);
        break;
    case 0xA:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_ADC_imm, OP_ADC_imm, T_ALU);
        break;
    case 0xB:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_SBC_imm, OP_SBC_imm, T_ALU);
        break;
    case 0xD:
        if (test) { set(o, exec_CMP_imm, OP_CMP_imm, T_ALU); break; }
        if (rd == 15 || rn == 15 || (rd == 13 && rn != 13)) goto bad;
        set(o, exec_SUB_imm, OP_SUB_imm, T_ALU);
        break;
    case 0xE:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_RSB_imm, OP_RSB_imm, T_ALU);
        break;
    default:
        goto bad;
    }
    if (o->fn == exec_TST_imm || o->fn == exec_TEQ_imm || o->fn == exec_CMN_imm || o->fn == exec_CMP_imm) {
        if (bad_reg(rn) && !(rn == 13 && (o->fn == exec_CMP_imm || o->fn == exec_CMN_imm)))
            goto bad;
    }
    return;
bad:
    undef(o);
}

/* Data processing (shifted register), A5.3.11 */
static void dp_shifted(uint32_t w, insn_t *o)
{
    unsigned op = BITS(w, 24, 21), s = BIT(w, 20), rn = BITS(w, 19, 16), rd = BITS(w, 11, 8);
    unsigned rm = BITS(w, 3, 0), type = BITS(w, 5, 4);
    unsigned imm5 = (BITS(w, 14, 12) << 2) | BITS(w, 7, 6);
    o->rd = (uint8_t)rd;
    o->rn = (uint8_t)rn;
    o->rm = (uint8_t)rm;
    imm_shift(o, type, imm5);
    if (s)
        o->flags |= INSN_S;
    bool test = rd == 15 && s;
    if (op == 0x2 && rn == 15 && !s && imm5 == 0 && type == 0) {
        /* MOV.W Rd, Rm: SP allowed on one side */
        if (rd == 15 || rm == 15 || (rd == 13 && rm == 13))
            goto bad;
        set(o, exec_MOV_reg, OP_MOV_reg, T_ALU);
        return;
    }
    if (rm == 15 || (rm == 13 && !((op == 0x8 || op == 0xD) && rn == 13 && type == 0 && imm5 <= 3)))
        goto bad;
    switch (op) {
    case 0x0:
        if (test) { if (bad_reg(rn)) goto bad; set(o, exec_TST_reg, OP_TST_reg, T_ALU); return; }
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_AND_reg, OP_AND_reg, T_ALU);
        return;
    case 0x1:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_BIC_reg, OP_BIC_reg, T_ALU);
        return;
    case 0x2:
        if (bad_reg(rd)) goto bad;
        if (rn == 15) set(o, exec_MOV_reg, OP_MOV_reg, T_ALU);
        else if (rn == 13) goto bad;
        else set(o, exec_ORR_reg, OP_ORR_reg, T_ALU);
        return;
    case 0x3:
        if (bad_reg(rd)) goto bad;
        if (rn == 15) set(o, exec_MVN_reg, OP_MVN_reg, T_ALU);
        else if (rn == 13) goto bad;
        else set(o, exec_ORN_reg, OP_ORN_reg, T_ALU);
        return;
    case 0x4:
        if (test) { if (bad_reg(rn)) goto bad; set(o, exec_TEQ_reg, OP_TEQ_reg, T_ALU); return; }
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_EOR_reg, OP_EOR_reg, T_ALU);
        return;
    case 0x8:
        if (test) { if (rn == 15) goto bad; set(o, exec_CMN_reg, OP_CMN_reg, T_ALU); return; }
        if (rd == 15 || rn == 15 || (rd == 13 && rn != 13)) goto bad;
        set(o, exec_ADD_reg, OP_ADD_reg, T_ALU);
        return;
    case 0xA:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_ADC_reg, OP_ADC_reg, T_ALU);
        return;
    case 0xB:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_SBC_reg, OP_SBC_reg, T_ALU);
        return;
    case 0xD:
        if (test) { if (rn == 15) goto bad; set(o, exec_CMP_reg, OP_CMP_reg, T_ALU); return; }
        if (rd == 15 || rn == 15 || (rd == 13 && rn != 13)) goto bad;
        set(o, exec_SUB_reg, OP_SUB_reg, T_ALU);
        return;
    case 0xE:
        if (bad_reg(rd) || bad_reg(rn)) goto bad;
        set(o, exec_RSB_reg, OP_RSB_reg, T_ALU);
        return;
    default:
        goto bad;
    }
bad:
    undef(o);
}

/* Data processing (plain binary immediate), A5.3.3; SSAT/USAT go to thumb_dsp.c */
static void dp_plain(uint32_t pc, uint32_t w, insn_t *o)
{
    unsigned op = BITS(w, 24, 20), rn = BITS(w, 19, 16), rd = BITS(w, 11, 8);
    unsigned imm12 = (BIT(w, 26) << 11) | (BITS(w, 14, 12) << 8) | BITS(w, 7, 0);
    unsigned lsb = (BITS(w, 14, 12) << 2) | BITS(w, 7, 6), wbits = BITS(w, 4, 0);
    o->rd = (uint8_t)rd;
    o->rn = (uint8_t)rn;
    switch (op) {
    case 0x00: /* ADDW / ADR (add) */
        if (rn == 15) {
            if (bad_reg(rd)) goto bad;
            set(o, exec_ADR, OP_ADR, T_ALU);
            o->imm = imm12;
            return;
        }
        if (rd == 15 || (rd == 13 && rn != 13)) goto bad;
        set(o, exec_ADD_imm, OP_ADD_imm, T_ALU);
        o->imm = imm12;
        o->aux = IMM_CKEEP;
        return;
    case 0x0A: /* SUBW / ADR (sub) */
        if (rn == 15) {
            if (bad_reg(rd)) goto bad;
            set(o, exec_ADR, OP_ADR, T_ALU);
            o->imm = (uint32_t)-(int32_t)imm12;
            return;
        }
        if (rd == 15 || (rd == 13 && rn != 13)) goto bad;
        set(o, exec_SUB_imm, OP_SUB_imm, T_ALU);
        o->imm = imm12;
        o->aux = IMM_CKEEP;
        return;
    case 0x04: /* MOVW */
        if (bad_reg(rd)) goto bad;
        set(o, exec_MOV_imm, OP_MOV_imm, T_ALU);
        o->imm = (rn << 12) | imm12;
        o->aux = IMM_CKEEP;
        return;
    case 0x0C: /* MOVT */
        if (bad_reg(rd)) goto bad;
        set(o, exec_MOVT, OP_MOVT, T_ALU);
        o->imm = (rn << 12) | imm12;
        return;
    case 0x14: /* SBFX */
    case 0x1C: /* UBFX */
        if (bad_reg(rd) || bad_reg(rn) || lsb + wbits + 1 > 32) goto bad;
        set(o, op == 0x14 ? exec_SBFX : exec_UBFX, op == 0x14 ? OP_SBFX : OP_UBFX, T_ALU);
        o->imm = lsb;
        o->aux = (uint16_t)(wbits + 1);
        return;
    case 0x16: /* BFI / BFC; wbits is msb */
        if (bad_reg(rd) || rn == 13 || wbits < lsb) goto bad;
        set(o, rn == 15 ? exec_BFC : exec_BFI, rn == 15 ? OP_BFC : OP_BFI, T_ALU);
        o->imm = lsb;
        o->aux = (uint16_t)(wbits - lsb + 1);
        return;
    default:
        break;
    }
bad:
    (void)pc;
    undef(o);
}

/* Branches and miscellaneous control, A5.3.4 */
static void branch_misc(uint32_t pc, uint32_t w, bool in_it, bool last_in_it, insn_t *o)
{
    unsigned op1 = BITS(w, 14, 12), op = BITS(w, 26, 20);
    if (op1 & 1) {
        /* B (T4) / BL: I1 = NOT(J1 EOR S), I2 = NOT(J2 EOR S) */
        uint32_t s = BIT(w, 26), j1 = BIT(w, 13), j2 = BIT(w, 11);
        uint32_t i1 = !(j1 ^ s), i2 = !(j2 ^ s);
        uint32_t off = (s << 24) | (i1 << 23) | (i2 << 22) | (BITS(w, 25, 16) << 12) | (BITS(w, 10, 0) << 1);
        int32_t soff = (int32_t)(off << 7) >> 7;
        if (in_it && !last_in_it) {
            undef(o);
            return;
        }
        bool link = BIT(w, 14);
        set(o, link ? exec_BL : exec_B, link ? OP_BL : OP_B, T_BRANCH);
        o->imm = pc + 4 + (uint32_t)soff;
        o->flags |= INSN_END;
        return;
    }
    if (op1 == 0 || op1 == 2) {
        if ((op & 0x38) != 0x38) {
            /* B<cond> (T3) */
            if (in_it) {
                undef(o);
                return;
            }
            uint32_t s = BIT(w, 26), j1 = BIT(w, 13), j2 = BIT(w, 11);
            uint32_t off = (s << 20) | (j2 << 19) | (j1 << 18) | (BITS(w, 21, 16) << 12) | (BITS(w, 10, 0) << 1);
            int32_t soff = (int32_t)(off << 11) >> 11;
            set(o, exec_B_cond, OP_B_cond, T_BRANCH);
            o->aux = (uint16_t)BITS(w, 25, 22);
            o->imm = pc + 4 + (uint32_t)soff;
            o->flags |= INSN_END;
            return;
        }
        if (op1 == 2) {
            if (op == 0x7F) { /* UDF.W */
                set(o, exec_UDF, OP_UDF, T_ALU);
                o->flags |= INSN_END;
                return;
            }
            undef(o);
            return;
        }
        switch (op) {
        case 0x38: case 0x39: { /* MSR */
            unsigned rn = BITS(w, 19, 16), mask = BITS(w, 11, 10), sysm = BITS(w, 7, 0);
            if (bad_reg(rn) || BITS(w, 9, 8) != 0) {
                undef(o);
                return;
            }
            set(o, exec_MSR, OP_MSR, T_SYS);
            o->rn = (uint8_t)rn;
            o->imm = sysm;
            o->aux = (uint16_t)mask;
            o->flags |= INSN_END;
            return;
        }
        case 0x3A: { /* hints */
            if (BITS(w, 10, 8) != 0) {
                undef(o);
                return;
            }
            switch (BITS(w, 7, 0)) {
            case 2: set(o, exec_WFE, OP_WFE, T_SYS); o->flags |= INSN_END; return;
            case 3: set(o, exec_WFI, OP_WFI, T_SYS); o->flags |= INSN_END; return;
            case 4: set(o, exec_SEV, OP_SEV, T_SYS); return;
            default: set(o, exec_NOP, OP_NOP, T_SYS); return; /* NOP, YIELD, DBG */
            }
        }
        case 0x3B: /* misc control */
            switch (BITS(w, 7, 4)) {
            case 2: set(o, exec_CLREX, OP_CLREX, T_SYS); return;
            case 4: set(o, exec_DSB, OP_DSB, T_BARRIER); return;
            case 5: set(o, exec_DMB, OP_DMB, T_BARRIER); return;
            case 6: set(o, exec_ISB, OP_ISB, T_BARRIER); o->flags |= INSN_END; return;
            default: undef(o); return;
            }
        case 0x3E: case 0x3F: { /* MRS */
            unsigned rd = BITS(w, 11, 8);
            if (bad_reg(rd)) {
                undef(o);
                return;
            }
            set(o, exec_MRS, OP_MRS, T_SYS);
            o->rd = (uint8_t)rd;
            o->imm = BITS(w, 7, 0);
            return;
        }
        default:
            undef(o);
            return;
        }
    }
    undef(o);
}

/* Load/store multiple, A5.3.5 */
static void ls_multiple(uint32_t w, insn_t *o)
{
    unsigned op = BITS(w, 24, 23), l = BIT(w, 20), wb = BIT(w, 21), rn = BITS(w, 19, 16);
    uint32_t list = w & 0xFFFF;
    if (op != 1 && op != 2)
        goto bad;
    if (rn == 15 || BIT(list, 13) || __builtin_popcount(list) < 2)
        goto bad;
    if (l) {
        if ((list & 0xC000) == 0xC000)
            goto bad;
        if (wb && (list & (1u << rn)))
            goto bad;
    } else {
        if (list & 0x8000)
            goto bad;
        if (wb && (list & (1u << rn)))
            goto bad;
    }
    if (op == 1)
        set(o, l ? exec_LDM : exec_STM, l ? OP_LDM : OP_STM, T_MULTI_BASE + (unsigned)__builtin_popcount(list));
    else
        set(o, l ? exec_LDMDB : exec_STMDB, l ? OP_LDMDB : OP_STMDB, T_MULTI_BASE + (unsigned)__builtin_popcount(list));
    o->rn = (uint8_t)rn;
    o->imm = list;
    o->aux = wb ? LS_W : 0;
    o->flags |= l ? INSN_LOAD : INSN_STORE;
    if (l && (list & 0x8000))
        o->flags |= INSN_END;
    return;
bad:
    undef(o);
}

/* Load/store dual or exclusive, table branch, A5.3.6 */
static void ls_dual_excl(uint32_t pc, uint32_t w, bool in_it, bool last_in_it, insn_t *o)
{
    unsigned op1 = BITS(w, 24, 23), op2 = BITS(w, 21, 20), op3 = BITS(w, 7, 4);
    unsigned rn = BITS(w, 19, 16), rt = BITS(w, 15, 12), rt2 = BITS(w, 11, 8), rd = BITS(w, 11, 8);
    (void)pc;
    if (op1 == 0 && op2 == 0) { /* STREX */
        if (bad_reg(rd) || bad_reg(rt) || rn == 15 || rd == rn || rd == rt) goto bad;
        set(o, exec_STREX, OP_STREX, T_EXCL);
        o->rd = (uint8_t)rd;
        o->ra = (uint8_t)rt;
        o->rn = (uint8_t)rn;
        o->imm = (w & 0xFF) << 2;
        o->flags |= INSN_STORE;
        return;
    }
    if (op1 == 0 && op2 == 1) { /* LDREX */
        if (bad_reg(rt) || rn == 15 || BITS(w, 11, 8) != 0xF) goto bad;
        set(o, exec_LDREX, OP_LDREX, T_EXCL);
        o->rd = (uint8_t)rt;
        o->rn = (uint8_t)rn;
        o->imm = (w & 0xFF) << 2;
        o->flags |= INSN_LOAD;
        return;
    }
    if ((op1 & 2) || (op2 & 2))
        goto dual;
    if (op1 == 1 && op2 == 0) { /* STREXB/STREXH */
        unsigned d = BITS(w, 3, 0);
        if (op3 != 4 && op3 != 5) goto bad;
        if (bad_reg(d) || bad_reg(rt) || rn == 15 || d == rn || d == rt) goto bad;
        set(o, op3 == 4 ? exec_STREXB : exec_STREXH, op3 == 4 ? OP_STREXB : OP_STREXH, T_EXCL);
        o->rd = (uint8_t)d;
        o->ra = (uint8_t)rt;
        o->rn = (uint8_t)rn;
        o->imm = 0;
        o->flags |= INSN_STORE;
        return;
    }
    if (op1 == 1 && op2 == 1) {
        if (op3 == 0 || op3 == 1) { /* TBB / TBH */
            unsigned rm = BITS(w, 3, 0);
            if (rn == 13 || bad_reg(rm) || (in_it && !last_in_it)) goto bad;
            set(o, op3 ? exec_TBH : exec_TBB, op3 ? OP_TBH : OP_TBB, T_TB);
            o->rn = (uint8_t)rn;
            o->rm = (uint8_t)rm;
            o->flags |= INSN_END | INSN_LOAD;
            return;
        }
        if (op3 == 4 || op3 == 5) { /* LDREXB/LDREXH */
            if (bad_reg(rt) || rn == 15) goto bad;
            set(o, op3 == 4 ? exec_LDREXB : exec_LDREXH, op3 == 4 ? OP_LDREXB : OP_LDREXH, T_EXCL);
            o->rd = (uint8_t)rt;
            o->rn = (uint8_t)rn;
            o->imm = 0;
            o->flags |= INSN_LOAD;
            return;
        }
        goto bad;
    }
dual: {
        /* LDRD/STRD (immediate), including the literal form for LDRD */
        unsigned p = BIT(w, 24), u = BIT(w, 23), wb = BIT(w, 21), l = BIT(w, 20);
        if (!p && !wb)
            goto bad;
        if (wb && (rn == rt || rn == rt2))
            goto bad;
        if (bad_reg(rt) || bad_reg(rt2))
            goto bad;
        if (l && rt == rt2)
            goto bad;
        if (rn == 15 && (!l || wb))
            goto bad;
        set(o, l ? exec_LDRD : exec_STRD, l ? OP_LDRD : OP_STRD, T_LDRD);
        o->rd = (uint8_t)rt;
        o->ra = (uint8_t)rt2;
        o->rn = (uint8_t)rn;
        o->imm = (w & 0xFF) << 2;
        o->aux = (uint16_t)((p ? LS_P : 0) | (u ? LS_U : 0) | (wb ? LS_W : 0) | (rn == 15 ? LS_LIT : 0));
        o->flags |= l ? INSN_LOAD : INSN_STORE;
        return;
    }
bad:
    undef(o);
}

/* Single loads and stores, A5.3.7-A5.3.10 */
static void ls_single(uint32_t w, insn_t *o)
{
    unsigned sign = BIT(w, 24), size = BITS(w, 22, 21), l = BIT(w, 20);
    unsigned rn = BITS(w, 19, 16), rt = BITS(w, 15, 12);
    static const struct { insn_fn fn; unsigned op; } loads[2][3] = {
        { { exec_LDRB, OP_LDRB }, { exec_LDRH, OP_LDRH }, { exec_LDR, OP_LDR } },
        { { exec_LDRSB, OP_LDRSB }, { exec_LDRSH, OP_LDRSH }, { NULL, 0 } },
    };
    static const struct { insn_fn fn; unsigned op; } stores[3] = {
        { exec_STRB, OP_STRB }, { exec_STRH, OP_STRH }, { exec_STR, OP_STR } };
    if (size == 3 || (sign && (size == 2 || !l)))
        goto bad;
    o->rd = (uint8_t)rt;
    o->rn = (uint8_t)rn;
    if (l) {
        set(o, loads[sign][size].fn, loads[sign][size].op, T_LOAD);
        o->flags |= INSN_LOAD;
    } else {
        set(o, stores[size].fn, stores[size].op, T_STORE);
        o->flags |= INSN_STORE;
    }
    if (rn == 15) {
        /* literal: U in bit 23, imm12 */
        if (!l)
            goto bad;
        o->imm = w & 0xFFF;
        o->aux = LS_P | LS_LIT | (BIT(w, 23) ? LS_U : 0);
    } else if (BIT(w, 23)) {
        o->imm = w & 0xFFF;
        o->aux = LS_P | LS_U;
    } else if (BIT(w, 11)) {
        unsigned puw = BITS(w, 10, 8);
        o->imm = w & 0xFF;
        if (puw == 6) { /* unprivileged */
            o->aux = LS_P | LS_U | LS_T;
        } else {
            if (!(puw & 4) && !(puw & 1))
                goto bad;
            o->aux = (uint16_t)(((puw & 4) ? LS_P : 0) | ((puw & 2) ? LS_U : 0) | ((puw & 1) ? LS_W : 0));
            if ((o->aux & LS_W) && rn == rt)
                goto bad;
        }
    } else if (BITS(w, 11, 6) == 0) {
        unsigned rm = BITS(w, 3, 0);
        if (bad_reg(rm))
            goto bad;
        o->rm = (uint8_t)rm;
        o->shift_n = (uint8_t)BITS(w, 5, 4);
        o->aux = LS_P | LS_U | LS_REG;
    } else {
        goto bad;
    }
    /* PLD/PLI: loads of bytes/halfwords to PC */
    if (l && rt == 15) {
        if (size == 2) {
            if (o->aux & LS_T)
                goto bad;
            o->flags |= INSN_END;
            o->cycles = T_LOAD + T_REFILL;
            return;
        }
        set(o, exec_PLD, OP_PLD, T_ALU);
        o->flags &= (uint8_t)~INSN_LOAD;
        return;
    }
    if (!l && rt == 15)
        goto bad;
    if (rt == 13 && (size != 2 || (o->aux & LS_T)))
        goto bad;
    return;
bad:
    undef(o);
}

static void decode32(uint32_t pc, uint16_t hw1, uint16_t hw2, uint8_t itstate, insn_t *o)
{
    uint32_t w = (uint32_t)hw1 << 16 | hw2;
    bool in_it = itstate != 0, last_in_it = (itstate & 0xF) == 8;
    o->flags |= INSN_32;
    o->len = 4;
    if (thumb_decode_dsp(pc, hw1, hw2, o))
        return;
    unsigned op1 = BITS(hw1, 12, 11), op2 = BITS(hw1, 10, 4), op = BIT(hw2, 15);
    switch (op1) {
    case 1:
        if ((op2 & 0x64) == 0x00)
            ls_multiple(w, o);
        else if ((op2 & 0x64) == 0x04)
            ls_dual_excl(pc, w, in_it, last_in_it, o);
        else if ((op2 & 0x60) == 0x20)
            dp_shifted(w, o);
        else
            vfp_decode(pc, w, itstate, o);
        return;
    case 2:
        if (op == 1)
            branch_misc(pc, w, in_it, last_in_it, o);
        else if ((op2 & 0x20) == 0)
            dp_modimm(w, o);
        else
            dp_plain(pc, w, o);
        return;
    case 3:
        if ((op2 & 0x71) == 0x10) /* 001xxx0: SIMD structure loads do not exist on M */
            undef(o);
        else if ((op2 & 0x67) == 0x01 || (op2 & 0x67) == 0x03 || (op2 & 0x67) == 0x05 ||
                 (op2 & 0x71) == 0x00 || (op2 & 0x67) == 0x00 || (op2 & 0x67) == 0x02 ||
                 (op2 & 0x67) == 0x04)
            ls_single(w, o);
        else if ((op2 & 0x40) == 0x40)
            vfp_decode(pc, w, itstate, o);
        else
            undef(o);
        return;
    default:
        undef(o);
        return;
    }
}

/* Register fields an operation does not read are cleared, so that the
 * block builder's PC-operand test (INSN_PCREAD) sees real operands only:
 * compares have Rd = 1111, MOV/MVN and ADR Rn = 1111, an extend without
 * accumulate Rn = 1111 (XT_NONE here). */
static void unused_fields(insn_t *o)
{
    static const insn_fn compares[] = {
        exec_TST_imm, exec_TST_reg, exec_TEQ_imm, exec_TEQ_reg,
        exec_CMP_imm, exec_CMP_reg, exec_CMN_imm, exec_CMN_reg,
    };
    static const insn_fn no_rn[] = {
        exec_MOV_imm, exec_MOV_reg, exec_MVN_imm, exec_MVN_reg, exec_ADR,
    };
    static const insn_fn extends[] = { exec_SXTB, exec_SXTH, exec_UXTB, exec_UXTH };
    for (unsigned k = 0; k < sizeof compares / sizeof compares[0]; k++)
        if (o->fn == compares[k])
            o->rd = 0;
    for (unsigned k = 0; k < sizeof no_rn / sizeof no_rn[0]; k++)
        if (o->fn == no_rn[k])
            o->rn = 0;
    for (unsigned k = 0; k < sizeof extends / sizeof extends[0]; k++)
        if (o->fn == extends[k] && o->rn == 15)
            o->rn = XT_NONE;
}

void thumb_decode(uint32_t pc, uint16_t hw1, uint16_t hw2, uint8_t itstate, insn_t *out)
{
    memset(out, 0, sizeof *out);
    out->raw = hw1;
    out->len = 2;
    out->cond = 0xE;
    if (thumb_is_32bit(hw1)) {
        out->raw = (uint32_t)hw1 << 16 | hw2;
        decode32(pc, hw1, hw2, itstate, out);
    } else {
        decode16(pc, hw1, itstate != 0, out);
    }
    unused_fields(out);
    if (out->shift_n == 0 && out->shift_t == SRTYPE_LSL && !(out->flags & (INSN_LOAD | INSN_STORE))) {
        /* register operand without shift: skip Shift_C */
        static const struct { insn_fn general, rr; } rr[] = {
#define RR_ENTRY(name) { exec_##name##_reg, exec_##name##_rr },
            THUMB_RR_OPS(RR_ENTRY)
#undef RR_ENTRY
        };
        for (unsigned k = 0; k < sizeof rr / sizeof rr[0]; k++)
            if (out->fn == rr[k].general) {
                out->fn = rr[k].rr;
                break;
            }
    }
    if ((out->aux == (LS_P | LS_U) || out->aux == LS_P) && (out->flags & (INSN_LOAD | INSN_STORE))) {
        static const struct { insn_fn general, fast; } fast[] = {
            { exec_LDR, exec_LDR_imm }, { exec_LDRB, exec_LDRB_imm },
            { exec_LDRH, exec_LDRH_imm }, { exec_STR, exec_STR_imm },
            { exec_STRB, exec_STRB_imm }, { exec_STRH, exec_STRH_imm },
        };
        for (unsigned k = 0; k < sizeof fast / sizeof fast[0]; k++)
            if (out->fn == fast[k].general) {
                out->fn = fast[k].fast;
                if (!(out->aux & LS_U))
                    out->imm = (uint32_t)-(int32_t)out->imm; /* [Rn, #-imm] */
                break;
            }
    } else if (((out->aux & ~LS_U) == LS_W || (out->aux & ~LS_U) == (LS_P | LS_W)) &&
               (out->flags & (INSN_LOAD | INSN_STORE)) && out->rn != out->rd && out->rn != 15) {
        static const struct { insn_fn general, post, pre; } wb[] = {
            { exec_LDR, exec_LDR_post, exec_LDR_pre }, { exec_LDRB, exec_LDRB_post, exec_LDRB_pre },
            { exec_LDRH, exec_LDRH_post, exec_LDRH_pre }, { exec_STR, exec_STR_post, exec_STR_pre },
            { exec_STRB, exec_STRB_post, exec_STRB_pre }, { exec_STRH, exec_STRH_post, exec_STRH_pre },
        };
        for (unsigned k = 0; k < sizeof wb / sizeof wb[0]; k++)
            if (out->fn == wb[k].general) {
                out->fn = (out->aux & LS_P) ? wb[k].pre : wb[k].post;
                if (!(out->aux & LS_U))
                    out->imm = (uint32_t)-(int32_t)out->imm;
                break;
            }
    } else if (out->aux == (LS_P | LS_U | LS_LIT) && out->fn == exec_LDR) {
        out->fn = exec_LDR_lit;
        out->imm += (pc + 4) & ~3u;
        out->rn = 0; /* the address is final: no PC read at run time */
    } else if (out->aux == (LS_P | LS_U | LS_REG) && (out->flags & (INSN_LOAD | INSN_STORE))) {
        static const struct { insn_fn general, fast; } fast[] = {
            { exec_LDR, exec_LDR_regoff }, { exec_LDRB, exec_LDRB_regoff },
            { exec_LDRH, exec_LDRH_regoff }, { exec_LDRSB, exec_LDRSB_regoff },
            { exec_LDRSH, exec_LDRSH_regoff }, { exec_STR, exec_STR_regoff },
            { exec_STRB, exec_STRB_regoff }, { exec_STRH, exec_STRH_regoff },
        };
        for (unsigned k = 0; k < sizeof fast / sizeof fast[0]; k++)
            if (out->fn == fast[k].general) {
                out->fn = fast[k].fast;
                break;
            }
    }
}

static const char *const op_names[THUMB_OP_COUNT] = {
#define THUMB_NAME(name) [OP_##name] = #name,
    THUMB_HANDLERS(THUMB_NAME)
#undef THUMB_NAME
    [OP_UNDEFINED] = "UNDEFINED",
    [OP_NOCP] = "NOCP",
};

const char *thumb_insn_name(const insn_t *i)
{
    if (i->op >= INSN_OP_VFP_BASE)
        return vfp_insn_name(i);
    if (i->op >= INSN_OP_DSP_BASE)
        return thumb_dsp_name(i);
    return i->op < THUMB_OP_COUNT && op_names[i->op] ? op_names[i->op] : "?";
}

unsigned thumb_extra_bound(const insn_t *i, unsigned ws_max)
{
    unsigned accesses = 0, extra = T_REFILL;
    if (i->flags & INSN_FP) {
        accesses = vfp_access_bound(i);
    } else {
        switch (i->op) {
        case OP_LDM: case OP_LDMDB: case OP_STM: case OP_STMDB:
            accesses = (unsigned)__builtin_popcount(i->imm & 0xFFFF);
            break;
        case OP_LDRD: case OP_STRD:
            accesses = 2;
            break;
        case OP_LDR: case OP_LDRB: case OP_LDRH: case OP_LDRSB: case OP_LDRSH:
        case OP_STR: case OP_STRB: case OP_STRH: case OP_LDREX: case OP_LDREXB:
        case OP_LDREXH: case OP_STREX: case OP_STREXB: case OP_STREXH: case OP_TBB:
        case OP_TBH:
            accesses = 4; /* an unaligned word is four byte accesses */
            break;
        case OP_SDIV: case OP_UDIV:
            extra += T_DIV_MAX - T_DIV_MIN;
            break;
        default:
            break;
        }
    }
    return extra + accesses * ws_max;
}
