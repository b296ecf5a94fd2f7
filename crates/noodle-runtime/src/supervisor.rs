//! Supervisors: restart strategies over a fixed list of children.
//!
//! A supervisor is no process of its own: its children report to it from
//! their drivers ([`Link::report`]) and it decides, under its lock, which
//! children restart, which stop, and whether it gives up. Giving up stops
//! every child and reports to its own supervisor (escalation); at the top
//! it just stays stopped. Restarts keep each child's address and mailbox.
//!
//! Lock order: a supervisor's lock, then its children's (mailboxes or
//! nested supervisors). Reports to a parent happen after the lock is
//! released.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use noodle_vm::error::kinds;
use noodle_vm::object::{Handle, HandleKind};
use noodle_vm::{NResult, Object, Thrown, Value, Vm};

use crate::actor::{self, ActorCell, StopKind};
use crate::decl::{self, Datum, Policy};
use crate::host::Shared;
use crate::process;
use crate::task::{TaskCell, lock};

/// Why a child stopped running its handlers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// A handler (or a restart's constructor) raised.
    Error,
    /// `stop(child)`.
    Stopped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    OneForOne,
    OneForAll,
    RestForOne,
}

/// A child's place under its supervisor.
pub(crate) struct Link {
    parent: Weak<SupervisorCell>,
    index: usize,
}

impl Link {
    /// Tells the supervisor that `member` (one instance of the child)
    /// failed or stopped; returns once the strategy has been applied.
    pub(crate) fn report(&self, shared: &Arc<Shared>, member: &Arc<ActorCell>, reason: Reason) {
        if let Some(sup) = self.parent.upgrade() {
            sup.child_exited(shared, self.index, Some(member), reason);
        }
    }
}

pub(crate) enum ChildNode {
    /// An actor (several instances with `@replicas`) and its address.
    Actors {
        cells: Vec<Arc<ActorCell>>,
        address: Handle,
    },
    Supervisor(Arc<SupervisorCell>),
}

pub(crate) struct Child {
    pub(crate) name: Arc<str>,
    pub(crate) node: ChildNode,
}

impl Child {
    fn policy(&self) -> Policy {
        match &self.node {
            ChildNode::Actors { cells, .. } => {
                cells.first().map_or(Policy::Permanent, |c| c.decl.restart)
            }
            ChildNode::Supervisor(_) => Policy::Permanent,
        }
    }

    fn restart(&self, shared: &Arc<Shared>) {
        match &self.node {
            ChildNode::Actors { cells, .. } => cells.iter().for_each(|c| c.restart(shared)),
            ChildNode::Supervisor(s) => s.restart_all(shared),
        }
    }

    fn halt(&self) {
        match &self.node {
            ChildNode::Actors { cells, .. } => {
                cells.iter().for_each(|c| c.stop(StopKind::Supervisor));
            }
            ChildNode::Supervisor(s) => s.halt(),
        }
    }

    pub(crate) fn address(&self) -> Handle {
        match &self.node {
            ChildNode::Actors { address, .. } => address.clone(),
            ChildNode::Supervisor(s) => s.address(),
        }
    }
}

struct SupState {
    /// When each strategy application within the window happened.
    restarts: VecDeque<Instant>,
    stopped: bool,
}

pub(crate) struct SupervisorCell {
    pub(crate) name: Arc<str>,
    label: Arc<str>,
    strategy: Strategy,
    max_restarts: usize,
    within: Duration,
    pub(crate) children: Vec<Child>,
    state: Mutex<SupState>,
    link: OnceLock<Link>,
}

impl SupervisorCell {
    pub(crate) fn address(self: &Arc<Self>) -> Handle {
        Handle {
            kind: HandleKind::Actor,
            label: Arc::clone(&self.label),
            inner: Arc::clone(self) as _,
        }
    }

    pub(crate) fn is_stopped(&self) -> bool {
        lock(&self.state).stopped
    }

    pub(crate) fn child(&self, name: &str) -> Option<&Child> {
        self.children.iter().find(|c| &*c.name == name)
    }

    pub(crate) fn child_names(&self) -> String {
        self.children
            .iter()
            .map(|c| &*c.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Child `index` (the instance `member` of it, for an actor) failed or
    /// stopped: restart what the policy and strategy say, or give up when
    /// that exceeds the restart intensity.
    fn child_exited(
        self: &Arc<Self>,
        shared: &Arc<Shared>,
        index: usize,
        member: Option<&Arc<ActorCell>>,
        reason: Reason,
    ) {
        {
            let mut st = lock(&self.state);
            if st.stopped {
                return;
            }
            let Some(child) = self.children.get(index) else {
                return;
            };
            let restart = match child.policy() {
                Policy::Permanent => true,
                Policy::Transient => reason == Reason::Error,
                Policy::Temporary => false,
            };
            if !restart {
                // A child that is not restarted leaves its siblings alone.
                if reason == Reason::Error {
                    match member {
                        Some(m) => m.stop(StopKind::Supervisor),
                        None => child.halt(),
                    }
                }
                return;
            }
            let now = Instant::now();
            while st
                .restarts
                .front()
                .is_some_and(|&t| now.duration_since(t) > self.within)
            {
                st.restarts.pop_front();
            }
            st.restarts.push_back(now);
            if st.restarts.len() <= self.max_restarts {
                let affected = match self.strategy {
                    Strategy::OneForOne => index..index + 1,
                    Strategy::OneForAll => 0..self.children.len(),
                    Strategy::RestForOne => index..self.children.len(),
                };
                for i in affected {
                    let sibling = &self.children[i];
                    if i == index {
                        match member {
                            Some(m) => m.restart(shared),
                            None => sibling.restart(shared),
                        }
                    } else if sibling.policy() == Policy::Temporary {
                        sibling.halt();
                    } else {
                        sibling.restart(shared);
                    }
                }
                return;
            }
            st.stopped = true;
        }
        // Too many restarts: stop everything and escalate.
        for child in &self.children {
            child.halt();
        }
        if let Some(link) = self.link.get()
            && let Some(parent) = link.parent.upgrade()
        {
            parent.child_exited(shared, link.index, None, Reason::Error);
        }
    }

    /// Restarted by its own supervisor: every child starts afresh and the
    /// restart history is forgotten.
    fn restart_all(&self, shared: &Arc<Shared>) {
        let mut st = lock(&self.state);
        st.stopped = false;
        st.restarts.clear();
        for child in &self.children {
            child.restart(shared);
        }
    }

    /// Stops every child; nothing is restarted.
    pub(crate) fn halt(&self) {
        let mut st = lock(&self.state);
        st.stopped = true;
        for child in &self.children {
            child.halt();
        }
    }

    /// `stop(sup)`: stops it and its children, then tells its own
    /// supervisor, which restarts it when its policy says so.
    pub(crate) fn stop(self: &Arc<Self>, shared: &Arc<Shared>) {
        self.halt();
        if let Some(link) = self.link.get()
            && let Some(parent) = link.parent.upgrade()
        {
            parent.child_exited(shared, link.index, None, Reason::Stopped);
        }
    }
}

pub(crate) fn as_supervisor(h: &Handle) -> Option<Arc<SupervisorCell>> {
    Arc::clone(&h.inner).downcast::<SupervisorCell>().ok()
}

/// The options of a supervisor constructor's result.
fn options(heap: &noodle_vm::Heap, result: Value) -> Result<(Strategy, usize, Duration), String> {
    let opts = decl::entry(heap, result, "options").map(|o| Datum::of(heap, o));
    let get = |name: &str| opts.as_ref().and_then(|o| o.named(name)).cloned();
    let strategy = match get("strategy") {
        Some(Datum::Str(s)) if s == "one_for_one" => Strategy::OneForOne,
        Some(Datum::Str(s)) if s == "one_for_all" => Strategy::OneForAll,
        Some(Datum::Str(s)) if s == "rest_for_one" => Strategy::RestForOne,
        None => Strategy::OneForOne,
        _ => return Err("the strategy is one_for_one, one_for_all or rest_for_one".into()),
    };
    let max_restarts = match get("max_restarts") {
        Some(Datum::Int(n)) if n >= 0 => n as usize,
        None => 3,
        _ => return Err("max_restarts is an int >= 0".into()),
    };
    let within = match get("within") {
        Some(Datum::Duration(ns)) if ns >= 0 => Duration::from_nanos(ns as u64),
        None => Duration::from_secs(5),
        _ => return Err("within is a duration >= 0".into()),
    };
    Ok((strategy, max_restarts, within))
}

/// `spawn Sup()` from `parent`: runs the supervisor's constructor, spawns
/// every child in order (nested supervisors included) and links them.
pub(crate) fn spawn(
    shared: &Arc<Shared>,
    parent: &mut Vm,
    proto: u32,
    key_prefix: &str,
) -> NResult<Arc<SupervisorCell>> {
    let world = process::current_world(parent);
    let mut vm = Box::new(Vm::new_process(parent));
    process::adopt(&mut vm, world, TaskCell::new(Arc::from("supervisor")));
    // The process that runs the constructor and spawns the children is
    // then the seed that revived children are forked from.
    let seed = Arc::new(Mutex::new(vm));
    let mut guard = lock(&seed);
    let svm: &mut Vm = &mut guard;
    let name: Arc<str> = svm
        .heap
        .types()
        .function_names
        .get(proto as usize)
        .cloned()
        .unwrap_or_else(|| Arc::from("supervisor"));
    let fail = |svm: &Vm, parent: &mut Vm, e: Value| {
        let error = noodle_vm::transfer::Message::export(&svm.heap, e);
        Thrown(error.import_one(&mut parent.heap))
    };
    let ctor = actor::constructor(svm, proto);
    let result = match actor::run_now(svm, ctor, &[]) {
        Ok(v) => v,
        Err(e) => return Err(fail(svm, parent, e)),
    };
    svm.push_root(result);
    let (strategy, max_restarts, within) = options(&svm.heap, result)
        .map_err(|m| parent.error(kinds::VALUE, format!("supervisor {name}: {m}")))?;
    let specs: Vec<Value> = decl::entry(&svm.heap, result, "children")
        .and_then(|c| svm.heap.list(c).cloned())
        .unwrap_or_default();
    let prefix = format!("{key_prefix}{name}.");
    let mut children = Vec::with_capacity(specs.len());
    let mut drivers = Vec::new();
    for spec in specs {
        let parts = svm.heap.list(spec).cloned().unwrap_or_default();
        let [child_name, kind, args] = parts[..] else {
            return Err(parent.type_error("internal error: a malformed supervisor child"));
        };
        let child_name: Arc<str> = Arc::from(svm.heap.as_str(child_name).unwrap_or("?"));
        let args = svm.heap.list(args).cloned().unwrap_or_default();
        let node = match svm.heap.object(kind) {
            Some(&Object::ActorType { proto }) => {
                let key = format!("{prefix}{child_name}/");
                let made = actor::spawn(shared, svm, proto, &args, Some(Arc::clone(&seed)), &key);
                match made {
                    Ok((address, cells, started)) => {
                        drivers.extend(started);
                        ChildNode::Actors { cells, address }
                    }
                    Err(Thrown(e)) => return Err(fail(svm, parent, e)),
                }
            }
            Some(&Object::SupervisorType { proto }) => match spawn(shared, svm, proto, &prefix) {
                Ok(s) => ChildNode::Supervisor(s),
                Err(Thrown(e)) => return Err(fail(svm, parent, e)),
            },
            _ => {
                let shown = svm.display(kind);
                let message = format!(
                    "supervisor {name}: child '{child_name}' must be an actor or supervisor type, not {shown}"
                );
                return Err(parent.type_error(message));
            }
        };
        children.push(Child {
            name: child_name,
            node,
        });
    }
    let cell = Arc::new(SupervisorCell {
        label: Arc::from(format!("supervisor {name}").as_str()),
        name,
        strategy,
        max_restarts,
        within,
        children,
        state: Mutex::new(SupState {
            restarts: VecDeque::new(),
            stopped: false,
        }),
        link: OnceLock::new(),
    });
    for (index, child) in cell.children.iter().enumerate() {
        let link = || Link {
            parent: Arc::downgrade(&cell),
            index,
        };
        match &child.node {
            ChildNode::Actors { cells, .. } => {
                for c in cells {
                    let _ = c.link.set(link());
                }
            }
            ChildNode::Supervisor(s) => {
                let _ = s.link.set(link());
            }
        }
    }
    drop(guard);
    actor::start(drivers);
    Ok(cell)
}
