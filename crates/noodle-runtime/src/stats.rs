//! Counters for `noodle run --stats`. Relaxed atomics, sharded by thread:
//! they are totals read once at exit, and counting must cost next to
//! nothing, also when every worker counts at once.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use noodle_vm::Vm;

#[derive(Clone, Copy)]
enum Counter {
    Processes,
    Messages,
    GcRuns,
    GcNanos,
    Migrations,
    LatencyMisses,
    RestartFailures,
}

const COUNTERS: usize = Counter::RestartFailures as usize + 1;

/// One set of counters. Each of the first `SHARDS` threads that count
/// has a shard of its own, which only it writes: its counts are then a
/// plain load and store, with no locked instruction (which on x86 any
/// atomic update is, relaxed or not, and which waits for the thread's
/// earlier stores). Later threads share the last shard, with atomic
/// updates. The totals are summed when read. Aligned to two cache lines,
/// as adjacent lines are fetched in pairs.
#[repr(align(128))]
struct Shard([AtomicU64; COUNTERS]);

const SHARDS: usize = 64;

/// The shard that threads past the first `SHARDS` share.
const SHARED: usize = SHARDS;

static SHARD: [Shard; SHARDS + 1] =
    [const { Shard([const { AtomicU64::new(0) }; COUNTERS]) }; SHARDS + 1];

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static MY_SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed).min(SHARED);
}

fn add(counter: Counter, n: u64) {
    // A thread being torn down counts in the shared shard.
    let shard = MY_SHARD.try_with(|&i| i).unwrap_or(SHARED);
    let c = &SHARD[shard].0[counter as usize];
    if shard == SHARED {
        c.fetch_add(n, Ordering::Relaxed);
    } else {
        // This thread is the shard's only writer.
        c.store(c.load(Ordering::Relaxed).wrapping_add(n), Ordering::Relaxed);
    }
}

fn total(counter: Counter) -> u64 {
    SHARD
        .iter()
        .map(|s| s.0[counter as usize].load(Ordering::Relaxed))
        .sum()
}

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
    for shard in &SHARD {
        for c in &shard.0 {
            c.store(0, Ordering::Relaxed);
        }
    }
}

pub(crate) fn process_spawned() {
    add(Counter::Processes, 1);
}

pub(crate) fn message_sent() {
    add(Counter::Messages, 1);
}

pub(crate) fn migrated() {
    add(Counter::Migrations, 1);
}

pub(crate) fn latency_missed() {
    add(Counter::LatencyMisses, 1);
}

pub(crate) fn restart_failed() {
    add(Counter::RestartFailures, 1);
}

/// Adds the collections of a process that is ending.
pub(crate) fn process_ended(vm: &Vm) {
    let (runs, time) = vm.heap.gc_stats();
    if runs > 0 {
        add(Counter::GcRuns, runs as u64);
        add(Counter::GcNanos, time.as_nanos() as u64);
    }
}

pub(crate) fn snapshot(workers: usize) -> Stats {
    Stats {
        processes: total(Counter::Processes),
        messages: total(Counter::Messages),
        gc_runs: total(Counter::GcRuns),
        gc_nanos: total(Counter::GcNanos),
        steals: total(Counter::Migrations),
        latency_misses: total(Counter::LatencyMisses),
        restart_failures: total(Counter::RestartFailures),
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
    fn counts_from_more_threads_than_shards_add_up() {
        let before = total(Counter::LatencyMisses);
        let threads: Vec<_> = (0..SHARDS + 36)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..1000 {
                        latency_missed();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a counting thread ends");
        }
        assert_eq!(
            total(Counter::LatencyMisses) - before,
            (SHARDS as u64 + 36) * 1000
        );
    }

    #[test]
    fn peak_memory_is_read() {
        assert!(peak_rss() > 0);
    }
}
