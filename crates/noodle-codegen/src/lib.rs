//! Lowers the resolved IR of `noodle-sema` to an NBC module, and the
//! compiler's public entry points ([`compile_file`], [`compile_source`],
//! [`ReplCompiler`]).
//!
//! Each IR function becomes the NBC function with the same index; the
//! compiler-made functions (actor state accessors) follow, and the program
//! entry comes last. The runtime-facing layouts (entry, module
//! initialisers, actors, supervisors, parallel blocks) are documented in
//! [`layout`].

mod expr;
mod func;
mod handlers;
pub mod layout;
mod pattern;
mod pool;
mod stmt;

use func::FnBuilder;
use layout::{SynInstr, Synthetic};
use noodle_nbc::{
    Capture, EnumDef, FieldDef, Function, FunctionKind, Instr, Module, Param, StructDef, VariantDef,
};
use noodle_sema::ir::{self, FnKind, Program};
use noodle_sema::{Analysis, Analyzer, FsLoader, Loader};
use pool::Pool;
use std::path::Path;

/// What a compilation produced.
#[derive(Debug)]
pub struct Output {
    /// `None` when there were errors.
    pub module: Option<Module>,
    /// Rendered errors and warnings, in file order.
    pub diagnostics: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
}

/// Compiles the program whose entry file is `path`, reading it and its
/// imports from disk. Files are named as `path` names them.
pub fn compile_file(path: &Path) -> Output {
    let source = match FsLoader.load(path) {
        Ok(source) => source,
        Err(e) => {
            let why = match e {
                noodle_sema::LoadError::NotFound => "no such file".to_string(),
                noodle_sema::LoadError::Unreadable(why) => why,
            };
            return failure(format!("error: cannot read `{}`: {why}\n", path.display()));
        }
    };
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let name = path.display().to_string();
    on_big_stack(move || {
        let mut analyzer = Analyzer::new(Box::new(FsLoader), &dir);
        let analysis = analyzer.analyze_program(&name, source, &dir);
        finish(analysis)
    })
}

/// Compiles `source` as an entry file called `name`; imports are read from
/// disk relative to `base_dir`.
pub fn compile_source(name: &str, source: &str, base_dir: &Path) -> Output {
    compile_with_loader(name, source, base_dir, Box::new(FsLoader))
}

/// Like [`compile_source`], with imports supplied by `loader` (for tests
/// and tools that keep sources in memory).
pub fn compile_with_loader(
    name: &str,
    source: &str,
    base_dir: &Path,
    loader: Box<dyn Loader + Send>,
) -> Output {
    let (name, source, dir) = (name.to_string(), source.to_string(), base_dir.to_path_buf());
    on_big_stack(move || {
        let mut analyzer = Analyzer::new(loader, &dir);
        let analysis = analyzer.analyze_program(&name, source, &dir);
        finish(analysis)
    })
}

/// Compiles REPL inputs one at a time. Definitions, globals (which keep
/// their slots) and imported modules persist across inputs; an input with
/// errors changes nothing. Each input's module returns the value of its
/// final expression statement from its entry.
pub struct ReplCompiler {
    analyzer: Analyzer,
}

impl ReplCompiler {
    pub fn new(base_dir: &Path) -> Self {
        Self::with_loader(base_dir, Box::new(FsLoader))
    }

    pub fn with_loader(base_dir: &Path, loader: Box<dyn Loader + Send>) -> Self {
        ReplCompiler {
            analyzer: Analyzer::new(loader, base_dir),
        }
    }

    pub fn compile(&mut self, source: &str) -> Output {
        let analyzer = &mut self.analyzer;
        on_big_stack(move || finish(analyzer.analyze_repl(source)))
    }
}

/// Stack for the compiler's thread: resolution and code generation
/// recurse over the syntax tree, and nesting is bounded by
/// [`noodle_sema::MAX_NESTING`].
const STACK_SIZE: usize = 1 << 30;

/// Runs the compiler on a thread with a large stack; a bug that panics
/// becomes an error message instead of taking the caller down. Where no
/// such thread can be started, the job runs on the caller's thread.
fn on_big_stack(job: impl FnOnce() -> Output + Send) -> Output {
    let slot = std::sync::Mutex::new(Some(job));
    // Takes the job out (releasing the lock) and runs it, at most once.
    let run = || {
        let job = slot.lock().ok().and_then(|mut job| job.take());
        job.map(|job| job())
    };
    let run = &run;
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("noodle-compiler".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, run);
        let outcome = match handle {
            Ok(h) => h.join().unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Some(failure(format!("error: internal compiler error: {what}\n")))
            }),
            Err(_) => run(),
        };
        outcome.unwrap_or_else(|| {
            failure("error: internal compiler error: the job did not run\n".into())
        })
    })
}

fn failure(message: String) -> Output {
    Output {
        module: None,
        diagnostics: vec![message],
        errors: 1,
        warnings: 0,
    }
}

/// Code generation after a successful analysis.
fn finish(analysis: Analysis) -> Output {
    let mut diagnostics = analysis.rendered();
    let mut errors = analysis.errors;
    let module = if errors == 0 {
        match generate(&analysis.program) {
            Ok(module) => Some(module),
            Err(messages) => {
                errors += messages.len();
                diagnostics.extend(messages.into_iter().map(|m| format!("error: {m}\n")));
                None
            }
        }
    } else {
        None
    };
    Output {
        module,
        diagnostics,
        errors,
        warnings: analysis.warnings,
    }
}

/// Module-wide state while one program is generated.
pub struct Codegen<'p> {
    pub program: &'p Program,
    pub pool: Pool,
    /// Each IR function's captures, recorded where its closure is made.
    pub captures: Vec<Option<Vec<Capture>>>,
    /// Compiler-made functions, after the IR functions.
    synthetic: Vec<Function>,
    errors: Vec<String>,
}

impl<'p> Codegen<'p> {
    pub fn internal_error(&mut self, message: String) {
        self.errors
            .push(format!("internal compiler error: {message}"));
    }

    /// Adds a compiler-made function; returns its index.
    pub fn add_synthetic(&mut self, s: Synthetic) -> u32 {
        let mut f = s.function;
        f.code = s
            .code
            .into_iter()
            .map(|i| match i {
                SynInstr::Plain(i) => i.encode(),
                SynInstr::Str(dst, text) => {
                    let k = self.pool.str(&text);
                    Instr::LoadConst { dst, k }.encode()
                }
            })
            .collect();
        self.synthetic.push(f);
        (self.program.functions.len() + self.synthetic.len() - 1) as u32
    }
}

/// Generates the NBC module of an analysed program.
pub fn generate(program: &Program) -> Result<Module, Vec<String>> {
    let mut cg = Codegen {
        program,
        pool: Pool::default(),
        captures: vec![None; program.functions.len()],
        synthetic: Vec::new(),
        errors: Vec::new(),
    };
    let root_init = program.inits.last().copied();
    let mut functions = Vec::with_capacity(program.functions.len() + 1);
    for (id, f) in program.functions.iter().enumerate() {
        let returns_value = program.returns_last_value && root_init == Some(id as u32);
        functions.push(generate_function(&mut cg, f, returns_value));
    }
    for (f, captures) in functions.iter_mut().zip(cg.captures.iter_mut()) {
        f.captures = captures.take().unwrap_or_default();
    }
    functions.append(&mut cg.synthetic);
    let entry = functions.len() as u32;
    functions.push(entry_function(program));
    if let Some(what) = cg.pool.overflow {
        cg.errors.push(format!("the program is too large: {what}"));
    }
    if !cg.errors.is_empty() {
        return Err(cg.errors);
    }
    Ok(Module {
        files: program.files.iter().map(|f| f.name.clone()).collect(),
        consts: cg.pool.consts,
        names: cg.pool.names,
        kw_names: cg.pool.kw_names,
        functions,
        structs: program.structs.iter().map(struct_def).collect(),
        enums: program.enums.iter().map(enum_def).collect(),
        globals: program.globals.clone(),
        entry,
    })
}

fn generate_function<'p>(
    cg: &mut Codegen<'p>,
    f: &'p ir::Function,
    returns_value: bool,
) -> Function {
    let mut b = FnBuilder::new(cg, f);
    match f.kind {
        FnKind::Function => b.function_body(),
        FnKind::ModuleInit => b.module_init(returns_value),
        FnKind::ActorInit => b.actor_init(),
        FnKind::SupervisorInit => b.supervisor_init(),
    }
    let too_large = b.too_large();
    let num_regs = b.num_regs();
    let code = b.code.iter().map(Instr::encode).collect();
    let lines = std::mem::take(&mut b.lines);
    if too_large {
        cg.errors.push(format!(
            "function `{}` is too large: it needs more than 65535 registers",
            f.name
        ));
    }
    Function {
        name: f.name.clone(),
        kind: match f.kind {
            FnKind::Function => FunctionKind::Function,
            FnKind::ModuleInit => FunctionKind::ModuleInit,
            FnKind::ActorInit => FunctionKind::ActorInit,
            FnKind::SupervisorInit => FunctionKind::SupervisorInit,
        },
        is_async: f.is_async,
        params: f
            .params
            .iter()
            .map(|p| Param {
                name: p.name.clone(),
                has_default: p.default.is_some(),
            })
            .collect(),
        num_regs,
        captures: Vec::new(),
        code,
        lines,
        file: f.file,
    }
}

/// Runs the module initialisers, then `main()`.
fn entry_function(program: &Program) -> Function {
    let mut code = Vec::new();
    for &init in &program.inits {
        code.push(Instr::Closure {
            dst: 0,
            proto: init,
        });
        code.push(Instr::Call { func: 0, argc: 0 });
    }
    if let Some(main) = program.main {
        code.push(Instr::LoadGlobal {
            dst: 0,
            global: main.global,
        });
        code.push(Instr::Call { func: 0, argc: 0 });
        if main.is_async {
            code.push(Instr::Await { dst: 0, src: 0 });
        }
    }
    if program.returns_last_value && !program.inits.is_empty() && program.main.is_none() {
        code.push(Instr::Return { src: 0 });
    } else {
        code.push(Instr::ReturnNone {});
    }
    let file = program
        .inits
        .last()
        .map_or(0, |&i| program.functions[i as usize].file);
    Function {
        name: "<entry>".into(),
        kind: FunctionKind::Entry,
        is_async: false,
        params: Vec::new(),
        num_regs: 1,
        captures: Vec::new(),
        code: code.iter().map(Instr::encode).collect(),
        lines: Vec::new(),
        file,
    }
}

fn struct_def(s: &ir::StructDef) -> StructDef {
    StructDef {
        name: s.name.clone(),
        fields: s
            .fields
            .iter()
            .map(|(name, ty)| FieldDef {
                name: name.clone(),
                ty: ty.clone(),
            })
            .collect(),
    }
}

fn enum_def(e: &ir::EnumDef) -> EnumDef {
    EnumDef {
        name: e.name.clone(),
        variants: e
            .variants
            .iter()
            .map(|v| VariantDef {
                name: v.name.clone(),
                fields: v.fields.clone(),
                is_unit: v.is_unit,
            })
            .collect(),
    }
}
