//! The simulation core: pure Rust, deterministic, no web crate, no wall clock, no global rng.
//!
//! See ARCHITECTURE.md for the map. Entry points: [`world::Sim`] (a run you can step),
//! [`scenario::Scenario`] (what to run), [`check`] (what the run's history proves).

pub mod action;
pub mod check;
pub mod lockstep;
pub mod model;
pub mod nemesis;
pub mod net;
pub mod promises;
pub mod proto;
pub mod queue;
pub mod reader;
pub mod report;
pub mod scenario;
pub mod scenario_builtin;
pub mod sort;
pub mod stale;
pub mod text;
pub mod timeline;
pub mod types;
pub mod vecmap;
pub mod workload;
pub mod world;
