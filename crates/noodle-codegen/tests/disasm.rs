//! Snapshots of the disassembly of small programs, one per construct.

mod common;

use common::{function_listing, listing, module_with};

macro_rules! listing_snapshot {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(listing($src));
        }
    };
}

listing_snapshot!(
    arithmetic_and_globals,
    "let a = 7\nlet b = a * 2 + 1\nb += 10\nprint(a // b, -a, not true, a in [1, 7], 2 ** 0.5)\n"
);

listing_snapshot!(
    functions_defaults_and_checked_types,
    "def add(a: int, b: int = 10) -> int {\n    return a + b\n}\ndef greet(name = \"world\") = f\"hello {name}!\"\nprint(add(1), add(1, b: 2), greet())\n"
);

listing_snapshot!(
    control_flow,
    "def classify(n) {\n    if n < 0 { return \"neg\" } else if n == 0 { return \"zero\" }\n    let i = 0\n    while i < n {\n        i += 1\n        if i == 3 { continue }\n        if i > 5 { break }\n    }\n    return if i > 2 { \"big\" } else { \"small\" }\n}\n"
);

listing_snapshot!(
    loops_over_ranges_and_iterables,
    "let total = 0\nfor i in 0..10 { total += i }\nfor i in 1..=3 { print(i) }\nfor x in [1, 2] { print(x) }\nfor k, v in ({\"a\": 1}).items() { print(k, v) }\n"
);

listing_snapshot!(
    closures_and_cells,
    "def make_counter() {\n    let count = 0\n    return || {\n        count += 1\n        return count\n    }\n}\ndef each() {\n    let fs = []\n    for i in 0..3 { fs.push(|| i) }\n    return fs\n}\n"
);

listing_snapshot!(
    short_circuit_and_fstrings,
    "def f(a, b) = a and b or \"none\"\nlet pi = 3.14159\nprint(f\"pi={pi:.3} [{7:>4}] {[1, 2]}\")\n"
);

listing_snapshot!(
    structs_enums_and_methods,
    "struct Point { x: float, y: float }\nimpl Point {\n    def norm(self) = (self.x ** 2 + self.y ** 2) ** 0.5\n}\nenum Shape { Circle(r), Empty }\nlet p = Point(x: 3.0, y: 4.0)\np.x = 1.0\nprint(p.norm(), Shape.Circle(2), Shape.Empty)\n"
);

listing_snapshot!(
    match_patterns,
    "struct P { x, y }\nenum S { C(r), E }\ndef describe(v) = match v {\n    0 | 1 => \"small\",\n    [a, ..rest] => a,\n    {\"k\": k} => k,\n    P(x, 0) => x,\n    S.C(r) if r > 1 => r,\n    S.E => \"empty\",\n    s: str => s,\n    _ => none,\n}\n"
);

listing_snapshot!(
    try_catch_finally,
    "def risky(n) {\n    for i in 0..n {\n        try {\n            if i == 2 { break }\n            raise ValueError(\"bad\")\n        } catch e: ValueError {\n            print(e.message)\n        } catch {\n            return -1\n        } finally {\n            print(\"cleanup\")\n        }\n    }\n    let r = try { int(\"x\") } catch e { -1 }\n    return r\n}\n"
);

listing_snapshot!(
    async_await_and_spawn,
    "async def fetch(id) {\n    await sleep(1ms)\n    return id * 2\n}\nasync def main() {\n    let t = spawn fetch(2)\n    print(await fetch(1) + await t)\n}\n"
);

listing_snapshot!(
    actors_and_supervisors,
    "@restart(permanent)\n@on(gpu, mem >= 8GB)\n@checkpoint(every: 10)\nactor Counter(start) {\n    let count = start\n    def add(n) { count += n }\n    def get() = count\n    def me() = self\n}\nsupervisor App(strategy: one_for_all, within: 2s) {\n    counter = Counter(1)\n}\n"
);

listing_snapshot!(
    awaiting_a_method_call_overwrites_its_future,
    "actor Box {\n    def get(x) = x\n}\nasync def main() {\n    let b = spawn Box()\n    let v = await b.get(1)\n    let f = b.get(2)\n    print(v + await f)\n}\n"
);

listing_snapshot!(
    parallel_blocks,
    "async def after(d, v) {\n    await sleep(d)\n    return v\n}\nasync def main() {\n    let rs = parallel all { after(1ms, 1); await after(2ms, 2) }\n    let r = parallel race(timeout: 1s) { after(1ms, \"a\") }\n    print(rs, r)\n}\n"
);

#[test]
fn imports_and_module_initialisation_order() {
    let module = module_with(
        "import lib.geometry as geo\nfrom lib.geometry import Vec2\nprint(geo.dot(Vec2(1, 2), Vec2(3, 4)))\ndef main() = print(\"main\")\n",
        &[(
            "lib/geometry.nd",
            "import math\nstruct Vec2 { x, y }\ndef dot(a, b) = a.x * b.x + a.y * b.y\nprint(math.pi)\n",
        )],
    );
    insta::assert_snapshot!(noodle_nbc::disasm::disassemble(&module));
}

#[test]
fn a_trace_points_at_the_operation() {
    // `return a // b` on line 2: the division is attributed to 2:12.
    let text = function_listing("def divide(a, b) {\n    return a // b\n}\n", "divide");
    assert!(text.contains("2:12  floordiv"), "{text}");
}
