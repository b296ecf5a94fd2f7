//! Damaged programs: the compiler must report errors (or compile), never
//! panic, and whatever it compiles must pass the NBC verifier.

mod common;

const SEEDS: &[&str] = &[
    "def fib(n) {\n    if n < 2 { return n }\n    return fib(n - 1) + fib(n - 2)\n}\nprint(fib(10))\n",
    "struct P { x, y }\nenum S { C(r), E }\nimpl P { def norm(self) = self.x + self.y }\ndef f(v) = match v {\n    P(a, 0) | P(0, a) => a,\n    S.C(r) if r > 1 => [r, 1],\n    {\"k\": [a, ..rest]} => rest,\n    s: str => f\"{s:>4}\",\n    _ => none,\n}\n",
    "def risky(xs) {\n    for x in xs {\n        try {\n            if x == 1 { break }\n            raise ValueError(\"x\")\n        } catch e: KeyError {\n            return e\n        } finally {\n            let y = x\n            print(|| y)\n        }\n    }\n}\n",
    "@restart(permanent)\nactor A(n = 1) {\n    let s = n\n    def add(k) { s += k }\n    async def get() = await self.add(1)\n}\nsupervisor Sup(strategy: one_for_one) { a = A(2) }\nasync def main() {\n    let t = spawn A(3)\n    print(parallel all { t.add(1); await sleep(1ms) })\n}\n",
    "import math\nlet xs = [1, 2, 3]\nlet m = {\"a\": 1}\nfor i, x in enumerate(xs) { m[str(i)] = x * math.pi }\nlet total = 0\nwhile total < 10 and not false { total += 1 }\nprint(xs[1..], m.get(\"a\", 0), total)\n",
];

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

const PIECES: &[&str] = &[
    "(", ")", "{", "}", "[", "]", ",", ";", "\n", "=", "let ", "def ", "return ", "break ",
    "await ", "self", "..", "|x| ", "match ", "=> ", "_", "\"", "f\"{", ":", "@on(", "import ",
    "try ", "catch ", "x", "0",
];

fn mutate(src: &str, rng: &mut Lcg) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.next(3) {
        let at = rng.next(chars.len() + 1);
        match rng.next(3) {
            0 if at < chars.len() => {
                let len = 1 + rng.next(6);
                chars.drain(at..(at + len).min(chars.len()));
            }
            1 => {
                let piece = PIECES[rng.next(PIECES.len())];
                for (i, c) in piece.chars().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            _ => {
                // Duplicate a slice elsewhere.
                let from = rng.next(chars.len());
                let len = rng.next(12).min(chars.len() - from);
                let slice: Vec<char> = chars[from..from + len].to_vec();
                for (i, c) in slice.into_iter().enumerate() {
                    chars.insert(at.min(chars.len()) + i, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn damaged_programs_never_crash_the_compiler() {
    let mut rng = Lcg(0x5eed);
    let mut compiled = 0;
    for seed in SEEDS {
        common::module(seed);
        for _ in 0..150 {
            let src = mutate(seed, &mut rng);
            let out = common::compile_with(&src, &[]);
            assert!(
                !out.diagnostics
                    .iter()
                    .any(|d| d.contains("internal compiler error")),
                "{src}\n{:#?}",
                out.diagnostics
            );
            if let Some(m) = out.module {
                compiled += 1;
                if let Err(e) = noodle_nbc::verify::verify(&m) {
                    panic!("{e}\n--- source:\n{src}");
                }
            }
        }
    }
    assert!(compiled > 0);
}
