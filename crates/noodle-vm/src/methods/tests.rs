//! Native methods called through the native-method contract. Callbacks
//! are builtins (`str`, `len`, `int`), which `Vm::call_value` calls like
//! closures.

use crate::builtins::testing::*;
use crate::value::Value;

#[test]
fn list_push_pop_insert() {
    let mut vm = vm();
    let xs = ints(&mut vm, &[1, 2, 3]);
    assert_eq!(
        shown(method(&mut vm, xs, "push", &[Value::Int(4)]), &vm),
        "none"
    );
    assert_eq!(
        shown(
            method(&mut vm, xs, "insert", &[Value::Int(0), Value::Int(0)]),
            &vm
        ),
        "none"
    );
    assert_eq!(vm.repr(xs), "[0, 1, 2, 3, 4]");
    method(&mut vm, xs, "insert", &[Value::Int(-1), Value::Int(9)]).expect("insert");
    method(&mut vm, xs, "insert", &[Value::Int(100), Value::Int(7)]).expect("insert");
    method(&mut vm, xs, "insert", &[Value::Int(-100), Value::Int(-1)]).expect("insert");
    assert_eq!(vm.repr(xs), "[-1, 0, 1, 2, 3, 9, 4, 7]");
    assert_eq!(shown(method(&mut vm, xs, "pop", &[]), &vm), "7");
    assert_eq!(
        shown(method(&mut vm, xs, "pop", &[Value::Int(0)]), &vm),
        "-1"
    );
    assert_eq!(
        shown(method(&mut vm, xs, "pop", &[Value::Int(-2)]), &vm),
        "9"
    );
    assert_eq!(vm.repr(xs), "[0, 1, 2, 3, 4]");
    let result = method(&mut vm, xs, "pop", &[Value::Int(5)]);
    assert_eq!(
        shown(result, &vm),
        "raised IndexError: pop index 5 out of range (length 5)"
    );
    let empty = list(&mut vm, &[]);
    let result = method(&mut vm, empty, "pop", &[]);
    assert_eq!(
        shown(result, &vm),
        "raised IndexError: pop from an empty list"
    );
    let result = method(&mut vm, xs, "push", &[]);
    assert_eq!(
        shown(result, &vm),
        "raised TypeError: list.push() takes 1 argument (0 given)"
    );
}

#[test]
fn list_search_and_remove() {
    let mut vm = vm();
    let xs = list(
        &mut vm,
        &[
            Value::Int(10),
            Value::Float(3.0),
            Value::Int(3),
            Value::Int(7),
        ],
    );
    assert_eq!(
        shown(method(&mut vm, xs, "contains", &[Value::Int(3)]), &vm),
        "true"
    );
    assert_eq!(
        shown(method(&mut vm, xs, "contains", &[Value::Int(4)]), &vm),
        "false"
    );
    assert_eq!(
        shown(method(&mut vm, xs, "index", &[Value::Int(3)]), &vm),
        "1"
    );
    assert_eq!(
        shown(method(&mut vm, xs, "count", &[Value::Int(3)]), &vm),
        "2"
    );
    let result = method(&mut vm, xs, "index", &[Value::Int(4)]);
    assert_eq!(
        shown(result, &vm),
        "raised ValueError: list.index(): 4 is not in the list"
    );
    method(&mut vm, xs, "remove", &[Value::Int(3)]).expect("remove");
    assert_eq!(vm.repr(xs), "[10, 3, 7]");
    let missing = s(&mut vm, "x");
    let result = method(&mut vm, xs, "remove", &[missing]);
    assert_eq!(
        shown(result, &vm),
        "raised ValueError: list.remove(): \"x\" is not in the list"
    );
    assert_eq!(shown(method(&mut vm, xs, "len", &[]), &vm), "3");
}

#[test]
fn list_reorder_and_copy() {
    let mut vm = vm();
    let xs = ints(&mut vm, &[3, 1, 2]);
    method(&mut vm, xs, "reverse", &[]).expect("reverse");
    assert_eq!(vm.repr(xs), "[2, 1, 3]");
    method(&mut vm, xs, "sort", &[]).expect("sort");
    assert_eq!(vm.repr(xs), "[1, 2, 3]");
    method_named(&mut vm, xs, "sort", &[], &[("reverse", Value::Bool(true))]).expect("sort");
    assert_eq!(vm.repr(xs), "[3, 2, 1]");
    let words: Vec<Value> = ["pear", "fig", "apple", "kiwi"]
        .iter()
        .map(|w| s(&mut vm, w))
        .collect();
    let words = list(&mut vm, &words);
    method_named(&mut vm, words, "sort", &[], &[("key", builtin("len"))]).expect("sort");
    assert_eq!(vm.repr(words), "[\"fig\", \"pear\", \"kiwi\", \"apple\"]");
    let copy = method(&mut vm, xs, "copy", &[]).expect("copy");
    method(&mut vm, copy, "push", &[Value::Int(0)]).expect("push");
    assert_eq!(
        (vm.repr(xs), vm.repr(copy)),
        ("[3, 2, 1]".to_string(), "[3, 2, 1, 0]".to_string())
    );
    let nums = ints(&mut vm, &[0, 1, 2, 3, 4]);
    assert_eq!(
        shown(
            method(&mut vm, nums, "slice", &[Value::Int(1), Value::Int(3)]),
            &vm
        ),
        "[1, 2]"
    );
    assert_eq!(
        shown(method(&mut vm, nums, "slice", &[Value::Int(-2)]), &vm),
        "[3, 4]"
    );
    assert_eq!(
        shown(
            method(&mut vm, nums, "slice", &[Value::Int(3), Value::Int(99)]),
            &vm
        ),
        "[3, 4]"
    );
    method(&mut vm, nums, "extend", &[xs]).expect("extend");
    assert_eq!(vm.repr(nums), "[0, 1, 2, 3, 4, 3, 2, 1]");
    method(&mut vm, nums, "clear", &[]).expect("clear");
    assert_eq!(vm.repr(nums), "[]");
}

#[test]
fn list_callbacks() {
    let mut vm = vm();
    let xs = ints(&mut vm, &[5, -3, 8]);
    assert_eq!(
        shown(method(&mut vm, xs, "map", &[builtin("str")]), &vm),
        "[\"5\", \"-3\", \"8\"]"
    );
    assert_eq!(
        shown(method(&mut vm, xs, "map", &[builtin("abs")]), &vm),
        "[5, 3, 8]"
    );
    let flags = list(
        &mut vm,
        &[
            Value::Int(1),
            Value::None,
            Value::Bool(false),
            Value::Int(0),
        ],
    );
    assert_eq!(
        shown(method(&mut vm, flags, "filter", &[builtin("bool")]), &vm),
        "[1, 0]"
    );
    assert_eq!(
        shown(
            method(&mut vm, xs, "reduce", &[builtin("max"), Value::Int(0)]),
            &vm
        ),
        "8"
    );
    assert_eq!(
        shown(method(&mut vm, xs, "reduce", &[builtin("min")]), &vm),
        "-3"
    );
    let empty = list(&mut vm, &[]);
    assert_eq!(
        shown(
            method(&mut vm, empty, "reduce", &[builtin("min"), Value::Int(7)]),
            &vm
        ),
        "7"
    );
    assert_eq!(
        raised_kind(method(&mut vm, empty, "reduce", &[builtin("min")]), &vm),
        "ValueError"
    );
    // An error in the callback propagates.
    let text = s(&mut vm, "x");
    let bad = list(&mut vm, &[text]);
    assert_eq!(
        raised_kind(method(&mut vm, bad, "map", &[builtin("int")]), &vm),
        "ValueError"
    );
}

#[test]
fn list_join() {
    let mut vm = vm();
    let a = s(&mut vm, "a");
    let xs = list(&mut vm, &[a, Value::Int(1), Value::Float(2.5)]);
    let sep = s(&mut vm, ", ");
    assert_eq!(
        shown(method(&mut vm, xs, "join", &[sep]), &vm),
        "\"a, 1, 2.5\""
    );
    assert_eq!(shown(method(&mut vm, xs, "join", &[]), &vm), "\"a12.5\"");
}

#[test]
fn map_methods() {
    let mut vm = vm();
    let m = vm.heap.alloc_map(crate::object::Map::new());
    let one = s(&mut vm, "one");
    let two = s(&mut vm, "two");
    method(&mut vm, m, "set", &[one, Value::Int(1)]).expect("set");
    method(&mut vm, m, "set", &[two, Value::Int(2)]).expect("set");
    method(&mut vm, m, "set", &[Value::Int(3), Value::None]).expect("set");
    method(&mut vm, m, "set", &[one, Value::Int(11)]).expect("set");
    assert_eq!(vm.repr(m), "{\"one\": 11, \"two\": 2, 3: none}");
    assert_eq!(shown(method(&mut vm, m, "get", &[two]), &vm), "2");
    let five = s(&mut vm, "five");
    assert_eq!(shown(method(&mut vm, m, "get", &[five]), &vm), "none");
    assert_eq!(
        shown(method(&mut vm, m, "get", &[five, Value::Int(5)]), &vm),
        "5"
    );
    assert_eq!(
        shown(method(&mut vm, m, "get", &[Value::Float(1.5)]), &vm),
        "none"
    );
    assert_eq!(
        shown(method(&mut vm, m, "contains", &[Value::Int(3)]), &vm),
        "true"
    );
    assert_eq!(shown(method(&mut vm, m, "contains", &[five]), &vm), "false");
    assert_eq!(
        shown(method(&mut vm, m, "keys", &[]), &vm),
        "[\"one\", \"two\", 3]"
    );
    assert_eq!(
        shown(method(&mut vm, m, "values", &[]), &vm),
        "[11, 2, none]"
    );
    assert_eq!(
        shown(method(&mut vm, m, "items", &[]), &vm),
        "[[\"one\", 11], [\"two\", 2], [3, none]]"
    );
    assert_eq!(shown(method(&mut vm, m, "len", &[]), &vm), "3");
    assert_eq!(shown(method(&mut vm, m, "remove", &[one]), &vm), "11");
    assert_eq!(
        shown(method(&mut vm, m, "remove", &[one]), &vm),
        "raised KeyError: \"one\""
    );
    assert_eq!(
        shown(method(&mut vm, m, "remove", &[one, Value::Int(0)]), &vm),
        "0"
    );
    let key_list = list(&mut vm, &[]);
    assert_eq!(
        raised_kind(method(&mut vm, m, "set", &[key_list, Value::Int(0)]), &vm),
        "TypeError"
    );
    let copy = method(&mut vm, m, "copy", &[]).expect("copy");
    method(&mut vm, copy, "clear", &[]).expect("clear");
    assert_eq!(
        (vm.repr(m), vm.repr(copy)),
        ("{\"two\": 2, 3: none}".to_string(), "{}".to_string())
    );
}

/// Calls a str method on `receiver` and shows the result.
fn on_str(vm: &mut crate::vm::Vm, receiver: &str, name: &str, args: &[&str]) -> String {
    let receiver = s(vm, receiver);
    let args: Vec<Value> = args.iter().map(|a| s(vm, a)).collect();
    let result = method(vm, receiver, name, &args);
    shown(result, vm)
}

#[test]
fn str_methods() {
    let mut vm = vm();
    let vm = &mut vm;
    assert_eq!(on_str(vm, "Noodle", "len", &[]), "6");
    assert_eq!(on_str(vm, "héllo", "upper", &[]), "\"HÉLLO\"");
    assert_eq!(on_str(vm, "NooDle", "lower", &[]), "\"noodle\"");
    assert_eq!(on_str(vm, "  pad \n", "strip", &[]), "\"pad\"");
    assert_eq!(on_str(vm, "xxpadxy", "strip", &["xy"]), "\"pad\"");
    assert_eq!(
        on_str(vm, "a,b,,c", "split", &[","]),
        "[\"a\", \"b\", \"\", \"c\"]"
    );
    assert_eq!(
        on_str(vm, " a b  c ", "split", &[]),
        "[\"a\", \"b\", \"c\"]"
    );
    assert_eq!(
        on_str(vm, "a", "split", &[""]),
        "raised ValueError: str.split(): empty separator"
    );
    assert_eq!(on_str(vm, "Noodle", "replace", &["o", "0"]), "\"N00dle\"");
    assert_eq!(on_str(vm, "Noodle", "starts_with", &["Noo"]), "true");
    assert_eq!(on_str(vm, "Noodle", "ends_with", &["le"]), "true");
    assert_eq!(on_str(vm, "Noodle", "find", &["dl"]), "3");
    assert_eq!(on_str(vm, "héllo", "find", &["l"]), "2");
    assert_eq!(on_str(vm, "Noodle", "find", &["zz"]), "-1");
    assert_eq!(on_str(vm, "Noodle", "contains", &["od"]), "true");
    assert_eq!(
        on_str(vm, "héllo", "chars", &[]),
        "[\"h\", \"é\", \"l\", \"l\", \"o\"]"
    );
    assert_eq!(on_str(vm, "hé", "bytes", &[]), "[104, 195, 169]");
    assert_eq!(on_str(vm, "12", "parse_int", &[]), "12");
    assert_eq!(
        on_str(vm, "1.5", "parse_int", &[]),
        "raised ValueError: parse_int(): \"1.5\" is not an int"
    );
    assert_eq!(on_str(vm, "2.5", "parse_float", &[]), "2.5");
    assert_eq!(
        on_str(vm, "x", "parse_float", &[]),
        "raised ValueError: parse_float(): \"x\" is not a float"
    );
    assert_eq!(
        on_str(vm, "Noodle", "find", &[]),
        "raised TypeError: str.find() takes 1 argument (0 given)"
    );
}

#[test]
fn str_split_limit_replace_count_and_join() {
    let mut vm = vm();
    let text = s(&mut vm, "a=b=c");
    let sep = s(&mut vm, "=");
    assert_eq!(
        shown(method(&mut vm, text, "split", &[sep, Value::Int(1)]), &vm),
        "[\"a\", \"b=c\"]"
    );
    let o = s(&mut vm, "=");
    let dash = s(&mut vm, "-");
    assert_eq!(
        shown(
            method(&mut vm, text, "replace", &[o, dash, Value::Int(1)]),
            &vm
        ),
        "\"a-b=c\""
    );
    let x = s(&mut vm, "x");
    let parts: Vec<Value> = ["1", "2", "3"].iter().map(|p| s(&mut vm, p)).collect();
    let parts = list(&mut vm, &parts);
    assert_eq!(
        shown(method(&mut vm, x, "join", &[parts]), &vm),
        "\"1x2x3\""
    );
    let r = call(&mut vm, "range", &[Value::Int(3)]).expect("range");
    assert_eq!(shown(method(&mut vm, dash, "join", &[r]), &vm), "\"0-1-2\"");
    assert_eq!(
        raised_kind(method(&mut vm, dash, "join", &[Value::Int(3)]), &vm),
        "TypeError"
    );
}

#[test]
fn unknown_methods_are_not_found() {
    assert!(crate::methods::lookup(crate::value::TypeTag::Str, "foo").is_none());
    assert!(crate::methods::lookup(crate::value::TypeTag::Int, "len").is_none());
    assert!(crate::methods::lookup(crate::value::TypeTag::List, "push").is_some());
}
