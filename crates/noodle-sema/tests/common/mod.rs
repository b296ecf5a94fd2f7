//! Helpers shared by the sema tests: analyse sources held in memory.
#![allow(dead_code)]

use noodle_sema::ir::{Function, Program};
use noodle_sema::{Analysis, Analyzer, MemoryLoader};
use std::path::Path;

pub const DIR: &str = "proj";

/// Analyses `main.nd` with the given extra files (paths relative to the
/// project directory).
pub fn analyze_with(main: &str, files: &[(&str, &str)]) -> Analysis {
    let mut loader = MemoryLoader::new();
    for (path, src) in files {
        loader.add(Path::new(DIR).join(path), *src);
    }
    let mut analyzer = Analyzer::new(Box::new(loader), Path::new(DIR));
    analyzer.analyze_program("main.nd", main.to_string(), Path::new(DIR))
}

pub fn analyze(main: &str) -> Analysis {
    analyze_with(main, &[])
}

/// Every diagnostic's message, errors and warnings alike.
pub fn messages(a: &Analysis) -> Vec<String> {
    a.diagnostics
        .iter()
        .map(|d| d.diag.message.clone())
        .collect()
}

pub fn ok(main: &str) -> Program {
    let a = analyze(main);
    assert_eq!(a.errors, 0, "unexpected errors: {:#?}", a.rendered());
    a.program
}

/// Asserts exactly one error, containing `needle`; returns it rendered.
pub fn one_error(main: &str, needle: &str) -> String {
    let a = analyze(main);
    let rendered = a.rendered();
    assert_eq!(a.errors, 1, "expected one error, got {rendered:#?}");
    assert!(
        messages(&a).iter().any(|m| m.contains(needle)),
        "no error containing {needle:?}: {rendered:#?}"
    );
    rendered.concat()
}

pub fn function<'p>(p: &'p Program, name: &str) -> &'p Function {
    p.functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"))
}

/// Names of the function's locals that live in cells.
pub fn captured(f: &Function) -> Vec<&str> {
    f.locals
        .iter()
        .filter(|l| l.captured)
        .map(|l| l.name.as_str())
        .collect()
}
