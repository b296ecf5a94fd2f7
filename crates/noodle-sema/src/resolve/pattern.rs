//! `match` arms and their patterns.

use super::Resolver;
use crate::ir::{Expr, ExprKind, LocalId, MatchArm, Pattern, PatternKind};
use crate::scope::{LocalBinding, What};
use crate::state::GlobalKind;
use noodle_syntax::ast::{self, Ident, Name, Span};
use std::collections::{HashMap, HashSet};

/// The names one arm's pattern binds.
#[derive(Default)]
struct Binds {
    /// Every name bound so far, in any alternative.
    locals: HashMap<Name, LocalId>,
    order: Vec<(Name, LocalId)>,
    /// Names bound on the current path through `|` alternatives.
    current: HashSet<Name>,
}

impl Resolver<'_> {
    pub fn match_expr(&mut self, scrutinee: &ast::Expr, arms: &[ast::MatchArm]) -> ExprKind {
        let scrutinee = Box::new(self.expr(scrutinee));
        let mut out = Vec::with_capacity(arms.len());
        for arm in arms {
            self.ctx_mut().push_scope();
            let mut binds = Binds::default();
            let pattern = self.pattern(&arm.pattern, &mut binds);
            for (name, id) in &binds.order {
                let binding = LocalBinding {
                    id: *id,
                    what: What::Variable { ty: None },
                };
                self.ctx_mut().bind(name, binding);
            }
            let guard = arm.guard.as_ref().map(|g| self.expr(g));
            let body = self.expr(&arm.body);
            self.ctx_mut().pop_scope();
            out.push(MatchArm {
                bindings: binds.order.iter().map(|(_, id)| *id).collect(),
                pattern,
                guard,
                body,
                span: arm.span,
            });
        }
        ExprKind::Match {
            scrutinee,
            arms: out,
        }
    }

    fn pattern(&mut self, p: &ast::Pattern, binds: &mut Binds) -> Pattern {
        let kind = if self.enter(p.span) {
            self.pattern_kind(p, binds)
        } else {
            PatternKind::Wildcard
        };
        self.leave();
        Pattern { kind, span: p.span }
    }

    fn pattern_kind(&mut self, p: &ast::Pattern, binds: &mut Binds) -> PatternKind {
        match &p.kind {
            ast::PatternKind::Wildcard => PatternKind::Wildcard,
            ast::PatternKind::Literal(e) => PatternKind::Literal(self.expr(e)),
            ast::PatternKind::Bind(name) => PatternKind::Bind(self.bind_name(name, binds)),
            ast::PatternKind::Typed { name, ty } => {
                let ty = self.type_name_of(ty).unwrap_or_else(|| "any".into());
                // `_: int` tests the type and binds nothing.
                let local = (name.name != "_").then(|| self.bind_name(name, binds));
                PatternKind::Typed { local, ty }
            }
            ast::PatternKind::Or(alts) => {
                let before = binds.current.clone();
                let mut first: Option<HashSet<Name>> = None;
                let mut out = Vec::with_capacity(alts.len());
                for alt in alts {
                    binds.current = before.clone();
                    out.push(self.pattern(alt, binds));
                    let names: HashSet<Name> = binds.current.difference(&before).cloned().collect();
                    match &first {
                        None => first = Some(names),
                        Some(f) if *f != names => self.error(
                            "every alternative of a `|` pattern must bind the same names",
                            alt.span,
                        ),
                        Some(_) => {}
                    }
                }
                binds.current = before;
                binds.current.extend(first.unwrap_or_default());
                PatternKind::Or(out)
            }
            ast::PatternKind::List { items, rest } => PatternKind::List {
                items: items.iter().map(|i| self.pattern(i, binds)).collect(),
                rest: rest
                    .as_ref()
                    .map(|r| r.as_ref().map(|name| self.bind_name(name, binds))),
            },
            ast::PatternKind::Map(entries) => PatternKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| (self.expr(k), self.pattern(v, binds)))
                    .collect(),
            ),
            ast::PatternKind::Ctor { path, args } => {
                self.ctor_pattern(path, args.as_deref(), p.span, binds)
            }
        }
    }

    fn bind_name(&mut self, name: &Ident, binds: &mut Binds) -> LocalId {
        if !binds.current.insert(name.name.clone()) {
            self.already_declared(name);
        }
        if let Some(&id) = binds.locals.get(name.name.as_str()) {
            return id;
        }
        let id = self.ctx_mut().new_local(&name.name);
        binds.locals.insert(name.name.clone(), id);
        binds.order.push((name.name.clone(), id));
        id
    }

    /// `Point(x, 0)`, `geo.Vec2(x, y)`, `Shape.Circle(r)`, `Shape.Empty`.
    fn ctor_pattern(
        &mut self,
        path: &[Ident],
        args: Option<&[ast::Pattern]>,
        span: Span,
        binds: &mut Binds,
    ) -> PatternKind {
        let fields = args.map(|a| a.iter().map(|p| self.pattern(p, binds)).collect::<Vec<_>>());
        let given = args.map(<[ast::Pattern]>::len);
        let Some((last, init)) = path.split_last() else {
            return PatternKind::Wildcard;
        };
        let path_expr = path_to_expr(path);
        // A struct: `Point(...)` or `module.Point(...)`.
        if let Some(r) = self.static_ref(&path_expr)
            && let What::Type(g) = r.what
        {
            let info = self.state.global(g);
            match &info.kind {
                GlobalKind::Struct { fields: names } => {
                    let (name, count) = (info.short_name.clone(), names.len());
                    if given.is_some_and(|n| n != count) {
                        self.error(
                            format!(
                                "this pattern has {} field{}, but struct `{name}` has {count}",
                                given.unwrap_or(0),
                                if given == Some(1) { "" } else { "s" }
                            ),
                            span,
                        );
                    }
                    return PatternKind::Instance {
                        ty: Expr::new(ExprKind::Var(r.var), span),
                        fields,
                    };
                }
                _ => {
                    let name = info.short_name.clone();
                    self.error(format!("`{name}` is not a struct or an enum variant"), span);
                    return PatternKind::Wildcard;
                }
            }
        }
        // An enum variant: `Enum.Variant` or `module.Enum.Variant`.
        if !init.is_empty() {
            let enum_expr = path_to_expr(init);
            if let Some(r) = self.static_ref(&enum_expr)
                && let What::Type(g) = r.what
                && let GlobalKind::Enum { variants } = &self.state.global(g).kind
            {
                let enum_name = self.state.global(g).short_name.clone();
                let Some(v) = variants.iter().find(|v| v.name == last.name).cloned() else {
                    self.error(
                        format!("enum `{enum_name}` has no variant `{}`", last.name),
                        last.span,
                    );
                    return PatternKind::Wildcard;
                };
                match given {
                    Some(_) if v.is_unit => self.error(
                        format!(
                            "`{enum_name}.{}` has no fields; write it without parentheses",
                            v.name
                        ),
                        span,
                    ),
                    Some(n) if n != v.arity => self.error(
                        format!(
                            "this pattern has {n} field{}, but `{enum_name}.{}` has {}",
                            if n == 1 { "" } else { "s" },
                            v.name,
                            v.arity
                        ),
                        span,
                    ),
                    _ => {}
                }
                let ty = Expr::new(
                    ExprKind::Field {
                        obj: Box::new(Expr::new(ExprKind::Var(r.var), enum_expr.span)),
                        name: last.name.clone(),
                    },
                    span,
                );
                return PatternKind::Instance { ty, fields };
            }
        }
        // Neither: resolve it as an expression for the error message.
        let resolved = self.expr(&path_expr);
        if !matches!(resolved.kind, ExprKind::Invalid) {
            self.error(
                "a constructor pattern needs a struct or an enum variant",
                span,
            );
        }
        PatternKind::Wildcard
    }

    /// A type name in a `name: type` pattern.
    fn type_name_of(&mut self, ty: &Ident) -> Option<String> {
        let t = ast::TypeExpr {
            name: ty.clone(),
            args: Vec::new(),
            span: ty.span,
        };
        self.type_name(&t)
    }
}

/// `a.b.c` as a field-access expression.
fn path_to_expr(path: &[Ident]) -> ast::Expr {
    let mut e = ast::Expr {
        kind: ast::ExprKind::Name(path[0].name.clone()),
        span: path[0].span,
    };
    for part in &path[1..] {
        let span = e.span.to(part.span);
        e = ast::Expr {
            kind: ast::ExprKind::Field {
                obj: Box::new(e),
                name: part.clone(),
            },
            span,
        };
    }
    e
}
