//! bf16 without LLVM's `bfloat`: bf16 values cross to MLIR as `i16`
//! holding their bits, and the translation writes every conversion itself.
//!
//! LLVM's x86-64 backend keeps a `bfloat` value that lives across basic
//! blocks (a load hoisted out of a loop, a loop-carried value) in an f32
//! register: extended where it is made, rounded back to bf16 where it is
//! used; bf16 arithmetic is promoted to f32 and rounded the same way. The
//! rounding is `vcvtneps2bf16` on CPUs with AVX512-BF16 or AVX-NE-CONVERT
//! (the JIT compiles for the host CPU), which ignores MXCSR and always
//! treats f32 denormals as zero, in and out: every bf16 subnormal computed,
//! or merely moved through such a register, comes out as ±0. Elsewhere it
//! is a call to `__truncsfbf2`, which neither the process (libgcc before
//! 13, no compiler-rt) nor the JIT provides. numpy (ml_dtypes) and the
//! reference interpreter round to nearest-even and keep subnormals.
//!
//! So the translation prints bf16 as `i16` in every type (scalars, vectors,
//! memrefs, signatures: the same 2 bytes, and what the C header declares,
//! `uint16_t`), and LLVM never sees a `bfloat`. Moves (`memref.load`/
//! `store`, `arith.select`, `arith.bitcast`, loop-carried values, calls,
//! `vector.load`/`store`/`broadcast`) need nothing else. Ops that compute
//! are written out:
//!
//! - extension to f32: the bits shifted into the high half (exact; then
//!   `arith.extf` f32 → f64 when the result is f64);
//! - rounding from f32: bf16 has f32's exponent range, so it is integer
//!   arithmetic on the bits, exact for subnormals, infinities and overflow:
//!   add `0x7fff` plus bit 16 (nearest, ties to even; a carry into the
//!   exponent is the correct result) and keep the high half; a NaN keeps
//!   its sign and high payload bits and gets the quiet bit;
//! - `arith.truncf` from f64: first to f32 **rounded to odd** (toward zero,
//!   the last bit set when inexact), then as from f32: one rounding in all,
//!   as `arith` promises, since f32 has more than bf16's precision plus two
//!   bits at every exponent;
//! - `arith.sitofp`/`arith.uitofp`: the integer to f64 (exact up to 53
//!   bits; from 54 to 64 bits the low 11 bits are first folded into a
//!   sticky bit, which changes no rounding to bf16), then as from f64;
//! - `arith.constant`: the bits; `arith.negf`, `math.absf`,
//!   `math.copysign`: integer ops on the sign bit;
//! - any other `arith`/`math` op with a bf16 operand or result, and
//!   `vector.fma`/`vector.reduction`: bf16 operands extended, the op
//!   computed in f32 (`fma` in f64, as the interpreter), bf16 results
//!   rounded. For `+ - * / sqrt` that is exactly one rounding (f32 has more
//!   than twice bf16's precision plus two bits); a `vector.reduction`
//!   rounds once at the end.
//!
//! `loop.parallel` reductions combining bf16 values get the same widening
//! ([`Emitter::bf16_combine`]).
//!
//! f16 needs none of this: LLVM's f16 conversions are IEEE conversions
//! that keep subnormals (F16C's `vcvtps2ph`/`vcvtph2ps`, AVX512-FP16, or
//! libgcc's `__truncsfhf2`/`__extendhfsf2`/`__truncdfhf2`), and LLVM keeps
//! f16 values as 16-bit integers between operations.
//!
//! Refused with a located error: `arith.truncf` to bf16 with an explicit
//! `roundingmode`, and integers wider than 64 bits converted to bf16.

use std::fmt::Write;

use axir_ir::{
    float_bits_in_kind, AttributeData, Context, DenseData, FloatKind, Location, OpId, Type, TypeData,
};

use super::Emitter;

// MLIR's predicate numbers.
const I_NE: i64 = 1;
const I_SLT: i64 = 2;
const I_UGT: i64 = 8;
const I_UGE: i64 = 9;
const F_OGT: i64 = 2;
const F_UNE: i64 = 13;

/// A printed type with bf16 as `i16`: the types of the translation.
pub(super) fn as_bits(printed: String) -> String {
    if printed.contains("bf16") {
        printed.replace("bf16", "i16")
    } else {
        printed
    }
}

fn elem_kind(ctx: &Context, ty: Type) -> Option<FloatKind> {
    ctx.float_kind(ctx.element_type_or_self(ty))
}

fn is_bf16(ctx: &Context, ty: Type) -> bool {
    elem_kind(ctx, ty) == Some(FloatKind::BF16)
}

/// Whether the translation of `op` is [`Emitter::bf16_op`]: an `arith` or
/// `math` op, `vector.fma` or `vector.reduction` with a bf16 operand or
/// result, except `arith.select` and `arith.bitcast`, which work on the
/// `i16` as they are.
pub(super) fn handles(ctx: &Context, op: OpId) -> bool {
    let name = ctx.op_name(op);
    let in_scope = (name.starts_with("arith.") || name.starts_with("math.") || name == "vector.fma")
        || name == "vector.reduction";
    if !in_scope || matches!(name, "arith.select" | "arith.bitcast") || ctx.op_info(op).is_none() {
        return false;
    }
    ctx.operands(op).iter().chain(ctx.results(op)).any(|v| is_bf16(ctx, ctx.value_type(*v)))
}

impl Emitter<'_> {
    /// `elem` in the shape of `like`: `f32`, or `vector<4xf32>` for a vector.
    fn like(&self, like: Type, elem: &str) -> String {
        match self.ctx.type_data(like) {
            TypeData::Vector { shape, .. } if shape.is_empty() => format!("vector<{elem}>"),
            TypeData::Vector { shape, .. } => {
                let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
                format!("vector<{}x{elem}>", dims.join("x"))
            }
            _ => elem.to_string(),
        }
    }

    /// Writes `%r = "name"(args) props : (arg_tys) -> res_ty` and returns
    /// `%r`, which is `out` if given, else a fresh name.
    #[allow(clippy::too_many_arguments)]
    fn emit_op(
        &mut self,
        depth: usize,
        loc: Location,
        out: Option<&str>,
        name: &str,
        args: &[&str],
        props: &str,
        arg_tys: &[&str],
        res_ty: &str,
    ) -> String {
        let r = out.map_or_else(|| self.fresh(), str::to_string);
        let text =
            format!("{r} = \"{name}\"({}){props} : ({}) -> {res_ty}", args.join(", "), arg_tys.join(", "));
        self.line(depth, &text, loc);
        r
    }

    /// `op(x)` from type `from` to type `to`.
    #[allow(clippy::too_many_arguments)]
    fn unop(
        &mut self,
        depth: usize,
        loc: Location,
        out: Option<&str>,
        name: &str,
        x: &str,
        from: &str,
        to: &str,
    ) -> String {
        self.emit_op(depth, loc, out, name, &[x], "", &[from], to)
    }

    /// An integer constant of element type `elem` in the shape of `like`.
    fn int_const(&mut self, depth: usize, loc: Location, value: i64, elem: &str, like: Type) -> String {
        let ty = self.like(like, elem);
        let value = if ty == elem { format!("{value} : {ty}") } else { format!("dense<{value}> : {ty}") };
        self.emit_op(depth, loc, None, "arith.constant", &[], &format!(" <{{value = {value}}}>"), &[], &ty)
    }

    /// `op(a, b)` on two values of type `ty`, of the same type.
    #[allow(clippy::too_many_arguments)]
    fn binop(
        &mut self,
        depth: usize,
        loc: Location,
        out: Option<&str>,
        name: &str,
        a: &str,
        b: &str,
        ty: &str,
    ) -> String {
        self.emit_op(depth, loc, out, name, &[a, b], "", &[ty, ty], ty)
    }

    /// `arith.cmpi`/`arith.cmpf` with `pred` on two values of type `ty`
    /// (shaped as `like`).
    #[allow(clippy::too_many_arguments)]
    fn cmp(
        &mut self,
        depth: usize,
        loc: Location,
        name: &str,
        pred: i64,
        a: &str,
        b: &str,
        ty: &str,
        like: Type,
    ) -> String {
        let i1 = self.like(like, "i1");
        self.emit_op(
            depth,
            loc,
            None,
            name,
            &[a, b],
            &format!(" <{{predicate = {pred} : i64}}>"),
            &[ty, ty],
            &i1,
        )
    }

    /// `arith.select %c, %a, %b` on values of type `ty`, shaped as `like`.
    #[allow(clippy::too_many_arguments)]
    fn select(
        &mut self,
        depth: usize,
        loc: Location,
        out: Option<&str>,
        c: &str,
        a: &str,
        b: &str,
        ty: &str,
        like: Type,
    ) -> String {
        let i1 = self.like(like, "i1");
        self.emit_op(depth, loc, out, "arith.select", &[c, a, b], "", &[&i1, ty, ty], ty)
    }

    /// The bf16 `x` (its `i16` bits, shaped as `like`) extended exactly to
    /// f32: the bits shifted into the high half.
    fn bf16_to_f32(&mut self, depth: usize, loc: Location, x: &str, like: Type, out: Option<&str>) -> String {
        let (i16t, i32t, f32t) = (self.like(like, "i16"), self.like(like, "i32"), self.like(like, "f32"));
        let wide = self.unop(depth, loc, None, "arith.extui", x, &i16t, &i32t);
        let c16 = self.int_const(depth, loc, 16, "i32", like);
        let high = self.binop(depth, loc, None, "arith.shli", &wide, &c16, &i32t);
        self.unop(depth, loc, out, "arith.bitcast", &high, &i32t, &f32t)
    }

    /// The f32 `x` (shaped as `like`) rounded to bf16 (its `i16` bits), to
    /// nearest with ties to even; subnormals and infinities exact, NaN
    /// stays NaN.
    fn f32_to_bf16(&mut self, depth: usize, loc: Location, x: &str, like: Type, out: Option<&str>) -> String {
        let (f32t, i32t, i16t) = (self.like(like, "f32"), self.like(like, "i32"), self.like(like, "i16"));
        let bits = self.unop(depth, loc, None, "arith.bitcast", x, &f32t, &i32t);
        let c16 = self.int_const(depth, loc, 16, "i32", like);
        let high = self.binop(depth, loc, None, "arith.shrui", &bits, &c16, &i32t);
        // 0x7fff, plus one when the kept half is odd: ties go to even.
        let c1 = self.int_const(depth, loc, 1, "i32", like);
        let odd = self.binop(depth, loc, None, "arith.andi", &high, &c1, &i32t);
        let c7fff = self.int_const(depth, loc, 0x7fff, "i32", like);
        let bias = self.binop(depth, loc, None, "arith.addi", &odd, &c7fff, &i32t);
        let biased = self.binop(depth, loc, None, "arith.addi", &bits, &bias, &i32t);
        let rounded = self.binop(depth, loc, None, "arith.shrui", &biased, &c16, &i32t);
        let rounded = self.unop(depth, loc, None, "arith.trunci", &rounded, &i32t, &i16t);
        // NaN: the sign and high payload bits, quiet.
        let cabs = self.int_const(depth, loc, 0x7fff_ffff, "i32", like);
        let magnitude = self.binop(depth, loc, None, "arith.andi", &bits, &cabs, &i32t);
        let cinf = self.int_const(depth, loc, 0x7f80_0000, "i32", like);
        let is_nan = self.cmp(depth, loc, "arith.cmpi", I_UGT, &magnitude, &cinf, &i32t, like);
        let cquiet = self.int_const(depth, loc, 0x40, "i32", like);
        let quiet = self.binop(depth, loc, None, "arith.ori", &high, &cquiet, &i32t);
        let quiet = self.unop(depth, loc, None, "arith.trunci", &quiet, &i32t, &i16t);
        self.select(depth, loc, out, &is_nan, &quiet, &rounded, &i16t, like)
    }

    /// The f64 `x` (shaped as `like`) rounded to f32 **to odd**: toward
    /// zero, with the last bit set when inexact. Rounding that to bf16 to
    /// nearest is the one rounding of `x` to bf16.
    fn f64_to_f32_odd(&mut self, depth: usize, loc: Location, x: &str, like: Type) -> String {
        let (f64t, f32t, i32t) = (self.like(like, "f64"), self.like(like, "f32"), self.like(like, "i32"));
        let near = self.unop(depth, loc, None, "arith.truncf", x, &f64t, &f32t);
        let back = self.unop(depth, loc, None, "arith.extf", &near, &f32t, &f64t);
        let inexact = self.cmp(depth, loc, "arith.cmpf", F_UNE, &back, x, &f64t, like);
        let abs_back = self.unop(depth, loc, None, "math.absf", &back, &f64t, &f64t);
        let abs_x = self.unop(depth, loc, None, "math.absf", x, &f64t, &f64t);
        let away = self.cmp(depth, loc, "arith.cmpf", F_OGT, &abs_back, &abs_x, &f64t, like);
        let bits = self.unop(depth, loc, None, "arith.bitcast", &near, &f32t, &i32t);
        // Rounded away from zero: one step back (an infinity becomes the
        // largest finite value, which is odd). NaN is never "away".
        let c1 = self.int_const(depth, loc, 1, "i32", like);
        let less = self.binop(depth, loc, None, "arith.subi", &bits, &c1, &i32t);
        let toward_zero = self.select(depth, loc, None, &away, &less, &bits, &i32t, like);
        let odd = self.binop(depth, loc, None, "arith.ori", &toward_zero, &c1, &i32t);
        let r = self.select(depth, loc, None, &inexact, &odd, &bits, &i32t, like);
        self.unop(depth, loc, None, "arith.bitcast", &r, &i32t, &f32t)
    }

    /// The f64 `x` rounded once to bf16.
    fn f64_to_bf16(&mut self, depth: usize, loc: Location, x: &str, like: Type, out: Option<&str>) -> String {
        let odd = self.f64_to_f32_odd(depth, loc, x, like);
        self.f32_to_bf16(depth, loc, &odd, like, out)
    }

    /// The integer `x` (`width` bits, at most 64, shaped as `like`) as an
    /// f64 that rounds to bf16 as `x` does: `x` itself up to 53 bits.
    #[allow(clippy::too_many_arguments)]
    fn int_to_f64(
        &mut self,
        depth: usize,
        loc: Location,
        x: &str,
        width: u32,
        signed: bool,
        like: Type,
    ) -> String {
        let (it, i64t, f64t) =
            (self.like(like, &format!("i{width}")), self.like(like, "i64"), self.like(like, "f64"));
        let to_fp = if signed { "arith.sitofp" } else { "arith.uitofp" };
        if width <= 53 {
            return self.unop(depth, loc, None, to_fp, x, &it, &f64t);
        }
        let x = if width < 64 {
            let ext = if signed { "arith.extsi" } else { "arith.extui" };
            self.unop(depth, loc, None, ext, x, &it, &i64t)
        } else {
            x.to_string()
        };
        let c0 = self.int_const(depth, loc, 0, "i64", like);
        let (magnitude, negative) = if signed {
            let neg = self.cmp(depth, loc, "arith.cmpi", I_SLT, &x, &c0, &i64t, like);
            let minus = self.binop(depth, loc, None, "arith.subi", &c0, &x, &i64t);
            (self.select(depth, loc, None, &neg, &minus, &x, &i64t, like), Some(neg))
        } else {
            (x, None)
        };
        // From 2^53 up, bits 0..10 lie far below bf16's rounding bit: fold
        // them into bit 11 (sticky) and the value is exact in f64.
        let c2_53 = self.int_const(depth, loc, 1 << 53, "i64", like);
        let big = self.cmp(depth, loc, "arith.cmpi", I_UGE, &magnitude, &c2_53, &i64t, like);
        let c_low = self.int_const(depth, loc, 0x7ff, "i64", like);
        let low = self.binop(depth, loc, None, "arith.andi", &magnitude, &c_low, &i64t);
        let inexact = self.cmp(depth, loc, "arith.cmpi", I_NE, &low, &c0, &i64t, like);
        let c_high = self.int_const(depth, loc, !0x7ff, "i64", like);
        let cleared = self.binop(depth, loc, None, "arith.andi", &magnitude, &c_high, &i64t);
        let c_sticky = self.int_const(depth, loc, 0x800, "i64", like);
        let sticky = self.binop(depth, loc, None, "arith.ori", &cleared, &c_sticky, &i64t);
        let folded = self.select(depth, loc, None, &inexact, &sticky, &cleared, &i64t, like);
        let v = self.select(depth, loc, None, &big, &folded, &magnitude, &i64t, like);
        let f = self.unop(depth, loc, None, "arith.uitofp", &v, &i64t, &f64t);
        match negative {
            Some(neg) => {
                let minus = self.unop(depth, loc, None, "arith.negf", &f, &f64t, &f64t);
                self.select(depth, loc, None, &neg, &minus, &f, &f64t, like)
            }
            None => f,
        }
    }

    /// Translates an op for which [`handles`] holds (see the module
    /// comment).
    pub(super) fn bf16_op(&mut self, op: OpId, depth: usize) {
        let ctx = self.ctx;
        let name = ctx.op_name(op).to_string();
        let loc = ctx.op_location(op);
        let operands = ctx.operands(op).to_vec();
        let results = ctx.results(op).to_vec();
        let (Some(&r), true) = (results.first(), results.len() == 1) else {
            return self.bf16_widened(op, &name, depth);
        };
        let rt = ctx.value_type(r);
        let out = self.name(r);
        let x = operands.first().map(|&x| (ctx.value_type(x), self.name(x)));
        let i16t = self.like(rt, "i16");
        match (name.as_str(), x) {
            ("arith.constant", _) => self.bf16_constant(op, depth, &out),
            ("arith.negf", Some((xt, xn))) => {
                let sign = self.int_const(depth, loc, -0x8000, "i16", xt);
                self.binop(depth, loc, Some(&out), "arith.xori", &xn, &sign, &i16t);
            }
            ("math.absf", Some((xt, xn))) => {
                let magnitude = self.int_const(depth, loc, 0x7fff, "i16", xt);
                self.binop(depth, loc, Some(&out), "arith.andi", &xn, &magnitude, &i16t);
            }
            ("math.copysign", Some((xt, xn))) if operands.len() == 2 => {
                let yn = self.name(operands[1]);
                let magnitude = self.int_const(depth, loc, 0x7fff, "i16", xt);
                let sign = self.int_const(depth, loc, -0x8000, "i16", xt);
                let m = self.binop(depth, loc, None, "arith.andi", &xn, &magnitude, &i16t);
                let s = self.binop(depth, loc, None, "arith.andi", &yn, &sign, &i16t);
                self.binop(depth, loc, Some(&out), "arith.ori", &m, &s, &i16t);
            }
            ("arith.extf", Some((xt, xn))) => {
                if elem_kind(ctx, rt) == Some(FloatKind::F32) {
                    self.bf16_to_f32(depth, loc, &xn, xt, Some(&out));
                } else {
                    let f = self.bf16_to_f32(depth, loc, &xn, xt, None);
                    let (f32t, rts) = (self.like(xt, "f32"), self.ty(rt));
                    self.unop(depth, loc, Some(&out), "arith.extf", &f, &f32t, &rts);
                }
            }
            ("arith.truncf", _) if ctx.attr(op, "roundingmode").is_some() => {
                self.error(op, "with a rounding mode has no translation to bf16; only the default (to nearest, ties to even) has");
            }
            ("arith.truncf", Some((xt, xn))) => match elem_kind(ctx, xt) {
                Some(FloatKind::F32) => {
                    self.f32_to_bf16(depth, loc, &xn, xt, Some(&out));
                }
                Some(FloatKind::F64) => {
                    self.f64_to_bf16(depth, loc, &xn, xt, Some(&out));
                }
                _ => self.error(op, "has no translation to bf16 from this type"),
            },
            ("arith.sitofp" | "arith.uitofp", Some((xt, xn))) => {
                match ctx.integer_width(ctx.element_type_or_self(xt)) {
                    Some(width) if width <= 64 => {
                        let f = self.int_to_f64(depth, loc, &xn, width, name == "arith.sitofp", xt);
                        self.f64_to_bf16(depth, loc, &f, xt, Some(&out));
                    }
                    _ => self.error(op, "to bf16 supports integers of at most 64 bits"),
                }
            }
            _ => self.bf16_widened(op, &name, depth),
        }
    }

    /// `arith.constant` of bf16 values: their bits.
    fn bf16_constant(&mut self, op: OpId, depth: usize, out: &str) {
        let ctx = self.ctx;
        let loc = ctx.op_location(op);
        let bits = |b: u64| float_bits_in_kind(f64::from_bits(b), FloatKind::BF16) as u16 as i16;
        let value = ctx.attr(op, "value").map(|a| ctx.attr_data(a));
        let text = match value {
            Some(AttributeData::Float { bits: b, .. }) => format!("{} : i16", bits(*b)),
            Some(AttributeData::DenseElements { ty, data: DenseData::Float(v) }) => {
                let elems: Vec<String> = v.iter().map(|b| bits(*b).to_string()).collect();
                let elems =
                    if elems.len() == 1 { elems[0].clone() } else { format!("[{}]", elems.join(", ")) };
                format!("dense<{elems}> : {}", self.ty(*ty))
            }
            _ => {
                self.error(op, "requires a float or dense float 'value' for a bf16 constant");
                return;
            }
        };
        let ty = self.ty(ctx.value_type(ctx.result(op, 0)));
        self.emit_op(
            depth,
            loc,
            Some(out),
            "arith.constant",
            &[],
            &format!(" <{{value = {text}}}>"),
            &[],
            &ty,
        );
    }

    /// `op` computed in f32 (f64 for fma) on its extended bf16 operands,
    /// each bf16 result rounded.
    fn bf16_widened(&mut self, op: OpId, name: &str, depth: usize) {
        let ctx = self.ctx;
        let loc = ctx.op_location(op);
        let fma = matches!(name, "math.fma" | "vector.fma");
        // vector.fma is math.fma on vectors (see emit.rs).
        let upstream = if name == "vector.fma" { "math.fma" } else { name };
        let compute = if fma { "f64" } else { "f32" };
        let (mut args, mut arg_tys) = (Vec::new(), Vec::new());
        for x in ctx.operands(op).to_vec() {
            let xt = ctx.value_type(x);
            let xn = self.name(x);
            if is_bf16(ctx, xt) {
                let mut w = self.bf16_to_f32(depth, loc, &xn, xt, None);
                if fma {
                    let (f32t, f64t) = (self.like(xt, "f32"), self.like(xt, "f64"));
                    w = self.unop(depth, loc, None, "arith.extf", &w, &f32t, &f64t);
                }
                args.push(w);
                arg_tys.push(self.like(xt, compute));
            } else {
                args.push(xn);
                arg_tys.push(self.ty(xt));
            }
        }
        let (mut outs, mut res_tys, mut rounds) = (Vec::new(), Vec::new(), Vec::new());
        for r in ctx.results(op).to_vec() {
            let rt = ctx.value_type(r);
            if is_bf16(ctx, rt) {
                let wide = self.fresh();
                outs.push(wide.clone());
                res_tys.push(self.like(rt, compute));
                rounds.push((wide, self.name(r), rt));
            } else {
                outs.push(self.name(r));
                res_tys.push(self.ty(rt));
            }
        }
        let scalar_f32 = !fma && res_tys.len() == 1 && res_tys[0] == "f32" && !rounds.is_empty();
        let libm = match upstream {
            "math.expm1" if scalar_f32 => Some("expm1f"),
            "math.log1p" if scalar_f32 => Some("log1pf"),
            _ => None,
        };
        let mut text = if outs.is_empty() { String::new() } else { format!("{} = ", outs.join(", ")) };
        match libm {
            // As for f32 (emit.rs): libm, not upstream's imprecise expansion.
            Some(func) => {
                let _ =
                    write!(text, "\"func.call\"({}) <{{callee = @{func}}}> : (f32) -> f32", args.join(", "));
                self.libm.insert((func, "f32".to_string()));
            }
            None => {
                let _ = write!(
                    text,
                    "\"{upstream}\"({}){} : ({}) -> ({})",
                    args.join(", "),
                    self.attr_dict(op),
                    arg_tys.join(", "),
                    res_tys.join(", ")
                );
            }
        }
        self.line(depth, &text, loc);
        for (wide, out, rt) in rounds {
            if fma {
                self.f64_to_bf16(depth, loc, &wide, rt, Some(&out));
            } else {
                self.f32_to_bf16(depth, loc, &wide, rt, Some(&out));
            }
        }
    }

    /// The lines of a `scf.reduce` region combining `l` and `r` into `x`
    /// with `op_name`, when they are bf16 (else `None`): the same widening
    /// as [`Emitter::bf16_op`].
    #[allow(clippy::too_many_arguments)]
    pub(super) fn bf16_combine(
        &mut self,
        op_name: &str,
        l: &str,
        r: &str,
        x: &str,
        ty: Type,
        depth: usize,
        loc: Location,
    ) -> Option<String> {
        if !is_bf16(self.ctx, ty) {
            return None;
        }
        let saved = std::mem::take(&mut self.out);
        let lw = self.bf16_to_f32(depth, loc, l, ty, None);
        let rw = self.bf16_to_f32(depth, loc, r, ty, None);
        let f32t = self.like(ty, "f32");
        let c = self.binop(depth, loc, None, op_name, &lw, &rw, &f32t);
        self.f32_to_bf16(depth, loc, &c, ty, Some(x));
        Some(std::mem::replace(&mut self.out, saved))
    }
}
