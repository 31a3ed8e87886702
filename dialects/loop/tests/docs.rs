//! `docs/dialects/loop.md` and `docs/dialects/vector.md` document every
//! registered op, and every declaration carries an example.

use axir_ir::DialectRegistry;

fn doc(name: &str) -> String {
    let path = format!("{}/../../docs/dialects/{name}.md", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_op_is_documented() {
    let (loop_doc, vector_doc) = (doc("loop"), doc("vector"));
    let mut registry = DialectRegistry::new();
    axir_loop::register(&mut registry);
    let ops: Vec<&str> = registry.ops().iter().map(|i| i.name).collect();
    assert_eq!(ops.len(), 20);
    for name in ops {
        let doc = if name.starts_with("vector.") { &vector_doc } else { &loop_doc };
        assert!(doc.contains(&format!("### `{name}`")), "{name} has no section");
    }
}

#[test]
fn every_op_has_an_example_in_its_description() {
    for info in axir_loop::op_infos().into_iter().chain(axir_loop::vector::op_infos()) {
        let example = info
            .description
            .split("```axir")
            .nth(1)
            .unwrap_or_else(|| panic!("{} has no example", info.name));
        assert!(example.contains(info.name), "the example of {} does not use it", info.name);
        assert!(!info.summary.is_empty());
    }
}

#[test]
fn registering_twice_is_harmless() {
    let mut registry = DialectRegistry::new();
    axir_loop::register(&mut registry);
    axir_loop::register(&mut registry);
    assert_eq!(registry.ops().len(), 20);
    let mut passes = axir_pass::PassRegistry::new();
    axir_loop::register_passes(&mut passes);
    axir_loop::register_passes(&mut passes);
    assert!(passes.pass("loop-invariant-code-motion").is_some());
}
