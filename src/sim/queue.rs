//! The event queue: events ordered by `(tick, seq)`, where `seq` is a global insertion counter,
//! so events due at the same tick come out in the order they were pushed (FIFO).
//!
//! Bounded: a push beyond `limit` fails instead of growing without end.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::types::Tick;
use crate::sim::sort;

#[derive(Clone, Debug)]
struct Entry<E> {
    tick: Tick,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.tick, self.seq) == (other.tick, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.tick, self.seq).cmp(&(other.tick, other.seq))
    }
}

/// The queue is full: `limit` events are already waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull {
    pub limit: usize,
}

/// A bounded min-queue of events keyed by `(tick, insertion order)`.
#[derive(Clone, Debug)]
pub struct Queue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    next_seq: u64,
    limit: usize,
}

impl<E> Queue<E> {
    /// An empty queue holding at most `limit` events.
    pub fn new(limit: usize) -> Queue<E> {
        assert!(limit > 0, "a queue must hold at least one event");
        Queue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            limit,
        }
    }

    /// Adds `event` due at `tick`; fails (and changes nothing) when the queue is full.
    pub fn push(&mut self, tick: Tick, event: E) -> Result<(), QueueFull> {
        if self.heap.len() >= self.limit {
            return Err(QueueFull { limit: self.limit });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { tick, seq, event }));
        Ok(())
    }

    /// Removes and returns the earliest event (FIFO among equal ticks).
    pub fn pop(&mut self) -> Option<(Tick, E)> {
        self.heap.pop().map(|Reverse(e)| (e.tick, e.event))
    }

    /// The tick of the earliest event, if any.
    pub fn peek_tick(&self) -> Option<Tick> {
        self.heap.peek().map(|Reverse(e)| e.tick)
    }

    /// Number of waiting events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event waits.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Removes and returns the first event (in delivery order) that `pred` picks, if any.
    /// Costs a pass over the queue and a rebuild: meant for a reader's rare clicks, not the
    /// engine's loop. The other events keep their order.
    pub fn take(&mut self, mut pred: impl FnMut(&E) -> bool) -> Option<(Tick, E)> {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        let found = entries
            .iter()
            .enumerate()
            .filter(|(_, Reverse(e))| pred(&e.event))
            .min_by_key(|(_, Reverse(e))| (e.tick, e.seq))
            .map(|(i, _)| i);
        let taken = found.map(|i| entries.swap_remove(i));
        self.heap = BinaryHeap::from(entries);
        taken.map(|Reverse(e)| (e.tick, e.event))
    }

    /// Every waiting event with its tick, in delivery order (sorted; costs a sort).
    pub fn ordered(&self) -> Vec<(Tick, &E)> {
        self.ordered_where(&|_| true)
    }

    /// The waiting events that `keep` keeps, with their ticks, in delivery order: only those
    /// are sorted (a page drawing the messages on the wire each frame sorts ≈ 600 of them, not
    /// the ≈ 4 300 events `crowd` has waiting).
    pub fn ordered_where(&self, keep: &dyn Fn(&E) -> bool) -> Vec<(Tick, &E)> {
        let mut v: Vec<&Entry<E>> = self
            .heap
            .iter()
            .map(|Reverse(e)| e)
            .filter(|e| keep(&e.event))
            .collect();
        sort::sort(&mut v);
        v.into_iter().map(|e| (e.tick, &e.event)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_tick_then_fifo_and_is_bounded() {
        let mut q = Queue::new(4);
        q.push(5, "c").unwrap();
        q.push(1, "a").unwrap();
        q.push(5, "d").unwrap();
        q.push(1, "b").unwrap();
        assert_eq!(q.push(0, "x"), Err(QueueFull { limit: 4 }));
        assert_eq!(q.peek_tick(), Some(1));
        let order: Vec<_> = q.ordered().into_iter().map(|(_, e)| *e).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
        let kept: Vec<_> = q.ordered_where(&|e| *e != "b").into_iter().collect();
        assert_eq!(kept, [(1, &"a"), (5, &"c"), (5, &"d")]);
        let popped: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(popped, [(1, "a"), (1, "b"), (5, "c"), (5, "d")]);
        assert!(q.is_empty());
    }

    #[test]
    fn take_removes_the_first_match_and_keeps_the_order_of_the_rest() {
        let mut q = Queue::new(8);
        for (t, e) in [(3, "a"), (1, "b"), (3, "c"), (2, "d"), (1, "e")] {
            q.push(t, e).unwrap();
        }
        assert_eq!(q.take(|e| *e == "c" || *e == "a"), Some((3, "a")));
        assert_eq!(q.take(|e| *e == "zz"), None);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["b", "e", "d", "c"]);
    }
}
