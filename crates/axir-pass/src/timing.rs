//! Wall-time reports in the style of MLIR's `--mlir-timing`.

use std::time::Duration;

/// One line of a timing report and the lines nested under it. Entries with
/// the same name under one parent are merged (a nested pipeline run on many
/// functions is one entry).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimingNode {
    /// What was timed: a pass (`Canonicalizer`), a nested pipeline
    /// (`'func.func' Pipeline`), or a phase of a tool (`Parser`).
    pub name: String,
    /// Wall time spent, children included.
    pub wall: Duration,
    /// Nested entries, in first-seen order.
    pub children: Vec<TimingNode>,
}

impl TimingNode {
    /// An entry with no time yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), wall: Duration::ZERO, children: Vec::new() }
    }

    /// The child named `name`, created if needed.
    pub fn child(&mut self, name: &str) -> &mut TimingNode {
        let index = match self.children.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                self.children.push(TimingNode::new(name));
                self.children.len() - 1
            }
        };
        &mut self.children[index]
    }

    /// Adds a child subtree, merging it into an existing child of the same name.
    pub fn merge_child(&mut self, node: TimingNode) {
        let target = self.child(&node.name);
        target.wall += node.wall;
        for c in node.children {
            target.merge_child(c);
        }
    }
}

/// Renders the report for the entries under `root`, whose `wall` is the
/// total; time not covered by the top-level entries is shown as `Rest`.
///
/// ```text
/// ===-------------------------------------------------------------------------===
///                          ... Execution time report ...
/// ===-------------------------------------------------------------------------===
///   Total Execution Time: 0.0123 seconds
///
///   ----Wall Time----  ----Name----
///     0.0100 ( 81.3%)  'func.func' Pipeline
///     0.0060 ( 48.8%)    Canonicalizer
///     0.0040 ( 32.5%)    CSE
///     0.0023 ( 18.7%)  Rest
///     0.0123 (100.0%)  Total
/// ```
pub fn render_timing_report(root: &TimingNode) -> String {
    let rule = "===-------------------------------------------------------------------------===";
    let total = root.wall.as_secs_f64();
    let mut out = String::new();
    out.push_str(rule);
    out.push('\n');
    out.push_str("                         ... Execution time report ...\n");
    out.push_str(rule);
    out.push('\n');
    out.push_str(&format!("  Total Execution Time: {total:.4} seconds\n\n"));
    out.push_str("  ----Wall Time----  ----Name----\n");
    for c in &root.children {
        write_node(&mut out, c, total, 0);
    }
    let covered: Duration = root.children.iter().map(|c| c.wall).sum();
    let rest = root.wall.saturating_sub(covered);
    write_line(&mut out, rest.as_secs_f64(), total, 0, "Rest");
    write_line(&mut out, total, total, 0, "Total");
    out
}

fn write_node(out: &mut String, node: &TimingNode, total: f64, depth: usize) {
    write_line(out, node.wall.as_secs_f64(), total, depth, &node.name);
    for c in &node.children {
        write_node(out, c, total, depth + 1);
    }
}

fn write_line(out: &mut String, secs: f64, total: f64, depth: usize, name: &str) {
    let percent = if total > 0.0 { 100.0 * secs / total } else { 0.0 };
    out.push_str(&format!("  {secs:>8.4} ({percent:>5.1}%)  {}{name}\n", "  ".repeat(depth)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_nests_merges_and_adds_rest_and_total() {
        let mut root = TimingNode::new("root");
        root.wall = Duration::from_millis(400);
        let pipeline = root.child("'func.func' Pipeline");
        pipeline.wall = Duration::from_millis(300);
        pipeline.child("CSE").wall = Duration::from_millis(100);
        pipeline.child("CSE").wall += Duration::from_millis(100);
        let text = render_timing_report(&root);
        let lines: Vec<&str> = text.lines().skip(5).collect();
        assert_eq!(
            lines,
            [
                "  ----Wall Time----  ----Name----",
                "    0.3000 ( 75.0%)  'func.func' Pipeline",
                "    0.2000 ( 50.0%)    CSE",
                "    0.1000 ( 25.0%)  Rest",
                "    0.4000 (100.0%)  Total",
            ]
        );
        assert!(text.contains("  Total Execution Time: 0.4000 seconds\n"));
    }
}
