use super::*;
use crate::heap::Heap;

fn kind(heap: &Heap, r: NResult<Value>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(Thrown(e)) => heap.error_obj(e).expect("an error object").kind.to_string(),
    }
}

fn message(heap: &Heap, r: NResult<Value>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(Thrown(e)) => heap.error_obj(e).expect("an error object").message.clone(),
    }
}

fn int(r: NResult<Value>) -> i64 {
    match r {
        Ok(Value::Int(i)) => i,
        other => panic!("expected an int, got {other:?}"),
    }
}

fn float(r: NResult<Value>) -> f64 {
    match r {
        Ok(Value::Float(f)) => f,
        other => panic!("expected a float, got {other:?}"),
    }
}

use Value::{Duration, Float, Int};

#[test]
fn int_arithmetic_is_checked() {
    let h = &mut Heap::new();
    assert_eq!(int(add(h, Int(2), Int(3))), 5);
    let r = add(h, Int(i64::MAX), Int(1));
    assert_eq!(kind(h, r), "OverflowError");
    let r = sub(h, Int(i64::MIN), Int(1));
    assert_eq!(kind(h, r), "OverflowError");
    let r = mul(h, Int(1 << 40), Int(1 << 40));
    assert_eq!(kind(h, r), "OverflowError");
    let r = neg(h, Int(i64::MIN));
    assert_eq!(kind(h, r), "OverflowError");
    let r = pow(h, Int(2), Int(63));
    assert_eq!(kind(h, r), "OverflowError");
    assert_eq!(int(pow(h, Int(2), Int(62))), 1 << 62);
    assert_eq!(int(pow(h, Int(-1), Int(1 << 40))), 1);
    let r = shl(h, Int(1), Int(63));
    assert_eq!(kind(h, r), "OverflowError");
    assert_eq!(int(shl(h, Int(1), Int(10))), 1024);
    assert_eq!(int(shl(h, Int(-1), Int(63))), i64::MIN);
    assert_eq!(int(shr(h, Int(-1024), Int(100))), -1);
    let r = floor_div(h, Int(i64::MIN), Int(-1));
    assert_eq!(kind(h, r), "OverflowError");
    assert_eq!(int(modulo(h, Int(i64::MIN), Int(-1))), 0);
}

#[test]
fn division_and_modulo_follow_the_floor() {
    let h = &mut Heap::new();
    assert_eq!(float(div(h, Int(7), Int(2))), 3.5);
    assert_eq!(int(floor_div(h, Int(7), Int(2))), 3);
    assert_eq!(int(floor_div(h, Int(-7), Int(2))), -4);
    assert_eq!(int(floor_div(h, Int(7), Int(-2))), -4);
    assert_eq!(int(modulo(h, Int(-7), Int(2))), 1);
    assert_eq!(int(modulo(h, Int(7), Int(-2))), -1);
    assert_eq!(float(modulo(h, Float(-7.5), Int(2))), 0.5);
    assert_eq!(float(modulo(h, Float(7.5), Float(-2.0))), -0.5);
    assert_eq!(float(floor_div(h, Float(7.0), Int(2))), 3.0);
    assert_eq!(float(pow(h, Int(2), Int(-1))), 0.5);
    assert_eq!(float(pow(h, Float(2.0), Float(0.5))), 2f64.sqrt());
}

#[test]
fn dividing_by_zero_raises() {
    let h = &mut Heap::new();
    for r in [
        div(h, Int(1), Int(0)),
        div(h, Float(1.0), Float(0.0)),
        floor_div(h, Int(1), Int(0)),
        floor_div(h, Float(1.0), Int(0)),
        modulo(h, Int(1), Int(0)),
        modulo(h, Float(1.0), Float(0.0)),
        div(h, Duration(10), Int(0)),
    ] {
        assert_eq!(message(h, r), "division by zero");
        assert_eq!(kind(h, r), "ZeroDivisionError");
    }
}

#[test]
fn strings_and_lists_concatenate_and_repeat() {
    let h = &mut Heap::new();
    let (ab, cd) = (h.alloc_str("ab"), h.alloc_str("cd"));
    let r = add(h, ab, cd).unwrap();
    assert_eq!(h.as_str(r), Some("abcd"));
    let r = mul(h, ab, Int(3)).unwrap();
    assert_eq!(h.as_str(r), Some("ababab"));
    let r = mul(h, Int(-2), ab).unwrap();
    assert_eq!(h.as_str(r), Some(""));
    let xs = h.alloc_list(vec![Int(0)]);
    let r = mul(h, xs, Int(4)).unwrap();
    assert_eq!(h.list(r).unwrap().len(), 4);
    let r = add(h, r, xs).unwrap();
    assert_eq!(h.list(r).unwrap().len(), 5);
    let r = add(h, Int(1), ab);
    assert_eq!(
        message(h, r),
        "unsupported operand types for +: int and str"
    );
    let r = mul(h, ab, Int(i64::MAX));
    assert_eq!(kind(h, r), "ValueError");
}

#[test]
fn durations_scale_and_compare() {
    let h = &mut Heap::new();
    assert!(matches!(add(h, Duration(5), Duration(7)), Ok(Duration(12))));
    assert!(matches!(sub(h, Duration(5), Duration(7)), Ok(Duration(-2))));
    assert!(matches!(mul(h, Duration(5), Int(3)), Ok(Duration(15))));
    assert!(matches!(
        mul(h, Float(1.5), Duration(1_000)),
        Ok(Duration(1_500))
    ));
    assert!(matches!(div(h, Duration(9), Int(3)), Ok(Duration(3))));
    assert_eq!(
        compare(h, Duration(1), Duration(2)),
        Ok(Some(Ordering::Less))
    );
    let r = add(h, Duration(1), Int(1));
    assert_eq!(kind(h, r), "TypeError");
}

#[test]
fn equality_is_structural_for_data_and_exact_for_bools() {
    let h = &mut Heap::new();
    assert!(equals(h, Int(1), Float(1.0)));
    assert!(!equals(h, Value::Bool(true), Int(1)));
    assert!(!equals(h, Float(f64::NAN), Float(f64::NAN)));
    assert!(!equals(h, Int(i64::MAX), Float(i64::MAX as f64)));
    assert!(equals(h, Value::None, Value::None));
    let (a, b) = (h.alloc_str("x"), h.alloc_string("x".to_string()));
    assert!(equals(h, a, b));
    let inner1 = h.alloc_list(vec![Int(2)]);
    let inner2 = h.alloc_list(vec![Float(2.0)]);
    let l1 = h.alloc_list(vec![Int(1), inner1]);
    let l2 = h.alloc_list(vec![Int(1), inner2]);
    assert!(equals(h, l1, l2));
    let l3 = h.alloc_list(vec![Int(1)]);
    assert!(!equals(h, l1, l3));
    let mut m1 = crate::object::Map::new();
    m1.insert(MapKey::Int(1), Int(1), a);
    let k = h.alloc_str("k");
    m1.insert(MapKey::Str("k".into()), k, Int(2));
    let mut m2 = crate::object::Map::new();
    m2.insert(MapKey::Str("k".into()), k, Int(2));
    m2.insert(MapKey::Int(1), Int(1), b);
    let (m1, m2) = (h.alloc_map(m1), h.alloc_map(m2));
    assert!(equals(h, m1, m2), "maps compare regardless of order");
}

use crate::object::MapKey;

#[test]
fn cyclic_lists_compare_without_crashing() {
    let h = &mut Heap::new();
    let a = h.alloc_list(vec![]);
    let b = h.alloc_list(vec![]);
    h.list_mut(a).unwrap().push(a);
    h.list_mut(b).unwrap().push(b);
    assert!(equals(h, a, a));
    assert!(equals(h, a, b), "identically shaped cycles are equal");
    let c = h.alloc_list(vec![Int(1)]);
    h.list_mut(c).unwrap().push(c);
    assert!(!equals(h, a, c));
    assert_eq!(compare(h, a, b), Ok(Some(Ordering::Equal)));
    // Deep but finite nesting: no recursion in equality.
    let mut deep1 = h.alloc_list(vec![]);
    let mut deep2 = h.alloc_list(vec![]);
    for _ in 0..100_000 {
        deep1 = h.alloc_list(vec![deep1]);
        deep2 = h.alloc_list(vec![deep2]);
    }
    assert!(equals(h, deep1, deep2));
}

#[test]
fn ordering_is_defined_for_numbers_strings_and_lists_only() {
    let h = &mut Heap::new();
    assert_eq!(compare(h, Int(1), Float(1.5)), Ok(Some(Ordering::Less)));
    assert_eq!(compare(h, Float(2.0), Int(2)), Ok(Some(Ordering::Equal)));
    assert_eq!(compare(h, Float(f64::NAN), Int(2)), Ok(None));
    let (a, b) = (h.alloc_str("abc"), h.alloc_str("abd"));
    assert_eq!(compare(h, a, b), Ok(Some(Ordering::Less)));
    let (l1, l2) = (
        h.alloc_list(vec![Int(1), Int(2)]),
        h.alloc_list(vec![Int(1), Int(2), Int(0)]),
    );
    assert_eq!(compare(h, l1, l2), Ok(Some(Ordering::Less)));
    assert!(compare(h, Int(1), a).is_err());
    assert!(compare(h, Value::None, Value::None).is_err());
    assert!(compare(h, Value::Bool(true), Value::Bool(false)).is_err());
    let r = compare_op(h, CompareOp::Lt, Int(1), a);
    assert_eq!(kind(h, r), "TypeError");
    assert!(matches!(
        compare_op(h, CompareOp::Ge, Int(2), Float(2.0)),
        Ok(Value::Bool(true))
    ));
    assert!(matches!(
        compare_op(h, CompareOp::Lt, Float(f64::NAN), Int(2)),
        Ok(Value::Bool(false))
    ));
}

#[test]
fn membership() {
    let h = &mut Heap::new();
    let s = h.alloc_str("noodle");
    let od = h.alloc_str("od");
    assert!(contains(h, od, s).unwrap());
    let xs = h.alloc_list(vec![Int(1), Float(2.0)]);
    assert!(contains(h, Int(2), xs).unwrap());
    let r = h.alloc_range(0, 5, 1);
    assert!(contains(h, Int(4), r).unwrap());
    assert!(!contains(h, Int(5), r).unwrap());
    let stepped = h.alloc_range(10, 0, -3);
    assert!(contains(h, Int(7), stepped).unwrap());
    assert!(!contains(h, Int(8), stepped).unwrap());
    assert!(contains(h, Int(1), s).is_err());
    assert!(contains(h, Int(1), Int(2)).is_err());
}
