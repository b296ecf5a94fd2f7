//! The runtime as the VM's [`Host`]: spawning, the concurrency builtins,
//! methods of tasks, channels and actors, supervisors' children, parallel
//! blocks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use noodle_vm::error::kinds;
use noodle_vm::host::{Blocked, BlockingJob};
use noodle_vm::object::{Handle, HandleKind};
use noodle_vm::transfer::Message;
use noodle_vm::{Args, CallNow, Host, NResult, Object, Thrown, Value, Vm};

use crate::actor;
use crate::channel::{Capacity, TrySendError};
use crate::checkpoint::Store;
use crate::decl::{self, ActorDecl};
use crate::parallel::{Block, Reduce, Strategy, map_fold};
use crate::placement;
use crate::process::{self, Pending, Prepared, prepare, unsupported};
use crate::supervisor::{self, as_supervisor};
use crate::task::{Failure, Payload, TaskCell};
use crate::wait::{
    Awaitable, Chan, as_channel, as_task, channel_handle, future_handle, future_of, task_handle,
};

/// What a thread keeps to make processes of one runtime.
struct Local {
    /// The runtime's id.
    id: u64,
    /// This thread's copy of the runtime's template process.
    template: Vm,
    /// VMs of ended processes, reset to be new processes again. Boxed:
    /// processes run boxed, and a VM is large to move in and out.
    #[allow(clippy::vec_box)]
    recycled: Vec<Box<Vm>>,
}

thread_local! {
    static LOCAL: std::cell::RefCell<Option<Local>> = const { std::cell::RefCell::new(None) };
}

/// How many ended processes' VMs a thread keeps for new ones.
const KEEP_RECYCLED: usize = 16;

/// Tells runtimes apart (for the threads' template copies).
static NEXT_RUNTIME: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub(crate) struct RuntimeHost {
    pub(crate) shared: Arc<Shared>,
}

/// What the runtime's processes share, also reachable from actor drivers.
pub(crate) struct Shared {
    /// Worker threads: `map_reduce`'s default number of chunks.
    pub(crate) workers: usize,
    /// Actor types by constructor, parsed on first spawn.
    decls: Mutex<HashMap<u32, Arc<ActorDecl>>>,
    checkpoint_path: Option<String>,
    store: OnceLock<Arc<Store>>,
    /// The task identity of every actor process: nothing cancels actors,
    /// so they need no cell each (the tasks they spawn hang off it).
    actor_task: Arc<TaskCell>,
    /// A process of the program with nothing running, that frozen actors'
    /// processes are made from.
    template: OnceLock<Mutex<Vm>>,
    id: u64,
}

impl Shared {
    pub(crate) fn new(workers: usize, checkpoint_path: Option<String>) -> Shared {
        Shared {
            workers,
            decls: Mutex::new(HashMap::new()),
            checkpoint_path,
            store: OnceLock::new(),
            actor_task: TaskCell::new(Arc::from("actor")),
            template: OnceLock::new(),
            id: NEXT_RUNTIME.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Lets actors be frozen: new processes are made from `template`.
    pub(crate) fn set_template(&self, template: Vm) {
        let _ = self.template.set(Mutex::new(template));
    }

    pub(crate) fn can_make_processes(&self) -> bool {
        self.template.get().is_some()
    }

    /// A new process of the program, with nothing running. Each thread
    /// keeps its own copy of the template, so workers making processes
    /// at once do not queue for it.
    /// The VM of an ended process is reused when the thread has one (see
    /// [`Shared::recycle`]).
    pub(crate) fn new_process(&self) -> Box<Vm> {
        let Some(template) = self.template.get() else {
            // Not reached: nothing asks before the template is set.
            return Box::new(Vm::new(noodle_vm::VmOptions::default()));
        };
        let made = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            match &mut *local {
                Some(l) if l.id == self.id => match l.recycled.pop() {
                    Some(vm) => vm,
                    None => Box::new(Vm::new_process(&l.template)),
                },
                _ => {
                    let mut copy = Vm::new_process(&crate::task::lock(template));
                    // A host of this thread's own for its processes: every
                    // spawn, first read of a global and send takes a
                    // reference to the host, and one count shared by all
                    // workers is a cache line they would pass back and
                    // forth.
                    if let Some(shared) = shared_of(&copy).cloned() {
                        copy.set_host(Arc::new(RuntimeHost { shared }));
                    }
                    let vm = Box::new(Vm::new_process(&copy));
                    *local = Some(Local {
                        id: self.id,
                        template: copy,
                        recycled: Vec::new(),
                    });
                    vm
                }
            }
        });
        made.unwrap_or_else(|_| Box::new(Vm::new_process(&crate::task::lock(template))))
    }

    /// Takes the VM of a process that has ended, to be the next new
    /// process on this thread: making and dropping one per task costs
    /// allocations and, worse, atomic updates of the reference counts
    /// that every process of the program shares, which the worker threads
    /// would pass back and forth.
    pub(crate) fn recycle(&self, mut vm: Box<Vm>) {
        let kept = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            match &mut *local {
                Some(l)
                    if l.id == self.id
                        && l.recycled.len() < KEEP_RECYCLED
                        && vm.reset_as_process_of(&l.template) =>
                {
                    l.recycled.push(vm);
                    None
                }
                _ => Some(vm),
            }
        });
        // Anything not kept is dropped outside the borrow.
        drop(kept);
    }

    pub(crate) fn actor_task(&self) -> Arc<TaskCell> {
        Arc::clone(&self.actor_task)
    }

    /// The checkpoint store (opened on first use).
    pub(crate) fn checkpoints(&self) -> Arc<Store> {
        Arc::clone(
            self.store
                .get_or_init(|| Arc::new(Store::new(self.checkpoint_path.as_deref()))),
        )
    }

    /// Removes this run's checkpoints, if any were written.
    pub(crate) fn finish(&self) {
        if let Some(store) = self.store.get() {
            store.finish();
        }
    }

    /// The declaration of actor type `proto`, from the result of one of its
    /// constructors in `vm`; checks its placement against this node. An
    /// error is the message of a `ValueError` or (starting `no node
    /// satisfies`) a `PlacementError`.
    pub(crate) fn decl_for(
        &self,
        proto: u32,
        vm: &Vm,
        result: Value,
    ) -> Result<Arc<ActorDecl>, String> {
        let cached = crate::task::lock(&self.decls).get(&proto).cloned();
        let d = match cached {
            Some(d) => d,
            None => {
                let name = vm
                    .heap
                    .types()
                    .function_names
                    .get(proto as usize)
                    .map_or("actor", |n| &**n)
                    .to_string();
                let Some((_, handlers)) = decl::instance_of(&vm.heap, result) else {
                    return Err(format!("actor {name}: its constructor made no handlers"));
                };
                let annotations = decl::annotations_of(&vm.heap, result);
                let d = Arc::new(
                    decl::parse(&name, handlers, &annotations)
                        .map_err(|m| format!("actor {name}: {m}"))?,
                );
                crate::task::lock(&self.decls).insert(proto, Arc::clone(&d));
                d
            }
        };
        placement::check(&d.placement, placement::Node::this())?;
        Ok(d)
    }
}

fn handle_value(vm: &mut Vm, h: Handle) -> Value {
    Value::Obj(vm.heap.alloc(Object::Handle(h)))
}

/// Spawns `callee(args)` as a task.
fn spawn_task(host: &Arc<Shared>, vm: &mut Vm, callee: Value, args: &[Value]) -> NResult<Handle> {
    match prepare(host, vm, callee, args) {
        Ok(prepared) => Ok(task_handle(prepared.launch(host))),
        Err(e) => Err(Thrown(e)),
    }
}

/// `v` as something to await: a task or future handle as it is, a
/// coroutine started as a task.
fn awaitable_of(host: &Arc<Shared>, vm: &mut Vm, v: Value) -> NResult<Handle> {
    match vm.heap.object(v) {
        Some(Object::Handle(h)) if h.kind != HandleKind::Channel => Ok(h.clone()),
        Some(Object::Coroutine(_)) => spawn_task(host, vm, v, &[]),
        _ => {
            let message = format!("cannot await {}", vm.heap.type_name(v));
            Err(vm.error(kinds::TYPE, message))
        }
    }
}

fn duration_arg(vm: &mut Vm, v: Option<Value>, what: &str) -> NResult<Duration> {
    match v {
        Some(Value::Duration(ns)) if ns >= 0 => Ok(Duration::from_nanos(ns as u64)),
        Some(Value::Duration(_)) => {
            Err(vm.error(kinds::VALUE, format!("{what} needs a duration >= 0")))
        }
        // A bare number is refused: is `sleep(1)` a second or a millisecond?
        Some(other) => {
            let message = format!(
                "{what} needs a duration such as 10ms, not {}",
                vm.heap.type_name(other)
            );
            Err(vm.error(kinds::TYPE, message))
        }
        None => Err(vm.error(kinds::TYPE, format!("{what} needs a duration"))),
    }
}

/// The awaitables of a list argument (`all([...])`); coroutines in it
/// are started as tasks.
fn awaitables(
    host: &Arc<Shared>,
    vm: &mut Vm,
    list: Option<Value>,
    what: &str,
) -> NResult<Vec<Handle>> {
    let items = match list.and_then(|l| vm.heap.list(l).cloned()) {
        Some(items) => items,
        None => return Err(vm.type_error(format!("{what}() takes a list of tasks"))),
    };
    items
        .into_iter()
        .map(|v| awaitable_of(host, vm, v))
        .collect()
}

/// The runtime that `vm`'s host belongs to, borrowed.
pub(crate) fn shared_of(vm: &Vm) -> Option<&Arc<Shared>> {
    let host = vm.host()?.as_any().downcast_ref::<RuntimeHost>()?;
    Some(&host.shared)
}

/// A blocking job's result as the awaiting process receives it.
fn blocked_outcome(blocked: Blocked) -> crate::task::Outcome {
    match blocked {
        Blocked::None => Ok(Payload::None),
        Blocked::Str(text) => Ok(Payload::Text(text)),
        Blocked::Error { kind, message } => Err(Failure::New { kind, message }),
    }
}

impl Host for RuntimeHost {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn spawn(&self, vm: &mut Vm, callee: Value, args: &Args) -> NResult<Value> {
        if !args.named.is_empty() {
            return Err(vm.type_error("spawn takes positional arguments only"));
        }
        let h = match vm.heap.object(callee) {
            Some(&Object::ActorType { proto }) => {
                let (address, _, drivers) =
                    actor::spawn(&self.shared, vm, proto, args.positional, None, "")?;
                actor::start(drivers);
                address
            }
            Some(&Object::SupervisorType { proto }) => {
                if !args.positional.is_empty() {
                    return Err(vm.type_error("a supervisor is spawned without arguments"));
                }
                supervisor::spawn(&self.shared, vm, proto, "")?.address()
            }
            _ => spawn_task(&self.shared, vm, callee, args.positional)?,
        };
        Ok(handle_value(vm, h))
    }

    fn builtin(&self, vm: &mut Vm, name: &str, args: &Args) -> NResult<Value> {
        let h = match name {
            "sleep" => {
                let d = duration_arg(vm, args.get(0), "sleep()")?;
                future_handle("sleep", Awaitable::Sleep(d))
            }
            "timeout" => {
                let limit = duration_arg(vm, args.get(1), "timeout()")?;
                let Some(target) = args.get(0) else {
                    return Err(vm.type_error("timeout() needs something to await"));
                };
                let inner = awaitable_of(&self.shared, vm, target)?;
                future_handle("timeout", Awaitable::Timeout { inner, limit })
            }
            "all" => future_handle(
                "all",
                Awaitable::All(awaitables(&self.shared, vm, args.get(0), "all")?),
            ),
            "any" => future_handle(
                "any",
                Awaitable::Any(awaitables(&self.shared, vm, args.get(0), "any")?),
            ),
            "race" => future_handle(
                "race",
                Awaitable::Race(awaitables(&self.shared, vm, args.get(0), "race")?),
            ),
            "channel" => {
                let capacity = match args.get(0) {
                    None | Some(Value::None) => Capacity::Unbounded,
                    Some(Value::Int(n)) if n >= 0 => Capacity::Bounded(n as usize),
                    Some(other) => {
                        let message = format!(
                            "channel() takes a capacity (an int >= 0), not {}",
                            vm.repr(other)
                        );
                        return Err(vm.error(kinds::VALUE, message));
                    }
                };
                channel_handle(Arc::new(Chan::new(capacity)))
            }
            "map_reduce" => self.map_reduce(vm, args)?,
            "stop" => return self.stop(vm, args),
            _ => return Err(unsupported(vm, &format!("{name}()"))),
        };
        Ok(handle_value(vm, h))
    }

    fn call_now(
        &self,
        vm: &mut Vm,
        target: &(dyn std::any::Any + Send + Sync),
        name: &str,
        args: &Args,
    ) -> NResult<CallNow> {
        match target.downcast_ref::<actor::ActorCell>() {
            Some(cell) => actor::call_now(vm, cell, name, args),
            None => Ok(CallNow::NotNow),
        }
    }

    fn tell(
        &self,
        vm: &mut Vm,
        target: Arc<dyn std::any::Any + Send + Sync>,
        name: &str,
        args: &Args,
    ) -> NResult<bool> {
        match actor::cell_of(target) {
            Some(cell) => actor::tell(vm, cell, name, args).map(|()| true),
            None => Ok(false),
        }
    }

    fn run_blocking(&self, _vm: &mut Vm, job: BlockingJob) -> Result<Handle, BlockingJob> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return Err(job);
        };
        let done = TaskCell::new(Arc::from("blocking call"));
        let cell = Arc::clone(&done);
        runtime.spawn_blocking(move || cell.complete(blocked_outcome(job())));
        Ok(future_of(done))
    }

    fn method(&self, vm: &mut Vm, handle: &Handle, name: &str, args: &Args) -> NResult<Value> {
        match handle.kind {
            HandleKind::Task => {
                let Some(task) = as_task(handle) else {
                    return Err(vm.type_error("internal error: not a task"));
                };
                match name {
                    "cancel" => {
                        task.cancel();
                        Ok(Value::None)
                    }
                    "done" => Ok(Value::Bool(task.is_done())),
                    _ => Err(no_method(vm, "task", name)),
                }
            }
            HandleKind::Channel => {
                let Some(chan) = as_channel(handle) else {
                    return Err(vm.type_error("internal error: not a channel"));
                };
                let h = match name {
                    "send" => {
                        let Some(v) = args.get(0) else {
                            return Err(vm.type_error("send() takes the value to send"));
                        };
                        return send_to_channel(vm, chan, v);
                    }
                    "recv" => future_handle("recv", Awaitable::Recv(chan)),
                    "close" => {
                        chan.close();
                        return Ok(Value::None);
                    }
                    "len" => return Ok(Value::Int(chan.len() as i64)),
                    "is_closed" => return Ok(Value::Bool(chan.is_closed())),
                    _ => return Err(no_method(vm, "channel", name)),
                };
                Ok(handle_value(vm, h))
            }
            HandleKind::Actor => {
                if let Some(cell) = actor::target_of(handle) {
                    return actor::send(vm, cell, name, args);
                }
                let Some(sup) = as_supervisor(handle) else {
                    return Err(vm.type_error("internal error: not an actor"));
                };
                if sup.is_stopped() {
                    // A stopped supervisor answers like a stopped actor.
                    let reply =
                        TaskCell::new(Arc::from(format!("reply {}.{name}", sup.name).as_str()));
                    reply.complete(Err(Failure::new(
                        kinds::ACTOR_STOPPED,
                        format!("supervisor {} is stopped", sup.name),
                    )));
                    return Ok(handle_value(vm, future_of(reply)));
                }
                let message = format!(
                    "supervisor {} takes no messages; send to its children ({})",
                    sup.name,
                    sup.child_names()
                );
                Err(vm.type_error(message))
            }
            HandleKind::Future => Err(no_method(vm, "future", name)),
        }
    }

    fn field(&self, vm: &mut Vm, handle: &Handle, name: &str) -> NResult<Value> {
        if let Some(sup) = as_supervisor(handle) {
            if let Some(child) = sup.child(name) {
                let address = child.address();
                return Ok(handle_value(vm, address));
            }
            let message = format!(
                "supervisor {} has no child '{name}' (children: {})",
                sup.name,
                sup.child_names()
            );
            return Err(vm.error(kinds::TYPE, message));
        }
        let message = format!("{handle} has no field '{name}'");
        Err(vm.error(kinds::TYPE, message))
    }

    fn self_address(&self, vm: &mut Vm) -> NResult<Value> {
        match process::actor_of(vm) {
            Some(cell) => {
                let address = actor::address(&cell.decl.address_label, Arc::clone(cell) as _);
                Ok(handle_value(vm, address))
            }
            None => Err(vm.error(kinds::TYPE, "self is only defined inside an actor")),
        }
    }

    fn parallel(
        &self,
        vm: &mut Vm,
        strategy: u8,
        options: Value,
        branches: &[Value],
    ) -> NResult<Value> {
        let Some(strategy) = Strategy::from_code(strategy) else {
            return Err(vm.type_error("internal error: unknown parallel strategy"));
        };
        let mut timeout = None;
        let mut max_concurrency = None;
        let pairs: Vec<(String, Value)> = match vm.heap.map(options) {
            Some(m) => m.iter().map(|(k, v)| (vm.display(k), v)).collect(),
            None => Vec::new(),
        };
        for (key, v) in pairs {
            match key.as_str() {
                "timeout" => timeout = Some(duration_arg(vm, Some(v), "timeout:")?),
                "max_concurrency" => match v {
                    Value::Int(n) if n >= 1 => max_concurrency = Some(n as usize),
                    _ => {
                        let message =
                            format!("max_concurrency: must be an int >= 1, not {}", vm.repr(v));
                        return Err(vm.error(kinds::VALUE, message));
                    }
                },
                other => {
                    let message = format!("unknown parallel option '{other}'");
                    return Err(vm.error(kinds::VALUE, message));
                }
            }
        }
        let mut prepared: Vec<Prepared> = Vec::with_capacity(branches.len());
        for &branch in branches {
            prepared.push(prepare(&self.shared, vm, branch, &[]).map_err(Thrown)?);
        }
        let block = Block {
            host: Arc::clone(&self.shared),
            strategy,
            branches: prepared,
            timeout,
            max_concurrency,
        };
        let h = future_handle("parallel", Awaitable::Parallel(Mutex::new(Some(block))));
        Ok(handle_value(vm, h))
    }

    fn import_global(&self, vm: &mut Vm, index: usize) -> Option<Value> {
        process::import_global(vm, index)
    }
}

/// `ch.send(v)`: the value is in the channel when the sender goes on. A
/// full channel makes the sender wait at its next call (as a full mailbox
/// does), so a send nobody awaits is not lost; awaiting the returned
/// future waits for delivery. A closed channel raises at once.
fn send_to_channel(vm: &mut Vm, chan: Arc<Chan>, v: Value) -> NResult<Value> {
    let message = Message::export(&vm.heap, v);
    let done = TaskCell::new(Arc::from("send"));
    if process::has_pending(vm) {
        process::add_pending(vm, Pending::Value(chan, message, Arc::clone(&done)));
    } else {
        match chan.try_send(message) {
            Ok(()) => done.complete(Ok(Payload::None)),
            Err(TrySendError::Closed(_)) => {
                return Err(vm.error(kinds::CHANNEL_CLOSED, "the channel is closed"));
            }
            Err(TrySendError::Full(message)) => {
                process::add_pending(vm, Pending::Value(chan, message, Arc::clone(&done)));
            }
        }
    }
    Ok(handle_value(vm, future_of(done)))
}

fn no_method(vm: &mut Vm, what: &str, name: &str) -> Thrown {
    vm.error(kinds::TYPE, format!("{what} has no method '{name}'"))
}

impl RuntimeHost {
    /// `stop(a)`: an actor (every replica) or a supervisor with its
    /// children.
    fn stop(&self, vm: &mut Vm, args: &Args) -> NResult<Value> {
        let target = args.get(0).and_then(|v| match vm.heap.object(v) {
            Some(Object::Handle(h)) if h.kind == HandleKind::Actor => Some(h.clone()),
            _ => None,
        });
        let Some(h) = target else {
            return Err(vm.type_error("stop() takes an actor"));
        };
        if let Some(sup) = as_supervisor(&h) {
            sup.stop(&self.shared);
        } else if !actor::stop_address(&h) {
            return Err(vm.type_error("stop() takes an actor"));
        }
        Ok(Value::None)
    }

    /// `map_reduce(xs, mapper, reducer, workers:, initial:)`: contiguous
    /// chunks mapped and folded by their own processes, the partial results
    /// folded in order (so the reducer must be associative).
    fn map_reduce(&self, vm: &mut Vm, args: &Args) -> NResult<Handle> {
        let (Some(xs), Some(mapper), Some(reducer)) = (args.get(0), args.get(1), args.get(2))
        else {
            return Err(vm.type_error("map_reduce() takes xs, mapper and reducer"));
        };
        if let Some(bad) = args.unknown_named(&["workers", "initial"]) {
            return Err(vm.type_error(format!(
                "map_reduce() got an unexpected named argument '{bad}'"
            )));
        }
        let Some(items) = vm.heap.list(xs).cloned() else {
            let message = format!("map_reduce() needs a list, not {}", vm.heap.type_name(xs));
            return Err(vm.type_error(message));
        };
        let workers = match args.named("workers") {
            None => self.shared.workers,
            Some(Value::Int(n)) if n >= 1 => n as usize,
            Some(v) => {
                let message = format!("workers: must be an int >= 1, not {}", vm.repr(v));
                return Err(vm.error(kinds::VALUE, message));
            }
        };
        let initial = args.named("initial");
        if items.is_empty() && initial.is_none() {
            return Err(vm.error(kinds::VALUE, "map_reduce() of an empty list needs initial:"));
        }
        let per_chunk = items.len().div_ceil(workers.max(1)).max(1);
        let mut chunks = Vec::new();
        for chunk in items.chunks(per_chunk) {
            let mut roots = vec![mapper, reducer];
            roots.extend_from_slice(chunk);
            let message = Message::export_all(&vm.heap, &roots);
            let mut child = Box::new(Vm::new_process(vm));
            let task = TaskCell::new(Arc::from("map_reduce"));
            let world = process::current_world(vm);
            process::adopt(&mut child, world, Arc::clone(&task));
            let cell = Arc::clone(&task);
            tokio::spawn(async move {
                let values = message.import(&mut child.heap);
                let outcome = match map_fold(&mut child, &values[2..], values[0], values[1]) {
                    Ok(v) => Ok(Payload::Copied(Message::export(&child.heap, v))),
                    Err(e) => Err(Failure::Raised(Message::export(&child.heap, e))),
                };
                task.complete(outcome);
            });
            chunks.push(cell);
        }
        let mut fold = Box::new(Vm::new_process(vm));
        let world = process::current_world(vm);
        process::adopt(&mut fold, world, TaskCell::new(Arc::from("map_reduce")));
        let roots: Vec<Value> = std::iter::once(reducer).chain(initial).collect();
        let imported = Message::export_all(&vm.heap, &roots).import(&mut fold.heap);
        let reduce = Reduce {
            chunks,
            reducer: imported[0],
            initial: imported.get(1).copied(),
            fold,
        };
        Ok(future_handle(
            "map_reduce",
            Awaitable::MapReduce(Mutex::new(Some(reduce))),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> Arc<Shared> {
        let shared = Arc::new(Shared::new(2, None));
        let mut main = Vm::new(noodle_vm::VmOptions::default());
        main.set_host(Arc::new(RuntimeHost {
            shared: Arc::clone(&shared),
        }));
        shared.set_template(Vm::new_process(&main));
        shared
    }

    fn host_of(vm: &Vm) -> *const () {
        Arc::as_ptr(vm.host().expect("a process has a host")) as *const ()
    }

    #[test]
    fn each_thread_gives_its_processes_a_host_of_its_own() {
        let shared = runtime();
        let here = shared.new_process();
        let again = shared.new_process();
        assert_eq!(host_of(&here), host_of(&again), "one host per thread");
        assert!(shared_of(&here).is_some_and(|s| Arc::ptr_eq(s, &shared)));
        let elsewhere = Arc::clone(&shared);
        let there = std::thread::spawn(move || host_of(&elsewhere.new_process()) as usize)
            .join()
            .expect("the thread ends");
        assert_ne!(
            host_of(&here) as usize,
            there,
            "another thread, another host"
        );
        // A process of another thread's host is not kept for this one.
        let mut foreign = shared.new_process();
        foreign.set_host(Arc::new(RuntimeHost {
            shared: Arc::clone(&shared),
        }));
        shared.recycle(again);
        shared.recycle(foreign);
        assert_eq!(host_of(&shared.new_process()), host_of(&here));
    }
}
