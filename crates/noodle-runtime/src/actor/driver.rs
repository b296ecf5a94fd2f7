//! The running side of an actor. An actor has no task of its own while it
//! is idle: its [`Driver`] (the process and its handlers) waits in the
//! mailbox, and a send that finds it there takes it out and *activates*
//! it. An activation handles messages until the mailbox is empty, then
//! puts the driver back.
//!
//! Who runs an activation decides how fast messages go:
//! - a send defers the activation to the sender's next halt
//!   ([`process::defer`]); a sender that then awaits that very reply runs
//!   the receiver's handler itself, on its own thread, with no scheduler
//!   round trip (a direct hand-off);
//! - an activation that woke another actor and then found its own mailbox
//!   empty goes on with the other actor in the same task (a ring of actors
//!   passing a token runs as one task);
//! - anything else becomes a task of its own.

use std::cell::Cell;
use std::sync::Arc;

use noodle_vm::error::kinds;
use noodle_vm::transfer::Message;
use noodle_vm::{Args, CallNow, Halt, NResult, Object, Thrown, Value, Vm};

use super::{
    ActorCell, Carried, Envelope, Next, StopKind, construct, root_instance, run_now, settle,
};
use crate::decl::Instance;
use crate::host::Shared;
use crate::process::{self, drive_from};
use crate::stats;
use crate::supervisor::Reason;
use crate::task::{Failure, Outcome, Payload, TaskCell, lock};

/// An actor's process and what it needs to handle messages.
pub(crate) struct Driver {
    pub(crate) cell: Arc<ActorCell>,
    pub(crate) vm: Box<Vm>,
    pub(crate) instance: Instance,
    pub(crate) task: Arc<TaskCell>,
    /// Handlers completed without error since the actor (re)started.
    pub(crate) handled: u64,
    pub(crate) host: Arc<Shared>,
    /// The message whose send woke the actor when nothing else was queued:
    /// it comes with the driver instead of through the mailbox, and is
    /// handled before anything there.
    pub(crate) carried: Option<Envelope>,
}

/// A driver out of its mailbox, with a count of its cell of its own: what
/// an activation holds the mailbox by while the driver waits in it (the
/// driver's own count goes in with it). A send that wakes an actor hands
/// over the count it took to reach it, so a token passed around a ring
/// updates counts twice per hop (that count, taken and then dropped when
/// the actor parks) rather than four times.
pub(crate) struct Awake {
    pub(crate) cell: Arc<ActorCell>,
    pub(crate) driver: Box<Driver>,
}

impl Awake {
    pub(crate) fn new(driver: Box<Driver>) -> Awake {
        Awake {
            cell: Arc::clone(&driver.cell),
            driver,
        }
    }

    /// Whether `reply` answers a message this actor has yet to handle.
    pub(crate) fn holds_reply(&self, reply: &Arc<TaskCell>) -> bool {
        let carried = &self.driver.carried;
        carried.as_ref().is_some_and(|env| env.replies_to(reply)) || self.cell.holds_reply(reply)
    }
}

/// What `driver` does next, or `None` when it went back into its empty
/// mailbox: the message that came with it first, then the mailbox's
/// next thing. That message goes back to the head of the mailbox when a
/// stop or restart was asked for meanwhile, since those come first, as
/// they would have for a queued message.
pub(super) fn next_of(cell: &ActorCell, mut driver: Box<Driver>) -> Option<(Box<Driver>, Next)> {
    if let Some(env) = driver.carried.take() {
        if !cell.wants_attention() {
            return Some((driver, Next::Message(env)));
        }
        cell.put_back(env);
    }
    cell.next(driver)
}

/// Handing a driver to the scheduler: the actor runs as a task of its own.
pub(crate) fn spawn(driver: Box<Driver>) {
    spawn_awake(Awake::new(driver));
}

/// [`spawn`] for a driver that comes with its count.
pub(crate) fn spawn_awake(awake: Awake) {
    tokio::spawn(activate(awake, None));
}

/// Runs an actor on the calling task.
pub(crate) async fn run(awake: Awake) {
    activate(awake, None).await;
}

/// Runs `driver` here, without a task, until the reply `until` is
/// complete (the caller is about to wait for it). A handler that has to
/// wait goes on as a task of its own, and so does the rest of the mailbox.
pub(crate) fn run_inline(awake: Awake, until: Arc<TaskCell>) {
    let Awake { cell, mut driver } = awake;
    loop {
        let Some((back, next)) = next_of(&cell, driver) else {
            return;
        };
        driver = back;
        let Next::Message(env) = next else {
            tokio::spawn(activate(Awake { cell, driver }, Some(next)));
            return;
        };
        if let Some(rest) = driver.handle_now(env) {
            tokio::spawn(async move {
                Box::pin(driver.finish(rest)).await;
                activate(Awake { cell, driver }, None).await;
            });
            return;
        }
        if let Some(woken) = process::take_deferred(&mut driver.vm) {
            spawn_awake(woken);
        }
        if until.is_done() {
            if let Some(driver) = cell.park(driver) {
                spawn_awake(Awake { cell, driver });
            }
            return;
        }
    }
}

/// How many handlers [`call_now`] runs nested on one thread at most (each
/// holds the Rust frames of the interpreter that called it).
const MAX_NESTED_CALLS: u32 = 8;

thread_local! {
    static NESTED_CALLS: Cell<u32> = const { Cell::new(0) };
}

/// `await actor.name(args)` without a message, when the actor is idle with
/// an empty mailbox: the sender runs the handler itself, here, and gets
/// its answer at once, with no reply future or mailbox in between. This
/// is the order a message would have been handled in (nothing was queued
/// before it) and the thread a direct hand-off would have run it on. A
/// handler that has to wait goes on as a task of its own, and the sender
/// awaits its reply as usual.
pub(crate) fn call_now(vm: &mut Vm, cell: &ActorCell, name: &str, args: &Args) -> NResult<CallNow> {
    let decl = &cell.decl;
    let Some(index) = decl.handler_index(name) else {
        return Ok(CallNow::NotNow);
    };
    // Sends waiting for room go first; latency targets time the mailbox;
    // a cancelled task gets its `CancelledError` from the await.
    if !args.named.is_empty()
        || process::has_pending(vm)
        || decl.latency_target.is_some()
        || process::data(vm).is_some_and(|d| d.task.is_cancelled())
    {
        return Ok(CallNow::NotNow);
    }
    let depth = NESTED_CALLS.with(Cell::get);
    if depth >= MAX_NESTED_CALLS {
        return Ok(CallNow::NotNow);
    }
    let Some(mut driver) = cell.take_idle() else {
        return Ok(CallNow::NotNow);
    };
    stats::message_sent();
    let carried = Carried::of(&vm.heap, args.positional);
    NESTED_CALLS.with(|n| n.set(depth + 1));
    let ran = driver.run_handler(index as u32, &carried);
    NESTED_CALLS.with(|n| n.set(depth));
    match ran {
        Ok(ended) => {
            // Copied out before the driver is back where others can take it.
            let answer = match driver.outcome(ended) {
                Ok(payload) => Ok(CallNow::Value(payload.into_value(&mut vm.heap))),
                Err(failure) => Err(Thrown(failure.into_value(&mut vm.heap))),
            };
            if let Some(woken) = process::take_deferred(&mut driver.vm) {
                spawn_awake(woken);
            }
            if let Some(d) = cell.park(driver) {
                spawn(d);
            }
            answer
        }
        Err(halt) => {
            let reply = TaskCell::new(Arc::clone(&decl.reply_labels[index]));
            let rest = Suspended {
                halt,
                reply: Some(Arc::clone(&reply)),
            };
            tokio::spawn(async move {
                Box::pin(driver.finish(rest)).await;
                activate(Awake::new(driver), None).await;
            });
            let future = Object::Handle(crate::wait::future_of(reply));
            Ok(CallNow::Later(Value::Obj(vm.heap.alloc(future))))
        }
    }
}

/// What a message counts for in an activation's share (`Qos::share`)
/// besides its handler's calls and back-edges: a normal actor handles at
/// most a thousand tiny messages in a row. Yielding after a few dozen
/// woke an idle worker to steal the activation every few microseconds,
/// moving a token ring from core to core.
const MESSAGE_UNITS: i64 = 10;

/// Whether any task but the running one is alive on the scheduler. When
/// none is, yielding can let nothing else run, and on several workers it
/// would only wake an idle one to steal the activation. (The main
/// program runs on a thread of its own, not as one of these tasks.)
fn others_alive() -> bool {
    tokio::runtime::Handle::try_current().is_ok_and(|h| h.metrics().num_alive_tasks() > 1)
}

/// Handles messages until the mailbox is empty (`first` is one already
/// taken from it); then goes on with an actor a handler woke, if any.
async fn activate(awake: Awake, first: Option<Next>) {
    // An actor a handler woke, to run here once this one is idle.
    let mut handoff: Option<Awake> = None;
    activate_until_done(awake, first, &mut handoff).await;
    // This actor stopped for good: the woken one runs on its own.
    if let Some(a) = handoff {
        spawn_awake(a);
    }
}

/// The loop of [`activate`]: returns when the last actor it ran is idle
/// or one has stopped for good (leaving `handoff` to run elsewhere).
async fn activate_until_done(awake: Awake, mut first: Option<Next>, handoff: &mut Option<Awake>) {
    let Awake {
        mut cell,
        mut driver,
    } = awake;
    let mut spent = 0;
    // An actor the last handler woke: it runs in parallel when this actor
    // has another message, else next, here.
    let mut woken: Option<Awake> = None;
    loop {
        let next = match first.take() {
            Some(next) => next,
            None => match next_of(&cell, driver) {
                Some((back, next)) => {
                    driver = back;
                    if let Some(w) = woken.take() {
                        if matches!(next, Next::Message(_)) {
                            spawn_awake(w);
                        } else if let Some(older) = handoff.replace(w) {
                            spawn_awake(older);
                        }
                    }
                    next
                }
                None => {
                    // Idle again: the driver is back in the mailbox.
                    if let Some(w) = woken.take()
                        && let Some(older) = handoff.replace(w)
                    {
                        spawn_awake(older);
                    }
                    match handoff.take() {
                        Some(a) => {
                            (cell, driver) = (a.cell, a.driver);
                            continue;
                        }
                        None => return,
                    }
                }
            },
        };
        match next {
            Next::Message(env) => {
                if spent > 0 && spent >= cell.decl.qos.share() {
                    spent = 0;
                    if others_alive() {
                        tokio::task::yield_now().await;
                    }
                }
                let handled = driver.handle_now(env);
                // What the handler used of the slice `run_handler` set.
                let used = process::SLICE - driver.vm.budget_left();
                spent += MESSAGE_UNITS + used.clamp(0, process::SLICE);
                if let Some(rest) = handled {
                    // Boxed: only a handler that waits needs the state.
                    Box::pin(driver.finish(rest)).await;
                }
                woken = process::take_deferred(&mut driver.vm);
            }
            Next::Restart => {
                if !Box::pin(driver.rebuild()).await {
                    cell.end();
                    stats::process_ended(&driver.vm);
                    return;
                }
            }
            Next::Stopped(kind) => {
                if kind == StopKind::User
                    && let Some(link) = cell.link.get()
                {
                    link.report(&driver.host, &cell, Reason::Stopped);
                }
                stats::process_ended(&driver.vm);
                return;
            }
        }
    }
}

/// An actor that has handled no message yet, as data: its handlers and
/// state copied out of its process, which is gone. A million idle actors
/// then cost their state and their mailboxes, not a million processes.
pub(crate) struct Frozen {
    /// The handlers in order, then `get_state` and `set_state`.
    instance: Message,
    host: Arc<Shared>,
}

/// Turns a driver that has handled nothing yet into data, when its
/// process holds nothing else: no globals it read or assigned (they come
/// back from the actor's world), no sends waiting for room. (An actor its
/// constructor woke is already on its way: `run_now` starts it.)
pub(crate) fn freeze(driver: Box<Driver>) -> Result<Box<Frozen>, Box<Driver>> {
    let vm = &driver.vm;
    let plain = driver.host.can_make_processes()
        && vm.globals().iter().all(|v| v.is_missing())
        && !process::has_pending(vm);
    if !plain {
        return Err(driver);
    }
    let mut roots = driver.instance.handlers.clone();
    roots.push(driver.instance.get_state);
    roots.push(driver.instance.set_state);
    stats::process_ended(vm);
    Ok(Box::new(Frozen {
        instance: Message::export_all(&vm.heap, &roots),
        host: Arc::clone(&driver.host),
    }))
}

/// A driver for `cell` around `vm`, a new process with no state yet.
fn new_driver(cell: Arc<ActorCell>, mut vm: Box<Vm>, host: Arc<Shared>) -> Box<Driver> {
    let task = host.actor_task();
    process::adopt(&mut vm, Arc::clone(&cell.recipe.world), Arc::clone(&task));
    process::make_actor(&mut vm, Arc::clone(&cell));
    Box::new(Driver {
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
        carried: None,
    })
}

/// A frozen actor's process, made again for its first message.
pub(crate) fn thaw(cell: &Arc<ActorCell>, frozen: Frozen) -> Box<Driver> {
    let vm = frozen.host.new_process();
    let mut driver = new_driver(Arc::clone(cell), vm, frozen.host);
    let mut values = frozen.instance.import(&mut driver.vm.heap);
    driver.instance.set_state = values.pop().unwrap_or(Value::None);
    driver.instance.get_state = values.pop().unwrap_or(Value::None);
    driver.instance.handlers = values;
    root_instance(&mut driver.vm, &driver.instance);
    driver
}

/// How a handler that needed nothing more ended, with its value or error
/// still in the actor's process.
enum Ended {
    Returned(Value),
    Raised(Value),
}

/// A handler that has to wait: where it stopped, and where its reply goes.
pub(crate) struct Suspended {
    halt: Halt,
    reply: Option<Arc<TaskCell>>,
}

/// Starts a new driver for a stopped supervised actor: a new process from
/// the supervisor's seed, constructed, restored from its checkpoint.
pub(crate) fn revive(cell: Arc<ActorCell>, host: Arc<Shared>) {
    tokio::spawn(async move {
        let Some(seed) = cell.recipe.seed.clone() else {
            cell.stop(StopKind::Supervisor);
            cell.end();
            return;
        };
        let vm = Box::new(Vm::new_process(&lock(&seed)));
        stats::process_spawned();
        let mut driver = new_driver(cell, vm, host);
        if driver.rebuild().await {
            activate(Awake::new(driver), None).await;
        } else {
            driver.cell.end();
        }
    });
}

impl Driver {
    /// Handles `env` as far as it can without waiting: all of it when the
    /// handler runs to its end with nothing more to do (no checkpoint, no
    /// supervisor to tell, no send waiting for room), else it hands back
    /// where the handler stopped, for [`Driver::finish`].
    fn handle_now(&mut self, env: Envelope) -> Option<Suspended> {
        if let (Some(target), Some(sent)) = (self.cell.decl.latency_target, env.sent)
            && sent.elapsed() > target
        {
            stats::latency_missed();
        }
        match self.run_handler(env.handler, &env.args) {
            Ok(ended) => {
                // Without a reply nothing is copied out of the process.
                if let Some(reply) = &env.reply {
                    reply.complete(self.outcome(ended));
                }
                None
            }
            Err(halt) => Some(Suspended {
                halt,
                reply: env.reply,
            }),
        }
    }

    /// Runs handler `handler` with `args`: how it ended when it ran to its
    /// end with nothing more to do, else the halt it stopped at. What it
    /// ended with is still in the process (see [`Driver::outcome`]): a
    /// send nobody reads the reply of copies nothing out, and the small
    /// result moves more cheaply than a copied one would.
    fn run_handler(&mut self, handler: u32, args: &Carried) -> Result<Ended, Halt> {
        let Some(&handler) = self.instance.handlers.get(handler as usize) else {
            let error = self
                .vm
                .error(kinds::TYPE, "internal error: no such handler");
            return Ok(Ended::Raised(error.0));
        };
        self.vm.set_budget(process::SLICE);
        let args = args.import(&mut self.vm.heap);
        let halt = match self.vm.start(handler, args.values()) {
            Ok(()) => self.vm.run(),
            Err(e) => Halt::Raised(e.0),
        };
        let simple = !process::has_pending(&self.vm) && self.cell.decl.checkpoint_every.is_none();
        match halt {
            Halt::Finished(v)
                if simple && !matches!(self.vm.heap.object(v), Some(Object::Coroutine(_))) =>
            {
                self.handled += 1;
                Ok(Ended::Returned(v))
            }
            // Without a reply the error goes nowhere, as it would in a
            // dropped reply future.
            Halt::Raised(e) if simple && self.cell.link.get().is_none() => Ok(Ended::Raised(e)),
            halt => Err(halt),
        }
    }

    /// What a handler that ended answers, copied out of the process.
    fn outcome(&self, ended: Ended) -> Outcome {
        match ended {
            Ended::Returned(v) => Ok(Payload::of(&self.vm.heap, v)),
            Ended::Raised(e) => Err(Failure::Raised(Message::export(&self.vm.heap, e))),
        }
    }

    /// Runs a handler that [`Driver::handle_now`] could not finish to its
    /// end, and replies.
    async fn finish(&mut self, s: Suspended) {
        let outcome = drive_from(&mut self.vm, &self.task, s.halt).await;
        let outcome = match outcome {
            Ok(v) => {
                let payload = Payload::of(&self.vm.heap, v);
                self.after_success().await.map(|()| payload)
            }
            Err(e) => Err(e),
        };
        match (outcome, s.reply) {
            (Ok(payload), Some(reply)) => reply.complete(Ok(payload)),
            (Ok(_), None) => {}
            (Err(e), reply) => {
                let failure = reply
                    .as_ref()
                    .map(|_| Failure::Raised(Message::export(&self.vm.heap, e)));
                self.failed().await;
                if let (Some(reply), Some(failure)) = (reply, failure) {
                    reply.complete(Err(failure));
                }
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
        let key = self.cell.checkpoint_key.clone().unwrap_or_default();
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
            if self.cell.take_restart() {
                self.rebuild().await;
            }
        }
    }

    /// Fresh state from the constructor, then the last checkpoint. A
    /// constructor that raises counts as another failure; `false` when the
    /// actor is stopped for good.
    pub(crate) async fn rebuild(&mut self) -> bool {
        loop {
            let Some(args) = &self.cell.recipe.args else {
                // Only supervised actors keep what they were made from.
                return false;
            };
            let made = match construct(&mut self.vm, self.cell.recipe.proto, args) {
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
                    if !self.cell.take_restart() {
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
        let key = self.cell.checkpoint_key.clone().unwrap_or_default();
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
