//! The page's parts, one per file. Each renders what the sim reports and sends [`Msg`]s.
//!
//! [`Msg`]: super::state::Msg

/// The props of a panel that redraws only at its moment (see `app::still`): the page's handle
/// and the moment, compared by the moment alone (the handle reads the page as it is now).
macro_rules! moment_props {
    ($name:ident, $moment:ty) => {
        #[derive(yew::Properties)]
        pub struct $name {
            pub lab: yew::functional::UseReducerHandle<crate::ui::state::Page>,
            /// When the panel redraws (`app::still`).
            pub moment: $moment,
        }

        impl PartialEq for $name {
            fn eq(&self, o: &Self) -> bool {
                self.moment == o.moment
            }
        }
    };
}

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
