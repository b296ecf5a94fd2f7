//! Structs, enums, methods and type checks.
mod common;

use common::*;
use noodle_nbc::{Const, EnumDef, FieldDef, Instr::*, StructDef, VariantDef};
use noodle_vm::Value;

fn point() -> StructDef {
    StructDef {
        name: "Point".into(),
        fields: vec![
            FieldDef {
                name: "x".into(),
                ty: Some("float".into()),
            },
            FieldDef {
                name: "y".into(),
                ty: Some("float".into()),
            },
        ],
    }
}

fn shape() -> EnumDef {
    EnumDef {
        name: "Shape".into(),
        variants: vec![
            VariantDef {
                name: "Circle".into(),
                fields: vec!["r".into()],
                is_unit: false,
            },
            VariantDef {
                name: "Empty".into(),
                fields: vec![],
                is_unit: true,
            },
        ],
    }
}

/// Names: 0 x, 1 y, 2 norm2, 3 Circle, 4 Empty, 5 r, 6 int, 7 float
const NAMES: &[&str] = &["x", "y", "norm2", "Circle", "Empty", "r", "int", "float"];

fn run_struct_program(code: Vec<noodle_nbc::Instr>) -> Result<Value, noodle_vm::UncaughtError> {
    run_struct_program_in_vm(code).1
}

fn run_struct_program_in_vm(
    code: Vec<noodle_nbc::Instr>,
) -> (noodle_vm::Vm, Result<Value, noodle_vm::UncaughtError>) {
    // def norm2(self) = self.x * self.x + self.y * self.y
    let norm2 = func(
        "Point.norm2",
        &["self"],
        3,
        vec![
            GetField {
                dst: 1,
                obj: 0,
                name: 0,
            },
            Mul { dst: 1, a: 1, b: 1 },
            GetField {
                dst: 2,
                obj: 0,
                name: 1,
            },
            Mul { dst: 2, a: 2, b: 2 },
            Add { dst: 1, a: 1, b: 2 },
            Return { src: 1 },
        ],
    );
    let mut m = module(vec![entry(8, code), norm2])
        .names(NAMES)
        .kw(&[&["y", "x"]])
        .consts(vec![Const::Str("s".into())])
        .build();
    m.structs = vec![point()];
    m.enums = vec![shape()];
    run(&m)
}

#[test]
fn construction_converts_ints_for_float_fields_and_methods_see_self() {
    // let p = Point(1, 2.5); p.y = 3; Point.norm2 added; return p.norm2()
    let result = run_struct_program(vec![
        DefStruct { dst: 0, def: 0 },
        Closure { dst: 1, proto: 1 },
        AddMethod { ty: 0, func: 1 },
        Move { dst: 1, src: 0 },
        LoadInt { dst: 2, value: 1 },
        LoadConst { dst: 3, k: 0 },
        Move { dst: 3, src: 2 },
        Call { func: 1, argc: 2 },
        LoadInt { dst: 2, value: 3 },
        SetField {
            obj: 1,
            name: 1,
            src: 2,
        },
        CallMethod {
            base: 1,
            argc: 0,
            name: 2,
        },
        Return { src: 1 },
    ]);
    assert!(
        matches!(result, Ok(Value::Float(f)) if f == 10.0),
        "{result:?}"
    );
}

#[test]
fn named_construction_and_field_type_errors() {
    // Point(y: 2, x: 1).x
    let result = run_struct_program(vec![
        DefStruct { dst: 0, def: 0 },
        LoadInt { dst: 1, value: 2 },
        LoadInt { dst: 2, value: 1 },
        KwNames { names: 0 },
        Call { func: 0, argc: 2 },
        GetField {
            dst: 0,
            obj: 0,
            name: 0,
        },
        Return { src: 0 },
    ]);
    assert!(
        matches!(result, Ok(Value::Float(f)) if f == 1.0),
        "{result:?}"
    );

    let e = run_struct_program(vec![
        DefStruct { dst: 0, def: 0 },
        LoadConst { dst: 1, k: 0 },
        LoadInt { dst: 2, value: 1 },
        Call { func: 0, argc: 2 },
        Return { src: 0 },
    ])
    .unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("TypeError", "Point.x must be float, not str")
    );

    let e = run_struct_program(vec![
        DefStruct { dst: 0, def: 0 },
        LoadInt { dst: 1, value: 2 },
        Call { func: 0, argc: 1 },
        Return { src: 0 },
    ])
    .unwrap_err();
    assert_eq!(e.message, "Point() missing field 'y'");

    let e = run_struct_program(vec![
        DefStruct { dst: 0, def: 0 },
        LoadInt { dst: 1, value: 2 },
        LoadInt { dst: 2, value: 2 },
        Call { func: 0, argc: 2 },
        LoadConst { dst: 1, k: 0 },
        SetField {
            obj: 0,
            name: 1,
            src: 1,
        },
        Return { src: 0 },
    ])
    .unwrap_err();
    assert_eq!(e.message, "Point.y must be float, not str");
}

#[test]
fn enum_variants_construct_match_and_compare() {
    // let c = Shape.Circle(2); return [isinstance(c, Shape), isinstance(c, Shape.Circle),
    //   c.r, Shape.Empty == Shape.Empty, isinstance(Shape.Empty, Shape.Circle)]
    let (vm, result) = run_struct_program_in_vm(vec![
        DefEnum { dst: 0, def: 0 },
        LoadInt { dst: 2, value: 2 },
        Move { dst: 1, src: 0 },
        CallMethod {
            base: 1,
            argc: 1,
            name: 3,
        },
        IsInstance {
            dst: 3,
            src: 1,
            ty: 0,
        },
        GetField {
            dst: 2,
            obj: 0,
            name: 3,
        },
        IsInstance {
            dst: 4,
            src: 1,
            ty: 2,
        },
        GetFieldAt {
            dst: 5,
            obj: 1,
            idx: 0,
        },
        GetField {
            dst: 6,
            obj: 0,
            name: 4,
        },
        Eq { dst: 6, a: 6, b: 6 },
        GetField {
            dst: 7,
            obj: 0,
            name: 4,
        },
        IsInstance {
            dst: 7,
            src: 7,
            ty: 2,
        },
        NewList {
            dst: 0,
            base: 3,
            count: 5,
        },
        Return { src: 0 },
    ]);
    let list = vm.heap.list(result.expect("runs")).expect("a list").clone();
    let bools: Vec<bool> = list
        .iter()
        .map(|v| matches!(v, Value::Bool(true)))
        .collect();
    assert_eq!(bools, [true, true, false, true, false]);
    assert!(matches!(list[2], Value::Int(2)));
    assert_eq!(vm.heap.type_name(list[0]), "bool");
}

#[test]
fn check_type_names_the_parameter_and_converts_ints_to_floats() {
    // def f(n: int) {}; f("s")
    let f = func(
        "f",
        &["n"],
        1,
        vec![CheckType { reg: 0, ty: 6 }, Return { src: 0 }],
    );
    let g = func(
        "g",
        &["x"],
        1,
        vec![CheckType { reg: 0, ty: 7 }, Return { src: 0 }],
    );
    let program = entry(
        4,
        vec![
            Closure { dst: 0, proto: 2 },
            LoadInt { dst: 1, value: 3 },
            Call { func: 0, argc: 1 },
            Closure { dst: 1, proto: 1 },
            LoadConst { dst: 2, k: 0 },
            Call { func: 1, argc: 1 },
            Return { src: 0 },
        ],
    );
    let m = module(vec![program, f, g])
        .names(NAMES)
        .consts(vec![Const::Str("s".into())])
        .build();
    let e = run(&m).1.unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("TypeError", "f() argument 'n' must be int, not str")
    );

    let program = entry(
        2,
        vec![
            Closure { dst: 0, proto: 2 },
            LoadInt { dst: 1, value: 3 },
            Call { func: 0, argc: 1 },
            Return { src: 0 },
        ],
    );
    let f = func("f", &["n"], 1, vec![ReturnNone {}]);
    let g = func(
        "g",
        &["x"],
        1,
        vec![CheckType { reg: 0, ty: 7 }, Return { src: 0 }],
    );
    let m = module(vec![program, f, g]).names(NAMES).build();
    assert!(matches!(run(&m).1, Ok(Value::Float(f)) if f == 3.0));
}

#[test]
fn a_callable_field_is_called_without_self() {
    // struct Point { x, y } with a closure in `x`: p.x(5) calls it with 5.
    let add_one = func(
        "add_one",
        &["n"],
        1,
        vec![
            AddImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            Return { src: 0 },
        ],
    );
    let program = entry(
        4,
        vec![
            DefStruct { dst: 0, def: 0 },
            Closure { dst: 1, proto: 2 },
            LoadInt { dst: 2, value: 0 },
            Call { func: 0, argc: 2 },
            LoadInt { dst: 1, value: 5 },
            CallMethod {
                base: 0,
                argc: 1,
                name: 0,
            },
            Return { src: 0 },
        ],
    );
    let norm2 = func("Point.norm2", &["self"], 1, vec![ReturnNone {}]);
    let mut m = module(vec![program, norm2, add_one]).names(NAMES).build();
    m.structs = vec![StructDef {
        name: "Point".into(),
        fields: vec![
            FieldDef {
                name: "x".into(),
                ty: None,
            },
            FieldDef {
                name: "y".into(),
                ty: None,
            },
        ],
    }];
    assert_eq!(expect_int(&run(&m).1), 6);
}
