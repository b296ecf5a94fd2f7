//! The REPL compiler: globals keep their slots across inputs, each entry
//! returns the input's value, failed inputs change nothing.

use noodle_codegen::{Output, ReplCompiler};
use noodle_nbc::{FunctionKind, Instr, Module};
use noodle_sema::MemoryLoader;
use std::path::Path;

fn repl() -> ReplCompiler {
    let loader = MemoryLoader::new().with("proj/util.nd", "let base = 40\ndef add(n) = base + n");
    ReplCompiler::with_loader(Path::new("proj"), Box::new(loader))
}

fn module(out: Output) -> Module {
    assert_eq!(out.errors, 0, "{:#?}", out.diagnostics);
    let m = out.module.expect("module");
    noodle_nbc::verify::verify(&m).expect("verifies");
    m
}

fn entry_code(m: &Module) -> Vec<Instr> {
    let entry = &m.functions[m.entry as usize];
    assert_eq!(entry.kind, FunctionKind::Entry);
    entry
        .code
        .iter()
        .map(|&w| Instr::decode(w).unwrap())
        .collect()
}

#[test]
fn globals_keep_their_slots_across_inputs() {
    let mut r = repl();
    let m1 = module(r.compile("let x = 1\ndef double(n) = n * 2"));
    assert_eq!(m1.globals, ["x", "double"]);
    let m2 = module(r.compile("let y = double(x)"));
    assert_eq!(m2.globals, ["x", "double", "y"]);
    // Redefinitions reuse the slot, and may read the old value.
    let m3 = module(r.compile("let x = x + 1\ndef double(n) = n + n"));
    assert_eq!(m3.globals, ["x", "double", "y"]);
}

#[test]
fn the_entry_returns_the_last_expression_value() {
    let mut r = repl();
    let m = module(r.compile("let a = 2\na * 21"));
    assert!(matches!(
        entry_code(&m).last(),
        Some(Instr::Return { src: 0 })
    ));
    let init = &m.functions[0];
    assert_eq!(init.kind, FunctionKind::ModuleInit);
    let code: Vec<Instr> = init
        .code
        .iter()
        .map(|&w| Instr::decode(w).unwrap())
        .collect();
    assert!(
        matches!(code.last(), Some(Instr::Return { .. })),
        "{code:?}"
    );
    // A declaration as the last statement gives none.
    let m = module(r.compile("let b = 1"));
    let code: Vec<Instr> = m.functions[0]
        .code
        .iter()
        .map(|&w| Instr::decode(w).unwrap())
        .collect();
    assert!(code.contains(&Instr::LoadNone { dst: 0 }), "{code:?}");
}

#[test]
fn a_failed_input_changes_nothing() {
    let mut r = repl();
    module(r.compile("let kept = 1"));
    let bad = r.compile("let lost = 2\nprint(missing)");
    assert_eq!(bad.errors, 1);
    assert!(bad.module.is_none());
    let again = r.compile("lost");
    assert_eq!(again.errors, 1, "{:#?}", again.diagnostics);
    let m = module(r.compile("kept"));
    assert_eq!(m.globals, ["kept"]);
}

#[test]
fn imports_persist_and_initialise_once() {
    let mut r = repl();
    let m1 = module(r.compile("import util\nfrom util import add"));
    assert_eq!(m1.globals, ["util.base", "util.add"]);
    let inits = |m: &Module| {
        entry_code(m)
            .iter()
            .filter(|i| matches!(i, Instr::Call { .. }))
            .count()
    };
    assert_eq!(inits(&m1), 2, "util's initialiser, then the input's");
    let m2 = module(r.compile("add(util.base)"));
    assert_eq!(inits(&m2), 1, "util is not initialised again");
}

#[test]
fn definitions_from_earlier_inputs_are_visible_to_checks() {
    let mut r = repl();
    module(r.compile("async def tick() = 1\nstruct P { x }"));
    let out = r.compile("tick()\nlet p = P(x: 1)");
    assert_eq!((out.errors, out.warnings), (0, 1), "{:#?}", out.diagnostics);
    let out = r.compile("let q = P(y: 2)");
    assert_eq!(out.errors, 1, "{:#?}", out.diagnostics);
}
