//! Calls, closures, arguments and the embedding API.
mod common;

use common::*;
use noodle_nbc::{Capture, Const, Instr::*};
use noodle_vm::{Value, VmOptions};

/// `def fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }`,
/// with `fib` in global 0.
fn fib_function() -> noodle_nbc::Function {
    func(
        "fib",
        &["n"],
        4,
        vec![
            LoadInt { dst: 1, value: 2 },
            Lt { dst: 1, a: 0, b: 1 },
            JumpIfFalse { cond: 1, offset: 1 },
            Return { src: 0 },
            LoadGlobal { dst: 1, global: 0 },
            AddImm {
                dst: 2,
                a: 0,
                imm: -1,
            },
            Call { func: 1, argc: 1 },
            LoadGlobal { dst: 2, global: 0 },
            AddImm {
                dst: 3,
                a: 0,
                imm: -2,
            },
            Call { func: 2, argc: 1 },
            Add { dst: 1, a: 1, b: 2 },
            Return { src: 1 },
        ],
    )
}

pub fn fib_module(n: i64) -> noodle_nbc::Module {
    let main = entry(
        2,
        vec![
            Closure { dst: 0, proto: 1 },
            StoreGlobal { global: 0, src: 0 },
            LoadGlobal { dst: 0, global: 0 },
            LoadConst { dst: 1, k: 0 },
            Call { func: 0, argc: 1 },
            Return { src: 0 },
        ],
    );
    module(vec![main, fib_function()])
        .consts(vec![Const::Int(n)])
        .globals(&["fib"])
        .build()
}

#[test]
fn recursive_fib() {
    let (_, result) = run(&fib_module(20));
    assert_eq!(expect_int(&result), 6765);
}

#[test]
fn closures_share_captured_cells() {
    // def make_counter() { let count = 0; return || { count += 1; return count } }
    let make_counter = func(
        "make_counter",
        &[],
        2,
        vec![
            LoadInt { dst: 0, value: 0 },
            MakeCell { dst: 0, src: 0 },
            Closure { dst: 1, proto: 2 },
            Return { src: 1 },
        ],
    );
    let mut increment = func(
        "increment",
        &[],
        1,
        vec![
            LoadUpval { dst: 0, idx: 0 },
            AddImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            StoreUpval { idx: 0, src: 0 },
            Return { src: 0 },
        ],
    );
    increment.captures = vec![Capture::Local(0)];
    // c1(); c1(); return c1() * 10 + c2()  → 31. Call windows sit above
    // every live register: a callee may clobber the registers above it.
    let main = entry(
        6,
        vec![
            Closure { dst: 0, proto: 1 },
            Move { dst: 1, src: 0 },
            Call { func: 1, argc: 0 },
            Move { dst: 2, src: 0 },
            Call { func: 2, argc: 0 },
            Move { dst: 3, src: 1 },
            Call { func: 3, argc: 0 },
            Move { dst: 3, src: 1 },
            Call { func: 3, argc: 0 },
            Move { dst: 3, src: 1 },
            Call { func: 3, argc: 0 },
            LoadInt { dst: 4, value: 10 },
            Mul { dst: 3, a: 3, b: 4 },
            Move { dst: 4, src: 2 },
            Call { func: 4, argc: 0 },
            Add { dst: 3, a: 3, b: 4 },
            Return { src: 3 },
        ],
    );
    let (_, result) = run(&module(vec![main, make_counter, increment]).build());
    assert_eq!(expect_int(&result), 31);
}

/// `def f(a, b = 10) = a * 100 + b`
fn with_default() -> noodle_nbc::Function {
    func(
        "f",
        &["a", "b?"],
        3,
        vec![
            JumpIfSet { reg: 1, offset: 1 },
            LoadInt { dst: 1, value: 10 },
            LoadInt { dst: 2, value: 100 },
            Mul { dst: 2, a: 0, b: 2 },
            Add { dst: 2, a: 2, b: 1 },
            Return { src: 2 },
        ],
    )
}

/// Calls `f` with the arguments set up by `args` (registers 1..), with
/// keyword list 0 applied when `named`.
fn call_f(
    args: Vec<noodle_nbc::Instr>,
    argc: u16,
    named: bool,
) -> Result<Value, noodle_vm::UncaughtError> {
    let mut code = vec![Closure { dst: 0, proto: 1 }];
    code.extend(args);
    if named {
        code.push(KwNames { names: 0 });
    }
    code.push(Call { func: 0, argc });
    code.push(Return { src: 0 });
    let m = module(vec![entry(5, code), with_default()])
        .kw(&[&["b", "a"], &["c"]])
        .build();
    run(&m).1
}

#[test]
fn defaults_and_named_arguments() {
    assert_eq!(
        expect_int(&call_f(vec![LoadInt { dst: 1, value: 1 }], 1, false)),
        110
    );
    let two = vec![LoadInt { dst: 1, value: 1 }, LoadInt { dst: 2, value: 2 }];
    assert_eq!(expect_int(&call_f(two.clone(), 2, false)), 102);
    // f(b: 1, a: 2)
    assert_eq!(expect_int(&call_f(two, 2, true)), 201);
}

#[test]
fn bad_arguments_are_type_errors_naming_function_and_parameter() {
    let three = vec![
        LoadInt { dst: 1, value: 1 },
        LoadInt { dst: 2, value: 2 },
        LoadInt { dst: 3, value: 3 },
    ];
    let e = call_f(three, 3, false).unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("TypeError", "f() takes 2 arguments but 3 were given")
    );
    let e = call_f(vec![], 0, false).unwrap_err();
    assert_eq!(e.message, "f() missing argument 'a'");

    let code = vec![
        Closure { dst: 0, proto: 1 },
        LoadInt { dst: 1, value: 1 },
        KwNames { names: 1 },
        Call { func: 0, argc: 1 },
        Return { src: 0 },
    ];
    let m = module(vec![entry(3, code), with_default()])
        .kw(&[&["b", "a"], &["c"]])
        .build();
    let e = run(&m).1.unwrap_err();
    assert_eq!(e.message, "f() got an unexpected keyword argument 'c'");
}

#[test]
fn calling_a_non_function_is_a_type_error() {
    let code = vec![
        LoadInt { dst: 0, value: 3 },
        Call { func: 0, argc: 0 },
        Return { src: 0 },
    ];
    let e = run(&module(vec![entry(1, code)]).build()).1.unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("TypeError", "int is not callable")
    );
}

#[test]
fn call_value_runs_closures_from_rust() {
    // The module leaves `fib` in global 0; call it again from Rust.
    let (mut vm, result) = run(&fib_module(10));
    assert_eq!(expect_int(&result), 55);
    let fib = vm.global(0).expect("fib is defined");
    let r = vm.call_value(fib, &[Value::Int(15)]).expect("fib runs");
    assert!(matches!(r, Value::Int(610)));
}

#[test]
fn deep_recursion_does_not_use_the_rust_stack() {
    // def deep(n) = if n == 0 { 0 } else { 1 + deep(n - 1) }, n = 100,000
    let deep = func(
        "deep",
        &["n"],
        3,
        vec![
            LoadInt { dst: 1, value: 0 },
            Eq { dst: 2, a: 0, b: 1 },
            JumpIfFalse { cond: 2, offset: 1 },
            Return { src: 1 },
            LoadGlobal { dst: 1, global: 0 },
            AddImm {
                dst: 2,
                a: 0,
                imm: -1,
            },
            Call { func: 1, argc: 1 },
            AddImm {
                dst: 1,
                a: 1,
                imm: 1,
            },
            Return { src: 1 },
        ],
    );
    let main = entry(
        2,
        vec![
            Closure { dst: 0, proto: 1 },
            StoreGlobal { global: 0, src: 0 },
            LoadConst { dst: 1, k: 0 },
            Call { func: 0, argc: 1 },
            Return { src: 0 },
        ],
    );
    let m = module(vec![main, deep])
        .consts(vec![Const::Int(100_000)])
        .globals(&["deep"])
        .build();
    let (_, result) = run(&m);
    assert_eq!(expect_int(&result), 100_000);

    let (_, result) = run_with(
        &m,
        VmOptions {
            max_frames: 1000,
            ..VmOptions::default()
        },
    );
    assert_eq!(expect_error(&result).kind, "RecursionError");
}

#[test]
fn the_repl_keeps_globals_across_modules() {
    let first = module(vec![entry(
        1,
        vec![
            LoadInt { dst: 0, value: 42 },
            StoreGlobal { global: 0, src: 0 },
            ReturnNone {},
        ],
    )])
    .globals(&["x"])
    .build();
    let second = module(vec![entry(
        2,
        vec![
            LoadGlobal { dst: 0, global: 0 },
            AddImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            StoreGlobal { global: 1, src: 0 },
            Return { src: 0 },
        ],
    )])
    .globals(&["x", "y"])
    .build();
    let mut vm = noodle_vm::Vm::new(VmOptions::default());
    vm.run_module(&first).expect("first runs");
    let r = vm.run_module(&second).expect("second runs");
    assert!(matches!(r, Value::Int(43)));
    assert!(matches!(vm.global(1), Some(Value::Int(43))));
}

#[test]
fn reading_an_unassigned_global_is_a_name_error() {
    let m = module(vec![entry(
        1,
        vec![LoadGlobal { dst: 0, global: 0 }, Return { src: 0 }],
    )])
    .globals(&["later"])
    .build();
    let e = run(&m).1.unwrap_err();
    assert_eq!(e.kind, "NameError");
    assert!(e.message.contains("later"), "{}", e.message);
}

#[test]
fn fused_pairs_keep_both_effects_and_report_the_right_line() {
    // r1 = 5; r2 = r1 - 3 (fused) ; return [r2, r1's temp]
    let code = vec![
        LoadInt { dst: 0, value: 5 },
        LoadInt { dst: 1, value: 3 },
        Sub { dst: 2, a: 0, b: 1 },
        NewList {
            dst: 0,
            base: 1,
            count: 2,
        },
        Return { src: 0 },
    ];
    let (vm, result) = run(&module(vec![entry(3, code)]).build());
    let items = vm.heap.list(result.expect("runs")).expect("a list").clone();
    assert!(
        matches!(items[..], [Value::Int(3), Value::Int(2)]),
        "{items:?}"
    );

    // Overflow in the second half of a fused pair is reported at its line.
    let f = func(
        "f",
        &["n"],
        3,
        vec![
            LoadInt { dst: 1, value: 2 },
            Mul { dst: 2, a: 0, b: 1 },
            Return { src: 2 },
        ],
    );
    let program = entry(
        2,
        vec![
            Closure { dst: 0, proto: 1 },
            LoadConst { dst: 1, k: 0 },
            Call { func: 0, argc: 1 },
            Return { src: 0 },
        ],
    );
    let m = module(vec![program, f])
        .consts(vec![Const::Int(i64::MAX)])
        .build();
    let e = run(&m).1.unwrap_err();
    assert_eq!(e.kind, "OverflowError");
    assert_eq!(e.trace, vec!["at f (t.nd:2:5)"]);

    // A fused compare-and-branch on a non-number falls back to the slow path.
    let f = func(
        "g",
        &["s"],
        3,
        vec![
            LoadInt { dst: 1, value: 2 },
            Lt { dst: 2, a: 0, b: 1 },
            JumpIfFalse { cond: 2, offset: 1 },
            Return { src: 1 },
            Return { src: 0 },
        ],
    );
    let program = entry(
        2,
        vec![
            Closure { dst: 0, proto: 1 },
            LoadConst { dst: 1, k: 0 },
            Call { func: 0, argc: 1 },
            Return { src: 0 },
        ],
    );
    let m = module(vec![program, f])
        .consts(vec![Const::Str("x".into())])
        .build();
    let e = run(&m).1.unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.trace[0].as_str()),
        ("TypeError", "at g (t.nd:2:5)")
    );
    let program = entry(
        2,
        vec![
            Closure { dst: 0, proto: 1 },
            LoadConst { dst: 1, k: 0 },
            Call { func: 0, argc: 1 },
            Return { src: 0 },
        ],
    );
    let f = func(
        "g",
        &["s"],
        3,
        vec![
            LoadInt { dst: 1, value: 2 },
            Lt { dst: 2, a: 0, b: 1 },
            JumpIfFalse { cond: 2, offset: 1 },
            Return { src: 1 },
            Return { src: 0 },
        ],
    );
    let m = module(vec![program, f])
        .consts(vec![Const::Float(1.5)])
        .build();
    assert_eq!(expect_int(&run(&m).1), 2);
}

#[test]
fn functions_with_many_registers_widen_the_register_window() {
    // f(n) uses register 299; called twice, recursively through the REPL-style
    // second module after a narrow first one.
    let narrow = module(vec![entry(
        2,
        vec![LoadInt { dst: 0, value: 7 }, Return { src: 0 }],
    )])
    .build();
    let f = func(
        "f",
        &["n"],
        300,
        vec![
            AddImm {
                dst: 299,
                a: 0,
                imm: 1,
            },
            Move { dst: 150, src: 299 },
            Return { src: 150 },
        ],
    );
    let wide = module(vec![
        entry(
            3,
            vec![
                Closure { dst: 0, proto: 1 },
                LoadInt { dst: 1, value: 41 },
                Call { func: 0, argc: 1 },
                Return { src: 0 },
            ],
        ),
        f,
    ])
    .build();
    let mut vm = noodle_vm::Vm::new(VmOptions::default());
    assert!(matches!(vm.run_module(&narrow), Ok(Value::Int(7))));
    assert!(matches!(vm.run_module(&wide), Ok(Value::Int(42))));
    assert!(matches!(vm.run_module(&narrow), Ok(Value::Int(7))));
}
