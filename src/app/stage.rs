//! What the stage draws besides the nodes' data, decided here so that it can be tested
//! natively: how large its text must be at the size the stage is shown (the SVG scales its
//! 600 × 450 user units to the screen, text with it), where a client's label stays inside the
//! stage, which hints a node holds, and the regions a run's link latencies make.

use crate::sim::sort;
use crate::sim::types::{node_name, NodeId};
use crate::sim::world::Sim;

/// The stage's size in user units (its SVG viewBox).
pub const VIEW_W: f64 = 600.0;
pub const VIEW_H: f64 = 450.0;

/// The smallest a label on the stage may be on screen, in CSS px: 12, or 18 in presenter mode
/// (read from the back of a room).
pub fn min_px(presenter: bool) -> f64 {
    if presenter {
        18.0
    } else {
        12.0
    }
}

/// The stage's text sizes, in user units, for the size it is shown at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageText {
    /// The smallest size a label may have: `min_px` on screen.
    pub unit: f64,
}

impl StageText {
    /// For a stage shown `px_w` × `px_h` CSS px (0 before it is measured: drawn at its own
    /// size), in presenter mode or not. The SVG keeps its aspect ratio: the smaller ratio scales.
    pub fn new(px_w: f64, px_h: f64, presenter: bool) -> StageText {
        let scale = if px_w > 0.0 && px_h > 0.0 {
            (px_w / VIEW_W).min(px_h / VIEW_H)
        } else {
            1.0
        };
        StageText {
            unit: min_px(presenter) / scale.max(0.05),
        }
    }
    /// Secondary labels: answer badges, the version line, marks.
    pub fn small(&self) -> f64 {
        self.unit.max(12.0)
    }
    /// A client's name.
    pub fn client(&self) -> f64 {
        self.unit.max(14.0)
    }
    /// The text inside a node drawn `scale` times its full size (large clusters draw nodes
    /// smaller; their text is made larger by as much, so that it stays as readable).
    pub fn node(&self, scale: f64) -> NodeText {
        let u = self.unit / scale.max(0.1);
        let (name, value, small) = (u.max(16.0), (u * 1.2).max(24.0), u.max(11.0));
        // Inside a circle 104 units across: four lines while they are small, three (the role's
        // words dropped, its mark next to the name) up to 24 units, else the name and the value.
        let lines: u8 = if small <= 15.0 {
            4
        } else if small <= 24.0 {
            3
        } else {
            2
        };
        let sizes = [name, value, small, small];
        let gap = 3.0;
        let total: f64 =
            sizes[..usize::from(lines)].iter().sum::<f64>() + gap * f64::from(lines - 1);
        let mut y = -total / 2.0 + 2.0;
        let mut ys = [0.0; 4];
        for (i, s) in sizes.iter().enumerate().take(usize::from(lines)) {
            y += s;
            ys[i] = y - s * 0.15;
            y += gap;
        }
        NodeText {
            name,
            value,
            small,
            lines,
            ys,
        }
    }
}

impl NodeText {
    /// Whether the data's second line (`text`: "checking", "savings 100", "no data") is drawn:
    /// when there is room for its line and its words fit across the circle there.
    pub fn shows_sub(&self, text: &str) -> bool {
        let y = self.ys[2];
        let chord = 2.0 * (NODE_R * NODE_R - y * y).max(0.0).sqrt();
        self.lines >= 3 && text_width(text, self.small) * 0.85 <= chord
    }
}

/// A node circle's radius in user units (drawn smaller in a large cluster).
pub const NODE_R: f64 = 52.0;

/// The text inside one node: sizes in the node's own units, how many lines are drawn (name,
/// value, data's second line, role) and each line's baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeText {
    pub name: f64,
    pub value: f64,
    pub small: f64,
    pub lines: u8,
    pub ys: [f64; 4],
}

/// At most about how wide `text` is at `size` units (bold sans-serif averages ~0.64 em a
/// character over words like "withdraw 80"; a little more, so that a label never ends outside).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.7
}

/// How a label hangs from its point: growing right, left, or both ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// The x of a label `width` wide anchored at `x` moved (as little as possible) so that all of it
/// lies inside the stage, with a margin.
pub fn inside(x: f64, anchor: Anchor, width: f64) -> f64 {
    const MARGIN: f64 = 4.0;
    let left = match anchor {
        Anchor::Start => 0.0,
        Anchor::Middle => width / 2.0,
        Anchor::End => width,
    };
    let lo = MARGIN + left;
    let hi = (VIEW_W - MARGIN - (width - left)).max(lo);
    x.clamp(lo, hi)
}

/// The hints `node` holds, as drawn next to it: "1 hint → n3", "3 hints → n2, n3"; `None`
/// when it holds none.
pub fn hint_badge(sim: &Sim, node: NodeId) -> Option<String> {
    hint_words(&sim.hint_targets(node))
}

/// Clusters up to this many nodes get a pending-write mark at each node; in larger ones the
/// marks would cover the ring's centre (the inspector still lists a node's requests).
pub const PENDING_MARKS_UP_TO: u8 = 5;

/// The writes `node` holds that are not settled yet, as drawn next to it (short, so that the
/// marks of two neighbours do not run into each other): "1 pending", "2 pending"; `None` when
/// there are none, or in a cluster of more than [`PENDING_MARKS_UP_TO`] nodes.
pub fn pending_badge(sim: &Sim, node: NodeId) -> Option<String> {
    if sim.node_count() > PENDING_MARKS_UP_TO {
        return None;
    }
    match sim.pending_writes(node) {
        0 => None,
        n => Some(format!("{n} pending")),
    }
}

/// `hint_badge` from (target, count) pairs.
pub fn hint_words(targets: &[(NodeId, u32)]) -> Option<String> {
    let total: u32 = targets.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let to: Vec<String> = targets.iter().map(|(t, _)| node_name(*t)).collect();
    Some(format!(
        "{total} hint{} → {}",
        if total == 1 { "" } else { "s" },
        to.join(", ")
    ))
}

/// Nodes close to each other: messages between two of them take well under the time they take
/// to any node outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub nodes: Vec<NodeId>,
}

/// The one-way latency between two regions (indexes into the regions), as the run's links have
/// it now: "80–85 ms".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Distance {
    pub a: usize,
    pub b: usize,
    pub text: String,
}

/// A link this slow or slower (in ms, one way) joins two regions, when it is also 4× the
/// fastest link.
const FAR_MS: u64 = 20;

/// The regions the run's link latencies make, and the distance between each two; empty when
/// every link is about as fast (one region). `scenario` names them: the built-in
/// `two-regions` has US-East (n1, n2) and Europe (n3); others "region 1", "region 2", ….
pub fn regions(sim: &Sim, scenario: &str) -> (Vec<Region>, Vec<Distance>) {
    let n = sim.node_count();
    let pairs = || (0..n).flat_map(move |a| (a + 1..n).map(move |b| (a, b)));
    let fastest = pairs().map(|(a, b)| sim.link(a, b).base_ticks).min();
    let Some(fastest) = fastest else {
        return (Vec::new(), Vec::new());
    };
    let far = |a: NodeId, b: NodeId| {
        let t = sim.link(a, b).base_ticks.min(sim.link(b, a).base_ticks);
        t >= FAR_MS && t >= fastest.saturating_mul(4)
    };
    // Each node's group: the lowest node it reaches by near links (n ≤ MAX_NODES: n³ is tiny).
    let mut group: Vec<NodeId> = (0..n).collect();
    for _ in 0..n {
        for (a, b) in pairs().filter(|&(a, b)| !far(a, b)) {
            let g = group[usize::from(a)].min(group[usize::from(b)]);
            group[usize::from(a)] = g;
            group[usize::from(b)] = g;
        }
    }
    let mut ids: Vec<NodeId> = group.clone();
    sort::sort(&mut ids);
    ids.dedup();
    if ids.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let named = scenario == "two-regions" && ids.len() == 2;
    let regions: Vec<Region> = ids
        .iter()
        .enumerate()
        .map(|(i, g)| Region {
            name: match (named, i) {
                (true, 0) => "US-East".into(),
                (true, _) => "Europe".into(),
                _ => format!("region {}", i + 1),
            },
            nodes: (0..n).filter(|x| group[usize::from(*x)] == *g).collect(),
        })
        .collect();
    let mut distances = Vec::new();
    for a in 0..regions.len() {
        for b in a + 1..regions.len() {
            let links = regions[a].nodes.iter().flat_map(|x| {
                regions[b]
                    .nodes
                    .iter()
                    .flat_map(move |y| [sim.link(*x, *y), sim.link(*y, *x)])
            });
            let (lo, hi) = links.fold((u64::MAX, 0), |(lo, hi), l| {
                (lo.min(l.base_ticks), hi.max(l.base_ticks + l.jitter_ticks))
            });
            let text = if lo == hi {
                format!("{lo} ms")
            } else {
                format!("{lo}–{hi} ms")
            };
            distances.push(Distance { a, b, text });
        }
    }
    (regions, distances)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::Scenario;

    fn lesson_sim(id: &str, tick: u64) -> Sim {
        let l = crate::lessons::lesson(id).unwrap();
        let mut sim = l.stages[0].scenario.build().unwrap();
        sim.run_until(tick);
        sim
    }

    #[test]
    fn every_label_is_readable_on_screen_and_fits_its_node() {
        // (stage px width, presenter, the smallest on-screen px): a 390 px phone, three stages
        // side by side on a laptop, presenter mode at 1024×768, one and three stages.
        for (w, present) in [
            (358.0, false),
            (390.0, false),
            (380.0, false),
            (1000.0, false),
            (610.0, true),
            (300.0, true),
            (0.0, true),
        ] {
            let t = StageText::new(w, w * 0.75, present);
            let scale = if w > 0.0 { w / VIEW_W } else { 1.0 };
            let px = |units: f64| units * scale;
            let min = min_px(present) - 1e-9;
            assert!(
                px(t.small()) >= min && px(t.client()) >= min,
                "{w} {present}"
            );
            for node_scale in [1.0, 0.7] {
                let n = t.node(node_scale);
                let on = |u: f64| px(u * node_scale);
                assert!(on(n.name) >= min && on(n.value) >= min, "{w} {n:?}");
                assert!(n.lines < 3 || on(n.small) >= min, "{w} {n:?}");
                // The drawn lines fit in the circle (104 units across), in order (a crowd of
                // small nodes on a tiny presenter stage may spill over: a sandbox has one stage).
                let top = n.ys[0] - n.name;
                let bottom = n.ys[usize::from(n.lines) - 1];
                let tiny = node_scale < 1.0 && w < 358.0;
                assert!(tiny || (top >= -52.0 && bottom <= 52.0), "{w} {n:?}");
                assert!(n.ys[..usize::from(n.lines)].windows(2).all(|p| p[0] < p[1]));
            }
        }
        // Full size: the role line is drawn; on a phone it is dropped, not shrunk.
        assert_eq!(StageText::new(800.0, 600.0, false).node(1.0).lines, 4);
        assert!(StageText::new(358.0, 268.0, false).node(1.0).lines < 4);
    }

    #[test]
    fn a_second_line_too_wide_for_the_circle_is_dropped() {
        let full = StageText::new(600.0, 450.0, false).node(1.0);
        assert!(full.shows_sub("savings 100") && full.shows_sub("no data"));
        let phone = StageText::new(358.0, 268.0, false).node(1.0);
        assert!(phone.shows_sub("x") && !phone.shows_sub("savings 100"));
        let tiny = StageText::new(200.0, 150.0, false).node(1.0);
        assert!(!tiny.shows_sub(""), "no line for it");
    }

    #[test]
    fn a_label_is_moved_inside_the_stage() {
        // "withdraw 80" growing left from x = 30 would start off the stage.
        assert_eq!(inside(30.0, Anchor::End, 100.0), 104.0);
        assert_eq!(inside(580.0, Anchor::Start, 100.0), 496.0);
        assert_eq!(inside(20.0, Anchor::Middle, 60.0), 34.0);
        assert_eq!(
            inside(300.0, Anchor::End, 100.0),
            300.0,
            "inside: not moved"
        );
    }

    #[test]
    fn the_hint_n1_holds_for_n3_is_drawn_as_the_lesson_says() {
        assert_eq!(hint_words(&[]), None);
        assert_eq!(hint_words(&[(1, 1), (2, 2)]).unwrap(), "3 hints → n2, n3");
        // Lesson 11, step 2 (2500 ms): "n1 holds 1 hint." After the heal, none.
        let sim = lesson_sim("hinted-handoff", 2500);
        assert_eq!(hint_badge(&sim, 0).unwrap(), "1 hint → n3");
        assert_eq!(hint_badge(&sim, 1), None);
        let sim = lesson_sim("hinted-handoff", 4000);
        assert!((0..3).all(|n| hint_badge(&sim, n).is_none()));
    }

    #[test]
    fn regions_come_from_the_links_latencies() {
        let sim = lesson_sim("two-regions", 0);
        let (found, distances) = regions(&sim, "two-regions");
        let names: Vec<(&str, &[NodeId])> = found
            .iter()
            .map(|r| (r.name.as_str(), r.nodes.as_slice()))
            .collect();
        assert_eq!(names, [("US-East", &[0, 1][..]), ("Europe", &[2][..])]);
        assert_eq!(distances.len(), 1);
        assert_eq!(distances[0].text, "80–85 ms");
        // One region: nothing drawn.
        let bank = Scenario::builtin("bank").unwrap().build().unwrap();
        assert_eq!(regions(&bank, "bank"), (Vec::new(), Vec::new()));
        // Unnamed regions are numbered.
        let crowd = Scenario::builtin("crowd").unwrap().build().unwrap();
        let (r, d) = regions(&crowd, "crowd");
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(r[2].name, "region 3");
        assert_eq!(d.len(), 3);
    }
}
