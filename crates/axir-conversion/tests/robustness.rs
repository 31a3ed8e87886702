//! The lowering never panics: `array-to-loop-pipeline` is run on every chunk
//! (`// -----`) of every `.axir` file under `test/` and `examples/` that
//! parses and verifies, array-level or not: a failure must be diagnostics,
//! never a panic (the pass manager verifies the IR after each pass, so a
//! success is valid IR). The files include every lit test of every dialect.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axir_ir::{Context, DialectRegistry};
use axir_pass::{parse_pipeline, PassRegistry};
use axir_syntax::{parse_source, split_input_file, ParseOptions};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "axir" || x == "mlir") {
            out.push(p);
        }
    }
}

#[test]
fn the_pipeline_never_panics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths = Vec::new();
    files(&root.join("test"), &mut paths);
    files(&root.join("examples"), &mut paths);
    paths.sort();
    let mut reg = DialectRegistry::new();
    axir_interp::register_dialects(&mut reg);
    let reg = Arc::new(reg);
    let mut passes = PassRegistry::new();
    axir_transforms::register_passes(&mut passes);
    axir_array::register_passes(&mut passes);
    axir_loop::register_passes(&mut passes);
    axir_conversion::register_passes(&mut passes);
    let options = ParseOptions { allow_unregistered_dialects: true, ..ParseOptions::default() };
    let (mut chunks, mut lowered, mut failed, mut panics) = (0, 0, 0, Vec::new());
    for path in &paths {
        let Ok(bytes) = std::fs::read(path) else { continue };
        let Ok(text) = String::from_utf8(bytes) else { continue };
        for chunk in split_input_file(&text) {
            let mut ctx = Context::new(reg.clone());
            let opts = ParseOptions { line_offset: chunk.line_offset, ..options.clone() };
            let Ok(module) = parse_source(&mut ctx, chunk.text, &path.display().to_string(), &opts) else {
                continue;
            };
            if axir_ir::verify(&ctx, module).is_err() {
                continue;
            }
            chunks += 1;
            let Ok(mut pm) = parse_pipeline(axir_conversion::ARRAY_TO_LOOP_PIPELINE, &passes) else {
                panic!("the pipeline does not parse");
            };
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pm.run(&mut ctx, module)));
            match r {
                Ok(Ok(())) => lowered += 1,
                // The pass manager turns a panic into a "crashed" diagnostic.
                Ok(Err(f)) if f.diagnostics.iter().any(|d| d.message.contains("crashed")) => {
                    panics.push(format!("{}:{}", path.display(), chunk.line_offset + 1))
                }
                Ok(Err(_)) => failed += 1,
                Err(_) => panics.push(format!("{}:{}", path.display(), chunk.line_offset + 1)),
            }
        }
    }
    eprintln!(
        "array-to-loop-pipeline on {chunks} valid chunks of {} files: {lowered} lowered, {failed} rejected with diagnostics, {} panics",
        paths.len(),
        panics.len()
    );
    assert!(chunks > 100, "too few inputs found: {chunks}");
    assert!(panics.is_empty(), "the pipeline panicked on:\n{}", panics.join("\n"));
}
