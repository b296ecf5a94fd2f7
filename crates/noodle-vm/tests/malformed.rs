//! Untrusted bytecode: malformed modules are load errors, and no verified
//! instruction sequence makes the VM panic.
mod common;

use common::*;
use noodle_nbc::{Const, Instr, Module};
use noodle_vm::VmOptions;

#[test]
fn garbage_code_is_a_load_error() {
    let mut m = module(vec![entry(1, vec![Instr::ReturnNone {}])]).build();
    m.functions[0].code.insert(0, 0xffff_ffff_ffff_ffff);
    let e = run(&m).1.unwrap_err();
    assert_eq!(e.kind, "LoadError");
    assert!(
        e.to_string()
            .starts_with("error: LoadError: invalid NBC module"),
        "{e}"
    );

    let mut m = module(vec![entry(
        1,
        vec![Instr::Move { dst: 9, src: 0 }, Instr::ReturnNone {}],
    )])
    .build();
    assert_eq!(run(&m).1.unwrap_err().kind, "LoadError");
    m.entry = 7;
    assert_eq!(run(&m).1.unwrap_err().kind, "LoadError");
}

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Builtins that are safe to call with random arguments in a test (no
/// stdin, no sleeping).
const SAFE_BUILTINS: &[&str] = &[
    "len", "str", "int", "float", "type_of", "repr", "abs", "min", "max", "sum", "Error",
    "KeyError", "list", "bool",
];

fn random_instr(rng: &mut Rng, regs: u16, len: usize, pc: usize) -> Instr {
    let mut reg = || rng.below(regs as u64) as u16;
    let (a, b, c) = (reg(), reg(), reg());
    let forward = |rng: &mut Rng| (rng.below((len - pc) as u64) as i32).max(0);
    match rng.below(40) {
        0 => Instr::Move { dst: a, src: b },
        1 => Instr::LoadConst {
            dst: a,
            k: rng.below(4) as u32,
        },
        2 => Instr::LoadInt {
            dst: a,
            value: rng.next() as i16,
        },
        3 => Instr::LoadNone { dst: a },
        4 => Instr::Add { dst: a, a: b, b: c },
        5 => Instr::Sub { dst: a, a: b, b: c },
        6 => Instr::Mul { dst: a, a: b, b: c },
        7 => Instr::Div { dst: a, a: b, b: c },
        8 => Instr::Mod { dst: a, a: b, b: c },
        9 => Instr::Pow { dst: a, a: b, b: c },
        10 => Instr::Eq { dst: a, a: b, b: c },
        11 => Instr::Lt { dst: a, a: b, b: c },
        12 => Instr::In { dst: a, a: b, b: c },
        13 => Instr::Neg { dst: a, src: b },
        14 => Instr::NewList {
            dst: a,
            base: 0,
            count: rng.below(regs as u64) as u16,
        },
        15 => Instr::ListPush { list: a, src: b },
        16 => Instr::NewMap {
            dst: a,
            base: 0,
            count: rng.below(regs as u64 / 2) as u16,
        },
        17 => Instr::GetIndex {
            dst: a,
            obj: b,
            index: c,
        },
        18 => Instr::SetIndex {
            obj: a,
            index: b,
            src: c,
        },
        19 => Instr::Slice {
            dst: a,
            base: 0,
            inclusive: rng.below(2) as u8,
        },
        20 => Instr::GetField {
            dst: a,
            obj: b,
            name: rng.below(2) as u16,
        },
        21 => Instr::SetField {
            obj: a,
            name: rng.below(2) as u16,
            src: b,
        },
        22 => Instr::GetFieldAt {
            dst: a,
            obj: b,
            idx: rng.below(3) as u16,
        },
        23 => Instr::Len { dst: a, src: b },
        24 => Instr::ToStr { dst: a, src: b },
        25 => Instr::Concat {
            dst: a,
            base: 0,
            count: rng.below(regs as u64) as u16,
        },
        26 => Instr::IterInit { dst: a, src: b },
        27 => Instr::IterNext {
            iter: rng.below(regs as u64 - 1) as u16,
            offset: forward(rng),
        },
        28 => Instr::JumpIfFalse {
            cond: a,
            offset: forward(rng),
        },
        29 => Instr::Raise { src: a },
        30 => Instr::PushHandler {
            err: a,
            offset: forward(rng),
        },
        31 => Instr::PopHandler {},
        32 => Instr::LoadBuiltin {
            dst: a,
            builtin: noodle_nbc::builtins::builtin_index(
                SAFE_BUILTINS[rng.below(SAFE_BUILTINS.len() as u64) as usize],
            )
            .unwrap(),
        },
        33 => Instr::Call {
            func: 0,
            argc: rng.below(regs as u64) as u16,
        },
        34 => Instr::CallMethod {
            base: 0,
            argc: rng.below(regs as u64) as u16,
            name: rng.below(2) as u16,
        },
        35 => Instr::CheckType {
            reg: a,
            ty: rng.below(2) as u16,
        },
        36 => Instr::IsType {
            dst: a,
            src: b,
            ty: rng.below(2) as u16,
        },
        37 => Instr::ErrorIs {
            dst: a,
            err: b,
            kind: rng.below(2) as u16,
        },
        38 => Instr::Closure { dst: a, proto: 1 },
        _ => Instr::NewRange {
            dst: a,
            start: 0,
            inclusive: rng.below(2) as u8,
        },
    }
}

fn random_module(rng: &mut Rng) -> Module {
    let regs = 2 + rng.below(5) as u16;
    let mut functions = Vec::new();
    for i in 0..2 {
        let len = 1 + rng.below(30) as usize;
        let mut code: Vec<Instr> = (0..len)
            .map(|pc| random_instr(rng, regs, len, pc))
            .collect();
        code.push(Instr::Return { src: 0 });
        functions.push(if i == 0 {
            entry(regs, code)
        } else {
            func("f", &["a"], regs, code)
        });
    }
    module(functions)
        .consts(vec![
            Const::Int(7),
            Const::Float(-0.5),
            Const::Str("héllo".into()),
            Const::Duration(1_000_000),
        ])
        .names(&["kind", "float"])
        .build()
}

#[test]
fn random_verified_programs_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut ran = 0;
    // Under Miri (scripts/miri) fewer programs keep the run short.
    let cases = if cfg!(miri) { 60 } else { 3000 };
    for _ in 0..cases {
        let m = random_module(&mut rng);
        if noodle_nbc::verify::verify(&m).is_err() {
            continue;
        }
        ran += 1;
        // Any outcome is fine; a panic fails the test.
        let _ = run_with(
            &m,
            VmOptions {
                max_frames: 64,
                ..VmOptions::default()
            },
        );
    }
    assert!(
        ran > cases / 3,
        "only {ran} random modules passed the verifier"
    );
}
