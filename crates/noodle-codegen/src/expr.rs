//! Expressions. The contract: `expr_to(e, dst)` leaves `e`'s value in
//! `dst`, which must be a scratch register that `e` itself does not read
//! (a fresh temporary, or a `let`'s new register). Temporaries are
//! allocated above everything live and freed afterwards, so a call window
//! opened at the top of the stack may be clobbered by the callee.

use crate::func::{FnBuilder, Reg};
use noodle_nbc::Instr;
use noodle_sema::ir::{Arg, Expr, ExprKind, FStrPart};
use noodle_syntax::ast::{BinOp, Span, UnaryOp};

/// Literal lists and maps are built in chunks of this many elements.
const CHUNK: usize = 64;

/// How a call window is consumed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Call,
    Spawn,
}

impl<'p> FnBuilder<'_, 'p> {
    /// A register holding `e`'s value: a plain local's own register, or a
    /// new temporary.
    pub fn expr_any(&mut self, e: &'p Expr) -> Reg {
        if let ExprKind::Var(var) = &e.kind
            && let Some(reg) = self.plain_local(*var)
        {
            return reg;
        }
        self.expr_temp(e)
    }

    /// `e`'s value in a new temporary at the top of the stack.
    pub fn expr_temp(&mut self, e: &'p Expr) -> Reg {
        let r = self.alloc();
        self.expr_to(e, r);
        r
    }

    /// Evaluates `e` for its effects only.
    pub fn expr_effect(&mut self, e: &'p Expr) {
        self.set_pos(e.span);
        match &e.kind {
            ExprKind::If { cond, then, else_ } => self.if_to(cond, then, else_.as_deref(), None),
            ExprKind::Match { scrutinee, arms } => self.match_to(scrutinee, arms, None),
            ExprKind::Try {
                body,
                catches,
                finally,
            } => self.try_to(body, catches, finally.as_deref(), None),
            ExprKind::Block(b) => self.block_to(b, None),
            ExprKind::Call { callee, args } => self.call_to(e, callee, args, CallKind::Call, None),
            ExprKind::Spawn { callee, args } => {
                self.call_to(e, callee, args, CallKind::Spawn, None)
            }
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => self.method_call_to(e, receiver, method, args, None),
            _ => {
                let mark = self.mark();
                let r = self.alloc();
                self.expr_to(e, r);
                self.free_to(mark);
            }
        }
    }

    pub fn expr_to(&mut self, e: &'p Expr, dst: Reg) {
        self.set_pos(e.span);
        match &e.kind {
            ExprKind::Int(v) => self.load_int(dst, *v),
            ExprKind::Float(v) => {
                let k = self.cg.pool.float(*v);
                self.emit(Instr::LoadConst { dst, k });
            }
            ExprKind::Str(s) => self.load_str(dst, s),
            ExprKind::Duration(ns) => {
                let k = self.cg.pool.duration(*ns);
                self.emit(Instr::LoadConst { dst, k });
            }
            ExprKind::Bool(b) => {
                self.emit(Instr::LoadBool {
                    dst,
                    value: *b as u8,
                });
            }
            ExprKind::None | ExprKind::Invalid => {
                self.emit(Instr::LoadNone { dst });
            }
            ExprKind::FStr(parts) => self.fstring(parts, dst),
            ExprKind::Var(var) => self.load_var(dst, *var),
            ExprKind::ActorSelf => {
                self.emit(Instr::LoadSelf { dst });
            }
            ExprKind::List(items) => self.list(items, dst),
            ExprKind::Map(entries) => self.map(entries, dst),
            ExprKind::Unary { op, expr } => self.unary(*op, expr, dst, e),
            ExprKind::Binary { op, .. } => match op {
                BinOp::And | BinOp::Or => self.short_circuit(e, dst),
                _ => self.binary_chain(e, dst),
            },
            ExprKind::Range {
                start,
                end,
                inclusive,
            } => {
                let mark = self.mark();
                let base = self.alloc_n(2);
                self.expr_to(start, base);
                self.expr_to(end, base + 1);
                self.set_pos(e.span);
                self.emit(Instr::NewRange {
                    dst,
                    start: base,
                    inclusive: *inclusive as u8,
                });
                self.free_to(mark);
            }
            ExprKind::Call { callee, args } => {
                self.call_to(e, callee, args, CallKind::Call, Some(dst))
            }
            ExprKind::Spawn { callee, args } => {
                self.call_to(e, callee, args, CallKind::Spawn, Some(dst))
            }
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => self.method_call_to(e, receiver, method, args, Some(dst)),
            ExprKind::Index { obj, index } => {
                let mark = self.mark();
                let obj = self.operand(obj, &[index]);
                let index = self.expr_any(index);
                self.set_pos(e.span);
                self.emit(Instr::GetIndex { dst, obj, index });
                self.free_to(mark);
            }
            ExprKind::Slice {
                obj,
                start,
                end,
                inclusive,
            } => {
                let mark = self.mark();
                let base = self.alloc_n(3);
                self.expr_to(obj, base);
                for (reg, bound) in [(base + 1, start), (base + 2, end)] {
                    match bound {
                        Some(b) => self.expr_to(b, reg),
                        None => {
                            self.emit(Instr::LoadNone { dst: reg });
                        }
                    }
                }
                self.set_pos(e.span);
                self.emit(Instr::Slice {
                    dst,
                    base,
                    inclusive: *inclusive as u8,
                });
                self.free_to(mark);
            }
            ExprKind::Field { obj, name } => {
                let mark = self.mark();
                let obj = self.expr_any(obj);
                let name = self.name(name);
                self.set_pos(e.span);
                self.emit(Instr::GetField { dst, obj, name });
                self.free_to(mark);
            }
            ExprKind::Closure(f) => self.closure(dst, *f),
            ExprKind::If { cond, then, else_ } => {
                self.if_to(cond, then, else_.as_deref(), Some(dst))
            }
            ExprKind::Match { scrutinee, arms } => self.match_to(scrutinee, arms, Some(dst)),
            ExprKind::Try {
                body,
                catches,
                finally,
            } => self.try_to(body, catches, finally.as_deref(), Some(dst)),
            ExprKind::Block(b) => self.block_to(b, Some(dst)),
            ExprKind::Await(inner) => {
                let mark = self.mark();
                let src = self.expr_any(inner);
                self.set_pos(e.span);
                if matches!(inner.kind, ExprKind::MethodCall { .. }) && src != dst {
                    // `await x.m(args)`: the future lives only in the call's
                    // own register, and `await r, r` says so, which lets
                    // the VM answer an idle actor's handler without one.
                    self.emit(Instr::Await { dst: src, src });
                    self.emit(Instr::Move { dst, src });
                } else {
                    self.emit(Instr::Await { dst, src });
                }
                self.free_to(mark);
            }
            ExprKind::Parallel {
                strategy,
                options,
                branches,
            } => {
                let mark = self.mark();
                let base = self.alloc_n(1 + branches.len());
                self.options_map(options, base);
                for (i, &b) in branches.iter().enumerate() {
                    self.closure(base + 1 + i as Reg, b);
                }
                self.set_pos(e.span);
                self.emit(Instr::Parallel {
                    dst,
                    base,
                    count: branches.len() as u16,
                    strategy: *strategy as u8,
                });
                self.free_to(mark);
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, inner: &'p Expr, dst: Reg, e: &'p Expr) {
        if op == UnaryOp::Neg {
            match inner.kind {
                ExprKind::Int(v) if v != i64::MIN => return self.load_int(dst, -v),
                ExprKind::Float(v) => {
                    let k = self.cg.pool.float(-v);
                    self.emit(Instr::LoadConst { dst, k });
                    return;
                }
                _ => {}
            }
        }
        let mark = self.mark();
        let src = self.expr_any(inner);
        self.set_pos(e.span);
        self.emit(match op {
            UnaryOp::Neg => Instr::Neg { dst, src },
            UnaryOp::Not => Instr::Not { dst, src },
            UnaryOp::BitNot => Instr::BitNot { dst, src },
        });
        self.free_to(mark);
    }

    /// `a and b` / `a or b`, Python style: the value of the operand that
    /// decided (`a` when it is falsy / truthy, else `b`). A chain
    /// `a and b or c ...` is compiled in a loop, without recursion.
    fn short_circuit(&mut self, e: &'p Expr, dst: Reg) {
        let mut spine = Vec::new();
        let mut leftmost = e;
        while let ExprKind::Binary {
            op: op @ (BinOp::And | BinOp::Or),
            lhs,
            rhs,
        } = &leftmost.kind
        {
            spine.push((*op == BinOp::And, &**rhs));
            leftmost = lhs;
        }
        self.expr_to(leftmost, dst);
        while let Some((is_and, rhs)) = spine.pop() {
            let skip = if is_and {
                self.emit(Instr::JumpIfFalse {
                    cond: dst,
                    offset: 0,
                })
            } else {
                self.emit(Instr::JumpIfTrue {
                    cond: dst,
                    offset: 0,
                })
            };
            self.expr_to(rhs, dst);
            self.patch_here(skip);
        }
    }

    /// `dst = lhs op rhs` for the binary expression `e`; `dst` is written
    /// only by the final instruction, so it may be one of the operands'
    /// own registers. In a chain `((a op b) op c) ...` the inner results
    /// go to one temporary, in a loop: a long chain needs neither stack
    /// depth nor registers.
    pub fn binary_chain(&mut self, e: &'p Expr, dst: Reg) {
        let mut spine = Vec::new();
        let mut leftmost = e;
        while let ExprKind::Binary { op, lhs, rhs } = &leftmost.kind
            && !matches!(op, BinOp::And | BinOp::Or)
        {
            spine.push((*op, &**rhs, leftmost.span));
            leftmost = lhs;
        }
        // The innermost operation comes last.
        let Some((op, rhs, span)) = spine.pop() else {
            return self.expr_to(e, dst);
        };
        let mark = self.mark();
        if spine.is_empty() {
            let a = self.operand(leftmost, &[rhs]);
            self.binary_with(op, dst, a, rhs, span);
        } else {
            let acc = self.alloc();
            let a = self.operand(leftmost, &[rhs]);
            self.binary_with(op, acc, a, rhs, span);
            self.free_to(acc as u32 + 1);
            while let Some((op, rhs, span)) = spine.pop() {
                let target = if spine.is_empty() { dst } else { acc };
                self.binary_with(op, target, acc, rhs, span);
            }
        }
        self.free_to(mark);
    }

    /// `dst = R[a] op rhs`, with `addi` for a small integer literal; the
    /// operation is attributed to `span` in the line table.
    pub fn binary_with(&mut self, op: BinOp, dst: Reg, a: Reg, rhs: &'p Expr, span: Span) {
        if op == BinOp::Add
            && let ExprKind::Int(v) = rhs.kind
            && let Ok(imm) = i16::try_from(v)
        {
            self.set_pos(span);
            self.emit(Instr::AddImm { dst, a, imm });
            return;
        }
        let mark = self.mark();
        let b = self.expr_any(rhs);
        self.set_pos(span);
        self.binary_op_here(op, dst, a, b);
        self.free_to(mark);
    }

    /// Emits the instruction for `op` at the current position.
    fn binary_op_here(&mut self, op: BinOp, dst: Reg, a: Reg, b: Reg) {
        let instr = match op {
            BinOp::Add => Instr::Add { dst, a, b },
            BinOp::Sub => Instr::Sub { dst, a, b },
            BinOp::Mul => Instr::Mul { dst, a, b },
            BinOp::Div => Instr::Div { dst, a, b },
            BinOp::FloorDiv => Instr::FloorDiv { dst, a, b },
            BinOp::Mod => Instr::Mod { dst, a, b },
            BinOp::Pow => Instr::Pow { dst, a, b },
            BinOp::Eq => Instr::Eq { dst, a, b },
            BinOp::Ne => Instr::Ne { dst, a, b },
            BinOp::Lt => Instr::Lt { dst, a, b },
            BinOp::Le => Instr::Le { dst, a, b },
            BinOp::Gt => Instr::Gt { dst, a, b },
            BinOp::Ge => Instr::Ge { dst, a, b },
            BinOp::In => Instr::In { dst, a, b },
            BinOp::BitAnd => Instr::BitAnd { dst, a, b },
            BinOp::BitOr => Instr::BitOr { dst, a, b },
            BinOp::BitXor => Instr::BitXor { dst, a, b },
            BinOp::Shl => Instr::Shl { dst, a, b },
            BinOp::Shr => Instr::Shr { dst, a, b },
            BinOp::And | BinOp::Or => {
                self.cg
                    .internal_error("`and`/`or` reached binary_op".into());
                Instr::Nop {}
            }
        };
        self.emit(instr);
    }

    fn fstring(&mut self, parts: &'p [FStrPart], dst: Reg) {
        match parts {
            [] => return self.load_str(dst, ""),
            [FStrPart::Lit(s)] => return self.load_str(dst, s),
            _ => {}
        }
        let mark = self.mark();
        let base = self.alloc_n(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let reg = base + i as Reg;
            match part {
                FStrPart::Lit(s) => self.load_str(reg, s),
                FStrPart::Expr { expr, spec } => {
                    self.expr_to(expr, reg);
                    self.set_pos(expr.span);
                    match spec {
                        Some(spec) => {
                            let spec = self.name(spec);
                            self.emit(Instr::Format {
                                dst: reg,
                                src: reg,
                                spec,
                            });
                        }
                        None => {
                            self.emit(Instr::ToStr { dst: reg, src: reg });
                        }
                    }
                }
            }
        }
        self.emit(Instr::Concat {
            dst,
            base,
            count: parts.len() as u16,
        });
        self.free_to(mark);
    }

    fn list(&mut self, items: &'p [Expr], dst: Reg) {
        let mark = self.mark();
        let first = items.len().min(CHUNK);
        let base = self.alloc_n(first.max(1));
        for (i, item) in items[..first].iter().enumerate() {
            self.expr_to(item, base + i as Reg);
        }
        self.emit(Instr::NewList {
            dst,
            base,
            count: first as u16,
        });
        self.free_to(mark);
        for item in &items[first..] {
            let src = self.expr_temp(item);
            self.emit(Instr::ListPush { list: dst, src });
            self.free_to(mark);
        }
    }

    fn map(&mut self, entries: &'p [(Expr, Expr)], dst: Reg) {
        let mark = self.mark();
        let first = entries.len().min(CHUNK);
        let base = self.alloc_n((2 * first).max(1));
        for (i, (k, v)) in entries[..first].iter().enumerate() {
            self.expr_to(k, base + 2 * i as Reg);
            self.expr_to(v, base + 2 * i as Reg + 1);
        }
        self.emit(Instr::NewMap {
            dst,
            base,
            count: first as u16,
        });
        self.free_to(mark);
        for (k, v) in &entries[first..] {
            let index = self.expr_temp(k);
            let src = self.expr_temp(v);
            self.emit(Instr::SetIndex {
                obj: dst,
                index,
                src,
            });
            self.free_to(mark);
        }
    }

    /// `{"name": value, ...}` from named expressions, into `dst`.
    fn options_map(&mut self, options: &'p [(String, Expr)], dst: Reg) {
        let mark = self.mark();
        let base = self.alloc_n((2 * options.len()).max(1));
        for (i, (name, value)) in options.iter().enumerate() {
            self.load_str(base + 2 * i as Reg, name);
            self.expr_to(value, base + 2 * i as Reg + 1);
        }
        self.emit(Instr::NewMap {
            dst,
            base,
            count: options.len() as u16,
        });
        self.free_to(mark);
    }

    /// A call window at the top of the stack (at `dst` itself when it is
    /// the topmost register): callee, then arguments, named ones last.
    fn call_to(
        &mut self,
        e: &'p Expr,
        callee: &'p Expr,
        args: &'p [Arg],
        kind: CallKind,
        dst: Option<Reg>,
    ) {
        let (func, owned) = match dst {
            Some(d) if self.is_top(d) => (d, false),
            _ => (self.alloc(), true),
        };
        self.expr_to(callee, func);
        let (argc, kw) = self.call_args(args);
        self.set_pos(e.span);
        if let Some(names) = kw {
            self.emit(Instr::KwNames { names });
        }
        self.emit(match kind {
            CallKind::Call => Instr::Call { func, argc },
            CallKind::Spawn => Instr::Spawn { func, argc },
        });
        self.free_to(func as u32 + 1);
        if owned {
            if let Some(d) = dst {
                self.emit(Instr::Move { dst: d, src: func });
            }
            self.free_to(func as u32);
        }
    }

    fn method_call_to(
        &mut self,
        e: &'p Expr,
        receiver: &'p Expr,
        method: &str,
        args: &'p [Arg],
        dst: Option<Reg>,
    ) {
        let (base, owned) = match dst {
            Some(d) if self.is_top(d) => (d, false),
            _ => (self.alloc(), true),
        };
        self.expr_to(receiver, base);
        let (argc, kw) = self.call_args(args);
        let name = self.name(method);
        self.set_pos(e.span);
        if let Some(names) = kw {
            self.emit(Instr::KwNames { names });
        }
        // With no destination the value is unused, and a send to an actor
        // need not make a reply future nobody would read.
        self.emit(match dst {
            Some(_) => Instr::CallMethod { base, argc, name },
            None => Instr::CallMethodDiscard { base, argc, name },
        });
        self.free_to(base as u32 + 1);
        if owned {
            if let Some(d) = dst {
                self.emit(Instr::Move { dst: d, src: base });
            }
            self.free_to(base as u32);
        }
    }

    /// Evaluates arguments into consecutive registers above the callee;
    /// returns the count and the keyword-name list of the named ones.
    fn call_args(&mut self, args: &'p [Arg]) -> (u16, Option<u16>) {
        let mut names = Vec::new();
        for a in args {
            let r = self.alloc();
            self.expr_to(&a.value, r);
            if let Some(n) = &a.name {
                names.push(n.to_string());
            }
        }
        let kw = (!names.is_empty()).then(|| self.cg.pool.kw_names(names));
        (args.len() as u16, kw)
    }

    pub fn if_to(
        &mut self,
        cond: &'p Expr,
        then: &'p noodle_sema::ir::Block,
        else_: Option<&'p Expr>,
        dst: Option<Reg>,
    ) {
        let mark = self.mark();
        let c = self.expr_any(cond);
        self.set_pos(cond.span);
        let to_else = self.jump_if_false(c);
        self.free_to(mark);
        self.block_to(then, dst);
        match (else_, dst) {
            (None, None) => self.patch_here(to_else),
            (else_, _) => {
                let to_end = self.jump();
                self.patch_here(to_else);
                match (else_, dst) {
                    (Some(e), Some(d)) => self.expr_to(e, d),
                    (Some(e), None) => self.expr_effect(e),
                    (None, Some(d)) => {
                        self.emit(Instr::LoadNone { dst: d });
                    }
                    (None, None) => {}
                }
                self.patch_here(to_end);
            }
        }
    }
}
