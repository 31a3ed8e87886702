//! Source locations, interned in the [`Context`], with MLIR's `loc(...)` forms.

use crate::attributes::write_escaped_string;
use crate::context::{Context, Ident};
use std::fmt;

/// An interned location. Every operation and block argument has one.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Location(pub(crate) u32);

/// Structural description of a location.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum LocationData {
    /// `loc(unknown)`.
    Unknown,
    /// `loc("file.axir":3:5)`; line and column are 1-based.
    FileLineCol {
        /// File name as given to the parser (interned: locations are made
        /// for every parsed op, so they must not allocate).
        file: Ident,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        col: u32,
    },
    /// `loc("name")` or `loc("name"(child))`.
    Name {
        /// The name.
        name: String,
        /// The location the name annotates.
        child: Option<Location>,
    },
    /// `loc(callsite(callee at caller))`.
    CallSite {
        /// Where the code is.
        callee: Location,
        /// Where it was called from.
        caller: Location,
    },
    /// `loc(fused[a, b])`.
    Fused(Vec<Location>),
}

impl Context {
    /// Interns a location.
    pub fn intern_location(&mut self, data: LocationData) -> Location {
        Location(self.locations.intern(data))
    }

    /// The structure of a location.
    pub fn location_data(&self, loc: Location) -> &LocationData {
        self.locations.get(loc.0)
    }

    /// `loc(unknown)`.
    pub fn unknown_loc(&self) -> Location {
        // Invariant: the context interns `Unknown` first, at id 0.
        Location(0)
    }

    /// `loc("file":line:col)`.
    pub fn file_loc(&mut self, file: &str, line: u32, col: u32) -> Location {
        let file = self.ident(file);
        self.intern_location(LocationData::FileLineCol { file, line, col })
    }

    /// The first file/line/column found inside `loc`, for rendering diagnostics.
    pub fn file_line_col(&self, loc: Location) -> Option<(&str, u32, u32)> {
        match self.location_data(loc) {
            LocationData::Unknown => None,
            LocationData::FileLineCol { file, line, col } => Some((self.ident_str(*file), *line, *col)),
            LocationData::Name { child, .. } => child.and_then(|c| self.file_line_col(c)),
            LocationData::CallSite { callee, .. } => self.file_line_col(*callee),
            LocationData::Fused(locs) => locs.iter().find_map(|l| self.file_line_col(*l)),
        }
    }

    /// Displays a location as `loc(...)`.
    pub fn display_location(&self, loc: Location) -> DisplayLocation<'_> {
        DisplayLocation { ctx: self, loc, wrap: true }
    }
}

/// Displays a [`Location`]; see [`Context::display_location`].
pub struct DisplayLocation<'a> {
    ctx: &'a Context,
    loc: Location,
    wrap: bool,
}

impl fmt::Display for DisplayLocation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wrap {
            f.write_str("loc(")?;
        }
        let inner = |loc| DisplayLocation { ctx: self.ctx, loc, wrap: false };
        match self.ctx.location_data(self.loc) {
            LocationData::Unknown => f.write_str("unknown")?,
            LocationData::FileLineCol { file, line, col } => {
                write_escaped_string(f, self.ctx.ident_str(*file))?;
                write!(f, ":{line}:{col}")?;
            }
            LocationData::Name { name, child } => {
                write_escaped_string(f, name)?;
                if let Some(c) = child {
                    write!(f, "({})", inner(*c))?;
                }
            }
            LocationData::CallSite { callee, caller } => {
                write!(f, "callsite({} at {})", inner(*callee), inner(*caller))?;
            }
            LocationData::Fused(locs) => {
                f.write_str("fused[")?;
                for (i, l) in locs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", inner(*l))?;
                }
                f.write_str("]")?;
            }
        }
        if self.wrap {
            f.write_str(")")?;
        }
        Ok(())
    }
}
