//! Helpers for unit tests of natives: call a builtin or method by name on
//! a fresh VM and look at the result as it would print.

use std::sync::Arc;

use crate::native::{Args, BuiltinDef, NResult};
use crate::value::{TypeTag, Value};
use crate::vm::{Vm, VmOptions};

pub fn vm() -> Vm {
    let mut vm = Vm::new(VmOptions::default());
    vm.capture_output();
    vm
}

/// The builtin value `name` (`Value::Builtin`), for passing as a callback.
pub fn builtin(name: &str) -> Value {
    let index =
        noodle_nbc::builtins::builtin_index(name).unwrap_or_else(|| panic!("no builtin {name}"));
    Value::Builtin(index)
}

/// Calls builtin `name` (`print`, `math.sqrt`) with named arguments.
pub fn call_named(
    vm: &mut Vm,
    name: &str,
    positional: &[Value],
    named: &[(&str, Value)],
) -> NResult<Value> {
    let index =
        noodle_nbc::builtins::builtin_index(name).unwrap_or_else(|| panic!("no builtin {name}"));
    let named: Vec<(Arc<str>, Value)> = named.iter().map(|&(n, v)| (Arc::from(n), v)).collect();
    let args = Args {
        positional,
        named: &named,
    };
    match crate::builtins::lookup(index) {
        Some(BuiltinDef::Function(f)) => f(vm, &args),
        Some(BuiltinDef::Constant(v)) => Ok(v),
        None => panic!("builtin {name} is not defined"),
    }
}

pub fn call(vm: &mut Vm, name: &str, positional: &[Value]) -> NResult<Value> {
    call_named(vm, name, positional, &[])
}

/// Calls the native method `name` on `receiver`.
pub fn method_named(
    vm: &mut Vm,
    receiver: Value,
    name: &str,
    positional: &[Value],
    named: &[(&str, Value)],
) -> NResult<Value> {
    let tag: TypeTag = vm.heap.tag(receiver);
    let Some(method) = crate::methods::lookup(tag, name) else {
        panic!("no method {name} on {tag:?}");
    };
    let named: Vec<(Arc<str>, Value)> = named.iter().map(|&(n, v)| (Arc::from(n), v)).collect();
    method(
        vm,
        receiver,
        &Args {
            positional,
            named: &named,
        },
    )
}

pub fn method(vm: &mut Vm, receiver: Value, name: &str, positional: &[Value]) -> NResult<Value> {
    method_named(vm, receiver, name, positional, &[])
}

/// How a result prints inside a container, or `KIND: message` for an error.
pub fn shown(result: NResult<Value>, vm: &Vm) -> String {
    match result {
        Ok(v) => vm.repr(v),
        Err(thrown) => format!("raised {}", vm.repr(thrown.value())),
    }
}

/// The kind of the raised error (panics when nothing was raised).
pub fn raised_kind(result: NResult<Value>, vm: &Vm) -> String {
    match result {
        Ok(v) => panic!("expected an error, got {}", vm.repr(v)),
        Err(thrown) => match vm.heap.error_obj(thrown.value()) {
            Some(e) => e.kind.to_string(),
            None => panic!("raised a non-error"),
        },
    }
}

pub fn s(vm: &mut Vm, text: &str) -> Value {
    vm.heap.alloc_str(text)
}

pub fn list(vm: &mut Vm, items: &[Value]) -> Value {
    vm.heap.alloc_list(items.to_vec())
}

pub fn ints(vm: &mut Vm, items: &[i64]) -> Value {
    let values = items.iter().map(|&n| Value::Int(n)).collect();
    vm.heap.alloc_list(values)
}
