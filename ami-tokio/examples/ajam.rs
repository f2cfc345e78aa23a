//! Logs in to Asterisk's HTTP server (AJAM), lists the channels, then prints every event
//! the `WaitEvent` polls bring.
//!
//! ```text
//! AMI_SECRET=amp111 cargo run -p ami-tokio --features http --example ajam -- http://127.0.0.1:8088 admin [mxml|manager] [--digest]
//! ```

use ami_proto::GenericAction;
use ami_tokio::{ClientEvent, Encoding, HttpClient, HttpConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, user, rest @ ..] = &args[..] else {
        return Err("usage: ajam URL USER [rawman|mxml|manager] [--digest]".into());
    };
    let secret = std::env::var("AMI_SECRET").map_err(|_| "set AMI_SECRET")?;
    let mut config = HttpConfig::new(url)?.credentials(user, secret);
    for arg in rest {
        config = match (arg.as_str(), Encoding::from_name(arg)) {
            ("--digest", _) => config.digest(),
            (_, Some(encoding)) => config.encoding(encoding),
            _ => return Err(format!("unknown argument `{arg}`").into()),
        };
    }

    let client = HttpClient::connect(config).await?;
    let mut events = client.events();
    let channels = client.send(&GenericAction::new("CoreShowChannels")).await?;
    for channel in channels.items() {
        println!(
            "channel {}",
            channel.message().get_str("Channel").unwrap_or("?")
        );
    }
    while let Some(event) = events.recv().await {
        match event {
            ClientEvent::Event(e) => println!("{}", String::from_utf8_lossy(e.message().name())),
            ClientEvent::Disconnected { reason } => eprintln!("# session lost: {reason}"),
            ClientEvent::Reconnected { .. } => eprintln!("# logged in again"),
            other => eprintln!("# {other:?}"),
        }
    }
    Ok(())
}
