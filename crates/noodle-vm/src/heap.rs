//! The per-process heap: an arena of [`Object`]s addressed by [`ObjRef`],
//! with a tracing mark-sweep collector that sweeps lazily (see
//! [`slots`]), in front of the program's *shared segment*.
//!
//! The shared segment holds what loading the program allocates (constant
//! strings, the empty and one-character ASCII strings, type objects, unit
//! variant values, variant constructors) and the `impl` methods that
//! capture nothing. Those objects never change, so every process of a
//! program reads the same segment through an `Arc` instead of copying it:
//! a new process starts with an empty arena. References into the segment
//! carry a tag bit (see [`ObjRef::is_shared`]), so they miss the arena's
//! bounds check and [`Heap::get`] finds them on that (cold) path; the
//! collector never marks or frees them, and [`crate::transfer`] passes
//! them between heaps of the program as they are.
//!
//! Allocation never collects. The interpreter calls [`Heap::should_collect`]
//! at safepoints and then [`Heap::collect`] with the VM's roots, so a native
//! never sees its objects vanish unless it calls back into Noodle (see the
//! rooting rules in the crate docs).

mod slots;

use std::sync::Arc;
use std::time::{Duration, Instant};

use slots::Slots;

use crate::error::Thrown;
use crate::object::{Closure, ErrorObj, Instance, IterState, Map, MapKey, Object, Range, Str};
use crate::types::Types;
use crate::value::{ObjRef, SHARED_BIT, TypeTag, Value};

/// Collections never start below this many allocations.
const MIN_GC_THRESHOLD: usize = 1 << 16;

/// The smallest threshold of a spawned process's heap. Tasks and actors
/// are many and mostly small: a process that waits between messages should
/// not sit on 64K units of garbage (and the runtime objects it keeps
/// alive) until its next collection.
pub const PROCESS_GC_THRESHOLD: usize = 1 << 12;

/// What a reference to no object reads as.
static FREE: Object = Object::Free;

/// The immutable objects of one program, shared by all its processes.
/// Slot 0 is the empty string and slots 1..=128 the one-character ASCII
/// strings, in every segment.
pub struct Shared {
    objects: Vec<Object>,
}

impl Shared {
    fn new() -> Shared {
        let mut objects = Vec::with_capacity(256);
        objects.push(Object::Str(Str::new(Arc::from(""))));
        for b in 0u8..128 {
            let s = (b as char).to_string();
            objects.push(Object::Str(Str::new(Arc::from(s.as_str()))));
        }
        Shared { objects }
    }

    /// The object behind shared reference `r` (free if out of range).
    #[inline]
    pub(crate) fn get(&self, r: ObjRef) -> &Object {
        self.objects
            .get((r.0 & !SHARED_BIT) as usize)
            .unwrap_or(&FREE)
    }
}

impl Clone for Shared {
    /// Copy-on-write for a process that extends a segment others use
    /// (a later REPL module, an `impl` run by a spawned task).
    fn clone(&self) -> Shared {
        let objects = self
            .objects
            .iter()
            .map(|o| clone_immutable(o).unwrap_or(Object::Free))
            .collect();
        Shared { objects }
    }
}

const EMPTY_STR: ObjRef = ObjRef(SHARED_BIT);

/// The shared one-character string of ASCII byte `b`.
#[inline]
fn ascii_char(b: u8) -> ObjRef {
    ObjRef(SHARED_BIT | (1 + u32::from(b & 0x7f)))
}

pub struct Heap {
    slots: Slots,
    live: usize,
    /// Allocation units (objects, plus extra for big payloads) since the
    /// last collection, and the count that triggers the next one.
    allocated: usize,
    threshold: usize,
    /// The threshold never drops below this.
    min_threshold: usize,
    collections: usize,
    /// Time spent in [`Heap::collect`], for statistics.
    gc_time: Duration,
    /// Local objects that are always roots (embedders, tests).
    pinned: Vec<ObjRef>,
    shared: Arc<Shared>,
    /// Program-wide like the shared segment; a process that changes it
    /// (`AddMethod`) gets its own copy.
    types: Arc<Types>,
    /// Some `impl` method is a local closure (it captures cells), so a
    /// fork must copy the methods into the new heap.
    local_methods: bool,
    /// What [`Heap::get_mut`] lends out for a shared (immutable) object:
    /// always `Object::Free`, which no caller mutates.
    scratch: Object,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Heap {{ live: {}, slots: {}, shared: {} }}",
            self.live,
            self.slots.len(),
            self.shared.objects.len()
        )
    }
}

impl Heap {
    /// A heap with a shared segment of its own (a new program).
    pub fn new() -> Heap {
        Heap::with_shared(Arc::new(Shared::new()), Arc::new(Types::default()))
    }

    fn with_shared(shared: Arc<Shared>, types: Arc<Types>) -> Heap {
        Heap {
            slots: Slots::new(),
            live: 0,
            allocated: 0,
            threshold: MIN_GC_THRESHOLD,
            min_threshold: MIN_GC_THRESHOLD,
            collections: 0,
            gc_time: Duration::ZERO,
            pinned: Vec::new(),
            shared,
            types,
            local_methods: false,
            scratch: Object::Free,
        }
    }

    // ---- allocation ----

    /// Stores `object` and returns its handle. Never collects.
    #[inline]
    pub fn alloc(&mut self, object: Object) -> ObjRef {
        self.allocated += 1 + extra_units(&object);
        self.live += 1;
        let i = self.slots.insert(object);
        self.collect_before_growing();
        // Past 2^31 slots a local reference would read as a shared one;
        // that is 96 GiB of slots alone.
        debug_assert!(i < SHARED_BIT as usize, "heap exhausted");
        ObjRef(i as u32)
    }

    /// A struct value with `fields`, as `alloc` (never collects): the
    /// interpreter's constructor fast path. Kept out of the hot loop, where
    /// inlined it took registers from every other instruction (fib, loop
    /// and nbody ran 5-12 % faster once it was not).
    #[inline(never)]
    pub fn alloc_instance(&mut self, type_id: u32, fields: &[Value]) -> ObjRef {
        let instance = || {
            Object::Instance(Instance {
                type_id,
                fields: crate::object::Fields::from_slice(fields),
            })
        };
        if fields.len() > 2 {
            return self.alloc(instance());
        }
        self.allocated += 1;
        self.live += 1;
        let i = self.slots.insert_small(instance);
        self.collect_before_growing();
        ObjRef(i as u32)
    }

    pub fn alloc_str(&mut self, text: &str) -> Value {
        match text.as_bytes() {
            [] => Value::Obj(EMPTY_STR),
            [b] if b.is_ascii() => Value::Obj(ascii_char(*b)),
            _ => Value::Obj(self.alloc(Object::Str(Str::new(Arc::from(text))))),
        }
    }

    pub fn alloc_string(&mut self, text: String) -> Value {
        if text.len() <= 1 {
            return self.alloc_str(&text);
        }
        Value::Obj(self.alloc(Object::Str(Str::new(Arc::from(text)))))
    }

    /// Shares already-allocated text (map keys, strings from other heaps).
    pub fn alloc_arc_str(&mut self, text: Arc<str>) -> Value {
        Value::Obj(self.alloc(Object::Str(Str::new(text))))
    }

    /// The one-character string `c` (shared for ASCII).
    pub fn alloc_char(&mut self, c: char) -> Value {
        if c.is_ascii() {
            Value::Obj(ascii_char(c as u8))
        } else {
            let mut buf = [0u8; 4];
            self.alloc_str(c.encode_utf8(&mut buf))
        }
    }

    pub fn alloc_list(&mut self, items: Vec<Value>) -> Value {
        Value::Obj(self.alloc(Object::List(items)))
    }

    pub fn alloc_map(&mut self, map: Map) -> Value {
        Value::Obj(self.alloc(Object::Map(Box::new(map))))
    }

    /// `start .. end` by `step`; a zero step is the caller's ValueError.
    pub fn alloc_range(&mut self, start: i64, end: i64, step: i64) -> Value {
        debug_assert!(step != 0);
        Value::Obj(self.alloc(Object::Range(Range {
            start,
            end,
            step,
            inclusive: false,
        })))
    }

    /// A fresh error value (not raised, empty trace).
    pub fn new_error(&mut self, kind: &str, message: impl Into<String>) -> Value {
        let error = ErrorObj {
            kind: Arc::from(kind),
            message: message.into(),
            trace: Vec::new(),
            errors: Vec::new(),
        };
        Value::Obj(self.alloc(Object::Error(Box::new(error))))
    }

    /// A fresh error ready to be returned from a native or an operator:
    /// `return Err(heap.error("ValueError", "bad"))`.
    #[cold]
    pub fn error(&mut self, kind: &str, message: impl Into<String>) -> Thrown {
        Thrown(self.new_error(kind, message))
    }

    /// Keeps `r` alive for the heap's whole life.
    pub fn pin(&mut self, r: ObjRef) {
        if !r.is_shared() {
            self.pinned.push(r);
        }
    }

    /// Stores `object` in the program's shared segment, for every process
    /// of the program to read: only for objects that never change and
    /// refer to nothing local (constants, type objects, cell-less
    /// closures). Copies the segment first if another heap uses it.
    pub fn alloc_const(&mut self, object: Object) -> ObjRef {
        let shared = Arc::make_mut(&mut self.shared);
        let i = shared.objects.len() as u32;
        assert!(i < SHARED_BIT, "too many constants");
        shared.objects.push(object);
        ObjRef(SHARED_BIT | i)
    }

    /// A constant string in the shared segment (see [`Heap::alloc_const`]).
    pub fn alloc_const_str(&mut self, text: &str) -> Value {
        match text.as_bytes() {
            [] | [0..=127] => self.alloc_str(text),
            _ => Value::Obj(self.alloc_const(Object::Str(Str::new(Arc::from(text))))),
        }
    }

    /// Whether `shared` is this heap's shared segment (references into it
    /// mean the same objects here).
    pub fn shares(&self, shared: &Arc<Shared>) -> bool {
        Arc::ptr_eq(&self.shared, shared)
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    // ---- access ----

    #[inline]
    pub fn get(&self, r: ObjRef) -> &Object {
        match self.slots.get(r.0 as usize) {
            Some(o) => o,
            None => self.get_outside(r),
        }
    }

    /// A shared object, or (for a stale reference) a free slot.
    #[inline]
    fn get_outside(&self, r: ObjRef) -> &Object {
        if r.is_shared() {
            self.shared.get(r)
        } else {
            &FREE
        }
    }

    /// The object to change in place. A shared object cannot change: for
    /// one this lends a free slot, which every caller treats as the wrong
    /// kind of object.
    #[inline]
    pub fn get_mut(&mut self, r: ObjRef) -> &mut Object {
        let Heap { slots, scratch, .. } = self;
        match slots.get_mut(r.0 as usize) {
            Some(o) => o,
            None => free_scratch(scratch),
        }
    }

    /// The object behind `v`, if it is a heap value.
    #[inline]
    pub fn object(&self, v: Value) -> Option<&Object> {
        match v {
            Value::Obj(r) => Some(self.get(r)),
            _ => None,
        }
    }

    pub fn str(&self, v: Value) -> Option<&Str> {
        match self.object(v)? {
            Object::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self, v: Value) -> Option<&str> {
        self.str(v).map(Str::as_str)
    }

    pub fn list(&self, v: Value) -> Option<&Vec<Value>> {
        match self.object(v)? {
            Object::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn list_mut(&mut self, v: Value) -> Option<&mut Vec<Value>> {
        match v {
            Value::Obj(r) => match self.get_mut(r) {
                Object::List(items) => Some(items),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn map(&self, v: Value) -> Option<&Map> {
        match self.object(v)? {
            Object::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn map_mut(&mut self, v: Value) -> Option<&mut Map> {
        match v {
            Value::Obj(r) => match self.get_mut(r) {
                Object::Map(m) => Some(m),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn range(&self, v: Value) -> Option<Range> {
        match self.object(v)? {
            Object::Range(r) => Some(*r),
            _ => None,
        }
    }

    pub fn error_obj(&self, v: Value) -> Option<&ErrorObj> {
        match self.object(v)? {
            Object::Error(e) => Some(e),
            _ => None,
        }
    }

    pub fn error_obj_mut(&mut self, v: Value) -> Option<&mut ErrorObj> {
        match v {
            Value::Obj(r) => match self.get_mut(r) {
                Object::Error(e) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn instance(&self, v: Value) -> Option<&Instance> {
        match self.object(v)? {
            Object::Instance(i) => Some(i),
            _ => None,
        }
    }

    pub fn closure(&self, v: Value) -> Option<&Closure> {
        match self.object(v)? {
            Object::Closure(c) => Some(c),
            _ => None,
        }
    }

    /// The key form of `v`, or `None` when `v` cannot be a map key (the
    /// caller raises TypeError: only none, bool, int and str can).
    pub fn map_key(&self, v: Value) -> Option<MapKey> {
        match v {
            Value::None => Some(MapKey::None),
            Value::Bool(b) => Some(MapKey::Bool(b)),
            Value::Int(i) => Some(MapKey::Int(i)),
            Value::Float(f) => MapKey::of_float(f),
            Value::Obj(_) => self.str(v).map(|s| MapKey::Str(s.arc().clone())),
            _ => None,
        }
    }

    /// The registry of user types, interned names and function names.
    pub fn types(&self) -> &Types {
        &self.types
    }

    /// The registry to change, copied first if other heaps share it.
    pub fn types_mut(&mut self) -> &mut Types {
        Arc::make_mut(&mut self.types)
    }

    /// Records that an `impl` method is a local object of this heap (see
    /// [`Heap::fork`]).
    pub(crate) fn note_local_method(&mut self) {
        self.local_methods = true;
    }

    /// The name shown for a closure (`<def name>`), if `v` is one.
    pub fn function_name(&self, v: Value) -> Option<&str> {
        self.function_name_arc(v).map(|n| &**n)
    }

    /// [`Heap::function_name`], shareable without copying the text.
    pub fn function_name_arc(&self, v: Value) -> Option<&Arc<str>> {
        let c = self.closure(v)?;
        self.types.function_names.get(c.func as usize)
    }

    pub fn tag(&self, v: Value) -> TypeTag {
        match v {
            Value::None => TypeTag::None,
            Value::Bool(_) => TypeTag::Bool,
            Value::Int(_) => TypeTag::Int,
            Value::Float(_) => TypeTag::Float,
            Value::Duration(_) => TypeTag::Duration,
            Value::Missing => TypeTag::Missing,
            Value::Builtin(_) => TypeTag::Function,
            Value::Obj(r) => match self.get(r) {
                Object::Str(_) => TypeTag::Str,
                Object::List(_) => TypeTag::List,
                Object::Map(_) => TypeTag::Map,
                Object::Range(_) => TypeTag::Range,
                Object::Closure(_) | Object::VariantCtor { .. } | Object::BoundMethod(_) => {
                    TypeTag::Function
                }
                Object::Coroutine(_) => TypeTag::Coroutine,
                Object::Cell(_) => TypeTag::Cell,
                Object::StructType(..) | Object::EnumType(_) => TypeTag::Type,
                Object::Instance(_) => TypeTag::Struct,
                Object::EnumValue(_) => TypeTag::Enum,
                Object::Error(_) => TypeTag::Error,
                Object::Iter(_) => TypeTag::Iterator,
                Object::ActorType { .. } => TypeTag::ActorType,
                Object::SupervisorType { .. } => TypeTag::SupervisorType,
                Object::Handle(h) => match h.kind {
                    crate::object::HandleKind::Task => TypeTag::Task,
                    crate::object::HandleKind::Actor => TypeTag::Actor,
                    crate::object::HandleKind::Channel => TypeTag::Channel,
                    crate::object::HandleKind::Future => TypeTag::Future,
                },
                Object::Free => TypeTag::Missing,
            },
        }
    }

    /// What `type_of(v)` returns: a builtin type name, or the struct or
    /// enum name of a user value.
    pub fn type_name(&self, v: Value) -> &str {
        if let Value::Obj(r) = v {
            match self.get(r) {
                Object::Instance(i) => {
                    return self
                        .types
                        .symbols
                        .name(self.types.structs[i.type_id as usize].name);
                }
                Object::EnumValue(e) => {
                    return self
                        .types
                        .symbols
                        .name(self.types.enums[e.enum_id as usize].name);
                }
                _ => {}
            }
        }
        match self.tag(v) {
            TypeTag::None => "none",
            TypeTag::Bool => "bool",
            TypeTag::Int => "int",
            TypeTag::Float => "float",
            TypeTag::Duration => "duration",
            TypeTag::Str => "str",
            TypeTag::List => "list",
            TypeTag::Map => "map",
            TypeTag::Range => "range",
            TypeTag::Function => "function",
            TypeTag::Error => "error",
            TypeTag::Type | TypeTag::ActorType | TypeTag::SupervisorType => "type",
            TypeTag::Iterator => "iterator",
            TypeTag::Coroutine => "coroutine",
            TypeTag::Cell => "cell",
            TypeTag::Task => "task",
            TypeTag::Actor => "actor",
            TypeTag::Channel => "channel",
            TypeTag::Future => "future",
            TypeTag::Struct | TypeTag::Enum | TypeTag::Missing => "missing",
        }
    }

    // ---- garbage collection ----

    /// Objects currently allocated (after the last sweep, plus new ones).
    pub fn live_count(&self) -> usize {
        self.live
    }

    /// How many collections have run.
    pub fn collections(&self) -> usize {
        self.collections
    }

    /// Collector statistics: how many collections have run and the total
    /// time they took.
    pub fn gc_stats(&self) -> (usize, Duration) {
        (self.collections, self.gc_time)
    }

    /// Collects once `min` units are allocated (and never sooner after a
    /// collection): see [`PROCESS_GC_THRESHOLD`].
    pub fn set_min_threshold(&mut self, min: usize) {
        self.min_threshold = min.max(1);
        self.threshold = self.threshold.min(self.min_threshold.max(self.live * 2));
    }

    /// Once no slot is reusable and the table is at capacity, the next new
    /// object doubles the table, which copies every object into fresh
    /// memory. When a quarter of the allocation budget is spent by then, part
    /// of the table is likely garbage: the collection becomes due now
    /// (allocation has reached the table's last word, so a few reusable
    /// slots may be left for the way to the next safepoint), so that it
    /// frees slots instead (this halves binary-trees' table).
    #[inline]
    fn collect_before_growing(&mut self) {
        if self.slots.nearly_exhausted() {
            self.table_full();
        }
    }

    #[cold]
    fn table_full(&mut self) {
        if self.slots.at_capacity() && self.allocated * 4 >= self.threshold {
            self.threshold = self.allocated;
        }
    }

    /// Whether enough has been allocated since the last collection that
    /// the next safepoint should collect.
    #[inline]
    pub fn should_collect(&self) -> bool {
        self.allocated >= self.threshold
    }

    /// Marks from `roots` (plus the heap's own: pinned objects and type
    /// methods), frees everything unmarked and sets the next threshold
    /// (see `next_threshold`).
    pub fn collect(&mut self, roots: impl IntoIterator<Item = Value>) {
        let started = Instant::now();
        let mut stack: Vec<ObjRef> = Vec::with_capacity(256);
        let push = |v: Value, stack: &mut Vec<ObjRef>| {
            if let Value::Obj(r) = v {
                stack.push(r);
            }
        };
        for v in roots {
            push(v, &mut stack);
        }
        stack.extend(self.pinned.iter().copied());
        for s in &self.types.structs {
            stack.push(s.type_obj);
            stack.extend(s.methods.iter().filter_map(|(_, m)| m.as_obj()));
        }
        for e in &self.types.enums {
            stack.push(e.type_obj);
            stack.extend(e.variants.iter().map(|v| v.value));
            stack.extend(e.methods.iter().filter_map(|(_, m)| m.as_obj()));
        }
        self.slots.clear_marks();
        self.mark(stack);
        self.live = self.slots.sweep();
        self.collections += 1;
        self.allocated = 0;
        self.threshold = self.next_threshold();
        self.gc_time += started.elapsed();
    }

    /// The allocation budget until the next collection: twice the live
    /// set, or more while the table's free slots cover it (up to four
    /// times the live set). Filling slots the table already has costs no
    /// memory, and the cap bounds how long dead lists and strings keep
    /// their outside memory.
    fn next_threshold(&self) -> usize {
        let free = self.slots.len().saturating_sub(self.live);
        (self.live * 2)
            .max(free.min(self.live * 4))
            .max(self.min_threshold)
    }

    fn mark(&mut self, mut stack: Vec<ObjRef>) {
        while let Some(r) = stack.pop() {
            let i = r.0 as usize;
            // Shared objects are out of range: never marked, never freed,
            // and they refer to nothing local.
            if !self.slots.mark(i) {
                continue;
            }
            let mut add = |v: &Value| {
                if let Value::Obj(child) = *v {
                    stack.push(child);
                }
            };
            let Some(object) = self.slots.get(i) else {
                continue;
            };
            match object {
                Object::List(items) => items.iter().for_each(&mut add),
                Object::Map(m) => m.iter().for_each(|(k, v)| {
                    add(&k);
                    add(&v);
                }),
                Object::Closure(c) => stack.extend(c.cells.iter().copied()),
                Object::Cell(v) => add(v),
                Object::Instance(inst) => inst.fields.iter().for_each(&mut add),
                Object::EnumValue(e) => e.fields.iter().for_each(&mut add),
                Object::Error(e) => e.errors.iter().for_each(&mut add),
                Object::Iter(state) => match *state {
                    IterState::List { list: r, .. }
                    | IterState::Str { string: r, .. }
                    | IterState::MapKeys { map: r, .. } => stack.push(r),
                    IterState::Range { .. } => {}
                },
                o @ (Object::Coroutine(_) | Object::BoundMethod(_)) => {
                    o.for_each_bound_value(&mut add)
                }
                Object::Free
                | Object::Str(_)
                | Object::Range(_)
                | Object::StructType(..)
                | Object::EnumType(_)
                | Object::VariantCtor { .. }
                | Object::ActorType { .. }
                | Object::SupervisorType { .. }
                | Object::Handle(_) => {}
            }
        }
    }
}

/// `scratch`, emptied, for [`Heap::get_mut`] of a shared object.
#[cold]
#[inline(never)]
fn free_scratch(scratch: &mut Object) -> &mut Object {
    *scratch = Object::Free;
    scratch
}

/// Big payloads count as extra allocation units, so a program that builds
/// few but large objects still collects.
#[inline]
fn extra_units(object: &Object) -> usize {
    match object {
        Object::List(items) => items.len() / 8,
        Object::Str(s) => s.as_str().len() / 64,
        Object::Map(m) => m.len() / 4,
        // A handle keeps runtime state alive outside the heap (a reply
        // cell, a task): garbage handles must not pile up unseen.
        Object::Handle(_) => 8,
        _ => 0,
    }
}

/// A copy of `iter` for callers that need the state by value.
pub(crate) fn iter_state(heap: &Heap, r: ObjRef) -> Option<IterState> {
    match heap.get(r) {
        Object::Iter(state) => Some(*state),
        _ => None,
    }
}

// ---- processes ----

impl Heap {
    /// Marks the end of loading: the shared segment stops growing, so its
    /// spare capacity is given back (when no other heap uses it yet).
    pub fn seal_base(&mut self) {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.objects.shrink_to_fit();
        }
    }

    /// Replaces the object in slot `r` (a placeholder that owns nothing,
    /// allocated by the caller) with `object`, counting its payload as
    /// `alloc` would. For [`crate::transfer::Message::import`], which
    /// needs every slot before it can fill in references.
    pub(crate) fn fill(&mut self, r: ObjRef, object: Object) {
        self.allocated += extra_units(&object);
        self.slots.fill(r.index(), object);
    }

    /// Makes this heap what `parent.fork()` returns, keeping the room of
    /// its slot table: an ended process's heap made ready for the next
    /// process on its thread. False, with the heap left as it is, when a
    /// fork takes more than that (the parent's methods are local objects
    /// to copy, the heap is of another program) or the table is too big
    /// to be worth keeping.
    pub fn reset_as_fork_of(&mut self, parent: &Heap) -> bool {
        if parent.local_methods
            || !Arc::ptr_eq(&self.shared, &parent.shared)
            || !self.slots.clear_if_small()
        {
            return false;
        }
        if !Arc::ptr_eq(&self.types, &parent.types) {
            self.types = Arc::clone(&parent.types);
        }
        // Every other field, by name, so that a new one is not forgotten.
        let Heap {
            slots: _,
            live,
            allocated,
            threshold,
            min_threshold,
            collections,
            gc_time,
            pinned,
            shared: _,
            types: _,
            local_methods,
            scratch,
        } = self;
        *live = 0;
        *allocated = 0;
        *threshold = MIN_GC_THRESHOLD;
        *min_threshold = MIN_GC_THRESHOLD;
        *collections = 0;
        *gc_time = Duration::ZERO;
        pinned.clear();
        *local_methods = false;
        *scratch = Object::Free;
        self.set_min_threshold(PROCESS_GC_THRESHOLD);
        true
    }

    /// A heap for a new process of the same program: the same shared
    /// segment and type registry (by reference), an empty arena. Only
    /// `impl` methods that capture cells are local objects; they are
    /// deep-copied into the new heap as one graph (methods sharing a cell
    /// keep sharing it). Nothing else is copied and the collection
    /// counters start fresh.
    pub fn fork(&self) -> Heap {
        let mut heap = Heap::with_shared(Arc::clone(&self.shared), Arc::clone(&self.types));
        heap.slots = Slots::reused();
        heap.set_min_threshold(PROCESS_GC_THRESHOLD);
        if !self.local_methods {
            return heap;
        }
        heap.local_methods = true;
        // In registry order, as one graph.
        let methods: Vec<Value> = self
            .types
            .structs
            .iter()
            .flat_map(|s| &s.methods)
            .chain(self.types.enums.iter().flat_map(|e| &e.methods))
            .map(|&(_, m)| m)
            .collect();
        let copies = crate::transfer::Message::export_all(self, &methods).import(&mut heap);
        let mut copies = copies.into_iter();
        let types = heap.types_mut();
        let slots = types
            .structs
            .iter_mut()
            .flat_map(|s| &mut s.methods)
            .chain(types.enums.iter_mut().flat_map(|e| &mut e.methods));
        for (slot, copy) in slots.zip(&mut copies) {
            slot.1 = copy;
        }
        heap.allocated = 0;
        heap
    }
}

/// A copy of a shared object: the kinds that hold no references
/// (strings, type objects, unit enum values, variant constructors, ...).
/// `None` for anything else.
fn clone_immutable(object: &Object) -> Option<Object> {
    Some(match object {
        Object::Str(s) => Object::Str(s.clone()),
        Object::StructType(id, arity) => Object::StructType(*id, *arity),
        Object::EnumType(id) => Object::EnumType(*id),
        Object::VariantCtor { enum_id, variant } => Object::VariantCtor {
            enum_id: *enum_id,
            variant: *variant,
        },
        Object::EnumValue(e) if e.fields.iter().all(|v| v.as_obj().is_none()) => {
            Object::EnumValue(e.clone())
        }
        Object::Closure(c) if c.cells.is_empty() => Object::Closure(c.clone()),
        Object::Range(r) => Object::Range(*r),
        Object::ActorType { proto } => Object::ActorType { proto: *proto },
        Object::SupervisorType { proto } => Object::SupervisorType { proto: *proto },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_makes_the_collection_due_instead_of_growing() {
        let mut heap = Heap::new();
        let mut garbage = 0;
        while !heap.should_collect() {
            heap.alloc_list(Vec::new());
            garbage += 1;
        }
        // Due before the budget ran out: the table is full and the next
        // allocation would have doubled it.
        assert!(heap.allocated < MIN_GC_THRESHOLD);
        assert_eq!(heap.slots.len(), heap.slots.capacity());
        let capacity = heap.slots.capacity();
        heap.collect([]);
        for _ in 0..garbage {
            heap.alloc_list(Vec::new());
        }
        assert_eq!(heap.slots.capacity(), capacity, "freed slots were reused");
    }

    #[test]
    fn a_full_table_of_live_objects_still_grows() {
        let mut heap = Heap::new();
        let mut live = Vec::new();
        for _ in 0..3 * MIN_GC_THRESHOLD {
            live.push(heap.alloc_list(Vec::new()).as_obj().unwrap());
            if heap.should_collect() {
                heap.collect(live.iter().map(|&r| Value::Obj(r)));
            }
        }
        assert!(heap.collections() > 0);
        assert_eq!(heap.slots.len(), 3 * MIN_GC_THRESHOLD);
        assert_eq!(heap.live_count(), live.len());
    }

    #[test]
    fn free_slots_stretch_the_budget_up_to_four_times_the_live_set() {
        let mut heap = Heap::new();
        let objects: Vec<ObjRef> = (0..4 * MIN_GC_THRESHOLD)
            .map(|_| heap.alloc_instance(0, &[Value::None]))
            .collect();
        let keep = |n: usize| {
            objects[..n]
                .iter()
                .map(|&r| Value::Obj(r))
                .collect::<Vec<_>>()
        };
        // (The live set only shrinks: a dead object is never a root again.)
        // A quarter of the table free: twice the live set.
        heap.collect(keep(3 * MIN_GC_THRESHOLD));
        assert_eq!(heap.threshold, 6 * MIN_GC_THRESHOLD);
        // Three quarters free: three times the live set.
        heap.collect(keep(MIN_GC_THRESHOLD));
        assert_eq!(heap.threshold, 3 * MIN_GC_THRESHOLD);
        // More free than that: capped at four times the live set.
        heap.collect(keep(MIN_GC_THRESHOLD / 2));
        assert_eq!(heap.threshold, 2 * MIN_GC_THRESHOLD);
    }
}
