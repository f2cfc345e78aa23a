//! One client session, without IO: requests and the clock go in, bytes to write come out.
//! The tokio task in `session/mod.rs` only moves bytes and time.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::asterisk;
use crate::fault::Faults;
use crate::gate::EventGate;
use crate::pace::EventOrder;
use crate::requests::Request;
use crate::rewrite::with_action_id;
use crate::script::{Exchange, Part, Script, Slot};
use crate::server::{Counters, Settings};

/// Unsolicited output is queued only while less than this is waiting to be written, so a
/// fast event stream never holds more than this in memory or delays a reply for long.
const HIGH_WATER: usize = 64 * 1024;

/// How long Asterisk waits before it answers a failed login (`sleep(1)` in manager.c;
/// `04_login_wrong_secret` shows 1.000 s), before the pace applies.
const AUTH_FAILURE_DELAY: Duration = Duration::from_secs(1);

/// Whether the connection stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Open,
    /// Write what is queued, then close.
    Closing,
    /// Close now.
    Closed,
}

/// Something the server's handle asks of every open session.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    /// Write these bytes now.
    Send(Bytes),
    /// Stop answering and sending events.
    Silence,
    /// Close now.
    Disconnect,
}

/// Output waiting for its time.
#[derive(Debug)]
struct Timer {
    due: Instant,
    part: Part,
    bytes: Bytes,
    /// Close once written (a failed login's reply).
    then_close: bool,
}

/// Which recorded exchange: capture index and exchange index.
type Found = (usize, usize);

pub(crate) struct Engine {
    settings: Arc<Settings>,
    counters: Arc<Counters>,
    /// The capture this session plays (banner, events, first choice of replies).
    own: usize,
    faults: Faults,
    state: State,
    out: VecDeque<Bytes>,
    queued: usize,
    /// Bytes queued since the session started.
    pushed: u64,
    written: u64,
    logged_in: bool,
    challenge: Option<Bytes>,
    gate: EventGate,
    silent: bool,
    /// Requests answered (for [`crate::Fault::GoSilent`]).
    answers: usize,
    /// How often each exchange of each capture was used, to prefer unused ones.
    used: Vec<Vec<u32>>,
    /// Own exchanges answered at least once.
    answered: Vec<bool>,
    /// Own exchanges whose reply went out at its recorded place (AsRecorded order), with
    /// the client's ActionID: their later parts go out at their places too.
    in_place: Vec<Option<Option<Bytes>>>,
    /// The next own slot to play, and how many times the slots have looped.
    cursor: usize,
    round: u32,
    /// When the login succeeded: events are timed from here.
    started: Option<Instant>,
    timers: Vec<Timer>,
    /// Bytes written after the login instead of the capture's events.
    streaming: bool,
}

impl Engine {
    pub(crate) fn new(
        settings: Arc<Settings>,
        counters: Arc<Counters>,
        own: usize,
        faults: Faults,
    ) -> Engine {
        let used = settings
            .captures
            .iter()
            .map(|c| vec![0; c.script().exchanges.len()])
            .collect();
        let count = settings.captures[own].script().exchanges.len();
        let mut engine = Engine {
            settings,
            counters,
            own,
            faults,
            state: State::Open,
            out: VecDeque::new(),
            queued: 0,
            pushed: 0,
            written: 0,
            logged_in: false,
            challenge: None,
            gate: EventGate::default(),
            silent: false,
            answers: 0,
            used,
            answered: vec![false; count],
            in_place: vec![None; count],
            cursor: 0,
            round: 0,
            started: None,
            timers: Vec::new(),
            streaming: false,
        };
        let banner = engine.script().banner.clone();
        engine.push(banner);
        engine
    }

    fn script(&self) -> &Script {
        self.settings.captures[self.own].script()
    }

    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// Whether requests are still read.
    pub(crate) fn reading(&self) -> bool {
        self.state == State::Open
    }

    fn push(&mut self, bytes: Bytes) {
        if !bytes.is_empty() {
            self.pushed += bytes.len() as u64;
            self.queued += bytes.len();
            self.out.push_back(bytes);
        }
    }

    /// The next bytes to write, if any.
    pub(crate) fn pop_output(&mut self) -> Option<Bytes> {
        if self.state == State::Closed {
            return None;
        }
        let mut bytes = self.out.pop_front()?;
        self.queued -= bytes.len();
        if let Some(cap) = self.faults.close_after_bytes {
            let left = cap.saturating_sub(self.written);
            if (bytes.len() as u64) >= left {
                bytes.truncate(left as usize);
                self.out.clear();
                self.queued = 0;
                self.state = State::Closing;
            }
        }
        self.written += bytes.len() as u64;
        (!bytes.is_empty()).then_some(bytes)
    }

    /// Nothing is waiting to be written.
    pub(crate) fn drained(&self) -> bool {
        self.out.is_empty()
    }

    /// The client closed its side: write what is queued, then close.
    pub(crate) fn on_eof(&mut self) {
        if self.state == State::Open {
            self.state = State::Closing;
        }
    }

    pub(crate) fn command(&mut self, command: Command) {
        match command {
            Command::Send(bytes) => self.push(bytes),
            Command::Silence => self.silent = true,
            Command::Disconnect => self.state = State::Closed,
        }
    }

    /// A request the client sent.
    pub(crate) fn on_request(&mut self, request: Request, now: Instant) {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        if self.silent || self.state != State::Open {
            return;
        }
        let id = request.action_id().map(Bytes::copy_from_slice);
        let id = id.as_deref();
        let Some(action) = request.action().map(Bytes::copy_from_slice) else {
            let found = self.find(&request, |_, _| true);
            self.answer_or(found, id, now, || asterisk::missing_action(id));
            return self.answered_one();
        };
        let is = |name: &str| action.eq_ignore_ascii_case(name.as_bytes());
        if is("Login") {
            self.login(&request, id, now);
        } else if !self.logged_in && !is("Challenge") && !is("Logoff") {
            let found = self.find(&request, |e, after_login| {
                !after_login && e.responds("Error") && message_is(e, "Permission denied")
            });
            self.answer_or(found, id, now, || asterisk::permission_denied(id));
        } else if is("Challenge") {
            self.challenge(&request, id, now);
        } else if is("Logoff") {
            let found = self.find(&request, |_, _| true);
            self.answer_or(found, id, now, || asterisk::goodbye(id));
            self.state = State::Closing;
        } else {
            let found = self.find(&request, |_, after_login| after_login);
            if is("Events") || is("Filter") {
                self.gate_action(&request, found, is("Events"));
            } else {
                self.answer_or(found, id, now, || asterisk::unknown_action(id, &action));
            }
        }
        self.answered_one();
    }

    /// `Events` or `Filter`: answered by the filter engine, which writes Asterisk's exact
    /// reply for whatever the client asked (a recorded reply is the answer to the recorded
    /// request, which may have asked something else). The recorded exchange, if any, still
    /// takes its place among the events.
    fn gate_action(&mut self, request: &Request, found: Option<Found>, events: bool) {
        if let Some((c, k)) = found {
            self.used[c][k] += 1;
            if c == self.own {
                // Events recorded before the reply go out first, through the old gate.
                self.pass_reply(k);
            }
        }
        let Some(message) = request.message() else {
            return;
        };
        let reply = if events {
            self.gate.events_action(&message)
        } else {
            Some(self.gate.filter_action(&message))
        };
        if let Some(reply) = reply {
            self.push(reply);
        }
    }

    /// A request that could not be read (the decoder skips it, up to its blank line).
    /// Asterisk would answer what it could make of it; the fake answers nothing.
    pub(crate) fn on_malformed(&mut self) {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
    }

    fn answered_one(&mut self) {
        self.answers += 1;
        if self.faults.silent_after.is_some_and(|n| self.answers >= n) {
            self.silent = true;
        }
    }

    fn login(&mut self, request: &Request, id: Option<&[u8]>, now: Instant) {
        if self.faults.close_on_login {
            self.state = State::Closing;
            return;
        }
        if self.logged_in {
            self.push(asterisk::already_authenticated(id));
            return;
        }
        let settings = Arc::clone(&self.settings);
        let user = match &settings.users {
            Some(users) => match users.accept(request, self.challenge.as_deref()) {
                Some(user) => Some(user),
                None => {
                    let found = self.find(request, |e, _| e.responds("Error"));
                    let bytes = match found {
                        Some((c, k)) => self.recorded_reply(c, k, id),
                        None => asterisk::authentication_failed(id),
                    };
                    self.state_after_failed_login(bytes, now);
                    return;
                }
            },
            None => None,
        };
        let found = self.find(request, |e, _| e.responds("Success"));
        self.logged_in = true;
        self.started = Some(now);
        self.counters.logged_in.fetch_add(1, Ordering::Relaxed);
        if let Some(login) = request.message() {
            self.gate = EventGate::login(user, &login);
        }
        self.answer_or(found, id, now, || asterisk::authentication_accepted(id));
        // The events wait for the recorded login, whichever reply was given.
        if let Some(k) = self.script().login {
            self.pass_reply(k);
        }
        for bytes in self.faults.after_login.clone() {
            self.push(bytes);
        }
        if let Some(stream) = self.settings.stream_after_login.clone() {
            self.streaming = true;
            self.push(stream);
            if self.faults.close_after_stream && !self.settings.loop_events {
                self.state = State::Closing;
            }
        }
    }

    /// Asterisk answers a failed login after a second, then closes the connection; the
    /// session reads nothing meanwhile.
    fn state_after_failed_login(&mut self, bytes: Bytes, now: Instant) {
        self.timers.push(Timer {
            due: now + self.settings.pace.scale(AUTH_FAILURE_DELAY),
            part: Part {
                message: None,
                bytes: Bytes::new(),
                at: Duration::ZERO,
            },
            bytes,
            then_close: true,
        });
        self.silent = true;
    }

    fn challenge(&mut self, request: &Request, id: Option<&[u8]>, now: Instant) {
        let md5 = request
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case(b"MD5"));
        let found = self.find(request, |_, _| true);
        if let Some((c, k)) = found {
            let reply = self.settings.captures[c].script().exchanges[k]
                .reply
                .first();
            let recorded = reply
                .and_then(|p| p.message.as_ref())
                .and_then(|m| m.message().get("Challenge").map(Bytes::copy_from_slice));
            if md5 && recorded.is_some() {
                self.challenge = recorded;
            }
            self.answer(c, k, id, now);
        } else if md5 {
            let challenge = self.challenge.get_or_insert_with(new_challenge).clone();
            self.push(asterisk::challenge(id, &challenge));
        } else {
            self.push(asterisk::must_specify_authtype(id));
        }
    }

    /// The best recorded exchange for `request` among those `keep` accepts (`keep` is also
    /// told whether the exchange came after its capture's login): this session's capture
    /// first, then the others in order; within one, the most alike headers, then an
    /// unused one, then one whose request had an ActionID if this one has, then the first.
    fn find(&self, request: &Request, keep: impl Fn(&Exchange, bool) -> bool) -> Option<Found> {
        let captures = &self.settings.captures;
        let order = std::iter::once(self.own).chain((0..captures.len()).filter(|&c| c != self.own));
        for c in order {
            let script = captures[c].script();
            let best = script
                .exchanges
                .iter()
                .enumerate()
                .filter(|(k, e)| {
                    same_action(e, request) && keep(e, script.login.is_none_or(|l| *k > l))
                })
                .max_by_key(|(k, e)| {
                    (
                        likeness(e, request),
                        // Each recorded exchange once before any twice: a client that
                        // sends a capture's requests gets its replies, in order.
                        self.used[c][*k] == 0,
                        e.request.action_id.is_some() == request.action_id().is_some(),
                        std::cmp::Reverse(*k),
                    )
                });
            if let Some((k, _)) = best {
                return Some((c, k));
            }
        }
        None
    }

    fn answer_or(
        &mut self,
        found: Option<Found>,
        id: Option<&[u8]>,
        now: Instant,
        otherwise: impl FnOnce() -> Bytes,
    ) {
        match found {
            Some((c, k)) => self.answer(c, k, id, now),
            None => self.push(otherwise()),
        }
    }

    /// The recorded reply of exchange `k` of capture `c`, with the client's ActionID.
    fn recorded_reply(&self, c: usize, k: usize, id: Option<&[u8]>) -> Bytes {
        let exchange = &self.settings.captures[c].script().exchanges[k];
        let mut out = Vec::new();
        for part in &exchange.reply {
            out.extend_from_slice(&with_action_id(part, id));
        }
        out.into()
    }

    /// Writes exchange `k` of capture `c`'s reply with the client's ActionID, and plans its
    /// later parts.
    fn answer(&mut self, c: usize, k: usize, id: Option<&[u8]>, now: Instant) {
        self.used[c][k] += 1;
        let settings = Arc::clone(&self.settings);
        let exchange = &settings.captures[c].script().exchanges[k];
        let in_place = c == self.own && self.pass_reply(k);
        if in_place {
            self.in_place[k] = Some(id.map(Bytes::copy_from_slice));
        }
        let mut items = 0;
        for (i, part) in exchange.reply.iter().enumerate() {
            if exchange.list && i > 0 {
                if self.faults.close_mid_list == Some(items) {
                    self.state = State::Closing;
                    return;
                }
                items += 1;
            }
            if !exchange.list && part.is_event() && !self.passes(part) {
                continue;
            }
            self.push(with_action_id(part, id));
        }
        if !in_place {
            for later in &exchange.later {
                self.timers.push(Timer {
                    due: now + self.settings.pace.scale(later.after),
                    part: later.part.clone(),
                    bytes: with_action_id(&later.part, id),
                    then_close: false,
                });
            }
        }
    }

    /// Marks own exchange `k` answered. In [`EventOrder::AsRecorded`], when its reply's
    /// place is still ahead, first writes what was recorded before it, and returns true:
    /// the reply goes at its place.
    fn pass_reply(&mut self, k: usize) -> bool {
        self.answered[k] = true;
        if self.settings.order != EventOrder::AsRecorded || self.round > 0 || self.streaming {
            return false;
        }
        let Some(slot) = self.script().reply_slot(k) else {
            return false;
        };
        if slot < self.cursor {
            return false;
        }
        while self.cursor < slot {
            self.play_slot(self.cursor);
            self.cursor += 1;
        }
        self.cursor = slot + 1;
        true
    }

    /// Writes own slot `i` if it is to be played (an event the gate lets through, a later
    /// part of a reply given at its place).
    fn play_slot(&mut self, i: usize) {
        let settings = Arc::clone(&self.settings);
        let script = settings.captures[self.own].script();
        match &script.slots[i] {
            Slot::Unsolicited(part) => {
                if self.passes(part) {
                    self.push(part.bytes.clone());
                }
            }
            Slot::Reply(_) => {}
            Slot::Later { exchange, index } => {
                if let Some(id) = self.in_place[*exchange].clone().filter(|_| self.round == 0) {
                    let part = &script.exchanges[*exchange].later[*index].part;
                    if self.passes(part) {
                        self.push(with_action_id(part, id.as_deref()));
                    }
                }
            }
        }
    }

    fn passes(&self, part: &Part) -> bool {
        match &part.message {
            Some(m) if part.is_event() => self.gate.passes(&m.message()),
            _ => true,
        }
    }

    /// When slot `i` of round `round` is due, or `None` if it waits for a request.
    fn slot_due(&self, i: usize) -> Option<Instant> {
        let script = self.script();
        let started = self.started?;
        let waits_for_request = match &script.slots[i] {
            Slot::Reply(k) => {
                self.round == 0
                    && self.settings.order == EventOrder::AsRecorded
                    && !self.answered[*k]
            }
            _ => false,
        };
        if waits_for_request {
            return None;
        }
        // A loop lasts as long as the recording after the login, at least a millisecond.
        let span = script
            .duration
            .saturating_sub(script.origin)
            .max(Duration::from_millis(1));
        let recorded = script.slot_at(i).saturating_sub(script.origin) + span * self.round;
        Some(started + self.settings.pace.scale(recorded))
    }

    /// Whether the slots play (after the login, unless silenced or streaming instead).
    fn slots_play(&self) -> bool {
        self.logged_in && !self.silent && !self.streaming && self.state == State::Open
    }

    /// Queues what is due at `now`.
    pub(crate) fn on_time(&mut self, now: Instant) {
        self.fire_timers(now);
        if self.streaming && self.settings.loop_events && self.out.is_empty() && !self.silent {
            if let Some(stream) = self.settings.stream_after_login.clone() {
                self.push(stream);
            }
        }
        // Bytes queued when the slots last looped in this call: a whole round that queues
        // nothing (every event masked) ends the call instead of spinning.
        let mut at_last_loop = None;
        while self.slots_play() && self.queued < HIGH_WATER {
            let count = self.script().slots.len();
            if self.cursor >= count {
                if at_last_loop == Some(self.pushed) {
                    break;
                }
                at_last_loop = Some(self.pushed);
                let loops = self.settings.loop_events
                    && self
                        .script()
                        .slots
                        .iter()
                        .any(|s| matches!(s, Slot::Unsolicited(_)));
                if !loops {
                    break;
                }
                self.cursor = 0;
                self.round += 1;
            }
            match self.slot_due(self.cursor) {
                Some(due) if due <= now => {
                    self.play_slot(self.cursor);
                    self.cursor += 1;
                }
                _ => break,
            }
        }
    }

    fn fire_timers(&mut self, now: Instant) {
        if self.timers.is_empty() {
            return;
        }
        self.timers.sort_by_key(|t| t.due);
        while self.timers.first().is_some_and(|t| t.due <= now) {
            let timer = self.timers.remove(0);
            if timer.then_close {
                self.push(timer.bytes);
                self.state = State::Closing;
            } else if !self.silent && self.state == State::Open && self.passes(&timer.part) {
                self.push(timer.bytes);
            }
        }
    }

    /// When [`on_time`](Self::on_time) has something to do next, if ever (`None` also
    /// while enough is queued: writing it makes room first).
    pub(crate) fn next_due(&self) -> Option<Instant> {
        let timer = self.timers.iter().map(|t| t.due).min();
        if self.queued >= HIGH_WATER {
            return timer;
        }
        let slot = if self.slots_play() && self.cursor < self.script().slots.len() {
            self.slot_due(self.cursor)
        } else {
            None
        };
        match (timer, slot) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The request names the same action as the recorded one (or both have none).
fn same_action(exchange: &Exchange, request: &Request) -> bool {
    match (&exchange.request.action, request.action()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// How alike the headers are: minus the number of headers (key and value) found on one
/// side only.
fn likeness(exchange: &Exchange, request: &Request) -> i64 {
    let recorded = &exchange.request.arguments;
    let mut unmatched: Vec<bool> = vec![true; recorded.len()];
    let arguments = request.arguments();
    let mut matched = 0i64;
    for (key, value) in &arguments {
        let hit = recorded.iter().enumerate().position(|(i, (k, v))| {
            unmatched[i] && k.eq_ignore_ascii_case(key) && v[..] == value[..]
        });
        if let Some(i) = hit {
            unmatched[i] = false;
            matched += 1;
        }
    }
    2 * matched - arguments.len() as i64 - recorded.len() as i64
}

/// The exchange's reply says `Message: <text>`.
fn message_is(exchange: &Exchange, text: &str) -> bool {
    exchange
        .reply
        .first()
        .and_then(|p| p.message.as_ref())
        .and_then(|m| m.message().get("Message").map(|v| v == text.as_bytes()))
        .unwrap_or(false)
}

/// A new decimal challenge, as Asterisk's `ast_random()` gives.
fn new_challenge() -> Bytes {
    use std::hash::BuildHasher;
    let seed = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    Bytes::from((seed % 1_000_000_000).to_string())
}

#[cfg(test)]
impl Engine {
    /// Everything queued, as one buffer.
    pub(crate) fn take_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = self.pop_output() {
            out.extend_from_slice(&b);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::RequestReader;
    use crate::{Capture, Pace, Users};
    use bytes::BytesMut;

    fn corpus(version: &str, name: &str) -> Capture {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus");
        Capture::load(format!("{root}/{version}/{name}")).unwrap()
    }

    fn engine(captures: Vec<Capture>, users: Option<Users>) -> Engine {
        let settings = Settings {
            played: captures.len(),
            captures,
            pace: Pace::AsFastAsPossible,
            order: EventOrder::Clock,
            loop_events: false,
            users,
            stream_after_login: None,
            request_limits: ami_proto::Limits::DEFAULT,
        };
        Engine::new(Arc::new(settings), Arc::default(), 0, Faults::default())
    }

    fn send(engine: &mut Engine, wire: &[u8]) {
        let mut reader = RequestReader::new(ami_proto::Limits::DEFAULT);
        let mut buf = BytesMut::from(wire);
        while let Some(r) = reader.next(&mut buf) {
            engine.on_request(r.unwrap(), Instant::now());
        }
    }

    #[test]
    fn unknown_action_and_permission_denied_are_asterisks_own() {
        let mut e = engine(vec![corpus("asterisk-23.4.1", "02_login_success")], None);
        e.take_all();
        send(&mut e, b"Action: Ping\r\nActionID: a\r\n\r\n");
        assert_eq!(
            e.take_all(),
            b"Response: Error\r\nActionID: a\r\nMessage: Permission denied\r\n\r\n"
        );
        send(
            &mut e,
            b"Action: Login\r\nUsername: x\r\nSecret: y\r\nEvents: off\r\n\r\n",
        );
        assert_eq!(
            e.take_all(),
            b"Response: Success\r\nMessage: Authentication accepted\r\n\r\n"
        );
        send(&mut e, b"Action: Ping\r\nActionID: b\r\n\r\n");
        assert_eq!(
            e.take_all(),
            &b"Response: Error\r\nActionID: b\r\nMessage: Invalid/unknown command: Ping. Use Action: ListCommands to show available commands.\r\n\r\n"[..]
        );
    }

    #[test]
    fn wrong_secret_is_answered_then_closed() {
        let users = Users::new().user("admin", "amp111");
        let mut e = engine(vec![corpus("asterisk-13.38.3", "58_logoff")], Some(users));
        e.take_all();
        send(
            &mut e,
            b"Action: Login\r\nActionID: 1\r\nUsername: admin\r\nSecret: nope\r\n\r\n",
        );
        assert!(e.take_all().is_empty(), "not before the delay");
        e.on_time(Instant::now());
        assert_eq!(
            e.take_all(),
            b"Response: Error\r\nActionID: 1\r\nMessage: Authentication failed\r\n\r\n"
        );
        assert_eq!(e.state(), State::Closing);
    }

    #[test]
    fn looping_masked_events_does_not_spin() {
        let mut e = engine(vec![corpus("asterisk-23.4.1", "02_login_success")], None);
        let settings = Arc::get_mut(&mut e.settings).unwrap();
        settings.loop_events = true;
        e.take_all();
        send(
            &mut e,
            b"Action: Login\r\nUsername: a\r\nSecret: b\r\nEvents: off\r\n\r\n",
        );
        e.on_time(Instant::now());
        assert_eq!(
            e.take_all(),
            b"Response: Success\r\nMessage: Authentication accepted\r\n\r\n"
        );
        send(&mut e, b"Action: Events\r\nEventMask: on\r\n\r\n");
        e.on_time(Instant::now());
        let out = e.take_all();
        assert!(out.starts_with(b"Response: Success\r\nEvents: On\r\n\r\nEvent: FullyBooted\r\n"));
        assert!(
            out.len() >= HIGH_WATER,
            "loops as fast as possible up to the high water"
        );
    }

    #[test]
    fn mid_list_close_and_byte_cap() {
        let capture = corpus("asterisk-23.4.1", "24_coreshowchannels_none");
        let mut e = engine(vec![capture.clone()], None);
        e.faults.close_mid_list = Some(0);
        send(&mut e, b"Action: Login\r\nUsername: a\r\nSecret: b\r\nEvents: off\r\n\r\nAction: CoreShowChannels\r\nActionID: L\r\n\r\n");
        let out = e.take_all();
        assert!(
            out.ends_with(b"EventList: start\r\nMessage: Channels will follow\r\n\r\n"),
            "{}",
            out.escape_ascii()
        );
        assert_eq!(e.state(), State::Closing);

        let mut e = engine(vec![capture], None);
        e.faults.close_after_bytes = Some(10);
        assert_eq!(e.take_all(), b"Asterisk C");
        assert_eq!(e.state(), State::Closing);
    }
}
