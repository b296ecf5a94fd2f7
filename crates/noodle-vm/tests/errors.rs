//! Raising, handlers, traces and the uncaught-error report.
mod common;

use common::*;
use noodle_nbc::{Const, FunctionKind, Instr::*};
use noodle_vm::VmOptions;

/// `def divide(a, b) = a // b` (the division is at line 1, column 5).
fn divide() -> noodle_nbc::Function {
    func(
        "divide",
        &["a", "b"],
        3,
        vec![FloorDiv { dst: 2, a: 0, b: 1 }, Return { src: 2 }],
    )
}

/// `def main() { ...; divide(1, 0) }` with the call at line 4.
fn main_calling_divide() -> noodle_nbc::Function {
    let mut main = func(
        "main",
        &[],
        3,
        vec![
            Closure { dst: 0, proto: 2 },
            LoadInt { dst: 1, value: 1 },
            LoadInt { dst: 2, value: 0 },
            Call { func: 0, argc: 2 },
            Return { src: 0 },
        ],
    );
    main.kind = FunctionKind::Function;
    main
}

#[test]
fn an_uncaught_error_reports_kind_message_and_trace() {
    let program = entry(
        1,
        vec![
            Closure { dst: 0, proto: 1 },
            Call { func: 0, argc: 0 },
            Return { src: 0 },
        ],
    );
    let m = module(vec![program, main_calling_divide(), divide()]).build();
    let (_, result) = run(&m);
    let e = expect_error(&result);
    assert_eq!(e.kind, "ZeroDivisionError");
    assert_eq!(e.message, "division by zero");
    assert_eq!(e.trace, vec!["at divide (t.nd:1:5)", "at main (t.nd:4:5)"]);
    assert_eq!(
        e.to_string(),
        "error: ZeroDivisionError: division by zero\n  at divide (t.nd:1:5)\n  at main (t.nd:4:5)"
    );
}

#[test]
fn a_handler_in_a_caller_catches_and_inspects_the_error() {
    // try { main() } catch e: ZeroDivisionError { return e.message }
    let program = entry(
        4,
        vec![
            PushHandler { err: 0, offset: 4 },
            Closure { dst: 1, proto: 1 },
            Call { func: 1, argc: 0 },
            PopHandler {},
            Return { src: 1 },
            ErrorIs {
                dst: 2,
                err: 0,
                kind: 0,
            },
            JumpIfFalse { cond: 2, offset: 2 },
            GetField {
                dst: 3,
                obj: 0,
                name: 1,
            },
            Return { src: 3 },
            Raise { src: 0 },
        ],
    );
    let m = module(vec![program, main_calling_divide(), divide()])
        .names(&["ZeroDivisionError", "message"])
        .build();
    let (vm, result) = run(&m);
    assert_eq!(expect_str(&vm, &result), "division by zero");

    // The same handler does not catch other kinds: it re-raises.
    let m = module(vec![program_with_kind(), main_calling_divide(), divide()])
        .names(&["KeyError", "message"])
        .build();
    let e = run(&m).1.unwrap_err();
    assert_eq!(e.kind, "ZeroDivisionError");
    assert_eq!(
        e.trace[0], "at divide (t.nd:1:5)",
        "a re-raise keeps the first trace"
    );
}

fn program_with_kind() -> noodle_nbc::Function {
    entry(
        4,
        vec![
            PushHandler { err: 0, offset: 4 },
            Closure { dst: 1, proto: 1 },
            Call { func: 1, argc: 0 },
            PopHandler {},
            Return { src: 1 },
            ErrorIs {
                dst: 2,
                err: 0,
                kind: 0,
            },
            JumpIfFalse { cond: 2, offset: 2 },
            GetField {
                dst: 3,
                obj: 0,
                name: 1,
            },
            Return { src: 3 },
            Raise { src: 0 },
        ],
    )
}

#[test]
fn error_values_expose_kind_message_and_trace() {
    // let e = ValueError("bad"); try { raise e } catch x { return [x.kind, x.message, len(x.trace)] }
    let thrower = func("thrower", &["e"], 1, vec![Raise { src: 0 }]);
    let program = entry(
        8,
        vec![
            PushHandler { err: 0, offset: 3 },
            Closure { dst: 1, proto: 1 },
            LoadConst { dst: 2, k: 0 },
            Call { func: 1, argc: 1 },
            GetField {
                dst: 3,
                obj: 0,
                name: 0,
            },
            GetField {
                dst: 4,
                obj: 0,
                name: 1,
            },
            GetField {
                dst: 5,
                obj: 0,
                name: 2,
            },
            Len { dst: 5, src: 5 },
            NewList {
                dst: 0,
                base: 3,
                count: 3,
            },
            Return { src: 0 },
        ],
    );
    let m = module(vec![program, thrower])
        .consts(vec![Const::Str("x".into())])
        .names(&["kind", "message", "trace"])
        .build();
    // Raising a str is itself a TypeError, raised inside `thrower`.
    let (vm, result) = run(&m);
    let list = vm
        .heap
        .list(result.expect("caught"))
        .expect("a list")
        .clone();
    assert_eq!(vm.heap.as_str(list[0]), Some("TypeError"));
    assert_eq!(
        vm.heap.as_str(list[1]),
        Some("only errors can be raised, not str")
    );
    assert!(matches!(list[2], noodle_vm::Value::Int(1)));
}

#[test]
fn handlers_of_returned_frames_are_discarded() {
    // helper installs a handler and returns without popping it; a later
    // error in the entry must not jump into the dead frame.
    let helper = func(
        "helper",
        &[],
        2,
        vec![
            PushHandler { err: 0, offset: 1 },
            LoadInt { dst: 1, value: 7 },
            Return { src: 1 },
        ],
    );
    let program = entry(
        3,
        vec![
            Closure { dst: 0, proto: 1 },
            Call { func: 0, argc: 0 },
            LoadInt { dst: 1, value: 0 },
            Div { dst: 2, a: 0, b: 1 },
            Return { src: 2 },
        ],
    );
    let e = run(&module(vec![program, helper]).build()).1.unwrap_err();
    assert_eq!(e.kind, "ZeroDivisionError");
}

/// `def forever(n) = forever(n + 1) + 1`
fn forever_module() -> noodle_nbc::Module {
    let forever = func(
        "forever",
        &["n"],
        3,
        vec![
            LoadGlobal { dst: 1, global: 0 },
            AddImm {
                dst: 2,
                a: 0,
                imm: 1,
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
    let program = entry(
        3,
        vec![
            Closure { dst: 0, proto: 1 },
            StoreGlobal { global: 0, src: 0 },
            PushHandler { err: 2, offset: 4 },
            LoadInt { dst: 1, value: 0 },
            Call { func: 0, argc: 1 },
            PopHandler {},
            Return { src: 0 },
            GetField {
                dst: 1,
                obj: 2,
                name: 0,
            },
            Return { src: 1 },
        ],
    );
    module(vec![program, forever])
        .globals(&["forever"])
        .names(&["kind"])
        .build()
}

#[test]
fn runaway_recursion_is_a_catchable_recursion_error() {
    let (vm, result) = run(&forever_module());
    assert_eq!(expect_str(&vm, &result), "RecursionError");
    let (vm, result) = run_with(
        &forever_module(),
        VmOptions {
            max_frames: 50,
            ..VmOptions::default()
        },
    );
    assert_eq!(expect_str(&vm, &result), "RecursionError");
}

#[test]
fn runtime_errors_have_clear_messages() {
    let cases: Vec<(Vec<noodle_nbc::Instr>, &str, &str)> = vec![
        (
            vec![
                LoadInt { dst: 0, value: 1 },
                LoadConst { dst: 1, k: 0 },
                Add { dst: 0, a: 0, b: 1 },
            ],
            "TypeError",
            "unsupported operand types for +: int and str",
        ),
        (
            vec![
                NewList {
                    dst: 0,
                    base: 0,
                    count: 0,
                },
                LoadInt { dst: 1, value: 3 },
                GetIndex {
                    dst: 0,
                    obj: 0,
                    index: 1,
                },
            ],
            "IndexError",
            "list index 3 out of range (length 0)",
        ),
        (
            vec![
                NewMap {
                    dst: 0,
                    base: 0,
                    count: 0,
                },
                LoadConst { dst: 1, k: 0 },
                GetIndex {
                    dst: 0,
                    obj: 0,
                    index: 1,
                },
            ],
            "KeyError",
            "\"nope\"",
        ),
        (
            vec![
                LoadInt { dst: 0, value: 1 },
                LoadConst { dst: 1, k: 0 },
                Lt { dst: 0, a: 0, b: 1 },
            ],
            "TypeError",
            "unsupported operand types for <: int and str",
        ),
        (
            vec![LoadConst { dst: 0, k: 1 }, Neg { dst: 0, src: 0 }],
            "OverflowError",
            "integer overflow",
        ),
        (
            vec![
                LoadInt { dst: 0, value: 1 },
                LoadInt { dst: 1, value: 0 },
                Mod { dst: 0, a: 0, b: 1 },
            ],
            "ZeroDivisionError",
            "division by zero",
        ),
        (
            vec![LoadNone { dst: 1 }, Await { dst: 0, src: 1 }],
            "TypeError",
            "cannot await none",
        ),
        (
            vec![
                LoadBuiltin {
                    dst: 0,
                    builtin: noodle_nbc::builtins::builtin_index("channel").unwrap(),
                },
                Call { func: 0, argc: 0 },
            ],
            "UnsupportedError",
            "channel() needs the concurrency runtime, which is not available yet",
        ),
        (
            vec![LoadNone { dst: 0 }, IterInit { dst: 0, src: 0 }],
            "TypeError",
            "none is not iterable",
        ),
    ];
    for (mut code, kind, message) in cases {
        code.push(Return { src: 0 });
        let m = module(vec![entry(3, code)])
            .consts(vec![Const::Str("nope".into()), Const::Int(i64::MIN)])
            .build();
        let e = run(&m).1.unwrap_err();
        assert_eq!((e.kind.as_str(), e.message.as_str()), (kind, message));
    }
}

#[test]
fn an_actor_declaration_is_inert() {
    let ctor = func("Counter", &[], 1, vec![ReturnNone {}]);
    let program = entry(
        1,
        vec![
            DefActor { dst: 0, proto: 1 },
            LoadInt { dst: 0, value: 5 },
            Return { src: 0 },
        ],
    );
    let (_, result) = run(&module(vec![program, ctor]).build());
    assert_eq!(expect_int(&result), 5);
}
