//! A compiled POSIX pattern: glibc's syntax ([`super::ere`]) on a linear-time engine.
//!
//! Asterisk asks only whether a pattern matches somewhere (`REG_NOSUB`), so the leftmost-
//! longest rule of POSIX never shows and any engine that decides "is there a match" agrees
//! with glibc. The engine is regex-automata's dense DFA, built ahead of time (search is a
//! table walk with no mutable state, so a compiled pattern is shared by every session), with
//! a literal prefilter when the pattern starts with one. A pattern whose DFA would be larger
//! than [`DFA_SIZE_LIMIT`] runs on the PikeVM instead (still linear, slower). Neither is a
//! backtracking engine.
//!
//! The NFA is not regex-syntax's: glibc's anchors depend on what the match consumed and on
//! how glibc copied the pattern's parts, so it is built from glibc's own tree
//! (`ere_tree.rs`, `glibc_nfa.rs`); regex-syntax's HIR of the same tree, anchors left out,
//! only serves to find a literal prefix for the prefilter.

use alloc::sync::Arc;
use core::fmt;

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::nfa::thompson::pikevm::PikeVM;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind};

use super::ere::{self, EreError, EreErrorKind};
use super::glibc_nfa;
use super::text::until_nul;

/// Largest NFA (in bytes of heap) built from one pattern; a larger one is refused like a
/// pattern that does not compile. Bounds the time and memory a hostile pattern can take.
pub const NFA_SIZE_LIMIT: usize = 4 << 20;

/// Largest dense DFA (in bytes) built from one pattern; above it the pattern runs on the
/// PikeVM.
pub const DFA_SIZE_LIMIT: usize = 1 << 20;

/// Most memory determinization may use for one pattern before giving up on the DFA.
const DETERMINIZE_SIZE_LIMIT: usize = 2 << 20;

/// Which engine runs a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// regex-automata's dense DFA: one table lookup per byte.
    DenseDfa,
    /// regex-automata's PikeVM, for patterns whose DFA would be too large: linear in the
    /// text times the pattern.
    PikeVm,
}

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegexError {
    /// glibc would not compile it either (or it needs a backreference, or is nested too
    /// deeply: see [`EreErrorKind`]).
    Syntax(EreError),
    /// It compiles in glibc but would expand to more than 100,000 nodes or an automaton
    /// above [`NFA_SIZE_LIMIT`] (huge interval counts such as `(a{1000}){1000}`).
    TooBig,
}

impl RegexError {
    /// Whether Asterisk would accept the pattern (this engine refuses it for its own
    /// reasons: a backreference, deep nesting, or size).
    pub fn asterisk_accepts(&self) -> bool {
        match self {
            RegexError::Syntax(e) => {
                matches!(e.kind, EreErrorKind::Backreference | EreErrorKind::TooDeep)
            }
            RegexError::TooBig => true,
        }
    }
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegexError::Syntax(e) => e.fmt(f),
            RegexError::TooBig => f.write_str("pattern too large for this engine"),
        }
    }
}

/// A compiled pattern. Cloning shares the automaton.
///
/// ```
/// use ami_proto::filter::Regex;
///
/// let re = Regex::new(b"[[:space:]]Channel: Local/100@").unwrap();
/// assert!(re.is_match(b"Event: Hangup\r\nChannel: Local/100@test-0001;1\r\n\r\n"));
/// assert!(!re.is_match(b"Event: Hangup\r\nDestChannel: Local/100@test-0001;1\r\n\r\n"));
/// // `.` crosses line ends; `^` and `$` are the ends of the whole text.
/// assert!(Regex::new(b"^Event: Dial.*Exten: 100").unwrap().is_match(b"Event: DialBegin\r\nExten: 100\r\n\r\n"));
/// assert!(!Regex::new(b"Event: Hangup$").unwrap().is_match(b"Event: Hangup\r\n\r\n"));
/// assert!(Regex::new(b"Event: (Newchannel").is_err());
/// ```
#[derive(Clone)]
pub struct Regex {
    inner: Arc<Inner>,
}

enum Inner {
    Dfa(alloc::boxed::Box<dense::DFA<alloc::vec::Vec<u32>>>),
    PikeVm(PikeVM),
}

impl Regex {
    /// Compiles `pattern` as glibc's `regcomp(REG_EXTENDED | REG_NOSUB)` would in the C
    /// locale. Bytes after a NUL are ignored, as in a C string.
    pub fn new(pattern: &[u8]) -> Result<Regex, RegexError> {
        let tree = ere::parse(until_nul(pattern))?;
        let nfa = glibc_nfa::build(tree.as_ref(), NFA_SIZE_LIMIT)?;
        let prefilter = tree.as_ref().and_then(|tree| {
            Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, &tree.to_loose_hir())
        });
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(StartKind::Unanchored)
                    .specialize_start_states(prefilter.is_some())
                    .prefilter(prefilter)
                    .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                    .determinize_size_limit(Some(DETERMINIZE_SIZE_LIMIT)),
            )
            .build_from_nfa(&nfa);
        let inner = match dfa {
            Ok(dfa) => Inner::Dfa(alloc::boxed::Box::new(dfa)),
            Err(_) => Inner::PikeVm(PikeVM::new_from_nfa(nfa).map_err(|_| RegexError::TooBig)?),
        };
        Ok(Regex {
            inner: Arc::new(inner),
        })
    }

    /// Whether the pattern matches somewhere in `haystack` (glibc's `regexec` returning 0).
    /// The caller cuts C strings at their NUL.
    pub fn is_match(&self, haystack: &[u8]) -> bool {
        let input = Input::new(haystack).earliest(true);
        match &*self.inner {
            // The DFA has no quit bytes and only ASCII word boundaries, so it cannot fail;
            // if it ever did, the PikeVM-equivalent answer is "search again".
            Inner::Dfa(dfa) => match dfa.try_search_fwd(&input) {
                Ok(found) => found.is_some(),
                Err(_) => false,
            },
            Inner::PikeVm(vm) => vm.is_match(&mut vm.create_cache(), input),
        }
    }

    /// Which engine runs this pattern.
    pub fn engine(&self) -> Engine {
        match &*self.inner {
            Inner::Dfa(_) => Engine::DenseDfa,
            Inner::PikeVm(_) => Engine::PikeVm,
        }
    }
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Regex")
            .field("engine", &self.engine())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &[u8], haystack: &[u8]) -> bool {
        Regex::new(pattern).unwrap().is_match(haystack)
    }

    #[test]
    fn posix_classes_anchors_and_dot() {
        assert!(m(b"[[:space:]]Channel: L", b"Event: X\r\nChannel: L\r\n"));
        assert!(!m(b"[[:space:]]Channel: L", b"Channel: L\r\n"));
        assert!(m(b"[[:digit:]]{3}", b"x123"));
        assert!(!m(b"[[:upper:]][[:lower:]]", b"ab AB"));
        assert!(m(b"^Event: Dial", b"Event: DialBegin\r\n\r\n"));
        assert!(!m(b"^Channel", b"Event: X\r\nChannel: Y\r\n"));
        assert!(!m(b"Hangup$", b"Event: Hangup\r\n\r\n"));
        assert!(m(b"\r\n\r\n$", b"Event: Hangup\r\n\r\n"));
        assert!(m(
            b"Newchannel.*Local/400@",
            b"Event: Newchannel\r\nChannel: Local/400@t\r\n"
        ));
        assert!(m(b"a.b", b"a\nb"));
        assert!(m(b"[^x]", b"\n"));
        assert!(!m(b"event: newchannel", b"Event: Newchannel\r\n"));
    }

    #[test]
    fn glibc_literals() {
        // A backslash in brackets is literal; `\n` is the letter n; `)` and `}` alone are
        // literal.
        assert!(m(b"[\\]]", b"\\]"));
        assert!(!m(b"[\\]]", b"]"));
        assert!(m(b"\\n", b"n"));
        assert!(!m(b"\\n", b"\n"));
        assert!(m(b"a)", b"xa)"));
        assert!(m(b"a}", b"a}"));
        assert!(m(b";2", b"Local/1;2"));
        assert!(m(b"a{,2}b", b"b"));
        assert!(m(b"a+?", b"b"));
    }

    #[test]
    fn gnu_word_operators() {
        assert!(m(b"\\<Hangup\\>", b"Event: Hangup\r\n"));
        assert!(!m(b"\\<Hangup\\>", b"Event: SoftHangupRequest\r\n"));
        assert!(m(b"\\w+@", b"Local/100@"));
        assert!(m(b"\\bx", b"x"));
        assert!(!m(b"\\Bx", b"x"));
        assert!(m(b"\\`E", b"E"));
        assert!(m(b"\\s", b"\t"));
    }

    /// glibc's anchors: `$` before a LF the match consumes, `^` after one, and anchors
    /// without effect in the copies glibc makes of a repeated group.
    #[test]
    fn glibc_anchor_semantics() {
        assert!(m(b"a$.", b"a\n"));
        assert!(!m(b"a$", b"a\nb"));
        assert!(m(b"a.^b", b"a\nb"));
        assert!(!m(b"^b", b"a\nb"));
        assert!(m(b"$^", b""));
        assert!(!m(b"$^", b"\n"));
        // `(.$){2}` is `..$` in glibc: the first copy's `$` is followed by a copy.
        assert!(m(b"(.$){2}", b"ab"));
        assert!(!m(b"(.$)(.$)", b"ab"));
        // `($.)+a` is `($.)(.)*a`: the starred copy's `$` has no effect.
        assert!(m(b"($.)+a", b"\nxa"));
        assert!(!m(b"($.)+a", b"xa"));
    }

    #[test]
    fn empty_pattern_matches_everything() {
        assert!(m(b"", b""));
        assert!(m(b"", b"anything"));
        assert!(m(b"()", b"x"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(matches!(
            Regex::new(b"Event: (Newchannel"),
            Err(RegexError::Syntax(_))
        ));
        let backref = Regex::new(b"(a)\\1").unwrap_err();
        assert!(backref.asterisk_accepts());
        assert_eq!(
            Regex::new(b"(a{1000}){1000}").unwrap_err(),
            RegexError::TooBig
        );
    }

    #[test]
    fn huge_dfas_fall_back_to_the_pikevm() {
        // The classic exponential DFA: the 20th byte from the end is an `a`.
        let re = Regex::new(b"a[ab]{20}$").unwrap();
        assert_eq!(re.engine(), Engine::PikeVm);
        let mut hay = alloc::vec![b'b'; 100];
        assert!(!re.is_match(&hay));
        hay[79] = b'a';
        assert!(re.is_match(&hay));
        assert_eq!(
            Regex::new(b"Event: Newchannel").unwrap().engine(),
            Engine::DenseDfa
        );
    }
}
