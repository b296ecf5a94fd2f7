//! Declarations: a module's top level (declared in a first pass so that
//! order does not matter), imports, functions, structs, enums, `impl`,
//! actors and supervisors.

use super::{Member, Resolver};
use crate::graph::dotted;
use crate::ir::{
    self, ActorInit, AssignTarget, Block, ChildSpec, EnumDef, Expr, ExprKind, FnId, FnKind,
    Function, GlobalDef, GlobalId, Handler, LocalId, StmtKind, StructDef, SupervisorInit, VarRef,
    VariantDef,
};
use crate::scope::{CtxKind, FnCtx, LocalBinding, ModuleRef, Namespace, TopBinding, What};
use crate::state::{GlobalKind, VariantInfo};
use noodle_syntax::ast::{self, Ident, Span};
use std::collections::{HashMap, HashSet};

/// How to resolve one function.
pub struct FnSpec<'s> {
    pub name: String,
    pub is_async: bool,
    pub params: &'s [ast::Param],
    pub ret: Option<&'s ast::TypeExpr>,
    pub body: &'s ast::FnBody,
    pub span: Span,
    /// An `impl` method: its first parameter may be `self`.
    pub method: bool,
}

impl Resolver<'_> {
    // ---- pass 1: top-level names ----

    /// Declares the module's top-level `def`, `struct`, `enum`, `actor`,
    /// `supervisor` and `let` names (imports come in pass 2).
    pub fn declare_top_level(&mut self, stmts: &[ast::Stmt], module: Option<u32>) {
        for stmt in stmts {
            let (name, kind, is_let) = match &stmt.kind {
                ast::StmtKind::Def(f) => (&f.name, GlobalKind::Def { is_async: f.is_async }, false),
                ast::StmtKind::Struct(s) => (
                    &s.name,
                    GlobalKind::Struct {
                        fields: s.fields.iter().map(|f| f.name.name.clone()).collect(),
                    },
                    false,
                ),
                ast::StmtKind::Enum(e) => (
                    &e.name,
                    GlobalKind::Enum {
                        variants: e
                            .variants
                            .iter()
                            .map(|v| VariantInfo {
                                name: v.name.name.clone(),
                                arity: v.fields.len(),
                                is_unit: !v.has_parens,
                            })
                            .collect(),
                    },
                    false,
                ),
                ast::StmtKind::Actor(a) => (&a.name, GlobalKind::Actor, false),
                ast::StmtKind::Supervisor(s) => (&s.name, GlobalKind::Supervisor, false),
                ast::StmtKind::Let { name, .. } => (name, GlobalKind::Let { ty: None }, true),
                _ => continue,
            };
            if let Some(id) = self.declare_global(name, kind, is_let)
                && let Some(m) = module
            {
                self.state.modules[m as usize]
                    .exports
                    .insert(name.name.clone(), id);
            }
        }
    }

    fn declare_global(&mut self, name: &Ident, kind: GlobalKind, is_let: bool) -> Option<GlobalId> {
        if !self.claim_top_name(name) {
            return None;
        }
        // A REPL input may use a name it redefines (`let x = x + 1`).
        let redefined = self.repl && self.scope.names.contains_key(&name.name);
        let qualified = format!("{}{}", self.prefix, name.name);
        let id = self.state.global_slot(qualified, &name.name, kind);
        self.scope.names.insert(
            name.name.clone(),
            TopBinding::Global {
                id,
                is_let,
                visible: !is_let || redefined,
            },
        );
        Some(id)
    }

    /// Records a top-level declaration; false (after reporting) when this
    /// compilation already declared the name.
    fn claim_top_name(&mut self, name: &Ident) -> bool {
        if self.scope.spans.contains_key(&name.name) {
            self.already_declared(name);
            return false;
        }
        self.scope.spans.insert(name.name.clone(), name.span);
        true
    }

    pub fn already_declared(&mut self, name: &Ident) {
        self.error(
            format!("`{}` is already declared in this scope", name.name),
            name.span,
        );
    }

    // ---- pass 2: imports ----

    /// Binds the names the module's imports introduce, then settles the
    /// declared types of its top-level `let`s (which may name imports).
    pub fn bind_imports(&mut self, stmts: &[ast::Stmt], imports: &HashMap<usize, Option<ModuleRef>>) {
        for (i, stmt) in stmts.iter().enumerate() {
            let target = imports.get(&i).copied().flatten();
            match &stmt.kind {
                ast::StmtKind::Import { path, alias } => self.bind_import(path, alias.as_ref(), target),
                ast::StmtKind::FromImport { path, names } => {
                    for item in names {
                        self.bind_from_import(path, item, target);
                    }
                }
                _ => {}
            }
        }
        for stmt in stmts {
            if let ast::StmtKind::Let { name, ty: Some(ty), .. } = &stmt.kind
                && let Some(TopBinding::Global { id, .. }) = self.scope.names.get(&name.name)
            {
                let id = *id;
                let ty = self.quiet_type_name(ty);
                self.state.globals[id as usize].kind = GlobalKind::Let { ty };
            }
        }
    }

    fn bind_import(&mut self, path: &[Ident], alias: Option<&Ident>, target: Option<ModuleRef>) {
        let Some(first) = path.first() else { return };
        if let Some(alias) = alias {
            if !self.claim_top_name(alias) {
                return;
            }
            let mut ns = Namespace::new(dotted(path));
            ns.module = target;
            ns.poisoned = target.is_none();
            self.scope
                .names
                .insert(alias.name.clone(), TopBinding::Namespace(ns));
            return;
        }
        // `import a.b` binds `a`; several such imports share it (also
        // across REPL inputs).
        let existing = match self.scope.names.get(&first.name) {
            Some(TopBinding::Namespace(ns)) if ns.path == first.name => Some(ns.clone()),
            _ => None,
        };
        let claimed = self.scope.spans.contains_key(&first.name);
        let mut ns = match existing {
            Some(ns) if claimed || self.repl => {
                self.scope.spans.entry(first.name.clone()).or_insert(first.span);
                ns
            }
            _ => {
                if !self.claim_top_name(first) {
                    return;
                }
                Namespace::new(first.name.clone())
            }
        };
        let mut node = &mut ns;
        for (i, part) in path.iter().enumerate().skip(1) {
            let child_path = dotted(&path[..=i]);
            node = node
                .children
                .entry(part.name.clone())
                .or_insert_with(|| Namespace::new(child_path));
        }
        node.module = node.module.or(target);
        node.poisoned |= target.is_none();
        self.scope
            .names
            .insert(first.name.clone(), TopBinding::Namespace(ns));
    }

    fn bind_from_import(&mut self, path: &[Ident], item: &ast::ImportName, target: Option<ModuleRef>) {
        let local = item.alias.as_ref().unwrap_or(&item.name);
        if !self.claim_top_name(local) {
            return;
        }
        let binding = match target {
            None => TopBinding::Poisoned,
            Some(module) => {
                let mut ns = Namespace::new(dotted(path));
                ns.module = Some(module);
                match self.namespace_member(&ns, &item.name.name) {
                    Some(Member::Value(r)) => TopBinding::Alias(r),
                    _ => {
                        self.error(
                            format!("module `{}` has no member `{}`", ns.path, item.name.name),
                            item.name.span,
                        );
                        TopBinding::Poisoned
                    }
                }
            }
        };
        self.scope.names.insert(local.name.clone(), binding);
    }

    // ---- pass 3: bodies ----

    /// Resolves a module's statements into its initialiser: hoisted
    /// declarations first, then `impl`s, then the top-level code.
    pub fn resolve_module(&mut self, module: &ast::Module, returns_last_value: bool) -> FnId {
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(id, CtxKind::TopLevel, false));
        let mut hoisted = Vec::new();
        let mut impls = Vec::new();
        let mut code = Vec::new();
        for stmt in &module.stmts {
            let lowered = match &stmt.kind {
                ast::StmtKind::Def(f) => self.top_def(f),
                ast::StmtKind::Struct(s) => self.struct_decl(s),
                ast::StmtKind::Enum(e) => self.enum_decl(e),
                ast::StmtKind::Actor(a) => self.actor_decl(a),
                ast::StmtKind::Supervisor(s) => self.supervisor_decl(s),
                ast::StmtKind::Impl(i) => {
                    impls.extend(self.impl_decl(i));
                    continue;
                }
                ast::StmtKind::Import { .. } | ast::StmtKind::FromImport { .. } => continue,
                _ => {
                    code.extend(self.stmt(stmt));
                    continue;
                }
            };
            hoisted.extend(lowered.map(|kind| ir::Stmt {
                kind,
                span: stmt.span,
            }));
        }
        let ends_with_value = matches!(module.stmts.last(), Some(s) if matches!(s.kind, ast::StmtKind::Expr(_)));
        if returns_last_value && !ends_with_value {
            code.push(ir::Stmt {
                kind: StmtKind::Expr(Expr::new(ExprKind::None, Span::default())),
                span: Span::default(),
            });
        }
        let ctx = self.stack.pop().expect("module context");
        hoisted.extend(impls);
        hoisted.extend(code);
        let span = match (module.stmts.first(), module.stmts.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span::default(),
        };
        self.finish_fn(
            id,
            "<module>".into(),
            FnKind::ModuleInit,
            ctx,
            Vec::new(),
            Block { stmts: hoisted, span },
            span,
        );
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_fn(
        &mut self,
        id: FnId,
        name: String,
        kind: FnKind,
        ctx: FnCtx,
        params: Vec<ir::Param>,
        body: Block,
        span: Span,
    ) {
        self.out.functions[id as usize] = Some(Function {
            name,
            kind,
            file: self.file,
            span,
            is_async: ctx.is_async,
            params,
            ret_ty: None,
            locals: ctx.locals,
            captures: ctx.captures,
            body,
            actor: None,
            supervisor: None,
        });
    }

    fn function_mut(&mut self, id: FnId) -> &mut Function {
        self.out.functions[id as usize]
            .as_mut()
            .expect("function was finished")
    }

    /// The global a top-level declaration was given in pass 1 (none when
    /// it was a duplicate).
    pub fn own_global(&self, name: &Ident) -> Option<GlobalId> {
        match self.scope.names.get(&name.name) {
            Some(TopBinding::Global { id, .. }) if self.scope.spans.get(&name.name) == Some(&name.span) => Some(*id),
            _ => None,
        }
    }

    fn top_def(&mut self, f: &ast::FnDecl) -> Option<StmtKind> {
        self.annotations(&f.annotations);
        let func = self.function(FnSpec::of_decl(f, f.name.name.clone()));
        let global = self.own_global(&f.name)?;
        Some(StmtKind::DefineGlobal {
            global,
            def: GlobalDef::Function(func),
        })
    }

    /// A `def` inside a block: a local visible in its own body (recursion)
    /// and in the rest of the block.
    pub fn local_def(&mut self, f: &ast::FnDecl) -> StmtKind {
        self.annotations(&f.annotations);
        let local = self.ctx_mut().new_local(&f.name.name);
        let binding = LocalBinding {
            id: local,
            what: What::Function {
                is_async: f.is_async,
            },
        };
        if !self.ctx_mut().bind(&f.name.name, binding) {
            self.already_declared(&f.name);
        }
        let func = self.function(FnSpec::of_decl(f, f.name.name.clone()));
        StmtKind::LocalFn { local, func }
    }

    /// Resolves a function body in a fresh function context.
    pub fn function(&mut self, spec: FnSpec) -> FnId {
        self.function_in(spec, CtxKind::Function)
    }

    pub fn function_in(&mut self, spec: FnSpec, kind: CtxKind) -> FnId {
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(id, kind, spec.is_async));
        let params = self.params(spec.params, spec.method);
        let ret_ty = spec.ret.and_then(|t| self.type_name(t));
        let body = match spec.body {
            ast::FnBody::Block(b) => Block {
                stmts: self.stmts(&b.stmts),
                span: b.span,
            },
            ast::FnBody::Expr(e) => {
                let value = self.expr(e);
                Block {
                    stmts: vec![ir::Stmt {
                        kind: StmtKind::Expr(value),
                        span: e.span,
                    }],
                    span: e.span,
                }
            }
        };
        let ctx = self.stack.pop().expect("function context");
        self.finish_fn(id, spec.name, FnKind::Function, ctx, params, body, spec.span);
        self.function_mut(id).ret_ty = ret_ty;
        id
    }

    /// Declares parameters in order; a default sees the parameters before it.
    pub fn params(&mut self, params: &[ast::Param], method: bool) -> Vec<ir::Param> {
        let mut out = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            let default = p.default.as_ref().map(|d| self.expr(d));
            let ty = p.ty.as_ref().and_then(|t| self.type_name(t));
            if p.name.name == "self" && !(method && i == 0) {
                self.error(
                    "`self` can only be the first parameter of a method in an `impl`",
                    p.name.span,
                );
            }
            let local = self.ctx_mut().new_local(&p.name.name);
            let binding = LocalBinding {
                id: local,
                what: What::Variable { ty: ty.clone() },
            };
            if !self.ctx_mut().bind(&p.name.name, binding) {
                self.already_declared(&p.name);
            }
            out.push(ir::Param {
                local,
                name: p.name.name.clone(),
                default,
                ty,
                span: p.name.span,
            });
        }
        out
    }

    fn struct_decl(&mut self, s: &ast::StructDecl) -> Option<StmtKind> {
        self.annotations(&s.annotations);
        let mut seen = HashSet::new();
        let mut fields = Vec::with_capacity(s.fields.len());
        for f in &s.fields {
            if !seen.insert(f.name.name.as_str()) {
                self.already_declared(&f.name);
            }
            let ty = f.ty.as_ref().and_then(|t| self.type_name(t));
            fields.push((f.name.name.clone(), ty));
        }
        let global = self.own_global(&s.name)?;
        self.out.structs.push(StructDef {
            name: s.name.name.clone(),
            fields,
        });
        Some(StmtKind::DefineGlobal {
            global,
            def: GlobalDef::Struct((self.out.structs.len() - 1) as u32),
        })
    }

    fn enum_decl(&mut self, e: &ast::EnumDecl) -> Option<StmtKind> {
        self.annotations(&e.annotations);
        let mut seen = HashSet::new();
        let mut variants = Vec::with_capacity(e.variants.len());
        for v in &e.variants {
            if !seen.insert(v.name.name.as_str()) {
                self.already_declared(&v.name);
            }
            let mut field_names = HashSet::new();
            for f in &v.fields {
                if !field_names.insert(f.name.as_str()) {
                    self.already_declared(f);
                }
            }
            variants.push(VariantDef {
                name: v.name.name.clone(),
                fields: v.fields.iter().map(|f| f.name.clone()).collect(),
                is_unit: !v.has_parens,
            });
        }
        let global = self.own_global(&e.name)?;
        self.out.enums.push(EnumDef {
            name: e.name.name.clone(),
            variants,
        });
        Some(StmtKind::DefineGlobal {
            global,
            def: GlobalDef::Enum((self.out.enums.len() - 1) as u32),
        })
    }

    fn impl_decl(&mut self, i: &ast::ImplDecl) -> Option<ir::Stmt> {
        let target = self.impl_target(&i.target);
        let mut methods = Vec::with_capacity(i.methods.len());
        for m in &i.methods {
            self.annotations(&m.annotations);
            if let Some((global, _)) = &target {
                let seen = self.methods.entry(*global).or_default();
                if !seen.insert(m.name.name.clone()) {
                    self.already_declared(&m.name);
                }
            }
            let mut spec = FnSpec::of_decl(m, m.name.name.clone());
            spec.method = true;
            methods.push(self.function(spec));
        }
        let (_, target) = target?;
        Some(ir::Stmt {
            kind: StmtKind::Impl { target, methods },
            span: i.span,
        })
    }

    fn impl_target(&mut self, name: &Ident) -> Option<(GlobalId, Expr)> {
        let found = self.static_ref(&ast::Expr {
            kind: ast::ExprKind::Name(name.name.clone()),
            span: name.span,
        });
        match found {
            Some(r) => {
                if let What::Type(g) = r.what
                    && matches!(
                        self.state.global(g).kind,
                        GlobalKind::Struct { .. } | GlobalKind::Enum { .. }
                    )
                {
                    return Some((g, Expr::new(ExprKind::Var(r.var), name.span)));
                }
                self.error(
                    format!("`impl` needs a struct or enum, and `{}` is neither", name.name),
                    name.span,
                );
                None
            }
            None => {
                if !matches!(self.lookup(&name.name), Some(super::Found::Poisoned)) {
                    self.undeclared(&name.name, name.span);
                }
                None
            }
        }
    }

    pub fn undeclared(&mut self, name: &str, span: Span) {
        self.error(format!("undeclared name `{name}`"), span);
    }

    fn actor_decl(&mut self, a: &ast::ActorDecl) -> Option<StmtKind> {
        let annotations = self.annotations(&a.annotations);
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(id, CtxKind::ActorInit, false));
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
                ast::StmtKind::Def(f) => (&f.name, What::Function { is_async: f.is_async }),
                _ => {
                    self.error("only `let` and `def` are allowed in an actor body", stmt.span);
                    continue;
                }
            };
            let local = self.ctx_mut().new_local(&name.name);
            if !self.ctx_mut().bind(&name.name, LocalBinding { id: local, what: what.clone() }) {
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
            let func = self.function(FnSpec::of_decl(f, format!("{}.{}", a.name.name, f.name.name)));
            handlers.push(Handler {
                name: f.name.name.clone(),
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
            a.name.name.clone(),
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
            name: a.name.name.clone(),
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

    fn supervisor_decl(&mut self, s: &ast::SupervisorDecl) -> Option<StmtKind> {
        let annotations = self.annotations(&s.annotations);
        let options = self.supervisor_options(&s.options);
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(id, CtxKind::SupervisorInit, false));
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
            s.name.name.clone(),
            FnKind::SupervisorInit,
            ctx,
            Vec::new(),
            Block::default(),
            s.span,
        );
        self.function_mut(id).supervisor = Some(SupervisorInit {
            name: s.name.name.clone(),
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
                    format!("supervisor child `{}` must be an actor or a supervisor", child.name.name),
                    callee.span,
                );
            }
        }
        let actor = self.expr(callee);
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            if let Some(name) = &arg.name {
                self.error(
                    "supervisor child arguments must be positional",
                    name.span,
                );
            }
            values.push(self.expr(&arg.value));
        }
        Some(ChildSpec {
            name: child.name.name.clone(),
            actor,
            args: values,
            span: child.spec.span,
        })
    }

    /// The statically known target of a name or a module member path
    /// (`geo.Vec2`), without reporting anything.
    pub fn static_ref(&mut self, e: &ast::Expr) -> Option<crate::scope::NameRef> {
        match &e.kind {
            ast::ExprKind::Name(n) => match self.lookup(n)? {
                super::Found::Var(r) => Some(r),
                _ => None,
            },
            ast::ExprKind::Field { obj, name } => {
                let ns = self.static_namespace(obj)?;
                match self.namespace_member(&ns, &name.name)? {
                    Member::Value(r) => Some(r),
                    Member::Namespace(_) => None,
                }
            }
            _ => None,
        }
    }

    /// The namespace an expression like `lib` or `lib.geometry` denotes.
    pub fn static_namespace(&mut self, e: &ast::Expr) -> Option<Namespace> {
        match &e.kind {
            ast::ExprKind::Name(n) => match self.lookup(n)? {
                super::Found::Namespace(binding) => self.namespace(&binding),
                _ => None,
            },
            ast::ExprKind::Field { obj, name } => {
                let ns = self.static_namespace(obj)?;
                match self.namespace_member(&ns, &name.name)? {
                    Member::Namespace(child) => Some(child),
                    Member::Value(_) => None,
                }
            }
            _ => None,
        }
    }
}

impl<'s> FnSpec<'s> {
    pub fn of_decl(f: &'s ast::FnDecl, name: String) -> FnSpec<'s> {
        FnSpec {
            name,
            is_async: f.is_async,
            params: &f.params,
            ret: f.ret.as_ref(),
            body: &f.body,
            span: f.span,
            method: false,
        }
    }
}
