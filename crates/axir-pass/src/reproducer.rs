//! Failure reproducers: the input IR of a failed pipeline with a trailer
//! that says how to replay it, in MLIR's format:
//!
//! ```text
//! {-#
//!   external_resources: {
//!     mlir_reproducer: {
//!       pipeline: "builtin.module(canonicalize,cse)",
//!       disable_threading: true,
//!       verify_each: true
//!     }
//!   }
//! #-}
//! ```
//!
//! Replay with `axopt FILE --run-reproducer`: the driver calls
//! [`split_reproducer`], parses the IR part and runs the pipeline it names.

use std::fmt::Write as _;

/// How to replay a reproducer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReproducerConfig {
    /// The pipeline, anchored (`builtin.module(...)`).
    pub pipeline: String,
    /// Always true: passes run on one thread.
    pub disable_threading: bool,
    /// Whether the IR was verified after each pass.
    pub verify_each: bool,
}

/// The reproducer file contents for `input_ir`.
pub fn reproducer_text(input_ir: &str, config: &ReproducerConfig) -> String {
    let mut out = String::with_capacity(input_ir.len() + 200);
    out.push_str(input_ir);
    if !input_ir.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("\n{-#\n  external_resources: {\n    mlir_reproducer: {\n      pipeline: \"");
    for c in config.pipeline.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    let _ = write!(
        out,
        "\",\n      disable_threading: {},\n      verify_each: {}\n    }}\n  }}\n#-}}\n",
        config.disable_threading, config.verify_each
    );
    out
}

/// Splits a file into its IR and its reproducer configuration. Without a
/// `{-# ... #-}` trailer the whole text is IR and the configuration is
/// `None`; a trailer without an `mlir_reproducer` pipeline is an error.
pub fn split_reproducer(text: &str) -> Result<(&str, Option<ReproducerConfig>), String> {
    let Some(start) = text.rfind("{-#") else { return Ok((text, None)) };
    let Some(end_rel) = text[start..].find("#-}") else {
        return Err("unterminated '{-#' resource section".to_string());
    };
    let section = &text[start + 3..start + end_rel];
    let Some(repro) = section.find("mlir_reproducer") else { return Ok((text, None)) };
    let body = &section[repro..];
    let pipeline =
        quoted_field(body, "pipeline").ok_or_else(|| "reproducer has no 'pipeline' string".to_string())??;
    let flag = |name: &str| bool_field(body, name);
    let config = ReproducerConfig {
        pipeline,
        disable_threading: flag("disable_threading").unwrap_or(true),
        verify_each: flag("verify_each").unwrap_or(true),
    };
    Ok((&text[..start], Some(config)))
}

/// The value of `name: "..."` in `body`, unescaped.
fn quoted_field(body: &str, name: &str) -> Option<Result<String, String>> {
    let at = find_key(body, name)?;
    let rest = body[at..].trim_start();
    let Some(rest) = rest.strip_prefix('"') else {
        return Some(Err(format!("reproducer field '{name}' must be a string")));
    };
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(Ok(out)),
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some(c) => out.push(c),
                None => break,
            },
            c => out.push(c),
        }
    }
    Some(Err(format!("unterminated string in reproducer field '{name}'")))
}

fn bool_field(body: &str, name: &str) -> Option<bool> {
    let at = find_key(body, name)?;
    let rest = body[at..].trim_start();
    if rest.starts_with("true") {
        Some(true)
    } else if rest.starts_with("false") {
        Some(false)
    } else {
        None
    }
}

/// The offset just after `name:` in `body`.
fn find_key(body: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = body[from..].find(name) {
        let at = from + i + name.len();
        let rest = body[at..].trim_start();
        let boundary = from + i == 0 || !body.as_bytes()[from + i - 1].is_ascii_alphanumeric();
        if boundary && rest.starts_with(':') {
            return Some(body.len() - rest.len() + 1);
        }
        from = at;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_text_format() {
        let config = ReproducerConfig {
            pipeline: "builtin.module(canonicalize{max-iterations=3},cse)".into(),
            disable_threading: true,
            verify_each: false,
        };
        let text = reproducer_text("module {\n}\n", &config);
        assert!(text.starts_with("module {\n}\n\n{-#\n  external_resources: {\n    mlir_reproducer: {\n"));
        let (ir, parsed) = split_reproducer(&text).unwrap();
        assert_eq!(ir, "module {\n}\n\n");
        assert_eq!(parsed, Some(config));
    }

    #[test]
    fn reads_mlir_single_line_trailers() {
        let text = "func.func @f() {\n  return\n}\n{-# external_resources: { mlir_reproducer: { \
                    pipeline: \"builtin.module(func.func(cse))\", disable_threading: true, verify_each: true } } #-}\n";
        let (ir, config) = split_reproducer(text).unwrap();
        assert!(ir.ends_with("}\n"));
        let config = config.unwrap();
        assert_eq!(config.pipeline, "builtin.module(func.func(cse))");
        assert!(config.verify_each);
    }

    #[test]
    fn files_without_trailer_are_plain_ir_and_bad_trailers_are_errors() {
        assert_eq!(split_reproducer("module {}\n").unwrap(), ("module {}\n", None));
        assert!(split_reproducer("{-# external_resources: { mlir_reproducer: { } }").is_err());
        assert!(split_reproducer("{-# external_resources: { mlir_reproducer: { verify_each: true } } #-}")
            .is_err());
    }
}
