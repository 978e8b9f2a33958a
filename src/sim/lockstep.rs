//! Two (or more) timelines played together, as the page plays CP and AP side by side.
//!
//! The runs' events are taken in one merged order: the next event is the earliest next event of
//! any run (ties: the first run), so each stage moves one event at a time, a step back undoes
//! exactly the last step, and seeking a tick moves every run to that tick.

use super::timeline::Timeline;
use super::types::Tick;

/// The tick of `t`'s next event, if it has one it will process (none past its end, none after
/// it stopped on an error).
pub fn next_event(t: &Timeline) -> Option<Tick> {
    let sim = t.sim();
    sim.next_tick()
        .filter(|n| *n <= sim.end_tick() && sim.error().is_none())
}

/// The runs of a page, stepped in one merged order of events.
pub struct Lockstep<'a> {
    runs: Vec<&'a mut Timeline>,
}

impl<'a> Lockstep<'a> {
    pub fn new(runs: Vec<&'a mut Timeline>) -> Lockstep<'a> {
        assert!(!runs.is_empty(), "a page has at least one run");
        Lockstep { runs }
    }

    fn next_of(&self, i: usize) -> Option<Tick> {
        next_event(self.runs[i])
    }

    /// Which run processes the next event of the merged order; `None` when every run is done.
    pub fn next_runner(&self) -> Option<usize> {
        (0..self.runs.len())
            .filter_map(|i| self.next_of(i).map(|t| (t, i)))
            .min()
            .map(|(_, i)| i)
    }

    /// Which run processed the last event of the merged order (the inverse of
    /// [`Lockstep::next_runner`]): the latest current tick (ties: the last run). `None` when no
    /// run has processed an event.
    pub fn last_runner(&self) -> Option<usize> {
        (0..self.runs.len())
            .filter(|i| self.runs[*i].events() > 0)
            .map(|i| (self.runs[i].sim().now(), i))
            .max()
            .map(|(_, i)| i)
    }

    /// One event forward in the merged order: the run that moved, `None` when every run is
    /// done.
    pub fn step(&mut self) -> Option<usize> {
        let i = self.next_runner()?;
        self.runs[i].step().map(|_| i)
    }

    /// One event back in run `run` (the one a [`Lockstep::step`] moved: exactly its inverse),
    /// or, when it is not known, in the run that processed the last event of the merged order.
    /// (A reader's request applied while the runs' clocks differ can schedule an event in one
    /// run earlier than the other run's last one: only the steps' own record is exact then.)
    pub fn step_back(&mut self, run: Option<usize>) -> bool {
        match run.or_else(|| self.last_runner()) {
            Some(i) => self.runs[i].step_back(),
            None => false,
        }
    }

    /// Every run to the point after every event due at or before `tick`.
    pub fn seek_tick(&mut self, tick: Tick) {
        for t in &mut self.runs {
            t.seek_tick(tick);
        }
    }

    /// The latest current tick of any run (where a display clock stands after a step).
    pub fn now(&self) -> Tick {
        self.runs.iter().map(|t| t.sim().now()).max().unwrap_or(0)
    }

    /// The last tick any run can reach.
    pub fn end_tick(&self) -> Tick {
        self.runs
            .iter()
            .map(|t| t.sim().end_tick())
            .max()
            .unwrap_or(0)
    }

    /// True when no run has an event left to process (or every run stopped on an error).
    pub fn finished(&self) -> bool {
        self.next_runner().is_none()
    }

    /// The events each run has processed.
    pub fn events(&self) -> Vec<u64> {
        self.runs.iter().map(|t| t.events()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::Scenario;
    use crate::sim::types::Mode;

    fn pair() -> (Timeline, Timeline) {
        let s = Scenario::builtin("bank").expect("built-in");
        let cp = s.with_overrides(&crate::sim::scenario::Overrides {
            mode: Some(Mode::Cp),
            ..Default::default()
        });
        let ap = s.with_overrides(&crate::sim::scenario::Overrides {
            mode: Some(Mode::Ap),
            ..Default::default()
        });
        (
            Timeline::new(cp).expect("builds"),
            Timeline::new(ap).expect("builds"),
        )
    }

    #[test]
    fn steps_take_the_merged_order_and_step_back_undoes_them() {
        let (mut a, mut b) = pair();
        let mut seen = Vec::new();
        {
            let mut l = Lockstep::new(vec![&mut a, &mut b]);
            for _ in 0..300 {
                seen.push((l.events(), l.now()));
                let before = l.now();
                assert!(l.step().is_some());
                assert!(l.now() >= before, "the merged clock never goes back");
            }
            for expected in seen.iter().rev() {
                assert!(l.step_back(None));
                assert_eq!(&(l.events(), l.now()), expected);
            }
            assert!(!l.step_back(None), "nothing before the start");
        }
        assert_eq!((a.events(), b.events()), (0, 0));
    }

    #[test]
    fn a_finished_pair_does_not_step() {
        let (mut a, mut b) = pair();
        let mut l = Lockstep::new(vec![&mut a, &mut b]);
        l.seek_tick(l.end_tick());
        assert!(l.finished());
        assert!(l.step().is_none());
    }
}
