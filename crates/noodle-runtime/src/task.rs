//! Task cells: the shared side of a process that other processes await
//! and cancel.

use std::cell::RefCell;
use std::collections::HashSet;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use noodle_vm::error::kinds;
use noodle_vm::object::FxBuild;
use noodle_vm::transfer::Message;
use noodle_vm::{Heap, Value};
use tokio::sync::Notify;

use crate::process::Unstarted;

/// How an awaited thing ended, detached from any heap.
pub(crate) type Outcome = Result<Payload, Failure>;

/// A result on its way to the process that awaits it.
#[derive(Clone, Debug)]
pub(crate) enum Payload {
    None,
    /// A value with no object behind it (an int, a bool, ...).
    Scalar(Value),
    /// A value copied out of another process.
    Copied(Message),
    /// A string made outside any process (a line `input()` read).
    Text(String),
    /// A list of results (`all`, parallel blocks), built in the receiver.
    List(Vec<Payload>),
    /// An error as a value (a `collect` branch that failed).
    Error(Failure),
}

impl Payload {
    /// `v` of `heap`, copied out.
    pub(crate) fn of(heap: &Heap, v: Value) -> Payload {
        match v {
            Value::None => Payload::None,
            Value::Obj(_) => Payload::Copied(Message::export(heap, v)),
            scalar => Payload::Scalar(scalar),
        }
    }

    /// The value in `heap`.
    pub(crate) fn into_value(self, heap: &mut Heap) -> Value {
        match self {
            Payload::None => Value::None,
            Payload::Scalar(v) => v,
            Payload::Copied(m) => m.import_one(heap),
            Payload::Text(text) => heap.alloc_str(&text),
            Payload::List(items) => {
                let values: Vec<Value> = items.into_iter().map(|p| p.into_value(heap)).collect();
                heap.alloc_list(values)
            }
            Payload::Error(f) => f.into_value(heap),
        }
    }
}

/// An error on its way to the process that awaits it.
#[derive(Clone, Debug)]
pub(crate) enum Failure {
    /// An error value raised by another process (it keeps its trace).
    Raised(Message),
    /// An error the runtime makes (`TimeoutError`, `CancelledError`, ...).
    New { kind: &'static str, message: String },
    /// `AggregateError` with every branch's error, in branch order.
    Aggregate {
        message: String,
        errors: Vec<Failure>,
    },
}

impl Failure {
    pub(crate) fn new(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure::New {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn cancelled() -> Failure {
        Failure::new(kinds::CANCELLED, "the task was cancelled")
    }

    /// The error as a value of `heap`.
    pub(crate) fn into_value(self, heap: &mut Heap) -> Value {
        match self {
            Failure::Raised(m) => m.import_one(heap),
            Failure::New { kind, message } => heap.new_error(kind, message),
            Failure::Aggregate { message, errors } => {
                let errors: Vec<Value> = errors.into_iter().map(|e| e.into_value(heap)).collect();
                let error = heap.new_error(kinds::AGGREGATE, message);
                if let Some(e) = heap.error_obj_mut(error) {
                    e.errors = errors;
                }
                error
            }
        }
    }
}

/// A process as others see it: its result once it ends, and a
/// cancellation flag. Cancelling a task cancels the tasks it spawned.
pub(crate) struct TaskCell {
    pub(crate) name: Arc<str>,
    result: Mutex<Option<Outcome>>,
    done: Notify,
    cancelled: AtomicBool,
    cancel: Notify,
    children: Mutex<Vec<Arc<TaskCell>>>,
    /// A launched process that nothing has begun yet: its scheduler task
    /// and a process awaiting it race to take it (`process::launch`).
    unstarted: Mutex<Option<Unstarted>>,
}

impl TaskCell {
    pub(crate) fn new(name: Arc<str>) -> Arc<TaskCell> {
        Arc::new(TaskCell {
            name,
            result: Mutex::new(None),
            done: Notify::new(),
            cancelled: AtomicBool::new(false),
            cancel: Notify::new(),
            children: Mutex::new(Vec::new()),
            unstarted: Mutex::new(None),
        })
    }

    /// Leaves the process to run for whoever takes it first.
    pub(crate) fn set_unstarted(&self, start: Unstarted) {
        *lock(&self.unstarted) = Some(start);
    }

    /// The process behind this task, if nothing has begun it yet.
    pub(crate) fn take_unstarted(&self) -> Option<Unstarted> {
        lock(&self.unstarted).take()
    }

    pub(crate) fn complete(&self, outcome: Outcome) {
        *lock(&self.result) = Some(outcome);
        self.done.notify_waiters();
        // Finished children need no cancelling any more.
        lock(&self.children).clear();
    }

    /// The result, if the task has ended.
    pub(crate) fn result(&self) -> Option<Outcome> {
        lock(&self.result).clone()
    }

    pub(crate) fn is_done(&self) -> bool {
        lock(&self.result).is_some()
    }

    /// The result, once the task has ended.
    pub(crate) async fn wait(&self) -> Outcome {
        loop {
            // Registered before the check, so a completion in between is
            // not missed.
            let mut notified = pin!(self.done.notified());
            notified.as_mut().enable();
            if let Some(outcome) = lock(&self.result).clone() {
                return outcome;
            }
            notified.await;
        }
    }

    pub(crate) fn adopt(&self, child: Arc<TaskCell>) {
        let mut children = lock(&self.children);
        // Finished children are dropped when the list would grow, not at
        // every spawn: looking at each child's result takes its lock,
        // and the child may be running on another worker.
        if children.len() == children.capacity() {
            children.retain(|c| !c.is_done());
            // At least as much room as there are live children, so the
            // next look is as many spawns away.
            let live = children.len();
            if live * 2 > children.capacity() {
                children.reserve(live);
            }
        }
        children.push(child);
    }

    /// Asks the task (and everything it spawned) to stop: its next wait or
    /// time-slice boundary raises `CancelledError`.
    pub(crate) fn cancel(&self) {
        if self.is_done() || self.cancelled.swap(true, Ordering::AcqRel) {
            return;
        }
        self.cancel.notify_waiters();
        let children = std::mem::take(&mut *lock(&self.children));
        for child in children {
            child.cancel();
        }
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// Completes when the task is cancelled.
    pub(crate) async fn cancelled(&self) {
        loop {
            let mut notified = pin!(self.cancel.notified());
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// How many labels a thread keeps copies of before it starts again.
const MAX_LABELS: usize = 1024;

thread_local! {
    static LABELS: RefCell<HashSet<Arc<str>, FxBuild>> = RefCell::new(HashSet::default());
}

/// `label` (a task's or a reply's name) as this thread's own copy. Every
/// task of one function has the same label: sharing one `Arc` would make
/// each spawn and each drop update a count on a cache line that all the
/// worker threads pass back and forth, while a copy per thread is
/// counted where it is mostly used.
pub(crate) fn local_label(label: &Arc<str>) -> Arc<str> {
    LABELS
        .try_with(|labels| {
            let mut labels = labels.borrow_mut();
            if let Some(copy) = labels.get(&**label) {
                return Arc::clone(copy);
            }
            if labels.len() >= MAX_LABELS {
                labels.clear();
            }
            let copy: Arc<str> = Arc::from(&**label);
            labels.insert(Arc::clone(&copy));
            copy
        })
        .unwrap_or_else(|_| Arc::clone(label))
}

/// Locks `m`, ignoring poisoning: a panicking holder is a bug reported
/// elsewhere, and the data (results, lists of tasks) stays consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poison| poison.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_children_are_dropped_and_live_ones_cancelled() {
        let parent = TaskCell::new(Arc::from("parent"));
        let mut live = Vec::new();
        for i in 0..1000 {
            let child = TaskCell::new(Arc::from("child"));
            parent.adopt(Arc::clone(&child));
            if i % 100 == 0 {
                live.push(child);
            } else {
                child.complete(Ok(Payload::None));
            }
        }
        let kept = lock(&parent.children).len();
        assert!(kept < 100, "finished children pile up: {kept}");
        parent.cancel();
        assert!(live.iter().all(|c| c.is_cancelled()));
    }

    #[test]
    fn a_label_is_copied_once_per_thread() {
        let label: Arc<str> = Arc::from("skynet");
        let here = local_label(&label);
        assert_eq!(&*here, "skynet");
        assert!(!Arc::ptr_eq(&here, &label), "a copy of the thread's own");
        assert!(Arc::ptr_eq(&here, &local_label(&label)), "taken again");
        let label_there = Arc::clone(&label);
        let there = std::thread::spawn(move || local_label(&label_there))
            .join()
            .unwrap();
        assert_eq!(&*there, "skynet");
        assert!(!Arc::ptr_eq(&here, &there));
    }
}
