//! Statements and blocks.

use super::{Found, Resolver};
use crate::ir::{self, AssignTarget, Block, ForIter, LetTarget, StmtKind};
use crate::scope::{CtxKind, LocalBinding, TopBinding, What};
use noodle_syntax::Diagnostic;
use noodle_syntax::ast::{self, Ident, Span};

impl Resolver<'_> {
    pub fn stmts(&mut self, stmts: &[ast::Stmt]) -> Vec<ir::Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            out.extend(self.stmt(s));
        }
        out
    }

    /// A block in a scope of its own.
    pub fn block(&mut self, b: &ast::Block) -> Block {
        self.ctx_mut().push_scope();
        let stmts = self.stmts(&b.stmts);
        self.ctx_mut().pop_scope();
        Block {
            stmts,
            span: b.span,
        }
    }

    pub fn stmt(&mut self, s: &ast::Stmt) -> Option<ir::Stmt> {
        let kind = if self.enter(s.span) {
            self.stmt_kind(s)
        } else {
            None
        };
        self.leave();
        kind.map(|kind| ir::Stmt { kind, span: s.span })
    }

    fn stmt_kind(&mut self, s: &ast::Stmt) -> Option<StmtKind> {
        Some(match &s.kind {
            ast::StmtKind::Let { name, ty, value } => {
                return self.let_stmt(name, ty.as_deref(), value);
            }
            // `_ = f()` evaluates and discards.
            ast::StmtKind::Assign {
                target:
                    ast::Expr {
                        kind: ast::ExprKind::Name(n),
                        ..
                    },
                op: None,
                value,
            } if n == "_" => StmtKind::Expr(self.expr(value)),
            ast::StmtKind::Assign { target, op, value } => {
                let value = self.expr(value);
                let (target, check) = self.assign_target(target)?;
                StmtKind::Assign {
                    target,
                    op: *op,
                    value,
                    check,
                }
            }
            ast::StmtKind::Expr(e) => {
                let value = self.expr(e);
                self.warn_unawaited(e);
                StmtKind::Expr(value)
            }
            ast::StmtKind::While { cond, body } => {
                let cond = self.expr(cond);
                let body = self.loop_body(body);
                StmtKind::While { cond, body }
            }
            ast::StmtKind::For { vars, iter, body } => self.for_stmt(vars, iter, body),
            ast::StmtKind::Break => {
                self.check_in_loop("break", s.span);
                StmtKind::Break
            }
            ast::StmtKind::Continue => {
                self.check_in_loop("continue", s.span);
                StmtKind::Continue
            }
            ast::StmtKind::Return(value) => {
                self.check_in_function(s.span);
                StmtKind::Return(value.as_ref().map(|v| self.expr(v)))
            }
            ast::StmtKind::Raise(e) => StmtKind::Raise(self.expr(e)),
            ast::StmtKind::Def(f) => self.local_def(f),
            ast::StmtKind::Struct(_)
            | ast::StmtKind::Enum(_)
            | ast::StmtKind::Impl(_)
            | ast::StmtKind::Actor(_)
            | ast::StmtKind::Supervisor(_) => {
                let what = match &s.kind {
                    ast::StmtKind::Struct(_) => "`struct`",
                    ast::StmtKind::Enum(_) => "`enum`",
                    ast::StmtKind::Impl(_) => "`impl`",
                    ast::StmtKind::Actor(_) => "`actor`",
                    _ => "`supervisor`",
                };
                self.error(
                    format!("{what} declarations are only allowed at the top level of a module"),
                    s.span,
                );
                return None;
            }
            ast::StmtKind::Import { .. } | ast::StmtKind::FromImport { .. } => {
                self.error(
                    "imports are only allowed at the top level of a module",
                    s.span,
                );
                return None;
            }
        })
    }

    fn let_stmt(
        &mut self,
        name: &Ident,
        ty: Option<&ast::TypeExpr>,
        value: &ast::Expr,
    ) -> Option<StmtKind> {
        let ty = ty.and_then(|t| self.type_name(t));
        // The value is resolved first: `let x = x + 1` reads an outer `x`.
        let value = self.expr(value);
        if self.at_module_scope() && name.name != "_" {
            let global = self.own_global(name)?;
            if let Some(TopBinding::Global { visible, .. }) =
                self.scope.names.get_mut(name.name.as_str())
            {
                *visible = true;
            }
            return Some(StmtKind::Let {
                target: LetTarget::Global(global),
                ty,
                value,
            });
        }
        let local = self.ctx_mut().new_local(&name.name);
        let binding = LocalBinding {
            id: local,
            what: What::Variable { ty: ty.clone() },
        };
        if !self.ctx_mut().bind(&name.name, binding) {
            self.already_declared(name);
        }
        Some(StmtKind::Let {
            target: LetTarget::Local(local),
            ty,
            value,
        })
    }

    /// What an assignment writes, with the declared type to check.
    fn assign_target(&mut self, target: &ast::Expr) -> Option<(AssignTarget, Option<String>)> {
        match &target.kind {
            ast::ExprKind::Name(n) => self.assign_name(n, target.span),
            ast::ExprKind::Index { obj, index } => {
                let obj = self.expr(obj);
                let index = self.expr(index);
                Some((
                    AssignTarget::Index {
                        obj: Box::new(obj),
                        index: Box::new(index),
                    },
                    None,
                ))
            }
            ast::ExprKind::Field { obj, name } => {
                if let Some(ns) = self.static_namespace(obj) {
                    self.error(
                        format!(
                            "cannot assign to `{}`, a member of module `{}`",
                            name.name, ns.path
                        ),
                        target.span,
                    );
                    return None;
                }
                let obj = self.expr(obj);
                Some((
                    AssignTarget::Field {
                        obj: Box::new(obj),
                        name: name.name.clone(),
                    },
                    None,
                ))
            }
            _ => {
                self.error("cannot assign to this expression", target.span);
                None
            }
        }
    }

    fn assign_name(&mut self, name: &str, span: Span) -> Option<(AssignTarget, Option<String>)> {
        let r = match self.lookup(name) {
            None if self.quiet_undeclared => return None,
            None => {
                self.report(
                    Diagnostic::error(format!("assignment to undeclared name `{name}`"), span)
                        .with_note(format!("declare it first: `let {name} = ...`")),
                );
                return None;
            }
            Some(Found::Poisoned) => return None,
            Some(Found::Namespace(_)) => {
                self.error(format!("cannot assign to module `{name}`"), span);
                return None;
            }
            Some(Found::Var(r)) => r,
        };
        if r.imported {
            self.error(
                format!("cannot assign to `{name}`: it is imported from another module"),
                span,
            );
            return None;
        }
        match r.what {
            What::Variable { ty } => Some((AssignTarget::Var(r.var), ty)),
            What::Function { .. } => {
                self.error(format!("cannot assign to function `{name}`"), span);
                None
            }
            What::Type(_) => {
                self.error(format!("cannot assign to type `{name}`"), span);
                None
            }
            What::Builtin => {
                self.report(
                    Diagnostic::error(format!("cannot assign to builtin `{name}`"), span)
                        .with_note(format!("declare your own with `let {name} = ...`")),
                );
                None
            }
        }
    }

    fn loop_body(&mut self, body: &ast::Block) -> Block {
        self.ctx_mut().loop_depth += 1;
        let body = self.block(body);
        self.ctx_mut().loop_depth -= 1;
        body
    }

    fn for_stmt(&mut self, vars: &[Ident], iter: &ast::Expr, body: &ast::Block) -> StmtKind {
        let iter = match &iter.kind {
            ast::ExprKind::Range {
                start,
                end,
                inclusive,
            } if vars.len() == 1 => ForIter::Range {
                start: Box::new(self.expr(start)),
                end: Box::new(self.expr(end)),
                inclusive: *inclusive,
            },
            _ => ForIter::Value(self.expr(iter)),
        };
        // The loop variables get a scope around the body's own, so the
        // body may shadow them.
        self.ctx_mut().push_scope();
        let mut locals = Vec::with_capacity(vars.len());
        for v in vars {
            let local = self.ctx_mut().new_local(&v.name);
            let binding = LocalBinding {
                id: local,
                what: What::Variable { ty: None },
            };
            if !self.ctx_mut().bind(&v.name, binding) {
                self.already_declared(v);
            }
            locals.push(local);
        }
        let body = self.loop_body(body);
        self.ctx_mut().pop_scope();
        StmtKind::For {
            vars: locals,
            iter,
            body,
        }
    }

    fn check_in_loop(&mut self, keyword: &str, span: Span) {
        if self.ctx().loop_depth == 0 {
            self.error(format!("`{keyword}` outside of a loop"), span);
        }
    }

    fn check_in_function(&mut self, span: Span) {
        let note = match self.ctx().kind {
            CtxKind::Function => return,
            CtxKind::Branch => Some("a `parallel` branch is an expression, not a function"),
            CtxKind::ActorInit => Some("an actor's state initialisers are not a function"),
            CtxKind::SupervisorInit | CtxKind::TopLevel => None,
        };
        let mut diag = Diagnostic::error("`return` outside of a function", span);
        if let Some(note) = note {
            diag = diag.with_note(note);
        }
        self.report(diag);
    }

    /// Warns about `f(x)` as a statement when `f` is an `async def`: the
    /// coroutine it returns never runs.
    fn warn_unawaited(&mut self, e: &ast::Expr) {
        let ast::ExprKind::Call { callee, .. } = &e.kind else {
            return;
        };
        let Some(r) = self.static_ref(callee) else {
            return;
        };
        if r.what != (What::Function { is_async: true }) {
            return;
        }
        let name = match &callee.kind {
            ast::ExprKind::Name(n) => n.to_string(),
            ast::ExprKind::Field { name, .. } => name.name.to_string(),
            _ => "this function".into(),
        };
        self.diags.push(crate::FileDiagnostic {
            file: self.file,
            diag: Diagnostic::warning(
                format!("this coroutine is never awaited: `{name}` is an async function"),
                e.span,
            )
            .with_note(format!(
                "calling `{name}` only creates the coroutine; use `await {name}(...)` to run it, or `spawn {name}(...)` to run it concurrently"
            )),
        });
    }
}
