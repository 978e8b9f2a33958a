//! The Yew front end: renders `Sim` state and sends it actions. No protocol logic lives here.

mod app;

pub use app::App;

/// Mounts the app on the page's `<body>`.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
