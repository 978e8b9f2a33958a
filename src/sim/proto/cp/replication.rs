//! CP log replication: AppendEntries, the consistency check, commit and apply, ReadIndex reads.

use crate::sim::types::{NodeId, OpSet, Role};

use super::super::{Ctx, Timer};
use super::{wire, Command, Entry, LogIndex, Msg, Raft, Term, MAX_APPEND_ENTRIES};

impl Raft {
    pub(super) fn append_local(&mut self, cmd: Command) {
        assert_eq!(self.role, Role::Leader);
        self.log.push(Entry {
            term: self.term,
            cmd,
        });
        let me = self.me as usize;
        self.match_index[me] = self.last_index();
        self.next_index[me] = self.last_index() + 1;
    }

    pub(super) fn broadcast(&self, ctx: &mut Ctx, msg: Msg) {
        for p in (0..self.nodes).filter(|&p| p != self.me) {
            ctx.out.send(p, wire(msg.clone()));
        }
    }

    pub(super) fn broadcast_append(&mut self, ctx: &mut Ctx) {
        for p in (0..self.nodes).filter(|&p| p != self.me) {
            self.send_append(ctx, p);
        }
    }

    pub(super) fn send_append(&self, ctx: &mut Ctx, to: NodeId) {
        assert_eq!(self.role, Role::Leader);
        let next = self.next_index[to as usize].clamp(1, self.last_index() + 1);
        let prev_index = next - 1;
        let from = prev_index as usize;
        let until = self.log.len().min(from + MAX_APPEND_ENTRIES);
        let msg = Msg::Append {
            term: self.term,
            prev_index,
            prev_term: self.term_at(prev_index),
            entries: self.log[from..until].to_vec(),
            commit: self.commit,
            read_seq: self.read_seq,
        };
        ctx.out.send(to, wire(msg));
    }

    pub(super) fn on_heartbeat(&mut self, ctx: &mut Ctx) {
        // Check-quorum: a leader cut off from a majority steps down instead of hanging.
        if self.reached(ctx.now) < self.majority
            && ctx.now.saturating_sub(self.leading_since) >= self.heard_window_ticks
        {
            let reason = self.no_quorum(ctx.now);
            for r in std::mem::take(&mut self.reads) {
                // A read has no effect: refusing it is truthful.
                self.answer(ctx, r.op, r.origin, Err(reason), OpSet::new());
            }
            self.become_follower(ctx, self.term, None);
            return;
        }
        self.broadcast_append(ctx);
        self.heartbeat_armed = true;
        ctx.out.timer(self.heartbeat_ticks, Timer::Heartbeat);
    }

    pub(super) fn on_append(&mut self, ctx: &mut Ctx, from: NodeId, a: AppendArgs) {
        if a.term < self.term {
            let reply = Msg::AppendReply {
                term: self.term,
                success: false,
                index: 0,
                read_seq: a.read_seq,
            };
            ctx.out.send(from, wire(reply));
            return;
        }
        assert!(
            !(self.role == Role::Leader && a.term == self.term),
            "two leaders in term {}",
            a.term
        );
        self.become_follower(ctx, a.term, Some(from));
        self.reset_election_timer(ctx);
        let (success, index) = self.accept_entries(&a);
        if success {
            let last_new = a.prev_index + a.entries.len() as LogIndex;
            let new_commit = a.commit.min(last_new);
            if new_commit > self.commit {
                self.set_commit(new_commit);
            }
            self.apply_committed(ctx);
        }
        let reply = Msg::AppendReply {
            term: self.term,
            success,
            index,
            read_seq: a.read_seq,
        };
        ctx.out.send(from, wire(reply));
        self.flush_parked(ctx);
    }

    /// The consistency check and conflict truncation. Returns (success, match index or hint).
    pub(super) fn accept_entries(&mut self, a: &AppendArgs) -> (bool, LogIndex) {
        assert_ne!(
            self.role,
            Role::Leader,
            "a leader never overwrites its own log"
        );
        if a.prev_index > self.last_index() {
            return (false, self.last_index());
        }
        if self.term_at(a.prev_index) != a.prev_term {
            return (false, a.prev_index - 1);
        }
        for (i, e) in a.entries.iter().enumerate() {
            let index = a.prev_index + 1 + i as LogIndex;
            if index <= self.last_index() {
                if self.term_at(index) == e.term {
                    continue;
                }
                assert!(
                    index > self.commit,
                    "truncating committed entry {index} (commit {})",
                    self.commit
                );
                self.log.truncate(index as usize - 1);
            }
            self.log.push(*e);
        }
        (true, a.prev_index + a.entries.len() as LogIndex)
    }

    pub(super) fn on_append_reply(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        term: Term,
        success: bool,
        index: LogIndex,
        read_seq: u64,
    ) {
        if term > self.term {
            self.become_follower(ctx, term, None);
            return;
        }
        if self.role != Role::Leader || term != self.term {
            return;
        }
        let p = from as usize;
        self.acked_seq[p] = self.acked_seq[p].max(read_seq);
        if success {
            assert!(
                index <= self.last_index(),
                "follower matched beyond the leader's log"
            );
            self.match_index[p] = self.match_index[p].max(index);
            self.next_index[p] = self.match_index[p] + 1;
            self.advance_commit(ctx);
            if self.next_index[p] <= self.last_index() {
                self.send_append(ctx, from);
            }
        } else if index + 1 < self.next_index[p] {
            self.next_index[p] = (index + 1).max(self.match_index[p] + 1);
            self.send_append(ctx, from);
        }
        self.serve_reads(ctx);
    }

    /// Raft §5.4.2: commit the highest index stored on a majority whose entry is of this term.
    pub(super) fn advance_commit(&mut self, ctx: &mut Ctx) {
        assert_eq!(self.role, Role::Leader);
        let mut best = self.commit;
        for n in (self.commit + 1..=self.last_index()).rev() {
            if self.term_at(n) != self.term {
                break;
            }
            let copies = self.match_index.iter().filter(|&&m| m >= n).count();
            if copies >= self.majority as usize {
                best = n;
                break;
            }
        }
        if best > self.commit {
            self.set_commit(best);
        }
        self.apply_committed(ctx);
    }

    pub(super) fn set_commit(&mut self, commit: LogIndex) {
        assert!(
            commit >= self.commit,
            "commit index never decreases ({} -> {commit})",
            self.commit
        );
        assert!(
            commit <= self.last_index(),
            "commit {commit} beyond log {}",
            self.last_index()
        );
        self.commit = commit;
    }

    /// Applies committed entries in order; the leader answers the updates it was serving.
    pub(super) fn apply_committed(&mut self, ctx: &mut Ctx) {
        while self.last_applied < self.commit {
            self.last_applied += 1;
            let entry = self.log[self.last_applied as usize - 1];
            let Command::Client { op, req } = entry.cmd else {
                continue;
            };
            let result = self.applied.apply(op, &req);
            if let Some(origin) = self.updates.remove(&op) {
                self.answer(ctx, op, origin, result, OpSet::new());
            }
        }
        if self.role == Role::Leader {
            self.serve_reads(ctx);
        }
    }

    /// Answers every ReadIndex read whose leadership round a majority confirmed and whose index
    /// is applied.
    pub(super) fn serve_reads(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Leader || self.reads.is_empty() {
            return;
        }
        let (ready, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.reads).into_iter().partition(|r| {
                let acks = 1
                    + (0..self.nodes)
                        .filter(|&p| p != self.me && self.acked_seq[p as usize] >= r.read_seq)
                        .count();
                acks >= self.majority as usize && self.last_applied >= r.read_index
            });
        self.reads = waiting;
        for r in ready {
            let value = self.applied.state.read(&r.req);
            let seen = self.applied.seen_by(&r.req);
            self.answer(ctx, r.op, r.origin, Ok(Some(value)), seen);
        }
    }

    pub(super) fn check_invariants(&self) {
        assert!(
            self.last_applied <= self.commit,
            "applied {} > commit {}",
            self.last_applied,
            self.commit
        );
        assert!(
            self.commit <= self.last_index(),
            "commit {} > log {}",
            self.commit,
            self.last_index()
        );
        assert!(self.role != Role::Leader || self.leader == Some(self.me));
        assert!(
            self.role != Role::Leader || self.voted_for == Some(self.me),
            "a leader voted for itself"
        );
        assert!(
            self.election_backoff <= super::MAX_ELECTION_BACKOFF
                && (self.role != Role::Leader || self.election_backoff == 0),
            "election backoff {} as {:?}",
            self.election_backoff,
            self.role
        );
    }
}

/// The fields of an AppendEntries message, unpacked.
pub(super) struct AppendArgs {
    pub(super) term: Term,
    pub(super) prev_index: LogIndex,
    pub(super) prev_term: Term,
    pub(super) entries: Vec<Entry>,
    pub(super) commit: LogIndex,
    pub(super) read_seq: u64,
}
