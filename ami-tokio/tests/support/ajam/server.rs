//! A local HTTP server (hyper on 127.0.0.1) that answers AJAM requests the way Asterisk
//! does, from its recorded replies (`corpus/http/<version>/`):
//!
//! - `/rawman`, `/mxml`, `/manager` (under the configured prefix) keep a session per
//!   `mansession_id` cookie: a request without a live cookie gets a new, unauthenticated
//!   session, and any action but `Login` is answered `Permission denied`; a failed login
//!   and a logoff end the session; a session idle longer than `httptimeout` is gone;
//! - `/arawman`, `/amxml`, `/amanager` check HTTP digest on every request (answers are
//!   recomputed by `digest.rs`; a wrong one gets a new challenge), keep a session per
//!   nonce, count `nc` (it must grow) and make a nonce stale after its lifetime;
//! - replies are the recorded rawman bodies with the request's ActionID put in, turned
//!   into mxml or the manager page by `ami_http::render` (what Asterisk's `xml_translate`
//!   does); headers are copied from the recordings (`Server`, `Content-type`,
//!   `Set-Cookie`, `WWW-authenticate`, the 401 page);
//! - `WaitEvent` waits (up to `Timeout` seconds, capped at `httptimeout` less 10 as
//!   Asterisk caps it) for the events the test pushes, and returns them between its
//!   response and `WaitEventComplete`.
//!
//! Every request is kept (method, target, parameters as Asterisk reads them, headers,
//! body, status) for the tests to assert on.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::BuildHasher;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ami_http::{render::render, Encoding};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::digest;
use super::params::{self, get};
use super::recorded::{with_action_id, Recorded};

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Whose recordings answer: `13.38.3` or `23.4.1`.
    pub version: &'static str,
    /// `http.conf`'s prefix, with its leading slash (`""` for none).
    pub prefix: &'static str,
    pub username: &'static str,
    pub secret: &'static str,
    /// manager.conf's `httptimeout`: the cookie's `Max-Age`, and how long an idle session
    /// lives.
    pub httptimeout: u64,
    /// How long a digest nonce may be used (Asterisk: 62 s).
    pub nonce_lifetime: Duration,
    /// How long the reply to an `Originate` takes (its `OriginateResponse` is queued at
    /// once), to make a poll bring the event before the reply.
    pub originate_delay: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            version: "23.4.1",
            prefix: "",
            username: "admin",
            secret: "amp111",
            httptimeout: 60,
            nonce_lifetime: Duration::from_secs(62),
            originate_delay: Duration::ZERO,
        }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path and query, exactly as sent.
    pub target: String,
    /// The parameters, as Asterisk reads them.
    pub params: Vec<(Vec<u8>, Vec<u8>)>,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub status: u16,
    /// The answer's header names (lower case) and values.
    pub answer_headers: Vec<(String, Vec<u8>)>,
    pub answer_body: Vec<u8>,
}

impl Received {
    /// The `action` parameter, lower-cased.
    pub fn action(&self) -> String {
        get(&self.params, "action")
            .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// The value of request header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &v[..])
    }

    /// The value of answer header `name` (lower case).
    pub fn answer_header(&self, name: &str) -> Option<&[u8]> {
        self.answer_headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &v[..])
    }
}

/// The running server; it stops accepting when dropped.
pub struct AsteriskHttp {
    pub addr: SocketAddr,
    server: Arc<Server>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for AsteriskHttp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Server {
    options: Options,
    recorded: Recorded,
    realm: String,
    state: Mutex<State>,
    /// Woken when events are pushed or sessions end.
    wake: Notify,
}

#[derive(Default)]
struct State {
    sessions: HashMap<u32, Session>,
    received: Vec<Received>,
    draws: u64,
}

struct Session {
    logged_in: bool,
    queue: Vec<Vec<u8>>,
    last_use: Instant,
    digest: Option<Nonce>,
}

/// A digest session's nonce state, as Asterisk keeps it.
struct Nonce {
    current: u32,
    old: Option<u32>,
    nc: u64,
    issued: Instant,
}

impl State {
    /// A fresh random id, unused by any session and nonce.
    fn draw(&mut self) -> u32 {
        loop {
            self.draws += 1;
            let n = RandomState::new().hash_one(self.draws) as u32;
            let used = self
                .sessions
                .iter()
                .any(|(id, s)| *id == n || s.digest.as_ref().is_some_and(|d| d.current == n));
            if n != 0 && !used {
                return n;
            }
        }
    }
}

impl AsteriskHttp {
    /// Starts a plain HTTP server on a free port of 127.0.0.1.
    pub async fn start(options: Options) -> AsteriskHttp {
        AsteriskHttp::start_with(options, None).await
    }

    /// Starts an HTTPS server with `acceptor`.
    pub async fn start_tls(options: Options, acceptor: tokio_rustls::TlsAcceptor) -> AsteriskHttp {
        AsteriskHttp::start_with(options, Some(acceptor)).await
    }

    async fn start_with(
        options: Options,
        acceptor: Option<tokio_rustls::TlsAcceptor>,
    ) -> AsteriskHttp {
        let recorded = Recorded::load(options.version);
        let challenge = recorded.header("arawman/00_no_auth", "WWW-authenticate", 0);
        assert!(challenge.contains(r#"realm="asterisk""#), "{challenge}");
        let server = Arc::new(Server {
            options,
            recorded,
            realm: "asterisk".to_string(),
            state: Mutex::new(State::default()),
            wake: Notify::new(),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepting = server.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let server = accepting.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    match acceptor {
                        None => serve(server, socket).await,
                        Some(acceptor) => {
                            if let Ok(tls) = acceptor.accept(socket).await {
                                serve(server, tls).await;
                            }
                        }
                    }
                });
            }
        });
        AsteriskHttp { addr, server, task }
    }

    /// `http://127.0.0.1:PORT` and the prefix.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.server.options.prefix)
    }

    /// Every request answered so far, in the order the answers were sent.
    pub fn received(&self) -> Vec<Received> {
        self.server.lock().received.clone()
    }

    /// Queues rawman event texts for every logged-in session and wakes their polls.
    pub fn push_events(&self, events: &[Vec<u8>]) {
        let mut state = self.server.lock();
        for session in state.sessions.values_mut() {
            if session.logged_in {
                session.queue.extend(events.iter().cloned());
            }
        }
        drop(state);
        self.server.wake.notify_waiters();
    }

    /// Ends every session, as an idle timeout or a restart of Asterisk does.
    pub fn expire_sessions(&self) {
        self.server.lock().sessions.clear();
        self.server.wake.notify_waiters();
    }

    /// Makes every digest nonce too old: its next use gets a stale challenge.
    pub fn age_nonces(&self) {
        let mut state = self.server.lock();
        for session in state.sessions.values_mut() {
            if let Some(nonce) = session.digest.as_mut() {
                nonce.issued -= self.server.options.nonce_lifetime + Duration::from_secs(1);
            }
        }
    }

    /// Live sessions.
    pub fn sessions(&self) -> usize {
        self.server.lock().sessions.len()
    }
}

async fn serve(server: Arc<Server>, io: impl AsyncRead + AsyncWrite + Send + Unpin + 'static) {
    let service = service_fn(move |request| handle(server.clone(), request));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

async fn handle(
    server: Arc<Server>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let form = parts.headers.get(CONTENT_TYPE).map(|v| v.as_bytes())
        == Some(ami_http::FORM_CONTENT_TYPE.as_bytes());
    // Asterisk reads the parameters of a GET from its query and of a POST from its form
    // body only.
    let params = match parts.method.as_str() {
        "GET" => params::parse(parts.uri.query().unwrap_or("").as_bytes()),
        "POST" if form => params::parse(&body),
        _ => Vec::new(),
    };
    let method = parts.method.as_str().to_string();
    let response = server
        .answer(&method, &target, parts.uri.path(), &parts.headers, &params)
        .await;
    let (answer, answer_body) = response.into_parts();
    let answer_body = answer_body.collect().await.unwrap().to_bytes();
    let received = Received {
        method,
        target,
        params,
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
            .collect(),
        body: body.to_vec(),
        status: answer.status.as_u16(),
        answer_headers: answer
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
            .collect(),
        answer_body: answer_body.to_vec(),
    };
    server.lock().received.push(received);
    Ok(Response::from_parts(answer, Full::new(answer_body)))
}

impl Server {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn answer(
        &self,
        method: &str,
        target: &str,
        path: &str,
        headers: &HeaderMap,
        params: &[(Vec<u8>, Vec<u8>)],
    ) -> Response<Full<Bytes>> {
        let name = path
            .strip_prefix(self.options.prefix)
            .and_then(|p| p.strip_prefix('/'))
            .unwrap_or("");
        let (encoding, digest) = match name.strip_prefix('a') {
            Some(rest) if Encoding::from_name(rest).is_some() => (Encoding::from_name(rest), true),
            _ => (Encoding::from_name(name), false),
        };
        let Some(encoding) = encoding else {
            return Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Full::new(Bytes::from_static(b"Not Found")))
                .unwrap();
        };
        let id = if digest {
            let authorization = headers.get(AUTHORIZATION).map(|v| v.to_str().unwrap_or(""));
            match self.digest_session(method, target, authorization) {
                Ok(id) => id,
                Err((nonce, stale)) => return self.unauthorized(nonce, stale),
            }
        } else {
            self.cookie_session(headers.get(COOKIE).map(|v| v.as_bytes()))
        };
        let text = self.run(id, params).await;
        self.touch(id);
        let body = render(encoding, &text);
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(
                "Server",
                self.recorded.header("rawman/03_ping", "Server", 0),
            )
            .header("Cache-Control", "no-cache, no-store")
            .header("Content-type", self.recorded.content_type(encoding));
        if !digest {
            response = response
                .header("Set-Cookie", self.set_cookie(id))
                .header("Pragma", "SuppressEvents");
        }
        response.body(Full::new(Bytes::from(body))).unwrap()
    }

    /// The recorded `Set-Cookie` with session `id` and the configured `Max-Age`.
    fn set_cookie(&self, id: u32) -> String {
        let recorded = self.recorded.header("rawman/03_ping", "Set-Cookie", 0);
        let (before, rest) = recorded.split_once("mansession_id=\"").unwrap();
        let (_, after) = rest.split_once('"').unwrap();
        let after = after.replace(
            "Max-Age=60",
            &format!("Max-Age={}", self.options.httptimeout),
        );
        format!("{before}mansession_id=\"{id:08x}\"{after}")
    }

    /// The recorded 401 with `nonce` (and `stale=true`).
    fn unauthorized(&self, nonce: u32, stale: bool) -> Response<Full<Bytes>> {
        let recorded = self
            .recorded
            .header("arawman/00_no_auth", "WWW-authenticate", 0);
        let old = recorded
            .split("nonce=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut challenge = recorded.replace(old, &format!("{nonce:08x}"));
        if stale {
            challenge.push_str(", stale=true");
        }
        Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(
                "Server",
                self.recorded.header("rawman/03_ping", "Server", 0),
            )
            .header("Cache-Control", "no-cache, no-store")
            .header("WWW-authenticate", challenge)
            .header("Content-type", "text/html")
            .body(Full::new(Bytes::copy_from_slice(
                self.recorded.body("arawman/00_no_auth"),
            )))
            .unwrap()
    }

    /// The live session a cookie names, or a new unauthenticated one.
    fn cookie_session(&self, cookie: Option<&[u8]>) -> u32 {
        let mut state = self.lock();
        let idle = Duration::from_secs(self.options.httptimeout);
        state.sessions.retain(|_, s| s.last_use.elapsed() <= idle);
        if let Some(id) = cookie.and_then(params::session_id) {
            if let Some(session) = state.sessions.get_mut(&id) {
                session.last_use = Instant::now();
                return id;
            }
        }
        let id = state.draw();
        state.sessions.insert(
            id,
            Session {
                logged_in: false,
                queue: Vec::new(),
                last_use: Instant::now(),
                digest: None,
            },
        );
        id
    }

    /// The digest session of a right answer, or the challenge to send: `(nonce, stale)`.
    fn digest_session(
        &self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
    ) -> Result<u32, (u32, bool)> {
        let mut state = self.lock();
        let o = &self.options;
        let answered = authorization
            .and_then(|h| digest::verify(h, method, target, o.username, o.secret, &self.realm));
        let Some(answered) = answered else {
            return Err((state.draw(), false));
        };
        let found = state.sessions.iter_mut().find(|(_, s)| {
            s.digest
                .as_ref()
                .is_some_and(|d| d.current == answered.nonce || d.old == Some(answered.nonce))
        });
        if let Some((&id, session)) = found {
            let nonce = session.digest.as_mut().unwrap();
            if nonce.current != answered.nonce {
                return Err((nonce.current, true));
            }
            if answered.nc <= nonce.nc || nonce.issued.elapsed() > o.nonce_lifetime {
                // As Asterisk: a new nonce for the session, the old one kept to tell
                // stale answers from wrong ones.
                nonce.old = Some(nonce.current);
                let fresh = RandomState::new().hash_one(answered.nc) as u32 | 1;
                nonce.current = fresh;
                nonce.nc = 0;
                nonce.issued = Instant::now();
                return Err((fresh, true));
            }
            nonce.nc = answered.nc;
            session.last_use = Instant::now();
            return Ok(id);
        }
        let id = state.draw();
        state.sessions.insert(
            id,
            Session {
                logged_in: true,
                queue: Vec::new(),
                last_use: Instant::now(),
                digest: Some(Nonce {
                    current: answered.nonce,
                    old: None,
                    nc: answered.nc,
                    issued: Instant::now(),
                }),
            },
        );
        Ok(id)
    }

    fn touch(&self, id: u32) {
        if let Some(session) = self.lock().sessions.get_mut(&id) {
            session.last_use = Instant::now();
        }
    }

    /// The recorded rawman messages of `name`, with `id` as their ActionID.
    fn reply(&self, name: &str, id: Option<&[u8]>) -> Vec<u8> {
        self.recorded
            .messages(name)
            .iter()
            .map(|m| match id {
                Some(id) => with_action_id(m, id),
                None => m.clone(),
            })
            .collect::<Vec<_>>()
            .concat()
    }

    /// Runs the action of `params` in session `id`: its rawman text.
    async fn run(&self, id: u32, params: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
        let action = get(params, "action")
            .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
            .unwrap_or_default();
        let action_id = get(params, "actionid");
        let logged_in = self.lock().sessions.get(&id).is_some_and(|s| s.logged_in);
        if !logged_in && action != "login" && action != "challenge" {
            return self.reply("rawman/00_ping_before_login", action_id);
        }
        let reply = |name: &str| self.reply(&format!("rawman/{name}"), action_id);
        match action.as_str() {
            "login" => {
                let o = &self.options;
                let right = get(params, "username") == Some(o.username.as_bytes())
                    && get(params, "secret") == Some(o.secret.as_bytes());
                let mut state = self.lock();
                if right {
                    if let Some(session) = state.sessions.get_mut(&id) {
                        session.logged_in = true;
                    }
                    drop(state);
                    reply("02_login")
                } else {
                    // Asterisk ends the session of a failed login (the reply still
                    // names it).
                    state.sessions.remove(&id);
                    drop(state);
                    reply("01_login_bad")
                }
            }
            "logoff" => {
                self.lock().sessions.remove(&id);
                self.wake.notify_waiters();
                reply("16_logoff")
            }
            "ping" => reply("03_ping"),
            "command" => reply("04_command_version"),
            "coreshowchannels" => reply("08_coreshowchannels_up"),
            "getvar" => reply("11_getvar"),
            "originate" => {
                let asynchronous = get(params, "async").is_some_and(|a| {
                    matches!(&a.to_ascii_lowercase()[..], b"yes" | b"true" | b"1")
                });
                if asynchronous {
                    let event = self
                        .recorded
                        .messages("rawman/09_waitevent")
                        .into_iter()
                        .find(|m| m.starts_with(b"Event: OriginateResponse\r\n"))
                        .unwrap();
                    let event = match action_id {
                        Some(action_id) => with_action_id(&event, action_id),
                        None => event,
                    };
                    if let Some(session) = self.lock().sessions.get_mut(&id) {
                        session.queue.push(event);
                    }
                    self.wake.notify_waiters();
                }
                tokio::time::sleep(self.options.originate_delay).await;
                reply("07_originate_async")
            }
            "waitevent" => self.wait_event(id, params, action_id).await,
            _ => reply("12_unknown_action"),
        }
    }

    /// `WaitEvent`: the events queued for session `id`, waiting for some up to `Timeout`
    /// seconds (capped at `httptimeout` less 10, as Asterisk caps HTTP sessions).
    async fn wait_event(
        &self,
        id: u32,
        params: &[(Vec<u8>, Vec<u8>)],
        action_id: Option<&[u8]>,
    ) -> Vec<u8> {
        let asked: i64 = get(params, "timeout")
            .and_then(|t| std::str::from_utf8(t).ok()?.parse().ok())
            .unwrap_or(-1);
        let most = (self.options.httptimeout as i64 - 10).max(0);
        let seconds = if asked < 0 || asked > most {
            most
        } else {
            asked
        };
        let deadline = Instant::now() + Duration::from_secs(seconds as u64);
        loop {
            let woken = self.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            match self.lock().sessions.get(&id) {
                Some(session) if session.queue.is_empty() => {}
                // Events, or the session ended.
                _ => break,
            }
            if tokio::time::timeout_at(deadline, woken).await.is_err() {
                break;
            }
        }
        let events = self
            .lock()
            .sessions
            .get_mut(&id)
            .map(|s| std::mem::take(&mut s.queue))
            .unwrap_or_default();
        let mut text = self.reply("rawman/09_waitevent", None);
        // The response only, then the events, then the end with the ActionID.
        let response = super::recorded::split_messages(&text).swap_remove(0);
        text = match action_id {
            Some(action_id) => with_action_id(&response, action_id),
            None => response,
        };
        for event in events {
            text.extend_from_slice(&event);
        }
        let end = self.reply("rawman/10_waitevent_again", action_id);
        let end = super::recorded::split_messages(&end).pop().unwrap();
        assert!(end.starts_with(b"Event: WaitEventComplete\r\n"));
        text.extend_from_slice(&end);
        text
    }
}
