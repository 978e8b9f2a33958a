//! A small deterministic harness: messages with a random latency from a seeded rng, cut links,
//! timers by tick, crashes that drop a node's timers and in-flight messages. Handlers are called
//! through `Ctx`/`Out` exactly as the engine calls them. After every event it checks the
//! cluster-wide invariants: at most one leader per term, committed prefixes agree (State Machine
//! Safety), every op is answered at most once, no bank balance is ever negative.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::sim::proto::{Effect, Msg as AnyMsg, Out};
use crate::sim::types::{Case, Conflict, Mode};

enum Event {
    Deliver {
        from: NodeId,
        to: NodeId,
        msg: Msg,
    },
    Timer {
        node: NodeId,
        incarnation: u32,
        timer: Timer,
    },
}

type Answer = (Outcome, Option<Value>, OpSet);

struct Harness {
    cfg: ProtoConfig,
    nodes: Vec<Node>,
    up: Vec<bool>,
    incarnation: Vec<u32>,
    rng: ChaCha8Rng,
    net_rng: ChaCha8Rng,
    latency: (Tick, Tick),
    now: Tick,
    seq: u64,
    queue: BTreeMap<(Tick, u64), Event>,
    cut: BTreeSet<(NodeId, NodeId)>,
    replies: BTreeMap<OpId, Answer>,
    invoked_at: BTreeMap<OpId, Tick>,
    replied_at: BTreeMap<OpId, Tick>,
    leaders: BTreeMap<Term, NodeId>,
    committed: Vec<Entry>,
    next_op: OpId,
}

impl Harness {
    fn new(case: Case, nodes: u8, seed: u64, latency: (Tick, Tick)) -> Harness {
        let cfg = ProtoConfig::new(Mode::Cp, Conflict::Lww, case, nodes);
        let mut h = Harness {
            nodes: (0..nodes).map(|i| Node::new(&cfg, i)).collect(),
            cfg,
            up: vec![true; nodes as usize],
            incarnation: vec![0; nodes as usize],
            rng: ChaCha8Rng::seed_from_u64(seed),
            net_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed),
            latency,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            cut: BTreeSet::new(),
            replies: BTreeMap::new(),
            invoked_at: BTreeMap::new(),
            replied_at: BTreeMap::new(),
            leaders: BTreeMap::new(),
            committed: Vec::new(),
            next_op: 0,
        };
        for i in 0..nodes {
            h.call(i, |n, ctx| n.on_start(ctx));
        }
        h
    }

    fn schedule(&mut self, at: Tick, ev: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), ev);
    }

    /// Runs one handler of node `id` and carries out its effects.
    fn call(&mut self, id: NodeId, f: impl FnOnce(&mut Node, &mut Ctx)) {
        let mut out = Out::default();
        let mut ctx = Ctx {
            now: self.now,
            me: id,
            cfg: &self.cfg,
            rng: &mut self.rng,
            out: &mut out,
        };
        f(&mut self.nodes[id as usize], &mut ctx);
        for effect in out.effects {
            match effect {
                Effect::Send {
                    to,
                    msg: AnyMsg::Cp(msg),
                } => {
                    if !self.cut.contains(&(id, to)) {
                        let delay = self.net_rng.random_range(self.latency.0..=self.latency.1);
                        self.schedule(self.now + delay, Event::Deliver { from: id, to, msg });
                    }
                }
                Effect::Send { msg, .. } => panic!("not a CP message: {msg:?}"),
                Effect::SetTimer { after, timer } => {
                    assert!(after > 0, "a timer must fire in the future");
                    let incarnation = self.incarnation[id as usize];
                    self.schedule(
                        self.now + after,
                        Event::Timer {
                            node: id,
                            incarnation,
                            timer,
                        },
                    );
                }
                Effect::Reply {
                    op,
                    outcome,
                    value,
                    seen,
                } => {
                    let previous = self.replies.insert(op, (outcome, value, seen));
                    assert!(previous.is_none(), "op {op} answered twice");
                    self.replied_at.insert(op, self.now);
                }
            }
        }
        self.check();
    }

    fn run_until(&mut self, until: Tick) {
        while let Some(entry) = self.queue.first_entry() {
            if entry.key().0 > until {
                break;
            }
            let ((at, _), ev) = entry.remove_entry();
            self.now = at;
            match ev {
                Event::Deliver { from, to, msg } => {
                    if self.up[to as usize] && !self.cut.contains(&(from, to)) {
                        self.call(to, |n, ctx| n.on_message(ctx, from, msg));
                    }
                }
                Event::Timer {
                    node,
                    incarnation,
                    timer,
                } => {
                    if self.up[node as usize] && self.incarnation[node as usize] == incarnation {
                        self.call(node, |n, ctx| n.on_timer(ctx, timer));
                    }
                }
            }
        }
        self.now = until;
    }

    fn run_for(&mut self, ticks: Tick) {
        self.run_until(self.now + ticks);
    }

    fn request(&mut self, node: NodeId, req: Request) -> OpId {
        let op = self.next_op;
        self.next_op += 1;
        self.invoked_at.insert(op, self.now);
        if self.up[node as usize] {
            self.call(node, |n, ctx| n.on_request(ctx, op, req));
        }
        op
    }

    fn crash(&mut self, node: NodeId) {
        self.up[node as usize] = false;
        self.incarnation[node as usize] += 1;
        self.nodes[node as usize].on_crash();
    }

    fn recover(&mut self, node: NodeId) {
        self.up[node as usize] = true;
        self.call(node, |n, ctx| n.on_start(ctx));
    }

    fn isolate(&mut self, node: NodeId) {
        for p in 0..self.cfg.nodes {
            if p != node {
                self.cut.insert((node, p));
                self.cut.insert((p, node));
            }
        }
    }

    fn heal(&mut self) {
        self.cut.clear();
    }

    /// The up leader with the highest term, if any.
    fn leader(&self) -> Option<NodeId> {
        (0..self.cfg.nodes)
            .filter(|&i| self.up[i as usize] && self.nodes[i as usize].role() == Role::Leader)
            .max_by_key(|&i| self.nodes[i as usize].term())
    }

    /// Runs until every node knows the same leader; returns the tick.
    fn run_until_leader_known(&mut self) -> Tick {
        for _ in 0..1_000 {
            let l = self.leader();
            if l.is_some() && self.nodes.iter().all(|n| n.leader() == l) {
                return self.now;
            }
            self.run_for(10);
        }
        panic!("no leader after 10 000 ticks");
    }

    fn reply(&self, op: OpId) -> Option<&Answer> {
        self.replies.get(&op)
    }

    fn check(&mut self) {
        for (i, n) in self.nodes.iter().enumerate() {
            if n.role() == Role::Leader {
                let first = *self.leaders.entry(n.term()).or_insert(i as NodeId);
                assert_eq!(first, i as NodeId, "two leaders in term {}", n.term());
            }
            for (k, e) in n.log()[..n.commit_index() as usize].iter().enumerate() {
                if k == self.committed.len() {
                    self.committed.push(*e);
                }
                assert_eq!(
                    &self.committed[k],
                    e,
                    "n{} disagrees on committed entry {}",
                    i + 1,
                    k + 1
                );
            }
            if self.cfg.case == Case::Bank {
                for key in 0..2 {
                    assert!(
                        n.applied().state.int(key) >= 0,
                        "negative balance at n{}",
                        i + 1
                    );
                }
            }
        }
    }
}

fn req(kind: OpKind, key: u8, arg: i64) -> Request {
    Request {
        kind,
        key,
        key2: 1,
        arg,
        consistency: Consistency::Default,
    }
}

fn eventual_read(key: u8) -> Request {
    Request {
        consistency: Consistency::Eventual,
        ..req(OpKind::Read, key, 0)
    }
}

fn elected(h: &mut Harness) -> NodeId {
    h.run_for(2_000);
    let leaders: Vec<NodeId> = (0..h.cfg.nodes)
        .filter(|&i| h.nodes[i as usize].role() == Role::Leader)
        .collect();
    assert_eq!(leaders.len(), 1, "exactly one leader: {leaders:?}");
    leaders[0]
}

#[test]
fn three_nodes_elect_one_leader_forward_commit_and_read() {
    let mut h = Harness::new(Case::Register, 3, 1, (5, 20));
    let l = elected(&mut h);
    for n in &h.nodes {
        assert_eq!(
            (n.leader(), n.term()),
            (Some(l), h.nodes[l as usize].term())
        );
    }
    let f = (l + 1) % 3;
    let w = h.request(f, req(OpKind::Write, 0, 7));
    h.run_for(300);
    assert_eq!(h.reply(w).map(|r| r.0), Some(Outcome::Ok));
    for n in &h.nodes {
        assert_eq!(n.applied().state.keys, vec![Value::Int(7)]);
        assert!(n.seen(0).contains(w));
        assert_eq!(n.commit_index(), n.last_applied());
    }
    let g = (l + 2) % 3;
    let r = h.request(g, req(OpKind::Read, 0, 0));
    h.run_for(300);
    let (outcome, value, seen) = h.reply(r).cloned().expect("read answered");
    assert_eq!((outcome, value), (Outcome::Ok, Some(Value::Int(7))));
    assert!(seen.contains(w) && seen.len() == 1);
    assert!(h.nodes[g as usize]
        .view()
        .version
        .starts_with(&format!("term {}", h.nodes[g as usize].term())));
}

#[test]
fn isolated_node_refuses_keeps_its_term_and_rejoins_without_deposing() {
    for (isolate_leader, write_meanwhile) in [(false, false), (false, true), (true, true)] {
        let mut h = Harness::new(Case::Register, 3, 7, (5, 20));
        let old = elected(&mut h);
        let victim = if isolate_leader { old } else { (old + 1) % 3 };
        let term_before = h.nodes[victim as usize].term();
        h.isolate(victim);
        h.run_for(3_000);

        let refused = h.request(victim, req(OpKind::Write, 0, 1));
        let no_quorum = Reason::NoQuorum {
            reached: 1,
            needed: 2,
            total: 3,
        };
        assert_eq!(
            h.reply(refused).map(|r| r.0),
            Some(Outcome::Refused(no_quorum))
        );
        assert_ne!(h.nodes[victim as usize].role(), Role::Leader);
        h.run_for(5_000);
        assert_eq!(
            h.nodes[victim as usize].term(),
            term_before,
            "an isolated node must not bump its term"
        );
        assert!(!h.nodes.iter().any(|n| n
            .log()
            .iter()
            .any(|e| matches!(e.cmd, Command::Client { op, .. } if op == refused))));

        let new = h.leader().expect("the majority side has a leader");
        assert_ne!(new, victim);
        assert_eq!(new == old, !isolate_leader);
        let other = (0..3)
            .find(|&i| i != new && i != victim)
            .expect("three nodes");
        // Without a write the victim's log stays as up to date as the leader's: only leader
        // stickiness keeps its pre-vote from succeeding after healing.
        let w = if write_meanwhile {
            h.request(other, req(OpKind::Write, 0, 9))
        } else {
            h.request(other, eventual_read(0))
        };
        h.run_for(500);
        assert_eq!(h.reply(w).map(|r| r.0), Some(Outcome::Ok));

        let leader_term = h.nodes[new as usize].term();
        h.heal();
        h.run_for(3_000);
        assert_eq!(h.leader(), Some(new), "healing must not depose the leader");
        assert_eq!(h.nodes[new as usize].term(), leader_term);
        assert_eq!(h.nodes[victim as usize].leader(), Some(new));
        assert_eq!(
            h.nodes[victim as usize].applied(),
            h.nodes[new as usize].applied()
        );
        assert_eq!(
            h.nodes[victim as usize].seen(0).contains(w),
            write_meanwhile
        );
    }
}

#[test]
fn a_deposed_leader_never_serves_a_stale_read() {
    let mut h = Harness::new(Case::Register, 3, 3, (5, 20));
    let old = elected(&mut h);
    h.isolate(old);
    // The majority elects a new leader and commits a write while the old leader, cut off,
    // still believes it leads (check-quorum has not fired yet).
    let mut write = None;
    let mut read = None;
    for _ in 0..300 {
        h.run_for(5);
        match (write, h.leader()) {
            (None, Some(l)) if l != old => write = Some(h.request(l, req(OpKind::Write, 0, 5))),
            (Some(w), _) if read.is_none() && h.reply(w).is_some() => {
                assert_eq!(
                    h.nodes[old as usize].role(),
                    Role::Leader,
                    "the window this test needs"
                );
                read = Some(h.request(old, req(OpKind::Read, 0, 0)));
            }
            _ => {}
        }
    }
    let (w, r) = (
        write.expect("a new leader"),
        read.expect("the write completed"),
    );
    assert_eq!(h.reply(w).map(|a| a.0), Some(Outcome::Ok));
    match h.reply(r) {
        None | Some((Outcome::Refused(Reason::NoQuorum { .. }), None, _)) => {}
        other => panic!("a minority leader answered a linearizable read: {other:?}"),
    }
    assert_ne!(
        h.nodes[old as usize].role(),
        Role::Leader,
        "check-quorum made it step down"
    );
    // An eventual read there is served locally and is stale: that is the point.
    let e = h.request(old, eventual_read(0));
    assert_eq!(h.reply(e).map(|a| a.1.clone()), Some(Some(Value::Int(0))));
    assert!(h.reply(e).is_some_and(|a| !a.2.contains(w)));
}

#[test]
fn crashed_leader_is_replaced_and_committed_entries_survive_recovery() {
    let mut h = Harness::new(Case::Bank, 3, 11, (5, 20));
    let old = elected(&mut h);
    let ops: Vec<OpId> = (0..3)
        .map(|i| h.request((old + i) % 3, req(OpKind::Deposit, 0, 10)))
        .collect();
    h.run_for(500);
    for op in &ops {
        assert_eq!(h.reply(*op).map(|r| r.0), Some(Outcome::Ok));
    }
    let old_term = h.nodes[old as usize].term();
    let committed = h.nodes[old as usize].commit_index();
    h.crash(old);
    h.run_for(2_000);
    let new = h.leader().expect("a new leader");
    assert_ne!(new, old);
    assert!(h.nodes[new as usize].term() > old_term);
    let t = h.request(
        new,
        Request {
            kind: OpKind::Transfer,
            key: 0,
            key2: 1,
            arg: 50,
            consistency: Consistency::Default,
        },
    );
    h.run_for(500);
    assert_eq!(h.reply(t).map(|r| r.0), Some(Outcome::Ok));

    h.recover(old);
    assert!(
        h.nodes[old as usize].log().len() as LogIndex >= committed,
        "the log is on disk"
    );
    h.run_for(2_000);
    let (o, n) = (&h.nodes[old as usize], &h.nodes[new as usize]);
    assert_eq!(o.role(), Role::Follower);
    assert_eq!(o.applied(), n.applied());
    assert_eq!(
        (o.applied().state.int(0), o.applied().state.int(1)),
        (80, 50)
    );
    for op in ops.iter().chain([&t]) {
        assert!(o.seen(0).contains(*op));
    }
}

#[test]
fn an_isolated_node_that_just_started_waits_then_refuses() {
    let mut h = Harness::new(Case::Register, 3, 5, (5, 20));
    h.isolate(2);
    let early = h.request(2, req(OpKind::Write, 0, 1));
    assert!(
        h.reply(early).is_none(),
        "a fresh node does not know yet that it is alone"
    );
    h.run_for(1_500);
    let late = h.request(2, req(OpKind::Write, 0, 2));
    let no_quorum = Reason::NoQuorum {
        reached: 1,
        needed: 2,
        total: 3,
    };
    assert_eq!(
        h.reply(late).map(|r| r.0),
        Some(Outcome::Refused(no_quorum))
    );
    assert_eq!(h.nodes[2].term(), 0);
}

/// Calls one handler of a node outside the harness and returns its effects.
fn direct(h: &mut Harness, id: NodeId, f: impl FnOnce(&mut Node, &mut Ctx)) -> Vec<Effect> {
    let mut out = Out::default();
    let mut ctx = Ctx {
        now: h.now,
        me: id,
        cfg: &h.cfg,
        rng: &mut h.rng,
        out: &mut out,
    };
    f(&mut h.nodes[id as usize], &mut ctx);
    out.effects
}

#[test]
fn pre_votes_are_refused_while_the_leader_is_alive_and_never_bump_terms() {
    let mut h = Harness::new(Case::Register, 3, 2, (5, 20));
    let l = elected(&mut h);
    let (f, c) = ((l + 1) % 3, (l + 2) % 3);
    let term = h.nodes[f as usize].term();
    // A candidate with a log at least as up to date as anybody's.
    let prevote = Msg::PreVote {
        term: term + 1,
        last_index: 100,
        last_term: term,
    };
    let granted = |h: &mut Harness| {
        let effects = direct(h, f, |n, ctx| n.on_message(ctx, c, prevote.clone()));
        match effects.as_slice() {
            [Effect::Send {
                to,
                msg: AnyMsg::Cp(Msg::PreVoteReply { granted, .. }),
            }] if *to == c => *granted,
            other => panic!("expected one pre-vote reply: {other:?}"),
        }
    };
    assert!(!granted(&mut h), "the leader is alive: stickiness refuses");
    h.isolate(f);
    h.run_for(1_000);
    assert!(granted(&mut h), "no leader heard for a lease: granted");
    assert_eq!(
        h.nodes[f as usize].term(),
        term,
        "a pre-vote changes no term"
    );
}

/// Raft §5.4.2 (Figure 8): a new leader does not commit an entry of an older term by counting
/// replicas; it commits it only together with an entry of its own term.
#[test]
fn a_leader_commits_old_entries_only_through_one_of_its_term() {
    let cfg = ProtoConfig::new(Mode::Cp, Conflict::Lww, Case::Register, 5);
    let mut h = Harness::new(Case::Register, 5, 4, (5, 20));
    h.nodes[0] = Node::new(&cfg, 0);
    let w = |op| Command::Client {
        op,
        req: req(OpKind::Write, 0, 1),
    };
    let n = &mut h.nodes[0];
    n.log = vec![Entry { term: 1, cmd: w(0) }, Entry { term: 2, cmd: w(1) }];
    n.term = 3;
    n.role = Role::Candidate;
    n.voted_for = Some(0);
    let _ = direct(&mut h, 0, |n, ctx| n.become_leader(ctx));
    assert_eq!(h.nodes[0].log().len(), 3, "the no-op of term 3");
    let ack = |index| Msg::AppendReply {
        term: 3,
        success: true,
        index,
        read_seq: 0,
    };
    for p in [1, 2] {
        let _ = direct(&mut h, 0, |n, ctx| n.on_message(ctx, p, ack(2)));
    }
    assert_eq!(
        h.nodes[0].commit_index(),
        0,
        "entry 2 is on a majority but of term 2"
    );
    for p in [1, 2] {
        let _ = direct(&mut h, 0, |n, ctx| n.on_message(ctx, p, ack(3)));
    }
    assert_eq!(h.nodes[0].commit_index(), 3);
    assert_eq!(h.nodes[0].applied().state.keys, vec![Value::Int(1)]);
    assert_eq!(h.nodes[0].last_applied(), 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Two withdrawals of 80 from 100, at any nodes, times and message delays: exactly one
    /// succeeds and the other sees the balance of 20 (every replica decides the same way).
    #[test]
    fn bank_double_withdrawal_exactly_one_wins(
        seed in any::<u64>(),
        lat_lo in 1u64..30,
        lat_spread in 0u64..60,
        (at1, at2) in (0u64..600, 0u64..600),
        (n1, n2) in (0u8..3, 0u8..3),
    ) {
        let mut h = Harness::new(Case::Bank, 3, seed, (lat_lo, lat_lo + lat_spread));
        // Elections may split (then a request parked meanwhile can time out); start once a
        // leader is known to everybody, so that both requests must complete.
        let start = h.run_until_leader_known();
        let (at1, at2) = (start + at1, start + at2);
        let (first, second) = if at1 <= at2 { ((at1, n1), (at2, n2)) } else { ((at2, n2), (at1, n1)) };
        h.run_until(first.0);
        let a = h.request(first.1, req(OpKind::Withdraw, 0, 80));
        h.run_until(second.0);
        let b = h.request(second.1, req(OpKind::Withdraw, 0, 80));
        h.run_for(3_000);
        let mut outcomes = vec![h.reply(a).map(|r| r.0), h.reply(b).map(|r| r.0)];
        outcomes.sort_by_key(|o| format!("{o:?}"));
        prop_assert_eq!(outcomes, vec![
            Some(Outcome::Ok),
            Some(Outcome::Refused(Reason::InsufficientFunds { balance: 20 })),
        ]);
        for n in &h.nodes {
            prop_assert_eq!(n.applied().state.int(0), 20);
        }
    }

    /// Safety under crashes, recoveries and partitions: the harness checks after every event
    /// that terms have one leader, committed prefixes agree and balances stay non-negative; at
    /// the end at most one of the competing withdrawals was acknowledged, and every `Ok` update
    /// is in the committed log.
    #[test]
    fn safety_under_faults(
        seed in any::<u64>(),
        nodes in 3u8..=5,
        lat_hi in 5u64..120,
        faults in proptest::collection::vec((0u8..4, 0u8..5, 50u64..1_000), 1..16),
        requests in proptest::collection::vec((0u8..5, 0u64..6_000, 0u8..3), 1..40),
    ) {
        let mut h = Harness::new(Case::Bank, nodes, seed, (1, lat_hi));
        let mut plan: Vec<(Tick, u8, u8)> = Vec::new();
        let mut t = 0;
        for (kind, node, gap) in faults {
            t += gap;
            plan.push((t, kind, node));
        }
        for (node, at, kind) in requests {
            plan.push((at, 10 + kind, node));
        }
        plan.sort();
        let mut op_reqs = BTreeMap::new();
        for (at, what, node) in plan {
            let node = node % nodes;
            h.run_until(at);
            match what {
                0 if h.up[node as usize] => h.crash(node),
                0 | 1 => if !h.up[node as usize] { h.recover(node) },
                2 => h.isolate(node),
                3 => h.heal(),
                kind => {
                    let r = match kind - 10 {
                        0 => req(OpKind::Withdraw, 0, 60),
                        1 => req(OpKind::Deposit, 0, 10),
                        _ => req(OpKind::Read, 0, 0),
                    };
                    op_reqs.insert(h.request(node, r), r);
                }
            }
        }
        for n in 0..nodes {
            if !h.up[n as usize] { h.recover(n) }
        }
        h.heal();
        h.run_for(5_000);
        let committed_ops: BTreeSet<OpId> = h.committed.iter().filter_map(|e| match e.cmd {
            Command::Client { op, .. } => Some(op),
            Command::Noop => None,
        }).collect();
        let mut ok_withdrawals = 0;
        for (op, r) in &op_reqs {
            if let Some((Outcome::Ok, _, _)) = h.reply(*op) {
                if r.kind.is_update() {
                    prop_assert!(committed_ops.contains(op), "acknowledged op {} not committed", op);
                }
                ok_withdrawals += usize::from(r.kind == OpKind::Withdraw);
            }
        }
        // No stale linearizable read: an Ok read reflects every update acknowledged before it.
        for (r, _) in op_reqs.iter().filter(|(op, r)| r.kind == OpKind::Read && h.reply(**op).is_some_and(|a| a.0 == Outcome::Ok)) {
            let seen = &h.replies[r].2;
            for (u, _) in op_reqs.iter().filter(|(op, q)| q.kind.is_update() && h.reply(**op).is_some_and(|a| a.0 == Outcome::Ok)) {
                if h.replied_at[u] < h.invoked_at[r] {
                    prop_assert!(seen.contains(*u), "read {} missed update {} acknowledged before it", r, u);
                }
            }
        }
        let deposits = op_reqs.iter().filter(|(op, r)| r.kind == OpKind::Deposit && committed_ops.contains(op)).count() as i64;
        prop_assert!(ok_withdrawals as i64 * 60 <= 100 + deposits * 10);
        // After healing everybody converges on the committed state.
        let l = h.leader().expect("a leader after healing");
        for n in &h.nodes {
            prop_assert_eq!(n.applied(), h.nodes[l as usize].applied());
        }
    }
}
