//! Test support for the AJAM client: a local server that answers like Asterisk from the
//! recorded replies of `corpus/http/`, and what the tests check with.
#![allow(dead_code)]

pub mod digest;
pub mod logs;
pub mod params;
pub mod recorded;
pub mod server;
pub mod tls;
