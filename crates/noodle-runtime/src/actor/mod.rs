//! Actors: processes that handle one message at a time from a mailbox.
//!
//! An [`ActorCell`] is the address: the mailbox and the actor's life state.
//! It outlives restarts, so an address never changes. A [`Driver`] owns the
//! process (its VM, with the state in the cells of the handler closures);
//! an idle actor's driver waits in its mailbox, and a send activates it
//! (see [`driver`]).
//!
//! A send copies the arguments, puts the message in the mailbox at once
//! and returns the reply future: a task cell the driver completes with the
//! handler's value or error. One mailbox queue in sending order gives each
//! sender's messages in order. A bounded mailbox that is full makes the
//! sender wait: the message goes to the sender's pending list and the
//! sender yields at its next call, where the driver delivers it before the
//! process runs on.

mod driver;

pub(crate) use driver::{
    Awake, Driver, call_now, run as run_driver, run_inline, spawn as spawn_driver, spawn_awake,
};
use driver::{Frozen, thaw};

use std::collections::VecDeque;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use noodle_vm::error::kinds;
use noodle_vm::object::{Closure, Handle, HandleKind};
use noodle_vm::transfer::Message;
use noodle_vm::{Args, Halt, NResult, Object, Thrown, Value, Vm};
use spin::mutex::SpinMutex;
use spin::relax::Yield;
use tokio::sync::Notify;

use crate::checkpoint;
use crate::decl::{self, ActorDecl, Instance};
use crate::host::Shared;
use crate::process::{self, Pending, World};
use crate::stats;
use crate::supervisor::Link;
use crate::task::{Failure, Outcome, TaskCell};
use crate::wait::future_of;

/// One message: which handler, its arguments, where the reply goes.
pub(crate) struct Envelope {
    handler: u32,
    args: Carried,
    /// `None` for a send whose reply nobody can read (a statement).
    pub(crate) reply: Option<Arc<TaskCell>>,
    /// When it was sent, for actors with a latency target.
    sent: Option<Instant>,
}

impl Envelope {
    /// Completes the reply, if the sender kept one.
    pub(crate) fn answer(&self, outcome: Outcome) {
        if let Some(reply) = &self.reply {
            reply.complete(outcome);
        }
    }

    /// Whether `cell` is this message's reply.
    pub(crate) fn replies_to(&self, cell: &Arc<TaskCell>) -> bool {
        self.reply.as_ref().is_some_and(|r| Arc::ptr_eq(r, cell))
    }
}

/// A message's arguments on their way to the actor's process.
enum Carried {
    /// Up to three values with no object behind them (ints, floats,
    /// bools...): carried as they are, with no copy to make.
    Scalars(Few),
    Copied(Message),
}

/// Up to three values, without an allocation.
#[derive(Clone, Copy)]
struct Few([Value; 3], u8);

impl Few {
    fn of(values: &[Value]) -> Option<Few> {
        let mut few = [Value::None; 3];
        few.get_mut(..values.len())?.copy_from_slice(values);
        Some(Few(few, values.len() as u8))
    }
}

/// Arguments in the receiving heap.
enum Imported {
    Few(Few),
    Many(Vec<Value>),
}

impl Imported {
    fn values(&self) -> &[Value] {
        match self {
            Imported::Few(Few(values, n)) => &values[..*n as usize],
            Imported::Many(values) => values,
        }
    }
}

impl Carried {
    fn of(heap: &noodle_vm::Heap, args: &[Value]) -> Carried {
        match Few::of(args) {
            Some(few) if args.iter().all(|v| !matches!(v, Value::Obj(_))) => Carried::Scalars(few),
            _ => Carried::Copied(Message::export_all(heap, args)),
        }
    }

    /// The arguments as values of `heap`.
    fn import(&self, heap: &mut noodle_vm::Heap) -> Imported {
        match self {
            Carried::Scalars(few) => Imported::Few(*few),
            Carried::Copied(m) => {
                let values = m.import(heap);
                match Few::of(&values) {
                    Some(few) => Imported::Few(few),
                    None => Imported::Many(values),
                }
            }
        }
    }
}

/// Why a mailbox stopped taking messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopKind {
    /// `stop(a)`: a supervisor may restart a permanent actor.
    User,
    /// Its supervisor stopped it: nothing to report back.
    Supervisor,
}

/// Where an actor's driver is.
enum Slot {
    /// Waiting in the mailbox for a message: the actor has no task.
    Idle(Box<Driver>),
    /// Waiting for its first message, as data, with no process at all.
    Frozen(Box<Frozen>),
    /// Taken by an activation (running, or deferred by a sender).
    Active,
    /// Gone: the actor stopped (a supervisor may revive it).
    Ended,
}

struct Mailbox {
    queue: VecDeque<Envelope>,
    stop: Option<StopKind>,
    /// Its supervisor asked for a restart before the next message.
    restart: bool,
    driver: Slot,
}

/// An idle actor taken out of its mailbox to be activated.
enum Woken {
    Live(Box<Driver>),
    Frozen(Box<Frozen>),
}

impl Mailbox {
    /// Takes an idle driver out to be activated.
    fn wake(&mut self) -> Option<Woken> {
        match std::mem::replace(&mut self.driver, Slot::Active) {
            Slot::Idle(d) => Some(Woken::Live(d)),
            Slot::Frozen(f) => Some(Woken::Frozen(f)),
            other => {
                self.driver = other;
                None
            }
        }
    }
}

/// How to make an actor's state again: its constructor, the arguments it
/// was spawned with, the globals it started from.
pub(crate) struct Recipe {
    pub(crate) proto: u32,
    /// Only a supervised actor is ever constructed again.
    pub(crate) args: Option<Message>,
    pub(crate) world: Arc<World>,
    /// A process of the program that new processes are forked from when a
    /// stopped actor is revived (only supervised actors are).
    pub(crate) seed: Option<Arc<Mutex<Box<Vm>>>>,
}

/// An actor's address.
pub(crate) struct ActorCell {
    pub(crate) decl: Arc<ActorDecl>,
    mailbox: SpinMutex<Mailbox, Yield>,
    /// Whether a stop or a restart is asked for (`Mailbox::stop` or
    /// `Mailbox::restart`), readable without the lock: a message that came
    /// with a woken driver checks it before it runs.
    attention: AtomicBool,
    /// Room in a bounded mailbox.
    space: Notify,
    pub(crate) recipe: Recipe,
    /// Its supervisor, when it has one.
    pub(crate) link: OnceLock<Link>,
    /// The checkpoint row of this actor (with `@checkpoint`).
    pub(crate) checkpoint_key: Option<String>,
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
    fn new(decl: Arc<ActorDecl>, recipe: Recipe, checkpoint_key: Option<String>) -> Arc<ActorCell> {
        Arc::new(ActorCell {
            decl,
            mailbox: SpinMutex::new(Mailbox {
                queue: VecDeque::new(),
                stop: None,
                restart: false,
                driver: Slot::Active,
            }),
            attention: AtomicBool::new(false),
            space: Notify::new(),
            recipe,
            link: OnceLock::new(),
            checkpoint_key,
        })
    }

    /// Queues `env`, or hands it back when a bounded mailbox is full. A
    /// stopped actor fails the reply at once. An idle actor's driver comes
    /// back, for the caller to activate, carrying `env` when nothing else
    /// was queued: the activation then handles it without taking the lock
    /// again to fetch it.
    fn post(self: &Arc<Self>, env: Envelope) -> Result<Option<Box<Driver>>, Envelope> {
        let mut mb = self.mailbox.lock();
        if mb.stop.is_some() {
            drop(mb);
            env.answer(Err(stopped_failure(&self.decl)));
            return Ok(None);
        }
        if mb.queue.is_empty()
            && !mb.restart
            && let Some(woken) = mb.wake()
        {
            drop(mb);
            let mut driver = self.ready(Some(woken));
            if let Some(d) = &mut driver {
                d.carried = Some(env);
            }
            return Ok(driver);
        }
        if let Some(capacity) = self.decl.capacity
            && mb.queue.len() >= capacity
        {
            return Err(env);
        }
        mb.queue.push_back(env);
        let woken = mb.wake();
        drop(mb);
        Ok(self.ready(woken))
    }

    /// A woken actor's driver, its process made again if it was frozen.
    fn ready(self: &Arc<Self>, woken: Option<Woken>) -> Option<Box<Driver>> {
        match woken? {
            Woken::Live(d) => Some(d),
            Woken::Frozen(f) => Some(thaw(self, *f)),
        }
    }

    /// Queues `env` even past the capacity (for a sender that cannot wait).
    pub(crate) fn post_over(self: &Arc<Self>, env: Envelope) {
        let mut mb = self.mailbox.lock();
        if mb.stop.is_some() {
            drop(mb);
            env.answer(Err(stopped_failure(&self.decl)));
            return;
        }
        mb.queue.push_back(env);
        let woken = mb.wake();
        drop(mb);
        if let Some(d) = self.ready(woken) {
            spawn_driver(d);
        }
    }

    /// Queues `env`, waiting while the mailbox is full.
    pub(crate) async fn post_waiting(self: &Arc<Self>, mut env: Envelope) {
        loop {
            let mut room = pin!(self.space.notified());
            room.as_mut().enable();
            match self.post(env) {
                Ok(woken) => {
                    if let Some(d) = woken {
                        spawn_driver(d);
                    }
                    return;
                }
                Err(back) => env = back,
            }
            room.await;
        }
    }

    /// Whether a stop or restart may be waiting (see `attention`).
    fn wants_attention(&self) -> bool {
        self.attention.load(Ordering::Acquire)
    }

    /// Updates `attention` after `mb` changed (under its lock).
    fn note_attention(&self, mb: &Mailbox) {
        let wanted = mb.stop.is_some() || mb.restart;
        self.attention.store(wanted, Ordering::Release);
    }

    /// Puts a message that came with a woken driver back at the head of
    /// the queue, where it would have been.
    fn put_back(&self, env: Envelope) {
        self.mailbox.lock().queue.push_front(env);
    }

    /// The driver of an idle actor with nothing queued (not frozen, not
    /// stopping), taken out of the mailbox as an activation would take it.
    fn take_idle(&self) -> Option<Box<Driver>> {
        let mut mb = self.mailbox.lock();
        if !mb.queue.is_empty() || mb.stop.is_some() || mb.restart {
            return None;
        }
        match std::mem::replace(&mut mb.driver, Slot::Active) {
            Slot::Idle(d) => Some(d),
            other => {
                mb.driver = other;
                None
            }
        }
    }

    /// What `driver` does next, or `None` when the mailbox is empty: the
    /// driver then waits in it until a message arrives.
    fn next(&self, driver: Box<Driver>) -> Option<(Box<Driver>, Next)> {
        let mut mb = self.mailbox.lock();
        if mb.restart {
            mb.restart = false;
            self.note_attention(&mb);
            return Some((driver, Next::Restart));
        }
        if let Some(kind) = mb.stop {
            mb.driver = Slot::Ended;
            let queued = std::mem::take(&mut mb.queue);
            drop(mb);
            for env in queued {
                env.answer(Err(stopped_failure(&self.decl)));
            }
            self.space.notify_waiters();
            return Some((driver, Next::Stopped(kind)));
        }
        match mb.queue.pop_front() {
            Some(env) => {
                drop(mb);
                if self.decl.capacity.is_some() {
                    self.space.notify_one();
                }
                Some((driver, Next::Message(env)))
            }
            None => {
                let mut driver = driver;
                driver.vm.release_stack();
                mb.driver = Slot::Idle(driver);
                None
            }
        }
    }

    /// Puts `driver` back to wait for messages, or hands it back when
    /// there is something to do.
    fn park(&self, driver: Box<Driver>) -> Option<Box<Driver>> {
        let mut mb = self.mailbox.lock();
        if mb.queue.is_empty() && mb.stop.is_none() && !mb.restart {
            let mut driver = driver;
            driver.vm.release_stack();
            mb.driver = Slot::Idle(driver);
            None
        } else {
            Some(driver)
        }
    }

    /// Puts a driver that has handled nothing yet to wait for its first
    /// message, frozen when it can be; hands it back when there is
    /// something to do already.
    fn park_new(self: &Arc<Self>, driver: Box<Driver>) -> Option<Box<Driver>> {
        let slot = match driver::freeze(driver) {
            Ok(frozen) => Slot::Frozen(frozen),
            Err(live) => Slot::Idle(live),
        };
        let mut mb = self.mailbox.lock();
        if mb.queue.is_empty() && mb.stop.is_none() && !mb.restart {
            mb.driver = slot;
            return None;
        }
        drop(mb);
        match slot {
            Slot::Idle(d) => Some(d),
            Slot::Frozen(f) => Some(thaw(self, *f)),
            Slot::Active | Slot::Ended => None,
        }
    }

    /// Marks the actor as having no driver (it stopped for good, until a
    /// supervisor revives it).
    fn end(&self) {
        // Whatever was there is dropped after the lock is released.
        let _old = std::mem::replace(&mut self.mailbox.lock().driver, Slot::Ended);
    }

    /// Takes a restart its supervisor asked for.
    fn take_restart(&self) -> bool {
        let mut mb = self.mailbox.lock();
        let restart = std::mem::take(&mut mb.restart);
        self.note_attention(&mb);
        restart
    }

    /// Stops the actor after its current message; queued and new
    /// messages fail with `ActorStopped`.
    pub(crate) fn stop(self: &Arc<Self>, kind: StopKind) {
        let mut mb = self.mailbox.lock();
        if mb.stop.is_none() {
            mb.stop = Some(kind);
        }
        mb.restart = false;
        self.note_attention(&mb);
        let woken = mb.wake();
        drop(mb);
        if let Some(d) = self.ready(woken) {
            spawn_driver(d);
        }
        self.space.notify_waiters();
    }

    /// Asks for a restart before the next message. A stopped actor whose
    /// driver has ended is revived by a new driver.
    pub(crate) fn restart(self: &Arc<Self>, host: &Arc<Shared>) {
        let mut mb = self.mailbox.lock();
        mb.stop = None;
        if matches!(mb.driver, Slot::Ended) {
            mb.driver = Slot::Active;
            self.note_attention(&mb);
            drop(mb);
            driver::revive(Arc::clone(self), Arc::clone(host));
        } else {
            mb.restart = true;
            self.note_attention(&mb);
            let woken = mb.wake();
            drop(mb);
            if let Some(d) = self.ready(woken) {
                spawn_driver(d);
            }
        }
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.mailbox.lock().stop.is_some()
    }

    fn queue_len(&self) -> usize {
        self.mailbox.lock().queue.len()
    }

    /// Whether the reply `cell` belongs to a message still in this mailbox.
    pub(crate) fn holds_reply(&self, cell: &Arc<TaskCell>) -> bool {
        self.mailbox
            .lock()
            .queue
            .iter()
            .any(|env| env.replies_to(cell))
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
    cell_of(Arc::clone(&h.inner))
}

/// The actor a send to `target` (an actor handle's target) goes to,
/// without counting another reference to it; `None` for a supervisor.
pub(crate) fn cell_of(target: Arc<dyn std::any::Any + Send + Sync>) -> Option<Arc<ActorCell>> {
    match target.downcast::<ActorCell>() {
        Ok(cell) => Some(cell),
        Err(target) => target
            .downcast::<ActorGroup>()
            .ok()
            .map(|group| Arc::clone(group.pick())),
    }
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
    let reply = post_message(vm, cell, name, args, true)?;
    let reply = reply.expect("a reply was asked for");
    Ok(Value::Obj(vm.heap.alloc(Object::Handle(future_of(reply)))))
}

/// `actor.name(args)` as a statement: queues the message with no reply.
pub(crate) fn tell(vm: &mut Vm, cell: Arc<ActorCell>, name: &str, args: &Args) -> NResult<()> {
    post_message(vm, cell, name, args, false).map(drop)
}

/// Queues a message for handler `name`, with a reply cell if `replies`.
fn post_message(
    vm: &mut Vm,
    cell: Arc<ActorCell>,
    name: &str,
    args: &Args,
    replies: bool,
) -> NResult<Option<Arc<TaskCell>>> {
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
    let reply = replies.then(|| TaskCell::new(Arc::clone(&decl.reply_labels[index])));
    let env = Envelope {
        handler: index as u32,
        args: Carried::of(&vm.heap, args.positional),
        reply: reply.clone(),
        sent: decl.latency_target.map(|_| Instant::now()),
    };
    stats::message_sent();
    if process::has_pending(vm) {
        process::add_pending(vm, Pending::Message(cell, env));
    } else {
        match cell.post(env) {
            // The count taken to reach the actor goes on with it.
            Ok(Some(driver)) => process::defer(vm, Awake { cell, driver }),
            Ok(None) => {}
            Err(env) => process::add_pending(vm, Pending::Message(cell, env)),
        }
    }
    Ok(reply)
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
    // Nothing here parks, so an actor it woke would wait for the next
    // halt of this process, which may be idle by then.
    process::spawn_deferred(vm);
    result
}

/// Runs constructor `proto` with `args` in `vm`: the new instance (rooted
/// in `vm`) and the constructor's result.
fn construct(vm: &mut Vm, proto: u32, args: &Message) -> Result<(Instance, Value), Value> {
    vm.truncate_roots(0);
    let args = args.import(&mut vm.heap);
    let ctor = constructor(vm, proto);
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
    root_instance(vm, instance);
    vm.release_stack();
    vm.collect_garbage();
}

/// Makes `instance` the only roots of `vm` besides its globals.
fn root_instance(vm: &mut Vm, instance: &Instance) {
    vm.truncate_roots(0);
    for &f in &instance.handlers {
        vm.push_root(f);
    }
    vm.push_root(instance.get_state);
    vm.push_root(instance.set_state);
}

/// A new actor: its address, its instances (one per replica) and their
/// drivers, ready for [`start`].
pub(crate) type Spawned = (Handle, Vec<Arc<ActorCell>>, Vec<Box<Driver>>);

/// `spawn Actor(args)` from `parent`: every instance constructed now (an
/// error in a constructor or a placement raises here), ready for [`start`].
pub(crate) fn spawn(
    host: &Arc<Shared>,
    parent: &mut Vm,
    proto: u32,
    args: &[Value],
    seed: Option<Arc<Mutex<Box<Vm>>>>,
    key_prefix: &str,
) -> NResult<Spawned> {
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
            args: seed.is_some().then(|| recipe_args.clone()),
            world: Arc::clone(&world),
            seed: seed.clone(),
        };
        let (instance, result) = match construct(&mut vm, proto, &recipe_args) {
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
        let key = d
            .checkpoint_every
            .map(|_| format!("{key_prefix}{}#{}", d.name, checkpoint::next_id()));
        let cell = ActorCell::new(Arc::clone(&d), recipe, key);
        process::make_actor(&mut vm, Arc::clone(&cell));
        stats::process_spawned();
        cells.push(Arc::clone(&cell));
        drivers.push(Box::new(Driver {
            cell,
            vm,
            instance,
            task,
            handled: 0,
            host: Arc::clone(host),
            carried: None,
        }));
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

/// Lets actors made by [`spawn`] take messages: each waits in its mailbox,
/// with no task until a message comes.
// Boxed: each driver moves on into its mailbox as it is.
#[allow(clippy::vec_box)]
pub(crate) fn start(drivers: Vec<Box<Driver>>) {
    for driver in drivers {
        let cell = Arc::clone(&driver.cell);
        if let Some(d) = cell.park_new(driver) {
            spawn_driver(d);
        }
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
            args: Some(Message::export_all(&heap, &[])),
            world: Arc::new(World::empty()),
            seed: None,
        };
        ActorCell::new(Arc::new(d), recipe, None)
    }

    fn envelope(n: i64) -> Envelope {
        let heap = noodle_vm::Heap::new();
        Envelope {
            handler: 0,
            args: Carried::of(&heap, &[Value::Int(n)]),
            reply: Some(TaskCell::new(Arc::from("reply"))),
            sent: None,
        }
    }

    fn first_arg(env: &Envelope) -> Value {
        let mut heap = noodle_vm::Heap::new();
        env.args.import(&mut heap).values()[0]
    }

    /// A driver for `c` with an empty process.
    fn driver(c: &Arc<ActorCell>) -> Box<Driver> {
        Box::new(Driver {
            cell: Arc::clone(c),
            vm: Box::new(Vm::new(noodle_vm::VmOptions::default())),
            instance: Instance {
                handlers: Vec::new(),
                get_state: Value::None,
                set_state: Value::None,
            },
            task: TaskCell::new(Arc::from("probe")),
            handled: 0,
            host: Arc::new(Shared::new(1, None)),
            carried: None,
        })
    }

    /// Takes the next thing to do, for a driver that is running.
    fn take(c: &Arc<ActorCell>) -> Option<Next> {
        c.next(driver(c)).map(|(_, next)| next)
    }

    #[test]
    fn messages_come_out_in_the_order_they_went_in() {
        let c = cell(None);
        for n in 0..5 {
            assert!(matches!(c.post(envelope(n)), Ok(None)));
        }
        for n in 0..5 {
            match take(&c) {
                Some(Next::Message(env)) => {
                    assert!(matches!(first_arg(&env), Value::Int(k) if k == n))
                }
                _ => panic!("expected a message"),
            }
        }
    }

    #[test]
    fn an_idle_actor_is_handed_to_the_first_sender() {
        let c = cell(None);
        assert!(take(&c).is_none(), "an empty mailbox keeps the driver");
        assert!(matches!(c.mailbox.lock().driver, Slot::Idle(_)));
        let Ok(Some(woken)) = c.post(envelope(1)) else {
            panic!("the idle driver was not handed over")
        };
        // Nothing else was queued, so the message comes with the driver.
        let carried = woken.carried.as_ref().expect("the message comes along");
        assert!(matches!(first_arg(carried), Value::Int(1)));
        assert_eq!(c.queue_len(), 0);
        // Until the driver is back, later sends just queue.
        assert!(matches!(c.post(envelope(2)), Ok(None)));
        assert_eq!(c.queue_len(), 1);
    }

    #[test]
    fn a_restart_asked_for_sends_the_waking_message_through_the_queue() {
        let c = cell(None);
        assert!(take(&c).is_none());
        c.mailbox.lock().restart = true;
        let Ok(Some(woken)) = c.post(envelope(1)) else {
            panic!("the idle driver was not handed over")
        };
        assert!(woken.carried.is_none(), "the restart comes first");
        assert_eq!(c.queue_len(), 1);
    }

    #[test]
    fn a_carried_message_goes_back_when_a_stop_comes_first() {
        let c = cell(None);
        assert!(take(&c).is_none());
        let Ok(Some(woken)) = c.post(envelope(1)) else {
            panic!("the idle driver was not handed over")
        };
        let reply = woken.carried.as_ref().and_then(|e| e.reply.clone());
        let reply = reply.expect("a reply");
        assert!(!c.wants_attention());
        c.stop(StopKind::User);
        assert!(c.wants_attention());
        // The activation finds the stop before the message, which fails
        // as a queued one does.
        let next = driver::next_of(&c, woken);
        assert!(matches!(next, Some((_, Next::Stopped(StopKind::User)))));
        match reply.result() {
            Some(Err(Failure::New { kind, .. })) => assert_eq!(kind, kinds::ACTOR_STOPPED),
            other => panic!("carried reply: {other:?}"),
        }
    }

    #[test]
    fn a_driver_parks_only_with_nothing_to_do() {
        let c = cell(None);
        assert!(matches!(c.post(envelope(1)), Ok(None)));
        assert!(c.park(driver(&c)).is_some(), "a message is waiting");
        let _ = take(&c);
        assert!(c.park(driver(&c)).is_none());
        c.mailbox.lock().driver = Slot::Active;
        c.mailbox.lock().restart = true;
        assert!(c.park(driver(&c)).is_some(), "a restart is waiting");
    }

    #[test]
    fn a_full_mailbox_hands_the_message_back() {
        let c = cell(Some(2));
        assert!(c.post(envelope(1)).is_ok());
        assert!(c.post(envelope(2)).is_ok());
        let Err(back) = c.post(envelope(3)) else {
            panic!("a full mailbox took a message")
        };
        assert!(matches!(first_arg(&back), Value::Int(3)));
        assert_eq!(c.queue_len(), 2);
    }

    #[test]
    fn stopping_fails_queued_and_later_messages() {
        let c = cell(None);
        let queued = envelope(1);
        let queued_reply = queued.reply.clone().expect("a reply");
        assert!(c.post(queued).is_ok());
        c.stop(StopKind::User);
        let later = envelope(2);
        let later_reply = later.reply.clone().expect("a reply");
        assert!(c.post(later).is_ok());
        assert!(matches!(later_reply.result(), Some(Err(_))));
        assert!(matches!(take(&c), Some(Next::Stopped(StopKind::User))));
        match queued_reply.result() {
            Some(Err(Failure::New { kind, .. })) => assert_eq!(kind, kinds::ACTOR_STOPPED),
            other => panic!("queued reply: {other:?}"),
        }
        assert!(matches!(c.mailbox.lock().driver, Slot::Ended));
    }

    #[test]
    fn a_message_without_a_reply_keeps_its_place() {
        let c = cell(None);
        let told = Envelope {
            reply: None,
            ..envelope(1)
        };
        let asked = envelope(2);
        let asked_reply = asked.reply.clone().expect("a reply");
        assert!(c.post(told).is_ok());
        assert!(c.post(asked).is_ok());
        assert!(!c.holds_reply(&TaskCell::new(Arc::from("other"))));
        assert!(c.holds_reply(&asked_reply));
        match take(&c) {
            Some(Next::Message(env)) => {
                assert!(env.reply.is_none());
                assert!(matches!(first_arg(&env), Value::Int(1)));
                // Answering it is a no-op, not a panic.
                env.answer(Ok(crate::task::Payload::None));
            }
            _ => panic!("the first message comes first"),
        }
        c.stop(StopKind::User);
        assert!(matches!(take(&c), Some(Next::Stopped(StopKind::User))));
        assert!(matches!(asked_reply.result(), Some(Err(_))));
    }

    #[test]
    fn a_restart_request_comes_before_the_next_message() {
        let c = cell(None);
        assert!(c.post(envelope(1)).is_ok());
        c.mailbox.lock().restart = true;
        assert!(matches!(take(&c), Some(Next::Restart)));
        assert!(matches!(take(&c), Some(Next::Message(_))));
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
