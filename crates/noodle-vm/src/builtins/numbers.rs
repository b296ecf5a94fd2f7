//! Numeric builtins: `abs` and `round` (also `math.abs` / `math.round`).

use crate::builtins::args;
use crate::builtins::convert::{self, IntFailure};
use crate::error::kinds;
use crate::format;
use crate::native::{Args, NResult};
use crate::ops;
use crate::value::Value;
use crate::vm::Vm;

/// `abs(x)` of an int (OverflowError for `abs(min_int)`), a float or a
/// duration.
pub fn abs(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "abs", args, 1, 1, &[])?;
    abs_value(vm, "abs", args.positional[0])
}

pub fn abs_value(vm: &mut Vm, name: &str, v: Value) -> NResult<Value> {
    match v {
        Value::Int(n) => n
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| ops::overflow(&mut vm.heap)),
        Value::Float(x) => Ok(Value::Float(x.abs())),
        Value::Duration(d) => d
            .checked_abs()
            .map(Value::Duration)
            .ok_or_else(|| ops::overflow(&mut vm.heap)),
        other => Err(args::wrong_type(vm, name, "a number", other)),
    }
}

/// `round(x)` is the nearest int, ties to even (`round(2.5)` is 2);
/// `round(x, digits)` keeps the type of `x` and rounds to `digits`
/// decimals (negative: tens, hundreds, ...), Python style.
pub fn round(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "round", args, 1, 2, &[])?;
    round_value(vm, "round", args.positional[0], args.get(1))
}

pub fn round_value(vm: &mut Vm, name: &str, v: Value, digits: Option<Value>) -> NResult<Value> {
    let digits = match digits {
        None | Some(Value::None) => None,
        Some(d) => Some(args::int(vm, name, d)?),
    };
    match (v, digits) {
        (Value::Int(_), None) => Ok(v),
        (Value::Int(n), Some(d)) => match convert::int_round_digits(n, d) {
            Ok(n) => Ok(Value::Int(n)),
            Err(_) => Err(ops::overflow(&mut vm.heap)),
        },
        (Value::Float(x), None) => match convert::float_round_to_int(x) {
            Ok(n) => Ok(Value::Int(n)),
            Err(failure) => Err(float_to_int_error(vm, name, failure, x)),
        },
        (Value::Float(x), Some(d)) => match convert::float_round_digits(x, d) {
            Ok(r) => Ok(Value::Float(r)),
            Err(_) => Err(vm.error(
                kinds::OVERFLOW,
                format!("{name}(): the rounded value is too large"),
            )),
        },
        (other, _) => Err(args::wrong_type(vm, name, "a number", other)),
    }
}

/// The error for a float that has no int value: ValueError for NaN,
/// OverflowError for infinities and values beyond the int range.
pub fn float_to_int_error(vm: &mut Vm, name: &str, failure: IntFailure, x: f64) -> crate::Thrown {
    let shown = format::float_repr(x);
    match failure {
        IntFailure::Invalid => vm.error(
            kinds::VALUE,
            format!("{name}(): cannot convert {shown} to an int"),
        ),
        IntFailure::OutOfRange => vm.error(
            kinds::OVERFLOW,
            format!("{name}(): {shown} does not fit in an int"),
        ),
    }
}
