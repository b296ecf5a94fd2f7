//! Actor and supervisor declarations: their constructors' functions and
//! the data the runtime reads from them.

use super::Resolver;
use super::decl::FnSpec;
use crate::ir::{
    self, ActorInit, AssignTarget, Block, ChildSpec, FnKind, GlobalDef, Handler, LocalId, StmtKind,
    SupervisorInit, VarRef,
};
use crate::scope::{CtxKind, FnCtx, LocalBinding, What};
use crate::state::GlobalKind;
use noodle_syntax::ast::{self, Span};
use std::collections::HashSet;

impl Resolver<'_> {
    pub fn actor_decl(&mut self, a: &ast::ActorDecl) -> Option<StmtKind> {
        let annotations = self.annotations(&a.annotations);
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(CtxKind::ActorInit, false));
        let was_in_actor = std::mem::replace(&mut self.in_actor, true);
        let params = self.params(&a.params, false);

        // State variables and handlers all exist before any initialiser
        // runs, so handlers may use each other and any state variable.
        let mut state: Vec<(LocalId, &ast::Expr, Option<String>, Span)> = Vec::new();
        let mut handler_decls: Vec<(LocalId, &ast::FnDecl)> = Vec::new();
        for stmt in &a.body {
            let (name, what) = match &stmt.kind {
                ast::StmtKind::Let { name, ty, .. } => {
                    let ty = ty.as_ref().and_then(|t| self.type_name(t));
                    (name, What::Variable { ty })
                }
                ast::StmtKind::Def(f) => (
                    &f.name,
                    What::Function {
                        is_async: f.is_async,
                    },
                ),
                _ => {
                    self.error(
                        "only `let` and `def` are allowed in an actor body",
                        stmt.span,
                    );
                    continue;
                }
            };
            let local = self.ctx_mut().new_local(&name.name);
            if !self.ctx_mut().bind(
                &name.name,
                LocalBinding {
                    id: local,
                    what: what.clone(),
                },
            ) {
                self.already_declared(name);
            }
            match (&stmt.kind, what) {
                (ast::StmtKind::Def(f), _) => handler_decls.push((local, f)),
                (ast::StmtKind::Let { value, .. }, What::Variable { ty }) => {
                    state.push((local, value, ty, stmt.span))
                }
                _ => {}
            }
        }

        let mut inits = Vec::with_capacity(state.len());
        for (local, value, check, span) in &state {
            let value = self.expr(value);
            inits.push(ir::Stmt {
                kind: StmtKind::Assign {
                    target: AssignTarget::Var(VarRef::Local(*local)),
                    op: None,
                    value,
                    check: check.clone(),
                },
                span: *span,
            });
        }
        let mut handlers = Vec::with_capacity(handler_decls.len());
        for &(local, f) in &handler_decls {
            self.annotations(&f.annotations);
            let func = self.function(FnSpec::of_decl(
                f,
                format!("{}.{}", a.name.name, f.name.name),
            ));
            handlers.push(Handler {
                name: f.name.name.to_string(),
                local,
                func,
            });
        }
        // The runtime saves and restores the state (checkpoints) through
        // closures over every state variable, so all of them live in cells.
        let state_locals: Vec<LocalId> = state.iter().map(|s| s.0).collect();
        for &l in &state_locals {
            self.ctx_mut().locals[l as usize].captured = true;
        }
        let mut predeclared = state_locals.clone();
        predeclared.extend(handlers.iter().map(|h| h.local));

        self.in_actor = was_in_actor;
        let ctx = self.stack.pop().expect("actor context");
        self.finish_fn(
            id,
            a.name.name.to_string(),
            FnKind::ActorInit,
            ctx,
            params,
            Block {
                stmts: inits,
                span: a.span,
            },
            a.span,
        );
        self.function_mut(id).actor = Some(ActorInit {
            name: a.name.name.to_string(),
            predeclared,
            state: state_locals,
            handlers,
            annotations,
        });
        let global = self.own_global(&a.name)?;
        Some(StmtKind::DefineGlobal {
            global,
            def: GlobalDef::Actor(id),
        })
    }

    pub fn supervisor_decl(&mut self, s: &ast::SupervisorDecl) -> Option<StmtKind> {
        let annotations = self.annotations(&s.annotations);
        let options = self.supervisor_options(&s.options);
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(CtxKind::SupervisorInit, false));
        let mut seen = HashSet::new();
        let mut children = Vec::with_capacity(s.children.len());
        for child in &s.children {
            if !seen.insert(child.name.name.as_str()) {
                self.already_declared(&child.name);
            }
            if let Some(spec) = self.child_spec(child) {
                children.push(spec);
            }
        }
        let ctx = self.stack.pop().expect("supervisor context");
        self.finish_fn(
            id,
            s.name.name.to_string(),
            FnKind::SupervisorInit,
            ctx,
            Vec::new(),
            Block::default(),
            s.span,
        );
        self.function_mut(id).supervisor = Some(SupervisorInit {
            name: s.name.name.to_string(),
            options,
            children,
            annotations,
        });
        let global = self.own_global(&s.name)?;
        Some(StmtKind::DefineGlobal {
            global,
            def: GlobalDef::Supervisor(id),
        })
    }

    fn child_spec(&mut self, child: &ast::SupervisorChild) -> Option<ChildSpec> {
        let ast::ExprKind::Call { callee, args } = &child.spec.kind else {
            self.error(
                "a supervisor child must be an actor constructor call such as `Worker()`",
                child.spec.span,
            );
            return None;
        };
        if let Some(r) = self.static_ref(callee) {
            let is_actor = matches!(r.what, What::Type(g)
                if matches!(self.state.global(g).kind, GlobalKind::Actor | GlobalKind::Supervisor));
            if !is_actor {
                self.error(
                    format!(
                        "supervisor child `{}` must be an actor or a supervisor",
                        child.name.name
                    ),
                    callee.span,
                );
            }
        }
        let actor = self.expr(callee);
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            if let Some(name) = &arg.name {
                self.error("supervisor child arguments must be positional", name.span);
            }
            values.push(self.expr(&arg.value));
        }
        Some(ChildSpec {
            name: child.name.name.to_string(),
            actor,
            args: values,
            span: child.spec.span,
        })
    }
}
