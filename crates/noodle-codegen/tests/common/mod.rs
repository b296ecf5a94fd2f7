//! Helpers shared by the codegen tests.
#![allow(dead_code)]

use noodle_codegen::{Output, compile_with_loader};
use noodle_nbc::Module;
use noodle_sema::MemoryLoader;
use std::path::Path;

pub const DIR: &str = "proj";

/// Compiles `main.nd` with extra in-memory files (paths relative to the
/// project directory).
pub fn compile_with(main: &str, files: &[(&str, &str)]) -> Output {
    let mut loader = MemoryLoader::new();
    for (path, src) in files {
        loader.add(Path::new(DIR).join(path), *src);
    }
    compile_with_loader("main.nd", main, Path::new(DIR), Box::new(loader))
}

/// Compiles without errors and checks the result with the NBC verifier.
pub fn module_with(main: &str, files: &[(&str, &str)]) -> Module {
    let out = compile_with(main, files);
    assert_eq!(out.errors, 0, "unexpected errors: {:#?}", out.diagnostics);
    let module = out.module.expect("a module when there are no errors");
    if let Err(e) = noodle_nbc::verify::verify(&module) {
        panic!("{e}\n{}", noodle_nbc::disasm::disassemble(&module));
    }
    module
}

pub fn module(main: &str) -> Module {
    module_with(main, &[])
}

pub fn listing(main: &str) -> String {
    noodle_nbc::disasm::disassemble(&module(main))
}

/// The listing of one function only (its header line included).
pub fn function_listing(main: &str, name: &str) -> String {
    let text = listing(main);
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("fn") {
            inside = line.contains(&format!(" {name}("));
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!out.is_empty(), "no function {name} in\n{text}");
    out
}
