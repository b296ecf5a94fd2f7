//! The resolved IR: a tree close to the AST in which every name has been
//! resolved to a local, a captured cell, a global slot or a builtin, module
//! member accesses have been turned into direct references, and functions
//! (including lambdas, methods, actor handlers, module top levels and
//! parallel branches) live in one flat table so that codegen can compile
//! each on its own.

use noodle_syntax::SourceFile;
use noodle_syntax::ast::{BinOp, Name, Span, UnaryOp};
use std::sync::Arc;

/// Index into [`Program::files`].
pub type FileId = u32;
/// Index into [`Program::functions`].
pub type FnId = u32;
/// Index into the owning function's [`Function::locals`].
pub type LocalId = u32;
/// Index into [`Program::globals`].
pub type GlobalId = u32;

/// Everything codegen needs for one compilation.
#[derive(Debug)]
pub struct Program {
    /// Every source file of the session, by [`FileId`].
    pub files: Vec<Arc<SourceFile>>,
    /// The functions created by this compilation, by [`FnId`].
    pub functions: Vec<Function>,
    /// Struct declarations of this compilation (`GlobalDef::Struct` indexes it).
    pub structs: Vec<StructDef>,
    /// Enum declarations of this compilation (`GlobalDef::Enum` indexes it).
    pub enums: Vec<EnumDef>,
    /// Qualified names of every global slot; in the REPL this extends the
    /// previous inputs' table, keeping their indices.
    pub globals: Vec<String>,
    /// Module initialisers to run, dependencies first.
    pub inits: Vec<FnId>,
    /// `main()` of the entry module, called after the initialisers.
    pub main: Option<MainFn>,
    /// REPL mode: the last initialiser returns the value of its final
    /// expression statement, and the entry returns it.
    pub returns_last_value: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct MainFn {
    pub global: GlobalId,
    pub is_async: bool,
}

#[derive(Clone, Debug)]
pub struct StructDef {
    pub name: String,
    /// Field names with their checked type names.
    pub fields: Vec<(String, Option<String>)>,
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<VariantDef>,
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    pub fields: Vec<String>,
    pub is_unit: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FnKind {
    /// A `def`, lambda, method, actor handler or parallel branch.
    Function,
    /// The top-level code of one module.
    ModuleInit,
    /// An actor's constructor (see [`ActorInit`]).
    ActorInit,
    /// A supervisor's constructor (see [`SupervisorInit`]).
    SupervisorInit,
}

#[derive(Debug)]
pub struct Function {
    /// Shown in traces.
    pub name: String,
    pub kind: FnKind,
    pub file: FileId,
    pub span: Span,
    pub is_async: bool,
    pub params: Vec<Param>,
    /// Checked type of the returned value.
    pub ret_ty: Option<String>,
    /// Every local variable declared in the function (parameters first).
    pub locals: Vec<LocalInfo>,
    /// Cells captured from enclosing functions, in `LoadUpval` order.
    pub captures: Vec<CaptureSource>,
    pub body: Block,
    pub actor: Option<ActorInit>,
    pub supervisor: Option<SupervisorInit>,
}

#[derive(Debug)]
pub struct Param {
    pub local: LocalId,
    pub name: String,
    pub default: Option<Expr>,
    pub ty: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct LocalInfo {
    pub name: Name,
    /// Some closure captures it, so it lives in a cell.
    pub captured: bool,
}

/// Where a closure's captured cell comes from, seen from the function that
/// creates the closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaptureSource {
    /// That function's local (which is then held in a cell).
    Local(LocalId),
    /// That function's own captured cell.
    Upval(u16),
}

/// How an actor constructor is laid out. Its `body` holds the state
/// initialisers, as assignments to pre-declared locals.
#[derive(Debug)]
pub struct ActorInit {
    pub name: String,
    /// Locals that exist (as cells when captured) before the body runs:
    /// the state variables and the handlers.
    pub predeclared: Vec<LocalId>,
    /// State variables in declaration order.
    pub state: Vec<LocalId>,
    pub handlers: Vec<Handler>,
    pub annotations: Vec<Annotation>,
}

#[derive(Debug)]
pub struct Handler {
    pub name: String,
    pub local: LocalId,
    pub func: FnId,
}

#[derive(Debug)]
pub struct SupervisorInit {
    pub name: String,
    /// Options in a fixed order, defaults filled in.
    pub options: Vec<(String, AnnotValue)>,
    pub children: Vec<ChildSpec>,
    pub annotations: Vec<Annotation>,
}

#[derive(Debug)]
pub struct ChildSpec {
    pub name: String,
    pub actor: Expr,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// `@name(args)`, as data.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub name: String,
    pub args: Vec<AnnotValue>,
    pub named: Vec<(String, AnnotValue)>,
}

/// An annotation or supervisor-option argument. Bare names are symbols.
#[derive(Clone, Debug, PartialEq)]
pub enum AnnotValue {
    Symbol(String),
    Int(i64),
    Float(f64),
    Str(String),
    Duration(i64),
    Bool(bool),
    None,
    /// `mem >= 8GB`: operator, left and right operands.
    Compare {
        op: &'static str,
        lhs: Box<AnnotValue>,
        rhs: Box<AnnotValue>,
    },
}

#[derive(Debug, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum StmtKind {
    /// Declares a local (fresh cell when captured) or sets a module global.
    Let {
        target: LetTarget,
        ty: Option<String>,
        value: Expr,
    },
    /// `target = value` / `target op= value`; `check` is the declared type
    /// of an annotated variable.
    Assign {
        target: AssignTarget,
        op: Option<BinOp>,
        value: Expr,
        check: Option<String>,
    },
    Expr(Expr),
    While {
        cond: Expr,
        body: Block,
    },
    /// One or two loop variables (two: each element is destructured).
    For {
        vars: Vec<LocalId>,
        iter: ForIter,
        body: Block,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Raise(Expr),
    /// A `def` inside a block: a closure stored in a local.
    LocalFn {
        local: LocalId,
        func: FnId,
    },
    /// A hoisted top-level declaration stored in its global slot.
    DefineGlobal {
        global: GlobalId,
        def: GlobalDef,
    },
    /// `impl T { ... }`: each method is added to the type `target`.
    Impl {
        target: Expr,
        methods: Vec<FnId>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetTarget {
    Local(LocalId),
    Global(GlobalId),
}

#[derive(Debug)]
pub enum AssignTarget {
    Var(VarRef),
    Index { obj: Box<Expr>, index: Box<Expr> },
    Field { obj: Box<Expr>, name: Name },
}

#[derive(Debug)]
pub enum ForIter {
    /// A syntactic `a..b` / `a..=b`.
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
    },
    Value(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalDef {
    Function(FnId),
    /// Index into [`Program::structs`].
    Struct(u32),
    /// Index into [`Program::enums`].
    Enum(u32),
    /// The actor's constructor function.
    Actor(FnId),
    /// The supervisor's constructor function.
    Supervisor(FnId),
}

/// A resolved variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarRef {
    Local(LocalId),
    Upval(u16),
    Global(GlobalId),
    Builtin(u16),
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParallelStrategy {
    All = 0,
    Any = 1,
    Race = 2,
    Collect = 3,
}

#[derive(Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    Duration(i64),
    Bool(bool),
    None,
    FStr(Vec<FStrPart>),
    Var(VarRef),
    /// `self` inside an actor: the running actor's address.
    ActorSelf,
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
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    MethodCall {
        receiver: Box<Expr>,
        method: Name,
        args: Box<[Arg]>,
    },
    /// `spawn callee(args)`.
    Spawn {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    Index {
        obj: Box<Expr>,
        index: Box<Expr>,
    },
    Slice {
        obj: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
        inclusive: bool,
    },
    Field {
        obj: Box<Expr>,
        name: Name,
    },
    Closure(FnId),
    If {
        cond: Box<Expr>,
        then: Box<Block>,
        else_: Option<Box<Expr>>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Try {
        body: Box<Block>,
        catches: Box<[Catch]>,
        finally: Option<Box<Block>>,
    },
    Block(Block),
    Await(Box<Expr>),
    /// Each branch is a zero-parameter function.
    Parallel {
        strategy: ParallelStrategy,
        options: Box<[(String, Expr)]>,
        branches: Box<[FnId]>,
    },
    /// Stands in for an expression that had an error; never compiled.
    Invalid,
}

/// A call argument; named ones always come after the positional ones.
#[derive(Debug)]
pub struct Arg {
    pub name: Option<Name>,
    pub value: Expr,
}

#[derive(Debug)]
pub enum FStrPart {
    Lit(String),
    Expr { expr: Expr, spec: Option<String> },
}

#[derive(Debug)]
pub struct MatchArm {
    /// Locals bound by the pattern (every alternative binds all of them).
    pub bindings: Vec<LocalId>,
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug)]
pub struct Catch {
    pub binding: Option<LocalId>,
    /// Only errors of this kind.
    pub kind: Option<String>,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum PatternKind {
    Wildcard,
    /// Compared with `==`.
    Literal(Expr),
    Bind(LocalId),
    /// Binds when `type_of` equals `ty` (`any` always matches); `_: ty`
    /// binds nothing.
    Typed {
        local: Option<LocalId>,
        ty: String,
    },
    Or(Vec<Pattern>),
    /// Only lists; `rest` is `Some(None)` for a bare `..`.
    List {
        items: Vec<Pattern>,
        rest: Option<Option<LocalId>>,
    },
    /// Only maps; extra keys allowed.
    Map(Vec<(Expr, Pattern)>),
    /// `IsInstance` against `ty` (a struct type, a variant constructor or a
    /// unit variant), then positional fields.
    Instance {
        ty: Expr,
        fields: Option<Vec<Pattern>>,
    },
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Moves the expression out, leaving a childless placeholder.
    fn take(&mut self) -> Expr {
        let span = self.span;
        std::mem::replace(self, Expr::new(ExprKind::Invalid, span))
    }
}

/// Dropping takes the tree apart with an explicit stack along the edges
/// that can chain without brackets (operands, callees, receivers,
/// objects, `else if`), so that a 100,000-term `a + b + ...` cannot
/// overflow the stack of whichever thread drops it.
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
        if !matches!(
            e.kind,
            ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Str(_)
                | ExprKind::Duration(_)
                | ExprKind::Bool(_)
                | ExprKind::None
                | ExprKind::Var(_)
                | ExprKind::ActorSelf
                | ExprKind::Closure(_)
                | ExprKind::Invalid
        ) {
            out.push(e.take());
        }
    };
    match kind {
        ExprKind::Unary { expr: e, .. } | ExprKind::Await(e) => push(e),
        ExprKind::Binary { lhs, rhs, .. } => {
            push(lhs);
            push(rhs);
        }
        ExprKind::Range { start, end, .. } => {
            push(start);
            push(end);
        }
        ExprKind::Call { callee: e, .. }
        | ExprKind::Spawn { callee: e, .. }
        | ExprKind::MethodCall { receiver: e, .. }
        | ExprKind::Field { obj: e, .. }
        | ExprKind::Slice { obj: e, .. }
        | ExprKind::Match { scrutinee: e, .. } => push(e),
        ExprKind::Index { obj, index } => {
            push(obj);
            push(index);
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
