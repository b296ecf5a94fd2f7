//! Type names in annotations, declaration annotations (`@on(gpu)`) and
//! supervisor options: small data languages whose bare names are symbols,
//! not variables.

use super::Resolver;
use crate::ir::{AnnotValue, Annotation};
use crate::scope::What;
use crate::state::GlobalKind;
use noodle_syntax::Diagnostic;
use noodle_syntax::ast::{self, BinOp, Span, UnaryOp};
use std::collections::HashSet;

/// Types every program knows; struct and enum names come on top.
pub const BUILTIN_TYPES: &[&str] = &[
    "int", "float", "str", "bool", "list", "map", "none", "duration", "function", "range", "task",
    "actor", "channel", "error", "any",
];

pub const ANNOTATIONS: &[&str] = &["on", "qos", "replicas", "restart", "checkpoint", "mailbox"];

const RESTART_POLICIES: &[&str] = &["permanent", "transient", "temporary"];
const STRATEGIES: &[&str] = &["one_for_one", "one_for_all", "rest_for_one"];

impl Resolver<'_> {
    /// The runtime type name an annotation checks against (what `type_of`
    /// returns), reporting unknown names.
    pub fn type_name(&mut self, t: &ast::TypeExpr) -> Option<String> {
        for arg in &t.args {
            self.type_name(arg);
        }
        let name = self.resolve_type(&t.name.name);
        if name.is_none() && !self.path_poisoned(&t.name.name) {
            self.report(
                Diagnostic::error(format!("unknown type `{}`", t.name.name), t.name.span)
                    .with_note(format!(
                        "types are {}, or the name of a struct or enum",
                        BUILTIN_TYPES.join(", ")
                    )),
            );
        }
        name
    }

    /// Like [`Self::type_name`], without reporting.
    pub fn quiet_type_name(&mut self, t: &ast::TypeExpr) -> Option<String> {
        self.resolve_type(&t.name.name)
    }

    /// `name` may be a dotted path through imports (`shapes.Rect`); the
    /// result is the bare struct or enum name, as `type_of` reports it.
    fn resolve_type(&mut self, name: &str) -> Option<String> {
        if BUILTIN_TYPES.contains(&name) {
            return Some(name.to_string());
        }
        let parts: Vec<&str> = name.split('.').collect();
        let r = self.static_path(&parts)?;
        let What::Type(g) = r.what else { return None };
        let info = self.state.global(g);
        matches!(
            info.kind,
            GlobalKind::Struct { .. } | GlobalKind::Enum { .. }
        )
        .then(|| info.short_name.clone())
    }

    /// Checks a declaration's annotations and turns them into data.
    pub fn annotations(&mut self, anns: &[ast::Annotation]) -> Vec<Annotation> {
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(anns.len());
        for a in anns {
            let name = a.name.name.as_str();
            if !ANNOTATIONS.contains(&name) {
                self.report(
                    Diagnostic::error(format!("unknown annotation `@{name}`"), a.name.span)
                        .with_note(format!(
                            "known annotations: {}",
                            ANNOTATIONS
                                .iter()
                                .map(|n| format!("@{n}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                );
                continue;
            }
            if !seen.insert(name) {
                self.error(format!("annotation `@{name}` is given twice"), a.name.span);
            }
            let mut args = Vec::new();
            let mut named = Vec::new();
            for arg in &a.args {
                let Some(value) = self.annot_value(&arg.value) else {
                    continue;
                };
                match &arg.name {
                    Some(n) => named.push((n.name.to_string(), value)),
                    None => args.push(value),
                }
            }
            if name == "restart" {
                self.check_restart(&args, a.span);
            }
            out.push(Annotation {
                name: name.to_string(),
                args,
                named,
            });
        }
        out
    }

    fn check_restart(&mut self, args: &[AnnotValue], span: Span) {
        let ok = matches!(args, [AnnotValue::Symbol(s)] if RESTART_POLICIES.contains(&s.as_str()));
        if !ok {
            self.error(
                "`@restart` takes one policy: permanent, transient or temporary",
                span,
            );
        }
    }

    /// A value of the annotation language: a name (symbol), a literal, or a
    /// comparison such as `mem >= 8GB`.
    fn annot_value(&mut self, e: &ast::Expr) -> Option<AnnotValue> {
        let value = match &e.kind {
            ast::ExprKind::Name(n) => AnnotValue::Symbol(n.to_string()),
            ast::ExprKind::Int(v) => AnnotValue::Int(*v),
            ast::ExprKind::Float(v) => AnnotValue::Float(*v),
            ast::ExprKind::Str(s) => AnnotValue::Str(s.clone()),
            ast::ExprKind::Duration(ns) => AnnotValue::Duration(*ns),
            ast::ExprKind::Bool(b) => AnnotValue::Bool(*b),
            ast::ExprKind::None => AnnotValue::None,
            ast::ExprKind::Unary {
                op: UnaryOp::Neg,
                expr,
            } => match &expr.kind {
                ast::ExprKind::Int(v) => AnnotValue::Int(v.wrapping_neg()),
                ast::ExprKind::Float(v) => AnnotValue::Float(-v),
                ast::ExprKind::Duration(ns) => AnnotValue::Duration(ns.wrapping_neg()),
                _ => return self.bad_annot_value(e.span),
            },
            ast::ExprKind::Binary { op, lhs, rhs } => {
                let Some(op) = comparison(*op) else {
                    return self.bad_annot_value(e.span);
                };
                let lhs = self.annot_value(lhs)?;
                let rhs = self.annot_value(rhs)?;
                AnnotValue::Compare {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }
            }
            _ => return self.bad_annot_value(e.span),
        };
        Some(value)
    }

    fn bad_annot_value(&mut self, span: Span) -> Option<AnnotValue> {
        self.error(
            "annotation arguments are names, literals and comparisons such as `mem >= 8GB`",
            span,
        );
        None
    }

    /// `supervisor App(strategy: one_for_one, max_restarts: 3, within: 5s)`,
    /// with defaults for the options not given.
    pub fn supervisor_options(&mut self, args: &[ast::Arg]) -> Vec<(String, AnnotValue)> {
        let mut strategy = AnnotValue::Symbol("one_for_one".into());
        let mut max_restarts = AnnotValue::Int(3);
        let mut within = AnnotValue::Duration(5_000_000_000);
        let mut seen = HashSet::new();
        for a in args {
            let Some(name) = &a.name else {
                self.error(
                    "supervisor options are named, as in `strategy: one_for_one`",
                    a.value.span,
                );
                continue;
            };
            if !seen.insert(name.name.as_str()) {
                self.error(format!("option `{}` is given twice", name.name), name.span);
            }
            let Some(value) = self.annot_value(&a.value) else {
                continue;
            };
            match (name.name.as_str(), &value) {
                ("strategy", AnnotValue::Symbol(s)) if STRATEGIES.contains(&s.as_str()) => strategy = value,
                ("strategy", _) => self.error(
                    "the strategy is one_for_one, one_for_all or rest_for_one",
                    a.value.span,
                ),
                ("max_restarts", AnnotValue::Int(n)) if *n >= 0 => max_restarts = value,
                ("max_restarts", _) => self.error(
                    "`max_restarts` is a non-negative integer",
                    a.value.span,
                ),
                ("within", AnnotValue::Duration(_)) => within = value,
                ("within", _) => self.error("`within` is a duration, such as `5s`", a.value.span),
                (other, _) => self.error(
                    format!(
                        "unknown supervisor option `{other}`; expected strategy, max_restarts or within"
                    ),
                    name.span,
                ),
            }
        }
        vec![
            ("strategy".into(), strategy),
            ("max_restarts".into(), max_restarts),
            ("within".into(), within),
        ]
    }
}

fn comparison(op: BinOp) -> Option<&'static str> {
    Some(match op {
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        _ => return None,
    })
}
