//! String methods: `len upper lower strip split join replace starts_with
//! ends_with find contains chars bytes parse_int parse_float`.
//!
//! Positions and lengths count characters, not bytes. Strings are
//! immutable: every method returns a new value.

use std::sync::Arc;

use crate::builtins::convert::{self, IntFailure};
use crate::builtins::{args, iterable};
use crate::error::kinds;
use crate::format;
use crate::methods::list::join_displayed;
use crate::native::{Args, NResult, NativeMethod};
use crate::value::Value;
use crate::vm::Vm;

pub fn lookup(name: &str) -> Option<NativeMethod> {
    let method: NativeMethod = match name {
        "len" => len,
        "upper" => upper,
        "lower" => lower,
        "strip" => strip,
        "split" => split,
        "join" => join,
        "replace" => replace,
        "starts_with" => starts_with,
        "ends_with" => ends_with,
        "find" => find,
        "contains" => contains,
        "chars" => chars,
        "bytes" => bytes,
        "parse_int" => parse_int,
        "parse_float" => parse_float,
        _ => return None,
    };
    Some(method)
}

/// The receiver's text (shared, so the heap stays usable).
fn receiver(vm: &mut Vm, s: Value) -> NResult<Arc<str>> {
    args::text(vm, "str method", s)
}

fn new_list_of_strings<'a>(vm: &mut Vm, parts: impl Iterator<Item = &'a str>) -> Value {
    let values = parts.map(|part| vm.heap.alloc_str(part)).collect();
    vm.heap.alloc_list(values)
}

fn len(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.len", args, 0, 0, &[])?;
    let n = vm.heap.str(s).map_or(0, |s| s.char_len());
    Ok(Value::Int(n as i64))
}

fn upper(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.upper", args, 0, 0, &[])?;
    let text = receiver(vm, s)?.to_uppercase();
    Ok(vm.heap.alloc_string(text))
}

fn lower(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.lower", args, 0, 0, &[])?;
    let text = receiver(vm, s)?.to_lowercase();
    Ok(vm.heap.alloc_string(text))
}

/// `strip()` removes surrounding whitespace; `strip(chars)` removes any of
/// the characters in `chars` from both ends (Python's `str.strip`).
fn strip(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.strip", args, 0, 1, &[])?;
    let text = receiver(vm, s)?;
    let stripped = match args.get(0) {
        None | Some(Value::None) => text.trim().to_string(),
        Some(v) => {
            let set = args::text(vm, "str.strip", v)?;
            text.trim_matches(|c| set.contains(c)).to_string()
        }
    };
    Ok(vm.heap.alloc_string(stripped))
}

/// `split()` splits on runs of whitespace, dropping empty parts;
/// `split(sep)` splits on every `sep`, keeping empty parts
/// (`"a,,b".split(",")` is `["a", "", "b"]`). An optional second argument
/// limits the number of splits, as Python's `maxsplit`.
fn split(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.split", args, 0, 2, &[])?;
    let text = receiver(vm, s)?;
    let max_splits = match args.get(1) {
        Some(v) => usize::try_from(args::int(vm, "str.split", v)?).ok(),
        None => None,
    };
    let parts: Vec<&str> = match args.get(0) {
        None | Some(Value::None) => split_whitespace(&text, max_splits),
        Some(v) => {
            let sep = args::text(vm, "str.split", v)?;
            if sep.is_empty() {
                return Err(args::value_error(vm, "str.split(): empty separator"));
            }
            match max_splits {
                Some(n) => text.splitn(n.saturating_add(1), &*sep).collect(),
                None => text.split(&*sep).collect(),
            }
        }
    };
    Ok(new_list_of_strings(vm, parts.into_iter()))
}

/// Python's `split(None, max_splits)`: whitespace runs separate parts,
/// and after `max_splits` splits the rest is one part (leading whitespace
/// removed, trailing kept).
fn split_whitespace(text: &str, max_splits: Option<usize>) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        if max_splits == Some(parts.len()) {
            parts.push(rest);
            break;
        }
        match rest.find(char::is_whitespace) {
            Some(end) => {
                parts.push(&rest[..end]);
                rest = rest[end..].trim_start();
            }
            None => {
                parts.push(rest);
                break;
            }
        }
    }
    parts
}

/// `sep.join(xs)`: the elements of any iterable as `str()` shows them,
/// separated by the receiver.
fn join(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.join", args, 1, 1, &[])?;
    let sep = receiver(vm, s)?;
    let items = iterable::items(vm, "str.join", args.positional[0])?;
    let text = join_displayed(vm, &items, &sep);
    Ok(vm.heap.alloc_string(text))
}

/// `replace(old, new)` replaces every occurrence; `replace(old, new, n)`
/// only the first `n` (all when `n` is negative).
fn replace(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.replace", args, 2, 3, &[])?;
    let text = receiver(vm, s)?;
    let old = args::text(vm, "str.replace", args.positional[0])?;
    let new = args::text(vm, "str.replace", args.positional[1])?;
    let replaced = match args.get(2) {
        Some(v) => {
            // A negative count means "all", as in Python.
            match usize::try_from(args::int(vm, "str.replace", v)?) {
                Ok(n) => text.replacen(&*old, &new, n),
                Err(_) => text.replace(&*old, &new),
            }
        }
        None => text.replace(&*old, &new),
    };
    Ok(vm.heap.alloc_string(replaced))
}

/// The receiver and one str argument, for the predicate methods.
fn text_and_needle(
    vm: &mut Vm,
    s: Value,
    args: &Args<'_>,
    name: &str,
) -> NResult<(Arc<str>, Arc<str>)> {
    args::check(vm, name, args, 1, 1, &[])?;
    let text = receiver(vm, s)?;
    let needle = args::text(vm, name, args.positional[0])?;
    Ok((text, needle))
}

fn starts_with(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    let (text, prefix) = text_and_needle(vm, s, args, "str.starts_with")?;
    Ok(Value::Bool(text.starts_with(&*prefix)))
}

fn ends_with(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    let (text, suffix) = text_and_needle(vm, s, args, "str.ends_with")?;
    Ok(Value::Bool(text.ends_with(&*suffix)))
}

fn contains(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    let (text, needle) = text_and_needle(vm, s, args, "str.contains")?;
    Ok(Value::Bool(text.contains(&*needle)))
}

/// `find(sub)`: the character index of the first occurrence, or -1.
fn find(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    let (text, needle) = text_and_needle(vm, s, args, "str.find")?;
    let index = match text.find(&*needle) {
        Some(byte) => text[..byte].chars().count() as i64,
        None => -1,
    };
    Ok(Value::Int(index))
}

/// `chars()`: a list of one-character strings.
fn chars(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.chars", args, 0, 0, &[])?;
    let items = iterable::items(vm, "str.chars", s)?;
    Ok(vm.heap.alloc_list(items))
}

/// `bytes()`: the UTF-8 encoding as a list of ints 0..=255.
fn bytes(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.bytes", args, 0, 0, &[])?;
    let text = receiver(vm, s)?;
    let mut values = args::vec_with_capacity(vm, "str.bytes", text.len())?;
    values.extend(text.bytes().map(|b| Value::Int(i64::from(b))));
    Ok(vm.heap.alloc_list(values))
}

/// `parse_int()`: the same rules and errors as `int(s)`.
fn parse_int(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.parse_int", args, 0, 0, &[])?;
    let text = receiver(vm, s)?;
    match convert::parse_int_text(&text) {
        Ok(n) => Ok(Value::Int(n)),
        Err(IntFailure::Invalid) => Err(vm.error(
            kinds::VALUE,
            format!("parse_int(): {} is not an int", format::quoted(&text)),
        )),
        Err(IntFailure::OutOfRange) => Err(vm.error(
            kinds::OVERFLOW,
            format!(
                "parse_int(): {} does not fit in an int",
                format::quoted(&text)
            ),
        )),
    }
}

/// `parse_float()`: the same rules and errors as `float(s)`.
fn parse_float(vm: &mut Vm, s: Value, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str.parse_float", args, 0, 0, &[])?;
    let text = receiver(vm, s)?;
    match convert::parse_float_text(&text) {
        Some(x) => Ok(Value::Float(x)),
        None => Err(vm.error(
            kinds::VALUE,
            format!("parse_float(): {} is not a float", format::quoted(&text)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::split_whitespace;

    #[test]
    fn whitespace_split_like_python() {
        assert_eq!(split_whitespace("  a b\t\nc  ", None), vec!["a", "b", "c"]);
        assert_eq!(split_whitespace("", None), Vec::<&str>::new());
        assert_eq!(split_whitespace("   ", None), Vec::<&str>::new());
        assert_eq!(split_whitespace(" a b  c ", Some(1)), vec!["a", "b  c "]);
        assert_eq!(split_whitespace("a b", Some(0)), vec!["a b"]);
    }
}
