//! The newline rule, applied to the token stream between the lexer and the
//! parser (as in Go).
//!
//! A newline becomes a statement terminator only after a token that can end
//! a statement ([`Tok::ends_statement`]). Inside `( )` and `[ ]` newlines
//! are ignored, except inside a `{ }` opened within them, so this pass keeps
//! a bracket stack. It also reports bracket mismatches, which it can point
//! at the opener far better than the parser could.

use crate::ast::Span;
use crate::diagnostic::Diagnostic;
use crate::lexer::{Lexer, Spanned, Tok};

/// Deeper nesting than this is rejected: the AST and every later phase
/// recurse over it, and a stack overflow would abort the compiler.
const MAX_DEPTH: usize = 256;

struct Open {
    closer: Tok<'static>,
    span: Span,
    text: &'static str,
    /// The `(` of `@name(...)`: a newline after its `)` ends nothing.
    annotation: bool,
}

/// What the parser driver needs to know once the stream has ended.
pub struct Summary {
    /// The lexer's and this pass's diagnostics.
    pub diags: Vec<Diagnostic>,
    /// Brackets were left open (or the stream was cut short), so the
    /// parser's "unexpected end of input" would only repeat the news.
    pub incomplete: bool,
    /// The offset of the first `(` or `[` left open, if any.
    pub unclosed_paren: Option<usize>,
    /// Each `}` passed on, with the offset of its `{`, in order.
    pub braces: Vec<(usize, usize)>,
    /// Offsets of closers that closed brackets left open inside them
    /// (already reported as unclosed).
    pub drained: Vec<usize>,
}

/// The token stream with the newline rule applied: an iterator over the
/// lexer's tokens, so that nothing is buffered.
pub struct Layout<'src> {
    tokens: Lexer<'src>,
    stack: Vec<Open>,
    /// Read the tokens as if inside `( )` (f-string expressions).
    in_parens: bool,
    /// A newline that will end a statement unless the next token forbids it.
    pending: Option<(usize, usize)>,
    /// A token to return after the newline that preceded it.
    queued: Option<Spanned<'src>>,
    /// Whether a newline here would end a statement: the last token was an
    /// operand, or a stray closer that was dropped.
    at_end: bool,
    after_annotation: bool,
    last_was_at: bool,
    last_was_annotation_name: bool,
    last_was_rbrace: bool,
    prefix_run: usize,
    done: bool,
    incomplete: bool,
    diags: Vec<Diagnostic>,
    braces: Vec<(usize, usize)>,
    drained: Vec<usize>,
}

impl<'src> Layout<'src> {
    pub fn new(tokens: Lexer<'src>, in_parens: bool) -> Layout<'src> {
        Layout {
            tokens,
            stack: Vec::new(),
            in_parens,
            pending: None,
            queued: None,
            at_end: false,
            after_annotation: false,
            last_was_at: false,
            last_was_annotation_name: false,
            last_was_rbrace: false,
            prefix_run: 0,
            done: false,
            incomplete: false,
            diags: Vec::new(),
            braces: Vec::new(),
            drained: Vec::new(),
        }
    }

    /// Call once the iterator has returned `None`.
    pub fn finish(self) -> Summary {
        let unclosed_paren = self
            .stack
            .iter()
            .find(|o| !matches!(o.closer, Tok::RBrace))
            .map(|o| o.span.start as usize);
        let mut diags = self.tokens.finish();
        diags.extend(self.diags);
        Summary {
            diags,
            incomplete: self.incomplete || !self.stack.is_empty(),
            unclosed_paren,
            braces: self.braces,
            drained: self.drained,
        }
    }

    fn error(&mut self, message: impl Into<String>, l: usize, r: usize) {
        self.diags.push(Diagnostic::error(message, Span::new(l, r)));
    }

    /// Stops the stream, for input nested too deeply to handle.
    fn cut(&mut self, message: &str, l: usize, r: usize) -> Option<Spanned<'src>> {
        self.error(message, l, r);
        self.done = true;
        self.incomplete = true;
        None
    }

    fn newline(&mut self, l: usize, r: usize) {
        let ignored = match self.stack.last() {
            Some(open) => !matches!(open.closer, Tok::RBrace),
            None => self.in_parens,
        };
        if !ignored && self.at_end && !self.after_annotation && self.pending.is_none() {
            self.pending = Some((l, r));
        }
    }

    fn end(&mut self) -> Option<Spanned<'src>> {
        if let Some((l, r)) = self.pending.take() {
            return Some((l, Tok::Newline, r));
        }
        self.done = true;
        // An unterminated string ate the closers: say only that.
        if !self.tokens.unterminated() {
            let unclosed = self.stack.iter().map(unclosed);
            self.diags.extend(unclosed);
        }
        None
    }

    /// Tracks brackets; returns `false` to drop a stray closer. `Err` means
    /// the nesting is too deep to go on.
    fn brackets(&mut self, tok: &Tok, l: usize, r: usize) -> Result<bool, ()> {
        let mut ends_annotation = false;
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(());
                }
                let (closer, text) = match tok {
                    Tok::LParen => (Tok::RParen, "("),
                    Tok::LBracket => (Tok::RBracket, "["),
                    _ => (Tok::RBrace, "{"),
                };
                self.stack.push(Open {
                    closer,
                    span: Span::new(l, r),
                    text,
                    annotation: matches!(tok, Tok::LParen) && self.last_was_annotation_name,
                });
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                let Some(i) = self.stack.iter().rposition(|o| {
                    std::mem::discriminant(&o.closer) == std::mem::discriminant(tok)
                }) else {
                    self.error(format!("unmatched `{}`", tok.text()), l, r);
                    self.at_end = true;
                    return Ok(false);
                };
                if i + 1 < self.stack.len() {
                    self.drained.push(l);
                    let inner: Vec<Diagnostic> =
                        self.stack.drain(i + 1..).map(|o| unclosed(&o)).collect();
                    self.diags.extend(inner);
                }
                let open = self.stack.pop();
                if let Some(o) = &open
                    && matches!(o.closer, Tok::RBrace)
                {
                    self.braces.push((l, o.span.start as usize));
                }
                ends_annotation = open.is_some_and(|o| o.annotation);
            }
            Tok::Ident(_) => ends_annotation = self.last_was_at,
            _ => {}
        }
        self.after_annotation = ends_annotation;
        Ok(true)
    }
}

impl<'src> Iterator for Layout<'src> {
    type Item = Spanned<'src>;

    fn next(&mut self) -> Option<Spanned<'src>> {
        if let Some(tok) = self.queued.take() {
            return Some(tok);
        }
        if self.done {
            return None;
        }
        loop {
            let Some((l, tok, r)) = self.tokens.next() else {
                return self.end();
            };
            if matches!(tok, Tok::Newline) {
                self.newline(l, r);
                continue;
            }
            let newline = self.pending.take().filter(|_| {
                !line_start_error(&tok, self.last_was_rbrace, Span::new(l, r), &mut self.diags)
            });

            let is_prefix = matches!(
                tok,
                Tok::Minus | Tok::Tilde | Tok::Not | Tok::Await | Tok::Spawn
            );
            self.prefix_run = if is_prefix { self.prefix_run + 1 } else { 0 };
            if self.prefix_run > MAX_DEPTH {
                return self.cut("too many prefix operators in a row", l, r);
            }
            match self.brackets(&tok, l, r) {
                Err(()) => return self.cut("brackets are nested too deeply", l, r),
                Ok(false) => continue,
                Ok(true) => {}
            }
            self.at_end = tok.ends_statement();
            self.last_was_annotation_name = matches!(tok, Tok::Ident(_)) && self.last_was_at;
            self.last_was_at = matches!(tok, Tok::At);
            self.last_was_rbrace = matches!(tok, Tok::RBrace);
            let token = (l, tok, r);
            return match newline {
                Some((nl, nr)) => {
                    self.queued = Some(token);
                    Some((nl, Tok::Newline, nr))
                }
                None => Some(token),
            };
        }
    }
}

fn unclosed(open: &Open) -> Diagnostic {
    Diagnostic::error(format!("unclosed `{}`", open.text), open.span)
}

/// Reports a token that may not begin a line, and returns whether it did
/// (then the newline before it is dropped, so that parsing goes on as the
/// writer meant).
fn line_start_error(
    tok: &Tok,
    prev_is_brace: bool,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let message = match tok {
        Tok::Else | Tok::Catch | Tok::Finally if prev_is_brace => format!(
            "`{}` must be on the same line as the closing `}}`",
            tok.text()
        ),
        Tok::Dot => "a line may not begin with `.`: end the previous line with the `.`, \
                     or wrap the expression in parentheses"
            .to_string(),
        t if t.is_infix_only() => format!(
            "a line may not begin with the binary operator `{}`: \
             end the previous line with it instead",
            t.text()
        ),
        _ => return false,
    };
    diags.push(Diagnostic::error(message, span));
    true
}

/// Whether a REPL should read another line before parsing `source`: it
/// ends inside a string or an open bracket, or with an operator.
pub fn needs_more_input(source: &str) -> bool {
    let mut lexer = Lexer::new(source, 0);
    let mut depth = 0usize;
    let mut last = None;
    for (_, tok, _) in lexer.by_ref() {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
            Tok::RParen | Tok::RBracket | Tok::RBrace => depth = depth.saturating_sub(1),
            Tok::Newline => continue,
            _ => {}
        }
        last = Some(tok);
    }
    lexer.unterminated()
        || depth > 0
        || last.is_some_and(|t| {
            t.is_infix_only()
                || matches!(
                    t,
                    Tok::Minus
                        | Tok::Pipe
                        | Tok::PipePipe
                        | Tok::Tilde
                        | Tok::Not
                        | Tok::Await
                        | Tok::Spawn
                        | Tok::Assign
                        | Tok::PlusAssign
                        | Tok::MinusAssign
                        | Tok::StarAssign
                        | Tok::SlashAssign
                        | Tok::SlashSlashAssign
                        | Tok::PercentAssign
                        | Tok::Arrow
                        | Tok::FatArrow
                        | Tok::Dot
                        | Tok::Comma
                        | Tok::Colon
                        | Tok::At
                        | Tok::Else
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The token stream as text, with `;` for every statement end that a
    /// newline produced.
    fn laid(src: &str) -> (String, Vec<String>) {
        let mut layout = Layout::new(Lexer::new(src, 0), false);
        let tokens: Vec<_> = layout.by_ref().collect();
        let diags = layout.finish().diags;
        let text: Vec<String> = tokens
            .iter()
            .map(|(l, t, r)| match t {
                Tok::Newline => "⏎".to_string(),
                _ => src[*l..*r].to_string(),
            })
            .collect();
        (
            text.join(" "),
            diags.into_iter().map(|d| d.message).collect(),
        )
    }

    fn ok(src: &str) -> String {
        let (text, diags) = laid(src);
        assert!(diags.is_empty(), "{src}: {diags:?}");
        text
    }

    #[test]
    fn newline_ends_statement_after_operand_tokens() {
        for end in ["x", "1", "2.5", "1s", "\"s\"", "f\"s\"", ")", "]", "}"] {
            let open = match end {
                ")" => "(",
                "]" => "[",
                "}" => "{",
                _ => "",
            };
            let src = format!("{open}{end}\ny");
            assert_eq!(ok(&src), format!("{open} {end} ⏎ y").trim_start(), "{src}");
        }
        for kw in [
            "return", "break", "continue", "none", "true", "false", "self",
        ] {
            assert_eq!(ok(&format!("{kw}\ny")), format!("{kw} ⏎ y"));
        }
    }

    #[test]
    fn newline_continues_after_operators_and_openers() {
        assert_eq!(ok("let x = a +\n  b"), "let x = a + b");
        assert_eq!(ok("f(\n1,\n2\n)"), "f ( 1 , 2 )");
        assert_eq!(ok("xs = [\n1\n]"), "xs = [ 1 ]");
        assert_eq!(ok("if x {\n}"), "if x { }");
        assert_eq!(ok("a = b.\nc"), "a = b . c");
    }

    #[test]
    fn blank_lines_and_comments_make_one_terminator() {
        assert_eq!(ok("a\n\n# note\n\nb\n"), "a ⏎ b ⏎");
    }

    #[test]
    fn braces_inside_parens_restore_the_rule() {
        assert_eq!(
            ok("f(|x| {\n  let y = x\n  y\n}\n, 2)"),
            "f ( | x | { let y = x ⏎ y ⏎ } , 2 )"
        );
    }

    #[test]
    fn annotations_end_nothing() {
        assert_eq!(
            ok("@restart(permanent)\n@replicas\nactor A {}"),
            "@ restart ( permanent ) @ replicas actor A { }"
        );
        // An ordinary call before a newline still ends its statement.
        assert_eq!(ok("f(x)\ng"), "f ( x ) ⏎ g");
    }

    #[test]
    fn semicolons_pass_through() {
        assert_eq!(ok("a; b"), "a ; b");
    }

    #[test]
    fn else_on_a_new_line_is_an_error() {
        let (text, diags) = laid("if a {\n} \nelse {\n}");
        assert_eq!(
            diags,
            ["`else` must be on the same line as the closing `}`"]
        );
        // The terminator is dropped, so parsing goes on as intended.
        assert_eq!(text, "if a { } else { }");
    }

    #[test]
    fn lines_may_not_begin_with_binary_operators_or_dots() {
        let (text, diags) = laid("let x = a\n  + b\nlet y = c\n  .d()");
        assert_eq!(
            diags,
            [
                "a line may not begin with the binary operator `+`: end the previous line with it instead",
                "a line may not begin with `.`: end the previous line with the `.`, or wrap the expression in parentheses",
            ]
        );
        assert_eq!(text, "let x = a + b ⏎ let y = c . d ( )");
        // Unary minus and lambdas may begin a line.
        assert_eq!(ok("a\n-b\n|x| x"), "a ⏎ - b ⏎ | x | x");
    }

    #[test]
    fn bracket_mismatches() {
        let (_, diags) = laid("f(a, [b)\n)");
        assert_eq!(diags, ["unclosed `[`", "unmatched `)`"]);
        let (_, diags) = laid("{ (");
        assert_eq!(diags, ["unclosed `{`", "unclosed `(`"]);
    }

    #[test]
    fn deep_nesting_is_cut_off() {
        let src = "(".repeat(10_000);
        let (_, diags) = laid(&src);
        assert_eq!(diags, ["brackets are nested too deeply"]);
        let src = format!("x = {}1", "-".repeat(10_000));
        let (_, diags) = laid(&src);
        assert_eq!(diags, ["too many prefix operators in a row"]);
    }

    #[test]
    fn repl_continuation() {
        for more in [
            "f(1,",
            "let x = [",
            "def f() {",
            "\"abc",
            "f\"{x",
            "r\"ab",
            "x +",
            "a and",
            "let x =",
            "x.",
            "if a { 1 } else",
            "|x|",
        ] {
            assert!(needs_more_input(more), "{more}");
        }
        for done in [
            "f(1)",
            "let x = 1",
            "def f() { 1 }",
            "\"abc\"",
            "",
            "# c",
            "x)",
        ] {
            assert!(!needs_more_input(done), "{done}");
        }
    }
}
