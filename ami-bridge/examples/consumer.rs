//! A durable JetStream consumer of what `ami bridge` publishes: every event of every
//! server, in each server's order, acknowledged one by one, so that a restarted consumer
//! goes on where it stopped.
//!
//! ```text
//! cargo run -p ami-bridge --example consumer -- nats://127.0.0.1:4222 [DURABLE] [SUBJECT]
//! ```
//!
//! DURABLE defaults to `example`, SUBJECT to `ami.*.event.>` (every event; `ami.pbx1.>`
//! for one server, `ami.*.state` for connection states and losses).

use std::collections::HashMap;

use ami_bridge::headers;
use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "nats://127.0.0.1:4222".into());
    let durable = args.next().unwrap_or_else(|| "example".into());
    let subject = args.next().unwrap_or_else(|| "ami.*.event.>".into());

    let js = jetstream::new(async_nats::connect(&url).await?);
    let stream = js.get_stream("AMI").await?;
    let consumer = stream
        .get_or_create_consumer(
            &durable,
            consumer::pull::Config {
                durable_name: Some(durable.clone()),
                filter_subject: subject,
                ack_policy: consumer::AckPolicy::Explicit,
                ..Default::default()
            },
        )
        .await?;
    let mut messages = consumer.messages().await?;
    // Per server and connection, the last sequence seen: a jump is a loss the bridge
    // announced on the state subject (or, with a subject filter, messages filtered out).
    let mut last: HashMap<(String, String), u64> = HashMap::new();
    while let Some(message) = messages.next().await {
        let message = message?;
        let header = |name: &str| {
            message
                .headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default()
        };
        let server = header(headers::SERVER);
        let connection = header(headers::CONNECTION);
        let seq: u64 = header(headers::SEQ).parse().unwrap_or(0);
        let previous = last.insert((server.clone(), connection.clone()), seq);
        let gap = previous.map_or(0, |p| seq.saturating_sub(p + 1));
        // The payload is `ami decode`'s JSON object for the event.
        let event: serde_json::Value = serde_json::from_slice(&message.payload)?;
        let name = event["headers"][0][1].as_str().unwrap_or("?");
        println!(
            "{server} #{connection}.{seq} {name}{}",
            if gap > 0 {
                format!(" ({gap} not received before it)")
            } else {
                String::new()
            }
        );
        message.ack().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}
