//! Copying values between process heaps and forking a program's heap,
//! with programs compiled from source by `noodle-codegen`.

use noodle_vm::transfer::Message;
use noodle_vm::{Value, Vm, VmOptions};

const PROGRAM: &str = r#"
struct Temp { c: float }
impl Temp {
    def fahrenheit(self) = self.c * 9.0 / 5.0 + 32.0
}
enum Status { Pending, Shipped(days) }
impl Status {
    def describe(self) = match self {
        Status.Pending => "waiting",
        Status.Shipped(d) => f"in {d} days",
    }
}
def make_counter() {
    let n = [0]
    return || { n[0] = n[0] + 1; n[0] }
}
def f_of(t) = t.fahrenheit()
def describe(s) = s.describe()
def is_pending(s) = s == Status.Pending
let shared = {"k": [1, 2]}
let data = [Temp(100.0), Status.Pending, Status.Shipped(3), shared, shared, "some text", 1..4]
let counter = make_counter()
"#;

fn module() -> noodle_nbc::Module {
    let output = noodle_codegen::compile_source("t.nd", PROGRAM, std::path::Path::new("."));
    output
        .module
        .unwrap_or_else(|| panic!("compile errors: {:?}", output.diagnostics))
}

/// A VM that has run [`PROGRAM`].
fn loaded(module: &noodle_nbc::Module) -> Vm {
    let mut vm = Vm::new(VmOptions::default());
    vm.capture_output();
    if let Err(e) = vm.run_module(module) {
        panic!("{e}");
    }
    vm
}

fn global(vm: &Vm, module: &noodle_nbc::Module, name: &str) -> Value {
    let i = module
        .globals
        .iter()
        .position(|g| g == name || g.ends_with(&format!(".{name}")))
        .unwrap_or_else(|| panic!("no global {name} in {:?}", module.globals));
    vm.global(i).expect("assigned")
}

#[test]
fn values_move_between_processes_of_one_program() {
    let module = module();
    let a = loaded(&module);
    let mut b = loaded(&module);
    let data = global(&a, &module, "data");
    let copy = Message::export(&a.heap, data).import_one(&mut b.heap);
    assert_eq!(a.repr(data), b.repr(copy));
    assert!(b.repr(copy).contains("Temp("), "{}", b.repr(copy));
    let items = b.heap.list(copy).unwrap().clone();
    // The two references to `shared` are one map in the copy.
    assert!(items[3].identical(items[4]));
    // Calling b's functions on the copies uses b's methods and variants.
    let f_of = global(&b, &module, "f_of");
    let describe = global(&b, &module, "describe");
    let is_pending = global(&b, &module, "is_pending");
    assert_eq!(
        b.call_value(f_of, &[items[0]])
            .ok()
            .and_then(|v| v.as_number()),
        Some(212.0)
    );
    let d = b.call_value(describe, &[items[2]]).ok().unwrap();
    assert_eq!(b.heap.as_str(d), Some("in 3 days"));
    let p = b.call_value(is_pending, &[items[1]]).ok().unwrap();
    assert!(p.identical(Value::Bool(true)));
}

#[test]
fn a_copied_closure_keeps_its_own_state() {
    let module = module();
    let mut a = loaded(&module);
    let mut b = loaded(&module);
    let counter = global(&a, &module, "counter");
    assert!(
        a.call_value(counter, &[])
            .ok()
            .unwrap()
            .identical(Value::Int(1))
    );
    let copy = Message::export(&a.heap, counter).import_one(&mut b.heap);
    assert!(
        b.call_value(copy, &[])
            .ok()
            .unwrap()
            .identical(Value::Int(2))
    );
    assert!(
        b.call_value(copy, &[])
            .ok()
            .unwrap()
            .identical(Value::Int(3))
    );
    // The original counted on by itself.
    assert!(
        a.call_value(counter, &[])
            .ok()
            .unwrap()
            .identical(Value::Int(2))
    );
}

#[test]
fn a_forked_heap_runs_the_programs_methods() {
    let module = module();
    let mut a = loaded(&module);
    let mut b = loaded(&module);
    // Replace b's process heap with a fork of a's: only the program's
    // prefix, types and methods; values arrive as messages.
    b.heap = a.heap.fork();
    let names = ["f_of", "describe", "is_pending", "data"];
    let sent: Vec<Value> = names.iter().map(|n| global(&a, &module, n)).collect();
    let got = Message::export_all(&a.heap, &sent).import(&mut b.heap);
    let items = b.heap.list(got[3]).unwrap().clone();
    assert_eq!(a.repr(sent[3]), b.repr(got[3]));
    assert_eq!(
        b.call_value(got[0], &[items[0]])
            .ok()
            .and_then(|v| v.as_number()),
        Some(212.0)
    );
    let d = b.call_value(got[1], &[items[1]]).ok().unwrap();
    assert_eq!(b.heap.as_str(d), Some("waiting"));
    let p = b.call_value(got[2], &[items[1]]).ok().unwrap();
    assert!(p.identical(Value::Bool(true)));
    // The methods are b's own copies.
    let (am, bm) = (
        a.heap.types().structs[0].methods[0].1,
        b.heap.types().structs[0].methods[0].1,
    );
    assert_eq!(
        a.heap.closure(am).unwrap().func,
        b.heap.closure(bm).unwrap().func
    );
    // Collecting in b keeps what the program needs (b's old globals
    // dangle, so root only the received values).
    b.heap.collect(got.iter().copied());
    let d = b.call_value(got[1], &[items[2]]).ok().unwrap();
    assert_eq!(b.heap.as_str(d), Some("in 3 days"));
    // a is unaffected.
    let describe = global(&a, &module, "describe");
    let a_items = a.heap.list(sent[3]).unwrap().clone();
    let d = a.call_value(describe, &[a_items[1]]).ok().unwrap();
    assert_eq!(a.heap.as_str(d), Some("waiting"));
}

#[test]
fn a_process_vm_reset_for_a_new_process_keeps_nothing_of_the_last() {
    let module = module();
    let mut parent = loaded(&module);
    parent.share_output();
    // A VM with its own buffered output would write late: not reused.
    let mut buffered = Vm::new_process(&parent);
    buffered.capture_output();
    assert!(!buffered.reset_as_process_of(&parent));

    let mut vm = Vm::new_process(&parent);
    let f_of = global(&parent, &module, "f_of");
    let data = global(&parent, &module, "data");
    let sent = Message::export_all(&parent.heap, &[f_of, data]).import(&mut vm.heap);
    let items = vm.heap.list(sent[1]).unwrap().clone();
    let f = vm.call_value(sent[0], &[items[0]]).ok().unwrap();
    assert!(f.identical(Value::Float(212.0)));
    assert!(vm.heap.live_count() > 0);

    assert!(vm.reset_as_process_of(&parent));
    let fresh = Vm::new_process(&parent);
    assert_eq!(vm.heap.live_count(), fresh.heap.live_count());
    assert_eq!(vm.heap.collections(), 0);
    assert_eq!(vm.globals().len(), fresh.globals().len());
    assert!(vm.globals().iter().all(|v| v.is_missing()));
    // It runs the program's code again, from values sent anew.
    let sent = Message::export_all(&parent.heap, &[f_of, data]).import(&mut vm.heap);
    let items = vm.heap.list(sent[1]).unwrap().clone();
    let f = vm.call_value(sent[0], &[items[0]]).ok().unwrap();
    assert!(f.identical(Value::Float(212.0)));

    // Another program's VM is not made a process of this one.
    let mut other = Vm::new(VmOptions::default());
    other.share_output();
    assert!(!other.reset_as_process_of(&parent));
}
