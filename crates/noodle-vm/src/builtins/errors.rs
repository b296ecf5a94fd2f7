//! Error constructors (`Error(msg, kind: "X")`, `ValueError(msg)`, ...)
//! and `assert`.
//!
//! The message is the argument as `str()` shows it (`""` when omitted),
//! except for `KeyError`, whose message is the key as it prints inside a
//! container, so `KeyError("nope")` reads `KeyError: "nope"` like a failed
//! lookup does. `AggregateError(msg, errors)` also takes the list of
//! branch errors that `.errors` returns.

use crate::builtins::args;
use crate::error::kinds;
use crate::format;
use crate::native::{Args, NResult, NativeFn};
use crate::object::Object;
use crate::value::Value;
use crate::vm::Vm;

/// The constructor builtin called `name`: `Error` or one of the kinds of
/// `noodle_nbc::builtins::error_kinds()`.
pub fn constructor(name: &str) -> Option<NativeFn> {
    macro_rules! constructors {
        ($($kind:literal),* $(,)?) => {
            match name {
                "Error" => Some(error as NativeFn),
                $($kind => {
                    let construct_kind: NativeFn = |vm, args| construct(vm, args, $kind);
                    Some(construct_kind)
                })*
                _ => None,
            }
        };
    }
    constructors!(
        "TypeError",
        "ValueError",
        "IndexError",
        "KeyError",
        "ZeroDivisionError",
        "OverflowError",
        "MatchError",
        "AssertionError",
        "AggregateError",
        "RecursionError",
        "ChannelClosed",
        "DeadlockError",
        "TimeoutError",
        "CancelledError",
        "ActorStopped",
        "PlacementError",
        "DbError",
        "IoError",
        "PermissionError",
        "NameError",
        "UnsupportedError",
    )
}

/// The message an error constructor makes of its argument.
fn message_of(vm: &Vm, kind: &str, v: Option<Value>) -> String {
    match v {
        None => String::new(),
        Some(v) if kind == kinds::KEY => format::repr_string(&vm.heap, v),
        Some(v) => format::display_string(&vm.heap, v),
    }
}

/// `Error(msg, kind: "X")`: an error of any kind, `Error` by default.
fn error(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "Error", args, 0, 1, &["kind"])?;
    let kind = args::text_or(vm, "Error", args.named("kind"), "Error")?;
    if kind.is_empty() {
        return Err(args::value_error(vm, "Error(): kind must not be empty"));
    }
    // An explicit kind takes the message as given, even for KeyError.
    let message = message_of(vm, "Error", args.get(0));
    Ok(vm.heap.new_error(&kind, message))
}

/// `ValueError(msg)` and the other kind constructors.
fn construct(vm: &mut Vm, args: &Args<'_>, kind: &str) -> NResult<Value> {
    if kind == "AggregateError" {
        return aggregate(vm, args);
    }
    args::check(vm, kind, args, 0, 1, &[])?;
    let message = message_of(vm, kind, args.get(0));
    Ok(vm.heap.new_error(kind, message))
}

/// `AggregateError(msg, errors)`: `errors` (positional or named) is a list.
fn aggregate(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    const NAME: &str = "AggregateError";
    args::check(vm, NAME, args, 0, 2, &["errors"])?;
    let errors = match args.get(1).or_else(|| args.named("errors")) {
        None => Vec::new(),
        Some(list) => match vm.heap.list(list) {
            Some(items) => items.clone(),
            None => return Err(args::wrong_type(vm, NAME, "a list of errors", list)),
        },
    };
    let message = message_of(vm, NAME, args.get(0));
    let error = vm.heap.new_error(NAME, message);
    if let Value::Obj(r) = error
        && let Object::Error(e) = vm.heap.get_mut(r)
    {
        e.errors = errors;
    }
    Ok(error)
}

/// `assert(cond, msg)`: raises `AssertionError` (message `msg`, or
/// `assertion failed`) when `cond` is falsy.
pub fn assert(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "assert", args, 1, 2, &[])?;
    if args.positional[0].is_truthy() {
        return Ok(Value::None);
    }
    let message = match args.get(1) {
        Some(v) => format::display_string(&vm.heap, v),
        None => "assertion failed".to_string(),
    };
    Err(vm.error("AssertionError", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_a_constructor() {
        for kind in noodle_nbc::builtins::error_kinds() {
            assert!(constructor(kind).is_some(), "{kind}");
        }
        assert!(constructor("Error").is_some());
        assert!(constructor("print").is_none());
    }
}
