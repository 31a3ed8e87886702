//! The textual pipeline syntax, as in MLIR's `--pass-pipeline`:
//!
//! ```text
//! pipeline := element (',' element)*
//! element  := name ('{' options '}')?        a pass or a registered pipeline
//!           | op-name '(' pipeline? ')'      a nested pass manager
//! ```
//!
//! `op-name` is an op name such as `builtin.module` or `func.func`, or `any`.
//! Options are `key=value` pairs separated by spaces, checked against the
//! pass's declarations.

use crate::error::PipelineError;
use crate::manager::PassManager;
use crate::options::PassOptions;
use crate::registry::PassRegistry;

/// How deeply registered pipelines may refer to other registered pipelines.
const MAX_PIPELINE_EXPANSION: u32 = 16;

/// One parsed element, with byte offsets into the text for errors.
#[derive(Debug)]
enum Element<'t> {
    Pass { name: &'t str, offset: usize, options: Option<(&'t str, usize)> },
    Nested { anchor: &'t str, offset: usize, children: Vec<Element<'t>> },
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Parser<'t> {
    fn error(&self, message: impl Into<String>, offset: usize) -> PipelineError {
        PipelineError::new(message, offset, self.text)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn name(&mut self) -> &'t str {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'$'))
        {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// Parses elements up to a `)` or the end; `nested` says whether a `)`
    /// may close the list.
    fn list(&mut self, nested: bool) -> Result<Vec<Element<'t>>, PipelineError> {
        let mut out = Vec::new();
        self.skip_ws();
        if nested && self.peek() == Some(b')') {
            return Ok(out);
        }
        loop {
            self.skip_ws();
            let offset = self.pos;
            let name = self.name();
            if name.is_empty() {
                return Err(self.error("expected pass or pipeline name", offset));
            }
            self.skip_ws();
            let options = if self.peek() == Some(b'{') { Some(self.options()?) } else { None };
            self.skip_ws();
            if self.peek() == Some(b'(') {
                if let Some((_, at)) = options {
                    return Err(self.error(format!("nested pass manager '{name}' cannot take options"), at));
                }
                let open = self.pos;
                self.pos += 1;
                let children = self.list(true)?;
                self.skip_ws();
                if self.peek() != Some(b')') {
                    return Err(self.error("encountered unbalanced parentheses while parsing pipeline", open));
                }
                self.pos += 1;
                out.push(Element::Nested { anchor: name, offset, children });
            } else {
                out.push(Element::Pass { name, offset, options });
            }
            self.skip_ws();
            if self.peek() == Some(b',') {
                self.pos += 1;
                continue;
            }
            return Ok(out);
        }
    }

    /// Parses `{...}` (braces and quotes balanced); returns the inner text
    /// and its offset.
    fn options(&mut self) -> Result<(&'t str, usize), PipelineError> {
        let open = self.pos;
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut in_string = false;
        while let Some(&c) = bytes.get(self.pos) {
            match c {
                b'\\' if in_string => self.pos += 1,
                b'"' => in_string = !in_string,
                b'{' if !in_string => depth += 1,
                b'}' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Ok((&self.text[open + 1..self.pos - 1], open + 1));
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        Err(self.error("missing closing '}' while processing pass options", open))
    }
}

fn parse_elements(text: &str) -> Result<Vec<Element<'_>>, PipelineError> {
    let mut p = Parser { text, pos: 0 };
    let elements = p.list(false)?;
    p.skip_ws();
    match p.peek() {
        None => Ok(elements),
        Some(b')') => Err(p.error("encountered unbalanced parentheses while parsing pipeline", p.pos)),
        Some(_) => Err(p.error("expected ',' after parsing pipeline", p.pos)),
    }
}

/// Parses an anchored pipeline such as
/// `builtin.module(func.func(canonicalize{max-iterations=3},cse))` into a
/// pass manager, creating each pass through `registry`.
pub fn parse_pipeline(text: &str, registry: &PassRegistry) -> Result<PassManager, PipelineError> {
    let elements = parse_elements(text)?;
    match elements.as_slice() {
        [Element::Nested { anchor, children, .. }] if *anchor == "any" || anchor.contains('.') => {
            let mut pm = PassManager::new(anchor);
            build(&mut pm, children, registry, text, 0)?;
            Ok(pm)
        }
        _ => Err(PipelineError::new(
            "expected pass pipeline to be wrapped with the anchor operation type, e.g. 'builtin.module(...)'",
            0,
            text,
        )),
    }
}

/// Parses a list of passes and nested pipelines (`canonicalize,func.func(cse)`)
/// and appends them to `pm`.
pub fn parse_pass_list(
    text: &str,
    registry: &PassRegistry,
    pm: &mut PassManager,
) -> Result<(), PipelineError> {
    let elements = parse_elements(text)?;
    build(pm, &elements, registry, text, 0)
}

fn build(
    pm: &mut PassManager,
    elements: &[Element<'_>],
    registry: &PassRegistry,
    text: &str,
    expansion: u32,
) -> Result<(), PipelineError> {
    for e in elements {
        match e {
            Element::Nested { anchor, offset, children } => {
                if *anchor != "any" && !anchor.contains('.') {
                    return Err(PipelineError::new(
                        format!("'{anchor}' is not an operation name: nested pipelines are anchored on an op such as 'func.func(...)' or on 'any(...)'"),
                        *offset,
                        text,
                    ));
                }
                build(pm.nest(anchor), children, registry, text, expansion)?;
            }
            Element::Pass { name, offset, options } => {
                if let Some(info) = registry.pass(name) {
                    let (option_text, option_offset) = options.unwrap_or(("", *offset));
                    let failed_to_add = |why: String| {
                        PipelineError::new(
                            format!("failed to add '{name}' with options '{option_text}': {why}"),
                            option_offset,
                            text,
                        )
                    };
                    let parsed = PassOptions::parse(info.options, option_text)
                        .map_err(|e| failed_to_add(e.to_string()))?;
                    let pass = (info.constructor)(&parsed).map_err(failed_to_add)?;
                    pm.add_pass_with_options(pass, parsed)
                        .map_err(|e| PipelineError::new(e.to_string(), *offset, text))?;
                } else if let Some(pipeline) = registry.pipeline(name) {
                    if let Some((_, at)) = options {
                        return Err(PipelineError::new(
                            format!("registered pipeline '{name}' does not take options"),
                            *at,
                            text,
                        ));
                    }
                    if expansion >= MAX_PIPELINE_EXPANSION {
                        return Err(PipelineError::new(
                            format!(
                                "registered pipeline '{name}' expands too deeply (does it refer to itself?)"
                            ),
                            *offset,
                            text,
                        ));
                    }
                    let inner = parse_elements(&pipeline.pipeline).map_err(|e| {
                        PipelineError::new(
                            format!("in registered pipeline '{name}': {}", e.message),
                            *offset,
                            text,
                        )
                    })?;
                    build(pm, &inner, registry, &pipeline.pipeline, expansion + 1).map_err(|e| {
                        if e.pipeline == text {
                            e
                        } else {
                            PipelineError::new(
                                format!("in registered pipeline '{name}': {}", e.message),
                                *offset,
                                text,
                            )
                        }
                    })?;
                } else {
                    return Err(PipelineError::new(
                        format!("'{name}' does not refer to a registered pass or pass pipeline"),
                        *offset,
                        text,
                    ));
                }
            }
        }
    }
    Ok(())
}
