//! Scopes: the top-level bindings of a module, and the block scopes of the
//! function being resolved (with the capture bookkeeping for closures).

use crate::fxhash::FxHashMap;
use crate::ir::{CaptureSource, GlobalId, LocalId, LocalInfo, VarRef};
use noodle_syntax::ast::{Name, Span};

pub type ModuleId = u32;

/// A module an import can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleRef {
    /// A module of [`noodle_nbc::builtins::NATIVE_MODULES`].
    Native(&'static str),
    Source(ModuleId),
}

/// What `import a.b` binds: `a`, whose member `b` is the module; both
/// levels may also be modules themselves.
#[derive(Clone, Debug)]
pub struct Namespace {
    /// Dotted name, for messages.
    pub path: String,
    pub module: Option<ModuleRef>,
    pub children: FxHashMap<String, Namespace>,
    /// The import that named this module failed (already reported).
    pub poisoned: bool,
}

impl Namespace {
    pub fn new(path: String) -> Namespace {
        Namespace {
            path,
            module: None,
            children: FxHashMap::default(),
            poisoned: false,
        }
    }
}

/// What a resolved name refers to, beyond its storage.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// A `let`, parameter, loop or pattern variable: assignable.
    Variable {
        ty: Option<String>,
    },
    /// A `def` (immutable); async ones make calls as statements suspicious.
    Function {
        is_async: bool,
    },
    /// A struct, enum, actor or supervisor (its global carries the details).
    Type(GlobalId),
    Builtin,
}

/// A name resolved to storage.
#[derive(Clone, Debug)]
pub struct NameRef {
    pub var: VarRef,
    pub what: What,
    /// Reached through `from m import x`: never assignable.
    pub imported: bool,
}

/// A top-level name of a module.
#[derive(Clone, Debug)]
pub enum TopBinding {
    /// Declared by this module. A `let` becomes visible to top-level code
    /// only at its declaration (`visible`); functions see it everywhere.
    Global {
        id: GlobalId,
        is_let: bool,
        visible: bool,
    },
    /// `from m import x`.
    Alias(NameRef),
    /// `import a.b` binds `a`; `import a.b as x` binds `x`.
    Namespace(Namespace),
    /// The import that would have bound it failed (already reported):
    /// uses resolve silently so one mistake gives one error.
    Poisoned,
}

/// The top-level names of one module (or of the REPL session).
#[derive(Clone, Debug, Default)]
pub struct ModuleScope {
    pub names: FxHashMap<String, TopBinding>,
    /// Where each name was declared by the current compilation, for
    /// duplicate checks (the REPL clears it before each input, so an
    /// input may redefine an earlier input's names).
    pub spans: FxHashMap<String, Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtxKind {
    /// A module's top-level code.
    TopLevel,
    /// A `def`, lambda, method or actor handler: `return` is allowed.
    Function,
    /// The state initialisers of an actor.
    ActorInit,
    /// The child specs of a supervisor.
    SupervisorInit,
    /// One branch of a `parallel` block.
    Branch,
}

#[derive(Clone, Debug)]
pub struct LocalBinding {
    pub id: LocalId,
    pub what: What,
}

/// The function being resolved: its block scopes, locals and captures.
#[derive(Debug)]
pub struct FnCtx {
    pub kind: CtxKind,
    /// Innermost last.
    pub scopes: Vec<FxHashMap<Name, LocalBinding>>,
    pub locals: Vec<LocalInfo>,
    pub captures: Vec<CaptureSource>,
    capture_index: FxHashMap<CaptureSource, u16>,
    /// `await` is allowed here.
    pub is_async: bool,
    /// An `await` appeared (directly, not in a nested function).
    pub saw_await: bool,
    /// Enclosing loops within this function.
    pub loop_depth: u32,
}

impl FnCtx {
    pub fn new(kind: CtxKind, is_async: bool) -> FnCtx {
        FnCtx {
            kind,
            scopes: vec![FxHashMap::default()],
            locals: Vec::new(),
            captures: Vec::new(),
            capture_index: FxHashMap::default(),
            is_async,
            saw_await: false,
            loop_depth: 0,
        }
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(FxHashMap::default());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// A new local, not yet visible by name.
    pub fn new_local(&mut self, name: &Name) -> LocalId {
        self.locals.push(LocalInfo {
            name: name.clone(),
            captured: false,
        });
        (self.locals.len() - 1) as LocalId
    }

    /// Makes `name` visible in the innermost scope. Returns false when the
    /// scope already has it. `_` never binds: its value is discarded.
    pub fn bind(&mut self, name: &Name, binding: LocalBinding) -> bool {
        if *name == "_" {
            return true;
        }
        let scope = self.scopes.last_mut().expect("a function has a scope");
        if scope.contains_key(name.as_str()) {
            return false;
        }
        scope.insert(name.clone(), binding);
        true
    }

    pub fn lookup(&self, name: &str) -> Option<&LocalBinding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// The upvalue index for a cell captured from the parent.
    pub fn capture(&mut self, source: CaptureSource) -> u16 {
        if let Some(&i) = self.capture_index.get(&source) {
            return i;
        }
        let i = self.captures.len() as u16;
        self.captures.push(source);
        self.capture_index.insert(source, i);
        i
    }
}
