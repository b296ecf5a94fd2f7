//! Register stacks given back by processes that went idle, kept per worker
//! thread for the next process that starts there. An actor that handles
//! one message at a time gives its stack back after every message (an
//! idle actor should cost its state, not a register window) and takes one
//! again for the next: from here that is a pop, not an allocation.
//! [`keep`] and [`reuse`] also keep the slot tables of ended processes'
//! heaps (see `heap::slots`).
//!
//! A stack comes back with its length and its old values, so the next
//! process does not fill a fresh 256-slot window (4 KiB) per message. The
//! values are never read: code writes a register before reading it (a
//! frame's registers already hold whatever the last frame at that depth
//! left, within one process too), and the collector scans only the live
//! frames' registers and clears everything above them. A value left by
//! another process is plain data (`Value` is `Copy` and owns nothing); as
//! a root it can at most keep an object of this heap alive, as long as the
//! frame whose unwritten register holds it (a dead temporary of the same
//! process does that already). The verifier does not prove registers are
//! written before they are read, so a hand-made module that reads one
//! first gets an unspecified value of its own program, never memory.

use std::cell::RefCell;
use std::thread::LocalKey;

use crate::interp::Frame;
use crate::value::Value;

/// Stacks (and frame lists) kept per thread.
const KEEP: usize = 64;
/// Larger stacks (left by deep recursion) are freed instead.
const MAX_SLOTS: usize = 1 << 14;
/// The most of a given stack's length that is kept (a 256-slot window and
/// the outermost call, with room to spare).
const KEPT_LEN: usize = 512;

/// Larger frame lists (deep recursion) are freed instead.
const MAX_FRAMES: usize = 1 << 10;

pub(crate) type Spares<T> = RefCell<Vec<Vec<T>>>;

thread_local! {
    static SPARE: Spares<Value> = const { RefCell::new(Vec::new()) };
    static SPARE_FRAMES: Spares<Frame> = const { RefCell::new(Vec::new()) };
}

/// Puts `v` among `spares`, unless it has no room or more than `max`, or
/// `KEEP` are kept already.
pub(crate) fn keep<T: 'static>(spares: &'static LocalKey<Spares<T>>, v: Vec<T>, max: usize) {
    if v.capacity() == 0 || v.capacity() > max {
        return;
    }
    // A thread being torn down just frees it.
    let _ = spares.try_with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < KEEP {
            spare.push(v);
        }
    });
}

/// One of `spares`, or an empty vector.
pub(crate) fn reuse<T: 'static>(spares: &'static LocalKey<Spares<T>>) -> Vec<T> {
    spares
        .try_with(|spare| spare.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Keeps the (emptied) frame list of a process that went idle, as
/// [`give`] keeps its stack: the next message's first call would
/// otherwise allocate it again.
pub(crate) fn give_frames(mut frames: Vec<Frame>) {
    frames.clear();
    keep(&SPARE_FRAMES, frames, MAX_FRAMES);
}

/// An empty frame list, with room from an earlier process when there is
/// one.
pub(crate) fn take_frames() -> Vec<Frame> {
    reuse(&SPARE_FRAMES)
}

/// Keeps `stack` for another process on this thread.
pub(crate) fn give(mut stack: Vec<Value>) {
    // Beyond one register window's worth, old values are not worth
    // keeping: each collection clears the stack above the live frames.
    stack.truncate(KEPT_LEN);
    keep(&SPARE, stack, MAX_SLOTS);
}

/// A stack from an earlier process when there is one (with its length and
/// old values, see the module docs), else an empty one.
#[cfg(test)]
pub(crate) fn take() -> Vec<Value> {
    reuse(&SPARE)
}

/// Replaces `stack`, which has no room for `need` slots, by the newest
/// spare stack when that has the room, moving the live values over; the
/// small one is freed (spare stacks are full-sized). The two trade places
/// where they lie: a stack moved out of the pool by value and then into
/// the process is copied twice, and the second copy waits on the first.
pub(crate) fn take_for(stack: &mut Vec<Value>, need: usize) {
    // A thread being torn down just grows the stack it has.
    let _ = SPARE.try_with(|spare| {
        let mut spare = spare.borrow_mut();
        let Some(top) = spare.last_mut() else {
            return;
        };
        if top.capacity() < need {
            return;
        }
        let live = stack.len();
        if top.len() < live {
            top.resize(live, Value::None);
        }
        top[..live].copy_from_slice(stack);
        std::mem::swap(top, stack);
        spare.pop();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_stack_comes_back_with_its_length_and_room() {
        let mut stack = vec![Value::Int(1); 300];
        stack.reserve(10);
        let room = stack.capacity();
        give(stack);
        let again = take();
        assert_eq!(again.len(), 300);
        assert_eq!(again.capacity(), room);
        assert_eq!(take().capacity(), 0, "only one was given");
    }

    #[test]
    fn a_small_stack_trades_places_with_a_spare_that_has_room() {
        give(vec![Value::Int(9); 300]);
        let mut stack = vec![Value::Int(1), Value::Int(2)];
        take_for(&mut stack, 400);
        let ints = |s: &[Value]| -> Vec<i64> {
            s.iter()
                .map(|v| match v {
                    Value::Int(i) => *i,
                    _ => -1,
                })
                .collect()
        };
        assert!(stack.capacity() < 400, "300 slots are not room for 400");
        assert_eq!(ints(&stack), [1, 2]);
        take_for(&mut stack, 256);
        assert_eq!(stack.len(), 300, "the spare keeps its length");
        assert_eq!(ints(&stack[..3]), [1, 2, 9]);
        assert_eq!(take().capacity(), 0, "the spare left the pool");
    }

    #[test]
    fn a_long_stack_comes_back_shortened() {
        give(vec![Value::Int(1); 2 * KEPT_LEN]);
        let again = take();
        assert_eq!(again.len(), KEPT_LEN);
        assert!(again.capacity() >= 2 * KEPT_LEN);
    }

    #[test]
    fn a_given_frame_list_comes_back_empty_with_its_room() {
        let mut frames: Vec<Frame> = Vec::with_capacity(16);
        frames.push(Frame {
            func: 0,
            closure: crate::value::ObjRef(0),
            base: 0,
            ret: 0,
            pc: 0,
        });
        give_frames(frames);
        let again = take_frames();
        assert!(again.is_empty());
        assert_eq!(again.capacity(), 16);
        give_frames(Vec::with_capacity(MAX_FRAMES + 1));
        assert_eq!(take_frames().capacity(), 0, "a huge one is not kept");
    }

    #[test]
    fn huge_and_empty_stacks_are_not_kept() {
        give(Vec::with_capacity(MAX_SLOTS + 1));
        give(Vec::new());
        assert_eq!(take().capacity(), 0);
    }
}
