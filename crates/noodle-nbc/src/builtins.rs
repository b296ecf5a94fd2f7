//! The builtin table shared by the compiler and the VM: `LoadBuiltin`'s
//! operand indexes this list, so the order is part of the NBC format
//! (append only; bump [`crate::FORMAT_VERSION`] on any other change).
//!
//! Entries of native modules are written `module.member`.

/// Every builtin name, in operand order.
pub const BUILTINS: &[&str] = &[
    // functions
    "print",
    "len",
    "str",
    "int",
    "float",
    "bool",
    "list",
    "type_of",
    "repr",
    "range",
    "enumerate",
    "zip",
    "min",
    "max",
    "sum",
    "abs",
    "round",
    "sorted",
    "assert",
    "input",
    "now",
    "map_reduce",
    "channel",
    "sleep",
    "timeout",
    "all",
    "any",
    "race",
    "stop",
    // error constructors: `Error(msg, kind: "X")` and one per kind
    "Error",
    "TypeError",
    "ValueError",
    "IndexError",
    "KeyError",
    "ZeroDivisionError",
    "OverflowError",
    "MatchError",
    "AssertionError",
    "AggregateError",
    "RecursionError",
    "ChannelClosed",
    "DeadlockError",
    "TimeoutError",
    "CancelledError",
    "ActorStopped",
    "PlacementError",
    "DbError",
    "IoError",
    "PermissionError",
    "NameError",
    "UnsupportedError",
    // module math
    "math.sqrt",
    "math.sin",
    "math.cos",
    "math.tan",
    "math.asin",
    "math.acos",
    "math.atan",
    "math.atan2",
    "math.exp",
    "math.log",
    "math.log2",
    "math.log10",
    "math.pow",
    "math.floor",
    "math.ceil",
    "math.round",
    "math.trunc",
    "math.abs",
    "math.hypot",
    "math.is_nan",
    "math.is_inf",
    "math.pi",
    "math.e",
    "math.tau",
    "math.inf",
    "math.nan",
    "math.max_int",
    "math.min_int",
    // module json
    "json.parse",
    "json.dump",
    // the command-line words after the program's file
    "args",
];

/// Native modules that `import` resolves without a file.
pub const NATIVE_MODULES: &[&str] = &["math", "json"];

/// The index of a builtin by its full name (`print`, `math.sqrt`).
pub fn builtin_index(name: &str) -> Option<u16> {
    BUILTINS.iter().position(|b| *b == name).map(|i| i as u16)
}

/// The builtin names that are error constructors, i.e. the error kinds
/// known to the language (`Error` itself excluded).
pub fn error_kinds() -> impl Iterator<Item = &'static str> {
    let start = builtin_index("TypeError").unwrap_or(0) as usize;
    let end = builtin_index("UnsupportedError").map_or(start, |i| i as usize + 1);
    BUILTINS[start..end].iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for b in BUILTINS {
            assert!(seen.insert(b), "duplicate builtin {b}");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(builtin_index("print"), Some(0));
        assert!(builtin_index("math.sqrt").is_some());
        assert!(builtin_index("nope").is_none());
        assert!(error_kinds().any(|k| k == "KeyError"));
        assert!(!error_kinds().any(|k| k == "Error"));
    }
}
