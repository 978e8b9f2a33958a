//! Time travel for the UI: a run that can step back, jump to any event or tick, and branch.
//!
//! A [`Timeline`] keeps the scenario, the user's inputs (each tagged with the number of events
//! processed before it), snapshots of the [`Sim`] every `K` events (taken before that point's
//! inputs are applied), and the current Sim. Going back = clone the nearest snapshot at or before
//! the target and replay events and inputs; the engine is deterministic, so this reproduces the
//! same run exactly.
//!
//! The timeline also keeps the tick at which each input was applied ([`Timeline::input_ticks`]),
//! so the scrubber's marks need no re-seeking, and a recorded input that the run refuses on a
//! replay is kept as a [`ReplayError`] (in release builds too) instead of being lost silently.

use std::fmt;

use super::action::{Action, SimError, StepInfo};
use super::scenario::{Scenario, ScenarioError};
use super::types::Tick;
use super::world::Sim;

/// Snapshot period, in events, at the start (doubles when the snapshot count hits its bound).
pub const SNAPSHOT_EVERY: u64 = 256;
/// Most snapshots kept at once.
pub const MAX_SNAPSHOTS: usize = 64;

/// A recorded input that the run refused when it was applied again: the run went on without
/// it, so what follows may differ from what was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayError {
    /// Its position in [`Timeline::inputs`].
    pub index: usize,
    /// Events processed before it.
    pub at_event: u64,
    pub error: SimError,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "input {} (at event {}) does not replay: {}",
            self.index + 1,
            self.at_event,
            self.error
        )
    }
}

/// A run with its past. See the module doc.
#[derive(Clone, Debug)]
pub struct Timeline {
    scenario: Scenario,
    /// Sorted by event count.
    inputs: Vec<(u64, Action)>,
    /// The tick each input was applied at, parallel to `inputs` (shorter only while a replay
    /// has not reached the later inputs yet).
    input_ticks: Vec<Tick>,
    /// The first recorded input the run refused on a replay, if any.
    replay_error: Option<ReplayError>,
    /// Sorted by events processed; the first is the run at event 0.
    snapshots: Vec<Sim>,
    every: u64,
    current: Sim,
}

impl Timeline {
    /// A timeline at event 0 of `scenario`.
    pub fn new(scenario: Scenario) -> Result<Timeline, ScenarioError> {
        let sim = scenario.build()?;
        Ok(Timeline {
            scenario,
            inputs: Vec::new(),
            input_ticks: Vec::new(),
            replay_error: None,
            snapshots: vec![sim.clone()],
            every: SNAPSHOT_EVERY,
            current: sim,
        })
    }

    /// Rebuilds a shared run: `scenario`, then `inputs` (as returned by [`Timeline::inputs`]),
    /// positioned at event `at_event` (or the run's end if earlier). Every input is replayed
    /// (the run goes as far as the last one, then back to `at_event`); one that the run refuses
    /// (a busy client, a missing node) or never reaches is an error, never a panic.
    pub fn replay(
        scenario: Scenario,
        inputs: Vec<(u64, Action)>,
        at_event: u64,
    ) -> Result<Timeline, ScenarioError> {
        let mut t = Timeline::new(scenario)?;
        if !inputs.windows(2).all(|w| w[0].0 <= w[1].0) {
            return Err(ScenarioError::Invalid(
                "inputs must be in event order".into(),
            ));
        }
        let last = inputs.last().map_or(0, |(at, _)| *at);
        t.inputs = inputs;
        t.apply_inputs_here();
        t.seek_event(last.max(at_event));
        if let Some(e) = &t.replay_error {
            return Err(ScenarioError::Invalid(e.to_string()));
        }
        if let Some((at, _)) = t.inputs.get(t.input_ticks.len()) {
            return Err(ScenarioError::Invalid(format!(
                "input {} is at event {at}, past the run's last event ({})",
                t.input_ticks.len() + 1,
                t.events()
            )));
        }
        t.seek_event(at_event);
        Ok(t)
    }

    /// The run at the current point.
    pub fn sim(&self) -> &Sim {
        &self.current
    }
    /// The scenario this timeline runs.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    /// The user's inputs: (events processed before it, action), in order.
    pub fn inputs(&self) -> &[(u64, Action)] {
        &self.inputs
    }
    /// The tick each input was applied at, parallel to [`Timeline::inputs`].
    pub fn input_ticks(&self) -> &[Tick] {
        &self.input_ticks
    }
    /// The ticks of the reader's faults (every input but a request), in order: the scrubber's
    /// marks.
    pub fn fault_marks(&self) -> Vec<Tick> {
        self.inputs
            .iter()
            .zip(&self.input_ticks)
            .filter(|((_, a), _)| !matches!(a, Action::Request { .. }))
            .map(|(_, tick)| *tick)
            .collect()
    }
    /// The first recorded input the run refused when it replayed it (the run went on without
    /// it). `None` for any timeline built by [`Timeline::replay`] or by `apply_user` alone.
    pub fn replay_error(&self) -> Option<&ReplayError> {
        self.replay_error.as_ref()
    }
    /// Events processed at the current point.
    pub fn events(&self) -> u64 {
        self.current.events_processed()
    }
    /// Number of snapshots held.
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// Processes one event (then any input recorded at the new point).
    pub fn step(&mut self) -> Option<StepInfo> {
        let info = self.current.step()?;
        self.arrived();
        Some(info)
    }

    /// Goes back exactly one event. False at event 0.
    pub fn step_back(&mut self) -> bool {
        let n = self.events();
        if n == 0 {
            return false;
        }
        self.seek_event(n - 1);
        true
    }

    /// Moves to the point after `target` events (or the run's end if it stops earlier).
    pub fn seek_event(&mut self, target: u64) {
        if target < self.events() || self.snapshot_ahead(|s| s.events_processed() <= target) {
            self.restore(|s| s.events_processed() <= target);
        }
        while self.events() < target {
            if self.step().is_none() {
                break;
            }
        }
    }

    /// Moves to the point after every event due at or before tick `t`.
    pub fn seek_tick(&mut self, t: Tick) {
        if self.current.now() > t || self.snapshot_ahead(|s| s.now() <= t) {
            self.restore(|s| s.now() <= t);
        }
        while self.current.next_tick().is_some_and(|next| next <= t) {
            if self.step().is_none() {
                break;
            }
        }
    }

    /// Runs to the end of the scenario.
    pub fn run_to_end(&mut self) {
        while self.step().is_some() {}
    }

    /// Applies a user action at the current point, dropping the future (later inputs and
    /// snapshots) first. An action the run refuses changes nothing.
    pub fn apply_user(&mut self, action: Action) -> Result<(), SimError> {
        let n = self.events();
        self.current.apply(action.clone())?;
        let keep = self.inputs.partition_point(|(at, _)| *at <= n);
        self.inputs.truncate(keep);
        self.input_ticks.truncate(keep);
        assert_eq!(
            self.input_ticks.len(),
            keep,
            "every input up to here has its tick"
        );
        self.snapshots.retain(|s| s.events_processed() <= n);
        self.inputs.push((n, action));
        self.input_ticks.push(self.current.now());
        if self.replay_error.as_ref().is_some_and(|e| e.index >= keep) {
            self.replay_error = None;
        }
        Ok(())
    }

    /// Whether the latest snapshot satisfying `fits` lies ahead of the current point (a forward
    /// jump can then start from it instead of stepping through every event in between).
    fn snapshot_ahead(&self, fits: impl Fn(&Sim) -> bool) -> bool {
        let here = self.events();
        self.snapshots
            .iter()
            .rev()
            .find(|s| fits(s))
            .is_some_and(|s| s.events_processed() > here)
    }

    /// Back to the latest snapshot satisfying `fits` (the first one always exists).
    fn restore(&mut self, fits: impl Fn(&Sim) -> bool) {
        let snap = self
            .snapshots
            .iter()
            .rev()
            .find(|s| fits(s))
            .unwrap_or(&self.snapshots[0]);
        self.current = snap.clone();
        self.apply_inputs_here();
    }

    /// The current Sim just reached a new event count: snapshot it, then apply its inputs.
    fn arrived(&mut self) {
        let n = self.events();
        let last = self.snapshots.last().map_or(0, Sim::events_processed);
        if n % self.every == 0 && n > last {
            self.snapshots.push(self.current.clone());
            if self.snapshots.len() > MAX_SNAPSHOTS {
                self.every *= 2;
                let every = self.every;
                self.snapshots.retain(|s| s.events_processed() % every == 0);
            }
        }
        self.apply_inputs_here()
    }

    /// Applies the inputs recorded at the current event count and notes their tick. An input the
    /// user applied at this very state succeeds again (the run is deterministic); only foreign
    /// inputs can fail: the first failure is kept (see [`Timeline::replay_error`]) and the run
    /// goes on without that input.
    fn apply_inputs_here(&mut self) {
        let n = self.events();
        let first = self.inputs.partition_point(|(at, _)| *at < n);
        let end = self.inputs.partition_point(|(at, _)| *at <= n);
        for index in first..end {
            let applied = self.current.apply(self.inputs[index].1.clone());
            self.note_tick(index);
            if let Err(error) = applied {
                self.replay_error.get_or_insert(ReplayError {
                    index,
                    at_event: n,
                    error,
                });
            }
        }
    }

    /// Records (first pass) or checks (later passes) the tick input `index` is applied at.
    fn note_tick(&mut self, index: usize) {
        let now = self.current.now();
        match self.input_ticks.get(index) {
            // The tick is a function of the event count; the trace-hash tests guard determinism.
            Some(tick) => debug_assert_eq!(*tick, now, "an input replays at its tick"),
            None => {
                assert_eq!(self.input_ticks.len(), index, "inputs are reached in order");
                self.input_ticks.push(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::types::{Consistency, OpKind, Request};
    use proptest::prelude::*;

    fn bank() -> Scenario {
        Scenario::builtin("bank").expect("built-in")
    }

    #[test]
    fn a_refused_input_is_an_error_and_never_a_panic() {
        let mut t = Timeline::new(bank()).unwrap();
        t.seek_event(50);
        // A foreign input (node 99 does not exist) recorded ahead of the current point.
        t.inputs.push((60, Action::Crash(99)));
        t.seek_event(100);
        assert_eq!(t.events(), 100, "the run goes on without the input");
        let e = t.replay_error().expect("the refusal is kept");
        assert_eq!((e.index, e.at_event), (0, 60));
        assert!(matches!(e.error, SimError::UnknownNode { node: 99, .. }));
        assert_eq!(t.input_ticks().len(), 1, "its tick is still noted");

        let inputs = vec![(10, Action::HealAll), (60, Action::Crash(99))];
        let err = Timeline::replay(bank(), inputs, 20).unwrap_err();
        assert!(err.to_string().contains("input 2 (at event 60)"), "{err}");
        let far = vec![(u64::from(u32::MAX), Action::HealAll)];
        let err = Timeline::replay(bank(), far, 0).unwrap_err();
        assert!(
            err.to_string().contains("past the run's last event"),
            "{err}"
        );
    }

    /// The old way of finding the marks: seek to each fault input's event and read the tick.
    fn marks_by_reseeking(t: &mut Timeline) -> Vec<Tick> {
        let here = t.events();
        let at: Vec<u64> = t
            .inputs()
            .iter()
            .filter(|(_, a)| !matches!(a, Action::Request { .. }))
            .map(|(e, _)| *e)
            .collect();
        let marks = at
            .into_iter()
            .map(|e| {
                t.seek_event(e);
                t.sim().now()
            })
            .collect();
        t.seek_event(here);
        marks
    }

    fn input(kind: u8, node: u8) -> Action {
        match kind {
            0 => Action::Request {
                client: node % 2,
                req: Request::simple(OpKind::Withdraw, 20, Consistency::Default),
            },
            1 => Action::Crash(node),
            2 => Action::Recover(node),
            3 => Action::Isolate(node),
            _ => Action::HealAll,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Inputs applied here and there (going back drops the future): the recorded ticks equal
        /// those found by re-seeking, and a replay of the inputs records the same ticks.
        #[test]
        fn input_ticks_match_reseeking(
            steps in proptest::collection::vec((0u64..400, 0u8..5, 0u8..3), 1..12),
        ) {
            let mut t = Timeline::new(bank()).unwrap();
            for (target, kind, node) in steps {
                t.seek_event(target);
                let _ = t.apply_user(input(kind, node));
            }
            prop_assert_eq!(t.input_ticks().len(), t.inputs().len());
            let marks = t.fault_marks();
            prop_assert_eq!(&marks, &marks_by_reseeking(&mut t));
            let again = Timeline::replay(bank(), t.inputs().to_vec(), t.events()).unwrap();
            prop_assert_eq!(again.input_ticks(), t.input_ticks());
            prop_assert_eq!(again.fault_marks(), marks);
            prop_assert!(again.replay_error().is_none());
        }
    }
}
