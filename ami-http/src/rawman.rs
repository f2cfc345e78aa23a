//! rawman (`/rawman`, `/arawman`): the TCP text format inside an HTTP body, decoded by
//! `ami-proto`'s own [`Decoder`].
//!
//! What differs from a TCP stream, as the recorded bodies of Asterisk 13.38.3 and 23.4.1
//! show it:
//! - There is no banner: a body starts with its first message (and the decoder is told so,
//!   so a first line without a colon is text, not a banner).
//! - A body is whole: it ends with the blank line of its last message, and a message cut
//!   off at the end of the body is an error, not "need more".
//! - One body holds every message the action produced: the response, a list's items and
//!   its final event (`CoreShowChannels`), or, after `WaitEvent`, the response, the queued
//!   events and `Event: WaitEventComplete`.
//! - Line endings are TCP's: CRLF lines, and the legacy `Response: Follows` Command body
//!   with bare-LF lines up to `--END COMMAND--`. A body that went through something that
//!   rewrote line endings decodes with [`LineEndings::Lenient`](ami_proto::LineEndings).

use ami_proto::{Config, Decoded, Decoder, OwnedItem};

use crate::error::DecodeError;

/// The items of one rawman body.
#[derive(Debug)]
pub(crate) struct Items<'b> {
    decoder: Decoder<'static>,
    body: &'b [u8],
    pos: usize,
    done: bool,
}

impl<'b> Items<'b> {
    pub(crate) fn new(body: &'b [u8], config: Config) -> Self {
        let mut decoder = Decoder::with_config(config);
        // `finish` puts a decoder between items: the first line of a body is read as a
        // message or text, never as a banner. Nothing is pending, so there is no error.
        let pending = decoder.finish(b"");
        debug_assert!(pending.is_none());
        Items {
            decoder,
            body,
            pos: 0,
            done: false,
        }
    }
}

impl Items<'_> {
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }
}

impl Iterator for Items<'_> {
    type Item = Result<OwnedItem, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = &self.body[self.pos..];
        match self.decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                let item = OwnedItem::new(&item);
                self.pos += consumed;
                Some(Ok(item))
            }
            Decoded::Error { error, consumed } => {
                self.pos += consumed;
                Some(Err(error.into()))
            }
            Decoded::NeedMore { consumed } => {
                // The whole body was given: what is left is blank lines or a cut-off item.
                self.pos += consumed;
                self.done = true;
                let rest = &self.body[self.pos..];
                self.decoder.finish(rest).map(|e| Err(e.into()))
            }
        }
    }
}
