//! Async MPMC channel with Noodle's semantics (`channel(n)`, `send`, `recv`, `close`).
//!
//! Design: one `Mutex` guards everything. Waiting futures queue up FIFO and values are
//! *handed directly* to the oldest waiter (a waiting receiver gets a value assigned, a
//! waiting sender's value is moved into the buffer / taken by a receiver). Because the
//! hand-off happens under the lock, nobody can barge past a waiter (fairness) and a wake-up
//! always comes with its result (no lost wake-ups). The result is parked in `outcomes`
//! until the future is polled, so a dropped future can undo or keep it (cancellation).
//!
//! Invariants while the lock is free:
//! - receivers waiting => buffer empty and no sender waiting;
//! - senders waiting => buffer holds >= capacity values (0 for a rendezvous).
//!   The buffer may exceed capacity by values a cancelled receiver handed back.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    Unbounded,
    /// `Bounded(0)` is a rendezvous: a send completes only once a receiver took the value.
    Bounded(usize),
}

/// `send` failed because the channel is closed; the value is given back.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed<T>(pub T);

/// `recv` on a closed, drained channel.
#[derive(Debug, PartialEq, Eq)]
pub struct RecvClosed;

#[derive(Debug, PartialEq, Eq)]
pub enum TrySendError<T> {
    Full(T),
    Closed(T),
}

#[derive(Debug, PartialEq, Eq)]
pub enum TryRecvError {
    Empty,
    Closed,
}

/// What happened to a waiter while it was not looking; kept until it polls (or drops).
enum Outcome<T> {
    Sent,
    Rejected(T),
    Received(T),
}

/// A queued future: senders carry their value (`V = T`), receivers nothing (`V = ()`).
struct Waiter<V> {
    id: u64,
    value: V,
    waker: Waker,
}

struct State<T> {
    buffer: VecDeque<T>,
    cap: Option<usize>,
    closed: bool,
    senders: VecDeque<Waiter<T>>,
    receivers: VecDeque<Waiter<()>>,
    outcomes: HashMap<u64, Outcome<T>>,
    next_id: u64,
}

impl<T> State<T> {
    fn has_room(&self) -> bool {
        self.cap.is_none_or(|cap| self.buffer.len() < cap)
    }

    /// Deliver a value that now belongs to the channel: oldest waiting receiver first.
    /// Only called when there is room, or for values that must not be lost (`front`).
    fn put(&mut self, value: T, front: bool) {
        if let Some(r) = self.receivers.pop_front() {
            self.outcomes.insert(r.id, Outcome::Received(value));
            r.waker.wake();
        } else if front {
            self.buffer.push_front(value);
        } else {
            self.buffer.push_back(value);
        }
    }

    /// Take the next value: buffer first, then straight from the oldest waiting sender
    /// (the rendezvous case). Taking from the buffer makes room for waiting senders.
    fn take(&mut self) -> Option<T> {
        let Some(value) = self.buffer.pop_front() else {
            return self.admit_sender();
        };
        while self.has_room() {
            match self.admit_sender() {
                Some(v) => self.buffer.push_back(v),
                None => break,
            }
        }
        Some(value)
    }

    /// Complete the oldest waiting send and hand over its value.
    fn admit_sender(&mut self) -> Option<T> {
        let s = self.senders.pop_front()?;
        self.outcomes.insert(s.id, Outcome::Sent);
        s.waker.wake();
        Some(s.value)
    }

    fn try_send(&mut self, value: T) -> Result<(), TrySendError<T>> {
        if self.closed {
            Err(TrySendError::Closed(value))
        } else if !self.receivers.is_empty() || (self.has_room() && self.senders.is_empty()) {
            self.put(value, false);
            Ok(())
        } else {
            Err(TrySendError::Full(value))
        }
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// Replace a stored waker only if it would wake a different task.
fn update_waker(slot: &mut Waker, cx: &Context<'_>) {
    if !slot.will_wake(cx.waker()) {
        *slot = cx.waker().clone();
    }
}

pub struct Channel<T> {
    state: Mutex<State<T>>,
}

impl<T> Channel<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // Only a user's waker can panic under the lock (at worst dropping the value in
        // flight); keeping the channel usable beats wedging every other task on it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: Send> Channel<T> {
    pub fn new(capacity: Capacity) -> Self {
        let cap = match capacity {
            Capacity::Unbounded => None,
            Capacity::Bounded(n) => Some(n),
        };
        Channel {
            state: Mutex::new(State {
                buffer: VecDeque::new(),
                cap,
                closed: false,
                senders: VecDeque::new(),
                receivers: VecDeque::new(),
                outcomes: HashMap::new(),
                next_id: 0,
            }),
        }
    }

    pub fn send(self: &Arc<Self>, value: T) -> SendFuture<T> {
        SendFuture {
            chan: Arc::clone(self),
            value: Some(value),
            id: None,
        }
    }

    pub fn recv(self: &Arc<Self>) -> RecvFuture<T> {
        RecvFuture {
            chan: Arc::clone(self),
            id: None,
        }
    }

    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.lock().try_send(value)
    }

    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut st = self.lock();
        match st.take() {
            Some(v) => Ok(v),
            None if st.closed => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Idempotent. Buffered values stay receivable; every waiter is woken: senders get
    /// their value back, receivers (buffer is empty when they wait) get `RecvClosed`.
    pub fn close(&self) {
        let mut st = self.lock();
        if st.closed {
            return;
        }
        st.closed = true;
        while let Some(s) = st.senders.pop_front() {
            st.outcomes.insert(s.id, Outcome::Rejected(s.value));
            s.waker.wake();
        }
        // Receivers stay unregistered; on their next poll they see `closed`.
        for r in std::mem::take(&mut st.receivers) {
            r.waker.wake();
        }
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Buffered values (not counting values held by waiting senders).
    pub fn len(&self) -> usize {
        self.lock().buffer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `None` for unbounded, `Some(0)` for a rendezvous.
    pub fn capacity(&self) -> Option<usize> {
        self.lock().cap
    }
}

/// Future of [`Channel::send`]. Dropping it before completion withdraws the value.
pub struct SendFuture<T> {
    chan: Arc<Channel<T>>,
    value: Option<T>,
    /// Set once the value was handed to the channel's wait queue.
    id: Option<u64>,
}

// The value is only moved by value, never pinned, so the future can be Unpin for any T.
impl<T> Unpin for SendFuture<T> {}

impl<T: Send> Future for SendFuture<T> {
    type Output = Result<(), Closed<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut st = this.chan.lock();
        if let Some(id) = this.id {
            let result = match st.outcomes.remove(&id) {
                Some(Outcome::Sent) => Ok(()),
                Some(Outcome::Rejected(v)) => Err(Closed(v)),
                Some(Outcome::Received(_)) => unreachable!("sender id got a receiver outcome"),
                None => {
                    let w = st.senders.iter_mut().find(|w| w.id == id);
                    update_waker(&mut w.expect("pending sender is queued").waker, cx);
                    return Poll::Pending;
                }
            };
            this.id = None;
            Poll::Ready(result)
        } else {
            let value = this
                .value
                .take()
                .expect("SendFuture polled after completion");
            match st.try_send(value) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(TrySendError::Closed(v)) => Poll::Ready(Err(Closed(v))),
                Err(TrySendError::Full(value)) => {
                    let id = st.fresh_id();
                    st.senders.push_back(Waiter {
                        id,
                        value,
                        waker: cx.waker().clone(),
                    });
                    this.id = Some(id);
                    Poll::Pending
                }
            }
        }
    }
}

impl<T> SendFuture<T> {
    /// Withdraw the send atomically: `Some(value)` if it was not delivered (so the caller
    /// may retry without duplicating), `None` if it had already completed. Dropping cannot
    /// tell the caller which happened; a timeout or `select` on a send needs this.
    pub fn cancel(mut self) -> Option<T> {
        self.withdraw()
    }

    fn withdraw(&mut self) -> Option<T> {
        let Some(id) = self.id.take() else {
            return self.value.take(); // never queued: nothing was delivered
        };
        let mut st = self.chan.lock();
        match st.outcomes.remove(&id) {
            Some(Outcome::Rejected(v)) => Some(v),
            Some(_) => None, // `Sent`: the value stays delivered
            None => {
                let i = st.senders.iter().position(|w| w.id == id);
                i.and_then(|i| st.senders.remove(i)).map(|w| w.value)
            }
        }
    }
}

impl<T> Drop for SendFuture<T> {
    fn drop(&mut self) {
        self.withdraw();
    }
}

/// Future of [`Channel::recv`]. Dropping it never loses a value already assigned to it.
pub struct RecvFuture<T> {
    chan: Arc<Channel<T>>,
    /// Set while registered in the receiver queue (or holding an assigned value).
    id: Option<u64>,
}

impl<T: Send> Future for RecvFuture<T> {
    type Output = Result<T, RecvClosed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut st = this.chan.lock();
        if let Some(id) = this.id {
            if let Some(Outcome::Received(v)) = st.outcomes.remove(&id) {
                this.id = None;
                return Poll::Ready(Ok(v));
            }
            if let Some(w) = st.receivers.iter_mut().find(|w| w.id == id) {
                update_waker(&mut w.waker, cx);
                return Poll::Pending;
            }
            // Neither assigned nor queued: woken by `close`.
            this.id = None;
        }
        // By the invariants, `take` finds nothing while others wait, so no barging.
        if let Some(v) = st.take() {
            return Poll::Ready(Ok(v));
        }
        if st.closed {
            return Poll::Ready(Err(RecvClosed));
        }
        let id = st.fresh_id();
        st.receivers.push_back(Waiter {
            id,
            value: (),
            waker: cx.waker().clone(),
        });
        this.id = Some(id);
        Poll::Pending
    }
}

impl<T> Drop for RecvFuture<T> {
    fn drop(&mut self) {
        let Some(id) = self.id else { return };
        let mut st = self.chan.lock();
        match st.outcomes.remove(&id) {
            // Assigned but never observed: pass it to the next receiver or back to the
            // front of the buffer, keeping FIFO order (even on a closed channel).
            Some(Outcome::Received(v)) => st.put(v, true),
            _ => st.receivers.retain(|w| w.id != id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::task::Wake;
    use std::time::Duration;

    /// Waker that counts its wake-ups, to prove waiters are woken (exactly when expected).
    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    fn counter() -> (Arc<Count>, Waker) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }
    fn wakes(c: &Count) -> usize {
        c.0.load(SeqCst)
    }
    fn poll<F: Future + Unpin>(f: &mut F, w: &Waker) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(w))
    }
    fn poll_noop<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        poll(f, Waker::noop())
    }
    fn chan<T: Send>(cap: Capacity) -> Arc<Channel<T>> {
        Arc::new(Channel::new(cap))
    }
    /// No waiter registrations or unclaimed outcomes left behind.
    fn assert_quiet<T>(ch: &Channel<T>) {
        let st = ch.state.lock().unwrap();
        assert!(st.senders.is_empty() && st.receivers.is_empty() && st.outcomes.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifo_single_producer_consumer() {
        let ch = chan(Capacity::Bounded(4));
        let tx = ch.clone();
        let producer = tokio::spawn(async move {
            for i in 0..1000 {
                tx.send(i).await.unwrap();
            }
            tx.close();
        });
        let mut got = Vec::new();
        while let Ok(v) = ch.recv().await {
            got.push(v);
        }
        producer.await.unwrap();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn bounded_blocks_at_capacity() {
        let ch = chan(Capacity::Bounded(2));
        assert_eq!(ch.capacity(), Some(2));
        ch.try_send(1).unwrap();
        ch.try_send(2).unwrap();
        assert_eq!(ch.try_send(9), Err(TrySendError::Full(9)));
        let (count, waker) = counter();
        let mut s = ch.send(3);
        assert!(poll(&mut s, &waker).is_pending());
        assert!(poll(&mut s, &waker).is_pending());
        assert_eq!((ch.len(), wakes(&count)), (2, 0));
        assert_eq!(ch.try_recv(), Ok(1));
        assert_eq!(wakes(&count), 1); // the freed slot went to the waiting sender
        assert_eq!(poll(&mut s, &waker), Poll::Ready(Ok(())));
        assert_eq!((ch.try_recv(), ch.try_recv()), (Ok(2), Ok(3)));
        assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
        assert_quiet(&ch);
    }

    #[test]
    fn rendezvous_handoff() {
        let ch = chan(Capacity::Bounded(0));
        assert_eq!(ch.try_send(1), Err(TrySendError::Full(1)));
        // Send first: pending until a receiver takes the value.
        let (sc, sw) = counter();
        let mut s = ch.send(7);
        assert!(poll(&mut s, &sw).is_pending());
        assert_eq!(ch.len(), 0);
        assert_eq!(poll_noop(&mut ch.recv()), Poll::Ready(Ok(7)));
        assert_eq!(wakes(&sc), 1);
        assert_eq!(poll(&mut s, &sw), Poll::Ready(Ok(())));
        // Receive first: pending until a sender arrives, which then completes at once.
        let (rc, rw) = counter();
        let mut r = ch.recv();
        assert!(poll(&mut r, &rw).is_pending());
        assert_eq!(poll_noop(&mut ch.send(8)), Poll::Ready(Ok(())));
        assert_eq!(wakes(&rc), 1);
        assert_eq!(poll(&mut r, &rw), Poll::Ready(Ok(8)));
        assert_quiet(&ch);
    }

    #[test]
    fn waiters_are_served_fifo() {
        let ch = chan(Capacity::Bounded(0));
        let (mut r1, mut r2) = (ch.recv(), ch.recv());
        assert!(poll_noop(&mut r1).is_pending() && poll_noop(&mut r2).is_pending());
        ch.try_send(1).unwrap();
        ch.try_send(2).unwrap();
        assert_eq!(
            (poll_noop(&mut r2), poll_noop(&mut r1)),
            (Poll::Ready(Ok(2)), Poll::Ready(Ok(1)))
        );
        let (mut s1, mut s2) = (ch.send(10), ch.send(20));
        assert!(poll_noop(&mut s1).is_pending() && poll_noop(&mut s2).is_pending());
        assert_eq!((ch.try_recv(), ch.try_recv()), (Ok(10), Ok(20)));
        assert!(poll_noop(&mut s1).is_ready() && poll_noop(&mut s2).is_ready());
        assert_quiet(&ch);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn close_drains_then_closed() {
        let ch = chan(Capacity::Unbounded);
        for i in 0..3 {
            ch.send(i).await.unwrap();
        }
        ch.close();
        ch.close(); // closing twice is a no-op
        assert!(ch.is_closed());
        for i in 0..3 {
            assert_eq!(ch.recv().await, Ok(i));
        }
        assert_eq!(ch.recv().await, Err(RecvClosed));
        assert_eq!(ch.try_recv(), Err(TryRecvError::Closed));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn send_after_close_returns_value() {
        let ch = chan(Capacity::Bounded(4));
        ch.close();
        assert_eq!(ch.send("x".to_string()).await, Err(Closed("x".to_string())));
        assert_eq!(
            ch.try_send(5.to_string()),
            Err(TrySendError::Closed("5".to_string()))
        );
        assert!(ch.is_empty());
    }

    #[test]
    fn close_wakes_waiting_senders_and_receivers() {
        let ch = chan(Capacity::Bounded(1));
        ch.try_send(1).unwrap();
        let (sc, sw) = counter();
        let mut s = ch.send(2);
        assert!(poll(&mut s, &sw).is_pending());
        ch.close();
        assert_eq!(wakes(&sc), 1);
        assert_eq!(poll(&mut s, &sw), Poll::Ready(Err(Closed(2))));
        assert_eq!(ch.try_recv(), Ok(1)); // the buffered value survives the close
        assert_eq!(ch.try_recv(), Err(TryRecvError::Closed));

        let ch = chan::<i32>(Capacity::Bounded(0));
        let (rc, rw) = counter();
        let mut r = ch.recv();
        assert!(poll(&mut r, &rw).is_pending());
        ch.close();
        assert_eq!(wakes(&rc), 1);
        assert_eq!(poll(&mut r, &rw), Poll::Ready(Err(RecvClosed)));
        assert_quiet(&ch);
    }

    /// 4 producers x 10,000 values, 4 consumers: every value exactly once, and each
    /// producer's values reach any one consumer in the order they were sent.
    async fn stress(cap: Capacity) {
        const P: u64 = 4;
        const N: u64 = 10_000;
        let ch = chan::<u64>(cap);
        let producers: Vec<_> = (0..P)
            .map(|p| {
                let ch = ch.clone();
                tokio::spawn(async move {
                    for i in 0..N {
                        ch.send(p * N + i).await.unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let ch = ch.clone();
                tokio::spawn(async move {
                    let (mut count, mut sum, mut last) = (0u64, 0u64, [None; P as usize]);
                    while let Ok(v) = ch.recv().await {
                        let p = (v / N) as usize;
                        assert!(last[p] < Some(v), "per-producer order broken");
                        last[p] = Some(v);
                        count += 1;
                        sum += v;
                    }
                    (count, sum)
                })
            })
            .collect();
        for p in producers {
            p.await.unwrap();
        }
        ch.close();
        let (mut count, mut sum) = (0, 0);
        for c in consumers {
            let (n, s) = c.await.unwrap();
            count += n;
            sum += s;
        }
        assert_eq!(count, P * N);
        assert_eq!(sum, (0..P * N).sum::<u64>());
        assert_quiet(&ch);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mpmc_stress_unbounded() {
        stress(Capacity::Unbounded).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mpmc_stress_bounded_1() {
        stress(Capacity::Bounded(1)).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mpmc_stress_bounded_16() {
        stress(Capacity::Bounded(16)).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mpmc_stress_rendezvous() {
        stress(Capacity::Bounded(0)).await;
    }

    #[test]
    fn dropped_recv_gives_assigned_value_back() {
        // Repeatedly: register a receiver, let a value be assigned to it, drop it unpolled.
        let ch = chan(Capacity::Bounded(0));
        for i in 0..100 {
            let mut r = ch.recv();
            assert!(poll_noop(&mut r).is_pending());
            ch.try_send(i).unwrap(); // a rendezvous send succeeds only by assignment to `r`
            drop(r);
            assert_eq!(ch.try_recv(), Ok(i));
        }
        // With another receiver waiting, the value is passed on to it.
        let (mut r1, mut r2) = (ch.recv(), ch.recv());
        assert!(poll_noop(&mut r1).is_pending() && poll_noop(&mut r2).is_pending());
        ch.try_send(42).unwrap();
        drop(r1);
        assert_eq!(poll_noop(&mut r2), Poll::Ready(Ok(42)));
        // Even after close the given-back value is still receivable.
        let mut r = ch.recv();
        assert!(poll_noop(&mut r).is_pending());
        ch.try_send(7).unwrap();
        ch.close();
        drop(r);
        assert_eq!(ch.try_recv(), Ok(7));
        assert_eq!(ch.try_recv(), Err(TryRecvError::Closed));
        assert_quiet(&ch);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancelled_by_timeout_loses_nothing() {
        // Both sides pause now and then, so the other side's 1 ms timeouts fire and drop
        // pending futures. A send may complete between its last poll and the timeout
        // firing, so it is cancelled explicitly to learn whether to retry.
        const N: u32 = 2000;
        let ms = Duration::from_millis;
        for cap in [
            Capacity::Bounded(0),
            Capacity::Bounded(4),
            Capacity::Unbounded,
        ] {
            let ch = chan(cap);
            let tx = ch.clone();
            let producer = tokio::spawn(async move {
                let mut timeouts = 0;
                for i in 0..N {
                    if i % 100 == 0 {
                        tokio::time::sleep(ms(3)).await;
                    }
                    loop {
                        let mut send = tx.send(i);
                        if tokio::time::timeout(ms(1), &mut send).await.is_ok() {
                            break;
                        }
                        timeouts += 1;
                        if send.cancel().is_none() {
                            break;
                        }
                    }
                }
                tx.close();
                timeouts
            });
            let (mut got, mut timeouts) = (Vec::new(), 0);
            loop {
                if got.len() % 150 == 149 {
                    tokio::time::sleep(ms(3)).await;
                }
                match tokio::time::timeout(ms(1), ch.recv()).await {
                    Ok(Ok(v)) => got.push(v),
                    Ok(Err(RecvClosed)) => break,
                    Err(_) => timeouts += 1,
                }
            }
            let send_timeouts = producer.await.unwrap();
            assert!(timeouts > 0, "test never cancelled a recv");
            assert!(
                cap == Capacity::Unbounded || send_timeouts > 0,
                "no send cancelled"
            );
            assert_eq!(got, (0..N).collect::<Vec<_>>());
            assert_quiet(&ch);
        }
    }

    #[test]
    fn dropped_rendezvous_send() {
        // Dropped before the hand-off: withdrawn, not delivered, no waiter left behind.
        let ch = chan(Capacity::Bounded(0));
        let mut s = ch.send(1);
        assert!(poll_noop(&mut s).is_pending());
        drop(s);
        assert_quiet(&ch);
        let mut r = ch.recv();
        assert!(poll_noop(&mut r).is_pending()); // the withdrawn value is not there
        assert_eq!(poll_noop(&mut ch.send(2)), Poll::Ready(Ok(())));
        assert_eq!(poll_noop(&mut r), Poll::Ready(Ok(2)));
        // Dropped after the hand-off (completed, never observed): stays delivered.
        let mut s = ch.send(3);
        assert!(poll_noop(&mut s).is_pending());
        assert_eq!(ch.try_recv(), Ok(3));
        drop(s);
        // `cancel` tells the two cases apart.
        let (mut s4, mut s5) = (ch.send(4), ch.send(5));
        assert!(poll_noop(&mut s4).is_pending() && poll_noop(&mut s5).is_pending());
        assert_eq!(ch.try_recv(), Ok(4));
        assert_eq!(
            (s4.cancel(), s5.cancel(), ch.send(6).cancel()),
            (None, Some(5), Some(6))
        );
        assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
        assert_quiet(&ch);
    }
}
