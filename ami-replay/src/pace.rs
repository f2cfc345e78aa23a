//! How fast, and in which order with the replies, a session plays a capture's events.

use std::time::Duration;

/// How fast events (and replies that came late, like an `OriginateResponse`) are played.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Pace {
    /// At the recorded pace, divided by this speed factor (`Speed(2.0)` is twice as fast).
    /// `Speed(1.0)` is the default. A factor that is not finite and positive plays as fast
    /// as possible.
    Speed(f64),
    /// Without waiting: every event is written as soon as the socket takes it.
    AsFastAsPossible,
}

impl Default for Pace {
    fn default() -> Self {
        Pace::Speed(1.0)
    }
}

impl Pace {
    /// The wait for a recorded delay.
    ///
    /// ```
    /// use ami_replay::Pace;
    /// use std::time::Duration;
    /// assert_eq!(Pace::Speed(2.0).scale(Duration::from_secs(1)), Duration::from_millis(500));
    /// assert_eq!(Pace::AsFastAsPossible.scale(Duration::from_secs(1)), Duration::ZERO);
    /// ```
    pub fn scale(self, recorded: Duration) -> Duration {
        match self {
            Pace::Speed(speed) if speed.is_finite() && speed > 0.0 => recorded.div_f64(speed),
            Pace::Speed(_) | Pace::AsFastAsPossible => Duration::ZERO,
        }
    }
}

/// Where a session's events go among its replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EventOrder {
    /// By the clock only: events start at the login and keep their recorded delays from
    /// it; replies go out when their requests come. What a live Asterisk does.
    #[default]
    Clock,
    /// As recorded: the events recorded before a reply are written before it, those
    /// recorded after it wait for it (and for their time). A client that sends the
    /// capture's requests in the capture's order gets the recorded server stream exactly
    /// (ActionIDs aside), however fast it sends them. Events after a reply whose request
    /// never comes are not played.
    AsRecorded,
}
