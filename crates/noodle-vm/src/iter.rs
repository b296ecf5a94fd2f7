//! `for` loops over collections: `IterInit` makes an iterator object,
//! `IterNext` advances it. Lists are iterated live by index (elements
//! pushed during the loop are visited); strings by character; maps by key
//! in insertion order; ranges by value.

use crate::error::kinds;
use crate::heap::{Heap, iter_state};
use crate::native::NResult;
use crate::object::{IterState, Object};
use crate::value::{ObjRef, Value};

/// An iterator over `v`, or TypeError when `v` is not iterable. An
/// iterator is returned as it is.
pub fn make_iter(heap: &mut Heap, v: Value) -> NResult<Value> {
    let state = match (v, heap.object(v)) {
        (Value::Obj(r), Some(Object::List(_))) => IterState::List { list: r, pos: 0 },
        (Value::Obj(r), Some(Object::Str(_))) => IterState::Str {
            string: r,
            byte_pos: 0,
        },
        (Value::Obj(r), Some(Object::Map(_))) => IterState::MapKeys { map: r, pos: 0 },
        (_, Some(Object::Range(range))) => IterState::Range {
            next: range.start,
            end: range.end,
            step: range.step,
        },
        (_, Some(Object::Iter(_))) => return Ok(v),
        // A channel is its own iterator: the interpreter receives from it.
        (_, Some(Object::Handle(h))) if h.kind == crate::object::HandleKind::Channel => {
            return Ok(v);
        }
        _ => {
            let message = format!("{} is not iterable", heap.type_name(v));
            return Err(heap.error(kinds::TYPE, message));
        }
    };
    Ok(Value::Obj(heap.alloc(Object::Iter(state))))
}

/// The next value of the iterator `it`, or `None` when exhausted (also
/// when `it` is not an iterator, which verified code never produces).
pub fn next(heap: &mut Heap, it: ObjRef) -> Option<Value> {
    let state = iter_state(heap, it)?;
    let (value, new_state) = match state {
        IterState::List { list, pos } => {
            let v = *heap.list(Value::Obj(list))?.get(pos)?;
            (v, IterState::List { list, pos: pos + 1 })
        }
        IterState::Str { string, byte_pos } => {
            let text = heap.as_str(Value::Obj(string))?;
            let c = text.get(byte_pos..)?.chars().next()?;
            (
                heap.alloc_char(c),
                IterState::Str {
                    string,
                    byte_pos: byte_pos + c.len_utf8(),
                },
            )
        }
        IterState::MapKeys { map, pos } => {
            let (k, _) = heap.map(Value::Obj(map))?.entry_at(pos)?;
            (k, IterState::MapKeys { map, pos: pos + 1 })
        }
        IterState::Range { next, end, step } => {
            let more = if step > 0 { next < end } else { next > end };
            if !more {
                return None;
            }
            // Past the last element the state saturates at `end`.
            let following = next.checked_add(step).unwrap_or(end);
            (
                Value::Int(next),
                IterState::Range {
                    next: following,
                    end,
                    step,
                },
            )
        }
    };
    if let Object::Iter(s) = heap.get_mut(it) {
        *s = new_state;
    }
    Some(value)
}
