//! The per-function code builder: stack-like register allocation, jumps
//! and their patching, the line table, variable access, closures, and the
//! exits (return, break, continue) that leave `try` blocks.

use crate::Codegen;
use noodle_nbc::{Capture, Instr, LineEntry};
use noodle_sema::ir::{self, Block, CaptureSource, LocalId, VarRef};
use noodle_syntax::SourceFile;
use noodle_syntax::ast::Span;

pub type Reg = u16;

/// An enclosing loop: where `break` and `continue` go.
pub struct LoopCtx {
    /// `tries.len()` at the loop: exits unwind the `try`s opened inside.
    pub try_depth: usize,
    pub breaks: Vec<usize>,
    /// Forward `continue` jumps, patched to the loop's step.
    pub continues: Vec<usize>,
    /// A known (backward) target for `continue`.
    pub continue_target: Option<usize>,
}

/// An installed error handler of this frame; leaving its region early
/// pops it and runs the `finally` code.
#[derive(Clone, Copy)]
pub struct TryCtx<'p> {
    pub finally: Option<&'p Block>,
    /// Every copy of the `finally` code is compiled with its registers
    /// starting here, so that its locals (and the captures of closures
    /// made in it) have the same registers in each copy.
    pub base: u32,
    /// Below `base`: where a `return` crossing this region keeps its
    /// value (the outermost region's slot is below every inner base).
    pub ret_slot: Reg,
}

pub struct FnBuilder<'c, 'p> {
    pub cg: &'c mut Codegen<'p>,
    pub ir: &'p ir::Function,
    file: &'p SourceFile,
    pub code: Vec<Instr>,
    pub lines: Vec<LineEntry>,
    /// Byte offset of the source position the next instructions get.
    pos: Option<u32>,
    /// The last offset turned into (line, column), to avoid recomputing.
    resolved: Option<(u32, (u32, u32))>,
    /// The 0-based line of the last position, where the next one is
    /// looked for first.
    line_hint: usize,
    next_reg: u32,
    max_reg: u32,
    pub local_regs: Vec<Option<Reg>>,
    pub loops: Vec<LoopCtx>,
    pub tries: Vec<TryCtx<'p>>,
}

impl<'c, 'p> FnBuilder<'c, 'p> {
    pub fn new(cg: &'c mut Codegen<'p>, ir: &'p ir::Function) -> Self {
        let file = cg.program.files[ir.file as usize].as_ref();
        FnBuilder {
            cg,
            ir,
            file,
            code: Vec::new(),
            lines: Vec::new(),
            pos: None,
            resolved: None,
            line_hint: 0,
            next_reg: 0,
            max_reg: 0,
            local_regs: vec![None; ir.locals.len()],
            loops: Vec::new(),
            tries: Vec::new(),
        }
    }

    // ---- registers ----

    pub fn alloc(&mut self) -> Reg {
        self.alloc_n(1)
    }

    /// `n` consecutive registers at the top of the stack.
    pub fn alloc_n(&mut self, n: usize) -> Reg {
        let base = self.next_reg;
        self.next_reg += n as u32;
        self.max_reg = self.max_reg.max(self.next_reg);
        // Past the 16-bit limit the code is garbage, but `too_large`
        // makes sure it is never used.
        base.min(u16::MAX as u32) as Reg
    }

    pub fn mark(&self) -> u32 {
        self.next_reg
    }

    /// Frees every register allocated since `mark`.
    pub fn free_to(&mut self, mark: u32) {
        self.next_reg = mark;
    }

    /// Whether `r` is the topmost allocated register, so that a call
    /// window may start there.
    pub fn is_top(&self, r: Reg) -> bool {
        r as u32 + 1 == self.next_reg
    }

    pub fn num_regs(&self) -> u16 {
        self.max_reg.min(u16::MAX as u32) as u16
    }

    pub fn too_large(&self) -> bool {
        self.max_reg > u16::MAX as u32
    }

    // ---- code ----

    /// Attributes the next instructions to `span`'s start. Lines and
    /// columns are computed only for positions that reach an instruction.
    pub fn set_pos(&mut self, span: Span) {
        self.pos = Some(span.start);
    }

    fn line_col(&mut self, offset: u32) -> (u32, u32) {
        match self.resolved {
            Some((o, lc)) if o == offset => lc,
            _ => {
                let lc = self.file.line_col_near(offset, &mut self.line_hint);
                self.resolved = Some((offset, lc));
                lc
            }
        }
    }

    pub fn pc(&self) -> usize {
        self.code.len()
    }

    pub fn emit(&mut self, instr: Instr) -> usize {
        let pc = self.code.len();
        if let Some(offset) = self.pos
            && let (line, col) = self.line_col(offset)
            && self
                .lines
                .last()
                .is_none_or(|e| (e.line, e.col) != (line, col))
        {
            if self.lines.last().is_some_and(|e| e.pc as usize == pc) {
                self.lines.pop();
            }
            self.lines.push(LineEntry {
                pc: pc as u32,
                line,
                col,
            });
        }
        self.code.push(instr);
        pc
    }

    /// Points the jump at `at` to `target`.
    pub fn patch(&mut self, at: usize, target: usize) {
        let offset = target as i64 - (at as i64 + 1);
        let offset = offset as i32;
        match &mut self.code[at] {
            Instr::Jump { offset: o }
            | Instr::JumpIfFalse { offset: o, .. }
            | Instr::JumpIfTrue { offset: o, .. }
            | Instr::JumpIfSet { offset: o, .. }
            | Instr::ForPrep { offset: o, .. }
            | Instr::ForStep { offset: o, .. }
            | Instr::IterNext { offset: o, .. }
            | Instr::PushHandler { offset: o, .. } => *o = offset,
            _ => {}
        }
    }

    /// Points the jump at `at` to the next instruction emitted.
    pub fn patch_here(&mut self, at: usize) {
        let here = self.pc();
        self.patch(at, here);
    }

    pub fn patch_all_here(&mut self, jumps: &[usize]) {
        for &j in jumps {
            self.patch_here(j);
        }
    }

    pub fn jump(&mut self) -> usize {
        self.emit(Instr::Jump { offset: 0 })
    }

    pub fn jump_back(&mut self, target: usize) {
        let at = self.jump();
        self.patch(at, target);
    }

    pub fn jump_if_false(&mut self, cond: Reg) -> usize {
        self.emit(Instr::JumpIfFalse { cond, offset: 0 })
    }

    // ---- constants ----

    pub fn load_int(&mut self, dst: Reg, v: i64) {
        match i16::try_from(v) {
            Ok(value) => self.emit(Instr::LoadInt { dst, value }),
            Err(_) => {
                let k = self.cg.pool.int(v);
                self.emit(Instr::LoadConst { dst, k })
            }
        };
    }

    pub fn load_str(&mut self, dst: Reg, s: &str) {
        let k = self.cg.pool.str(s);
        self.emit(Instr::LoadConst { dst, k });
    }

    pub fn name(&mut self, s: &str) -> u16 {
        self.cg.pool.name(s)
    }

    // ---- variables ----

    /// The register of a local; a local is always declared before use.
    pub fn local_reg(&mut self, local: LocalId) -> Reg {
        match self.local_regs.get(local as usize).copied().flatten() {
            Some(r) => r,
            None => {
                self.cg.internal_error(format!(
                    "local `{}` of `{}` used before it has a register",
                    self.ir.locals[local as usize].name, self.ir.name
                ));
                0
            }
        }
    }

    pub fn is_captured(&self, local: LocalId) -> bool {
        self.ir.locals[local as usize].captured
    }

    /// The register holding a plain (uncaptured) local's value.
    pub fn plain_local(&mut self, var: VarRef) -> Option<Reg> {
        match var {
            VarRef::Local(l) if !self.is_captured(l) => Some(self.local_reg(l)),
            _ => None,
        }
    }

    pub fn load_var(&mut self, dst: Reg, var: VarRef) {
        let instr = match var {
            VarRef::Local(l) => {
                let reg = self.local_reg(l);
                if self.is_captured(l) {
                    Instr::LoadCell { dst, cell: reg }
                } else if reg == dst {
                    return;
                } else {
                    Instr::Move { dst, src: reg }
                }
            }
            VarRef::Upval(idx) => Instr::LoadUpval { dst, idx },
            VarRef::Global(global) => Instr::LoadGlobal { dst, global },
            VarRef::Builtin(builtin) => Instr::LoadBuiltin { dst, builtin },
        };
        self.emit(instr);
    }

    pub fn store_var(&mut self, var: VarRef, src: Reg) {
        let instr = match var {
            VarRef::Local(l) => {
                let reg = self.local_reg(l);
                if self.is_captured(l) {
                    Instr::StoreCell { cell: reg, src }
                } else if reg == src {
                    return;
                } else {
                    Instr::Move { dst: reg, src }
                }
            }
            VarRef::Upval(idx) => Instr::StoreUpval { idx, src },
            VarRef::Global(global) => Instr::StoreGlobal { global, src },
            VarRef::Builtin(_) => {
                self.cg.internal_error("assignment to a builtin".into());
                return;
            }
        };
        self.emit(instr);
    }

    /// Gives a local a fresh register holding `value` (a fresh cell when
    /// captured, so each loop iteration's closures get their own).
    pub fn declare_local(&mut self, local: LocalId, value: Reg) -> Reg {
        let reg = self.alloc();
        self.bind_local(local, reg, value);
        reg
    }

    /// Makes `reg` the local's home, initialised from `value`.
    pub fn bind_local(&mut self, local: LocalId, reg: Reg, value: Reg) {
        self.local_regs[local as usize] = Some(reg);
        if self.is_captured(local) {
            self.emit(Instr::MakeCell {
                dst: reg,
                src: value,
            });
        } else if reg != value {
            self.emit(Instr::Move {
                dst: reg,
                src: value,
            });
        }
    }

    /// `Closure dst, f`, recording which cells `f` captures from here.
    pub fn closure(&mut self, dst: Reg, func: u32) {
        let sources = &self.cg.program.functions[func as usize].captures;
        let mut captures = Vec::with_capacity(sources.len());
        for source in sources {
            captures.push(match *source {
                CaptureSource::Local(l) => Capture::Local(self.local_reg(l)),
                CaptureSource::Upval(i) => Capture::Upval(i),
            });
        }
        self.cg.captures[func as usize] = Some(captures);
        self.emit(Instr::Closure { dst, proto: func });
    }

    // ---- exits ----

    /// Returns `value` (already evaluated) from the function: checks the
    /// declared return type, leaves every open `try` (running `finally`
    /// code), then returns or completes the coroutine.
    pub fn emit_return(&mut self, value: Option<Reg>) {
        let needs_value = self.ir.is_async || self.ir.ret_ty.is_some();
        // Inside `try` regions the value waits in the outermost region's
        // slot, safe from every `finally` on the way out (each runs above
        // its own base, and the outermost slot is the lowest).
        let slot = self.tries.first().map(|t| t.ret_slot);
        let value = match (value, slot) {
            (Some(v), Some(slot)) => {
                self.emit(Instr::Move { dst: slot, src: v });
                Some(slot)
            }
            (Some(v), None) => Some(v),
            (None, _) if needs_value => {
                let r = slot.unwrap_or_else(|| self.alloc());
                self.emit(Instr::LoadNone { dst: r });
                Some(r)
            }
            (None, _) => None,
        };
        if let (Some(ty), Some(reg)) = (&self.ir.ret_ty, value) {
            let ty = self.name(ty);
            self.emit(Instr::CheckType { reg, ty });
        }
        self.unwind_tries(0);
        match value {
            Some(src) if self.ir.is_async => {
                self.emit(Instr::AsyncEnd { src });
                self.emit(Instr::Return { src });
            }
            Some(src) => {
                self.emit(Instr::Return { src });
            }
            None => {
                self.emit(Instr::ReturnNone {});
            }
        }
    }

    /// Leaves the `try` regions above `depth`, innermost first: each pops
    /// its handler and runs its `finally` block (compiled with only the
    /// regions outside it still open).
    pub fn unwind_tries(&mut self, depth: usize) {
        let saved = self.tries.clone();
        for i in (depth..saved.len()).rev() {
            self.tries.truncate(i);
            self.emit(Instr::PopHandler {});
            self.run_finally(&saved[i]);
        }
        self.tries = saved;
    }

    /// One copy of a region's `finally` code, at the region's base.
    pub fn run_finally(&mut self, ctx: &TryCtx<'p>) {
        if let Some(finally) = ctx.finally {
            let live = self.mark();
            self.free_to(ctx.base);
            self.block_to(finally, None);
            self.free_to(live);
        }
    }
}
