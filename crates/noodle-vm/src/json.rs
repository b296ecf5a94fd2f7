//! The `json` module: `json.parse(text)` and `json.dump(value, indent:)`.
//!
//! Parsing: objects become maps (in document order), arrays lists, numbers
//! ints when written without `.` or exponent (and within i64), else
//! floats, `null` becomes `none`. See [`syntax`] for the details; a syntax
//! error is a ValueError with its line and column.
//!
//! Dumping: `none bool int float str list map` only. Map keys must be
//! strings (TypeError otherwise: JSON keys are strings, and silently
//! turning `1` into `"1"` would not round-trip); NaN and infinities are a
//! ValueError (JSON has no spelling for them); any other value (duration,
//! struct, function, ...) is a TypeError; a container that contains itself
//! is a ValueError. Floats print as `repr` prints them. Output is compact
//! with Python's separators (`{"a": [1, 2]}`), or with `indent: n`, one
//! member per line indented by n spaces per level. Non-ASCII text is
//! written as UTF-8, not `\u` escapes.

pub mod syntax;

use std::collections::HashSet;
use std::sync::Arc;

use crate::builtins::args;
use crate::error::kinds;
use crate::format;
use crate::native::{Args, BuiltinDef, NResult};
use crate::object::{Map, MapKey, Object};
use crate::value::{ObjRef, Value};
use crate::vm::Vm;
use syntax::JsonValue;

/// The member `name` of module `json`.
pub fn lookup(name: &str) -> Option<BuiltinDef> {
    match name {
        "parse" => Some(BuiltinDef::Function(parse)),
        "dump" => Some(BuiltinDef::Function(dump)),
        _ => None,
    }
}

/// `json.parse(text)`.
fn parse(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    const NAME: &str = "json.parse";
    args::check(vm, NAME, args, 1, 1, &[])?;
    let text = args::text(vm, NAME, args.positional[0])?;
    match syntax::parse_json(&text) {
        Ok(tree) => Ok(to_value(vm, tree)),
        Err(e) => Err(vm.error(kinds::VALUE, format!("{NAME}(): {e}"))),
    }
}

/// Builds the Noodle value of a parsed document. Its depth is bounded by
/// the parser's limit, so recursion is safe; nothing here calls back into
/// Noodle, so no collection can free the parts already built.
fn to_value(vm: &mut Vm, tree: JsonValue) -> Value {
    match tree {
        JsonValue::Null => Value::None,
        JsonValue::Bool(b) => Value::Bool(b),
        JsonValue::Int(n) => Value::Int(n),
        JsonValue::Float(x) => Value::Float(x),
        JsonValue::Str(s) => vm.heap.alloc_string(s),
        JsonValue::Array(items) => {
            let values = items.into_iter().map(|item| to_value(vm, item)).collect();
            vm.heap.alloc_list(values)
        }
        JsonValue::Object(members) => {
            let mut map = Map::with_capacity(members.len());
            for (key, member) in members {
                let key: Arc<str> = Arc::from(key);
                let key_value = vm.heap.alloc_arc_str(key.clone());
                let value = to_value(vm, member);
                map.insert(MapKey::Str(key), key_value, value);
            }
            vm.heap.alloc_map(map)
        }
    }
}

/// `json.dump(value, indent: n)`.
fn dump(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    const NAME: &str = "json.dump";
    args::check(vm, NAME, args, 1, 1, &["indent"])?;
    let indent = match args.named("indent") {
        None | Some(Value::None) => None,
        Some(v) => {
            let n = args::int(vm, NAME, v)?;
            match usize::try_from(n) {
                Ok(n) if n <= MAX_INDENT => Some(n),
                _ => {
                    return Err(args::value_error(
                        vm,
                        format!("{NAME}(): indent must be 0 to {MAX_INDENT}"),
                    ));
                }
            }
        }
    };
    let mut writer = JsonWriter {
        heap: &vm.heap,
        indent,
        out: String::new(),
        open: HashSet::new(),
    };
    match writer.value(args.positional[0], 0) {
        Ok(()) => {
            let text = writer.out;
            Ok(vm.heap.alloc_string(text))
        }
        Err(DumpError { kind, message }) => Err(vm.error(kind, format!("{NAME}(): {message}"))),
    }
}

/// Indents wider than this are surely a mistake.
const MAX_INDENT: usize = 64;

struct DumpError {
    kind: &'static str,
    message: String,
}

struct JsonWriter<'h> {
    heap: &'h crate::heap::Heap,
    indent: Option<usize>,
    out: String,
    /// Containers being written, to detect cycles.
    open: HashSet<ObjRef>,
}

impl JsonWriter<'_> {
    fn value(&mut self, v: Value, depth: usize) -> Result<(), DumpError> {
        match v {
            Value::None => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Int(n) => self.out.push_str(&n.to_string()),
            Value::Float(x) if x.is_finite() => self.out.push_str(&format::float_repr(x)),
            Value::Float(x) => {
                let message = format!("{} has no JSON form", format::float_repr(x));
                return Err(DumpError {
                    kind: kinds::VALUE,
                    message,
                });
            }
            Value::Obj(r) => match self.heap.get(r) {
                Object::Str(s) => syntax::push_json_string(&mut self.out, s.as_str()),
                Object::List(items) => {
                    self.enter(r, depth)?;
                    self.sequence('[', ']', items.len(), depth, |w, i| {
                        w.value(items[i], depth + 1)
                    })?;
                    self.open.remove(&r);
                }
                Object::Map(map) => {
                    self.enter(r, depth)?;
                    self.sequence('{', '}', map.len(), depth, |w, i| w.member(map, i, depth))?;
                    self.open.remove(&r);
                }
                _ => return Err(self.unsupported(v)),
            },
            _ => return Err(self.unsupported(v)),
        }
        Ok(())
    }

    fn unsupported(&self, v: Value) -> DumpError {
        let message = format!("{} values have no JSON form", self.heap.type_name(v));
        DumpError {
            kind: kinds::TYPE,
            message,
        }
    }

    fn enter(&mut self, r: ObjRef, depth: usize) -> Result<(), DumpError> {
        if depth >= syntax::MAX_DEPTH {
            let message = format!("nesting deeper than {} levels", syntax::MAX_DEPTH);
            return Err(DumpError {
                kind: kinds::VALUE,
                message,
            });
        }
        if !self.open.insert(r) {
            return Err(DumpError {
                kind: kinds::VALUE,
                message: "circular reference".to_string(),
            });
        }
        Ok(())
    }

    /// One `"key": value` member of an object.
    fn member(&mut self, map: &Map, i: usize, depth: usize) -> Result<(), DumpError> {
        let Some((key, value)) = map.entry_at(i) else {
            return Ok(());
        };
        match self.heap.as_str(key) {
            Some(text) => syntax::push_json_string(&mut self.out, text),
            None => {
                let message = format!(
                    "map key {} is not a str (JSON keys are strings)",
                    format::repr_string(self.heap, key)
                );
                return Err(DumpError {
                    kind: kinds::TYPE,
                    message,
                });
            }
        }
        self.out.push_str(": ");
        self.value(value, depth + 1)
    }

    /// Writes `count` elements between `open` and `close`, compact or one
    /// per line depending on the indent.
    fn sequence(
        &mut self,
        open: char,
        close: char,
        count: usize,
        depth: usize,
        mut element: impl FnMut(&mut Self, usize) -> Result<(), DumpError>,
    ) -> Result<(), DumpError> {
        self.out.push(open);
        if count > 0 {
            for i in 0..count {
                match (i, self.indent) {
                    (0, None) => {}
                    (_, None) => self.out.push_str(", "),
                    (i, Some(width)) => {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.newline(width * (depth + 1));
                    }
                }
                element(self, i)?;
            }
            if let Some(width) = self.indent {
                self.newline(width * depth);
            }
        }
        self.out.push(close);
        Ok(())
    }

    fn newline(&mut self, spaces: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', spaces));
    }
}

#[cfg(test)]
mod tests {
    use crate::builtins::testing::*;
    use crate::value::Value;
    use crate::vm::Vm;

    fn parse(vm: &mut Vm, text: &str) -> String {
        let text = s(vm, text);
        let result = call(vm, "json.parse", &[text]);
        shown(result, vm)
    }

    fn dump(vm: &mut Vm, v: Value) -> String {
        let result = call(vm, "json.dump", &[v]);
        match result {
            Ok(text) => vm.heap.as_str(text).unwrap_or("<not a str>").to_string(),
            Err(_) => shown(result, vm),
        }
    }

    #[test]
    fn parse_builds_values() {
        let mut vm = vm();
        let vm = &mut vm;
        assert_eq!(
            parse(
                vm,
                r#"{"name": "noodle", "tags": ["a", 1, 2.5, true, null], "n": {"x": -0}}"#
            ),
            r#"{"name": "noodle", "tags": ["a", 1, 2.5, true, none], "n": {"x": 0}}"#
        );
        assert_eq!(
            parse(vm, r#"{"k": 1, "j": 2, "k": 3}"#),
            r#"{"k": 3, "j": 2}"#
        );
        assert_eq!(parse(vm, "1e2"), "100.0");
        assert_eq!(parse(vm, r#""\u00e9\n""#), r#""é\n""#);
        assert_eq!(
            parse(vm, "[1, 2"),
            "raised ValueError: json.parse(): expected `,` or `]`, unexpected end of input at line 1, column 6"
        );
        assert_eq!(
            raised_kind(call(vm, "json.parse", &[Value::Int(1)]), vm),
            "TypeError"
        );
    }

    #[test]
    fn dump_round_trips() {
        let mut vm = vm();
        let vm = &mut vm;
        let text = r#"{"a": [1, 2.5, "x\"y", true, null, {}], "b": {"c": []}, "é": 1e+16}"#;
        let source = s(vm, text);
        let value = call(vm, "json.parse", &[source]).expect("parses");
        assert_eq!(dump(vm, value), text);
        assert_eq!(dump(vm, Value::Float(0.1)), "0.1");
    }

    #[test]
    fn dump_with_indent() {
        let mut vm = vm();
        let source = s(&mut vm, r#"{"a": [1, 2], "b": {}, "c": []}"#);
        let value = call(&mut vm, "json.parse", &[source]).expect("parses");
        let result = call_named(&mut vm, "json.dump", &[value], &[("indent", Value::Int(2))])
            .expect("dumps");
        assert_eq!(
            vm.heap.as_str(result),
            Some("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}")
        );
        let result = call_named(
            &mut vm,
            "json.dump",
            &[value],
            &[("indent", Value::Int(-1))],
        );
        assert_eq!(raised_kind(result, &vm), "ValueError");
    }

    #[test]
    fn dump_refuses_what_json_cannot_say() {
        let mut vm = vm();
        let vm = &mut vm;
        assert_eq!(
            dump(vm, Value::Float(f64::NAN)),
            "raised ValueError: json.dump(): nan has no JSON form"
        );
        assert_eq!(
            dump(vm, Value::Duration(5)),
            "raised TypeError: json.dump(): duration values have no JSON form"
        );
        let mut map = crate::object::Map::new();
        map.insert(crate::object::MapKey::Int(1), Value::Int(1), Value::Int(2));
        let m = vm.heap.alloc_map(map);
        assert_eq!(
            dump(vm, m),
            "raised TypeError: json.dump(): map key 1 is not a str (JSON keys are strings)"
        );
        let cyclic = list(vm, &[]);
        vm.heap.list_mut(cyclic).expect("list").push(cyclic);
        assert_eq!(
            dump(vm, cyclic),
            "raised ValueError: json.dump(): circular reference"
        );
        let mut deep = Value::Int(0);
        for _ in 0..10_000 {
            deep = list(vm, &[deep]);
        }
        assert_eq!(
            dump(vm, deep),
            "raised ValueError: json.dump(): nesting deeper than 512 levels"
        );
    }
}
