//! Hand-assembled modules for the VM tests (the compiler is a separate
//! crate, so these tests do not depend on it).
#![allow(dead_code)]

use noodle_nbc::{Const, Function, FunctionKind, Instr, LineEntry, Module, Param};
use noodle_vm::{UncaughtError, Value, Vm, VmOptions};

/// A function whose instruction `pc` is reported at line `pc + 1`, column 5.
pub fn func(name: &str, params: &[&str], num_regs: u16, code: Vec<Instr>) -> Function {
    let params = params
        .iter()
        .map(|p| match p.strip_suffix('?') {
            Some(name) => Param {
                name: name.into(),
                has_default: true,
            },
            None => Param {
                name: (*p).into(),
                has_default: false,
            },
        })
        .collect();
    let lines = (0..code.len() as u32)
        .map(|pc| LineEntry {
            pc,
            line: pc + 1,
            col: 5,
        })
        .collect();
    Function {
        name: name.into(),
        kind: FunctionKind::Function,
        is_async: false,
        params,
        num_regs,
        captures: vec![],
        code: code.iter().map(Instr::encode).collect(),
        lines,
        file: 0,
    }
}

/// The program entry: function 0 of every test module.
pub fn entry(num_regs: u16, code: Vec<Instr>) -> Function {
    Function {
        kind: FunctionKind::Entry,
        ..func("<entry>", &[], num_regs, code)
    }
}

pub struct ModuleBuilder {
    pub module: Module,
}

pub fn module(functions: Vec<Function>) -> ModuleBuilder {
    ModuleBuilder {
        module: Module {
            files: vec!["t.nd".into()],
            consts: vec![],
            names: vec![],
            kw_names: vec![],
            functions,
            structs: vec![],
            enums: vec![],
            globals: vec![],
            entry: 0,
        },
    }
}

impl ModuleBuilder {
    pub fn consts(mut self, consts: Vec<Const>) -> Self {
        self.module.consts = consts;
        self
    }
    pub fn names(mut self, names: &[&str]) -> Self {
        self.module.names = names.iter().map(|n| n.to_string()).collect();
        self
    }
    pub fn kw(mut self, lists: &[&[&str]]) -> Self {
        self.module.kw_names = lists
            .iter()
            .map(|l| l.iter().map(|n| n.to_string()).collect())
            .collect();
        self
    }
    pub fn globals(mut self, globals: &[&str]) -> Self {
        self.module.globals = globals.iter().map(|n| n.to_string()).collect();
        self
    }
    pub fn build(self) -> Module {
        self.module
    }
}

/// Runs `module` in a fresh VM with captured output.
pub fn run_with(module: &Module, options: VmOptions) -> (Vm, Result<Value, UncaughtError>) {
    let mut vm = Vm::new(options);
    vm.capture_output();
    let result = vm.run_module(module);
    (vm, result)
}

pub fn run(module: &Module) -> (Vm, Result<Value, UncaughtError>) {
    run_with(module, VmOptions::default())
}

pub fn expect_int(result: &Result<Value, UncaughtError>) -> i64 {
    match result {
        Ok(Value::Int(i)) => *i,
        other => panic!("expected an int, got {other:?}"),
    }
}

pub fn expect_float(result: &Result<Value, UncaughtError>) -> f64 {
    match result {
        Ok(Value::Float(f)) => *f,
        other => panic!("expected a float, got {other:?}"),
    }
}

pub fn expect_str(vm: &Vm, result: &Result<Value, UncaughtError>) -> String {
    match result {
        Ok(v) => vm
            .heap
            .as_str(*v)
            .unwrap_or_else(|| panic!("expected a str, got {v:?}"))
            .to_string(),
        Err(e) => panic!("expected a str, got {e}"),
    }
}

pub fn expect_error(result: &Result<Value, UncaughtError>) -> &UncaughtError {
    match result {
        Err(e) => e,
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}
