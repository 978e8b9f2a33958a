//! Raft tests on the shared test network (`proto::testnet`): messages with a random latency
//! from a seeded rng, cut links, timers by tick, crashes that drop a node's timers. After every
//! handler call [`Safety`] checks the cluster-wide invariants: at most one leader per term,
//! committed prefixes agree (State Machine Safety), no bank balance is ever negative (and the
//! network itself fails a test that answers an op twice).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use crate::sim::proto::testnet::{req, Net, Reply, Watch};
use crate::sim::proto::{Effect, Msg as AnyMsg, Replica};
use crate::sim::types::{Case, Conflict, Mode};

/// Raft's safety invariants, checked after every handler call.
#[derive(Default)]
struct Safety {
    leaders: BTreeMap<Term, NodeId>,
    /// The longest committed prefix any node has shown.
    committed: Vec<Entry>,
}

impl Watch for Safety {
    fn after_call(&mut self, nodes: &[Replica], cfg: &ProtoConfig) {
        for (i, n) in nodes.iter().map(cp).enumerate() {
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
            if cfg.case == Case::Bank {
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

type Harness = Net<Safety>;

fn harness(case: Case, nodes: u8, seed: u64, latency: (Tick, Tick)) -> Harness {
    let cfg = ProtoConfig::new(Mode::Cp, Conflict::Lww, case, nodes);
    Net::with(cfg, seed, latency, Safety::default())
}

fn cp(r: &Replica) -> &Node {
    match r {
        Replica::Cp(n) => n,
        _ => panic!("a CP node"),
    }
}

impl Harness {
    fn node(&self, i: NodeId) -> &Node {
        cp(&self.nodes[i as usize])
    }

    fn node_mut(&mut self, i: NodeId) -> &mut Node {
        match &mut self.nodes[i as usize] {
            Replica::Cp(n) => n,
            _ => panic!("a CP node"),
        }
    }

    fn cp_nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().map(cp)
    }

    /// The up leader with the highest term, if any.
    fn leader(&self) -> Option<NodeId> {
        (0..self.cfg.nodes)
            .filter(|&i| self.is_up(i) && self.node(i).role() == Role::Leader)
            .max_by_key(|&i| self.node(i).term())
    }

    /// Runs until every node knows the same leader; returns the tick.
    fn run_until_leader_known(&mut self) -> Tick {
        for _ in 0..1_000 {
            let l = self.leader();
            if l.is_some() && self.cp_nodes().all(|n| n.leader() == l) {
                return self.now;
            }
            self.run(10);
        }
        panic!("no leader after 10 000 ticks");
    }

    fn reply(&self, op: OpId) -> Option<&Reply> {
        self.replies.get(&op)
    }

    /// Calls one handler of a CP node outside the network and returns its effects.
    fn direct_cp(&mut self, i: NodeId, f: impl FnOnce(&mut Node, &mut Ctx)) -> Vec<Effect> {
        self.direct(i, |r, ctx| match r {
            Replica::Cp(n) => f(n, ctx),
            _ => panic!("a CP node"),
        })
    }
}

fn eventual_read(key: u8) -> Request {
    Request {
        consistency: Consistency::Eventual,
        ..req(OpKind::Read, key, 0)
    }
}

fn elected(h: &mut Harness) -> NodeId {
    h.run(2_000);
    let leaders: Vec<NodeId> = (0..h.cfg.nodes)
        .filter(|&i| h.node(i).role() == Role::Leader)
        .collect();
    assert_eq!(leaders.len(), 1, "exactly one leader: {leaders:?}");
    leaders[0]
}

#[test]
fn three_nodes_elect_one_leader_forward_commit_and_read() {
    let mut h = harness(Case::Register, 3, 1, (5, 20));
    let l = elected(&mut h);
    for n in h.cp_nodes() {
        assert_eq!((n.leader(), n.term()), (Some(l), h.node(l).term()));
    }
    let f = (l + 1) % 3;
    let w = h.request(f, req(OpKind::Write, 0, 7));
    h.run(300);
    assert_eq!(h.outcome(w), Some(Outcome::Ok));
    for n in h.cp_nodes() {
        assert_eq!(n.applied().state.keys, vec![Value::Int(7)]);
        assert!(n.seen(0).contains(w));
        assert_eq!(n.commit_index(), n.last_applied());
    }
    let g = (l + 2) % 3;
    let r = h.request(g, req(OpKind::Read, 0, 0));
    h.run(300);
    let (value, seen) = h.read_reply(r);
    assert_eq!(value, Value::Int(7));
    assert!(seen.contains(w) && seen.len() == 1);
    assert!(h
        .node(g)
        .view()
        .version
        .starts_with(&format!("term {}", h.node(g).term())));
}

#[test]
fn isolated_node_refuses_keeps_its_term_and_rejoins_without_deposing() {
    for (isolate_leader, write_meanwhile) in [(false, false), (false, true), (true, true)] {
        let mut h = harness(Case::Register, 3, 7, (5, 20));
        let old = elected(&mut h);
        let victim = if isolate_leader { old } else { (old + 1) % 3 };
        let term_before = h.node(victim).term();
        h.isolate(victim);
        h.run(3_000);

        let refused = h.request(victim, req(OpKind::Write, 0, 1));
        let no_quorum = Reason::NoQuorum {
            reached: 1,
            needed: 2,
            total: 3,
        };
        assert_eq!(h.outcome(refused), Some(Outcome::Refused(no_quorum)));
        assert_ne!(h.node(victim).role(), Role::Leader);
        h.run(5_000);
        assert_eq!(
            h.node(victim).term(),
            term_before,
            "an isolated node must not bump its term"
        );
        assert!(!h.cp_nodes().any(|n| n
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
        h.run(500);
        assert_eq!(h.outcome(w), Some(Outcome::Ok));

        let leader_term = h.node(new).term();
        h.heal();
        h.run(3_000);
        assert_eq!(h.leader(), Some(new), "healing must not depose the leader");
        assert_eq!(h.node(new).term(), leader_term);
        assert_eq!(h.node(victim).leader(), Some(new));
        assert_eq!(h.node(victim).applied(), h.node(new).applied());
        assert_eq!(h.node(victim).seen(0).contains(w), write_meanwhile);
    }
}

#[test]
fn a_deposed_leader_never_serves_a_stale_read() {
    let mut h = harness(Case::Register, 3, 3, (5, 20));
    let old = elected(&mut h);
    h.isolate(old);
    // The majority elects a new leader and commits a write while the old leader, cut off,
    // still believes it leads (check-quorum has not fired yet).
    let mut write = None;
    let mut read = None;
    for _ in 0..300 {
        h.run(5);
        match (write, h.leader()) {
            (None, Some(l)) if l != old => write = Some(h.request(l, req(OpKind::Write, 0, 5))),
            (Some(w), _) if read.is_none() && h.reply(w).is_some() => {
                assert_eq!(
                    h.node(old).role(),
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
    assert_eq!(h.outcome(w), Some(Outcome::Ok));
    match h.reply(r).map(|a| (a.outcome, &a.value)) {
        None | Some((Outcome::Refused(Reason::NoQuorum { .. }), None)) => {}
        other => panic!("a minority leader answered a linearizable read: {other:?}"),
    }
    assert_ne!(
        h.node(old).role(),
        Role::Leader,
        "check-quorum made it step down"
    );
    // An eventual read there is served locally and is stale: that is the point.
    let e = h.request(old, eventual_read(0));
    let (value, seen) = h.read_reply(e);
    assert_eq!(value, Value::Int(0));
    assert!(!seen.contains(w));
}

#[test]
fn crashed_leader_is_replaced_and_committed_entries_survive_recovery() {
    let mut h = harness(Case::Bank, 3, 11, (5, 20));
    let old = elected(&mut h);
    let ops: Vec<OpId> = (0..3)
        .map(|i| h.request((old + i) % 3, req(OpKind::Deposit, 0, 10)))
        .collect();
    h.run(500);
    for op in &ops {
        assert_eq!(h.outcome(*op), Some(Outcome::Ok));
    }
    let old_term = h.node(old).term();
    let committed = h.node(old).commit_index();
    h.crash(old);
    h.run(2_000);
    let new = h.leader().expect("a new leader");
    assert_ne!(new, old);
    assert!(h.node(new).term() > old_term);
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
    h.run(500);
    assert_eq!(h.outcome(t), Some(Outcome::Ok));

    h.recover(old);
    assert!(
        h.node(old).log().len() as LogIndex >= committed,
        "the log is on disk"
    );
    h.run(2_000);
    let (o, n) = (&h.node(old), &h.node(new));
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
    let mut h = harness(Case::Register, 3, 5, (5, 20));
    h.isolate(2);
    let early = h.request(2, req(OpKind::Write, 0, 1));
    assert!(
        h.reply(early).is_none(),
        "a fresh node does not know yet that it is alone"
    );
    h.run(1_500);
    let late = h.request(2, req(OpKind::Write, 0, 2));
    let no_quorum = Reason::NoQuorum {
        reached: 1,
        needed: 2,
        total: 3,
    };
    assert_eq!(h.outcome(late), Some(Outcome::Refused(no_quorum)));
    assert_eq!(h.node(2).term(), 0);
}

#[test]
fn pre_votes_are_refused_while_the_leader_is_alive_and_never_bump_terms() {
    let mut h = harness(Case::Register, 3, 2, (5, 20));
    let l = elected(&mut h);
    let (f, c) = ((l + 1) % 3, (l + 2) % 3);
    let term = h.node(f).term();
    // A candidate with a log at least as up to date as anybody's.
    let prevote = Msg::PreVote {
        term: term + 1,
        last_index: 100,
        last_term: term,
    };
    let granted = |h: &mut Harness| {
        let effects = h.direct_cp(f, |n, ctx| n.on_message(ctx, c, prevote.clone()));
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
    h.run(1_000);
    assert!(granted(&mut h), "no leader heard for a lease: granted");
    assert_eq!(h.node(f).term(), term, "a pre-vote changes no term");
}

/// Raft §5.4.2 (Figure 8): a new leader does not commit an entry of an older term by counting
/// replicas; it commits it only together with an entry of its own term.
#[test]
fn a_leader_commits_old_entries_only_through_one_of_its_term() {
    let cfg = ProtoConfig::new(Mode::Cp, Conflict::Lww, Case::Register, 5);
    let mut h = harness(Case::Register, 5, 4, (5, 20));
    *h.node_mut(0) = Node::new(&cfg, 0);
    let w = |op| Command::Client {
        op,
        req: req(OpKind::Write, 0, 1),
    };
    let n = h.node_mut(0);
    n.log = vec![Entry { term: 1, cmd: w(0) }, Entry { term: 2, cmd: w(1) }];
    n.term = 3;
    n.role = Role::Candidate;
    n.voted_for = Some(0);
    let _ = h.direct_cp(0, |n, ctx| n.become_leader(ctx));
    assert_eq!(h.node(0).log().len(), 3, "the no-op of term 3");
    let ack = |index| Msg::AppendReply {
        term: 3,
        success: true,
        index,
        read_seq: 0,
    };
    for p in [1, 2] {
        let _ = h.direct_cp(0, |n, ctx| n.on_message(ctx, p, ack(2)));
    }
    assert_eq!(
        h.node(0).commit_index(),
        0,
        "entry 2 is on a majority but of term 2"
    );
    for p in [1, 2] {
        let _ = h.direct_cp(0, |n, ctx| n.on_message(ctx, p, ack(3)));
    }
    assert_eq!(h.node(0).commit_index(), 3);
    assert_eq!(h.node(0).applied().state.keys, vec![Value::Int(1)]);
    assert_eq!(h.node(0).last_applied(), 3);
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
        let mut h = harness(Case::Bank, 3, seed, (lat_lo, lat_lo + lat_spread));
        // Elections may split (then a request parked meanwhile can time out); start once a
        // leader is known to everybody, so that both requests must complete.
        let start = h.run_until_leader_known();
        let (at1, at2) = (start + at1, start + at2);
        let (first, second) = if at1 <= at2 { ((at1, n1), (at2, n2)) } else { ((at2, n2), (at1, n1)) };
        h.run_until(first.0);
        let a = h.request(first.1, req(OpKind::Withdraw, 0, 80));
        h.run_until(second.0);
        let b = h.request(second.1, req(OpKind::Withdraw, 0, 80));
        h.run(3_000);
        let mut outcomes = vec![h.outcome(a), h.outcome(b)];
        outcomes.sort_by_key(|o| format!("{o:?}"));
        prop_assert_eq!(outcomes, vec![
            Some(Outcome::Ok),
            Some(Outcome::Refused(Reason::InsufficientFunds { balance: 20 })),
        ]);
        for n in h.cp_nodes() {
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
        let mut h = harness(Case::Bank, nodes, seed, (1, lat_hi));
        let mut op_reqs = BTreeMap::new();
        for (at, what, node) in fault_plan(&faults, &requests) {
            let node = node % nodes;
            h.run_until(at);
            match what {
                0 if h.is_up(node) => h.crash(node),
                0 | 1 => if !h.is_up(node) { h.recover(node) },
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
            if !h.is_up(n) { h.recover(n) }
        }
        h.heal();
        h.run(5_000);
        let committed_ops: BTreeSet<OpId> = h.watch.committed.iter().filter_map(|e| match e.cmd {
            Command::Client { op, .. } => Some(op),
            Command::Noop => None,
        }).collect();
        let mut ok_withdrawals = 0;
        for (op, r) in &op_reqs {
            if h.outcome(*op) == Some(Outcome::Ok) {
                if r.kind.is_update() {
                    prop_assert!(committed_ops.contains(op), "acknowledged op {} not committed", op);
                }
                ok_withdrawals += usize::from(r.kind == OpKind::Withdraw);
            }
        }
        // No stale linearizable read: an Ok read reflects every update acknowledged before it.
        for (r, _) in op_reqs.iter().filter(|(op, r)| r.kind == OpKind::Read && h.outcome(**op) == Some(Outcome::Ok)) {
            let seen = &h.replies[r].seen;
            for (u, _) in op_reqs.iter().filter(|(op, q)| q.kind.is_update() && h.outcome(**op) == Some(Outcome::Ok)) {
                if h.replies[u].at < h.invoked_at[r] {
                    prop_assert!(seen.contains(*u), "read {} missed update {} acknowledged before it", r, u);
                }
            }
        }
        let deposits = op_reqs.iter().filter(|(op, r)| r.kind == OpKind::Deposit && committed_ops.contains(op)).count() as i64;
        prop_assert!(ok_withdrawals as i64 * 60 <= 100 + deposits * 10);
        // After healing everybody converges on the committed state.
        let l = h.leader().expect("a leader after healing");
        for n in h.cp_nodes() {
            prop_assert_eq!(n.applied(), h.node(l).applied());
        }
    }
}

/// One plan of `(tick, what, node)` sorted by tick: faults (`what` 0..4) at cumulative gaps,
/// requests (`what` 10 + kind) at their ticks.
fn fault_plan(faults: &[(u8, u8, Tick)], requests: &[(u8, Tick, u8)]) -> Vec<(Tick, u8, u8)> {
    let mut plan: Vec<(Tick, u8, u8)> = Vec::new();
    let mut t = 0;
    for &(kind, node, gap) in faults {
        t += gap;
        plan.push((t, kind, node));
    }
    for &(node, at, kind) in requests {
        plan.push((at, 10 + kind, node));
    }
    plan.sort_unstable();
    plan
}
