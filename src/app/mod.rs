//! The page's model in plain Rust (no web crate), between the simulation core and the Yew views.

pub mod link;
