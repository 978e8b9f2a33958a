//! The top-level component.

use yew::prelude::*;

/// Positions of `count` nodes on a circle of radius `r` around (`cx`, `cy`), n1 at the top.
fn circle_layout(count: usize, cx: f64, cy: f64, r: f64) -> Vec<(f64, f64)> {
    (0..count)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / count as f64;
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect()
}

#[function_component(App)]
pub fn app() -> Html {
    let pos = circle_layout(3, 200.0, 170.0, 110.0);
    let nodes = pos.iter().enumerate().map(|(i, (x, y))| {
        let name = format!("n{}", i + 1);
        html! {
            <g class="node" data-testid={format!("node-{name}")} data-status="up"
               transform={format!("translate({x:.1} {y:.1})")}>
                <circle r="34" />
                <text class="node-name" dy="6">{ name }</text>
            </g>
        }
    });
    html! {
        <main class="app">
            <header class="masthead">
                <h1>{ "CAP Lab" }</h1>
                <p class="tagline">{ "Break the network. Watch consistency and availability trade places." }</p>
            </header>
            <svg class="stage" viewBox="0 0 400 330" role="img" aria-label="Three replicas n1, n2 and n3">
                { for nodes }
            </svg>
        </main>
    }
}
