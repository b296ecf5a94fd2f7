//! Declarations inside a module: functions (and their parameters),
//! structs, enums and `impl` blocks.

use super::Resolver;
use crate::ir::{
    self, Block, EnumDef, Expr, ExprKind, FnId, FnKind, GlobalDef, GlobalId, StmtKind, StructDef,
    VariantDef,
};
use crate::scope::{CtxKind, FnCtx, LocalBinding, What};
use crate::state::GlobalKind;
use noodle_syntax::ast::{self, Ident, Span};
use std::collections::HashSet;

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
    pub fn top_def(&mut self, f: &ast::FnDecl) -> Option<StmtKind> {
        self.annotations(&f.annotations);
        let func = self.function(FnSpec::of_decl(f, f.name.name.to_string()));
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
        let func = self.function(FnSpec::of_decl(f, f.name.name.to_string()));
        StmtKind::LocalFn { local, func }
    }

    /// Resolves a function body in a fresh function context.
    pub fn function(&mut self, spec: FnSpec) -> FnId {
        self.function_in(spec, CtxKind::Function)
    }

    pub fn function_in(&mut self, spec: FnSpec, kind: CtxKind) -> FnId {
        let id = self.reserve_fn();
        self.stack.push(FnCtx::new(kind, spec.is_async));
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
        self.finish_fn(
            id,
            spec.name,
            FnKind::Function,
            ctx,
            params,
            body,
            spec.span,
        );
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
                name: p.name.name.to_string(),
                default,
                ty,
                span: p.name.span,
            });
        }
        out
    }

    pub fn struct_decl(&mut self, s: &ast::StructDecl) -> Option<StmtKind> {
        self.annotations(&s.annotations);
        let mut seen = HashSet::new();
        let mut fields = Vec::with_capacity(s.fields.len());
        for f in &s.fields {
            if !seen.insert(f.name.name.as_str()) {
                self.already_declared(&f.name);
            }
            let ty = f.ty.as_ref().and_then(|t| self.type_name(t));
            fields.push((f.name.name.to_string(), ty));
        }
        let global = self.own_global(&s.name)?;
        self.out.structs.push(StructDef {
            name: s.name.name.to_string(),
            fields,
        });
        Some(StmtKind::DefineGlobal {
            global,
            def: GlobalDef::Struct((self.out.structs.len() - 1) as u32),
        })
    }

    pub fn enum_decl(&mut self, e: &ast::EnumDecl) -> Option<StmtKind> {
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
                name: v.name.name.to_string(),
                fields: v.fields.iter().map(|f| f.name.to_string()).collect(),
                is_unit: !v.has_parens,
            });
        }
        let global = self.own_global(&e.name)?;
        self.out.enums.push(EnumDef {
            name: e.name.name.to_string(),
            variants,
        });
        Some(StmtKind::DefineGlobal {
            global,
            def: GlobalDef::Enum((self.out.enums.len() - 1) as u32),
        })
    }

    pub fn impl_decl(&mut self, i: &ast::ImplDecl) -> Option<ir::Stmt> {
        let target = self.impl_target(&i.target);
        let mut methods = Vec::with_capacity(i.methods.len());
        for m in &i.methods {
            self.annotations(&m.annotations);
            if let Some((global, _)) = &target {
                let seen = self.methods.entry(*global).or_default();
                if !seen.insert(m.name.name.to_string()) {
                    self.already_declared(&m.name);
                }
            }
            // Named `Type.method` for traces; the runtime takes the method name
            // from after the last `.`.
            let mut spec = FnSpec::of_decl(m, format!("{}.{}", i.target.name, m.name.name));
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
                    format!(
                        "`impl` needs a struct or enum, and `{}` is neither",
                        name.name
                    ),
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
        if !self.quiet_undeclared {
            self.error(format!("undeclared name `{name}`"), span);
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
