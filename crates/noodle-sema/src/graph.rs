//! The module graph: loading a root module and everything it imports,
//! detecting import cycles, and ordering module initialisation.

use crate::FileDiagnostic;
use crate::ir::FileId;
use crate::loader::{LoadError, Loader, normalize};
use crate::scope::{ModuleId, ModuleRef};
use crate::state::{ModuleInfo, State};
use noodle_nbc::builtins::NATIVE_MODULES;
use noodle_syntax::ast::{self, Span, StmtKind};
use noodle_syntax::{Diagnostic, SourceFile};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A module loaded by this compilation, with its syntax tree.
pub struct LoadedModule {
    pub id: ModuleId,
    pub file: FileId,
    pub ast: ast::Module,
    /// What each top-level import statement (by statement index) names;
    /// `None` when it names nothing (already reported).
    pub imports: HashMap<usize, Option<ModuleRef>>,
    /// Source modules this one imports, with the import's span.
    pub deps: Vec<(ModuleId, Span)>,
    /// The file had syntax errors, so declarations may be missing.
    pub syntax_errors: bool,
}

/// The root of a compilation: the entry file or a REPL input.
pub struct Root {
    /// The file name shown in messages.
    pub name: String,
    pub source: String,
    /// The directory its imports are relative to.
    pub dir: PathBuf,
    /// The identity of the root file, so that importing it is a cycle.
    pub key: Option<PathBuf>,
}

pub struct GraphBuilder<'a> {
    pub state: &'a mut State,
    pub files: &'a mut Vec<Arc<SourceFile>>,
    pub loader: &'a dyn Loader,
    pub base_dir: &'a Path,
    pub diags: &'a mut Vec<FileDiagnostic>,
}

impl GraphBuilder<'_> {
    /// Loads the root and, transitively, every module it imports that this
    /// session has not loaded before. The root comes first.
    pub fn load(&mut self, root: Root) -> Vec<LoadedModule> {
        let root_id = self.state.modules.len() as ModuleId;
        let file = self.add_file(root.name.to_string(), root.source);
        self.state.modules.push(ModuleInfo {
            name: String::new(),
            file,
            exports: Default::default(),
        });
        if let Some(key) = root.key {
            self.state.module_by_path.insert(normalize(&key), root_id);
        }
        let mut loaded = vec![self.parse(root_id, file)];
        let mut dirs = vec![root.dir];
        let mut next = 0;
        while next < loaded.len() {
            let dir = dirs[next].clone();
            let mut imports = HashMap::new();
            let mut deps = Vec::new();
            let file = loaded[next].file;
            let import_paths: Vec<(usize, Vec<ast::Ident>)> = loaded[next]
                .ast
                .stmts
                .iter()
                .enumerate()
                .filter_map(|(i, stmt)| match &stmt.kind {
                    StmtKind::Import { path, .. } | StmtKind::FromImport { path, .. } => {
                        Some((i, path.clone()))
                    }
                    _ => None,
                })
                .collect();
            for (i, path) in import_paths {
                let target = self.resolve_import(&path, &dir, file, &mut loaded, &mut dirs);
                if let Some(ModuleRef::Source(m)) = target {
                    deps.push((m, path_span(&path)));
                }
                imports.insert(i, target);
            }
            loaded[next].imports = imports;
            loaded[next].deps = deps;
            next += 1;
        }
        loaded
    }

    fn add_file(&mut self, name: String, source: String) -> FileId {
        self.files.push(Arc::new(SourceFile::new(name, source)));
        (self.files.len() - 1) as FileId
    }

    fn parse(&mut self, id: ModuleId, file: FileId) -> LoadedModule {
        let (ast, syntax_errors) = noodle_syntax::parse(&self.files[file as usize].text);
        let had_errors = !syntax_errors.is_empty();
        self.diags.extend(
            syntax_errors
                .into_iter()
                .map(|d| FileDiagnostic { file, diag: d }),
        );
        LoadedModule {
            id,
            file,
            ast,
            imports: HashMap::new(),
            deps: Vec::new(),
            syntax_errors: had_errors,
        }
    }

    /// Finds (loading on first use) the module an import path names.
    fn resolve_import(
        &mut self,
        path: &[ast::Ident],
        dir: &Path,
        file: FileId,
        loaded: &mut Vec<LoadedModule>,
        dirs: &mut Vec<PathBuf>,
    ) -> Option<ModuleRef> {
        let dotted = dotted(path);
        let span = path_span(path);
        if let Some(native) = NATIVE_MODULES.iter().find(|m| **m == dotted) {
            return Some(ModuleRef::Native(native));
        }
        let mut rel = PathBuf::new();
        for (i, part) in path.iter().enumerate() {
            if i + 1 == path.len() {
                rel.push(format!("{}.nd", part.name));
            } else {
                rel.push(&part.name);
            }
        }
        let full = dir.join(&rel);
        let key = normalize(&full);
        if let Some(&id) = self.state.module_by_path.get(&key) {
            return Some(ModuleRef::Source(id));
        }
        match self.loader.load(&full) {
            Ok(source) => {
                let id = self.state.modules.len() as ModuleId;
                let name = module_name(&key, self.base_dir).unwrap_or_else(|| dotted.clone());
                let new_file = self.add_file(full.display().to_string(), source);
                self.state.modules.push(ModuleInfo {
                    name,
                    file: new_file,
                    exports: Default::default(),
                });
                self.state.module_by_path.insert(key, id);
                loaded.push(self.parse(id, new_file));
                dirs.push(full.parent().map(Path::to_path_buf).unwrap_or_default());
                Some(ModuleRef::Source(id))
            }
            Err(LoadError::NotFound) => {
                let diag = Diagnostic::error(format!("no module named `{dotted}`"), span)
                    .with_note(format!("looked for {}", full.display()));
                self.diags.push(FileDiagnostic { file, diag });
                None
            }
            Err(LoadError::Unreadable(why)) => {
                let diag = Diagnostic::error(
                    format!("cannot read module `{dotted}` ({}): {why}", full.display()),
                    span,
                );
                self.diags.push(FileDiagnostic { file, diag });
                None
            }
        }
    }
}

pub fn dotted(path: &[ast::Ident]) -> String {
    let parts: Vec<&str> = path.iter().map(|p| p.name.as_str()).collect();
    parts.join(".")
}

pub fn path_span(path: &[ast::Ident]) -> Span {
    match (path.first(), path.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    }
}

/// `lib/geometry.nd` under the base directory is `lib.geometry`.
fn module_name(path: &Path, base_dir: &Path) -> Option<String> {
    let rel = path.strip_prefix(normalize(base_dir)).ok()?;
    let parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("."))
}

/// Orders the loaded modules dependencies-first and reports each import
/// cycle once, at the import that closes it. `names` gives each loaded
/// module's display name.
pub fn init_order(
    loaded: &[LoadedModule],
    names: &dyn Fn(ModuleId) -> String,
    diags: &mut Vec<FileDiagnostic>,
) -> Vec<usize> {
    let Some(first) = loaded.first().map(|m| m.id) else {
        return Vec::new();
    };
    let index = |id: ModuleId| {
        id.checked_sub(first)
            .map(|i| i as usize)
            .filter(|&i| i < loaded.len())
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark = vec![Mark::New; loaded.len()];
    let mut order = Vec::with_capacity(loaded.len());
    // (module index, next dependency to visit)
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    mark[0] = Mark::Active;
    while let Some(&mut (m, ref mut next)) = stack.last_mut() {
        let Some(&(dep, span)) = loaded[m].deps.get(*next) else {
            mark[m] = Mark::Done;
            order.push(m);
            stack.pop();
            continue;
        };
        *next += 1;
        let Some(d) = index(dep) else { continue };
        match mark[d] {
            Mark::Done => {}
            Mark::New => {
                mark[d] = Mark::Active;
                stack.push((d, 0));
            }
            Mark::Active => {
                let start = stack.iter().position(|&(s, _)| s == d).unwrap_or(0);
                let mut cycle: Vec<String> = stack[start..]
                    .iter()
                    .map(|&(s, _)| format!("`{}`", names(loaded[s].id)))
                    .collect();
                cycle.push(format!("`{}`", names(dep)));
                let diag = Diagnostic::error(format!("import cycle: {}", cycle.join(" -> ")), span)
                    .with_note("modules may not import each other, directly or indirectly");
                diags.push(FileDiagnostic {
                    file: loaded[m].file,
                    diag,
                });
            }
        }
    }
    order
}
