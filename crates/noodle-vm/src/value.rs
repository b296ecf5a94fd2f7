//! [`Value`]: the 16-byte `Copy` handle that every register, list slot,
//! map entry and struct field holds. Scalars live inline; everything else is
//! an [`ObjRef`] into the process's [`crate::Heap`].

/// A handle to a heap object: an index into the heap's arena. It is only
/// meaningful for the heap that issued it (or, for a reference into the
/// program's shared segment, for every heap of that program), and only
/// while the object is reachable from a GC root (see the rooting rules in
/// the crate docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef(pub(crate) u32);

/// The bit that marks a reference into the shared segment (see
/// [`crate::heap`]). A tag rather than a range split, so that a local
/// reference indexes the process's own arena with no adjustment and a
/// shared one simply misses its bounds check.
pub(crate) const SHARED_BIT: u32 = 1 << 31;

impl ObjRef {
    /// The arena slot, for diagnostics and identity hashing (the tag bit
    /// included, so shared and local objects never collide).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Whether this refers to the program's shared, immutable segment.
    #[inline]
    pub fn is_shared(self) -> bool {
        self.0 & SHARED_BIT != 0
    }
}

/// A Noodle value. Cheap to copy; equality and ordering are the language's
/// and live in [`crate::ops`], not in `PartialEq` (which is deliberately not
/// derived: `Int(1)` and `Float(1.0)` are equal in Noodle).
///
/// `repr(u64)` puts every payload at offset 8 behind a full-word tag, so a
/// copy is two plain 8-byte moves (the default layout packs `Bool` and
/// `Builtin` next to the tag, and copies became overlapping partial moves
/// that stall store forwarding in the interpreter loop).
#[derive(Clone, Copy, Debug, Default)]
#[repr(u64)]
pub enum Value {
    #[default]
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Nanoseconds.
    Duration(i64),
    /// The marker an omitted defaulted parameter receives (`JumpIfSet`
    /// tests it). Also marks a global that has not been assigned yet.
    /// Never visible to Noodle code.
    Missing,
    /// An entry of `noodle_nbc::builtins::BUILTINS` used as a value
    /// (a native function or an error constructor).
    Builtin(u16),
    /// Any heap object: str, list, map, closure, struct value, error, ...
    Obj(ObjRef),
}

const _: () = assert!(size_of::<Value>() == 16);

impl Value {
    /// Only `false` and `none` are falsy.
    #[inline]
    pub fn is_truthy(self) -> bool {
        !matches!(self, Value::None | Value::Bool(false))
    }

    #[inline]
    pub fn as_obj(self) -> Option<ObjRef> {
        match self {
            Value::Obj(r) => Some(r),
            _ => None,
        }
    }

    #[inline]
    pub fn as_int(self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// An int or a float as f64 (ints convert), for numeric natives.
    #[inline]
    pub fn as_number(self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    #[inline]
    pub fn is_missing(self) -> bool {
        matches!(self, Value::Missing)
    }

    /// Identity: same scalar bits or same heap object. This is what `==`
    /// means for functions and other reference-identity values.
    pub fn identical(self, other: Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) | (Value::Missing, Value::Missing) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Builtin(a), Value::Builtin(b)) => a == b,
            (Value::Obj(a), Value::Obj(b)) => a == b,
            _ => false,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

/// The dynamic type of a value, as far as dispatch cares. `type_of`
/// strings come from [`crate::Heap::type_name`], which also knows struct
/// and enum names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeTag {
    None,
    Bool,
    Int,
    Float,
    Duration,
    Str,
    List,
    Map,
    Range,
    /// Closures, builtins and enum variant constructors.
    Function,
    Error,
    /// A struct or enum type used as a value (`Point`, `Shape`).
    Type,
    /// An instance of a user struct.
    Struct,
    /// A value of a user enum.
    Enum,
    Iterator,
    /// A call of an `async def` that has not run (`type_of` "coroutine").
    Coroutine,
    Cell,
    ActorType,
    SupervisorType,
    Task,
    Actor,
    Channel,
    Future,
    Missing,
}
