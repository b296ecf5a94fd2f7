//! A function's translated instructions, checked once when the program is
//! loaded so that the hot tier may fetch them without a bounds check.
//!
//! The checks are the ones the NBC verifier makes, repeated here on the
//! translated form because the hot tier's `unsafe` fetch relies on them
//! and must not depend on another crate (or on `translate`) being right:
//!
//! 1. the code is not empty;
//! 2. the last instruction never falls through (it is a jump, a return,
//!    a raise or the end of a coroutine), so after any other instruction
//!    there is a next one;
//! 3. every jump lands inside the code.

use std::ops::Deref;

use super::op::Op;

/// Instructions that satisfy the three rules above.
#[derive(Clone, Debug)]
pub(crate) struct Code(Box<[Op]>);

impl Code {
    pub fn new(ops: Vec<Op>) -> Result<Code, String> {
        match ops.last() {
            None => return Err("a function has no instructions".into()),
            Some(last) if !ends_flow(*last) => {
                return Err("the last instruction can fall off the end of the function".into());
            }
            Some(_) => {}
        }
        for (pc, op) in ops.iter().enumerate() {
            if let Some(offset) = jump_offset(*op) {
                let target = pc as i64 + 1 + offset as i64;
                if target < 0 || target >= ops.len() as i64 {
                    return Err(format!(
                        "instruction {pc} jumps to {target}, outside 0..{}",
                        ops.len()
                    ));
                }
            }
        }
        Ok(Code(ops.into_boxed_slice()))
    }
}

impl Deref for Code {
    type Target = [Op];

    fn deref(&self) -> &[Op] {
        &self.0
    }
}

/// True for an instruction after which control never reaches the next
/// slot.
fn ends_flow(op: Op) -> bool {
    matches!(
        op,
        Op::Jump { .. }
            | Op::Return { .. }
            | Op::ReturnNone {}
            | Op::Raise { .. }
            | Op::AsyncEnd { .. }
    )
}

/// The relative target (from the next slot) of an instruction that jumps
/// (also how `translate` finds jump targets, so the two cannot disagree).
pub(super) fn jump_offset(op: Op) -> Option<i32> {
    match op {
        Op::Jump { offset }
        | Op::JumpIfFalse { offset, .. }
        | Op::JumpIfTrue { offset, .. }
        | Op::JumpIfSet { offset, .. }
        | Op::ForPrep { offset, .. }
        | Op::ForStep { offset, .. }
        | Op::IterNext { offset, .. }
        | Op::PushHandler { offset, .. } => Some(offset),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_code_that_ends_and_jumps_inside() {
        let code = Code::new(vec![
            Op::LoadInt { dst: 0, value: 1 },
            Op::JumpIfFalse { cond: 0, offset: 1 },
            Op::Jump { offset: -3 },
            Op::Return { src: 0 },
        ])
        .unwrap();
        assert_eq!(code.len(), 4);
    }

    #[test]
    fn rejects_empty_code_and_falling_off() {
        assert!(Code::new(vec![]).is_err());
        let err = Code::new(vec![Op::LoadInt { dst: 0, value: 1 }]).unwrap_err();
        assert!(err.contains("fall off"), "{err}");
    }

    #[test]
    fn rejects_jumps_outside() {
        for offset in [-2, 1, 5] {
            let err = Code::new(vec![Op::Jump { offset }, Op::ReturnNone {}]).unwrap_err();
            assert!(err.contains("outside"), "{err}");
        }
        let err = Code::new(vec![
            Op::ForStep {
                base: 0,
                inclusive: 0,
                offset: 9,
            },
            Op::ReturnNone {},
        ])
        .unwrap_err();
        assert!(err.contains("outside"), "{err}");
    }
}
