//! Click-to-call: ring an agent's phone and, once the agent answers, dial the customer.
//! One `Originate` with `Async: yes`; `send` awaits its reply and then its
//! `OriginateResponse`.
//!
//! ```text
//! cargo run -p ami-tokio --example click_to_call         # against a fake Asterisk
//! AMI_SECRET=... cargo run -p ami-tokio --example click_to_call -- pbx:5038 admin PJSIP/100 5551234
//! ```
//!
//! Without arguments it starts a fake Asterisk (`ami-replay`) answering with what a real
//! Asterisk 23 sent for an async Originate (`corpus/asterisk-23.4.1/41_originate_async_app`).

use std::time::Duration;

use ami_replay::{Capture, Pace, ReplayServer};
use ami_spec::actions::Originate;
use ami_tokio::{Client, ClientConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The fake server runs as long as `_server` lives.
    let (config, agent, customer, _server) = match &args[..] {
        [] => {
            let capture = Capture::load(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../corpus/asterisk-23.4.1/41_originate_async_app"
            ))?;
            let server = ReplayServer::builder([capture])
                .pace(Pace::AsFastAsPossible)
                .start()
                .await?;
            println!("fake Asterisk on {}", server.addr());
            let config = ClientConfig::new(server.addr().to_string()).credentials("admin", "any");
            (config, "PJSIP/100".into(), "5551234".into(), Some(server))
        }
        [addr, user, agent, customer] => {
            // The secret never goes through argv.
            let secret = std::env::var("AMI_SECRET").map_err(|_| "set AMI_SECRET")?;
            let config = ClientConfig::new(addr.clone()).credentials(user.clone(), secret);
            (config, agent.clone(), customer.clone(), None)
        }
        _ => return Err("usage: click_to_call [ADDR USER AGENT_CHANNEL NUMBER]".into()),
    };

    // The agent has 30 s to answer: give the call more than that.
    let client = Client::connect(config.timeout(Duration::from_secs(45))).await?;
    let caller_id = format!("\"Click to call\" <{customer}>");
    let originate = Originate::new(&agent)
        .context("from-internal")
        .exten(&customer)
        .priority("1")
        .caller_id(&caller_id)
        .timeout("30000")
        .r#async("yes");
    let reply = client.send(&originate).await?;
    let queued = reply.message();
    println!(
        "{}: {}",
        queued.get_str("Response").unwrap_or("?"),
        queued.get_str("Message").unwrap_or("")
    );
    match reply.last() {
        Some(done) => {
            let done = done.message();
            // Reason 4 means the agent answered (Asterisk's AST_CONTROL_ANSWER).
            println!(
                "OriginateResponse: {} (reason {}) on {}",
                done.get_str("Response").unwrap_or("?"),
                done.get_str("Reason").unwrap_or("?"),
                done.get_str("Channel").unwrap_or("?")
            );
        }
        None => println!("no OriginateResponse ({:?})", reply.list_end()),
    }
    client.logoff().await?;
    Ok(())
}
