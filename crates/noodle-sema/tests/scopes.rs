//! Scopes, captures, hoisting and the compile-time checks.

mod common;

use common::*;
use noodle_sema::ir::{CaptureSource, ExprKind, LetTarget, StmtKind, VarRef};

// ---- captures ----

#[test]
fn closures_capture_enclosing_locals_through_every_level() {
    let p = ok("def outer() {
        let a = 1
        let b = 2
        def mid() {
            return || a + 1
        }
        return mid
    }");
    let outer = function(&p, "outer");
    assert_eq!(captured(outer), ["a"]);
    let mid = function(&p, "mid");
    assert_eq!(mid.captures, [CaptureSource::Local(0)]);
    let lambda = function(&p, "<lambda>");
    assert_eq!(lambda.captures, [CaptureSource::Upval(0)]);
}

#[test]
fn captured_parameters_and_loop_variables_live_in_cells() {
    let p = ok("def make(x, y) = || x
        def loops() {
            let fs = []
            for i in 0..3 { fs.push(|| i) }
            for k, v in ({\"a\": 1}).items() { fs.push(|| v) }
            return fs
        }");
    assert_eq!(captured(function(&p, "make")), ["x"]);
    assert_eq!(captured(function(&p, "loops")), ["i", "v"]);
}

#[test]
fn a_local_def_can_call_itself() {
    let p = ok("def f() {
        def count(n) = if n == 0 { 0 } else { 1 + count(n - 1) }
        return count(3)
    }");
    assert_eq!(captured(function(&p, "f")), ["count"]);
    assert_eq!(function(&p, "count").captures, [CaptureSource::Local(0)]);
}

#[test]
fn top_level_names_are_globals_not_captures() {
    let p = ok("let total = 0
        def add(n) { total += n }
        for i in 0..3 { add(i) }");
    assert!(function(&p, "add").captures.is_empty());
    assert_eq!(p.globals, ["total", "add"]);
}

// ---- scopes ----

#[test]
fn blocks_and_loop_bodies_are_scopes_of_their_own() {
    ok("let x = 1
        if true { let x = 2; print(x) }
        for i in 0..3 { let y = i }
        for i in 0..3 { let y = i * 2; let i = y }
        while false { let z = 1 }
        let y = 5");
}

#[test]
fn declaring_twice_in_one_scope_is_an_error() {
    one_error("def f() { let a = 1; let a = 2 }", "already declared");
    one_error("def f(a, a) = a", "already declared");
    one_error("def f(a) { let a = 2 }", "already declared");
    one_error("let a = 1\nlet a = 2", "already declared");
    one_error("def g() = 1\ndef g() = 2", "already declared");
    one_error("struct P { x, x }", "already declared");
    one_error("enum E { A, B, A }", "already declared");
    one_error("def f() = 1\nlet f = 2", "already declared");
    one_error("import math\nlet math = 1", "already declared");
    one_error(
        "def f(v) = match v { [a, a] => 1, _ => 0 }",
        "already declared",
    );
}

#[test]
fn top_level_definitions_are_visible_in_any_order() {
    ok("print(later(1), Shape.Dot, make())
        def later(x) = helper(x) + 1
        def helper(x) = x * 2
        def make() = Point(1, 2)
        struct Point { x, y }
        enum Shape { Dot }
        impl Point { def sum(self) = self.x + self.y }");
}

#[test]
fn top_level_lets_are_visible_to_top_level_code_only_after_declaration() {
    one_error("print(x)\nlet x = 1", "undeclared name `x`");
    // Functions see every global of the module, whenever they run.
    ok("def show() = x\nlet x = 1\nprint(show())");
}

#[test]
fn user_definitions_shadow_builtins() {
    let p = ok("def len(x) = 42\nlet n = len([1])");
    let init = &p.functions[p.inits[0] as usize];
    let StmtKind::Let {
        target: LetTarget::Global(_),
        value,
        ..
    } = &init.body.stmts[1].kind
    else {
        panic!("expected the let");
    };
    let ExprKind::Call { callee, .. } = &value.kind else {
        panic!("expected a call")
    };
    assert!(matches!(callee.kind, ExprKind::Var(VarRef::Global(0))));
}

#[test]
fn assignments_need_a_declared_variable() {
    one_error("y = 1", "undeclared name `y`");
    one_error("def f() = 1\nf = 2", "cannot assign to function `f`");
    one_error("print = 2", "cannot assign to builtin `print`");
    one_error("struct P { x }\nP = 1", "cannot assign to type `P`");
    one_error("from math import pi\npi = 3", "imported");
    ok("let x = 1\nx = 2\nx += 3\nlet xs = [1]\nxs[0] = 5\nxs[0] += 1");
}

// ---- control-flow checks ----

#[test]
fn break_and_continue_need_a_loop_of_their_own_function() {
    one_error("break", "`break` outside of a loop");
    one_error("def f() { continue }", "`continue` outside of a loop");
    one_error(
        "for i in 0..3 { let f = || { break } }",
        "outside of a loop",
    );
    ok("for i in 0..3 { if i == 1 { continue }; while true { break } }");
}

#[test]
fn return_needs_a_function() {
    one_error("return 1", "`return` outside of a function");
    one_error(
        "async def f() = 1\nasync def main() { parallel all { if true { return 1 } } }",
        "outside of a function",
    );
    ok("def f() { return }\nlet g = |x| { return x }");
}

#[test]
fn await_needs_an_async_function() {
    let text = one_error(
        "async def f() = 1\ndef g() {\n    return await f()\n}",
        "only allowed inside an async function",
    );
    assert!(text.contains("main.nd:3:12"), "{text}");
    one_error(
        "async def f() = 1\nawait f()",
        "only allowed inside an async function",
    );
    one_error(
        "async def f() = 1\nasync def g() { let h = || await f() }",
        "only allowed inside an async function",
    );
    ok("async def f() = 1
        async def g() { let h = async || await f(); return await f() }
        async def main() { print(parallel all { await f(); f() }) }");
}

#[test]
fn self_needs_an_actor_or_a_method() {
    one_error("def f() = self", "`self`");
    one_error("struct P { x }\nimpl P { def make() = self }", "`self`");
    let p = ok("struct P { x }
        impl P { def getter(self) = || self.x }
        actor A { def me() = self }");
    assert_eq!(captured(function(&p, "P.getter")), ["self"]);
    let me = function(&p, "A.me");
    let StmtKind::Expr(e) = &me.body.stmts[0].kind else {
        panic!()
    };
    assert!(matches!(e.kind, ExprKind::ActorSelf));
}

// ---- annotations, types, declarations ----

#[test]
fn annotation_arguments_are_symbols_not_variables() {
    ok("@on(gpu, mem >= 8GB)
        @qos(responsive, latency < 10ms)
        @replicas(3)
        @restart(transient)
        @checkpoint(every: 100)
        @mailbox(capacity: 1000)
        actor Worker { def work() = 1 }
        supervisor App(strategy: rest_for_one, max_restarts: 5, within: 10s) { w = Worker() }");
}

#[test]
fn unknown_annotations_types_and_options_are_errors() {
    one_error("@bogus\nactor A {}", "unknown annotation `@bogus`");
    one_error(
        "@restart(sometimes)\nactor A {}",
        "permanent, transient or temporary",
    );
    one_error("let x: integer = 1", "unknown type `integer`");
    one_error("def f(p: Pointt) = p", "unknown type `Pointt`");
    one_error(
        "def f(v) = match v { s: strng => 1, _ => 2 }",
        "unknown type `strng`",
    );
    one_error(
        "actor A {}\nsupervisor S(strategy: all_at_once) { a = A() }",
        "strategy",
    );
    one_error(
        "actor A {}\nsupervisor S(speed: 3) { a = A() }",
        "unknown supervisor option",
    );
    one_error("def f() = 1\nsupervisor S { a = f() }", "must be an actor");
    ok("struct P { x: float, y: int }
        enum E { A(v) }
        def f(p: P, e: E, xs: list[int], m: map[str, int]) -> any = p
        let d: duration = 1s");
}

#[test]
fn struct_and_enum_uses_are_checked_against_their_declarations() {
    one_error("struct P { x, y }\nlet p = P(x: 1, z: 2)", "no field `z`");
    one_error(
        "struct P { x, y }\nlet p = P(1)",
        "has 2 fields, but 1 argument was given",
    );
    one_error("enum S { A(r), B }\nlet s = S.C", "no variant `C`");
    one_error("enum S { A(r), B }\nlet s = S.A(1, 2)", "takes 1 field");
    one_error(
        "enum S { A(r), B }\nlet s = S.B()",
        "is a value, not a constructor",
    );
    one_error(
        "struct P { x }\ndef f(v) = match v { P(a, b) => 1, _ => 0 }",
        "struct `P` has 1",
    );
    one_error("def f() { struct Q { a } }", "top level");
    one_error("impl Nope { def f(self) = 1 }", "undeclared name `Nope`");
}

#[test]
fn match_alternatives_bind_the_same_names() {
    one_error(
        "def f(v) = match v { [a, 1] | [1, b] => 1, _ => 0 }",
        "same names",
    );
    ok("def f(v) = match v { [a, 1] | [1, a] => a, _ => 0 }");
}

#[test]
fn every_error_of_a_file_is_reported_in_one_run() {
    let a = analyze(
        "def f() {
            let a = 1
            let a = 2
            continue
        }
        print(nope)
        return 5",
    );
    assert_eq!(a.errors, 4, "{:#?}", a.rendered());
}

// ---- warnings ----

#[test]
fn calling_an_async_function_as_a_statement_warns() {
    let a = analyze(
        "async def fetch() = 1
        async def main() {
            fetch()
            await fetch()
            let t = spawn fetch()
            parallel all { fetch() }
            let c = [1]
            c.push(1)
        }",
    );
    assert_eq!((a.errors, a.warnings), (0, 1), "{:#?}", a.rendered());
    assert!(messages(&a)[0].contains("never awaited"));
}

#[test]
fn underscore_never_binds() {
    // `.._` discards like `..`, so both alternatives bind only `first`.
    ok("def f(v) = match v {
        [first, .._] | {\"first\": first} => first,
        _: int | _: str => 0,
        [_, _] => 1,
        _ => 2,
    }");
    // Declaring `_` twice is fine, and binds nothing.
    let p = ok(
        "let _ = 1\nlet _ = 2\ndef g(_, _) = 0\nfor _ in [1] { }\n_ = g(1, 2)\ntry { } catch _ { }",
    );
    assert_eq!(p.globals, ["g"]);
    one_error("let _ = 1\nprint(_)", "`_` is not a value");
}

#[test]
fn methods_and_handlers_are_named_after_their_type() {
    let p = ok("struct Point { x }
        impl Point { def norm(self) = self.x }
        actor Counter { def increment() = 1 }");
    function(&p, "Point.norm");
    function(&p, "Counter.increment");
}

#[test]
fn syntax_errors_silence_undeclared_names_only() {
    // The `let` failed to parse, so `doubled` is not reported.
    let a = analyze("let doubled = [1].map(|x| x * * 2)\nprint(doubled)\nbreak\nundeclared = 1\n");
    let msgs = messages(&a);
    assert_eq!(a.errors, 2, "{msgs:#?}");
    assert!(msgs[0].contains("expected an expression"));
    assert!(msgs[1].contains("outside of a loop"));
    // Without syntax errors, every semantic error is reported.
    let a = analyze("print(doubled)\nbreak\nundeclared = 1\n");
    assert_eq!(a.errors, 3, "{:#?}", messages(&a));
}
