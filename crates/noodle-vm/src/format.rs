//! How values print: `str` / top level ([`display`]), inside containers
//! and `repr` ([`repr`]), and with f-string specs ([`format_spec`]).
//!
//! Printing never recurses on the Rust stack: containers are expanded onto
//! an explicit work list, so a list nested a million deep prints (slowly)
//! instead of overflowing the stack. A container that contains itself
//! prints `[...]` / `{...}` / `Point(...)` where it recurs.
//!
//! Shapes of values that the spec leaves open:
//! - ranges print as written when the step is 1 (`0..10`; an inclusive
//!   `0..=10` is stored as `0..11` and prints that way), else as
//!   `range(10, 0, -3)`;
//! - an error with an empty message prints its kind alone (`ValueError`);
//! - builtins `<builtin print>`, lambdas `<lambda>`, struct and enum types
//!   `<struct Point>` / `<enum Shape>`, variant constructors
//!   `<variant Shape.Circle>`, actor and supervisor types
//!   `<actor type Counter>` / `<supervisor type App>`.
//!
//! Notes for the VM core (library engineer): tasks,
//! actors and channels (`<task 7>`, `<actor Counter#3>`) need arms in
//! `Printer::object` once their heap objects exist.

pub mod duration;
pub mod escape;
pub mod float;
pub mod spec;

use std::collections::HashSet;

use crate::heap::Heap;
use crate::object::Object;
use crate::value::{ObjRef, Value};

pub use duration::duration_to_string;
pub use escape::{push_quoted, quoted};
pub use float::float_repr;

/// `str(v)`, `print(v)`, f-string holes without a spec: strings raw.
pub fn display(heap: &Heap, v: Value, out: &mut String) {
    Printer::new(heap, out).print(v, false);
}

/// How `v` prints inside a container, and `repr(v)`: strings quoted.
pub fn repr(heap: &Heap, v: Value, out: &mut String) {
    Printer::new(heap, out).print(v, true);
}

/// [`display`] into a new string.
pub fn display_string(heap: &Heap, v: Value) -> String {
    let mut out = String::new();
    display(heap, v, &mut out);
    out
}

/// [`repr`] into a new string.
pub fn repr_string(heap: &Heap, v: Value) -> String {
    let mut out = String::new();
    repr(heap, v, &mut out);
    out
}

/// `f"{v:spec}"`. `Err((kind, message))`: `ValueError` for a malformed
/// spec, `TypeError` for one that does not apply to the value. See
/// [`spec`] for the mini-language.
pub fn format_spec(
    heap: &Heap,
    v: Value,
    spec: &str,
    out: &mut String,
) -> Result<(), (&'static str, String)> {
    let printed;
    let operand = match v {
        Value::Int(n) => spec::Operand::Int(n),
        Value::Float(x) => spec::Operand::Float(x),
        _ => match heap.as_str(v) {
            Some(text) => spec::Operand::Str(text),
            None => {
                printed = display_string(heap, v);
                spec::Operand::Other {
                    text: &printed,
                    type_name: heap.type_name(v),
                }
            }
        },
    };
    match spec::format_with_spec(spec, operand) {
        Ok(text) => {
            out.push_str(&text);
            Ok(())
        }
        Err(e) => Err((e.kind.name(), e.message)),
    }
}

/// One step of printing: a value still to print, fixed text, or the end of
/// a container (which is then no longer "being printed").
enum Piece<'h> {
    Value { v: Value, quoted: bool },
    Text(&'h str),
    Leave(ObjRef),
}

struct Printer<'h, 'o> {
    heap: &'h Heap,
    out: &'o mut String,
    pending: Vec<Piece<'h>>,
    /// Containers between the top and the current piece: meeting one of
    /// them again is a cycle.
    open: HashSet<ObjRef>,
}

impl<'h, 'o> Printer<'h, 'o> {
    fn new(heap: &'h Heap, out: &'o mut String) -> Self {
        Printer {
            heap,
            out,
            pending: Vec::new(),
            open: HashSet::new(),
        }
    }

    fn print(mut self, v: Value, quoted: bool) {
        // Scalars print without touching the work list (no allocation).
        self.value(v, quoted);
        while let Some(piece) = self.pending.pop() {
            match piece {
                Piece::Text(text) => self.out.push_str(text),
                Piece::Leave(r) => {
                    self.open.remove(&r);
                }
                Piece::Value { v, quoted } => self.value(v, quoted),
            }
        }
    }

    fn value(&mut self, v: Value, quoted: bool) {
        use std::fmt::Write;
        match v {
            Value::None => self.out.push_str("none"),
            Value::Bool(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Int(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::Float(x) => self.out.push_str(&float_repr(x)),
            Value::Duration(nanos) => self.out.push_str(&duration_to_string(nanos)),
            Value::Missing => self.out.push_str("<missing>"),
            Value::Builtin(index) => {
                let name = noodle_nbc::builtins::BUILTINS
                    .get(index as usize)
                    .copied()
                    .unwrap_or("?");
                let _ = write!(self.out, "<builtin {name}>");
            }
            Value::Obj(r) => self.object(r, quoted),
        }
    }

    fn object(&mut self, r: ObjRef, quoted: bool) {
        use std::fmt::Write;
        let heap = self.heap;
        let types = heap.types();
        let symbol = |sym| types.symbols.name(sym);
        match heap.get(r) {
            Object::Str(s) if quoted => push_quoted(self.out, s.as_str()),
            Object::Str(s) => self.out.push_str(s.as_str()),
            Object::List(items) => {
                if self.enter(r, "[...]") {
                    self.push_sequence(
                        "[",
                        items.iter().map(|&v| [Piece::Value { v, quoted: true }]),
                        "]",
                        r,
                    );
                }
            }
            Object::Map(map) => {
                if self.enter(r, "{...}") {
                    // Map iteration is forward-only; the work list needs it reversed.
                    let entries: Vec<(Value, Value)> = map.iter().collect();
                    let entries = entries.into_iter().map(|(k, v)| {
                        [
                            Piece::Value { v: k, quoted: true },
                            Piece::Text(": "),
                            Piece::Value { v, quoted: true },
                        ]
                    });
                    self.push_sequence("{", entries, "}", r);
                }
            }
            Object::Instance(instance) => {
                let Some(desc) = types.structs.get(instance.type_id as usize) else {
                    self.out.push_str("<struct value>");
                    return;
                };
                self.out.push_str(symbol(desc.name));
                if self.enter(r, "(...)") {
                    let fields =
                        desc.fields
                            .iter()
                            .zip(instance.fields.iter())
                            .map(|(field, &v)| {
                                [
                                    Piece::Text(symbol(field.name)),
                                    Piece::Text(": "),
                                    Piece::Value { v, quoted: true },
                                ]
                            });
                    self.push_sequence("(", fields, ")", r);
                }
            }
            Object::EnumValue(value) => {
                let desc = types.enums.get(value.enum_id as usize);
                let variant = desc.and_then(|d| d.variants.get(value.variant as usize));
                match (desc, variant) {
                    (Some(desc), Some(variant)) => {
                        let _ = write!(self.out, "{}.{}", symbol(desc.name), symbol(variant.name));
                    }
                    _ => self.out.push_str("<enum value>"),
                }
                let is_unit = variant.is_some_and(|v| v.is_unit) && value.fields.is_empty();
                if !is_unit && self.enter(r, "(...)") {
                    let fields = value
                        .fields
                        .iter()
                        .map(|&v| [Piece::Value { v, quoted: true }]);
                    self.push_sequence("(", fields, ")", r);
                }
            }
            Object::Error(error) => {
                self.out.push_str(&error.kind);
                if !error.message.is_empty() {
                    self.out.push_str(": ");
                    self.out.push_str(&error.message);
                }
            }
            Object::Range(range) if range.inclusive => {
                let _ = write!(self.out, "{}..={}", range.start, range.end - 1);
            }
            Object::Range(range) if range.step == 1 => {
                let _ = write!(self.out, "{}..{}", range.start, range.end);
            }
            Object::Range(range) => {
                let _ = write!(
                    self.out,
                    "range({}, {}, {})",
                    range.start, range.end, range.step
                );
            }
            Object::Closure(closure) => {
                let name = types
                    .function_names
                    .get(closure.func as usize)
                    .map_or("", |n| &**n);
                if is_lambda_name(name) {
                    self.out.push_str("<lambda>");
                } else {
                    let _ = write!(self.out, "<def {name}>");
                }
            }
            Object::StructType(id, _) => {
                let name = types
                    .structs
                    .get(*id as usize)
                    .map_or("?", |d| symbol(d.name));
                let _ = write!(self.out, "<struct {name}>");
            }
            Object::EnumType(id) => {
                let name = types
                    .enums
                    .get(*id as usize)
                    .map_or("?", |d| symbol(d.name));
                let _ = write!(self.out, "<enum {name}>");
            }
            Object::VariantCtor { enum_id, variant } => {
                let desc = types.enums.get(*enum_id as usize);
                let enum_name = desc.map_or("?", |d| symbol(d.name));
                let variant_name = desc
                    .and_then(|d| d.variants.get(*variant as usize))
                    .map_or("?", |v| symbol(v.name));
                let _ = write!(self.out, "<variant {enum_name}.{variant_name}>");
            }
            Object::ActorType { proto } => {
                let name = types
                    .function_names
                    .get(*proto as usize)
                    .map_or("?", |n| &**n);
                let _ = write!(self.out, "<actor type {name}>");
            }
            Object::Handle(h) => {
                let _ = write!(self.out, "{h}");
            }
            Object::SupervisorType { proto } => {
                let name = types
                    .function_names
                    .get(*proto as usize)
                    .map_or("?", |n| &**n);
                let _ = write!(self.out, "<supervisor type {name}>");
            }
            Object::Coroutine(c) => {
                let name = types
                    .function_names
                    .get(c.func as usize)
                    .map_or("?", |n| &**n);
                let _ = write!(self.out, "<coroutine {name}>");
            }
            Object::BoundMethod(b) => {
                let owner = heap.type_name(b.receiver);
                let _ = write!(self.out, "<method {owner}.{}>", symbol(b.name));
            }
            Object::Cell(_) => self.out.push_str("<cell>"),
            Object::Iter(_) => self.out.push_str("<iterator>"),
            Object::Free => self.out.push_str("<freed object>"),
        }
    }

    /// Marks container `r` as being printed. When it already is (a
    /// cycle), prints `placeholder` instead and returns false.
    fn enter(&mut self, r: ObjRef, placeholder: &str) -> bool {
        if self.open.insert(r) {
            true
        } else {
            self.out.push_str(placeholder);
            false
        }
    }

    /// Prints `open` now and schedules the items, separated by `, `, then
    /// `close`. Pieces run last-in first-out, so they are pushed reversed.
    fn push_sequence<const N: usize>(
        &mut self,
        open: &'static str,
        items: impl DoubleEndedIterator<Item = [Piece<'h>; N]> + ExactSizeIterator,
        close: &'static str,
        container: ObjRef,
    ) {
        self.out.push_str(open);
        self.pending.push(Piece::Leave(container));
        self.pending.push(Piece::Text(close));
        let count = items.len();
        for (i, pieces) in items.rev().enumerate() {
            self.pending.extend(pieces.into_iter().rev());
            if i + 1 < count {
                self.pending.push(Piece::Text(", "));
            }
        }
    }
}

/// How the compiler names anonymous functions.
fn is_lambda_name(name: &str) -> bool {
    matches!(name, "" | "lambda" | "<lambda>")
}

#[cfg(test)]
// Test literals are the numbers programs write (3.14159) or exact
// boundary values, not approximations of constants.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use crate::object::Map;

    fn shown(heap: &Heap, v: Value) -> String {
        display_string(heap, v)
    }

    #[test]
    fn scalars() {
        let heap = Heap::new();
        assert_eq!(shown(&heap, Value::None), "none");
        assert_eq!(shown(&heap, Value::Bool(true)), "true");
        assert_eq!(shown(&heap, Value::Int(-42)), "-42");
        assert_eq!(shown(&heap, Value::Float(2.0)), "2.0");
        assert_eq!(shown(&heap, Value::Float(1e16)), "1e+16");
        assert_eq!(shown(&heap, Value::Duration(1_500_000_000)), "1.5s");
        assert_eq!(shown(&heap, Value::Builtin(0)), "<builtin print>");
    }

    #[test]
    fn strings_are_raw_at_top_level_and_quoted_inside() {
        let mut heap = Heap::new();
        let s = heap.alloc_str("a\"é\n");
        assert_eq!(shown(&heap, s), "a\"é\n");
        assert_eq!(repr_string(&heap, s), "\"a\\\"é\\n\"");
        let inner = heap.alloc_list(vec![Value::Float(2.5)]);
        let one = heap.alloc_str("a");
        let list = heap.alloc_list(vec![Value::Int(1), one, inner]);
        assert_eq!(shown(&heap, list), "[1, \"a\", [2.5]]");
        let empty = heap.alloc_list(vec![]);
        assert_eq!(shown(&heap, empty), "[]");
    }

    #[test]
    fn maps_print_in_insertion_order() {
        let mut heap = Heap::new();
        let a = heap.alloc_str("a");
        let mut map = Map::new();
        for (k, v) in [(a, Value::Int(1)), (Value::Int(2), Value::None)] {
            let key = heap.map_key(k).expect("hashable");
            map.insert(key, k, v);
        }
        let m = heap.alloc_map(map);
        assert_eq!(shown(&heap, m), "{\"a\": 1, 2: none}");
        let empty = heap.alloc_map(Map::new());
        assert_eq!(shown(&heap, empty), "{}");
    }

    #[test]
    fn errors_print_kind_and_message_everywhere() {
        let mut heap = Heap::new();
        let key_error = heap.new_error("KeyError", "\"b\"");
        assert_eq!(shown(&heap, key_error), "KeyError: \"b\"");
        let value_error = heap.new_error("ValueError", "two");
        let list = heap.alloc_list(vec![Value::Int(1), value_error]);
        assert_eq!(shown(&heap, list), "[1, ValueError: two]");
        let bare = heap.new_error("ValueError", "");
        assert_eq!(shown(&heap, bare), "ValueError");
    }

    #[test]
    fn ranges() {
        let mut heap = Heap::new();
        let r = heap.alloc_range(0, 10, 1);
        assert_eq!(shown(&heap, r), "0..10");
        let r = heap.alloc_range(10, 0, -3);
        assert_eq!(shown(&heap, r), "range(10, 0, -3)");
    }

    #[test]
    fn cycles_print_an_ellipsis() {
        let mut heap = Heap::new();
        let list = heap.alloc_list(vec![Value::Int(1)]);
        heap.list_mut(list).expect("list").push(list);
        assert_eq!(shown(&heap, list), "[1, [...]]");
        // The same list twice, side by side, is not a cycle.
        let shared = heap.alloc_list(vec![Value::Int(7)]);
        let twice = heap.alloc_list(vec![shared, shared]);
        assert_eq!(shown(&heap, twice), "[[7], [7]]");
        let map = heap.alloc_map(Map::new());
        let key = heap.alloc_str("self");
        let map_key = heap.map_key(key).expect("hashable");
        heap.map_mut(map).expect("map").insert(map_key, key, map);
        assert_eq!(shown(&heap, map), "{\"self\": {...}}");
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let mut heap = Heap::new();
        let mut v = Value::Int(0);
        for _ in 0..200_000 {
            v = heap.alloc_list(vec![v]);
        }
        let text = shown(&heap, v);
        assert_eq!(
            text,
            format!("{}0{}", "[".repeat(200_000), "]".repeat(200_000))
        );
    }

    #[test]
    fn spec_formatting_through_values() {
        let mut heap = Heap::new();
        let mut out = String::new();
        format_spec(&heap, Value::Float(3.14159265), ".3", &mut out).expect("valid");
        format_spec(&heap, Value::Int(42), ">5", &mut out).expect("valid");
        let ab = heap.alloc_str("ab");
        format_spec(&heap, ab, ">4", &mut out).expect("valid");
        format_spec(&heap, Value::Duration(10_000_000), "<6", &mut out).expect("valid");
        assert_eq!(out, "3.142   42  ab10ms  ");
        let list = heap.alloc_list(vec![]);
        let error = format_spec(&heap, list, ".2", &mut out).expect_err("not a number");
        assert_eq!(error.0, "TypeError");
        let error = format_spec(&heap, Value::Int(1), ".q", &mut out).expect_err("malformed");
        assert_eq!(error.0, "ValueError");
    }
}
