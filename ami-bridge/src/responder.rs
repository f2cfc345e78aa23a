//! Actions by NATS request/reply: a request on `<prefix>.<server>.action` holds one
//! action in the JSON form of `ami encode --json`; the bridge checks it, sends it through
//! the server's AMI client and answers on the request's reply subject with the response
//! and, for a list, its items and final event, each in `ami decode`'s JSON object.
//!
//! Nothing in a request reaches Asterisk unchecked: the JSON is read by ami-json (a second
//! `Action` is refused), the action by ami-proto's encoder (CR, LF or NUL in a name or
//! value, a key that is not a token, Asterisk's limits), one action per request, and the
//! server's [`AllowList`]. A refused request is answered `{"type":"refused",...}` and
//! nothing is sent to Asterisk.

use std::sync::Arc;
use std::time::Duration;

use ami_json::JsonAction;
use ami_proto::{GenericAction, Item, ListEnd, ListShape};
use ami_tokio::{Client, Reply};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::allow::AllowList;

/// Answers one server's requests.
#[derive(Debug)]
pub(crate) struct Responder {
    pub(crate) server: String,
    pub(crate) client: Client,
    pub(crate) allow: AllowList,
    pub(crate) nats: async_nats::Client,
    pub(crate) timeout: Duration,
}

impl Responder {
    /// Answers requests until `stop`; each request is answered in a task of its own.
    pub(crate) async fn run(
        self: Arc<Self>,
        mut requests: async_nats::Subscriber,
        stop: CancellationToken,
    ) {
        loop {
            let request = tokio::select! {
                request = requests.next() => request,
                _ = stop.cancelled() => break,
            };
            let Some(request) = request else { break };
            let Some(reply_to) = request.reply.clone() else {
                warn!(server = %self.server, subject = %request.subject, "a request without a reply subject is not answered");
                continue;
            };
            let this = Arc::clone(&self);
            tokio::spawn(async move {
                let answer = this.answer(&request.payload).await;
                this.respond(reply_to, answer).await;
            });
        }
        let _ = requests.unsubscribe().await;
    }

    /// The answer to a request's payload.
    pub(crate) async fn answer(&self, request: &[u8]) -> Bytes {
        let (action, id, name) = match self.check(request) {
            Ok(checked) => checked,
            Err(why) => {
                debug!(server = %self.server, %why, "request refused");
                return answer_object("refused", &why);
            }
        };
        match self.client.send_timeout(&action, self.timeout).await {
            Ok(reply) => reply_object(&self.server, &name, id.as_deref(), &reply),
            Err(e) => answer_object("error", &e.to_string()),
        }
    }

    /// Everything a request must pass before anything is sent: the action to send, the
    /// requester's own ActionID (returned beside the reply, not sent), and the name.
    fn check(&self, request: &[u8]) -> Result<(GenericAction, Option<String>, String), String> {
        let mut actions = ami_json::parse_actions(request).map_err(|e| e.to_string())?;
        if actions.len() != 1 {
            return Err(format!("one action per request ({} given)", actions.len()));
        }
        let json = actions.remove(0);
        // The encoder's checks first: they name the header that would inject.
        json.encode(&mut Vec::new())
            .map_err(|e| format!("action `{}` refused: {e}", json.name.escape_default()))?;
        self.allow.check(&json.name)?;
        let (action, id) = json.to_generic_without_id();
        let action = match list_shape(&json) {
            Some(shape) => action.expect_list(shape),
            None => action,
        };
        Ok((action, id, json.name))
    }

    /// Publishes the answer on the reply subject (an error instead when it is larger than
    /// NATS allows).
    async fn respond(&self, reply_to: async_nats::Subject, answer: Bytes) {
        let max = self.nats.server_info().max_payload;
        let answer = if answer.len() > max {
            answer_object(
                "error",
                &format!(
                    "the reply is {} bytes, more than NATS's max_payload ({max}); raise max_payload in nats-server's configuration",
                    answer.len()
                ),
            )
        } else {
            answer
        };
        if let Err(e) = self.nats.publish(reply_to, answer).await {
            warn!(server = %self.server, error = %e, "cannot publish a reply");
        }
    }
}

/// The list an action is answered by, when ami-spec's table knows it by name (an `Async`
/// Originate's one `OriginateResponse` included); other lists are recognised by their
/// `EventList: start` response.
fn list_shape(action: &JsonAction) -> Option<ListShape<'static>> {
    ami_spec::list_action(&action.name)?.shape(|key| {
        action
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_bytes())
    })
}

/// `{"type":TYPE,"error":"..."}`.
fn answer_object(kind: &str, error: &str) -> Bytes {
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"type\":");
    json_string(&mut out, kind);
    out.extend_from_slice(b",\"error\":");
    json_string(&mut out, error);
    out.push(b'}');
    out.into()
}

/// `{"type":"reply","server":..,"action":..,"action_id":..,"success":..,"response":{..}}`
/// and, for a list, `"items":[..],"end":{..},"last":{..}`.
fn reply_object(server: &str, action: &str, action_id: Option<&str>, reply: &Reply) -> Bytes {
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"type\":\"reply\",\"server\":");
    json_string(&mut out, server);
    out.extend_from_slice(b",\"action\":");
    json_string(&mut out, action);
    if let Some(id) = action_id {
        out.extend_from_slice(b",\"action_id\":");
        json_string(&mut out, id);
    }
    out.extend_from_slice(b",\"success\":");
    out.extend_from_slice(if reply.is_success() {
        b"true"
    } else {
        b"false"
    });
    out.extend_from_slice(b",\"response\":");
    let _ = ami_json::write_item_object(&mut out, &Item::Message(reply.message()));
    if let Some(end) = reply.list_end() {
        out.extend_from_slice(b",\"items\":[");
        for (i, item) in reply.items().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let _ = ami_json::write_item_object(&mut out, &Item::Message(item.message()));
        }
        out.extend_from_slice(b"],\"end\":");
        let end = match end {
            ListEnd::Complete { seen, listed } => {
                serde_json::json!({"list": "complete", "seen": seen, "listed": listed})
            }
            ListEnd::Cancelled { seen } => serde_json::json!({"list": "cancelled", "seen": seen}),
            ListEnd::Error { seen } => serde_json::json!({"list": "error", "seen": seen}),
            // An end a later ami-proto tells apart: still its count.
            other => serde_json::json!({"list": "ended", "seen": other.seen()}),
        };
        let _ = serde_json::to_writer(&mut out, &end);
        if let Some(last) = reply.last() {
            out.extend_from_slice(b",\"last\":");
            let _ = ami_json::write_item_object(&mut out, &Item::Message(last.message()));
        }
    }
    out.push(b'}');
    out.into()
}

fn json_string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}
