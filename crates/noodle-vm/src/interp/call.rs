//! Calls: pushing Noodle frames (binding positional, named and omitted
//! arguments), calling natives, constructing struct and enum values, and
//! method dispatch.

use std::sync::Arc;

use crate::error::{Thrown, kinds};
use crate::host::CallNow;
use crate::interp::Frame;
use crate::interp::access::{check_value, field_type_message};
use crate::load::{FunctionCode, Program};
use crate::native::{Args, BuiltinDef, NResult, NativeFn, NativeMethod};
use crate::object::{BoundMethod, BoundTarget, EnumValue, HandleKind, Instance, Object};
use crate::types::{Sym, find_method};
use crate::value::{ObjRef, Value};
use crate::vm::Vm;

/// Builtins that belong to the concurrency runtime, which does not exist
/// yet: calling them raises UnsupportedError.
const CONCURRENCY_BUILTINS: &[&str] = &[
    "channel",
    "sleep",
    "timeout",
    "all",
    "any",
    "race",
    "stop",
    "map_reduce",
];

/// Natives with at most this many arguments get them in a stack array.
const INLINE_ARGS: usize = 8;

pub(crate) enum CallOutcome {
    /// A Noodle frame was pushed; the interpreter continues in it.
    Pushed,
    /// The call completed (native, constructor); the result is in place.
    Done,
}

/// Whether a method call's caller uses its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    Value,
    /// An expression statement: the host may skip making the value (an
    /// actor send's reply future).
    Nothing,
}

/// A method call's name: the symbol, and its text borrowed from the
/// module (not from the heap, which the callee may change).
#[derive(Clone, Copy)]
pub(crate) struct MethodName<'p> {
    pub(crate) sym: Sym,
    pub(crate) text: &'p str,
}

/// Keyword names of the pending call, if `KwNames` preceded it.
pub(crate) type KwList<'p> = Option<&'p [Arc<str>]>;

impl Vm {
    /// Calls `stack[slot]` with the arguments `stack[slot+1 ..= slot+argc]`;
    /// the result replaces `stack[slot]`.
    #[inline]
    pub(crate) fn call_at(
        &mut self,
        program: &Program,
        slot: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<CallOutcome> {
        let callee = self.stack[slot];
        match callee {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Closure(c) => {
                    let func = c.func;
                    self.push_frame(program, r, func, slot + 1, argc, slot, kw)?;
                    Ok(CallOutcome::Pushed)
                }
                Object::StructType(id, _) => {
                    let v = self.construct_struct(*id, slot, argc, kw)?;
                    self.stack[slot] = v;
                    Ok(CallOutcome::Done)
                }
                &Object::VariantCtor { enum_id, variant } => {
                    let v = self.construct_variant(enum_id, variant, slot, argc, kw)?;
                    self.stack[slot] = v;
                    Ok(CallOutcome::Done)
                }
                Object::BoundMethod(b) => {
                    let (receiver, target) = (b.receiver, b.target);
                    self.call_bound(program, slot, argc, kw, receiver, target)
                }
                Object::ActorType { .. } | Object::SupervisorType { .. } => {
                    let message =
                        format!("{} is started with spawn, not called", self.display(callee));
                    Err(self.error(kinds::TYPE, message))
                }
                _ => Err(self.not_callable(callee)),
            },
            Value::Builtin(index) => {
                if let Some(Some(BuiltinDef::Function(f))) = self.builtins.get(index as usize) {
                    self.call_native(*f, slot, argc, kw)?;
                    return Ok(CallOutcome::Done);
                }
                // Not the library's: the concurrency builtins go to the
                // runtime; anything else is an error `builtin_fn` names.
                let name = noodle_nbc::builtins::BUILTINS
                    .get(index as usize)
                    .copied()
                    .unwrap_or("?");
                if CONCURRENCY_BUILTINS.contains(&name)
                    && let Some(host) = self.host.clone()
                {
                    let v = self.with_native_args(slot + 1, argc, kw, |vm, args| {
                        host.builtin(vm, name, args)
                    })?;
                    self.stack[slot] = v;
                    return Ok(CallOutcome::Done);
                }
                let f = self.builtin_fn(index)?;
                self.call_native(f, slot, argc, kw)?;
                Ok(CallOutcome::Done)
            }
            _ => Err(self.not_callable(callee)),
        }
    }

    fn not_callable(&mut self, v: Value) -> Thrown {
        let message = format!("{} is not callable", self.heap.type_name(v));
        self.error(kinds::TYPE, message)
    }

    fn builtin_fn(&mut self, index: u16) -> NResult<NativeFn> {
        let name = noodle_nbc::builtins::BUILTINS
            .get(index as usize)
            .copied()
            .unwrap_or("?");
        if CONCURRENCY_BUILTINS.contains(&name) {
            let message =
                format!("{name}() needs the concurrency runtime, which is not available yet");
            return Err(self.error(kinds::UNSUPPORTED, message));
        }
        match self.builtins.get(index as usize).copied().flatten() {
            Some(BuiltinDef::Function(f)) => Ok(f),
            Some(BuiltinDef::Constant(v)) => Err(self.not_callable(v)),
            None => Err(self.error(
                kinds::UNSUPPORTED,
                format!("builtin {name} is not implemented yet"),
            )),
        }
    }

    /// Pushes a frame for program function `func` (closure `closure`)
    /// whose parameters start at `args_at`, returning into `ret`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn push_frame(
        &mut self,
        program: &Program,
        closure: ObjRef,
        func: u32,
        args_at: usize,
        argc: usize,
        ret: usize,
        kw: KwList,
    ) -> NResult<()> {
        let code = &program.functions[func as usize];
        if self.frames.len() >= self.options.max_frames {
            let message = format!(
                "maximum recursion depth exceeded ({} frames)",
                self.options.max_frames
            );
            return Err(self.error(kinds::RECURSION, message));
        }
        // Every running frame has a full register window (`Vm::window`).
        let need = args_at + self.window.max(argc);
        if self.stack.len() < need {
            self.stack.resize(need, Value::None);
        }
        if kw.is_some() || argc != code.params.len() {
            self.bind_args(code, args_at, argc, kw)?;
        }
        self.frames.push(Frame {
            func,
            closure,
            base: args_at as u32,
            ret: ret as u32,
            pc: 0,
        });
        Ok(())
    }

    /// Puts arguments where the parameters expect them: named ones by
    /// name, omitted defaulted ones as `Missing`; TypeError otherwise.
    fn bind_args(
        &mut self,
        code: &FunctionCode,
        at: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<()> {
        let params = &code.params;
        let named = kw.unwrap_or(&[]);
        let positional = argc - named.len().min(argc);
        if positional > params.len() {
            let message = format!(
                "{}() takes {} arguments but {} were given",
                code.name,
                params.len(),
                positional
            );
            return Err(self.error(kinds::TYPE, message));
        }
        let mut bound = vec![Value::Missing; params.len()];
        bound[..positional].copy_from_slice(&self.stack[at..at + positional]);
        for (i, name) in named.iter().enumerate() {
            let value = self.stack[at + positional + i];
            match params.iter().position(|p| *p.text == **name) {
                None => {
                    let message = format!(
                        "{}() got an unexpected keyword argument '{name}'",
                        code.name
                    );
                    return Err(self.error(kinds::TYPE, message));
                }
                Some(j) if !bound[j].is_missing() => {
                    let message =
                        format!("{}() got multiple values for argument '{name}'", code.name);
                    return Err(self.error(kinds::TYPE, message));
                }
                Some(j) => bound[j] = value,
            }
        }
        if let Some(p) = params
            .iter()
            .zip(&bound)
            .find(|(p, v)| v.is_missing() && !p.has_default)
        {
            let message = format!("{}() missing argument '{}'", code.name, p.0.text);
            return Err(self.error(kinds::TYPE, message));
        }
        self.stack[at..at + params.len()].copy_from_slice(&bound);
        Ok(())
    }

    /// Runs `f` with the arguments at `slot+1 ..`, storing its result in
    /// `stack[slot]`. The argument window stays reserved (rooted, and not
    /// reused by callbacks) while the native runs.
    pub(crate) fn call_native(
        &mut self,
        f: NativeFn,
        slot: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<()> {
        let result = self.with_native_args(slot + 1, argc, kw, f);
        self.stack[slot] = result?;
        Ok(())
    }

    /// Runs the native method `m` on the receiver at `slot`.
    pub(crate) fn call_native_method(
        &mut self,
        m: NativeMethod,
        slot: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<()> {
        let receiver = self.stack[slot];
        let result = self.with_native_args(slot + 1, argc, kw, |vm, args| m(vm, receiver, args));
        self.stack[slot] = result?;
        Ok(())
    }

    pub(crate) fn with_native_args(
        &mut self,
        at: usize,
        argc: usize,
        kw: KwList,
        call: impl FnOnce(&mut Vm, &Args) -> NResult<Value>,
    ) -> NResult<Value> {
        let names = kw.unwrap_or(&[]);
        let npos = argc - names.len().min(argc);
        let mut inline = [Value::None; INLINE_ARGS];
        let spilled: Vec<Value>;
        let positional: &[Value] = if npos <= INLINE_ARGS {
            inline[..npos].copy_from_slice(&self.stack[at..at + npos]);
            &inline[..npos]
        } else {
            spilled = self.stack[at..at + npos].to_vec();
            &spilled
        };
        let named: Vec<(Arc<str>, Value)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), self.stack[at + npos + i]))
            .collect();
        let saved_floor = self.native_floor;
        self.native_floor = saved_floor.max(at + argc);
        let mark = self.roots.len();
        let result = call(
            self,
            &Args {
                positional,
                named: &named,
            },
        );
        self.roots.truncate(mark);
        self.native_floor = saved_floor;
        result
    }

    /// Collects constructor arguments into field order: positional first,
    /// then named ones by field name. `what` names the constructor.
    fn gather_fields(
        &mut self,
        field_names: &[Sym],
        what: &str,
        slot: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<Vec<Value>> {
        let names = kw.unwrap_or(&[]);
        let npos = argc - names.len().min(argc);
        if npos > field_names.len() {
            let message = format!(
                "{what}() takes {} fields but {npos} were given",
                field_names.len()
            );
            return Err(self.error(kinds::TYPE, message));
        }
        let mut fields = vec![Value::Missing; field_names.len()];
        fields[..npos].copy_from_slice(&self.stack[slot + 1..slot + 1 + npos]);
        for (i, name) in names.iter().enumerate() {
            let value = self.stack[slot + 1 + npos + i];
            let index = self
                .heap
                .types()
                .symbols
                .lookup(name)
                .and_then(|s| field_names.iter().position(|&f| f == s));
            match index {
                Some(j) if fields[j].is_missing() => fields[j] = value,
                Some(_) => {
                    let message = format!("{what}() got multiple values for field '{name}'");
                    return Err(self.error(kinds::TYPE, message));
                }
                None => {
                    let message = format!("{what}() has no field '{name}'");
                    return Err(self.error(kinds::TYPE, message));
                }
            }
        }
        if let Some(j) = fields.iter().position(|v| v.is_missing()) {
            let message = format!(
                "{what}() missing field '{}'",
                self.heap.types().symbols.name(field_names[j])
            );
            return Err(self.error(kinds::TYPE, message));
        }
        Ok(fields)
    }

    fn construct_struct(
        &mut self,
        type_id: u32,
        slot: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<Value> {
        let desc = &self.heap.types().structs[type_id as usize];
        let fast = kw.is_none()
            && argc == desc.fields.len()
            && desc.fields.iter().all(|f| f.check.is_none());
        let mut fields = if fast {
            self.stack[slot + 1..slot + 1 + argc].to_vec()
        } else {
            let names: Vec<Sym> = desc.fields.iter().map(|f| f.name).collect();
            let what = self.heap.types().symbols.name(desc.name).to_string();
            self.gather_fields(&names, &what, slot, argc, kw)?
        };
        let desc = &self.heap.types().structs[type_id as usize];
        for (i, field) in desc.fields.iter().enumerate() {
            if let Some(check) = &field.check {
                match check_value(&self.heap, fields[i], check) {
                    Some(v) => fields[i] = v,
                    None => {
                        let message = field_type_message(&self.heap, type_id, i, fields[i]);
                        return Err(self.error(kinds::TYPE, message));
                    }
                }
            }
        }
        let instance = Instance {
            type_id,
            fields: fields.into(),
        };
        Ok(Value::Obj(self.heap.alloc(Object::Instance(instance))))
    }

    fn construct_variant(
        &mut self,
        enum_id: u32,
        variant: u32,
        slot: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<Value> {
        let desc = &self.heap.types().enums[enum_id as usize];
        let v = &desc.variants[variant as usize];
        let symbols = &self.heap.types().symbols;
        let what = format!("{}.{}", symbols.name(desc.name), symbols.name(v.name));
        let names = v.fields.clone();
        let fields = self.gather_fields(&names, &what, slot, argc, kw)?;
        let value = EnumValue {
            enum_id,
            variant,
            fields: fields.into_boxed_slice(),
        };
        Ok(Value::Obj(self.heap.alloc(Object::EnumValue(value))))
    }

    /// `R[slot].name(args)`: a user method (receiver as `self`), a
    /// variant or static method of a type, a callable struct field, then a
    /// native method of a builtin type.
    /// `await R[slot].name(args)` through [`Host::call_now`] when the
    /// receiver is a runtime handle (positional arguments only).
    ///
    /// [`Host::call_now`]: crate::host::Host::call_now
    pub(crate) fn call_method_now(
        &mut self,
        slot: usize,
        argc: usize,
        method: &str,
    ) -> NResult<CallNow> {
        let Value::Obj(r) = self.stack[slot] else {
            return Ok(CallNow::NotNow);
        };
        let Object::Handle(h) = self.heap.get(r) else {
            return Ok(CallNow::NotNow);
        };
        if h.kind != HandleKind::Actor {
            return Ok(CallNow::NotNow);
        }
        let target = Arc::clone(&h.inner);
        let mut outcome = CallNow::NotNow;
        let called = self.with_host(|vm, host| {
            vm.with_native_args(slot + 1, argc, None, |vm, args| {
                outcome = host.call_now(vm, &*target, method, args)?;
                Ok(Value::None)
            })
        });
        called.unwrap_or(Ok(Value::None))?;
        Ok(outcome)
    }

    pub(crate) fn call_method(
        &mut self,
        program: &Program,
        slot: usize,
        argc: usize,
        name: MethodName,
        kw: KwList,
        value: Wanted,
    ) -> NResult<CallOutcome> {
        let MethodName {
            sym: name,
            text: method,
        } = name;
        let receiver = self.stack[slot];
        if let Value::Obj(r) = receiver {
            let types = self.heap.types();
            match self.heap.get(r) {
                Object::Instance(inst) => {
                    let desc = &types.structs[inst.type_id as usize];
                    if let Some(method) = find_method(&desc.methods, name) {
                        return self.call_with_self(program, method, slot, argc, kw);
                    }
                    // Native methods of structs come before callable
                    // fields (see `native_method`), then the field.
                    if let Some(i) = desc.field_index(name) {
                        let field = inst.fields[i];
                        if let Some(m) = self.native_method(receiver, name) {
                            self.call_native_method(m, slot, argc, kw)?;
                            return Ok(CallOutcome::Done);
                        }
                        self.stack[slot] = field;
                        return self.call_at(program, slot, argc, kw);
                    }
                }
                Object::EnumValue(e) => {
                    if let Some(method) =
                        find_method(&types.enums[e.enum_id as usize].methods, name)
                    {
                        return self.call_with_self(program, method, slot, argc, kw);
                    }
                }
                Object::StructType(id, _) => {
                    if let Some(method) = find_method(&types.structs[*id as usize].methods, name) {
                        self.stack[slot] = method;
                        return self.call_at(program, slot, argc, kw);
                    }
                }
                Object::EnumType(id) => {
                    let desc = &types.enums[*id as usize];
                    let target = match desc.variant_index(name) {
                        Some(i) => Some(Value::Obj(desc.variants[i].value)),
                        None => find_method(&desc.methods, name),
                    };
                    if let Some(target) = target {
                        self.stack[slot] = target;
                        return self.call_at(program, slot, argc, kw);
                    }
                }
                Object::Handle(h) => {
                    if value == Wanted::Nothing && h.kind == HandleKind::Actor {
                        let target = Arc::clone(&h.inner);
                        let told = self.with_host(|vm, host| {
                            let mut told = false;
                            vm.with_native_args(slot + 1, argc, kw, |vm, args| {
                                told = host.tell(vm, target, method, args)?;
                                Ok(Value::None)
                            })?;
                            Ok::<bool, Thrown>(told)
                        });
                        if let Some(told) = told
                            && told?
                        {
                            self.stack[slot] = Value::None;
                            return Ok(CallOutcome::Done);
                        }
                    }
                    // Read again: the borrow above ended with the send.
                    let Some(Object::Handle(h)) = self.heap.object(self.stack[slot]) else {
                        return Err(self.type_error("internal error: the receiver changed"));
                    };
                    let h = h.clone();
                    self.stack[slot] = self.call_host("this", |vm, host| {
                        vm.with_native_args(slot + 1, argc, kw, |vm, args| {
                            host.method(vm, &h, method, args)
                        })
                    })?;
                    return Ok(CallOutcome::Done);
                }
                _ => {}
            }
        }
        match self.native_method(receiver, name) {
            Some(m) => {
                self.call_native_method(m, slot, argc, kw)?;
                Ok(CallOutcome::Done)
            }
            None => {
                let message = format!(
                    "{} has no method '{}'",
                    self.heap.type_name(receiver),
                    self.heap.types().symbols.name(name)
                );
                Err(self.error(kinds::TYPE, message))
            }
        }
    }

    /// `obj.name` when `obj` has no field `name` but a method of that
    /// name: a bound method (user `impl` method or native method), or a
    /// struct type's static method as it is. `None` when there is none.
    pub(crate) fn bind_method(&mut self, obj: Value, name: Sym) -> Option<Value> {
        let types = self.heap.types();
        let target = match self.heap.object(obj) {
            Some(Object::Instance(inst)) => {
                find_method(&types.structs[inst.type_id as usize].methods, name)
            }
            Some(Object::EnumValue(e)) => {
                find_method(&types.enums[e.enum_id as usize].methods, name)
            }
            Some(Object::StructType(id, _)) => {
                return find_method(&types.structs[*id as usize].methods, name);
            }
            Some(Object::EnumType(id)) => {
                return find_method(&types.enums[*id as usize].methods, name);
            }
            _ => None,
        };
        let target = match target {
            Some(Value::Obj(r)) => BoundTarget::Closure(r),
            Some(_) => return None,
            None => BoundTarget::Native(self.native_method(obj, name)?),
        };
        let bound = BoundMethod {
            receiver: obj,
            target,
            name,
        };
        Some(Value::Obj(
            self.heap.alloc(Object::BoundMethod(Box::new(bound))),
        ))
    }

    /// Calls the bound method at `slot` (see [`Vm::bind_method`]): its
    /// receiver replaces it as `self`.
    fn call_bound(
        &mut self,
        program: &Program,
        slot: usize,
        argc: usize,
        kw: KwList,
        receiver: Value,
        target: BoundTarget,
    ) -> NResult<CallOutcome> {
        self.stack[slot] = receiver;
        match target {
            BoundTarget::Closure(r) => self.call_with_self(program, Value::Obj(r), slot, argc, kw),
            BoundTarget::Native(m) => {
                self.call_native_method(m, slot, argc, kw)?;
                Ok(CallOutcome::Done)
            }
        }
    }

    /// The library's native method `name` for the receiver's type, cached.
    fn native_method(&mut self, receiver: Value, name: Sym) -> Option<NativeMethod> {
        let tag = self.heap.tag(receiver);
        if let Some(&m) = self.method_cache.get(&(tag, name)) {
            return m;
        }
        let m = crate::methods::lookup(tag, self.heap.types().symbols.name(name));
        self.method_cache.insert((tag, name), m);
        m
    }

    /// Calls the user method `method` with the receiver at `slot` as its
    /// first parameter (`self`) and the arguments after it.
    fn call_with_self(
        &mut self,
        program: &Program,
        method: Value,
        slot: usize,
        argc: usize,
        kw: KwList,
    ) -> NResult<CallOutcome> {
        match self.heap.object(method) {
            Some(Object::Closure(c)) => {
                let func = c.func;
                let closure = method.as_obj().expect("closure is an object");
                self.push_frame(program, closure, func, slot, argc + 1, slot, kw)?;
                Ok(CallOutcome::Pushed)
            }
            _ => Err(self.not_callable(method)),
        }
    }
}
