//! Raised errors as Rust values: [`Thrown`] inside the VM and natives,
//! [`UncaughtError`] for the embedder.

use std::fmt;

use crate::heap::Heap;
use crate::value::Value;

/// A raised Noodle error travelling through Rust code. The value is always
/// an error object (`Object::Error`); its trace is filled in by the
/// interpreter when it is first raised, if still empty.
#[derive(Clone, Copy, Debug)]
pub struct Thrown(pub Value);

impl Thrown {
    pub fn value(self) -> Value {
        self.0
    }
}

/// An error that no handler caught, as the embedder reports it:
/// `error: KIND: MESSAGE` then one `  at ...` line per trace entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncaughtError {
    pub kind: String,
    pub message: String,
    pub trace: Vec<String>,
}

impl UncaughtError {
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> UncaughtError {
        UncaughtError {
            kind: kind.into(),
            message: message.into(),
            trace: Vec::new(),
        }
    }

    /// Reads an error value out of the heap.
    pub fn from_value(heap: &Heap, v: Value) -> UncaughtError {
        match heap.error_obj(v) {
            Some(e) => UncaughtError {
                kind: e.kind.to_string(),
                message: e.message.clone(),
                trace: e.trace.clone(),
            },
            None => UncaughtError::new(
                "TypeError",
                format!("raised a {} value, not an error", heap.type_name(v)),
            ),
        }
    }
}

/// Identical consecutive trace lines beyond this many print as one
/// "repeated" line, as Python does for deep recursion.
const SHOWN_REPEATS: usize = 3;

impl fmt::Display for UncaughtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}: {}", self.kind, self.message)?;
        let mut lines = self.trace.iter().peekable();
        while let Some(line) = lines.next() {
            let mut repeats = 0;
            while lines.peek() == Some(&line) {
                lines.next();
                repeats += 1;
            }
            for _ in 0..=repeats.min(SHOWN_REPEATS - 1) {
                write!(f, "\n  {line}")?;
            }
            let hidden = repeats.saturating_sub(SHOWN_REPEATS - 1);
            if hidden > 0 {
                let times = if hidden == 1 { "time" } else { "times" };
                write!(f, "\n  ... previous line repeated {hidden} more {times}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(trace: &[&str]) -> String {
        let mut e = UncaughtError::new("RecursionError", "deep");
        e.trace = trace.iter().map(|s| s.to_string()).collect();
        e.to_string()
    }

    #[test]
    fn repeated_trace_lines_are_collapsed() {
        let mut trace = vec!["at f (a.nd:1:1)"; 10];
        trace.push("at main (a.nd:5:1)");
        assert_eq!(
            shown(&trace),
            "error: RecursionError: deep\n  at f (a.nd:1:1)\n  at f (a.nd:1:1)\n  at f (a.nd:1:1)\n  ... previous line repeated 7 more times\n  at main (a.nd:5:1)"
        );
    }

    #[test]
    fn short_repeats_print_in_full() {
        let trace = ["at f (a.nd:1:1)", "at f (a.nd:1:1)", "at g (a.nd:2:1)"];
        assert_eq!(
            shown(&trace),
            "error: RecursionError: deep\n  at f (a.nd:1:1)\n  at f (a.nd:1:1)\n  at g (a.nd:2:1)"
        );
    }
}

impl std::error::Error for UncaughtError {}

/// Error kinds the VM raises itself.
pub mod kinds {
    pub const TYPE: &str = "TypeError";
    pub const VALUE: &str = "ValueError";
    pub const INDEX: &str = "IndexError";
    pub const KEY: &str = "KeyError";
    pub const ZERO_DIVISION: &str = "ZeroDivisionError";
    pub const OVERFLOW: &str = "OverflowError";
    pub const RECURSION: &str = "RecursionError";
    pub const NAME: &str = "NameError";
    pub const UNSUPPORTED: &str = "UnsupportedError";
    pub const LOAD: &str = "LoadError";
    pub const CHANNEL_CLOSED: &str = "ChannelClosed";
    pub const CANCELLED: &str = "CancelledError";
    pub const TIMEOUT: &str = "TimeoutError";
    pub const ACTOR_STOPPED: &str = "ActorStopped";
    pub const DEADLOCK: &str = "DeadlockError";
    pub const AGGREGATE: &str = "AggregateError";
    pub const PLACEMENT: &str = "PlacementError";
}
