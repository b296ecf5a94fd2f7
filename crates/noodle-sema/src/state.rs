//! What the analyser remembers between compilations of one session (the
//! REPL compiles many inputs against the same globals and modules).

use crate::fxhash::FxHashMap;
use crate::ir::GlobalId;
use crate::scope::{ModuleId, ModuleScope};
use std::collections::HashMap;
use std::path::PathBuf;

/// The kind of a global slot, as far as the compiler can see it.
#[derive(Clone, Debug, PartialEq)]
pub enum GlobalKind {
    Let { ty: Option<String> },
    Def { is_async: bool },
    Struct { fields: Vec<String> },
    Enum { variants: Vec<VariantInfo> },
    Actor,
    Supervisor,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariantInfo {
    pub name: String,
    pub arity: usize,
    pub is_unit: bool,
}

#[derive(Clone, Debug)]
pub struct GlobalInfo {
    /// Qualified: `lib.geometry.Vec2`; plain in the entry module and REPL.
    pub name: String,
    /// The declared name (`Vec2`), which is also what `type_of` reports.
    pub short_name: String,
    pub kind: GlobalKind,
}

/// A source module that has been loaded.
#[derive(Clone, Debug)]
pub struct ModuleInfo {
    /// Dotted name relative to the entry's directory (`lib.geometry`).
    pub name: String,
    pub file: u32,
    /// Top-level declarations, by name.
    pub exports: FxHashMap<String, GlobalId>,
}

#[derive(Clone, Debug, Default)]
pub struct State {
    pub modules: Vec<ModuleInfo>,
    pub module_by_path: HashMap<PathBuf, ModuleId>,
    pub globals: Vec<GlobalInfo>,
    pub global_by_name: FxHashMap<String, GlobalId>,
    /// The REPL's top-level names, kept across inputs.
    pub repl_scope: ModuleScope,
}

impl State {
    /// The slot for a qualified name: a REPL redefinition keeps its slot.
    pub fn global_slot(&mut self, name: String, short_name: &str, kind: GlobalKind) -> GlobalId {
        if let Some(&id) = self.global_by_name.get(&name) {
            self.globals[id as usize].kind = kind;
            return id;
        }
        let id = self.globals.len() as GlobalId;
        self.global_by_name.insert(name.clone(), id);
        self.globals.push(GlobalInfo {
            name,
            short_name: short_name.to_string(),
            kind,
        });
        id
    }

    pub fn global(&self, id: GlobalId) -> &GlobalInfo {
        &self.globals[id as usize]
    }
}
