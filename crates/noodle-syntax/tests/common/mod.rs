//! Helpers shared by the integration tests.

use noodle_syntax::{Diagnostic, SourceFile};

/// `{:#?}` output with each `Span { start, end }` folded to `start..end`
/// and one-line tuple variants such as `Int(\n 2,\n)` folded to `Int(2)`,
/// so that snapshots stay readable.
#[allow(dead_code)]
pub fn compact(debug: &str) -> String {
    let lines: Vec<&str> = debug.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let next = |k: usize| lines.get(i + k).map_or("", |l| l.trim());
        if line.ends_with("Span {") && next(3).starts_with('}') {
            let start = next(1).trim_start_matches("start: ").trim_end_matches(',');
            let end = next(2).trim_start_matches("end: ").trim_end_matches(',');
            let head = line.trim_end_matches("Span {");
            out.push_str(&format!(
                "{head}{start}..{end}{}\n",
                next(3).trim_start_matches('}')
            ));
            i += 4;
        } else if line.ends_with('(')
            && next(2).starts_with(')')
            && !next(1).ends_with(['{', '[', '('])
        {
            let inner = next(1).trim_end_matches(',');
            out.push_str(&format!("{line}{inner}{}\n", next(2)));
            i += 3;
        } else {
            out.push_str(line);
            out.push('\n');
            i += 1;
        }
    }
    out
}

/// Every diagnostic of a source, rendered as the compiler prints it.
#[allow(dead_code)]
pub fn render(name: &str, src: &str, diags: &[Diagnostic]) -> String {
    let file = SourceFile::new(name, src);
    diags
        .iter()
        .map(|d| file.render(d))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A program that touches every construct of the language, for the
/// robustness and speed tests.
#[allow(dead_code)]
pub const SAMPLE: &str = r#"# inventory service
import math
import store.disk as disk
from util.text import pad, trim as strip_it

struct Item { name: str, qty: int, price }
enum Event { Added(item), Removed(name), Cleared }

impl Item {
    def total(self) -> float = self.qty * self.price
    def label(self, width = 12) {
        return f"{pad(self.name, width)}|{self.qty:>4}|{self.price:.2}|{"x"}"
    }
}

@restart(permanent)
@checkpoint(every: 5)
@on(gpu, mem >= 2GB)
actor Inventory(owner) {
    let items = {}
    let log = []
    def add(item: Item) {
        items[item.name] = item
        log.push(Event.Added(item))
        return len(items)
    }
    async def save() { await disk.write(owner, items.values()) }
    def me() = self
}

supervisor Shop(strategy: one_for_all, max_restarts: 2, within: 3s) {
    stock = Inventory("ann")
}

def describe(e) = match e {
    Event.Added(Item(n, 0, _)) => f"added empty {n}",
    Event.Added(it) if it.qty > 100 => "bulk",
    Event.Removed(name: str) | Event.Cleared => "gone",
    [first, ..rest] => len(rest),
    {"kind": "raw", "n": -1} => none,
    _ => "?",
}

async def main() {
    let shop = spawn Shop()
    let total = 0
    for i, price in enumerate([1.5, 2.25, 0x10, 0b11, 1_000]) {
        if i % 2 == 0 and not (price > 100) {
            total += price ** 2
        } else if price in [3, 16] {
            continue
        } else {
            break
        }
    }
    while total > 1e3 { total //= 2 }
    let slow = |x| { let y = x * 2; y }
    let pick = if total > 10 { "big" } else { "small" }
    let safe = try { int("7") } catch e: ValueError { -1 } finally { print("done") }
    let results = parallel all(timeout: 1.5s) {
        shop.stock.add(Item("nut", 3, 0.25))
        await shop.stock.save()
    }
    let views = results[1..] + results[..1] + [results[0]]
    let agg = await map_reduce([1, 2, 3], |x| x * x, |a, b| a + b, workers: 2)
    print(total, pick, safe, views, agg, 10ms, 8KB, ~1 & 3 | 4 ^ 5 << 1 >> 2, 0..=3)
    raise Error("bye", kind: "Done")
}
"#;
