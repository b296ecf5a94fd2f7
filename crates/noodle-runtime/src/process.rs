//! Processes: a VM of its own per task, driven as a tokio task. A process
//! runs until it finishes, parks at an await (the driver waits for the
//! awaited thing, copies its value in and resumes) or spends its time
//! slice (the driver yields to the scheduler).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use noodle_vm::error::kinds;
use noodle_vm::object::Closure;
use noodle_vm::transfer::Message;
use noodle_vm::{Halt, NResult, Object, Resume, Value, Vm, Wait};

use crate::actor::{self, ActorCell, Awake, Envelope};
use crate::host::Shared;
use crate::stats;
use crate::task::{Failure, Outcome, Payload, TaskCell, lock};
use crate::wait::Chan;
use crate::wait::wait_for;

/// Calls and back-edges per time slice.
pub(crate) const SLICE: i64 = 10_000;

/// The module globals a process starts from: the spawning process's
/// values, copied lazily slot by slot on first use.
#[derive(Clone)]
pub(crate) struct World {
    /// Tells worlds apart; the threads' copies of a world keep its id.
    id: u64,
    globals: Vec<Option<Message>>,
}

static NEXT_WORLD: AtomicU64 = AtomicU64::new(0);

/// How many worlds a thread keeps copies of before it starts again.
const MAX_LOCAL_WORLDS: usize = 8;

thread_local! {
    static LOCAL_WORLDS: RefCell<Vec<Arc<World>>> = const { RefCell::new(Vec::new()) };
}

impl World {
    fn new(globals: Vec<Option<Message>>) -> World {
        World {
            id: NEXT_WORLD.fetch_add(1, Ordering::Relaxed),
            globals,
        }
    }

    /// A world without globals (for tests of runtime parts).
    #[cfg(test)]
    pub(crate) fn empty() -> World {
        World::new(Vec::new())
    }

    /// `world` as this thread's own copy. Every process of a program that
    /// assigns no globals starts from one world: sharing one `Arc` would
    /// make each spawn and each process's end update a count on a cache
    /// line that all the worker threads pass back and forth.
    fn local(world: Arc<World>) -> Arc<World> {
        LOCAL_WORLDS
            .try_with(|copies| {
                let mut copies = copies.borrow_mut();
                if let Some(copy) = copies.iter().find(|c| c.id == world.id) {
                    return Arc::clone(copy);
                }
                if copies.len() >= MAX_LOCAL_WORLDS {
                    copies.clear();
                }
                let copy = Arc::new(World::clone(&world));
                copies.push(Arc::clone(&copy));
                copy
            })
            .unwrap_or(world)
    }
}

/// A send the sender waits for at its next call.
pub(crate) enum Pending {
    /// A message for a full mailbox.
    Message(Arc<ActorCell>, Envelope),
    /// A value for a full channel; `done` is the send's future.
    Value(Arc<Chan>, Message, Arc<TaskCell>),
}

impl Pending {
    async fn deliver(self) {
        match self {
            Pending::Message(cell, env) => cell.post_waiting(env).await,
            Pending::Value(chan, value, done) => {
                let outcome = match chan.send(value).await {
                    Ok(()) => Ok(Payload::None),
                    Err(_) => Err(crate::wait::channel_closed()),
                };
                done.complete(outcome);
            }
        }
    }
}

/// What the runtime keeps in each VM (`Vm::process`).
pub(crate) struct ProcessData {
    pub(crate) world: Arc<World>,
    /// The globals as they were when `world` was taken (or imported from
    /// it): a difference means this process assigned one since. Slots past
    /// the end are unassigned, so a new process (all unassigned) needs no
    /// allocation here.
    seen: Vec<Value>,
    pub(crate) task: Arc<TaskCell>,
    /// The actor this process runs, if it is one.
    actor: Option<Arc<ActorCell>>,
    /// Sends that found a full mailbox or channel, delivered in order
    /// before the process runs on.
    pending: VecDeque<Pending>,
    /// An idle actor a send of this process woke: it runs at this
    /// process's next halt, here if the process awaits its reply.
    deferred: Option<Awake>,
}

impl Drop for ProcessData {
    fn drop(&mut self) {
        // A process that ends holding a woken actor must not lose it.
        if let Some(awake) = self.deferred.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            actor::spawn_awake(awake);
        }
    }
}

/// Same value, or the same object: what a global's identity is.
fn same_identity(a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Obj(x), Value::Obj(y)) => x == y,
        (Value::None, Value::None) | (Value::Missing, Value::Missing) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Duration(x), Value::Duration(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Builtin(x), Value::Builtin(y)) => x == y,
        _ => false,
    }
}

pub(crate) fn data(vm: &Vm) -> Option<&ProcessData> {
    vm.process.as_ref()?.downcast_ref::<ProcessData>()
}

fn data_mut(vm: &mut Vm) -> Option<&mut ProcessData> {
    vm.process.as_mut()?.downcast_mut::<ProcessData>()
}

/// Makes `vm` a process of the runtime, running as `task`.
pub(crate) fn adopt(vm: &mut Vm, world: Arc<World>, task: Arc<TaskCell>) {
    let globals = vm.globals();
    let assigned = globals.iter().rposition(|v| !v.is_missing());
    let seen = assigned.map_or_else(Vec::new, |last| globals[..=last].to_vec());
    vm.process = Some(Box::new(ProcessData {
        world: World::local(world),
        seen,
        task,
        actor: None,
        pending: VecDeque::new(),
        deferred: None,
    }));
}

/// Marks `vm` as the process of actor `cell` (for `self`).
pub(crate) fn make_actor(vm: &mut Vm, cell: Arc<ActorCell>) {
    if let Some(d) = data_mut(vm) {
        d.actor = Some(cell);
    }
}

pub(crate) fn actor_of(vm: &Vm) -> Option<&Arc<ActorCell>> {
    data(vm)?.actor.as_ref()
}

/// Holds the actor `awake` (woken by a send of `vm`) until `vm` halts. A
/// process holds one: an earlier one starts on its own.
pub(crate) fn defer(vm: &mut Vm, awake: Awake) {
    match data_mut(vm) {
        Some(d) => {
            if let Some(older) = d.deferred.replace(awake) {
                actor::spawn_awake(older);
            }
        }
        None => actor::spawn_awake(awake),
    }
}

pub(crate) fn take_deferred(vm: &mut Vm) -> Option<Awake> {
    data_mut(vm)?.deferred.take()
}

/// Starts the actor `vm` woke, if any, on its own.
pub(crate) fn spawn_deferred(vm: &mut Vm) {
    if let Some(awake) = take_deferred(vm) {
        actor::spawn_awake(awake);
    }
}

pub(crate) fn has_pending(vm: &Vm) -> bool {
    data(vm).is_some_and(|d| !d.pending.is_empty())
}

/// Holds a send until the process's next call: the sender waits there
/// for room in the mailbox or channel.
pub(crate) fn add_pending(vm: &mut Vm, send: Pending) {
    if let Some(d) = data_mut(vm) {
        d.pending.push_back(send);
        vm.set_budget(0);
    } else if let Pending::Message(cell, env) = send {
        // Not a process of this runtime: nobody could wait, so queue it.
        cell.post_over(env);
    }
}

pub(crate) fn pending_holds(vm: &Vm, reply: &Arc<TaskCell>) -> bool {
    data(vm).is_some_and(|d| {
        d.pending.iter().any(|p| match p {
            Pending::Message(_, env) => env.replies_to(reply),
            Pending::Value(..) => false,
        })
    })
}

fn take_pending(vm: &mut Vm) -> VecDeque<Pending> {
    data_mut(vm)
        .map(|d| std::mem::take(&mut d.pending))
        .unwrap_or_default()
}

/// Whether `vm`'s globals are still the ones its world was taken from.
fn world_is_current(vm: &Vm) -> bool {
    data(vm).is_some_and(|d| {
        let seen = |i: usize| d.seen.get(i).copied().unwrap_or(Value::Missing);
        d.seen.len() <= vm.globals().len()
            && vm
                .globals()
                .iter()
                .enumerate()
                .all(|(i, &v)| same_identity(seen(i), v))
    })
}

/// The world a process spawned by `vm` starts from: `vm`'s own, taken
/// again when `vm` has assigned a global since.
pub(crate) fn current_world(vm: &mut Vm) -> Arc<World> {
    if world_is_current(vm)
        && let Some(d) = data(vm)
    {
        return Arc::clone(&d.world);
    }
    let globals = vm.globals().to_vec();
    let heap_snapshot = |vm: &Vm, inherited: Option<&World>| -> World {
        let globals = vm
            .globals()
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if v.is_missing() {
                    inherited.and_then(|w| w.globals.get(i).cloned().flatten())
                } else {
                    Some(Message::export(&vm.heap, v))
                }
            })
            .collect();
        World::new(globals)
    };
    let world = Arc::new(heap_snapshot(vm, data(vm).map(|d| &*d.world)));
    if let Some(d) = data_mut(vm) {
        d.world = Arc::clone(&world);
        d.seen = globals;
    }
    world
}

/// Global `index` for a process that has not read it yet.
pub(crate) fn import_global(vm: &mut Vm, index: usize) -> Option<Value> {
    let message = data(vm)?.world.globals.get(index)?.clone()?;
    let v = message.import_one(&mut vm.heap);
    if let Some(d) = data_mut(vm) {
        if d.seen.len() <= index {
            d.seen.resize(index + 1, Value::Missing);
        }
        d.seen[index] = v;
    }
    Some(v)
}

/// A process made but not yet handed to the scheduler.
pub(crate) struct Prepared {
    start: Start,
    pub(crate) task: Arc<TaskCell>,
}

/// How a prepared process begins.
enum Start {
    /// Started already, in its own VM.
    Started(Box<Vm>),
    /// A call that cannot fail to start, copied out: its VM is made when it
    /// first runs. Until then a queued task costs its arguments, not a
    /// process (a tree of a million tasks queues most of them at once).
    Later { call: Call, world: Arc<World> },
}

/// The call a process not started yet will make.
enum Call {
    /// A function with no captured variables, called with values that
    /// have no object behind them (ints, floats, bools...): nothing to
    /// copy, so no graph is built or walked.
    Plain { func: u32, args: Box<[Value]> },
    /// The callee, then its arguments, copied out of the parent.
    Copied(Message),
}

impl Call {
    fn of(heap: &noodle_vm::Heap, callee: Value, args: &[Value]) -> Call {
        if let Some(Object::Closure(c)) = heap.object(callee)
            && c.cells.is_empty()
            && args.iter().all(|v| !matches!(v, Value::Obj(_)))
        {
            return Call::Plain {
                func: c.func,
                args: args.into(),
            };
        }
        let mut roots = Vec::with_capacity(args.len() + 1);
        roots.push(callee);
        roots.extend_from_slice(args);
        Call::Copied(Message::export_all(heap, &roots))
    }

    /// Starts the call in `vm`, the new process.
    fn start(self, vm: &mut Vm) -> NResult<()> {
        match self {
            Call::Plain { func, args } => {
                let callee = Value::Obj(vm.heap.alloc(Object::Closure(Closure {
                    func,
                    cells: Box::new([]),
                })));
                vm.start(callee, &args)
            }
            Call::Copied(call) => {
                let imported = call.import(&mut vm.heap);
                vm.start(imported[0], &imported[1..])
            }
        }
    }
}

/// A new process of `parent`'s program that will run `callee(args)`; the
/// call and its arguments are copied into it. A call that cannot start
/// (not a function, wrong arguments) raises here, in the parent.
pub(crate) fn prepare(
    host: &Arc<Shared>,
    parent: &mut Vm,
    callee: Value,
    args: &[Value],
) -> Result<Prepared, Value> {
    let world = current_world(parent);
    let call = Call::of(&parent.heap, callee, args);
    let name = match parent.heap.function_name_arc(callee) {
        Some(name) => crate::task::local_label(name),
        None => Arc::from("task"),
    };
    let task = TaskCell::new(name);
    // Cancelling a task cancels what it spawned; nothing cancels an actor,
    // so its tasks need no parent.
    if let Some(d) = data(parent)
        && d.actor.is_none()
    {
        d.task.adopt(Arc::clone(&task));
    }
    if host.can_make_processes() && parent.starts_cleanly(callee, args.len()) {
        let start = Start::Later { call, world };
        return Ok(Prepared { start, task });
    }
    let mut vm = Box::new(Vm::new_process(parent));
    adopt(&mut vm, world, Arc::clone(&task));
    if let Err(e) = call.start(&mut vm) {
        let error = Message::export(&vm.heap, e.0);
        return Err(error.import_one(&mut parent.heap));
    }
    // It may wait in a run queue a long while before it first runs.
    vm.trim_stack();
    let start = Start::Started(vm);
    Ok(Prepared { start, task })
}

impl Start {
    /// The started process, and whether `host` made it (and takes its VM
    /// back when it ends).
    fn begin(self, task: &Arc<TaskCell>, host: &Shared) -> Result<(Box<Vm>, bool), Outcome> {
        match self {
            Start::Started(vm) => Ok((vm, false)),
            Start::Later { call, world } => {
                let mut vm = host.new_process();
                adopt(&mut vm, world, Arc::clone(task));
                match call.start(&mut vm) {
                    Ok(()) => Ok((vm, true)),
                    Err(e) => Err(Err(Failure::Raised(Message::export(&vm.heap, e.0)))),
                }
            }
        }
    }
}

/// A launched process that nothing has begun yet, kept in its task cell.
pub(crate) struct Unstarted(Start);

impl Prepared {
    /// Hands the process to the scheduler. A process that awaits the task
    /// before a worker has begun it runs it itself (see [`run_claimed`]).
    pub(crate) fn launch(self, host: &Arc<Shared>) -> Arc<TaskCell> {
        let Prepared { start, task } = self;
        task.set_unstarted(Unstarted(start));
        stats::process_spawned();
        Batch::add(Arc::clone(&task), host);
        task
    }
}

/// Tasks launched on one thread since its last batch went to the
/// scheduler. A batch is one scheduler task: when it first runs, it
/// starts a scheduler task for each process nothing has taken yet. A
/// tree of tasks whose parents await their children at once (most run
/// in their parent, see [`run_claimed`]) then makes one scheduler task
/// per batch rather than one per process, and spawning a scheduler task
/// is the costliest part of a spawn on several workers: it takes a lock
/// on the scheduler's shared list of tasks.
struct Batch {
    /// `None` once the batch has gone to the scheduler.
    tasks: Mutex<Option<Vec<Arc<TaskCell>>>>,
    /// The runtime, counted once per batch: a count every worker updates
    /// per process would be a cache line they pass back and forth.
    host: Arc<Shared>,
}

thread_local! {
    static BATCH: RefCell<Option<Arc<Batch>>> = const { RefCell::new(None) };
}

impl Batch {
    fn add(task: Arc<TaskCell>, host: &Arc<Shared>) {
        let rest = BATCH.with(|current| {
            let mut current = current.borrow_mut();
            if let Some(batch) = current.as_ref()
                && Arc::ptr_eq(&batch.host, host)
                && let Some(tasks) = lock(&batch.tasks).as_mut()
            {
                tasks.push(task);
                return None;
            }
            let batch = Arc::new(Batch {
                tasks: Mutex::new(Some(vec![task])),
                host: Arc::clone(host),
            });
            *current = Some(Arc::clone(&batch));
            Some(batch)
        });
        if let Some(batch) = rest {
            tokio::spawn(batch.start());
        }
    }

    /// Closes the batch and starts what nothing has taken: a task each,
    /// but the last runs in this one.
    async fn start(self: Arc<Self>) {
        let tasks = lock(&self.tasks).take().unwrap_or_default();
        let mut left = tasks
            .into_iter()
            .filter_map(|task| task.take_unstarted().map(|Unstarted(start)| (start, task)));
        let mut last = left.next();
        for (start, task) in left {
            if let Some((start, task)) = last.replace((start, task)) {
                let host = Arc::clone(&self.host);
                tokio::spawn(async move { Box::pin(run(start, task, &host)).await });
            }
        }
        if let Some((start, task)) = last {
            Box::pin(run(start, task, &self.host)).await;
        }
    }
}

/// Runs a launched process and completes its task.
async fn run(start: Start, task: Arc<TaskCell>, host: &Shared) {
    let (mut vm, made) = match start.begin(&task, host) {
        Ok(made) => made,
        Err(outcome) => return task.complete(outcome),
    };
    let halt = vm.run();
    run_from(vm, made.then_some(host), task, halt).await;
}

/// Drives a begun process on from `halt` to its end; `maker` takes its VM
/// back.
async fn run_from(mut vm: Box<Vm>, maker: Option<&Shared>, task: Arc<TaskCell>, halt: Halt) {
    let result = drive_from(&mut vm, &task, halt).await;
    let (_, woken) = end(vm, maker, &task, result, false);
    // The task is done, so the actor it woke last runs on its task.
    if let Some(awake) = woken {
        Box::pin(actor::run_driver(awake)).await;
    }
}

/// Completes `task` with how its process ended, and gives the VM back;
/// with `keep`, a copy of the outcome for the caller too.
fn end(
    mut vm: Box<Vm>,
    maker: Option<&Shared>,
    task: &TaskCell,
    result: Result<Value, Value>,
    keep: bool,
) -> (Option<Outcome>, Option<Awake>) {
    let outcome = match result {
        Ok(v) => Ok(Payload::of(&vm.heap, v)),
        Err(e) => Err(Failure::Raised(Message::export(&vm.heap, e))),
    };
    stats::process_ended(&vm);
    let woken = take_deferred(&mut vm);
    // The next process on this thread takes its register stack (and,
    // when its VM is kept, the VM).
    vm.release_stack();
    match maker {
        Some(host) => host.recycle(vm),
        None => drop(vm),
    }
    let kept = keep.then(|| outcome.clone());
    task.complete(outcome);
    (kept, woken)
}

/// Runs `task`'s process, which nothing had begun, here in the process
/// that awaits it: its outcome when it ends without waiting for anything
/// (a leaf of a task tree). One that has to wait goes on as a task of its
/// own, and `None` says to wait for it as usual. Either way the awaiting
/// process loses nothing: it would have waited at least this long. The
/// work done counts against `budget`, the awaiting process's time slice.
fn run_claimed(
    start: Start,
    task: &Arc<TaskCell>,
    host: &Arc<Shared>,
    budget: &mut i64,
) -> Option<Outcome> {
    let (mut vm, made) = match start.begin(task, host) {
        Ok(made) => made,
        Err(outcome) => {
            task.complete(outcome.clone());
            return Some(outcome);
        }
    };
    vm.set_budget(SLICE);
    let halt = vm.run();
    *budget -= SLICE - vm.budget_left().min(SLICE);
    let result = match halt {
        _ if has_pending(&vm) => None,
        Halt::Finished(v) if !matches!(vm.heap.object(v), Some(Object::Coroutine(_))) => {
            Some(Ok(v))
        }
        Halt::Raised(e) => Some(Err(e)),
        _ => None,
    };
    let Some(result) = result else {
        let (task, host) = (Arc::clone(task), Arc::clone(host));
        tokio::spawn(async move {
            Box::pin(run_from(vm, made.then_some(&*host), task, halt)).await;
        });
        return None;
    };
    let (outcome, woken) = end(vm, made.then_some(host), task, result, true);
    if let Some(awake) = woken {
        actor::spawn_awake(awake);
    }
    outcome
}

/// Runs a started process to its end: its value, or the error that
/// escaped it (in its own heap).
pub(crate) async fn drive(vm: &mut Vm, me: &Arc<TaskCell>) -> Result<Value, Value> {
    let halt = vm.run();
    drive_from(vm, me, halt).await
}

/// [`drive`] for a process that has run up to `halt`.
pub(crate) async fn drive_from(
    vm: &mut Vm,
    me: &Arc<TaskCell>,
    mut halt: Halt,
) -> Result<Value, Value> {
    loop {
        if has_pending(vm) {
            // The actor this process woke may be the one it waits for.
            spawn_deferred(vm);
            let sends = take_pending(vm);
            let delivered = tokio::select! {
                () = async { for send in sends { send.deliver().await } } => true,
                () = me.cancelled() => false,
            };
            if !delivered && matches!(halt, Halt::Yielded | Halt::Parked(_)) {
                let e = Failure::cancelled().into_value(&mut vm.heap);
                halt = vm.resume(Resume::Error(e));
                continue;
            }
        }
        halt = match halt {
            Halt::Finished(v) => {
                // A process whose call made a coroutine (a parallel
                // branch `|| fetch(1)`) runs that coroutine.
                if matches!(vm.heap.object(v), Some(Object::Coroutine(_))) {
                    match vm.start(v, &[]) {
                        Ok(()) => vm.run(),
                        Err(e) => return Err(e.0),
                    }
                } else {
                    return Ok(v);
                }
            }
            Halt::Raised(e) => return Err(e),
            Halt::Yielded => {
                spawn_deferred(vm);
                let before = std::thread::current().id();
                tokio::task::yield_now().await;
                if std::thread::current().id() != before {
                    stats::migrated();
                }
                vm.set_budget(SLICE);
                if me.is_cancelled() {
                    let e = Failure::cancelled().into_value(&mut vm.heap);
                    vm.resume(Resume::Error(e))
                } else {
                    vm.resume(Resume::Continue)
                }
            }
            Halt::Parked(wait) => {
                let handle = match wait {
                    Wait::Await(h) | Wait::Receive(h) => h,
                };
                if let Some(woken) = take_deferred(vm) {
                    match crate::wait::as_task(&handle) {
                        // The reply of the message that woke it: nothing
                        // else can run here meanwhile, so run it here.
                        Some(reply) if woken.holds_reply(&reply) => actor::run_inline(woken, reply),
                        _ => actor::spawn_awake(woken),
                    }
                }
                let before = std::thread::current().id();
                // A wait starts a new slice; a task run here instead
                // spends this one.
                let mut slice = SLICE;
                let outcome: Outcome = if me.is_cancelled() {
                    Err(Failure::cancelled())
                } else if actor::awaits_itself(vm, &handle) {
                    Err(Failure::new(
                        kinds::DEADLOCK,
                        format!(
                            "a handler awaits {handle}, a reply its own actor can only send after the handler ends"
                        ),
                    ))
                } else if let Some(task) = crate::wait::as_task(&handle) {
                    // Tasks and actor replies: no boxed future, and an actor
                    // (which nothing cancels) does not watch for cancelling.
                    let claimed = crate::host::shared_of(vm).and_then(|host| {
                        let Unstarted(start) = task.take_unstarted()?;
                        slice = vm.budget_left();
                        let outcome = run_claimed(start, &task, host, &mut slice);
                        if outcome.is_none() {
                            slice = SLICE;
                        }
                        outcome
                    });
                    if let Some(outcome) = claimed {
                        outcome
                    } else if let Some(outcome) = task.result() {
                        outcome
                    } else if actor_of(vm).is_some() {
                        vm.trim_stack();
                        task.wait().await
                    } else {
                        vm.trim_stack();
                        tokio::select! {
                            outcome = task.wait() => outcome,
                            () = me.cancelled() => Err(Failure::cancelled()),
                        }
                    }
                } else {
                    vm.trim_stack();
                    tokio::select! {
                        outcome = wait_for(handle) => outcome,
                        () = me.cancelled() => Err(Failure::cancelled()),
                    }
                };
                if std::thread::current().id() != before {
                    stats::migrated();
                }
                vm.set_budget(slice);
                let resume = match outcome {
                    Ok(p) => Resume::Value(p.into_value(&mut vm.heap)),
                    Err(f) => Resume::Error(f.into_value(&mut vm.heap)),
                };
                vm.resume(resume)
            }
        };
    }
}

/// The error a process gets for something it cannot do here.
pub(crate) fn unsupported(vm: &mut Vm, what: &str) -> noodle_vm::Thrown {
    vm.error(kinds::UNSUPPORTED, format!("{what} is not supported yet"))
}
