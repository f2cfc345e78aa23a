//! A session recorded in the capture format, the core of `ami record`:
//!
//! ```sh
//! AMI_SECRET=amp111 cargo run -p ami-replay --example record -- 127.0.0.1:5038 admin /tmp/session
//! ```
//!
//! Logs in with events on and records everything until the server closes (the secret is
//! masked in the files).

use ami_proto::{Action, GenericAction};
use ami_replay::{RecordedStream, Recorder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let [addr, user, prefix] =
        <[String; 3]>::try_from(std::env::args().skip(1).collect::<Vec<_>>())
            .map_err(|_| "usage: record ADDR USER OUT_PREFIX (secret in AMI_SECRET)")?;
    let secret = std::env::var("AMI_SECRET")?;
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let mut stream = RecordedStream::new(stream, Recorder::create(prefix)?);
    let mut login = Vec::new();
    GenericAction::new("Login")
        .header("Username", user)
        .header("Secret", secret)
        .encode_to_vec(&mut login)?;
    stream.write_all(&login).await?;
    let mut buf = vec![0; 65536];
    while stream.read(&mut buf).await? > 0 {}
    Ok(())
}
