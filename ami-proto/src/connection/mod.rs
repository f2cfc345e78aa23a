//! The connection: [`Connection`] is one AMI client session as a sans-IO state machine
//! (`alloc`). You hand it the bytes you read and write out the bytes it gives you; it
//! drives the banner and the [`Login`], matches replies to actions by ActionID with a
//! [`Tracker`], and follows EventLists ([`ListShape`], [`ListEnd`]).
//!
//! Each part works on its own too, without `alloc`: [`Login`] is the login exchange
//! (plain or MD5 challenge), [`Tracker`] the correlation of replies and list events with
//! pending actions, [`ListCollector`] gathers a list reply's events into one value.

#[cfg(feature = "alloc")]
mod collect;
mod lists;
mod login;
#[cfg(feature = "alloc")]
mod machine;
#[cfg(feature = "alloc")]
mod read_batch;
mod tracker;

#[cfg(feature = "alloc")]
pub use collect::{Collected, CollectedList, ListCollector};
pub use lists::{ListEnd, ListMarker, ListShape};
pub use login::{AuthMethod, Credentials, Login, LoginEvent, LoginFailure, LoginRequest};
#[cfg(feature = "alloc")]
pub use machine::{ConnEvent, ConnState, Connection, SendError, DEFAULT_PENDING};
pub use tracker::{Correlated, TrackError, Tracker};
