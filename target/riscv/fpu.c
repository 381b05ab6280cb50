/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F and D extensions.
 *
 * Arithmetic uses the host's IEEE 754 binary32/binary64 hardware with the
 * host rounding mode set from the instruction's rm and the host exception
 * flags collected into fflags.  Everything where RISC-V differs from a
 * typical host is done by hand: canonical NaNs, NaN boxing, min/max,
 * comparisons, classification and the saturating float-to-integer
 * conversions.  RMM (round to nearest, ties to max magnitude), which hosts
 * lack, is built from round-to-odd in a wider format followed by a
 * correction of exact ties (see the RMM section below).
 */
#include "cpu-internal.h"

#include <fenv.h>
#include <float.h>
#include <math.h>

/*
 * Keep the compiler from moving floating-point operations across the
 * fenv calls that set the rounding mode and read the flags.
 */
#if defined(__x86_64__) || defined(__i386__)
#define FP_BARRIER(v) __asm__ __volatile__("" : "+x"(v))
#elif defined(__aarch64__)
#define FP_BARRIER(v) __asm__ __volatile__("" : "+w"(v))
#else
#define FP_BARRIER(v) __asm__ __volatile__("" : "+m"(v))
#endif

enum { RM_RNE, RM_RTZ, RM_RDN, RM_RUP, RM_RMM, RM_DYN = 7 };
enum { FF_NX = 1, FF_UF = 2, FF_OF = 4, FF_DZ = 8, FF_NV = 16 };

#define CANON_S 0x7fc00000u
#define CANON_D 0x7ff8000000000000ULL
#define BOX_HI 0xffffffff00000000ULL

static uint32_t unbox(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : CANON_S;
}

static float f32(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}

static uint32_t b32(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return isnan(f) ? CANON_S : b;
}

static double f64(uint64_t b)
{
    double f;
    memcpy(&f, &b, 8);
    return f;
}

static uint64_t b64(double f)
{
    uint64_t b;
    memcpy(&b, &f, 8);
    return isnan(f) ? CANON_D : b;
}

static bool snan_s(uint32_t b)
{
    return (b & 0x7f800000) == 0x7f800000 && (b & 0x007fffff) &&
           !(b & 0x00400000);
}

static bool snan_d(uint64_t b)
{
    return (b & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL &&
           (b & 0x000fffffffffffffULL) && !(b & 0x0008000000000000ULL);
}

static void set_host_rm(RiscvCpu *cpu, unsigned rm)
{
    static const int host[5] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD,
                                FE_UPWARD, FE_TONEAREST};
    if (cpu->fp_host_rm != rm) {
        fesetround(host[rm]);
        cpu->fp_host_rm = rm;
    }
}

static void fp_begin(RiscvCpu *cpu, unsigned rm)
{
    set_host_rm(cpu, rm);
    feclearexcept(FE_ALL_EXCEPT);
}

static void fp_end(RiscvCpu *cpu)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    uint32_t f = 0;
    if (e & FE_INEXACT) {
        f |= FF_NX;
    }
    if (e & FE_UNDERFLOW) {
        f |= FF_UF;
    }
    if (e & FE_OVERFLOW) {
        f |= FF_OF;
    }
    if (e & FE_DIVBYZERO) {
        f |= FF_DZ;
    }
    if (e & FE_INVALID) {
        f |= FF_NV;
    }
    cpu->fflags |= f;
}

/* ---------------- RMM ----------------
 *
 * The result is first computed in a wider format rounded to odd (round
 * toward zero, then set the last bit if inexact): with at least two more
 * bits than the target, rounding that value once more gives the correctly
 * rounded result in any mode.  It is then rounded to nearest-even by the
 * host and, when the wide value lies exactly half-way between two target
 * numbers, moved to the neighbour of larger magnitude.  Single precision
 * uses double as the wide format, double precision the x87 80-bit long
 * double (64-bit significand).  sqrt never lands on a tie, so RNE is
 * already RMM there.
 */
#if LDBL_MANT_DIG == 64
#define HAVE_RMM_D 1
#else
#define HAVE_RMM_D 0 /* no wider format: double RMM stays RNE on ties */
#endif

#define FP_BARRIER_M(v) __asm__ __volatile__("" : "+m"(v))

typedef enum RmmOp { RMM_ADD, RMM_SUB, RMM_MUL, RMM_DIV, RMM_FMA } RmmOp;

static double odd_d(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    b |= 1;
    memcpy(&v, &b, 8);
    return v;
}

#if HAVE_RMM_D
static long double odd_ld(long double v)
{
    uint64_t m; /* the explicit 64-bit significand comes first */
    memcpy(&m, &v, 8);
    m |= 1;
    memcpy(&v, &m, 8);
    return v;
}
#endif

/* @r is @x rounded to nearest-even; return @x rounded ties-away. */
static float ties_away_s(long double x, float r)
{
    long double diff;
    uint32_t bits;
    float n;

    if (!isfinite(r) || isnan(x) || x == (long double)r) {
        return r;
    }
    diff = x - (long double)r; /* exact: r is a neighbour of x */
    if (r != 0 && (diff < 0) != (r < 0)) {
        return r; /* x lies toward zero: r already has the larger magnitude */
    }
    memcpy(&bits, &r, 4);
    bits = r == 0 ? (signbit(x) ? 0x80000001u : 1u) : bits + 1;
    memcpy(&n, &bits, 4);
    return 2 * diff == (long double)n - (long double)r ? n : r;
}

static double ties_away_d(long double x, double r)
{
    long double diff;
    uint64_t bits;
    double n;

    if (!isfinite(r) || isnan(x) || x == (long double)r) {
        return r;
    }
    diff = x - (long double)r;
    if (r != 0 && (diff < 0) != (r < 0)) {
        return r;
    }
    memcpy(&bits, &r, 8);
    bits = r == 0 ? (signbit(x) ? 0x8000000000000001ULL : 1) : bits + 1;
    memcpy(&n, &bits, 8);
    return 2 * diff == (long double)n - (long double)r ? n : r;
}

static bool sig_s(float v)
{
    uint32_t b;
    memcpy(&b, &v, 4);
    return snan_s(b);
}

static bool sig_d(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return snan_d(b);
}

/* The widening conversions may quiet a signalling NaN before the flags
 * are cleared, so NV for one is raised explicitly. */
static void rmm_snan_check(RiscvCpu *cpu, RmmOp op, bool sa, bool sb, bool sc)
{
    if (sa || sb || (op == RMM_FMA && sc)) {
        cpu->fflags |= FF_NV;
    }
}

static float rmm_s(RiscvCpu *cpu, RmmOp op, float a, float b, float c)
{
    double da = a, db = b, dc = c, t;
    float r;

    set_host_rm(cpu, RM_RTZ);
    feclearexcept(FE_ALL_EXCEPT);
    FP_BARRIER(da);
    FP_BARRIER(db);
    FP_BARRIER(dc);
    switch (op) {
    case RMM_ADD: t = da + db; break;
    case RMM_SUB: t = da - db; break;
    case RMM_MUL: t = da * db; break;
    case RMM_DIV: t = da / db; break;
    default: t = fma(da, db, dc); break;
    }
    FP_BARRIER(t);
    if (fetestexcept(FE_INEXACT)) {
        t = odd_d(t);
    }
    set_host_rm(cpu, RM_RNE);
    FP_BARRIER(t);
    r = (float)t;
    FP_BARRIER(r);
    fp_end(cpu);
    rmm_snan_check(cpu, op, sig_s(a), sig_s(b), sig_s(c));
    return ties_away_s(t, r);
}

static double rmm_d(RiscvCpu *cpu, RmmOp op, double a, double b, double c)
{
#if HAVE_RMM_D
    long double la = a, lb = b, lc = c, t;
    double r;

    set_host_rm(cpu, RM_RTZ);
    feclearexcept(FE_ALL_EXCEPT);
    FP_BARRIER_M(la);
    FP_BARRIER_M(lb);
    FP_BARRIER_M(lc);
    switch (op) {
    case RMM_ADD: t = la + lb; break;
    case RMM_SUB: t = la - lb; break;
    case RMM_MUL: t = la * lb; break;
    case RMM_DIV: t = la / lb; break;
    default: t = fmal(la, lb, lc); break;
    }
    FP_BARRIER_M(t);
    if (fetestexcept(FE_INEXACT)) {
        t = odd_ld(t);
    }
    set_host_rm(cpu, RM_RNE);
    FP_BARRIER_M(t);
    r = (double)t;
    FP_BARRIER(r);
    fp_end(cpu);
    rmm_snan_check(cpu, op, sig_d(a), sig_d(b), sig_d(c));
    return ties_away_d(t, r);
#else
    double r;
    fp_begin(cpu, RM_RNE);
    FP_BARRIER(a);
    FP_BARRIER(b);
    FP_BARRIER(c);
    switch (op) {
    case RMM_ADD: r = a + b; break;
    case RMM_SUB: r = a - b; break;
    case RMM_MUL: r = a * b; break;
    case RMM_DIV: r = a / b; break;
    default: r = fma(a, b, c); break;
    }
    FP_BARRIER(r);
    fp_end(cpu);
    return r;
#endif
}

/* Integer or double @x (exact in long double) to single/double in RMM. */
static float rmm_cvt_s(RiscvCpu *cpu, long double x)
{
    float r;

    fp_begin(cpu, RM_RNE);
    FP_BARRIER_M(x);
    r = (float)x;
    FP_BARRIER(r);
    fp_end(cpu);
    return ties_away_s(x, r);
}

static double rmm_cvt_d(RiscvCpu *cpu, long double x)
{
    double r;

    fp_begin(cpu, RM_RNE);
    FP_BARRIER_M(x);
    r = (double)x;
    FP_BARRIER(r);
    fp_end(cpu);
    return HAVE_RMM_D ? ties_away_d(x, r) : r;
}

static long double int_value(RvOp op, RvOp first, uint64_t v)
{
    switch (op - first) {
    case 0: return (int32_t)v;
    case 1: return (uint32_t)v;
    case 2: return (int64_t)v;
    default: return v;
    }
}

/* Round to an integral value in the RISC-V mode @rm, exactly. */
static double round_rm(double v, unsigned rm)
{
    switch (rm) {
    case RM_RTZ: return trunc(v);
    case RM_RDN: return floor(v);
    case RM_RUP: return ceil(v);
    case RM_RMM: return round(v);
    default: return roundeven(v);
    }
}

/*
 * Float to integer with RISC-V saturation: NaN and too-large values give
 * the most positive result, too-small ones the most negative, with NV.
 */
static uint64_t cvt_to_int(RiscvCpu *cpu, double v, unsigned rm,
                           bool is_signed, unsigned bits)
{
    double lo, hi; /* valid range of the rounded value: [lo, hi) */
    uint64_t min_r, max_r;

    if (is_signed) {
        lo = -ldexp(1.0, bits - 1);
        hi = ldexp(1.0, bits - 1);
        max_r = bits == 64 ? INT64_MAX : INT32_MAX;
        min_r = bits == 64 ? (uint64_t)INT64_MIN : (uint64_t)(int64_t)INT32_MIN;
    } else {
        lo = 0;
        hi = ldexp(1.0, bits);
        max_r = bits == 64 ? UINT64_MAX : UINT32_MAX;
        min_r = 0;
    }
    if (isnan(v)) {
        cpu->fflags |= FF_NV;
        return max_r;
    }
    double r = round_rm(v, rm);
    if (r < lo) {
        cpu->fflags |= FF_NV;
        return min_r;
    }
    if (r >= hi) {
        cpu->fflags |= FF_NV;
        return max_r;
    }
    if (r != v) {
        cpu->fflags |= FF_NX;
    }
    return is_signed ? (uint64_t)(int64_t)r : (uint64_t)r;
}

/* fclass: one bit per class, as the spec's table orders them. */
static uint64_t fclass(bool neg, bool inf, bool zero, bool sub, bool nan,
                       bool snan)
{
    if (nan) {
        return snan ? 1u << 8 : 1u << 9;
    }
    if (inf) {
        return neg ? 1u << 0 : 1u << 7;
    }
    if (zero) {
        return neg ? 1u << 3 : 1u << 4;
    }
    if (sub) {
        return neg ? 1u << 2 : 1u << 5;
    }
    return neg ? 1u << 1 : 1u << 6;
}

static uint64_t fclass_s(uint32_t b)
{
    unsigned e = (b >> 23) & 0xff;
    uint32_t m = b & 0x7fffff;
    return fclass(b >> 31, e == 0xff && !m, e == 0 && !m, e == 0 && m,
                  e == 0xff && m, snan_s(b));
}

static uint64_t fclass_d(uint64_t b)
{
    unsigned e = (b >> 52) & 0x7ff;
    uint64_t m = b & 0xfffffffffffffULL;
    return fclass(b >> 63, e == 0x7ff && !m, e == 0 && !m, e == 0 && m,
                  e == 0x7ff && m, snan_d(b));
}

/* IEEE 754-2019 minimumNumber/maximumNumber as RISC-V defines them. */
static uint32_t minmax_s(RiscvCpu *cpu, uint32_t a, uint32_t b, bool max)
{
    float fa = f32(a), fb = f32(b);
    if (snan_s(a) || snan_s(b)) {
        cpu->fflags |= FF_NV;
    }
    if (isnan(fa) && isnan(fb)) {
        return CANON_S;
    }
    if (isnan(fa)) {
        return b;
    }
    if (isnan(fb)) {
        return a;
    }
    if (fa == fb) { /* also orders -0 below +0 */
        bool a_neg = a >> 31;
        return (a_neg == max) ? b : a;
    }
    return ((fa < fb) != max) ? a : b;
}

static uint64_t minmax_d(RiscvCpu *cpu, uint64_t a, uint64_t b, bool max)
{
    double fa = f64(a), fb = f64(b);
    if (snan_d(a) || snan_d(b)) {
        cpu->fflags |= FF_NV;
    }
    if (isnan(fa) && isnan(fb)) {
        return CANON_D;
    }
    if (isnan(fa)) {
        return b;
    }
    if (isnan(fb)) {
        return a;
    }
    if (fa == fb) {
        bool a_neg = a >> 63;
        return (a_neg == max) ? b : a;
    }
    return ((fa < fb) != max) ? a : b;
}

/* kind: 0 fle, 1 flt, 2 feq */
static uint64_t compare(RiscvCpu *cpu, double fa, double fb, bool any_nan,
                        bool any_snan, int kind)
{
    if (any_nan) {
        if (kind != 2 || any_snan) {
            cpu->fflags |= FF_NV;
        }
        return 0;
    }
    return kind == 0 ? fa <= fb : kind == 1 ? fa < fb : fa == fb;
}

static bool fma_invalid(double a, double b)
{
    return (isinf(a) && b == 0) || (a == 0 && isinf(b));
}

static void exec_single(RiscvCpu *cpu, const RvInsn *d, unsigned rm)
{
    uint32_t ba = unbox(cpu->fpr[d->rs1]), bb = unbox(cpu->fpr[d->rs2]);
    uint32_t bc = unbox(cpu->fpr[d->rs3]);
    float a = f32(ba), b = f32(bb), c = f32(bc), r;
    uint64_t *xd = &cpu->x[d->rd];
    uint64_t *fd = &cpu->fpr[d->rd];

    switch (d->op) {
    case OP_FMADD_S: case OP_FMSUB_S: case OP_FNMSUB_S: case OP_FNMADD_S: {
        int k = d->op - OP_FMADD_S;
        float ma = (k == 2 || k == 3) ? -a : a;
        float mc = (k == 1 || k == 3) ? -c : c;
        if (fma_invalid(a, b)) {
            cpu->fflags |= FF_NV;
        }
        if (rm == RM_RMM) {
            *fd = BOX_HI | b32(rmm_s(cpu, RMM_FMA, ma, b, mc));
            return;
        }
        fp_begin(cpu, rm);
        FP_BARRIER(ma);
        FP_BARRIER(b);
        FP_BARRIER(mc);
        r = fmaf(ma, b, mc);
        FP_BARRIER(r);
        fp_end(cpu);
        *fd = BOX_HI | b32(r);
        return;
    }
    case OP_FADD_S: case OP_FSUB_S: case OP_FMUL_S: case OP_FDIV_S:
    case OP_FSQRT_S:
        if (rm == RM_RMM && d->op != OP_FSQRT_S) {
            r = rmm_s(cpu, (RmmOp)(RMM_ADD + (d->op - OP_FADD_S)), a, b, 0);
            *fd = BOX_HI | b32(r);
            return;
        }
        fp_begin(cpu, rm);
        FP_BARRIER(a);
        FP_BARRIER(b);
        switch (d->op) {
        case OP_FADD_S: r = a + b; break;
        case OP_FSUB_S: r = a - b; break;
        case OP_FMUL_S: r = a * b; break;
        case OP_FDIV_S: r = a / b; break;
        default: r = sqrtf(a); break;
        }
        FP_BARRIER(r);
        fp_end(cpu);
        *fd = BOX_HI | b32(r);
        return;
    case OP_FSGNJ_S:
        *fd = BOX_HI | (ba & 0x7fffffff) | (bb & 0x80000000);
        return;
    case OP_FSGNJN_S:
        *fd = BOX_HI | (ba & 0x7fffffff) | (~bb & 0x80000000);
        return;
    case OP_FSGNJX_S:
        *fd = BOX_HI | (ba ^ (bb & 0x80000000));
        return;
    case OP_FMIN_S: case OP_FMAX_S:
        *fd = BOX_HI | minmax_s(cpu, ba, bb, d->op == OP_FMAX_S);
        return;
    case OP_FCVT_W_S: case OP_FCVT_WU_S: case OP_FCVT_L_S: case OP_FCVT_LU_S: {
        int k = d->op - OP_FCVT_W_S;
        uint64_t v = cvt_to_int(cpu, a, rm, !(k & 1), k < 2 ? 32 : 64);
        *xd = k < 2 ? (uint64_t)(int64_t)(int32_t)v : v;
        return;
    }
    case OP_FMV_X_W:
        *xd = (uint64_t)(int64_t)(int32_t)cpu->fpr[d->rs1];
        return;
    case OP_FCLASS_S:
        *xd = fclass_s(ba);
        return;
    case OP_FEQ_S: case OP_FLT_S: case OP_FLE_S:
        *xd = compare(cpu, a, b, isnan(a) || isnan(b),
                      snan_s(ba) || snan_s(bb),
                      d->op == OP_FLE_S ? 0 : d->op == OP_FLT_S ? 1 : 2);
        return;
    case OP_FCVT_S_W: case OP_FCVT_S_WU: case OP_FCVT_S_L: case OP_FCVT_S_LU: {
        uint64_t v = cpu->x[d->rs1];
        if (rm == RM_RMM) {
            r = rmm_cvt_s(cpu, int_value(d->op, OP_FCVT_S_W, v));
            *fd = BOX_HI | b32(r);
            return;
        }
        fp_begin(cpu, rm);
        FP_BARRIER(v);
        switch (d->op) {
        case OP_FCVT_S_W: r = (float)(int32_t)v; break;
        case OP_FCVT_S_WU: r = (float)(uint32_t)v; break;
        case OP_FCVT_S_L: r = (float)(int64_t)v; break;
        default: r = (float)v; break;
        }
        FP_BARRIER(r);
        fp_end(cpu);
        *fd = BOX_HI | b32(r);
        return;
    }
    case OP_FMV_W_X:
        *fd = BOX_HI | (uint32_t)cpu->x[d->rs1];
        return;
    }
}

static void exec_double(RiscvCpu *cpu, const RvInsn *d, unsigned rm)
{
    uint64_t ba = cpu->fpr[d->rs1], bb = cpu->fpr[d->rs2];
    double a = f64(ba), b = f64(bb), c = f64(cpu->fpr[d->rs3]), r;
    uint64_t *xd = &cpu->x[d->rd];
    uint64_t *fd = &cpu->fpr[d->rd];

    switch (d->op) {
    case OP_FMADD_D: case OP_FMSUB_D: case OP_FNMSUB_D: case OP_FNMADD_D: {
        int k = d->op - OP_FMADD_D;
        double ma = (k == 2 || k == 3) ? -a : a;
        double mc = (k == 1 || k == 3) ? -c : c;
        if (fma_invalid(a, b)) {
            cpu->fflags |= FF_NV;
        }
        if (rm == RM_RMM) {
            *fd = b64(rmm_d(cpu, RMM_FMA, ma, b, mc));
            return;
        }
        fp_begin(cpu, rm);
        FP_BARRIER(ma);
        FP_BARRIER(b);
        FP_BARRIER(mc);
        r = fma(ma, b, mc);
        FP_BARRIER(r);
        fp_end(cpu);
        *fd = b64(r);
        return;
    }
    case OP_FADD_D: case OP_FSUB_D: case OP_FMUL_D: case OP_FDIV_D:
    case OP_FSQRT_D:
        if (rm == RM_RMM && d->op != OP_FSQRT_D) {
            r = rmm_d(cpu, (RmmOp)(RMM_ADD + (d->op - OP_FADD_D)), a, b, 0);
            *fd = b64(r);
            return;
        }
        fp_begin(cpu, rm);
        FP_BARRIER(a);
        FP_BARRIER(b);
        switch (d->op) {
        case OP_FADD_D: r = a + b; break;
        case OP_FSUB_D: r = a - b; break;
        case OP_FMUL_D: r = a * b; break;
        case OP_FDIV_D: r = a / b; break;
        default: r = sqrt(a); break;
        }
        FP_BARRIER(r);
        fp_end(cpu);
        *fd = b64(r);
        return;
    case OP_FSGNJ_D:
        *fd = (ba & ~(1ULL << 63)) | (bb & (1ULL << 63));
        return;
    case OP_FSGNJN_D:
        *fd = (ba & ~(1ULL << 63)) | (~bb & (1ULL << 63));
        return;
    case OP_FSGNJX_D:
        *fd = ba ^ (bb & (1ULL << 63));
        return;
    case OP_FMIN_D: case OP_FMAX_D:
        *fd = minmax_d(cpu, ba, bb, d->op == OP_FMAX_D);
        return;
    case OP_FCVT_W_D: case OP_FCVT_WU_D: case OP_FCVT_L_D: case OP_FCVT_LU_D: {
        int k = d->op - OP_FCVT_W_D;
        uint64_t v = cvt_to_int(cpu, a, rm, !(k & 1), k < 2 ? 32 : 64);
        *xd = k < 2 ? (uint64_t)(int64_t)(int32_t)v : v;
        return;
    }
    case OP_FMV_X_D:
        *xd = ba;
        return;
    case OP_FCLASS_D:
        *xd = fclass_d(ba);
        return;
    case OP_FEQ_D: case OP_FLT_D: case OP_FLE_D:
        *xd = compare(cpu, a, b, isnan(a) || isnan(b),
                      snan_d(ba) || snan_d(bb),
                      d->op == OP_FLE_D ? 0 : d->op == OP_FLT_D ? 1 : 2);
        return;
    case OP_FCVT_D_W: case OP_FCVT_D_WU: case OP_FCVT_D_L: case OP_FCVT_D_LU: {
        uint64_t v = cpu->x[d->rs1];
        if (rm == RM_RMM) {
            *fd = b64(rmm_cvt_d(cpu, int_value(d->op, OP_FCVT_D_W, v)));
            return;
        }
        fp_begin(cpu, rm);
        FP_BARRIER(v);
        switch (d->op) {
        case OP_FCVT_D_W: r = (double)(int32_t)v; break;
        case OP_FCVT_D_WU: r = (double)(uint32_t)v; break;
        case OP_FCVT_D_L: r = (double)(int64_t)v; break;
        default: r = (double)v; break;
        }
        FP_BARRIER(r);
        fp_end(cpu);
        *fd = b64(r);
        return;
    }
    case OP_FMV_D_X:
        *fd = cpu->x[d->rs1];
        return;
    case OP_FCVT_S_D: {
        float rs;
        if (rm == RM_RMM) {
            *fd = BOX_HI | b32(rmm_cvt_s(cpu, a));
            if (snan_d(ba)) {
                cpu->fflags |= FF_NV;
            }
            return;
        }
        fp_begin(cpu, rm);
        FP_BARRIER(a);
        rs = (float)a;
        FP_BARRIER(rs);
        fp_end(cpu);
        *fd = BOX_HI | b32(rs);
        return;
    }
    case OP_FCVT_D_S: {
        float s = f32(unbox(ba));
        fp_begin(cpu, rm);
        FP_BARRIER(s);
        r = (double)s;
        FP_BARRIER(r);
        fp_end(cpu);
        *fd = b64(r);
        return;
    }
    }
}

void riscv_fpu_exec(RiscvCpu *cpu, const RvInsn *d)
{
    unsigned rm = d->rm == RM_DYN ? cpu->frm : d->rm;

    if (riscv_fs_off(cpu) || rm > RM_RMM) {
        riscv_raise(cpu, EXC_ILLEGAL, 0);
    }
    if (d->op < OP_FMADD_D) {
        exec_single(cpu, d, rm);
    } else {
        exec_double(cpu, d, rm);
    }
    riscv_fs_dirty(cpu);
}

void riscv_fpu_restore_host(RiscvCpu *cpu)
{
    if (cpu->fp_host_rm != RM_RNE && cpu->fp_host_rm != UINT64_MAX) {
        fesetround(FE_TONEAREST);
    }
    cpu->fp_host_rm = UINT64_MAX;
}
