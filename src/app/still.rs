//! The moments at which a panel that shows little or nothing of a run's progress must redraw
//! (the share bar, the hunt panel, the trade-off plot): a frame of play that only moved the clock
//! leaves [`Lab::beyond_clock`] alone, and such a panel redraws only when its moment changes.
//! A moment is `(follows the clock, counter)`: the flag changes when the panel starts or stops
//! showing something of the frame, so that two counters are never confused.

use super::Lab;

/// When a panel redraws: see the module.
pub type Moment = (bool, u64);

fn moment(lab: &Lab, follows_clock: bool) -> Moment {
    if follows_clock {
        (true, lab.version)
    } else {
        (false, lab.beyond_clock)
    }
}

/// The share bar shows this frame's link only in the embed dialog's snippet, the link to copy
/// by hand and an embed's "open full view".
pub fn share(lab: &Lab) -> Moment {
    let s = &lab.sharing;
    moment(lab, lab.flags.embed || s.embed_open || s.manual.is_some())
}

/// The hunt panel follows the clock only while it shows a found run ("It happened at …").
pub fn hunt(lab: &Lab) -> Moment {
    moment(lab, lab.hunt.shown.is_some())
}

/// When a panel beside the stage must redraw (the transport, the history, the caption, the
/// inspector, the client cards, a teacher's lesson panel): on every change but play, and while
/// the page plays, whenever the dials move ([`Lab::dial`], 5 times a second at 1×):
/// such a panel follows the runs at the dials' pace while the stage follows them every frame
/// (in `crowd`, something happens on nearly every frame). Paused or stepped, it is exact.
pub type Dials = (u64, u64);

/// See [`Dials`].
pub fn dials(lab: &Lab) -> Dials {
    (lab.beyond_clock, lab.dial().to_bits())
}

/// The trade-off plot changes only with the settings tried.
pub fn plot(lab: &Lab) -> Moment {
    moment(lab, false)
}
