//! `print`, `input` and `now`: the builtins that touch the outside world.

use std::io::{BufRead, Write};
use std::sync::OnceLock;
use std::time::Instant;

use crate::builtins::args;
use crate::error::kinds;
use crate::format;
use crate::host::Blocked;
use crate::native::{Args, NResult};
use crate::value::Value;
use crate::vm::Vm;

/// `print(*args, sep: " ", end: "\n")`: each argument as `str()` shows it.
/// A closed stdout is ignored (it is not the program's error).
pub fn print(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "print", args, 0, usize::MAX, &["sep", "end"])?;
    let sep = args::text_or(vm, "print", args.named("sep"), " ")?;
    let end = args::text_or(vm, "print", args.named("end"), "\n")?;
    let mut line = String::new();
    for (i, &v) in args.positional.iter().enumerate() {
        if i > 0 {
            line.push_str(&sep);
        }
        format::display(&vm.heap, v, &mut line);
    }
    line.push_str(&end);
    let _ = vm.out().write_all(line.as_bytes());
    Ok(Value::None)
}

/// `input(prompt)`: prints the prompt (no newline), then reads one line
/// from stdin without its line ending; `none` at end of input.
pub fn input(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "input", args, 0, 1, &[])?;
    if let Some(prompt) = args.get(0) {
        let text = format::display_string(&vm.heap, prompt);
        let _ = vm.out().write_all(text.as_bytes());
    }
    // What was printed so far must be visible before we wait.
    vm.flush_stdout();
    // The wait for a line holds up nothing else in a runtime's process.
    vm.run_blocking(Box::new(read_line))
}

/// One line of standard input without its line ending.
fn read_line() -> Blocked {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) => Blocked::None,
        Ok(_) => {
            let trimmed = line.strip_suffix('\n').unwrap_or(&line);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            Blocked::Str(trimmed.to_string())
        }
        Err(e) => Blocked::Error {
            kind: "IoError",
            message: format!("input(): {e}"),
        },
    }
}

/// `args()`: the command-line words after the program's file, as a new
/// list of strings each call (so a caller may change it freely).
pub fn args(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "args", args, 0, 0, &[])?;
    let words: Vec<String> = vm.options().args.clone();
    let items = words.iter().map(|w| vm.heap.alloc_str(w)).collect();
    Ok(vm.heap.alloc_list(items))
}

/// The fixed point that `now()` measures from: the first call in this
/// process.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// `now()`: a monotonic duration since a fixed point, for measuring
/// elapsed time (`let t = now(); ...; print(now() - t)`).
pub fn now(vm: &mut Vm, args: &Args<'_>) -> NResult<Value> {
    args::check(vm, "now", args, 0, 0, &[])?;
    let elapsed = epoch().elapsed().as_nanos();
    match i64::try_from(elapsed) {
        Ok(nanos) => Ok(Value::Duration(nanos)),
        Err(_) => Err(vm.error(kinds::OVERFLOW, "now(): the clock overflowed a duration")),
    }
}
