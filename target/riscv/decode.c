/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instruction decoder: turns a 16- or 32-bit encoding into an RvInsn.
 * Compressed instructions are expanded to the operation of their 32-bit
 * equivalent with len = 2, so the executor knows only one form.
 */
#include "cpu-internal.h"

static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int32_t sext(uint32_t v, unsigned width)
{
    unsigned sh = 32 - width;
    return (int32_t)(v << sh) >> sh;
}

static void set(RvInsn *d, RvOp op, unsigned rd, unsigned rs1, unsigned rs2,
                int32_t imm)
{
    d->op = op;
    d->rd = rd ? rd : RV_SCRATCH_REG;
    d->rs1 = rs1;
    d->rs2 = rs2;
    d->imm = imm;
}

static void illegal(RvInsn *d, uint32_t raw)
{
    memset(d, 0, sizeof(*d));
    d->op = OP_ILLEGAL;
    d->imm = (int32_t)raw;
}

/* FP destination registers are not redirected: f0 is a real register. */
static void set_f(RvInsn *d, RvOp op, unsigned rd, unsigned rs1, unsigned rs2,
                  int32_t imm)
{
    set(d, op, rd, rs1, rs2, imm);
    d->rd = rd;
}

/* ---- 32-bit encodings ---- */

static int32_t imm_i(uint32_t r)
{
    return (int32_t)r >> 20;
}

static int32_t imm_s(uint32_t r)
{
    return sext((r >> 25) << 5 | bits(r, 11, 7), 12);
}

static int32_t imm_b(uint32_t r)
{
    uint32_t v = bits(r, 31, 31) << 12 | bits(r, 7, 7) << 11 |
                 bits(r, 30, 25) << 5 | bits(r, 11, 8) << 1;
    return sext(v, 13);
}

static int32_t imm_j(uint32_t r)
{
    uint32_t v = bits(r, 31, 31) << 20 | bits(r, 19, 12) << 12 |
                 bits(r, 20, 20) << 11 | bits(r, 30, 21) << 1;
    return sext(v, 21);
}

static bool rm_valid(unsigned rm)
{
    return rm != 5 && rm != 6;
}

static void decode_op_fp(uint32_t r, RvInsn *d)
{
    unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15),
             rs2 = bits(r, 24, 20), rm = bits(r, 14, 12);
    unsigned f7 = bits(r, 31, 25);
    bool dbl = f7 & 1;
    int delta = dbl ? OP_FMADD_D - OP_FMADD_S : 0;
    RvOp op;

    switch (f7 & ~1u) {
    case 0x00: op = OP_FADD_S; goto arith;
    case 0x04: op = OP_FSUB_S; goto arith;
    case 0x08: op = OP_FMUL_S; goto arith;
    case 0x0c: op = OP_FDIV_S; goto arith;
    case 0x2c:
        if (rs2 != 0) {
            goto bad;
        }
        op = OP_FSQRT_S;
    arith:
        if (!rm_valid(rm)) {
            goto bad;
        }
        set_f(d, op + delta, rd, rs1, rs2, 0);
        d->rm = rm;
        return;
    case 0x10:
        if (rm > 2) {
            goto bad;
        }
        set_f(d, OP_FSGNJ_S + rm + delta, rd, rs1, rs2, 0);
        return;
    case 0x14:
        if (rm > 1) {
            goto bad;
        }
        set_f(d, OP_FMIN_S + rm + delta, rd, rs1, rs2, 0);
        return;
    case 0x20: /* fcvt.s.d (f7 0x20, rs2 1) / fcvt.d.s (f7 0x21, rs2 0) */
        if (!rm_valid(rm) || rs2 != (dbl ? 0u : 1u)) {
            goto bad;
        }
        set_f(d, dbl ? OP_FCVT_D_S : OP_FCVT_S_D, rd, rs1, 0, 0);
        d->rm = rm;
        return;
    case 0x60:
        if (rs2 > 3 || !rm_valid(rm)) {
            goto bad;
        }
        set(d, OP_FCVT_W_S + rs2 + delta, rd, rs1, 0, 0);
        d->rm = rm;
        return;
    case 0x68:
        if (rs2 > 3 || !rm_valid(rm)) {
            goto bad;
        }
        set_f(d, OP_FCVT_S_W + rs2 + delta, rd, rs1, 0, 0);
        d->rm = rm;
        return;
    case 0x70:
        if (rs2 != 0 || rm > 1) {
            goto bad;
        }
        set(d, (rm ? OP_FCLASS_S : OP_FMV_X_W) + delta, rd, rs1, 0, 0);
        return;
    case 0x50:
        if (rm > 2) {
            goto bad;
        }
        /* rm: 0 fle, 1 flt, 2 feq */
        op = rm == 0 ? OP_FLE_S : rm == 1 ? OP_FLT_S : OP_FEQ_S;
        set(d, op + delta, rd, rs1, rs2, 0);
        return;
    case 0x78:
        if (rs2 != 0 || rm != 0) {
            goto bad;
        }
        set_f(d, OP_FMV_W_X + delta, rd, rs1, 0, 0);
        return;
    }
bad:
    illegal(d, r);
}

static void decode_amo(uint32_t r, RvInsn *d)
{
    static const int8_t f5_to_idx[32] = {
        [0x02] = 0, [0x03] = 1, [0x01] = 2, [0x00] = 3, [0x04] = 4,
        [0x0c] = 5, [0x08] = 6, [0x10] = 7, [0x14] = 8, [0x18] = 9,
        [0x1c] = 10,
    };
    static const uint32_t valid = 1u << 0x02 | 1u << 0x03 | 1u << 0x01 |
                                  1u << 0x00 | 1u << 0x04 | 1u << 0x0c |
                                  1u << 0x08 | 1u << 0x10 | 1u << 0x14 |
                                  1u << 0x18 | 1u << 0x1c;
    unsigned f3 = bits(r, 14, 12), f5 = bits(r, 31, 27);
    unsigned rs2 = bits(r, 24, 20);

    if ((f3 != 2 && f3 != 3) || !(valid >> f5 & 1) ||
        (f5 == 0x02 && rs2 != 0)) {
        illegal(d, r);
        return;
    }
    set(d, (f3 == 2 ? OP_LR_W : OP_LR_D) + f5_to_idx[f5], bits(r, 11, 7),
        bits(r, 19, 15), rs2, 0);
    d->rm = bits(r, 26, 25);
}

static void decode_system(uint32_t r, RvInsn *d)
{
    unsigned f3 = bits(r, 14, 12);
    unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15);

    if (f3 == 0) {
        switch (r) {
        case 0x00000073: set(d, OP_ECALL, 0, 0, 0, 0); return;
        case 0x00100073: set(d, OP_EBREAK, 0, 0, 0, 0); return;
        case 0x30200073: set(d, OP_MRET, 0, 0, 0, 0); return;
        case 0x10200073: set(d, OP_SRET, 0, 0, 0, 0); return;
        case 0x10500073: set(d, OP_WFI, 0, 0, 0, 0); return;
        }
        if (bits(r, 31, 25) == 0x09 && rd == 0) {
            set(d, OP_SFENCE_VMA, 0, rs1, bits(r, 24, 20), 0);
            return;
        }
        illegal(d, r);
        return;
    }
    if (f3 == 4) {
        illegal(d, r);
        return;
    }
    /* CSR ops: rs1 holds the register or the 5-bit immediate. */
    set(d, OP_CSRRW + (f3 & 3) - 1 + (f3 & 4 ? 3 : 0), rd, rs1, 0,
        (int32_t)bits(r, 31, 20));
}

static void decode32(uint32_t r, RvInsn *d)
{
    unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15),
             rs2 = bits(r, 24, 20), f3 = bits(r, 14, 12),
             f7 = bits(r, 31, 25);

    d->len = 4;
    switch (bits(r, 6, 0)) {
    case 0x37:
        set(d, OP_LUI, rd, 0, 0, (int32_t)(r & 0xfffff000));
        return;
    case 0x17:
        set(d, OP_AUIPC, rd, 0, 0, (int32_t)(r & 0xfffff000));
        return;
    case 0x6f:
        set(d, OP_JAL, rd, 0, 0, imm_j(r));
        return;
    case 0x67:
        if (f3 != 0) {
            break;
        }
        set(d, OP_JALR, rd, rs1, 0, imm_i(r));
        return;
    case 0x63:
        if (f3 == 2 || f3 == 3) {
            break;
        }
        set(d, OP_BEQ + (f3 >= 4 ? f3 - 2 : f3), 0, rs1, rs2, imm_b(r));
        return;
    case 0x03: {
        static const int8_t ld[8] = {OP_LB, OP_LH,  OP_LW,  OP_LD,
                                     OP_LBU, OP_LHU, OP_LWU, -1};
        if (ld[f3] < 0) {
            break;
        }
        set(d, ld[f3], rd, rs1, 0, imm_i(r));
        return;
    }
    case 0x23:
        if (f3 > 3) {
            break;
        }
        set(d, OP_SB + f3, 0, rs1, rs2, imm_s(r));
        return;
    case 0x13: {
        unsigned f6 = bits(r, 31, 26);
        switch (f3) {
        case 0: set(d, OP_ADDI, rd, rs1, 0, imm_i(r)); return;
        case 2: set(d, OP_SLTI, rd, rs1, 0, imm_i(r)); return;
        case 3: set(d, OP_SLTIU, rd, rs1, 0, imm_i(r)); return;
        case 4: set(d, OP_XORI, rd, rs1, 0, imm_i(r)); return;
        case 6: set(d, OP_ORI, rd, rs1, 0, imm_i(r)); return;
        case 7: set(d, OP_ANDI, rd, rs1, 0, imm_i(r)); return;
        case 1:
            if (f6 != 0) {
                break;
            }
            set(d, OP_SLLI, rd, rs1, 0, bits(r, 25, 20));
            return;
        case 5:
            if (f6 != 0 && f6 != 0x10) {
                break;
            }
            set(d, f6 ? OP_SRAI : OP_SRLI, rd, rs1, 0, bits(r, 25, 20));
            return;
        }
        break;
    }
    case 0x1b:
        switch (f3) {
        case 0: set(d, OP_ADDIW, rd, rs1, 0, imm_i(r)); return;
        case 1:
            if (f7 != 0) {
                break;
            }
            set(d, OP_SLLIW, rd, rs1, 0, rs2);
            return;
        case 5:
            if (f7 != 0 && f7 != 0x20) {
                break;
            }
            set(d, f7 ? OP_SRAIW : OP_SRLIW, rd, rs1, 0, rs2);
            return;
        }
        break;
    case 0x33: {
        static const uint8_t base[8] = {OP_ADD, OP_SLL, OP_SLT, OP_SLTU,
                                        OP_XOR, OP_SRL, OP_OR,  OP_AND};
        if (f7 == 0) {
            set(d, base[f3], rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 0x01) {
            set(d, OP_MUL + f3, rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 0x20 && (f3 == 0 || f3 == 5)) {
            set(d, f3 ? OP_SRA : OP_SUB, rd, rs1, rs2, 0);
            return;
        }
        break;
    }
    case 0x3b:
        if (f7 == 0x01) {
            static const int8_t m[8] = {OP_MULW, -1, -1, -1,
                                        OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW};
            if (m[f3] < 0) {
                break;
            }
            set(d, m[f3], rd, rs1, rs2, 0);
            return;
        }
        if (f7 == 0 && (f3 == 0 || f3 == 1 || f3 == 5)) {
            set(d, f3 == 0 ? OP_ADDW : f3 == 1 ? OP_SLLW : OP_SRLW, rd, rs1,
                rs2, 0);
            return;
        }
        if (f7 == 0x20 && (f3 == 0 || f3 == 5)) {
            set(d, f3 ? OP_SRAW : OP_SUBW, rd, rs1, rs2, 0);
            return;
        }
        break;
    case 0x0f:
        if (f3 == 0) {
            set(d, OP_FENCE, 0, 0, 0, 0);
            return;
        }
        if (f3 == 1) {
            set(d, OP_FENCE_I, 0, 0, 0, 0);
            return;
        }
        break;
    case 0x73:
        decode_system(r, d);
        d->len = 4;
        return;
    case 0x2f:
        decode_amo(r, d);
        d->len = 4;
        return;
    case 0x07:
        if (f3 != 2 && f3 != 3) {
            break;
        }
        set_f(d, f3 == 2 ? OP_FLW : OP_FLD, rd, rs1, 0, imm_i(r));
        return;
    case 0x27:
        if (f3 != 2 && f3 != 3) {
            break;
        }
        set(d, f3 == 2 ? OP_FSW : OP_FSD, 0, rs1, rs2, imm_s(r));
        return;
    case 0x43: case 0x47: case 0x4b: case 0x4f: {
        unsigned fmt = bits(r, 26, 25);
        if (fmt > 1 || !rm_valid(f3)) {
            break;
        }
        set_f(d, (fmt ? OP_FMADD_D : OP_FMADD_S) + (bits(r, 6, 0) - 0x43) / 4,
              rd, rs1, rs2, 0);
        d->rs3 = bits(r, 31, 27);
        d->rm = f3;
        return;
    }
    case 0x53:
        decode_op_fp(r, d);
        d->len = 4;
        return;
    }
    illegal(d, r);
    d->len = 4;
}

/* ---- 16-bit encodings ---- */

static unsigned creg(uint32_t r, unsigned lo)
{
    return 8 + bits(r, lo + 2, lo);
}

/* Offsets of the stack-relative and register-relative loads/stores. */
static uint32_t off_lw(uint32_t r)
{
    return bits(r, 12, 10) << 3 | bits(r, 6, 6) << 2 | bits(r, 5, 5) << 6;
}

static uint32_t off_ld(uint32_t r)
{
    return bits(r, 12, 10) << 3 | bits(r, 6, 5) << 6;
}

static int32_t imm_ci(uint32_t r)
{
    return sext(bits(r, 12, 12) << 5 | bits(r, 6, 2), 6);
}

static void decode_q0(uint32_t r, RvInsn *d)
{
    unsigned rdp = creg(r, 2), rs1p = creg(r, 7);

    switch (bits(r, 15, 13)) {
    case 0: {
        uint32_t imm = bits(r, 12, 11) << 4 | bits(r, 10, 7) << 6 |
                       bits(r, 6, 6) << 2 | bits(r, 5, 5) << 3;
        if (imm == 0) {
            break; /* includes the all-zero illegal instruction */
        }
        set(d, OP_ADDI, rdp, 2, 0, imm);
        return;
    }
    case 1: set_f(d, OP_FLD, rdp, rs1p, 0, off_ld(r)); return;
    case 2: set(d, OP_LW, rdp, rs1p, 0, off_lw(r)); return;
    case 3: set(d, OP_LD, rdp, rs1p, 0, off_ld(r)); return;
    case 5: set(d, OP_FSD, 0, rs1p, rdp, off_ld(r)); return;
    case 6: set(d, OP_SW, 0, rs1p, rdp, off_lw(r)); return;
    case 7: set(d, OP_SD, 0, rs1p, rdp, off_ld(r)); return;
    }
    illegal(d, r);
}

static void decode_q1(uint32_t r, RvInsn *d)
{
    unsigned rd = bits(r, 11, 7), rdp = creg(r, 7), rs2p = creg(r, 2);

    switch (bits(r, 15, 13)) {
    case 0: set(d, OP_ADDI, rd, rd, 0, imm_ci(r)); return;
    case 1:
        if (rd == 0) {
            break;
        }
        set(d, OP_ADDIW, rd, rd, 0, imm_ci(r));
        return;
    case 2: set(d, OP_ADDI, rd, 0, 0, imm_ci(r)); return;
    case 3:
        if (rd == 2) {
            uint32_t v = bits(r, 12, 12) << 9 | bits(r, 6, 6) << 4 |
                         bits(r, 5, 5) << 6 | bits(r, 4, 3) << 7 |
                         bits(r, 2, 2) << 5;
            if (v == 0) {
                break;
            }
            set(d, OP_ADDI, 2, 2, 0, sext(v, 10));
            return;
        }
        if (imm_ci(r) == 0) {
            break;
        }
        set(d, OP_LUI, rd, 0, 0, imm_ci(r) * 4096);
        return;
    case 4:
        switch (bits(r, 11, 10)) {
        case 0:
            set(d, OP_SRLI, rdp, rdp, 0, bits(r, 12, 12) << 5 | bits(r, 6, 2));
            return;
        case 1:
            set(d, OP_SRAI, rdp, rdp, 0, bits(r, 12, 12) << 5 | bits(r, 6, 2));
            return;
        case 2: set(d, OP_ANDI, rdp, rdp, 0, imm_ci(r)); return;
        case 3: {
            static const uint8_t ops[8] = {OP_SUB,  OP_XOR,  OP_OR, OP_AND,
                                           OP_SUBW, OP_ADDW, 0,     0};
            unsigned i = bits(r, 12, 12) << 2 | bits(r, 6, 5);
            if (!ops[i]) {
                break;
            }
            set(d, ops[i], rdp, rdp, rs2p, 0);
            return;
        }
        }
        break;
    case 5: {
        uint32_t v = bits(r, 12, 12) << 11 | bits(r, 11, 11) << 4 |
                     bits(r, 10, 9) << 8 | bits(r, 8, 8) << 10 |
                     bits(r, 7, 7) << 6 | bits(r, 6, 6) << 7 |
                     bits(r, 5, 3) << 1 | bits(r, 2, 2) << 5;
        set(d, OP_JAL, 0, 0, 0, sext(v, 12));
        return;
    }
    case 6: case 7: {
        uint32_t v = bits(r, 12, 12) << 8 | bits(r, 11, 10) << 3 |
                     bits(r, 6, 5) << 6 | bits(r, 4, 3) << 1 |
                     bits(r, 2, 2) << 5;
        set(d, bits(r, 13, 13) ? OP_BNE : OP_BEQ, 0, rdp, 0, sext(v, 9));
        return;
    }
    }
    illegal(d, r);
}

static void decode_q2(uint32_t r, RvInsn *d)
{
    unsigned rd = bits(r, 11, 7), rs2 = bits(r, 6, 2);
    uint32_t ldsp = bits(r, 12, 12) << 5 | bits(r, 6, 5) << 3 |
                    bits(r, 4, 2) << 6;
    uint32_t sdsp = bits(r, 12, 10) << 3 | bits(r, 9, 7) << 6;

    switch (bits(r, 15, 13)) {
    case 0:
        set(d, OP_SLLI, rd, rd, 0, bits(r, 12, 12) << 5 | rs2);
        return;
    case 1: set_f(d, OP_FLD, rd, 2, 0, ldsp); return;
    case 2:
        if (rd == 0) {
            break;
        }
        set(d, OP_LW, rd, 2, 0,
            bits(r, 12, 12) << 5 | bits(r, 6, 4) << 2 | bits(r, 3, 2) << 6);
        return;
    case 3:
        if (rd == 0) {
            break;
        }
        set(d, OP_LD, rd, 2, 0, ldsp);
        return;
    case 4:
        if (!bits(r, 12, 12)) {
            if (rs2 == 0) {
                if (rd == 0) {
                    break;
                }
                set(d, OP_JALR, 0, rd, 0, 0); /* c.jr */
            } else {
                set(d, OP_ADD, rd, 0, rs2, 0); /* c.mv */
            }
            return;
        }
        if (rs2 == 0) {
            if (rd == 0) {
                set(d, OP_EBREAK, 0, 0, 0, 0);
            } else {
                set(d, OP_JALR, 1, rd, 0, 0); /* c.jalr */
            }
            return;
        }
        set(d, OP_ADD, rd, rd, rs2, 0);
        return;
    case 5: set(d, OP_FSD, 0, 2, rs2, sdsp); return;
    case 6:
        set(d, OP_SW, 0, 2, rs2, bits(r, 12, 9) << 2 | bits(r, 8, 7) << 6);
        return;
    case 7: set(d, OP_SD, 0, 2, rs2, sdsp); return;
    }
    illegal(d, r);
}

void riscv_decode(uint32_t raw, RvInsn *d)
{
    memset(d, 0, sizeof(*d));
    if ((raw & 3) == 3) {
        decode32(raw, d);
    } else {
        raw &= 0xffff;
        switch (raw & 3) {
        case 0: decode_q0(raw, d); break;
        case 1: decode_q1(raw, d); break;
        default: decode_q2(raw, d); break;
        }
        d->len = 2;
    }
    d->dop = d->op | (d->len == 2 ? DOP_C : 0);
}
