//! Native methods of builtin types: lists, maps and strings. (Durations
//! have fields, `.ms .s .us .ns`, which the VM reads directly.)
//!
//! Methods that mutate return `none` (`xs.push(1)`, `m.set(k, v)`,
//! `xs.sort()`), as in Python, so a chain cannot be mistaken for a copy.

mod list;
mod map;
mod string;

#[cfg(test)]
mod tests;

use crate::native::NativeMethod;
use crate::value::TypeTag;

/// The native method `name` of values tagged `tag`, if any. The VM raises
/// the TypeError for a missing method (`str has no method 'foo'`).
pub fn lookup(tag: TypeTag, name: &str) -> Option<NativeMethod> {
    match tag {
        TypeTag::List => list::lookup(name),
        TypeTag::Map => map::lookup(name),
        TypeTag::Str => string::lookup(name),
        _ => None,
    }
}
