//! The tracing collector: cycles are freed, live data survives, and the
//! heap stays bounded in allocation-heavy loops.
mod common;

use common::*;
use noodle_nbc::{Capture, Const, Instr::*};
use noodle_vm::{Heap, Value, Vm, VmOptions};

#[test]
fn unreachable_cycles_are_collected_and_roots_survive() {
    let mut heap = Heap::new();
    let baseline = heap.live_count();
    let keep = heap.alloc_list(vec![Value::Int(1)]);
    for _ in 0..1000 {
        let a = heap.alloc_list(vec![]);
        let b = heap.alloc_list(vec![a]);
        heap.list_mut(a).unwrap().push(b);
    }
    assert_eq!(heap.live_count(), baseline + 1 + 2000);
    heap.collect([keep]);
    assert_eq!(heap.live_count(), baseline + 1);
    assert!(matches!(heap.list(keep).unwrap()[0], Value::Int(1)));
    // Freed slots are reused.
    let before = heap.live_count();
    let again = heap.alloc_str("reused");
    assert_eq!(heap.live_count(), before + 1);
    assert_eq!(heap.as_str(again), Some("reused"));
}

/// `for i in 0..n { let a = []; a.push(a); let f = || a; }`: every
/// iteration makes a self-referencing list and a closure cycle.
fn garbage_loop(n: i64) -> noodle_nbc::Module {
    let mut capture = func(
        "capture",
        &[],
        1,
        vec![LoadUpval { dst: 0, idx: 0 }, Return { src: 0 }],
    );
    capture.captures = vec![Capture::Local(4)];
    let program = entry(
        7,
        vec![
            LoadInt { dst: 0, value: 0 },
            LoadConst { dst: 1, k: 0 },
            ForPrep {
                base: 0,
                inclusive: 0,
                offset: 6,
            },
            NewList {
                dst: 3,
                base: 0,
                count: 0,
            },
            ListPush { list: 3, src: 3 },
            MakeCell { dst: 4, src: 3 },
            Closure { dst: 5, proto: 1 },
            StoreCell { cell: 4, src: 5 },
            NewList {
                dst: 6,
                base: 3,
                count: 3,
            },
            ForStep {
                base: 0,
                inclusive: 0,
                offset: -7,
            },
            ReturnNone {},
        ],
    );
    module(vec![program, capture])
        .consts(vec![Const::Int(n)])
        .build()
}

#[test]
fn allocation_heavy_loops_run_in_bounded_memory() {
    let mut vm = Vm::new(VmOptions::default());
    vm.run_module(&garbage_loop(1_000_000)).expect("runs");
    assert!(
        vm.heap.collections() > 0,
        "the loop must trigger collections"
    );
    assert!(
        vm.heap.live_count() < 300_000,
        "live objects: {}",
        vm.heap.live_count()
    );
    vm.collect_garbage();
    assert!(
        vm.heap.live_count() < 1_000,
        "after a full collection: {}",
        vm.heap.live_count()
    );
}

#[test]
fn values_rooted_by_a_native_survive_callbacks() {
    // A closure that allocates enough garbage to force collections.
    let mut prog_vm = Vm::new(VmOptions::default());
    let churn = module(vec![
        entry(
            2,
            vec![
                Closure { dst: 0, proto: 1 },
                StoreGlobal { global: 0, src: 0 },
                ReturnNone {},
            ],
        ),
        func(
            "churn",
            &[],
            4,
            vec![
                LoadInt { dst: 0, value: 0 },
                LoadConst { dst: 1, k: 0 },
                ForPrep {
                    base: 0,
                    inclusive: 0,
                    offset: 1,
                },
                NewList {
                    dst: 3,
                    base: 0,
                    count: 2,
                },
                ForStep {
                    base: 0,
                    inclusive: 0,
                    offset: -2,
                },
                ReturnNone {},
            ],
        ),
    ])
    .consts(vec![Const::Int(500_000)])
    .globals(&["churn"])
    .build();
    prog_vm.run_module(&churn).expect("defines churn");
    let kept = prog_vm.heap.alloc_str("kept alive by a root");
    let mark = prog_vm.root_mark();
    prog_vm.push_root(kept);
    let churn_fn = prog_vm.global(0).unwrap();
    let before = prog_vm.heap.collections();
    prog_vm.call_value(churn_fn, &[]).expect("churns");
    assert!(prog_vm.heap.collections() > before);
    assert_eq!(prog_vm.heap.as_str(kept), Some("kept alive by a root"));
    prog_vm.truncate_roots(mark);
}

/// A chain of 1,000 `Node(next, i)` survives 300,000 garbage nodes made in
/// between (constructed on the interpreter's fast path).
#[test]
fn live_structs_survive_collections_of_garbage_structs() {
    use noodle_nbc::{FieldDef, StructDef};
    let program = entry(
        9,
        vec![
            DefStruct { dst: 0, def: 0 },
            LoadNone { dst: 1 },
            LoadInt { dst: 2, value: 0 },
            LoadConst { dst: 3, k: 0 },
            ForPrep {
                base: 2,
                inclusive: 0,
                offset: 5,
            },
            Move { dst: 6, src: 0 },
            Move { dst: 7, src: 1 },
            Move { dst: 8, src: 4 },
            Call { func: 6, argc: 2 },
            Move { dst: 1, src: 6 },
            ForStep {
                base: 2,
                inclusive: 0,
                offset: -6,
            },
            LoadInt { dst: 2, value: 0 },
            LoadConst { dst: 3, k: 1 },
            ForPrep {
                base: 2,
                inclusive: 0,
                offset: 4,
            },
            Move { dst: 6, src: 0 },
            LoadNone { dst: 7 },
            Move { dst: 8, src: 4 },
            Call { func: 6, argc: 2 },
            ForStep {
                base: 2,
                inclusive: 0,
                offset: -5,
            },
            Return { src: 1 },
        ],
    );
    let mut m = module(vec![program])
        .consts(vec![Const::Int(1000), Const::Int(300_000)])
        .build();
    m.structs = vec![StructDef {
        name: "Node".into(),
        fields: vec![
            FieldDef {
                name: "next".into(),
                ty: None,
            },
            FieldDef {
                name: "i".into(),
                ty: None,
            },
        ],
    }];
    let (vm, result) = run(&m);
    assert!(vm.heap.collections() > 0);
    let mut node = result.expect("runs");
    for expected in (0..1000).rev() {
        let inst = vm.heap.instance(node).expect("a node");
        assert!(matches!(inst.fields[1], Value::Int(i) if i == expected));
        node = inst.fields[0];
    }
    assert!(matches!(node, Value::None));
}

/// Callbacks from natives are safepoints too: many calls of a
/// callback that allocates but never calls or loops stay bounded, and a
/// fresh, unrooted argument survives the collection at the call.
#[test]
fn repeated_callbacks_from_natives_collect() {
    // def wrap(x) = [x]
    let wrap = func(
        "wrap",
        &["x"],
        2,
        vec![
            NewList {
                dst: 1,
                base: 0,
                count: 1,
            },
            Return { src: 1 },
        ],
    );
    let program = entry(
        1,
        vec![
            Closure { dst: 0, proto: 1 },
            StoreGlobal { global: 0, src: 0 },
            ReturnNone {},
        ],
    );
    let m = module(vec![program, wrap]).globals(&["wrap"]).build();
    let (mut vm, result) = run(&m);
    result.expect("defines wrap");
    let wrap = vm.global(0).unwrap();
    let before = vm.heap.collections();
    for i in 0..300_000 {
        let arg = vm.heap.alloc_string(format!("item {i}"));
        let out = vm.call_value(wrap, &[arg]).expect("wraps");
        let inner = vm.heap.list(out).expect("a list")[0];
        assert!(
            vm.heap
                .as_str(inner)
                .is_some_and(|s| s.starts_with("item "))
        );
    }
    assert!(vm.heap.collections() > before);
    assert!(
        vm.heap.live_count() < 250_000,
        "live: {}",
        vm.heap.live_count()
    );
}
