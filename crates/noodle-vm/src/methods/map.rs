//! Map methods: `get set remove contains keys values items len copy`, plus
//! `clear`.
//!
//! Keys are none, bool, int or str. Looking up any other value (`get`,
//! `contains`, `remove`) simply finds nothing, as `in` does; storing one
//! (`set`) is a TypeError.

use crate::builtins::args;
use crate::error::kinds;
use crate::format;
use crate::native::{Args, NResult, NativeMethod};
use crate::object::{Map, MapKey};
use crate::value::Value;
use crate::vm::Vm;

pub fn lookup(name: &str) -> Option<NativeMethod> {
    let method: NativeMethod = match name {
        "get" => get,
        "set" => set,
        "remove" => remove,
        "contains" => contains,
        "keys" => keys,
        "values" => values,
        "items" => items,
        "len" => len,
        "copy" => copy,
        "clear" => clear,
        _ => return None,
    };
    Some(method)
}

/// The receiver for in-place changes.
fn entries_mut(vm: &mut Vm, map: Value) -> NResult<&mut Map> {
    if vm.heap.map(map).is_none() {
        return Err(vm.type_error("a map method was called on a non-map"));
    }
    Ok(vm.heap.map_mut(map).expect("checked above"))
}

/// A copy of the receiver.
fn entries(vm: &mut Vm, map: Value) -> NResult<Map> {
    Ok(entries_mut(vm, map)?.clone())
}

/// The value stored under `key`, if `key` can be a key and is present.
fn lookup_key(vm: &mut Vm, map: Value, key: Value) -> NResult<Option<Value>> {
    let key = vm.heap.map_key(key);
    let entries = entries_mut(vm, map)?;
    Ok(key.and_then(|k| entries.get(&k)))
}

/// `get(k, default = none)`.
fn get(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.get", args, 1, 2, &[])?;
    let found = lookup_key(vm, map, args.positional[0])?;
    Ok(found.or(args.get(1)).unwrap_or(Value::None))
}

/// `set(k, v)`: like `m[k] = v`.
fn set(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.set", args, 2, 2, &[])?;
    let (key, value) = (args.positional[0], args.positional[1]);
    let Some(map_key) = vm.heap.map_key(key) else {
        let message = format!(
            "a map key must be none, bool, int or str, not {}",
            vm.heap.type_name(key)
        );
        return Err(vm.type_error(message));
    };
    entries_mut(vm, map)?.insert(map_key, key, value);
    Ok(Value::None)
}

/// `remove(k)` removes the entry and returns its value; a missing key is a
/// KeyError, unless a default is given: `remove(k, default)`.
fn remove(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.remove", args, 1, 2, &[])?;
    let key = args.positional[0];
    let map_key: Option<MapKey> = vm.heap.map_key(key);
    let removed = match map_key {
        Some(k) => entries_mut(vm, map)?.remove(&k),
        None => None,
    };
    match (removed, args.get(1)) {
        (Some(v), _) | (None, Some(v)) => Ok(v),
        (None, None) => {
            let message = format::repr_string(&vm.heap, key);
            Err(vm.error(kinds::KEY, message))
        }
    }
}

fn contains(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.contains", args, 1, 1, &[])?;
    Ok(Value::Bool(
        lookup_key(vm, map, args.positional[0])?.is_some(),
    ))
}

fn keys(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.keys", args, 0, 0, &[])?;
    let keys = entries_mut(vm, map)?.iter().map(|(k, _)| k).collect();
    Ok(vm.heap.alloc_list(keys))
}

fn values(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.values", args, 0, 0, &[])?;
    let values = entries_mut(vm, map)?.iter().map(|(_, v)| v).collect();
    Ok(vm.heap.alloc_list(values))
}

/// `items()`: a list of `[key, value]` lists, in insertion order.
fn items(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.items", args, 0, 0, &[])?;
    let pairs: Vec<(Value, Value)> = entries_mut(vm, map)?.iter().collect();
    let lists = pairs
        .into_iter()
        .map(|(k, v)| vm.heap.alloc_list(vec![k, v]))
        .collect();
    Ok(vm.heap.alloc_list(lists))
}

fn len(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.len", args, 0, 0, &[])?;
    Ok(Value::Int(entries_mut(vm, map)?.len() as i64))
}

fn copy(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.copy", args, 0, 0, &[])?;
    let copied = entries(vm, map)?;
    Ok(vm.heap.alloc_map(copied))
}

fn clear(vm: &mut Vm, map: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "map.clear", args, 0, 0, &[])?;
    entries_mut(vm, map)?.clear();
    Ok(Value::None)
}
