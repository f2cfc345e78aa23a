//! A deterministic generator of realistic AMI server streams for benchmarks and tests.
//!
//! The shapes follow the real Asterisk 23.4.1 capture
//! `corpus/asterisk-23.4.1-sip/00_monitor_all_events.server.bin`: channel events that repeat
//! the channel block (with `ChanVariable` lines), `VarSet`, `Newexten`, `CEL`, `RTCPSent` with
//! its `Report0...` keys, caller names in raw UTF-8, list replies (`EventList: start`, items,
//! `...Complete` with `ListItems`), both forms of Command reply (Asterisk 13's
//! `Response: Follows` raw body and Asterisk 14+'s `Output:` headers) and plain responses.
//! No randomness from outside: a small xorshift with a fixed seed picks everything, so the
//! same length always gives the same bytes.

use std::io::Write;

/// Default size of [`busy_pbx_stream`] in the benchmarks: 64 MiB.
pub const DEFAULT_LEN: usize = 64 << 20;

/// The banner Asterisk 23 sends first.
pub const BANNER: &[u8] = b"Asterisk Call Manager/12.0.0\r\n";

/// Caller names, some ASCII and some raw UTF-8, as phones send them.
const NAMES: [&str; 8] = [
    "Alice Hundred",
    "Bob Hundredone",
    "José Müller",
    "Łukasz Żółć",
    "Алиса Иванова",
    "王小明",
    "Søren Ærø",
    "Reception Desk 2",
];

/// The xorshift64 generator that makes every choice.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One call on the PBX: the channel block every channel event repeats.
#[derive(Debug, Clone)]
struct Channel {
    id: u64,
    caller: usize,
    exten: u64,
    state_up: bool,
    priority: u64,
}

/// Writes streams message by message; see the module docs.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    /// Fake clock in microseconds (for `Timestamp:`).
    micros: u64,
    channels: Vec<Channel>,
    next_channel: u64,
    next_action: u64,
}

impl Default for Generator {
    fn default() -> Self {
        Generator::new()
    }
}

/// Appends `Key: value\r\n`.
fn header(out: &mut Vec<u8>, key: &str, value: impl std::fmt::Display) {
    write!(out, "{key}: {value}\r\n").expect("writing to a Vec");
}

impl Generator {
    /// A generator in its fixed starting state.
    pub fn new() -> Generator {
        let mut generator = Generator {
            rng: Rng(0x9e37_79b9_7f4a_7c15),
            micros: 1_795_840_699_000_000,
            channels: Vec::new(),
            next_channel: 0,
            next_action: 1,
        };
        for _ in 0..24 {
            generator.new_channel();
        }
        generator
    }

    fn new_channel(&mut self) -> usize {
        let channel = Channel {
            id: self.next_channel,
            caller: self.rng.below(NAMES.len() as u64) as usize,
            exten: 100 + self.rng.below(20),
            state_up: false,
            priority: 1,
        };
        self.next_channel += 1;
        self.channels.push(channel);
        self.channels.len() - 1
    }

    fn tick(&mut self) -> u64 {
        self.micros += 1 + self.rng.below(900);
        self.micros
    }

    fn action_id(&mut self) -> String {
        let id = format!("bench-{}", self.next_action);
        self.next_action += 1;
        id
    }

    /// The event prelude and the channel block of channel `index`.
    fn channel_event(&mut self, out: &mut Vec<u8>, event: &str, privilege: &str, index: usize) {
        let micros = self.tick();
        let c = self.channels[index].clone();
        header(out, "Event", event);
        header(out, "Privilege", privilege);
        header(
            out,
            "Timestamp",
            format_args!("{}.{:06}", micros / 1_000_000, micros % 1_000_000),
        );
        header(
            out,
            "Channel",
            format_args!("PJSIP/{}-{:08x}", 100 + c.caller, c.id),
        );
        let (state, desc) = if c.state_up { (6, "Up") } else { (4, "Ring") };
        header(out, "ChannelState", state);
        header(out, "ChannelStateDesc", desc);
        header(out, "CallerIDNum", 100 + c.caller);
        header(out, "CallerIDName", NAMES[c.caller]);
        if c.state_up {
            let other = (c.caller + 1) % NAMES.len();
            header(out, "ConnectedLineNum", 100 + other);
            header(out, "ConnectedLineName", NAMES[other]);
        } else {
            header(out, "ConnectedLineNum", "<unknown>");
            header(out, "ConnectedLineName", "<unknown>");
        }
        header(out, "Language", "en");
        header(out, "AccountCode", "");
        header(out, "Context", "sip-in");
        header(out, "Exten", c.exten);
        header(out, "Priority", c.priority);
        header(out, "Uniqueid", format_args!("1795840699.{}", c.id));
        header(out, "Linkedid", format_args!("1795840699.{}", c.id & !1));
        header(
            out,
            "ChanVariable",
            format_args!("MYVAR=sip-dial-{}", c.exten),
        );
        header(
            out,
            "ChanVariable",
            format_args!("CALLERID(name)={}", NAMES[c.caller]),
        );
        header(out, "ChanVariable", "SIPUA=SIPp-phone/3.6.1 (Alice desk)");
        header(out, "ChanVariable", "TRANSFER_CONTEXT=");
        header(
            out,
            "ChanVariable",
            format_args!("BRIDGEPEER=PJSIP/{}", c.exten),
        );
    }

    fn pick_channel(&mut self) -> usize {
        self.rng.below(self.channels.len() as u64) as usize
    }

    fn newchannel(&mut self, out: &mut Vec<u8>) {
        // A new call replaces an old one, so the pool stays the same size.
        let old = self.pick_channel();
        self.channels.swap_remove(old);
        let index = self.new_channel();
        self.channel_event(out, "Newchannel", "call,all", index);
        out.extend_from_slice(b"\r\n");
    }

    fn varset(&mut self, out: &mut Vec<u8>) {
        let index = self.pick_channel();
        self.channel_event(out, "VarSet", "dialplan,all", index);
        let (name, value) = match self.rng.below(4) {
            0 => ("SIPDOMAIN", "127.0.0.1".to_string()),
            1 => ("BRIDGEPVTCALLID", format!("{:016x}", self.rng.next())),
            2 => ("DIALSTATUS", "ANSWER".to_string()),
            _ => ("RTPAUDIOQOS", "ssrc=3739283087;themssrc=2045961223;lp=0;rxjitter=0.000125;rxcount=34;txjitter=0.000000;txcount=35;rlp=0;rtt=0.000000".to_string()),
        };
        header(out, "Variable", name);
        header(out, "Value", value);
        out.extend_from_slice(b"\r\n");
    }

    fn newexten(&mut self, out: &mut Vec<u8>) {
        let index = self.pick_channel();
        self.channels[index].priority += 1;
        let c = self.channels[index].clone();
        self.channel_event(out, "Newexten", "dialplan,all", index);
        header(out, "Extension", c.exten);
        match c.priority % 3 {
            0 => {
                header(out, "Application", "NoOp");
                header(
                    out,
                    "AppData",
                    format_args!(
                        "SIP call from \"{}\" <{}> to {}",
                        NAMES[c.caller],
                        100 + c.caller,
                        c.exten
                    ),
                );
            }
            1 => {
                header(out, "Application", "Set");
                header(out, "AppData", format_args!("MYVAR=sip-dial-{}", c.exten));
            }
            _ => {
                header(out, "Application", "Dial");
                header(out, "AppData", format_args!("PJSIP/{},30,tT", c.exten));
            }
        }
        out.extend_from_slice(b"\r\n");
    }

    fn cel(&mut self, out: &mut Vec<u8>) {
        let index = self.pick_channel();
        let c = self.channels[index].clone();
        let micros = self.tick();
        let names = [
            "CHAN_START",
            "ANSWER",
            "BRIDGE_ENTER",
            "HANGUP",
            "APP_START",
        ];
        header(out, "Event", "CEL");
        header(out, "Privilege", "call,all");
        header(
            out,
            "Timestamp",
            format_args!("{}.{:06}", micros / 1_000_000, micros % 1_000_000),
        );
        header(out, "EventName", names[self.rng.below(5) as usize]);
        header(out, "AccountCode", "");
        header(out, "CallerIDnum", 100 + c.caller);
        header(out, "CallerIDname", NAMES[c.caller]);
        for key in ["CallerIDani", "CallerIDrdnis", "CallerIDdnid"] {
            header(out, key, "");
        }
        header(out, "Exten", c.exten);
        header(out, "Context", "sip-in");
        header(
            out,
            "Channel",
            format_args!("PJSIP/{}-{:08x}", 100 + c.caller, c.id),
        );
        header(out, "Application", "");
        header(out, "AppData", "");
        header(out, "EventTime", "2026-11-28 04:38:19");
        header(out, "AMAFlags", "DOCUMENTATION");
        header(out, "UniqueID", format_args!("1795840699.{}", c.id));
        header(out, "LinkedID", format_args!("1795840699.{}", c.id & !1));
        for key in ["Userfield", "Peer", "PeerAccount", "Extra"] {
            header(out, key, "");
        }
        out.extend_from_slice(b"\r\n");
    }

    fn rtcp_sent(&mut self, out: &mut Vec<u8>) {
        let index = self.pick_channel();
        self.channels[index].state_up = true;
        self.channel_event(out, "RTCPSent", "reporting,all", index);
        let port = 6000 + self.rng.below(4000);
        header(out, "To", format_args!("127.0.0.1:{port}"));
        header(out, "From", format_args!("127.0.0.1:{}", port + 16000));
        header(
            out,
            "MES",
            format_args!("{}.{}", 80 + self.rng.below(10), self.rng.below(10)),
        );
        let ssrc = self.rng.next() as u32;
        header(out, "SSRC", format_args!("{ssrc:#010x}"));
        header(out, "PT", "200(SR)");
        header(out, "ReportCount", 1);
        header(out, "SentNTP", "1795840701.225284");
        header(out, "SentRTP", self.rng.below(100_000));
        let packets = self.rng.below(5000);
        header(out, "SentPackets", packets);
        header(out, "SentOctets", packets * 240);
        header(out, "Report0SourceSSRC", format_args!("{ssrc:#010x}"));
        header(out, "Report0FractionLost", 0);
        header(out, "Report0CumulativeLost", self.rng.below(3));
        header(out, "Report0HighestSequence", self.rng.below(65536));
        header(out, "Report0SequenceNumberCycles", 0);
        header(out, "Report0IAJitter", self.rng.below(20));
        header(out, "Report0LSR", 0);
        header(out, "Report0DLSR", "0.0000");
        out.extend_from_slice(b"\r\n");
    }

    fn device_state(&mut self, out: &mut Vec<u8>) {
        let micros = self.tick();
        header(out, "Event", "DeviceStateChange");
        header(out, "Privilege", "call,all");
        header(
            out,
            "Timestamp",
            format_args!("{}.{:06}", micros / 1_000_000, micros % 1_000_000),
        );
        header(
            out,
            "Device",
            format_args!("PJSIP/{}", 100 + self.rng.below(20)),
        );
        let states = ["NOT_INUSE", "INUSE", "RINGING", "UNAVAILABLE"];
        header(out, "State", states[self.rng.below(4) as usize]);
        out.extend_from_slice(b"\r\n");
    }

    fn ping_response(&mut self, out: &mut Vec<u8>) {
        let id = self.action_id();
        header(out, "Response", "Success");
        header(out, "ActionID", id);
        header(out, "Ping", "Pong");
        header(out, "Timestamp", "1795840701.000000");
        out.extend_from_slice(b"\r\n");
    }

    /// One `CoreShowChannel` list item for channel `index` (with the list's ActionID).
    fn list_item(&mut self, out: &mut Vec<u8>, action_id: &str, index: usize) {
        let c = self.channels[index % self.channels.len()].clone();
        header(out, "Event", "CoreShowChannel");
        header(out, "ActionID", action_id);
        header(
            out,
            "Channel",
            format_args!("PJSIP/{}-{:08x}", 100 + c.caller, c.id + index as u64),
        );
        header(out, "ChannelState", 6);
        header(out, "ChannelStateDesc", "Up");
        header(out, "CallerIDNum", 100 + c.caller);
        header(out, "CallerIDName", NAMES[c.caller]);
        header(out, "ConnectedLineNum", c.exten);
        header(out, "ConnectedLineName", "<unknown>");
        header(out, "Language", "en");
        header(out, "AccountCode", "");
        header(out, "Context", "sip-in");
        header(out, "Exten", c.exten);
        header(out, "Priority", c.priority);
        header(out, "Uniqueid", format_args!("1795840699.{}", c.id));
        header(out, "Linkedid", format_args!("1795840699.{}", c.id & !1));
        header(out, "Application", "Dial");
        header(
            out,
            "ApplicationData",
            format_args!("PJSIP/{},30,tT", c.exten),
        );
        header(out, "Duration", format_args!("00:00:{:02}", index % 60));
        header(out, "BridgeId", format_args!("{:08x}-bench", c.id));
        out.extend_from_slice(b"\r\n");
    }

    /// A complete list reply: the response, `items` item events, the completion event.
    pub fn event_list(&mut self, out: &mut Vec<u8>, items: usize) {
        let id = self.action_id();
        header(out, "Response", "Success");
        header(out, "ActionID", &id);
        header(out, "EventList", "start");
        header(out, "Message", "Channels will follow");
        out.extend_from_slice(b"\r\n");
        for i in 0..items {
            self.list_item(out, &id, i);
        }
        header(out, "Event", "CoreShowChannelsComplete");
        header(out, "ActionID", &id);
        header(out, "EventList", "Complete");
        header(out, "ListItems", items);
        out.extend_from_slice(b"\r\n");
    }

    /// One line of `core show channels verbose` output (ends in LF).
    fn cli_line(&mut self, out: &mut Vec<u8>, n: usize) {
        let c = self.channels[n % self.channels.len()].clone();
        writeln!(
            out,
            "PJSIP/{}-{:08x}  sip-in  {:<8} {:>4} Up      Dial(PJSIP/{},30,tT)  {:<12} 00:00:{:02}  PJSIP/{}",
            100 + c.caller,
            c.id + n as u64,
            c.exten,
            c.priority,
            c.exten,
            NAMES[c.caller],
            n % 60,
            c.exten,
        )
        .expect("writing to a Vec");
    }

    /// An Asterisk 13 Command reply: `Response: Follows`, a raw body of about `body_len`
    /// bytes in LF-ended lines, `--END COMMAND--`.
    pub fn legacy_command(&mut self, out: &mut Vec<u8>, body_len: usize) {
        let id = self.action_id();
        header(out, "Response", "Follows");
        header(out, "Privilege", "Command");
        header(out, "ActionID", id);
        let start = out.len();
        out.extend_from_slice(b"Channel              Context  Extension Prio State   Application(Data)   CallerID     Duration    Peer\n");
        let mut n = 0;
        while out.len() - start < body_len {
            self.cli_line(out, n);
            n += 1;
        }
        writeln!(out, "{n} active channels\n{n} active calls").expect("writing to a Vec");
        out.extend_from_slice(b"--END COMMAND--\r\n\r\n");
    }

    /// An Asterisk 14+ Command reply: one `Output:` header per line, `lines` lines.
    pub fn output_command(&mut self, out: &mut Vec<u8>, lines: usize) {
        let id = self.action_id();
        header(out, "Response", "Success");
        header(out, "ActionID", id);
        header(out, "Message", "Command output follows");
        let mut line = Vec::new();
        for n in 0..lines {
            line.clear();
            self.cli_line(&mut line, n);
            line.pop();
            out.extend_from_slice(b"Output: ");
            out.extend_from_slice(&line);
            out.extend_from_slice(b"\r\n");
        }
        header(out, "Output", "");
        out.extend_from_slice(b"\r\n");
    }

    /// Appends one message (or one whole reply) chosen at random, in roughly the mix of a
    /// busy PBX: mostly VarSet, RTCPSent, CEL and Newexten.
    pub fn next_message(&mut self, out: &mut Vec<u8>) {
        match self.rng.below(1000) {
            0..=379 => self.varset(out),
            380..=529 => self.rtcp_sent(out),
            530..=679 => self.cel(out),
            680..=829 => self.newexten(out),
            830..=899 => self.newchannel(out),
            900..=969 => self.device_state(out),
            970..=984 => self.ping_response(out),
            985..=991 => {
                let items = 2 + self.rng.below(30) as usize;
                self.event_list(out, items);
            }
            992..=996 => {
                let lines = 3 + self.rng.below(40) as usize;
                self.output_command(out, lines);
            }
            _ => {
                let len = 200 + self.rng.below(4000) as usize;
                self.legacy_command(out, len);
            }
        }
    }
}

/// A busy-PBX server stream of at least `len` bytes: the banner, then whole messages until
/// `len` is reached. Deterministic; a shorter stream is a prefix of a longer one.
pub fn busy_pbx_stream(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64 * 1024);
    out.extend_from_slice(BANNER);
    let mut generator = Generator::new();
    while out.len() < len {
        generator.next_message(&mut out);
    }
    out
}

/// One legacy (`Response: Follows`) Command reply with a body of about `body_len` bytes.
pub fn legacy_command_reply(body_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(body_len + 4096);
    Generator::new().legacy_command(&mut out, body_len);
    out
}

/// One list reply with `items` item events.
pub fn event_list_reply(items: usize) -> Vec<u8> {
    let mut out = Vec::new();
    Generator::new().event_list(&mut out, items);
    out
}

/// One typical channel event (a `Newchannel` with five `ChanVariable` lines).
pub fn typical_event() -> Vec<u8> {
    let mut out = Vec::new();
    let mut generator = Generator::new();
    generator.channel_event(&mut out, "Newchannel", "call,all", 0);
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::{decode_all, Summary};

    /// Decodes `bytes` in one buffer and summarises them, failing on any decoder error.
    fn summary(bytes: &[u8]) -> Summary {
        let summary = decode_all(bytes, bytes.len());
        assert_eq!(summary.errors, 0, "generated bytes do not decode cleanly");
        summary
    }

    #[test]
    fn deterministic_and_prefix_stable() {
        let a = busy_pbx_stream(300_000);
        let b = busy_pbx_stream(300_000);
        assert_eq!(a, b);
        let longer = busy_pbx_stream(600_000);
        assert!(longer.starts_with(&a));
        assert!(a.len() >= 300_000);
    }

    #[test]
    fn stream_decodes_cleanly_with_every_feature() {
        let bytes = busy_pbx_stream(4 << 20);
        let s = summary(&bytes);
        assert_eq!(s.banners, 1);
        for name in [
            "VarSet",
            "Newexten",
            "CEL",
            "Newchannel",
            "RTCPSent",
            "DeviceStateChange",
            "CoreShowChannel",
            "CoreShowChannelsComplete",
        ] {
            assert!(s.event_names.contains(name), "no {name} event");
        }
        assert!(s.chan_variables >= 5 * s.events_named("Newchannel"));
        assert!(s.report0_keys > 0, "no Report0... keys");
        assert!(s.utf8_caller_names > 0, "no non-ASCII caller name");
        assert!(s.list_starts > 0 && s.list_starts == s.list_completes);
        assert!(
            s.list_items_match,
            "ListItems disagrees with the items sent"
        );
        assert!(s.follows_bodies > 0, "no legacy Command reply");
        assert_eq!(s.truncated, 0);
        assert!(s.output_lines > 0, "no Output: Command reply");
        assert!(s.plain_responses > 0, "no plain response");
    }

    #[test]
    fn replies_have_the_asked_size() {
        let reply = legacy_command_reply(1 << 20);
        let s = summary(&reply);
        assert_eq!(s.follows_bodies, 1);
        assert!(s.body_bytes >= 1 << 20 && s.body_bytes < (1 << 20) + 4096);
        let list = event_list_reply(10_000);
        let s = summary(&list);
        assert_eq!(s.events_named("CoreShowChannel"), 10_000);
        assert!(s.list_items_match);
        let event = typical_event();
        let s = summary(&event);
        assert_eq!(s.messages, 1);
        assert_eq!(s.chan_variables, 5);
    }
}
