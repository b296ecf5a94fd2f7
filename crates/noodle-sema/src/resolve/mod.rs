//! Name resolution and the compile-time checks, producing the IR of one
//! module. Split by construct: [`toplevel`] (the three passes over a
//! module), [`decl`] (functions, structs, enums, `impl`), [`actor`]
//! (actors, supervisors), [`stmt`], [`expr`], [`pattern`], [`annotate`]
//! (annotations, supervisor options and type names).

mod actor;
mod annotate;
mod decl;
mod expr;
mod pattern;
mod stmt;
mod toplevel;

use crate::FileDiagnostic;
use crate::fxhash::FxHashMap;
use crate::ir::{CaptureSource, EnumDef, FileId, FnId, Function, GlobalId, StructDef, VarRef};
use crate::scope::{CtxKind, FnCtx, ModuleRef, ModuleScope, NameRef, Namespace, TopBinding, What};
use crate::state::{GlobalKind, State};
use noodle_nbc::builtins::BUILTINS;
use noodle_syntax::Diagnostic;
use noodle_syntax::ast::Span;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Expressions and blocks nested deeper than this are reported instead of
/// resolved, so the compiler's recursion stays bounded (resolution and
/// code generation recurse once per level, on a 1 GiB stack). Chains of
/// left-associative operators (`a + b + ...`) do not count: they are
/// handled in loops, however long.
pub const MAX_NESTING: u32 = 20_000;

/// What this compilation produces besides diagnostics.
#[derive(Default)]
pub struct Out {
    /// Reserved slots are `None` until their function is finished.
    pub functions: Vec<Option<Function>>,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
}

/// The outcome of looking a name up.
pub enum Found {
    Var(NameRef),
    /// A top-level name bound by `import`: only its members are values.
    Namespace(String),
    /// Bound by an import that failed; stay quiet.
    Poisoned,
}

/// A module member reached through a namespace.
pub enum Member {
    Value(NameRef),
    Namespace(Namespace),
}

pub struct Resolver<'a> {
    pub state: &'a mut State,
    pub scope: &'a mut ModuleScope,
    pub out: &'a mut Out,
    pub diags: &'a mut Vec<FileDiagnostic>,
    pub file: FileId,
    /// Prefix of this module's qualified global names (`lib.geometry.`).
    pub prefix: String,
    /// Compiling a REPL input: top-level names may be redefined.
    pub repl: bool,
    /// The file had syntax errors: a name that is not found may belong to
    /// a declaration that failed to parse, so it is not reported.
    pub quiet_undeclared: bool,
    /// Functions being resolved, innermost last.
    pub stack: Vec<FnCtx>,
    /// Inside an actor declaration: `self` is the actor's address.
    pub in_actor: bool,
    pub depth: u32,
    /// Methods already added to each type, to catch duplicates.
    pub methods: HashMap<GlobalId, HashSet<String>>,
}

fn builtin_table() -> &'static FxHashMap<&'static str, u16> {
    static TABLE: OnceLock<FxHashMap<&'static str, u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        BUILTINS
            .iter()
            .enumerate()
            .map(|(i, name)| (*name, i as u16))
            .collect()
    })
}

pub fn builtin(name: &str) -> Option<u16> {
    builtin_table().get(name).copied()
}

impl Resolver<'_> {
    pub fn error(&mut self, message: impl Into<String>, span: Span) {
        self.diags.push(FileDiagnostic {
            file: self.file,
            diag: Diagnostic::error(message, span),
        });
    }

    pub fn report(&mut self, diag: Diagnostic) {
        self.diags.push(FileDiagnostic {
            file: self.file,
            diag,
        });
    }

    pub fn ctx(&self) -> &FnCtx {
        self.stack.last().expect("resolving inside a function")
    }

    pub fn ctx_mut(&mut self) -> &mut FnCtx {
        self.stack.last_mut().expect("resolving inside a function")
    }

    /// In a module's top-level code (not inside any function)?
    pub fn at_top_level_code(&self) -> bool {
        self.stack.len() == 1 && self.stack[0].kind == CtxKind::TopLevel
    }

    /// At the outermost scope of top-level code, where `let` makes a global.
    pub fn at_module_scope(&self) -> bool {
        self.at_top_level_code() && self.stack[0].scopes.len() == 1
    }

    /// Enters a nested depth level; false (after reporting) when too deep.
    pub fn enter(&mut self, span: Span) -> bool {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            if self.depth == MAX_NESTING + 1 {
                self.error("this code is nested too deeply to compile", span);
            }
            return false;
        }
        true
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Reserves the function slot for a function about to be resolved.
    pub fn reserve_fn(&mut self) -> FnId {
        self.out.functions.push(None);
        (self.out.functions.len() - 1) as FnId
    }

    pub fn global_what(&self, id: GlobalId) -> What {
        match &self.state.global(id).kind {
            GlobalKind::Let { ty } => What::Variable { ty: ty.clone() },
            GlobalKind::Def { is_async } => What::Function {
                is_async: *is_async,
            },
            _ => What::Type(id),
        }
    }

    fn global_ref(&self, id: GlobalId) -> NameRef {
        NameRef {
            var: VarRef::Global(id),
            what: self.global_what(id),
            imported: false,
        }
    }

    /// Resolves a name through the enclosing functions (capturing as
    /// needed), the module's top level and the builtins.
    pub fn lookup(&mut self, name: &str) -> Option<Found> {
        let depth = self.stack.len();
        for level in (0..depth).rev() {
            let Some(binding) = self.stack[level].lookup(name).cloned() else {
                continue;
            };
            let var = if level + 1 == depth {
                VarRef::Local(binding.id)
            } else {
                self.capture_through(level, binding.id)
            };
            return Some(Found::Var(NameRef {
                var,
                what: binding.what,
                imported: false,
            }));
        }
        if let Some(top_binding) = self.scope.names.get(name) {
            match top_binding {
                TopBinding::Global {
                    id,
                    is_let,
                    visible,
                } => {
                    // A top-level `let` exists for top-level code only
                    // from its declaration on.
                    if !(*is_let && !*visible && self.at_top_level_code()) {
                        let id = *id;
                        return Some(Found::Var(self.global_ref(id)));
                    }
                }
                TopBinding::Alias(r) => return Some(Found::Var(r.clone())),
                TopBinding::Namespace(_) => return Some(Found::Namespace(name.to_string())),
                TopBinding::Poisoned => return Some(Found::Poisoned),
            }
        }
        builtin(name).map(|b| {
            Found::Var(NameRef {
                var: VarRef::Builtin(b),
                what: What::Builtin,
                imported: false,
            })
        })
    }

    /// Marks a local of an enclosing function as captured and threads its
    /// cell through every function in between.
    fn capture_through(&mut self, level: usize, local: u32) -> VarRef {
        self.stack[level].locals[local as usize].captured = true;
        let mut source = CaptureSource::Local(local);
        let mut idx = 0;
        for ctx in &mut self.stack[level + 1..] {
            idx = ctx.capture(source);
            source = CaptureSource::Upval(idx);
        }
        VarRef::Upval(idx)
    }

    /// A member of a module: a submodule imported under this namespace,
    /// or one of the module's exports.
    pub fn namespace_member(&self, ns: &Namespace, name: &str) -> Option<Member> {
        if let Some(child) = ns.children.get(name) {
            return Some(Member::Namespace(child.clone()));
        }
        match ns.module? {
            ModuleRef::Native(module) => builtin(&format!("{module}.{name}")).map(|b| {
                Member::Value(NameRef {
                    var: VarRef::Builtin(b),
                    what: What::Builtin,
                    imported: true,
                })
            }),
            ModuleRef::Source(m) => {
                let id = *self.state.modules[m as usize].exports.get(name)?;
                let mut r = self.global_ref(id);
                r.imported = true;
                Some(Member::Value(r))
            }
        }
    }

    /// The namespace a top-level import binding holds.
    pub fn namespace(&self, binding: &str) -> Option<Namespace> {
        match self.scope.names.get(binding) {
            Some(TopBinding::Namespace(ns)) => Some(ns.clone()),
            _ => None,
        }
    }
}
