//! Function bodies and the runtime-facing layouts of module initialisers,
//! actor and supervisor constructors, and the program entry.
//!
//! # Conventions shared with the VM and runtime
//!
//! **Functions.** Parameters are registers `0..n`. An `async def` (or
//! async lambda, or a `parallel` branch that awaits) starts with
//! `async_begin` at pc 0, before the parameter prologue; every completion
//! is `async_end r` immediately followed by `ret r`. The prologue handles,
//! per parameter in order: `jmpset r, +k` and the default's code (when it
//! has a default), `checktype r` (when annotated), `mkcell r, r` (when a
//! closure captures it). A declared return type is checked (`checktype`)
//! right before each return.
//!
//! **Program entry** (kind `Entry`, no parameters): for each module
//! initialiser, dependencies first and the entry module last, `closure` +
//! `call 0`; then, when the entry module defines `def main`, `getglobal
//! main` + `call 0`, followed by `await` when `main` is an `async def`.
//! Returns none; a REPL input's entry returns the value of the input's
//! final expression statement instead (none when there is none).
//!
//! **Module initialiser** (kind `ModuleInit`): first every hoisted
//! declaration in source order (`defstruct` / `defenum` / `closure` /
//! `defactor` / `defsupervisor` + `setglobal`), then each `impl`
//! (`getglobal` of the type, then `closure` + `addmethod` per method),
//! then the top-level statements. Globals are named `module.name`
//! (`lib.geometry.Vec2`), plainly in the entry module and the REPL.
//!
//! **Actor constructor** (kind `ActorInit`, `defactor`): takes the actor's
//! parameters, creates the state variables and handlers (state variables
//! always live in cells), runs the state initialisers in order and returns
//! ```text
//! {"handlers": {"name": closure, ...},
//!  "annotations": {"restart": ["permanent"], "on": ["gpu", [">=", "mem", 8589934592]],
//!                  "checkpoint": [{"every": 100}], ...},
//!  "get_state": || {"count": ..., ...},      # every state variable by name
//!  "set_state": |state| ...}                 # assigns each state variable from the map
//! ```
//! Annotation arguments are data: a bare name is its string, numbers,
//! strings, durations and sizes are values, a comparison is
//! `[op, lhs, rhs]`; the named arguments, when there are any, follow the
//! positional ones as one map. Handlers are ordinary closures named
//! `Actor.handler`; `self` inside an actor is `self` (`LoadSelf`).
//! `get_state` / `set_state` let the runtime checkpoint and restore an
//! actor (restart = call the constructor again, then `set_state`).
//!
//! **Supervisor constructor** (kind `SupervisorInit`, `defsupervisor`):
//! no parameters; returns
//! ```text
//! {"options": {"strategy": "one_for_one", "max_restarts": 3, "within": 5s},
//!  "children": [["counter", <actor type>, [args...]], ...],
//!  "annotations": {...}}
//! ```
//! with every option present (defaults: one_for_one, 3, 5s).
//!
//! **Parallel blocks**: `parallel S(opts) { b1; b2 }` puts the options map
//! (`{"timeout": 1s, "max_concurrency": 2}`, only those given) in R[base]
//! and one zero-parameter closure per branch in R[base+1..]; strategy 0 all,
//! 1 any, 2 race, 3 collect. A branch closure returns its expression's
//! value; it is async only when the branch itself awaits, so a branch such
//! as `fetch(1)` returns a coroutine, which the runtime must await.
//!
//! **match** failures raise `MatchError("no pattern matches " + repr(v))`.

use crate::func::{FnBuilder, Reg};
use noodle_nbc::{Capture, Function, FunctionKind, Instr, Param};
use noodle_sema::ir::{AnnotValue, Annotation, StmtKind};

impl<'p> FnBuilder<'_, 'p> {
    /// Allocates the parameters' registers and emits the prologue.
    fn prologue(&mut self) {
        let f = self.ir;
        self.set_pos(f.span);
        if f.is_async {
            self.emit(Instr::AsyncBegin {});
        }
        self.alloc_n(f.params.len());
        for (i, p) in f.params.iter().enumerate() {
            let reg = i as Reg;
            self.local_regs[p.local as usize] = Some(reg);
            if let Some(default) = &p.default {
                let skip = self.emit(Instr::JumpIfSet { reg, offset: 0 });
                self.expr_to(default, reg);
                self.patch_here(skip);
            }
            self.set_pos(p.span);
            self.check_type(reg, p.ty.as_deref());
            if self.is_captured(p.local) {
                self.emit(Instr::MakeCell { dst: reg, src: reg });
            }
        }
    }

    /// A `def`, lambda, method, handler or branch: returns the value of the
    /// body's last expression statement.
    pub fn function_body(&mut self) {
        self.prologue();
        let body = &self.ir.body;
        match body.stmts.last().map(|s| &s.kind) {
            Some(StmtKind::Expr(_)) => {
                let r = self.alloc();
                self.block_to(body, Some(r));
                self.emit_return(Some(r));
            }
            // Control never falls off the end: no implicit return.
            Some(StmtKind::Return(_) | StmtKind::Raise(_)) => self.block_to(body, None),
            _ => {
                self.block_to(body, None);
                self.emit_return(None);
            }
        }
    }

    pub fn module_init(&mut self, returns_value: bool) {
        self.set_pos(self.ir.span);
        if returns_value {
            let r = self.alloc();
            self.block_to(&self.ir.body, Some(r));
            self.emit(Instr::Return { src: r });
        } else {
            self.block_to(&self.ir.body, None);
            self.emit(Instr::ReturnNone {});
        }
    }

    pub fn actor_init(&mut self) {
        let Some(actor) = self.ir.actor.as_ref() else {
            self.cg
                .internal_error("actor constructor without actor data".into());
            self.emit(Instr::ReturnNone {});
            return;
        };
        self.prologue();
        // Every state variable and handler exists before any initialiser
        // runs, so handlers can refer to each other and to all the state.
        for &local in &actor.predeclared {
            let reg = self.alloc();
            if self.is_captured(local) {
                self.emit(Instr::LoadNone { dst: reg });
            }
            self.bind_local(local, reg, reg);
        }
        for h in &actor.handlers {
            let reg = self.local_reg(h.local);
            if self.is_captured(h.local) {
                let mark = self.mark();
                let tmp = self.alloc();
                self.closure(tmp, h.func);
                self.emit(Instr::StoreCell {
                    cell: reg,
                    src: tmp,
                });
                self.free_to(mark);
            } else {
                self.closure(reg, h.func);
            }
        }
        self.block_to(&self.ir.body, None);

        self.set_pos(self.ir.span);
        let result = self.alloc();
        let base = self.alloc_n(8);
        self.load_str(base, "handlers");
        let hbase = self.alloc_n((2 * actor.handlers.len()).max(1));
        for (i, h) in actor.handlers.iter().enumerate() {
            let key = hbase + 2 * i as Reg;
            self.load_str(key, &h.name);
            self.load_var(key + 1, noodle_sema::ir::VarRef::Local(h.local));
        }
        self.emit(Instr::NewMap {
            dst: base + 1,
            base: hbase,
            count: actor.handlers.len() as u16,
        });
        self.free_to(hbase as u32);
        self.load_str(base + 2, "annotations");
        self.annotations_map(base + 3, &actor.annotations);
        let cells: Vec<Capture> = actor
            .state
            .iter()
            .map(|&l| Capture::Local(self.local_reg(l)))
            .collect();
        let names: Vec<String> = actor
            .state
            .iter()
            .map(|&l| self.ir.locals[l as usize].name.to_string())
            .collect();
        self.load_str(base + 4, "get_state");
        let getter = self.cg.add_synthetic(state_getter(
            &actor.name,
            &names,
            cells.clone(),
            self.ir.file,
        ));
        self.emit(Instr::Closure {
            dst: base + 5,
            proto: getter,
        });
        self.load_str(base + 6, "set_state");
        let setter = self
            .cg
            .add_synthetic(state_setter(&actor.name, &names, cells, self.ir.file));
        self.emit(Instr::Closure {
            dst: base + 7,
            proto: setter,
        });
        self.emit(Instr::NewMap {
            dst: result,
            base,
            count: 4,
        });
        self.emit(Instr::Return { src: result });
    }

    pub fn supervisor_init(&mut self) {
        let Some(sup) = self.ir.supervisor.as_ref() else {
            self.cg
                .internal_error("supervisor constructor without supervisor data".into());
            self.emit(Instr::ReturnNone {});
            return;
        };
        self.set_pos(self.ir.span);
        let result = self.alloc();
        let base = self.alloc_n(6);
        self.load_str(base, "options");
        let obase = self.alloc_n(2 * sup.options.len());
        for (i, (name, value)) in sup.options.iter().enumerate() {
            self.load_str(obase + 2 * i as Reg, name);
            self.annot_value(obase + 2 * i as Reg + 1, value);
        }
        self.emit(Instr::NewMap {
            dst: base + 1,
            base: obase,
            count: sup.options.len() as u16,
        });
        self.free_to(obase as u32);

        self.load_str(base + 2, "children");
        let cbase = self.alloc_n(sup.children.len().max(1));
        for (i, child) in sup.children.iter().enumerate() {
            let mark = self.mark();
            self.set_pos(child.span);
            let spec = self.alloc_n(3);
            self.load_str(spec, &child.name);
            self.expr_to(&child.actor, spec + 1);
            let abase = self.alloc_n(child.args.len().max(1));
            for (j, arg) in child.args.iter().enumerate() {
                self.expr_to(arg, abase + j as Reg);
            }
            self.emit(Instr::NewList {
                dst: spec + 2,
                base: abase,
                count: child.args.len() as u16,
            });
            self.emit(Instr::NewList {
                dst: cbase + i as Reg,
                base: spec,
                count: 3,
            });
            self.free_to(mark);
        }
        self.emit(Instr::NewList {
            dst: base + 3,
            base: cbase,
            count: sup.children.len() as u16,
        });
        self.free_to(cbase as u32);
        self.load_str(base + 4, "annotations");
        self.annotations_map(base + 5, &sup.annotations);
        self.emit(Instr::NewMap {
            dst: result,
            base,
            count: 3,
        });
        self.emit(Instr::Return { src: result });
    }

    /// `{name: [args...], ...}` for declaration annotations.
    fn annotations_map(&mut self, dst: Reg, anns: &[Annotation]) {
        let mark = self.mark();
        let base = self.alloc_n((2 * anns.len()).max(1));
        for (i, a) in anns.iter().enumerate() {
            let key = base + 2 * i as Reg;
            self.load_str(key, &a.name);
            let arg_mark = self.mark();
            let count = a.args.len() + usize::from(!a.named.is_empty());
            let args = self.alloc_n(count.max(1));
            for (j, v) in a.args.iter().enumerate() {
                self.annot_value(args + j as Reg, v);
            }
            if !a.named.is_empty() {
                let nbase = self.alloc_n(2 * a.named.len());
                for (j, (name, v)) in a.named.iter().enumerate() {
                    self.load_str(nbase + 2 * j as Reg, name);
                    self.annot_value(nbase + 2 * j as Reg + 1, v);
                }
                self.emit(Instr::NewMap {
                    dst: args + a.args.len() as Reg,
                    base: nbase,
                    count: a.named.len() as u16,
                });
            }
            self.emit(Instr::NewList {
                dst: key + 1,
                base: args,
                count: count as u16,
            });
            self.free_to(arg_mark);
        }
        self.emit(Instr::NewMap {
            dst,
            base,
            count: anns.len() as u16,
        });
        self.free_to(mark);
    }

    fn annot_value(&mut self, dst: Reg, v: &AnnotValue) {
        match v {
            AnnotValue::Symbol(s) | AnnotValue::Str(s) => self.load_str(dst, s),
            AnnotValue::Int(n) => self.load_int(dst, *n),
            AnnotValue::Float(x) => {
                let k = self.cg.pool.float(*x);
                self.emit(Instr::LoadConst { dst, k });
            }
            AnnotValue::Duration(ns) => {
                let k = self.cg.pool.duration(*ns);
                self.emit(Instr::LoadConst { dst, k });
            }
            AnnotValue::Bool(b) => {
                self.emit(Instr::LoadBool {
                    dst,
                    value: *b as u8,
                });
            }
            AnnotValue::None => {
                self.emit(Instr::LoadNone { dst });
            }
            AnnotValue::Compare { op, lhs, rhs } => {
                let mark = self.mark();
                let base = self.alloc_n(3);
                self.load_str(base, op);
                self.annot_value(base + 1, lhs);
                self.annot_value(base + 2, rhs);
                self.emit(Instr::NewList {
                    dst,
                    base,
                    count: 3,
                });
                self.free_to(mark);
            }
        }
    }
}

/// `|| {"a": a, "b": b}` over the actor's state cells.
fn state_getter(actor: &str, names: &[String], cells: Vec<Capture>, file: u32) -> Synthetic {
    let mut code = Vec::with_capacity(2 * names.len() + 2);
    let result = (2 * names.len()) as Reg;
    for (i, name) in names.iter().enumerate() {
        code.push(SynInstr::Str(2 * i as Reg, name.clone()));
        code.push(SynInstr::Plain(Instr::LoadUpval {
            dst: 2 * i as Reg + 1,
            idx: i as u16,
        }));
    }
    code.push(SynInstr::Plain(Instr::NewMap {
        dst: result,
        base: 0,
        count: names.len() as u16,
    }));
    code.push(SynInstr::Plain(Instr::Return { src: result }));
    Synthetic {
        function: Function {
            name: format!("{actor}.get_state"),
            kind: FunctionKind::Function,
            is_async: false,
            params: Vec::new(),
            num_regs: result + 1,
            captures: cells,
            code: Vec::new(),
            lines: Vec::new(),
            file,
        },
        code,
    }
}

/// `|state| { a = state["a"]; ... }` over the actor's state cells.
fn state_setter(actor: &str, names: &[String], cells: Vec<Capture>, file: u32) -> Synthetic {
    let mut code = Vec::with_capacity(3 * names.len() + 1);
    for (i, name) in names.iter().enumerate() {
        code.push(SynInstr::Str(1, name.clone()));
        code.push(SynInstr::Plain(Instr::GetIndex {
            dst: 2,
            obj: 0,
            index: 1,
        }));
        code.push(SynInstr::Plain(Instr::StoreUpval {
            idx: i as u16,
            src: 2,
        }));
    }
    code.push(SynInstr::Plain(Instr::ReturnNone {}));
    Synthetic {
        function: Function {
            name: format!("{actor}.set_state"),
            kind: FunctionKind::Function,
            is_async: false,
            params: vec![Param {
                name: "state".into(),
                has_default: false,
            }],
            num_regs: 3,
            captures: cells,
            code: Vec::new(),
            lines: Vec::new(),
            file,
        },
        code,
    }
}

/// A compiler-made function whose string constants are interned when it
/// is added to the module.
pub struct Synthetic {
    pub function: Function,
    pub code: Vec<SynInstr>,
}

pub enum SynInstr {
    Plain(Instr),
    /// `loadk dst, "text"`.
    Str(Reg, String),
}
