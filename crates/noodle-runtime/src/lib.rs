//! The Noodle concurrency runtime.
//!
//! Every task is a *process*: a [`Vm`] of its own (heap, frames,
//! registers) driven as a task of a tokio multi-threaded runtime, whose
//! scheduler is the work-stealing pool (per-worker run queues, stealing, a
//! global injector, parking without lost wake-ups) and whose reactor
//! supplies the timers. A process runs until it finishes, parks at an
//! `await` of something not ready (the driver waits for it without a
//! thread, copies the value in and resumes, possibly on another worker) or
//! spends its time slice (calls and back-edges are counted; the driver
//! yields to the scheduler so one busy process cannot starve the others).
//!
//! Values cross between processes as deep copies
//! ([`noodle_vm::transfer::Message`]); strings are shared by reference
//! count; tasks and channels are shared handles. See docs/runtime.md.

mod actor;
pub mod channel;
mod checkpoint;
mod decl;
mod host;
mod parallel;
mod placement;
mod process;
mod stats;
mod supervisor;
mod task;
mod wait;

pub use stats::Stats;

use std::sync::Arc;

use noodle_nbc::Module;
use noodle_vm::{UncaughtError, Value, Vm};

use crate::task::TaskCell;

/// Stack of each worker thread: natives calling back into Noodle (`map`,
/// `sorted` keys) nest interpreter loops on it.
pub const WORKER_STACK: usize = 256 * 1024 * 1024;

/// How to run a program.
#[derive(Clone, Debug, Default)]
pub struct RuntimeOptions {
    /// Worker threads; `None` is one per core.
    pub workers: Option<usize>,
    /// The SQLite file for `@checkpoint` (`:memory:` keeps it in memory);
    /// `None` is `$NOODLE_CHECKPOINT_DB` or the default data directory.
    pub checkpoint_db: Option<String>,
}

/// The number of workers for `options`: the option, then `NOODLE_WORKERS`,
/// then one per core.
pub fn worker_count(options: &RuntimeOptions) -> Result<usize, String> {
    if let Some(n) = options.workers {
        return if n == 0 {
            Err("--workers must be at least 1".into())
        } else {
            Ok(n)
        };
    }
    match std::env::var("NOODLE_WORKERS") {
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!(
                "NOODLE_WORKERS must be a number of workers (at least 1), not `{text}`"
            )),
        },
        Err(_) => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Runs `module` as the main process of a new runtime on this thread.
/// When the main process ends, the tasks still running are cancelled,
/// actors are stopped and output is flushed. Returns the uncaught error of
/// the main process, and what the run did (for `--stats`).
pub fn run_program(
    vm: Vm,
    module: &Module,
    options: &RuntimeOptions,
) -> (Result<Value, UncaughtError>, Stats) {
    stats::reset();
    let workers = worker_count(options).unwrap_or(1);
    let result = run_main(vm, module, options);
    (result, stats::snapshot(workers))
}

fn run_main(mut vm: Vm, module: &Module, options: &RuntimeOptions) -> Result<Value, UncaughtError> {
    let workers = worker_count(options).map_err(|m| UncaughtError::new("UsageError", m))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_stack_size(WORKER_STACK)
        .thread_name("noodle-worker")
        .enable_time()
        .build()
        .map_err(|e| {
            UncaughtError::new("RuntimeError", format!("cannot start the runtime: {e}"))
        })?;
    let entry = vm.load_program(module)?;
    vm.heap.seal_base();
    vm.share_output();
    let shared = Arc::new(host::Shared::new(workers, options.checkpoint_db.clone()));
    vm.set_host(Arc::new(host::RuntimeHost {
        shared: Arc::clone(&shared),
    }));
    shared.set_template(Vm::new_process(&vm));
    let task = TaskCell::new(Arc::from("main"));
    let world = process::current_world(&mut vm);
    process::adopt(&mut vm, world, Arc::clone(&task));
    if let Err(e) = vm.start(entry, &[]) {
        vm.flush_stdout();
        return Err(UncaughtError::from_value(&vm.heap, e.0));
    }
    let result = runtime.block_on(async { process::drive(&mut vm, &task).await });
    task.cancel();
    vm.flush_stdout();
    // Actors still running are dropped with the runtime's tasks.
    runtime.shutdown_background();
    shared.finish();
    stats::process_ended(&vm);
    result.map_err(|e| UncaughtError::from_value(&vm.heap, e))
}
