//! The latency / consistency trade-off plot (quorum mode): one point per N/R/W setting the
//! reader has tried in this visit, its p50 and p99 latency against its stale-read rate, each
//! from the finished run of that setting (the page's run as it plays without the reader's
//! clicks), computed by the same checkers and stats as the metric cards.

use super::link::Params;
use crate::sim::check::Budget;
use crate::sim::report;
use crate::sim::types::{Mode, OpKind, Outcome, Tick};

/// At most this many settings are kept (N, R, W ≤ 5 give fewer).
pub const MAX_POINTS: usize = 64;

/// One setting's finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub n: u8,
    pub r: u8,
    pub w: u8,
    pub p50: Tick,
    pub p99: Tick,
    /// Stale reads and reads answered `Ok`.
    pub stale: u32,
    pub reads: u32,
}

impl Point {
    /// Stale reads per read answered, in percent.
    pub fn stale_percent(&self) -> f64 {
        if self.reads == 0 {
            0.0
        } else {
            f64::from(self.stale) * 100.0 / f64::from(self.reads)
        }
    }

    /// "R=1 W=1" (with N when it is not 3).
    pub fn label(&self) -> String {
        let mut s = format!("R={} W={}", self.r, self.w);
        if self.n != 3 {
            s = format!("N={} ", self.n) + &s;
        }
        s
    }
}

/// The points of this visit, for one scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tradeoff {
    pub scenario: String,
    pub points: Vec<Point>,
    /// The point of the setting shown.
    pub current: Option<usize>,
}

impl Tradeoff {
    /// Notes the setting of `params` (quorum mode, one run): runs it to its end and keeps its
    /// point (a setting tried again replaces its point). Another scenario starts afresh.
    pub fn note(&mut self, params: &Params) {
        if self.scenario != params.scenario {
            *self = Tradeoff {
                scenario: params.scenario.clone(),
                ..Tradeoff::default()
            };
        }
        self.current = None;
        let Ok(s) = params.scenario(None) else {
            return;
        };
        if s.mode != Mode::Quorum || params.side {
            return;
        }
        let Ok(mut sim) = s.build() else {
            return;
        };
        sim.run_to_end();
        let Some(p) = point(&sim) else {
            return;
        };
        let same = |q: &Point| (q.n, q.r, q.w) == (p.n, p.r, p.w);
        let i = match self.points.iter().position(same) {
            Some(i) => {
                self.points[i] = p;
                i
            }
            None if self.points.len() < MAX_POINTS => {
                self.points.push(p);
                self.points.len() - 1
            }
            None => return,
        };
        self.current = Some(i);
    }
}

/// A run's point: its setting, latency and stale reads (`None` without an op answered).
pub fn point(sim: &crate::sim::world::Sim) -> Option<Point> {
    let c = report::checks(sim, Budget::Settle);
    let cfg = sim.config();
    let reads = sim
        .history()
        .iter()
        .filter(|o| o.req.kind == OpKind::Read && o.outcome() == Some(Outcome::Ok))
        .count();
    Some(Point {
        n: cfg.n,
        r: cfg.r,
        w: cfg.w,
        p50: c.latency_p50?,
        p99: c.latency_p99?,
        stale: c.stale_reads,
        reads: u32::try_from(reads).unwrap_or(u32::MAX),
    })
}

/// The plot's drawing, in a `W × H` box: where each point goes and what the axes say.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    /// Per point: x, y of p50, y of p99, its label, whether it is the setting shown.
    pub dots: Vec<(f64, f64, f64, String, bool)>,
    /// Axis ticks: (x, label) and (y, label).
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
}

/// The plot area inside the SVG (left, top, right, bottom margins included by the view).
pub const W: f64 = 300.0;
pub const H: f64 = 150.0;

/// Scales the points into the plot: x the stale-read rate (0 to the largest rate, at least
/// 10 %), y the latency (0 to the largest p99, rounded up).
pub fn plot(t: &Tradeoff) -> Plot {
    let max_x = t
        .points
        .iter()
        .map(Point::stale_percent)
        .fold(10.0, f64::max);
    let max_x = (max_x / 10.0).ceil() * 10.0;
    let top = t.points.iter().map(|p| p.p99).max().unwrap_or(100).max(10);
    let step = nice_step(top);
    let max_y = (top.div_ceil(step) * step) as f64;
    let x = |v: f64| v / max_x * W;
    let y = |v: Tick| H - v as f64 / max_y * H;
    let dots = t
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let cur = t.current == Some(i);
            (x(p.stale_percent()), y(p.p50), y(p.p99), p.label(), cur)
        })
        .collect();
    let x_ticks = (0..=2)
        .map(|k| {
            let v = max_x * f64::from(k) / 2.0;
            (x(v), format!("{v:.0}%"))
        })
        .collect();
    let y_ticks = (0..=max_y as Tick / step)
        .map(|k| (y(k * step), format!("{}", k * step)))
        .collect();
    Plot {
        dots,
        x_ticks,
        y_ticks,
    }
}

/// A round step giving 2 to 5 ticks up to `top`: 1, 2 or 5 times a power of ten.
fn nice_step(top: Tick) -> Tick {
    let mut unit = 1;
    loop {
        for m in [1, 2, 5] {
            if top <= unit * m * 4 {
                return unit * m;
            }
        }
        unit *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(90), 50);
        assert_eq!(nice_step(180), 50);
        assert_eq!(nice_step(400), 100);
        assert_eq!(nice_step(7), 2);
    }
}
