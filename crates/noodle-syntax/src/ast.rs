//! The abstract syntax tree. Every node carries a byte span into its source
//! file so that later phases can point diagnostics at it.
//!
//! Nodes are kept small (the parser moves them around, and big programs
//! have millions of them): rare, bulky parts are boxed. Dropping an
//! expression never recurses deeper than the brackets of the source, so
//! that a 100,000-term `a + b + ...` cannot overflow the stack.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A half-open byte range `start..end` into one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// An identifier's text. Cheap to clone: the parser shares one allocation
/// between every occurrence of a name in a file.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Arc<str>);

impl Name {
    pub fn new(text: &str) -> Name {
        Name(Arc::from(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == &*other.0
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == &*other.0
    }
}

impl AsRef<std::path::Path> for Name {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&*self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

/// One parsed source file: its top-level statements in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub stmts: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let name: ty = value`
    Let {
        name: Ident,
        ty: Option<Box<TypeExpr>>,
        value: Expr,
    },
    /// `target = value`, or `target op= value` when `op` is set.
    /// The target is a `Name`, `Index` or `Field` expression; the parser
    /// rejects anything else.
    Assign {
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
    },
    /// An expression statement; `if`, `match`, `try` and blocks used as
    /// statements land here too.
    Expr(Expr),
    While {
        cond: Expr,
        body: Block,
    },
    /// `for a in iter { }` or `for a, b in iter { }` (one or two names).
    For {
        vars: Vec<Ident>,
        iter: Expr,
        body: Box<Block>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Raise(Expr),
    Def(Box<FnDecl>),
    Struct(Box<StructDecl>),
    Enum(Box<EnumDecl>),
    Impl(Box<ImplDecl>),
    Actor(Box<ActorDecl>),
    Supervisor(Box<SupervisorDecl>),
    /// `import a.b.c` or `import a.b.c as x`
    Import {
        path: Vec<Ident>,
        alias: Option<Ident>,
    },
    /// `from a.b import x, y as z`
    FromImport {
        path: Vec<Ident>,
        names: Vec<ImportName>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportName {
    pub name: Ident,
    pub alias: Option<Ident>,
}

/// A type annotation: `int`, `Point`, `list[int]`, `map[str, int]`, or a
/// type of another module, `shapes.Rect`: then `name` holds the dotted path
/// (`"shapes.Rect"`) and its span covers the whole path.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    pub args: Vec<TypeExpr>,
    pub span: Span,
}

/// `@name(args)` before a declaration. Arguments are ordinary expressions,
/// so `@on(gpu, mem >= 8GB)` has a `Name` and a `Binary` argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub name: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FnBody {
    /// `{ ... }`
    Block(Block),
    /// `= expr`
    Expr(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub annotations: Vec<Annotation>,
    pub is_async: bool,
    pub name: Ident,
    /// Includes a leading `self` parameter for methods, as written.
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: FnBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructField {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub fields: Vec<StructField>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: Ident,
    /// Field names of a tuple-like variant; empty for `Empty`.
    pub fields: Vec<Ident>,
    /// Whether the variant was written with parentheses (`V()` vs `V`).
    pub has_parens: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub variants: Vec<Variant>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImplDecl {
    pub target: Ident,
    pub methods: Vec<FnDecl>,
    pub span: Span,
}

/// `actor Name(params) { let state = ...; def handler() { } }`.
/// The body holds `let` and `def` statements (sema rejects others).
#[derive(Clone, Debug, PartialEq)]
pub struct ActorDecl {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// `supervisor App(strategy: one_for_one, max_restarts: 3, within: 5s) { child = Actor(args) }`
#[derive(Clone, Debug, PartialEq)]
pub struct SupervisorDecl {
    pub annotations: Vec<Annotation>,
    pub name: Ident,
    pub options: Vec<Arg>,
    pub children: Vec<SupervisorChild>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SupervisorChild {
    pub name: Ident,
    /// The child spec, normally a call such as `Counter(0)`.
    pub spec: Expr,
}

/// A call argument, positional or named (`key: value`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    /// A string literal with escapes already processed (raw strings too).
    Str(String),
    /// `f"..."`: literal text and interpolated expressions in order.
    FStr(Vec<FStrPart>),
    /// A duration literal, in nanoseconds.
    Duration(i64),
    Bool(bool),
    None,
    SelfRef,
    Name(Name),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    /// Includes the short-circuiting `and` / `or`.
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
    },
    /// `callee(args)`; a method call is a `Call` whose callee is a `Field`.
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    Index {
        obj: Box<Expr>,
        index: Box<Expr>,
    },
    /// `obj[start..end]` / `obj[start..=end]`; either bound may be omitted.
    Slice {
        obj: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
        inclusive: bool,
    },
    Field {
        obj: Box<Expr>,
        name: Ident,
    },
    Lambda {
        is_async: bool,
        params: Box<[Param]>,
        body: Box<FnBody>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Block>,
        /// Either a `Block` expression or another `If`.
        else_: Option<Box<Expr>>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Try {
        body: Box<Block>,
        catches: Box<[CatchClause]>,
        finally: Option<Box<Block>>,
    },
    Block(Block),
    Await(Box<Expr>),
    /// `spawn call(...)`
    Spawn(Box<Expr>),
    /// `parallel all(opts) { branch; branch }`: each statement is one branch.
    Parallel {
        strategy: Box<Ident>,
        options: Box<[Arg]>,
        branches: Box<Vec<Stmt>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum FStrPart {
    Lit(String),
    Expr {
        expr: Expr,
        /// The text after the first top-level `:`, e.g. `.3` or `>8`.
        spec: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Not,
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CatchClause {
    /// The bound name (`catch e`); `None` for a bare `catch { }`.
    pub name: Option<Ident>,
    /// `catch e: KeyError` catches only that kind.
    pub kind: Option<Ident>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// A literal compared with `==`: int, float (possibly negated), str,
    /// bool, none or duration.
    Literal(Expr),
    /// A bare name: binds anything.
    Bind(Ident),
    /// `name: type`: binds when `type_of` matches. The type may be a
    /// dotted path (`shapes.Unit`), held as one identifier whose text is
    /// the path and whose span covers it.
    Typed { name: Ident, ty: Ident },
    /// `p | q | ...`
    Or(Vec<Pattern>),
    /// `[a, b, ..rest]`: `rest` is `Some(None)` for a bare `..`.
    List {
        items: Vec<Pattern>,
        rest: Option<Option<Ident>>,
    },
    /// `{"key": pattern, ...}`; extra keys are allowed. Keys are literals.
    Map(Vec<(Expr, Pattern)>),
    /// `Point(x, 0)`, `Shape.Circle(r)`, `shapes.Shape.Circle(r)`, or
    /// `Shape.Empty` (then `args` is `None`). `path` has one segment (with
    /// arguments) or more.
    Ctor {
        path: Vec<Ident>,
        args: Option<Vec<Pattern>>,
    },
}

impl Expr {
    /// A placeholder with no children, left behind by [`Expr::take`].
    pub fn empty(span: Span) -> Expr {
        Expr {
            kind: ExprKind::None,
            span,
        }
    }

    /// Moves the expression out, leaving [`Expr::empty`] in its place
    /// (`Expr` implements `Drop`, so its fields cannot be moved out).
    pub fn take(&mut self) -> Expr {
        let span = self.span;
        std::mem::replace(self, Expr::empty(span))
    }

    /// Moves the kind out, leaving `ExprKind::None`.
    pub fn take_kind(&mut self) -> ExprKind {
        std::mem::replace(&mut self.kind, ExprKind::None)
    }
}

/// Dropping takes the tree apart with an explicit stack along the edges
/// that source code can chain without brackets (operands, callees,
/// objects, `else if`, lambda bodies); everything else is inside brackets,
/// whose nesting the parser bounds.
impl Drop for Expr {
    fn drop(&mut self) {
        let mut stack = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(mut e) = stack.pop() {
            take_children(&mut e.kind, &mut stack);
        }
    }
}

fn take_children(kind: &mut ExprKind, out: &mut Vec<Expr>) {
    let mut push = |e: &mut Expr| {
        if has_children(&e.kind) {
            out.push(e.take());
        }
    };
    match kind {
        ExprKind::Unary { expr: e, .. } | ExprKind::Await(e) | ExprKind::Spawn(e) => push(e),
        ExprKind::Binary { lhs, rhs, .. } => {
            push(lhs);
            push(rhs);
        }
        ExprKind::Range { start, end, .. } => {
            push(start);
            push(end);
        }
        ExprKind::Call { callee: e, .. }
        | ExprKind::Field { obj: e, .. }
        | ExprKind::Slice { obj: e, .. }
        | ExprKind::Match { scrutinee: e, .. } => push(e),
        ExprKind::Index { obj, index } => {
            push(obj);
            push(index);
        }
        ExprKind::Lambda { body, .. } => {
            if let FnBody::Expr(e) = &mut **body {
                push(e);
            }
        }
        ExprKind::If { cond, else_, .. } => {
            push(cond);
            if let Some(e) = else_ {
                push(e);
            }
        }
        _ => {}
    }
}

/// Whether dropping this kind could recurse into another expression.
fn has_children(kind: &ExprKind) -> bool {
    !matches!(
        kind,
        ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Duration(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::SelfRef
            | ExprKind::Name(_)
    )
}
