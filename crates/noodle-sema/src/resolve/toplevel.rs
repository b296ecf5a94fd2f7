//! A module's top level, in three passes: declare its names (so that order
//! does not matter), bind its imports (which need the imported modules'
//! names), then resolve its statements into the module initialiser.
//! Also the compile-time view of names: `static_ref` / `static_namespace`.

use super::{Member, Resolver};
use crate::graph::dotted;
use crate::ir::{self, Block, Expr, ExprKind, FnId, FnKind, Function, GlobalId, StmtKind};
use crate::scope::{CtxKind, FnCtx, ModuleRef, NameRef, Namespace, TopBinding};
use crate::state::{GlobalKind, VariantInfo};
use noodle_syntax::ast::{self, Ident, Span};
use std::collections::HashMap;

impl Resolver<'_> {
    // ---- pass 1: top-level names ----

    /// Declares the module's top-level `def`, `struct`, `enum`, `actor`,
    /// `supervisor` and `let` names (imports come in pass 2).
    pub fn declare_top_level(&mut self, stmts: &[ast::Stmt], module: Option<u32>) {
        for stmt in stmts {
            let (name, kind, is_let) = match &stmt.kind {
                ast::StmtKind::Def(f) => (
                    &f.name,
                    GlobalKind::Def {
                        is_async: f.is_async,
                    },
                    false,
                ),
                ast::StmtKind::Struct(s) => (
                    &s.name,
                    GlobalKind::Struct {
                        fields: s.fields.iter().map(|f| f.name.name.to_string()).collect(),
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
                                name: v.name.name.to_string(),
                                arity: v.fields.len(),
                                is_unit: !v.has_parens,
                            })
                            .collect(),
                    },
                    false,
                ),
                ast::StmtKind::Actor(a) => (&a.name, GlobalKind::Actor, false),
                ast::StmtKind::Supervisor(s) => (&s.name, GlobalKind::Supervisor, false),
                // `let _ = ...` discards its value: no global.
                ast::StmtKind::Let { name, .. } if name.name != "_" => {
                    (name, GlobalKind::Let { ty: None }, true)
                }
                _ => continue,
            };
            if let Some(id) = self.declare_global(name, kind, is_let)
                && let Some(m) = module
            {
                self.state.modules[m as usize]
                    .exports
                    .insert(name.name.to_string(), id);
            }
        }
    }

    fn declare_global(&mut self, name: &Ident, kind: GlobalKind, is_let: bool) -> Option<GlobalId> {
        if !self.claim_top_name(name) {
            return None;
        }
        // A REPL input may use a name it redefines (`let x = x + 1`).
        let redefined = self.repl && self.scope.names.contains_key(name.name.as_str());
        let qualified = format!("{}{}", self.prefix, name.name);
        let id = self.state.global_slot(qualified, &name.name, kind);
        self.scope.names.insert(
            name.name.to_string(),
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
        if self.scope.spans.contains_key(name.name.as_str()) {
            self.already_declared(name);
            return false;
        }
        self.scope.spans.insert(name.name.to_string(), name.span);
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
    pub fn bind_imports(
        &mut self,
        stmts: &[ast::Stmt],
        imports: &HashMap<usize, Option<ModuleRef>>,
    ) {
        for (i, stmt) in stmts.iter().enumerate() {
            let target = imports.get(&i).copied().flatten();
            match &stmt.kind {
                ast::StmtKind::Import { path, alias } => {
                    self.bind_import(path, alias.as_ref(), target)
                }
                ast::StmtKind::FromImport { path, names } => {
                    for item in names {
                        self.bind_from_import(path, item, target);
                    }
                }
                _ => {}
            }
        }
        for stmt in stmts {
            if let ast::StmtKind::Let {
                name, ty: Some(ty), ..
            } = &stmt.kind
                && let Some(TopBinding::Global { id, .. }) =
                    self.scope.names.get(name.name.as_str())
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
                .insert(alias.name.to_string(), TopBinding::Namespace(ns));
            return;
        }
        // `import a.b` binds `a`; several such imports share it (also
        // across REPL inputs).
        let existing = match self.scope.names.get(first.name.as_str()) {
            Some(TopBinding::Namespace(ns)) if ns.path == first.name => Some(ns.clone()),
            _ => None,
        };
        let claimed = self.scope.spans.contains_key(first.name.as_str());
        let mut ns = match existing {
            Some(ns) if claimed || self.repl => {
                self.scope
                    .spans
                    .entry(first.name.to_string())
                    .or_insert(first.span);
                ns
            }
            _ => {
                if !self.claim_top_name(first) {
                    return;
                }
                Namespace::new(first.name.to_string())
            }
        };
        let mut node = &mut ns;
        for (i, part) in path.iter().enumerate().skip(1) {
            let child_path = dotted(&path[..=i]);
            node = node
                .children
                .entry(part.name.to_string())
                .or_insert_with(|| Namespace::new(child_path));
        }
        node.module = node.module.or(target);
        node.poisoned |= target.is_none();
        self.scope
            .names
            .insert(first.name.to_string(), TopBinding::Namespace(ns));
    }

    fn bind_from_import(
        &mut self,
        path: &[Ident],
        item: &ast::ImportName,
        target: Option<ModuleRef>,
    ) {
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
        self.scope.names.insert(local.name.to_string(), binding);
    }

    // ---- pass 3: bodies ----

    /// Resolves a module's statements into its initialiser: hoisted
    /// declarations first, then `impl`s, then the top-level code.
    pub fn resolve_module(&mut self, module: &ast::Module, returns_last_value: bool) -> FnId {
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(CtxKind::TopLevel, false));
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
        let ends_with_value =
            matches!(module.stmts.last(), Some(s) if matches!(s.kind, ast::StmtKind::Expr(_)));
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
            Block {
                stmts: hoisted,
                span,
            },
            span,
        );
        id
    }

    #[allow(clippy::too_many_arguments)]
    pub fn finish_fn(
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

    pub fn function_mut(&mut self, id: FnId) -> &mut Function {
        self.out.functions[id as usize]
            .as_mut()
            .expect("function was finished")
    }

    /// The global a top-level declaration was given in pass 1 (none when
    /// it was a duplicate).
    pub fn own_global(&self, name: &Ident) -> Option<GlobalId> {
        match self.scope.names.get(name.name.as_str()) {
            Some(TopBinding::Global { id, .. })
                if self.scope.spans.get(name.name.as_str()) == Some(&name.span) =>
            {
                Some(*id)
            }
            _ => None,
        }
    }

    /// The statically known target of a name or a module member path
    /// (`geo.Vec2`), without reporting anything.
    pub fn static_ref(&mut self, e: &ast::Expr) -> Option<NameRef> {
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

    /// The statically known target of a dotted path of names (`Point`,
    /// `geo.Vec2`, `lib.shapes.Unit`), without reporting anything.
    pub fn static_path(&mut self, parts: &[&str]) -> Option<NameRef> {
        let (first, rest) = parts.split_first()?;
        let mut ns = match self.lookup(first)? {
            super::Found::Var(r) => return rest.is_empty().then_some(r),
            super::Found::Namespace(binding) => self.namespace(&binding)?,
            super::Found::Poisoned => return None,
        };
        for (i, part) in rest.iter().enumerate() {
            match self.namespace_member(&ns, part)? {
                Member::Value(r) => return (i + 1 == rest.len()).then_some(r),
                Member::Namespace(child) => ns = child,
            }
        }
        None
    }

    /// Whether a dotted path goes through an import that failed (already
    /// reported), so that nothing more should be said about it.
    pub fn path_poisoned(&mut self, path: &str) -> bool {
        let mut parts = path.split('.');
        let Some(first) = parts.next() else {
            return false;
        };
        let mut ns = match self.lookup(first) {
            Some(super::Found::Poisoned) => return true,
            Some(super::Found::Namespace(binding)) => match self.namespace(&binding) {
                Some(ns) => ns,
                None => return false,
            },
            _ => return false,
        };
        for part in parts {
            if ns.poisoned {
                return true;
            }
            match self.namespace_member(&ns, part) {
                Some(Member::Namespace(child)) => ns = child,
                _ => return false,
            }
        }
        ns.poisoned
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
