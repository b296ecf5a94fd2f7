//! The abstract syntax tree. Every node carries a byte span into its source
//! file so that later phases can point diagnostics at it.

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

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
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
        ty: Option<TypeExpr>,
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
        body: Block,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Raise(Expr),
    Def(FnDecl),
    Struct(StructDecl),
    Enum(EnumDecl),
    Impl(ImplDecl),
    Actor(ActorDecl),
    Supervisor(SupervisorDecl),
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

/// A type annotation: `int`, `Point`, `list[int]`, `map[str, int]`.
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
    Name(String),
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
        params: Vec<Param>,
        body: FnBody,
    },
    If {
        cond: Box<Expr>,
        then: Block,
        /// Either a `Block` expression or another `If`.
        else_: Option<Box<Expr>>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Try {
        body: Block,
        catches: Vec<CatchClause>,
        finally: Option<Block>,
    },
    Block(Block),
    Await(Box<Expr>),
    /// `spawn call(...)`
    Spawn(Box<Expr>),
    /// `parallel all(opts) { branch; branch }`: each statement is one branch.
    Parallel {
        strategy: Ident,
        options: Vec<Arg>,
        branches: Vec<Stmt>,
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
    /// `name: type`: binds when `type_of` matches.
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
    /// `Point(x, 0)`, `Shape.Circle(r)`, or `Shape.Empty` (then `args` is
    /// `None`). `path` has one or two segments.
    Ctor {
        path: Vec<Ident>,
        args: Option<Vec<Pattern>>,
    },
}
