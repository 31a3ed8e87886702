//! Dispatch macros over [`crate::Data`]'s variants, so that generic code is
//! written once for every element type.

/// Evaluates `$body` with `$v` bound to the typed vector inside a `Data`
/// (by whatever binding mode the scrutinee gives).
macro_rules! with_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            $crate::Data::I1($v) => $body,
            $crate::Data::I8($v) => $body,
            $crate::Data::I16($v) => $body,
            $crate::Data::I32($v) => $body,
            $crate::Data::I64($v) => $body,
            $crate::Data::U8($v) => $body,
            $crate::Data::F16($v) => $body,
            $crate::Data::BF16($v) => $body,
            $crate::Data::F32($v) => $body,
            $crate::Data::F64($v) => $body,
        }
    };
}

/// Like [`with_data`], but wraps the resulting vector back into the same variant.
macro_rules! map_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            $crate::Data::I1($v) => $crate::Data::I1($body),
            $crate::Data::I8($v) => $crate::Data::I8($body),
            $crate::Data::I16($v) => $crate::Data::I16($body),
            $crate::Data::I32($v) => $crate::Data::I32($body),
            $crate::Data::I64($v) => $crate::Data::I64($body),
            $crate::Data::U8($v) => $crate::Data::U8($body),
            $crate::Data::F16($v) => $crate::Data::F16($body),
            $crate::Data::BF16($v) => $crate::Data::BF16($body),
            $crate::Data::F32($v) => $crate::Data::F32($body),
            $crate::Data::F64($v) => $crate::Data::F64($body),
        }
    };
}

/// Declares a fieldless enum of op names with `ALL`, `name()`, `from_name()`
/// and `Display`, so the spelling of each name lives in exactly one place.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $var:ident = $s:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $var, )*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),*];

            /// The name as spelled in the `array` dialect.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$var => $s, )*
                }
            }

            /// Parses a name (the inverse of `name`).
            pub fn from_name(name: &str) -> $crate::error::Result<$name> {
                match name {
                    $( $s => Ok($name::$var), )*
                    _ => Err($crate::error::NdError::UnknownName { what: $what, name: name.to_string() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
