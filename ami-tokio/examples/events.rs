//! Connects to an AMI server, logs in and prints every event.
//!
//! ```text
//! cargo run -p ami-tokio --example events -- 127.0.0.1:5038 admin SECRET [--md5]
//! ```
//! The secret may also come from the `AMI_SECRET` environment variable (pass `-` instead).

use ami_proto::{ActionIdAllocator, Credentials, Kind, Login, LoginEvent};
use ami_tokio::{AmiCodec, CodecError, Frame};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, user, secret, rest @ ..] = &args[..] else {
        return Err("usage: events ADDR USER SECRET|- [--md5]".into());
    };
    let secret = match secret.as_str() {
        "-" => std::env::var("AMI_SECRET")?,
        s => s.to_owned(),
    };
    let credentials = if rest.iter().any(|a| a == "--md5") {
        Credentials::md5(user, &secret)
    } else {
        Credentials::plain(user, &secret)
    };

    let mut framed = Framed::new(TcpStream::connect(addr.as_str()).await?, AmiCodec::new());
    let mut ids = ActionIdAllocator::new("events-").ok_or("bad prefix")?;
    let mut login = Login::new();
    send_login(&mut framed, &mut login, &credentials, &mut ids).await?;

    while let Some(frame) = framed.next().await {
        match frame? {
            Frame::Banner(text) => println!("# {}", text.escape_ascii()),
            Frame::Text(text) => println!("# text: {}", text.escape_ascii()),
            Frame::Malformed(e) => eprintln!("# malformed input: {e}"),
            Frame::Message(m) => {
                let message = m.message();
                match login.handle(&message) {
                    Some(LoginEvent::Challenged) => {
                        send_login(&mut framed, &mut login, &credentials, &mut ids).await?
                    }
                    Some(LoginEvent::Accepted) => println!("# logged in"),
                    Some(LoginEvent::Rejected(why)) => {
                        return Err(format!("login failed: {why:?}").into())
                    }
                    None if message.kind() == Kind::Event => {
                        print!("{}", String::from_utf8_lossy(m.bytes()))
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
    println!("# connection closed");
    Ok(())
}

/// Sends the login's next action, if one is due.
async fn send_login(
    framed: &mut Framed<TcpStream, AmiCodec>,
    login: &mut Login,
    credentials: &Credentials<'_>,
    ids: &mut ActionIdAllocator,
) -> Result<(), CodecError> {
    if !login.has_request() {
        return Ok(());
    }
    let Some(request) = login.poll_request(ids.next_id(), credentials) else {
        return Ok(());
    };
    framed.send(&request).await?;
    Ok(())
}
