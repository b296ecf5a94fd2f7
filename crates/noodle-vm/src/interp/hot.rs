//! The hot tier of the dispatch loop: a small function that runs the
//! common instructions on their fast paths (int/float arithmetic,
//! comparisons, jumps, integer loops, list and range iteration, list
//! indexing, cached struct fields, upvalue reads, calls and returns of
//! plain closures, construction of untyped structs) and hands everything
//! else back to the general loop in `mod.rs`.
//!
//! It exists for register allocation: the general loop contains calls on
//! most of its paths, so the compiler keeps its state (instruction pointer,
//! register window) in memory; this function makes no calls on its fast
//! paths, so that state stays in machine registers. It never raises and
//! never collects (it leaves GC safepoints to the general loop); the only
//! thing it allocates is a struct instance, and allocation never collects.
//! An instruction it cannot finish on a fast path is returned unexecuted
//! (the iterator already past it) and the general loop runs it in full,
//! with every check. Fused pairs peek at their second half and consume it
//! only when they complete, so a bail-out changes nothing.

use super::Frame;
use super::field_site::{self, FieldSite};
use super::op::Op;
use crate::heap::Heap;
use crate::load::{FunctionCode, Program};
use crate::object::{IterState, Object};
use crate::types::TypeCheck;
use crate::value::Value;

/// The state the hot tier reads and writes, borrowed from the VM.
pub(super) struct HotFrame<'a, 'p> {
    pub stack: &'a mut Vec<Value>,
    pub frames: &'a mut Vec<Frame>,
    pub program: &'p Program,
    /// The running function and where its registers start.
    pub func: &'p FunctionCode,
    pub base: usize,
    /// The index of the next instruction in `func`'s code.
    pub pc: usize,
    pub globals: &'a mut [Value],
    pub heap: &'a mut Heap,
    pub field_cache: &'a [FieldSite],
    pub max_frames: usize,
    /// The time slice's budget (see `Vm::budget`), spent at calls and
    /// back-edges; when it runs out the general loop takes over.
    pub budget: i64,
    /// Returns from the frame at this depth end the run: left to `execute`.
    pub stop_depth: usize,
    /// The frame index of the innermost handler: returns from that frame
    /// (or deeper) are left to `execute`, which drops the handlers.
    pub top_handler: Option<u32>,
}

/// What the hot tier stopped at.
pub(super) struct HotExit {
    /// The instruction `execute` must run (`pc` is past it), or `None`
    /// when the code ran out (a verifier bug).
    pub op: Option<Op>,
    /// Calls or returns switched frames: `execute` reloads the running
    /// frame from `Vm::frames` (whose pc is saved) instead of `pc`.
    pub switched: bool,
    /// Where the running frame goes on, when it was not switched.
    pub pc: usize,
    /// What is left of the time slice's budget.
    pub budget: i64,
}

/// The left operand register of a comparison (0 for anything else).
#[inline(always)]
fn compare_operand(op: Op) -> u16 {
    match op {
        Op::Lt { a, .. }
        | Op::Le { a, .. }
        | Op::Gt { a, .. }
        | Op::Ge { a, .. }
        | Op::Eq { a, .. }
        | Op::Ne { a, .. } => a,
        _ => 0,
    }
}

/// Runs instructions until one needs the general loop, and returns it
/// unexecuted.
#[inline(never)]
pub(super) fn run<const N: usize>(f: HotFrame) -> HotExit {
    let HotFrame {
        stack,
        frames,
        program,
        mut func,
        mut base,
        mut pc,
        globals,
        heap,
        field_cache,
        max_frames,
        mut budget,
        stop_depth,
        top_handler,
    } = f;
    // Returns from the frame at index `stop_depth`, or from the frame of
    // the innermost handler or deeper, are left to `execute`: a return
    // stays in this run only while more than `return_floor` frames are
    // live (one test instead of two).
    let return_floor = stop_depth.max(top_handler.map_or(0, |h| h as usize)) + 1;
    // The budget as one countdown, in a register: safepoints test only
    // its sign. When a collection is due, the rest of the budget moves to
    // `reserve` and the countdown drops to zero, so the next safepoint
    // hands over to the general loop, which collects; on exit the two are
    // added back together.
    let mut reserve = 0;
    macro_rules! collection_check {
        () => {
            if heap.should_collect() {
                reserve += budget;
                budget = 0;
            }
        };
    }
    collection_check!();
    let mut code: &[Op] = &func.code;
    // The program index of `func` once a call or return in this run has
    // switched frames (`u32::MAX` until then, so it also tells whether
    // one has): recursive calls and returns to a frame of the same
    // function keep `func` and `code`. (The function's other fields are read
    // through `func` where needed, which leaves registers to hotter state.)
    let mut func_index = u32::MAX;
    macro_rules! switched {
        () => {
            func_index != u32::MAX
        };
    }
    macro_rules! exit {
        ($op:expr) => {{
            return HotExit {
                op: $op,
                switched: switched!(),
                pc,
                budget: budget + reserve,
            };
        }};
    }
    // The index of the next instruction. It is below `code.len()` at the
    // top of the loop, which makes the unchecked fetch there sound:
    // - on entry, by the check below, and after a return, by the check
    //   in `ret!`;
    // - after a call, as `Code` is never empty;
    // - after an instruction that falls through (or a fused one whose
    //   later halves, read with checks, fall through), as `Code` ends with
    //   an instruction that never falls through;
    // - after a jump, as `Code` checked every jump's target.
    if pc >= code.len() {
        exit!(None);
    }
    macro_rules! window {
        () => {
            match stack.get_mut(base..).and_then(|s| s.first_chunk_mut::<N>()) {
                Some(w) => w,
                None => exit!(None),
            }
        };
    }
    let mut regs: &mut [Value; N] = window!();
    // Hand the current instruction back, unexecuted. It is re-read from
    // the code rather than kept live, which keeps the fast paths lean.
    macro_rules! bail {
        () => {{
            if switched!()
                && let Some(frame) = frames.last_mut()
            {
                frame.pc = pc as u32;
            }
            exit!(code.get(pc.wrapping_sub(1)).copied());
        }};
    }
    // Return `$v` to the caller within this run, unless a handler or the
    // end of the run is involved.
    macro_rules! ret {
        ($v:expr) => {{
            let depth = frames.len();
            if depth <= return_floor {
                bail!();
            }
            let v = $v;
            // `return_floor` is at least 1, so there is a caller's frame.
            let Some(&[caller, frame]) = frames.get(depth - 2..) else {
                bail!()
            };
            frames.truncate(depth - 1);
            stack[frame.ret as usize] = v;
            if caller.func != func_index {
                func_index = caller.func;
                func = &program.functions[caller.func as usize];
                code = &func.code;
            }
            base = caller.base as usize;
            pc = caller.pc as usize;
            if pc >= code.len() {
                exit!(None);
            }
            regs = window!();
        }};
    }
    macro_rules! r {
        ($reg:expr) => {
            regs[($reg as usize) & (N - 1)]
        };
    }
    // A safepoint (a call or a back-edge): spends one unit of the budget;
    // true when the general loop must take over (budget spent, or a
    // collection due, see `reserve`).
    macro_rules! due {
        () => {{
            budget -= 1;
            budget < 0
        }};
    }
    // Relative jump from the instruction after the current one. Backward
    // jumps are GC safepoints, which only the general loop handles.
    macro_rules! jump {
        ($op:expr, $offset:expr) => {{
            let offset = $offset;
            if offset < 0 && due!() {
                bail!();
            }
            pc = pc.wrapping_add_signed(offset as isize);
        }};
    }
    macro_rules! arith_value {
        ($a:expr, $b:expr, $int:expr, $float:expr) => {
            match (&r!($a), &r!($b)) {
                (&Value::Int(i), &Value::Int(j)) => match $int(i, j) {
                    Some(v) => Value::Int(v),
                    None => bail!(),
                },
                (&Value::Float(p), &Value::Float(q)) => Value::Float($float(p, q)),
                (&Value::Float(p), &Value::Int(j)) => Value::Float($float(p, j as f64)),
                (&Value::Int(i), &Value::Float(q)) => Value::Float($float(i as f64, q)),
                _ => bail!(),
            }
        };
    }
    // True division on its fast paths (a zero divisor is the general
    // loop's ZeroDivisionError).
    macro_rules! divide {
        ($a:expr, $b:expr) => {
            match (&r!($a), &r!($b)) {
                (&Value::Float(p), &Value::Float(q)) if q != 0.0 => p / q,
                (&Value::Float(p), &Value::Int(j)) if j != 0 => p / j as f64,
                (&Value::Int(i), &Value::Float(q)) if q != 0.0 => i as f64 / q,
                (&Value::Int(i), &Value::Int(j)) if j != 0 => i as f64 / j as f64,
                _ => bail!(),
            }
        };
    }
    macro_rules! arith {
        ($op:expr, $dst:expr, $a:expr, $b:expr, $int:expr, $float:expr) => {{
            let v = match (&r!($a), &r!($b)) {
                (&Value::Int(i), &Value::Int(j)) => match $int(i, j) {
                    Some(v) => Value::Int(v),
                    None => bail!(),
                },
                (&Value::Float(p), &Value::Float(q)) => Value::Float($float(p, q)),
                (&Value::Float(p), &Value::Int(j)) => Value::Float($float(p, j as f64)),
                (&Value::Int(i), &Value::Float(q)) => Value::Float($float(i as f64, q)),
                _ => bail!(),
            };
            r!($dst) = v;
        }};
    }
    // `==` on the cases that need no heap: ints, and none against none or
    // an object.
    macro_rules! equal {
        ($a:expr, $b:expr) => {
            match (&r!($a), &r!($b)) {
                (&Value::Int(i), &Value::Int(j)) => i == j,
                (&Value::None, &Value::None) => true,
                (&Value::Obj(_), &Value::None) | (&Value::None, &Value::Obj(_)) => false,
                _ => bail!(),
            }
        };
    }
    macro_rules! compare {
        ($op:expr, $a:expr, $b:expr, $cmp:tt) => {
            match (&r!($a), &r!($b)) {
                (&Value::Int(i), &Value::Int(j)) => i $cmp j,
                (&Value::Float(p), &Value::Float(q)) => p $cmp q,
                _ => bail!(),
            }
        };
    }
    // `loadi x, imm; op d, a, x`: the second half is peeked, and consumed
    // only on the fast path.
    macro_rules! int_imm {
        ($op:expr, $x:expr, $imm:expr, $next:ident, $int:expr, $float:expr) => {{
            let Some(&Op::$next { dst, a, .. }) = code.get(pc) else {
                bail!()
            };
            let v = match r!(a) {
                Value::Int(i) => match $int(i, $imm as i64) {
                    Some(v) => Value::Int(v),
                    None => bail!(),
                },
                Value::Float(p) => Value::Float($float(p, $imm as f64)),
                _ => bail!(),
            };
            pc += 1;
            r!($x) = Value::Int($imm as i64);
            r!(dst) = v;
        }};
    }
    macro_rules! compare_imm {
        ($op:expr, $x:expr, $imm:expr, $next:ident, $cmp:tt) => {{
            let Some(&Op::$next { dst, a, .. }) = code.get(pc) else { bail!() };
            let v = match r!(a) {
                Value::Int(i) => i $cmp $imm as i64,
                Value::Float(p) => p $cmp $imm as f64,
                _ => bail!(),
            };
            pc += 1;
            r!($x) = Value::Int($imm as i64);
            r!(dst) = Value::Bool(v);
        }};
    }
    // `cmp d, a, b; jmpf d`. A backward jump that is due for a collection
    // is left to the general loop before anything is changed.
    macro_rules! compare_jump {
        ($op:expr, $dst:expr, $a:expr, $b:expr, $cmp:tt) => {{
            let Some(&Op::JumpIfFalse { offset, .. }) = code.get(pc) else {
                bail!()
            };
            if offset < 0 && due!() {
                bail!();
            }
            let v = compare!($op, $a, $b, $cmp);
            pc += 1;
            r!($dst) = Value::Bool(v);
            if !v {
                pc = pc.wrapping_add_signed(offset as isize);
            }
        }};
    }

    // `eq/ne d, a, b; jmpf d`, as `compare_jump`.
    macro_rules! equal_jump {
        ($dst:expr, $value:expr) => {{
            let Some(&Op::JumpIfFalse { offset, .. }) = code.get(pc) else {
                bail!()
            };
            if offset < 0 && due!() {
                bail!();
            }
            let v = $value;
            pc += 1;
            r!($dst) = Value::Bool(v);
            if !v {
                pc = pc.wrapping_add_signed(offset as isize);
            }
        }};
    }

    // Call `r{f}` with `argc` arguments on its fast paths (a plain
    // closure, or positional construction of an untyped struct). `skip`
    // more slots (the call itself, when it was fused into the current op)
    // are consumed only once nothing can bail any more.
    macro_rules! call {
        ($f:expr, $argc:expr, $skip:expr) => {
            call!($f, $argc, $skip, false)
        };
        // `$returns`: the next slot is `ret f` (a `CallReturn`).
        ($f:expr, $argc:expr, $skip:expr, $returns:expr) => {{
            let f = $f;
            let argc = $argc;
            if due!() {
                bail!();
            }
            let Value::Obj(callee) = r!(f) else { bail!() };
            let target = match heap.get(callee) {
                Object::Closure(closure) => closure.func,
                // Positional construction of a struct without field
                // types: allocation never collects, so it is safe here.
                &Object::StructType(type_id, arity) => {
                    if arity != u32::from(argc) {
                        bail!();
                    }
                    let start = f as usize + 1;
                    let Some(args) = regs.get(start..start + argc as usize) else {
                        bail!()
                    };
                    let r = heap.alloc_instance(type_id, args);
                    collection_check!();
                    pc += $skip;
                    // Returned straight from here, the new value is not
                    // stored in halves and read back whole at once (a
                    // store-forwarding stall on every constructor return).
                    if $returns && frames.len() > return_floor {
                        pc += 1;
                        ret!(Value::Obj(r));
                        continue;
                    }
                    r!(f) = Value::Obj(r);
                    continue;
                }
                _ => bail!(),
            };
            let callee_code = if target == func_index {
                func
            } else {
                &program.functions[target as usize]
            };
            let slot = base + f as usize;
            if callee_code.params.len() != argc as usize || frames.len() >= max_frames {
                bail!();
            }
            // The callee's window, checked once here and kept.
            let Some(window) = stack
                .get_mut(slot + 1..)
                .and_then(|s| s.first_chunk_mut::<N>())
            else {
                bail!()
            };
            pc += $skip;
            let pos = pc;
            if let Some(frame) = frames.last_mut() {
                frame.pc = pos as u32;
            }
            frames.push(Frame {
                func: target,
                closure: callee,
                base: (slot + 1) as u32,
                ret: slot as u32,
                pc: 0,
            });
            if target != func_index {
                func_index = target;
                func = callee_code;
                code = &func.code;
            }
            base = slot + 1;
            pc = 0;
            regs = window;
        }};
    }

    loop {
        debug_assert!(pc < code.len());
        // SAFETY: `pc < code.len()` here; see where `pc` is declared.
        #[allow(unsafe_code)]
        let op = unsafe { *code.get_unchecked(pc) };
        pc += 1;
        match op {
            // Listed so that the jump table starts at tag 0 (no rebasing).
            Op::Nop {} => {}
            Op::Move { dst, src } => r!(dst) = r!(src),
            Op::LoadConst { dst, k } => r!(dst) = func.module.consts[k as usize],
            Op::LoadInt { dst, value } => r!(dst) = Value::Int(value as i64),
            Op::LoadNone { dst } => r!(dst) = Value::None,
            Op::LoadBool { dst, value } => r!(dst) = Value::Bool(value != 0),
            Op::LoadGlobal { dst, global } => match globals[global as usize] {
                Value::Missing => bail!(),
                v => r!(dst) = v,
            },
            Op::StoreGlobal { global, src } => globals[global as usize] = r!(src),

            Op::Add { dst, a, b } => arith!(op, dst, a, b, i64::checked_add, |x, y| x + y),
            Op::Sub { dst, a, b } => arith!(op, dst, a, b, i64::checked_sub, |x, y| x - y),
            Op::Mul { dst, a, b } => arith!(op, dst, a, b, i64::checked_mul, |x, y| x * y),
            Op::AddImm { dst, a, imm } => {
                let v = match r!(a) {
                    Value::Int(i) => match i.checked_add(imm as i64) {
                        Some(v) => Value::Int(v),
                        None => bail!(),
                    },
                    Value::Float(p) => Value::Float(p + imm as f64),
                    _ => bail!(),
                };
                r!(dst) = v;
            }
            Op::Div { dst, a, b } => r!(dst) = Value::Float(divide!(a, b)),
            Op::FloorDiv { dst, a, b } => match (&r!(a), &r!(b)) {
                (&Value::Int(i), &Value::Int(j)) if j > 0 => r!(dst) = Value::Int(i.div_euclid(j)),
                _ => bail!(),
            },
            Op::Mod { dst, a, b } => match (&r!(a), &r!(b)) {
                (&Value::Int(i), &Value::Int(j)) if j > 0 => r!(dst) = Value::Int(i.rem_euclid(j)),
                _ => bail!(),
            },
            Op::Pow { dst, a, b } => {
                let v = match (&r!(a), &r!(b)) {
                    // sqrt is exact and pow correctly rounded: they agree
                    // on positive finite bases.
                    (&Value::Float(p), &Value::Float(q)) if q == 0.5 && p > 0.0 => p.sqrt(),
                    (&Value::Float(p), &Value::Float(q)) if p != 0.0 => p.powf(q),
                    _ => bail!(),
                };
                r!(dst) = Value::Float(v);
            }
            Op::Eq { dst, a, b } => {
                let v = match (&r!(a), &r!(b)) {
                    (&Value::Int(i), &Value::Int(j)) => i == j,
                    (&Value::None, &Value::None) => true,
                    (&Value::Obj(_), &Value::None) | (&Value::None, &Value::Obj(_)) => false,
                    _ => bail!(),
                };
                r!(dst) = Value::Bool(v);
            }
            Op::Ne { dst, a, b } => {
                let v = match (&r!(a), &r!(b)) {
                    (&Value::Int(i), &Value::Int(j)) => i != j,
                    (&Value::None, &Value::None) => false,
                    (&Value::Obj(_), &Value::None) | (&Value::None, &Value::Obj(_)) => true,
                    _ => bail!(),
                };
                r!(dst) = Value::Bool(v);
            }
            Op::Lt { dst, a, b } => r!(dst) = Value::Bool(compare!(op, a, b, <)),
            Op::Le { dst, a, b } => r!(dst) = Value::Bool(compare!(op, a, b, <=)),
            Op::Gt { dst, a, b } => r!(dst) = Value::Bool(compare!(op, a, b, >)),
            Op::Ge { dst, a, b } => r!(dst) = Value::Bool(compare!(op, a, b, >=)),
            Op::Not { dst, src } => {
                r!(dst) = Value::Bool(matches!(r!(src), Value::None | Value::Bool(false)))
            }

            Op::Jump { offset } => jump!(op, offset),
            Op::JumpIfFalse { cond, offset } => {
                if matches!(r!(cond), Value::None | Value::Bool(false)) {
                    jump!(op, offset);
                }
            }
            Op::JumpIfTrue { cond, offset } => {
                if !matches!(r!(cond), Value::None | Value::Bool(false)) {
                    jump!(op, offset);
                }
            }
            Op::JumpIfSet { reg, offset } => {
                if !matches!(r!(reg), Value::Missing) {
                    jump!(op, offset);
                }
            }
            Op::ForPrep {
                base,
                inclusive,
                offset,
            } => match (&r!(base), &r!(base + 1)) {
                (&Value::Int(start), &Value::Int(end)) => {
                    let empty = if inclusive != 0 {
                        start > end
                    } else {
                        start >= end
                    };
                    if empty {
                        jump!(op, offset);
                    } else {
                        r!(base + 2) = Value::Int(start);
                    }
                }
                _ => bail!(),
            },
            Op::ForStep {
                base,
                inclusive,
                offset,
            } => match (&r!(base), &r!(base + 1)) {
                (&Value::Int(i), &Value::Int(end)) => {
                    let Some(next) = i.checked_add(1) else {
                        bail!()
                    };
                    let more = if inclusive != 0 {
                        next <= end
                    } else {
                        next < end
                    };
                    if more && due!() {
                        bail!();
                    }
                    r!(base) = Value::Int(next);
                    if more {
                        r!(base + 2) = Value::Int(next);
                        pc = pc.wrapping_add_signed(offset as isize);
                    }
                }
                _ => bail!(),
            },

            // List and range iterators; strings and maps go the full way.
            Op::IterNext { iter, offset } => {
                let Value::Obj(it) = r!(iter) else { bail!() };
                let next = match *heap.get(it) {
                    Object::Iter(IterState::List { list, pos }) => match heap.get(list) {
                        Object::List(items) => items
                            .get(pos)
                            .map(|&v| (v, IterState::List { list, pos: pos + 1 })),
                        _ => bail!(),
                    },
                    Object::Iter(IterState::Range { next, end, step }) => {
                        let more = if step > 0 { next < end } else { next > end };
                        // Past the last element the state saturates at `end`.
                        more.then(|| {
                            (
                                Value::Int(next),
                                IterState::Range {
                                    next: next.checked_add(step).unwrap_or(end),
                                    end,
                                    step,
                                },
                            )
                        })
                    }
                    _ => bail!(),
                };
                match next {
                    Some((v, state)) => {
                        if let Object::Iter(s) = heap.get_mut(it) {
                            *s = state;
                        }
                        r!(iter + 1) = v;
                    }
                    None => {
                        pc = pc.wrapping_add_signed(offset as isize);
                    }
                }
            }
            Op::LoadUpval { dst, idx } => {
                let Some(frame) = frames.last() else { bail!() };
                let v = match heap.get(frame.closure) {
                    Object::Closure(c) => {
                        match c.cells.get(idx as usize).map(|&cell| heap.get(cell)) {
                            Some(Object::Cell(v)) => *v,
                            _ => bail!(),
                        }
                    }
                    _ => bail!(),
                };
                r!(dst) = v;
            }
            Op::GetIndex { dst, obj, index } => {
                let v = match (&r!(obj), &r!(index)) {
                    (&Value::Obj(list), &Value::Int(i)) if i >= 0 => match heap.get(list) {
                        Object::List(items) => match items.get(i as usize) {
                            Some(&v) => v,
                            None => bail!(),
                        },
                        _ => bail!(),
                    },
                    _ => bail!(),
                };
                r!(dst) = v;
            }
            Op::SetIndex { obj, index, src } => {
                let v = r!(src);
                match (&r!(obj), &r!(index)) {
                    (&Value::Obj(list), &Value::Int(i)) if i >= 0 => match heap.get_mut(list) {
                        Object::List(items) => match items.get_mut(i as usize) {
                            Some(slot) => *slot = v,
                            None => bail!(),
                        },
                        _ => bail!(),
                    },
                    _ => bail!(),
                }
            }
            Op::GetField { dst, obj, .. } => {
                match field_site::get_cached(heap, field_cache, r!(obj), func.cache_base + pc - 1) {
                    Some(v) => r!(dst) = v,
                    None => bail!(),
                }
            }
            Op::SetField { obj, src, .. } => {
                let site = func.cache_base + pc - 1;
                if !field_site::set_cached(heap, field_cache, r!(obj), site, r!(src)) {
                    bail!();
                }
            }
            Op::CheckType { reg, ty } => {
                let passes = matches!(
                    (&func.module.checks[ty as usize], &r!(reg)),
                    (TypeCheck::Any, _)
                        | (TypeCheck::Int, Value::Int(_))
                        | (TypeCheck::Float, Value::Float(_))
                );
                if !passes {
                    bail!();
                }
            }

            Op::LoadIntAdd { dst: x, value } => {
                int_imm!(op, x, value, Add, i64::checked_add, |p, q| p + q)
            }
            Op::LoadIntSub { dst: x, value } => {
                int_imm!(op, x, value, Sub, i64::checked_sub, |p, q| p - q)
            }
            Op::LoadIntMul { dst: x, value } => {
                int_imm!(op, x, value, Mul, i64::checked_mul, |p, q| p * q)
            }
            Op::LoadIntMod { dst: x, value } => {
                let Some(&Op::Mod { dst, a, .. }) = code.get(pc) else {
                    bail!()
                };
                let v = match r!(a) {
                    Value::Int(i) if value > 0 => Value::Int(i.rem_euclid(value as i64)),
                    _ => bail!(),
                };
                pc += 1;
                r!(x) = Value::Int(value as i64);
                r!(dst) = v;
            }
            Op::LoadIntFloorDiv { dst: x, value } => {
                let Some(&Op::FloorDiv { dst, a, .. }) = code.get(pc) else {
                    bail!()
                };
                let v = match r!(a) {
                    Value::Int(i) if value > 0 => Value::Int(i.div_euclid(value as i64)),
                    _ => bail!(),
                };
                pc += 1;
                r!(x) = Value::Int(value as i64);
                r!(dst) = v;
            }
            Op::LoadIntLt { dst: x, value } => compare_imm!(op, x, value, Lt, <),
            Op::LoadIntLe { dst: x, value } => compare_imm!(op, x, value, Le, <=),
            Op::LoadIntGt { dst: x, value } => compare_imm!(op, x, value, Gt, >),
            Op::LoadIntGe { dst: x, value } => compare_imm!(op, x, value, Ge, >=),
            Op::EqJumpIfFalse { dst, a, b } => equal_jump!(dst, equal!(a, b)),
            Op::NeJumpIfFalse { dst, a, b } => equal_jump!(dst, !equal!(a, b)),
            Op::LoadIntEq { dst: x, value } => {
                let Some(&Op::Eq { dst, a, .. }) = code.get(pc) else {
                    bail!()
                };
                let v = match r!(a) {
                    Value::Int(i) => i == value as i64,
                    _ => bail!(),
                };
                pc += 1;
                r!(x) = Value::Int(value as i64);
                r!(dst) = Value::Bool(v);
            }
            Op::LoadIntNe { dst: x, value } => {
                let Some(&Op::Ne { dst, a, .. }) = code.get(pc) else {
                    bail!()
                };
                let v = match r!(a) {
                    Value::Int(i) => i != value as i64,
                    _ => bail!(),
                };
                pc += 1;
                r!(x) = Value::Int(value as i64);
                r!(dst) = Value::Bool(v);
            }
            Op::LoadIntCompareJumpIfFalse { dst: x, value } => {
                let Some(&[compare, Op::JumpIfFalse { offset, .. }]) = code.get(pc..pc + 2) else {
                    bail!()
                };
                if offset < 0 && due!() {
                    bail!();
                }
                let imm = value as i64;
                let (dst, v) = match (compare, r!(compare_operand(compare))) {
                    (Op::Lt { dst, .. }, Value::Int(i)) => (dst, i < imm),
                    (Op::Le { dst, .. }, Value::Int(i)) => (dst, i <= imm),
                    (Op::Gt { dst, .. }, Value::Int(i)) => (dst, i > imm),
                    (Op::Ge { dst, .. }, Value::Int(i)) => (dst, i >= imm),
                    (Op::Eq { dst, .. }, Value::Int(i)) => (dst, i == imm),
                    (Op::Ne { dst, .. }, Value::Int(i)) => (dst, i != imm),
                    _ => bail!(),
                };
                pc += 1;
                pc += 1;
                r!(x) = Value::Int(imm);
                r!(dst) = Value::Bool(v);
                if !v {
                    pc = pc.wrapping_add_signed(offset as isize);
                }
            }
            Op::LtJumpIfFalse { dst, a, b } => compare_jump!(op, dst, a, b, <),
            Op::LeJumpIfFalse { dst, a, b } => compare_jump!(op, dst, a, b, <=),
            Op::GtJumpIfFalse { dst, a, b } => compare_jump!(op, dst, a, b, >),
            Op::GeJumpIfFalse { dst, a, b } => compare_jump!(op, dst, a, b, >=),

            Op::LoadIntSubCall { dst: x, value } => {
                let Some(&[Op::Sub { dst, a, .. }, Op::Call { func: f, argc }]) =
                    code.get(pc..pc + 2)
                else {
                    bail!()
                };
                let v = match r!(a) {
                    Value::Int(i) => match i.checked_sub(value as i64) {
                        Some(v) => Value::Int(v),
                        None => bail!(),
                    },
                    Value::Float(p) => Value::Float(p - value as f64),
                    _ => bail!(),
                };
                // Writes before the call's checks: a bail-out re-runs the
                // `loadi` and `sub`, which the translation made idempotent.
                r!(x) = Value::Int(value as i64);
                r!(dst) = v;
                call!(f, argc, 2);
            }
            Op::AddForStep { dst, a, b } => {
                let Some(&Op::ForStep {
                    base: fb,
                    inclusive,
                    offset,
                }) = code.get(pc)
                else {
                    bail!()
                };
                let v = arith_value!(a, b, i64::checked_add, |x, y| x + y);
                let (Value::Int(i), Value::Int(end)) = (r!(fb), r!(fb + 1)) else {
                    bail!()
                };
                let Some(next) = i.checked_add(1) else {
                    bail!()
                };
                let more = if inclusive != 0 {
                    next <= end
                } else {
                    next < end
                };
                if more && due!() {
                    bail!();
                }
                pc += 1;
                r!(dst) = v;
                r!(fb) = Value::Int(next);
                if more {
                    r!(fb + 2) = Value::Int(next);
                    pc = pc.wrapping_add_signed(offset as isize);
                }
            }
            Op::MulLoadIntMod { dst: t, a, b } => {
                let Some(&[Op::LoadIntMod { dst: x, value }, Op::Mod { dst, .. }]) =
                    code.get(pc..pc + 2)
                else {
                    bail!()
                };
                match (&r!(a), &r!(b)) {
                    (&Value::Int(i), &Value::Int(j)) if value > 0 => {
                        let Some(p) = i.checked_mul(j) else { bail!() };
                        pc += 1;
                        pc += 1;
                        r!(t) = Value::Int(p);
                        r!(x) = Value::Int(value as i64);
                        r!(dst) = Value::Int(p.rem_euclid(value as i64));
                    }
                    // Just the `mul`; the `LoadIntMod` pair runs next.
                    _ => arith!(op, t, a, b, i64::checked_mul, |x, y| x * y),
                }
            }
            Op::LoadGlobalSubCall { dst: g, global } => {
                let Some(
                    &[
                        Op::LoadIntSubCall { dst: x, value },
                        Op::Sub { dst, a, .. },
                        Op::Call { func: f, argc },
                    ],
                ) = code.get(pc..pc + 3)
                else {
                    bail!()
                };
                match globals[global as usize] {
                    Value::Missing => bail!(),
                    v => r!(g) = v,
                }
                let v = match r!(a) {
                    Value::Int(i) => match i.checked_sub(value as i64) {
                        Some(v) => Value::Int(v),
                        None => bail!(),
                    },
                    Value::Float(p) => Value::Float(p - value as f64),
                    _ => bail!(),
                };
                // As `LoadIntSubCall`: a bail-out re-runs all three.
                r!(x) = Value::Int(value as i64);
                r!(dst) = v;
                call!(f, argc, 3);
            }
            Op::LoadNoneCompareJumpIfFalse { dst: x } => {
                let Some(&[compare, Op::JumpIfFalse { offset, .. }]) = code.get(pc..pc + 2) else {
                    bail!()
                };
                if offset < 0 && due!() {
                    bail!();
                }
                let (dst, a, equal) = match compare {
                    Op::Eq { dst, a, .. } => (dst, a, true),
                    Op::Ne { dst, a, .. } => (dst, a, false),
                    _ => bail!(),
                };
                let is_none = match r!(a) {
                    Value::None => true,
                    Value::Obj(_) | Value::Int(_) => false,
                    _ => bail!(),
                };
                let v = is_none == equal;
                pc += 1;
                pc += 1;
                r!(x) = Value::None;
                r!(dst) = Value::Bool(v);
                if !v {
                    pc = pc.wrapping_add_signed(offset as isize);
                }
            }
            Op::Call { func: f, argc } => call!(f, argc, 0),
            Op::CallReturn { func: f, argc } => call!(f, argc, 0, true),
            Op::Return { src } => ret!(r!(src)),
            Op::ReturnNone {} => ret!(Value::None),
            Op::LoadIntReturn { value, .. } => ret!(Value::Int(value as i64)),
            Op::AddReturn { a, b, .. } => ret!(arith_value!(a, b, i64::checked_add, |x, y| x + y)),
            Op::SubReturn { a, b, .. } => ret!(arith_value!(a, b, i64::checked_sub, |x, y| x - y)),
            Op::DivReturn { a, b, .. } => ret!(Value::Float(divide!(a, b))),
            Op::MulReturn { a, b, .. } => ret!(arith_value!(a, b, i64::checked_mul, |x, y| x * y)),

            _ => bail!(),
        }
    }
}
