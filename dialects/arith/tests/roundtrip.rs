//! Printing is a fixed point of parsing for every arith op, in the custom
//! and the generic form (`test/dialects/arith/ops.axir`, without `axopt`).

mod support;
use support::*;

use axir_syntax::{print_op, PrintOptions};

#[test]
fn ops_round_trip_in_both_forms() {
    let src =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/dialects/arith/ops.axir"))
            .expect("test/dialects/arith/ops.axir is readable");
    let generic = PrintOptions { generic: true, ..PrintOptions::default() };
    let (ctx, m) = parse(&src);
    let custom1 = print_op(&ctx, m, &PrintOptions::default());
    let generic1 = print_op(&ctx, m, &generic);
    let (ctx2, m2) = parse(&custom1);
    assert_eq!(print_op(&ctx2, m2, &PrintOptions::default()), custom1);
    assert_eq!(print_op(&ctx2, m2, &generic), generic1);
    let (ctx3, m3) = parse(&generic1);
    assert_eq!(print_op(&ctx3, m3, &PrintOptions::default()), custom1);
    assert!(axir_ir::verify(&ctx3, m3).is_ok());
}
