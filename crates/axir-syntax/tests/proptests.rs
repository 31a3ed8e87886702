//! Property tests: random well-formed generic-form modules print to a fixed
//! point (with and without debug info) and are accepted by the grammar's
//! `generic_file` rule; arbitrary and mutated bytes never make the parser
//! panic.

mod common;
use axir_syntax::{parse_source, parse_source_bytes, print_op, PrintOptions};
use common::gen::{Gen, Rng};
use common::*;
use pest::Parser as _;
use proptest::prelude::*;

mod oracle {
    /// The shared grammar, as an oracle for the printer's generic output.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar.pest"]
    pub struct Grammar;
}
use oracle::{Grammar, Rule};

const GENERIC: PrintOptions = PrintOptions { generic: true, debug_info: false };
const GENERIC_DEBUG: PrintOptions = PrintOptions { generic: true, debug_info: true };

fn check_module(seed: u64) {
    let text = Gen::new(seed).module();
    let mut ctx = context();
    let module = match parse_source(&mut ctx, &text, "gen.mlir", &unregistered()) {
        Ok(m) => m,
        Err(d) => {
            let mut sm = axir_syntax::SourceManager::new();
            sm.add_file("gen.mlir", text.as_str());
            panic!("seed {seed}: generated text does not parse:\n{}\n{text}", sm.render_all(&ctx, &d));
        }
    };
    for opts in [GENERIC, GENERIC_DEBUG, PrintOptions::default()] {
        let first = print_op(&ctx, module, &opts);
        let mut ctx2 = context();
        let m2 = parse_source(&mut ctx2, &first, "printed.mlir", &unregistered())
            .unwrap_or_else(|_| panic!("seed {seed}: printed text does not parse:\n{first}"));
        let second = print_op(&ctx2, m2, &opts);
        assert_eq!(first, second, "seed {seed}: not a fixed point ({opts:?})");
        if opts.generic {
            if let Err(e) = Grammar::parse(Rule::generic_file, &first) {
                panic!("seed {seed}: grammar rejects printed generic form: {e}\n{first}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generic_modules_print_to_a_fixed_point(seed in any::<u64>()) {
        check_module(seed);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut ctx = context();
        let _ = parse_source_bytes(&mut ctx, &bytes, "fuzz.mlir", &unregistered());
    }

    #[test]
    fn mutated_modules_never_panic(seed in any::<u64>(), edits in 1usize..6) {
        let text = Gen::new(seed).module();
        let mut bytes = text.into_bytes();
        let mut rng = Rng::new(seed ^ 0xABCD);
        const ALPHABET: &[u8] = b"%^@#!\"\\()<>{}[],:=?*-x09.e fi\n";
        for _ in 0..edits {
            if bytes.is_empty() {
                break;
            }
            let at = rng.below(bytes.len() as u64) as usize;
            let c = *rng.pick(ALPHABET);
            match rng.below(3) {
                0 => bytes[at] = c,
                1 => bytes.insert(at, c),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        let mut ctx = context();
        if let Ok(m) = parse_source_bytes(&mut ctx, &bytes, "mut.mlir", &unregistered()) {
            // Whatever parses must print to a fixed point too.
            let first = print_op(&ctx, m, &GENERIC);
            let mut ctx2 = context();
            let m2 = parse_source(&mut ctx2, &first, "p.mlir", &unregistered()).unwrap();
            prop_assert_eq!(first, print_op(&ctx2, m2, &GENERIC));
        }
    }

    #[test]
    fn custom_syntax_mutations_never_panic(at in 0usize..400, c in 0u8..128) {
        let src = "module @m {\n  func.func @f(%a: f32, %b: f32) -> (f32, i1) attributes {x} {\n    %c = test.constant 1.0 : f32\n    %0 = test.addf %a, %c : f32\n    %p = test.cmpf olt, %0, %b : f32\n    %r = test.loop %0 : f32 iter(%i: f32) {\n      test.br ^bb1\n    ^bb1:\n      return %i, %p : f32, i1\n    } -> f32\n    %q:2 = test.pair %r : f32\n    return %q#1, %p : f32, i1\n  }\n}\n";
        let mut bytes = src.as_bytes().to_vec();
        let at = at % bytes.len();
        bytes[at] = c;
        let mut ctx = context();
        let _ = parse_source_bytes(&mut ctx, &bytes, "m.axir", &unregistered());
    }
}
