//! Argument checking shared by builtins, methods and the native modules,
//! so every native reports arity and type mistakes the same way:
//! `TypeError: len() takes 1 argument (2 given)`,
//! `TypeError: sorted() got an unexpected named argument 'kye'`,
//! `TypeError: math.sqrt() needs a number, not str`.

use std::sync::Arc;

use crate::error::kinds;
use crate::native::{Args, NResult};
use crate::value::Value;
use crate::vm::Vm;

/// Checks the positional count (`min ..= max`) and that every named
/// argument is one of `named`. `name` is how the native is called in
/// messages (`len`, `list.push`, `math.sqrt`).
pub fn check(
    vm: &mut Vm,
    name: &str,
    args: &Args<'_>,
    min: usize,
    max: usize,
    named: &[&str],
) -> NResult<()> {
    let given = args.len();
    if given < min || given > max {
        let expected = match (min, max) {
            (min, max) if min == max => plural(min, "argument"),
            (min, usize::MAX) => format!("at least {}", plural(min, "argument")),
            (0, max) => format!("at most {}", plural(max, "argument")),
            (min, max) => format!("{min} to {max} arguments"),
        };
        return Err(vm.type_error(format!("{name}() takes {expected} ({given} given)")));
    }
    if let Some(unknown) = args.unknown_named(named) {
        let message = format!("{name}() got an unexpected named argument '{unknown}'");
        return Err(vm.type_error(message));
    }
    Ok(())
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A TypeError saying what `name` needed and what it got.
pub fn wrong_type(vm: &mut Vm, name: &str, expected: &str, got: Value) -> crate::Thrown {
    let message = format!("{name}() needs {expected}, not {}", vm.heap.type_name(got));
    vm.type_error(message)
}

pub fn int(vm: &mut Vm, name: &str, v: Value) -> NResult<i64> {
    match v {
        Value::Int(n) => Ok(n),
        other => Err(wrong_type(vm, name, "an int", other)),
    }
}

/// An int or a float, as f64 (ints are accepted wherever floats are).
pub fn number(vm: &mut Vm, name: &str, v: Value) -> NResult<f64> {
    match v {
        Value::Int(n) => Ok(n as f64),
        Value::Float(x) => Ok(x),
        other => Err(wrong_type(vm, name, "a number", other)),
    }
}

/// The shared text of a str argument (cheap: an `Arc` clone), so the heap
/// can be used mutably while the text is held.
pub fn text(vm: &mut Vm, name: &str, v: Value) -> NResult<Arc<str>> {
    match vm.heap.str(v) {
        Some(s) => Ok(s.arc().clone()),
        None => Err(wrong_type(vm, name, "a str", v)),
    }
}

/// Like [`text`], but `none` (or an absent argument) gives `default`.
pub fn text_or(vm: &mut Vm, name: &str, v: Option<Value>, default: &str) -> NResult<Arc<str>> {
    match v {
        None | Some(Value::None) => Ok(Arc::from(default)),
        Some(v) => text(vm, name, v),
    }
}

/// A callable `key:` style argument: `none` and absence both mean "no
/// function".
pub fn optional_function(v: Option<Value>) -> Option<Value> {
    v.filter(|v| !matches!(v, Value::None))
}

/// A ValueError with `message`.
pub fn value_error(vm: &mut Vm, message: impl Into<String>) -> crate::Thrown {
    vm.error(kinds::VALUE, message)
}

/// A fresh `MemoryError` for a result too large to allocate.
pub fn too_large(vm: &mut Vm, name: &str, count: usize) -> crate::Thrown {
    vm.error(
        "MemoryError",
        format!("{name}(): {count} elements are too many to allocate"),
    )
}

/// A vector with room for `count` values, or a MemoryError instead of an
/// abort when the allocation fails.
pub fn vec_with_capacity<T>(vm: &mut Vm, name: &str, count: usize) -> NResult<Vec<T>> {
    let mut items = Vec::new();
    match items.try_reserve_exact(count) {
        Ok(()) => Ok(items),
        Err(_) => Err(too_large(vm, name, count)),
    }
}
