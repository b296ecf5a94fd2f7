//! Counters for `noodle run --stats`. Relaxed atomics: they are totals
//! read once at exit, and counting must cost next to nothing.

use std::sync::atomic::{AtomicU64, Ordering};

use noodle_vm::Vm;

static PROCESSES: AtomicU64 = AtomicU64::new(0);
static MESSAGES: AtomicU64 = AtomicU64::new(0);
static GC_RUNS: AtomicU64 = AtomicU64::new(0);
static GC_NANOS: AtomicU64 = AtomicU64::new(0);
static MIGRATIONS: AtomicU64 = AtomicU64::new(0);
static LATENCY_MISSES: AtomicU64 = AtomicU64::new(0);
static RESTART_FAILURES: AtomicU64 = AtomicU64::new(0);

/// What a run did, as `--stats` prints it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tasks, actors, parallel branches and other processes started
    /// (restarts of actors included), besides the main one.
    pub processes: u64,
    /// Messages sent to actors.
    pub messages: u64,
    pub gc_runs: u64,
    pub gc_nanos: u64,
    /// Times a process resumed on another worker than the one it parked
    /// or yielded on: work the scheduler stole.
    pub steals: u64,
    /// Messages that waited longer than their actor's `@qos` latency.
    pub latency_misses: u64,
    /// Restarts whose constructor (or checkpoint restore) raised.
    pub restart_failures: u64,
    /// Peak resident memory of the whole program, in bytes (0 if unknown).
    pub peak_rss: u64,
    pub workers: usize,
}

pub(crate) fn reset() {
    for c in [
        &PROCESSES,
        &MESSAGES,
        &GC_RUNS,
        &GC_NANOS,
        &MIGRATIONS,
        &LATENCY_MISSES,
        &RESTART_FAILURES,
    ] {
        c.store(0, Ordering::Relaxed);
    }
}

pub(crate) fn process_spawned() {
    PROCESSES.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn message_sent() {
    MESSAGES.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn migrated() {
    MIGRATIONS.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn latency_missed() {
    LATENCY_MISSES.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn restart_failed() {
    RESTART_FAILURES.fetch_add(1, Ordering::Relaxed);
}

/// Adds the collections of a process that is ending.
pub(crate) fn process_ended(vm: &Vm) {
    let (runs, time) = vm.heap.gc_stats();
    GC_RUNS.fetch_add(runs as u64, Ordering::Relaxed);
    GC_NANOS.fetch_add(time.as_nanos() as u64, Ordering::Relaxed);
}

pub(crate) fn snapshot(workers: usize) -> Stats {
    Stats {
        processes: PROCESSES.load(Ordering::Relaxed),
        messages: MESSAGES.load(Ordering::Relaxed),
        gc_runs: GC_RUNS.load(Ordering::Relaxed),
        gc_nanos: GC_NANOS.load(Ordering::Relaxed),
        steals: MIGRATIONS.load(Ordering::Relaxed),
        latency_misses: LATENCY_MISSES.load(Ordering::Relaxed),
        restart_failures: RESTART_FAILURES.load(Ordering::Relaxed),
        peak_rss: peak_rss(),
        workers,
    }
}

/// `VmHWM` of /proc/self/status: the peak resident set, in bytes.
fn peak_rss() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

impl Stats {
    /// The report `--stats` prints to stderr.
    pub fn render(&self) -> String {
        let gc_ms = self.gc_nanos as f64 / 1e6;
        format!(
            "--- noodle stats ---\n\
             workers:           {}\n\
             processes spawned: {}\n\
             messages sent:     {}\n\
             gc runs:           {} ({gc_ms:.1} ms)\n\
             scheduler steals:  {}\n\
             qos latency misses: {}\n\
             failed restarts:   {}\n\
             peak memory:       {:.1} MB\n",
            self.workers,
            self.processes,
            self.messages,
            self.gc_runs,
            self.steals,
            self.latency_misses,
            self.restart_failures,
            self.peak_rss as f64 / (1024.0 * 1024.0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_every_figure() {
        let s = Stats {
            processes: 3,
            messages: 10,
            gc_runs: 2,
            gc_nanos: 1_500_000,
            steals: 1,
            latency_misses: 0,
            restart_failures: 0,
            peak_rss: 10 * 1024 * 1024,
            workers: 2,
        };
        let text = s.render();
        for needle in [
            "processes spawned: 3",
            "messages sent:     10",
            "gc runs:           2 (1.5 ms)",
            "scheduler steals:  1",
            "peak memory:       10.0 MB",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn peak_memory_is_read() {
        assert!(peak_rss() > 0);
    }
}
