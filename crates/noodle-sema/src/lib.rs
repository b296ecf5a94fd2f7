//! Semantic analysis of Noodle: the module graph and imports, scopes and
//! name resolution (local / captured / global / builtin / module member),
//! the compile-time checks of the language reference, and the resolved IR
//! ([`ir`]) that codegen lowers to NBC.
//!
//! An [`Analyzer`] is one compilation session: the compiler uses it once
//! per program, the REPL once per input, keeping globals and loaded
//! modules between inputs.
//!
//! Resolution runs in three passes over every module loaded: (1) declare
//! each module's top-level names, so that order inside a module does not
//! matter; (2) bind imports, which need the imported modules' names; (3)
//! resolve bodies, modules in initialisation order.

mod graph;
pub mod ir;
pub mod loader;
mod resolve;
mod scope;
mod state;

use graph::{GraphBuilder, Root};
use ir::{FileId, MainFn, Program};
use noodle_syntax::{Diagnostic, Severity, SourceFile};
use resolve::{Out, Resolver};
use scope::{ModuleScope, TopBinding};
use state::{GlobalKind, State};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use loader::{FsLoader, LoadError, Loader, MemoryLoader};
/// The compiler's fast hash maps (shared with the parser).
pub use noodle_syntax::fxhash;
pub use resolve::MAX_NESTING;

/// A diagnostic about one file of the session.
#[derive(Clone, Debug)]
pub struct FileDiagnostic {
    pub file: FileId,
    pub diag: Diagnostic,
}

/// The result of analysing one program or REPL input.
#[derive(Debug)]
pub struct Analysis {
    pub program: Program,
    /// Sorted by file (in load order), then position.
    pub diagnostics: Vec<FileDiagnostic>,
    pub errors: usize,
    pub warnings: usize,
}

impl Analysis {
    /// Each diagnostic rendered with its source excerpt.
    pub fn rendered(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|d| self.program.files[d.file as usize].render(&d.diag))
            .collect()
    }
}

/// One compilation session.
pub struct Analyzer {
    loader: Box<dyn Loader + Send>,
    /// Module names (`lib.geometry`) are relative to this directory.
    base_dir: PathBuf,
    files: Vec<Arc<SourceFile>>,
    state: State,
    repl_inputs: usize,
}

impl Analyzer {
    pub fn new(loader: Box<dyn Loader + Send>, base_dir: &Path) -> Analyzer {
        Analyzer {
            loader,
            base_dir: base_dir.to_path_buf(),
            files: Vec::new(),
            state: State::default(),
            repl_inputs: 0,
        }
    }

    /// Analyses a program whose entry file `name` (shown in messages) has
    /// `source`; imports are relative to `dir`.
    pub fn analyze_program(&mut self, name: &str, source: String, dir: &Path) -> Analysis {
        let key = dir.join(Path::new(name).file_name().unwrap_or(name.as_ref()));
        let root = Root {
            name: name.to_string(),
            source,
            dir: dir.to_path_buf(),
            key: Some(key),
        };
        self.analyze(root, false)
    }

    /// Analyses one REPL input against everything earlier inputs defined.
    /// A failed input leaves the session as it was.
    pub fn analyze_repl(&mut self, source: &str) -> Analysis {
        self.repl_inputs += 1;
        let root = Root {
            name: "<repl>".into(),
            source: source.to_string(),
            dir: self.base_dir.clone(),
            key: None,
        };
        let saved = self.state.clone();
        let analysis = self.analyze(root, true);
        if analysis.errors > 0 {
            self.state = saved;
        }
        analysis
    }

    fn analyze(&mut self, root: Root, repl: bool) -> Analysis {
        let mut diags = Vec::new();
        let loaded = GraphBuilder {
            state: &mut self.state,
            files: &mut self.files,
            loader: self.loader.as_ref(),
            base_dir: &self.base_dir,
            diags: &mut diags,
        }
        .load(root);
        let files = &self.files;
        let state = &self.state;
        let display = |id: u32| {
            let m = &state.modules[id as usize];
            if m.name.is_empty() {
                let file = &files[m.file as usize].name;
                Path::new(file)
                    .file_stem()
                    .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned())
            } else {
                m.name.clone()
            }
        };
        let order = graph::init_order(&loaded, &display, &mut diags);

        let mut scopes: Vec<ModuleScope> = loaded.iter().map(|_| ModuleScope::default()).collect();
        if repl {
            scopes[0] = std::mem::take(&mut self.state.repl_scope);
            scopes[0].spans.clear();
        }
        let mut out = Out::default();
        let mut inits = Vec::with_capacity(order.len());
        for pass in 0..3 {
            for &i in &order {
                let m = &loaded[i];
                let prefix = match self.state.modules[m.id as usize].name.as_str() {
                    "" => String::new(),
                    name => format!("{name}."),
                };
                let mut r = Resolver {
                    state: &mut self.state,
                    scope: &mut scopes[i],
                    out: &mut out,
                    diags: &mut diags,
                    file: m.file,
                    prefix,
                    repl: repl && i == 0,
                    quiet_undeclared: m.syntax_errors,
                    stack: Vec::new(),
                    in_actor: false,
                    depth: 0,
                    methods: Default::default(),
                };
                match pass {
                    0 => r.declare_top_level(&m.ast.stmts, Some(m.id)),
                    1 => r.bind_imports(&m.ast.stmts, &m.imports),
                    _ => inits.push(r.resolve_module(&m.ast, repl && i == 0)),
                }
            }
        }

        let main = if repl {
            None
        } else {
            find_main(&scopes[0], &self.state)
        };
        if repl {
            self.state.repl_scope = std::mem::take(&mut scopes[0]);
        }
        diags.sort_by_key(|d| (d.file, d.diag.span.start));
        let errors = diags
            .iter()
            .filter(|d| d.diag.severity == Severity::Error)
            .count();
        let warnings = diags.len() - errors;
        let functions = out
            .functions
            .into_iter()
            .map(|f| f.unwrap_or_else(placeholder_fn))
            .collect();
        Analysis {
            program: Program {
                files: self.files.clone(),
                functions,
                structs: out.structs,
                enums: out.enums,
                globals: self.state.globals.iter().map(|g| g.name.clone()).collect(),
                inits,
                main,
                returns_last_value: repl,
            },
            diagnostics: diags,
            errors,
            warnings,
        }
    }
}

fn find_main(scope: &ModuleScope, state: &State) -> Option<MainFn> {
    match scope.names.get("main")? {
        TopBinding::Global { id, .. } => match state.global(*id).kind {
            GlobalKind::Def { is_async } => Some(MainFn {
                global: *id,
                is_async,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Never used: every reserved function is finished. Keeps the
/// conversion total instead of panicking.
fn placeholder_fn() -> ir::Function {
    ir::Function {
        name: "<missing>".into(),
        kind: ir::FnKind::Function,
        file: 0,
        span: Default::default(),
        is_async: false,
        params: Vec::new(),
        ret_ty: None,
        locals: Vec::new(),
        captures: Vec::new(),
        body: Default::default(),
        actor: None,
        supervisor: None,
    }
}
