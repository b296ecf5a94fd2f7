//! The heap object kinds. Each is reached through an [`ObjRef`]; the
//! accessors on [`crate::Heap`] return these by reference.

use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use indexmap::IndexMap;

use crate::value::{ObjRef, Value};

/// The plain-arity field of an [`Object::StructType`] whose construction
/// needs the full path: wider than any call's argument count.
pub const NOT_PLAIN: u32 = u32::MAX;

/// The plain-arity field of an [`Object::StructType`] for a struct with
/// `field_count` fields, none of them typed when `untyped`.
pub fn plain_arity(untyped: bool, field_count: usize) -> u32 {
    match u16::try_from(field_count) {
        Ok(n) if untyped => u32::from(n),
        _ => NOT_PLAIN,
    }
}

/// One arena slot's content.
#[derive(Debug)]
pub enum Object {
    /// An empty slot on the free list.
    Free,
    Str(Str),
    List(Vec<Value>),
    Map(Box<Map>),
    Range(Range),
    Closure(Closure),
    /// A captured variable, shared by the closures that capture it.
    Cell(Value),
    /// A struct type value: its index into `Heap::types().structs`, and
    /// its field count when constructing it checks nothing beyond that
    /// count (no field has a type), else [`NOT_PLAIN`]. The interpreter's
    /// constructor fast path decides from this alone, without walking to
    /// the type table.
    StructType(u32, u32),
    Instance(Instance),
    /// An enum type value; the index is into `Heap::types().enums`.
    EnumType(u32),
    /// A variant with fields used as a value: calling it constructs.
    VariantCtor {
        enum_id: u32,
        variant: u32,
    },
    /// A value of an enum (unit variants have no fields).
    EnumValue(EnumValue),
    Error(Box<ErrorObj>),
    Iter(IterState),
    /// Inert until the concurrency runtime exists: `proto` is the program
    /// function index of the constructor.
    ActorType {
        proto: u32,
    },
    SupervisorType {
        proto: u32,
    },
    /// A call of an `async def` that has not started (see [`Coroutine`]).
    Coroutine(Box<Coroutine>),
    /// `value.method` read as a value (see [`BoundMethod`]).
    BoundMethod(Box<BoundMethod>),
    /// Something the concurrency runtime owns and every process may hold
    /// (a task, an actor's address, a channel, a pending reply): copying
    /// it between processes shares it.
    Handle(Handle),
}

impl Object {
    /// Calls `f` on each value a [`Object::Coroutine`] or
    /// [`Object::BoundMethod`] holds (for the collector).
    pub fn for_each_bound_value(&self, mut f: impl FnMut(&Value)) {
        match self {
            Object::Coroutine(c) => {
                f(&Value::Obj(c.closure));
                c.args.iter().for_each(f);
            }
            Object::BoundMethod(b) => {
                f(&b.receiver);
                if let BoundTarget::Closure(r) = b.target {
                    f(&Value::Obj(r));
                }
            }
            _ => {}
        }
    }
}

/// What a [`Handle`] stands for: its `type_of` and how it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleKind {
    Task,
    Actor,
    Channel,
    /// A value that can only be awaited: a reply, a timer, a combinator.
    Future,
}

/// A runtime object shared between processes. The VM only stores, copies
/// and compares it (by identity); the runtime downcasts `inner`.
#[derive(Clone)]
pub struct Handle {
    pub kind: HandleKind,
    /// What it prints as inside `<...>`, e.g. `actor Counter`; for a task,
    /// the name of its function, which prints as `<task NAME>` (so a
    /// spawn shares the function's name instead of formatting a label).
    pub label: Arc<str>,
    pub inner: Arc<dyn std::any::Any + Send + Sync>,
}

impl Handle {
    /// The same runtime object (an address compares equal to itself).
    pub fn same(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl std::fmt::Display for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            HandleKind::Task => write!(f, "<task {}>", self.label),
            _ => write!(f, "<{}>", self.label),
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

/// Calling an `async def` makes one of these and runs nothing: the
/// function's first instruction (`AsyncBegin`) pops the new frame and
/// packs it here. The concurrency runtime will start it at the
/// instruction after `AsyncBegin`, with `args` as `R[0..]`.
#[derive(Debug)]
pub struct Coroutine {
    /// The async function's closure ([`Object::Closure`]).
    pub closure: ObjRef,
    /// Program function index.
    pub func: u32,
    /// The parameters as bound at the call (`Missing` for an omitted one
    /// with a default, which the body fills in after `AsyncBegin`).
    pub args: Box<[Value]>,
}

/// A method read as a value (`let m = t.area`, `let p = xs.push`): calling
/// it calls the method with `receiver` as `self`.
#[derive(Debug)]
pub struct BoundMethod {
    pub receiver: Value,
    pub target: BoundTarget,
    /// The method's name (for `<method Temp.fahrenheit>`).
    pub name: crate::types::Sym,
}

#[derive(Debug, Clone, Copy)]
pub enum BoundTarget {
    /// A user `impl` method ([`Object::Closure`]).
    Closure(ObjRef),
    /// A method of a builtin type.
    Native(crate::native::NativeMethod),
}

/// An immutable string. `char_len` makes `len` O(1); when it equals the
/// byte length the string is ASCII and indexing is O(1) too.
#[derive(Debug, Clone)]
pub struct Str {
    text: Arc<str>,
    char_len: usize,
}

impl Str {
    pub fn new(text: Arc<str>) -> Str {
        let char_len = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        Str { text, char_len }
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The shared text, for cheap sharing (map keys, other processes).
    pub fn arc(&self) -> &Arc<str> {
        &self.text
    }

    /// Length in characters.
    #[inline]
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    #[inline]
    pub fn is_ascii(&self) -> bool {
        self.char_len == self.text.len()
    }

    /// The character at character index `i` (not negative-adjusted).
    pub fn char_at(&self, i: usize) -> Option<char> {
        if self.is_ascii() {
            self.text.as_bytes().get(i).map(|&b| b as char)
        } else {
            self.text.chars().nth(i)
        }
    }

    /// The byte offset of character index `i` (clamped to the end).
    pub fn byte_offset(&self, i: usize) -> usize {
        if self.is_ascii() {
            i.min(self.text.len())
        } else {
            self.text
                .char_indices()
                .nth(i)
                .map_or(self.text.len(), |(b, _)| b)
        }
    }
}

/// A map key: only none, bool, int and str are hashable. `true` and `1`
/// are different keys (they are not `==`). A float with an integral value
/// is the same key as that int (`1.0 == 1`), as in Python.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MapKey {
    None,
    Bool(bool),
    Int(i64),
    Str(Arc<str>),
}

impl MapKey {
    /// The key a float stands for: the int it equals, if any. Other floats
    /// (fractional, out of int range, infinite, nan) cannot be keys:
    /// storing one is a TypeError, looking one up finds nothing.
    pub fn of_float(f: f64) -> Option<MapKey> {
        // 2^63 is exactly representable; every integral float in
        // [-2^63, 2^63) is an i64.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(MapKey::Int(f as i64))
    }
}

/// FxHash: map keys are not attacker-chosen in a way that matters for a
/// scripting VM, and SipHash costs a lot on small int keys.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64)
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.write_u64(i as u64)
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64)
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64)
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

/// An insertion-ordered map. Each entry keeps the original key value too,
/// so iterating keys allocates nothing.
#[derive(Debug, Default, Clone)]
pub struct Map {
    entries: IndexMap<MapKey, (Value, Value), FxBuild>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn with_capacity(n: usize) -> Map {
        Map {
            entries: IndexMap::with_capacity_and_hasher(n, FxBuild::default()),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &MapKey) -> Option<Value> {
        self.entries.get(key).map(|&(_, v)| v)
    }

    pub fn contains(&self, key: &MapKey) -> bool {
        self.entries.contains_key(key)
    }

    /// Inserts or replaces; a replaced entry keeps its position.
    /// `key_value` is the Noodle value the key was made from.
    pub fn insert(&mut self, key: MapKey, key_value: Value, value: Value) {
        match self.entries.get_mut(&key) {
            Some(slot) => slot.1 = value,
            None => {
                self.entries.insert(key, (key_value, value));
            }
        }
    }

    /// Removes preserving the order of the rest; returns the value.
    pub fn remove(&mut self, key: &MapKey) -> Option<Value> {
        self.entries.shift_remove(key).map(|(_, v)| v)
    }

    /// The (key, value) pair at position `i` in insertion order.
    pub fn entry_at(&self, i: usize) -> Option<(Value, Value)> {
        self.entries.get_index(i).map(|(_, &kv)| kv)
    }

    /// (key, value) pairs in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (Value, Value)> + '_ {
        self.entries.values().copied()
    }

    /// (key, value) pairs with the hashed key form.
    pub fn keyed(&self) -> impl Iterator<Item = (&MapKey, Value)> + '_ {
        self.entries.iter().map(|(k, &(_, v))| (k, v))
    }

    pub fn clear(&mut self) {
        self.entries.clear()
    }
}

/// A lazy integer range `start .. end` (end exclusive) by `step` (never 0).
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub start: i64,
    pub end: i64,
    pub step: i64,
    /// Written `start..=last` (step 1, `end` = `last + 1`, saturated at
    /// `max_int`): prints that way and `.end` is `end - 1`. Iteration,
    /// `len` and `in` use `end` only.
    pub inclusive: bool,
}

impl Range {
    pub fn len(&self) -> usize {
        let (start, end, step) = (self.start as i128, self.end as i128, self.step as i128);
        let n = if step > 0 {
            (end - start + step - 1) / step
        } else {
            (start - end - step - 1) / -step
        };
        n.max(0) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The i-th element, if in range.
    pub fn get(&self, i: usize) -> Option<i64> {
        (i < self.len()).then(|| (self.start as i128 + i as i128 * self.step as i128) as i64)
    }

    pub fn contains(&self, x: i64) -> bool {
        let (start, step) = (self.start as i128, self.step as i128);
        let offset = x as i128 - start;
        let in_bounds = if step > 0 {
            x >= self.start && x < self.end
        } else {
            x <= self.start && x > self.end
        };
        in_bounds && offset % step == 0
    }
}

/// A function value: the program function index and its captured cells.
#[derive(Debug, Clone)]
pub struct Closure {
    pub func: u32,
    /// Each is an [`Object::Cell`].
    pub cells: Box<[ObjRef]>,
}

#[derive(Debug, Clone)]
pub struct Instance {
    /// Index into `Heap::types().structs`.
    pub type_id: u32,
    pub fields: Fields,
}

/// A struct value's fields. Up to two are stored inline in the arena
/// slot, so small structs (tree nodes, pairs) need no separate allocation
/// and a field read touches one cache line; more spill to a box.
#[derive(Debug, Clone)]
pub enum Fields {
    Zero,
    One([Value; 1]),
    Two([Value; 2]),
    Many(Box<[Value]>),
}

impl Fields {
    #[inline]
    pub fn from_slice(values: &[Value]) -> Fields {
        match *values {
            [] => Fields::Zero,
            [a] => Fields::One([a]),
            [a, b] => Fields::Two([a, b]),
            _ => Fields::Many(values.into()),
        }
    }
}

impl From<Vec<Value>> for Fields {
    #[inline]
    fn from(values: Vec<Value>) -> Fields {
        if values.len() <= 2 {
            Fields::from_slice(&values)
        } else {
            Fields::Many(values.into_boxed_slice())
        }
    }
}

impl std::ops::Deref for Fields {
    type Target = [Value];
    #[inline]
    fn deref(&self) -> &[Value] {
        match self {
            Fields::Zero => &[],
            Fields::One(v) => v,
            Fields::Two(v) => v,
            Fields::Many(v) => v,
        }
    }
}

impl std::ops::DerefMut for Fields {
    #[inline]
    fn deref_mut(&mut self) -> &mut [Value] {
        match self {
            Fields::Zero => &mut [],
            Fields::One(v) => v,
            Fields::Two(v) => v,
            Fields::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    /// Index into `Heap::types().enums`.
    pub enum_id: u32,
    pub variant: u32,
    pub fields: Box<[Value]>,
}

/// A Noodle error value.
#[derive(Debug, Clone)]
pub struct ErrorObj {
    pub kind: Arc<str>,
    pub message: String,
    /// `at NAME (FILE:LINE:COL)` lines, innermost first; empty until the
    /// error is first raised.
    pub trace: Vec<String>,
    /// The branch errors of an `AggregateError` (`.errors`).
    pub errors: Vec<Value>,
}

/// The state of a `for` loop over a collection (`IterInit` / `IterNext`).
#[derive(Debug, Clone, Copy)]
pub enum IterState {
    /// Lists are iterated live, by index: pushes during the loop are seen.
    List {
        list: ObjRef,
        pos: usize,
    },
    /// Characters, by byte offset into the string.
    Str {
        string: ObjRef,
        byte_pos: usize,
    },
    /// Map keys, by insertion position.
    MapKeys {
        map: ObjRef,
        pos: usize,
    },
    Range {
        next: i64,
        end: i64,
        step: i64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_untyped_structs_have_a_plain_arity() {
        assert_eq!(plain_arity(true, 2), 2);
        assert_eq!(plain_arity(true, 0), 0);
        assert_eq!(plain_arity(false, 2), NOT_PLAIN);
        // No call passes more than u16::MAX arguments, so no argument count
        // can equal the marker, nor an arity too wide for one.
        assert_eq!(
            plain_arity(true, usize::from(u16::MAX)),
            u32::from(u16::MAX)
        );
        assert_eq!(plain_arity(true, usize::from(u16::MAX) + 1), NOT_PLAIN);
    }
}
