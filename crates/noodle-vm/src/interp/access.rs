//! Indexing, slicing, fields and `len`: the slow paths of `GetIndex`,
//! `SetIndex`, `Slice`, `GetField`, `SetField`, `GetFieldAt` and `Len`.

use crate::error::kinds;
use crate::heap::Heap;
use crate::native::NResult;
use crate::object::Object;
use crate::types::{Sym, TypeCheck};
use crate::value::Value;

/// A possibly negative index into a sequence of `len` elements.
#[inline]
pub fn normalize_index(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 { i.checked_add(len as i64)? } else { i };
    (i >= 0 && (i as usize) < len).then_some(i as usize)
}

fn index_error(heap: &mut Heap, what: &str, i: i64, len: usize) -> crate::Thrown {
    heap.error(
        kinds::INDEX,
        format!("{what} index {i} out of range (length {len})"),
    )
}

fn key_error(heap: &mut Heap, key: Value) -> crate::Thrown {
    let mut message = String::new();
    crate::format::repr(heap, key, &mut message);
    heap.error(kinds::KEY, message)
}

fn unhashable(heap: &mut Heap, key: Value) -> crate::Thrown {
    let message = format!(
        "a map key must be none, bool, int or str, not {}",
        heap.type_name(key)
    );
    heap.error(kinds::TYPE, message)
}

fn bad_index_type(heap: &mut Heap, obj: Value, index: Value) -> crate::Thrown {
    let message = format!(
        "{} indices must be int, not {}",
        heap.type_name(obj),
        heap.type_name(index)
    );
    heap.error(kinds::TYPE, message)
}

/// `obj[index]`.
pub fn get_index(heap: &mut Heap, obj: Value, index: Value) -> NResult<Value> {
    match (heap.object(obj), index) {
        (Some(Object::List(items)), Value::Int(i)) => match normalize_index(i, items.len()) {
            Some(i) => Ok(items[i]),
            None => {
                let len = items.len();
                Err(index_error(heap, "list", i, len))
            }
        },
        (Some(Object::Str(s)), Value::Int(i)) => {
            match normalize_index(i, s.char_len()).and_then(|i| s.char_at(i)) {
                Some(c) => Ok(heap.alloc_char(c)),
                None => {
                    let len = s.char_len();
                    Err(index_error(heap, "str", i, len))
                }
            }
        }
        (Some(Object::Range(r)), Value::Int(i)) => {
            let r = *r;
            match normalize_index(i, r.len()).and_then(|i| r.get(i)) {
                Some(v) => Ok(Value::Int(v)),
                None => Err(index_error(heap, "range", i, r.len())),
            }
        }
        (Some(Object::Map(m)), _) => match heap.map_key(index) {
            Some(key) => match m.get(&key) {
                Some(v) => Ok(v),
                None => Err(key_error(heap, index)),
            },
            // A float that is no int is never a key: not found.
            None if matches!(index, Value::Float(_)) => Err(key_error(heap, index)),
            None => Err(unhashable(heap, index)),
        },
        (Some(Object::List(_) | Object::Str(_) | Object::Range(_)), _) => {
            Err(bad_index_type(heap, obj, index))
        }
        _ => {
            let message = format!("{} is not indexable", heap.type_name(obj));
            Err(heap.error(kinds::TYPE, message))
        }
    }
}

/// `obj[index] = value`.
pub fn set_index(heap: &mut Heap, obj: Value, index: Value, value: Value) -> NResult<()> {
    let key = match heap.object(obj) {
        Some(Object::Map(_)) => match heap.map_key(index) {
            Some(key) => Some(key),
            None => return Err(unhashable(heap, index)),
        },
        _ => None,
    };
    let Value::Obj(r) = obj else {
        let message = format!("{} does not support item assignment", heap.type_name(obj));
        return Err(heap.error(kinds::TYPE, message));
    };
    match (heap.get_mut(r), index, key) {
        (Object::Map(m), _, Some(key)) => {
            m.insert(key, index, value);
            Ok(())
        }
        (Object::List(items), Value::Int(i), _) => match normalize_index(i, items.len()) {
            Some(i) => {
                items[i] = value;
                Ok(())
            }
            None => {
                let len = items.len();
                Err(index_error(heap, "list", i, len))
            }
        },
        (Object::List(_), _, _) => Err(bad_index_type(heap, obj, index)),
        _ => {
            let message = format!("{} does not support item assignment", heap.type_name(obj));
            Err(heap.error(kinds::TYPE, message))
        }
    }
}

/// Python-style clamped bounds of `obj[start .. end]` on a sequence of
/// `len` elements; `none` bounds are open.
fn slice_bounds(
    heap: &mut Heap,
    start: Value,
    end: Value,
    inclusive: bool,
    len: usize,
) -> NResult<(usize, usize)> {
    let clamp = |i: i64| -> usize {
        if i < 0 {
            (i + len as i64).max(0) as usize
        } else {
            (i as usize).min(len)
        }
    };
    let lo = match start {
        Value::None => 0,
        Value::Int(i) => clamp(i),
        other => {
            let message = format!(
                "slice bounds must be int or none, not {}",
                heap.type_name(other)
            );
            return Err(heap.error(kinds::TYPE, message));
        }
    };
    let hi = match end {
        Value::None => len,
        Value::Int(i) if inclusive => {
            if i == -1 {
                len
            } else {
                clamp(i.saturating_add(1))
            }
        }
        Value::Int(i) => clamp(i),
        other => {
            let message = format!(
                "slice bounds must be int or none, not {}",
                heap.type_name(other)
            );
            return Err(heap.error(kinds::TYPE, message));
        }
    };
    Ok((lo, hi.max(lo)))
}

/// `obj[start .. end]` (or `..=`) on lists and strings; slices clamp.
pub fn slice(
    heap: &mut Heap,
    obj: Value,
    start: Value,
    end: Value,
    inclusive: bool,
) -> NResult<Value> {
    match heap.object(obj) {
        Some(Object::List(items)) => {
            let len = items.len();
            let (lo, hi) = slice_bounds(heap, start, end, inclusive, len)?;
            let part = heap
                .list(obj)
                .map_or_else(Vec::new, |items| items[lo..hi].to_vec());
            Ok(heap.alloc_list(part))
        }
        Some(Object::Str(s)) => {
            let len = s.char_len();
            let (lo, hi) = slice_bounds(heap, start, end, inclusive, len)?;
            let s = heap.str(obj).expect("checked above");
            let (a, b) = (s.byte_offset(lo), s.byte_offset(hi));
            let text = s.as_str()[a..b].to_string();
            Ok(heap.alloc_string(text))
        }
        _ => {
            let message = format!("{} cannot be sliced", heap.type_name(obj));
            Err(heap.error(kinds::TYPE, message))
        }
    }
}

/// `len(v)` for str (characters), list, map and range.
pub fn len(heap: &mut Heap, v: Value) -> NResult<Value> {
    let n = match heap.object(v) {
        Some(Object::Str(s)) => s.char_len(),
        Some(Object::List(items)) => items.len(),
        Some(Object::Map(m)) => m.len(),
        Some(Object::Range(r)) => r.len(),
        _ => {
            let message = format!("{} has no len()", heap.type_name(v));
            return Err(heap.error(kinds::TYPE, message));
        }
    };
    Ok(Value::Int(n as i64))
}

fn no_field(heap: &mut Heap, obj: Value, name: Sym) -> crate::Thrown {
    let message = format!(
        "{} has no field '{}'",
        heap.type_name(obj),
        heap.types().symbols.name(name)
    );
    heap.error(kinds::TYPE, message)
}

/// `obj.name` for everything but the struct-field fast path.
pub fn get_field(heap: &mut Heap, obj: Value, name: Sym) -> NResult<Value> {
    let field = heap.types().symbols.name(name);
    match (obj, heap.object(obj)) {
        (_, Some(Object::Instance(inst))) => {
            match heap.types().structs[inst.type_id as usize].field_index(name) {
                Some(i) => Ok(inst.fields[i]),
                None => Err(no_field(heap, obj, name)),
            }
        }
        (_, Some(Object::EnumValue(e))) => {
            let variant = &heap.types().enums[e.enum_id as usize].variants[e.variant as usize];
            match variant.fields.iter().position(|&f| f == name) {
                Some(i) if i < e.fields.len() => Ok(e.fields[i]),
                _ => Err(no_field(heap, obj, name)),
            }
        }
        (_, Some(Object::EnumType(id))) => {
            let desc = &heap.types().enums[*id as usize];
            match desc.variant_index(name) {
                Some(i) => Ok(Value::Obj(desc.variants[i].value)),
                None => {
                    let message = format!(
                        "{} has no variant '{field}'",
                        heap.types().symbols.name(desc.name)
                    );
                    Err(heap.error(kinds::TYPE, message))
                }
            }
        }
        (_, Some(Object::Error(e))) => match field {
            "kind" => {
                let kind = e.kind.clone();
                Ok(heap.alloc_arc_str(kind))
            }
            "message" => {
                let message = e.message.clone();
                Ok(heap.alloc_string(message))
            }
            "trace" => {
                let lines = e.trace.clone();
                let items = lines.into_iter().map(|l| heap.alloc_string(l)).collect();
                Ok(heap.alloc_list(items))
            }
            "errors" => {
                let errors = e.errors.clone();
                Ok(heap.alloc_list(errors))
            }
            _ => Err(no_field(heap, obj, name)),
        },
        (Value::Duration(ns), _) => match field {
            "ms" => Ok(Value::Float(ns as f64 / 1e6)),
            "s" => Ok(Value::Float(ns as f64 / 1e9)),
            "us" => Ok(Value::Float(ns as f64 / 1e3)),
            "ns" => Ok(Value::Int(ns)),
            _ => Err(no_field(heap, obj, name)),
        },
        (_, Some(Object::Range(r))) => match field {
            "start" => Ok(Value::Int(r.start)),
            "end" => Ok(Value::Int(if r.inclusive { r.end - 1 } else { r.end })),
            "step" => Ok(Value::Int(r.step)),
            _ => Err(no_field(heap, obj, name)),
        },
        _ => Err(no_field(heap, obj, name)),
    }
}

/// `obj.name = value` on a struct instance, checked against the field's
/// annotation (an int given to a `float` field becomes a float).
pub fn set_field(heap: &mut Heap, obj: Value, name: Sym, value: Value) -> NResult<()> {
    let Some(inst) = heap.instance(obj) else {
        let message = format!(
            "cannot set field '{}' on {}",
            heap.types().symbols.name(name),
            heap.type_name(obj)
        );
        return Err(heap.error(kinds::TYPE, message));
    };
    let desc = &heap.types().structs[inst.type_id as usize];
    let Some(i) = desc.field_index(name) else {
        return Err(no_field(heap, obj, name));
    };
    let value = match &desc.fields[i].check {
        Some(check) => match check_value(heap, value, check) {
            Some(v) => v,
            None => {
                let message = field_type_message(heap, inst.type_id, i, value);
                return Err(heap.error(kinds::TYPE, message));
            }
        },
        None => value,
    };
    if let Value::Obj(r) = obj
        && let Object::Instance(inst) = heap.get_mut(r)
    {
        inst.fields[i] = value;
    }
    Ok(())
}

/// `Point.x must be float, not str`.
pub(crate) fn field_type_message(heap: &Heap, type_id: u32, field: usize, value: Value) -> String {
    let desc = &heap.types().structs[type_id as usize];
    let symbols = &heap.types().symbols;
    let expected = match &desc.fields[field].check {
        Some(check) => check_name(heap, check),
        None => "any",
    };
    format!(
        "{}.{} must be {expected}, not {}",
        symbols.name(desc.name),
        symbols.name(desc.fields[field].name),
        heap.type_name(value)
    )
}

/// Positional field `idx` of a struct or enum value (patterns).
pub fn get_field_at(heap: &mut Heap, obj: Value, idx: usize) -> NResult<Value> {
    let fields = match heap.object(obj) {
        Some(Object::Instance(inst)) => &inst.fields[..],
        Some(Object::EnumValue(e)) => &e.fields,
        _ => {
            let message = format!("{} has no positional fields", heap.type_name(obj));
            return Err(heap.error(kinds::TYPE, message));
        }
    };
    match fields.get(idx) {
        Some(&v) => Ok(v),
        None => {
            let len = fields.len();
            Err(index_error(heap, "field", idx as i64, len))
        }
    }
}

/// `v` as the annotation `check` accepts it (an int converted for
/// `float`), or `None` when it does not match.
pub fn check_value(heap: &Heap, v: Value, check: &TypeCheck) -> Option<Value> {
    match (check, v) {
        (TypeCheck::Float, Value::Int(i)) => Some(Value::Float(i as f64)),
        _ => type_matches(heap, v, check).then_some(v),
    }
}

/// Whether `type_of(v)` is exactly the annotation (no conversion).
pub fn type_matches(heap: &Heap, v: Value, check: &TypeCheck) -> bool {
    match check {
        TypeCheck::Any => true,
        TypeCheck::Int => matches!(v, Value::Int(_)),
        TypeCheck::Float => matches!(v, Value::Float(_)),
        TypeCheck::Bool => matches!(v, Value::Bool(_)),
        TypeCheck::Str => heap.str(v).is_some(),
        TypeCheck::Builtin(name) => match v {
            Value::None => *name == "none",
            Value::Bool(_) => *name == "bool",
            Value::Int(_) => *name == "int",
            Value::Float(_) => *name == "float",
            Value::Duration(_) => *name == "duration",
            _ => heap.type_name(v) == *name,
        },
        TypeCheck::Named(sym) => match heap.object(v) {
            Some(Object::Instance(inst)) => {
                heap.types().structs[inst.type_id as usize].name == *sym
            }
            Some(Object::EnumValue(e)) => heap.types().enums[e.enum_id as usize].name == *sym,
            _ => false,
        },
    }
}

pub(crate) fn check_name<'h>(heap: &'h Heap, check: &'h TypeCheck) -> &'h str {
    check.name(&heap.types().symbols)
}
