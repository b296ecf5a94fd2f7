//! Statements: declarations, assignments, loops and exits.

use crate::func::{FnBuilder, LoopCtx, Reg};
use noodle_nbc::Instr;
use noodle_sema::ir::{
    AssignTarget, Block, Expr, ForIter, GlobalDef, LetTarget, LocalId, Stmt, StmtKind,
};
use noodle_syntax::ast::{BinOp, Span};

impl<'p> FnBuilder<'_, 'p> {
    /// A block whose value (its last expression statement, else none)
    /// goes to `dst`; its locals die at its end.
    pub fn block_to(&mut self, block: &'p Block, dst: Option<Reg>) {
        let mark = self.mark();
        let last = block.stmts.len().checked_sub(1);
        for (i, stmt) in block.stmts.iter().enumerate() {
            match (&stmt.kind, dst) {
                (StmtKind::Expr(e), Some(dst)) if Some(i) == last => self.expr_to(e, dst),
                _ => self.stmt(stmt),
            }
        }
        if let Some(dst) = dst
            && !matches!(block.stmts.last().map(|s| &s.kind), Some(StmtKind::Expr(_)))
        {
            self.emit(Instr::LoadNone { dst });
        }
        self.free_to(mark);
    }

    pub fn stmt(&mut self, stmt: &'p Stmt) {
        self.set_pos(stmt.span);
        match &stmt.kind {
            StmtKind::Let { target, ty, value } => self.let_stmt(*target, ty.as_deref(), value),
            StmtKind::Assign {
                target,
                op,
                value,
                check,
            } => self.assign(target, *op, value, check.as_deref(), stmt.span),
            StmtKind::Expr(e) => self.expr_effect(e),
            StmtKind::While { cond, body } => self.while_loop(cond, body),
            StmtKind::For { vars, iter, body } => match iter {
                ForIter::Range {
                    start,
                    end,
                    inclusive,
                } => self.for_range(vars[0], start, end, *inclusive, body),
                ForIter::Value(iter) => self.for_each(vars, iter, body),
            },
            StmtKind::Break => self.break_or_continue(true),
            StmtKind::Continue => self.break_or_continue(false),
            StmtKind::Return(value) => {
                let mark = self.mark();
                let reg = value.as_ref().map(|v| self.expr_any(v));
                self.set_pos(stmt.span);
                self.emit_return(reg);
                self.free_to(mark);
            }
            StmtKind::Raise(e) => {
                let mark = self.mark();
                let reg = self.expr_any(e);
                self.set_pos(stmt.span);
                self.emit(Instr::Raise { src: reg });
                self.free_to(mark);
            }
            StmtKind::LocalFn { local, func } => self.local_fn(*local, *func),
            StmtKind::DefineGlobal { global, def } => {
                let mark = self.mark();
                let r = self.alloc();
                match *def {
                    GlobalDef::Function(f) => self.closure(r, f),
                    GlobalDef::Struct(i) => {
                        self.emit(Instr::DefStruct { dst: r, def: i });
                    }
                    GlobalDef::Enum(i) => {
                        self.emit(Instr::DefEnum { dst: r, def: i });
                    }
                    GlobalDef::Actor(f) => {
                        self.emit(Instr::DefActor { dst: r, proto: f });
                    }
                    GlobalDef::Supervisor(f) => {
                        self.emit(Instr::DefSupervisor { dst: r, proto: f });
                    }
                }
                self.emit(Instr::StoreGlobal {
                    global: *global,
                    src: r,
                });
                self.free_to(mark);
            }
            StmtKind::Impl { target, methods } => {
                let mark = self.mark();
                let ty = self.expr_temp(target);
                let func = self.alloc();
                for &m in methods {
                    self.closure(func, m);
                    self.emit(Instr::AddMethod { ty, func });
                }
                self.free_to(mark);
            }
        }
    }

    fn let_stmt(&mut self, target: LetTarget, ty: Option<&str>, value: &'p Expr) {
        match target {
            LetTarget::Local(local) => {
                // The new local is not visible to its own initialiser, so
                // its fresh register can receive the value directly.
                let reg = self.alloc();
                self.expr_to(value, reg);
                self.check_type(reg, ty);
                self.bind_local(local, reg, reg);
            }
            LetTarget::Global(global) => {
                let mark = self.mark();
                let reg = self.expr_temp(value);
                self.check_type(reg, ty);
                self.emit(Instr::StoreGlobal { global, src: reg });
                self.free_to(mark);
            }
        }
    }

    pub fn check_type(&mut self, reg: Reg, ty: Option<&str>) {
        if let Some(ty) = ty {
            let ty = self.name(ty);
            self.emit(Instr::CheckType { reg, ty });
        }
    }

    fn assign(
        &mut self,
        target: &'p AssignTarget,
        op: Option<BinOp>,
        value: &'p Expr,
        check: Option<&str>,
        span: Span,
    ) {
        let mark = self.mark();
        match target {
            AssignTarget::Var(var) => {
                // An uncaptured local is updated in place when the value is
                // one operation whose operands are read before it writes.
                if let Some(home) = self.plain_local(*var)
                    && check.is_none()
                    && self.assign_in_place(home, op, value, span)
                {
                    self.free_to(mark);
                    return;
                }
                let result = match op {
                    None => self.expr_temp(value),
                    Some(op) => {
                        let current = self.alloc();
                        self.load_var(current, *var);
                        self.binary_with(op, current, current, value, span);
                        current
                    }
                };
                self.check_type(result, check);
                self.store_var(*var, result);
            }
            AssignTarget::Index { obj, index } => {
                let obj_reg = self.operand(obj, &[index, value]);
                let index_reg = self.operand(index, &[value]);
                let src = match op {
                    None => self.expr_any(value),
                    Some(op) => {
                        let current = self.alloc();
                        self.emit(Instr::GetIndex {
                            dst: current,
                            obj: obj_reg,
                            index: index_reg,
                        });
                        self.binary_with(op, current, current, value, span);
                        current
                    }
                };
                self.set_pos(span);
                self.emit(Instr::SetIndex {
                    obj: obj_reg,
                    index: index_reg,
                    src,
                });
            }
            AssignTarget::Field { obj, name } => {
                let obj_reg = self.operand(obj, &[value]);
                let name = self.name(name);
                let src = match op {
                    None => self.expr_any(value),
                    Some(op) => {
                        let current = self.alloc();
                        self.emit(Instr::GetField {
                            dst: current,
                            obj: obj_reg,
                            name,
                        });
                        self.binary_with(op, current, current, value, span);
                        current
                    }
                };
                self.set_pos(span);
                self.emit(Instr::SetField {
                    obj: obj_reg,
                    name,
                    src,
                });
            }
        }
        self.free_to(mark);
    }

    /// `x += e` / `x = a op b` straight into `x`'s register; false when the
    /// value is not of that shape.
    fn assign_in_place(
        &mut self,
        home: Reg,
        op: Option<BinOp>,
        value: &'p Expr,
        span: Span,
    ) -> bool {
        use noodle_sema::ir::ExprKind;
        match (op, &value.kind) {
            // `x += e` reads `x` when the operation runs, so `e` must not
            // be able to change it first.
            (Some(op), _) if !matches!(op, BinOp::And | BinOp::Or) && cannot_assign(value) => {
                self.binary_with(op, home, home, value, span);
                true
            }
            (None, ExprKind::Binary { op, .. }) if !matches!(op, BinOp::And | BinOp::Or) => {
                self.binary_chain(value, home);
                true
            }
            _ => false,
        }
    }

    fn local_fn(&mut self, local: LocalId, func: u32) {
        let reg = self.alloc();
        self.local_regs[local as usize] = Some(reg);
        if self.is_captured(local) {
            // The cell exists before the closure so that it can capture
            // itself (recursion).
            self.emit(Instr::LoadNone { dst: reg });
            self.emit(Instr::MakeCell { dst: reg, src: reg });
            let mark = self.mark();
            let tmp = self.alloc();
            self.closure(tmp, func);
            self.emit(Instr::StoreCell {
                cell: reg,
                src: tmp,
            });
            self.free_to(mark);
        } else {
            self.closure(reg, func);
        }
    }

    fn while_loop(&mut self, cond: &'p Expr, body: &'p Block) {
        let top = self.pc();
        let mark = self.mark();
        let c = self.expr_any(cond);
        self.set_pos(cond.span);
        let exit = self.jump_if_false(c);
        self.free_to(mark);
        self.push_loop(Some(top));
        self.block_to(body, None);
        self.jump_back(top);
        self.patch_here(exit);
        self.pop_loop();
    }

    /// `for i in a..b`: the counter lives in R[base], the bound in
    /// R[base+1], the loop variable in R[base+2].
    fn for_range(
        &mut self,
        var: LocalId,
        start: &'p Expr,
        end: &'p Expr,
        inclusive: bool,
        body: &'p Block,
    ) {
        let mark = self.mark();
        let base = self.alloc_n(3);
        self.expr_to(start, base);
        self.expr_to(end, base + 1);
        let inclusive = inclusive as u8;
        let prep = self.emit(Instr::ForPrep {
            base,
            inclusive,
            offset: 0,
        });
        let top = self.pc();
        let body_mark = self.mark();
        if self.is_captured(var) {
            self.declare_local(var, base + 2);
        } else {
            self.local_regs[var as usize] = Some(base + 2);
        }
        self.push_loop(None);
        self.block_to(body, None);
        self.free_to(body_mark);
        let continues = std::mem::take(&mut self.loops.last_mut().expect("loop").continues);
        self.patch_all_here(&continues);
        let step = self.emit(Instr::ForStep {
            base,
            inclusive,
            offset: 0,
        });
        self.patch(step, top);
        self.patch_here(prep);
        self.pop_loop();
        self.free_to(mark);
    }

    /// `for x in it` / `for a, b in it`: the iterator in R[it], each value
    /// in R[it+1]; two variables take elements 0 and 1 of each value.
    fn for_each(&mut self, vars: &[LocalId], iter: &'p Expr, body: &'p Block) {
        let mark = self.mark();
        let it = self.alloc_n(2);
        self.expr_to(iter, it);
        self.set_pos(iter.span);
        self.emit(Instr::IterInit { dst: it, src: it });
        let top = self.pc();
        let next = self.emit(Instr::IterNext {
            iter: it,
            offset: 0,
        });
        let body_mark = self.mark();
        let value = it + 1;
        match vars {
            [var] => {
                if self.is_captured(*var) {
                    self.declare_local(*var, value);
                } else {
                    self.local_regs[*var as usize] = Some(value);
                }
            }
            _ => {
                for (i, var) in vars.iter().enumerate() {
                    let reg = self.alloc();
                    let index = self.alloc();
                    self.load_int(index, i as i64);
                    self.emit(Instr::GetIndex {
                        dst: reg,
                        obj: value,
                        index,
                    });
                    self.free_to(reg as u32 + 1);
                    self.bind_local(*var, reg, reg);
                }
            }
        }
        self.push_loop(Some(top));
        self.block_to(body, None);
        self.free_to(body_mark);
        self.jump_back(top);
        self.patch_here(next);
        self.pop_loop();
        self.free_to(mark);
    }

    fn push_loop(&mut self, continue_target: Option<usize>) {
        self.loops.push(LoopCtx {
            try_depth: self.tries.len(),
            breaks: Vec::new(),
            continues: Vec::new(),
            continue_target,
        });
    }

    fn pop_loop(&mut self) {
        if let Some(l) = self.loops.pop() {
            self.patch_all_here(&l.breaks);
        }
    }

    fn break_or_continue(&mut self, is_break: bool) {
        let Some(depth) = self.loops.last().map(|l| l.try_depth) else {
            self.cg
                .internal_error("`break` outside of a loop reached codegen".into());
            return;
        };
        self.unwind_tries(depth);
        let target = self.loops.last().and_then(|l| l.continue_target);
        match (is_break, target) {
            (false, Some(target)) => self.jump_back(target),
            _ => {
                let j = self.jump();
                let l = self.loops.last_mut().expect("loop");
                if is_break {
                    l.breaks.push(j);
                } else {
                    l.continues.push(j);
                }
            }
        }
    }

    /// A register holding `e`'s value, read by an instruction emitted
    /// after `later` is evaluated: a plain local's own register when
    /// `later` cannot assign it, else a copy in a new temporary.
    pub fn operand(&mut self, e: &'p Expr, later: &[&Expr]) -> Reg {
        if let noodle_sema::ir::ExprKind::Var(var) = &e.kind
            && let Some(reg) = self.plain_local(*var)
            && later.iter().all(|l| cannot_assign(l))
        {
            return reg;
        }
        self.expr_temp(e)
    }
}

/// Whether evaluating `e` certainly leaves this function's plain locals
/// alone: only expressions containing statements (blocks, `if`, `match`,
/// `try`) can assign them. Deep trees are answered conservatively.
pub fn cannot_assign(e: &Expr) -> bool {
    fn walk(e: &Expr, budget: &mut u32) -> bool {
        use noodle_sema::ir::{ExprKind as K, FStrPart};
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match &e.kind {
            K::If { .. } | K::Match { .. } | K::Try { .. } | K::Block(_) => false,
            K::Unary { expr, .. } | K::Await(expr) => walk(expr, budget),
            K::Binary { lhs, rhs, .. } => walk(lhs, budget) && walk(rhs, budget),
            K::Range { start, end, .. } => walk(start, budget) && walk(end, budget),
            K::Index { obj, index } => walk(obj, budget) && walk(index, budget),
            K::Field { obj, .. } => walk(obj, budget),
            K::Slice {
                obj, start, end, ..
            } => {
                walk(obj, budget)
                    && start.as_ref().is_none_or(|s| walk(s, budget))
                    && end.as_ref().is_none_or(|s| walk(s, budget))
            }
            K::List(items) => items.iter().all(|i| walk(i, budget)),
            K::Map(entries) => entries
                .iter()
                .all(|(k, v)| walk(k, budget) && walk(v, budget)),
            K::Call { callee, args } | K::Spawn { callee, args } => {
                walk(callee, budget) && args.iter().all(|a| walk(&a.value, budget))
            }
            K::MethodCall { receiver, args, .. } => {
                walk(receiver, budget) && args.iter().all(|a| walk(&a.value, budget))
            }
            K::FStr(parts) => parts.iter().all(|p| match p {
                FStrPart::Lit(_) => true,
                FStrPart::Expr { expr, .. } => walk(expr, budget),
            }),
            K::Parallel { options, .. } => options.iter().all(|(_, v)| walk(v, budget)),
            _ => true,
        }
    }
    walk(e, &mut 64)
}
