//! Snapshot tests of syntax errors, rendered as the compiler prints them.

mod common;

use common::render;

fn errors(name: &str, src: &str) -> String {
    let (_, diags) = noodle_syntax::parse(src);
    assert!(!diags.is_empty(), "{name}: expected errors");
    render(&format!("{name}.nd"), src, &diags)
}

macro_rules! error_tests {
    ($($name:ident: $src:expr;)*) => {$(
        #[test]
        fn $name() {
            let text = errors(stringify!($name), $src);
            insta::with_settings!({ description => $src, omit_expression => true }, {
                insta::assert_snapshot!(text);
            });
        }
    )*};
}

error_tests! {
    missing_operand: "def f(a, b) {\n    return a +* b\n}\n";
    several_errors_in_one_run: "let a = 1 +\nlet b = (2 3)\nprint(a b)\ndef ok() { return 1 }\nlet c = ]\nlet d = 4\n";
    errors_inside_blocks: "def f() {\n    let x = = 1\n    g(x)\n    if x { let y = * }\n}\nf()\n";
    errors_inside_match_arms: "let r = match v {\n    1 => +,\n    2 => \"two\"\n    3 => ) ,\n}\n";
    unterminated_string: "let s = \"abc\nprint(s)\n";
    unterminated_fstring: "print(f\"value {x\n";
    bad_escapes: "let s = \"a\\qb \\u{D800} \\u{12\"\n";
    bad_numbers: "let xs = [99999999999999999999, 12abc, 1.5KB, 0x, 3.0e]\n";
    unexpected_characters: "let x = 1 $ 2\nlet y = ¿3\n";
    unclosed_paren: "print(1, (2 + 3)\nlet y = 4\nlet z = 5\n";
    unclosed_brace: "def f() {\n    if x {\n        1\n}\n";
    unmatched_closers: "let x = (1 + 2))\nlet y = [1, 2}]\n";
    else_on_new_line: "if x {\n    1\n}\nelse {\n    2\n}\n";
    catch_on_new_line: "try {\n    f()\n}\ncatch e {\n    g()\n}\n";
    line_starts_with_operator: "let total = a\n    + b\nlet m = xs\n    .len()\n";
    chained_comparison: "let ok = 1 < x < 10\n";
    bad_assignment_targets: "f() = 1\na + b += 2\nxs[1..2] = []\n";
    spawn_needs_a_call: "let t = spawn worker\n";
    fstring_problems: "print(f\"{}\", f\"{1 +}\", f\"a } b\", f\"{x:>3}\")\n";
    declaration_bodies: "impl P {\n    let x = 1\n    def ok(self) = 1\n}\nsupervisor S {\n    a = A()\n    b += 1\n    print(1)\n}\n";
    pattern_problems: "match v {\n    [..rest, last] => 1,\n    [a, ..] => 2,\n    f(x) + 1 => 3,\n}\n";
    for_with_three_names: "for a, b, c in xs { }\n";
    missing_block: "while x print(x)\nif y\n";
    map_in_condition_needs_parens: "if x == {} { print(1) }\n";
    lambda_returning_map: "let f = |k| {k: 1}\n";
    chained_comparison_in_if_head: "let x = 5\nif 1 < x < 10 {\n    print(\"in range\")\n}\nprint(x)\n";
    map_in_for_head_one_error: "for key in {\"a\": 1} {\n    print(key)\n}\n";
    chained_ranges_and_misplaced_not: "let r = 1..2..3\nlet b = a == not c\nlet ok = not a == b and not c\n";
    unclosed_paren_before_brace: "def mean(xs) {\n    return sum(xs) / len(xs\n}\nprint(mean([1]))\n";
}

#[test]
fn no_follow_on_error_at_a_brace_that_recovery_skipped() {
    for src in [
        "if 1 < x < 10 {\n    print(x)\n}\n",
        "for k in {\"a\": 1} {\n    print(k)\n}\n",
        "def f(a b) {\n    return a\n}\n",
        "while x y {\n    f()\n}\nlet z = 1\n",
    ] {
        let (module, diags) = noodle_syntax::parse(src);
        assert_eq!(diags.len(), 1, "{src}: {diags:#?}");
        // What follows the broken statement still parses.
        if src.ends_with("let z = 1\n") {
            assert!(matches!(
                module.stmts.last().map(|s| &s.kind),
                Some(noodle_syntax::ast::StmtKind::Let { .. })
            ));
        }
    }
    // A stray `}` that is not a follow-on is still reported.
    let (_, diags) = noodle_syntax::parse("let a = 1 +* 2\nstruct P { x: }\n");
    assert!(
        diags.iter().any(|d| d.message.contains("found `}`")),
        "{diags:#?}"
    );
}

#[test]
fn error_span_starts_at_the_offending_token() {
    let src = "def f(a, b) {\n    return a +* b\n}\n";
    let (_, diags) = noodle_syntax::parse(src);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "expected an expression, found `*`");
    let file = noodle_syntax::SourceFile::new("t.nd", src);
    assert_eq!(file.location(diags[0].span.start), "t.nd:2:15");
}

#[test]
fn valid_statements_survive_errors() {
    let src = "let a = 1\nlet b = )\nlet c = 3\ndef f() {\n  let d = (\n}\nlet e = 5\n";
    let (module, diags) = noodle_syntax::parse(src);
    assert!(!diags.is_empty());
    let kept: Vec<String> = module
        .stmts
        .iter()
        .map(|s| src[s.span.start as usize..s.span.end as usize].to_string())
        .collect();
    insta::assert_debug_snapshot!(kept);
}
