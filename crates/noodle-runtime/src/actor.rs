//! Actors: processes that handle one message at a time from a mailbox.
//!
//! An [`ActorCell`] is the address: the mailbox and the actor's life state.
//! It outlives restarts, so an address never changes. A [`Driver`] owns the
//! running process (its VM, with the state in the cells of the handler
//! closures) and takes messages from the cell one at a time; when the actor
//! stops, the driver ends and drops the process.
//!
//! A send copies the arguments, puts the message in the mailbox at once
//! and returns the reply future: a task cell the driver completes with the
//! handler's value or error. One mailbox queue in sending order gives each
//! sender's messages in order. A bounded mailbox that is full makes the
//! sender wait: the message goes to the sender's pending list and the
//! sender yields at its next call, where the driver delivers it before the
//! process runs on.

use std::collections::VecDeque;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use noodle_vm::error::kinds;
use noodle_vm::object::{Closure, Handle, HandleKind};
use noodle_vm::transfer::Message;
use noodle_vm::{Args, Halt, NResult, Object, Thrown, Value, Vm};
use tokio::sync::Notify;

use crate::checkpoint;
use crate::decl::{self, ActorDecl, Instance};
use crate::host::Shared;
use crate::process::{self, Pending, World, drive};
use crate::stats;
use crate::supervisor::{Link, Reason};
use crate::task::{Failure, Payload, TaskCell, lock};
use crate::wait::future_of;

/// One message: which handler, its arguments, where the reply goes.
pub(crate) struct Envelope {
    handler: u32,
    args: Message,
    pub(crate) reply: Arc<TaskCell>,
    /// When it was sent, for actors with a latency target.
    sent: Option<Instant>,
}

/// Why a mailbox stopped taking messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopKind {
    /// `stop(a)`: a supervisor may restart a permanent actor.
    User,
    /// Its supervisor stopped it: nothing to report back.
    Supervisor,
}

struct Mailbox {
    queue: VecDeque<Envelope>,
    stop: Option<StopKind>,
    /// Its supervisor asked for a restart before the next message.
    restart: bool,
    /// A driver owns the actor (false once it has stopped).
    running: bool,
}

/// How to make an actor's state again: its constructor, the arguments it
/// was spawned with, the globals it started from.
pub(crate) struct Recipe {
    pub(crate) proto: u32,
    pub(crate) args: Message,
    pub(crate) world: Arc<World>,
    /// A process of the program that new processes are forked from when a
    /// stopped actor is revived (only supervised actors are).
    pub(crate) seed: Option<Arc<Mutex<Box<Vm>>>>,
}

/// An actor's address.
pub(crate) struct ActorCell {
    pub(crate) decl: Arc<ActorDecl>,
    mailbox: Mutex<Mailbox>,
    /// A message or a request for the driver.
    wake: Notify,
    /// Room in a bounded mailbox.
    space: Notify,
    pub(crate) recipe: Recipe,
    /// Its supervisor, when it has one.
    pub(crate) link: OnceLock<Link>,
    /// The checkpoint row of this actor (`@checkpoint`).
    pub(crate) checkpoint_key: String,
}

enum Next {
    Message(Envelope),
    Restart,
    Stopped(StopKind),
}

pub(crate) fn stopped_failure(decl: &ActorDecl) -> Failure {
    Failure::new(
        kinds::ACTOR_STOPPED,
        format!("actor {} is stopped", decl.name),
    )
}

impl ActorCell {
    fn new(decl: Arc<ActorDecl>, recipe: Recipe, checkpoint_key: String) -> Arc<ActorCell> {
        Arc::new(ActorCell {
            decl,
            mailbox: Mutex::new(Mailbox {
                queue: VecDeque::new(),
                stop: None,
                restart: false,
                running: true,
            }),
            wake: Notify::new(),
            space: Notify::new(),
            recipe,
            link: OnceLock::new(),
            checkpoint_key,
        })
    }

    /// Queues `env`, or hands it back when a bounded mailbox is full. A
    /// stopped actor fails the reply at once.
    fn post(&self, env: Envelope) -> Result<(), Envelope> {
        let mut mb = lock(&self.mailbox);
        if mb.stop.is_some() {
            drop(mb);
            env.reply.complete(Err(stopped_failure(&self.decl)));
            return Ok(());
        }
        if let Some(capacity) = self.decl.capacity
            && mb.queue.len() >= capacity
        {
            return Err(env);
        }
        mb.queue.push_back(env);
        drop(mb);
        self.wake.notify_one();
        Ok(())
    }

    /// Queues `env` even past the capacity (for a sender that cannot wait).
    pub(crate) fn post_over(&self, env: Envelope) {
        let mut mb = lock(&self.mailbox);
        if mb.stop.is_some() {
            drop(mb);
            env.reply.complete(Err(stopped_failure(&self.decl)));
            return;
        }
        mb.queue.push_back(env);
        drop(mb);
        self.wake.notify_one();
    }

    /// Queues `env`, waiting while the mailbox is full.
    pub(crate) async fn post_waiting(&self, mut env: Envelope) {
        loop {
            let mut room = pin!(self.space.notified());
            room.as_mut().enable();
            match self.post(env) {
                Ok(()) => return,
                Err(back) => env = back,
            }
            room.await;
        }
    }

    async fn next(&self) -> Next {
        loop {
            let woken = self.wake.notified();
            {
                let mut mb = lock(&self.mailbox);
                if mb.restart {
                    mb.restart = false;
                    return Next::Restart;
                }
                if let Some(kind) = mb.stop {
                    mb.running = false;
                    let queued = std::mem::take(&mut mb.queue);
                    drop(mb);
                    for env in queued {
                        env.reply.complete(Err(stopped_failure(&self.decl)));
                    }
                    self.space.notify_waiters();
                    return Next::Stopped(kind);
                }
                if let Some(env) = mb.queue.pop_front() {
                    drop(mb);
                    if self.decl.capacity.is_some() {
                        self.space.notify_one();
                    }
                    return Next::Message(env);
                }
            }
            woken.await;
        }
    }

    /// Stops the actor after its current message; queued and new
    /// messages fail with `ActorStopped`.
    pub(crate) fn stop(&self, kind: StopKind) {
        let mut mb = lock(&self.mailbox);
        if mb.stop.is_none() {
            mb.stop = Some(kind);
        }
        mb.restart = false;
        drop(mb);
        self.wake.notify_one();
        self.space.notify_waiters();
    }

    /// Asks for a restart before the next message. A stopped actor whose
    /// driver has ended is revived by a new driver.
    pub(crate) fn restart(self: &Arc<Self>, host: &Arc<Shared>) {
        let mut mb = lock(&self.mailbox);
        mb.stop = None;
        if mb.running {
            mb.restart = true;
            drop(mb);
            self.wake.notify_one();
        } else {
            mb.running = true;
            drop(mb);
            revive(Arc::clone(self), Arc::clone(host));
        }
    }

    pub(crate) fn is_stopped(&self) -> bool {
        lock(&self.mailbox).stop.is_some()
    }

    fn queue_len(&self) -> usize {
        lock(&self.mailbox).queue.len()
    }

    /// Whether the reply `cell` belongs to a message still in this mailbox.
    pub(crate) fn holds_reply(&self, cell: &Arc<TaskCell>) -> bool {
        lock(&self.mailbox)
            .queue
            .iter()
            .any(|env| Arc::ptr_eq(&env.reply, cell))
    }
}

/// The instances of a `@replicas(n)` actor behind one address.
pub(crate) struct ActorGroup {
    pub(crate) members: Vec<Arc<ActorCell>>,
    next: AtomicUsize,
}

impl ActorGroup {
    /// The member with the shortest mailbox, looking from a rotating start
    /// so equal ones take turns.
    fn pick(&self) -> &Arc<ActorCell> {
        let n = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        let mut best = start;
        let mut best_len = usize::MAX;
        for k in 0..n {
            let i = (start + k) % n;
            let len = self.members[i].queue_len();
            if len < best_len {
                best = i;
                best_len = len;
                if len == 0 {
                    break;
                }
            }
        }
        &self.members[best]
    }
}

/// The address handle of a single actor or a group.
pub(crate) fn address(label: &Arc<str>, inner: Arc<dyn std::any::Any + Send + Sync>) -> Handle {
    Handle {
        kind: HandleKind::Actor,
        label: Arc::clone(label),
        inner,
    }
}

/// The actor a send to `h` goes to; `None` when `h` is no actor's address.
pub(crate) fn target_of(h: &Handle) -> Option<Arc<ActorCell>> {
    let inner = Arc::clone(&h.inner);
    let inner = match inner.downcast::<ActorCell>() {
        Ok(cell) => return Some(cell),
        Err(other) => other,
    };
    inner
        .downcast::<ActorGroup>()
        .ok()
        .map(|g| Arc::clone(g.pick()))
}

/// Every actor behind `h` (for `stop`).
pub(crate) fn cells_of(h: &Handle) -> Vec<Arc<ActorCell>> {
    let inner = Arc::clone(&h.inner);
    let inner = match inner.downcast::<ActorCell>() {
        Ok(cell) => return vec![cell],
        Err(other) => other,
    };
    inner
        .downcast::<ActorGroup>()
        .map(|g| g.members.clone())
        .unwrap_or_default()
}

/// `actor.name(args)`: queues the message and returns the reply future.
pub(crate) fn send(vm: &mut Vm, cell: Arc<ActorCell>, name: &str, args: &Args) -> NResult<Value> {
    let decl = &cell.decl;
    let Some(index) = decl.handler_index(name) else {
        let message = format!("actor {} has no handler '{name}'", decl.name);
        return Err(vm.error(kinds::TYPE, message));
    };
    if !args.named.is_empty() {
        let message = format!(
            "{}.{name}() takes positional arguments only (messages carry no names)",
            decl.name
        );
        return Err(vm.type_error(message));
    }
    let reply = TaskCell::new(Arc::clone(&decl.reply_labels[index]));
    let env = Envelope {
        handler: index as u32,
        args: Message::export_all(&vm.heap, args.positional),
        reply: Arc::clone(&reply),
        sent: decl.latency_target.map(|_| Instant::now()),
    };
    stats::message_sent();
    if process::has_pending(vm) {
        process::add_pending(vm, Pending::Message(cell, env));
    } else if let Err(env) = cell.post(env) {
        process::add_pending(vm, Pending::Message(cell, env));
    }
    Ok(Value::Obj(vm.heap.alloc(Object::Handle(future_of(reply)))))
}

/// The closure that runs constructor `proto`.
pub(crate) fn constructor(vm: &mut Vm, proto: u32) -> Value {
    Value::Obj(vm.heap.alloc(Object::Closure(Closure {
        func: proto,
        cells: Box::new([]),
    })))
}

/// Runs a constructor (or `set_state`) to completion in `vm`: state
/// initialisers do not wait, so this needs no scheduler.
pub(crate) fn run_now(vm: &mut Vm, callee: Value, args: &[Value]) -> Result<Value, Value> {
    vm.set_budget(i64::MAX);
    let result = match vm.start(callee, args) {
        Ok(()) => match vm.run() {
            Halt::Finished(v) => Ok(v),
            Halt::Raised(e) => Err(e),
            Halt::Parked(_) | Halt::Yielded => Err(vm
                .error(
                    kinds::TYPE,
                    "an actor's state initialisers and a supervisor's children are made without waiting",
                )
                .0),
        },
        Err(e) => Err(e.0),
    };
    vm.set_budget(process::SLICE);
    result
}

/// Runs the constructor of `recipe` in `vm`: the new instance (rooted in
/// `vm`) and the constructor's result.
fn construct(vm: &mut Vm, recipe: &Recipe) -> Result<(Instance, Value), Value> {
    vm.truncate_roots(0);
    let args = recipe.args.import(&mut vm.heap);
    let ctor = constructor(vm, recipe.proto);
    let result = run_now(vm, ctor, &args)?;
    vm.push_root(result);
    match decl::instance_of(&vm.heap, result) {
        Some((instance, _)) => Ok((instance, result)),
        None => Err(vm
            .error(
                kinds::TYPE,
                "internal error: an actor constructor made no handlers",
            )
            .0),
    }
}

/// Keeps only what `instance` needs alive in `vm` (the constructor's maps
/// go) and gives back the register stack: an idle actor costs its state.
fn settle(vm: &mut Vm, instance: &Instance) {
    vm.truncate_roots(0);
    for &f in &instance.handlers {
        vm.push_root(f);
    }
    vm.push_root(instance.get_state);
    vm.push_root(instance.set_state);
    vm.release_stack();
    vm.collect_garbage();
}

/// `spawn Actor(args)` from `parent`: every instance constructed now (an
/// error in a constructor or a placement raises here), ready for [`start`].
pub(crate) fn spawn(
    host: &Arc<Shared>,
    parent: &mut Vm,
    proto: u32,
    args: &[Value],
    seed: Option<Arc<Mutex<Box<Vm>>>>,
    key_prefix: &str,
) -> NResult<(Handle, Vec<Arc<ActorCell>>, Vec<Driver>)> {
    let world = process::current_world(parent);
    let recipe_args = Message::export_all(&parent.heap, args);
    let mut cells = Vec::new();
    let mut drivers = Vec::new();
    let mut decl: Option<Arc<ActorDecl>> = None;
    let mut count = 1;
    let mut i = 0;
    while i < count {
        let mut vm = Box::new(Vm::new_process(parent));
        let task = host.actor_task();
        process::adopt(&mut vm, Arc::clone(&world), Arc::clone(&task));
        let recipe = Recipe {
            proto,
            args: recipe_args.clone(),
            world: Arc::clone(&world),
            seed: seed.clone(),
        };
        let (instance, result) = match construct(&mut vm, &recipe) {
            Ok(made) => made,
            Err(e) => {
                let error = Message::export(&vm.heap, e);
                return Err(Thrown(error.import_one(&mut parent.heap)));
            }
        };
        let d = match &decl {
            Some(d) => Arc::clone(d),
            None => {
                let d = host.decl_for(proto, &vm, result).map_err(|m| {
                    let kind = if m.starts_with("no node satisfies") {
                        kinds::PLACEMENT
                    } else {
                        kinds::VALUE
                    };
                    parent.error(kind, m)
                })?;
                count = d.replicas;
                decl = Some(Arc::clone(&d));
                d
            }
        };
        settle(&mut vm, &instance);
        let key = format!("{key_prefix}{}#{}", d.name, checkpoint::next_id());
        let cell = ActorCell::new(Arc::clone(&d), recipe, key);
        process::make_actor(&mut vm, Arc::clone(&cell));
        stats::process_spawned();
        cells.push(Arc::clone(&cell));
        drivers.push(Driver {
            cell,
            vm,
            instance,
            task,
            handled: 0,
            host: Arc::clone(host),
        });
        i += 1;
    }
    let Some(decl) = decl else {
        return Err(parent.type_error("internal error: no actor instance"));
    };
    let inner: Arc<dyn std::any::Any + Send + Sync> = if cells.len() == 1 {
        Arc::clone(&cells[0]) as _
    } else {
        Arc::new(ActorGroup {
            members: cells.clone(),
            next: AtomicUsize::new(0),
        })
    };
    Ok((address(&decl.address_label, inner), cells, drivers))
}

/// Hands actors made by [`spawn`] to the scheduler.
pub(crate) fn start(drivers: Vec<Driver>) {
    for driver in drivers {
        tokio::spawn(driver.run());
    }
}

/// Starts a new driver for a stopped supervised actor: a new process from
/// the supervisor's seed, constructed, restored from its checkpoint.
fn revive(cell: Arc<ActorCell>, host: Arc<Shared>) {
    tokio::spawn(async move {
        let Some(seed) = cell.recipe.seed.clone() else {
            cell.stop(StopKind::Supervisor);
            return;
        };
        let mut vm = Box::new(Vm::new_process(&lock(&seed)));
        let task = host.actor_task();
        process::adopt(&mut vm, Arc::clone(&cell.recipe.world), Arc::clone(&task));
        process::make_actor(&mut vm, Arc::clone(&cell));
        stats::process_spawned();
        let mut driver = Driver {
            cell,
            vm,
            instance: Instance {
                handlers: Vec::new(),
                get_state: Value::None,
                set_state: Value::None,
            },
            task,
            handled: 0,
            host,
        };
        if driver.rebuild().await {
            driver.run().await;
        }
    });
}

/// The running side of an actor.
pub(crate) struct Driver {
    cell: Arc<ActorCell>,
    vm: Box<Vm>,
    instance: Instance,
    task: Arc<TaskCell>,
    /// Handlers completed without error since the actor (re)started.
    handled: u64,
    host: Arc<Shared>,
}

impl Driver {
    async fn run(mut self) {
        let burst = self.cell.decl.qos.burst();
        let mut in_burst = 0;
        loop {
            match self.cell.next().await {
                Next::Message(env) => {
                    in_burst += 1;
                    if in_burst > burst {
                        in_burst = 1;
                        tokio::task::yield_now().await;
                    }
                    // Boxed: an idle actor keeps only the small waiting
                    // state, not the handler's (large) one.
                    Box::pin(self.handle(env)).await;
                }
                Next::Restart => {
                    if !Box::pin(self.rebuild()).await {
                        break;
                    }
                }
                Next::Stopped(kind) => {
                    if kind == StopKind::User
                        && let Some(link) = self.cell.link.get()
                    {
                        link.report(&self.host, &self.cell, Reason::Stopped);
                    }
                    break;
                }
            }
        }
        stats::process_ended(&self.vm);
    }

    async fn handle(&mut self, env: Envelope) {
        if let (Some(target), Some(sent)) = (self.cell.decl.latency_target, env.sent)
            && sent.elapsed() > target
        {
            stats::latency_missed();
        }
        let Some(&handler) = self.instance.handlers.get(env.handler as usize) else {
            let failure = Failure::new(kinds::TYPE, "internal error: no such handler");
            env.reply.complete(Err(failure));
            return;
        };
        let args = env.args.import(&mut self.vm.heap);
        self.vm.set_budget(process::SLICE);
        let outcome = match self.vm.start(handler, &args) {
            Ok(()) => drive(&mut self.vm, &self.task).await,
            Err(e) => Err(e.0),
        };
        let outcome = match outcome {
            Ok(v) => {
                let payload = Payload::of(&self.vm.heap, v);
                self.after_success().await.map(|()| payload)
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(payload) => env.reply.complete(Ok(payload)),
            Err(e) => {
                let failure = Failure::Raised(Message::export(&self.vm.heap, e));
                self.failed().await;
                env.reply.complete(Err(failure));
            }
        }
    }

    /// Counts a completed handler and saves a checkpoint when one is due.
    async fn after_success(&mut self) -> Result<(), Value> {
        self.handled += 1;
        let Some(every) = self.cell.decl.checkpoint_every else {
            return Ok(());
        };
        if !self.handled.is_multiple_of(every) {
            return Ok(());
        }
        let state = run_now(&mut self.vm, self.instance.get_state, &[])?;
        let bytes = match Message::export(&self.vm.heap, state).encode() {
            Ok(bytes) => bytes,
            Err(what) => {
                let message = format!(
                    "cannot checkpoint actor {}: its state holds {what}, and only data can be saved",
                    self.cell.decl.name
                );
                return Err(self.vm.error(kinds::TYPE, message).0);
            }
        };
        let store = self.host.checkpoints();
        let key = self.cell.checkpoint_key.clone();
        match tokio::task::spawn_blocking(move || store.save(&key, &bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(self.vm.error(kinds::VALUE, message).0),
            Err(_) => Err(self
                .vm
                .error(kinds::VALUE, "the checkpoint writer failed")
                .0),
        }
    }

    /// A handler raised: its supervisor applies its strategy before the
    /// caller hears of it. An unsupervised actor keeps its state.
    async fn failed(&mut self) {
        if let Some(link) = self.cell.link.get() {
            link.report(&self.host, &self.cell, Reason::Error);
            let restart = {
                let mut mb = lock(&self.cell.mailbox);
                std::mem::take(&mut mb.restart)
            };
            if restart {
                self.rebuild().await;
            }
        }
    }

    /// Fresh state from the constructor, then the last checkpoint. A
    /// constructor that raises counts as another failure; `false` when the
    /// actor is stopped for good.
    async fn rebuild(&mut self) -> bool {
        loop {
            let made = match construct(&mut self.vm, &self.cell.recipe) {
                Ok((instance, _)) => {
                    settle(&mut self.vm, &instance);
                    self.instance = instance;
                    self.handled = 0;
                    self.restore().await
                }
                Err(e) => Err(e),
            };
            match made {
                Ok(()) => return true,
                Err(e) => {
                    // Nobody awaits a restart, so its error is reported here.
                    let shown = noodle_vm::format::display_string(&self.vm.heap, e);
                    eprintln!(
                        "warning: restarting actor {} failed: {shown}",
                        self.cell.decl.name
                    );
                    stats::restart_failed();
                    let Some(link) = self.cell.link.get() else {
                        return false;
                    };
                    link.report(&self.host, &self.cell, Reason::Error);
                    let again = std::mem::take(&mut lock(&self.cell.mailbox).restart);
                    if !again {
                        return !self.cell.is_stopped();
                    }
                }
            }
        }
    }

    /// Restores the last checkpoint, if there is one.
    async fn restore(&mut self) -> Result<(), Value> {
        if self.cell.decl.checkpoint_every.is_none() {
            return Ok(());
        }
        let store = self.host.checkpoints();
        let key = self.cell.checkpoint_key.clone();
        let loaded = tokio::task::spawn_blocking(move || store.load(&key))
            .await
            .unwrap_or_else(|_| Err("the checkpoint reader failed".to_string()));
        let bytes = match loaded {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(()),
            Err(message) => return Err(self.vm.error(kinds::VALUE, message).0),
        };
        let state = match Message::decode(&bytes) {
            Ok(m) => m.import_one(&mut self.vm.heap),
            Err(message) => {
                let message = format!(
                    "the checkpoint of actor {} is damaged: {message}",
                    self.cell.decl.name
                );
                return Err(self.vm.error(kinds::VALUE, message).0);
            }
        };
        run_now(&mut self.vm, self.instance.set_state, &[state]).map(|_| ())
    }
}

/// `stop(a)` for an actor address.
pub(crate) fn stop_address(h: &Handle) -> bool {
    let cells = cells_of(h);
    for cell in &cells {
        cell.stop(StopKind::User);
    }
    !cells.is_empty()
}

/// Whether awaiting `h` from process `vm` can never finish: a reply to a
/// message still queued behind the handler that is running now.
pub(crate) fn awaits_itself(vm: &Vm, h: &Handle) -> bool {
    let Some(me) = process::actor_of(vm) else {
        return false;
    };
    let Ok(reply) = Arc::clone(&h.inner).downcast::<TaskCell>() else {
        return false;
    };
    me.holds_reply(&reply) || process::pending_holds(vm, &reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(capacity: Option<usize>) -> Arc<ActorCell> {
        let mut d = decl::parse("Probe", vec![Arc::from("m")], &[]).expect("parses");
        d.capacity = capacity;
        let heap = noodle_vm::Heap::new();
        let recipe = Recipe {
            proto: 0,
            args: Message::export_all(&heap, &[]),
            world: Arc::new(World::empty()),
            seed: None,
        };
        ActorCell::new(Arc::new(d), recipe, "Probe#0".into())
    }

    fn envelope(n: i64) -> Envelope {
        let heap = noodle_vm::Heap::new();
        Envelope {
            handler: 0,
            args: Message::export_all(&heap, &[Value::Int(n)]),
            reply: TaskCell::new(Arc::from("reply")),
            sent: None,
        }
    }

    fn first_arg(env: &Envelope) -> Value {
        let mut heap = noodle_vm::Heap::new();
        env.args.import(&mut heap)[0]
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(f)
    }

    #[test]
    fn messages_come_out_in_the_order_they_went_in() {
        let c = cell(None);
        for n in 0..5 {
            assert!(c.post(envelope(n)).is_ok());
        }
        block_on(async {
            for n in 0..5 {
                match c.next().await {
                    Next::Message(env) => {
                        assert!(matches!(first_arg(&env), Value::Int(k) if k == n))
                    }
                    _ => panic!("expected a message"),
                }
            }
        });
    }

    #[test]
    fn a_full_mailbox_hands_the_message_back() {
        let c = cell(Some(2));
        assert!(c.post(envelope(1)).is_ok());
        assert!(c.post(envelope(2)).is_ok());
        let back = c.post(envelope(3)).expect_err("full");
        assert!(matches!(first_arg(&back), Value::Int(3)));
        assert_eq!(c.queue_len(), 2);
    }

    #[test]
    fn stopping_fails_queued_and_later_messages() {
        let c = cell(None);
        let queued = envelope(1);
        let queued_reply = Arc::clone(&queued.reply);
        assert!(c.post(queued).is_ok());
        c.stop(StopKind::User);
        let later = envelope(2);
        let later_reply = Arc::clone(&later.reply);
        assert!(c.post(later).is_ok());
        assert!(matches!(later_reply.result(), Some(Err(_))));
        block_on(async {
            assert!(matches!(c.next().await, Next::Stopped(StopKind::User)));
        });
        match queued_reply.result() {
            Some(Err(Failure::New { kind, .. })) => assert_eq!(kind, kinds::ACTOR_STOPPED),
            other => panic!("queued reply: {other:?}"),
        }
        assert!(!lock(&c.mailbox).running);
    }

    #[test]
    fn a_restart_request_comes_before_the_next_message() {
        let c = cell(None);
        assert!(c.post(envelope(1)).is_ok());
        lock(&c.mailbox).restart = true;
        block_on(async {
            assert!(matches!(c.next().await, Next::Restart));
            assert!(matches!(c.next().await, Next::Message(_)));
        });
    }

    #[test]
    fn a_group_sends_to_the_shortest_mailbox() {
        let members = vec![cell(None), cell(None), cell(None)];
        assert!(members[0].post(envelope(0)).is_ok());
        assert!(members[1].post(envelope(0)).is_ok());
        let group = ActorGroup {
            members: members.clone(),
            next: AtomicUsize::new(0),
        };
        assert!(Arc::ptr_eq(group.pick(), &members[2]));
        // Equal mailboxes take turns.
        assert!(members[2].post(envelope(0)).is_ok());
        let a = Arc::clone(group.pick());
        let b = Arc::clone(group.pick());
        assert!(!Arc::ptr_eq(&a, &b));
    }
}
