//! The pest grammar (`grammar.pest`), the definition of the textual syntax.
//!
//! The parser runs these rules as prefix parses at a byte offset (see
//! [`parse_rule_at`]); the lexer in [`crate::lexer`] must agree with the
//! `token` rule, which a test checks.

use pest::Parser as _;

/// The generated pest parser for `grammar.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct AxirGrammar;

/// A pest pair of this grammar.
pub(crate) type Pair<'i> = pest::iterators::Pair<'i, Rule>;

/// A failed prefix parse: where pest stopped (byte offset relative to the
/// whole source).
#[derive(Debug, Clone)]
pub(crate) struct RuleError {
    /// Byte offset into the whole source.
    pub offset: usize,
}

/// Runs `rule` on the prefix of `src` that starts at `offset`.
///
/// Returns the single top pair; its spans are relative to `&src[offset..]`,
/// so callers add `offset` back when they report positions.
///
/// Callers must make sure the nesting depth of the text is bounded first
/// (pest recurses once per nesting level); see `crate::limits`.
pub(crate) fn parse_rule_at(rule: Rule, src: &str, offset: usize) -> Result<Pair<'_>, RuleError> {
    let text = &src[offset..];
    match AxirGrammar::parse(rule, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(p) => Ok(p),
            None => Err(RuleError { offset }),
        },
        Err(e) => {
            let pos = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            Err(RuleError { offset: offset + pos })
        }
    }
}

/// Serializes the re-runs of [`explain_failure`]: pest's error-detail switch
/// is process-wide, and concurrent parses must not see it flip mid-run.
static DETAIL_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Re-runs a failed prefix parse with pest's error detail on and words what
/// was expected at the furthest point reached, e.g. `expected '>'`.
///
/// Only failures pay for this; successful parses run without detail.
pub(crate) fn explain_failure(rule: Rule, src: &str, offset: usize) -> Option<(usize, String)> {
    let attempts = {
        let _guard = DETAIL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        pest::set_error_detail(true);
        let result = AxirGrammar::parse(rule, &src[offset..]);
        pest::set_error_detail(false);
        result.err()?.parse_attempts()?
    };
    let mut items: Vec<String> = Vec::new();
    for t in attempts.expected_tokens() {
        let text = t.to_string();
        // Whitespace and comments are always acceptable; they say nothing.
        if matches!(text.as_str(), " " | "\t" | "\n" | "\r" | "//") {
            continue;
        }
        // pest's token type is not exported; its Display is enough here.
        let item = match text.as_str() {
            "BUILTIN_RULE" => continue,
            t if t.len() == 4 && &t[1..3] == ".." => "digit".to_string(),
            _ => format!("'{text}'"),
        };
        if !items.contains(&item) {
            items.push(item);
        }
    }
    for stack in &attempts.call_stacks {
        let rule = stack.parent;
        if let Some(word) = rule.and_then(describe_rule) {
            let word = word.to_string();
            if !items.contains(&word) {
                items.push(word);
            }
        }
    }
    let message = match items.len() {
        0 => return None,
        1 => format!("expected {}", items[0]),
        2 => format!("expected {} or {}", items[0], items[1]),
        _ => format!("expected one of {}", items.join(", ")),
    };
    Some((offset + attempts.max_position, message))
}

/// A reader's word for the grammar rules that show up in messages.
pub(crate) fn describe_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::ty | Rule::type_attr => "type",
        Rule::attribute => "attribute value",
        Rule::location | Rule::location_inner => "location",
        Rule::decimal_literal | Rule::integer_literal => "integer literal",
        Rule::float_literal => "float literal",
        Rule::string_literal => "string literal",
        Rule::dim | Rule::ranked_dims => "dimension",
        Rule::bare_id | Rule::attr_name => "identifier",
        Rule::at_id => "symbol name",
        Rule::dictionary_attr => "attribute dictionary",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::{Lexer, TokenKind};
    use proptest::prelude::*;

    /// The token kind a `token` parse tree stands for.
    fn kind_of(p: &Pair<'_>) -> TokenKind {
        let inner = p.clone().into_inner().next().expect("token has a child");
        match inner.as_rule() {
            Rule::string_literal => TokenKind::String,
            Rule::float_literal => TokenKind::Float,
            Rule::integer_literal => TokenKind::Integer,
            Rule::bare_id => TokenKind::BareId,
            Rule::value_id => TokenKind::ValueId,
            Rule::caret_id => TokenKind::CaretId,
            Rule::at_id => TokenKind::AtId,
            Rule::hash_id => TokenKind::HashId,
            Rule::bang_id => TokenKind::BangId,
            Rule::punct => match inner.as_str() {
                "->" => TokenKind::Arrow,
                "::" => TokenKind::ColonColon,
                "..." => TokenKind::Ellipsis,
                "(" => TokenKind::LParen,
                ")" => TokenKind::RParen,
                "{" => TokenKind::LBrace,
                "}" => TokenKind::RBrace,
                "[" => TokenKind::LSquare,
                "]" => TokenKind::RSquare,
                "<" => TokenKind::Less,
                ">" => TokenKind::Greater,
                "," => TokenKind::Comma,
                ":" => TokenKind::Colon,
                "=" => TokenKind::Equal,
                "?" => TokenKind::Question,
                "*" => TokenKind::Star,
                "+" => TokenKind::Plus,
                "-" => TokenKind::Minus,
                "|" => TokenKind::Pipe,
                other => panic!("unknown punct {other:?}"),
            },
            r => panic!("unexpected token rule {r:?}"),
        }
    }

    /// Lexes all of `src` and checks every token against rule `token`.
    fn check_agreement(src: &str) {
        let mut lx = Lexer::new(src, 0, usize::MAX);
        loop {
            let start = lx.skip_trivia();
            let t = lx.next_token();
            if t.kind == TokenKind::Eof {
                assert_eq!(start, src.len());
                return;
            }
            let pest = AxirGrammar::parse(Rule::token, &src[start..]);
            match (t.kind, pest) {
                (TokenKind::Error, Err(_)) => return,
                (TokenKind::Error, Ok(mut p)) => {
                    panic!("lexer failed at {start} but the grammar reads {:?} in {src:?}", p.next())
                }
                (k, Err(e)) => panic!("lexer read {k:?} at {start} but the grammar fails: {e} in {src:?}"),
                (k, Ok(mut p)) => {
                    let p = p.next().expect("one token");
                    assert_eq!(kind_of(&p), k, "kind at {start} in {src:?}");
                    assert_eq!(start + p.as_span().end(), t.end as usize, "length at {start} in {src:?}");
                }
            }
        }
    }

    #[test]
    fn lexer_agrees_with_grammar_on_samples() {
        for s in [
            "%0:2 = \"t.op\"(%a#1) [^bb0] @f @\"q x\" -> :: ... 1.5e3 1.e 1.e+ 0x1F 0x 0xg 7 !t.x #a #1",
            "arith.addf %arg0, %1 : f32 // comment\n x4xf32 4x?x8 $",
            "\"\\\"\\\\\\n\\t\\0A\" \"\\q\" \"unterminated",
            "@0 @-x %- ^. !$ #_ a$b.c_d",
        ] {
            check_agreement(s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn lexer_agrees_with_grammar(s in "[a-z0-9_$.%^@#!\"\\\\()<>{}\\[\\],:=?*+|x ex-]{0,40}") {
            check_agreement(&s);
        }
    }

    #[test]
    fn generic_grammar_accepts_generic_text() {
        let src = "!t = i32\n#a = {x = 1}\n%0:2 = \"d.op\"(%a, %b#1)[^bb1] <{p = 1 : i32}> ({\n^bb0(%x: f32 loc(unknown)):\n  \"d.y\"() : () -> ()\n}, {\n}) {a = #a} : (f32, !t) -> (f32, i1) loc(\"f\":1:2)\n";
        assert!(AxirGrammar::parse(Rule::generic_file, src).is_ok());
    }
}
