//! The simulation core: pure Rust, deterministic, no web crate, no wall clock, no global rng.
//!
//! See ARCHITECTURE.md for the map. Entry points: [`world::Sim`] (a run you can step),
//! [`scenario::Scenario`] (what to run), [`check`] (what the run's history proves).

pub mod check;
pub mod model;
pub mod proto;
pub mod types;
