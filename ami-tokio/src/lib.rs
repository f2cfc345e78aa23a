//! Tokio support for the Asterisk Manager Interface, over [`ami_proto`].
//!
//! - [`AmiCodec`]: a tokio-util codec that turns a byte stream into [`Frame`]s and
//!   encodes any [`ami_proto::Action`].
//!
//! ```no_run
//! use ami_proto::GenericAction;
//! use ami_tokio::{AmiCodec, Frame};
//! use futures_util::{SinkExt, StreamExt};
//! use tokio_util::codec::Framed;
//!
//! # async fn run() -> Result<(), ami_tokio::CodecError> {
//! let stream = tokio::net::TcpStream::connect("127.0.0.1:5038").await?;
//! let mut framed = Framed::new(stream, AmiCodec::new());
//! let login = GenericAction::new("Login").header("Username", "admin").header("Secret", "amp111");
//! framed.send(&login).await?;
//! while let Some(frame) = framed.next().await {
//!     if let Frame::Message(m) = frame? {
//!         println!("{:?}", m.message().name());
//!     }
//! }
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod codec;

pub use codec::{AmiCodec, CodecError, Frame};
