//! The interpreter's instruction form. Every [`Instr`] variant appears
//! here with the same operands (this list mirrors `noodle_nbc::isa`; the
//! exhaustive conversion below fails to compile when the ISA changes), plus
//! *fused* forms that [`translate`] substitutes at load time for common
//! instruction pairs, so the hot loop dispatches fewer times.
//!
//! A fused op replaces the first instruction of a pair (or triple) and
//! keeps that instruction's operands; the hot tier then executes the
//! following instruction(s) inline, reading their operands from the next
//! slots, which are left unchanged. Instructions are fused only when the
//! later ones are not jump targets, so their slots are reached only by
//! falling through, and every effect of every instruction is kept (no
//! liveness assumptions). The general loop simply runs a fused op as its
//! first half (its match arm is the plain instruction's) and the rest as
//! the plain instructions they still are.

use noodle_nbc::Instr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Nop {},
    Move {
        dst: u16,
        src: u16,
    },
    LoadConst {
        dst: u16,
        k: u32,
    },
    LoadInt {
        dst: u16,
        value: i16,
    },
    LoadNone {
        dst: u16,
    },
    LoadBool {
        dst: u16,
        value: u8,
    },
    LoadGlobal {
        dst: u16,
        global: u32,
    },
    StoreGlobal {
        global: u32,
        src: u16,
    },
    LoadBuiltin {
        dst: u16,
        builtin: u16,
    },
    MakeCell {
        dst: u16,
        src: u16,
    },
    LoadCell {
        dst: u16,
        cell: u16,
    },
    StoreCell {
        cell: u16,
        src: u16,
    },
    LoadUpval {
        dst: u16,
        idx: u16,
    },
    StoreUpval {
        idx: u16,
        src: u16,
    },
    Closure {
        dst: u16,
        proto: u32,
    },
    Add {
        dst: u16,
        a: u16,
        b: u16,
    },
    Sub {
        dst: u16,
        a: u16,
        b: u16,
    },
    Mul {
        dst: u16,
        a: u16,
        b: u16,
    },
    Div {
        dst: u16,
        a: u16,
        b: u16,
    },
    FloorDiv {
        dst: u16,
        a: u16,
        b: u16,
    },
    Mod {
        dst: u16,
        a: u16,
        b: u16,
    },
    Pow {
        dst: u16,
        a: u16,
        b: u16,
    },
    BitAnd {
        dst: u16,
        a: u16,
        b: u16,
    },
    BitOr {
        dst: u16,
        a: u16,
        b: u16,
    },
    BitXor {
        dst: u16,
        a: u16,
        b: u16,
    },
    Shl {
        dst: u16,
        a: u16,
        b: u16,
    },
    Shr {
        dst: u16,
        a: u16,
        b: u16,
    },
    Eq {
        dst: u16,
        a: u16,
        b: u16,
    },
    Ne {
        dst: u16,
        a: u16,
        b: u16,
    },
    Lt {
        dst: u16,
        a: u16,
        b: u16,
    },
    Le {
        dst: u16,
        a: u16,
        b: u16,
    },
    Gt {
        dst: u16,
        a: u16,
        b: u16,
    },
    Ge {
        dst: u16,
        a: u16,
        b: u16,
    },
    In {
        dst: u16,
        a: u16,
        b: u16,
    },
    Neg {
        dst: u16,
        src: u16,
    },
    Not {
        dst: u16,
        src: u16,
    },
    BitNot {
        dst: u16,
        src: u16,
    },
    AddImm {
        dst: u16,
        a: u16,
        imm: i16,
    },
    Jump {
        offset: i32,
    },
    JumpIfFalse {
        cond: u16,
        offset: i32,
    },
    JumpIfTrue {
        cond: u16,
        offset: i32,
    },
    JumpIfSet {
        reg: u16,
        offset: i32,
    },
    ForPrep {
        base: u16,
        inclusive: u8,
        offset: i32,
    },
    ForStep {
        base: u16,
        inclusive: u8,
        offset: i32,
    },
    IterInit {
        dst: u16,
        src: u16,
    },
    IterNext {
        iter: u16,
        offset: i32,
    },
    KwNames {
        names: u16,
    },
    Call {
        func: u16,
        argc: u16,
    },
    CallMethod {
        base: u16,
        argc: u16,
        name: u16,
    },
    CallMethodDiscard {
        base: u16,
        argc: u16,
        name: u16,
    },
    Return {
        src: u16,
    },
    ReturnNone {},
    CheckType {
        reg: u16,
        ty: u16,
    },
    NewList {
        dst: u16,
        base: u16,
        count: u16,
    },
    ListPush {
        list: u16,
        src: u16,
    },
    NewMap {
        dst: u16,
        base: u16,
        count: u16,
    },
    GetIndex {
        dst: u16,
        obj: u16,
        index: u16,
    },
    SetIndex {
        obj: u16,
        index: u16,
        src: u16,
    },
    Slice {
        dst: u16,
        base: u16,
        inclusive: u8,
    },
    GetField {
        dst: u16,
        obj: u16,
        name: u16,
    },
    SetField {
        obj: u16,
        name: u16,
        src: u16,
    },
    GetFieldAt {
        dst: u16,
        obj: u16,
        idx: u16,
    },
    NewRange {
        dst: u16,
        start: u16,
        inclusive: u8,
    },
    Len {
        dst: u16,
        src: u16,
    },
    ToStr {
        dst: u16,
        src: u16,
    },
    Format {
        dst: u16,
        src: u16,
        spec: u16,
    },
    Concat {
        dst: u16,
        base: u16,
        count: u16,
    },
    DefStruct {
        dst: u16,
        def: u32,
    },
    DefEnum {
        dst: u16,
        def: u32,
    },
    AddMethod {
        ty: u16,
        func: u16,
    },
    IsType {
        dst: u16,
        src: u16,
        ty: u16,
    },
    IsInstance {
        dst: u16,
        src: u16,
        ty: u16,
    },
    Raise {
        src: u16,
    },
    PushHandler {
        err: u16,
        offset: i32,
    },
    PopHandler {},
    ErrorIs {
        dst: u16,
        err: u16,
        kind: u16,
    },
    AsyncBegin {},
    Await {
        dst: u16,
        src: u16,
    },
    AsyncEnd {
        src: u16,
    },
    Spawn {
        func: u16,
        argc: u16,
    },
    DefActor {
        dst: u16,
        proto: u32,
    },
    DefSupervisor {
        dst: u16,
        proto: u32,
    },
    LoadSelf {
        dst: u16,
    },
    Parallel {
        dst: u16,
        base: u16,
        count: u16,
        strategy: u8,
    },

    // ---- fused: `loadi x, value` then `op d, a, x` (the int on the right) ----
    LoadIntAdd {
        dst: u16,
        value: i16,
    },
    LoadIntSub {
        dst: u16,
        value: i16,
    },
    LoadIntMul {
        dst: u16,
        value: i16,
    },
    LoadIntMod {
        dst: u16,
        value: i16,
    },
    LoadIntFloorDiv {
        dst: u16,
        value: i16,
    },
    LoadIntLt {
        dst: u16,
        value: i16,
    },
    LoadIntLe {
        dst: u16,
        value: i16,
    },
    LoadIntGt {
        dst: u16,
        value: i16,
    },
    LoadIntGe {
        dst: u16,
        value: i16,
    },
    LoadIntEq {
        dst: u16,
        value: i16,
    },
    LoadIntNe {
        dst: u16,
        value: i16,
    },
    // ---- fused triple: `loadi x, value`, `cmp d, a, x`, `jmpf d` ----
    LoadIntCompareJumpIfFalse {
        dst: u16,
        value: i16,
    },
    // ---- fused: `op d, a, b` then `ret d` ----
    AddReturn {
        dst: u16,
        a: u16,
        b: u16,
    },
    SubReturn {
        dst: u16,
        a: u16,
        b: u16,
    },
    DivReturn {
        dst: u16,
        a: u16,
        b: u16,
    },
    MulReturn {
        dst: u16,
        a: u16,
        b: u16,
    },
    // ---- fused: `cmp d, a, b` then `jmpf d` ----
    LtJumpIfFalse {
        dst: u16,
        a: u16,
        b: u16,
    },
    LeJumpIfFalse {
        dst: u16,
        a: u16,
        b: u16,
    },
    GtJumpIfFalse {
        dst: u16,
        a: u16,
        b: u16,
    },
    GeJumpIfFalse {
        dst: u16,
        a: u16,
        b: u16,
    },
    EqJumpIfFalse {
        dst: u16,
        a: u16,
        b: u16,
    },
    NeJumpIfFalse {
        dst: u16,
        a: u16,
        b: u16,
    },
    /// `loadi x, imm; sub d, a, x; call f, argc` (the `f(n - 1)` shape),
    /// with `d` distinct from `a` and `x`, so re-running the first two
    /// after a bail-out at the call is harmless.
    LoadIntSubCall {
        dst: u16,
        value: i16,
    },
    /// `getglobal g, n` followed by a `LoadIntSubCall` triple (the
    /// `f(n - 1)` shape with `f` a global): the `LoadIntSubCall` stays in
    /// the next slot, which this op runs inline.
    LoadGlobalSubCall {
        dst: u16,
        global: u32,
    },
    /// `loadnone x; eq/ne d, a, x; jmpf d` (the `v == none` test).
    LoadNoneCompareJumpIfFalse {
        dst: u16,
    },
    /// `add d, a, b; forstep ...` (the last statement of a counted loop's
    /// body, e.g. `s += e`).
    AddForStep {
        dst: u16,
        a: u16,
        b: u16,
    },
    /// `loadi x, imm; ret x` (`return 1`).
    LoadIntReturn {
        dst: u16,
        value: i16,
    },
    /// `callmethod b, argc, name; await b, b` (`await actor.name(args)`):
    /// the general loop may ask the host to make the call and deliver its
    /// answer in one step (see `Host::call_now`), which skips the reply
    /// future; otherwise it is the plain pair.
    CallMethodAwait {
        base: u16,
        argc: u16,
        name: u16,
    },
    /// `call f, argc; ret f` (`return Point(x, y)`, `return g(x)`): a
    /// constructor's new value is returned without a trip through the
    /// register; any other callee is called as by `call`, and the `ret`
    /// runs as a plain op when it returns.
    CallReturn {
        func: u16,
        argc: u16,
    },
    /// `mul t, a, b; loadi x, imm; mod d, t, x` (the `a * b % k` shape):
    /// the next slot holds the `LoadIntMod` pair, so stopping after the
    /// `mul` leaves the original sequence.
    MulLoadIntMod {
        dst: u16,
        a: u16,
        b: u16,
    },
}

const _: () = assert!(size_of::<Op>() == 8);

impl From<Instr> for Op {
    fn from(instr: Instr) -> Op {
        match instr {
            Instr::Nop {} => Op::Nop {},
            Instr::Move { dst, src } => Op::Move { dst, src },
            Instr::LoadConst { dst, k } => Op::LoadConst { dst, k },
            Instr::LoadInt { dst, value } => Op::LoadInt { dst, value },
            Instr::LoadNone { dst } => Op::LoadNone { dst },
            Instr::LoadBool { dst, value } => Op::LoadBool { dst, value },
            Instr::LoadGlobal { dst, global } => Op::LoadGlobal { dst, global },
            Instr::StoreGlobal { global, src } => Op::StoreGlobal { global, src },
            Instr::LoadBuiltin { dst, builtin } => Op::LoadBuiltin { dst, builtin },
            Instr::MakeCell { dst, src } => Op::MakeCell { dst, src },
            Instr::LoadCell { dst, cell } => Op::LoadCell { dst, cell },
            Instr::StoreCell { cell, src } => Op::StoreCell { cell, src },
            Instr::LoadUpval { dst, idx } => Op::LoadUpval { dst, idx },
            Instr::StoreUpval { idx, src } => Op::StoreUpval { idx, src },
            Instr::Closure { dst, proto } => Op::Closure { dst, proto },
            Instr::Add { dst, a, b } => Op::Add { dst, a, b },
            Instr::Sub { dst, a, b } => Op::Sub { dst, a, b },
            Instr::Mul { dst, a, b } => Op::Mul { dst, a, b },
            Instr::Div { dst, a, b } => Op::Div { dst, a, b },
            Instr::FloorDiv { dst, a, b } => Op::FloorDiv { dst, a, b },
            Instr::Mod { dst, a, b } => Op::Mod { dst, a, b },
            Instr::Pow { dst, a, b } => Op::Pow { dst, a, b },
            Instr::BitAnd { dst, a, b } => Op::BitAnd { dst, a, b },
            Instr::BitOr { dst, a, b } => Op::BitOr { dst, a, b },
            Instr::BitXor { dst, a, b } => Op::BitXor { dst, a, b },
            Instr::Shl { dst, a, b } => Op::Shl { dst, a, b },
            Instr::Shr { dst, a, b } => Op::Shr { dst, a, b },
            Instr::Eq { dst, a, b } => Op::Eq { dst, a, b },
            Instr::Ne { dst, a, b } => Op::Ne { dst, a, b },
            Instr::Lt { dst, a, b } => Op::Lt { dst, a, b },
            Instr::Le { dst, a, b } => Op::Le { dst, a, b },
            Instr::Gt { dst, a, b } => Op::Gt { dst, a, b },
            Instr::Ge { dst, a, b } => Op::Ge { dst, a, b },
            Instr::In { dst, a, b } => Op::In { dst, a, b },
            Instr::Neg { dst, src } => Op::Neg { dst, src },
            Instr::Not { dst, src } => Op::Not { dst, src },
            Instr::BitNot { dst, src } => Op::BitNot { dst, src },
            Instr::AddImm { dst, a, imm } => Op::AddImm { dst, a, imm },
            Instr::Jump { offset } => Op::Jump { offset },
            Instr::JumpIfFalse { cond, offset } => Op::JumpIfFalse { cond, offset },
            Instr::JumpIfTrue { cond, offset } => Op::JumpIfTrue { cond, offset },
            Instr::JumpIfSet { reg, offset } => Op::JumpIfSet { reg, offset },
            Instr::ForPrep {
                base,
                inclusive,
                offset,
            } => Op::ForPrep {
                base,
                inclusive,
                offset,
            },
            Instr::ForStep {
                base,
                inclusive,
                offset,
            } => Op::ForStep {
                base,
                inclusive,
                offset,
            },
            Instr::IterInit { dst, src } => Op::IterInit { dst, src },
            Instr::IterNext { iter, offset } => Op::IterNext { iter, offset },
            Instr::KwNames { names } => Op::KwNames { names },
            Instr::Call { func, argc } => Op::Call { func, argc },
            Instr::CallMethod { base, argc, name } => Op::CallMethod { base, argc, name },
            Instr::CallMethodDiscard { base, argc, name } => {
                Op::CallMethodDiscard { base, argc, name }
            }
            Instr::Return { src } => Op::Return { src },
            Instr::ReturnNone {} => Op::ReturnNone {},
            Instr::CheckType { reg, ty } => Op::CheckType { reg, ty },
            Instr::NewList { dst, base, count } => Op::NewList { dst, base, count },
            Instr::ListPush { list, src } => Op::ListPush { list, src },
            Instr::NewMap { dst, base, count } => Op::NewMap { dst, base, count },
            Instr::GetIndex { dst, obj, index } => Op::GetIndex { dst, obj, index },
            Instr::SetIndex { obj, index, src } => Op::SetIndex { obj, index, src },
            Instr::Slice {
                dst,
                base,
                inclusive,
            } => Op::Slice {
                dst,
                base,
                inclusive,
            },
            Instr::GetField { dst, obj, name } => Op::GetField { dst, obj, name },
            Instr::SetField { obj, name, src } => Op::SetField { obj, name, src },
            Instr::GetFieldAt { dst, obj, idx } => Op::GetFieldAt { dst, obj, idx },
            Instr::NewRange {
                dst,
                start,
                inclusive,
            } => Op::NewRange {
                dst,
                start,
                inclusive,
            },
            Instr::Len { dst, src } => Op::Len { dst, src },
            Instr::ToStr { dst, src } => Op::ToStr { dst, src },
            Instr::Format { dst, src, spec } => Op::Format { dst, src, spec },
            Instr::Concat { dst, base, count } => Op::Concat { dst, base, count },
            Instr::DefStruct { dst, def } => Op::DefStruct { dst, def },
            Instr::DefEnum { dst, def } => Op::DefEnum { dst, def },
            Instr::AddMethod { ty, func } => Op::AddMethod { ty, func },
            Instr::IsType { dst, src, ty } => Op::IsType { dst, src, ty },
            Instr::IsInstance { dst, src, ty } => Op::IsInstance { dst, src, ty },
            Instr::Raise { src } => Op::Raise { src },
            Instr::PushHandler { err, offset } => Op::PushHandler { err, offset },
            Instr::PopHandler {} => Op::PopHandler {},
            Instr::ErrorIs { dst, err, kind } => Op::ErrorIs { dst, err, kind },
            Instr::AsyncBegin {} => Op::AsyncBegin {},
            Instr::Await { dst, src } => Op::Await { dst, src },
            Instr::AsyncEnd { src } => Op::AsyncEnd { src },
            Instr::Spawn { func, argc } => Op::Spawn { func, argc },
            Instr::DefActor { dst, proto } => Op::DefActor { dst, proto },
            Instr::DefSupervisor { dst, proto } => Op::DefSupervisor { dst, proto },
            Instr::LoadSelf { dst } => Op::LoadSelf { dst },
            Instr::Parallel {
                dst,
                base,
                count,
                strategy,
            } => Op::Parallel {
                dst,
                base,
                count,
                strategy,
            },
        }
    }
}

/// Where control can arrive other than by falling through: jump targets
/// and handler entry points.
fn jump_targets(code: &[Instr]) -> Vec<bool> {
    let mut targets = vec![false; code.len() + 1];
    for (pc, instr) in code.iter().enumerate() {
        let Some(offset) = super::code::jump_offset(Op::from(*instr)) else {
            continue;
        };
        let target = pc as i64 + 1 + offset as i64;
        if let Some(slot) = usize::try_from(target)
            .ok()
            .and_then(|t| targets.get_mut(t))
        {
            *slot = true;
        }
    }
    targets
}

/// The (dst, a, b) of a comparison instruction.
fn compare_of(instr: Instr) -> Option<(u16, u16, u16)> {
    match instr {
        Instr::Lt { dst, a, b }
        | Instr::Le { dst, a, b }
        | Instr::Gt { dst, a, b }
        | Instr::Ge { dst, a, b }
        | Instr::Eq { dst, a, b }
        | Instr::Ne { dst, a, b } => Some((dst, a, b)),
        _ => None,
    }
}

/// `loadi x, imm; sub d, a, x; call` at `pc` as a `LoadIntSubCall`, when
/// the later two are reached only by falling through and re-running the
/// first two is harmless (`d` is neither `a` nor `x`).
fn sub_call(code: &[Instr], pc: usize, fallthrough_only: &impl Fn(usize) -> bool) -> Option<Op> {
    match (code.get(pc)?, code.get(pc + 1)?, code.get(pc + 2)?) {
        (&Instr::LoadInt { dst: x, value }, &Instr::Sub { dst: d, a, b }, Instr::Call { .. })
            if fallthrough_only(pc + 1)
                && fallthrough_only(pc + 2)
                && b == x
                && a != x
                && d != a
                && d != x =>
        {
            Some(Op::LoadIntSubCall { dst: x, value })
        }
        _ => None,
    }
}

/// Decoded code → interpreter code, fusing common pairs.
pub(crate) fn translate(code: &[Instr]) -> Vec<Op> {
    let targets = jump_targets(code);
    let fallthrough_only = |pc: usize| pc < code.len() && !targets[pc];
    let mut ops: Vec<Op> = code.iter().map(|&i| Op::from(i)).collect();
    let mut pc = 0;
    while pc < code.len() {
        if !fallthrough_only(pc + 1) {
            pc += 1;
            continue;
        }
        if let (Instr::LoadInt { dst: x, value }, Some(&Instr::JumpIfFalse { cond, .. })) =
            (code[pc], code.get(pc + 2))
            && fallthrough_only(pc + 2)
            && compare_of(code[pc + 1]).is_some_and(|(d, a, b)| b == x && a != x && cond == d)
        {
            ops[pc] = Op::LoadIntCompareJumpIfFalse { dst: x, value };
            pc += 3;
            continue;
        }
        if let (
            Instr::Mul { dst: t, a, b },
            Instr::LoadInt { dst: x, value },
            Some(&Instr::Mod { a: m, b: y, .. }),
        ) = (code[pc], code[pc + 1], code.get(pc + 2))
            && fallthrough_only(pc + 2)
            && m == t
            && y == x
            && x != t
        {
            ops[pc] = Op::MulLoadIntMod { dst: t, a, b };
            ops[pc + 1] = Op::LoadIntMod { dst: x, value };
            pc += 3;
            continue;
        }
        if let Some(op) = sub_call(code, pc, &fallthrough_only) {
            ops[pc] = op;
            pc += 3;
            continue;
        }
        if let Instr::LoadGlobal { dst, global } = code[pc]
            && let Some(op) = sub_call(code, pc + 1, &fallthrough_only)
        {
            ops[pc] = Op::LoadGlobalSubCall { dst, global };
            ops[pc + 1] = op;
            pc += 4;
            continue;
        }
        if let (
            Instr::LoadNone { dst: x },
            Instr::Eq { dst: d, a, b } | Instr::Ne { dst: d, a, b },
            Some(&Instr::JumpIfFalse { cond, .. }),
        ) = (code[pc], code[pc + 1], code.get(pc + 2))
            && fallthrough_only(pc + 2)
            && b == x
            && a != x
            && cond == d
        {
            ops[pc] = Op::LoadNoneCompareJumpIfFalse { dst: x };
            pc += 3;
            continue;
        }
        let fused = match (code[pc], code[pc + 1]) {
            (Instr::LoadInt { dst: x, value }, next) => match next {
                Instr::Add { a, b, .. } if b == x && a != x => {
                    Some(Op::LoadIntAdd { dst: x, value })
                }
                Instr::Sub { a, b, .. } if b == x && a != x => {
                    Some(Op::LoadIntSub { dst: x, value })
                }
                Instr::Mul { a, b, .. } if b == x && a != x => {
                    Some(Op::LoadIntMul { dst: x, value })
                }
                Instr::Mod { a, b, .. } if b == x && a != x => {
                    Some(Op::LoadIntMod { dst: x, value })
                }
                Instr::FloorDiv { a, b, .. } if b == x && a != x => {
                    Some(Op::LoadIntFloorDiv { dst: x, value })
                }
                Instr::Lt { a, b, .. } if b == x && a != x => Some(Op::LoadIntLt { dst: x, value }),
                Instr::Le { a, b, .. } if b == x && a != x => Some(Op::LoadIntLe { dst: x, value }),
                Instr::Gt { a, b, .. } if b == x && a != x => Some(Op::LoadIntGt { dst: x, value }),
                Instr::Ge { a, b, .. } if b == x && a != x => Some(Op::LoadIntGe { dst: x, value }),
                Instr::Eq { a, b, .. } if b == x && a != x => Some(Op::LoadIntEq { dst: x, value }),
                Instr::Ne { a, b, .. } if b == x && a != x => Some(Op::LoadIntNe { dst: x, value }),
                Instr::Return { src } if src == x => Some(Op::LoadIntReturn { dst: x, value }),
                _ => None,
            },
            (Instr::Add { dst, a, b }, Instr::Return { src }) if src == dst => {
                Some(Op::AddReturn { dst, a, b })
            }
            (Instr::Call { func, argc }, Instr::Return { src }) if src == func => {
                Some(Op::CallReturn { func, argc })
            }
            // Only when the await overwrites the future: skipping the
            // future is then invisible (a register that went on holding
            // it, `let f = a.h(); let v = await f`, would be left holding
            // the actor instead).
            (Instr::CallMethod { base, argc, name }, Instr::Await { dst, src })
                if src == base && dst == base =>
            {
                Some(Op::CallMethodAwait { base, argc, name })
            }
            // The step must not read what the add writes (the hot tier
            // checks the step before writing anything).
            (Instr::Add { dst, a, b }, Instr::ForStep { base, .. })
                if dst != base && dst != base.wrapping_add(1) =>
            {
                Some(Op::AddForStep { dst, a, b })
            }
            (Instr::Sub { dst, a, b }, Instr::Return { src }) if src == dst => {
                Some(Op::SubReturn { dst, a, b })
            }
            (Instr::Div { dst, a, b }, Instr::Return { src }) if src == dst => {
                Some(Op::DivReturn { dst, a, b })
            }
            (Instr::Mul { dst, a, b }, Instr::Return { src }) if src == dst => {
                Some(Op::MulReturn { dst, a, b })
            }
            (Instr::Lt { dst, a, b }, Instr::JumpIfFalse { cond, .. }) if cond == dst => {
                Some(Op::LtJumpIfFalse { dst, a, b })
            }
            (Instr::Le { dst, a, b }, Instr::JumpIfFalse { cond, .. }) if cond == dst => {
                Some(Op::LeJumpIfFalse { dst, a, b })
            }
            (Instr::Gt { dst, a, b }, Instr::JumpIfFalse { cond, .. }) if cond == dst => {
                Some(Op::GtJumpIfFalse { dst, a, b })
            }
            (Instr::Ge { dst, a, b }, Instr::JumpIfFalse { cond, .. }) if cond == dst => {
                Some(Op::GeJumpIfFalse { dst, a, b })
            }
            (Instr::Eq { dst, a, b }, Instr::JumpIfFalse { cond, .. }) if cond == dst => {
                Some(Op::EqJumpIfFalse { dst, a, b })
            }
            (Instr::Ne { dst, a, b }, Instr::JumpIfFalse { cond, .. }) if cond == dst => {
                Some(Op::NeJumpIfFalse { dst, a, b })
            }
            _ => None,
        };
        match fused {
            // The second slot keeps its plain op (the fused one reads it)
            // and is never dispatched, so it is not a candidate itself.
            Some(op) => {
                ops[pc] = op;
                pc += 2;
            }
            None => pc += 1,
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuses_pairs_but_not_into_jump_targets_or_consumed_slots() {
        let code = [
            Instr::LoadInt { dst: 2, value: 1 },
            Instr::Sub { dst: 3, a: 0, b: 2 },
            Instr::Lt { dst: 4, a: 0, b: 1 },
            Instr::JumpIfFalse { cond: 4, offset: 1 },
            Instr::LoadInt { dst: 2, value: 7 },
            // A jump target: the `loadi` above must not fuse with it.
            Instr::Add { dst: 3, a: 0, b: 2 },
            Instr::Jump { offset: -2 },
        ];
        let ops = translate(&code);
        assert_eq!(ops[0], Op::LoadIntSub { dst: 2, value: 1 });
        assert_eq!(ops[1], Op::Sub { dst: 3, a: 0, b: 2 });
        assert_eq!(ops[2], Op::LtJumpIfFalse { dst: 4, a: 0, b: 1 });
        assert_eq!(ops[3], Op::JumpIfFalse { cond: 4, offset: 1 });
        assert_eq!(ops[4], Op::LoadInt { dst: 2, value: 7 });
        assert_eq!(ops[5], Op::Add { dst: 3, a: 0, b: 2 });
    }

    #[test]
    fn recursive_call_shapes_fuse() {
        let code = [
            Instr::LoadGlobal { dst: 2, global: 0 },
            Instr::LoadInt { dst: 4, value: 1 },
            Instr::Sub { dst: 3, a: 0, b: 4 },
            Instr::Call { func: 2, argc: 1 },
            Instr::LoadInt { dst: 5, value: 2 },
            Instr::Sub { dst: 4, a: 0, b: 5 },
            Instr::Call { func: 3, argc: 1 },
            // `d == a`: re-running the sub would not be harmless.
            Instr::LoadInt { dst: 5, value: 2 },
            Instr::Sub { dst: 0, a: 0, b: 5 },
            Instr::Call { func: 3, argc: 1 },
            Instr::LoadNone { dst: 3 },
            Instr::Eq { dst: 1, a: 2, b: 3 },
            Instr::JumpIfFalse { cond: 1, offset: 0 },
            Instr::Add { dst: 1, a: 1, b: 5 },
            Instr::ForStep {
                base: 6,
                inclusive: 0,
                offset: -2,
            },
            // The add writes the loop counter: not fused.
            Instr::Add { dst: 6, a: 1, b: 5 },
            Instr::ForStep {
                base: 6,
                inclusive: 0,
                offset: -4,
            },
        ];
        let ops = translate(&code);
        assert_eq!(ops[0], Op::LoadGlobalSubCall { dst: 2, global: 0 });
        assert_eq!(ops[1], Op::LoadIntSubCall { dst: 4, value: 1 });
        assert_eq!(ops[2], Op::Sub { dst: 3, a: 0, b: 4 });
        assert_eq!(ops[4], Op::LoadIntSubCall { dst: 5, value: 2 });
        assert_eq!(ops[7], Op::LoadIntSub { dst: 5, value: 2 });
        assert_eq!(ops[10], Op::LoadNoneCompareJumpIfFalse { dst: 3 });
        assert_eq!(ops[13], Op::AddForStep { dst: 1, a: 1, b: 5 });
        assert_eq!(ops[15], Op::Add { dst: 6, a: 1, b: 5 });
    }

    #[test]
    fn returning_an_int_fuses() {
        let code = [
            Instr::LoadInt { dst: 1, value: 1 },
            Instr::Return { src: 1 },
        ];
        let ops = translate(&code);
        assert_eq!(ops[0], Op::LoadIntReturn { dst: 1, value: 1 });
        assert_eq!(ops[1], Op::Return { src: 1 });
    }

    #[test]
    fn awaiting_a_method_call_fuses_only_its_own_result() {
        let code = [
            Instr::CallMethod {
                base: 2,
                argc: 1,
                name: 0,
            },
            Instr::Await { dst: 2, src: 2 },
            Instr::CallMethod {
                base: 2,
                argc: 1,
                name: 0,
            },
            // The future stays in r2 (a variable): not fused.
            Instr::Await { dst: 1, src: 2 },
            Instr::CallMethod {
                base: 2,
                argc: 1,
                name: 0,
            },
            Instr::Await { dst: 3, src: 3 },
            Instr::ReturnNone {},
        ];
        let ops = translate(&code);
        let fused = Op::CallMethodAwait {
            base: 2,
            argc: 1,
            name: 0,
        };
        assert_eq!(ops[0], fused);
        assert_eq!(ops[1], Op::Await { dst: 2, src: 2 });
        assert!(matches!(ops[2], Op::CallMethod { .. }));
        assert!(matches!(ops[4], Op::CallMethod { .. }));
    }

    #[test]
    fn returning_a_call_fuses_only_its_own_result() {
        let code = [
            Instr::Call { func: 1, argc: 2 },
            Instr::Return { src: 1 },
            Instr::Call { func: 1, argc: 2 },
            // Returns another register: the call is plain.
            Instr::Return { src: 2 },
        ];
        let ops = translate(&code);
        assert_eq!(ops[0], Op::CallReturn { func: 1, argc: 2 });
        assert_eq!(ops[1], Op::Return { src: 1 });
        assert_eq!(ops[2], Op::Call { func: 1, argc: 2 });
    }

    #[test]
    fn mul_then_immediate_mod_fuses() {
        let code = [
            Instr::Mul { dst: 6, a: 4, b: 4 },
            Instr::LoadInt { dst: 7, value: 7 },
            Instr::Mod { dst: 5, a: 6, b: 7 },
            // The `loadi` overwrites the product: not fused.
            Instr::Mul { dst: 6, a: 4, b: 4 },
            Instr::LoadInt { dst: 6, value: 7 },
            Instr::Mod { dst: 5, a: 6, b: 6 },
            Instr::ReturnNone {},
        ];
        let ops = translate(&code);
        assert_eq!(ops[0], Op::MulLoadIntMod { dst: 6, a: 4, b: 4 });
        assert_eq!(ops[1], Op::LoadIntMod { dst: 7, value: 7 });
        assert_eq!(ops[2], Op::Mod { dst: 5, a: 6, b: 7 });
        assert_eq!(ops[3], Op::Mul { dst: 6, a: 4, b: 4 });
    }

    #[test]
    fn loadi_compare_jump_fuses_as_a_triple() {
        // loadi; lt (consumed by the loadi fusion); jmpf stays plain.
        let code = [
            Instr::LoadInt { dst: 1, value: 2 },
            Instr::Lt { dst: 2, a: 0, b: 1 },
            Instr::JumpIfFalse { cond: 2, offset: 0 },
            Instr::ReturnNone {},
        ];
        let ops = translate(&code);
        assert_eq!(ops[0], Op::LoadIntCompareJumpIfFalse { dst: 1, value: 2 });
        assert_eq!(ops[1], Op::Lt { dst: 2, a: 0, b: 1 });
        assert_eq!(ops[2], Op::JumpIfFalse { cond: 2, offset: 0 });
    }

    #[test]
    fn the_int_must_be_the_right_operand() {
        let code = [
            Instr::LoadInt { dst: 1, value: 2 },
            Instr::Sub { dst: 2, a: 1, b: 0 },
            Instr::ReturnNone {},
        ];
        assert_eq!(translate(&code)[0], Op::LoadInt { dst: 1, value: 2 });
    }
}
