//! The logos lexer: source text to tokens with byte spans.
//!
//! Newlines are kept as [`Tok::Newline`] tokens here; the layout pass
//! ([`crate::layout`]) decides which of them end a statement. Lexical
//! errors never stop the lexer: a bad literal still yields a token (so the
//! parser sees a well-formed stream) and a diagnostic.

use crate::ast::Span;
use crate::diagnostic::Diagnostic;
use crate::strings::{FPart, Issue, Scanner};
use logos::Logos;

/// State shared by the callbacks of one lexer run.
#[derive(Default)]
pub struct Extras {
    issues: Vec<Issue>,
    unterminated: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct LexError;

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(extras = Extras)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\f]+")]
// A comment runs to the end of its line, so the greedy match is wanted.
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum Tok<'src> {
    #[token("\n")]
    Newline,

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice())]
    Ident(&'src str),
    #[regex(r"[0-9][0-9_]*", int_lit, priority = 5)]
    #[regex(r"0x[0-9a-fA-F_]+", int_lit, priority = 10)]
    #[regex(r"0b[01_]+", int_lit, priority = 10)]
    #[regex(r"[0-9][0-9_]*(B|KB|MB|GB|TB)", size_lit, priority = 10)]
    #[regex(r"([0-9][0-9_]*|[0-9][0-9_]*\.[0-9][0-9_]*|[0-9][0-9_]*(\.[0-9][0-9_]*)?[eE][+-]?[0-9][0-9_]*)[A-Za-z_][A-Za-z0-9_]*", bad_suffix, priority = 1)]
    Int(i64),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*", float_lit, priority = 5)]
    #[regex(
        r"[0-9][0-9_]*(\.[0-9][0-9_]*)?[eE][+-]?[0-9][0-9_]*",
        float_lit,
        priority = 5
    )]
    Float(f64),
    #[regex(r"([0-9][0-9_]*|[0-9][0-9_]*\.[0-9][0-9_]*|[0-9][0-9_]*(\.[0-9][0-9_]*)?[eE][+-]?[0-9][0-9_]*)(ns|us|ms|s|m|h)", duration_lit, priority = 10)]
    Duration(i64),
    #[token("\"", string_lit)]
    #[token("r\"", raw_string_lit)]
    Str(String),
    #[token("f\"", fstring_lit)]
    FStr(Vec<FPart>),

    // Keywords.
    #[token("actor")]
    Actor,
    #[token("and")]
    And,
    #[token("as")]
    As,
    #[token("async")]
    Async,
    #[token("await")]
    Await,
    #[token("break")]
    Break,
    #[token("catch")]
    Catch,
    #[token("continue")]
    Continue,
    #[token("def")]
    Def,
    #[token("else")]
    Else,
    #[token("enum")]
    Enum,
    #[token("false")]
    False,
    #[token("finally")]
    Finally,
    #[token("for")]
    For,
    #[token("from")]
    From,
    #[token("if")]
    If,
    #[token("impl")]
    Impl,
    #[token("import")]
    Import,
    #[token("in")]
    In,
    #[token("let")]
    Let,
    #[token("match")]
    Match,
    #[token("none")]
    None,
    #[token("not")]
    Not,
    #[token("or")]
    Or,
    #[token("parallel")]
    Parallel,
    #[token("raise")]
    Raise,
    #[token("return")]
    Return,
    #[token("self")]
    SelfKw,
    #[token("spawn")]
    Spawn,
    #[token("struct")]
    Struct,
    #[token("supervisor")]
    Supervisor,
    #[token("true")]
    True,
    #[token("try")]
    Try,
    #[token("while")]
    While,

    // Brackets and punctuation.
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("..=")]
    DotDotEq,
    #[token("@")]
    At,
    #[token("->")]
    Arrow,
    #[token("=>")]
    FatArrow,
    #[token("=")]
    Assign,
    #[token("+=")]
    PlusAssign,
    #[token("-=")]
    MinusAssign,
    #[token("*=")]
    StarAssign,
    #[token("/=")]
    SlashAssign,
    #[token("//=")]
    SlashSlashAssign,
    #[token("%=")]
    PercentAssign,

    // Operators.
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("||")]
    PipePipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,

    /// Never lexed: the parser driver puts one of these first to pick the
    /// start symbol, so one parse table serves modules and expressions.
    StartModule,
    StartExpr,
}

impl Tok<'_> {
    /// Whether a newline after this token ends the statement (Go's rule).
    pub fn ends_statement(&self) -> bool {
        matches!(
            self,
            Tok::Ident(_)
                | Tok::Int(_)
                | Tok::Float(_)
                | Tok::Duration(_)
                | Tok::Str(_)
                | Tok::FStr(_)
                | Tok::RParen
                | Tok::RBracket
                | Tok::RBrace
                | Tok::Return
                | Tok::Break
                | Tok::Continue
                | Tok::None
                | Tok::True
                | Tok::False
                | Tok::SelfKw
        )
    }

    /// Operators that only ever appear between two operands, so a line
    /// starting with one is a mistake. (`-` and `|` may begin an
    /// expression, as negation and lambda.)
    pub fn is_infix_only(&self) -> bool {
        matches!(
            self,
            Tok::Plus
                | Tok::Star
                | Tok::Slash
                | Tok::SlashSlash
                | Tok::Percent
                | Tok::StarStar
                | Tok::EqEq
                | Tok::NotEq
                | Tok::Lt
                | Tok::Le
                | Tok::Gt
                | Tok::Ge
                | Tok::Amp
                | Tok::Caret
                | Tok::Shl
                | Tok::Shr
                | Tok::DotDot
                | Tok::DotDotEq
                | Tok::And
                | Tok::Or
                | Tok::In
        )
    }

    /// The fixed spelling of a keyword or punctuation token.
    pub fn text(&self) -> &'static str {
        use Tok::*;
        match self {
            Actor => "actor",
            And => "and",
            As => "as",
            Async => "async",
            Await => "await",
            Break => "break",
            Catch => "catch",
            Continue => "continue",
            Def => "def",
            Else => "else",
            Enum => "enum",
            False => "false",
            Finally => "finally",
            For => "for",
            From => "from",
            If => "if",
            Impl => "impl",
            Import => "import",
            In => "in",
            Let => "let",
            Match => "match",
            None => "none",
            Not => "not",
            Or => "or",
            Parallel => "parallel",
            Raise => "raise",
            Return => "return",
            SelfKw => "self",
            Spawn => "spawn",
            Struct => "struct",
            Supervisor => "supervisor",
            True => "true",
            Try => "try",
            While => "while",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            Comma => ",",
            Colon => ":",
            Semi => ";",
            Dot => ".",
            DotDot => "..",
            DotDotEq => "..=",
            At => "@",
            Arrow => "->",
            FatArrow => "=>",
            Assign => "=",
            PlusAssign => "+=",
            MinusAssign => "-=",
            StarAssign => "*=",
            SlashAssign => "/=",
            SlashSlashAssign => "//=",
            PercentAssign => "%=",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            SlashSlash => "//",
            Percent => "%",
            StarStar => "**",
            EqEq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Amp => "&",
            Pipe => "|",
            PipePipe => "||",
            Caret => "^",
            Tilde => "~",
            Shl => "<<",
            Shr => ">>",
            Newline => "\n",
            Ident(_) | Int(_) | Float(_) | Duration(_) | Str(_) | FStr(_) | StartModule
            | StartExpr => "",
        }
    }
}

type Lex<'s> = logos::Lexer<'s, Tok<'s>>;

/// A token with its byte span, in the shape lalrpop expects.
pub type Spanned<'src> = (usize, Tok<'src>, usize);

/// The lexer as an iterator of spanned tokens, so that tokens stream into
/// the parser without a buffer the size of the file.
pub struct Lexer<'src> {
    inner: Lex<'src>,
    /// Offset of the text in its file (f-string expressions are lexed on
    /// their own, with spans into the file).
    base: usize,
    diags: Vec<Diagnostic>,
    /// A run of unexpected characters, reported as one diagnostic.
    bad_chars: Option<(usize, usize)>,
}

impl<'src> Lexer<'src> {
    pub fn new(src: &'src str, base: usize) -> Lexer<'src> {
        Lexer {
            inner: Tok::lexer_with_extras(src, Extras::default()),
            base,
            diags: Vec::new(),
            bad_chars: None,
        }
    }

    /// Whether the input ended inside a string literal.
    pub fn unterminated(&self) -> bool {
        self.inner.extras.unterminated
    }

    /// The diagnostics, once every token has been read.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.flush_bad_chars();
        let base = self.base;
        let issues = std::mem::take(&mut self.inner.extras.issues);
        self.diags
            .extend(issues.into_iter().map(|(message, range)| {
                Diagnostic::error(message, Span::new(range.start + base, range.end + base))
            }));
        self.diags
    }

    fn flush_bad_chars(&mut self) {
        if let Some((start, end)) = self.bad_chars.take() {
            let text = self.inner.source().get(start..end).unwrap_or("?");
            let what = if text.chars().count() == 1 {
                "character"
            } else {
                "characters"
            };
            self.diags.push(Diagnostic::error(
                format!("unexpected {what} `{text}`"),
                Span::new(start + self.base, end + self.base),
            ));
        }
    }
}

impl<'src> Iterator for Lexer<'src> {
    type Item = Spanned<'src>;

    fn next(&mut self) -> Option<Spanned<'src>> {
        loop {
            let result = self.inner.next()?;
            let span = self.inner.span();
            match result {
                Ok(mut tok) => {
                    self.flush_bad_chars();
                    if let Tok::FStr(parts) = &mut tok {
                        rebase(parts, self.base);
                    }
                    return Some((span.start + self.base, tok, span.end + self.base));
                }
                Err(LexError) => match &mut self.bad_chars {
                    Some((_, end)) if *end == span.start => *end = span.end,
                    _ => {
                        self.flush_bad_chars();
                        self.bad_chars = Some((span.start, span.end));
                    }
                },
            }
        }
    }
}

/// A whole text lexed at once, for tests.
#[cfg(test)]
pub struct Lexed<'src> {
    pub tokens: Vec<Spanned<'src>>,
    pub diags: Vec<Diagnostic>,
    /// The input ended inside a string literal.
    pub unterminated: bool,
}

#[cfg(test)]
pub fn lex(src: &str, base: usize) -> Lexed<'_> {
    let mut lexer = Lexer::new(src, base);
    let tokens = lexer.by_ref().collect();
    let unterminated = lexer.unterminated();
    Lexed {
        tokens,
        diags: lexer.finish(),
        unterminated,
    }
}

fn rebase(parts: &mut [FPart], base: usize) {
    for part in parts {
        if let FPart::Expr { range, .. } = part {
            *range = range.start + base..range.end + base;
        }
    }
}

fn issue<'s>(lex: &mut Lex<'s>, message: impl Into<String>) {
    let span = lex.span();
    lex.extras.issues.push((message.into(), span));
}

fn without_underscores(s: &str) -> String {
    s.chars().filter(|&c| c != '_').collect()
}

fn parse_int<'s>(lex: &mut Lex<'s>, text: &str) -> i64 {
    let (radix, digits) = if let Some(d) = text.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = text.strip_prefix("0b") {
        (2, d)
    } else {
        (10, text)
    };
    match i64::from_str_radix(&without_underscores(digits), radix) {
        Ok(v) => v,
        Err(e) => {
            let message = match e.kind() {
                std::num::IntErrorKind::PosOverflow => {
                    "integer literal is too large for a 64-bit int"
                }
                _ => "invalid number literal",
            };
            issue(lex, message);
            0
        }
    }
}

fn int_lit<'s>(lex: &mut Lex<'s>) -> i64 {
    let text = lex.slice();
    parse_int(lex, text)
}

fn float_lit<'s>(lex: &mut Lex<'s>) -> f64 {
    without_underscores(lex.slice()).parse().unwrap_or(0.0)
}

/// Splits `1.5ms` into `("1.5", "ms")`.
fn split_suffix(text: &str) -> (&str, &str) {
    let at = text
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .len();
    text.split_at(at)
}

fn size_lit<'s>(lex: &mut Lex<'s>) -> i64 {
    let (num, unit) = split_suffix(lex.slice());
    let shift = match unit {
        "KB" => 10,
        "MB" => 20,
        "GB" => 30,
        "TB" => 40,
        _ => 0,
    };
    let n = parse_int(lex, num);
    n.checked_mul(1 << shift).unwrap_or_else(|| {
        issue(lex, "size literal is too large for a 64-bit int");
        0
    })
}

/// A duration literal, in nanoseconds.
fn duration_lit<'s>(lex: &mut Lex<'s>) -> i64 {
    let (num, unit) = split_suffix(lex.slice());
    let nanos: i64 = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        _ => 3_600_000_000_000,
    };
    let value = if num.contains(['.', 'e', 'E']) {
        let f = without_underscores(num).parse::<f64>().unwrap_or(0.0) * nanos as f64;
        // The cast saturates, so check the range first.
        (f.is_finite() && f.abs() < 9.2e18).then(|| f.round() as i64)
    } else {
        parse_int(lex, num).checked_mul(nanos)
    };
    value.unwrap_or_else(|| {
        issue(lex, "duration literal is too large");
        0
    })
}

fn bad_suffix<'s>(lex: &mut Lex<'s>) -> i64 {
    let text = lex.slice();
    let (num, suffix) = text.split_at(number_len(text));
    let message = if matches!(suffix, "B" | "KB" | "MB" | "GB" | "TB") {
        format!("sizes must be whole numbers: `{text}`")
    } else {
        format!("invalid suffix `{suffix}` on number `{num}`")
    };
    issue(lex, message);
    0
}

/// The length of the decimal number at the start of `text`: digits, an
/// optional fraction and an optional exponent.
fn number_len(text: &str) -> usize {
    let b = text.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        i
    };
    let is_digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = digits(0);
    if b.get(i) == Some(&b'.') && is_digit(i + 1) {
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if is_digit(i + 1 + sign) {
            i = digits(i + 1 + sign);
        }
    }
    i
}

fn string_lit<'s>(lex: &mut Lex<'s>) -> String {
    scan(lex, |sc, start| sc.string(start))
}

fn raw_string_lit<'s>(lex: &mut Lex<'s>) -> String {
    scan(lex, |sc, start| sc.raw_string(start))
}

fn fstring_lit<'s>(lex: &mut Lex<'s>) -> Vec<FPart> {
    scan(lex, |sc, start| sc.fstring(start))
}

/// Runs a string scanner from the token start and moves the lexer past the
/// literal.
fn scan<'s, T>(lex: &mut Lex<'s>, f: impl FnOnce(&mut Scanner<'_>, usize) -> (T, usize)) -> T {
    let mut scanner = Scanner::new(lex.source());
    let (value, end) = f(&mut scanner, lex.span().start);
    lex.bump(end - lex.span().end);
    lex.extras.issues.append(&mut scanner.issues);
    lex.extras.unterminated |= scanner.unterminated;
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        let lexed = lex(src, 0);
        assert!(lexed.diags.is_empty(), "{src}: {:?}", lexed.diags);
        lexed.tokens.into_iter().map(|(_, t, _)| t).collect()
    }

    fn one(src: &str) -> Tok<'_> {
        let mut t = toks(src);
        assert_eq!(t.len(), 1, "{src}: {t:?}");
        t.remove(0)
    }

    fn errors(src: &str) -> Vec<String> {
        lex(src, 0).diags.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn integers() {
        assert_eq!(one("42"), Tok::Int(42));
        assert_eq!(one("1_000_000"), Tok::Int(1_000_000));
        assert_eq!(one("0xff"), Tok::Int(255));
        assert_eq!(one("0b1010"), Tok::Int(10));
        assert_eq!(one("9223372036854775807"), Tok::Int(i64::MAX));
    }

    #[test]
    fn floats() {
        assert_eq!(one("3.25"), Tok::Float(3.25));
        assert_eq!(one("1e-9"), Tok::Float(1e-9));
        assert_eq!(one("2.5e3"), Tok::Float(2500.0));
        assert_eq!(one("4.8e+00"), Tok::Float(4.8));
        assert_eq!(one("1_0.5"), Tok::Float(10.5));
    }

    #[test]
    fn ranges_are_not_floats() {
        assert_eq!(toks("0..10"), [Tok::Int(0), Tok::DotDot, Tok::Int(10)]);
        assert_eq!(toks("1..=2"), [Tok::Int(1), Tok::DotDotEq, Tok::Int(2)]);
        assert_eq!(
            toks("5.abs()"),
            [
                Tok::Int(5),
                Tok::Dot,
                Tok::Ident("abs"),
                Tok::LParen,
                Tok::RParen
            ]
        );
    }

    #[test]
    fn durations_are_nanoseconds() {
        assert_eq!(one("10ns"), Tok::Duration(10));
        assert_eq!(one("3us"), Tok::Duration(3_000));
        assert_eq!(one("10ms"), Tok::Duration(10_000_000));
        assert_eq!(one("1.5s"), Tok::Duration(1_500_000_000));
        assert_eq!(one("2m"), Tok::Duration(120_000_000_000));
        assert_eq!(one("1h"), Tok::Duration(3_600_000_000_000));
        assert_eq!(one("1e3ms"), Tok::Duration(1_000_000_000));
    }

    #[test]
    fn sizes_are_bytes() {
        assert_eq!(one("8B"), Tok::Int(8));
        assert_eq!(one("1KB"), Tok::Int(1024));
        assert_eq!(one("2MB"), Tok::Int(2 << 20));
        assert_eq!(one("8GB"), Tok::Int(8 << 30));
        assert_eq!(one("1TB"), Tok::Int(1 << 40));
    }

    #[test]
    fn bad_numbers() {
        assert_eq!(
            errors("9223372036854775808"),
            ["integer literal is too large for a 64-bit int"]
        );
        assert_eq!(errors("12abc"), ["invalid suffix `abc` on number `12`"]);
        assert_eq!(errors("1.5e3x"), ["invalid suffix `x` on number `1.5e3`"]);
        assert_eq!(errors("1.5KB"), ["sizes must be whole numbers: `1.5KB`"]);
        assert_eq!(
            errors("9999999TB"),
            ["size literal is too large for a 64-bit int"]
        );
        assert_eq!(errors("999999999999h"), ["duration literal is too large"]);
        // A bad literal still yields a token, so parsing goes on.
        assert_eq!(lex("12abc", 0).tokens[0].1, Tok::Int(0));
    }

    #[test]
    fn keywords_and_identifiers() {
        assert_eq!(
            toks("let letter self _x spawn"),
            [
                Tok::Let,
                Tok::Ident("letter"),
                Tok::SelfKw,
                Tok::Ident("_x"),
                Tok::Spawn
            ]
        );
        assert_eq!(toks("fx r2"), [Tok::Ident("fx"), Tok::Ident("r2")]);
    }

    #[test]
    fn operators() {
        let src = ".. ..= => -> // ** << >> += -= *= /= //= %= @ | || != <= >= ~ ^ &";
        let texts: Vec<&str> = toks(src).iter().map(Tok::text).collect();
        assert_eq!(texts.join(" "), src);
    }

    #[test]
    fn strings() {
        assert_eq!(one(r#""a\tb\u{1F35C}""#), Tok::Str("a\tb🍜".into()));
        assert_eq!(one(r#"r"C:\dir\n""#), Tok::Str(r"C:\dir\n".into()));
        assert_eq!(one(r#""brace \{x\}""#), Tok::Str("brace {x}".into()));
        assert_eq!(errors(r#""a\qb""#), ["unknown escape `\\q`"]);
        assert_eq!(errors("\"abc\nx"), ["unterminated string"]);
        assert!(lex("\"abc", 0).unterminated);
    }

    #[test]
    fn fstrings_carry_file_offsets() {
        let lexed = lex(r#"x f"a{b:>3}""#, 100);
        assert_eq!(
            lexed.tokens[1],
            (
                102,
                Tok::FStr(vec![
                    FPart::Lit("a".into()),
                    FPart::Expr {
                        range: 106..107,
                        spec: Some(">3".into())
                    }
                ]),
                112
            )
        );
    }

    #[test]
    fn comments_and_newlines() {
        assert_eq!(
            toks("a # comment ( \"\nb"),
            [Tok::Ident("a"), Tok::Newline, Tok::Ident("b")]
        );
    }

    #[test]
    fn unexpected_characters_are_grouped() {
        assert_eq!(
            errors("a $$ b ! é"),
            [
                "unexpected characters `$$`",
                "unexpected character `!`",
                "unexpected character `é`"
            ]
        );
    }
}
