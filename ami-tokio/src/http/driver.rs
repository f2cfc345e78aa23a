//! The task behind an [`HttpClient`](crate::HttpClient): logs in, polls events with
//! `WaitEvent` (or keeps the session alive with `Ping` when polling is off), notices a
//! lost session, and logs in again.

use std::sync::Arc;
use std::time::Duration;

use ami_http::Auth;
use ami_proto::{Action, GenericAction, LoginFailure};
use bytes::Bytes;
use tokio::sync::oneshot;
use tracing::{debug, info, warn, Instrument};

use super::{HttpError, Purpose, Shared};
use crate::client::{random_unit, ClientEvent, Error, LoginError, Phase, Reply};

/// Runs the client until it is closed; `first` hears how the first login went.
pub(super) async fn run(shared: Arc<Shared>, first: oneshot::Sender<Result<(), Error>>) {
    let span = tracing::info_span!(
        "ami_http",
        server = %shared.config.authority(),
        path = shared.session.endpoint().path()
    );
    async {
        let mut generation = 1;
        let reason = match login(&shared, generation).await {
            Err(error) => {
                let reason = format!("the first login failed: {error}").into();
                let _ = first.send(Err(error));
                reason
            }
            Ok(banner) => {
                ready(&shared, generation, ClientEvent::Connected { banner });
                let _ = first.send(Ok(()));
                loop {
                    let lost = tokio::select! {
                        lost = serve(&shared, generation) => lost,
                        _ = shared.shutdown.cancelled() => break shared.reason(),
                    };
                    lose(&shared, &lost);
                    if shared.closing.is_cancelled() {
                        break shared.reason();
                    }
                    let again = tokio::select! {
                        again = relogin(&shared, &mut generation, &lost) => again,
                        _ = shared.shutdown.cancelled() => break shared.reason(),
                    };
                    if let Err(reason) = again {
                        break reason;
                    }
                }
            }
        };
        info!(%reason, "client closed");
        let error = Error::Closed {
            reason: reason.clone(),
        };
        let mut items = Vec::new();
        shared.routing().reset(&error, &mut items);
        shared.publish(items);
        shared.slots.close();
        shared.phase.send_replace(Phase::Closed(reason));
    }
    .instrument(span)
    .await
}

/// Logs in as session `generation`; the banner (the reply's `Server` header).
async fn login(shared: &Shared, generation: u64) -> Result<Bytes, Error> {
    let config = &shared.config;
    let action = match shared.session.endpoint().auth() {
        Auth::Cookie => {
            let login = GenericAction::new("Login")
                .header("Username", &config.username)
                .header("Secret", config.secret.expose());
            match &config.events {
                Some(events) => login.header("Events", events),
                None => login,
            }
        }
        // Every request authenticates: a Ping checks the secret.
        Auth::Digest => GenericAction::new("Ping"),
    };
    let call = shared.call(&action, Purpose::Login(generation));
    let reply = tokio::time::timeout(config.login_timeout, call)
        .await
        .unwrap_or(Err(Error::Timeout {
            after: config.login_timeout,
        }))?;
    if !reply.is_success() {
        return Err(Error::Login {
            reason: LoginError::Refused(LoginFailure::Refused),
            reply: Some(reply.response().clone()),
        });
    }
    let banner = shared
        .server
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(banner)
}

/// Session `generation` is logged in: calls may go.
fn ready(shared: &Shared, generation: u64, announce: ClientEvent) {
    shared.phase.send_replace(Phase::Ready(generation));
    info!(generation, "logged in");
    shared.publish(vec![announce]);
}

/// Keeps session `generation` going (polls or keepalives) until it is lost; why.
async fn serve(shared: &Shared, generation: u64) -> Error {
    let mut expired = shared.expired.subscribe();
    let work = async {
        loop {
            let result = if let Some(poll) = shared.config.poll {
                let started = tokio::time::Instant::now();
                let result = poll_once(shared, poll).await;
                if result.is_ok() {
                    tokio::time::sleep_until(started + shared.config.poll_interval).await;
                }
                result
            } else if let Some(interval) = shared.config.keepalive {
                tokio::time::sleep(interval).await;
                let ping = GenericAction::new("Ping");
                call(shared, &ping, shared.config.timeout).await
            } else {
                std::future::pending().await
            };
            if let Err(error) = result {
                return error;
            }
        }
    };
    tokio::select! {
        error = work => error,
        _ = expired.wait_for(|gone| *gone >= generation) => Error::Http(HttpError::SessionExpired),
    }
}

/// One `WaitEvent`: the events in its body go to the subscribers as the body is routed.
async fn poll_once(shared: &Shared, poll: Duration) -> Result<(), Error> {
    let seconds = shared.config.poll_seconds(poll);
    let wait = GenericAction::new("WaitEvent")
        .header("Timeout", seconds.to_string())
        .expect_final("WaitEventComplete");
    // The server may wait the whole time before it answers.
    let allowed = Duration::from_secs(seconds) + shared.config.timeout;
    call(shared, &wait, allowed).await
}

/// A call of the task's own; a reply that is not a success ends the session too.
async fn call(shared: &Shared, action: &GenericAction, timeout: Duration) -> Result<(), Error> {
    let call = shared.call(action, Purpose::Driver);
    let reply: Reply = tokio::time::timeout(timeout, call)
        .await
        .unwrap_or(Err(Error::Timeout { after: timeout }))?;
    if reply.is_success() {
        return Ok(());
    }
    let said = reply
        .message()
        .get("Message")
        .map(|m| m.escape_ascii().to_string())
        .unwrap_or_default();
    Err(Error::Disconnected {
        reason: format!("{} refused: {said}", action.name()).into(),
    })
}

/// The session is lost: calls in flight fail, subscribers are told.
fn lose(shared: &Shared, lost: &Error) {
    warn!(reason = %lost, "session lost");
    if !matches!(*shared.phase.borrow(), Phase::Closed(_)) {
        shared.phase.send_replace(Phase::Connecting);
    }
    shared.session.forget_cookie();
    let reason: Arc<str> = lost.to_string().into();
    let mut items = Vec::new();
    let error = Error::Disconnected {
        reason: reason.clone(),
    };
    shared.routing().reset(&error, &mut items);
    items.push(ClientEvent::Disconnected { reason });
    shared.publish(items);
}

/// Logs in again, at once and then with backoff; `Err` with the reason to close.
async fn relogin(shared: &Shared, generation: &mut u64, lost: &Error) -> Result<(), Arc<str>> {
    let Some(policy) = shared.config.reconnect else {
        return Err(format!("{lost} (reconnection is off)").into());
    };
    let mut failures = 0u32;
    loop {
        if failures > 0 {
            if policy.max_attempts.is_some_and(|max| failures >= max) {
                return Err(format!("gave up after {failures} failed logins: {lost}").into());
            }
            let delay = policy.delay(failures - 1, random_unit());
            debug!(?delay, attempt = failures + 1, "logging in again");
            tokio::time::sleep(delay).await;
        }
        *generation += 1;
        match login(shared, *generation).await {
            Ok(banner) => {
                ready(shared, *generation, ClientEvent::Reconnected { banner });
                return Ok(());
            }
            Err(error) => {
                warn!(%error, "login failed");
                failures += 1;
            }
        }
    }
}
