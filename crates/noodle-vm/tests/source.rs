//! End-to-end behaviour from Noodle source (compiled with `noodle-codegen`).

use noodle_vm::{Vm, VmOptions};

/// Compiles and runs `source`; returns its output and, if it failed, the
/// uncaught error as the CLI prints it.
fn run_with(source: &str, options: VmOptions) -> (String, Option<String>) {
    let output = noodle_codegen::compile_source("t.nd", source, std::path::Path::new("."));
    let module = output
        .module
        .unwrap_or_else(|| panic!("compile errors: {:?}", output.diagnostics));
    let mut vm = Vm::new(options);
    vm.capture_output();
    let result = vm.run_module(&module);
    let out = vm.take_output();
    (out, result.err().map(|e| e.to_string()))
}

fn run(source: &str) -> (String, Option<String>) {
    run_with(source, VmOptions::default())
}

/// Output of a program that must not fail.
fn output(source: &str) -> String {
    let (out, err) = run(source);
    assert!(
        err.is_none(),
        "unexpected error {err:?}; output so far:\n{out}"
    );
    out
}

// ---- native callbacks nesting (item: Rust stack overflow) ----

const CALLBACK_RECURSION: &str = r#"
def via_map(n) = [n + 1].map(via_map)[0]
def via_filter(n) = [n + 1].filter(|x| via_filter(x))
def via_reduce(n) = [n + 1].reduce(|acc, x| via_reduce(x), 0)
def via_sorted(n) = sorted([n + 1], key: via_sorted)
let cases = [["map", via_map], ["filter", via_filter], ["reduce", via_reduce], ["sorted", via_sorted]]
for c in cases {
    try {
        c[1](0)
        print(c[0], "returned?!")
    } catch e {
        print(c[0], "->", e.kind, e.message)
    }
}
"#;

#[test]
fn runaway_recursion_through_callbacks_raises_on_a_small_thread() {
    // The default budget must be safe on a 2 MiB thread (Rust's default
    // for test threads), in debug builds too.
    let out = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| output(CALLBACK_RECURSION))
        .unwrap()
        .join()
        .unwrap();
    for name in ["map", "filter", "reduce", "sorted"] {
        assert!(
            out.contains(&format!(
                "{name} -> RecursionError maximum recursion depth exceeded"
            )),
            "{out}"
        );
    }
}

#[test]
fn the_callback_budget_is_an_option() {
    let big = VmOptions {
        native_stack_budget: 48 << 20,
        ..VmOptions::default()
    };
    let small = VmOptions {
        native_stack_budget: 256 << 10,
        ..VmOptions::default()
    };
    let source =
        "def depth(n) = if n == 0 { 0 } else { [n - 1].map(depth)[0] + 1 }\nprint(depth(500))";
    let out = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let (ok, err) = run_with(source, big);
            assert!(err.is_none(), "{err:?}");
            let (_, failed) = run_with(source, small);
            (ok, failed)
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(out.0, "500\n");
    assert!(out.1.unwrap().contains("RecursionError"));
}

#[test]
fn plain_recursion_is_not_limited_by_the_callback_budget() {
    let out = output("def down(n) = if n == 0 { 0 } else { down(n - 1) + 1 }\nprint(down(150000))");
    assert_eq!(out, "150000\n");
    // A callback that recurses deeply in Noodle uses one nested loop only.
    let out =
        output("def down(n) = if n == 0 { 0 } else { down(n - 1) + 1 }\nprint([100000].map(down))");
    assert_eq!(out, "[100000]\n");
}

// ---- coroutine values ----

#[test]
fn calling_an_async_def_makes_a_coroutine_without_running_it() {
    let out = output(
        r#"
async def notify(msg, times = 2) {
    print("never printed:", msg)
}
let c = notify("hello")
print(c, type_of(c), [c])
let cs = [1, 2, 3].map(|i| notify(str(i)))
print(len(cs), type_of(cs[0]))
print("done")
"#,
    );
    assert_eq!(
        out,
        "<coroutine notify> coroutine [<coroutine notify>]\n3 coroutine\ndone\n"
    );
}

#[test]
fn coroutines_run_inline_but_timers_need_the_runtime() {
    // Awaiting a coroutine is a call in the same process, so it needs no
    // runtime; a timer is the runtime's, so a bare VM cannot wait for it.
    let (out, err) = run(r#"
async def double(x) = x * 2
async def main() {
    print(await double(21))
    await sleep(1ms)
    print("not reached")
}
print("top level")
"#);
    assert_eq!(out, "top level\n42\n");
    let err = err.expect("sleep without a runtime must fail");
    assert!(
        err.contains("UnsupportedError: sleep() needs the concurrency runtime"),
        "{err}"
    );
}

#[test]
fn coroutines_survive_collections() {
    let out = output(
        r#"
async def job(xs) = len(xs)
let c = job([1, 2, 3])
let junk = []
for i in 0..50000 {
    junk.push([i, str(i)])
    if len(junk) > 100 { junk = [] }
}
print(c)
"#,
    );
    assert_eq!(out, "<coroutine job>\n");
}

// ---- bound methods ----

const TEMP: &str = r#"
struct Temp { c: float }
impl Temp {
    def fahrenheit(self) = self.c * 9.0 / 5.0 + 32.0
    def plus(self, d) = Temp(self.c + d)
}
"#;

#[test]
fn impl_methods_read_as_values_are_bound() {
    let out = output(&format!(
        "{TEMP}
let t = Temp(100.0)
let m = t.fahrenheit
print(m, type_of(m), m())
let p = t.plus
print(p(5.0), p(d: 1.0))
print([Temp(0.0), Temp(10.0)].map(|x| x.fahrenheit).map(|f| f()))
"
    ));
    assert_eq!(
        out,
        "<method Temp.fahrenheit> function 212.0\nTemp(c: 105.0) Temp(c: 101.0)\n[32.0, 50.0]\n"
    );
}

#[test]
fn native_methods_read_as_values_are_bound() {
    let out = output(
        r#"
let xs = [1, 2]
let push = xs.push
print(push, type_of(push))
push(3)
[4, 5].map(push)
print(xs)
let up = "abc".upper
print(up())
"#,
    );
    assert_eq!(out, "<method list.push> function\n[1, 2, 3, 4, 5]\nABC\n");
}

#[test]
fn fields_win_over_methods_and_unknown_names_still_fail() {
    let (out, err) = run(r#"
struct Box { size: int }
impl Box {
    def size(self) = 99
    def grow(self) = Box(self.size + 1)
}
let b = Box(1)
print(b.size)
print(b.grow().size)
let x = b.missing
"#);
    assert_eq!(out, "1\n2\n");
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("TypeError: Box has no field 'missing'")),
        "{err:?}"
    );
}

// ---- inclusive ranges ----

#[test]
fn inclusive_ranges_print_as_written() {
    let out = output(
        r#"
let r = 0..=5
print(r, [r], str(r), len(r), 5 in r, 6 in r, r.start, r.end, r.step)
print(list(r))
print(range(10, 0, -3), 0..6, (0..6).end, r == 0..6, 5..=2, len(5..=2))
let big = 0..=9223372036854775807
print(big.end, 9223372036854775806 in big)
"#,
    );
    assert_eq!(
        out,
        "0..=5 [0..=5] 0..=5 6 true false 0 5 1\n\
         [0, 1, 2, 3, 4, 5]\n\
         range(10, 0, -3) 0..6 6 true 5..=2 0\n\
         9223372036854775806 true\n"
    );
}

// ---- float map keys ----

#[test]
fn integral_float_keys_are_int_keys() {
    let out = output(
        r#"
let m = {1: "a"}
print(m[1.0], 1.0 in m, m.get(1.0), m.contains(1.0), {1: "a"} == {1.0: "a"})
m[1.0] = "b"
m[2.0] = "c"
print(m, m[2])
print(m.remove(2.0), m)
print(-0.0 in {0: 1})
"#,
    );
    assert_eq!(
        out,
        "a true a true true\n{1: \"b\", 2.0: \"c\"} c\nc {1: \"b\"}\ntrue\n"
    );
}

#[test]
fn other_float_keys_are_never_found_and_cannot_be_stored() {
    let out = output(
        r#"
let m = {1: "a"}
print(1.5 in m, m.get(1.5), m.get(1.5, 0), m.remove(1.5, "none"))
try { m[1.5] } catch e { print(e.kind, e.message) }
try { m[1.5] = 1 } catch e { print(e.kind) }
try { m.set(1e300, 1) } catch e { print(e.kind) }
try { let n = {0.5: 1} } catch e { print(e.kind) }
print(m)
"#,
    );
    assert_eq!(
        out,
        "false none 0 none\nKeyError 1.5\nTypeError\nTypeError\nTypeError\n{1: \"a\"}\n"
    );
}
