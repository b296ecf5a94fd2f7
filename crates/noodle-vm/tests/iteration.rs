//! Loops, iterators, indexing and slicing.
mod common;

use common::*;
use noodle_nbc::{Const, Instr::*};
use noodle_vm::Value;

/// Sums `for x in <R[1] after setup>` into R[0].
fn sum_loop(
    setup: Vec<noodle_nbc::Instr>,
    consts: Vec<Const>,
) -> Result<Value, noodle_vm::UncaughtError> {
    let mut code = vec![LoadInt { dst: 0, value: 0 }];
    code.extend(setup);
    code.extend([
        IterInit { dst: 2, src: 1 },
        IterNext { iter: 2, offset: 2 },
        Add { dst: 0, a: 0, b: 3 },
        Jump { offset: -3 },
        Return { src: 0 },
    ]);
    run(&module(vec![entry(6, code)]).consts(consts).build()).1
}

#[test]
fn integer_for_loops() {
    // for i in 0..10 { s += i }  and  for i in 1..=5 { s += i }
    for (end, inclusive, expected) in [(10, 0, 45), (5, 1, 15), (0, 0, 0), (-3, 1, 0)] {
        let start = if inclusive == 1 { 1 } else { 0 };
        let code = vec![
            LoadInt { dst: 0, value: 0 },
            LoadInt {
                dst: 1,
                value: start,
            },
            LoadInt { dst: 2, value: end },
            ForPrep {
                base: 1,
                inclusive,
                offset: 2,
            },
            Add { dst: 0, a: 0, b: 3 },
            ForStep {
                base: 1,
                inclusive,
                offset: -2,
            },
            Return { src: 0 },
        ];
        let (_, result) = run(&module(vec![entry(4, code)]).build());
        assert_eq!(
            expect_int(&result),
            expected,
            "end {end} inclusive {inclusive}"
        );
    }
}

#[test]
fn for_loops_over_lists_ranges_and_maps() {
    let list = vec![
        LoadInt { dst: 3, value: 4 },
        LoadInt { dst: 4, value: 5 },
        NewList {
            dst: 1,
            base: 3,
            count: 2,
        },
    ];
    assert_eq!(expect_int(&sum_loop(list, vec![])), 9);
    let range = vec![
        LoadInt { dst: 3, value: 2 },
        LoadInt { dst: 4, value: 5 },
        NewRange {
            dst: 1,
            start: 3,
            inclusive: 1,
        },
    ];
    assert_eq!(expect_int(&sum_loop(range, vec![])), 2 + 3 + 4 + 5);
    let map = vec![
        LoadInt { dst: 2, value: 10 },
        LoadInt { dst: 3, value: 0 },
        LoadInt { dst: 4, value: 20 },
        LoadInt { dst: 5, value: 0 },
        NewMap {
            dst: 1,
            base: 2,
            count: 2,
        },
    ];
    assert_eq!(expect_int(&sum_loop(map, vec![])), 30);
}

#[test]
fn list_iteration_is_live() {
    // let xs = [1]; for x in xs { if x < 5 { xs.push(x + 1) } ; n += 1 }
    let code = vec![
        LoadInt { dst: 0, value: 0 },
        LoadInt { dst: 4, value: 1 },
        NewList {
            dst: 1,
            base: 4,
            count: 1,
        },
        IterInit { dst: 2, src: 1 },
        IterNext { iter: 2, offset: 7 },
        AddImm {
            dst: 0,
            a: 0,
            imm: 1,
        },
        LoadInt { dst: 4, value: 5 },
        Lt { dst: 4, a: 3, b: 4 },
        JumpIfFalse { cond: 4, offset: 2 },
        AddImm {
            dst: 5,
            a: 3,
            imm: 1,
        },
        ListPush { list: 1, src: 5 },
        Jump { offset: -8 },
        Return { src: 0 },
    ];
    let (_, result) = run(&module(vec![entry(6, code)]).build());
    assert_eq!(expect_int(&result), 5);
}

#[test]
fn strings_iterate_by_character() {
    // for c in "héllo" { s = s + c } → concatenated back; counts 5 iterations
    let code = vec![
        LoadInt { dst: 0, value: 0 },
        LoadConst { dst: 1, k: 0 },
        IterInit { dst: 2, src: 1 },
        IterNext { iter: 2, offset: 2 },
        AddImm {
            dst: 0,
            a: 0,
            imm: 1,
        },
        Jump { offset: -3 },
        Return { src: 0 },
    ];
    let m = module(vec![entry(4, code)])
        .consts(vec![Const::Str("héllo 🍜".into())])
        .build();
    assert_eq!(expect_int(&run(&m).1), 7);
}

#[test]
fn negative_indices_and_clamped_slices() {
    let s = Const::Str("noodle".into());
    // "noodle"[-1]
    let code = vec![
        LoadConst { dst: 0, k: 0 },
        LoadInt { dst: 1, value: -1 },
        GetIndex {
            dst: 0,
            obj: 0,
            index: 1,
        },
        Return { src: 0 },
    ];
    let (vm, result) = run(&module(vec![entry(2, code)]).consts(vec![s.clone()]).build());
    assert_eq!(expect_str(&vm, &result), "e");
    // "noodle"[1..100], "noodle"[-3..], "noodle"[1..=2]
    for (lo, hi, inclusive, expected) in [
        (Some(1), Some(100), 0, "oodle"),
        (Some(-3), None, 0, "dle"),
        (Some(1), Some(2), 1, "oo"),
        (Some(4), Some(1), 0, ""),
    ] {
        let mut code = vec![LoadConst { dst: 0, k: 0 }];
        code.push(match lo {
            Some(v) => LoadInt { dst: 1, value: v },
            None => LoadNone { dst: 1 },
        });
        code.push(match hi {
            Some(v) => LoadInt { dst: 2, value: v },
            None => LoadNone { dst: 2 },
        });
        code.extend([
            Slice {
                dst: 0,
                base: 0,
                inclusive,
            },
            Return { src: 0 },
        ]);
        let (vm, result) = run(&module(vec![entry(3, code)]).consts(vec![s.clone()]).build());
        assert_eq!(expect_str(&vm, &result), expected);
    }
    // [1, 2, 3][-4] is an IndexError; xs[-1] = 9 assigns the last element.
    let code = vec![
        LoadInt { dst: 0, value: 1 },
        LoadInt { dst: 1, value: 2 },
        LoadInt { dst: 2, value: 3 },
        NewList {
            dst: 3,
            base: 0,
            count: 3,
        },
        LoadInt { dst: 0, value: -1 },
        LoadInt { dst: 1, value: 9 },
        SetIndex {
            obj: 3,
            index: 0,
            src: 1,
        },
        GetIndex {
            dst: 2,
            obj: 3,
            index: 0,
        },
        Return { src: 2 },
    ];
    assert_eq!(expect_int(&run(&module(vec![entry(4, code)]).build()).1), 9);
}

#[test]
fn membership_and_len() {
    let code = vec![
        LoadConst { dst: 0, k: 0 },
        LoadConst { dst: 1, k: 1 },
        In { dst: 2, a: 1, b: 0 },
        JumpIfFalse { cond: 2, offset: 2 },
        Len { dst: 0, src: 0 },
        Return { src: 0 },
        LoadNone { dst: 0 },
        Return { src: 0 },
    ];
    let m = module(vec![entry(3, code)])
        .consts(vec![
            Const::Str("ramen 🍜".into()),
            Const::Str("men".into()),
        ])
        .build();
    assert_eq!(expect_int(&run(&m).1), 7);
}
