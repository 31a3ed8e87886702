//! The combining ops of `loop.parallel` reductions: commutative and
//! associative arith ops named by their full op name.

use axir_ir::{Context, Type, TypeData};

/// A reduction of `loop.parallel`, named after the arith op that combines
/// two partial values.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ReductionKind {
    /// `arith.addf`.
    AddF,
    /// `arith.mulf`.
    MulF,
    /// `arith.maximumf` (NaN-propagating).
    MaximumF,
    /// `arith.minimumf` (NaN-propagating).
    MinimumF,
    /// `arith.addi`.
    AddI,
    /// `arith.muli`.
    MulI,
    /// `arith.maxsi`.
    MaxSI,
    /// `arith.minsi`.
    MinSI,
    /// `arith.maxui`.
    MaxUI,
    /// `arith.minui`.
    MinUI,
    /// `arith.andi`.
    AndI,
    /// `arith.ori`.
    OrI,
    /// `arith.xori`.
    XOrI,
}

impl ReductionKind {
    /// Every kind, in the documented order.
    pub const ALL: [ReductionKind; 13] = [
        ReductionKind::AddF,
        ReductionKind::MulF,
        ReductionKind::MaximumF,
        ReductionKind::MinimumF,
        ReductionKind::AddI,
        ReductionKind::MulI,
        ReductionKind::MaxSI,
        ReductionKind::MinSI,
        ReductionKind::MaxUI,
        ReductionKind::MinUI,
        ReductionKind::AndI,
        ReductionKind::OrI,
        ReductionKind::XOrI,
    ];

    /// The full name of the combining op, e.g. `arith.addf`.
    pub fn op_name(self) -> &'static str {
        match self {
            ReductionKind::AddF => "arith.addf",
            ReductionKind::MulF => "arith.mulf",
            ReductionKind::MaximumF => "arith.maximumf",
            ReductionKind::MinimumF => "arith.minimumf",
            ReductionKind::AddI => "arith.addi",
            ReductionKind::MulI => "arith.muli",
            ReductionKind::MaxSI => "arith.maxsi",
            ReductionKind::MinSI => "arith.minsi",
            ReductionKind::MaxUI => "arith.maxui",
            ReductionKind::MinUI => "arith.minui",
            ReductionKind::AndI => "arith.andi",
            ReductionKind::OrI => "arith.ori",
            ReductionKind::XOrI => "arith.xori",
        }
    }

    /// The kind whose combining op is `name`.
    pub fn from_op_name(name: &str) -> Option<ReductionKind> {
        Self::ALL.into_iter().find(|k| k.op_name() == name)
    }

    /// Whether the combining op works on floats (else on integers).
    pub fn is_float(self) -> bool {
        matches!(
            self,
            ReductionKind::AddF | ReductionKind::MulF | ReductionKind::MaximumF | ReductionKind::MinimumF
        )
    }

    /// Whether the combining op accepts values of type `ty`: floats for the
    /// float kinds, signless integers or `index` for the others, or vectors
    /// of them.
    pub fn accepts(self, ctx: &Context, ty: Type) -> bool {
        let element = match ctx.type_data(ty) {
            TypeData::Vector { element, .. } => *element,
            _ => ty,
        };
        match ctx.type_data(element) {
            TypeData::Float(_) => self.is_float(),
            TypeData::Index => !self.is_float(),
            TypeData::Integer { signedness, .. } => {
                !self.is_float() && *signedness == axir_ir::Signedness::Signless
            }
            _ => false,
        }
    }
}
