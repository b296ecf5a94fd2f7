//! Lexing and parsing of Noodle source into an [`ast::Module`].
//!
//! The entry point is [`parse`], which always returns a module (possibly
//! partial) together with every syntax error it found, so that one run of
//! the compiler can report several mistakes.
//!
//! The pipeline: `lexer.rs` (logos, with `strings.rs` for string literals)
//! turns text into tokens, `layout.rs` applies the newline rule, and the
//! lalrpop grammar (`grammar.lalrpop`) builds the AST, with `parser.rs`
//! driving it and adding the checks and messages the grammar cannot.
//!
//! Choices where the language reference is silent:
//! - string literals may span lines (so a REPL can continue one);
//! - a `{` starting a match arm's body opens a block, as in Rust (a map
//!   literal there is parenthesised); elsewhere a `{` starting an
//!   expression is a map literal, and statements and lambda bodies open
//!   blocks;
//! - keywords cannot be used as field or method names;
//! - `..rest` must be the last element of a list pattern;
//! - `try` needs at least one `catch` or a `finally`.

mod actions;
pub mod ast;
pub mod diagnostic;
pub mod fxhash;
mod layout;
mod lexer;
mod parser;
mod strings;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused)]
    grammar
);

pub use diagnostic::{Diagnostic, Severity, SourceFile};
pub use layout::needs_more_input;
pub use parser::{parse, parse_expr};
