//! The JetStream stream that stores what the bridges publish: created with `[stream]`'s
//! settings when missing, used as it is when present (several bridges share one stream;
//! the first one creates it). A present stream must take the bridge's subjects.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use tracing::{info, warn};

use crate::config::{Discard, Retention, Storage, StreamConfig};
use crate::subject;

/// The stream configuration `[stream]` describes, for the subjects under `prefix`.
///
/// ```
/// let config = ami_bridge::Config::parse("[[server]]\nname=\"a\"\naddress=\"h\"\nuser=\"u\"\nsecret_env=\"S\"").unwrap();
/// let stream = ami_bridge::stream::settings(&config.stream, &config.nats.subject_prefix);
/// assert_eq!(stream.name, "AMI");
/// assert_eq!(stream.subjects, ["ami.*.event.>", "ami.*.other", "ami.*.state"]);
/// assert_eq!(stream.duplicate_window, std::time::Duration::from_secs(120));
/// ```
pub fn settings(config: &StreamConfig, prefix: &str) -> stream::Config {
    stream::Config {
        name: config.name.clone(),
        subjects: subject::stream_subjects(prefix),
        storage: match config.storage {
            Storage::File => stream::StorageType::File,
            Storage::Memory => stream::StorageType::Memory,
        },
        retention: match config.retention {
            Retention::Limits => stream::RetentionPolicy::Limits,
            Retention::Interest => stream::RetentionPolicy::Interest,
            Retention::Workqueue => stream::RetentionPolicy::WorkQueue,
        },
        discard: match config.discard {
            Discard::Old => stream::DiscardPolicy::Old,
            Discard::New => stream::DiscardPolicy::New,
        },
        max_age: Duration::from_secs_f64(config.max_age_secs),
        max_bytes: unlimited_if_zero(config.max_bytes),
        max_messages: unlimited_if_zero(config.max_msgs),
        max_message_size: if config.max_msg_size == 0 {
            -1
        } else {
            config.max_msg_size
        },
        duplicate_window: Duration::from_secs_f64(config.duplicate_window_secs),
        num_replicas: config.replicas,
        description: Some("AMI events published by ami bridge".into()),
        ..Default::default()
    }
}

fn unlimited_if_zero(n: i64) -> i64 {
    if n == 0 {
        -1
    } else {
        n
    }
}

/// Gets the stream, or creates it; fails when a present stream does not take the
/// bridge's subjects.
pub(crate) async fn ensure(
    jetstream: &jetstream::Context,
    wanted: stream::Config,
) -> Result<(), String> {
    let mut stream = match jetstream.get_or_create_stream(wanted.clone()).await {
        Ok(stream) => stream,
        Err(first) => {
            // Another bridge may have created it between our look-up and our creation.
            warn!(stream = %wanted.name, error = %first, "cannot create the stream; looking it up again");
            jetstream
                .get_stream(&wanted.name)
                .await
                .map_err(|e| format!("stream `{}`: {first}; then {e}", wanted.name))?
        }
    };
    let info = stream
        .info()
        .await
        .map_err(|e| format!("stream `{}`: {e}", wanted.name))?;
    let have = &info.config;
    let missing: Vec<&String> = wanted
        .subjects
        .iter()
        .filter(|s| !have.subjects.contains(s))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "stream `{}` exists but does not take {missing:?} (it takes {:?}): add them, or name another stream in [stream]",
            wanted.name, have.subjects
        ));
    }
    let differs = have.storage != wanted.storage
        || have.retention != wanted.retention
        || have.discard != wanted.discard
        || have.max_age != wanted.max_age
        || have.max_bytes != wanted.max_bytes
        || have.max_messages != wanted.max_messages
        || have.duplicate_window != wanted.duplicate_window
        || have.num_replicas != wanted.num_replicas;
    if differs {
        warn!(
            stream = %wanted.name,
            "the stream's settings differ from [stream] (it is used as it is): storage {:?}, retention {:?}, discard {:?}, max_age {:?}, max_bytes {}, max_msgs {}, duplicate_window {:?}, replicas {}",
            have.storage, have.retention, have.discard, have.max_age, have.max_bytes, have.max_messages, have.duplicate_window, have.num_replicas
        );
    }
    info!(stream = %wanted.name, subjects = ?have.subjects, messages = info.state.messages, "stream ready");
    Ok(())
}
