//! The interface between the VM and the concurrency runtime.
//!
//! The VM runs one process and never blocks: everything that involves other
//! processes (spawning, sends, channels, timers, parallel blocks) goes to the
//! [`Host`] the runtime installs, and awaiting a runtime object makes the
//! interpreter return [`crate::Halt::Parked`] instead of waiting. The runtime
//! then resumes the process with [`crate::Vm::resume`], possibly on another
//! thread. A VM without a host (the REPL, unit tests) raises
//! `UnsupportedError` for all of it.

use std::any::Any;
use std::sync::Arc;

use crate::native::{Args, NResult};
use crate::object::Handle;
use crate::value::Value;
use crate::vm::Vm;

/// The concurrency runtime as the VM sees it. Every call runs on the thread
/// that runs the calling process and must not block.
pub trait Host: Send + Sync + 'static {
    /// The runtime behind this host, for its own code to reach without
    /// counting another reference.
    fn as_any(&self) -> &dyn std::any::Any;

    /// `spawn callee(args)`: a task running the call, or the address of a
    /// new actor or supervisor when `callee` is an actor or supervisor type.
    fn spawn(&self, vm: &mut Vm, callee: Value, args: &Args) -> NResult<Value>;

    /// A concurrency builtin: `channel sleep timeout all any race stop
    /// map_reduce`. Whatever waits returns an awaitable handle.
    fn builtin(&self, vm: &mut Vm, name: &str, args: &Args) -> NResult<Value>;

    /// `handle.name(args)`: an actor send (returning a reply future), a
    /// channel or task method.
    fn method(&self, vm: &mut Vm, handle: &Handle, name: &str, args: &Args) -> NResult<Value>;

    /// `actor.name(args)` as a statement, its value unused, for the target
    /// of an actor handle (`Handle::inner`): a send that makes no reply
    /// future. `Ok(false)` when the host does not send to this target
    /// (the VM then makes the plain call); the default sends nothing.
    /// Only the target is passed, as cloning the whole handle for every
    /// send would update two reference counts instead of one.
    fn tell(
        &self,
        _vm: &mut Vm,
        _target: Arc<dyn Any + Send + Sync>,
        _name: &str,
        _args: &Args,
    ) -> NResult<bool> {
        Ok(false)
    }

    /// `await actor.name(args)` in one step, for the target of an actor
    /// handle, when the host can finish it without waiting (an idle actor
    /// whose handler runs to its end at once): see [`CallNow`]. An `Err`
    /// is the awaited error. The default does nothing, and the VM makes
    /// the plain call and awaits it.
    fn call_now(
        &self,
        _vm: &mut Vm,
        _target: &(dyn Any + Send + Sync),
        _name: &str,
        _args: &Args,
    ) -> NResult<CallNow> {
        Ok(CallNow::NotNow)
    }

    /// Runs `job`, which blocks its thread (it reads a terminal), away
    /// from the thread that runs processes: an awaitable handle whose value
    /// is the job's, for the process to park on. `Err(job)` hands it back
    /// when the host cannot (the VM then runs it itself); the default does.
    fn run_blocking(&self, _vm: &mut Vm, job: BlockingJob) -> Result<Handle, BlockingJob> {
        Err(job)
    }

    /// `handle.name`: a supervisor's child.
    fn field(&self, vm: &mut Vm, handle: &Handle, name: &str) -> NResult<Value>;

    /// `self` inside an actor.
    fn self_address(&self, vm: &mut Vm) -> NResult<Value>;

    /// A parallel block (`strategy`: 0 all, 1 any, 2 race, 3 collect) with
    /// its options map and branch closures: an awaitable handle.
    fn parallel(
        &self,
        vm: &mut Vm,
        strategy: u8,
        options: Value,
        branches: &[Value],
    ) -> NResult<Value>;

    /// The value of module global `index` for a process that has not read
    /// it yet (processes start without globals and copy them on first use).
    fn import_global(&self, vm: &mut Vm, index: usize) -> Option<Value>;
}

/// What [`Host::call_now`] did.
#[derive(Clone, Copy, Debug)]
pub enum CallNow {
    /// The call was made and answered: the awaited value.
    Value(Value),
    /// The call was made and its answer is still to come: what the plain
    /// call would have returned, to be awaited as usual.
    Later(Value),
    /// Nothing was done: the VM makes the plain call.
    NotNow,
}

/// What a parked process is waiting for, as the runtime sees it.
#[derive(Clone, Debug)]
pub enum Wait {
    /// `await handle`: resume with its value or error.
    Await(Handle),
    /// `for v in channel`: resume with the next value; a `ChannelClosed`
    /// error ends the loop instead of raising.
    Receive(Handle),
}

/// Work that blocks its thread, done where that holds up no process (see
/// [`Host::run_blocking`]); what it makes crosses threads as plain data.
pub type BlockingJob = Box<dyn FnOnce() -> Blocked + Send>;

/// What a [`BlockingJob`] made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocked {
    None,
    Str(String),
    /// An error of kind `kind` (one of [`crate::error::kinds`]).
    Error {
        kind: &'static str,
        message: String,
    },
}

/// How the runtime resumes a parked process.
pub enum Resume {
    /// The awaited value (already in this process's heap).
    Value(Value),
    /// The awaited error (already in this process's heap): raised at the
    /// `await`, keeping its own trace.
    Error(Value),
    /// Continue after a yield.
    Continue,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::VmOptions;

    /// A host whose calls try to replace the host they were reached
    /// through, and count themselves; `takes_jobs` says whether it takes
    /// blocking jobs (and never runs them) or hands them back.
    #[derive(Default)]
    struct Probe {
        calls: std::sync::atomic::AtomicUsize,
        takes_jobs: bool,
    }

    impl Host for Probe {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn spawn(&self, _: &mut Vm, _: Value, _: &Args) -> NResult<Value> {
            Ok(Value::None)
        }
        fn builtin(&self, vm: &mut Vm, _: &str, _: &Args) -> NResult<Value> {
            let replaced = vm.set_host(Arc::new(Probe::default()));
            let n = self
                .calls
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(Value::Int(i64::from(replaced) * 100 + n as i64))
        }
        fn run_blocking(&self, _: &mut Vm, job: BlockingJob) -> Result<Handle, BlockingJob> {
            if !self.takes_jobs {
                return Err(job);
            }
            Ok(Handle {
                kind: crate::object::HandleKind::Future,
                label: Arc::from("blocking call"),
                inner: Arc::new(()),
            })
        }
        fn method(&self, _: &mut Vm, _: &Handle, _: &str, _: &Args) -> NResult<Value> {
            Ok(Value::None)
        }
        fn field(&self, _: &mut Vm, _: &Handle, _: &str) -> NResult<Value> {
            Ok(Value::None)
        }
        fn self_address(&self, _: &mut Vm) -> NResult<Value> {
            Ok(Value::None)
        }
        fn parallel(&self, _: &mut Vm, _: u8, _: Value, _: &[Value]) -> NResult<Value> {
            Ok(Value::None)
        }
        fn import_global(&self, _: &mut Vm, _: usize) -> Option<Value> {
            None
        }
    }

    fn taking() -> Arc<Probe> {
        Arc::new(Probe {
            takes_jobs: true,
            ..Probe::default()
        })
    }

    fn call(vm: &mut Vm) -> Option<Value> {
        let args = Args {
            positional: &[],
            named: &[],
        };
        vm.with_host(|vm, host| {
            // Nested borrows are fine; the host stays the same throughout.
            let inner = vm.with_host(|vm, host| host.builtin(vm, "x", &args).ok());
            let outer = host.builtin(vm, "x", &args).ok();
            assert_eq!(inner.flatten().is_some(), outer.is_some());
            outer
        })
        .flatten()
    }

    fn line(text: &'static str) -> BlockingJob {
        Box::new(move || Blocked::Str(text.to_string()))
    }

    #[test]
    fn a_blocking_job_runs_in_place_unless_a_host_takes_it() {
        let mut vm = Vm::new(VmOptions::default());
        // No host: run here, even where the call could park.
        vm.call_may_park = true;
        let v = vm.run_blocking(line("a")).expect("a line");
        assert_eq!(crate::format::display_string(&vm.heap, v), "a");
        // A host that hands the job back: run here too.
        assert!(vm.set_host(Arc::new(Probe::default())));
        let v = vm.run_blocking(line("b")).expect("a line");
        assert_eq!(crate::format::display_string(&vm.heap, v), "b");
        assert!(vm.call_parks_on.is_none());
        // A host that takes it, from a call that may park: the process
        // parks on the handle instead.
        assert!(vm.set_host(taking()));
        assert!(matches!(vm.run_blocking(line("c")), Ok(Value::None)));
        assert!(vm.call_parks_on.take().is_some());
        // The same host, from a call that may not park (a callback a
        // builtin called): run here.
        vm.call_may_park = false;
        let v = vm.run_blocking(line("d")).expect("a line");
        assert_eq!(crate::format::display_string(&vm.heap, v), "d");
        assert!(vm.call_parks_on.is_none());
    }

    #[test]
    fn a_blocking_builtin_as_a_whole_process_parks_and_ends_with_its_value() {
        let mut vm = Vm::new(VmOptions::default());
        assert!(vm.set_host(taking()));
        let input = noodle_nbc::builtins::BUILTINS
            .iter()
            .position(|name| *name == "input")
            .expect("input is a builtin");
        vm.start(Value::Builtin(input as u16), &[]).expect("starts");
        // A waiting process's stack may be trimmed to nothing.
        vm.trim_stack();
        assert!(matches!(vm.run(), crate::Halt::Parked(Wait::Await(_))));
        let line = vm.heap.alloc_str("a line");
        match vm.resume(Resume::Value(line)) {
            crate::Halt::Finished(v) => {
                assert_eq!(crate::format::display_string(&vm.heap, v), "a line")
            }
            _ => panic!("the process did not end with the line"),
        }
    }

    #[test]
    fn a_blocking_job_that_fails_raises_its_error() {
        let mut vm = Vm::new(VmOptions::default());
        let job: BlockingJob = Box::new(|| Blocked::Error {
            kind: "IoError",
            message: "input(): broken pipe".to_string(),
        });
        let Err(e) = vm.run_blocking(job) else {
            panic!("the error was lost")
        };
        let shown = crate::format::display_string(&vm.heap, e.0);
        assert!(shown.contains("broken pipe"), "{shown}");
        let none: BlockingJob = Box::new(|| Blocked::None);
        assert!(matches!(vm.run_blocking(none), Ok(Value::None)));
    }

    #[test]
    fn a_lent_host_cannot_be_replaced_until_it_is_back() {
        let mut vm = Vm::new(VmOptions::default());
        assert!(call(&mut vm).is_none(), "no host, nothing to lend");
        let host = Arc::new(Probe::default());
        assert!(vm.set_host(host.clone()));
        // Both calls were refused a new host, and reached the same one.
        assert!(matches!(call(&mut vm), Some(Value::Int(1))));
        assert_eq!(host.calls.load(std::sync::atomic::Ordering::Relaxed), 2);
        assert!(vm.set_host(Arc::new(Probe::default())));
        assert!(
            matches!(call(&mut vm), Some(Value::Int(1))),
            "the new host counts anew"
        );
    }
}
