//! Expressions: names, module members, calls, closures, control-flow
//! expressions, `await`, `spawn` and `parallel`.

use super::decl::FnSpec;
use super::{Found, Member, Resolver};
use crate::ir::{
    self, Arg, Block, Catch, Expr, ExprKind, FStrPart, FnKind, ParallelStrategy, StmtKind,
};
use crate::scope::{CtxKind, FnCtx, LocalBinding, What};
use crate::state::GlobalKind;
use noodle_syntax::Diagnostic;
use noodle_syntax::ast::{self, Ident, Span};
use std::collections::HashSet;

impl Resolver<'_> {
    pub fn expr(&mut self, e: &ast::Expr) -> Expr {
        let out = if !self.enter(e.span) {
            Expr::new(ExprKind::Invalid, e.span)
        } else if let ast::ExprKind::Binary { .. } = e.kind {
            self.binary_chain(e)
        } else {
            Expr::new(self.expr_kind(e), e.span)
        };
        self.leave();
        out
    }

    /// `a + b - c ...`: the left operands of left-nested operators are
    /// resolved in a loop, so that a long chain costs no stack depth.
    fn binary_chain(&mut self, e: &ast::Expr) -> Expr {
        let mut spine = Vec::new();
        let mut leftmost = e;
        while let ast::ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
            spine.push((*op, &**rhs, leftmost.span));
            leftmost = lhs;
        }
        let mut acc = self.expr(leftmost);
        for (op, rhs, span) in spine.into_iter().rev() {
            let rhs = self.expr(rhs);
            let kind = ExprKind::Binary {
                op,
                lhs: Box::new(acc),
                rhs: Box::new(rhs),
            };
            acc = Expr::new(kind, span);
        }
        acc
    }

    fn boxed(&mut self, e: &ast::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn expr_kind(&mut self, e: &ast::Expr) -> ExprKind {
        match &e.kind {
            ast::ExprKind::Int(v) => ExprKind::Int(*v),
            ast::ExprKind::Float(v) => ExprKind::Float(*v),
            ast::ExprKind::Str(s) => ExprKind::Str(s.clone()),
            ast::ExprKind::Duration(ns) => ExprKind::Duration(*ns),
            ast::ExprKind::Bool(b) => ExprKind::Bool(*b),
            ast::ExprKind::None => ExprKind::None,
            ast::ExprKind::FStr(parts) => ExprKind::FStr(
                parts
                    .iter()
                    .map(|p| match p {
                        ast::FStrPart::Lit(s) => FStrPart::Lit(s.clone()),
                        ast::FStrPart::Expr { expr, spec } => FStrPart::Expr {
                            expr: self.expr(expr),
                            spec: spec.clone(),
                        },
                    })
                    .collect(),
            ),
            ast::ExprKind::SelfRef => self.self_ref(e.span),
            ast::ExprKind::Name(n) => self.name_value(n, e.span),
            ast::ExprKind::List(items) => {
                ExprKind::List(items.iter().map(|i| self.expr(i)).collect())
            }
            ast::ExprKind::Map(entries) => ExprKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| (self.expr(k), self.expr(v)))
                    .collect(),
            ),
            ast::ExprKind::Unary { op, expr } => ExprKind::Unary {
                op: *op,
                expr: self.boxed(expr),
            },
            // Handled by `binary_chain`.
            ast::ExprKind::Binary { op, lhs, rhs } => ExprKind::Binary {
                op: *op,
                lhs: self.boxed(lhs),
                rhs: self.boxed(rhs),
            },
            ast::ExprKind::Range {
                start,
                end,
                inclusive,
            } => ExprKind::Range {
                start: self.boxed(start),
                end: self.boxed(end),
                inclusive: *inclusive,
            },
            ast::ExprKind::Call { callee, args } => self.call(callee, args),
            ast::ExprKind::Index { obj, index } => ExprKind::Index {
                obj: self.boxed(obj),
                index: self.boxed(index),
            },
            ast::ExprKind::Slice {
                obj,
                start,
                end,
                inclusive,
            } => ExprKind::Slice {
                obj: self.boxed(obj),
                start: start.as_ref().map(|s| self.boxed(s)),
                end: end.as_ref().map(|s| self.boxed(s)),
                inclusive: *inclusive,
            },
            ast::ExprKind::Field { obj, name } => match self.static_field(obj, name) {
                Some(kind) => kind,
                None => ExprKind::Field {
                    obj: self.boxed(obj),
                    name: name.name.clone(),
                },
            },
            ast::ExprKind::Lambda {
                is_async,
                params,
                body,
            } => ExprKind::Closure(self.function(FnSpec {
                name: "<lambda>".into(),
                is_async: *is_async,
                params,
                ret: None,
                body,
                span: e.span,
                method: false,
            })),
            ast::ExprKind::If { cond, then, else_ } => ExprKind::If {
                cond: self.boxed(cond),
                then: Box::new(self.block(then)),
                else_: else_.as_ref().map(|e| self.boxed(e)),
            },
            ast::ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms),
            ast::ExprKind::Try {
                body,
                catches,
                finally,
            } => self.try_expr(body, catches, finally.as_deref()),
            ast::ExprKind::Block(b) => ExprKind::Block(self.block(b)),
            ast::ExprKind::Await(inner) => {
                // Point at the keyword, not the whole awaited expression.
                let keyword = Span::new(
                    e.span.start as usize,
                    (e.span.start + 5).min(e.span.end) as usize,
                );
                self.check_await(keyword);
                ExprKind::Await(self.boxed(inner))
            }
            ast::ExprKind::Spawn(inner) => self.spawn(inner),
            ast::ExprKind::Parallel {
                strategy,
                options,
                branches,
            } => self.parallel(strategy, options, branches),
        }
    }

    fn name_value(&mut self, name: &str, span: Span) -> ExprKind {
        match self.lookup(name) {
            Some(Found::Var(r)) => ExprKind::Var(r.var),
            Some(Found::Namespace(_)) => {
                self.module_as_value(name, span);
                ExprKind::Invalid
            }
            Some(Found::Poisoned) => ExprKind::Invalid,
            None if name == "_" => {
                self.report(
                    Diagnostic::error("`_` is not a value", span)
                        .with_note("`_` discards what is bound to it; give the value a name"),
                );
                ExprKind::Invalid
            }
            None => {
                self.undeclared(name, span);
                ExprKind::Invalid
            }
        }
    }

    fn module_as_value(&mut self, path: &str, span: Span) {
        self.report(
            Diagnostic::error(format!("module `{path}` is not a value"), span)
                .with_note(format!("use one of its members, as in `{path}.name`")),
        );
    }

    fn self_ref(&mut self, span: Span) -> ExprKind {
        match self.lookup("self") {
            Some(Found::Var(r)) => ExprKind::Var(r.var),
            _ if self.in_actor => ExprKind::ActorSelf,
            _ => {
                self.error(
                    "`self` is only available inside an actor or an `impl` method that takes `self`",
                    span,
                );
                ExprKind::Invalid
            }
        }
    }

    /// `module.member` and `Enum.Variant`, resolved at compile time; `None`
    /// when `obj` is an ordinary value.
    fn static_field(&mut self, obj: &ast::Expr, name: &Ident) -> Option<ExprKind> {
        if let Some(ns) = self.static_namespace(obj) {
            if ns.poisoned {
                return Some(ExprKind::Invalid);
            }
            return Some(match self.namespace_member(&ns, &name.name) {
                Some(Member::Value(r)) => ExprKind::Var(r.var),
                Some(Member::Namespace(child)) => {
                    self.module_as_value(&child.path, obj.span.to(name.span));
                    ExprKind::Invalid
                }
                None => {
                    self.error(
                        format!("module `{}` has no member `{}`", ns.path, name.name),
                        name.span,
                    );
                    ExprKind::Invalid
                }
            });
        }
        let r = self.static_ref(obj)?;
        let What::Type(g) = r.what else { return None };
        let GlobalKind::Enum { variants } = &self.state.global(g).kind else {
            return None;
        };
        if !variants.iter().any(|v| v.name == name.name) {
            let enum_name = self.state.global(g).short_name.clone();
            self.error(
                format!("enum `{enum_name}` has no variant `{}`", name.name),
                name.span,
            );
            return Some(ExprKind::Invalid);
        }
        Some(ExprKind::Field {
            obj: Box::new(Expr::new(ExprKind::Var(r.var), obj.span)),
            name: name.name.clone(),
        })
    }

    fn call(&mut self, callee: &ast::Expr, args: &[ast::Arg]) -> ExprKind {
        if let ast::ExprKind::Field { obj, name } = &callee.kind {
            match self.static_field(obj, name) {
                Some(kind) => {
                    match kind {
                        ExprKind::Field { .. } => self.check_variant_call(obj, name, args),
                        ExprKind::Var(_) => self.check_callee(callee, args),
                        _ => {}
                    }
                    let callee = Box::new(Expr::new(kind, callee.span));
                    let args = self.args(args);
                    return ExprKind::Call { callee, args };
                }
                None => {
                    let receiver = self.boxed(obj);
                    let args = self.args(args);
                    return ExprKind::MethodCall {
                        receiver,
                        method: name.name.clone(),
                        args: args.into(),
                    };
                }
            }
        }
        let callee_ir = self.boxed(callee);
        self.check_callee(callee, args);
        let args = self.args(args);
        ExprKind::Call {
            callee: callee_ir,
            args,
        }
    }

    /// Checks what the compiler can see about a call's target.
    fn check_callee(&mut self, callee: &ast::Expr, args: &[ast::Arg]) {
        if let Some(r) = self.static_ref(callee)
            && let What::Type(g) = r.what
        {
            self.check_struct_call(g, callee.span, args);
        }
    }

    /// Call arguments: positional first, each name once.
    fn args(&mut self, args: &[ast::Arg]) -> Vec<Arg> {
        let mut seen = HashSet::new();
        let mut named = false;
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match &a.name {
                Some(n) => {
                    named = true;
                    if !seen.insert(n.name.as_str()) {
                        self.error(format!("argument `{}` is given twice", n.name), n.span);
                    }
                }
                None if named => {
                    self.error(
                        "positional arguments must come before named arguments",
                        a.value.span,
                    );
                }
                None => {}
            }
            out.push(Arg {
                name: a.name.as_ref().map(|n| n.name.clone()),
                value: self.expr(&a.value),
            });
        }
        out
    }

    /// `Point(1.0)` / `Point(z: 1)`: arity and field names of a struct.
    fn check_struct_call(&mut self, g: u32, span: Span, args: &[ast::Arg]) {
        let info = self.state.global(g);
        let GlobalKind::Struct { fields } = &info.kind else {
            return;
        };
        let struct_name = info.short_name.clone();
        let fields = fields.clone();
        let positional = args.iter().filter(|a| a.name.is_none()).count();
        for a in args {
            let Some(n) = &a.name else { continue };
            match fields.iter().position(|f| *f == n.name) {
                None => self.error(
                    format!("struct `{struct_name}` has no field `{}`", n.name),
                    n.span,
                ),
                Some(i) if i < positional => self.error(
                    format!("field `{}` is already given by position", n.name),
                    n.span,
                ),
                Some(_) => {}
            }
        }
        if args.len() != fields.len() {
            self.error(
                format!(
                    "struct `{struct_name}` has {} field{}, but {} argument{} given",
                    fields.len(),
                    plural(fields.len()),
                    args.len(),
                    if args.len() == 1 { " was" } else { "s were" },
                ),
                span,
            );
        }
    }

    /// `Shape.Circle(1, 2)`: a variant constructor's arity.
    fn check_variant_call(&mut self, obj: &ast::Expr, name: &Ident, args: &[ast::Arg]) {
        let Some(r) = self.static_ref(obj) else {
            return;
        };
        let What::Type(g) = r.what else { return };
        let info = self.state.global(g);
        let GlobalKind::Enum { variants } = &info.kind else {
            return;
        };
        let Some(v) = variants.iter().find(|v| v.name == name.name) else {
            return;
        };
        let full = format!("{}.{}", info.short_name, v.name);
        if v.is_unit {
            self.report(
                Diagnostic::error(format!("`{full}` is a value, not a constructor"), name.span)
                    .with_note(format!("write `{full}` without parentheses")),
            );
        } else if v.arity != args.len() {
            let arity = v.arity;
            self.error(
                format!(
                    "`{full}` takes {arity} field{}, but {} argument{} given",
                    plural(arity),
                    args.len(),
                    if args.len() == 1 { " was" } else { "s were" },
                ),
                name.span,
            );
        }
    }

    fn check_await(&mut self, span: Span) {
        if self.ctx().is_async {
            self.ctx_mut().saw_await = true;
            return;
        }
        let note = match self.ctx().kind {
            CtxKind::TopLevel => "top-level code is not async: put it in `async def main()`",
            CtxKind::Branch => "this `parallel` block is not inside an async function",
            _ => "make the enclosing function `async def` (or the lambda `async |...|`)",
        };
        self.report(
            Diagnostic::error("`await` is only allowed inside an async function", span)
                .with_note(note),
        );
    }

    fn spawn(&mut self, inner: &ast::Expr) -> ExprKind {
        let ast::ExprKind::Call { callee, args } = &inner.kind else {
            self.error("`spawn` needs a call, such as `spawn f(x)`", inner.span);
            return ExprKind::Invalid;
        };
        let callee_ir = match &callee.kind {
            ast::ExprKind::Field { obj, name } => match self.static_field(obj, name) {
                Some(kind) => Expr::new(kind, callee.span),
                None => {
                    self.report(
                        Diagnostic::error("`spawn` cannot start a method call", callee.span).with_note(
                            "spawn a function instead, e.g. `spawn run(obj)` with `def run(o) = o.method()`",
                        ),
                    );
                    return ExprKind::Invalid;
                }
            },
            _ => self.expr(callee),
        };
        let args = self.args(args);
        ExprKind::Spawn {
            callee: Box::new(callee_ir),
            args,
        }
    }

    fn parallel(
        &mut self,
        strategy: &Ident,
        options: &[ast::Arg],
        branches: &[ast::Stmt],
    ) -> ExprKind {
        let strategy_kind = match strategy.name.as_str() {
            "all" => ParallelStrategy::All,
            "any" => ParallelStrategy::Any,
            "race" => ParallelStrategy::Race,
            "collect" => ParallelStrategy::Collect,
            other => {
                self.error(
                    format!(
                        "unknown parallel strategy `{other}`; expected all, any, race or collect"
                    ),
                    strategy.span,
                );
                ParallelStrategy::All
            }
        };
        let mut seen = HashSet::new();
        let mut opts = Vec::with_capacity(options.len());
        for a in options {
            let value = self.expr(&a.value);
            let Some(name) = &a.name else {
                self.error(
                    "`parallel` options are named, as in `parallel race(timeout: 1s)`",
                    a.value.span,
                );
                continue;
            };
            if !matches!(name.name.as_str(), "timeout" | "max_concurrency") {
                self.error(
                    format!(
                        "unknown `parallel` option `{}`; expected timeout or max_concurrency",
                        name.name
                    ),
                    name.span,
                );
            } else if !seen.insert(name.name.as_str()) {
                self.error(format!("option `{}` is given twice", name.name), name.span);
            }
            opts.push((name.name.to_string(), value));
        }
        let mut ids = Vec::with_capacity(branches.len());
        for b in branches {
            let ast::StmtKind::Expr(e) = &b.kind else {
                self.error(
                    "each branch of a `parallel` block must be an expression, such as a call",
                    b.span,
                );
                continue;
            };
            ids.push(self.branch(e));
        }
        ExprKind::Parallel {
            strategy: strategy_kind,
            options: opts.into(),
            branches: ids.into(),
        }
    }

    /// A branch is a zero-parameter function returning the expression's
    /// value; it is async only when it awaits something itself.
    fn branch(&mut self, e: &ast::Expr) -> u32 {
        let id = self.reserve_fn();
        let may_await = self.ctx().is_async;
        self.stack.push(FnCtx::new(CtxKind::Branch, may_await));
        let value = self.expr(e);
        let mut ctx = self.stack.pop().expect("branch context");
        ctx.is_async = ctx.saw_await;
        self.out.functions[id as usize] = Some(ir::Function {
            name: "<parallel branch>".into(),
            kind: FnKind::Function,
            file: self.file,
            span: e.span,
            is_async: ctx.is_async,
            params: Vec::new(),
            ret_ty: None,
            locals: ctx.locals,
            captures: ctx.captures,
            body: Block {
                stmts: vec![ir::Stmt {
                    kind: StmtKind::Expr(value),
                    span: e.span,
                }],
                span: e.span,
            },
            actor: None,
            supervisor: None,
        });
        id
    }

    fn try_expr(
        &mut self,
        body: &ast::Block,
        catches: &[ast::CatchClause],
        finally: Option<&ast::Block>,
    ) -> ExprKind {
        let body = self.block(body);
        let mut out = Vec::with_capacity(catches.len());
        for c in catches {
            self.ctx_mut().push_scope();
            let binding = c.name.as_ref().map(|n| {
                let local = self.ctx_mut().new_local(&n.name);
                self.ctx_mut().bind(
                    &n.name,
                    LocalBinding {
                        id: local,
                        what: What::Variable { ty: None },
                    },
                );
                local
            });
            let body = self.block(&c.body);
            self.ctx_mut().pop_scope();
            out.push(Catch {
                binding,
                kind: c.kind.as_ref().map(|k| k.name.to_string()),
                body,
                span: c.span,
            });
        }
        ExprKind::Try {
            body: Box::new(body),
            catches: out.into(),
            finally: finally.map(|f| Box::new(self.block(f))),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
