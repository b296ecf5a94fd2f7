//! Builtins called through the native-function contract.

use crate::builtins::testing::*;
use crate::value::Value;

#[test]
fn print_uses_str_sep_and_end() {
    let mut vm = vm();
    let a = s(&mut vm, "a");
    let inner = list(&mut vm, &[a, Value::Float(2.0)]);
    call(&mut vm, "print", &[a, Value::Int(1), inner, Value::None]).expect("print");
    let dash = s(&mut vm, "-");
    let bang = s(&mut vm, "!\n");
    call_named(
        &mut vm,
        "print",
        &[Value::Int(1), Value::Int(2)],
        &[("sep", dash), ("end", bang)],
    )
    .expect("print");
    call(&mut vm, "print", &[]).expect("print");
    assert_eq!(vm.take_output(), "a 1 [\"a\", 2.0] none\n1-2!\n\n");
    let result = call_named(&mut vm, "print", &[], &[("sep", Value::Int(1))]);
    assert_eq!(raised_kind(result, &vm), "TypeError");
    let result = call_named(&mut vm, "print", &[], &[("color", Value::Int(1))]);
    assert_eq!(
        shown(result, &vm),
        "raised TypeError: print() got an unexpected named argument 'color'"
    );
}

#[test]
fn len_str_repr_type_of() {
    let mut vm = vm();
    let ramen = s(&mut vm, "ramen 🍜");
    assert_eq!(shown(call(&mut vm, "len", &[ramen]), &vm), "7");
    let xs = ints(&mut vm, &[1, 2, 3]);
    assert_eq!(shown(call(&mut vm, "len", &[xs]), &vm), "3");
    let result = call(&mut vm, "len", &[Value::Int(3)]);
    assert_eq!(raised_kind(result, &vm), "TypeError");
    let result = call(&mut vm, "len", &[]);
    assert_eq!(
        shown(result, &vm),
        "raised TypeError: len() takes 1 argument (0 given)"
    );

    assert_eq!(
        shown(call(&mut vm, "str", &[Value::Int(42)]), &vm),
        "\"42\""
    );
    assert_eq!(shown(call(&mut vm, "str", &[xs]), &vm), "\"[1, 2, 3]\"");
    assert_eq!(shown(call(&mut vm, "str", &[]), &vm), "\"\"");
    let q = s(&mut vm, "q");
    assert_eq!(shown(call(&mut vm, "repr", &[q]), &vm), "\"\\\"q\\\"\"");
    assert_eq!(
        shown(call(&mut vm, "type_of", &[Value::Float(1.0)]), &vm),
        "\"float\""
    );
    assert_eq!(
        shown(call(&mut vm, "type_of", &[Value::Duration(5)]), &vm),
        "\"duration\""
    );
    assert_eq!(
        shown(call(&mut vm, "type_of", &[builtin("print")]), &vm),
        "\"function\""
    );
}

#[test]
fn int_conversions() {
    let mut vm = vm();
    let cases: &[(&str, &str)] = &[
        ("17", "17"),
        ("-3", "-3"),
        (" 5 ", "5"),
        ("1_000", "1000"),
        ("3.5", "raised ValueError: int() cannot convert \"3.5\""),
        ("x", "raised ValueError: int() cannot convert \"x\""),
        (
            "99999999999999999999",
            "raised OverflowError: int() of \"99999999999999999999\" does not fit in an int",
        ),
    ];
    for (text, expected) in cases {
        let v = s(&mut vm, text);
        assert_eq!(
            shown(call(&mut vm, "int", &[v]), &vm),
            *expected,
            "int({text:?})"
        );
    }
    assert_eq!(shown(call(&mut vm, "int", &[Value::Float(3.7)]), &vm), "3");
    assert_eq!(
        shown(call(&mut vm, "int", &[Value::Float(-3.7)]), &vm),
        "-3"
    );
    assert_eq!(shown(call(&mut vm, "int", &[Value::Bool(true)]), &vm), "1");
    assert_eq!(shown(call(&mut vm, "int", &[]), &vm), "0");
    let result = call(&mut vm, "int", &[Value::Float(f64::NAN)]);
    assert_eq!(raised_kind(result, &vm), "ValueError");
    let result = call(&mut vm, "int", &[Value::Float(1e19)]);
    assert_eq!(raised_kind(result, &vm), "OverflowError");
    let result = call(&mut vm, "int", &[Value::None]);
    assert_eq!(
        shown(result, &vm),
        "raised TypeError: int() cannot convert a none"
    );
    let ff = s(&mut vm, "ff");
    assert_eq!(
        shown(call(&mut vm, "int", &[ff, Value::Int(16)]), &vm),
        "255"
    );
    let bits = s(&mut vm, "-1010_1010");
    assert_eq!(
        shown(call(&mut vm, "int", &[bits, Value::Int(2)]), &vm),
        "-170"
    );
    let result = call(&mut vm, "int", &[ff, Value::Int(10)]);
    assert_eq!(raised_kind(result, &vm), "ValueError");
    let result = call(&mut vm, "int", &[ff, Value::Int(1)]);
    assert_eq!(raised_kind(result, &vm), "ValueError");
}

#[test]
fn float_and_bool_conversions() {
    let mut vm = vm();
    let text = s(&mut vm, "2.5");
    assert_eq!(shown(call(&mut vm, "float", &[text]), &vm), "2.5");
    assert_eq!(shown(call(&mut vm, "float", &[Value::Int(3)]), &vm), "3.0");
    let inf = s(&mut vm, "-inf");
    assert_eq!(shown(call(&mut vm, "float", &[inf]), &vm), "-inf");
    let bad = s(&mut vm, "2.5x");
    assert_eq!(
        shown(call(&mut vm, "float", &[bad]), &vm),
        "raised ValueError: float() cannot convert \"2.5x\""
    );
    assert_eq!(shown(call(&mut vm, "bool", &[Value::Int(0)]), &vm), "true");
    assert_eq!(shown(call(&mut vm, "bool", &[Value::None]), &vm), "false");
    let empty = s(&mut vm, "");
    assert_eq!(shown(call(&mut vm, "bool", &[empty]), &vm), "true");
    assert_eq!(shown(call(&mut vm, "bool", &[]), &vm), "false");
}

#[test]
fn list_and_range() {
    let mut vm = vm();
    let r = call(
        &mut vm,
        "range",
        &[Value::Int(10), Value::Int(0), Value::Int(-3)],
    )
    .expect("range");
    assert_eq!(vm.repr(r), "range(10, 0, -3)");
    assert_eq!(shown(call(&mut vm, "list", &[r]), &vm), "[10, 7, 4, 1]");
    let r = call(&mut vm, "range", &[Value::Int(3)]).expect("range");
    assert_eq!(shown(call(&mut vm, "list", &[r]), &vm), "[0, 1, 2]");
    let result = call(
        &mut vm,
        "range",
        &[Value::Int(0), Value::Int(5), Value::Int(0)],
    );
    assert_eq!(
        shown(result, &vm),
        "raised ValueError: range() step must not be zero"
    );
    let result = call(&mut vm, "range", &[Value::Float(1.0)]);
    assert_eq!(raised_kind(result, &vm), "TypeError");
    let text = s(&mut vm, "hé");
    assert_eq!(shown(call(&mut vm, "list", &[text]), &vm), "[\"h\", \"é\"]");
    assert_eq!(shown(call(&mut vm, "list", &[]), &vm), "[]");
    let xs = ints(&mut vm, &[1, 2]);
    let copy = call(&mut vm, "list", &[xs]).expect("copy");
    assert!(!copy.identical(xs));
    // A range too large to materialize fails cleanly instead of aborting.
    let huge = call(
        &mut vm,
        "range",
        &[Value::Int(i64::MIN), Value::Int(i64::MAX)],
    )
    .expect("lazy range");
    assert_eq!(
        raised_kind(call(&mut vm, "list", &[huge]), &vm),
        "MemoryError"
    );
}

#[test]
fn enumerate_and_zip() {
    let mut vm = vm();
    let a = s(&mut vm, "a");
    let b = s(&mut vm, "b");
    let letters = list(&mut vm, &[a, b]);
    assert_eq!(
        shown(call(&mut vm, "enumerate", &[letters]), &vm),
        "[[0, \"a\"], [1, \"b\"]]"
    );
    assert_eq!(
        shown(
            call_named(
                &mut vm,
                "enumerate",
                &[letters],
                &[("start", Value::Int(1))]
            ),
            &vm
        ),
        "[[1, \"a\"], [2, \"b\"]]"
    );
    let nums = ints(&mut vm, &[1, 2, 3]);
    assert_eq!(
        shown(call(&mut vm, "zip", &[nums, letters]), &vm),
        "[[1, \"a\"], [2, \"b\"]]"
    );
    assert_eq!(shown(call(&mut vm, "zip", &[]), &vm), "[]");
    let result = call(&mut vm, "zip", &[nums, Value::Int(1)]);
    assert_eq!(
        shown(result, &vm),
        "raised TypeError: zip() needs a list, str, map or range, not int"
    );
}

#[test]
fn min_and_max() {
    let mut vm = vm();
    let args = [Value::Int(4), Value::Int(2), Value::Int(8)];
    assert_eq!(shown(call(&mut vm, "min", &args), &vm), "2");
    assert_eq!(shown(call(&mut vm, "max", &args), &vm), "8");
    let xs = ints(&mut vm, &[1, 9, 3]);
    assert_eq!(shown(call(&mut vm, "max", &[xs]), &vm), "9");
    assert_eq!(
        shown(
            call(&mut vm, "min", &[Value::Int(1), Value::Float(0.5)]),
            &vm
        ),
        "0.5"
    );
    let words: Vec<Value> = ["ccc", "a", "bb", "zz"]
        .iter()
        .map(|w| s(&mut vm, w))
        .collect();
    let words = list(&mut vm, &words);
    let by_len = [("key", builtin("len"))];
    assert_eq!(
        shown(call_named(&mut vm, "min", &[words], &by_len), &vm),
        "\"a\""
    );
    // Ties keep the first element.
    assert_eq!(
        shown(call_named(&mut vm, "max", &[words], &by_len), &vm),
        "\"ccc\""
    );
    let empty = list(&mut vm, &[]);
    let result = call(&mut vm, "min", &[empty]);
    assert_eq!(
        shown(result, &vm),
        "raised ValueError: min() of an empty sequence"
    );
    assert_eq!(
        shown(
            call_named(&mut vm, "max", &[empty], &[("default", Value::None)]),
            &vm
        ),
        "none"
    );
    let a = s(&mut vm, "a");
    let result = call(&mut vm, "max", &[Value::Int(1), a]);
    assert_eq!(
        shown(result, &vm),
        "raised TypeError: cannot compare str and int"
    );
}

#[test]
fn sum_keeps_ints_and_checks_overflow() {
    let mut vm = vm();
    let xs = ints(&mut vm, &[1, 2, 3]);
    assert_eq!(shown(call(&mut vm, "sum", &[xs]), &vm), "6");
    let mixed = list(&mut vm, &[Value::Int(1), Value::Float(0.5)]);
    assert_eq!(shown(call(&mut vm, "sum", &[mixed]), &vm), "1.5");
    let big = ints(&mut vm, &[i64::MAX, 1]);
    assert_eq!(
        raised_kind(call(&mut vm, "sum", &[big]), &vm),
        "OverflowError"
    );
    let times = list(
        &mut vm,
        &[Value::Duration(1_000_000_000), Value::Duration(500_000_000)],
    );
    assert_eq!(shown(call(&mut vm, "sum", &[times]), &vm), "1.5s");
    let empty = list(&mut vm, &[]);
    assert_eq!(
        shown(call(&mut vm, "sum", &[empty, Value::Float(0.0)]), &vm),
        "0.0"
    );
    let r = call(&mut vm, "range", &[Value::Int(101)]).expect("range");
    assert_eq!(shown(call(&mut vm, "sum", &[r]), &vm), "5050");
}

#[test]
fn abs_and_round() {
    let mut vm = vm();
    assert_eq!(shown(call(&mut vm, "abs", &[Value::Int(-3)]), &vm), "3");
    assert_eq!(
        shown(call(&mut vm, "abs", &[Value::Float(-0.0)]), &vm),
        "0.0"
    );
    assert_eq!(
        shown(call(&mut vm, "abs", &[Value::Duration(-5)]), &vm),
        "5ns"
    );
    assert_eq!(
        raised_kind(call(&mut vm, "abs", &[Value::Int(i64::MIN)]), &vm),
        "OverflowError"
    );
    let cases: &[(Value, Option<i64>, &str)] = &[
        (Value::Float(2.5), None, "2"),
        (Value::Float(3.5), None, "4"),
        (Value::Float(-2.5), None, "-2"),
        (Value::Int(7), None, "7"),
        (Value::Float(2.675), Some(2), "2.67"),
        (Value::Float(1234.5), Some(-2), "1200.0"),
        (Value::Int(1250), Some(-2), "1200"),
        (
            Value::Float(f64::INFINITY),
            None,
            "raised OverflowError: round(): inf does not fit in an int",
        ),
        (
            Value::Float(f64::NAN),
            None,
            "raised ValueError: round(): cannot convert nan to an int",
        ),
    ];
    for &(x, digits, expected) in cases {
        let mut args = vec![x];
        args.extend(digits.map(Value::Int));
        assert_eq!(
            shown(call(&mut vm, "round", &args), &vm),
            expected,
            "round({x:?}, {digits:?})"
        );
    }
}

#[test]
fn sorted_is_stable_with_key_and_reverse() {
    let mut vm = vm();
    let xs = ints(&mut vm, &[5, 3, 8, 1]);
    assert_eq!(shown(call(&mut vm, "sorted", &[xs]), &vm), "[1, 3, 5, 8]");
    assert_eq!(vm.repr(xs), "[5, 3, 8, 1]", "sorted copies");
    let reverse = [("reverse", Value::Bool(true))];
    assert_eq!(
        shown(call_named(&mut vm, "sorted", &[xs], &reverse), &vm),
        "[8, 5, 3, 1]"
    );
    let words: Vec<Value> = ["bb", "a", "ccc", "dd", "e"]
        .iter()
        .map(|w| s(&mut vm, w))
        .collect();
    let words = list(&mut vm, &words);
    let by_len = [("key", builtin("len"))];
    assert_eq!(
        shown(call_named(&mut vm, "sorted", &[words], &by_len), &vm),
        "[\"a\", \"e\", \"bb\", \"dd\", \"ccc\"]"
    );
    let by_len_reversed = [("key", builtin("len")), ("reverse", Value::Bool(true))];
    assert_eq!(
        shown(
            call_named(&mut vm, "sorted", &[words], &by_len_reversed),
            &vm
        ),
        "[\"ccc\", \"bb\", \"dd\", \"a\", \"e\"]"
    );
    let text = s(&mut vm, "cab");
    assert_eq!(
        shown(call(&mut vm, "sorted", &[text]), &vm),
        "[\"a\", \"b\", \"c\"]"
    );
    let a = s(&mut vm, "a");
    let mixed = list(&mut vm, &[Value::Int(1), a]);
    assert_eq!(
        raised_kind(call(&mut vm, "sorted", &[mixed]), &vm),
        "TypeError"
    );
    let result = call_named(&mut vm, "sorted", &[xs], &[("kye", Value::None)]);
    assert_eq!(
        shown(result, &vm),
        "raised TypeError: sorted() got an unexpected named argument 'kye'"
    );
}

#[test]
fn assert_raises_assertion_error() {
    let mut vm = vm();
    assert_eq!(
        shown(call(&mut vm, "assert", &[Value::Int(0)]), &vm),
        "none"
    );
    let message = s(&mut vm, "math is broken");
    let result = call(&mut vm, "assert", &[Value::Bool(false), message]);
    assert_eq!(shown(result, &vm), "raised AssertionError: math is broken");
    let result = call(&mut vm, "assert", &[Value::None]);
    assert_eq!(
        shown(result, &vm),
        "raised AssertionError: assertion failed"
    );
}

#[test]
fn error_constructors() {
    let mut vm = vm();
    let message = s(&mut vm, "bad");
    assert_eq!(
        shown(call(&mut vm, "ValueError", &[message]), &vm),
        "ValueError: bad"
    );
    let nope = s(&mut vm, "nope");
    let key_error = call(&mut vm, "KeyError", &[nope]).expect("constructs");
    assert_eq!(
        vm.heap.error_obj(key_error).map(|e| e.message.clone()),
        Some("\"nope\"".to_string())
    );
    let quota = s(&mut vm, "QuotaError");
    let custom = s(&mut vm, "custom failure");
    assert_eq!(
        shown(
            call_named(&mut vm, "Error", &[custom], &[("kind", quota)]),
            &vm
        ),
        "QuotaError: custom failure"
    );
    assert_eq!(
        shown(call(&mut vm, "Error", &[custom]), &vm),
        "Error: custom failure"
    );
    assert_eq!(
        shown(call(&mut vm, "TypeError", &[Value::Int(3)]), &vm),
        "TypeError: 3"
    );
    assert_eq!(shown(call(&mut vm, "IndexError", &[]), &vm), "IndexError");
    let inner = call(&mut vm, "ValueError", &[message]).expect("constructs");
    let errors = list(&mut vm, &[inner]);
    let aggregate = call(&mut vm, "AggregateError", &[message, errors]).expect("constructs");
    assert_eq!(
        vm.heap.error_obj(aggregate).map(|e| e.errors.len()),
        Some(1)
    );
    let result = call_named(&mut vm, "ValueError", &[message], &[("kind", quota)]);
    assert_eq!(raised_kind(result, &vm), "TypeError");
}

#[test]
fn now_is_monotonic() {
    let mut vm = vm();
    let first = call(&mut vm, "now", &[]).expect("now");
    let second = call(&mut vm, "now", &[]).expect("now");
    match (first, second) {
        (Value::Duration(a), Value::Duration(b)) => assert!(a <= b),
        _ => panic!("now() returns durations"),
    }
}

/// Everything in the table is defined except the concurrency runtime's.
#[test]
fn every_builtin_but_concurrency_is_defined() {
    const RUNTIME: &[&str] = &[
        "map_reduce",
        "channel",
        "sleep",
        "timeout",
        "all",
        "any",
        "race",
        "stop",
    ];
    for (i, name) in noodle_nbc::builtins::BUILTINS.iter().enumerate() {
        let defined = crate::builtins::lookup(i as u16).is_some();
        assert_eq!(defined, !RUNTIME.contains(name), "{name}");
    }
}
