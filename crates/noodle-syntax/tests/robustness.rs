//! The parser must never panic, whatever it is fed, and must be fast.

mod common;

use common::SAMPLE;
use std::time::Instant;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn sample_parses_cleanly() {
    let (module, diags) = noodle_syntax::parse(SAMPLE);
    assert!(
        diags.is_empty(),
        "{}",
        common::render("sample.nd", SAMPLE, &diags)
    );
    assert_eq!(module.stmts.len(), 10);
}

#[test]
fn every_prefix_parses_without_panic() {
    for (end, _) in SAMPLE.char_indices() {
        let prefix = &SAMPLE[..end];
        let _ = noodle_syntax::parse(prefix);
        let _ = noodle_syntax::needs_more_input(prefix);
        let _ = noodle_syntax::parse_expr(prefix);
    }
}

#[test]
fn every_suffix_parses_without_panic() {
    for (start, _) in SAMPLE.char_indices().step_by(3) {
        let _ = noodle_syntax::parse(&SAMPLE[start..]);
    }
}

#[test]
fn token_soup_parses_without_panic() {
    const PIECES: &[&str] = &[
        "let",
        "def",
        "async",
        "await",
        "spawn",
        "if",
        "else",
        "match",
        "try",
        "catch",
        "finally",
        "for",
        "in",
        "while",
        "return",
        "break",
        "actor",
        "supervisor",
        "impl",
        "struct",
        "enum",
        "parallel",
        "import",
        "from",
        "as",
        "@",
        "x",
        "_",
        "self",
        "none",
        "1",
        "2.5",
        "3ms",
        "4KB",
        "\"s\"",
        "f\"{x}\"",
        "f\"{",
        "r\"",
        "\"",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "|",
        "||",
        ",",
        ":",
        ";",
        ".",
        "..",
        "..=",
        "=>",
        "->",
        "=",
        "+=",
        "+",
        "-",
        "*",
        "**",
        "/",
        "//",
        "%",
        "==",
        "<",
        ">=",
        "and",
        "or",
        "not",
        "~",
        "&",
        "^",
        "<<",
        "\n",
        "\n",
        " ",
        "#c\n",
        "\\",
        "$",
        "é",
        "0x",
        "1e",
        "\"\\q\"",
    ];
    let mut rng = Rng(0x5eed);
    for _ in 0..3000 {
        let len = rng.below(40);
        let src: String = (0..len)
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect::<Vec<_>>()
            .join(" ");
        let _ = noodle_syntax::parse(&src);
        let _ = noodle_syntax::needs_more_input(&src);
    }
}

#[test]
fn mutated_programs_parse_without_panic() {
    let chars: Vec<char> = SAMPLE.chars().collect();
    let mut rng = Rng(42);
    for _ in 0..300 {
        let mut text = chars.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len());
            let other = rng.below(text.len());
            match rng.below(3) {
                0 => {
                    text.remove(at);
                }
                1 => text.insert(at, text[other]),
                _ => text.swap(at, other),
            }
        }
        let src: String = text.into_iter().collect();
        let _ = noodle_syntax::parse(&src);
    }
}

#[test]
fn random_characters_parse_without_panic() {
    let alphabet: Vec<char> = "ab_1.e\"f{}()[]|:;,\\\n #@=+-*/<>!?é🍜\t\r"
        .chars()
        .collect();
    let mut rng = Rng(7);
    for _ in 0..2000 {
        let src: String = (0..rng.below(30))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let _ = noodle_syntax::parse(&src);
    }
}

#[test]
fn pathological_nesting_is_rejected_without_crashing() {
    for src in [
        "(".repeat(100_000),
        "[".repeat(100_000),
        format!("let x = {}1", "-".repeat(100_000)),
        format!("let x = {}1", "not ".repeat(100_000)),
        "f\"{".repeat(1_000),
        format!("let s = {}x{}", "f\"{".repeat(40), "}\"".repeat(40)),
    ] {
        let (_, diags) = noodle_syntax::parse(&src);
        assert!(!diags.is_empty());
    }
}

/// A long program, made of the sample repeated.
fn long_program(lines: usize) -> String {
    let per = SAMPLE.lines().count();
    SAMPLE.repeat(lines.div_ceil(per))
}

#[test]
fn parsing_is_fast_and_linear() {
    // Release builds must parse 100,000 lines well under half a second;
    // debug builds only check that the time grows linearly.
    let lines = if cfg!(debug_assertions) {
        10_000
    } else {
        100_000
    };
    // The best of three runs, to be robust against a busy machine.
    let time = |src: &str| {
        (0..3)
            .map(|_| {
                let start = Instant::now();
                let (module, diags) = noodle_syntax::parse(src);
                let elapsed = start.elapsed();
                assert!(diags.is_empty() && !module.stmts.is_empty());
                elapsed
            })
            .min()
            .unwrap_or_default()
    };
    let small = time(&long_program(lines / 4));
    let big = time(&long_program(lines));
    eprintln!("{lines} lines: {big:?} ({} lines: {small:?})", lines / 4);
    assert!(big < small * 8, "parsing time grows faster than linearly");
    if !cfg!(debug_assertions) {
        assert!(big.as_millis() < 500, "100,000 lines took {big:?}");
    }
}

#[test]
fn long_operator_chains_parse_and_drop_without_deep_recursion() {
    // Left-nested (`+`) and right-nested (`**`) chains of 100,000 terms
    // parse, and their trees are dropped here, on a test thread's small
    // stack.
    for op in [" + ", " ** ", " and ", " < 1 or "] {
        let src = format!("let s = {}1\n", format!("x{op}").repeat(100_000));
        let (module, diags) = noodle_syntax::parse(&src);
        assert!(diags.is_empty(), "{op}: {:?}", diags.first());
        assert_eq!(module.stmts.len(), 1);
    }
    let src = format!("let f = {}0\n", "|x| ".repeat(50_000));
    let (_, diags) = noodle_syntax::parse(&src);
    assert!(diags.is_empty(), "{:?}", diags.first());
}
