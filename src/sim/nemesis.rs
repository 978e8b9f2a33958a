//! The nemesis: a random fault schedule drawn from a seed, to replace a scenario's scripted faults.
//!
//! Pure and seeded (its own `ChaCha8Rng`, no global rng): the same scenario shape and seed give
//! the same schedule. A schedule is a list of fault *episodes*, each a start action and the
//! action that ends it: a partition into random sides (ended by `HealAll`), a one-way cut
//! (`Heal`), a crash (`Recover`), a pause (`Resume`), a held link (`Release`), loss on a link
//! (loss back to the scenario's) and a slow link (latency back to the scenario's). With a quiet
//! tick every episode starts before it and ends at or before it, so at the quiet tick every link
//! is up and every node runs: eventual promises (convergence, CP serves again) are checked after.
//! Without one, an episode whose end falls past the run's end simply lasts to the end.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::action::Action;
use super::scenario::{Scenario, ScriptedAction};
use super::types::{NodeId, Tick};
use crate::sim::sort;

/// At most this many fault episodes in one schedule (each is two actions).
pub const MAX_EPISODES: u8 = 16;
/// The default number of episodes drawn (at most; see [`NemesisSpec::episodes`]).
pub const DEFAULT_EPISODES: u8 = 6;
/// Loss a lossy-link episode sets, in 1/1000 (inclusive range).
const LOSS_PER_MILLE: (u16, u16) = (100, 900);
/// Extra latency a slow-link episode adds, in ticks (inclusive range).
const SLOW_TICKS: (Tick, Tick) = (50, 400);

/// What schedule to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NemesisSpec {
    /// No fault starts before this tick.
    pub start: Tick,
    /// Every fault is healed by this tick (`None`: faults may last to the run's end).
    pub quiet: Option<Tick>,
    /// Episodes are drawn in `1..=episodes` (at most [`MAX_EPISODES`]).
    pub episodes: u8,
}

impl NemesisSpec {
    /// The default for a scenario: faults between 1/16 and 5/8 of the run, all healed at 5/8
    /// (bank: ticks 500..5000), leaving the rest of the run to recover and converge.
    pub fn for_scenario(s: &Scenario) -> NemesisSpec {
        NemesisSpec {
            start: s.end_tick / 16,
            quiet: Some(s.end_tick / 8 * 5),
            episodes: DEFAULT_EPISODES,
        }
    }
}

/// Why no schedule could be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NemesisError {
    /// Faults need at least two nodes.
    TooFewNodes(u8),
    /// `start < quiet <= end_tick` does not hold, or the window is too short.
    Window { start: Tick, quiet: Tick, end: Tick },
    /// More episodes than [`MAX_EPISODES`].
    TooManyEpisodes(u8),
}

impl std::fmt::Display for NemesisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NemesisError::TooFewNodes(n) => write!(f, "random faults need 2 nodes or more, not {n}"),
            NemesisError::Window { start, quiet, end } => write!(
                f,
                "random faults need start < quiet <= end with room between (start {start}, quiet {quiet}, end {end})"
            ),
            NemesisError::TooManyEpisodes(e) => {
                write!(f, "{e} fault episodes is more than the limit {MAX_EPISODES}")
            }
        }
    }
}

impl std::error::Error for NemesisError {}

/// The kinds of episode, drawn uniformly.
const KINDS: u32 = 7;

/// Draws a fault schedule for `s` (its node count, end tick and link timing) from `seed`, sorted
/// by tick (start before end within an episode; equal ticks keep drawing order).
pub fn schedule(
    s: &Scenario,
    spec: &NemesisSpec,
    seed: u64,
) -> Result<Vec<ScriptedAction>, NemesisError> {
    let quiet = spec.quiet.unwrap_or(s.end_tick);
    if s.nodes < 2 {
        return Err(NemesisError::TooFewNodes(s.nodes));
    }
    if spec.episodes > MAX_EPISODES {
        return Err(NemesisError::TooManyEpisodes(spec.episodes));
    }
    if spec.start + 2 > quiet || quiet > s.end_tick {
        return Err(NemesisError::Window {
            start: spec.start,
            quiet,
            end: s.end_tick,
        });
    }
    // Mixed with a constant so the schedule is not correlated with the run's own rng.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6e65_6d65_7369_7321);
    let episodes = rng.random_range(1..=spec.episodes.max(1));
    let mut out: Vec<(Tick, u32, ScriptedAction)> = Vec::new();
    for i in 0..u32::from(episodes) {
        let from = rng.random_range(spec.start..quiet);
        let to = match spec.quiet {
            Some(q) => rng.random_range(from + 1..=q),
            None => rng.random_range(from + 1..=s.end_tick + (s.end_tick - from)),
        };
        let (begin, end) = episode(&mut rng, s);
        out.push((
            from,
            2 * i,
            ScriptedAction {
                at: from,
                action: begin,
            },
        ));
        if to <= s.end_tick {
            out.push((
                to,
                2 * i + 1,
                ScriptedAction {
                    at: to,
                    action: end,
                },
            ));
        }
    }
    sort::sort_by_key(&mut out, |(at, order, _)| (*at, *order));
    let actions: Vec<ScriptedAction> = out.into_iter().map(|(_, _, a)| a).collect();
    assert!(actions.len() <= 2 * usize::from(MAX_EPISODES));
    Ok(actions)
}

/// Two different nodes.
fn pair(rng: &mut ChaCha8Rng, nodes: u8) -> (NodeId, NodeId) {
    let a = rng.random_range(0..nodes);
    let b = (a + rng.random_range(1..nodes)) % nodes;
    assert_ne!(a, b);
    (a, b)
}

/// One episode: the action that starts it and the one that ends it.
fn episode(rng: &mut ChaCha8Rng, s: &Scenario) -> (Action, Action) {
    let nodes = s.nodes;
    match rng.random_range(0..KINDS) {
        0 => (
            Action::Partition {
                sides: sides(rng, nodes),
            },
            Action::HealAll,
        ),
        1 => {
            let (from, to) = pair(rng, nodes);
            (Action::Cut { from, to }, Action::Heal { a: from, b: to })
        }
        2 => {
            let n = rng.random_range(0..nodes);
            (Action::Crash(n), Action::Recover(n))
        }
        3 => {
            let n = rng.random_range(0..nodes);
            (Action::Pause(n), Action::Resume(n))
        }
        4 => {
            let (from, to) = pair(rng, nodes);
            (Action::Hold { from, to }, Action::Release { from, to })
        }
        5 => {
            let (a, b) = pair(rng, nodes);
            let per_mille = rng.random_range(LOSS_PER_MILLE.0..=LOSS_PER_MILLE.1);
            let base = s.timing.loss_per_mille;
            (
                Action::SetLoss { a, b, per_mille },
                Action::SetLoss {
                    a,
                    b,
                    per_mille: base,
                },
            )
        }
        _ => {
            let (a, b) = pair(rng, nodes);
            let (base_ticks, jitter_ticks) = link_latency(s, a, b);
            let extra = rng.random_range(SLOW_TICKS.0..=SLOW_TICKS.1);
            let slow = Action::SetLatency {
                a,
                b,
                base_ticks: base_ticks + extra,
                jitter_ticks: jitter_ticks + extra / 4,
            };
            let back = Action::SetLatency {
                a,
                b,
                base_ticks,
                jitter_ticks,
            };
            (slow, back)
        }
    }
}

/// Random sides: every node on one of 2 or 3 sides, at least two sides not empty.
fn sides(rng: &mut ChaCha8Rng, nodes: u8) -> Vec<Vec<NodeId>> {
    let count = rng.random_range(2..=3u8.min(nodes));
    let mut side_of: Vec<u8> = (0..nodes).map(|_| rng.random_range(0..count)).collect();
    // Make sure two sides are used: move one node to another side if all landed together.
    if side_of.iter().all(|&x| x == side_of[0]) {
        let n = usize::from(rng.random_range(0..nodes));
        side_of[n] = (side_of[n] + 1) % count;
    }
    let out: Vec<Vec<NodeId>> = (0..count)
        .map(|i| {
            (0..nodes)
                .filter(|n| side_of[usize::from(*n)] == i)
                .collect()
        })
        .filter(|v: &Vec<NodeId>| !v.is_empty())
        .collect();
    assert!(out.len() >= 2, "a partition has two sides");
    out
}

/// The scenario's latency of the link `a`–`b` (its override, or the default).
fn link_latency(s: &Scenario, a: NodeId, b: NodeId) -> (Tick, Tick) {
    s.timing
        .links
        .iter()
        .rev()
        .find(|l| (l.a, l.b) == (a, b) || (l.a, l.b) == (b, a))
        .map_or(
            (s.timing.latency_base_ticks, s.timing.latency_jitter_ticks),
            |l| (l.base_ticks, l.jitter_ticks),
        )
}

/// `s` with its scripted faults replaced by the nemesis schedule of `seed`, and its seed set.
/// Requests scripted among the faults stay (merged by tick, a request first on a tie).
pub fn with_random_faults(
    s: &Scenario,
    spec: &NemesisSpec,
    seed: u64,
) -> Result<Scenario, NemesisError> {
    let mut out = s.clone();
    out.seed = seed;
    out.faults = s
        .faults
        .iter()
        .filter(|f| matches!(f.action, Action::Request { .. }))
        .cloned()
        .collect();
    out.faults.extend(schedule(s, spec, seed)?);
    sort::sort_by_key(&mut out.faults, |f| f.at);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::net::LinkMode;
    use crate::sim::types::Status;

    fn bank() -> Scenario {
        Scenario::builtin("bank").expect("built-in")
    }

    #[test]
    fn same_seed_same_schedule_and_seeds_differ() {
        let s = bank();
        let spec = NemesisSpec::for_scenario(&s);
        let a = schedule(&s, &spec, 7).expect("schedule");
        assert_eq!(a, schedule(&s, &spec, 7).expect("schedule"));
        let differ = (8..20).any(|seed| schedule(&s, &spec, seed).expect("schedule") != a);
        assert!(differ, "every seed drew the same schedule");
    }

    #[test]
    fn schedules_are_bounded_sorted_valid_and_in_the_window() {
        let s = bank();
        let spec = NemesisSpec::for_scenario(&s);
        for seed in 0..200 {
            let f = schedule(&s, &spec, seed).expect("schedule");
            assert!(!f.is_empty() && f.len() <= 2 * usize::from(MAX_EPISODES));
            assert!(f.windows(2).all(|w| w[0].at <= w[1].at), "sorted");
            for a in &f {
                assert!((spec.start..=spec.quiet.unwrap()).contains(&a.at));
                a.action
                    .validate(s.case, s.nodes, s.clients.len())
                    .expect("valid");
            }
            let mut t = s.clone();
            t.faults = f;
            t.validate().expect("the scenario stays valid");
        }
    }

    #[test]
    fn every_kind_of_fault_is_drawn() {
        let s = bank();
        let spec = NemesisSpec::for_scenario(&s);
        let mut seen = [false; KINDS as usize];
        for seed in 0..100 {
            for a in schedule(&s, &spec, seed).expect("schedule") {
                let k = match a.action {
                    Action::Partition { .. } => 0,
                    Action::Cut { .. } => 1,
                    Action::Crash(_) => 2,
                    Action::Pause(_) => 3,
                    Action::Hold { .. } => 4,
                    Action::SetLoss { per_mille, .. } if per_mille > 0 => 5,
                    Action::SetLatency { base_ticks, .. } if base_ticks > 10 => 6,
                    _ => continue,
                };
                seen[k] = true;
            }
        }
        assert_eq!(seen, [true; KINDS as usize]);
    }

    /// At the quiet tick every link is up with the scenario's loss and latency, every node runs.
    #[test]
    fn everything_is_healed_at_the_quiet_tick() {
        let mut s = Scenario::builtin("two-regions").expect("built-in");
        s.timing.loss_per_mille = 5;
        let spec = NemesisSpec::for_scenario(&s);
        let quiet = spec.quiet.unwrap();
        let before = s.build().expect("builds");
        for seed in 0..40 {
            let mut sim = with_random_faults(&s, &spec, seed)
                .expect("schedule")
                .build()
                .expect("builds");
            sim.run_until(quiet);
            assert!(!sim.faults_active(), "seed {seed}: a fault is active");
            for a in 0..s.nodes {
                assert_eq!(sim.status(a), Status::Up, "seed {seed}: n{a}");
                for b in (0..s.nodes).filter(|b| *b != a) {
                    let (l, l0) = (sim.link(a, b), before.link(a, b));
                    assert_eq!(l.mode, LinkMode::Up, "seed {seed}: {a}->{b}");
                    assert_eq!(
                        (l.base_ticks, l.jitter_ticks, l.loss_per_mille),
                        (l0.base_ticks, l0.jitter_ticks, l0.loss_per_mille),
                        "seed {seed}: {a}->{b}"
                    );
                }
            }
        }
    }

    /// Without a quiet tick nothing is scheduled past the end, and some faults last to it.
    #[test]
    fn without_a_quiet_tick_faults_may_last_to_the_end() {
        let s = bank();
        let spec = NemesisSpec {
            quiet: None,
            ..NemesisSpec::for_scenario(&s)
        };
        let mut lasting = 0;
        for seed in 0..50 {
            let f = schedule(&s, &spec, seed).expect("schedule");
            assert!(f.iter().all(|a| a.at <= s.end_tick));
            let mut sim = with_random_faults(&s, &spec, seed)
                .unwrap()
                .build()
                .unwrap();
            sim.run_to_end();
            lasting += usize::from(sim.faults_active());
        }
        assert!(
            (1..50).contains(&lasting),
            "{lasting} of 50 runs end faulty"
        );
    }

    #[test]
    fn scripted_requests_among_the_faults_stay() {
        let mut s = bank();
        let req = ScriptedAction {
            at: 900,
            action: Action::Request {
                client: 0,
                req: s.requests[0].req,
            },
        };
        s.faults.push(req.clone());
        let out = with_random_faults(&s, &NemesisSpec::for_scenario(&s), 3).unwrap();
        assert!(out.faults.contains(&req));
        assert!(
            !out.faults.contains(&s.faults[0]),
            "the scripted partition is gone"
        );
        assert!(out.faults.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn bad_specs_are_typed_errors() {
        let s = bank();
        let mut spec = NemesisSpec::for_scenario(&s);
        spec.episodes = MAX_EPISODES + 1;
        assert_eq!(
            schedule(&s, &spec, 1),
            Err(NemesisError::TooManyEpisodes(MAX_EPISODES + 1))
        );
        spec = NemesisSpec::for_scenario(&s);
        spec.quiet = Some(s.end_tick + 1);
        assert!(matches!(
            schedule(&s, &spec, 1),
            Err(NemesisError::Window { .. })
        ));
        let mut one = s.clone();
        one.nodes = 1;
        assert_eq!(
            schedule(&one, &NemesisSpec::for_scenario(&one), 1),
            Err(NemesisError::TooFewNodes(1))
        );
    }
}
