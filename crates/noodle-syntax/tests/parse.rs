//! Snapshot tests of the AST of small programs, one per group of
//! constructs. Snapshots print spans as `start..end` byte ranges.

mod common;

use common::{compact, render};

fn ast(name: &str, src: &str) -> String {
    let (module, diags) = noodle_syntax::parse(src);
    assert!(diags.is_empty(), "{}", render(name, src, &diags));
    compact(&format!("{module:#?}"))
}

macro_rules! ast_tests {
    ($($name:ident: $src:expr;)*) => {$(
        #[test]
        fn $name() {
            let text = ast(stringify!($name), $src);
            insta::with_settings!({ description => $src, omit_expression => true }, {
                insta::assert_snapshot!(text);
            });
        }
    )*};
}

ast_tests! {
    literals: r#"
let n = [7, 0x1F, 0b11, 2_500, 6.02e23, 0.5, 7e-3, 250us, 2.5m, 4KB, 3MB]
let s = ["tab\t", "quote\"", "brace \{", r"back\slash", "\u{41}"]
let k = [true, false, none, self]
"#;

    precedence: r#"
let a = 1 + 2 * 3 - 4 / 5 // 6 % 7
let b = -3 ** 2 + 2 ** -1 ** 2
let c = not p or q and r == s
let d = 1 | 2 ^ 3 & 4 << 5 >> 6
let e = lo..hi + 1
let f = 0..=n
let g = ~mask & 0xff
let h = x in xs and not y in ys
let i = await t + await u * 2
let j = (1 + 2) * 3
"#;

    postfix: r#"
print(1, sep: "", end: "\n",)
xs[0][1] = m["k"].v
let parts = [s[1..3], s[2..], s[..4], s[..=2], s[..], s[lo..=hi]]
let n = obj.items().map(|p| p.x).filter(|x| x > 1).len()
let t = await spawn worker(1, retries: 3)
let u = spawn Counter(10)
"#;

    statements: r#"
let total: int = 0
let grid: map[str, list[int]] = {}
total = total + 1
total += 1; total -= 2; total *= 3; total /= 4; total //= 5; total %= 6
cells[i] += 1
point.x = 2.0
while total > 0 { total -= 1 }
for ch in "abc" { print(ch) }
for idx, item in enumerate(items) { if idx == 2 { continue } else if idx > 4 { break } else { print(item) } }
raise ValueError("nope")
"#;

    functions: r#"
def add(a: int, b: int = 2) -> int {
    return a + b
}
def twice(f) = |x| f(f(x))
async def fetch(url, timeout = 5s) {
    let r = await get(url)
    return
}
def outer() {
    def inner(x,) { x * 2 }
    async def later() = 1
    struct Local { a }
    inner(3)
}
let noop = || none
let block = |a, b: int| {
    let c = a + b
    c
}
let runner = async |job| { await job.run() }
let nested = |x| |y| x + y
"#;

    structs_enums_impl: r#"
struct Point { x: float, y: float }
struct Pair {
    first
    second,
}
struct Empty {}
enum Color { Red, Green, Blue }
enum Tree {
    Leaf(value),
    Node(left, right)
    Nil()
}
impl Point {
    def len(self) { return (self.x ** 2 + self.y ** 2) ** 0.5 }
    def moved(self, dx) = Point(self.x + dx, self.y)
}
"#;

    match_arm_blocks: r#"
let r = match n {
    1 => { let y = 2; y * 10 },
    x if x > 2 => {
        x + 1
    }
    _ => ({"a": 1}),
}
"#;

    match_patterns: r#"
let kind = match value {
    0 => "zero",
    -1 | -2.5 | 1s => "negative or a second"
    "s" => "str", true => 1, none => 2
    _ => "anything",
    name => name,
    n: int if n > 10 => "big",
    x: none => 0,
    [] => "empty",
    [head, ..tail] => head,
    [a, b, ..] => a + b,
    [[inner], _] => inner,
    {"op": "add", "args": [x, y]} => x + y,
    {} => "map",
    Point(px, 0) => px,
    Shape.Circle(r) => r,
    Shape.Empty => 0,
    Tree.Node(Tree.Leaf(v), _) => v,
    (1 | 2) => "paren",
}
"#;

    qualified_type_paths: r#"
def f(r: sh.Rect, u: lib.shapes.Unit = none) -> sh.Unit = match r {
    sh.Unit.Cm => 1,
    lib.shapes.Unit.Inch => 2,
    sh.Rect(w, h) => w,
    lib.shapes.Rect(w, _) => w,
    u: sh.Unit | u: list => u,
}
let x: sh.Rect = r
"#;

    rest_patterns_discard: r#"
match v {
    [first, .._] | {"first": first} => first,
    [.., ] => 0,
    [..rest] => rest,
}
"#;

    errors_try: r#"
try { risky() } catch err { log(err) }
try {
    parse(x)
} catch e: KeyError {
    1
} catch e: IndexError {
    2
} catch {
    3
} finally {
    cleanup()
}
try { a() } finally { b() }
let r = try { int(s) } catch e { -1 }
"#;

    actors_supervisors: r#"
@on(gpu, mem >= 16GB)
@qos(responsive, latency < 5ms)
@replicas(2)
@restart(transient)
@checkpoint(every: 10)
@mailbox(capacity: 64)
actor Store(path, size = 10) {
    let items = {}
    def put(k, v) { items[k] = v }
    async def flush() { await write(path, items) }
    def me() = self
}
actor Plain {
    let n = 0
}
supervisor Root(strategy: rest_for_one, max_restarts: 5, within: 10s) {
    store = Store("/tmp/x")
    plain = Plain()
}
supervisor Bare {
}
"#;

    parallel_blocks: r#"
let all_rs = parallel all { job(1); job(2)
    job(3) }
let first = parallel any { a(); b() }
let quick = parallel race(timeout: 250ms) { slow(); fast() }
let some = parallel collect(max_concurrency: 4) {
    one()
    two()
}
"#;

    imports: r#"
import math
import net.http as web
import a.b.c
from util.text import pad, trim as strip_it
"#;

    block_expressions: r#"
let sign = if v > 0 { 1 } else if v < 0 { -1 } else { 0 }
def area(s) = match s { Sq(w) => w * w, _ => 0 }
let safe = try { risky() } catch e { none } + 1
{
    let scoped = 1
}
if ready { go() }
match cmd { "q" => quit(), _ => none }
print(if a { "x" } else { "y" }, match n { 0 => "z", _ => "nz" })
"#;

    maps_and_blocks: r#"
let empty = {}
let m = {"a": 1, 2: [3], "nested": {"k": none},}
let tall = {
    "x": 1,
    "y": {
        "z": 2
    }
}
let f = |k| ({k: 1})
if (m == {}) { print("empty") }
while ({"a": 1}).len() > count { count += 1 }
for k in ({"a": 1}) { print(k) }
{}
"#;

    fstrings: r#"
let a = f"plain"
let b = f"x={x} y={y:.2} pad=[{n:>6}] left=[{n:<4}]"
let c = f"{"quoted"} {m["key"]} {xs[0]:>3} {f(a, b)} {len([1, 2])}"
let d = f"\{literal\} {x + 1}\n"
let e = f"{ {"k": 1}["k"] } {f"inner {y}"}"
"#;

    newline_rule: r#"
let total = first +
    second *
    third
let call = f(
    1,
    2,
)
let xs = [
    1, 2,
    3
]
items.each(|x| {
    print(x)
    x
})
let chained = obj.
    method().
    other()
@restart(permanent)
@checkpoint(every: 1)
actor A {}
a = 1; b = 2;
;
if cond {
    go()
} else {
    stop()
}
"#;
}

#[test]
fn parse_expr_parses_one_expression() {
    let e = noodle_syntax::parse_expr("a +\n b * 2").unwrap();
    insta::assert_snapshot!(compact(&format!("{e:#?}")));
    let errs = noodle_syntax::parse_expr("a +").unwrap_err();
    assert_eq!(
        errs[0].message,
        "expected an expression, found end of input"
    );
}

#[test]
fn fstring_expression_spans_point_into_the_file() {
    let src = "let s = f\"ab{x + 1}\"";
    let (module, diags) = noodle_syntax::parse(src);
    assert!(diags.is_empty());
    let noodle_syntax::ast::StmtKind::Let { value, .. } = &module.stmts[0].kind else {
        panic!("not a let");
    };
    let noodle_syntax::ast::ExprKind::FStr(parts) = &value.kind else {
        panic!("not an f-string");
    };
    let noodle_syntax::ast::FStrPart::Expr { expr, .. } = &parts[1] else {
        panic!("not an expression part");
    };
    assert_eq!(
        &src[expr.span.start as usize..expr.span.end as usize],
        "x + 1"
    );
}
