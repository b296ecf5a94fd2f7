//! Stable sorting for `sorted` and `list.sort`.
//!
//! Noodle comparisons can fail (TypeError for `1 < "a"`) and need not be a
//! total order (NaN), and `key:` functions run Noodle code. The standard
//! library's sorts take an infallible comparator and may panic on an
//! inconsistent one, so this is a plain bottom-up merge sort that stops at
//! the first error and never panics, whatever the comparator answers.

use std::cmp::Ordering;

use crate::builtins::{args, iterable};
use crate::native::NResult;
use crate::ops;
use crate::value::Value;
use crate::vm::Vm;

/// Sorts `items` stably by `less`, stopping at its first error.
pub fn merge_sort_by<T: Copy, E>(
    items: &mut [T],
    mut less: impl FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    let len = items.len();
    if len < 2 {
        return Ok(());
    }
    let mut source = items.to_vec();
    let mut target = items.to_vec();
    let mut width = 1;
    while width < len {
        let mut start = 0;
        while start < len {
            let mid = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            merge(
                &source[start..mid],
                &source[mid..end],
                &mut target[start..end],
                &mut less,
            )?;
            start = end;
        }
        std::mem::swap(&mut source, &mut target);
        width *= 2;
    }
    items.copy_from_slice(&source);
    Ok(())
}

/// Merges two sorted runs into `out`; on ties the left element comes
/// first, which is what makes the sort stable.
fn merge<T: Copy, E>(
    left: &[T],
    right: &[T],
    out: &mut [T],
    less: &mut impl FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        let take_right = match (left.get(i), right.get(j)) {
            (Some(&l), Some(&r)) => less(r, l)?,
            (None, _) => true,
            (_, None) => false,
        };
        if take_right {
            if let Some(&r) = right.get(j) {
                *slot = r;
            }
            j += 1;
        } else {
            if let Some(&l) = left.get(i) {
                *slot = l;
            }
            i += 1;
        }
    }
    Ok(())
}

/// `a < b` in Noodle's ordering; unordered pairs (NaN) are "not less", as
/// in Python, and incomparable types raise TypeError.
pub fn less_than(vm: &mut Vm, a: Value, b: Value) -> NResult<bool> {
    match ops::compare(&vm.heap, a, b) {
        Ok(ordering) => Ok(ordering == Some(Ordering::Less)),
        Err(message) => Err(vm.type_error(message)),
    }
}

/// Sorts `items` the way `sorted(items, key:, reverse:)` does: by
/// `key(item)` when a key function is given (called once per item), in
/// descending order with `reverse`, keeping equal elements in their
/// original order either way.
pub fn sort_values(
    vm: &mut Vm,
    mut items: Vec<Value>,
    key: Option<Value>,
    reverse: bool,
) -> NResult<Vec<Value>> {
    let Some(key) = key else {
        merge_sort_by(&mut items, |a, b| {
            if reverse {
                less_than(vm, b, a)
            } else {
                less_than(vm, a, b)
            }
        })?;
        return Ok(items);
    };
    // The key function may allocate and collect: keep items and keys alive.
    iterable::root_all(vm, &items);
    let mut keyed = args::vec_with_capacity(vm, "sorted", items.len())?;
    for &item in &items {
        let k = vm.call_value(key, &[item])?;
        vm.push_root(k);
        keyed.push((k, item));
    }
    merge_sort_by(&mut keyed, |(ka, _), (kb, _)| {
        if reverse {
            less_than(vm, kb, ka)
        } else {
            less_than(vm, ka, kb)
        }
    })?;
    Ok(keyed.into_iter().map(|(_, item)| item).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_by_key(items: &[(i32, char)]) -> Vec<(i32, char)> {
        let mut v = items.to_vec();
        merge_sort_by(&mut v, |a, b| Ok::<_, ()>(a.0 < b.0)).expect("infallible");
        v
    }

    #[test]
    fn sorts_and_is_stable() {
        let input = [
            (3, 'a'),
            (1, 'b'),
            (3, 'c'),
            (2, 'd'),
            (1, 'e'),
            (0, 'f'),
            (3, 'g'),
        ];
        assert_eq!(
            sorted_by_key(&input),
            vec![
                (0, 'f'),
                (1, 'b'),
                (1, 'e'),
                (2, 'd'),
                (3, 'a'),
                (3, 'c'),
                (3, 'g')
            ]
        );
        assert_eq!(sorted_by_key(&[]), vec![]);
        assert_eq!(sorted_by_key(&[(1, 'x')]), vec![(1, 'x')]);
    }

    #[test]
    fn matches_std_sort_on_many_inputs() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..200 {
            let mut v: Vec<(u64, usize)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed % 10, i)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_by_key(|p| p.0);
            merge_sort_by(&mut v, |a, b| Ok::<_, ()>(a.0 < b.0)).expect("infallible");
            assert_eq!(v, expected);
        }
    }

    #[test]
    fn inconsistent_comparators_do_not_panic() {
        let mut v: Vec<u32> = (0..100).collect();
        let mut flip = false;
        merge_sort_by(&mut v, |_, _| {
            flip = !flip;
            Ok::<_, ()>(flip)
        })
        .expect("infallible");
        let mut check = v.clone();
        check.sort();
        assert_eq!(
            check,
            (0..100).collect::<Vec<_>>(),
            "a permutation of the input"
        );
    }

    #[test]
    fn stops_at_the_first_error() {
        let mut v = vec![3, 1, 2];
        let mut calls = 0;
        let result = merge_sort_by(&mut v, |_, _| {
            calls += 1;
            Err::<bool, &str>("boom")
        });
        assert_eq!(result, Err("boom"));
        assert_eq!(calls, 1);
    }
}
