//! The elements of an iterable value, materialized: what `for` would visit
//! (list elements, str characters, map keys, range values). Builtins such
//! as `sorted`, `zip` and `min` work on these snapshots.
//!
//! The returned values may be fresh, unrooted allocations (characters of a
//! string): a caller that calls back into Noodle must root them first.

use crate::builtins::args;
use crate::native::NResult;
use crate::object::Object;
use crate::value::Value;
use crate::vm::Vm;

/// The elements of `v`, or a TypeError naming the native `name`.
pub fn items(vm: &mut Vm, name: &str, v: Value) -> NResult<Vec<Value>> {
    match vm.heap.object(v) {
        Some(Object::List(items)) => Ok(items.clone()),
        Some(Object::Map(map)) => Ok(map.iter().map(|(k, _)| k).collect()),
        Some(Object::Str(s)) => {
            let text = s.arc().clone();
            let mut chars = args::vec_with_capacity(vm, name, s.char_len())?;
            chars.extend(text.chars().map(|c| vm.heap.alloc_char(c)));
            Ok(chars)
        }
        Some(Object::Range(range)) => {
            let range = *range;
            let mut values = args::vec_with_capacity(vm, name, range.len())?;
            values.extend(
                (0..range.len())
                    .filter_map(|i| range.get(i))
                    .map(Value::Int),
            );
            Ok(values)
        }
        _ => Err(args::wrong_type(vm, name, "a list, str, map or range", v)),
    }
}

/// Roots every value, so they survive collections during callbacks.
pub fn root_all(vm: &mut Vm, values: &[Value]) {
    for &v in values {
        vm.push_root(v);
    }
}
