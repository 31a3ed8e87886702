//! `docs/dialects/arith.md` documents every registered arith op.

use axir_ir::DialectRegistry;

#[test]
fn every_op_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/dialects/arith.md"))
        .expect("docs/dialects/arith.md is readable");
    let mut registry = DialectRegistry::new();
    axir_arith::register(&mut registry);
    let ops: Vec<&str> = registry.ops().iter().map(|i| i.name).collect();
    assert_eq!(ops.len(), 45);
    for name in ops {
        assert!(doc.contains(&format!("`{name}`")), "{name} is not documented");
    }
}

#[test]
fn every_op_has_an_example_in_its_description() {
    for info in axir_arith::op_infos() {
        assert!(info.description.contains(&format!("{} ", info.name)), "{} has no example", info.name);
        assert!(!info.summary.is_empty());
    }
}
