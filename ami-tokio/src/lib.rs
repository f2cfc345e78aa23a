//! Tokio support for the Asterisk Manager Interface, over [`ami_proto`].
//!
//! - [`Client`]: an application talks to Asterisk in three lines. It logs in (plain or
//!   MD5, TCP or TLS), sends any [`ami_proto::Action`] and returns its reply (and list),
//!   fans events out to any number of subscribers, sends keepalives and reconnects.
//! - [`AmiCodec`]: a tokio-util codec that turns a byte stream into [`Frame`]s and
//!   encodes any action, for programs that want the frames themselves.
//!
//! ```no_run
//! use ami_proto::GenericAction;
//! use ami_tokio::{Client, ClientConfig, ClientEvent};
//!
//! # async fn run() -> Result<(), ami_tokio::Error> {
//! let client = Client::connect(ClientConfig::new("127.0.0.1:5038").credentials("admin", "amp111")).await?;
//! let mut events = client.events();
//! let reply = client.send(&GenericAction::new("CoreShowChannels")).await?;
//! println!("{} channels", reply.items().len());
//! while let Some(ClientEvent::Event(e)) = events.recv().await {
//!     println!("{}", String::from_utf8_lossy(e.message().name()));
//! }
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod client;
mod codec;
#[cfg(feature = "http")]
mod http;

/// AJAM's encodings and authentication schemes (from `ami_http`), for [`HttpConfig`].
#[cfg(feature = "http")]
pub use ami_http::{Auth, Encoding};
pub use client::{
    Client, ClientConfig, ClientEvent, Error, Events, Flow, ListPart, ListStream, LoginError,
    Reconnect, Reply, Secret, TlsConfig, DEFAULT_PORT, DEFAULT_TLS_PORT,
};
pub use codec::{AmiCodec, CodecError, Frame};
#[cfg(feature = "http")]
pub use http::{HttpClient, HttpConfig, HttpError, UrlError};
