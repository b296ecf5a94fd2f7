//! List methods: `push pop insert remove len contains index sort reverse
//! map filter reduce join slice copy`, plus `extend clear count`.
//!
//! `map`, `filter` and `reduce` call back into Noodle; they read the list
//! live by index (like a `for` loop), so a callback that changes the list
//! is seen rather than crashing anything.

use crate::builtins::{args, sort};
use crate::error::kinds;
use crate::format;
use crate::interp::access::normalize_index;
use crate::native::{Args, NResult, NativeMethod};
use crate::ops;
use crate::value::Value;
use crate::vm::Vm;

pub fn lookup(name: &str) -> Option<NativeMethod> {
    let method: NativeMethod = match name {
        "push" => push,
        "pop" => pop,
        "insert" => insert,
        "remove" => remove,
        "len" => len,
        "contains" => contains,
        "index" => index,
        "count" => count,
        "sort" => sort,
        "reverse" => reverse,
        "map" => map,
        "filter" => filter,
        "reduce" => reduce,
        "join" => join,
        "slice" => slice,
        "copy" => copy,
        "extend" => extend,
        "clear" => clear,
        _ => return None,
    };
    Some(method)
}

/// The receiver's elements for in-place changes.
fn elements_mut(vm: &mut Vm, list: Value) -> NResult<&mut Vec<Value>> {
    if vm.heap.list(list).is_none() {
        return Err(vm.type_error("a list method was called on a non-list"));
    }
    Ok(vm.heap.list_mut(list).expect("checked above"))
}

/// A copy of the receiver's elements.
fn elements(vm: &mut Vm, list: Value) -> NResult<Vec<Value>> {
    Ok(elements_mut(vm, list)?.clone())
}

/// The element at `i`, read live (`None` past the end).
fn element_at(vm: &Vm, list: Value, i: usize) -> Option<Value> {
    vm.heap.list(list).and_then(|items| items.get(i).copied())
}

fn push(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.push", args, 1, 1, &[])?;
    elements_mut(vm, list)?.push(args.positional[0]);
    Ok(Value::None)
}

/// `pop()` removes and returns the last element, `pop(i)` the one at `i`.
fn pop(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.pop", args, 0, 1, &[])?;
    let index = match args.get(0) {
        Some(v) => Some(args::int(vm, "list.pop", v)?),
        None => None,
    };
    let items = elements_mut(vm, list)?;
    let len = items.len();
    if len == 0 {
        return Err(vm.error(kinds::INDEX, "pop from an empty list"));
    }
    match index {
        None => Ok(items.pop().unwrap_or_default()),
        Some(i) => match normalize_index(i, len) {
            Some(at) => Ok(items.remove(at)),
            None => Err(vm.error(
                kinds::INDEX,
                format!("pop index {i} out of range (length {len})"),
            )),
        },
    }
}

/// `insert(i, x)` puts `x` before position `i`; like Python, `i` counts
/// from the end when negative and is clamped to the list.
fn insert(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.insert", args, 2, 2, &[])?;
    let i = args::int(vm, "list.insert", args.positional[0])?;
    let items = elements_mut(vm, list)?;
    let len = items.len() as i64;
    let at = if i < 0 {
        (i.saturating_add(len)).max(0)
    } else {
        i.min(len)
    };
    items.insert(at as usize, args.positional[1]);
    Ok(Value::None)
}

/// The position of the first element equal to `x`.
fn position(vm: &mut Vm, list: Value, x: Value) -> NResult<Option<usize>> {
    elements_mut(vm, list)?;
    let heap = &vm.heap;
    Ok(heap
        .list(list)
        .and_then(|items| items.iter().position(|&item| ops::equals(heap, item, x))))
}

fn not_in_list(vm: &mut Vm, name: &str, x: Value) -> crate::Thrown {
    let message = format!(
        "{name}(): {} is not in the list",
        format::repr_string(&vm.heap, x)
    );
    vm.error(kinds::VALUE, message)
}

/// `remove(x)` removes the first element equal to `x` (ValueError if none).
fn remove(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.remove", args, 1, 1, &[])?;
    let x = args.positional[0];
    match position(vm, list, x)? {
        Some(at) => {
            elements_mut(vm, list)?.remove(at);
            Ok(Value::None)
        }
        None => Err(not_in_list(vm, "list.remove", x)),
    }
}

fn len(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.len", args, 0, 0, &[])?;
    Ok(Value::Int(elements_mut(vm, list)?.len() as i64))
}

fn contains(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.contains", args, 1, 1, &[])?;
    Ok(Value::Bool(
        position(vm, list, args.positional[0])?.is_some(),
    ))
}

/// `index(x)`: the position of the first element equal to `x`
/// (ValueError if none).
fn index(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.index", args, 1, 1, &[])?;
    let x = args.positional[0];
    match position(vm, list, x)? {
        Some(at) => Ok(Value::Int(at as i64)),
        None => Err(not_in_list(vm, "list.index", x)),
    }
}

/// `count(x)`: how many elements equal `x`.
fn count(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.count", args, 1, 1, &[])?;
    elements_mut(vm, list)?;
    let heap = &vm.heap;
    let x = args.positional[0];
    let n = heap.list(list).map_or(0, |items| {
        items
            .iter()
            .filter(|&&item| ops::equals(heap, item, x))
            .count()
    });
    Ok(Value::Int(n as i64))
}

/// `sort(key:, reverse:)`: sorts in place, stably. The elements are sorted
/// as a snapshot and written back, so a key function that changes the list
/// cannot break the sort.
fn sort(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.sort", args, 0, 0, &["key", "reverse"])?;
    let items = elements(vm, list)?;
    let key = args::optional_function(args.named("key"));
    let reverse = args.named("reverse").is_some_and(Value::is_truthy);
    let sorted = sort::sort_values(vm, items, key, reverse)?;
    *elements_mut(vm, list)? = sorted;
    Ok(Value::None)
}

fn reverse(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.reverse", args, 0, 0, &[])?;
    elements_mut(vm, list)?.reverse();
    Ok(Value::None)
}

/// `map(f)`: a new list of `f(x)` for each element.
fn map(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.map", args, 1, 1, &[])?;
    let f = args.positional[0];
    let result = vm.heap.alloc_list(Vec::new());
    vm.push_root(result);
    let mut i = 0;
    while let Some(item) = element_at(vm, list, i) {
        let mapped = vm.call_value(f, &[item])?;
        elements_mut(vm, result)?.push(mapped);
        i += 1;
    }
    Ok(result)
}

/// `filter(f)`: a new list of the elements for which `f(x)` is truthy.
fn filter(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.filter", args, 1, 1, &[])?;
    let f = args.positional[0];
    let result = vm.heap.alloc_list(Vec::new());
    vm.push_root(result);
    let mut i = 0;
    while let Some(item) = element_at(vm, list, i) {
        // The callback may drop the item from the list: keep it alive.
        vm.push_root(item);
        if vm.call_value(f, &[item])?.is_truthy() {
            elements_mut(vm, result)?.push(item);
        }
        i += 1;
    }
    Ok(result)
}

/// `reduce(f, init)`: folds left, `f(acc, x)`. Without `init` the first
/// element starts the fold, and an empty list is a ValueError.
fn reduce(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.reduce", args, 1, 2, &[])?;
    let f = args.positional[0];
    let (mut acc, mut i) = match args.get(1) {
        Some(init) => (init, 0),
        None => match element_at(vm, list, 0) {
            Some(first) => (first, 1),
            None => {
                return Err(args::value_error(
                    vm,
                    "list.reduce(): empty list and no initial value",
                ));
            }
        },
    };
    while let Some(item) = element_at(vm, list, i) {
        vm.push_root(acc);
        acc = vm.call_value(f, &[acc, item])?;
        i += 1;
    }
    Ok(acc)
}

/// `join(sep = "")`: the elements as `str()` shows them, separated by `sep`.
fn join(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.join", args, 0, 1, &[])?;
    let sep = args::text_or(vm, "list.join", args.get(0), "")?;
    let items = elements(vm, list)?;
    let text = join_displayed(vm, &items, &sep);
    Ok(vm.heap.alloc_string(text))
}

/// Joins values as `str()` shows them; shared with `str.join`.
pub fn join_displayed(vm: &Vm, items: &[Value], sep: &str) -> String {
    let mut text = String::new();
    for (i, &item) in items.iter().enumerate() {
        if i > 0 {
            text.push_str(sep);
        }
        format::display(&vm.heap, item, &mut text);
    }
    text
}

/// `slice(start, end)`: like `xs[start..end]` (negative indices count from
/// the end, bounds clamp); `end` defaults to the end.
fn slice(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.slice", args, 1, 2, &[])?;
    let end = args.get(1).unwrap_or(Value::None);
    crate::interp::access::slice(&mut vm.heap, list, args.positional[0], end, false)
}

fn copy(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.copy", args, 0, 0, &[])?;
    let items = elements(vm, list)?;
    Ok(vm.heap.alloc_list(items))
}

/// `extend(xs)`: appends every element of an iterable.
fn extend(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.extend", args, 1, 1, &[])?;
    let more = crate::builtins::iterable::items(vm, "list.extend", args.positional[0])?;
    elements_mut(vm, list)?.extend(more);
    Ok(Value::None)
}

fn clear(vm: &mut Vm, list: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list.clear", args, 0, 0, &[])?;
    elements_mut(vm, list)?.clear();
    Ok(Value::None)
}
