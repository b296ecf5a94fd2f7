//! The builtin functions and module constants of
//! `noodle_nbc::builtins::BUILTINS`, looked up by name once per VM.
//!
//! The concurrency builtins (`channel sleep timeout all any race stop
//! map_reduce`) belong to the VM's runtime and are not defined here.

pub mod args;
pub mod convert;
pub mod errors;
pub mod io;
pub mod iterable;
pub mod numbers;
pub mod sequences;
pub mod sort;
pub mod values;

#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;

use crate::native::{BuiltinDef, NativeFn};

/// The definition of `BUILTINS[index]`; `None` when not defined here.
pub fn lookup(index: u16) -> Option<BuiltinDef> {
    let name = *noodle_nbc::builtins::BUILTINS.get(index as usize)?;
    if let Some(member) = name.strip_prefix("math.") {
        return crate::math::lookup(member);
    }
    if let Some(member) = name.strip_prefix("json.") {
        return crate::json::lookup(member);
    }
    function(name)
        .or_else(|| errors::constructor(name))
        .map(BuiltinDef::Function)
}

fn function(name: &str) -> Option<NativeFn> {
    let f: NativeFn = match name {
        "print" => io::print,
        "input" => io::input,
        "now" => io::now,
        "args" => io::args,
        "str" => values::str,
        "repr" => values::repr,
        "int" => values::int,
        "float" => values::float,
        "bool" => values::bool,
        "list" => values::list,
        "type_of" => values::type_of,
        "len" => sequences::len,
        "range" => sequences::range,
        "enumerate" => sequences::enumerate,
        "zip" => sequences::zip,
        "min" => sequences::min,
        "max" => sequences::max,
        "sum" => sequences::sum,
        "sorted" => sequences::sorted,
        "abs" => numbers::abs,
        "round" => numbers::round,
        "assert" => errors::assert,
        _ => return None,
    };
    Some(f)
}
