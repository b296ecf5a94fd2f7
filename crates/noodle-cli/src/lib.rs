//! The commands behind `noodlec` and `noodle`, kept apart from argument
//! parsing so the binaries stay thin.
//!
//! Exit statuses: [`EXIT_OK`] when all went well, [`EXIT_PROGRAM_ERROR`]
//! for an uncaught error in the program, [`EXIT_USAGE`] for bad arguments,
//! compile errors and unreadable or invalid files.

mod repl;

pub use repl::run_repl;

use noodle_nbc::Module;
use noodle_nbc::format::{read_module, write_module};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const EXIT_OK: u8 = 0;
pub const EXIT_PROGRAM_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Stack size for the thread that compiles and runs programs: the parser,
/// compiler and value printer recurse over deeply nested input.
const WORKER_STACK: usize = 512 * 1024 * 1024;

/// `options` for a VM running on the [`on_big_stack`] worker: natives
/// calling back into Noodle may use most of its stack.
pub fn worker_options(mut options: noodle_vm::VmOptions) -> noodle_vm::VmOptions {
    options.native_stack_budget = options.native_stack_budget.max(WORKER_STACK / 8 * 7);
    options
}

/// Runs `work` on a thread with a large stack and turns a panic, which
/// would be a bug in the toolchain, into a one-line error.
pub fn on_big_stack(work: impl FnOnce() -> u8 + Send + 'static) -> ExitCode {
    let handle = std::thread::Builder::new()
        .name("noodle".into())
        .stack_size(WORKER_STACK)
        .spawn(work);
    let code = match handle.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            eprintln!("error: internal error in the noodle toolchain (please report this bug)");
            101
        }
        Err(e) => {
            eprintln!("error: cannot start the worker thread: {e}");
            EXIT_USAGE
        }
    };
    ExitCode::from(code)
}

/// Keeps panics quiet: `on_big_stack` reports them in one line instead.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if std::env::var_os("NOODLE_BACKTRACE").is_some() {
            eprintln!("{info}");
        }
    }));
}

/// Compiles a source file, printing its diagnostics to stderr.
pub fn compile(path: &Path) -> Result<Module, u8> {
    let output = noodle_codegen::compile_file(path);
    let mut stderr = std::io::stderr().lock();
    for diagnostic in &output.diagnostics {
        let _ = write!(stderr, "{diagnostic}");
    }
    match output.module {
        Some(module) if output.errors == 0 => Ok(module),
        _ => {
            let n = output.errors.max(1);
            let plural = if n == 1 { "" } else { "s" };
            let _ = writeln!(
                stderr,
                "error: could not compile `{}` ({n} error{plural})",
                path.display()
            );
            Err(EXIT_USAGE)
        }
    }
}

/// Loads a program: an `.nbc` file is read and validated, anything else is
/// compiled from source.
pub fn load_program(path: &Path) -> Result<Module, u8> {
    if path.extension().is_some_and(|e| e == "nbc") {
        let bytes = std::fs::read(path).map_err(|e| {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
        let module = read_module(&bytes).map_err(|e| {
            eprintln!("error: `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
        noodle_nbc::verify::verify(&module).map_err(|e| {
            eprintln!("error: `{}`: {e}", path.display());
            EXIT_USAGE
        })?;
        Ok(module)
    } else {
        compile(path)
    }
}

/// `noodlec FILE.nd [-o OUT.nbc]`
pub fn compile_to_file(source: &Path, output: Option<PathBuf>) -> u8 {
    let module = match compile(source) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let output = output.unwrap_or_else(|| source.with_extension("nbc"));
    let bytes = match write_module(&module) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    match std::fs::write(&output, bytes) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", output.display());
            EXIT_USAGE
        }
    }
}

/// `noodle run FILE [--max-frames N] [--workers N] [--stats] [--checkpoint-db PATH]`
pub fn run_file(
    path: &Path,
    options: noodle_vm::VmOptions,
    runtime: &noodle_runtime::RuntimeOptions,
    stats: bool,
) -> u8 {
    if let Err(message) = noodle_runtime::worker_count(runtime) {
        eprintln!("error: {message}");
        return EXIT_USAGE;
    }
    let options = worker_options(options);
    let module = match load_program(path) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let vm = noodle_vm::Vm::new(options);
    let (result, run_stats) = noodle_runtime::run_program(vm, &module, runtime);
    let code = match result {
        Ok(_) => EXIT_OK,
        Err(error) => {
            eprint!("{error}");
            if !error.to_string().ends_with('\n') {
                eprintln!();
            }
            EXIT_PROGRAM_ERROR
        }
    };
    if stats {
        eprint!("{}", run_stats.render());
    }
    code
}

/// `noodle check FILE.nd`
pub fn check_file(path: &Path) -> u8 {
    match compile(path) {
        Ok(_) => EXIT_OK,
        Err(code) => code,
    }
}

/// `noodle disasm FILE.nbc|FILE.nd`
pub fn disassemble_file(path: &Path) -> u8 {
    match load_program(path) {
        Ok(module) => {
            print!("{}", noodle_nbc::disasm::disassemble(&module));
            EXIT_OK
        }
        Err(code) => code,
    }
}
