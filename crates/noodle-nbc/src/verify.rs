//! The bytecode verifier. A module from a file is untrusted: before anything
//! runs, every function is checked so that the interpreter can rely on
//! operands being in range and jumps landing on instructions.

use crate::builtins::BUILTINS;
use crate::isa::{Instr, OperandKind};
use crate::module::{Capture, Function, Module};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// The function's index and name, when the problem is inside one.
    pub function: Option<(usize, String)>,
    pub pc: Option<usize>,
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid NBC module: ")?;
        if let Some((index, name)) = &self.function {
            write!(f, "function {index} `{name}`")?;
            if let Some(pc) = self.pc {
                write!(f, " at pc {pc}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for VerifyError {}

/// Checks the whole module; the first problem found is returned.
pub fn verify(module: &Module) -> Result<(), VerifyError> {
    let module_error = |message: String| VerifyError {
        function: None,
        pc: None,
        message,
    };
    let entry = module.entry as usize;
    match module.functions.get(entry) {
        None => {
            return Err(module_error(format!(
                "entry function {entry} does not exist ({} functions)",
                module.functions.len()
            )));
        }
        Some(f) if !f.params.is_empty() => {
            return Err(module_error("the entry function takes parameters".into()));
        }
        Some(_) => {}
    }
    for (index, function) in module.functions.iter().enumerate() {
        FunctionVerifier {
            module,
            function,
            index,
        }
        .run()?;
    }
    Ok(())
}

struct FunctionVerifier<'m> {
    module: &'m Module,
    function: &'m Function,
    index: usize,
}

impl FunctionVerifier<'_> {
    fn error(&self, pc: Option<usize>, message: String) -> VerifyError {
        VerifyError {
            function: Some((self.index, self.function.name.clone())),
            pc,
            message,
        }
    }

    fn run(&self) -> Result<(), VerifyError> {
        let f = self.function;
        if f.file as usize >= self.module.files.len() {
            return Err(self.error(None, format!("file index {} out of range", f.file)));
        }
        if (f.num_regs as usize) < f.params.len() {
            return Err(self.error(
                None,
                format!(
                    "{} registers cannot hold {} parameters",
                    f.num_regs,
                    f.params.len()
                ),
            ));
        }
        let code = self.decode()?;
        match code.last() {
            None => return Err(self.error(None, "function has no code".into())),
            Some(last) if !is_terminator(last) => {
                return Err(self.error(
                    Some(code.len() - 1),
                    "the last instruction can fall off the end of the function".into(),
                ));
            }
            Some(_) => {}
        }
        if f.lines.windows(2).any(|w| w[0].pc > w[1].pc)
            || f.lines.last().is_some_and(|e| e.pc as usize >= code.len())
        {
            return Err(self.error(None, "line table is out of order or out of range".into()));
        }
        for (pc, instr) in code.iter().enumerate() {
            self.check_operands(pc, instr, code.len())?;
            self.check_windows(pc, instr)?;
            if let Instr::KwNames { names } = instr {
                self.check_keyword_call(pc, *names, code.get(pc + 1))?;
            }
            if let Instr::Closure { proto, .. } = instr {
                self.check_captures(pc, *proto)?;
            }
        }
        Ok(())
    }

    fn decode(&self) -> Result<Vec<Instr>, VerifyError> {
        self.function
            .code
            .iter()
            .enumerate()
            .map(|(pc, &word)| Instr::decode(word).map_err(|e| self.error(Some(pc), e.to_string())))
            .collect()
    }

    fn check_operands(&self, pc: usize, instr: &Instr, code_len: usize) -> Result<(), VerifyError> {
        let m = self.module;
        for op in instr.operands() {
            let v = op.value;
            let (limit, what) = match op.kind {
                OperandKind::Reg => (self.function.num_regs as usize, "register"),
                OperandKind::Const => (m.consts.len(), "constant"),
                OperandKind::Name => (m.names.len(), "name"),
                OperandKind::Names => (m.kw_names.len(), "keyword list"),
                OperandKind::Proto => (m.functions.len(), "function"),
                OperandKind::Global => (m.globals.len(), "global"),
                OperandKind::Builtin => (BUILTINS.len(), "builtin"),
                OperandKind::Struct => (m.structs.len(), "struct"),
                OperandKind::Enum => (m.enums.len(), "enum"),
                OperandKind::Upval => (self.function.captures.len(), "captured variable"),
                OperandKind::Jump => {
                    let target = pc as i64 + 1 + v;
                    if target < 0 || target >= code_len as i64 {
                        return Err(self.error(
                            Some(pc),
                            format!(
                                "`{}` jumps to {target}, outside 0..{code_len}",
                                instr.mnemonic()
                            ),
                        ));
                    }
                    continue;
                }
                OperandKind::Imm | OperandKind::Count | OperandKind::Flag => continue,
            };
            if v < 0 || v as usize >= limit {
                return Err(self.error(
                    Some(pc),
                    format!(
                        "`{}` names {what} {v}, but there are {limit}",
                        instr.mnemonic()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Instructions that address a run of registers must stay in the frame.
    fn check_windows(&self, pc: usize, instr: &Instr) -> Result<(), VerifyError> {
        let (start, len) = match *instr {
            Instr::Call { func, argc } | Instr::Spawn { func, argc } => (func, argc as usize + 1),
            Instr::CallMethod { base, argc, .. } | Instr::CallMethodDiscard { base, argc, .. } => {
                (base, argc as usize + 1)
            }
            Instr::NewList { base, count, .. } | Instr::Concat { base, count, .. } => {
                (base, count as usize)
            }
            Instr::NewMap { base, count, .. } => (base, 2 * count as usize),
            Instr::Slice { base, .. } => (base, 3),
            Instr::ForPrep { base, .. } | Instr::ForStep { base, .. } => (base, 3),
            Instr::IterNext { iter, .. } => (iter, 2),
            Instr::NewRange { start, .. } => (start, 2),
            Instr::Parallel { base, count, .. } => (base, count as usize + 1),
            _ => return Ok(()),
        };
        let end = start as usize + len;
        if end > self.function.num_regs as usize {
            return Err(self.error(
                Some(pc),
                format!(
                    "`{}` uses registers {start}..{end}, but the frame has {}",
                    instr.mnemonic(),
                    self.function.num_regs
                ),
            ));
        }
        Ok(())
    }

    fn check_keyword_call(
        &self,
        pc: usize,
        names: u16,
        next: Option<&Instr>,
    ) -> Result<(), VerifyError> {
        let count = self.module.kw_names[names as usize].len();
        let argc = match next {
            Some(
                Instr::Call { argc, .. }
                | Instr::CallMethod { argc, .. }
                | Instr::CallMethodDiscard { argc, .. }
                | Instr::Spawn { argc, .. },
            ) => *argc,
            _ => return Err(self.error(Some(pc), "`kwnames` is not followed by a call".into())),
        };
        if count > argc as usize {
            return Err(self.error(
                Some(pc),
                format!("{count} keyword names for a call with {argc} arguments"),
            ));
        }
        Ok(())
    }

    fn check_captures(&self, pc: usize, proto: u32) -> Result<(), VerifyError> {
        let inner = &self.module.functions[proto as usize];
        for capture in &inner.captures {
            let ok = match *capture {
                Capture::Local(reg) => reg < self.function.num_regs,
                Capture::Upval(idx) => (idx as usize) < self.function.captures.len(),
            };
            if !ok {
                return Err(self.error(
                    Some(pc),
                    format!(
                        "closure of `{}` captures {capture:?}, which does not exist here",
                        inner.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn is_terminator(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::Jump { .. }
            | Instr::Return { .. }
            | Instr::ReturnNone {}
            | Instr::Raise { .. }
            | Instr::AsyncEnd { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::*;

    fn module_with(code: &[Instr], num_regs: u16) -> Module {
        Module {
            files: vec!["t.nd".into()],
            consts: vec![Const::Int(1)],
            names: vec!["x".into()],
            kw_names: vec![vec!["sep".into()]],
            functions: vec![Function {
                name: "f".into(),
                kind: FunctionKind::Entry,
                is_async: false,
                params: vec![],
                num_regs,
                captures: vec![],
                code: code.iter().map(Instr::encode).collect(),
                lines: vec![],
                file: 0,
            }],
            structs: vec![],
            enums: vec![],
            globals: vec![],
            entry: 0,
        }
    }

    fn message(code: &[Instr], regs: u16) -> String {
        verify(&module_with(code, regs)).unwrap_err().to_string()
    }

    #[test]
    fn accepts_a_valid_function() {
        let code = [
            Instr::LoadConst { dst: 0, k: 0 },
            Instr::JumpIfFalse { cond: 0, offset: 1 },
            Instr::Move { dst: 1, src: 0 },
            Instr::Return { src: 1 },
        ];
        assert_eq!(verify(&module_with(&code, 2)), Ok(()));
    }

    #[test]
    fn rejects_out_of_range_operands() {
        assert!(
            message(&[Instr::Move { dst: 5, src: 0 }, Instr::ReturnNone {}], 2)
                .contains("register 5")
        );
        assert!(
            message(
                &[Instr::LoadConst { dst: 0, k: 9 }, Instr::ReturnNone {}],
                2
            )
            .contains("constant 9")
        );
        assert!(
            message(
                &[
                    Instr::LoadGlobal { dst: 0, global: 0 },
                    Instr::ReturnNone {}
                ],
                2
            )
            .contains("global 0")
        );
        assert!(
            message(
                &[
                    Instr::LoadBuiltin {
                        dst: 0,
                        builtin: 9999
                    },
                    Instr::ReturnNone {}
                ],
                2
            )
            .contains("builtin")
        );
    }

    #[test]
    fn rejects_wild_jumps_and_falling_off() {
        assert!(message(&[Instr::Jump { offset: 5 }], 1).contains("jumps to 6"));
        assert!(message(&[Instr::Jump { offset: -2 }], 1).contains("jumps to -1"));
        assert!(message(&[Instr::LoadInt { dst: 0, value: 1 }], 1).contains("fall off"));
        assert!(message(&[], 1).contains("no code"));
    }

    #[test]
    fn rejects_windows_past_the_frame() {
        let code = [Instr::Call { func: 1, argc: 3 }, Instr::ReturnNone {}];
        assert!(message(&code, 4).contains("registers 1..5"));
        let code = [
            Instr::NewMap {
                dst: 0,
                base: 0,
                count: 2,
            },
            Instr::ReturnNone {},
        ];
        assert!(message(&code, 3).contains("registers 0..4"));
    }

    #[test]
    fn keyword_names_must_precede_a_call() {
        let code = [Instr::KwNames { names: 0 }, Instr::ReturnNone {}];
        assert!(message(&code, 1).contains("not followed by a call"));
        let code = [
            Instr::KwNames { names: 0 },
            Instr::Call { func: 0, argc: 0 },
            Instr::ReturnNone {},
        ];
        assert!(message(&code, 1).contains("1 keyword names"));
    }

    #[test]
    fn rejects_unknown_opcodes_and_bad_entry() {
        let mut m = module_with(&[Instr::ReturnNone {}], 1);
        m.functions[0].code.insert(0, 0xff);
        assert!(
            verify(&m)
                .unwrap_err()
                .to_string()
                .contains("unknown opcode")
        );
        let mut m = module_with(&[Instr::ReturnNone {}], 1);
        m.entry = 3;
        assert!(
            verify(&m)
                .unwrap_err()
                .to_string()
                .contains("entry function 3")
        );
    }

    #[test]
    fn closure_captures_must_exist_in_the_parent() {
        let mut m = module_with(
            &[Instr::Closure { dst: 0, proto: 1 }, Instr::ReturnNone {}],
            1,
        );
        let mut inner = m.functions[0].clone();
        inner.kind = FunctionKind::Function;
        inner.captures = vec![Capture::Local(4)];
        m.functions.push(inner);
        assert!(
            verify(&m)
                .unwrap_err()
                .to_string()
                .contains("captures Local(4)")
        );
    }
}
