//! A fake Asterisk on the command line, the core of `ami replay`:
//!
//! ```sh
//! cargo run -p ami-replay --example replay -- [127.0.0.1:5038] corpus/asterisk-23.4.1/41_originate_async_app ...
//! ```
//!
//! Serves the captures (the n-th connection plays the n-th capture, in turn) until killed.

use ami_replay::{Capture, ReplayServer};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let listen = match args.first().map(|a| a.parse()) {
        Some(Ok(addr)) => {
            args.remove(0);
            addr
        }
        _ => "127.0.0.1:5038".parse()?,
    };
    let captures = args
        .iter()
        .map(Capture::load)
        .collect::<Result<Vec<_>, _>>()?;
    let server = ReplayServer::builder(captures)
        .listen(listen)
        .start()
        .await?;
    eprintln!("serving on {}", server.addr());
    std::future::pending::<()>().await;
    Ok(())
}
