//! The `math` module: `math.sqrt`, `math.pi`, ...
//!
//! Ints are accepted wherever floats are. Failures follow Python's `math`:
//! a NaN result from non-NaN arguments (`sqrt(-1)`, `asin(2)`, `log(0)`)
//! is a ValueError ("math domain error"), an infinite result from finite
//! arguments (`exp(1000)`) an OverflowError. `floor`, `ceil`, `round` and
//! `trunc` return ints (OverflowError beyond the int range, ValueError for
//! NaN); `round` is the builtin `round` (ties to even, optional digits),
//! `abs` the builtin `abs` (an int stays an int).

use crate::builtins::args;
use crate::builtins::convert;
use crate::builtins::numbers;
use crate::error::kinds;
use crate::native::{Args, BuiltinDef, NResult, NativeFn};
use crate::value::Value;
use crate::vm::Vm;

/// The member `name` of module `math` (`sqrt`, `pi`).
pub fn lookup(name: &str) -> Option<BuiltinDef> {
    let constant = |v: Value| Some(BuiltinDef::Constant(v));
    let f: NativeFn = match name {
        "pi" => return constant(Value::Float(std::f64::consts::PI)),
        "e" => return constant(Value::Float(std::f64::consts::E)),
        "tau" => return constant(Value::Float(std::f64::consts::TAU)),
        "inf" => return constant(Value::Float(f64::INFINITY)),
        "nan" => return constant(Value::Float(f64::NAN)),
        "max_int" => return constant(Value::Int(i64::MAX)),
        "min_int" => return constant(Value::Int(i64::MIN)),
        "sqrt" => |vm, args| unary(vm, args, "math.sqrt", f64::sqrt),
        "sin" => |vm, args| unary(vm, args, "math.sin", f64::sin),
        "cos" => |vm, args| unary(vm, args, "math.cos", f64::cos),
        "tan" => |vm, args| unary(vm, args, "math.tan", f64::tan),
        "asin" => |vm, args| unary(vm, args, "math.asin", f64::asin),
        "acos" => |vm, args| unary(vm, args, "math.acos", f64::acos),
        "atan" => |vm, args| unary(vm, args, "math.atan", f64::atan),
        "exp" => |vm, args| unary(vm, args, "math.exp", f64::exp),
        "log2" => |vm, args| unary(vm, args, "math.log2", log_domain(f64::log2)),
        "log10" => |vm, args| unary(vm, args, "math.log10", log_domain(f64::log10)),
        "atan2" => |vm, args| binary(vm, args, "math.atan2", f64::atan2),
        "pow" => pow,
        "log" => log,
        "hypot" => hypot,
        "floor" => |vm, args| to_int(vm, args, "math.floor", convert::float_floor_to_int),
        "ceil" => |vm, args| to_int(vm, args, "math.ceil", convert::float_ceil_to_int),
        "trunc" => |vm, args| to_int(vm, args, "math.trunc", convert::float_to_int_truncating),
        "round" => round,
        "abs" => abs,
        "is_nan" => |vm, args| test(vm, args, "math.is_nan", f64::is_nan),
        "is_inf" => |vm, args| test(vm, args, "math.is_inf", f64::is_infinite),
        _ => return None,
    };
    Some(BuiltinDef::Function(f))
}

/// Applies Python's error rules to a float result computed from `inputs`.
fn checked(vm: &mut Vm, name: &str, inputs: &[f64], result: f64) -> NResult<Value> {
    let finite_inputs = inputs.iter().all(|x| x.is_finite());
    let nan_input = inputs.iter().any(|x| x.is_nan());
    if result.is_nan() && !nan_input {
        Err(vm.error(kinds::VALUE, format!("{name}(): math domain error")))
    } else if result.is_infinite() && finite_inputs {
        Err(vm.error(kinds::OVERFLOW, format!("{name}(): math range error")))
    } else {
        Ok(Value::Float(result))
    }
}

/// Logarithms of zero are a domain error (Python), not an overflow.
fn log_domain(log: fn(f64) -> f64) -> impl Fn(f64) -> f64 {
    move |x| if x == 0.0 { f64::NAN } else { log(x) }
}

fn unary(vm: &mut Vm, args: &Args<'_>, name: &str, f: impl Fn(f64) -> f64) -> NResult<Value> {
    args::check(vm, name, args, 1, 1, &[])?;
    let x = args::number(vm, name, args.positional[0])?;
    checked(vm, name, &[x], f(x))
}

fn binary(vm: &mut Vm, args: &Args<'_>, name: &str, f: fn(f64, f64) -> f64) -> NResult<Value> {
    args::check(vm, name, args, 2, 2, &[])?;
    let x = args::number(vm, name, args.positional[0])?;
    let y = args::number(vm, name, args.positional[1])?;
    checked(vm, name, &[x, y], f(x, y))
}

/// `math.pow(x, y)`: always a float (use `**` for int powers).
fn pow(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    const NAME: &str = "math.pow";
    args::check(vm, NAME, args, 2, 2, &[])?;
    let x = args::number(vm, NAME, args.positional[0])?;
    let y = args::number(vm, NAME, args.positional[1])?;
    // 0 ** negative is a pole: a domain error, as in Python.
    if x == 0.0 && y < 0.0 {
        return Err(vm.error(kinds::VALUE, format!("{NAME}(): math domain error")));
    }
    checked(vm, NAME, &[x, y], x.powf(y))
}

/// `math.log(x)` (natural) or `math.log(x, base)`.
fn log(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    const NAME: &str = "math.log";
    args::check(vm, NAME, args, 1, 2, &[])?;
    let x = args::number(vm, NAME, args.positional[0])?;
    let ln = log_domain(f64::ln);
    let mut result = ln(x);
    let mut inputs = vec![x];
    if let Some(base) = args.get(1) {
        let base = args::number(vm, NAME, base)?;
        inputs.push(base);
        let divisor = ln(base);
        // log base 1 divides by zero: Python raises ZeroDivisionError.
        if divisor == 0.0 {
            return Err(vm.error(kinds::ZERO_DIVISION, format!("{NAME}(): division by zero")));
        }
        result /= divisor;
    }
    checked(vm, NAME, &inputs, result)
}

/// `math.hypot(x, y, ...)`: the Euclidean norm of its arguments.
fn hypot(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    const NAME: &str = "math.hypot";
    args::check(vm, NAME, args, 1, usize::MAX, &[])?;
    let mut inputs = Vec::with_capacity(args.len());
    for &v in args.positional {
        inputs.push(args::number(vm, NAME, v)?);
    }
    let result = inputs.iter().fold(0.0, |acc: f64, &x| acc.hypot(x));
    checked(vm, NAME, &inputs, result)
}

/// `floor`, `ceil`, `trunc`: an int argument is returned as it is.
fn to_int(
    vm: &mut Vm,
    args: &Args<'_>,
    name: &str,
    convert: fn(f64) -> Result<i64, convert::IntFailure>,
) -> NResult<Value> {
    args::check(vm, name, args, 1, 1, &[])?;
    match args.positional[0] {
        Value::Int(n) => Ok(Value::Int(n)),
        other => {
            let x = args::number(vm, name, other)?;
            convert(x)
                .map(Value::Int)
                .map_err(|failure| numbers::float_to_int_error(vm, name, failure, x))
        }
    }
}

fn round(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "math.round", args, 1, 2, &[])?;
    numbers::round_value(vm, "math.round", args.positional[0], args.get(1))
}

fn abs(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "math.abs", args, 1, 1, &[])?;
    numbers::abs_value(vm, "math.abs", args.positional[0])
}

fn test(vm: &mut Vm, args: &Args<'_>, name: &str, predicate: fn(f64) -> bool) -> NResult<Value> {
    args::check(vm, name, args, 1, 1, &[])?;
    let x = args::number(vm, name, args.positional[0])?;
    Ok(Value::Bool(predicate(x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::testing::*;

    #[test]
    fn every_math_entry_is_defined() {
        for name in noodle_nbc::builtins::BUILTINS {
            if let Some(member) = name.strip_prefix("math.") {
                assert!(lookup(member).is_some(), "{name}");
            }
        }
    }

    fn math(vm: &mut Vm, name: &str, args: &[Value]) -> String {
        let result = call(vm, &format!("math.{name}"), args);
        shown(result, vm)
    }

    #[test]
    fn constants() {
        let mut vm = vm();
        let vm = &mut vm;
        assert_eq!(math(vm, "pi", &[]), "3.141592653589793");
        assert_eq!(math(vm, "e", &[]), "2.718281828459045");
        assert_eq!(math(vm, "tau", &[]), "6.283185307179586");
        assert_eq!(math(vm, "inf", &[]), "inf");
        assert_eq!(math(vm, "nan", &[]), "nan");
        assert_eq!(math(vm, "max_int", &[]), "9223372036854775807");
        assert_eq!(math(vm, "min_int", &[]), "-9223372036854775808");
    }

    #[test]
    fn float_functions_accept_ints() {
        let mut vm = vm();
        let vm = &mut vm;
        assert_eq!(math(vm, "sqrt", &[Value::Int(16)]), "4.0");
        assert_eq!(math(vm, "sqrt", &[Value::Float(2.0)]), "1.4142135623730951");
        assert_eq!(math(vm, "sin", &[Value::Int(0)]), "0.0");
        assert_eq!(math(vm, "cos", &[Value::Int(0)]), "1.0");
        assert_eq!(
            math(vm, "atan2", &[Value::Int(1), Value::Int(1)]),
            "0.7853981633974483"
        );
        assert_eq!(math(vm, "exp", &[Value::Int(1)]), "2.718281828459045");
        assert_eq!(math(vm, "log", &[Value::Float(std::f64::consts::E)]), "1.0");
        assert_eq!(math(vm, "log", &[Value::Int(8), Value::Int(2)]), "3.0");
        assert_eq!(math(vm, "log2", &[Value::Int(1024)]), "10.0");
        assert_eq!(math(vm, "log10", &[Value::Int(1000)]), "3.0");
        assert_eq!(math(vm, "pow", &[Value::Int(2), Value::Int(10)]), "1024.0");
        assert_eq!(math(vm, "hypot", &[Value::Int(3), Value::Int(4)]), "5.0");
        assert_eq!(math(vm, "is_nan", &[Value::Float(f64::NAN)]), "true");
        assert_eq!(math(vm, "is_inf", &[Value::Int(5)]), "false");
        assert_eq!(math(vm, "sqrt", &[Value::Float(f64::INFINITY)]), "inf");
    }

    #[test]
    fn domain_and_range_errors() {
        let mut vm = vm();
        let vm = &mut vm;
        assert_eq!(
            math(vm, "sqrt", &[Value::Int(-1)]),
            "raised ValueError: math.sqrt(): math domain error"
        );
        assert_eq!(
            math(vm, "log", &[Value::Int(0)]),
            "raised ValueError: math.log(): math domain error"
        );
        assert_eq!(
            math(vm, "asin", &[Value::Int(2)]),
            "raised ValueError: math.asin(): math domain error"
        );
        assert_eq!(
            math(vm, "exp", &[Value::Int(1000)]),
            "raised OverflowError: math.exp(): math range error"
        );
        assert_eq!(
            math(vm, "pow", &[Value::Int(0), Value::Int(-1)]),
            "raised ValueError: math.pow(): math domain error"
        );
        assert_eq!(
            math(vm, "log", &[Value::Int(2), Value::Int(1)]),
            "raised ZeroDivisionError: math.log(): division by zero"
        );
        let text = s(vm, "4");
        assert_eq!(
            math(vm, "sqrt", &[text]),
            "raised TypeError: math.sqrt() needs a number, not str"
        );
        assert_eq!(
            math(vm, "sqrt", &[]),
            "raised TypeError: math.sqrt() takes 1 argument (0 given)"
        );
    }

    #[test]
    fn rounding_functions_return_ints() {
        let mut vm = vm();
        let vm = &mut vm;
        assert_eq!(math(vm, "floor", &[Value::Float(314.159)]), "314");
        assert_eq!(math(vm, "floor", &[Value::Float(-0.5)]), "-1");
        assert_eq!(math(vm, "ceil", &[Value::Float(0.1)]), "1");
        assert_eq!(math(vm, "trunc", &[Value::Float(-3.7)]), "-3");
        assert_eq!(math(vm, "round", &[Value::Float(2.5)]), "2");
        assert_eq!(
            math(vm, "round", &[Value::Float(2.675), Value::Int(2)]),
            "2.67"
        );
        assert_eq!(math(vm, "floor", &[Value::Int(7)]), "7");
        assert_eq!(math(vm, "abs", &[Value::Int(-7)]), "7");
        assert_eq!(
            math(vm, "floor", &[Value::Float(1e300)]),
            "raised OverflowError: math.floor(): 1e+300 does not fit in an int"
        );
        assert_eq!(
            math(vm, "ceil", &[Value::Float(f64::NAN)]),
            "raised ValueError: math.ceil(): cannot convert nan to an int"
        );
    }
}
