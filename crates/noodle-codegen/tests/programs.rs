//! Programs exercising every construct, combined in awkward ways: each must
//! compile and pass the NBC verifier (registers, windows, jumps, captures).

mod common;

use common::{function_listing, module, module_with};
use noodle_nbc::Instr;

#[test]
fn nested_closures_assign_through_upvalues() {
    module(
        "def outer(a, b = a * 2) {
            let total = a
            def middle(x) {
                let inner = |y| { total += x + y + b; return total }
                return inner(1)
            }
            middle(2)
            return || total
        }
        print(outer(1)())",
    );
}

#[test]
fn exits_from_nested_try_blocks_run_every_finally() {
    module(
        "def f(xs) {
            for x in xs {
                try {
                    while true {
                        try {
                            if x == 1 { continue }
                            if x == 2 { break }
                            if x == 3 { return x }
                            raise ValueError(\"v\")
                        } finally {
                            print(\"inner\")
                        }
                    }
                } catch e: KeyError {
                    return -1
                } catch err {
                    let keep = || err
                    print(keep().message)
                } finally {
                    print(\"outer\")
                }
            }
            return 0
        }",
    );
}

#[test]
fn a_finally_with_its_own_exits() {
    module(
        "def f() {
            for i in 0..3 {
                try { raise Error(\"x\") } finally { if i == 1 { break } }
            }
            return try { 1 } finally { print(2) }
        }",
    );
}

#[test]
fn loops_with_captured_variables_and_destructuring() {
    module(
        "let fs = []
        for i, x in enumerate([10, 20]) { fs.push(|| i + x) }
        for k in 0..=2 { let j = k; fs.push(|| j); k = 5 }
        let m = {\"a\": 1}
        for key, value in m.items() { m[key] = value * 2 }
        let n = 0
        while n < 3 and not (n == 7 or false) { n += 1 }",
    );
}

#[test]
fn match_bindings_guards_and_nesting() {
    module(
        "struct P { x, y }
        enum Tree { Leaf(v), Node(l, r), Nil }
        def sum(t) = match t {
            Tree.Leaf(v) => v,
            Tree.Node(l, r) => sum(l) + sum(r),
            Tree.Nil => 0,
        }
        def walk(v) {
            let fs = []
            for item in v {
                match item {
                    [P(x, 0), {\"k\": [a, ..]}] | [P(0, x), {\"k\": [a, ..]}] => fs.push(|| x + a),
                    n: int if n > 0 => fs.push(|| n),
                    [first, ..rest] => fs.push(|| rest),
                    -1 | 1.5 | \"s\" | none | true | 10ms => {},
                    _ => {},
                }
            }
            return fs
        }
        print(sum(Tree.Node(Tree.Leaf(1), Tree.Nil)), walk([]))",
    );
}

#[test]
fn large_literals_are_built_in_chunks() {
    let items: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    let entries: Vec<String> = (0..200).map(|i| format!("{i}: {i}")).collect();
    module(&format!(
        "let xs = [{}]\nlet m = {{{}}}\nprint(len(xs), len(m))",
        items.join(", "),
        entries.join(", ")
    ));
}

#[test]
fn calls_methods_slices_and_named_arguments() {
    module(
        "def f(a, b = 2) = a
        let xs = [3, 1, 2]
        print(xs[1..], xs[..2], xs[0..=1], \"abc\"[-1], sorted(xs, key: |x| -x, reverse: true))
        print(f(1, b: 3), xs.index(2), -xs[0], ~5, f\"{f\"{xs[0]:>3}\"}\")
        let p = {\"a\": [1]}
        p[\"a\"][0] += 1
        p[\"b\"] = p.get(\"a\", none)",
    );
}

#[test]
fn structs_fields_and_methods() {
    module(
        "struct Counter { n: int }
        impl Counter {
            def bump(self, by = 1) { self.n += by; return self }
            def zero() = Counter(0)
        }
        let c = Counter(n: 1)
        c.bump().bump(by: 2)
        c.n *= 3
        print(Counter.zero(), c)",
    );
}

#[test]
fn async_code_tasks_and_channels() {
    module(
        "async def worker(ch, n, scale = 2) {
            for i in 0..n { await ch.send(i * scale) }
            ch.close()
        }
        async def main() {
            let ch = channel(4)
            let t = spawn worker(ch, 3, scale: 3)
            let got = []
            for v in ch { got.push(v) }
            await t
            let f = async |x| await sleep(x)
            await f(1ms)
            print(got, await timeout(worker(channel(), 0), 1s))
        }",
    );
}

#[test]
fn actors_with_parameters_state_and_async_handlers() {
    module(
        "@mailbox(capacity: 10)
        actor Account(owner, limit = 100) {
            let balance = 0
            let history = []
            def deposit(n) {
                if balance + n > limit { raise ValueError(f\"{owner} over limit\") }
                balance += n
                history.push(n)
                return balance
            }
            async def forward(other, n) = await other.deposit(n)
            def report() = {\"owner\": owner, \"balance\": balance, \"me\": self}
        }
        @restart(transient)
        actor Idle {}
        supervisor Root(strategy: rest_for_one) {
            a = Account(\"ann\", 50)
            idle = Idle()
        }
        async def main() {
            let root = spawn Root()
            print(await root.a.deposit(10))
        }",
    );
}

#[test]
fn parallel_blocks_of_every_strategy() {
    module(
        "async def job(n) = n
        async def main() {
            let limit = 2
            print(parallel all { job(1); job(2) })
            print(parallel any(timeout: 1s) { job(1) })
            print(parallel race { job(1); job(2) })
            print(parallel collect(max_concurrency: limit) { job(1); job(2); job(3) })
        }",
    );
}

#[test]
fn imported_modules_share_globals_by_qualified_name() {
    let m = module_with(
        "import pkg.a\nimport pkg.b as b\nprint(pkg.a.value, b.twice())",
        &[
            ("pkg/a.nd", "let value = 1\ndef bump() { value += 1 }"),
            (
                "pkg/b.nd",
                "from a import value, bump\ndef twice() { bump(); bump(); return value }",
            ),
        ],
    );
    assert_eq!(m.globals, ["pkg.a.value", "pkg.a.bump", "pkg.b.twice"]);
    assert_eq!(m.files, ["main.nd", "proj/pkg/a.nd", "proj/pkg/b.nd"]);
}

#[test]
fn deep_but_reasonable_nesting_compiles() {
    // The parser allows 256 levels of brackets; operator chains go deeper.
    let src = format!("let x = {}1{}\nprint(x)", "(".repeat(200), ")".repeat(200));
    module(&src);
    let depth = 1500;
    module(&format!("let y = {}0", "1 + ".repeat(depth)));
    module(&format!("let z = {}1", "2 ** ".repeat(depth)));
}

#[test]
fn annotated_lets_and_returns_are_checked() {
    let text = function_listing(
        "def f(x: float) -> str {\n    let y: int = 1\n    y = 2\n    return str(x + y)\n}\n",
        "f",
    );
    assert_eq!(text.matches("checktype").count(), 4, "{text}");
}

#[test]
fn every_copy_of_a_finally_block_uses_the_same_registers() {
    // The finally code is copied to each exit; a closure made in it must
    // find its captured local in the register its capture list names.
    let m = module(
        "def f(xs) {
            let fs = []
            for x in xs {
                try {
                    if x == 1 { break }
                    if x == 2 { return fs }
                    print(x)
                } catch e: KeyError {
                    print(e)
                } finally {
                    let y = x * 2
                    fs.push(|| y)
                }
            }
            return fs
        }",
    );
    let (lambda, captured) = m
        .functions
        .iter()
        .enumerate()
        .find_map(|(i, f)| (f.name == "<lambda>").then(|| (i as u32, f.captures.clone())))
        .expect("the lambda");
    let [noodle_nbc::Capture::Local(cell)] = captured[..] else {
        panic!("{captured:?}")
    };
    let f = m.functions.iter().find(|f| f.name == "f").unwrap();
    let code: Vec<Instr> = f.code.iter().map(|&w| Instr::decode(w).unwrap()).collect();
    let mut copies = 0;
    let mut last_cell = None;
    for instr in &code {
        match *instr {
            Instr::MakeCell { dst, .. } => last_cell = Some(dst),
            Instr::Closure { proto, .. } if proto == lambda => {
                copies += 1;
                assert_eq!(last_cell, Some(cell), "{code:#?}");
            }
            _ => {}
        }
    }
    assert!(copies >= 4, "finally copies: {copies}");
}
