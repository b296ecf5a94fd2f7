//! Small AST constructors used by the grammar's actions, kept here so that
//! the grammar file reads as a grammar.

use crate::ast::*;

pub fn span(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

pub fn ident(name: &str, l: usize, r: usize) -> Ident {
    Ident {
        name: name.to_string(),
        span: Span::new(l, r),
    }
}

pub fn expr(kind: ExprKind, l: usize, r: usize) -> Expr {
    Expr {
        kind,
        span: Span::new(l, r),
    }
}

pub fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr {
        span: lhs.span.to(rhs.span),
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

pub fn unary(op: UnaryOp, operand: Expr, l: usize) -> Expr {
    Expr {
        span: Span::new(l, operand.span.end as usize),
        kind: ExprKind::Unary {
            op,
            expr: Box::new(operand),
        },
    }
}

pub fn range(start: Expr, end: Expr, inclusive: bool) -> Expr {
    Expr {
        span: start.span.to(end.span),
        kind: ExprKind::Range {
            start: Box::new(start),
            end: Box::new(end),
            inclusive,
        },
    }
}

pub fn call(callee: Expr, args: Vec<Arg>, r: usize) -> Expr {
    let l = callee.span.start as usize;
    let kind = ExprKind::Call {
        callee: Box::new(callee),
        args,
    };
    expr(kind, l, r)
}

/// `a[i]`, or `a[i..j]` when the index is a range.
pub fn index(obj: Expr, index: Expr, r: usize) -> Expr {
    let start = obj.span.start as usize;
    let kind = match index.kind {
        ExprKind::Range {
            start: lo,
            end: hi,
            inclusive,
        } => ExprKind::Slice {
            obj: Box::new(obj),
            start: Some(lo),
            end: Some(hi),
            inclusive,
        },
        kind => ExprKind::Index {
            obj: Box::new(obj),
            index: Box::new(Expr {
                kind,
                span: index.span,
            }),
        },
    };
    expr(kind, start, r)
}

pub fn slice(obj: Expr, start: Option<Expr>, end: Option<Expr>, inclusive: bool, r: usize) -> Expr {
    let l = obj.span.start as usize;
    let kind = ExprKind::Slice {
        obj: Box::new(obj),
        start: start.map(Box::new),
        end: end.map(Box::new),
        inclusive,
    };
    expr(kind, l, r)
}

pub fn field(obj: Expr, name: Ident, r: usize) -> Expr {
    let l = obj.span.start as usize;
    let kind = ExprKind::Field {
        obj: Box::new(obj),
        name,
    };
    expr(kind, l, r)
}

pub fn lambda(is_async: bool, params: Vec<Param>, body: FnBody, l: usize, r: usize) -> Expr {
    expr(
        ExprKind::Lambda {
            is_async,
            params,
            body,
        },
        l,
        r,
    )
}

pub fn block_expr(block: Block) -> Expr {
    Expr {
        span: block.span,
        kind: ExprKind::Block(block),
    }
}

pub fn pattern(kind: PatternKind, l: usize, r: usize) -> Box<Pattern> {
    Box::new(Pattern {
        kind,
        span: Span::new(l, r),
    })
}

/// A bare name in a pattern: `_` matches anything, other names bind.
pub fn name_pattern(name: Ident) -> Box<Pattern> {
    let span = name.span;
    let kind = if name.name == "_" {
        PatternKind::Wildcard
    } else {
        PatternKind::Bind(name)
    };
    Box::new(Pattern { kind, span })
}

/// One element of a list pattern, before `..rest` is checked to be last.
pub enum ListItem {
    Pat(Box<Pattern>),
    Rest(Option<Ident>, Span),
}

/// Puts the annotations written before a declaration into it.
pub fn annotate(kind: Box<StmtKind>, anns: Vec<Annotation>) -> Box<StmtKind> {
    let mut kind = kind;
    match &mut *kind {
        StmtKind::Def(d) => d.annotations = anns,
        StmtKind::Struct(d) => d.annotations = anns,
        StmtKind::Enum(d) => d.annotations = anns,
        StmtKind::Actor(d) => d.annotations = anns,
        StmtKind::Supervisor(d) => d.annotations = anns,
        _ => {}
    }
    kind
}

/// Flattens a statement list in which separators and failed statements
/// left `None`s.
pub fn stmts(items: Vec<Option<Option<Box<Stmt>>>>, last: Option<Option<Box<Stmt>>>) -> Vec<Stmt> {
    items
        .into_iter()
        .flatten()
        .chain(last)
        .flatten()
        .map(|s| *s)
        .collect()
}

/// Large nodes travel boxed through the parser (its stack moves values
/// around, and each move copies the largest node type); this unboxes them
/// into the AST's vectors.
pub fn unbox<T>(items: Vec<Box<T>>) -> Vec<T> {
    items.into_iter().map(|b| *b).collect()
}

/// `a, b, c` with an optional trailing element: the shape of lalrpop's
/// `(<T> ",")* T?`.
pub fn list<T>(mut items: Vec<T>, last: Option<T>) -> Vec<T> {
    items.extend(last);
    items
}

/// `first` followed by `rest`.
pub fn cons<T>(first: T, rest: Vec<T>) -> Vec<T> {
    let mut items = Vec::with_capacity(rest.len() + 1);
    items.push(first);
    items.extend(rest);
    items
}
