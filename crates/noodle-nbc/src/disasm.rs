//! A readable listing of a module, for `noodle disasm` and for snapshot
//! tests of the code generator.

use crate::isa::{Instr, OperandKind};
use crate::module::{Const, Function, Module};
use std::fmt::Write as _;

pub fn disassemble(module: &Module) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; {} functions, {} constants, {} names, {} globals; entry fn{}",
        module.functions.len(),
        module.consts.len(),
        module.names.len(),
        module.globals.len(),
        module.entry
    );
    for (i, file) in module.files.iter().enumerate() {
        let _ = writeln!(out, "; file {i}: {file}");
    }
    if !module.globals.is_empty() {
        let _ = writeln!(out, "; globals: {}", numbered(&module.globals, "g"));
    }
    for (i, s) in module.structs.iter().enumerate() {
        let fields: Vec<String> = s
            .fields
            .iter()
            .map(|f| match &f.ty {
                Some(ty) => format!("{}: {ty}", f.name),
                None => f.name.clone(),
            })
            .collect();
        let _ = writeln!(out, "; struct{i} {} {{ {} }}", s.name, fields.join(", "));
    }
    for (i, e) in module.enums.iter().enumerate() {
        let variants: Vec<String> = e
            .variants
            .iter()
            .map(|v| {
                if v.is_unit {
                    v.name.clone()
                } else {
                    format!("{}({})", v.name, v.fields.join(", "))
                }
            })
            .collect();
        let _ = writeln!(out, "; enum{i} {} {{ {} }}", e.name, variants.join(", "));
    }
    for (i, f) in module.functions.iter().enumerate() {
        out.push('\n');
        write_function(&mut out, module, i, f);
    }
    out
}

fn numbered(items: &[String], prefix: &str) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{prefix}{i}={s}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_function(out: &mut String, module: &Module, index: usize, f: &Function) {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| {
            if p.has_default {
                format!("{}?", p.name)
            } else {
                p.name.clone()
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "fn{index} {}{}({}) [{:?}, {} regs{}]",
        if f.is_async { "async " } else { "" },
        f.name,
        params.join(", "),
        f.kind,
        f.num_regs,
        if f.captures.is_empty() {
            String::new()
        } else {
            format!(", captures {:?}", f.captures)
        }
    );
    let mut line_idx = 0;
    for (pc, &word) in f.code.iter().enumerate() {
        let mut position = String::new();
        while line_idx < f.lines.len() && f.lines[line_idx].pc as usize <= pc {
            let e = f.lines[line_idx];
            position = format!("{}:{}", e.line, e.col);
            line_idx += 1;
        }
        let text = match Instr::decode(word) {
            Ok(instr) => {
                let note = annotation(module, &instr);
                if note.is_empty() {
                    instr.to_string()
                } else {
                    format!("{:<28} ; {note}", instr.to_string())
                }
            }
            Err(e) => format!("<{e}: {word:#018x}>"),
        };
        let _ = writeln!(out, "  {pc:>4} {position:>7}  {text}");
    }
}

/// What the constant-like operands of an instruction refer to.
fn annotation(module: &Module, instr: &Instr) -> String {
    let mut notes = Vec::new();
    for op in instr.operands() {
        let i = op.value as usize;
        let note = match op.kind {
            OperandKind::Const => module.consts.get(i).map(|c| match c {
                Const::Int(v) => v.to_string(),
                Const::Float(v) => format!("{v:?}"),
                Const::Str(s) => format!("{s:?}"),
                Const::Duration(ns) => format!("{ns}ns"),
            }),
            OperandKind::Name => module.names.get(i).map(|n| format!("{n:?}")),
            OperandKind::Names => module.kw_names.get(i).map(|n| n.join(", ")),
            OperandKind::Global => module.globals.get(i).cloned(),
            OperandKind::Builtin => crate::builtins::BUILTINS.get(i).map(|b| b.to_string()),
            OperandKind::Proto => module.functions.get(i).map(|f| f.name.clone()),
            OperandKind::Struct => module.structs.get(i).map(|s| s.name.clone()),
            OperandKind::Enum => module.enums.get(i).map(|e| e.name.clone()),
            _ => None,
        };
        notes.extend(note);
    }
    notes.join(", ")
}

/// The instruction reference as a markdown table, generated from the ISA
/// table so `docs/nbc.md` cannot drift from the code.
pub fn instruction_reference() -> String {
    let mut out = String::from("| opcode | mnemonic | operands | meaning |\n|---|---|---|---|\n");
    for info in crate::isa::INSTRUCTIONS {
        let operands: Vec<String> = info
            .operands
            .iter()
            .map(|(name, kind)| format!("{name}:{kind:?}"))
            .collect();
        let _ = writeln!(
            out,
            "| 0x{:02x} | `{}` | {} | {} |",
            info.opcode,
            info.mnemonic,
            operands.join(" "),
            info.doc.replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::*;

    #[test]
    fn listing_names_constants_and_positions() {
        let module = Module {
            files: vec!["hello.nd".into()],
            consts: vec![Const::Str("hi".into())],
            names: vec![],
            kw_names: vec![],
            functions: vec![Function {
                name: "<entry>".into(),
                kind: FunctionKind::Entry,
                is_async: false,
                params: vec![],
                num_regs: 2,
                captures: vec![],
                code: [
                    Instr::LoadBuiltin { dst: 0, builtin: 0 },
                    Instr::LoadConst { dst: 1, k: 0 },
                    Instr::Call { func: 0, argc: 1 },
                    Instr::ReturnNone {},
                ]
                .iter()
                .map(Instr::encode)
                .collect(),
                lines: vec![LineEntry {
                    pc: 0,
                    line: 1,
                    col: 1,
                }],
                file: 0,
            }],
            structs: vec![],
            enums: vec![],
            globals: vec![],
            entry: 0,
        };
        insta::assert_snapshot!(disassemble(&module));
    }
}
