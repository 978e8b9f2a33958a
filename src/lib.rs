//! CAP Lab: a deterministic CAP-theorem laboratory.
//!
//! - [`sim`]: the simulation core (pure, deterministic, natively tested).
//! - [`app`]: the page's model (state, messages, effects), pure and natively tested.
//! - `ui`: the Yew front end (wasm only).

pub mod app;
pub mod lessons;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;
