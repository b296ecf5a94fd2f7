//! Operators: arithmetic, comparison, equality and membership, for the
//! interpreter's slow paths and for natives. The interpreter inlines the
//! int/int and float/float cases before calling these.

use std::cmp::Ordering;

use crate::error::{Thrown, kinds};
use crate::heap::Heap;
use crate::native::NResult;
use crate::object::Object;
use crate::value::{ObjRef, Value};

/// Ordering lists nested deeper than this gives up (TypeError).
const MAX_COMPARE_DEPTH: usize = 200;

/// Repetition results (`"ab" * n`, `[0] * n`) above this many elements or
/// bytes raise instead of exhausting memory.
const MAX_REPEAT_LEN: usize = 1 << 31;

#[cold]
pub fn overflow(heap: &mut Heap) -> Thrown {
    heap.error(kinds::OVERFLOW, "integer overflow")
}

#[cold]
pub fn zero_division(heap: &mut Heap) -> Thrown {
    heap.error(kinds::ZERO_DIVISION, "division by zero")
}

fn unsupported(heap: &mut Heap, op: &str, a: Value, b: Value) -> Thrown {
    let message = format!(
        "unsupported operand types for {op}: {} and {}",
        heap.type_name(a),
        heap.type_name(b)
    );
    heap.error(kinds::TYPE, message)
}

fn unsupported_unary(heap: &mut Heap, op: &str, a: Value) -> Thrown {
    let message = format!(
        "unsupported operand type for unary {op}: {}",
        heap.type_name(a)
    );
    heap.error(kinds::TYPE, message)
}

#[inline]
fn checked(heap: &mut Heap, r: Option<i64>) -> NResult<Value> {
    r.map(Value::Int).ok_or_else(|| overflow(heap))
}

fn duration(heap: &mut Heap, r: Option<i64>) -> NResult<Value> {
    r.map(Value::Duration).ok_or_else(|| overflow(heap))
}

/// A float number of nanoseconds as a duration (OverflowError when it
/// does not fit).
fn duration_from_f64(heap: &mut Heap, ns: f64) -> NResult<Value> {
    let ns = ns.round();
    if ns.is_finite() && ns >= i64::MIN as f64 && ns < i64::MAX as f64 {
        Ok(Value::Duration(ns as i64))
    } else {
        Err(overflow(heap))
    }
}

pub fn add(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => checked(heap, x.checked_add(y)),
        (Float(x), Float(y)) => Ok(Float(x + y)),
        (Int(x), Float(y)) => Ok(Float(x as f64 + y)),
        (Float(x), Int(y)) => Ok(Float(x + y as f64)),
        (Duration(x), Duration(y)) => duration(heap, x.checked_add(y)),
        (Obj(x), Obj(y)) => match (heap.get(x), heap.get(y)) {
            (Object::Str(s), Object::Str(t)) => {
                if t.as_str().is_empty() {
                    return Ok(a);
                }
                let mut text = String::with_capacity(s.as_str().len() + t.as_str().len());
                text.push_str(s.as_str());
                text.push_str(t.as_str());
                Ok(heap.alloc_string(text))
            }
            (Object::List(xs), Object::List(ys)) => {
                let mut items = Vec::with_capacity(xs.len() + ys.len());
                items.extend_from_slice(xs);
                items.extend_from_slice(ys);
                Ok(heap.alloc_list(items))
            }
            _ => Err(unsupported(heap, "+", a, b)),
        },
        _ => Err(unsupported(heap, "+", a, b)),
    }
}

pub fn sub(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => checked(heap, x.checked_sub(y)),
        (Float(x), Float(y)) => Ok(Float(x - y)),
        (Int(x), Float(y)) => Ok(Float(x as f64 - y)),
        (Float(x), Int(y)) => Ok(Float(x - y as f64)),
        (Duration(x), Duration(y)) => duration(heap, x.checked_sub(y)),
        _ => Err(unsupported(heap, "-", a, b)),
    }
}

pub fn mul(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => checked(heap, x.checked_mul(y)),
        (Float(x), Float(y)) => Ok(Float(x * y)),
        (Int(x), Float(y)) => Ok(Float(x as f64 * y)),
        (Float(x), Int(y)) => Ok(Float(x * y as f64)),
        (Duration(d), Int(n)) | (Int(n), Duration(d)) => duration(heap, d.checked_mul(n)),
        (Duration(d), Float(f)) | (Float(f), Duration(d)) => duration_from_f64(heap, d as f64 * f),
        (Obj(_), Int(n)) => repeat(heap, a, n).unwrap_or_else(|| Err(unsupported(heap, "*", a, b))),
        (Int(n), Obj(_)) => repeat(heap, b, n).unwrap_or_else(|| Err(unsupported(heap, "*", a, b))),
        _ => Err(unsupported(heap, "*", a, b)),
    }
}

/// `"ab" * n` and `[x] * n`; `None` when `seq` is neither.
fn repeat(heap: &mut Heap, seq: Value, n: i64) -> Option<NResult<Value>> {
    let count = n.max(0) as usize;
    let too_big = |len: usize| {
        len.checked_mul(count)
            .is_none_or(|total| total > MAX_REPEAT_LEN)
    };
    match heap.object(seq)? {
        Object::Str(s) => {
            if too_big(s.as_str().len()) {
                return Some(Err(heap.error(kinds::VALUE, "repeated string is too large")));
            }
            let text = s.as_str().repeat(count);
            Some(Ok(heap.alloc_string(text)))
        }
        Object::List(items) => {
            if too_big(items.len()) {
                return Some(Err(heap.error(kinds::VALUE, "repeated list is too large")));
            }
            let mut out = Vec::with_capacity(items.len() * count);
            for _ in 0..count {
                out.extend_from_slice(items);
            }
            Some(Ok(heap.alloc_list(out)))
        }
        _ => None,
    }
}

pub fn div(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    use Value::*;
    let (x, y) = match (a, b) {
        (Duration(d), Int(n)) => {
            return if n == 0 {
                Err(zero_division(heap))
            } else {
                duration(heap, d.checked_div(n))
            };
        }
        (Duration(d), Float(f)) => {
            return if f == 0.0 {
                Err(zero_division(heap))
            } else {
                duration_from_f64(heap, d as f64 / f)
            };
        }
        (Duration(d), Duration(e)) => {
            return if e == 0 {
                Err(zero_division(heap))
            } else {
                Ok(Float(d as f64 / e as f64))
            };
        }
        _ => match (a.as_number(), b.as_number()) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(unsupported(heap, "/", a, b)),
        },
    };
    if y == 0.0 {
        Err(zero_division(heap))
    } else {
        Ok(Float(x / y))
    }
}

/// Floor division of ints, checked (`min_int // -1` overflows).
#[inline]
pub fn int_floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    if (x % y != 0) && ((x < 0) != (y < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Floored modulo of ints (sign of the divisor); `y` must not be 0.
#[inline]
pub fn int_mod(x: i64, y: i64) -> i64 {
    let r = x.checked_rem(y).unwrap_or(0);
    if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    }
}

/// Floored modulo of floats, as Python's `%`.
#[inline]
pub fn float_mod(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
        r + y
    } else {
        r
    }
}

pub fn floor_div(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    use Value::*;
    match (a, b) {
        (Int(_), Int(0)) => Err(zero_division(heap)),
        (Int(x), Int(y)) => checked(heap, int_floor_div(x, y)),
        _ => match (a.as_number(), b.as_number()) {
            (Some(_), Some(0.0)) => Err(zero_division(heap)),
            (Some(x), Some(y)) => Ok(Float((x / y).floor())),
            _ => Err(unsupported(heap, "//", a, b)),
        },
    }
}

pub fn modulo(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    use Value::*;
    match (a, b) {
        (Int(_), Int(0)) => Err(zero_division(heap)),
        (Int(x), Int(y)) => Ok(Int(int_mod(x, y))),
        _ => match (a.as_number(), b.as_number()) {
            (Some(_), Some(0.0)) => Err(zero_division(heap)),
            (Some(x), Some(y)) => Ok(Float(float_mod(x, y))),
            _ => Err(unsupported(heap, "%", a, b)),
        },
    }
}

pub fn pow(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    use Value::{Float, Int};
    match (a, b) {
        (Value::Int(x), Value::Int(y)) if y >= 0 => {
            let r = match u32::try_from(y) {
                Ok(e) => x.checked_pow(e),
                // Only 0, 1 and -1 survive an exponent this large.
                Err(_) => match x {
                    0 | 1 => Some(x),
                    -1 => Some(if y % 2 == 0 { 1 } else { -1 }),
                    _ => None,
                },
            };
            checked(heap, r)
        }
        (Int(0), Int(_)) => Err(zero_division(heap)),
        _ => match (a.as_number(), b.as_number()) {
            (Some(x), Some(y)) if x == 0.0 && y < 0.0 => Err(zero_division(heap)),
            (Some(x), Some(y)) => Ok(Float(x.powf(y))),
            _ => Err(unsupported(heap, "**", a, b)),
        },
    }
}

fn ints(heap: &mut Heap, op: &str, a: Value, b: Value) -> NResult<(i64, i64)> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok((x, y)),
        _ => Err(unsupported(heap, op, a, b)),
    }
}

pub fn bit_and(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    ints(heap, "&", a, b).map(|(x, y)| Value::Int(x & y))
}

pub fn bit_or(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    ints(heap, "|", a, b).map(|(x, y)| Value::Int(x | y))
}

pub fn bit_xor(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    ints(heap, "^", a, b).map(|(x, y)| Value::Int(x ^ y))
}

pub fn shl(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    let (x, y) = ints(heap, "<<", a, b)?;
    if y < 0 {
        return Err(heap.error(kinds::VALUE, "negative shift count"));
    }
    if x == 0 {
        return Ok(Value::Int(0));
    }
    if y >= 64 {
        return Err(overflow(heap));
    }
    let r = x << y;
    if r >> y == x {
        Ok(Value::Int(r))
    } else {
        Err(overflow(heap))
    }
}

pub fn shr(heap: &mut Heap, a: Value, b: Value) -> NResult<Value> {
    let (x, y) = ints(heap, ">>", a, b)?;
    if y < 0 {
        return Err(heap.error(kinds::VALUE, "negative shift count"));
    }
    Ok(Value::Int(x >> y.min(63)))
}

pub fn neg(heap: &mut Heap, a: Value) -> NResult<Value> {
    match a {
        Value::Int(x) => checked(heap, x.checked_neg()),
        Value::Float(x) => Ok(Value::Float(-x)),
        Value::Duration(x) => duration(heap, x.checked_neg()),
        _ => Err(unsupported_unary(heap, "-", a)),
    }
}

pub fn bit_not(heap: &mut Heap, a: Value) -> NResult<Value> {
    match a {
        Value::Int(x) => Ok(Value::Int(!x)),
        _ => Err(unsupported_unary(heap, "~", a)),
    }
}

// ---- equality ----

/// After this many container pairs, equality starts remembering the pairs
/// it has seen, so cyclic structures terminate.
const PAIRS_BEFORE_CYCLE_CHECK: usize = 1000;

/// Structural `==`: numbers by value (`1 == 1.0`, but `true != 1`),
/// strings, lists, maps, struct and enum values by content; everything
/// else by identity. Iterative (no Rust recursion), and total on cyclic
/// containers: a pair met again while being compared counts as equal, so
/// two identically shaped cycles are equal.
pub fn equals(heap: &Heap, a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Obj(p), Value::Obj(q)) if p == q => return true,
        (Value::Obj(p), Value::Obj(q)) => {
            if let (Object::Str(s), Object::Str(t)) = (heap.get(p), heap.get(q)) {
                return s.as_str() == t.as_str();
            }
        }
        _ => return scalars_equal(a, b),
    }
    let mut work = vec![(a, b)];
    let mut seen: Option<std::collections::HashSet<(ObjRef, ObjRef)>> = None;
    let mut pairs = 0usize;
    while let Some((x, y)) = work.pop() {
        let (p, q) = match (x, y) {
            (Value::Obj(p), Value::Obj(q)) => (p, q),
            _ => {
                if scalars_equal(x, y) {
                    continue;
                }
                return false;
            }
        };
        if p == q {
            continue;
        }
        pairs += 1;
        if pairs > PAIRS_BEFORE_CYCLE_CHECK && !seen.get_or_insert_default().insert((p, q)) {
            continue;
        }
        let same = match (heap.get(p), heap.get(q)) {
            (Object::Str(s), Object::Str(t)) => s.as_str() == t.as_str(),
            (Object::List(xs), Object::List(ys)) => {
                work.extend(xs.iter().copied().zip(ys.iter().copied()));
                xs.len() == ys.len()
            }
            (Object::Map(m), Object::Map(n)) => {
                m.len() == n.len()
                    && m.keyed().all(|(key, v)| match n.get(key) {
                        Some(w) => {
                            work.push((v, w));
                            true
                        }
                        None => false,
                    })
            }
            (Object::Instance(i), Object::Instance(j)) => {
                work.extend(i.fields.iter().copied().zip(j.fields.iter().copied()));
                i.type_id == j.type_id && i.fields.len() == j.fields.len()
            }
            (Object::EnumValue(e), Object::EnumValue(f)) => {
                work.extend(e.fields.iter().copied().zip(f.fields.iter().copied()));
                e.enum_id == f.enum_id && e.variant == f.variant && e.fields.len() == f.fields.len()
            }
            (Object::Range(r), Object::Range(s)) => {
                (r.is_empty() && s.is_empty())
                    || (r.start == s.start && r.step == s.step && r.len() == s.len())
            }
            (Object::Handle(h), Object::Handle(k)) => h.same(k),
            _ => false,
        };
        if !same {
            return false;
        }
    }
    true
}

fn int_float_eq(i: i64, f: f64) -> bool {
    f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 && f as i64 == i
}

fn scalars_equal(a: Value, b: Value) -> bool {
    use Value::*;
    match (a, b) {
        (None, None) | (Missing, Missing) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Float(x), Float(y)) => x == y,
        (Int(i), Float(f)) | (Float(f), Int(i)) => int_float_eq(i, f),
        (Duration(x), Duration(y)) => x == y,
        (Builtin(x), Builtin(y)) => x == y,
        _ => false,
    }
}

// ---- ordering ----

/// The ordering of `a` and `b`: numbers with numbers, strings with
/// strings (by code point), lists lexicographically, durations with
/// durations. `Ok(None)` for unordered numbers (NaN); `Err(message)` for a
/// pairing that has no order (the caller raises TypeError).
pub fn compare(heap: &Heap, a: Value, b: Value) -> Result<Option<Ordering>, String> {
    compare_at(heap, a, b, 0)
}

fn compare_at(heap: &Heap, a: Value, b: Value, depth: usize) -> Result<Option<Ordering>, String> {
    use Value::*;
    let unordered = || {
        format!(
            "cannot compare {} and {}",
            heap.type_name(a),
            heap.type_name(b)
        )
    };
    match (a, b) {
        (Int(x), Int(y)) => Ok(Some(x.cmp(&y))),
        (Float(x), Float(y)) => Ok(x.partial_cmp(&y)),
        (Int(i), Float(f)) => Ok(int_float_cmp(i, f)),
        (Float(f), Int(i)) => Ok(int_float_cmp(i, f).map(Ordering::reverse)),
        (Duration(x), Duration(y)) => Ok(Some(x.cmp(&y))),
        (Obj(x), Obj(y)) => match (heap.get(x), heap.get(y)) {
            (Object::Str(s), Object::Str(t)) => Ok(Some(s.as_str().cmp(t.as_str()))),
            (Object::List(xs), Object::List(ys)) => {
                if depth > MAX_COMPARE_DEPTH {
                    return Err("comparison nested too deeply".to_string());
                }
                for (&x, &y) in xs.iter().zip(ys) {
                    if !equals(heap, x, y) {
                        return compare_at(heap, x, y, depth + 1);
                    }
                }
                Ok(Some(xs.len().cmp(&ys.len())))
            }
            _ => Err(unordered()),
        },
        _ => Err(unordered()),
    }
}

fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
        Some(i.cmp(&(f as i64)))
    } else {
        (i as f64).partial_cmp(&f)
    }
}

/// The comparison instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    fn holds(self, ord: Option<Ordering>) -> bool {
        match (self, ord) {
            (_, None) => false,
            (CompareOp::Lt, Some(o)) => o == Ordering::Less,
            (CompareOp::Le, Some(o)) => o != Ordering::Greater,
            (CompareOp::Gt, Some(o)) => o == Ordering::Greater,
            (CompareOp::Ge, Some(o)) => o != Ordering::Less,
        }
    }
}

/// `a < b` and friends as a Noodle bool, TypeError for unordered types.
pub fn compare_op(heap: &mut Heap, op: CompareOp, a: Value, b: Value) -> NResult<Value> {
    match compare(heap, a, b) {
        Ok(ord) => Ok(Value::Bool(op.holds(ord))),
        Err(_) => Err(unsupported(heap, op.symbol(), a, b)),
    }
}

// ---- membership ----

/// `item in container`: list element, map key, substring, range member.
pub fn contains(heap: &mut Heap, item: Value, container: Value) -> NResult<bool> {
    let found = match heap.object(container) {
        Some(Object::List(items)) => items.iter().any(|&x| equals(heap, x, item)),
        Some(Object::Map(m)) => heap.map_key(item).is_some_and(|k| m.contains(&k)),
        Some(Object::Str(s)) => match heap.as_str(item) {
            Some(needle) => s.as_str().contains(needle),
            None => {
                let message = format!(
                    "'in <str>' needs a str on the left, not {}",
                    heap.type_name(item)
                );
                return Err(heap.error(kinds::TYPE, message));
            }
        },
        Some(Object::Range(r)) => match item {
            Value::Int(i) => r.contains(i),
            Value::Float(f) => {
                f.fract() == 0.0
                    && f >= i64::MIN as f64
                    && f < i64::MAX as f64
                    && r.contains(f as i64)
            }
            _ => false,
        },
        _ => {
            let message = format!("'in' is not supported for {}", heap.type_name(container));
            return Err(heap.error(kinds::TYPE, message));
        }
    };
    Ok(found)
}

#[cfg(test)]
mod tests;
