//! The module graph: imports from an in-memory loader, native modules,
//! cycles and initialisation order.

mod common;

use common::*;

const GEOMETRY: &str = "import math
let loaded = []
struct Vec2 { x, y }
def dot(a, b) = a.x * b.x + a.y * b.y
def length(v) = math.sqrt(dot(v, v))";

#[test]
fn imports_bind_modules_aliases_and_members() {
    let a = analyze_with(
        "import math
        import lib.geometry as geo
        import lib.geometry
        from lib.geometry import Vec2, length as len2
        from math import floor, pi
        let v = Vec2(3, 4)
        print(len2(v), geo.dot(v, v), lib.geometry.loaded, math.sqrt(2.0), floor(pi))",
        &[("lib/geometry.nd", GEOMETRY)],
    );
    assert_eq!(a.errors, 0, "{:#?}", a.rendered());
    let p = a.program;
    assert_eq!(
        p.globals,
        [
            "lib.geometry.loaded",
            "lib.geometry.Vec2",
            "lib.geometry.dot",
            "lib.geometry.length",
            "v"
        ]
    );
    // The imported module initialises first, the entry last.
    assert_eq!(p.inits.len(), 2);
    assert_eq!(
        p.files[p.functions[p.inits[0] as usize].file as usize].name,
        "proj/lib/geometry.nd"
    );
}

#[test]
fn a_module_imported_twice_loads_and_runs_once() {
    let a = analyze_with(
        "import a\nimport b\nimport c",
        &[
            ("a.nd", "import c\nlet x = 1"),
            ("b.nd", "import c\nimport a\nlet y = 2"),
            ("c.nd", "let z = 3"),
        ],
    );
    assert_eq!(a.errors, 0, "{:#?}", a.rendered());
    let order: Vec<&str> = a
        .program
        .inits
        .iter()
        .map(|&i| {
            a.program.files[a.program.functions[i as usize].file as usize]
                .name
                .as_str()
        })
        .collect();
    assert_eq!(order, ["proj/c.nd", "proj/a.nd", "proj/b.nd", "main.nd"]);
}

#[test]
fn imports_are_relative_to_the_importing_file() {
    let a = analyze_with(
        "import pkg.outer\nprint(pkg.outer.value)",
        &[
            ("pkg/outer.nd", "import inner\nlet value = inner.base + 1"),
            ("pkg/inner.nd", "let base = 41"),
        ],
    );
    assert_eq!(a.errors, 0, "{:#?}", a.rendered());
    assert!(a.program.globals.contains(&"pkg.inner.base".to_string()));
}

#[test]
fn a_missing_module_is_named_at_its_import() {
    let text = one_error(
        "import lib.nothing\nprint(lib.nothing.x)",
        "no module named `lib.nothing`",
    );
    assert!(text.contains("main.nd:1:8"), "{text}");
    one_error(
        "from nowhere import thing\nprint(thing)",
        "no module named `nowhere`",
    );
}

#[test]
fn missing_members_are_errors() {
    let a = analyze_with(
        "import lib.geometry as geo\nfrom lib.geometry import area\nprint(geo.volume)\nprint(math.nope)\nimport math",
        &[("lib/geometry.nd", GEOMETRY)],
    );
    let msgs = messages(&a);
    assert_eq!(a.errors, 3, "{msgs:#?}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("module `lib.geometry` has no member `area`"))
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("module `lib.geometry` has no member `volume`"))
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("module `math` has no member `nope`"))
    );
}

#[test]
fn imports_are_not_exports() {
    let a = analyze_with(
        "import lib.geometry as geo\nprint(geo.math)",
        &[("lib/geometry.nd", GEOMETRY)],
    );
    assert!(
        messages(&a)
            .iter()
            .any(|m| m.contains("has no member `math`"))
    );
}

#[test]
fn a_module_is_not_a_value() {
    one_error("import math\nprint(math)", "module `math` is not a value");
}

#[test]
fn an_import_cycle_is_one_error_naming_every_module() {
    let a = analyze_with(
        "import a",
        &[
            ("a.nd", "import b\nlet x = 1"),
            ("b.nd", "import c\nlet y = 2"),
            ("c.nd", "import a\nlet z = 3"),
        ],
    );
    let msgs = messages(&a);
    assert_eq!(a.errors, 1, "{msgs:#?}");
    assert!(msgs[0].contains("`a` -> `b` -> `c` -> `a`"), "{msgs:#?}");
}

#[test]
fn importing_the_entry_file_is_a_cycle() {
    let a = analyze_with(
        "import lib\nlet x = 1",
        &[("lib.nd", "import main\nlet y = 1")],
    );
    let msgs = messages(&a);
    assert_eq!(a.errors, 1, "{msgs:#?}");
    assert!(msgs[0].contains("`main` -> `lib` -> `main`"), "{msgs:#?}");
}

#[test]
fn errors_of_every_file_are_reported_in_file_order() {
    let a = analyze_with(
        "import helper\nprint(undefined_in_main)",
        &[("helper.nd", "print(undefined_in_helper)\nbreak")],
    );
    let rendered = a.rendered();
    assert_eq!(a.errors, 3, "{rendered:#?}");
    assert!(rendered[0].contains("main.nd:2:7"));
    assert!(rendered[1].contains("proj/helper.nd:1:7"));
    assert!(rendered[2].contains("proj/helper.nd:2:1"));
}

#[test]
fn imports_must_be_at_the_top_level() {
    one_error("def f() { import math }", "top level");
}

const SHAPES: &str = "struct Rect { w, h }\nenum Unit { Cm, Inch }\n";

#[test]
fn imported_types_are_named_by_their_qualified_paths() {
    let a = analyze_with(
        "import lib.shapes as sh
        import lib.shapes
        def width(r: sh.Rect) -> sh.Unit = r.w
        let x: lib.shapes.Rect = sh.Rect(1, 2)
        def kind(v) = match v {
            sh.Unit.Cm => 1,
            lib.shapes.Unit.Inch => 2,
            lib.shapes.Rect(w, h) if w == h => 3,
            sh.Rect(_, _) => 4,
            u: sh.Unit => 5,
            _ => 6,
        }",
        &[("lib/shapes.nd", SHAPES)],
    );
    assert_eq!(a.errors, 0, "{:#?}", a.rendered());
    // Type checks compare with what `type_of` reports: the bare name.
    let width = common::function(&a.program, "width");
    assert_eq!(width.params[0].ty.as_deref(), Some("Rect"));
    assert_eq!(width.ret_ty.as_deref(), Some("Unit"));
    let kind = common::function(&a.program, "kind");
    let noodle_sema::ir::StmtKind::Expr(body) = &kind.body.stmts[0].kind else {
        panic!("one expression");
    };
    let noodle_sema::ir::ExprKind::Match { arms, .. } = &body.kind else {
        panic!("a match");
    };
    use noodle_sema::ir::PatternKind;
    assert!(
        arms[..4]
            .iter()
            .all(|arm| matches!(arm.pattern.kind, PatternKind::Instance { .. }))
    );
    assert!(matches!(
        &arms[4].pattern.kind,
        PatternKind::Typed { local: Some(_), ty } if ty == "Unit"
    ));
}
