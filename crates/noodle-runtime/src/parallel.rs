//! Parallel blocks (`parallel all|any|race|collect { ... }`) and
//! `map_reduce`: every branch or chunk is a process of its own.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::select_all;
use noodle_vm::error::kinds;
use noodle_vm::transfer::Message;
use noodle_vm::{Value, Vm};

use crate::host::Shared;
use crate::process::Prepared;
use crate::task::{Failure, Outcome, Payload, TaskCell, lock};
use crate::wait::{BoxedWait, show_duration};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Strategy {
    All,
    Any,
    Race,
    Collect,
}

impl Strategy {
    pub(crate) fn from_code(code: u8) -> Option<Strategy> {
        Some(match code {
            0 => Strategy::All,
            1 => Strategy::Any,
            2 => Strategy::Race,
            3 => Strategy::Collect,
            _ => return None,
        })
    }
}

/// A parallel block whose branches are made but not started: they start
/// when the block is awaited, at most `max_concurrency` at a time.
pub(crate) struct Block {
    pub(crate) host: Arc<Shared>,
    pub(crate) strategy: Strategy,
    pub(crate) branches: Vec<Prepared>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_concurrency: Option<usize>,
}

impl Block {
    pub(crate) async fn run(self) -> Outcome {
        let launched: Arc<Mutex<Vec<Arc<TaskCell>>>> = Arc::default();
        let cancel_launched = |launched: &Mutex<Vec<Arc<TaskCell>>>| {
            for t in lock(launched).iter() {
                t.cancel();
            }
        };
        let Block {
            host,
            strategy,
            branches,
            timeout,
            max_concurrency,
        } = self;
        let body = run_branches(
            &host,
            strategy,
            branches,
            max_concurrency,
            Arc::clone(&launched),
        );
        match timeout {
            None => body.await,
            Some(limit) => match tokio::time::timeout(limit, body).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    cancel_launched(&launched);
                    Err(Failure::new(
                        kinds::TIMEOUT,
                        format!("parallel block timed out after {}", show_duration(limit)),
                    ))
                }
            },
        }
    }
}

async fn run_branches(
    host: &Arc<Shared>,
    strategy: Strategy,
    branches: Vec<Prepared>,
    max_concurrency: Option<usize>,
    launched: Arc<Mutex<Vec<Arc<TaskCell>>>>,
) -> Outcome {
    let n = branches.len();
    let limit = max_concurrency.unwrap_or(n).max(1);
    let mut queue: VecDeque<(usize, Prepared)> = branches.into_iter().enumerate().collect();
    let mut running: Vec<(usize, BoxedWait)> = Vec::new();
    let mut results: Vec<Option<Outcome>> = vec![None; n];
    let cancel = || {
        for t in lock(&launched).iter() {
            t.cancel();
        }
    };
    loop {
        while running.len() < limit
            && let Some((i, branch)) = queue.pop_front()
        {
            let task = branch.launch(host);
            lock(&launched).push(Arc::clone(&task));
            running.push((i, Box::pin(async move { task.wait().await })));
        }
        if running.is_empty() {
            break;
        }
        let (indices, waits): (Vec<usize>, Vec<BoxedWait>) = running.into_iter().unzip();
        let (outcome, at, rest) = select_all(waits).await;
        let i = indices[at];
        running = indices
            .into_iter()
            .enumerate()
            .filter(|&(k, _)| k != at)
            .map(|(_, index)| index)
            .zip(rest)
            .collect();
        match (strategy, outcome) {
            (Strategy::All, Err(f)) => {
                cancel();
                return Err(f);
            }
            (Strategy::Any, Ok(v)) | (Strategy::Race, Ok(v)) => {
                cancel();
                return Ok(v);
            }
            (Strategy::Race, Err(f)) => {
                cancel();
                return Err(f);
            }
            (_, outcome) => results[i] = Some(outcome),
        }
    }
    let results = results.into_iter().flatten();
    match strategy {
        Strategy::All => Ok(Payload::List(
            results.map(|r| r.unwrap_or(Payload::None)).collect(),
        )),
        Strategy::Collect => Ok(Payload::List(
            results.map(|r| r.unwrap_or_else(Payload::Error)).collect(),
        )),
        Strategy::Any => {
            let errors: Vec<Failure> = results.filter_map(Result::err).collect();
            Err(Failure::Aggregate {
                message: format!("all {} branches failed", errors.len()),
                errors,
            })
        }
        Strategy::Race => Err(Failure::new(kinds::VALUE, "a race with no branches")),
    }
}

/// The fold of a `map_reduce`: the chunks' partial results (already
/// running), folded with the reducer in a process of their own.
pub(crate) struct Reduce {
    pub(crate) chunks: Vec<Arc<TaskCell>>,
    pub(crate) fold: Box<Vm>,
    pub(crate) reducer: Value,
    pub(crate) initial: Option<Value>,
}

impl Reduce {
    pub(crate) async fn run(self) -> Outcome {
        let Reduce {
            chunks,
            mut fold,
            reducer,
            initial,
        } = self;
        let mut partials = Vec::with_capacity(chunks.len());
        for chunk in &chunks {
            match chunk.wait().await {
                Ok(p) => partials.push(p),
                Err(f) => {
                    chunks.iter().for_each(|c| c.cancel());
                    return Err(f);
                }
            }
        }
        let vm = &mut *fold;
        let mut acc = initial;
        for partial in partials {
            let v = partial.into_value(&mut vm.heap);
            acc = Some(match acc {
                None => v,
                Some(a) => match vm.call_value(reducer, &[a, v]) {
                    Ok(r) => r,
                    Err(e) => return Err(Failure::Raised(Message::export(&vm.heap, e.0))),
                },
            });
        }
        let result = acc.unwrap_or(Value::None);
        Ok(Payload::Copied(Message::export(&vm.heap, result)))
    }
}

/// Folds `reducer` over `mapper` applied to `items` in `vm`: one chunk's
/// partial result. The callbacks may collect, so the items, the
/// callbacks and the running result are rooted.
pub(crate) fn map_fold(
    vm: &mut Vm,
    items: &[Value],
    mapper: Value,
    reducer: Value,
) -> Result<Value, Value> {
    vm.push_root(mapper);
    vm.push_root(reducer);
    items.iter().for_each(|&x| vm.push_root(x));
    let acc_root = vm.root_mark();
    let mut acc: Option<Value> = None;
    for &x in items {
        let y = vm.call_value(mapper, &[x]).map_err(|e| e.0)?;
        let next = match acc {
            None => y,
            Some(a) => vm.call_value(reducer, &[a, y]).map_err(|e| e.0)?,
        };
        vm.truncate_roots(acc_root);
        vm.push_root(next);
        acc = Some(next);
    }
    Ok(acc.unwrap_or(Value::None))
}
