//! Loading a verified [`Module`] into a [`Vm`]: decoding each function's
//! code once, interning names, registering struct and enum types, turning
//! constants into values (in the heap's shared segment) and extending the global table.
//!
//! Functions from every loaded module live in one [`Program`] (the REPL
//! loads many modules into one VM), so a function is a plain index.

use std::sync::Arc;

use noodle_nbc::{Capture, Const, FunctionKind, Instr, LineEntry, Module};

use crate::object::{EnumValue, Object, plain_arity};
use crate::types::{EnumDesc, FieldDesc, StructDesc, Sym, TypeCheck, VariantDesc};
use crate::value::Value;
use crate::vm::Vm;

/// Every function and module loaded into one VM. Immutable once built, so
/// the interpreter can hold it (an `Arc`) while mutating the VM.
#[derive(Clone, Default)]
pub struct Program {
    /// Plain values (not `Arc`s): one less indirection on every call.
    pub(crate) functions: Vec<FunctionCode>,
    /// Qualified global names, for NameError messages.
    pub(crate) global_names: Vec<Arc<str>>,
    /// Instructions of all functions: the size of a full field cache.
    pub(crate) cache_len: usize,
}

/// One function, decoded and ready to run.
#[derive(Clone)]
pub(crate) struct FunctionCode {
    /// Decoded and translated (see `interp::op`).
    pub code: crate::interp::Code,
    /// The tables of the module it belongs to.
    pub module: Arc<ModuleData>,
    pub name: Arc<str>,
    pub kind: FunctionKind,
    /// For the concurrency runtime; today `AsyncBegin` itself raises.
    #[allow(dead_code)]
    pub is_async: bool,
    pub params: Vec<ParamInfo>,
    pub num_regs: usize,
    pub captures: Vec<Capture>,
    pub lines: Vec<LineEntry>,
    pub file: Arc<str>,
    /// Where this function's slots start in `Vm::field_cache` (one slot
    /// per instruction, used by field instructions).
    pub cache_base: usize,
}

#[derive(Clone)]
pub(crate) struct ParamInfo {
    pub text: Arc<str>,
    pub has_default: bool,
}

impl FunctionCode {
    /// `at NAME (FILE:LINE:COL)` for the instruction at `pc`.
    pub fn trace_line(&self, pc: usize) -> String {
        let i = self.lines.partition_point(|e| e.pc as usize <= pc);
        match i.checked_sub(1).map(|i| self.lines[i]) {
            Some(e) => format!("at {} ({}:{}:{})", self.name, self.file, e.line, e.col),
            None => format!("at {} ({})", self.name, self.file),
        }
    }
}

/// Per-module tables that instructions index, resolved at load time.
pub(crate) struct ModuleData {
    /// `LoadConst` values (strings are pinned heap objects).
    pub consts: Vec<Value>,
    /// `Name` operands as interned symbols.
    pub names: Vec<Sym>,
    /// `Name` operands as type annotations (`CheckType`, `IsType`).
    pub checks: Vec<TypeCheck>,
    /// `Name` operands as text (format specs, error kinds).
    pub name_text: Vec<Arc<str>>,
    /// `KwNames` lists.
    pub kw_names: Vec<Arc<[Arc<str>]>>,
    /// Where this module's functions, structs and enums start in the
    /// program-wide (and heap-wide) tables.
    pub func_base: u32,
    pub struct_base: u32,
    pub enum_base: u32,
}

/// Loads `module` and returns its entry closure, or a LoadError message.
pub(crate) fn load(vm: &mut Vm, module: &Module) -> Result<Value, String> {
    if vm.is_running() {
        return Err("a module cannot be loaded while this VM runs code".into());
    }
    noodle_nbc::verify::verify(module).map_err(|e| e.to_string())?;
    let decoded = decode_all(module)?;
    // Translated and checked before anything is registered, so a bad
    // module changes nothing.
    let decoded = module
        .functions
        .iter()
        .zip(decoded)
        .map(|(f, code)| {
            crate::interp::Code::new(crate::interp::translate(&code))
                .map_err(|e| format!("invalid NBC module: function {}: {e}", f.name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The entry closure is made here, with no cells to capture.
    if !module.functions[module.entry as usize].captures.is_empty() {
        return Err("invalid NBC module: the entry function captures variables".into());
    }

    // Registers are addressed through a fixed window; widen it (for good)
    // when this module has a function with more registers than it holds.
    if module
        .functions
        .iter()
        .any(|f| f.num_regs as usize > crate::interp::NARROW_WINDOW)
    {
        vm.window = crate::interp::WIDE_WINDOW;
    }
    let mut program = (*vm.program).clone();
    let heap = &mut vm.heap;
    let func_base = program.functions.len() as u32;
    let struct_base = heap.types().structs.len() as u32;
    let enum_base = heap.types().enums.len() as u32;

    let symbols = &mut heap.types_mut().symbols;
    let names: Vec<Sym> = module.names.iter().map(|n| symbols.intern(n)).collect();
    let checks: Vec<TypeCheck> = module
        .names
        .iter()
        .map(|n| TypeCheck::parse(n, symbols))
        .collect();
    let name_text = module.names.iter().map(|n| Arc::from(n.as_str())).collect();
    let kw_names = module
        .kw_names
        .iter()
        .map(|list| list.iter().map(|n| Arc::from(n.as_str())).collect())
        .collect();

    let consts = module
        .consts
        .iter()
        .map(|c| match c {
            Const::Int(i) => Value::Int(*i),
            Const::Float(f) => Value::Float(*f),
            Const::Duration(ns) => Value::Duration(*ns),
            Const::Str(s) => heap.alloc_const_str(s),
        })
        .collect();

    let module_data = Arc::new(ModuleData {
        consts,
        names,
        checks,
        name_text,
        kw_names,
        func_base,
        struct_base,
        enum_base,
    });

    register_structs(vm, module);
    register_enums(vm, module);

    for (f, code) in module.functions.iter().zip(decoded) {
        let cache_base = program.cache_len;
        program.cache_len += code.len();
        let heap = &mut vm.heap;
        let params = f
            .params
            .iter()
            .map(|p| ParamInfo {
                text: Arc::from(p.name.as_str()),
                has_default: p.has_default,
            })
            .collect();
        let name: Arc<str> = Arc::from(f.name.as_str());
        heap.types_mut().function_names.push(name.clone());
        program.functions.push(FunctionCode {
            cache_base,
            code,
            module: module_data.clone(),
            name,
            kind: f.kind,
            is_async: f.is_async,
            params,
            num_regs: f.num_regs as usize,
            captures: f.captures.clone(),
            lines: f.lines.clone(),
            file: Arc::from(
                module
                    .files
                    .get(f.file as usize)
                    .map_or("?", |s| s.as_str()),
            ),
        });
    }

    // The REPL's later modules extend the global table; earlier slots keep
    // their values.
    if vm.globals.len() < module.globals.len() {
        vm.globals.resize(module.globals.len(), Value::Missing);
    }
    for (i, name) in module.globals.iter().enumerate() {
        match program.global_names.get_mut(i) {
            Some(slot) => *slot = Arc::from(name.as_str()),
            None => program.global_names.push(Arc::from(name.as_str())),
        }
    }

    let entry = func_base + module.entry;
    vm.program = Arc::new(program);
    let closure = crate::object::Closure {
        func: entry,
        cells: Box::new([]),
    };
    Ok(Value::Obj(vm.heap.alloc(Object::Closure(closure))))
}

fn decode_all(module: &Module) -> Result<Vec<Vec<Instr>>, String> {
    module
        .functions
        .iter()
        .map(|f| {
            f.code
                .iter()
                .enumerate()
                .map(|(pc, &word)| {
                    Instr::decode(word).map_err(|e| format!("function {}, pc {pc}: {e}", f.name))
                })
                .collect()
        })
        .collect()
}

fn register_structs(vm: &mut Vm, module: &Module) {
    let heap = &mut vm.heap;
    for def in &module.structs {
        let id = heap.types().structs.len() as u32;
        let symbols = &mut heap.types_mut().symbols;
        let fields: Vec<FieldDesc> = def
            .fields
            .iter()
            .map(|f| FieldDesc {
                name: symbols.intern(&f.name),
                check: f
                    .ty
                    .as_deref()
                    .map(|t| TypeCheck::parse(t, symbols))
                    .filter(|c| *c != TypeCheck::Any),
            })
            .collect();
        let name = symbols.intern(&def.name);
        let field_syms = fields.iter().map(|f| f.name).collect();
        let untyped = fields.iter().all(|f| f.check.is_none());
        let arity = plain_arity(untyped, fields.len());
        let type_obj = heap.alloc_const(Object::StructType(id, arity));
        heap.types_mut().structs.push(StructDesc {
            name,
            fields,
            field_syms,
            untyped,
            methods: Vec::new(),
            type_obj,
        });
    }
}

fn register_enums(vm: &mut Vm, module: &Module) {
    let heap = &mut vm.heap;
    for def in &module.enums {
        let enum_id = heap.types().enums.len() as u32;
        let type_obj = heap.alloc_const(Object::EnumType(enum_id));
        let mut variants = Vec::with_capacity(def.variants.len());
        for (i, v) in def.variants.iter().enumerate() {
            let variant = i as u32;
            let value = if v.is_unit {
                heap.alloc_const(Object::EnumValue(EnumValue {
                    enum_id,
                    variant,
                    fields: Box::new([]),
                }))
            } else {
                heap.alloc_const(Object::VariantCtor { enum_id, variant })
            };
            let symbols = &mut heap.types_mut().symbols;
            variants.push(VariantDesc {
                name: symbols.intern(&v.name),
                fields: v.fields.iter().map(|f| symbols.intern(f)).collect(),
                is_unit: v.is_unit,
                value,
            });
        }
        let name = heap.types_mut().symbols.intern(&def.name);
        heap.types_mut().enums.push(EnumDesc {
            name,
            variants,
            methods: Vec::new(),
            type_obj,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::{Vm, VmOptions};

    #[test]
    fn a_module_is_not_loaded_while_code_runs() {
        // Refused before it is even verified.
        let module = noodle_nbc::Module {
            files: vec![],
            consts: vec![],
            names: vec![],
            kw_names: vec![],
            functions: vec![],
            structs: vec![],
            enums: vec![],
            globals: vec![],
            entry: 0,
        };
        let mut vm = Vm::new(VmOptions::default());
        let refused = vm.with_program(|vm, _| vm.load_program(&module));
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("while this VM runs code"), "{message}");
    }
}
