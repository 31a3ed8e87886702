//! Shared helpers of the arith tests: parse text with every dialect of this
//! workspace layer registered, canonicalize with the greedy driver, print,
//! and compare with hand-written expectations.

#![allow(dead_code)]

use std::sync::Arc;

use axir_ir::{verify, Context, DialectRegistry, OpId};
use axir_rewrite::{
    apply_patterns_greedily, CanonicalizationPatterns, FrozenPatternSet, GreedyConfig, RewritePatternSet,
};
use axir_syntax::{parse_source, print_op, ParseOptions, PrintOptions};

/// A registry with builtin, func and arith.
pub fn registry() -> Arc<DialectRegistry> {
    let mut r = DialectRegistry::new();
    axir_builtin::register(&mut r);
    axir_arith::register(&mut r);
    Arc::new(r)
}

/// Parses `src`; panics with the diagnostics when it does not parse.
pub fn parse(src: &str) -> (Context, OpId) {
    let mut ctx = Context::new(registry());
    match parse_source(&mut ctx, src, "test.axir", &ParseOptions::default()) {
        Ok(m) => (ctx, m),
        Err(diags) => {
            let msgs: Vec<String> = diags.iter().map(|d| d.to_plain_string(&ctx)).collect();
            panic!("parse failed:\n{}", msgs.join(""))
        }
    }
}

/// The messages of the verifier's errors on `src` (empty when valid).
pub fn verify_messages(src: &str) -> Vec<String> {
    let (ctx, m) = parse(src);
    match verify(&ctx, m) {
        Ok(()) => Vec::new(),
        Err(diags) => diags.iter().map(|d| d.message.clone()).collect(),
    }
}

/// Asserts that `src` verifies.
pub fn assert_valid(src: &str) {
    let msgs = verify_messages(src);
    assert!(msgs.is_empty(), "unexpected errors: {msgs:?}");
}

/// Asserts that `src` fails to verify with exactly `message`.
pub fn assert_error(src: &str, message: &str) {
    let msgs = verify_messages(src);
    assert_eq!(msgs, vec![message.to_string()], "for:\n{src}");
}

/// Runs every registered op's canonicalization patterns and folders to a
/// fixed point, verifies, and prints the result.
pub fn canonicalize(src: &str) -> String {
    let (mut ctx, m) = parse(src);
    let mut set = RewritePatternSet::new();
    for info in ctx.registry().ops() {
        if let Some(c) = info.interfaces.get::<CanonicalizationPatterns>() {
            (c.populate)(&mut set);
        }
    }
    let frozen = FrozenPatternSet::new(set);
    if let Err(e) = apply_patterns_greedily(&mut ctx, m, &frozen, &GreedyConfig::default()) {
        panic!("canonicalization did not converge: {e:?}");
    }
    if let Err(diags) = verify(&ctx, m) {
        let msgs: Vec<String> = diags.iter().map(|d| d.to_plain_string(&ctx)).collect();
        panic!("invalid IR after canonicalization:\n{}", msgs.join(""));
    }
    print_op(&ctx, m, &PrintOptions::default())
}

/// FileCheck-like: each expected fragment must occur in `actual`, on lines
/// in the same order; `!fragment` must not occur anywhere.
pub fn check(actual: &str, expected: &[&str]) {
    let lines: Vec<&str> = actual.lines().collect();
    let mut at = 0;
    for e in expected {
        if let Some(not) = e.strip_prefix('!') {
            assert!(!actual.contains(not), "found `{not}` in:\n{actual}");
            continue;
        }
        match lines[at..].iter().position(|l| l.contains(e)) {
            Some(i) => at += i + 1,
            None => panic!("expected `{e}` (in order) in:\n{actual}"),
        }
    }
}

/// Canonicalizes `src` and checks the result.
pub fn check_canonical(src: &str, expected: &[&str]) {
    check(&canonicalize(src), expected);
}
