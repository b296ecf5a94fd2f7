//! Conversions between value types: `str repr int float bool list type_of`.

use crate::builtins::convert::{self, IntFailure};
use crate::builtins::{args, iterable};
use crate::error::kinds;
use crate::format;
use crate::native::{Args, NResult};
use crate::value::Value;
use crate::vm::Vm;

/// `str(v)`: how `v` prints; `str()` is `""`.
pub fn str(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "str", args, 0, 1, &[])?;
    let Some(v) = args.get(0) else {
        return Ok(vm.heap.alloc_str(""));
    };
    if vm.heap.str(v).is_some() {
        return Ok(v);
    }
    let text = format::display_string(&vm.heap, v);
    Ok(vm.heap.alloc_string(text))
}

/// `repr(v)`: how `v` prints inside a container (strings quoted).
pub fn repr(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "repr", args, 1, 1, &[])?;
    let text = format::repr_string(&vm.heap, args.positional[0]);
    Ok(vm.heap.alloc_string(text))
}

/// `type_of(v)`: a builtin type name or the struct or enum name.
pub fn type_of(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "type_of", args, 1, 1, &[])?;
    let name = vm.heap.type_name(args.positional[0]).to_string();
    Ok(vm.heap.alloc_string(name))
}

/// `bool(v)`: truthiness (only `false` and `none` are falsy).
pub fn bool(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "bool", args, 0, 1, &[])?;
    Ok(Value::Bool(args.get(0).is_some_and(Value::is_truthy)))
}

/// The error `int()` raises for a float or text it cannot convert.
fn int_failure(vm: &mut Vm, failure: IntFailure, shown: &str) -> crate::Thrown {
    match failure {
        IntFailure::Invalid => vm.error(kinds::VALUE, format!("int() cannot convert {shown}")),
        IntFailure::OutOfRange => vm.error(
            kinds::OVERFLOW,
            format!("int() of {shown} does not fit in an int"),
        ),
    }
}

/// `int(v)`, `int(text, base)`: floats truncate toward zero, bools are
/// 0 and 1, text is decimal (see [`convert`]) or in `base` 2..=36.
pub fn int(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "int", args, 0, 2, &[])?;
    let Some(v) = args.get(0) else {
        return Ok(Value::Int(0));
    };
    if let Some(base) = args.get(1) {
        let base = args::int(vm, "int", base)?;
        let text = args::text(vm, "int", v)?;
        return parse_in_base(vm, &text, base);
    }
    match v {
        Value::Int(_) => Ok(v),
        Value::Bool(b) => Ok(Value::Int(i64::from(b))),
        Value::Float(x) => match convert::float_to_int_truncating(x) {
            Ok(n) => Ok(Value::Int(n)),
            Err(failure) => Err(int_failure(vm, failure, &format::float_repr(x))),
        },
        _ => {
            let Some(text) = vm.heap.str(v).map(|s| s.arc().clone()) else {
                let message = format!("int() cannot convert a {}", vm.heap.type_name(v));
                return Err(vm.type_error(message));
            };
            match convert::parse_int_text(&text) {
                Ok(n) => Ok(Value::Int(n)),
                Err(failure) => Err(int_failure(vm, failure, &format::quoted(&text))),
            }
        }
    }
}

fn parse_in_base(vm: &mut Vm, text: &str, base: i64) -> NResult<Value> {
    if !(2..=36).contains(&base) {
        return Err(vm.error(
            kinds::VALUE,
            format!("int() base must be 2 to 36, not {base}"),
        ));
    }
    let invalid = |vm: &mut Vm| {
        let message = format!(
            "int() cannot convert {} in base {base}",
            format::quoted(text)
        );
        vm.error(kinds::VALUE, message)
    };
    let Some(cleaned) = convert::strip_separators(text.trim(), |b| b.is_ascii_alphanumeric())
    else {
        return Err(invalid(vm));
    };
    let unsigned = cleaned.strip_prefix(['+', '-']).unwrap_or(&cleaned);
    if unsigned.is_empty() || unsigned.starts_with(['+', '-']) {
        return Err(invalid(vm));
    }
    match i64::from_str_radix(&cleaned, base as u32) {
        Ok(n) => Ok(Value::Int(n)),
        Err(e)
            if matches!(
                e.kind(),
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
            ) =>
        {
            Err(vm.error(
                kinds::OVERFLOW,
                format!("int() of {} does not fit in an int", format::quoted(text)),
            ))
        }
        Err(_) => Err(invalid(vm)),
    }
}

/// `float(v)`: ints and bools convert, text parses (`"2.5"`, `"1e-9"`,
/// `"inf"`, `"nan"`).
pub fn float(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "float", args, 0, 1, &[])?;
    let Some(v) = args.get(0) else {
        return Ok(Value::Float(0.0));
    };
    match v {
        Value::Float(_) => Ok(v),
        Value::Int(n) => Ok(Value::Float(convert::int_to_float(n))),
        Value::Bool(b) => Ok(Value::Float(if b { 1.0 } else { 0.0 })),
        _ => {
            let Some(text) = vm.heap.str(v).map(|s| s.arc().clone()) else {
                let message = format!("float() cannot convert a {}", vm.heap.type_name(v));
                return Err(vm.type_error(message));
            };
            match convert::parse_float_text(&text) {
                Some(x) => Ok(Value::Float(x)),
                None => Err(vm.error(
                    kinds::VALUE,
                    format!("float() cannot convert {}", format::quoted(&text)),
                )),
            }
        }
    }
}

/// `list(v)`: a new list of what `for` visits in `v` (a copy of a list, the
/// characters of a str, the keys of a map, the values of a range); `list()`
/// is `[]`.
pub fn list(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "list", args, 0, 1, &[])?;
    let items = match args.get(0) {
        Some(v) => iterable::items(vm, "list", v)?,
        None => Vec::new(),
    };
    Ok(vm.heap.alloc_list(items))
}
