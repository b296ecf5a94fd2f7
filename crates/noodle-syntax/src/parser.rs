//! The parser driver: lexing, the newline rule, the generated LR parser,
//! and the checks and messages that the grammar itself cannot express.

use crate::actions::{self, ListItem, NOT, Op, Operand};
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::fxhash::FxHashMap;
use crate::grammar;
use crate::layout::{Layout, Summary};
use crate::lexer::{Lexer, Tok};
use crate::strings::FPart;
use lalrpop_util::{ErrorRecovery, ParseError};
use std::ops::Range;

/// f-strings inside f-string expressions may nest this deep.
const MAX_FSTRING_DEPTH: u32 = 16;

/// What the single start symbol produced.
pub enum Parsed {
    Module(Vec<Stmt>),
    Expr(Box<Expr>),
}

type SyntaxError<'src> = ParseError<usize, Tok<'src>, Diagnostic>;

/// State the grammar's actions share: the whole source file (f-string
/// expressions are parsed from it) and the diagnostics found so far.
pub struct Ctx<'src> {
    src: &'src str,
    diags: Vec<Diagnostic>,
    /// Syntax errors from the parser, and whether each is at the end of
    /// the input; some are dropped once the whole stream is known.
    syntax: Vec<(Diagnostic, bool)>,
    /// f-string nesting depth of the text being parsed.
    depth: u32,
    /// One shared [`Name`] per distinct identifier.
    names: FxHashMap<&'src str, Name>,
    /// Offsets of the `{` tokens that error recovery skipped: a `}` the
    /// parser then stumbles on closes one of them, and is no news.
    skipped_braces: Vec<usize>,
}

/// Parses a whole source file. Always returns a module, without the
/// statements that failed to parse, and every error found.
pub fn parse(source: &str) -> (Module, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let stmts = match run(source, 0..source.len(), false, 0, &mut diags) {
        Some(Parsed::Module(stmts)) => stmts,
        _ => Vec::new(),
    };
    sort(&mut diags);
    (Module { stmts }, diags)
}

/// Parses a single expression (newlines inside it are ignored).
pub fn parse_expr(source: &str) -> Result<Expr, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let parsed = run(source, 0..source.len(), true, 0, &mut diags);
    match parsed {
        Some(Parsed::Expr(e)) if diags.is_empty() => Ok(*e),
        _ => {
            sort(&mut diags);
            Err(diags)
        }
    }
}

fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| d.span.start);
}

/// Parses `src[range]` as a module or an expression, with spans into `src`.
fn run(
    src: &str,
    range: Range<usize>,
    expr: bool,
    depth: u32,
    diags: &mut Vec<Diagnostic>,
) -> Option<Parsed> {
    let mut layout = Layout::new(Lexer::new(&src[range.clone()], range.start), expr);
    let start = if expr {
        Tok::StartExpr
    } else {
        Tok::StartModule
    };
    let tokens = std::iter::once((range.start, start, range.start))
        .chain(layout.by_ref())
        .map(Ok);
    let mut ctx = Ctx {
        src,
        diags: Vec::new(),
        syntax: Vec::new(),
        depth,
        names: FxHashMap::default(),
        skipped_braces: Vec::new(),
    };
    let result = grammar::StartParser::new().parse(&mut ctx, tokens);
    let parsed = result.map_err(|e| ctx.report(e)).ok();
    let summary = layout.finish();
    ctx.keep_new_syntax_errors(&summary);
    diags.extend(summary.diags);
    diags.append(&mut ctx.diags);
    parsed
}

impl<'src> Ctx<'src> {
    /// The shared name for an identifier's text.
    pub fn name(&mut self, text: &'src str) -> Name {
        self.names
            .entry(text)
            .or_insert_with(|| Name::new(text))
            .clone()
    }

    pub fn ident(&mut self, text: &'src str, l: usize, r: usize) -> Ident {
        Ident {
            name: self.name(text),
            span: Span::new(l, r),
        }
    }

    /// A dotted type path (`shapes.Rect`) as one identifier.
    pub fn dotted(&mut self, first: &'src str, rest: Vec<&'src str>, l: usize, r: usize) -> Ident {
        let mut text = first.to_string();
        for part in rest {
            text.push('.');
            text.push_str(part);
        }
        Ident {
            name: Name::new(&text),
            span: Span::new(l, r),
        }
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::error(message, span));
    }

    /// Records a syntax error the parser recovered from.
    pub fn recovered(&mut self, e: ErrorRecovery<usize, Tok<'src>, Diagnostic>) {
        self.report(e.error);
        let braces = e
            .dropped_tokens
            .iter()
            .filter(|(_, t, _)| *t == Tok::LBrace);
        self.skipped_braces.extend(braces.map(|&(l, _, _)| l));
    }

    fn report(&mut self, e: SyntaxError<'src>) {
        let diag: (Diagnostic, bool) = match e {
            ParseError::InvalidToken { location } => (
                Diagnostic::error("invalid token", Span::new(location, location + 1)),
                false,
            ),
            ParseError::UnrecognizedEof { location, expected } => {
                let span = Span::new(location, location);
                (syntax_error(&expected, "end of input", span), true)
            }
            ParseError::UnrecognizedToken {
                token: (l, tok, r),
                expected,
            } => {
                let found = self.found(&tok, l, r);
                (syntax_error(&expected, &found, Span::new(l, r)), false)
            }
            ParseError::ExtraToken { token: (l, tok, r) } => {
                let message = format!("unexpected {}", self.found(&tok, l, r));
                (Diagnostic::error(message, Span::new(l, r)), false)
            }
            ParseError::User { error } => (error, false),
        };
        // Recovery can fail again at the same token; say it once.
        if self
            .syntax
            .last()
            .is_none_or(|(d, _)| d.span != diag.0.span)
        {
            self.syntax.push(diag);
        }
    }

    /// Moves the parser's errors to the diagnostics, leaving out those that
    /// only repeat what the lexer or the layout pass reported: errors after
    /// an unclosed `(` or `[` (newlines are ignored from there on), at the
    /// end of input when brackets are open, right after a dropped bad
    /// character or stray closer, and at a closer that also closed an
    /// unclosed bracket. Also left out: an error at a `}` whose `{` an
    /// earlier error's recovery skipped.
    fn keep_new_syntax_errors(&mut self, summary: &Summary) {
        let mut earlier: Vec<usize> = summary.diags.iter().map(|d| d.span.end as usize).collect();
        earlier.sort_unstable();
        let src = self.src;
        let follows_earlier = |at: usize| {
            let i = earlier.partition_point(|&end| end <= at);
            i > 0
                && src
                    .get(earlier[i - 1]..at)
                    .is_some_and(|gap| gap.trim().is_empty())
        };
        for (diag, at_eof) in std::mem::take(&mut self.syntax) {
            let at = diag.span.start as usize;
            let closes_skipped = || {
                let i = summary.braces.partition_point(|&(close, _)| close < at);
                summary.braces.get(i).is_some_and(|&(close, open)| {
                    close == at && self.skipped_braces.contains(&open)
                })
            };
            let repeats = if at_eof {
                summary.incomplete || summary.unclosed_paren.is_some()
            } else {
                summary.unclosed_paren.is_some_and(|open| at > open)
                    || follows_earlier(at)
                    || summary.drained.contains(&at)
                    || closes_skipped()
            };
            if !repeats {
                self.diags.push(diag);
            }
        }
    }

    /// How a token is named in "found ..." messages: its text, shortened.
    fn found(&self, tok: &Tok, l: usize, r: usize) -> String {
        match tok {
            Tok::Newline => "end of line".to_string(),
            Tok::StartModule | Tok::StartExpr => "start of input".to_string(),
            _ => {
                let text = self.src.get(l..r).unwrap_or("");
                match text.char_indices().nth(24) {
                    Some((cut, _)) => format!("`{}...`", &text[..cut]),
                    None => format!("`{text}`"),
                }
            }
        }
    }

    /// Builds the tree of a flat list of operands and binary operators
    /// (precedence climbing with explicit stacks, so that a long chain
    /// needs no recursion). Comparisons and ranges do not chain, and `not`
    /// may only start an operand of `and`, `or` or nothing.
    pub fn binary(&mut self, first: Operand, rest: Vec<((Op, Span), Operand)>) -> Expr {
        if rest.is_empty() && first.nots.is_empty() {
            return first.expr;
        }
        enum Pending {
            Bin(Op),
            Not(usize),
        }
        impl Pending {
            fn precedence(&self) -> u8 {
                match self {
                    Pending::Bin(op) => op.precedence(),
                    Pending::Not(_) => NOT,
                }
            }
        }
        fn reduce(operands: &mut Vec<Expr>, pending: Pending) {
            let rhs = operands
                .pop()
                .unwrap_or_else(|| Expr::empty(Span::default()));
            let e = match pending {
                Pending::Not(at) => actions::unary(UnaryOp::Not, rhs, at),
                Pending::Bin(op) => {
                    let lhs = operands.pop().unwrap_or_else(|| Expr::empty(rhs.span));
                    match op {
                        Op::Bin(op) => actions::binary(op, lhs, rhs),
                        Op::Range(inclusive) => actions::range(lhs, rhs, inclusive),
                    }
                }
            };
            operands.push(e);
        }
        let mut operands = Vec::new();
        let mut pending: Vec<Pending> = Vec::new();
        pending.extend(first.nots.iter().map(|&at| Pending::Not(at)));
        operands.push(first.expr);
        for ((op, op_span), operand) in rest {
            let prec = op.precedence();
            while let Some(top) = pending.last() {
                let top_prec = top.precedence();
                if top_prec < prec {
                    break;
                }
                if top_prec == prec && matches!(prec, 4 | 9) {
                    let message = if prec == 4 {
                        "comparison operators cannot be chained"
                    } else {
                        "ranges cannot be chained"
                    };
                    let note = if prec == 4 {
                        "write `a < b and b < c`"
                    } else {
                        "put the inner range in parentheses"
                    };
                    self.diags
                        .push(Diagnostic::error(message, op_span).with_note(note));
                }
                if let Some(top) = pending.pop() {
                    reduce(&mut operands, top);
                }
            }
            pending.push(Pending::Bin(op));
            if let Some(&at) = operand.nots.first()
                && prec > NOT
            {
                self.error("expected an expression, found `not`", Span::new(at, at + 3));
            }
            pending.extend(operand.nots.iter().map(|&at| Pending::Not(at)));
            operands.push(operand.expr);
        }
        while let Some(top) = pending.pop() {
            reduce(&mut operands, top);
        }
        operands
            .pop()
            .unwrap_or_else(|| Expr::empty(Span::default()))
    }

    /// `target = value` or `target op= value`.
    pub fn assign(&mut self, target: Expr, op: Option<BinOp>, value: Expr) -> Box<StmtKind> {
        if !matches!(
            target.kind,
            ExprKind::Name(_) | ExprKind::Index { .. } | ExprKind::Field { .. }
        ) {
            self.error(
                "cannot assign to this expression: only to a name, an index `a[i]` or a field `a.b`",
                target.span,
            );
        }
        Box::new(StmtKind::Assign { target, op, value })
    }

    pub fn for_loop(&mut self, vars: Vec<Ident>, iter: Expr, body: Block) -> Box<StmtKind> {
        if let Some(extra) = vars.get(2) {
            self.error("a `for` loop binds one or two names", extra.span);
        }
        Box::new(StmtKind::For {
            vars,
            iter,
            body: Box::new(body),
        })
    }

    pub fn spawn(&mut self, operand: Expr, l: usize, r: usize) -> Expr {
        if !matches!(operand.kind, ExprKind::Call { .. }) {
            self.error("`spawn` needs a call, such as `spawn f(x)`", operand.span);
        }
        Expr {
            kind: ExprKind::Spawn(Box::new(operand)),
            span: Span::new(l, r),
        }
    }

    pub fn impl_decl(&mut self, target: Ident, body: Vec<Stmt>, span: Span) -> Box<StmtKind> {
        let mut methods = Vec::new();
        for stmt in body {
            match stmt.kind {
                StmtKind::Def(f) => methods.push(*f),
                _ => self.error("an `impl` block may only contain `def`s", stmt.span),
            }
        }
        Box::new(StmtKind::Impl(Box::new(ImplDecl {
            target,
            methods,
            span,
        })))
    }

    pub fn supervisor(
        &mut self,
        name: Ident,
        options: Vec<Arg>,
        body: Vec<Stmt>,
        span: Span,
    ) -> Box<StmtKind> {
        let mut children = Vec::new();
        for stmt in body {
            match stmt.kind {
                StmtKind::Assign {
                    mut target,
                    op: None,
                    value,
                } if matches!(target.kind, ExprKind::Name(_)) => {
                    let span = target.span;
                    if let ExprKind::Name(child) = target.take_kind() {
                        children.push(SupervisorChild {
                            name: Ident { name: child, span },
                            spec: value,
                        });
                    }
                }
                _ => self.error(
                    "a supervisor's body lists its children as `name = Actor(args)`",
                    stmt.span,
                ),
            }
        }
        Box::new(StmtKind::Supervisor(Box::new(SupervisorDecl {
            annotations: Vec::new(),
            name,
            options,
            children,
            span,
        })))
    }

    /// `[a, b, ..rest]`: a rest element may only come last.
    pub fn list_pattern(&mut self, items: Vec<ListItem>, span: Span) -> Box<Pattern> {
        let mut pats = Vec::new();
        let mut rest = None;
        for item in items {
            if let Some((_, rest_span)) = rest {
                self.error("`..` must be the last element of a list pattern", rest_span);
            }
            match item {
                ListItem::Pat(p) => pats.push(*p),
                // `.._` discards the rest, like `..`.
                ListItem::Rest(name, s) => rest = Some((name.filter(|n| n.name != "_"), s)),
            }
        }
        let kind = PatternKind::List {
            items: pats,
            rest: rest.map(|(name, _)| name),
        };
        Box::new(Pattern { kind, span })
    }

    /// Parses the expressions of an f-string from their source text.
    pub fn fstring(&mut self, parts: Vec<FPart>, l: usize, r: usize) -> Expr {
        let parts = parts
            .into_iter()
            .filter_map(|part| match part {
                FPart::Lit(s) => Some(FStrPart::Lit(s)),
                FPart::Expr { range, spec } => {
                    let expr = self.fstring_expr(range)?;
                    Some(FStrPart::Expr { expr, spec })
                }
            })
            .collect();
        Expr {
            kind: ExprKind::FStr(parts),
            span: Span::new(l, r),
        }
    }

    fn fstring_expr(&mut self, range: Range<usize>) -> Option<Expr> {
        // The braces around the expression, for messages.
        let braces = Span::new(range.start - 1, range.end + 1);
        if self.src[range.clone()].trim().is_empty() {
            self.error("empty expression in f-string", braces);
            return None;
        }
        if self.depth >= MAX_FSTRING_DEPTH {
            self.error("f-strings are nested too deeply", braces);
            return None;
        }
        match run(self.src, range, true, self.depth + 1, &mut self.diags)? {
            Parsed::Expr(e) => Some(*e),
            Parsed::Module(_) => None,
        }
    }
}

/// The message for an unexpected token, from the terminals the parser
/// could have taken instead: "expected X, found Y".
fn syntax_error(expected: &[String], found: &str, span: Span) -> Diagnostic {
    let names: Vec<&str> = expected.iter().map(|s| s.trim_matches('"')).collect();
    let has = |n: &str| names.contains(&n);
    let what = if has("let") {
        "a statement".to_string()
    } else if has("f-string") {
        if found == "`{`" {
            // Only the head of `if`/`while`/`for`/`match` rejects a map.
            return Diagnostic::error(format!("expected an expression, found {found}"), span)
                .with_note("a map literal in the head of `if`, `while`, `for` or `match` must be in parentheses");
        }
        "an expression".to_string()
    } else if has("{") && has("and") {
        // After the head of `if`, `while`, `for` or `match`.
        "`{`".to_string()
    } else if has("identifier") && has("integer") && has("[") {
        "a pattern".to_string()
    } else if names.is_empty() || names.len() > 4 {
        return Diagnostic::error(format!("unexpected {found}"), span);
    } else {
        let mut quoted: Vec<String> = names.iter().map(|n| quote(n)).collect();
        let last = quoted.pop().unwrap_or_default();
        if quoted.is_empty() {
            last
        } else {
            format!("{} or {last}", quoted.join(", "))
        }
    };
    Diagnostic::error(format!("expected {what}, found {found}"), span)
}

/// Terminal names as they appear in messages.
fn quote(name: &str) -> String {
    match name {
        "end of line" | "identifier" | "integer" | "float" | "duration" | "string" | "f-string" => {
            name.replace("integer", "number")
        }
        _ => format!("`{name}`"),
    }
}
