//! NBC, the Noodle bytecode: the instruction set ([`isa`]), the builtin
//! table ([`builtins`]), the module structure ([`module`]), the file format
//! ([`format`]), the verifier ([`verify`]) and the disassembler ([`disasm`]).

pub mod builtins;
pub mod disasm;
pub mod format;
pub mod isa;
pub mod module;
pub mod verify;

pub use isa::{Instr, OperandKind};
pub use module::{
    Capture, Const, EnumDef, FieldDef, Function, FunctionKind, LineEntry, Module, Param, StructDef,
    VariantDef,
};

/// Version of the NBC file format; bumped on any incompatible change to the
/// instruction set, the builtin table or the module structure.
pub const FORMAT_VERSION: u16 = 1;
