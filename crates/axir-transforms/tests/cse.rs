//! `cse` on the `test` dialect.

mod common;

use common::check;

#[test]
fn merges_equal_pure_ops_in_a_block() {
    check(
        "cse",
        r#"
        %x = "test.effect"() : () -> i32
        %y = "test.effect"() : () -> i32
        %0 = "test.add"(%x, %y) : (i32, i32) -> i32
        %1 = "test.add"(%x, %y) : (i32, i32) -> i32
        %2 = "test.add"(%y, %x) : (i32, i32) -> i32
        %3 = "test.sub"(%x, %y) : (i32, i32) -> i32
        %4 = "test.sub"(%y, %x) : (i32, i32) -> i32
        %5 = "test.effect"() : () -> i32
        %6 = "test.effect"() : () -> i32
        "test.use"(%0, %1, %2, %3, %4, %5, %6) : (i32, i32, i32, i32, i32, i32, i32) -> ()
        "#,
        // add is commutative, sub is not; effects are never merged.
        r#"
        %x = "test.effect"() : () -> i32
        %y = "test.effect"() : () -> i32
        %0 = "test.add"(%x, %y) : (i32, i32) -> i32
        %3 = "test.sub"(%x, %y) : (i32, i32) -> i32
        %4 = "test.sub"(%y, %x) : (i32, i32) -> i32
        %5 = "test.effect"() : () -> i32
        %6 = "test.effect"() : () -> i32
        "test.use"(%0, %0, %0, %3, %4, %5, %6) : (i32, i32, i32, i32, i32, i32, i32) -> ()
        "#,
    );
}

#[test]
fn attributes_and_result_types_distinguish_ops() {
    check(
        "cse",
        r#"
        %0 = "test.constant"() {value = 1 : i32} : () -> i32
        %1 = "test.constant"() {value = 2 : i32} : () -> i32
        %2 = "test.constant"() {value = 1 : i64} : () -> i64
        %3 = "test.constant"() {value = 1 : i32} : () -> i32
        "test.use"(%0, %1, %2, %3) : (i32, i32, i64, i32) -> ()
        "#,
        r#"
        %0 = "test.constant"() {value = 1 : i32} : () -> i32
        %1 = "test.constant"() {value = 2 : i32} : () -> i32
        %2 = "test.constant"() {value = 1 : i64} : () -> i64
        "test.use"(%0, %1, %2, %0) : (i32, i32, i64, i32) -> ()
        "#,
    );
}

#[test]
fn erases_trivially_dead_pure_ops() {
    check(
        "cse",
        r#"
        %x = "test.effect"() : () -> i32
        %0 = "test.neg"(%x) : (i32) -> i32
        "#,
        r#"
        %x = "test.effect"() : () -> i32
        "#,
    );
}

#[test]
fn nested_regions_see_outer_ops_but_not_across_isolation_or_siblings() {
    check(
        "cse",
        r#"
        %x = "test.effect"() : () -> i32
        %0 = "test.neg"(%x) : (i32) -> i32
        "test.region"() ({
          %1 = "test.neg"(%x) : (i32) -> i32
          %2 = "test.constant"() {value = 7 : i32} : () -> i32
          "test.use"(%1, %2) : (i32, i32) -> ()
        }, {
          %3 = "test.constant"() {value = 7 : i32} : () -> i32
          "test.use"(%3) : (i32) -> ()
        }) : () -> ()
        "test.isolated"() ({
          %4 = "test.constant"() {value = 7 : i32} : () -> i32
          %5 = "test.constant"() {value = 7 : i32} : () -> i32
          "test.use"(%4, %5) : (i32, i32) -> ()
        }) : () -> ()
        %6 = "test.constant"() {value = 7 : i32} : () -> i32
        "test.use"(%0, %6) : (i32, i32) -> ()
        "#,
        // The region's neg reuses the outer one; a constant of one region
        // is not visible in its sibling nor after the region op; the isolated
        // region deduplicates only within itself.
        r#"
        %x = "test.effect"() : () -> i32
        %0 = "test.neg"(%x) : (i32) -> i32
        "test.region"() ({
          %2 = "test.constant"() {value = 7 : i32} : () -> i32
          "test.use"(%0, %2) : (i32, i32) -> ()
        }, {
          %3 = "test.constant"() {value = 7 : i32} : () -> i32
          "test.use"(%3) : (i32) -> ()
        }) : () -> ()
        "test.isolated"() ({
          %4 = "test.constant"() {value = 7 : i32} : () -> i32
          "test.use"(%4, %4) : (i32, i32) -> ()
        }) : () -> ()
        %6 = "test.constant"() {value = 7 : i32} : () -> i32
        "test.use"(%0, %6) : (i32, i32) -> ()
        "#,
    );
}

#[test]
fn multi_block_regions_reuse_only_dominating_blocks() {
    check(
        "cse",
        r#"
        "test.cfg"() ({
          %x = "test.effect"() : () -> i32
          %0 = "test.neg"(%x) : (i32) -> i32
          "test.use"(%0) : (i32) -> ()
          "test.br"()[^bb1, ^bb2] : () -> ()
        ^bb1:
          %1 = "test.neg"(%x) : (i32) -> i32
          %2 = "test.sub"(%x, %x) : (i32, i32) -> i32
          "test.use"(%1, %2) : (i32, i32) -> ()
          "test.br"()[^bb3] : () -> ()
        ^bb2:
          %3 = "test.sub"(%x, %x) : (i32, i32) -> i32
          "test.use"(%3) : (i32) -> ()
          "test.br"()[^bb3] : () -> ()
        ^bb3:
          %4 = "test.sub"(%x, %x) : (i32, i32) -> i32
          %5 = "test.neg"(%x) : (i32) -> i32
          "test.use"(%4, %5) : (i32, i32) -> ()
          "test.ret"() : () -> ()
        }) : () -> ()
        "#,
        // bb0 dominates everything; bb1 and bb2 do not dominate each other
        // nor bb3.
        r#"
        "test.cfg"() ({
          %x = "test.effect"() : () -> i32
          %0 = "test.neg"(%x) : (i32) -> i32
          "test.use"(%0) : (i32) -> ()
          "test.br"()[^bb1, ^bb2] : () -> ()
        ^bb1:
          %2 = "test.sub"(%x, %x) : (i32, i32) -> i32
          "test.use"(%0, %2) : (i32, i32) -> ()
          "test.br"()[^bb3] : () -> ()
        ^bb2:
          %3 = "test.sub"(%x, %x) : (i32, i32) -> i32
          "test.use"(%3) : (i32) -> ()
          "test.br"()[^bb3] : () -> ()
        ^bb3:
          %4 = "test.sub"(%x, %x) : (i32, i32) -> i32
          "test.use"(%4, %0) : (i32, i32) -> ()
          "test.ret"() : () -> ()
        }) : () -> ()
        "#,
    );
}

#[test]
fn large_inputs_are_linear() {
    // 300k ops, a third of them duplicates. Each value has few uses so the
    // IR core's use-list removal stays cheap.
    let mut text = String::new();
    for i in 0..50_000 {
        text.push_str(&format!("%y{i} = \"test.effect\"() : () -> i32\n"));
        text.push_str(&format!("%a{i} = \"test.add\"(%y{i}, %y{i}) : (i32, i32) -> i32\n"));
        text.push_str(&format!("%b{i} = \"test.add\"(%y{i}, %y{i}) : (i32, i32) -> i32\n"));
        text.push_str(&format!("%c{i} = \"test.neg\"(%a{i}) : (i32) -> i32\n"));
        text.push_str(&format!("%d{i} = \"test.neg\"(%b{i}) : (i32) -> i32\n"));
        text.push_str(&format!("\"test.use\"(%c{i}, %d{i}) : (i32, i32) -> ()\n"));
    }
    let mut ctx = axir_ir::Context::new(common::registry());
    let module = common::parse(&mut ctx, &text);
    let body = ctx.entry_block(ctx.regions(module)[0]).unwrap();
    let mut cse = axir_transforms::Cse::default();
    let start = std::time::Instant::now();
    axir_pass::Pass::run(&mut cse, &mut ctx, module).unwrap();
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    assert_eq!(cse.num_cse, 100_000);
    assert_eq!(ctx.block_ops(body).len(), 200_000);
}
