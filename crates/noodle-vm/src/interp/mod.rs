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

pub mod access;
mod call;
mod unwind;

pub use access::{
    check_value, get_field, get_index, len, normalize_index, set_field, set_index, slice,
    type_matches,
};
pub(crate) use unwind::collect;

use std::sync::Arc;

use noodle_nbc::Instr;

use crate::error::{Thrown, kinds};
use crate::native::{BuiltinDef, NResult};
use crate::object::{Closure, Object};
use crate::ops::{self, CompareOp};
use crate::types::TypeCheck;
use crate::value::{ObjRef, Value};
use crate::vm::Vm;
use call::CallOutcome;

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
#[derive(Clone, Copy, Debug)]
pub enum Halt {
    /// The outermost frame of this run returned this value.
    Finished(Value),
    /// An error no handler of this run caught (trace filled in).
    Raised(Value),
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

const ASYNC_UNSUPPORTED: &str =
    "async functions need the concurrency runtime, which is not available yet";

impl Vm {
    /// Calls any callable with `args` and runs it to completion: the entry
    /// point for natives that call back into Noodle (`sorted` keys,
    /// `list.map`). Runs a nested interpreter loop, so a collection may
    /// happen before it returns: see the rooting rules in the crate docs.
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> NResult<Value> {
        let program = Arc::clone(&self.program);
        let window = self.stack_top();
        let need = window + 1 + args.len();
        if self.stack.len() < need {
            self.stack.resize(need, Value::None);
        }
        self.stack[window] = f;
        self.stack[window + 1..need].copy_from_slice(args);
        let depth = self.frames.len();
        match self.call_at(&program, window, args.len(), None)? {
            CallOutcome::Done => Ok(self.stack[window]),
            CallOutcome::Pushed => match self.execute(depth) {
                Halt::Finished(v) => Ok(v),
                Halt::Raised(e) => Err(Thrown(e)),
            },
        }
    }

    /// Runs the current frames until they have all returned or an error
    /// escapes them.
    pub fn run(&mut self) -> Halt {
        self.execute(0)
    }

    /// The dispatch loop. Runs until the frame at index `stop_depth`
    /// returns (`Finished`) or an error unwinds past it (`Raised`).
    pub(crate) fn execute(&mut self, stop_depth: usize) -> Halt {
        let program = Arc::clone(&self.program);
        'frame: loop {
            let Some(&frame) = self.frames.last() else {
                return Halt::Finished(Value::None);
            };
            let func = &*program.functions[frame.func as usize];
            let module = &*program.modules[func.module as usize];
            let code = &func.code[..];
            let base = frame.base as usize;
            let mut pc = frame.pc as usize;
            let mut kw: Option<u16> = None;

            macro_rules! r {
                ($reg:expr) => {
                    self.stack[base + $reg as usize]
                };
            }
            let thrown: Thrown = 'run: loop {
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
                macro_rules! safepoint {
                    () => {
                        if self.heap.should_collect() {
                            if let Some(f) = self.frames.last_mut() {
                                f.pc = pc as u32;
                            }
                            collect(self);
                        }
                    };
                }
                macro_rules! jump {
                    ($offset:expr) => {{
                        let offset = $offset;
                        pc = (pc as i64 + offset as i64) as usize;
                        if offset < 0 {
                            safepoint!();
                        }
                    }};
                }
                // Int and float fast paths inline, reading the registers in
                // place (copying 16-byte values through the stack costs more
                // than the arithmetic); everything else out of line.
                macro_rules! arith {
                    ($dst:expr, $a:expr, $b:expr, $int:expr, $float:expr, $op:expr) => {{
                        let (x, y) = (
                            &self.stack[base + $a as usize],
                            &self.stack[base + $b as usize],
                        );
                        let v = match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) => match $int(i, j) {
                                Some(v) => Value::Int(v),
                                None => throw!(ops::overflow(&mut self.heap)),
                            },
                            (&Value::Float(p), &Value::Float(q)) => Value::Float($float(p, q)),
                            (&Value::Float(p), &Value::Int(j)) => Value::Float($float(p, j as f64)),
                            (&Value::Int(i), &Value::Float(q)) => Value::Float($float(i as f64, q)),
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(self.binary_slow($op, x, y))
                            }
                        };
                        r!($dst) = v;
                    }};
                }
                macro_rules! compare {
                    ($dst:expr, $a:expr, $b:expr, $op:tt, $cmp:expr) => {{
                        let (x, y) = (&self.stack[base + $a as usize], &self.stack[base + $b as usize]);
                        let v = match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) => i $op j,
                            (&Value::Float(p), &Value::Float(q)) => p $op q,
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(self.compare_slow($cmp, x, y))
                            }
                        };
                        r!($dst) = Value::Bool(v);
                    }};
                }

                let Some(&instr) = code.get(pc) else {
                    throw!(self.error(
                        kinds::TYPE,
                        "internal error: ran past the end of the function"
                    ));
                };
                pc += 1;
                match instr {
                    Instr::Nop {} => {}
                    Instr::Move { dst, src } => r!(dst) = r!(src),
                    Instr::LoadConst { dst, k } => r!(dst) = module.consts[k as usize],
                    Instr::LoadInt { dst, value } => r!(dst) = Value::Int(value as i64),
                    Instr::LoadNone { dst } => r!(dst) = Value::None,
                    Instr::LoadBool { dst, value } => r!(dst) = Value::Bool(value != 0),
                    Instr::LoadGlobal { dst, global } => {
                        let v = self.globals[global as usize];
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
                    Instr::StoreGlobal { global, src } => self.globals[global as usize] = r!(src),
                    Instr::LoadBuiltin { dst, builtin } => {
                        r!(dst) = match self.builtins[builtin as usize] {
                            Some(BuiltinDef::Constant(v)) => v,
                            _ => Value::Builtin(builtin),
                        };
                    }

                    // ---- cells and closures ----
                    Instr::MakeCell { dst, src } => {
                        let v = r!(src);
                        r!(dst) = Value::Obj(self.heap.alloc(Object::Cell(v)));
                    }
                    Instr::LoadCell { dst, cell } => {
                        r!(dst) = match self.heap.object(r!(cell)) {
                            Some(Object::Cell(v)) => *v,
                            _ => throw!(self.error(kinds::TYPE, "internal error: not a cell")),
                        };
                    }
                    Instr::StoreCell { cell, src } => {
                        let v = r!(src);
                        match r!(cell) {
                            Value::Obj(c) => match self.heap.get_mut(c) {
                                Object::Cell(slot) => *slot = v,
                                _ => throw!(self.error(kinds::TYPE, "internal error: not a cell")),
                            },
                            _ => throw!(self.error(kinds::TYPE, "internal error: not a cell")),
                        }
                    }
                    Instr::LoadUpval { dst, idx } => {
                        let cell = self.upval_cell(frame.closure, idx);
                        r!(dst) = match self.heap.get(cell) {
                            Object::Cell(v) => *v,
                            _ => Value::None,
                        };
                    }
                    Instr::StoreUpval { idx, src } => {
                        let v = r!(src);
                        let cell = self.upval_cell(frame.closure, idx);
                        if let Object::Cell(slot) = self.heap.get_mut(cell) {
                            *slot = v;
                        }
                    }
                    Instr::Closure { dst, proto } => {
                        let func_index = module.func_base + proto;
                        let inner = &program.functions[func_index as usize];
                        let mut cells = Vec::with_capacity(inner.captures.len());
                        for capture in &inner.captures {
                            let cell = match *capture {
                                noodle_nbc::Capture::Local(reg) => match r!(reg) {
                                    Value::Obj(c)
                                        if matches!(self.heap.get(c), Object::Cell(_)) =>
                                    {
                                        c
                                    }
                                    _ => throw!(self.error(
                                        kinds::TYPE,
                                        "internal error: captured register is not a cell"
                                    )),
                                },
                                noodle_nbc::Capture::Upval(i) => self.upval_cell(frame.closure, i),
                            };
                            cells.push(cell);
                        }
                        let closure = Closure {
                            func: func_index,
                            cells: cells.into_boxed_slice(),
                        };
                        r!(dst) = Value::Obj(self.heap.alloc(Object::Closure(closure)));
                    }

                    // ---- arithmetic ----
                    Instr::Add { dst, a, b } => {
                        arith!(dst, a, b, i64::checked_add, |x, y| x + y, BinaryOp::Add)
                    }
                    Instr::Sub { dst, a, b } => {
                        arith!(dst, a, b, i64::checked_sub, |x, y| x - y, BinaryOp::Sub)
                    }
                    Instr::Mul { dst, a, b } => {
                        arith!(dst, a, b, i64::checked_mul, |x, y| x * y, BinaryOp::Mul)
                    }
                    Instr::Div { dst, a, b } => {
                        let (x, y) = (
                            &self.stack[base + a as usize],
                            &self.stack[base + b as usize],
                        );
                        let v = match (x, y) {
                            (&Value::Float(p), &Value::Float(q)) if q != 0.0 => Value::Float(p / q),
                            (&Value::Float(p), &Value::Int(j)) if j != 0 => Value::Float(p / j as f64),
                            (&Value::Int(i), &Value::Float(q)) if q != 0.0 => Value::Float(i as f64 / q),
                            (&Value::Int(i), &Value::Int(j)) if j != 0 => {
                                Value::Float(i as f64 / j as f64)
                            }
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(self.binary_slow(BinaryOp::Div, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Instr::FloorDiv { dst, a, b } => {
                        let (x, y) = (
                            &self.stack[base + a as usize],
                            &self.stack[base + b as usize],
                        );
                        let v = match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) if j > 0 => {
                                Value::Int(i.div_euclid(j))
                            }
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(self.binary_slow(BinaryOp::FloorDiv, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Instr::Mod { dst, a, b } => {
                        let (x, y) = (
                            &self.stack[base + a as usize],
                            &self.stack[base + b as usize],
                        );
                        let v = match (x, y) {
                            (&Value::Int(i), &Value::Int(j)) if j > 0 => {
                                Value::Int(i.rem_euclid(j))
                            }
                            _ => {
                                let (x, y) = (*x, *y);
                                try_op!(self.binary_slow(BinaryOp::Mod, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Instr::Pow { dst, a, b } => {
                        let (x, y) = (
                            &self.stack[base + a as usize],
                            &self.stack[base + b as usize],
                        );
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
                                try_op!(self.binary_slow(BinaryOp::Pow, x, y))
                            }
                        };
                        r!(dst) = v;
                    }
                    Instr::BitAnd { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = try_op!(self.binary_slow(BinaryOp::BitAnd, x, y));
                    }
                    Instr::BitOr { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = try_op!(self.binary_slow(BinaryOp::BitOr, x, y));
                    }
                    Instr::BitXor { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = try_op!(self.binary_slow(BinaryOp::BitXor, x, y));
                    }
                    Instr::Shl { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = try_op!(self.binary_slow(BinaryOp::Shl, x, y));
                    }
                    Instr::Shr { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = try_op!(self.binary_slow(BinaryOp::Shr, x, y));
                    }
                    Instr::Eq { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = Value::Bool(match (x, y) {
                            (Value::Int(x), Value::Int(y)) => x == y,
                            (Value::None, Value::None) => true,
                            (Value::Obj(_), Value::None) | (Value::None, Value::Obj(_)) => false,
                            _ => self.equals_slow(x, y),
                        });
                    }
                    Instr::Ne { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = Value::Bool(match (x, y) {
                            (Value::Int(x), Value::Int(y)) => x != y,
                            (Value::None, Value::None) => false,
                            (Value::Obj(_), Value::None) | (Value::None, Value::Obj(_)) => true,
                            _ => !self.equals_slow(x, y),
                        });
                    }
                    Instr::Lt { dst, a, b } => compare!(dst, a, b, <, CompareOp::Lt),
                    Instr::Le { dst, a, b } => compare!(dst, a, b, <=, CompareOp::Le),
                    Instr::Gt { dst, a, b } => compare!(dst, a, b, >, CompareOp::Gt),
                    Instr::Ge { dst, a, b } => compare!(dst, a, b, >=, CompareOp::Ge),
                    Instr::In { dst, a, b } => {
                        let (x, y) = (r!(a), r!(b));
                        r!(dst) = Value::Bool(try_op!(ops::contains(&mut self.heap, x, y)));
                    }
                    Instr::Neg { dst, src } => {
                        r!(dst) = match r!(src) {
                            Value::Float(x) => Value::Float(-x),
                            x => try_op!(ops::neg(&mut self.heap, x)),
                        };
                    }
                    Instr::Not { dst, src } => r!(dst) = Value::Bool(!r!(src).is_truthy()),
                    Instr::BitNot { dst, src } => {
                        let x = r!(src);
                        r!(dst) = try_op!(ops::bit_not(&mut self.heap, x));
                    }
                    Instr::AddImm { dst, a, imm } => {
                        let x = r!(a);
                        r!(dst) = match x {
                            Value::Int(x) => match x.checked_add(imm as i64) {
                                Some(v) => Value::Int(v),
                                None => throw!(ops::overflow(&mut self.heap)),
                            },
                            _ => {
                                try_op!(self.binary_slow(BinaryOp::Add, x, Value::Int(imm as i64)))
                            }
                        };
                    }

                    // ---- control flow ----
                    Instr::Jump { offset } => jump!(offset),
                    Instr::JumpIfFalse { cond, offset } => {
                        if !r!(cond).is_truthy() {
                            jump!(offset);
                        }
                    }
                    Instr::JumpIfTrue { cond, offset } => {
                        if r!(cond).is_truthy() {
                            jump!(offset);
                        }
                    }
                    Instr::JumpIfSet { reg, offset } => {
                        if !r!(reg).is_missing() {
                            jump!(offset);
                        }
                    }
                    Instr::ForPrep {
                        base: b,
                        inclusive,
                        offset,
                    } => match (r!(b), r!(b + 1)) {
                        (Value::Int(start), Value::Int(end)) => {
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
                        (s, e) => {
                            let message = format!(
                                "a range needs int bounds, not {} and {}",
                                self.heap.type_name(s),
                                self.heap.type_name(e)
                            );
                            throw!(self.error(kinds::TYPE, message));
                        }
                    },
                    Instr::ForStep {
                        base: b,
                        inclusive,
                        offset,
                    } => {
                        if let (Value::Int(i), Value::Int(end)) = (r!(b), r!(b + 1))
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
                    Instr::IterInit { dst, src } => {
                        let v = r!(src);
                        r!(dst) = try_op!(crate::iter::make_iter(&mut self.heap, v));
                    }
                    Instr::IterNext { iter, offset } => {
                        let next = match r!(iter) {
                            Value::Obj(it) => crate::iter::next(&mut self.heap, it),
                            _ => None,
                        };
                        match next {
                            Some(v) => r!(iter + 1) = v,
                            None => jump!(offset),
                        }
                    }

                    // ---- calls ----
                    Instr::KwNames { names } => kw = Some(names),
                    Instr::Call { func: f, argc } => {
                        safepoint!();
                        let slot = base + f as usize;
                        // Fast path: a closure called with exactly its
                        // parameters, positionally.
                        if kw.is_none()
                            && let Value::Obj(callee) = self.stack[slot]
                            && let Object::Closure(c) = self.heap.get(callee)
                        {
                            let target = c.func;
                            let code = &program.functions[target as usize];
                            if code.params.len() == argc as usize
                                && self.frames.len() < self.options.max_frames
                            {
                                let need = slot + 1 + code.num_regs;
                                if self.stack.len() < need {
                                    self.stack.resize(need, Value::None);
                                }
                                self.frames.last_mut().expect("running frame").pc = pc as u32;
                                self.frames.push(Frame {
                                    func: target,
                                    closure: callee,
                                    base: (slot + 1) as u32,
                                    ret: slot as u32,
                                    pc: 0,
                                });
                                continue 'frame;
                            }
                        }
                        self.frames.last_mut().expect("running frame").pc = pc as u32;
                        let names = kw.take().map(|k| &*module.kw_names[k as usize]);
                        match self.call_at(&program, base + f as usize, argc as usize, names) {
                            Ok(CallOutcome::Pushed) => continue 'frame,
                            Ok(CallOutcome::Done) => {}
                            Err(e) => throw!(e),
                        }
                    }
                    Instr::CallMethod {
                        base: b,
                        argc,
                        name,
                    } => {
                        safepoint!();
                        self.frames.last_mut().expect("running frame").pc = pc as u32;
                        let names = kw.take().map(|k| &*module.kw_names[k as usize]);
                        let sym = module.names[name as usize];
                        match self.call_method(
                            &program,
                            base + b as usize,
                            argc as usize,
                            sym,
                            names,
                        ) {
                            Ok(CallOutcome::Pushed) => continue 'frame,
                            Ok(CallOutcome::Done) => {}
                            Err(e) => throw!(e),
                        }
                    }
                    Instr::Return { src } => {
                        let v = r!(src);
                        if let Some(halt) = self.return_value(v, stop_depth) {
                            return halt;
                        }
                        continue 'frame;
                    }
                    Instr::ReturnNone {} => {
                        if let Some(halt) = self.return_value(Value::None, stop_depth) {
                            return halt;
                        }
                        continue 'frame;
                    }
                    Instr::CheckType { reg, ty } => {
                        let check = &module.checks[ty as usize];
                        let passes = matches!(
                            (check, &self.stack[base + reg as usize]),
                            (TypeCheck::Any, _) | (TypeCheck::Int, Value::Int(_)) | (TypeCheck::Float, Value::Float(_))
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
                    Instr::NewList {
                        dst,
                        base: b,
                        count,
                    } => {
                        let start = base + b as usize;
                        let items = self.stack[start..start + count as usize].to_vec();
                        r!(dst) = self.heap.alloc_list(items);
                    }
                    Instr::ListPush { list, src } => {
                        let (l, v) = (r!(list), r!(src));
                        match self.heap.list_mut(l) {
                            Some(items) => items.push(v),
                            None => throw!(
                                self.error(kinds::TYPE, "internal error: listpush on a non-list")
                            ),
                        }
                    }
                    Instr::NewMap {
                        dst,
                        base: b,
                        count,
                    } => {
                        let start = base + b as usize;
                        let m = try_op!(self.new_map(start, count as usize));
                        r!(dst) = m;
                    }
                    Instr::GetIndex { dst, obj, index } => {
                        let (o, i) = (r!(obj), r!(index));
                        let fast = match (self.heap.object(o), i) {
                            (Some(Object::List(items)), Value::Int(i)) if i >= 0 => {
                                items.get(i as usize).copied()
                            }
                            _ => None,
                        };
                        r!(dst) = match fast {
                            Some(v) => v,
                            None => try_op!(get_index(&mut self.heap, o, i)),
                        };
                    }
                    Instr::SetIndex { obj, index, src } => {
                        let (o, i, v) = (r!(obj), r!(index), r!(src));
                        let done = match (o, i) {
                            (Value::Obj(l), Value::Int(i)) if i >= 0 => {
                                match self.heap.get_mut(l) {
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
                            try_op!(set_index(&mut self.heap, o, i, v));
                        }
                    }
                    Instr::Slice {
                        dst,
                        base: b,
                        inclusive,
                    } => {
                        let (o, s, e) = (r!(b), r!(b + 1), r!(b + 2));
                        r!(dst) = try_op!(slice(&mut self.heap, o, s, e, inclusive != 0));
                    }
                    Instr::GetField { dst, obj, name } => {
                        let o = r!(obj);
                        let sym = module.names[name as usize];
                        let fast = match self.heap.object(o) {
                            Some(Object::Instance(inst)) => self.heap.types().structs
                                [inst.type_id as usize]
                                .field_index(sym)
                                .map(|i| inst.fields[i]),
                            _ => None,
                        };
                        r!(dst) = match fast {
                            Some(v) => v,
                            None => try_op!(get_field(&mut self.heap, o, sym)),
                        };
                    }
                    Instr::SetField { obj, name, src } => {
                        let (o, v) = (r!(obj), r!(src));
                        let sym = module.names[name as usize];
                        try_op!(self.set_field_fast(o, sym, v));
                    }
                    Instr::GetFieldAt { dst, obj, idx } => {
                        let o = r!(obj);
                        r!(dst) = try_op!(access::get_field_at(&mut self.heap, o, idx as usize));
                    }
                    Instr::NewRange {
                        dst,
                        start,
                        inclusive,
                    } => {
                        let (s, e) = (r!(start), r!(start + 1));
                        r!(dst) = try_op!(self.new_range(s, e, inclusive != 0));
                    }
                    Instr::Len { dst, src } => {
                        let v = r!(src);
                        r!(dst) = try_op!(len(&mut self.heap, v));
                    }

                    // ---- strings ----
                    Instr::ToStr { dst, src } => {
                        let v = r!(src);
                        if self.heap.str(v).is_none() {
                            let mut text = String::new();
                            crate::format::display(&self.heap, v, &mut text);
                            r!(dst) = self.heap.alloc_string(text);
                        } else {
                            r!(dst) = v;
                        }
                    }
                    Instr::Format { dst, src, spec } => {
                        let v = r!(src);
                        let mut text = String::new();
                        let spec = &module.name_text[spec as usize];
                        match crate::format::format_spec(&self.heap, v, spec, &mut text) {
                            Ok(()) => r!(dst) = self.heap.alloc_string(text),
                            Err((kind, message)) => throw!(self.error(kind, message)),
                        }
                    }
                    Instr::Concat {
                        dst,
                        base: b,
                        count,
                    } => {
                        let start = base + b as usize;
                        let mut text = String::new();
                        for &v in &self.stack[start..start + count as usize] {
                            match self.heap.as_str(v) {
                                Some(s) => text.push_str(s),
                                None => crate::format::display(&self.heap, v, &mut text),
                            }
                        }
                        r!(dst) = self.heap.alloc_string(text);
                    }

                    // ---- types and patterns ----
                    Instr::DefStruct { dst, def } => {
                        let id = module.struct_base + def;
                        r!(dst) = Value::Obj(self.heap.types().structs[id as usize].type_obj);
                    }
                    Instr::DefEnum { dst, def } => {
                        let id = module.enum_base + def;
                        r!(dst) = Value::Obj(self.heap.types().enums[id as usize].type_obj);
                    }
                    Instr::AddMethod { ty, func: f } => {
                        let (t, m) = (r!(ty), r!(f));
                        try_op!(self.add_method(&program, t, m));
                    }
                    Instr::IsType { dst, src, ty } => {
                        let v = r!(src);
                        r!(dst) =
                            Value::Bool(type_matches(&self.heap, v, &module.checks[ty as usize]));
                    }
                    Instr::IsInstance { dst, src, ty } => {
                        let (v, t) = (r!(src), r!(ty));
                        r!(dst) = Value::Bool(self.is_instance(v, t));
                    }

                    // ---- errors ----
                    Instr::Raise { src } => {
                        let v = r!(src);
                        if self.heap.error_obj(v).is_some() {
                            throw!(Thrown(v));
                        }
                        let message =
                            format!("only errors can be raised, not {}", self.heap.type_name(v));
                        throw!(self.error(kinds::TYPE, message));
                    }
                    Instr::PushHandler { err, offset } => {
                        let target = (pc as i64 + offset as i64) as u32;
                        let frame_index = (self.frames.len() - 1) as u32;
                        self.handlers.push(Handler {
                            frame: frame_index,
                            err_reg: err,
                            target,
                        });
                    }
                    Instr::PopHandler {} => {
                        let current = (self.frames.len() - 1) as u32;
                        if self.handlers.last().is_some_and(|h| h.frame == current) {
                            self.handlers.pop();
                        }
                    }
                    Instr::ErrorIs { dst, err, kind } => {
                        let wanted = &*module.name_text[kind as usize];
                        let is = self
                            .heap
                            .error_obj(r!(err))
                            .is_some_and(|e| wanted == "Error" || *e.kind == *wanted);
                        r!(dst) = Value::Bool(is);
                    }

                    // ---- concurrency: not available yet ----
                    Instr::DefActor { dst, proto } => {
                        let proto = module.func_base + proto;
                        r!(dst) = Value::Obj(self.heap.alloc(Object::ActorType { proto }));
                    }
                    Instr::DefSupervisor { dst, proto } => {
                        let proto = module.func_base + proto;
                        r!(dst) = Value::Obj(self.heap.alloc(Object::SupervisorType { proto }));
                    }
                    Instr::AsyncBegin {} | Instr::Await { .. } | Instr::AsyncEnd { .. } => {
                        throw!(self.error(kinds::UNSUPPORTED, ASYNC_UNSUPPORTED));
                    }
                    Instr::Spawn { .. } => {
                        throw!(self.error(
                            kinds::UNSUPPORTED,
                            "spawn needs the concurrency runtime, which is not available yet"
                        ));
                    }
                    Instr::LoadSelf { .. } => {
                        throw!(self.error(
                            kinds::UNSUPPORTED,
                            "self needs the actor runtime, which is not available yet"
                        ));
                    }
                    Instr::Parallel { .. } => {
                        throw!(self.error(
                            kinds::UNSUPPORTED,
                            "parallel blocks need the concurrency runtime, which is not available yet"
                        ));
                    }
                }
            };
            if let Some(f) = self.frames.last_mut() {
                f.pc = pc as u32;
            }
            if self.unwind(&program, thrown.0, stop_depth) {
                continue 'frame;
            }
            return Halt::Raised(thrown.0);
        }
    }

    /// The non-fast-path cases of the binary operators.
    #[inline(never)]
    fn binary_slow(&mut self, op: BinaryOp, x: Value, y: Value) -> NResult<Value> {
        let heap = &mut self.heap;
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
    fn compare_slow(&mut self, op: CompareOp, x: Value, y: Value) -> NResult<bool> {
        ops::compare_op(&mut self.heap, op, x, y).map(Value::is_truthy)
    }

    #[inline(never)]
    fn equals_slow(&self, x: Value, y: Value) -> bool {
        ops::equals(&self.heap, x, y)
    }

    /// Pops the running frame, delivering `v` to its caller. Returns the
    /// halt when that frame was the outermost of this run.
    #[inline]
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

    #[inline]
    fn upval_cell(&self, closure: ObjRef, idx: u16) -> ObjRef {
        match self.heap.get(closure) {
            Object::Closure(c) => c.cells[idx as usize],
            _ => closure,
        }
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

    fn new_map(&mut self, start: usize, pairs: usize) -> NResult<Value> {
        let mut map = crate::object::Map::with_capacity(pairs);
        for i in 0..pairs {
            let (k, v) = (self.stack[start + 2 * i], self.stack[start + 2 * i + 1]);
            match self.heap.map_key(k) {
                Some(key) => map.insert(key, k, v),
                None => {
                    let message = format!(
                        "a map key must be none, bool, int or str, not {}",
                        self.heap.type_name(k)
                    );
                    return Err(self.error(kinds::TYPE, message));
                }
            }
        }
        Ok(self.heap.alloc_map(map))
    }

    fn new_range(&mut self, start: Value, end: Value, inclusive: bool) -> NResult<Value> {
        match (start, end) {
            (Value::Int(s), Value::Int(e)) => {
                let end = if inclusive { e.saturating_add(1) } else { e };
                Ok(self.heap.alloc_range(s, end, 1))
            }
            _ => {
                let message = format!(
                    "a range needs int bounds, not {} and {}",
                    self.heap.type_name(start),
                    self.heap.type_name(end)
                );
                Err(self.error(kinds::TYPE, message))
            }
        }
    }

    /// `obj.name = v`: untyped struct fields directly, the rest checked.
    #[inline]
    fn set_field_fast(&mut self, obj: Value, name: crate::types::Sym, v: Value) -> NResult<()> {
        if let Value::Obj(r) = obj
            && let Object::Instance(inst) = self.heap.get(r)
        {
            let desc = &self.heap.types().structs[inst.type_id as usize];
            if let Some(i) = desc.field_index(name) {
                let converted = match &desc.fields[i].check {
                    None => Some(v),
                    Some(TypeCheck::Float) => match v {
                        Value::Float(_) => Some(v),
                        Value::Int(n) => Some(Value::Float(n as f64)),
                        _ => None,
                    },
                    Some(_) => None,
                };
                if let Some(v) = converted
                    && let Object::Instance(inst) = self.heap.get_mut(r)
                {
                    inst.fields[i] = v;
                    return Ok(());
                }
            }
        }
        set_field(&mut self.heap, obj, name, v)
    }

    fn add_method(
        &mut self,
        program: &crate::load::Program,
        ty: Value,
        method: Value,
    ) -> NResult<()> {
        let Some(closure) = self.heap.closure(method) else {
            return Err(self.error(kinds::TYPE, "internal error: addmethod needs a closure"));
        };
        let full = &program.functions[closure.func as usize].name;
        // Methods may be named `Type.method` for traces; the key is `method`.
        let short = full.rsplit('.').next().unwrap_or(full);
        let name = self.heap.types_mut().symbols.intern(short);
        let methods = match self.heap.object(ty) {
            Some(&Object::StructType(id)) => {
                &mut self.heap.types_mut().structs[id as usize].methods
            }
            Some(&Object::EnumType(id)) => &mut self.heap.types_mut().enums[id as usize].methods,
            _ => {
                return Err(self.error(
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

    /// `IsInstance`: struct type, enum type (any variant), or one variant
    /// (its constructor or its unit value).
    fn is_instance(&self, v: Value, ty: Value) -> bool {
        let (Some(value), Some(t)) = (self.heap.object(v), self.heap.object(ty)) else {
            return false;
        };
        match (value, t) {
            (Object::Instance(inst), Object::StructType(id)) => inst.type_id == *id,
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
}
