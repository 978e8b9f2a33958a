//! CP elections: Pre-Vote with leader stickiness, RequestVote, becoming leader or follower.

use crate::sim::proto::nodeset::NodeSet;

use rand::Rng;

use crate::sim::types::{NodeId, Role};

use super::super::{Ctx, Timer};
use super::{wire, Command, LogIndex, Msg, Raft, Term};

impl Raft {
    /// Arms a fresh election timer: `lo..=hi` ticks, the high end doubled once per election
    /// timeout in a row that found no leader (see [`Raft::on_election_timeout`]).
    pub(super) fn reset_election_timer(&mut self, ctx: &mut Ctx) {
        assert!(self.election_backoff <= super::MAX_ELECTION_BACKOFF);
        self.election_epoch += 1;
        let (lo, hi) = self.election_timeout_ticks;
        let after = ctx.rng.random_range(lo..=hi << self.election_backoff);
        ctx.out.timer(
            after,
            Timer::Election {
                epoch: self.election_epoch,
            },
        );
    }

    pub(super) fn last_index(&self) -> LogIndex {
        self.log.len() as LogIndex
    }

    pub(super) fn term_at(&self, index: LogIndex) -> Term {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).map_or(0, |e| e.term)
        }
    }

    /// Raft §5.4.1: a log is at least as up to date if its last term is higher, or equal with an
    /// index at least as high.
    pub(super) fn log_ok(&self, last_index: LogIndex, last_term: Term) -> bool {
        let my_term = self.term_at(self.last_index());
        last_term > my_term || (last_term == my_term && last_index >= self.last_index())
    }

    pub(super) fn on_election_timeout(&mut self, ctx: &mut Ctx) {
        if self.role == Role::Leader {
            return; // Re-armed when it steps down.
        }
        if self.live_leader(ctx.now).is_some() {
            self.election_backoff = 0;
            self.reset_election_timer(ctx);
            return;
        }
        // No leader since the last timeout: the elections meanwhile failed (or none began). With
        // timeouts near the message delay, candidates collide round after round (each region of
        // `crowd` elected its own, in lockstep, forever); a wider range spreads them apart.
        self.election_backoff = (self.election_backoff + 1).min(super::MAX_ELECTION_BACKOFF);
        self.reset_election_timer(ctx);
        self.flush_parked(ctx);
        // Pre-vote: ask whether a majority would elect us, without touching any term.
        let proposed = self.term + 1;
        let granted = NodeSet::of(self.me);
        self.prevote = Some((proposed, granted));
        let (last_index, last_term) = (self.last_index(), self.term_at(self.last_index()));
        self.broadcast(
            ctx,
            Msg::PreVote {
                term: proposed,
                last_index,
                last_term,
            },
        );
        self.check_prevote(ctx);
    }

    pub(super) fn on_prevote(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        term: Term,
        last_index: LogIndex,
        last_term: Term,
    ) {
        let leader_alive = self.role == Role::Leader || self.live_leader(ctx.now).is_some();
        let granted = term > self.term && !leader_alive && self.log_ok(last_index, last_term);
        ctx.out
            .send(from, wire(Msg::PreVoteReply { term, granted }));
    }

    pub(super) fn on_prevote_reply(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        term: Term,
        granted: bool,
    ) {
        match &mut self.prevote {
            Some((t, set)) if *t == term && granted && self.role != Role::Leader => {
                set.insert(from);
            }
            _ => return,
        }
        self.check_prevote(ctx);
    }

    pub(super) fn check_prevote(&mut self, ctx: &mut Ctx) {
        let won = matches!(&self.prevote, Some((_, set)) if set.len() >= self.majority as usize);
        if won {
            self.prevote = None;
            self.start_election(ctx);
        }
    }

    pub(super) fn start_election(&mut self, ctx: &mut Ctx) {
        self.term += 1;
        self.role = Role::Candidate;
        self.leader = None;
        self.voted_for = Some(self.me);
        self.votes.clear();
        self.votes.insert(self.me);
        self.reset_election_timer(ctx);
        let (last_index, last_term) = (self.last_index(), self.term_at(self.last_index()));
        self.broadcast(
            ctx,
            Msg::Vote {
                term: self.term,
                last_index,
                last_term,
            },
        );
        self.check_votes(ctx);
    }

    pub(super) fn on_vote(
        &mut self,
        ctx: &mut Ctx,
        from: NodeId,
        term: Term,
        last_index: LogIndex,
        last_term: Term,
    ) {
        if term > self.term {
            self.become_follower(ctx, term, None);
        }
        let free = self.voted_for.is_none() || self.voted_for == Some(from);
        let granted = term == self.term && free && self.log_ok(last_index, last_term);
        if granted {
            self.voted_for = Some(from);
            self.reset_election_timer(ctx);
        }
        ctx.out.send(
            from,
            wire(Msg::VoteReply {
                term: self.term,
                granted,
            }),
        );
    }

    pub(super) fn on_vote_reply(&mut self, ctx: &mut Ctx, from: NodeId, term: Term, granted: bool) {
        if term > self.term {
            self.become_follower(ctx, term, None);
            return;
        }
        if self.role == Role::Candidate && term == self.term && granted {
            self.votes.insert(from);
            self.check_votes(ctx);
        }
    }

    pub(super) fn check_votes(&mut self, ctx: &mut Ctx) {
        if self.role == Role::Candidate && self.votes.len() >= self.majority as usize {
            self.become_leader(ctx);
        }
    }

    pub(super) fn become_leader(&mut self, ctx: &mut Ctx) {
        assert_eq!(self.role, Role::Candidate);
        assert_eq!(self.voted_for, Some(self.me));
        self.role = Role::Leader;
        self.leader = Some(self.me);
        self.leading_since = ctx.now;
        self.election_backoff = 0;
        let next = self.last_index() + 1;
        self.next_index = vec![next; self.nodes as usize];
        self.match_index = vec![0; self.nodes as usize];
        self.acked_seq = vec![0; self.nodes as usize];
        self.append_local(Command::Noop);
        self.term_start = self.last_index();
        self.advance_commit(ctx);
        self.broadcast_append(ctx);
        if !self.heartbeat_armed {
            self.heartbeat_armed = true;
            ctx.out.timer(self.heartbeat_ticks, Timer::Heartbeat);
        }
        self.flush_parked(ctx);
    }

    /// Adopts `term` (if higher) and follows `leader` (if known). A leader stepping down drops
    /// what it was serving without answering: it cannot know the outcome any more.
    pub(super) fn become_follower(&mut self, ctx: &mut Ctx, term: Term, leader: Option<NodeId>) {
        assert!(term >= self.term, "terms never go back");
        if term > self.term {
            self.term = term;
            self.voted_for = None;
        }
        if self.role != Role::Follower {
            self.role = Role::Follower;
            self.updates.clear();
            self.reads.clear();
            self.reset_election_timer(ctx);
        }
        self.prevote = None;
        self.votes.clear();
        self.leader = leader;
        if leader.is_some() {
            self.leader_heard_at = Some(ctx.now);
            self.election_backoff = 0;
        }
    }
}
