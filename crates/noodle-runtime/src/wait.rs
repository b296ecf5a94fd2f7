//! Awaitable runtime objects and how a parked process waits for them.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{select_all, select_ok};
use noodle_vm::error::kinds;
use noodle_vm::object::{Handle, HandleKind};
use noodle_vm::transfer::Message;

use crate::channel::{Channel, RecvClosed};
use crate::task::{Failure, Outcome, Payload, TaskCell, lock};

pub(crate) type BoxedWait = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// The values of channels: copies, so any process can receive them.
pub(crate) type Chan = Channel<Message>;

/// A value that can only be awaited.
pub(crate) enum Awaitable {
    Sleep(Duration),
    /// `timeout(x, d)`: `x`'s outcome, or TimeoutError after `d` (and the
    /// task is cancelled).
    Timeout {
        inner: Handle,
        limit: Duration,
    },
    All(Vec<Handle>),
    Any(Vec<Handle>),
    Race(Vec<Handle>),
    Recv(Arc<Chan>),
    /// A parallel block (see `parallel.rs`).
    Parallel(Mutex<Option<crate::parallel::Block>>),
    /// `map_reduce`: the chunks' partial results, folded by `fold`.
    MapReduce(Mutex<Option<crate::parallel::Reduce>>),
}

pub(crate) fn future_handle(label: &str, awaitable: Awaitable) -> Handle {
    Handle {
        kind: HandleKind::Future,
        label: Arc::from(label),
        inner: Arc::new(awaitable),
    }
}

pub(crate) fn task_handle(task: Arc<TaskCell>) -> Handle {
    Handle {
        kind: HandleKind::Task,
        label: Arc::clone(&task.name),
        inner: task,
    }
}

/// A future that resolves when `cell` completes (an actor's reply).
pub(crate) fn future_of(cell: Arc<TaskCell>) -> Handle {
    Handle {
        kind: HandleKind::Future,
        label: Arc::clone(&cell.name),
        inner: cell,
    }
}

pub(crate) fn channel_handle(chan: Arc<Chan>) -> Handle {
    Handle {
        kind: HandleKind::Channel,
        label: Arc::from("channel"),
        inner: chan,
    }
}

pub(crate) fn as_task(h: &Handle) -> Option<Arc<TaskCell>> {
    Arc::clone(&h.inner).downcast::<TaskCell>().ok()
}

pub(crate) fn as_channel(h: &Handle) -> Option<Arc<Chan>> {
    Arc::clone(&h.inner).downcast::<Chan>().ok()
}

/// Waits for what `h` stands for.
pub(crate) fn wait_for(h: Handle) -> BoxedWait {
    Box::pin(async move {
        if let Some(task) = as_task(&h) {
            return task.wait().await;
        }
        let Some(awaitable) = Arc::clone(&h.inner).downcast::<Awaitable>().ok() else {
            return Err(Failure::new(kinds::TYPE, format!("cannot await {h}")));
        };
        match &*awaitable {
            Awaitable::Sleep(d) => {
                tokio::time::sleep(*d).await;
                Ok(Payload::None)
            }
            Awaitable::Timeout { inner, limit } => {
                match tokio::time::timeout(*limit, wait_for(inner.clone())).await {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        if let Some(task) = as_task(inner) {
                            task.cancel();
                        }
                        Err(Failure::new(
                            kinds::TIMEOUT,
                            format!("timed out after {}", show_duration(*limit)),
                        ))
                    }
                }
            }
            Awaitable::All(handles) => all(handles.clone()).await,
            Awaitable::Any(handles) => any(handles.clone()).await,
            Awaitable::Race(handles) => race(handles.clone()).await,
            Awaitable::Recv(chan) => match chan.recv().await {
                Ok(v) => Ok(Payload::Copied(v)),
                Err(RecvClosed) => Err(channel_closed()),
            },
            Awaitable::Parallel(block) => {
                let Some(block) = lock(block).take() else {
                    return Err(Failure::new(kinds::TYPE, "a parallel block runs once"));
                };
                block.run().await
            }
            Awaitable::MapReduce(reduce) => {
                let Some(reduce) = lock(reduce).take() else {
                    return Err(Failure::new(kinds::TYPE, "map_reduce can be awaited once"));
                };
                reduce.run().await
            }
        }
    })
}

pub(crate) fn channel_closed() -> Failure {
    Failure::new(kinds::CHANNEL_CLOSED, "the channel is closed")
}

/// Cancels the tasks among `handles` (what a combinator no longer needs).
pub(crate) fn cancel_all(handles: &[Handle]) {
    for h in handles {
        if let Some(task) = as_task(h) {
            task.cancel();
        }
    }
}

/// Every value in order, or the first error in time (the others are
/// cancelled).
pub(crate) async fn all(handles: Vec<Handle>) -> Outcome {
    let mut pending: Vec<(usize, BoxedWait)> =
        handles.iter().cloned().map(wait_for).enumerate().collect();
    let mut values: Vec<Payload> = vec![Payload::None; handles.len()];
    while !pending.is_empty() {
        let (indices, waits): (Vec<usize>, Vec<BoxedWait>) = pending.into_iter().unzip();
        let (outcome, at, rest) = select_all(waits).await;
        match outcome {
            Ok(p) => values[indices[at]] = p,
            Err(f) => {
                cancel_all(&handles);
                return Err(f);
            }
        }
        pending = indices
            .into_iter()
            .enumerate()
            .filter(|&(i, _)| i != at)
            .map(|(_, index)| index)
            .zip(rest)
            .collect();
    }
    Ok(Payload::List(values))
}

/// The first success (the others are cancelled); AggregateError with
/// every error, in order, when all fail.
pub(crate) async fn any(handles: Vec<Handle>) -> Outcome {
    if handles.is_empty() {
        return Err(Failure::new(kinds::VALUE, "any() of no tasks"));
    }
    let waits: Vec<_> = handles
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, h)| {
            Box::pin(async move { wait_for(h).await.map_err(|f| (i, f)) })
                as Pin<Box<dyn Future<Output = Result<Payload, (usize, Failure)>> + Send>>
        })
        .collect();
    // `select_ok` reports only the last error: collect them as they come.
    let errors = Arc::new(Mutex::new(Vec::new()));
    let logged: Vec<_> = waits
        .into_iter()
        .map(|w| {
            let errors = Arc::clone(&errors);
            Box::pin(async move {
                w.await.map_err(|(i, f)| {
                    lock(&errors).push((i, f));
                })
            }) as Pin<Box<dyn Future<Output = Result<Payload, ()>> + Send>>
        })
        .collect();
    match select_ok(logged).await {
        Ok((value, _)) => {
            cancel_all(&handles);
            Ok(value)
        }
        Err(()) => {
            let mut errors = std::mem::take(&mut *lock(&errors));
            errors.sort_by_key(|(i, _)| *i);
            let n = errors.len();
            Err(Failure::Aggregate {
                message: format!("all {n} branches failed"),
                errors: errors.into_iter().map(|(_, f)| f).collect(),
            })
        }
    }
}

/// The first to finish, value or error (the others are cancelled).
pub(crate) async fn race(handles: Vec<Handle>) -> Outcome {
    if handles.is_empty() {
        return Err(Failure::new(kinds::VALUE, "race() of no tasks"));
    }
    let waits: Vec<BoxedWait> = handles.iter().cloned().map(wait_for).collect();
    let (outcome, _, _) = select_all(waits).await;
    cancel_all(&handles);
    outcome
}

pub(crate) fn show_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 1000.0 && (ms / 1000.0).fract() == 0.0 {
        format!("{}s", ms / 1000.0)
    } else if ms.fract() == 0.0 {
        format!("{ms}ms")
    } else {
        format!("{:?}", d)
    }
}
