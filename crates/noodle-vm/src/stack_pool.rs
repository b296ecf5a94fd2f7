//! Register stacks given back by processes that went idle, kept per worker
//! thread for the next process that starts there. An actor that handles
//! one message at a time gives its stack back after every message (an
//! idle actor should cost its state, not a register window) and takes one
//! again for the next: from here that is a pop, not an allocation.

use std::cell::RefCell;

use crate::value::Value;

/// Stacks kept per thread.
const KEEP: usize = 64;
/// Larger stacks (left by deep recursion) are freed instead.
const MAX_SLOTS: usize = 1 << 14;

thread_local! {
    static SPARE: RefCell<Vec<Vec<Value>>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `stack` (emptied) for another process on this thread.
pub(crate) fn give(mut stack: Vec<Value>) {
    if stack.capacity() == 0 || stack.capacity() > MAX_SLOTS {
        return;
    }
    stack.clear();
    // A thread being torn down just frees it.
    let _ = SPARE.try_with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < KEEP {
            spare.push(stack);
        }
    });
}

/// An empty stack, with room from an earlier process when there is one.
pub(crate) fn take() -> Vec<Value> {
    SPARE
        .try_with(|spare| spare.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_stack_comes_back_empty_with_its_room() {
        let mut stack = vec![Value::Int(1); 300];
        stack.reserve(10);
        let room = stack.capacity();
        give(stack);
        let again = take();
        assert!(again.is_empty());
        assert_eq!(again.capacity(), room);
        assert_eq!(take().capacity(), 0, "only one was given");
    }

    #[test]
    fn huge_and_empty_stacks_are_not_kept() {
        give(Vec::with_capacity(MAX_SLOTS + 1));
        give(Vec::new());
        assert_eq!(take().capacity(), 0);
    }
}
