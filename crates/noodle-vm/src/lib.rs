//! The Noodle virtual machine: values, the per-process heap and its GC, the
//! interpreter, errors with traces, and (in the library modules) builtins,
//! methods and formatting.
//!
//! # Ownership inside this crate
//!
//! - VM core (interpreter, values, heap, errors, loading, operators,
//!   iteration): `lib.rs value.rs object.rs heap.rs types.rs native.rs
//!   error.rs vm.rs load.rs ops.rs iter.rs interp/`.
//! - Library: `format.rs builtins.rs methods/ math.rs json.rs`, built on
//!   the API below.
//!
//! # Values and the heap
//!
//! [`Value`] is a 16-byte `Copy` enum: `None`, `Bool`, `Int(i64)`,
//! `Float(f64)`, `Duration(i64 ns)`, `Missing` (internal marker, never shown
//! to programs), `Builtin(index into noodle_nbc::builtins::BUILTINS)` and
//! `Obj(ObjRef)`. Everything else lives in the [`Heap`] as an [`Object`]:
//! `Str` (immutable, `Arc<str>` + O(1) char length), `List(Vec<Value>)`,
//! `Map` (insertion-ordered, [`MapKey`] = none/bool/int/str), `Range`,
//! `Closure`, `Cell`, `StructType`/`Instance`, `EnumType`/`VariantCtor`/
//! `EnumValue`, `Error`, `Iter`, `ActorType`, `SupervisorType`,
//! `Coroutine` (an `async def` called but not started: closure + bound
//! arguments, made by `AsyncBegin`) and `BoundMethod` (`t.area` read as a
//! value: receiver + user or native method).
//!
//! Reading: `vm.heap.get(r)` / `vm.heap.object(v)` return `&Object`; typed
//! shortcuts `heap.as_str(v)`, `heap.str(v)` (char length, `char_at`),
//! `heap.list(v)`, `heap.list_mut(v)`, `heap.map(v)`, `heap.map_mut(v)`,
//! `heap.range(v)`, `heap.error_obj(v)`, `heap.instance(v)`,
//! `heap.closure(v)`. `heap.type_name(v)` is `type_of(v)`; `heap.tag(v)`
//! is the [`TypeTag`] used for method dispatch. Struct and enum names and
//! field names: `heap.types()` ([`Types`]: `structs[instance.type_id]`,
//! `enums[..]`, `symbols.name(sym)`); `heap.function_name(v)` for
//! `<def name>`.
//!
//! Allocating: `heap.alloc_str(&str)`, `alloc_string(String)`,
//! `alloc_char(char)`, `alloc_list(Vec<Value>)`, `alloc_map(Map)`,
//! `alloc_range(start, end_exclusive, step)`, `new_error(kind, message)`;
//! `heap.alloc(Object)` for anything else. Map keys: `heap.map_key(v)`
//! gives `Option<MapKey>` (`None` = unhashable: raise TypeError; an
//! integral float is its int's key, other floats are never keys), then
//! `Map::get/insert(key, key_value, value)/remove/entry_at/iter`.
//!
//! Operators shared with natives (equality, ordering, `+`, ...) are in
//! [`ops`]: `ops::equals(heap, a, b)` (structural, total even on cycles),
//! `ops::compare(heap, a, b)` (`Ok(Some(ord))`, `Ok(None)` for NaN,
//! `Err(msg)` = TypeError; for `sorted`, `min`, `max`), `ops::add(heap, a,
//! b)`, `ops::contains`, etc. Indexing and `len` as the instructions do
//! them: `interp::access::{get_index, set_index, slice, len, get_field,
//! normalize_index, check_value, type_matches}`; iteration:
//! `iter::make_iter(heap, v)` + `iter::next(heap, it)`.
//!
//! # The native-function contract
//!
//! - Builtins: `builtins::lookup(index) -> Option<BuiltinDef>`, called once
//!   per `BUILTINS` entry when a [`Vm`] is created. `BuiltinDef::Function(
//!   fn(&mut Vm, &Args) -> NResult<Value>)` or `BuiltinDef::Constant(Value)`
//!   for module constants such as `math.pi`. `None` means "not implemented"
//!   (calling it raises `UnsupportedError`). The concurrency builtins
//!   (`channel sleep timeout all any race stop map_reduce`) are handled by
//!   the VM and never reach the library.
//! - Methods of builtin types: `methods::lookup(TypeTag, name) ->
//!   Option<NativeMethod>` with `NativeMethod = fn(&mut Vm, receiver,
//!   &Args) -> NResult<Value>`. The VM asks only after a user `impl`
//!   method was not found, and caches the answer per (tag, name).
//! - [`Args`]: `positional: &[Value]`, `named: &[(Arc<str>, Value)]`
//!   (`get(i)`, `named("key")`, `unknown_named(&[..])`).
//! - Raising: `return Err(vm.error("ValueError", "message"))` (or
//!   `vm.type_error(msg)`, `vm.heap.error(kind, msg)`). The trace is filled
//!   in by the VM. A KeyError's message is the key's `format::repr`.
//! - Calling back into Noodle: `vm.call_value(f, &[args]) -> NResult<Value>`
//!   calls any callable (closure, builtin, struct type, variant). It is a
//!   safepoint and runs a nested interpreter loop, so **a GC may happen
//!   during it**; the callee and the arguments passed are rooted for it.
//! - Rooting: a native's own arguments and receiver stay rooted for the
//!   whole call. Any other heap value a native holds in a Rust local across
//!   `call_value` (a result list it is building, elements copied out of a
//!   list the callback could mutate) must be rooted first with
//!   `vm.push_root(v)`. The VM truncates the root stack when the native
//!   returns (normally or with an error), so natives never pop. Without a
//!   callback no collection can happen: allocation never collects.
//! - Output: `print` writes to `vm.out()` (buffered `impl Write`); the VM
//!   flushes it at exit and before reporting an error.
//! - Never panic on any program: every failure is a Noodle error.
//!
//! # Formatting contract (library)
//!
//! `format::display(heap, v, &mut String)` (top-level `str`),
//! `format::repr(heap, v, &mut String)` (inside containers, quoted strings),
//! `format::format_spec(heap, v, spec, &mut String) -> Result<(), (&'static
//! str, String)>` (`Err((kind, message))`: ValueError for a malformed spec,
//! TypeError for one that does not apply). The VM uses them for `ToStr`, `Format`,
//! KeyError messages and [`Vm::repr`]. They must not recurse without bound
//! on cyclic or very deep containers.
//!
//! # Interpreter design (VM core)
//!
//! - Each function's code is decoded once at load (after
//!   `noodle_nbc::verify::verify`) and translated to the interpreter's own
//!   instruction form (`interp::op`): the same instructions plus *fused*
//!   pairs (`loadi` + arithmetic/compare, compare + `jmpf`, `loadi` +
//!   compare + `jmpf`, arithmetic + `ret`), into one program-wide table, so a function is an index and
//!   the REPL can keep loading modules.
//! - Registers of all frames live in one `Vec<Value>`; frames in a
//!   `Vec<Frame>`; a call overlaps the callee's registers with the caller's
//!   call window (Lua-style), so arguments are never copied. The stack
//!   always extends a fixed window (256 slots, or 65,536 once a function
//!   with more registers is loaded) past the running frame's base, so a
//!   register operand indexes a fixed-size array with no bounds check.
//!   Noodle→Noodle calls never recurse in Rust; only `call_value` (natives
//!   calling back) runs a nested loop. The Rust stack those nested loops
//!   use is measured (addresses of locals, from the outermost one) and
//!   capped by `VmOptions::native_stack_budget` (RecursionError).
//! - Two tiers: `interp::hot` runs the common instructions (arithmetic,
//!   comparisons, jumps, loops, list indexing, cached struct fields, calls
//!   and returns of plain closures) in a small function without calls, so
//!   its state stays in machine registers; anything else, and every slow
//!   or failing case, is handed back unexecuted to the general loop
//!   (`Vm::execute`), which implements every instruction in full.
//! - `GetField`/`SetField` keep a per-instruction cache of (struct type,
//!   field index).
//! - GC runs only at safepoints: calls, backward jumps and `call_value`
//!   (natives calling back). Roots: the live
//!   registers (everything below the highest frame top or native argument
//!   window; registers above are cleared at each collection), globals,
//!   frames' closures, natives' root stack, constants and type objects.
//! - Errors raised anywhere get their trace at first raise (innermost
//!   first, entry frames omitted, long traces keep 50 + 50 lines).
//!
//! # Embedding
//!
//! [`Vm::new`], [`Vm::run_module`] (`Result<Value, UncaughtError>`,
//! whose `Display` is `error: KIND: MESSAGE` + `  at ...` lines),
//! [`Vm::repr`], [`Vm::flush_stdout`]. The interpreter itself is
//! [`Vm::run`], returning a [`Halt`].

pub mod builtins;
pub mod error;
pub mod format;
pub mod heap;
pub mod host;
pub mod interp;
pub mod iter;
pub mod json;
pub mod load;
pub mod math;
pub mod methods;
pub mod native;
pub mod object;
pub mod ops;
mod stack_pool;
pub mod transfer;
pub mod types;
pub mod value;
pub mod vm;

pub use error::{Thrown, UncaughtError};
pub use heap::Heap;
pub use host::{CallNow, Host, Resume, Wait};
pub use interp::Halt;
pub use native::{Args, BuiltinDef, NResult, NativeFn, NativeMethod};
pub use object::{Closure, EnumValue, ErrorObj, Fields, Instance, Map, MapKey, Object, Range, Str};
pub use types::{Sym, Types};
pub use value::{ObjRef, TypeTag, Value};
pub use vm::{Output, Vm, VmOptions};
