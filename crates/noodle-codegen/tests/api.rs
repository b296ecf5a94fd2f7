//! The public entry points: files on disk, diagnostics, robustness and
//! speed.

mod common;

use noodle_codegen::{compile_file, compile_source};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A fresh directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("noodle-codegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    dir
}

#[test]
fn a_missing_entry_file_is_an_error_not_a_panic() {
    let out = compile_file(Path::new("no/such/file.nd"));
    assert_eq!(out.errors, 1);
    assert!(out.module.is_none());
    assert!(
        out.diagnostics[0].contains("no/such/file.nd"),
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn files_are_read_from_disk_and_named_as_given() {
    let dir = temp_dir("disk");
    std::fs::write(dir.join("lib/util.nd"), "def twice(x) = x * 2\n").unwrap();
    std::fs::write(
        dir.join("main.nd"),
        "import lib.util\nprint(lib.util.twice(oops))\n",
    )
    .unwrap();
    let out = compile_file(&dir.join("main.nd"));
    assert_eq!(out.errors, 1);
    let expected = format!("{}:2:22", dir.join("main.nd").display());
    assert!(
        out.diagnostics[0].contains(&expected),
        "{:?}",
        out.diagnostics
    );

    std::fs::write(
        dir.join("main.nd"),
        "import lib.util\nprint(lib.util.twice(2))\n",
    )
    .unwrap();
    let out = compile_file(&dir.join("main.nd"));
    let module = out.module.expect("compiles");
    assert_eq!(
        module.files[1],
        dir.join("lib/util.nd").display().to_string()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compile_source_resolves_imports_from_the_base_dir() {
    let dir = temp_dir("source");
    std::fs::write(dir.join("lib/consts.nd"), "let answer = 42\n").unwrap();
    let out = compile_source(
        "<stdin>",
        "from lib.consts import answer\nprint(answer)\n",
        &dir,
    );
    assert_eq!(out.errors, 0, "{:?}", out.diagnostics);
    assert_eq!(out.module.unwrap().files[0], "<stdin>");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn warnings_do_not_stop_compilation() {
    let out = common::compile_with("async def f() = 1\nasync def main() { f() }\n", &[]);
    assert_eq!((out.errors, out.warnings), (0, 1));
    assert!(out.module.is_some());
    assert!(
        out.diagnostics[0].starts_with("warning:"),
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn absurdly_deep_nesting_is_reported_not_crashed() {
    // `**` is right-associative: each term nests one level deeper.
    let src = format!("let y = {}1\n", "1 ** ".repeat(30_000));
    let out = common::compile_with(&src, &[]);
    assert!(out.errors >= 1);
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.contains("nested too deeply")),
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn syntax_errors_and_semantic_errors_come_in_file_order() {
    let out = common::compile_with("break\nlet = 3\ncontinue\n", &[]);
    assert!(out.errors >= 2, "{:?}", out.diagnostics);
    let lines: Vec<&str> = out
        .diagnostics
        .iter()
        .filter_map(|d| d.lines().nth(1))
        .collect();
    let mut sorted = lines.clone();
    sorted.sort_by_key(|l| {
        let parts: Vec<u32> = l
            .rsplit(':')
            .take(2)
            .filter_map(|p| p.parse().ok())
            .collect();
        (parts.get(1).copied(), parts.first().copied())
    });
    assert_eq!(lines, sorted);
}

#[test]
fn a_large_program_compiles_quickly() {
    // 20,000 lines here (debug build); a release build handles 100,000
    // lines in a fraction of a second.
    let mut src = String::new();
    for i in 0..2_000 {
        src.push_str(&format!(
            "def f{i}(a, b) {{\n    let c = a + b * {i}\n    if c > 10 {{\n        return c - 1\n    }}\n    for j in 0..3 {{ c += j }}\n    return g{i}(c)\n}}\ndef g{i}(x) = [x, {{\"k\": x}}, f\"{{x}}\"]\nlet v{i} = f{i}(1, 2)\n"
        ));
    }
    let start = Instant::now();
    let out = common::compile_with(&src, &[]);
    let elapsed = start.elapsed();
    assert_eq!(out.errors, 0, "{:?}", out.diagnostics.first());
    assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
}

#[test]
fn a_flat_chain_of_100000_terms_compiles() {
    // Generated code: left-associative chains are compiled in loops, so
    // their length costs neither stack depth nor registers.
    let terms: Vec<String> = (1..=100_000).map(|i| i.to_string()).collect();
    let src = format!(
        "let s = {}\nlet t = x() and {}\ndef x() = true\nprint(s, t)\n",
        terms.join(" + "),
        vec!["true"; 100_000].join(" and ")
    );
    let out = noodle_codegen::compile_source("chain.nd", &src, std::path::Path::new("."));
    assert_eq!(out.errors, 0, "{:?}", out.diagnostics.first());
    let module = out.module.expect("a module");
    noodle_nbc::verify::verify(&module).expect("verifies");
    let entry = &module.functions[0];
    assert!(entry.num_regs < 16, "{} registers", entry.num_regs);
}

#[test]
fn deep_right_nesting_below_the_limit_compiles() {
    // Each of these nests one level per term; the limit is 20,000 levels.
    for src in [
        format!("let y = {}1\n", "2 ** ".repeat(15_000)),
        format!(
            "def f(x) = {}{{ 0 }}\n",
            "if x == 1 { 1 } else ".repeat(15_000)
        ),
        format!("let f = {}0\n", "|x| ".repeat(15_000)),
    ] {
        let out = common::compile_with(&src, &[]);
        let first: Option<String> = out
            .diagnostics
            .first()
            .map(|d| d.chars().take(200).collect());
        assert_eq!(out.errors, 0, "{first:?}");
    }
}
