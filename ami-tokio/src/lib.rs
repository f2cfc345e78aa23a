//! Tokio support for the Asterisk Manager Interface, over [`ami_proto`].
//!
//! - [`Client`]: an application talks to Asterisk in three lines. It logs in (plain or
//!   MD5, TCP or TLS), sends any [`ami_proto::Action`] and returns its reply (and list),
//!   fans events out to any number of subscribers, sends keepalives and reconnects.
//! - [`AmiCodec`]: a tokio-util codec that turns a byte stream into [`Frame`]s and
//!   encodes any action, for programs that want the frames themselves.
//!
//! ```
//! use ami_spec::actions::CoreShowChannels;
//! use ami_tokio::{Client, ClientConfig, ClientEvent};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # // A fake Asterisk answering from a real capture (ami-replay); use your PBX's address.
//! # let capture = ami_replay::Capture::load("../corpus/asterisk-23.4.1-sip/23_coreshowchannels_sip_up")?;
//! # let server = ami_replay::ReplayServer::start([capture]).await?;
//! # let pbx = server.addr().to_string();
//! let client = Client::connect(ClientConfig::new(pbx).credentials("admin", "amp111")).await?;
//! let mut events = client.events();
//! let reply = client.send(&CoreShowChannels::new()).await?; // the reply and its list
//! assert_eq!(reply.items().len(), 3); // as this capture's Asterisk answered
//! for channel in reply.items() {
//!     println!("{:?}", channel.message().get_str("Channel"));
//! }
//! # drop(server);
//! while let Some(event) = events.recv().await {
//!     match event {
//!         ClientEvent::Event(e) => println!("{:?}", e.message().get_str("Event")),
//!         ClientEvent::Disconnected { reason } => { println!("{reason}"); break; }
//!         _ => {}
//!     }
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
