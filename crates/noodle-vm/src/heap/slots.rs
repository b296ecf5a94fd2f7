//! The arena's slot table, its mark bits and lazy sweeping.
//!
//! A collection only marks: it does not visit the dead slots. Allocation
//! then walks the mark bitmap from the start of the table and reuses every
//! slot the last collection left unmarked, overwriting the dead object in
//! a cache line it writes anyway. A collection's cost is thus the live set
//! (marking) plus a pass over the bitmaps, not the table.
//!
//! Dead objects that own memory outside the arena (a list's buffer, a
//! string, a closure's cells) are the exception: the `owners` bitmap finds
//! them, and the collection drops them at once, so garbage never holds on
//! to memory until its slot happens to be reused. A reusable slot thus
//! holds an object that owns nothing, and reusing it needs no read of the
//! dead object (whose cache line is usually cold). That rests on every
//! object entering the table through [`Slots::insert`] or [`Slots::fill`],
//! which set the owner bit; nothing changes an object's kind in place.

use std::cell::RefCell;

use crate::object::{Fields, Instance, Object};
use crate::stack_pool;

const WORD: usize = u64::BITS as usize;

pub(super) struct Slots {
    objects: Vec<Object>,
    /// Bit `i`: the last collection reached slot `i` (one word per 64
    /// slots, allocated with the slots).
    marks: Vec<u64>,
    /// Bit `i`: the object in slot `i` may own memory outside the arena.
    owners: Vec<u64>,
    /// The next word of `marks` that allocation has not looked at since
    /// the last collection. Every slot of the words before it, except those
    /// still in `avail`, is in use.
    cursor: usize,
    /// The reusable slots of word `cursor - 1` not handed out yet.
    avail: u64,
}

/// The largest table an ended process gives back to its thread (bigger
/// ones are freed).
const MAX_KEPT_SLOTS: usize = 1 << 10;

type Spares<T> = crate::stack_pool::Spares<T>;

thread_local! {
    static SPARE_OBJECTS: Spares<Object> = const { RefCell::new(Vec::new()) };
    static SPARE_WORDS: Spares<u64> = const { RefCell::new(Vec::new()) };
}

impl Slots {
    pub(super) const fn new() -> Slots {
        Slots {
            objects: Vec::new(),
            marks: Vec::new(),
            owners: Vec::new(),
            cursor: 0,
            avail: 0,
        }
    }

    /// An empty table with the room of one an ended process on this thread
    /// gave back, when there is one: a short-lived process (a task that
    /// makes a handful of objects) then does not grow its table from
    /// nothing, one reallocation at a time.
    pub(super) fn reused() -> Slots {
        Slots {
            objects: stack_pool::reuse(&SPARE_OBJECTS),
            marks: stack_pool::reuse(&SPARE_WORDS),
            owners: stack_pool::reuse(&SPARE_WORDS),
            cursor: 0,
            avail: 0,
        }
    }

    #[inline]
    pub(super) fn get(&self, i: usize) -> Option<&Object> {
        self.objects.get(i)
    }

    #[inline]
    pub(super) fn get_mut(&mut self, i: usize) -> Option<&mut Object> {
        self.objects.get_mut(i)
    }

    /// Empties a table of at most `MAX_KEPT_SLOTS` slots, keeping its
    /// room; false (and nothing changed) for a bigger one.
    pub(super) fn clear_if_small(&mut self) -> bool {
        if self.objects.capacity() > MAX_KEPT_SLOTS {
            return false;
        }
        self.objects.clear();
        self.marks.clear();
        self.owners.clear();
        self.cursor = 0;
        self.avail = 0;
        true
    }

    /// How many slots the table has (live, dead or free).
    pub(super) fn len(&self) -> usize {
        self.objects.len()
    }

    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.objects.capacity()
    }

    /// Stores `object` in a reusable slot, or in a new one at the end when
    /// none is left, and returns its index.
    #[inline]
    pub(super) fn insert(&mut self, object: Object) -> usize {
        let owner = !owns_nothing(&object);
        let i = self.insert_small_unchecked(|| object);
        if owner {
            self.set_owner(i);
        }
        i
    }

    /// `insert` for an object that owns nothing outside the arena (a small
    /// struct value), which leaves the owner bits alone. The object is made
    /// once its slot is known, so that it is built in place: built first,
    /// it went through the stack, and copying it out stalled on the partial
    /// writes that had made it.
    #[inline]
    pub(super) fn insert_small(&mut self, make: impl FnOnce() -> Object) -> usize {
        self.insert_small_unchecked(|| {
            let object = make();
            debug_assert!(owns_nothing(&object));
            object
        })
    }

    #[inline]
    fn insert_small_unchecked(&mut self, make: impl FnOnce() -> Object) -> usize {
        match self.take() {
            Some(i) => {
                let dead = std::mem::replace(&mut self.objects[i], make());
                debug_assert!(owns_nothing(&dead), "a dead owner was not dropped");
                // It owns nothing (see the module docs): skip its drop.
                std::mem::forget(dead);
                i
            }
            None => self.push(make()),
        }
    }

    /// Replaces the object in slot `i` (a placeholder that owns nothing)
    /// with `object`, keeping the owner bit right.
    pub(super) fn fill(&mut self, i: usize, object: Object) {
        let owner = !owns_nothing(&object);
        if let Some(slot) = self.objects.get_mut(i) {
            *slot = object;
            if owner {
                self.set_owner(i);
            }
        }
    }

    #[inline]
    fn set_owner(&mut self, i: usize) {
        self.owners[i / WORD] |= 1 << (i % WORD);
    }

    /// True once allocation has reached the table's last word: a few
    /// reusable slots may remain, then the table grows.
    #[inline]
    pub(super) fn nearly_exhausted(&self) -> bool {
        self.cursor == self.marks.len()
    }

    /// Whether the next new slot would reallocate the table.
    pub(super) fn at_capacity(&self) -> bool {
        self.objects.len() == self.objects.capacity()
    }

    #[inline]
    fn take(&mut self) -> Option<usize> {
        if self.avail == 0 && !self.refill() {
            return None;
        }
        let bit = self.avail.trailing_zeros() as usize;
        self.avail &= self.avail - 1;
        Some((self.cursor - 1) * WORD + bit)
    }

    /// Moves `avail` to the next word with an unmarked slot.
    #[inline(never)]
    fn refill(&mut self) -> bool {
        while let Some(&marks) = self.marks.get(self.cursor) {
            let first = self.cursor * WORD;
            self.cursor += 1;
            let mut free = !marks;
            // The last word may extend past the table.
            let in_table = self.objects.len() - first;
            if in_table < WORD {
                free &= (1 << in_table) - 1;
            }
            if free != 0 {
                self.avail = free;
                return true;
            }
        }
        false
    }

    /// Appends a slot. Only when no reusable slot is left, so `cursor` is
    /// past every word and the new slot is not handed out again before the
    /// next collection.
    fn push(&mut self, object: Object) -> usize {
        debug_assert!(self.avail == 0 && self.cursor == self.marks.len());
        let i = self.objects.len();
        self.objects.push(object);
        if i.is_multiple_of(WORD) {
            self.marks.push(0);
            self.owners.push(0);
            self.cursor = self.marks.len();
        }
        i
    }

    // ---- collection ----

    /// Forgets the last collection's marks, before marking anew.
    pub(super) fn clear_marks(&mut self) {
        self.marks.fill(0);
    }

    /// Marks slot `i`; false when it was marked already or is not a slot
    /// of this table (a shared object).
    #[inline]
    pub(super) fn mark(&mut self, i: usize) -> bool {
        let bit = 1 << (i % WORD);
        match self.marks.get_mut(i / WORD) {
            Some(word) if *word & bit == 0 && i < self.objects.len() => {
                *word |= bit;
                true
            }
            _ => false,
        }
    }

    /// Ends a collection after marking: drops the dead objects that own
    /// memory, makes every unmarked slot reusable and returns how many
    /// slots are live.
    pub(super) fn sweep(&mut self) -> usize {
        let mut live = 0;
        for (w, (&marks, owners)) in self.marks.iter().zip(&mut self.owners).enumerate() {
            live += marks.count_ones() as usize;
            let mut dead = *owners & !marks;
            *owners &= marks;
            while dead != 0 {
                let i = w * WORD + dead.trailing_zeros() as usize;
                dead &= dead - 1;
                drop(std::mem::replace(&mut self.objects[i], Object::Free));
            }
        }
        self.cursor = 0;
        self.avail = 0;
        live
    }
}

impl Drop for Slots {
    /// Gives the emptied vectors back to the thread for [`Slots::reused`].
    fn drop(&mut self) {
        // Emptied before they are kept: no object's drop runs while the
        // spares are borrowed.
        self.objects.clear();
        self.marks.clear();
        self.owners.clear();
        let words = MAX_KEPT_SLOTS / WORD;
        stack_pool::keep(
            &SPARE_OBJECTS,
            std::mem::take(&mut self.objects),
            MAX_KEPT_SLOTS,
        );
        stack_pool::keep(&SPARE_WORDS, std::mem::take(&mut self.marks), words);
        stack_pool::keep(&SPARE_WORDS, std::mem::take(&mut self.owners), words);
    }
}

/// Whether dropping `object` would free nothing (checked for the common
/// small kinds only; anything else counts as an owner).
#[inline]
fn owns_nothing(object: &Object) -> bool {
    matches!(
        object,
        Object::Free
            | Object::Instance(Instance {
                fields: Fields::Zero | Fields::One(_) | Fields::Two(_),
                ..
            })
            | Object::Cell(_)
            | Object::Range(_)
            | Object::Iter(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn cell(n: i64) -> Object {
        Object::Cell(Value::Int(n))
    }

    fn cell_value(slots: &Slots, i: usize) -> Option<i64> {
        match slots.get(i) {
            Some(Object::Cell(Value::Int(n))) => Some(*n),
            _ => None,
        }
    }

    #[test]
    fn unmarked_slots_are_reused_in_order_and_marked_ones_kept() {
        let mut slots = Slots::new();
        for n in 0..200 {
            assert_eq!(slots.insert(cell(n)), n as usize);
        }
        slots.clear_marks();
        for i in [3, 64, 65, 130, 199] {
            assert!(slots.mark(i));
            assert!(!slots.mark(i), "marked twice");
        }
        assert!(!slots.mark(200), "past the table");
        assert!(!slots.mark(1 << 31), "a shared reference");
        assert_eq!(slots.sweep(), 5);
        let reused: Vec<usize> = (0..195).map(|n| slots.insert(cell(1000 + n))).collect();
        let expected: Vec<usize> = (0..200)
            .filter(|i| ![3, 64, 65, 130, 199].contains(i))
            .collect();
        assert_eq!(reused, expected);
        for i in [3, 64, 65, 130, 199] {
            assert_eq!(cell_value(&slots, i), Some(i as i64), "a live slot changed");
        }
        // Every dead slot is taken: the table grows.
        assert_eq!(slots.insert(cell(7)), 200);
        assert_eq!(slots.len(), 201);
    }

    #[test]
    fn slots_added_after_the_cursor_passed_are_not_handed_out_twice() {
        let mut slots = Slots::new();
        for n in 0..10 {
            slots.insert(cell(n));
        }
        slots.clear_marks();
        slots.sweep();
        // All ten are dead: reused, then the table grows inside the same
        // word and into the next one.
        let taken: Vec<usize> = (0..80).map(|n| slots.insert(cell(n))).collect();
        assert_eq!(taken, (0..80).collect::<Vec<_>>());
        assert_eq!(slots.len(), 80);
    }

    #[test]
    fn dead_owners_are_dropped_by_the_collection_and_live_ones_kept() {
        let mut slots = Slots::new();
        let dead = slots.insert(Object::List(vec![Value::Int(0); 8]));
        let live = slots.insert(Object::List(vec![Value::Int(1)]));
        slots.insert(cell(0));
        slots.clear_marks();
        slots.mark(live);
        assert_eq!(slots.sweep(), 1);
        assert!(
            matches!(slots.get(dead), Some(Object::Free)),
            "dropped at once"
        );
        assert!(matches!(slots.get(live), Some(Object::List(items)) if items.len() == 1));
        // The dead cell is not touched until its slot is reused.
        assert_eq!(cell_value(&slots, 2), Some(0));
    }

    #[test]
    fn a_filled_owner_is_dropped_when_it_dies() {
        let mut slots = Slots::new();
        let i = slots.insert(cell(0));
        slots.fill(i, Object::List(vec![Value::Int(1); 4]));
        slots.clear_marks();
        assert_eq!(slots.sweep(), 0);
        assert!(matches!(slots.get(i), Some(Object::Free)));
        assert_eq!(slots.insert(cell(1)), i);
        assert_eq!(cell_value(&slots, i), Some(1));
    }
}
