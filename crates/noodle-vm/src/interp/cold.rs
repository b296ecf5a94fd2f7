//! Instructions that are not on the hot path run here, out of line, so
//! the dispatch loop in `mod.rs` stays small (its hot state then stays in
//! registers). Registers are addressed through `self.stack` directly.

use super::*;

/// What an out-of-line instruction needs from the running frame.
pub(super) struct ColdContext<'p> {
    pub program: &'p crate::load::Program,
    pub module: &'p crate::load::ModuleData,
    pub func: &'p crate::load::FunctionCode,
    pub base: usize,
    pub closure: ObjRef,
    /// The pc of the next instruction.
    pub pc: usize,
}

impl Vm {
    /// `AsyncBegin` at pc 0 of an async function: packs the running frame
    /// (closure and bound parameters) into a coroutine for its caller. The
    /// caller then pops the frame as for a return.
    #[cold]
    #[inline(never)]
    pub(super) fn pack_coroutine(&mut self, program: &crate::load::Program) -> Value {
        let frame = *self.frames.last().expect("running frame");
        let nparams = program.functions[frame.func as usize].params.len();
        let base = frame.base as usize;
        let args = self.stack[base..base + nparams].into();
        Value::Obj(
            self.heap
                .alloc(Object::Coroutine(Box::new(crate::object::Coroutine {
                    closure: frame.closure,
                    func: frame.func,
                    args,
                }))),
        )
    }

    #[cold]
    #[inline(never)]
    pub(super) fn exec_cold(&mut self, ctx: &ColdContext, instr: Op) -> NResult<()> {
        let base = ctx.base;
        macro_rules! r {
            ($reg:expr) => {
                self.stack[base + $reg as usize]
            };
        }
        macro_rules! throw {
            ($err:expr) => {
                return Err($err)
            };
        }
        macro_rules! try_op {
            ($e:expr) => {
                $e?
            };
        }
        match instr {
            Op::Nop {} => {}
            Op::MakeCell { dst, src } => {
                let v = r!(src);
                r!(dst) = Value::Obj(self.heap.alloc(Object::Cell(v)));
            }
            Op::LoadCell { dst, cell } => {
                r!(dst) = match self.heap.object(r!(cell)) {
                    Some(Object::Cell(v)) => *v,
                    _ => throw!(self.error(kinds::TYPE, "internal error: not a cell")),
                };
            }
            Op::StoreCell { cell, src } => {
                let v = r!(src);
                match r!(cell) {
                    Value::Obj(c) => match self.heap.get_mut(c) {
                        Object::Cell(slot) => *slot = v,
                        _ => throw!(self.error(kinds::TYPE, "internal error: not a cell")),
                    },
                    _ => throw!(self.error(kinds::TYPE, "internal error: not a cell")),
                }
            }
            Op::Closure { dst, proto } => {
                let func_index = ctx.module.func_base + proto;
                let inner = &ctx.program.functions[func_index as usize];
                let mut cells = Vec::with_capacity(inner.captures.len());
                for capture in &inner.captures {
                    let cell = match *capture {
                        noodle_nbc::Capture::Local(reg) => match r!(reg) {
                            Value::Obj(c) if matches!(self.heap.get(c), Object::Cell(_)) => c,
                            _ => throw!(self.error(
                                kinds::TYPE,
                                "internal error: captured register is not a cell"
                            )),
                        },
                        noodle_nbc::Capture::Upval(i) => upval_cell(&self.heap, ctx.closure, i),
                    };
                    cells.push(cell);
                }
                let closure = Closure {
                    func: func_index,
                    cells: cells.into_boxed_slice(),
                };
                r!(dst) = Value::Obj(self.heap.alloc(Object::Closure(closure)));
            }

            Op::BitAnd { dst, a, b } => {
                let (x, y) = (r!(a), r!(b));
                r!(dst) = try_op!(binary_slow(&mut self.heap, BinaryOp::BitAnd, x, y));
            }
            Op::BitOr { dst, a, b } => {
                let (x, y) = (r!(a), r!(b));
                r!(dst) = try_op!(binary_slow(&mut self.heap, BinaryOp::BitOr, x, y));
            }
            Op::BitXor { dst, a, b } => {
                let (x, y) = (r!(a), r!(b));
                r!(dst) = try_op!(binary_slow(&mut self.heap, BinaryOp::BitXor, x, y));
            }
            Op::Shl { dst, a, b } => {
                let (x, y) = (r!(a), r!(b));
                r!(dst) = try_op!(binary_slow(&mut self.heap, BinaryOp::Shl, x, y));
            }
            Op::Shr { dst, a, b } => {
                let (x, y) = (r!(a), r!(b));
                r!(dst) = try_op!(binary_slow(&mut self.heap, BinaryOp::Shr, x, y));
            }
            Op::In { dst, a, b } => {
                let (x, y) = (r!(a), r!(b));
                r!(dst) = Value::Bool(try_op!(ops::contains(&mut self.heap, x, y)));
            }
            Op::Neg { dst, src } => {
                r!(dst) = match r!(src) {
                    Value::Float(x) => Value::Float(-x),
                    x => try_op!(ops::neg(&mut self.heap, x)),
                };
            }
            Op::BitNot { dst, src } => {
                let x = r!(src);
                r!(dst) = try_op!(ops::bit_not(&mut self.heap, x));
            }
            Op::IterInit { dst, src } => {
                let v = r!(src);
                r!(dst) = try_op!(crate::iter::make_iter(&mut self.heap, v));
            }
            Op::NewList {
                dst,
                base: b,
                count,
            } => {
                let items =
                    self.stack[base + b as usize..base + b as usize + count as usize].to_vec();
                r!(dst) = self.heap.alloc_list(items);
            }
            Op::ListPush { list, src } => {
                let (l, v) = (r!(list), r!(src));
                match self.heap.list_mut(l) {
                    Some(items) => items.push(v),
                    None => {
                        throw!(self.error(kinds::TYPE, "internal error: listpush on a non-list"))
                    }
                }
            }
            Op::NewMap {
                dst,
                base: b,
                count,
            } => {
                let m = try_op!(new_map(
                    &mut self.heap,
                    &self.stack[base + b as usize..base + b as usize + 2 * count as usize]
                ));
                r!(dst) = m;
            }
            Op::Slice {
                dst,
                base: b,
                inclusive,
            } => {
                let (o, s, e) = (r!(b), r!(b + 1), r!(b + 2));
                r!(dst) = try_op!(slice(&mut self.heap, o, s, e, inclusive != 0));
            }
            Op::GetFieldAt { dst, obj, idx } => {
                let o = r!(obj);
                r!(dst) = try_op!(access::get_field_at(&mut self.heap, o, idx as usize));
            }
            Op::NewRange {
                dst,
                start,
                inclusive,
            } => {
                let (s, e) = (r!(start), r!(start + 1));
                r!(dst) = try_op!(new_range(&mut self.heap, s, e, inclusive != 0));
            }
            Op::ToStr { dst, src } => {
                let v = r!(src);
                if self.heap.str(v).is_none() {
                    let mut text = String::new();
                    crate::format::display(&self.heap, v, &mut text);
                    r!(dst) = self.heap.alloc_string(text);
                } else {
                    r!(dst) = v;
                }
            }
            Op::Format { dst, src, spec } => {
                let v = r!(src);
                let mut text = String::new();
                let spec = &ctx.module.name_text[spec as usize];
                match crate::format::format_spec(&self.heap, v, spec, &mut text) {
                    Ok(()) => r!(dst) = self.heap.alloc_string(text),
                    Err((kind, message)) => throw!(self.error(kind, message)),
                }
            }
            Op::Concat {
                dst,
                base: b,
                count,
            } => {
                let mut text = String::new();
                for &v in &self.stack[base + b as usize..base + b as usize + count as usize] {
                    match self.heap.as_str(v) {
                        Some(s) => text.push_str(s),
                        None => crate::format::display(&self.heap, v, &mut text),
                    }
                }
                r!(dst) = self.heap.alloc_string(text);
            }

            Op::DefStruct { dst, def } => {
                let id = ctx.module.struct_base + def;
                r!(dst) = Value::Obj(self.heap.types().structs[id as usize].type_obj);
            }
            Op::DefEnum { dst, def } => {
                let id = ctx.module.enum_base + def;
                r!(dst) = Value::Obj(self.heap.types().enums[id as usize].type_obj);
            }
            Op::AddMethod { ty, func: f } => {
                let (t, m) = (r!(ty), r!(f));
                try_op!(add_method(&mut self.heap, ctx.program, t, m));
            }
            Op::IsType { dst, src, ty } => {
                let v = r!(src);
                r!(dst) = Value::Bool(type_matches(&self.heap, v, &ctx.module.checks[ty as usize]));
            }
            Op::IsInstance { dst, src, ty } => {
                let (v, t) = (r!(src), r!(ty));
                r!(dst) = Value::Bool(is_instance(&self.heap, v, t));
            }

            Op::Raise { src } => {
                let v = r!(src);
                if self.heap.error_obj(v).is_some() {
                    throw!(Thrown(v));
                }
                let message = format!("only errors can be raised, not {}", self.heap.type_name(v));
                throw!(self.error(kinds::TYPE, message));
            }
            Op::PushHandler { err, offset } => {
                let target = (ctx.pc as i64 + offset as i64) as u32;
                let frame_index = (self.frames.len() - 1) as u32;
                self.handlers.push(Handler {
                    frame: frame_index,
                    err_reg: err,
                    target,
                });
            }
            Op::PopHandler {} => {
                let current = (self.frames.len() - 1) as u32;
                if self.handlers.last().is_some_and(|h| h.frame == current) {
                    self.handlers.pop();
                }
            }
            Op::ErrorIs { dst, err, kind } => {
                let wanted = &*ctx.module.name_text[kind as usize];
                let is = self
                    .heap
                    .error_obj(r!(err))
                    .is_some_and(|e| wanted == "Error" || *e.kind == *wanted);
                r!(dst) = Value::Bool(is);
            }

            Op::DefActor { dst, proto } => {
                let proto = ctx.module.func_base + proto;
                r!(dst) = Value::Obj(self.heap.alloc(Object::ActorType { proto }));
            }
            Op::DefSupervisor { dst, proto } => {
                let proto = ctx.module.func_base + proto;
                r!(dst) = Value::Obj(self.heap.alloc(Object::SupervisorType { proto }));
            }
            _ => {
                let _ = ctx.func;
                return Err(self.error(
                    kinds::TYPE,
                    "internal error: instruction dispatched to the wrong path",
                ));
            }
        }
        Ok(())
    }
}
