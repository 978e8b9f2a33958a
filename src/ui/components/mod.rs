//! The page's parts, one per file. Each renders what the sim reports and sends [`Msg`]s.
//!
//! [`Msg`]: super::state::Msg

pub mod caption;
pub mod challenge;
pub mod clients;
pub mod controls;
pub mod history;
pub mod hunt;
pub mod inspector;
pub mod landing;
pub mod layer;
pub mod lesson;
pub mod link;
pub mod made;
pub mod messages;
pub mod metrics;
pub mod narration;
pub mod node;
pub mod share;
pub mod stage;
pub mod teach;
pub mod term;
