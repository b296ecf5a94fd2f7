//! The in-memory and on-disk shape of a compiled program. The file format
//! (see [`crate::format`]) is an rkyv archive of [`Module`] behind a
//! versioned, checksummed header. Code is kept as encoded 64-bit words
//! ([`crate::isa::Instr::encode`]) so the archive layout does not depend on
//! the Rust enum's layout.

use rkyv::{Archive, Deserialize, Serialize};

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Module {
    /// Source file names, as they should appear in traces.
    pub files: Vec<String>,
    pub consts: Vec<Const>,
    /// Field, method, type and error-kind names and f-string specs;
    /// `Name` operands index this list.
    pub names: Vec<String>,
    /// Keyword-argument name lists; `KwNames` operands index this list.
    pub kw_names: Vec<Vec<String>>,
    pub functions: Vec<Function>,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    /// Every global slot this module uses, by qualified name
    /// (`geometry.dot`, `main`); `LoadGlobal` operands index this list.
    pub globals: Vec<String>,
    /// The function that runs the program: module initialisers in
    /// dependency order, then `main()` when defined.
    pub entry: u32,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    Float(f64),
    Str(String),
    /// Nanoseconds.
    Duration(i64),
}

#[derive(Archive, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    /// A `def`, lambda or method.
    Function,
    /// The top-level code of one source module.
    ModuleInit,
    /// The program entry.
    Entry,
    /// The constructor of an actor (see `DefActor`).
    ActorInit,
    /// The constructor of a supervisor (see `DefSupervisor`).
    SupervisorInit,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Function {
    /// Shown in traces: `at name (file:line:col)`.
    pub name: String,
    pub kind: FunctionKind,
    pub is_async: bool,
    /// Parameters occupy registers `0 .. params.len()`.
    pub params: Vec<Param>,
    /// Registers the frame needs, parameters included.
    pub num_regs: u16,
    /// Cells the `Closure` instruction captures, in `LoadUpval` order.
    pub captures: Vec<Capture>,
    pub code: Vec<u64>,
    /// Source positions, sorted by `pc`: each applies from its `pc` until
    /// the next entry.
    pub lines: Vec<LineEntry>,
    /// Index into [`Module::files`].
    pub file: u32,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    /// An omitted argument with a default arrives as the 'missing' marker
    /// and the prologue computes the default (`JumpIfSet`); one without a
    /// default is a TypeError at the call.
    pub has_default: bool,
}

#[derive(Archive, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// The cell held in this register of the function that runs `Closure`.
    Local(u16),
    /// That function's own captured cell with this index.
    Upval(u16),
}

#[derive(Archive, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineEntry {
    pub pc: u32,
    pub line: u32,
    pub col: u32,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: String,
    /// The annotated type name (`float`, `Point`), checked on construction
    /// and assignment.
    pub ty: Option<String>,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<VariantDef>,
}

#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct VariantDef {
    pub name: String,
    pub fields: Vec<String>,
    /// A variant without parentheses is a value, not a constructor.
    pub is_unit: bool,
}

impl Function {
    /// The source position of the instruction at `pc`.
    pub fn position(&self, pc: usize) -> Option<LineEntry> {
        let i = self.lines.partition_point(|e| e.pc as usize <= pc);
        i.checked_sub(1).map(|i| self.lines[i])
    }
}
