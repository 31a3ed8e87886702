//! Pass options: their declarations and the `{key=value key2=value}`
//! syntax of pipelines.
//!
//! Invariant: a [`PassOptions`] only holds options its pass declared, with
//! values already checked against the declared kind, so the typed getters
//! never fail.

use crate::error::OptionError;

/// The type of an option's value.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum OptionKind {
    /// `true`/`false` (also `1`/`0`); a bare `key` means `key=true`.
    Bool,
    /// A signed 64-bit integer.
    Int,
    /// An unsigned 64-bit integer.
    UInt,
    /// Any text; quote it (`"a b"`) to include spaces.
    Str,
    /// Comma-separated texts.
    List,
}

impl OptionKind {
    fn expected(self) -> &'static str {
        match self {
            OptionKind::Bool => "expected 'true' or 'false'",
            OptionKind::Int => "expected an integer",
            OptionKind::UInt => "expected a non-negative integer",
            OptionKind::Str | OptionKind::List => "expected a value",
        }
    }

    /// How the kind is written in option documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionKind::Bool => "bool",
            OptionKind::Int => "int",
            OptionKind::UInt => "uint",
            OptionKind::Str => "string",
            OptionKind::List => "list",
        }
    }
}

/// The declaration of one option of a pass.
#[derive(Copy, Clone, Debug)]
pub struct PassOptionInfo {
    /// The key, e.g. `max-iterations`.
    pub name: &'static str,
    /// The type of its value.
    pub kind: OptionKind,
    /// The default, written as in a pipeline (`10`, `true`, `a,b`).
    pub default: &'static str,
    /// What it controls.
    pub description: &'static str,
}

/// A typed option value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue {
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A text.
    Str(String),
    /// A list of texts.
    List(Vec<String>),
}

impl OptionValue {
    fn parse(kind: OptionKind, text: &str) -> Option<Self> {
        match kind {
            OptionKind::Bool => match text {
                "true" | "1" | "" => Some(OptionValue::Bool(true)),
                "false" | "0" => Some(OptionValue::Bool(false)),
                _ => None,
            },
            OptionKind::Int => text.parse().ok().map(OptionValue::Int),
            OptionKind::UInt => text.parse().ok().map(OptionValue::UInt),
            OptionKind::Str => Some(OptionValue::Str(text.to_string())),
            OptionKind::List => Some(OptionValue::List(
                text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
            )),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            OptionValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            OptionValue::Int(i) => out.push_str(&i.to_string()),
            OptionValue::UInt(u) => out.push_str(&u.to_string()),
            OptionValue::Str(s) if s.is_empty() || s.contains([' ', '}', '{', '"', ',', '(', ')']) => {
                out.push('"');
                out.push_str(&s.replace('"', "\\\""));
                out.push('"');
            }
            OptionValue::Str(s) => out.push_str(s),
            OptionValue::List(items) => out.push_str(&items.join(",")),
        }
    }
}

/// The options of one pass instance: values given in the pipeline, checked
/// against the pass's declarations, with the declared defaults behind them.
#[derive(Clone, Debug, Default)]
pub struct PassOptions {
    declared: &'static [PassOptionInfo],
    given: Vec<(&'static str, OptionValue)>,
}

impl PassOptions {
    /// No option given; every getter answers the declared default.
    pub fn defaults(declared: &'static [PassOptionInfo]) -> Self {
        Self { declared, given: Vec::new() }
    }

    /// Parses `key=value key2=value` (the text between the braces of
    /// `pass{...}`) against the declarations.
    pub fn parse(declared: &'static [PassOptionInfo], text: &str) -> Result<Self, OptionError> {
        let mut options = Self::defaults(declared);
        for (key, value) in split_options(text)? {
            let Some(info) = declared.iter().find(|d| d.name == key) else {
                return Err(OptionError::Unknown(key.to_string()));
            };
            let Some(parsed) = OptionValue::parse(info.kind, &value) else {
                return Err(OptionError::InvalidValue {
                    option: info.name.to_string(),
                    value,
                    expected: info.kind.expected(),
                });
            };
            options.given.retain(|(k, _)| *k != info.name);
            options.given.push((info.name, parsed));
        }
        Ok(options)
    }

    /// The declarations these options were checked against.
    pub fn declared(&self) -> &'static [PassOptionInfo] {
        self.declared
    }

    /// Whether `name` was given explicitly.
    pub fn is_set(&self, name: &str) -> bool {
        self.given.iter().any(|(k, _)| *k == name)
    }

    /// The value of `name`: given, else the declared default; `None` for an
    /// undeclared name (a bug of the pass, never of the user).
    pub fn value(&self, name: &str) -> Option<OptionValue> {
        if let Some((_, v)) = self.given.iter().find(|(k, _)| *k == name) {
            return Some(v.clone());
        }
        let info = self.declared.iter().find(|d| d.name == name)?;
        OptionValue::parse(info.kind, info.default)
    }

    /// A boolean option (`false` when undeclared).
    pub fn bool(&self, name: &str) -> bool {
        matches!(self.value(name), Some(OptionValue::Bool(true)))
    }

    /// A signed integer option (0 when undeclared).
    pub fn int(&self, name: &str) -> i64 {
        match self.value(name) {
            Some(OptionValue::Int(i)) => i,
            Some(OptionValue::UInt(u)) => i64::try_from(u).unwrap_or(i64::MAX),
            _ => 0,
        }
    }

    /// An unsigned integer option (0 when undeclared).
    pub fn uint(&self, name: &str) -> u64 {
        match self.value(name) {
            Some(OptionValue::UInt(u)) => u,
            Some(OptionValue::Int(i)) => u64::try_from(i).unwrap_or(0),
            _ => 0,
        }
    }

    /// A text option (empty when undeclared).
    pub fn string(&self, name: &str) -> String {
        match self.value(name) {
            Some(OptionValue::Str(s)) => s,
            _ => String::new(),
        }
    }

    /// A list option (empty when undeclared).
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.value(name) {
            Some(OptionValue::List(l)) => l,
            _ => Vec::new(),
        }
    }

    /// The given options as pipeline text, `{a=1 b=true}`, or `""` when
    /// none was given.
    pub fn to_pipeline_string(&self) -> String {
        if self.given.is_empty() {
            return String::new();
        }
        let mut out = String::from("{");
        for (i, (k, v)) in self.given.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(k);
            out.push('=');
            v.write(&mut out);
        }
        out.push('}');
        out
    }
}

/// Splits `a=1 b="x y" c={p q}` into key/value pairs. A bare key has an
/// empty value (a boolean `true`).
fn split_options(text: &str) -> Result<Vec<(&str, String)>, OptionError> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = &text[start..i];
        if i >= bytes.len() || bytes[i] != b'=' {
            out.push((key, String::new()));
            continue;
        }
        if key.is_empty() {
            return Err(OptionError::Syntax("expected an option name before '='".to_string()));
        }
        i += 1;
        let value = match bytes.get(i) {
            Some(b'"') => {
                let mut value = String::new();
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(OptionError::Syntax(format!(
                                "unterminated string for option '{key}'"
                            )))
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') if bytes.get(i + 1).is_some() => {
                            let c = text[i + 1..].chars().next().unwrap_or('\\');
                            value.push(c);
                            i += 1 + c.len_utf8();
                        }
                        Some(_) => {
                            let c = text[i..].chars().next().unwrap_or(' ');
                            value.push(c);
                            i += c.len_utf8();
                        }
                    }
                }
                value
            }
            Some(b'{') => {
                let open = i;
                let mut depth = 0usize;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(OptionError::Syntax(format!(
                                "missing closing '}}' in the value of '{key}'"
                            )))
                        }
                        Some(b'{') => depth += 1,
                        Some(b'}') => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        Some(_) => {}
                    }
                    i += 1;
                }
                text[open + 1..i - 1].to_string()
            }
            _ => {
                let vstart = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                text[vstart..i].to_string()
            }
        };
        out.push((key, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECL: &[PassOptionInfo] = &[
        PassOptionInfo { name: "max-iterations", kind: OptionKind::UInt, default: "10", description: "" },
        PassOptionInfo { name: "top-down", kind: OptionKind::Bool, default: "true", description: "" },
        PassOptionInfo { name: "offset", kind: OptionKind::Int, default: "-1", description: "" },
        PassOptionInfo { name: "name", kind: OptionKind::Str, default: "", description: "" },
        PassOptionInfo { name: "patterns", kind: OptionKind::List, default: "", description: "" },
    ];

    #[test]
    fn typed_values_and_defaults() {
        let o =
            PassOptions::parse(DECL, "max-iterations=3 top-down=false name=\"a b\" patterns=x,y").unwrap();
        assert_eq!(o.uint("max-iterations"), 3);
        assert!(!o.bool("top-down"));
        assert_eq!(o.int("offset"), -1);
        assert_eq!(o.string("name"), "a b");
        assert_eq!(o.list("patterns"), ["x", "y"]);
        assert_eq!(o.to_pipeline_string(), "{max-iterations=3 top-down=false name=\"a b\" patterns=x,y}");
        let d = PassOptions::defaults(DECL);
        assert_eq!(d.uint("max-iterations"), 10);
        assert!(d.bool("top-down"));
        assert_eq!(d.to_pipeline_string(), "");
    }

    #[test]
    fn bare_key_is_true_and_braces_group() {
        let o = PassOptions::parse(DECL, "top-down name={x {y} z}").unwrap();
        assert!(o.bool("top-down"));
        assert_eq!(o.string("name"), "x {y} z");
    }

    #[test]
    fn errors_name_the_option() {
        let e = PassOptions::parse(DECL, "max-iter=3").unwrap_err();
        assert_eq!(e.to_string(), "no such option 'max-iter'");
        let e = PassOptions::parse(DECL, "max-iterations=abc").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value 'abc' for option 'max-iterations': expected a non-negative integer"
        );
        let e = PassOptions::parse(DECL, "top-down=maybe").unwrap_err();
        assert_eq!(e.to_string(), "invalid value 'maybe' for option 'top-down': expected 'true' or 'false'");
        let e = PassOptions::parse(DECL, "name=\"abc").unwrap_err();
        assert_eq!(e.to_string(), "unterminated string for option 'name'");
    }
}
