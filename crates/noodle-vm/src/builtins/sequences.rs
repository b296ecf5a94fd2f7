//! Builtins over collections: `len range enumerate zip min max sum sorted`.

use std::cmp::Ordering;

use crate::builtins::{args, iterable, sort};
use crate::native::{Args, NResult};
use crate::ops;
use crate::value::Value;
use crate::vm::Vm;

/// `len(v)`: characters of a str, elements of a list, entries of a map,
/// values of a range.
pub fn len(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "len", args, 1, 1, &[])?;
    crate::interp::access::len(&mut vm.heap, args.positional[0])
}

/// `range(end)`, `range(start, end)`, `range(start, end, step)`: a lazy
/// range like `start..end`; a zero step is a ValueError.
pub fn range(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "range", args, 1, 3, &[])?;
    let mut bounds = [0, 0, 1];
    for (i, &v) in args.positional.iter().enumerate() {
        bounds[i] = args::int(vm, "range", v)?;
    }
    let [start, end, step] = if args.len() == 1 {
        [0, bounds[0], 1]
    } else {
        bounds
    };
    if step == 0 {
        return Err(args::value_error(vm, "range() step must not be zero"));
    }
    Ok(vm.heap.alloc_range(start, end, step))
}

/// `enumerate(xs, start = 0)`: a list of `[index, element]` pairs.
pub fn enumerate(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "enumerate", args, 1, 2, &["start"])?;
    let start = match args.get(1).or_else(|| args.named("start")) {
        Some(v) => args::int(vm, "enumerate", v)?,
        None => 0,
    };
    let items = iterable::items(vm, "enumerate", args.positional[0])?;
    let mut pairs = args::vec_with_capacity(vm, "enumerate", items.len())?;
    for (offset, item) in items.into_iter().enumerate() {
        let Some(index) = i64::try_from(offset)
            .ok()
            .and_then(|o| start.checked_add(o))
        else {
            return Err(ops::overflow(&mut vm.heap));
        };
        pairs.push(vm.heap.alloc_list(vec![Value::Int(index), item]));
    }
    Ok(vm.heap.alloc_list(pairs))
}

/// `zip(a, b, ...)`: a list of lists taking one element from each
/// argument, as long as the shortest.
pub fn zip(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "zip", args, 0, usize::MAX, &[])?;
    let mut columns = Vec::with_capacity(args.len());
    for &v in args.positional {
        columns.push(iterable::items(vm, "zip", v)?);
    }
    let rows = columns.iter().map(Vec::len).min().unwrap_or(0);
    let mut zipped = args::vec_with_capacity(vm, "zip", rows)?;
    for row in 0..rows {
        let tuple = columns.iter().map(|column| column[row]).collect();
        zipped.push(vm.heap.alloc_list(tuple));
    }
    Ok(vm.heap.alloc_list(zipped))
}

/// `min(a, b, ...)` or `min(iterable)`, with optional `key:` and `default:`.
pub fn min(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    extreme(vm, args, "min", Ordering::Less)
}

/// `max(a, b, ...)` or `max(iterable)`, with optional `key:` and `default:`.
pub fn max(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    extreme(vm, args, "max", Ordering::Greater)
}

/// The first element that no later element beats in direction `wanted`.
fn extreme(vm: &mut Vm, args: &Args<'_>, name: &str, wanted: Ordering) -> NResult<Value> {
    args::check(vm, name, args, 1, usize::MAX, &["key", "default"])?;
    let items = if args.len() == 1 {
        iterable::items(vm, name, args.positional[0])?
    } else {
        args.positional.to_vec()
    };
    if items.is_empty() {
        return match args.named("default") {
            Some(default) => Ok(default),
            None => Err(args::value_error(
                vm,
                format!("{name}() of an empty sequence"),
            )),
        };
    }
    let key = args::optional_function(args.named("key"));
    if key.is_some() {
        iterable::root_all(vm, &items);
    }
    let mut best: Option<(Value, Value)> = None;
    for item in items {
        let k = match key {
            Some(f) => {
                let k = vm.call_value(f, &[item])?;
                vm.push_root(k);
                k
            }
            None => item,
        };
        let better = match best {
            None => true,
            Some((best_key, _)) => match ops::compare(&vm.heap, k, best_key) {
                Ok(ordering) => ordering == Some(wanted),
                Err(message) => return Err(vm.type_error(message)),
            },
        };
        if better {
            best = Some((k, item));
        }
    }
    Ok(best.map_or(Value::None, |(_, item)| item))
}

/// `sum(xs, start = 0)`: adds left to right with `+` (ints stay ints and
/// overflow raises; any float makes the result a float). Without `start`,
/// a list of durations sums from `0s`. Ranges are summed without being
/// materialized.
pub fn sum(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "sum", args, 1, 2, &["start"])?;
    let start = args.get(1).or_else(|| args.named("start"));
    let mut total = start.unwrap_or(Value::Int(0));
    if let Some(range) = vm.heap.range(args.positional[0]) {
        for i in 0..range.len() {
            total = add(vm, total, Value::Int(range.get(i).unwrap_or(0)))?;
        }
        return Ok(total);
    }
    let items = iterable::items(vm, "sum", args.positional[0])?;
    if start.is_none()
        && let Some(Value::Duration(_)) = items.first()
    {
        total = Value::Duration(0);
    }
    for item in items {
        total = add(vm, total, item)?;
    }
    Ok(total)
}

/// `a + b` with the int and float cases inline.
fn add(vm: &mut Vm, a: Value, b: Value) -> NResult<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => match x.checked_add(y) {
            Some(n) => Ok(Value::Int(n)),
            None => Err(ops::overflow(&mut vm.heap)),
        },
        (Value::Float(x), Value::Float(y)) => Ok(Value::Float(x + y)),
        _ => ops::add(&mut vm.heap, a, b),
    }
}

/// `sorted(xs, key:, reverse:)`: a new list, stably sorted.
pub fn sorted(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "sorted", args, 1, 1, &["key", "reverse"])?;
    let items = iterable::items(vm, "sorted", args.positional[0])?;
    let key = args::optional_function(args.named("key"));
    let reverse = args.named("reverse").is_some_and(Value::is_truthy);
    let sorted = sort::sort_values(vm, items, key, reverse)?;
    Ok(vm.heap.alloc_list(sorted))
}
