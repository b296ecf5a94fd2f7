//! Snapshots of the rendered diagnostics, one per kind of compile error
//! (and the warning), so their wording and positions are reviewed.

mod common;

use common::analyze_with;

fn rendered(main: &str, files: &[(&str, &str)]) -> String {
    analyze_with(main, files).rendered().concat()
}

macro_rules! diagnostic_snapshot {
    ($name:ident, $main:expr) => {
        diagnostic_snapshot!($name, $main, &[]);
    };
    ($name:ident, $main:expr, $files:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(rendered($main, $files));
        }
    };
}

diagnostic_snapshot!(undeclared_name, "let x = 1\nprint(y + x)\n");
diagnostic_snapshot!(
    assignment_to_undeclared_name,
    "def f() {\n    total = 0\n}\n"
);
diagnostic_snapshot!(
    declared_twice,
    "def f(a, b, a) {\n    let c = 1\n    let c = 2\n}\nstruct P { x, x }\ndef f() = 1\n"
);
diagnostic_snapshot!(
    break_and_continue_outside_of_a_loop,
    "def f() {\n    for i in 0..3 { break }\n    continue\n}\nbreak\n"
);
diagnostic_snapshot!(return_outside_of_a_function, "let x = 1\nreturn x\n");
diagnostic_snapshot!(
    await_outside_of_an_async_function,
    "async def f() = 1\ndef g() {\n    return await f()\n}\n"
);
diagnostic_snapshot!(
    self_outside_of_an_actor_or_method,
    "def f() {\n    return self.x\n}\n"
);
diagnostic_snapshot!(
    missing_module,
    "import lib.missing as m\nfrom other import thing\n"
);
diagnostic_snapshot!(
    missing_member,
    "import lib.shapes as s\nfrom lib.shapes import cube\nprint(s.sphere)\n",
    &[("lib/shapes.nd", "def square(x) = x * x\n")]
);
diagnostic_snapshot!(
    import_cycle,
    "import a\n",
    &[("a.nd", "import b\n"), ("b.nd", "import a\n")]
);
diagnostic_snapshot!(
    unknown_annotation_and_type,
    "@placement(gpu)\nactor A {\n    let n: number = 0\n}\n"
);
diagnostic_snapshot!(
    async_call_never_awaited,
    "async def tick() = 1\nasync def main() {\n    tick()\n}\n"
);
diagnostic_snapshot!(module_is_not_a_value, "import math\nlet m = math\n");
diagnostic_snapshot!(
    struct_and_enum_misuse,
    "struct P { x, y }\nenum E { A(v), B }\nlet p = P(x: 1, w: 2)\nlet e = E.C\nlet b = E.B()\n"
);
diagnostic_snapshot!(
    declarations_inside_blocks,
    "def f() {\n    struct Q { a }\n    import math\n}\n"
);
diagnostic_snapshot!(
    parallel_and_supervisor_mistakes,
    "actor W {}\nsupervisor S(strategy: fastest) { w = W(); v = nothing() }\nasync def main() {\n    parallel eventually { W() }\n}\n"
);

diagnostic_snapshot!(
    unknown_qualified_types,
    "import lib.shapes as sh\nimport missing as m\ndef f(r: sh.Square, u: sh, v: m.Thing) = match r {\n    x: lib.Rect => 1,\n    sh.Unit.Mm => 2,\n    sh.Rect(a) => 3,\n    _ => 4,\n}\n",
    &[(
        "lib/shapes.nd",
        "struct Rect { w, h }\nenum Unit { Cm, Inch }\n"
    )]
);
diagnostic_snapshot!(underscore_is_not_a_value, "let _ = 1\nprint(_)\n");
diagnostic_snapshot!(
    only_syntax_errors_in_a_file_with_syntax_errors,
    "let doubled = [1].map(|x| x * * 2)\nprint(doubled)\nbreak\n"
);
