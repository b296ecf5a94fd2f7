//! [`Vm`]: one Noodle process (heap, register stack, frames, handlers,
//! globals) plus the embedding API.

use std::collections::HashMap;
use std::io::{self, BufWriter, Stdout, Write};
use std::sync::{Arc, Mutex};

use noodle_nbc::Module;

use crate::error::{Thrown, UncaughtError, kinds};
use crate::heap::Heap;
use crate::host::{Blocked, BlockingJob, Host};
use crate::interp::{Frame, Handler};
use crate::load::Program;
use crate::native::{BuiltinDef, NResult, NativeMethod};
use crate::object::{FxBuild, Handle};
use crate::types::Sym;
use crate::value::{TypeTag, Value};

/// Embedder settings.
#[derive(Clone, Debug)]
pub struct VmOptions {
    /// More Noodle frames than this raise `RecursionError`.
    pub max_frames: usize,
    /// Bytes of Rust stack that natives calling back into Noodle (`map`,
    /// `sorted` keys, ...) may use for their nested interpreter loops
    /// before the next re-entry raises `RecursionError`. Plain
    /// Noodle→Noodle calls use no Rust stack and are bounded by
    /// `max_frames` only. Must be comfortably below the running thread's
    /// stack size (the default suits any thread of at least 2 MiB, Rust's
    /// default for spawned threads and test threads, also in debug
    /// builds; the CLI's 512 MiB worker raises it). One level costs about
    /// 19 KiB in a debug build and much less in release.
    pub native_stack_budget: usize,
    /// What `args()` returns: the command-line words after the program.
    pub args: Vec<String>,
}

/// The default [`VmOptions::native_stack_budget`]: 1 MiB.
pub const DEFAULT_NATIVE_STACK_BUDGET: usize = 1 << 20;

impl Default for VmOptions {
    fn default() -> Self {
        VmOptions {
            max_frames: 200_000,
            native_stack_budget: DEFAULT_NATIVE_STACK_BUDGET,
            args: Vec::new(),
        }
    }
}

/// Where `print` writes: buffered stdout, or a buffer (tests, embedding).
pub enum Output {
    Stdout(BufWriter<Stdout>),
    Buffer(Vec<u8>),
    /// One of the above, shared by every process of a runtime: each
    /// `print` is one write under the lock, so lines never interleave.
    Shared(Arc<Mutex<Output>>),
}

impl Output {
    /// This output for another process: the same one once shared.
    pub fn share(&self) -> Output {
        match self {
            Output::Shared(shared) => Output::Shared(Arc::clone(shared)),
            Output::Stdout(_) => Output::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())),
            Output::Buffer(_) => Output::Buffer(Vec::new()),
        }
    }

    fn with<R>(&mut self, f: impl FnOnce(&mut Output) -> R) -> R {
        match self {
            Output::Shared(shared) => {
                let mut guard = shared.lock().unwrap_or_else(|poison| poison.into_inner());
                f(&mut guard)
            }
            other => f(other),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.with(|out| match out {
            Output::Stdout(w) => w.write(buf),
            Output::Buffer(b) => b.write(buf),
            Output::Shared(_) => Ok(0),
        })
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.with(|out| match out {
            Output::Stdout(w) => w.write_all(buf),
            Output::Buffer(b) => b.write_all(buf),
            Output::Shared(_) => Ok(()),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.with(|out| match out {
            Output::Stdout(w) => w.flush(),
            Output::Buffer(_) | Output::Shared(_) => Ok(()),
        })
    }
}

/// One Noodle process. See the crate docs for the native-code contract.
pub struct Vm {
    /// The process's heap. Natives allocate through it directly.
    pub heap: Heap,
    pub(crate) stack: Vec<Value>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) handlers: Vec<Handler>,
    pub(crate) globals: Vec<Value>,
    /// Temporaries natives hold across a callback into Noodle.
    pub(crate) roots: Vec<Value>,
    /// One past the highest argument slot of the natives now running, so
    /// callbacks place their frames above them.
    pub(crate) native_floor: usize,
    pub(crate) program: Arc<Program>,
    /// Shared by the processes of a program, like `program` and
    /// `builtins`: a new process copies nothing but the pointer.
    pub(crate) options: Arc<VmOptions>,
    /// The library's definition of each `BUILTINS` entry, by index.
    pub(crate) builtins: Arc<[Option<BuiltinDef>]>,
    /// Per-instruction (struct type, field index) caches of `GetField` /
    /// `SetField`, indexed by `FunctionCode::cache_base + pc`. Empty until
    /// a field instruction first misses (see `interp::cache_slot`): most
    /// processes of a big program never touch a field.
    pub(crate) field_cache: Vec<crate::interp::FieldSite>,
    /// Register window size: `interp::NARROW_WINDOW` until a function with
    /// more registers is loaded, then `interp::WIDE_WINDOW` for good.
    pub(crate) window: usize,
    pub(crate) method_cache: HashMap<(TypeTag, Sym), Option<NativeMethod>, FxBuild>,
    /// How many `call_value` loops are nested now (natives calling back).
    pub(crate) reentries: usize,
    /// How many [`Vm::with_program`] borrows of `program` are live; while
    /// any is, loading a module (the one thing that replaces `program`)
    /// is refused.
    program_borrows: u32,
    /// How many [`Vm::with_host`] borrows of `host` are live; while any
    /// is, `set_host` (the one thing that replaces it on a running VM)
    /// is refused.
    host_borrows: u32,
    /// The address of a local of the outermost running `call_value`: the
    /// Rust stack nested re-entries have used is measured from it.
    pub(crate) stack_anchor: usize,
    out: Output,
    /// The concurrency runtime, when this VM runs as one of its processes.
    pub(crate) host: Option<Arc<dyn Host>>,
    /// The runtime's own per-process data (its identity, its world).
    pub process: Option<Box<dyn std::any::Any + Send>>,
    /// Calls and loop back-edges left in this time slice; at zero a process
    /// of a runtime yields (see `Halt::Yielded`).
    pub(crate) budget: i64,
    /// Where the value a parked process waits for goes.
    pub(crate) parked: Option<Parked>,
    /// The result of a callee that `start` ran to completion at once.
    pub(crate) immediate: Option<Value>,
    /// Whether the builtin being called may park the process (a plain
    /// call in the process's outermost run): see [`Vm::run_blocking`].
    pub(crate) call_may_park: bool,
    /// What the builtin just called handed to the host to wait for: the
    /// interpreter parks on it, and its value becomes the call's.
    pub(crate) call_parks_on: Option<Handle>,
}

/// How a parked process continues when its value arrives.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Parked {
    /// Into this stack slot, then on at the saved pc.
    Value { slot: usize },
    /// `for v in channel`: into `slot`; a closed channel continues at
    /// `exit` (a pc of the running frame) instead of raising.
    Receive { slot: usize, exit: u32 },
}

/// Calls and back-edges per time slice when a runtime does not set one.
pub const DEFAULT_BUDGET: i64 = 4096;

// Processes move between the runtime's threads.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Vm>();
};

impl Vm {
    pub fn new(options: VmOptions) -> Vm {
        let builtins = (0..noodle_nbc::builtins::BUILTINS.len())
            .map(|i| crate::builtins::lookup(i as u16))
            .collect();
        Vm {
            heap: Heap::new(),
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(64),
            handlers: Vec::new(),
            globals: Vec::new(),
            roots: Vec::new(),
            native_floor: 0,
            program: Arc::new(Program::default()),
            options: Arc::new(options),
            builtins,
            field_cache: Vec::new(),
            window: crate::interp::NARROW_WINDOW,
            method_cache: HashMap::default(),
            reentries: 0,
            program_borrows: 0,
            host_borrows: 0,
            stack_anchor: 0,
            out: Output::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())),
            host: None,
            process: None,
            budget: i64::MAX,
            parked: None,
            immediate: None,
            call_may_park: false,
            call_parks_on: None,
        }
    }

    /// A VM for a new process of the program `parent` runs: the same
    /// loaded program and builtins, a fork of its heap (shared constants,
    /// types and methods), no globals yet (the host copies them in on
    /// first use), and the same host and output. Everything program-wide
    /// is shared by reference and the stacks start empty, so a process
    /// costs little more than this struct until it runs.
    pub fn new_process(parent: &Vm) -> Vm {
        Vm {
            heap: parent.heap.fork(),
            stack: Vec::new(),
            frames: Vec::new(),
            handlers: Vec::new(),
            globals: vec![Value::Missing; parent.globals.len()],
            roots: Vec::new(),
            native_floor: 0,
            program: Arc::clone(&parent.program),
            options: Arc::clone(&parent.options),
            builtins: Arc::clone(&parent.builtins),
            field_cache: Vec::new(),
            window: parent.window,
            method_cache: HashMap::default(),
            reentries: 0,
            program_borrows: 0,
            host_borrows: 0,
            stack_anchor: 0,
            out: parent.out.share(),
            host: parent.host.clone(),
            process: None,
            budget: DEFAULT_BUDGET,
            parked: None,
            immediate: None,
            call_may_park: false,
            call_parks_on: None,
        }
    }

    /// Runs `f` with the loaded program borrowed beside `&mut self`.
    /// Cloning the `Arc` instead would cost two atomic operations per
    /// run on a count every process of the program shares, a cache line
    /// the worker threads would pass back and forth.
    #[allow(unsafe_code)]
    pub(crate) fn with_program<R>(&mut self, f: impl FnOnce(&mut Vm, &Program) -> R) -> R {
        let program: *const Program = Arc::as_ptr(&self.program);
        self.program_borrows += 1;
        // SAFETY: `program` points into the allocation `self.program`
        // keeps alive. The only code that replaces `self.program` is
        // `load`, which refuses to run while `program_borrows > 0`, so the
        // allocation outlives `f` and is never written while shared
        // (`Program` has no interior mutability). A panic in `f` leaves
        // the count raised, which only makes later loads fail.
        let r = f(self, unsafe { &*program });
        self.program_borrows -= 1;
        r
    }

    /// Whether code of this VM is running (a module cannot be loaded
    /// then).
    pub(crate) fn is_running(&self) -> bool {
        self.program_borrows > 0
    }

    /// Makes this VM what `Vm::new_process(parent)` returns, keeping the
    /// memory it has (its heap's table, its caches): the VM of an ended
    /// process made ready for the next one, with none of its state left.
    /// It then shares `parent`'s program without touching the reference
    /// counts every process of the program shares. False, with the VM
    /// left as it is, when that takes more than a reset (another program,
    /// another host or output, a heap too big to keep, code running).
    pub fn reset_as_process_of(&mut self, parent: &Vm) -> bool {
        let same_host = match (&self.host, &parent.host) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        let same_output = match (&self.out, &parent.out) {
            (Output::Shared(a), Output::Shared(b)) => Arc::ptr_eq(a, b),
            // Buffered output of its own would be written late or lost.
            _ => false,
        };
        if !same_host
            || !same_output
            || !Arc::ptr_eq(&self.program, &parent.program)
            || !Arc::ptr_eq(&self.options, &parent.options)
            || !Arc::ptr_eq(&self.builtins, &parent.builtins)
            || self.program_borrows > 0
            || self.host_borrows > 0
            || self.reentries > 0
            || !self.heap.reset_as_fork_of(&parent.heap)
        {
            return false;
        }
        self.frames.clear();
        self.release_stack();
        // Every other field, by name, so that a new one is not forgotten.
        let Vm {
            heap: _,
            stack: _,
            frames: _,
            handlers,
            globals,
            roots,
            native_floor,
            program: _,
            options: _,
            builtins: _,
            field_cache,
            window,
            method_cache,
            reentries: _,
            program_borrows: _,
            host_borrows: _,
            stack_anchor,
            out: _,
            host: _,
            process,
            budget,
            parked,
            immediate,
            call_may_park,
            call_parks_on,
        } = self;
        handlers.clear();
        globals.clear();
        globals.resize(parent.globals.len(), Value::Missing);
        roots.clear();
        *native_floor = 0;
        field_cache.clear();
        *window = parent.window;
        method_cache.clear();
        *stack_anchor = 0;
        *process = None;
        *budget = DEFAULT_BUDGET;
        *parked = None;
        *immediate = None;
        *call_may_park = false;
        *call_parks_on = None;
        true
    }

    /// Makes this VM a process of `host`: awaits, spawns and the
    /// concurrency builtins go to it, and runs yield when the time slice's
    /// budget is spent.
    /// Refused (false) while the host is lent out ([`Vm::with_host`]).
    pub fn set_host(&mut self, host: Arc<dyn Host>) -> bool {
        if self.host_borrows > 0 {
            return false;
        }
        self.host = Some(host);
        self.budget = DEFAULT_BUDGET;
        true
    }

    /// Runs `f` with the host borrowed beside `&mut self`, or gives `None`
    /// without a host. Cloning the `Arc` instead would cost two atomic
    /// operations per spawn, send and first read of a global.
    #[allow(unsafe_code)]
    pub(crate) fn with_host<R>(&mut self, f: impl FnOnce(&mut Vm, &dyn Host) -> R) -> Option<R> {
        let host: *const dyn Host = Arc::as_ptr(self.host.as_ref()?);
        self.host_borrows += 1;
        // SAFETY: `host` points into the allocation `self.host` keeps
        // alive. The only code that replaces `self.host` of a VM in use is
        // `set_host`, which refuses while `host_borrows > 0` (and
        // `reset_as_process_of` likewise), so the allocation outlives `f`.
        // The host is only read through a shared reference, as through the
        // `Arc`. A panic in `f` leaves the count raised, which only makes
        // later `set_host` calls fail.
        let r = f(self, unsafe { &*host });
        self.host_borrows -= 1;
        Some(r)
    }

    pub fn host(&self) -> Option<&Arc<dyn Host>> {
        self.host.as_ref()
    }

    /// Gives back the register stack of a process that has nothing running
    /// (an idle actor): an idle process should cost its state, not a
    /// register window. The next call takes one again.
    pub fn release_stack(&mut self) {
        if self.frames.is_empty() {
            crate::stack_pool::give(std::mem::take(&mut self.stack));
            crate::stack_pool::give_frames(std::mem::take(&mut self.frames));
        }
    }

    /// Runs `job`, a builtin's work that blocks its thread (reading a
    /// terminal), and gives its value. In a process of a runtime, called
    /// plainly from the process's own code, the job goes to the host's
    /// blocking threads and the process parks until it is done, so the
    /// worker thread runs other processes meanwhile: the builtin returns a
    /// placeholder and the interpreter makes the job's value the call's.
    /// Anywhere else (no runtime, a callback a builtin called) the job runs
    /// here and now, as it would in a program with one thread.
    pub fn run_blocking(&mut self, job: BlockingJob) -> NResult<Value> {
        let mut job = Some(job);
        if self.call_may_park
            && self.host.is_some()
            && let Some(j) = job.take()
        {
            match self.with_host(|vm, host| host.run_blocking(vm, j)) {
                Some(Ok(handle)) => {
                    self.call_parks_on = Some(handle);
                    return Ok(Value::None);
                }
                Some(Err(back)) => job = Some(back),
                None => {}
            }
        }
        let Some(job) = job else {
            return Err(self.error(kinds::TYPE, "internal error: a blocking call was lost"));
        };
        match job() {
            Blocked::None => Ok(Value::None),
            Blocked::Str(s) => Ok(self.heap.alloc_str(&s)),
            Blocked::Error { kind, message } => Err(self.error(kind, message)),
        }
    }

    /// Starts a new time slice of `budget` calls and back-edges.
    pub fn set_budget(&mut self, budget: i64) {
        self.budget = budget;
    }

    /// What is left of the time slice [`Vm::set_budget`] started (zero or
    /// less once the process has been asked to yield).
    pub fn budget_left(&self) -> i64 {
        self.budget
    }

    /// Verifies and loads `module` and returns its entry closure, to be
    /// run with [`Vm::start`] and [`Vm::run`].
    pub fn load_program(&mut self, module: &Module) -> Result<Value, UncaughtError> {
        crate::load::load(self, module).map_err(|message| UncaughtError::new(kinds::LOAD, message))
    }

    pub fn options(&self) -> &VmOptions {
        &self.options
    }

    /// Verifies and loads `module`, extends the globals to
    /// `module.globals.len()` (keeping existing ones, for the REPL), runs
    /// its entry and returns the entry's value. Stdout is flushed before an
    /// error is returned.
    pub fn run_module(&mut self, module: &Module) -> Result<Value, UncaughtError> {
        let entry = match crate::load::load(self, module) {
            Ok(entry) => entry,
            Err(message) => {
                self.flush_stdout();
                return Err(UncaughtError::new(kinds::LOAD, message));
            }
        };
        let result = self.call_value(entry, &[]);
        // The entry's closure and result stay reachable only through us now.
        match result {
            Ok(v) => Ok(v),
            Err(Thrown(e)) => {
                self.flush_stdout();
                Err(UncaughtError::from_value(&self.heap, e))
            }
        }
    }

    /// How `v` prints inside a container (`"a"` quoted), via the library's
    /// formatter.
    pub fn repr(&self, v: Value) -> String {
        let mut out = String::new();
        crate::format::repr(&self.heap, v, &mut out);
        out
    }

    /// How `v` prints at top level (`print`, `str`).
    pub fn display(&self, v: Value) -> String {
        let mut out = String::new();
        crate::format::display(&self.heap, v, &mut out);
        out
    }

    pub fn flush_stdout(&mut self) {
        // A closed stdout (e.g. `| head`) is not the program's error.
        let _ = self.out.flush();
    }

    /// Where `print` writes.
    pub fn out(&mut self) -> &mut Output {
        &mut self.out
    }

    /// Sends output to an in-memory buffer from now on (tests, embedding);
    /// read it with [`Vm::take_output`].
    pub fn capture_output(&mut self) {
        self.flush_stdout();
        self.out = Output::Buffer(Vec::new());
    }

    /// Makes this VM's output shareable with the processes it spawns.
    pub fn share_output(&mut self) {
        if !matches!(self.out, Output::Shared(_)) {
            let own = std::mem::replace(&mut self.out, Output::Buffer(Vec::new()));
            self.out = Output::Shared(Arc::new(Mutex::new(own)));
        }
    }

    /// The captured output so far (empty when writing to stdout).
    pub fn take_output(&mut self) -> String {
        self.out.with(|out| match out {
            Output::Buffer(b) => String::from_utf8_lossy(&std::mem::take(b)).into_owned(),
            _ => String::new(),
        })
    }

    /// A fresh error for a native to return: `return Err(vm.error("ValueError", "bad"))`.
    #[cold]
    pub fn error(&mut self, kind: &str, message: impl Into<String>) -> Thrown {
        self.heap.error(kind, message)
    }

    pub fn type_error(&mut self, message: impl Into<String>) -> Thrown {
        self.heap.error(kinds::TYPE, message)
    }

    /// Keeps `v` alive until the native that pushed it returns (the VM
    /// truncates the root stack after every native call).
    pub fn push_root(&mut self, v: Value) {
        self.roots.push(v);
    }

    /// The current depth of the root stack, for [`Vm::truncate_roots`].
    pub fn root_mark(&self) -> usize {
        self.roots.len()
    }

    pub fn truncate_roots(&mut self, mark: usize) {
        self.roots.truncate(mark);
    }

    /// The module globals as this process sees them (`Missing` where not
    /// assigned, or for a runtime's process, not copied in yet).
    pub fn globals(&self) -> &[Value] {
        &self.globals
    }

    /// The global slot `index`, if assigned.
    pub fn global(&self, index: usize) -> Option<Value> {
        self.globals.get(index).copied().filter(|v| !v.is_missing())
    }

    /// Runs a garbage collection now (tests, embedders between runs).
    pub fn collect_garbage(&mut self) {
        crate::interp::collect(self);
    }
}
