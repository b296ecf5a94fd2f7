//! The interpreter: one loop over decoded instructions, register frames in
//! one `Vec<Value>`, call frames in a `Vec<Frame>`. A Noodle call pushes a
//! frame and continues in the same loop (no Rust recursion), so deep
//! recursion is bounded only by `VmOptions::max_frames`.
//!
//! Calling convention (Lua-style): a call window `R[f] = callee`,
//! `R[f+1 ..= f+argc] = args` becomes the callee's frame with
//! `base = caller.base + f + 1`, so arguments are never copied. The
//! callee may clobber the caller's registers above `f`; its result goes to
//! the caller's `R[f]` (`Frame::ret`). Methods use `base = receiver` so the
//! receiver is parameter 0 (`self`).
//!
//! Files: `op` (the translated instruction form and pair fusion), `hot`
//! (the fast tier), this file (the general loop: every instruction, in
//! full), `cold` (rare instructions, out of line), `call` (calls, argument
//! binding, natives, constructors, method dispatch), `access` (indexing,
//! slicing, fields), `unwind` (raising, traces, GC roots).

pub mod access;
mod call;
mod code;
mod cold;
mod field_site;
mod hot;
mod op;
mod unwind;

pub use access::{
    check_value, get_field, get_index, len, normalize_index, set_field, set_index, slice,
    type_matches,
};
pub(crate) use code::Code;
pub(crate) use field_site::FieldSite;
pub(crate) use op::{Op, translate};
pub(crate) use unwind::collect;

use crate::error::{Thrown, kinds};
use crate::heap::Heap;
use crate::host::CallNow;
use crate::load::Program;
use crate::native::{BuiltinDef, NResult};
use crate::object::{Closure, Object};
use crate::ops::{self, CompareOp};
use crate::types::TypeCheck;
use crate::value::{ObjRef, Value};
use crate::vm::Vm;
use call::{CallOutcome, MethodName, Wanted};
use cold::ColdContext;

/// One active call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Program function index.
    pub func: u32,
    /// The running closure (captured cells); a GC root.
    pub closure: ObjRef,
    /// Absolute stack index of `R[0]`.
    pub base: u32,
    /// Absolute stack index that receives the return value.
    pub ret: u32,
    /// The next instruction; saved while the frame is not running.
    pub pc: u32,
}

/// An installed `try`: unwinding to it resumes frame `frame` at `target`
/// with the error in `R[err_reg]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handler {
    pub frame: u32,
    pub err_reg: u16,
    pub target: u32,
}

/// Why the interpreter stopped.
#[derive(Clone, Debug)]
pub enum Halt {
    /// The outermost frame of this run returned this value.
    Finished(Value),
    /// An error no handler of this run caught (trace filled in).
    Raised(Value),
    /// The process waits (its frames intact); resume it with
    /// [`Vm::resume`] once what it waits for has a value.
    Parked(crate::host::Wait),
    /// The time slice's budget is spent; [`Vm::resume`] with
    /// `Resume::Continue` goes on where it stopped.
    Yielded,
}

#[derive(Clone, Copy)]
enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

/// Truthiness read in place (only `false` and `none` are falsy).
#[inline(always)]
fn truthy(slot: &Value) -> bool {
    !matches!(slot, Value::None | Value::Bool(false))
}

#[inline]
fn upval_cell(heap: &Heap, closure: ObjRef, idx: u16) -> ObjRef {
    match heap.get(closure) {
        Object::Closure(c) => c.cells.get(idx as usize).copied().unwrap_or(closure),
        _ => closure,
    }
}

/// Registers addressable by a `u16` operand: the stack always has this many
/// slots from the running frame's base on.
pub(crate) const WIDE_WINDOW: usize = 1 << 16;

/// The register window when every loaded function has at most this many
/// registers (the usual case): a process then needs only a few KB of
/// register stack beyond its frames, instead of `WIDE_WINDOW` slots.
pub(crate) const NARROW_WINDOW: usize = 256;

/// How many instructions after a method call answered in place the
/// general loop runs itself before it enters the hot tier again.
const SHORT_TAIL: u8 = 4;

/// How many instructions a run starts with in the general loop.
const OPENING: u8 = 8;

/// The least Rust stack one nested `call_value` level is assumed to use.
const MIN_REENTRY_COST: usize = 4096;

impl Vm {
    /// Calls any callable with `args` and runs it to completion: the entry
    /// point for natives that call back into Noodle (`sorted` keys,
    /// `list.map`). Runs a nested interpreter loop, so a collection may
    /// happen before it returns: see the rooting rules in the crate docs.
    ///
    /// Each nested call runs a nested loop on the Rust stack, so the Rust
    /// stack these loops use is measured (from the outermost one) and a
    /// call that would take it past `VmOptions::native_stack_budget`
    /// raises `RecursionError` instead of overflowing the thread's stack.
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> NResult<Value> {
        let marker = 0u8;
        let here = std::ptr::addr_of!(marker).addr();
        let used = self.stack_anchor.abs_diff(here);
        // `None` for the outermost call, which sets the anchor.
        if let Some(average) = used.checked_div(self.reentries) {
            // The next level costs about what the average one did so far;
            // keep room for it and for the native and callee it runs.
            let per_level = average.max(MIN_REENTRY_COST);
            if used.saturating_add(2 * per_level) > self.options.native_stack_budget {
                let message = format!(
                    "maximum recursion depth exceeded ({} nested callbacks from builtins)",
                    self.reentries
                );
                return Err(self.error(kinds::RECURSION, message));
            }
        } else {
            self.stack_anchor = here;
        }
        // Only the builtin a plain call called may park the process; one
        // a native calls back (`sorted(xs, key: input)`) runs in place,
        // since the native needs its value now.
        self.call_may_park = false;
        self.reentries += 1;
        let result = self.call_value_nested(f, args);
        self.reentries -= 1;
        result
    }

    /// How many [`Vm::call_value`] loops (natives calling back into Noodle)
    /// are nested now.
    pub fn reentry_depth(&self) -> usize {
        self.reentries
    }

    fn call_value_nested(&mut self, f: Value, args: &[Value]) -> NResult<Value> {
        self.with_program(|vm, program| vm.call_value_nested_in(program, f, args))
    }

    fn call_value_nested_in(
        &mut self,
        program: &Program,
        f: Value,
        args: &[Value],
    ) -> NResult<Value> {
        let window = self.stack_top();
        let need = window + 1 + args.len();
        if self.stack.len() < need {
            self.stack.resize(need, Value::None);
        }
        self.stack[window] = f;
        self.stack[window + 1..need].copy_from_slice(args);
        // A safepoint: a native may call back many times (`list.map`) with
        // callbacks that never reach a call or a back-edge themselves. The
        // window is rooted for the collection, so fresh arguments survive.
        if self.heap.should_collect() {
            let saved_floor = self.native_floor;
            self.native_floor = need;
            collect(self);
            self.native_floor = saved_floor;
        }
        let depth = self.frames.len();
        match self.call_at(program, window, args.len(), None)? {
            CallOutcome::Done => Ok(self.stack[window]),
            CallOutcome::Pushed => match self.execute(depth) {
                Halt::Finished(v) => Ok(v),
                Halt::Raised(e) => Err(Thrown(e)),
                // Nested runs never park or yield (see `safepoint!`).
                Halt::Parked(_) | Halt::Yielded => Err(self.error(
                    kinds::TYPE,
                    "internal error: a callback from a builtin tried to wait",
                )),
            },
        }
    }

    /// Runs the current frames until they have all returned, an error
    /// escapes them, or (as a process of a runtime) the process parks or
    /// yields.
    pub fn run(&mut self) -> Halt {
        if self.frames.is_empty() {
            if let Some(h) = self.call_parks_on.take() {
                return Halt::Parked(crate::host::Wait::Await(h));
            }
            if let Some(v) = self.immediate.take() {
                return Halt::Finished(v);
            }
        }
        self.execute_process()
    }

    /// `execute` for a process's outermost run: the register window is
    /// restored first (the runtime may have trimmed the stack while the
    /// process waited).
    fn execute_process(&mut self) -> Halt {
        self.ensure_window();
        self.execute(0)
    }

    /// Keeps only the live part of the register stack (see `stack_top`),
    /// in a stack of its own size, and gives the full one to this thread's
    /// spare stacks. A register window is 256 slots (4 KiB) or more, most
    /// of it unused by a typical frame, which matters when a program has a
    /// million waiting processes; the runtime calls this when a process is
    /// about to wait, not merely park. When the process resumes,
    /// `grow_stack` takes a spare stack again (often this same one), so a
    /// wait costs two small copies rather than shrinking, regrowing and
    /// refilling the window.
    pub fn trim_stack(&mut self) {
        let top = self.stack_top();
        if top < self.stack.len() {
            let live = self.stack[..top].to_vec();
            crate::stack_pool::give(std::mem::replace(&mut self.stack, live));
        }
    }

    /// Extends the stack to the running frame's full register window
    /// again after `trim_stack`.
    fn ensure_window(&mut self) {
        if let Some(frame) = self.frames.last() {
            let need = frame.base as usize + self.window;
            self.grow_stack(need);
        }
    }

    /// Makes the stack at least `need` slots long. A stack too small for
    /// that (none yet, or one `trim_stack` left) moves its values into a
    /// spare stack of this thread, when there is one with the room.
    fn grow_stack(&mut self, need: usize) {
        if self.stack.len() >= need {
            return;
        }
        if self.stack.capacity() < need {
            crate::stack_pool::take_for(&mut self.stack, need);
        }
        if self.stack.len() < need {
            self.stack.resize(need, Value::None);
        }
    }

    /// Whether [`Vm::start`] of `callee` with `argc` positional arguments
    /// certainly succeeds: a closure taking exactly that many. A runtime
    /// may then make the process later, where it runs.
    pub fn starts_cleanly(&self, callee: Value, argc: usize) -> bool {
        match self.heap.object(callee) {
            Some(Object::Closure(c)) => self
                .program
                .functions
                .get(c.func as usize)
                .is_some_and(|code| code.params.len() == argc),
            _ => false,
        }
    }

    /// Makes `callee(args)` the process's outermost call, to be run with
    /// [`Vm::run`]. An async function starts its body (a coroutine object
    /// is started as awaited); anything that is not Noodle code (a builtin,
    /// a struct type) runs to completion here and `run` returns its value.
    pub fn start(&mut self, callee: Value, args: &[Value]) -> NResult<()> {
        self.with_program(|vm, program| vm.start_in(program, callee, args))
    }

    fn start_in(&mut self, program: &Program, callee: Value, args: &[Value]) -> NResult<()> {
        self.frames.clear();
        if self.frames.capacity() == 0 {
            self.frames = crate::stack_pool::take_frames();
        }
        self.handlers.clear();
        self.parked = None;
        let slot = 0;
        self.grow_stack(slot + 1 + args.len() + self.window);
        self.stack[slot] = callee;
        self.stack[slot + 1..slot + 1 + args.len()].copy_from_slice(args);
        if let Some(Object::Coroutine(c)) = self.heap.object(callee) {
            if !args.is_empty() {
                return Err(self.type_error("a coroutine takes no arguments"));
            }
            let (closure, func, bound) = (c.closure, c.func, c.args.clone());
            self.enter_coroutine(closure, func, &bound, slot)?;
            return Ok(());
        }
        // A blocking builtin as the process's whole call (`spawn input()`)
        // may park it like one its code calls (see `Vm::run_blocking`).
        self.call_may_park = self.reentries == 0;
        let called = self.call_at(program, slot, args.len(), None);
        self.call_may_park = false;
        match called? {
            CallOutcome::Done if self.call_parks_on.is_some() => {
                self.parked = Some(crate::vm::Parked::Value { slot });
            }
            CallOutcome::Done => self.immediate = Some(self.stack[slot]),
            CallOutcome::Pushed => {
                // An async function run as a process starts its body.
                let frame = self.frames.last_mut().expect("pushed frame");
                if matches!(
                    program.functions[frame.func as usize].code.first(),
                    Some(Op::AsyncBegin {})
                ) {
                    frame.pc = 1;
                }
            }
        }
        Ok(())
    }

    /// Runs coroutine (`closure`, `func`, bound `args`) as a call whose
    /// result goes to `stack[ret]`: a frame above the running one, at the
    /// instruction after its `AsyncBegin`.
    pub(crate) fn enter_coroutine(
        &mut self,
        closure: ObjRef,
        func: u32,
        args: &[Value],
        ret: usize,
    ) -> NResult<()> {
        if self.frames.len() >= self.options.max_frames {
            let message = format!(
                "maximum recursion depth exceeded ({} frames)",
                self.frames.len()
            );
            return Err(self.error(kinds::RECURSION, message));
        }
        let base = self.stack_top().max(ret + 1);
        let need = base + args.len() + self.window;
        if self.stack.len() < need {
            self.stack.resize(need, Value::None);
        }
        self.stack[base..base + args.len()].copy_from_slice(args);
        self.frames.push(Frame {
            func,
            closure,
            base: base as u32,
            ret: ret as u32,
            pc: 1,
        });
        Ok(())
    }

    /// Continues a parked or yielded process.
    pub fn resume(&mut self, how: crate::host::Resume) -> Halt {
        use crate::host::Resume;
        use crate::vm::Parked;
        self.ensure_window();
        let parked = self.parked.take();
        match (how, parked) {
            (Resume::Value(v), Some(Parked::Value { slot } | Parked::Receive { slot, .. })) => {
                // A builtin that was the whole call (`start`) is done; its
                // stack may have been trimmed to nothing meanwhile.
                if self.frames.is_empty() {
                    return Halt::Finished(v);
                }
                self.stack[slot] = v;
            }
            (Resume::Error(e), Some(Parked::Receive { exit, .. }))
                if self
                    .heap
                    .error_obj(e)
                    .is_some_and(|err| &*err.kind == kinds::CHANNEL_CLOSED) =>
            {
                if let Some(frame) = self.frames.last_mut() {
                    frame.pc = exit;
                }
            }
            (Resume::Error(e), _) => {
                let unwound = self.with_program(|vm, program| vm.unwind(program, e, 0));
                if !unwound {
                    return Halt::Raised(e);
                }
            }
            _ => {}
        }
        self.execute_process()
    }

    /// The dispatch loop. Runs until the frame at index `stop_depth`
    /// returns (`Finished`) or an error unwinds past it (`Raised`).
    pub(crate) fn execute(&mut self, stop_depth: usize) -> Halt {
        if self.window == NARROW_WINDOW {
            self.with_program(|vm, program| vm.execute_in::<NARROW_WINDOW>(program, stop_depth))
        } else {
            self.with_program(|vm, program| vm.execute_in::<WIDE_WINDOW>(program, stop_depth))
        }
    }

    /// `execute` with register windows of `N` slots (`Vm::window`).
    // `rewindow!` after a call that ends the arm is sometimes not read.
    #[allow(unused_assignments)]
    fn execute_in<const N: usize>(&mut self, program: &Program, stop_depth: usize) -> Halt {
        // A run starts in this loop: an actor's handler, a task or a
        // callback is often over in fewer instructions than entering the
        // hot tier costs.
        let mut opening = OPENING;
        'frame: loop {
            let Some(&frame) = self.frames.last() else {
                return Halt::Finished(Value::None);
            };
            // The running frame's state; a call switches these in place.
            let mut func = &program.functions[frame.func as usize];
            let mut module = &*func.module;
            let mut code = &func.code[..];
            let mut base = frame.base as usize;
            let mut closure = frame.closure;
            // The instruction stream as an iterator: fetching needs no
            // separate bounds check, and `pc` is derived only when needed.
            let mut ip = code.get(frame.pc as usize..).unwrap_or_default().iter();
            macro_rules! current_pc {
                () => {
                    code.len() - ip.len()
                };
            }
            let mut kw: Option<u16> = None;
            // Instructions this loop runs itself before it enters the hot
            // tier again: set after a method call the host or a native
            // answered in place, whose caller often has only a few
            // instructions left (a handler's `return`, a send loop's
            // step), less than entering the hot tier costs.
            let mut tail: u8 = std::mem::take(&mut opening);

            // The frame's registers as a fixed-size window of `N` slots, so
            // (masked) register accesses need no bounds checks. The stack
            // always extends `N` slots past the running frame's base (see
            // `push_frame`); `N` covers every loaded function's registers.
            // Anything that may touch the stack (calls, collections)
            // re-derives the window.
            let Some(mut regs) = self
                .stack
                .get_mut(base..)
                .and_then(|s| s.first_chunk_mut::<N>())
            else {
                let err = self
                    .heap
                    .new_error(kinds::TYPE, "internal error: register window");
                return Halt::Raised(err);
            };
            // Masking keeps the index provably inside the window (so no
            // bounds check); verified operands are below it anyway.
            macro_rules! r {
                ($reg:expr) => {
                    regs[($reg as usize) & (N - 1)]
                };
            }
            let thrown: Thrown = 'run: loop {
                // After anything that may touch the stack (calls, natives,
                // collections), the window is derived again.
                macro_rules! rewindow {
                    () => {
                        regs = match self
                            .stack
                            .get_mut(base..)
                            .and_then(|s| s.first_chunk_mut::<N>())
                        {
                            Some(w) => w,
                            None => {
                                break 'run self
                                    .heap
                                    .error(kinds::TYPE, "internal error: register window")
                            }
                        }
                    };
                }
                // Raise `$err` (a Thrown): leave the dispatch loop for the one
                // place that unwinds, keeping the hot loop small.
                macro_rules! throw {
                    ($err:expr) => {
                        break 'run $err
                    };
                }
                macro_rules! try_op {
                    ($e:expr) => {
                        match $e {
                            Ok(v) => v,
                            Err(e) => throw!(e),
                        }
                    };
                }
                // Calls and back-edges: collect when due, and end the time
                // slice when its budget is spent. Only the outermost run of
                // a runtime's process yields (a nested run has a native
                // below it on the Rust stack); at a call the call itself
                // runs again on resumption, so a pending `KwNames` rules
                // yielding out there.
                macro_rules! safepoint {
                    ($at_call:expr) => {
                        if self.heap.should_collect() {
                            if let Some(f) = self.frames.last_mut() {
                                f.pc = current_pc!() as u32;
                            }
                            collect(self);
                            rewindow!();
                        }
                        self.budget -= 1;
                        if self.budget < 0 {
                            if stop_depth == 0
                                && self.reentries == 0
                                && self.host.is_some()
                                && !($at_call && kw.is_some())
                            {
                                let pc = current_pc!() - usize::from($at_call);
                                if let Some(f) = self.frames.last_mut() {
                                    f.pc = pc as u32;
                                }
                                return Halt::Yielded;
                            }
                            self.budget = crate::vm::DEFAULT_BUDGET;
                        }
                    };
                }
                macro_rules! jump {
                    ($offset:expr) => {{
                        let offset = $offset;
                        let target = (current_pc!() as i64 + offset as i64) as usize;
                        ip = code.get(target..).unwrap_or_default().iter();
                        if offset < 0 {
                            safepoint!(false);
                        }
                    }};
                }
                // Int and float fast paths inline, reading the registers in
                // place (copying 16-byte values through the stack costs more
                // than the arithmetic); everything else out of line.
                macro_rules! arith {
                    ($dst:expr, $a:expr, $b:expr, $int:expr, $float:expr, $op:expr) => {{
                        let v = arith_value!($a, $b, $int, $float, $op);
                        r!($dst) = v;
                    }};
                }
                macro_rules! arith_value {
                    ($a:expr, $b:expr, $int:expr, $float:expr, $op:expr) => {{
                        let (x, y) = (&r!($a), &r!($b));
                        match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) => match $int(i, j) {
                                Some(v) => Value::Int(v),
                                None => throw!(ops::overflow(&mut self.heap)),
                            },
                            (&Value::Float(p), &Value::Float(q)) => Value::Float($float(p, q)),
                            (&Value::Float(p), &Value::Int(j)) => Value::Float($float(p, j as f64)),
                            (&Value::Int(i), &Value::Float(q)) => Value::Float($float(i as f64, q)),
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(binary_slow(&mut self.heap, $op, x, y))
                            }
                        }
                    }};
                }
                macro_rules! compare {
                    ($dst:expr, $a:expr, $b:expr, $op:tt, $cmp:expr) => {{
                        let (x, y) = (&r!($a), &r!($b));
                        let v = match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) => i $op j,
                            (&Value::Float(p), &Value::Float(q)) => p $op q,
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(compare_slow(&mut self.heap, $cmp, x, y))
                            }
                        };
                        r!($dst) = Value::Bool(v);
                    }};
                }

                // `R[dst] = R[a] op imm` for fused `loadi` pairs.
                macro_rules! arith_imm {
                    ($x:expr, $dst:expr, $a:expr, $imm:expr, $int:expr, $float:expr, $op:expr) => {{
                        let v = match r!($a) {
                            Value::Int(i) => match $int(i, $imm as i64) {
                                Some(v) => Value::Int(v),
                                None => throw!(ops::overflow(&mut self.heap)),
                            },
                            Value::Float(p) => Value::Float($float(p, $imm as f64)),
                            other => {
                                try_op!(binary_slow(
                                    &mut self.heap,
                                    $op,
                                    other,
                                    Value::Int($imm as i64)
                                ))
                            }
                        };
                        // The `loadi` half, written after computing so the
                        // int is stored directly rather than staged.
                        if let Some(x) = $x {
                            r!(x) = Value::Int($imm as i64);
                        }
                        r!($dst) = v;
                    }};
                }

                // The hot tier runs what it can (calls and returns
                // included); it hands back the first instruction that needs
                // this loop, unexecuted. A pending `KwNames` belongs to the
                // very next call, which this loop must make itself.
                let instr = if kw.is_some() {
                    ip.next().copied()
                } else if tail > 0 {
                    tail -= 1;
                    ip.next().copied()
                } else {
                    let exit = hot::run::<N>(hot::HotFrame {
                        stack: &mut self.stack,
                        frames: &mut self.frames,
                        program,
                        func,
                        base,
                        pc: current_pc!(),
                        globals: &mut self.globals,
                        heap: &mut self.heap,
                        field_cache: &self.field_cache,
                        max_frames: self.options.max_frames,
                        budget: self.budget,
                        stop_depth,
                        top_handler: self.handlers.last().map(|h| h.frame),
                    });
                    if exit.switched {
                        let Some(&frame) = self.frames.last() else {
                            throw!(
                                self.error(kinds::TYPE, "internal error: no frame after a call")
                            );
                        };
                        func = &program.functions[frame.func as usize];
                        module = &*func.module;
                        code = &func.code[..];
                        base = frame.base as usize;
                        closure = frame.closure;
                        ip = code.get(frame.pc as usize..).unwrap_or_default().iter();
                    } else {
                        ip = code.get(exit.pc..).unwrap_or_default().iter();
                    }
                    self.budget = exit.budget;
                    rewindow!();
                    exit.op
                };
                let Some(instr) = instr else {
                    throw!(self.error(
                        kinds::TYPE,
                        "internal error: ran past the end of the function"
                    ));
                };
                // `await x.name(args)`: the host may answer it at once.
                let awaits_call = matches!(instr, Op::CallMethodAwait { .. });
                // This loop runs a fused pair as its two plain halves: a
                // fused op shares the arm of the plain op it replaced, and
                // the rest follow as the plain ops they still are. (Turning
                // it into that plain op first decoded every instruction
                // twice: ping-pong ran 10 % slower.)
                match instr {
                    Op::Move { dst, src } => r!(dst) = r!(src),
                    Op::LoadConst { dst, k } => r!(dst) = module.consts[k as usize],
                    Op::LoadInt { dst, value }
                    | Op::LoadIntAdd { dst, value }
                    | Op::LoadIntSub { dst, value }
                    | Op::LoadIntMul { dst, value }
                    | Op::LoadIntMod { dst, value }
                    | Op::LoadIntFloorDiv { dst, value }
                    | Op::LoadIntLt { dst, value }
                    | Op::LoadIntLe { dst, value }
                    | Op::LoadIntGt { dst, value }
                    | Op::LoadIntGe { dst, value }
                    | Op::LoadIntEq { dst, value }
                    | Op::LoadIntNe { dst, value }
                    | Op::LoadIntCompareJumpIfFalse { dst, value }
                    | Op::LoadIntSubCall { dst, value }
                    | Op::LoadIntReturn { dst, value } => r!(dst) = Value::Int(value as i64),
                    Op::LoadNone { dst } | Op::LoadNoneCompareJumpIfFalse { dst } => {
                        r!(dst) = Value::None
                    }
                    Op::LoadBool { dst, value } => r!(dst) = Value::Bool(value != 0),
                    Op::LoadGlobal { dst, global } | Op::LoadGlobalSubCall { dst, global } => {
                        let mut v = self.globals[global as usize];
                        if v.is_missing() {
                            // A process copies module globals on first use.
                            let imported = self
                                .with_host(|vm, host| host.import_global(vm, global as usize))
                                .flatten();
                            if let Some(imported) = imported {
                                self.globals[global as usize] = imported;
                                v = imported;
                            }
                            rewindow!();
                        }
                        if v.is_missing() {
                            let name = &program.global_names[global as usize];
                            throw!(
                                self.error(
                                    kinds::NAME,
                                    format!("name '{name}' is not defined yet")
                                )
                            );
                        }
                        r!(dst) = v;
                    }
                    Op::StoreGlobal { global, src } => self.globals[global as usize] = r!(src),
                    Op::LoadBuiltin { dst, builtin } => {
                        r!(dst) = match self.builtins[builtin as usize] {
                            Some(BuiltinDef::Constant(v)) => v,
                            _ => Value::Builtin(builtin),
                        };
                    }

                    // ---- cells and closures ----
                    Op::LoadUpval { dst, idx } => {
                        let cell = upval_cell(&self.heap, closure, idx);
                        r!(dst) = match self.heap.get(cell) {
                            Object::Cell(v) => *v,
                            _ => Value::None,
                        };
                    }
                    Op::StoreUpval { idx, src } => {
                        let v = r!(src);
                        let cell = upval_cell(&self.heap, closure, idx);
                        if let Object::Cell(slot) = self.heap.get_mut(cell) {
                            *slot = v;
                        }
                    }
                    // ---- arithmetic ----
                    Op::Add { dst, a, b }
                    | Op::AddForStep { dst, a, b }
                    | Op::AddReturn { dst, a, b } => {
                        arith!(dst, a, b, i64::checked_add, |x, y| x + y, BinaryOp::Add)
                    }
                    Op::Sub { dst, a, b } | Op::SubReturn { dst, a, b } => {
                        arith!(dst, a, b, i64::checked_sub, |x, y| x - y, BinaryOp::Sub)
                    }
                    Op::Mul { dst, a, b }
                    | Op::MulReturn { dst, a, b }
                    | Op::MulLoadIntMod { dst, a, b } => {
                        arith!(dst, a, b, i64::checked_mul, |x, y| x * y, BinaryOp::Mul)
                    }
                    Op::Div { dst, a, b } | Op::DivReturn { dst, a, b } => {
                        let (x, y) = (&r!(a), &r!(b));
                        let v = match (x, y) {
                            (&Value::Float(p), &Value::Float(q)) if q != 0.0 => Value::Float(p / q),
                            (&Value::Float(p), &Value::Int(j)) if j != 0 => {
                                Value::Float(p / j as f64)
                            }
                            (&Value::Int(i), &Value::Float(q)) if q != 0.0 => {
                                Value::Float(i as f64 / q)
                            }
                            (&Value::Int(i), &Value::Int(j)) if j != 0 => {
                                Value::Float(i as f64 / j as f64)
                            }
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(binary_slow(&mut self.heap, BinaryOp::Div, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Op::FloorDiv { dst, a, b } => {
                        let (x, y) = (&r!(a), &r!(b));
                        let v = match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) if j > 0 => {
                                Value::Int(i.div_euclid(j))
                            }
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(binary_slow(&mut self.heap, BinaryOp::FloorDiv, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Op::Mod { dst, a, b } => {
                        let (x, y) = (&r!(a), &r!(b));
                        let v = match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) if j > 0 => {
                                Value::Int(i.rem_euclid(j))
                            }
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(binary_slow(&mut self.heap, BinaryOp::Mod, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Op::Pow { dst, a, b } => {
                        let (x, y) = (&r!(a), &r!(b));
                        let v = match (x, y) {
                            // sqrt is exact and pow is correctly rounded, so
                            // they agree on positive finite bases.
                            (&Value::Float(p), &Value::Float(q)) if q == 0.5 && p > 0.0 => {
                                Value::Float(p.sqrt())
                            }
                            (&Value::Float(p), &Value::Float(q)) if p != 0.0 => {
                                Value::Float(p.powf(q))
                            }
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(binary_slow(&mut self.heap, BinaryOp::Pow, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Op::Eq { dst, a, b } | Op::EqJumpIfFalse { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = Value::Bool(match (x, y) {
                            (Value::Int(x), Value::Int(y)) => x == y,
                            (Value::None, Value::None) => true,
                            (Value::Obj(_), Value::None) | (Value::None, Value::Obj(_)) => false,
                            _ => equals_slow(&self.heap, x, y),
                        });
                    }
                    Op::Ne { dst, a, b } | Op::NeJumpIfFalse { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = Value::Bool(match (x, y) {
                            (Value::Int(x), Value::Int(y)) => x != y,
                            (Value::None, Value::None) => false,
                            (Value::Obj(_), Value::None) | (Value::None, Value::Obj(_)) => true,
                            _ => !equals_slow(&self.heap, x, y),
                        });
                    }
                    Op::Lt { dst, a, b } | Op::LtJumpIfFalse { dst, a, b } => {
                        compare!(dst, a, b, <, CompareOp::Lt)
                    }
                    Op::Le { dst, a, b } | Op::LeJumpIfFalse { dst, a, b } => {
                        compare!(dst, a, b, <=, CompareOp::Le)
                    }
                    Op::Gt { dst, a, b } | Op::GtJumpIfFalse { dst, a, b } => {
                        compare!(dst, a, b, >, CompareOp::Gt)
                    }
                    Op::Ge { dst, a, b } | Op::GeJumpIfFalse { dst, a, b } => {
                        compare!(dst, a, b, >=, CompareOp::Ge)
                    }
                    Op::Not { dst, src } => r!(dst) = Value::Bool(!r!(src).is_truthy()),
                    Op::AddImm { dst, a, imm } => {
                        arith_imm!(
                            None::<u16>,
                            dst,
                            a,
                            imm,
                            i64::checked_add,
                            |p, q| p + q,
                            BinaryOp::Add
                        );
                    }

                    // ---- control flow ----
                    Op::Jump { offset } => jump!(offset),
                    Op::JumpIfFalse { cond, offset } => {
                        if !truthy(&r!(cond)) {
                            jump!(offset);
                        }
                    }
                    Op::JumpIfTrue { cond, offset } => {
                        if truthy(&r!(cond)) {
                            jump!(offset);
                        }
                    }
                    Op::JumpIfSet { reg, offset } => {
                        if !r!(reg).is_missing() {
                            jump!(offset);
                        }
                    }
                    Op::ForPrep {
                        base: b,
                        inclusive,
                        offset,
                    } => match (&r!(b), &r!(b as usize + 1)) {
                        (&Value::Int(start), &Value::Int(end)) => {
                            let empty = if inclusive != 0 {
                                start > end
                            } else {
                                start >= end
                            };
                            if empty {
                                jump!(offset);
                            } else {
                                r!(b + 2) = Value::Int(start);
                            }
                        }
                        (&s, &e) => {
                            let message = format!(
                                "a range needs int bounds, not {} and {}",
                                self.heap.type_name(s),
                                self.heap.type_name(e)
                            );
                            throw!(self.error(kinds::TYPE, message));
                        }
                    },
                    Op::ForStep {
                        base: b,
                        inclusive,
                        offset,
                    } => {
                        if let (&Value::Int(i), &Value::Int(end)) = (&r!(b), &r!(b as usize + 1))
                            && let Some(next) = i.checked_add(1)
                        {
                            r!(b) = Value::Int(next);
                            let more = if inclusive != 0 {
                                next <= end
                            } else {
                                next < end
                            };
                            if more {
                                r!(b + 2) = Value::Int(next);
                                jump!(offset);
                            }
                        }
                    }
                    Op::IterNext { iter, offset } => {
                        let next = match r!(iter) {
                            Value::Obj(it) => match self.heap.get(it) {
                                Object::Handle(h) => {
                                    // `for v in channel`: receive, parked.
                                    let h = h.clone();
                                    let pc = current_pc!();
                                    self.frames.last_mut().expect("running frame").pc = pc as u32;
                                    let receive =
                                        try_op!(self.call_host("channels", |vm, host| {
                                            host.method(
                                                vm,
                                                &h,
                                                "recv",
                                                &crate::native::Args::new(&[]),
                                            )
                                        }));
                                    rewindow!();
                                    let Some(Object::Handle(r)) = self.heap.object(receive) else {
                                        throw!(self.error(kinds::TYPE, "internal error: recv"));
                                    };
                                    let r = r.clone();
                                    try_op!(self.check_can_park(stop_depth));
                                    self.parked = Some(crate::vm::Parked::Receive {
                                        slot: base + iter as usize + 1,
                                        exit: (pc as i64 + offset as i64) as u32,
                                    });
                                    return Halt::Parked(crate::host::Wait::Receive(r));
                                }
                                _ => crate::iter::next(&mut self.heap, it),
                            },
                            _ => None,
                        };
                        match next {
                            Some(v) => r!(iter + 1) = v,
                            None => jump!(offset),
                        }
                    }

                    // ---- calls ----
                    Op::KwNames { names } => kw = Some(names),
                    Op::Call { func: f, argc } | Op::CallReturn { func: f, argc } => {
                        safepoint!(true);
                        let slot = base + f as usize;
                        // Fast path: a closure called with exactly its
                        // parameters, positionally.
                        if kw.is_none()
                            && let Value::Obj(callee) = r!(f)
                            && let Object::Closure(c) = self.heap.get(callee)
                        {
                            let target = c.func;
                            let callee_code = &program.functions[target as usize];
                            if callee_code.params.len() == argc as usize
                                && self.frames.len() < self.options.max_frames
                            {
                                let need = slot + 1 + N;
                                if self.stack.len() < need {
                                    self.stack.resize(need, Value::None);
                                }
                                self.frames.last_mut().expect("running frame").pc =
                                    current_pc!() as u32;
                                self.frames.push(Frame {
                                    func: target,
                                    closure: callee,
                                    base: (slot + 1) as u32,
                                    ret: slot as u32,
                                    pc: 0,
                                });
                                // Switch to the callee without reloading.
                                func = callee_code;
                                module = &*func.module;
                                code = &func.code[..];
                                base = slot + 1;
                                closure = callee;
                                ip = code.iter();
                                rewindow!();
                                continue;
                            }
                        }
                        self.frames.last_mut().expect("running frame").pc = current_pc!() as u32;
                        let names = kw.take().map(|k| &*module.kw_names[k as usize]);
                        // A builtin that blocks may park the process here
                        // (`Vm::run_blocking`), as an `await` would.
                        self.call_may_park = stop_depth == 0 && self.reentries == 0;
                        let called = self.call_at(program, slot, argc as usize, names);
                        self.call_may_park = false;
                        match called {
                            Ok(CallOutcome::Pushed) => continue 'frame,
                            Ok(CallOutcome::Done) => {
                                if let Some(h) = self.call_parks_on.take() {
                                    self.parked = Some(crate::vm::Parked::Value { slot });
                                    return Halt::Parked(crate::host::Wait::Await(h));
                                }
                                rewindow!()
                            }
                            Err(e) => throw!(e),
                        }
                    }
                    Op::CallMethod {
                        base: b,
                        argc,
                        name,
                    }
                    | Op::CallMethodAwait {
                        base: b,
                        argc,
                        name,
                    }
                    | Op::CallMethodDiscard {
                        base: b,
                        argc,
                        name,
                    } => {
                        // A statement's call: an actor send needs no reply.
                        let wanted = if matches!(instr, Op::CallMethodDiscard { .. }) {
                            Wanted::Nothing
                        } else {
                            Wanted::Value
                        };
                        safepoint!(true);
                        self.frames.last_mut().expect("running frame").pc = current_pc!() as u32;
                        let names = kw.take().map(|k| &*module.kw_names[k as usize]);
                        let sym = module.names[name as usize];
                        // The fused `await b, b` is the next instruction.
                        if awaits_call && names.is_none() {
                            match self.call_method_now(
                                base + b as usize,
                                argc as usize,
                                &module.name_text[name as usize],
                            ) {
                                Ok(CallNow::Value(v)) => {
                                    ip.next();
                                    rewindow!();
                                    r!(b) = v;
                                    continue;
                                }
                                Ok(CallNow::Later(v)) => {
                                    rewindow!();
                                    r!(b) = v;
                                    continue;
                                }
                                Ok(CallNow::NotNow) => {}
                                Err(e) => {
                                    // Raised by the await, as the reply's
                                    // error would be.
                                    ip.next();
                                    self.frames.last_mut().expect("running frame").pc =
                                        current_pc!() as u32;
                                    throw!(e)
                                }
                            }
                        }
                        match self.call_method(
                            program,
                            base + b as usize,
                            argc as usize,
                            MethodName {
                                sym,
                                text: &module.name_text[name as usize],
                            },
                            names,
                            wanted,
                        ) {
                            Ok(CallOutcome::Pushed) => continue 'frame,
                            Ok(CallOutcome::Done) => {
                                tail = SHORT_TAIL;
                                rewindow!()
                            }
                            Err(e) => throw!(e),
                        }
                    }
                    Op::Return { src } => {
                        let v = r!(src);
                        if let Some(halt) = self.return_value(v, stop_depth) {
                            return halt;
                        }
                        continue 'frame;
                    }
                    Op::ReturnNone {} => {
                        if let Some(halt) = self.return_value(Value::None, stop_depth) {
                            return halt;
                        }
                        continue 'frame;
                    }
                    Op::CheckType { reg, ty } => {
                        let check = &module.checks[ty as usize];
                        let passes = matches!(
                            (check, &r!(reg)),
                            (TypeCheck::Any, _)
                                | (TypeCheck::Int, Value::Int(_))
                                | (TypeCheck::Float, Value::Float(_))
                        );
                        if passes {
                            continue;
                        }
                        let v = r!(reg);
                        match check_value(&self.heap, v, check) {
                            Some(converted) => r!(reg) = converted,
                            None => {
                                let message = self.check_type_message(func, reg, check, v);
                                throw!(self.error(kinds::TYPE, message));
                            }
                        }
                    }

                    // ---- collections and fields ----
                    Op::GetIndex { dst, obj, index } => {
                        let fast = match (&r!(obj), &r!(index)) {
                            (&Value::Obj(list), &Value::Int(i)) if i >= 0 => {
                                match self.heap.get(list) {
                                    Object::List(items) => items.get(i as usize).copied(),
                                    _ => None,
                                }
                            }
                            _ => None,
                        };
                        let v = match fast {
                            Some(v) => v,
                            None => {
                                let (o, i) = (r!(obj), r!(index));
                                try_op!(get_index(&mut self.heap, o, i))
                            }
                        };
                        r!(dst) = v;
                    }
                    Op::SetIndex { obj, index, src } => {
                        let v = r!(src);
                        let done = match (&r!(obj), &r!(index)) {
                            (&Value::Obj(list), &Value::Int(i)) if i >= 0 => {
                                match self.heap.get_mut(list) {
                                    Object::List(items) => match items.get_mut(i as usize) {
                                        Some(slot) => {
                                            *slot = v;
                                            true
                                        }
                                        None => false,
                                    },
                                    _ => false,
                                }
                            }
                            _ => false,
                        };
                        if !done {
                            let (o, i) = (r!(obj), r!(index));
                            try_op!(set_index(&mut self.heap, o, i, v));
                        }
                    }
                    Op::GetField { dst, obj, name } => {
                        let site = func.cache_base + current_pc!() - 1;
                        let o = r!(obj);
                        let fast = field_site::get_cached(&self.heap, &self.field_cache, o, site)
                            .or_else(|| {
                                field_site::get_and_fill(
                                    &self.heap,
                                    &mut self.field_cache,
                                    program,
                                    site,
                                    o,
                                    module.names[name as usize],
                                )
                            });
                        let v = match fast {
                            Some(v) => v,
                            None => {
                                let o = r!(obj);
                                let sym = module.names[name as usize];
                                if let Some(Object::Handle(h)) = self.heap.object(o) {
                                    // A supervisor's child, by name.
                                    let h = h.clone();
                                    let field = self.heap.types().symbols.name(sym).to_string();
                                    let read = self
                                        .call_host("this", |vm, host| host.field(vm, &h, &field));
                                    let v = try_op!(read);
                                    rewindow!();
                                    r!(dst) = v;
                                    continue;
                                }
                                match get_field(&mut self.heap, o, sym) {
                                    Ok(v) => v,
                                    // No such field: a method read as a value.
                                    Err(e) => {
                                        let bound = self.bind_method(o, sym);
                                        rewindow!();
                                        match bound {
                                            Some(m) => m,
                                            None => throw!(e),
                                        }
                                    }
                                }
                            }
                        };
                        r!(dst) = v;
                    }
                    Op::SetField { obj, name, src } => {
                        let v = r!(src);
                        let site = func.cache_base + current_pc!() - 1;
                        let o = r!(obj);
                        if !field_site::set_cached(&mut self.heap, &self.field_cache, o, site, v) {
                            try_op!(field_site::set_and_fill(
                                &mut self.heap,
                                &mut self.field_cache,
                                program,
                                site,
                                o,
                                module.names[name as usize],
                                v
                            ));
                        }
                    }
                    Op::Len { dst, src } => {
                        let v = r!(src);
                        r!(dst) = try_op!(len(&mut self.heap, v));
                    }

                    // ---- strings ----
                    // ---- types and patterns ----
                    // ---- errors ----
                    // ---- concurrency: not available yet ----
                    Op::Await { dst, src } => {
                        let v = r!(src);
                        let slot = base + dst as usize;
                        self.frames.last_mut().expect("running frame").pc = current_pc!() as u32;
                        match self.heap.object(v) {
                            // Awaiting a coroutine runs it here, as a call.
                            Some(Object::Coroutine(c)) => {
                                let (c_closure, c_func) = (c.closure, c.func);
                                let args = c.args.clone();
                                try_op!(self.enter_coroutine(c_closure, c_func, &args, slot));
                                continue 'frame;
                            }
                            Some(Object::Handle(h)) => {
                                let h = h.clone();
                                try_op!(self.check_can_park(stop_depth));
                                self.parked = Some(crate::vm::Parked::Value { slot });
                                return Halt::Parked(crate::host::Wait::Await(h));
                            }
                            _ => {
                                let message = format!("cannot await {}", self.heap.type_name(v));
                                throw!(self.error(kinds::TYPE, message));
                            }
                        }
                    }
                    // The `ret` after it delivers the result.
                    Op::AsyncEnd { .. } => {}
                    Op::Spawn { func: f, argc } => {
                        self.frames.last_mut().expect("running frame").pc = current_pc!() as u32;
                        let names = kw.take().map(|k| &*module.kw_names[k as usize]);
                        let slot = base + f as usize;
                        let callee = self.stack[slot];
                        let v = try_op!(self.call_host("spawn", |vm, host| {
                            vm.with_native_args(slot + 1, argc as usize, names, |vm, args| {
                                host.spawn(vm, callee, args)
                            })
                        }));
                        rewindow!();
                        r!(f) = v;
                    }
                    Op::LoadSelf { dst } => {
                        let v = try_op!(self.call_host("self", |vm, host| host.self_address(vm)));
                        rewindow!();
                        r!(dst) = v;
                    }
                    Op::Parallel {
                        dst,
                        base: b,
                        count,
                        strategy,
                    } => {
                        self.frames.last_mut().expect("running frame").pc = current_pc!() as u32;
                        let options = r!(b);
                        let from = base + b as usize + 1;
                        let branches = self.stack[from..from + count as usize].to_vec();
                        let awaited = try_op!(self.call_host("parallel blocks", |vm, host| {
                            host.parallel(vm, strategy, options, &branches)
                        }));
                        rewindow!();
                        let Some(Object::Handle(h)) = self.heap.object(awaited) else {
                            throw!(self.error(
                                kinds::TYPE,
                                "internal error: a parallel block is not awaitable"
                            ));
                        };
                        let h = h.clone();
                        try_op!(self.check_can_park(stop_depth));
                        self.parked = Some(crate::vm::Parked::Value {
                            slot: base + dst as usize,
                        });
                        return Halt::Parked(crate::host::Wait::Await(h));
                    }
                    Op::AsyncBegin {} => {
                        // Calling an async def only makes a coroutine.
                        let coroutine = self.pack_coroutine(program);
                        if let Some(halt) = self.return_value(coroutine, stop_depth) {
                            return halt;
                        }
                        continue 'frame;
                    }
                    // Everything else runs out of line, keeping this loop small
                    // enough for its hot state to stay in registers.
                    _ => {
                        let ctx = ColdContext {
                            program,
                            module,
                            func,
                            base,
                            closure,
                            pc: current_pc!(),
                        };
                        match self.exec_cold(&ctx, instr) {
                            Ok(()) => rewindow!(),
                            Err(e) => throw!(e),
                        }
                    }
                }
            };
            if let Some(f) = self.frames.last_mut() {
                f.pc = current_pc!() as u32;
            }
            if self.unwind(program, thrown.0, stop_depth) {
                continue 'frame;
            }
            return Halt::Raised(thrown.0);
        }
    }
}

/// The non-fast-path cases of the binary operators.
#[inline(never)]
fn binary_slow(heap: &mut Heap, op: BinaryOp, x: Value, y: Value) -> NResult<Value> {
    match op {
        BinaryOp::Add => ops::add(heap, x, y),
        BinaryOp::Sub => ops::sub(heap, x, y),
        BinaryOp::Mul => ops::mul(heap, x, y),
        BinaryOp::Div => ops::div(heap, x, y),
        BinaryOp::FloorDiv => ops::floor_div(heap, x, y),
        BinaryOp::Mod => ops::modulo(heap, x, y),
        BinaryOp::Pow => ops::pow(heap, x, y),
        BinaryOp::BitAnd => ops::bit_and(heap, x, y),
        BinaryOp::BitOr => ops::bit_or(heap, x, y),
        BinaryOp::BitXor => ops::bit_xor(heap, x, y),
        BinaryOp::Shl => ops::shl(heap, x, y),
        BinaryOp::Shr => ops::shr(heap, x, y),
    }
}

#[inline(never)]
fn compare_slow(heap: &mut Heap, op: CompareOp, x: Value, y: Value) -> NResult<bool> {
    ops::compare_op(heap, op, x, y).map(Value::is_truthy)
}

#[inline(never)]
fn equals_slow(heap: &Heap, x: Value, y: Value) -> bool {
    ops::equals(heap, x, y)
}

impl Vm {
    /// Pops the running frame, delivering `v` to its caller. Returns the
    /// halt when that frame was the outermost of this run.
    #[inline(always)]
    fn return_value(&mut self, v: Value, stop_depth: usize) -> Option<Halt> {
        let frame = self.frames.pop().expect("running frame");
        self.stack[frame.ret as usize] = v;
        let depth = self.frames.len();
        if self
            .handlers
            .last()
            .is_some_and(|h| h.frame as usize >= depth)
        {
            self.drop_handlers_above(depth);
        }
        (depth <= stop_depth).then_some(Halt::Finished(v))
    }

    /// The runtime, or the UnsupportedError of a VM without one.
    /// `f` with the host lent (`Vm::with_host`), or an `UnsupportedError`
    /// naming `what` when the VM has none.
    fn call_host<R>(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut Vm, &dyn crate::host::Host) -> NResult<R>,
    ) -> NResult<R> {
        match self.with_host(f) {
            Some(r) => r,
            None => Err(self.error(
                kinds::UNSUPPORTED,
                format!("{what} needs the concurrency runtime (run the program with `noodle run`)"),
            )),
        }
    }

    /// Parking needs the outermost run of a runtime's process: a nested
    /// run has a builtin below it on the Rust stack.
    fn check_can_park(&mut self, stop_depth: usize) -> NResult<()> {
        if self.host.is_none() {
            return Err(self.error(
                kinds::UNSUPPORTED,
                "awaiting a task, actor reply or channel needs the concurrency runtime",
            ));
        }
        if stop_depth != 0 || self.reentries != 0 {
            return Err(self.error(
                kinds::TYPE,
                "cannot wait inside a callback called by a builtin (such as list.map or sorted)",
            ));
        }
        Ok(())
    }

    fn check_type_message(
        &self,
        func: &crate::load::FunctionCode,
        reg: u16,
        check: &TypeCheck,
        v: Value,
    ) -> String {
        let expected = access::check_name(&self.heap, check);
        let actual = self.heap.type_name(v);
        match func.params.get(reg as usize) {
            Some(p) => format!(
                "{}() argument '{}' must be {expected}, not {actual}",
                func.name, p.text
            ),
            None => format!("expected {expected}, got {actual}"),
        }
    }
}

/// `IsInstance`: struct type, enum type (any variant), or one variant
/// (its constructor or its unit value).
fn is_instance(heap: &Heap, v: Value, ty: Value) -> bool {
    let (Some(value), Some(t)) = (heap.object(v), heap.object(ty)) else {
        return false;
    };
    match (value, t) {
        (Object::Instance(inst), Object::StructType(id, _)) => inst.type_id == *id,
        (Object::EnumValue(e), Object::EnumType(id)) => e.enum_id == *id,
        (Object::EnumValue(e), Object::VariantCtor { enum_id, variant }) => {
            e.enum_id == *enum_id && e.variant == *variant
        }
        (Object::EnumValue(e), Object::EnumValue(u)) => {
            e.enum_id == u.enum_id && e.variant == u.variant && u.fields.is_empty()
        }
        _ => false,
    }
}

fn new_map(heap: &mut Heap, pairs: &[Value]) -> NResult<Value> {
    let mut map = crate::object::Map::with_capacity(pairs.len() / 2);
    for pair in pairs.chunks_exact(2) {
        let (k, v) = (pair[0], pair[1]);
        match heap.map_key(k) {
            Some(key) => map.insert(key, k, v),
            None => {
                let message = format!(
                    "a map key must be none, bool, int or str, not {}",
                    heap.type_name(k)
                );
                return Err(heap.error(kinds::TYPE, message));
            }
        }
    }
    Ok(heap.alloc_map(map))
}

fn new_range(heap: &mut Heap, start: Value, end: Value, inclusive: bool) -> NResult<Value> {
    match (start, end) {
        (Value::Int(s), Value::Int(e)) => {
            if inclusive {
                let range = crate::object::Range {
                    start: s,
                    end: e.saturating_add(1),
                    step: 1,
                    inclusive: true,
                };
                Ok(Value::Obj(heap.alloc(Object::Range(range))))
            } else {
                Ok(heap.alloc_range(s, e, 1))
            }
        }
        _ => {
            let message = format!(
                "a range needs int bounds, not {} and {}",
                heap.type_name(start),
                heap.type_name(end)
            );
            Err(heap.error(kinds::TYPE, message))
        }
    }
}

fn add_method(
    heap: &mut Heap,
    program: &crate::load::Program,
    ty: Value,
    method: Value,
) -> NResult<()> {
    let Some(closure) = heap.closure(method) else {
        return Err(heap.error(kinds::TYPE, "internal error: addmethod needs a closure"));
    };
    let full = &program.functions[closure.func as usize].name;
    // A method that captures nothing goes to the shared segment, so new
    // processes need no copy of it; one with cells stays local.
    let method = if closure.cells.is_empty() {
        let shared = Object::Closure(closure.clone());
        Value::Obj(heap.alloc_const(shared))
    } else {
        heap.note_local_method();
        method
    };
    // Methods may be named `Type.method` for traces; the key is `method`.
    let short = full.rsplit('.').next().unwrap_or(full);
    let name = heap.types_mut().symbols.intern(short);
    let methods = match heap.object(ty) {
        Some(&Object::StructType(id, _)) => &mut heap.types_mut().structs[id as usize].methods,
        Some(&Object::EnumType(id)) => &mut heap.types_mut().enums[id as usize].methods,
        _ => {
            return Err(heap.error(
                kinds::TYPE,
                "internal error: addmethod needs a struct or enum type",
            ));
        }
    };
    match methods.iter_mut().find(|(n, _)| *n == name) {
        Some(slot) => slot.1 = method,
        None => methods.push((name, method)),
    }
    Ok(())
}
