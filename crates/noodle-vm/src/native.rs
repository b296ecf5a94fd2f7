//! The contract between the VM and native code (builtins and methods of
//! builtin types). See the crate docs for the rules natives follow.

use std::sync::Arc;

use crate::error::Thrown;
use crate::value::Value;
use crate::vm::Vm;

/// The result of anything that can raise a Noodle error.
pub type NResult<T> = Result<T, Thrown>;

/// A builtin function: `print`, `len`, `math.sqrt`, `ValueError`, ...
pub type NativeFn = fn(&mut Vm, &Args) -> NResult<Value>;

/// A method of a builtin type (`xs.push(1)`): the receiver comes first.
pub type NativeMethod = fn(&mut Vm, Value, &Args) -> NResult<Value>;

/// What a `BUILTINS` entry is, as the library reports it.
#[derive(Clone, Copy, Debug)]
pub enum BuiltinDef {
    /// Called with the arguments of a `Call`.
    Function(NativeFn),
    /// A module constant (`math.pi`): `LoadBuiltin` yields the value itself.
    Constant(Value),
}

/// The arguments of a native call. Both slices are copies: the originals
/// stay in the caller's registers, so they are rooted for the whole call.
#[derive(Clone, Copy, Debug)]
pub struct Args<'a> {
    pub positional: &'a [Value],
    /// `name: value` arguments, in call order (`sorted(xs, key: f)`).
    pub named: &'a [(Arc<str>, Value)],
}

impl<'a> Args<'a> {
    pub fn new(positional: &'a [Value]) -> Args<'a> {
        Args {
            positional,
            named: &[],
        }
    }

    /// Number of positional arguments.
    pub fn len(&self) -> usize {
        self.positional.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positional.is_empty()
    }

    /// Positional argument `i`, if given.
    pub fn get(&self, i: usize) -> Option<Value> {
        self.positional.get(i).copied()
    }

    /// The named argument `name`, if given.
    pub fn named(&self, name: &str) -> Option<Value> {
        self.named
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|&(_, v)| v)
    }

    /// The first named argument whose name is not in `allowed`, so natives
    /// can reject typos (`sorted(xs, kye: f)`) with a TypeError.
    pub fn unknown_named(&self, allowed: &[&str]) -> Option<&str> {
        self.named
            .iter()
            .map(|(n, _)| &**n)
            .find(|n| !allowed.contains(n))
    }
}
