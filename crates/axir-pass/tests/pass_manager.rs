//! The pass manager, the pipeline parser and the instrumentation, with
//! test passes over IR parsed from text (unregistered `test` ops).

use axir_ir::{Context, Diagnostic, InsertPoint, OpId};
use axir_pass::{
    parse_pass_list, parse_pipeline, render_timing_report, split_reproducer, IrPrintFilter, OptionKind, Pass,
    PassFailure, PassInfo, PassManager, PassOptionInfo, PassRegistry,
};
use axir_syntax::{parse_source, ParseOptions};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What a test pass does when it runs.
#[derive(Clone, Copy)]
enum Behaviour {
    Noop,
    /// Sets attribute `tag` on the op (changes the IR).
    Tag,
    Fail,
    Panic,
    /// Moves the op's last nested op to the front: a use before its def.
    BreakDominance,
}

struct TestPass {
    name: &'static str,
    behaviour: Behaviour,
    anchor: Option<&'static str>,
    tag: String,
    runs: Arc<AtomicUsize>,
}

impl Pass for TestPass {
    fn name(&self) -> &'static str {
        self.name
    }
    fn display_name(&self) -> &'static str {
        match self.behaviour {
            Behaviour::Tag => "Tagger",
            _ => self.name,
        }
    }
    fn description(&self) -> &'static str {
        "test pass"
    }
    fn anchor(&self) -> Option<&'static str> {
        self.anchor
    }
    fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<(), PassFailure> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        match self.behaviour {
            Behaviour::Noop => Ok(()),
            Behaviour::Tag => {
                let a = ctx.string_attr(self.tag.clone());
                ctx.set_attr(op, "tag", a);
                Ok(())
            }
            Behaviour::Fail => Err(PassFailure::new(ctx.op_error(op, "test failure"))),
            Behaviour::Panic => panic!("boom"),
            Behaviour::BreakDominance => {
                let block = ctx.entry_block(ctx.regions(op)[0]).unwrap();
                let last = ctx.last_op(block).unwrap();
                ctx.move_op(last, InsertPoint::BlockStart(block));
                Ok(())
            }
        }
    }
    fn take_warnings(&mut self) -> Vec<Diagnostic> {
        Vec::new()
    }
}

const TAG_OPTIONS: &[PassOptionInfo] =
    &[PassOptionInfo { name: "tag", kind: OptionKind::Str, default: "t", description: "the tag" }];
const COUNT_OPTIONS: &[PassOptionInfo] =
    &[PassOptionInfo { name: "count", kind: OptionKind::UInt, default: "1", description: "a number" }];

fn registry(runs: &Arc<AtomicUsize>) -> PassRegistry {
    let mut r = PassRegistry::new();
    let mut add = |name: &'static str, behaviour, anchor, options: &'static [PassOptionInfo]| {
        let runs = runs.clone();
        r.register_pass(PassInfo::new(name, "test pass", options, move |o| {
            Ok(Box::new(TestPass { name, behaviour, anchor, tag: o.string("tag"), runs: runs.clone() }))
        }))
        .unwrap();
    };
    add("noop", Behaviour::Noop, None, COUNT_OPTIONS);
    add("tag", Behaviour::Tag, None, TAG_OPTIONS);
    add("fail", Behaviour::Fail, None, &[]);
    add("crash", Behaviour::Panic, None, &[]);
    add("break", Behaviour::BreakDominance, None, &[]);
    add("func-only", Behaviour::Noop, Some("test.func"), &[]);
    r.register_pipeline("both", "noop then tag", "noop,tag").unwrap();
    r.register_pipeline("loop", "refers to itself", "loop").unwrap();
    r
}

const INPUT: &str = r#""test.func"() ({
  %0 = "test.def"() : () -> i32
  "test.use"(%0) : (i32) -> ()
}) {sym_name = "f"} : () -> ()
"test.func"() ({
  "test.other"() : () -> ()
}) {sym_name = "g"} : () -> ()
"test.not_func"() : () -> ()
"#;

fn parse(ctx: &mut Context) -> OpId {
    ctx.set_allow_unregistered(true);
    let options = ParseOptions { allow_unregistered_dialects: true, ..ParseOptions::default() };
    parse_source(ctx, INPUT, "input.axir", &options).unwrap()
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn pipeline_error(text: &str) -> String {
    let runs = Arc::new(AtomicUsize::new(0));
    match parse_pipeline(text, &registry(&runs)) {
        Ok(pm) => panic!("expected an error, got {}", pm.to_pipeline_string()),
        Err(e) => e.render(),
    }
}

#[test]
fn pipelines_print_back_as_parsed() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = registry(&runs);
    let text = "builtin.module(test.func(noop{count=3},tag{tag=x}),any(noop),noop)";
    assert_eq!(parse_pipeline(text, &r).unwrap().to_pipeline_string(), text);
    // Whitespace is allowed; registered pipelines expand to their passes.
    let pm = parse_pipeline(" builtin.module ( test.func( both ) , noop ) ", &r).unwrap();
    assert_eq!(pm.to_pipeline_string(), "builtin.module(test.func(noop,tag),noop)");
    let mut pm = PassManager::new("builtin.module");
    parse_pass_list("noop,test.func(tag)", &r, &mut pm).unwrap();
    assert_eq!(pm.to_pipeline_string(), "builtin.module(noop,test.func(tag))");
}

#[test]
fn pipeline_errors_point_at_the_problem() {
    assert_eq!(
        pipeline_error("builtin.module(test.func(foo))"),
        "pass pipeline:1:26: error: 'foo' does not refer to a registered pass or pass pipeline\n\
         builtin.module(test.func(foo))\n                         ^\n"
    );
    assert_eq!(
        pipeline_error("noop,tag"),
        "pass pipeline:1:1: error: expected pass pipeline to be wrapped with the anchor operation type, \
         e.g. 'builtin.module(...)'\nnoop,tag\n^\n"
    );
    let first_line = |t: &str| pipeline_error(t).lines().next().unwrap().to_string();
    assert_eq!(
        first_line("builtin.module(noop"),
        "pass pipeline:1:15: error: encountered unbalanced parentheses while parsing pipeline"
    );
    assert_eq!(
        first_line("builtin.module(noop))"),
        "pass pipeline:1:21: error: encountered unbalanced parentheses while parsing pipeline"
    );
    assert_eq!(
        first_line("builtin.module(noop) x"),
        "pass pipeline:1:22: error: expected ',' after parsing pipeline"
    );
    assert_eq!(
        first_line("builtin.module(noop,)"),
        "pass pipeline:1:21: error: expected pass or pipeline name"
    );
    assert_eq!(
        first_line("builtin.module(noop{count=1)"),
        "pass pipeline:1:20: error: missing closing '}' while processing pass options"
    );
    assert_eq!(
        first_line("builtin.module(noop{cont=1})"),
        "pass pipeline:1:21: error: failed to add 'noop' with options 'cont=1': no such option 'cont'"
    );
    assert_eq!(
        first_line("builtin.module(noop{count=-2})"),
        "pass pipeline:1:21: error: failed to add 'noop' with options 'count=-2': invalid value '-2' for \
         option 'count': expected a non-negative integer"
    );
    assert_eq!(
        first_line("builtin.module(func-only)"),
        "pass pipeline:1:16: error: can't add pass 'func-only' restricted to 'test.func' on a pass manager \
         intended to run on 'builtin.module', did you intend to nest?"
    );
    assert_eq!(
        first_line("builtin.module(noop(tag))"),
        "pass pipeline:1:16: error: 'noop' is not an operation name: nested pipelines are anchored on an op \
         such as 'func.func(...)' or on 'any(...)'"
    );
    assert!(first_line("builtin.module(loop)").contains("expands too deeply"));
}

#[test]
fn nested_managers_run_on_each_directly_nested_op_of_their_anchor() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("builtin.module(test.func(tag{tag=seen}))", &registry(&runs)).unwrap();
    pm.run(&mut ctx, module).unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 2, "two test.func, not test.not_func");
    let body = ctx.entry_block(ctx.regions(module)[0]).unwrap();
    let tags: Vec<Option<&str>> =
        ctx.block_ops(body).iter().map(|&o| ctx.attr(o, "tag").and_then(|a| ctx.attr_as_str(a))).collect();
    assert_eq!(tags, [Some("seen"), Some("seen"), None]);
}

#[test]
fn a_manager_refuses_ops_of_another_name() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("test.func(noop)", &registry(&runs)).unwrap();
    let failure = pm.run(&mut ctx, module).unwrap_err();
    assert_eq!(failure.diagnostics[0].message, "can't run 'test.func' pass manager on 'builtin.module' op");
}

#[test]
fn verify_each_names_the_pass_that_broke_the_ir() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("builtin.module(test.func(noop,break,noop))", &registry(&runs)).unwrap();
    let failure = pm.run(&mut ctx, module).unwrap_err();
    assert_eq!(failure.pass, "break");
    let messages: Vec<&str> = failure.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "pass 'break' produced IR that fails to verify",
            "'test.use' op operand #0 does not dominate this use"
        ]
    );
    assert_eq!(ctx.file_line_col(failure.diagnostics[0].location), Some(("input.axir", 1, 1)));
    assert_eq!(runs.load(Ordering::SeqCst), 2, "the pipeline stops at the failure");

    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("builtin.module(test.func(break))", &registry(&runs)).unwrap();
    pm.options_mut().verify_each = false;
    pm.run(&mut ctx, module).unwrap();
}

#[test]
fn failures_and_panics_are_reported_not_propagated() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("builtin.module(test.func(fail))", &registry(&runs)).unwrap();
    let failure = pm.run(&mut ctx, module).unwrap_err();
    assert_eq!(failure.diagnostics[0].message, "'test.func' op test failure");

    let mut pm = parse_pipeline("builtin.module(crash)", &registry(&runs)).unwrap();
    let failure = pm.run(&mut ctx, module).unwrap_err();
    assert_eq!(failure.pass, "crash");
    assert_eq!(failure.diagnostics[0].message, "pass 'crash' crashed: boom");
}

#[test]
fn prints_ir_before_and_after_with_mlir_headers() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("builtin.module(test.func(noop,tag))", &registry(&runs)).unwrap();
    let buffer = Buffer::default();
    pm.set_ir_dump_sink(Box::new(buffer.clone()));
    pm.options_mut().print_ir_before = IrPrintFilter::Passes(vec!["tag".into()]);
    pm.options_mut().print_ir_after = IrPrintFilter::All;
    pm.options_mut().print_ir_after_change = true;
    pm.run(&mut ctx, module).unwrap();
    let text = buffer.text();
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with("// -----//")).collect();
    // `noop` changes nothing, so with after-change only `tag` is printed after.
    assert_eq!(
        headers,
        [
            "// -----// IR Dump Before Tagger (tag) //----- //",
            "// -----// IR Dump After Tagger (tag) //----- //",
            "// -----// IR Dump Before Tagger (tag) //----- //",
            "// -----// IR Dump After Tagger (tag) //----- //",
        ]
    );
    // Each dump is the op the pass ran on (a function), then a blank line.
    assert!(text.contains("//----- //\n\"test.func\"() ({\n"), "{text}");
    assert!(text.contains("{sym_name = \"g\", tag = \"t\"} : () -> ()\n\n"), "{text}");
}

#[test]
fn module_scope_prints_the_top_op_and_names_the_current_one() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("builtin.module(test.func(fail))", &registry(&runs)).unwrap();
    let buffer = Buffer::default();
    pm.set_ir_dump_sink(Box::new(buffer.clone()));
    pm.options_mut().print_ir_after_failure = true;
    pm.options_mut().print_module_scope = true;
    pm.run(&mut ctx, module).unwrap_err();
    let text = buffer.text();
    assert!(
        text.starts_with(
            "// -----// IR Dump After fail Failed (fail) ('test.func' operation: @f) //----- //\n\"builtin.module\"()"
        ),
        "{text}"
    );
}

#[test]
fn timing_reports_nested_pipelines_and_passes() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let mut pm = parse_pipeline("builtin.module(test.func(noop,tag),noop)", &registry(&runs)).unwrap();
    pm.options_mut().timing = true;
    pm.run(&mut ctx, module).unwrap();
    let root = pm.timing().unwrap();
    let names: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["'test.func' Pipeline", "noop"]);
    let nested: Vec<&str> = root.children[0].children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(nested, ["noop", "Tagger"], "two functions merge into one entry per pass");
    let report = render_timing_report(root);
    let names: Vec<&str> = report.lines().skip(6).map(|l| l[21..].trim_end()).collect();
    assert_eq!(names, ["'test.func' Pipeline", "  noop", "  Tagger", "noop", "Rest", "Total"]);
}

#[test]
fn a_failure_writes_a_reproducer_that_replays() {
    let runs = Arc::new(AtomicUsize::new(0));
    let dir = std::env::temp_dir().join(format!("axir-pass-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("repro.axir");
    let mut ctx = Context::default();
    let module = parse(&mut ctx);
    let r = registry(&runs);
    let mut pm = parse_pipeline("builtin.module(test.func(tag{tag=x},fail))", &r).unwrap();
    pm.options_mut().reproducer = Some(path.clone());
    let failure = pm.run(&mut ctx, module).unwrap_err();
    assert_eq!(failure.reproducer.as_deref(), Some(path.as_path()));
    let last = failure.diagnostics.last().unwrap();
    assert_eq!(last.message, "failures have been detected while processing a pass pipeline");
    assert_eq!(
        last.notes[0].message,
        format!(
            "pipeline failed while executing 'fail' on 'test.func' operation: @f: reproducer generated at '{}'",
            path.display()
        )
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let (ir, config) = split_reproducer(&text).unwrap();
    let config = config.unwrap();
    assert_eq!(config.pipeline, "builtin.module(test.func(tag{tag=x},fail))");
    assert!(config.verify_each && config.disable_threading);
    // The IR is the input, before `tag` ran, and parses back.
    assert!(!ir.contains("tag = "));
    let mut replay = Context::default();
    replay.set_allow_unregistered(true);
    let options = ParseOptions { allow_unregistered_dialects: true, ..ParseOptions::default() };
    let module = parse_source(&mut replay, ir, "repro.axir", &options).unwrap();
    let mut pm = parse_pipeline(&config.pipeline, &r).unwrap();
    assert!(pm.run(&mut replay, module).is_err(), "the replay fails the same way");
    std::fs::remove_dir_all(&dir).ok();
}
