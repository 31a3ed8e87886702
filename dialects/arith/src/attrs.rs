//! The arith attributes: `#arith.fastmath<...>` and `#arith.overflow<...>`
//! flags, and the attribute names arith ops use.
//!
//! The IR core keeps dialect attributes as text (`Opaque { dialect: "arith",
//! body: "fastmath<nnan,ninf>" }`); this module reads and writes that text.

use axir_ir::{Attribute, AttributeData, Context, DiagResult, OpId};

/// `arith.constant`'s value.
pub const VALUE_ATTR: &str = "value";
/// The predicate of `arith.cmpf`/`arith.cmpi`, an `i64`.
pub const PREDICATE_ATTR: &str = "predicate";
/// Fast-math flags of float ops, an `#arith.fastmath<...>`.
pub const FASTMATH_ATTR: &str = "fastmath";
/// The optional rounding mode of `arith.truncf`, an `#arith.roundingmode<...>`.
pub const ROUNDING_MODE_ATTR: &str = "roundingmode";
/// Overflow flags of `addi`, `subi`, `muli`, `shli`, `trunci`, an `#arith.overflow<...>`.
pub const OVERFLOW_ATTR: &str = "overflowFlags";

/// A set of flags spelled as MLIR's bit enums: `none`, a comma-separated
/// list of keywords, or a keyword naming every flag (`fast`).
trait BitEnum: Sized + Copy {
    /// The attribute mnemonic (`fastmath`, `overflow`).
    const MNEMONIC: &'static str;
    /// Each flag's keyword and bit.
    const FLAGS: &'static [(&'static str, u8)];
    /// A keyword naming every flag, if any.
    const ALL: Option<(&'static str, u8)>;
    fn from_bits(bits: u8) -> Self;
    fn bits(self) -> u8;

    fn parse_list(text: &str) -> Option<Self> {
        let mut bits = 0;
        for word in text.split(',').map(str::trim) {
            bits |= match word {
                "none" => 0,
                w if Self::ALL.is_some_and(|(k, _)| k == w) => Self::ALL.map_or(0, |(_, b)| b),
                w => Self::FLAGS.iter().find(|(k, _)| *k == w)?.1,
            };
        }
        Some(Self::from_bits(bits))
    }

    fn keywords(self) -> String {
        let bits = self.bits();
        if bits == 0 {
            return "none".to_string();
        }
        if let Some((all, all_bits)) = Self::ALL {
            if bits == all_bits {
                return all.to_string();
            }
        }
        Self::FLAGS.iter().filter(|(_, b)| bits & b != 0).map(|(k, _)| *k).collect::<Vec<_>>().join(",")
    }

    fn from_attr(ctx: &Context, attr: Attribute) -> Option<Self> {
        match ctx.attr_data(attr) {
            AttributeData::Opaque { dialect, body } if dialect == "arith" => {
                let inner = body.strip_prefix(Self::MNEMONIC)?.strip_prefix('<')?.strip_suffix('>')?;
                Self::parse_list(inner)
            }
            _ => None,
        }
    }

    fn to_attr(self, ctx: &mut Context) -> Attribute {
        let body = format!("{}<{}>", Self::MNEMONIC, self.keywords());
        ctx.intern_attr(AttributeData::Opaque { dialect: "arith".to_string(), body })
    }
}

/// Fast-math flags (`#arith.fastmath<nnan,ninf>`): assumptions a float op
/// may make. The folders never use them: folding stays exact regardless.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct FastMathFlags(u8);

impl BitEnum for FastMathFlags {
    const MNEMONIC: &'static str = "fastmath";
    const FLAGS: &'static [(&'static str, u8)] =
        &[("reassoc", 1), ("nnan", 2), ("ninf", 4), ("nsz", 8), ("arcp", 16), ("contract", 32), ("afn", 64)];
    const ALL: Option<(&'static str, u8)> = Some(("fast", 127));
    fn from_bits(bits: u8) -> Self {
        FastMathFlags(bits)
    }
    fn bits(self) -> u8 {
        self.0
    }
}

impl FastMathFlags {
    /// No flag: strict IEEE semantics.
    pub const NONE: FastMathFlags = FastMathFlags(0);
    /// Every flag (`fast`).
    pub const FAST: FastMathFlags = FastMathFlags(127);

    /// Parses the text between `fastmath<` and `>`: `none`, `fast`, or
    /// keywords separated by commas.
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_list(text)
    }

    /// The text between `fastmath<` and `>`, as MLIR prints it.
    pub fn keywords(self) -> String {
        BitEnum::keywords(self)
    }

    /// Reads an `#arith.fastmath<...>` attribute.
    pub fn from_attr(ctx: &Context, attr: Attribute) -> Option<Self> {
        BitEnum::from_attr(ctx, attr)
    }

    /// The `#arith.fastmath<...>` attribute holding these flags.
    pub fn to_attr(self, ctx: &mut Context) -> Attribute {
        BitEnum::to_attr(self, ctx)
    }

    /// The flags of `op` (none when it has no `fastmath` attribute).
    pub fn of(ctx: &Context, op: OpId) -> Self {
        ctx.attr(op, FASTMATH_ATTR).and_then(|a| Self::from_attr(ctx, a)).unwrap_or_default()
    }

    /// Whether no flag is set.
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// Integer overflow flags (`#arith.overflow<nsw,nuw>`): the op's result is
/// poison when it overflows as a signed (`nsw`) or unsigned (`nuw`) operation.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct IntegerOverflowFlags(u8);

impl BitEnum for IntegerOverflowFlags {
    const MNEMONIC: &'static str = "overflow";
    const FLAGS: &'static [(&'static str, u8)] = &[("nsw", 1), ("nuw", 2)];
    const ALL: Option<(&'static str, u8)> = None;
    fn from_bits(bits: u8) -> Self {
        IntegerOverflowFlags(bits)
    }
    fn bits(self) -> u8 {
        self.0
    }
}

impl IntegerOverflowFlags {
    /// No flag: the result wraps.
    pub const NONE: IntegerOverflowFlags = IntegerOverflowFlags(0);

    /// Parses the text between `overflow<` and `>`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_list(text)
    }

    /// The text between `overflow<` and `>`, as MLIR prints it.
    pub fn keywords(self) -> String {
        BitEnum::keywords(self)
    }

    /// Reads an `#arith.overflow<...>` attribute.
    pub fn from_attr(ctx: &Context, attr: Attribute) -> Option<Self> {
        BitEnum::from_attr(ctx, attr)
    }

    /// The `#arith.overflow<...>` attribute holding these flags.
    pub fn to_attr(self, ctx: &mut Context) -> Attribute {
        BitEnum::to_attr(self, ctx)
    }

    /// Whether no flag is set.
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// Checks that `op`'s optional `fastmath` attribute is an `#arith.fastmath`.
pub fn verify_fastmath(ctx: &Context, op: OpId) -> DiagResult {
    match ctx.attr(op, FASTMATH_ATTR) {
        Some(a) if FastMathFlags::from_attr(ctx, a).is_none() => Err(ctx.op_error(
            op,
            "attribute 'fastmath' failed to satisfy constraint: Floating point fast math flags",
        )),
        _ => Ok(()),
    }
}

/// Checks that `op`'s optional `overflowFlags` attribute is an `#arith.overflow`.
pub fn verify_overflow_flags(ctx: &Context, op: OpId) -> DiagResult {
    match ctx.attr(op, OVERFLOW_ATTR) {
        Some(a) if IntegerOverflowFlags::from_attr(ctx, a).is_none() => Err(ctx.op_error(
            op,
            "attribute 'overflowFlags' failed to satisfy constraint: Integer overflow arith flags",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_print_like_mlir() {
        assert_eq!(FastMathFlags::parse("fast"), Some(FastMathFlags::FAST));
        assert_eq!(FastMathFlags::parse("none"), Some(FastMathFlags::NONE));
        let f = FastMathFlags::parse("ninf, nnan").map(FastMathFlags::keywords);
        assert_eq!(f.as_deref(), Some("nnan,ninf"));
        assert_eq!(FastMathFlags::parse("bogus"), None);
        assert_eq!(IntegerOverflowFlags::parse("nuw,nsw").map(|f| f.keywords()).as_deref(), Some("nsw,nuw"));
        assert_eq!(IntegerOverflowFlags::parse("fast"), None);
    }

    #[test]
    fn flags_attribute_round_trip() {
        let mut ctx = Context::default();
        let f = FastMathFlags::parse("nnan,contract").unwrap_or_default();
        let a = f.to_attr(&mut ctx);
        assert_eq!(
            ctx.attr_data(a),
            &AttributeData::Opaque { dialect: "arith".into(), body: "fastmath<nnan,contract>".into() }
        );
        assert_eq!(FastMathFlags::from_attr(&ctx, a), Some(f));
    }
}
