//! Time travel for the UI: a run that can step back, jump to any event or tick, and branch.
//!
//! A [`Timeline`] keeps the scenario, the user's inputs (each tagged with the number of events
//! processed before it), snapshots of the [`Sim`] every `K` events (taken before that point's
//! inputs are applied), and the current Sim. Going back = clone the nearest snapshot at or before
//! the target and replay events and inputs; the engine is deterministic, so this reproduces the
//! same run exactly.

use super::action::{Action, SimError, StepInfo};
use super::scenario::{Scenario, ScenarioError};
use super::types::Tick;
use super::world::Sim;

/// Snapshot period, in events, at the start (doubles when the snapshot count hits its bound).
pub const SNAPSHOT_EVERY: u64 = 256;
/// Most snapshots kept at once.
pub const MAX_SNAPSHOTS: usize = 64;

/// A run with its past. See the module doc.
#[derive(Clone, Debug)]
pub struct Timeline {
    scenario: Scenario,
    inputs: Vec<(u64, Action)>,
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
            snapshots: vec![sim.clone()],
            every: SNAPSHOT_EVERY,
            current: sim,
        })
    }

    /// Rebuilds a shared run: `scenario`, then `inputs` (as returned by [`Timeline::inputs`]),
    /// positioned at event `at_event` (or the run's end if earlier).
    /// Inputs that the run refuses (a busy client, a missing node) are an error, never a panic.
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
        let bad = |e: SimError| ScenarioError::Invalid(format!("an input does not replay: {e}"));
        t.inputs = inputs;
        t.apply_inputs_here().map_err(bad)?;
        while t.events() < at_event {
            if t.current.step().is_none() {
                break;
            }
            t.arrived().map_err(bad)?;
        }
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
        let replayed = self.arrived();
        debug_assert!(replayed.is_ok(), "a recorded input replays: {replayed:?}");
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
        self.inputs.retain(|(at, _)| *at <= n);
        self.snapshots.retain(|s| s.events_processed() <= n);
        self.inputs.push((n, action));
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
        let replayed = self.apply_inputs_here();
        debug_assert!(replayed.is_ok(), "a recorded input replays: {replayed:?}");
    }

    /// The current Sim just reached a new event count: snapshot it, then apply its inputs.
    fn arrived(&mut self) -> Result<(), SimError> {
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

    /// Applies the inputs recorded at the current event count. An input the user applied at this
    /// very state succeeds again (the run is deterministic); only foreign inputs can fail.
    fn apply_inputs_here(&mut self) -> Result<(), SimError> {
        let n = self.events();
        for (_, action) in self.inputs.iter().filter(|(at, _)| *at == n) {
            self.current.apply(action.clone())?;
        }
        Ok(())
    }
}
