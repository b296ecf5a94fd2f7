//! Small AST constructors used by the grammar's actions, kept here so that
//! the grammar file reads as a grammar.

use crate::ast::*;

pub fn span(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

pub fn expr(kind: ExprKind, l: usize, r: usize) -> Expr {
    Expr {
        kind,
        span: Span::new(l, r),
    }
}

/// `e` with its span widened to `l..r` (its parentheses).
pub fn with_span(mut e: Expr, l: usize, r: usize) -> Expr {
    e.span = Span::new(l, r);
    e
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
pub fn index(obj: Expr, mut index: Expr, r: usize) -> Expr {
    let start = obj.span.start as usize;
    let index_span = index.span;
    let kind = match index.take_kind() {
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
                span: index_span,
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
            params: params.into(),
            body: Box::new(body),
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
    let mut out = Vec::with_capacity(items.len() + 1);
    for stmt in items.into_iter().flatten().chain(last).flatten() {
        out.push(*stmt);
    }
    out
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

/// A binary operator of the flat operator list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Bin(BinOp),
    /// `..` (false) or `..=` (true).
    Range(bool),
}

impl Op {
    /// Binding strength: higher binds tighter. `not` sits at [`NOT`].
    pub fn precedence(self) -> u8 {
        match self {
            Op::Bin(BinOp::Or) => 1,
            Op::Bin(BinOp::And) => 2,
            Op::Bin(
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In,
            ) => 4,
            Op::Bin(BinOp::BitOr) => 5,
            Op::Bin(BinOp::BitXor) => 6,
            Op::Bin(BinOp::BitAnd) => 7,
            Op::Bin(BinOp::Shl | BinOp::Shr) => 8,
            Op::Range(_) => 9,
            Op::Bin(BinOp::Add | BinOp::Sub) => 10,
            Op::Bin(BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::Mod) => 11,
            // `**` is parsed by the grammar itself.
            Op::Bin(BinOp::Pow) => 12,
        }
    }
}

/// The precedence of prefix `not`: looser than comparisons, tighter than
/// `and`.
pub const NOT: u8 = 3;

/// One operand of the flat list, with the `not`s written before it
/// (their offsets, outermost first).
pub struct Operand {
    pub nots: Vec<usize>,
    pub expr: Expr,
}

impl Operand {
    pub fn new(expr: Expr) -> Operand {
        Operand {
            nots: Vec::new(),
            expr,
        }
    }

    pub fn negated(mut self, at: usize) -> Operand {
        self.nots.insert(0, at);
        self
    }
}
