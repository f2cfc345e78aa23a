//! POSIX extended regular expressions as glibc's `regcomp(REG_EXTENDED | REG_NOSUB)` reads
//! them in the C locale, parsed into the tree glibc builds ([`super::ere_tree`]), from which
//! a linear-time engine is made (`glibc_nfa.rs`).
//!
//! The parser follows glibc's recursive descent (`parse_reg_exp`, `parse_branch`,
//! `parse_expression`, `parse_dup_op`, `parse_bracket_exp`) so that a pattern compiles here
//! exactly when it compiles in Asterisk, and reads each construct as glibc does, where
//! other regular expression syntaxes (regex-syntax's among them) differ:
//!
//! - a backslash inside brackets is a literal (`[\]]` is `\` then a literal `]`);
//! - `*`, `+`, `?` and `{` where an expression should begin (at the start, after `(`, `|`
//!   or an anchor) are errors, but `a**` and `a+?` repeat twice (there is no lazy `?`);
//! - a `)` that closes nothing and a `}` outside an interval are literals;
//! - `{,n}` means `{0,n}`, counts above 32767 are errors;
//! - `\n`, `\.`, `\{` are the plain characters `n`, `.`, `{`; GNU's `\w \W \s \S \< \> \b
//!   \B` and `` \` `` `\'` are classes and anchors;
//! - `^` and `$` are anchors anywhere; `.` and `[^...]` match CR and LF. Without
//!   `REG_NEWLINE`, glibc's `^` holds at the start of the text or after a newline *the
//!   match itself consumed*, and `$` at the end of the text or before a newline the match
//!   consumes next (`glibc_nfa.rs` builds that);
//! - bytes are characters (the C locale), bracket ranges compare byte values, and only the
//!   one-character collating elements `[.c.]` and equivalence classes `[=c=]` exist.
//!
//! Backreferences (`\1` to `\9`) are checked like glibc checks them, but no linear-time
//! engine can run them: a pattern that uses one is reported as
//! [`EreErrorKind::Backreference`] once the whole pattern has parsed.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use super::ere_tree::{Anchor, Budget, ByteSet, Node, TooBig, Tree};
use super::regex::RegexError;

/// glibc's `RE_DUP_MAX`: the largest count an interval may name.
const DUP_MAX: i32 = 0x7fff;

/// Deepest group nesting, and longest chain of repetition operators on one atom (`a***`),
/// accepted. glibc has no limit (it recurses until the stack runs out); this one keeps the
/// parser and the compilers behind it within a small stack.
pub(crate) const NEST_LIMIT: usize = 100;

/// Why a pattern does not compile: glibc's `regcomp` error codes, plus the two refusals of
/// this engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EreErrorKind {
    /// `REG_BADPAT`: `[` or `[^` at the end of the pattern.
    BadPattern,
    /// `REG_ECOLLATE`: a collating element or equivalence class of more than one character.
    Collate,
    /// `REG_ECTYPE`: an unknown character class name.
    CharClass,
    /// `REG_EESCAPE`: a backslash at the end of the pattern.
    TrailingBackslash,
    /// `REG_ESUBREG`: a backreference to a group that is not closed yet.
    SubReg,
    /// `REG_EBRACK`: an unclosed bracket expression.
    Bracket,
    /// `REG_EPAREN`: an unclosed group.
    Paren,
    /// `REG_EBRACE`: an interval that runs to the end of the pattern.
    Brace,
    /// `REG_BADBR`: an interval that is not `{n}`, `{n,}`, `{,m}` or `{n,m}` with `n <= m`.
    BadInterval,
    /// `REG_ERANGE`: a range whose end is below its start or is a class.
    Range,
    /// `REG_BADRPT`: `*`, `+`, `?` or `{` with nothing to repeat.
    BadRepeat,
    /// `REG_ESIZE`: an interval count above 32767.
    Size,
    /// Groups nested deeper, or repetition operators chained longer, than this engine
    /// accepts (100); glibc would recurse on.
    TooDeep,
    /// A valid pattern that uses a backreference, which no linear-time engine can run.
    Backreference,
}

/// A pattern that does not compile, and where the parser stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EreError {
    /// What is wrong.
    pub kind: EreErrorKind,
    /// Byte offset in the pattern where it was found.
    pub offset: usize,
}

impl fmt::Display for EreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            EreErrorKind::BadPattern => "invalid regular expression (REG_BADPAT)",
            EreErrorKind::Collate => "invalid collation character (REG_ECOLLATE)",
            EreErrorKind::CharClass => "invalid character class name (REG_ECTYPE)",
            EreErrorKind::TrailingBackslash => "trailing backslash (REG_EESCAPE)",
            EreErrorKind::SubReg => "invalid back reference (REG_ESUBREG)",
            EreErrorKind::Bracket => "unmatched [, [^, [:, [., or [= (REG_EBRACK)",
            EreErrorKind::Paren => "unmatched ( (REG_EPAREN)",
            EreErrorKind::Brace => "unmatched { (REG_EBRACE)",
            EreErrorKind::BadInterval => "invalid content of {} (REG_BADBR)",
            EreErrorKind::Range => "invalid range end (REG_ERANGE)",
            EreErrorKind::BadRepeat => "invalid preceding regular expression (REG_BADRPT)",
            EreErrorKind::Size => "regular expression too big (REG_ESIZE)",
            EreErrorKind::TooDeep => "groups nested too deeply for this engine",
            EreErrorKind::Backreference => "backreferences cannot run in linear time",
        };
        write!(f, "{what} at byte {}", self.offset)
    }
}

impl From<EreError> for RegexError {
    fn from(e: EreError) -> RegexError {
        RegexError::Syntax(e)
    }
}

impl From<TooBig> for RegexError {
    fn from(_: TooBig) -> RegexError {
        RegexError::TooBig
    }
}

/// Parses a POSIX extended regular expression (bytes, as `regcomp` would get them) into
/// glibc's tree, with every anchor's activity decided. `None` is the empty pattern.
pub(crate) fn parse(pattern: &[u8]) -> Result<Option<Tree>, RegexError> {
    let mut parser = Parser {
        pattern,
        pos: 0,
        token: Token::End,
        token_start: 0,
        groups: 0,
        completed: 0,
        backreference: None,
        budget: Budget::new(),
    };
    parser.fetch();
    let mut tree = parser.reg_exp(0)?;
    if let Some(offset) = parser.backreference {
        return Err(RegexError::Syntax(EreError {
            kind: EreErrorKind::Backreference,
            offset,
        }));
    }
    // The node after the whole pattern is glibc's end node, which is no copy.
    if let Some(tree) = &mut tree {
        tree.mark_anchors(false);
    }
    Ok(tree)
}

/// One token outside brackets (glibc's `peek_token`). `Char` carries the byte it stands
/// for (the escaped byte after a backslash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(u8),
    BackRef(u8),
    Anchor(Anchor),
    /// `\w` (false) or `\W` (true).
    Word(bool),
    /// `\s` (false) or `\S` (true).
    Space(bool),
    Period,
    OpenGroup,
    CloseGroup,
    OpenBracket,
    Alt,
    Star,
    Plus,
    Question,
    OpenInterval,
    CloseInterval,
    /// A backslash with nothing after it.
    Backslash,
    End,
}

/// One token inside brackets (glibc's `peek_token_bracket`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BracketToken {
    Char(u8),
    /// `[.`, `[=` or `[:`, with its delimiter.
    Open(u8),
    Range,
    Close,
    NonMatch,
    End,
}

/// One element of a bracket expression.
enum Element {
    Byte(u8),
    /// `[.name.]`
    Collating(Vec<u8>),
    /// `[=name=]`
    Equivalence(Vec<u8>),
    /// `[:name:]`
    Class(Vec<u8>),
}

/// A character class of the C locale (`[:name:]`), as byte ranges.
fn class_ranges(name: &[u8]) -> Option<&'static [(u8, u8)]> {
    Some(match name {
        b"alpha" => &[(b'A', b'Z'), (b'a', b'z')],
        b"upper" => &[(b'A', b'Z')],
        b"lower" => &[(b'a', b'z')],
        b"digit" => &[(b'0', b'9')],
        b"xdigit" => &[(b'0', b'9'), (b'A', b'F'), (b'a', b'f')],
        b"space" => &[(b'\t', b'\r'), (b' ', b' ')],
        b"print" => &[(b' ', b'~')],
        b"punct" => &[(b'!', b'/'), (b':', b'@'), (b'[', b'`'), (b'{', b'~')],
        b"graph" => &[(b'!', b'~')],
        b"cntrl" => &[(0, 0x1f), (0x7f, 0x7f)],
        b"blank" => &[(b'\t', b'\t'), (b' ', b' ')],
        b"alnum" => &[(b'0', b'9'), (b'A', b'Z'), (b'a', b'z')],
        _ => return None,
    })
}

/// The class behind `\w`/`\W` (`alnum` and `_`) or `\s`/`\S` (`space`).
fn escape_class(name: &[u8], underscore: bool, negated: bool) -> ByteSet {
    let mut set = ByteSet::new();
    for &(start, end) in class_ranges(name).unwrap_or(&[]) {
        set.add_range(start, end);
    }
    if underscore {
        set.add(b'_');
    }
    if negated {
        set.negate();
    }
    set
}

fn single(byte: u8) -> ByteSet {
    let mut set = ByteSet::new();
    set.add(byte);
    set
}

struct Parser<'p> {
    pattern: &'p [u8],
    /// Where the byte after the current token starts.
    pos: usize,
    token: Token,
    /// Where the current token starts (for error offsets).
    token_start: usize,
    /// Groups opened so far (glibc's `re_nsub`).
    groups: usize,
    /// Bit `n` set when group `n + 1` is closed and may be referred to.
    completed: u16,
    /// Offset of the first backreference seen.
    backreference: Option<usize>,
    budget: Budget,
}

impl Parser<'_> {
    fn error(&self, kind: EreErrorKind) -> EreError {
        EreError {
            kind,
            offset: self.token_start,
        }
    }

    fn peek_byte(&self, at: usize) -> Option<u8> {
        self.pattern.get(at).copied()
    }

    /// Reads the token at `self.pos` into `self.token` and moves past it.
    fn fetch(&mut self) {
        self.token_start = self.pos;
        let (token, len) = self.peek_token();
        self.token = token;
        self.pos += len;
    }

    fn peek_token(&self) -> (Token, usize) {
        let Some(c) = self.peek_byte(self.pos) else {
            return (Token::End, 0);
        };
        if c == b'\\' {
            let Some(c2) = self.peek_byte(self.pos + 1) else {
                return (Token::Backslash, 1);
            };
            let token = match c2 {
                b'1'..=b'9' => Token::BackRef(c2 - b'1'),
                b'<' => Token::Anchor(Anchor::WordStart),
                b'>' => Token::Anchor(Anchor::WordEnd),
                b'b' => Token::Anchor(Anchor::WordBoundary),
                b'B' => Token::Anchor(Anchor::NotWordBoundary),
                b'`' => Token::Anchor(Anchor::BufStart),
                b'\'' => Token::Anchor(Anchor::BufEnd),
                b'w' => Token::Word(false),
                b'W' => Token::Word(true),
                b's' => Token::Space(false),
                b'S' => Token::Space(true),
                _ => Token::Char(c2),
            };
            return (token, 2);
        }
        let token = match c {
            b'|' => Token::Alt,
            b'*' => Token::Star,
            b'+' => Token::Plus,
            b'?' => Token::Question,
            b'{' => Token::OpenInterval,
            b'}' => Token::CloseInterval,
            b'(' => Token::OpenGroup,
            b')' => Token::CloseGroup,
            b'[' => Token::OpenBracket,
            b'.' => Token::Period,
            b'^' => Token::Anchor(Anchor::LineStart),
            b'$' => Token::Anchor(Anchor::LineEnd),
            _ => Token::Char(c),
        };
        (token, 1)
    }

    /// Whether the current token ends a branch at nesting depth `nest`.
    fn ends_branch(&self, nest: usize) -> bool {
        matches!(self.token, Token::Alt | Token::End)
            || (nest > 0 && self.token == Token::CloseGroup)
    }

    /// `parse_reg_exp`: branches separated by `|`, any of them empty.
    fn reg_exp(&mut self, nest: usize) -> Result<Option<Tree>, RegexError> {
        let first = self.branch(nest)?;
        if self.token != Token::Alt {
            return Ok(first);
        }
        let mut branches = alloc::vec![first];
        while self.token == Token::Alt {
            self.fetch();
            if self.ends_branch(nest) {
                branches.push(None);
            } else {
                branches.push(self.branch(nest)?);
            }
        }
        Ok(Some(Tree::new(Node::Alt(branches), &mut self.budget)?))
    }

    /// `parse_branch`: a sequence of expressions (empty ones left out).
    fn branch(&mut self, nest: usize) -> Result<Option<Tree>, RegexError> {
        let mut items = Vec::new();
        items.extend(self.expression(nest)?);
        while !self.ends_branch(nest) {
            items.extend(self.expression(nest)?);
        }
        Ok(Tree::concat(items, &mut self.budget)?)
    }

    fn leaf(&mut self, node: Node) -> Result<Option<Tree>, RegexError> {
        Ok(Some(Tree::new(node, &mut self.budget)?))
    }

    /// `parse_expression`: one atom and the repetitions after it. `None` for an empty
    /// expression (at `|` or the end, or repeated zero times).
    fn expression(&mut self, nest: usize) -> Result<Option<Tree>, RegexError> {
        let bytes = |set: ByteSet| Node::Bytes(Arc::new(set));
        let atom = match self.token {
            Token::Char(c) => self.leaf(bytes(single(c)))?,
            Token::OpenGroup => self.group(nest + 1)?,
            Token::OpenBracket => {
                let set = self.bracket()?;
                self.leaf(bytes(set))?
            }
            Token::BackRef(index) => {
                if self.completed & (1 << index) == 0 {
                    return Err(self.error(EreErrorKind::SubReg).into());
                }
                self.backreference.get_or_insert(self.token_start);
                self.leaf(Node::EmptyGroup)?
            }
            Token::Star | Token::Plus | Token::Question | Token::OpenInterval => {
                return Err(self.error(EreErrorKind::BadRepeat).into());
            }
            // Only at depth 0 (deeper, a `)` ends the branch before getting here).
            Token::CloseGroup => self.leaf(bytes(single(b')')))?,
            Token::CloseInterval => self.leaf(bytes(single(b'}')))?,
            Token::Anchor(anchor) => {
                // An anchor cannot be repeated: what follows starts a new expression.
                self.fetch();
                return self.leaf(Node::Anchor {
                    anchor,
                    active: true,
                });
            }
            Token::Period => {
                let mut set = ByteSet::new();
                set.add_range(1, 0xff);
                self.leaf(bytes(set))?
            }
            Token::Word(negated) => self.leaf(bytes(escape_class(b"alnum", true, negated)))?,
            Token::Space(negated) => self.leaf(bytes(escape_class(b"space", false, negated)))?,
            Token::Alt | Token::End => return Ok(None),
            Token::Backslash => return Err(self.error(EreErrorKind::TrailingBackslash).into()),
        };
        self.fetch();
        let mut tree = atom;
        let mut chained = 0;
        while matches!(
            self.token,
            Token::Star | Token::Plus | Token::Question | Token::OpenInterval
        ) {
            chained += 1;
            if chained > NEST_LIMIT {
                return Err(self.error(EreErrorKind::TooDeep).into());
            }
            tree = self.repetition(tree)?;
        }
        Ok(tree)
    }

    /// `parse_sub_exp`: a group. The current token is its `(`. A group with nothing in it
    /// is glibc's pair of open and close nodes; any other is just its contents.
    fn group(&mut self, nest: usize) -> Result<Option<Tree>, RegexError> {
        if nest > NEST_LIMIT {
            return Err(self.error(EreErrorKind::TooDeep).into());
        }
        let open = self.token_start;
        let index = self.groups;
        self.groups += 1;
        self.fetch();
        let inner = if self.token == Token::CloseGroup {
            None
        } else {
            let inner = self.reg_exp(nest)?;
            if self.token != Token::CloseGroup {
                return Err(EreError {
                    kind: EreErrorKind::Paren,
                    offset: open,
                }
                .into());
            }
            inner
        };
        if index < 9 {
            self.completed |= 1 << index;
        }
        match inner {
            Some(inner) => Ok(Some(inner)),
            None => self.leaf(Node::EmptyGroup),
        }
    }

    /// `parse_dup_op`: applies the repetition operator at the current token to `atom` and
    /// moves past it.
    fn repetition(&mut self, atom: Option<Tree>) -> Result<Option<Tree>, RegexError> {
        let (min, max) = match self.token {
            Token::Star => (0, -1),
            Token::Plus => (1, -1),
            Token::Question => (0, 1),
            _ => self.interval()?,
        };
        self.fetch();
        let Some(atom) = atom else {
            return Ok(None);
        };
        let max = (max >= 0).then_some(max as u32);
        Ok(atom.repeat(min as u32, max, &mut self.budget)?)
    }

    /// The counts of `{n}`, `{n,}`, `{,m}`, `{n,m}` (-1 for no upper bound). The current
    /// token is the `{`; on success it is the `}`.
    fn interval(&mut self) -> Result<(i32, i32), EreError> {
        let open = self.token_start;
        let bad = |kind| EreError { kind, offset: open };
        let mut start = self.number();
        if start == -1 {
            if self.token == Token::Char(b',') {
                start = 0;
            } else {
                return Err(bad(EreErrorKind::BadInterval));
            }
        }
        let mut end = -2;
        if start != -2 {
            end = match self.token {
                Token::CloseInterval => start,
                Token::Char(b',') => self.number(),
                _ => -2,
            };
        }
        if start == -2 || end == -2 {
            return Err(bad(if self.token == Token::End {
                EreErrorKind::Brace
            } else {
                EreErrorKind::BadInterval
            }));
        }
        if (end != -1 && start > end) || self.token != Token::CloseInterval {
            return Err(bad(EreErrorKind::BadInterval));
        }
        if DUP_MAX < if end == -1 { start } else { end } {
            return Err(bad(EreErrorKind::Size));
        }
        Ok((start, end))
    }

    /// `fetch_number`: digits up to `,` or `}`; -1 for none, -2 for anything else or the
    /// end of the pattern. Leaves the `,` or `}` as the current token.
    fn number(&mut self) -> i32 {
        let mut num: i32 = -1;
        loop {
            self.fetch();
            match self.token {
                Token::End => return -2,
                Token::CloseInterval | Token::Char(b',') => return num,
                Token::Char(c @ b'0'..=b'9') if num != -2 => {
                    let digit = i32::from(c - b'0');
                    num = if num == -1 {
                        digit
                    } else {
                        (num * 10 + digit).min(DUP_MAX + 1)
                    };
                }
                _ => num = -2,
            }
        }
    }

    fn peek_bracket(&self) -> (BracketToken, usize) {
        let Some(c) = self.peek_byte(self.pos) else {
            return (BracketToken::End, 0);
        };
        if c == b'[' {
            return match self.peek_byte(self.pos + 1) {
                Some(d @ (b'.' | b'=' | b':')) => (BracketToken::Open(d), 2),
                _ => (BracketToken::Char(c), 1),
            };
        }
        let token = match c {
            b'-' => BracketToken::Range,
            b']' => BracketToken::Close,
            b'^' => BracketToken::NonMatch,
            _ => BracketToken::Char(c),
        };
        (token, 1)
    }

    /// `parse_bracket_exp`. The current token is the `[`; `self.pos` is just after it.
    fn bracket(&mut self) -> Result<ByteSet, EreError> {
        let open = self.token_start;
        let err = |kind| EreError { kind, offset: open };
        let mut set = ByteSet::new();
        let (mut token, mut len) = self.peek_bracket();
        if token == BracketToken::End {
            return Err(err(EreErrorKind::BadPattern));
        }
        let mut negated = false;
        if token == BracketToken::NonMatch {
            negated = true;
            self.pos += len;
            (token, len) = self.peek_bracket();
            if token == BracketToken::End {
                return Err(err(EreErrorKind::BadPattern));
            }
        }
        // A `]` first is a member.
        if token == BracketToken::Close {
            token = BracketToken::Char(b']');
        }
        let mut first_round = true;
        loop {
            let start = self.bracket_element(token, len, first_round, open)?;
            first_round = false;
            (token, len) = self.peek_bracket();
            let mut range_end = None;
            if !matches!(start, Element::Class(_) | Element::Equivalence(_)) {
                if token == BracketToken::End {
                    return Err(err(EreErrorKind::Bracket));
                }
                if token == BracketToken::Range {
                    self.pos += len;
                    let (token2, len2) = self.peek_bracket();
                    if token2 == BracketToken::End {
                        return Err(err(EreErrorKind::Bracket));
                    }
                    if token2 == BracketToken::Close {
                        // A `-` just before `]` is a member: read it again as one.
                        self.pos -= len;
                        token = BracketToken::Char(b'-');
                    } else {
                        range_end = Some((token2, len2));
                    }
                }
            }
            match range_end {
                Some((token2, len2)) => {
                    let end = self.bracket_element(token2, len2, true, open)?;
                    (token, len) = self.peek_bracket();
                    add_range(&mut set, &start, &end).map_err(err)?;
                }
                None => add_element(&mut set, &start).map_err(err)?,
            }
            if token == BracketToken::End {
                return Err(err(EreErrorKind::Bracket));
            }
            if token == BracketToken::Close {
                break;
            }
        }
        self.pos += len;
        if negated {
            set.negate();
        }
        Ok(set)
    }

    /// `parse_bracket_element`: moves past `token` and reads the element it starts.
    fn bracket_element(
        &mut self,
        token: BracketToken,
        len: usize,
        accept_hyphen: bool,
        open: usize,
    ) -> Result<Element, EreError> {
        self.pos += len;
        match token {
            BracketToken::Open(delimiter) => self.bracket_symbol(delimiter, open),
            BracketToken::Range => {
                // A `-` may only start an element first or just before the `]`.
                if !accept_hyphen && self.peek_bracket().0 != BracketToken::Close {
                    return Err(EreError {
                        kind: EreErrorKind::Range,
                        offset: open,
                    });
                }
                Ok(Element::Byte(b'-'))
            }
            BracketToken::NonMatch => Ok(Element::Byte(b'^')),
            BracketToken::Close => Ok(Element::Byte(b']')),
            BracketToken::Char(c) => Ok(Element::Byte(c)),
            // The callers check for the end first.
            BracketToken::End => Err(EreError {
                kind: EreErrorKind::Bracket,
                offset: open,
            }),
        }
    }

    /// `parse_bracket_symbol`: the name of `[.name.]`, `[=name=]` or `[:name:]` (at most
    /// 31 bytes), after its opening.
    fn bracket_symbol(&mut self, delimiter: u8, open: usize) -> Result<Element, EreError> {
        let unclosed = EreError {
            kind: EreErrorKind::Bracket,
            offset: open,
        };
        let mut name = Vec::new();
        if self.pos >= self.pattern.len() {
            return Err(unclosed);
        }
        loop {
            if name.len() >= 32 {
                return Err(unclosed);
            }
            let ch = self.pattern[self.pos];
            self.pos += 1;
            if self.pos >= self.pattern.len() {
                return Err(unclosed);
            }
            if ch == delimiter && self.pattern[self.pos] == b']' {
                break;
            }
            name.push(ch);
        }
        self.pos += 1;
        Ok(match delimiter {
            b'.' => Element::Collating(name),
            b'=' => Element::Equivalence(name),
            _ => Element::Class(name),
        })
    }
}

/// Adds a single element to a bracket set.
fn add_element(set: &mut ByteSet, element: &Element) -> Result<(), EreErrorKind> {
    match element {
        Element::Byte(byte) => set.add(*byte),
        Element::Collating(name) | Element::Equivalence(name) => match name.as_slice() {
            [byte] => set.add(*byte),
            _ => return Err(EreErrorKind::Collate),
        },
        Element::Class(name) => {
            let ranges = class_ranges(name).ok_or(EreErrorKind::CharClass)?;
            for &(start, end) in ranges {
                set.add_range(start, end);
            }
        }
    }
    Ok(())
}

/// Adds a range `start-end` to a bracket set (`build_range_exp` in the C locale).
fn add_range(set: &mut ByteSet, start: &Element, end: &Element) -> Result<(), EreErrorKind> {
    let endpoint = |element: &Element| match element {
        Element::Byte(byte) => Ok(*byte),
        Element::Collating(name) => match name.as_slice() {
            [byte] => Ok(*byte),
            _ => Err(EreErrorKind::Collate),
        },
        Element::Class(_) | Element::Equivalence(_) => Err(EreErrorKind::Range),
    };
    if matches!(start, Element::Class(_) | Element::Equivalence(_))
        || matches!(end, Element::Class(_) | Element::Equivalence(_))
    {
        return Err(EreErrorKind::Range);
    }
    let (start, end) = (endpoint(start)?, endpoint(end)?);
    if start > end {
        return Err(EreErrorKind::Range);
    }
    set.add_range(start, end);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(pattern: &[u8]) -> Option<EreErrorKind> {
        match parse(pattern) {
            Err(RegexError::Syntax(e)) => Some(e.kind),
            Err(RegexError::TooBig) => panic!("too big"),
            Ok(_) => None,
        }
    }

    #[test]
    fn what_glibc_refuses_is_refused() {
        use EreErrorKind::*;
        let table: &[(&[u8], Option<EreErrorKind>)] = &[
            (b"Event: (Newchannel", Some(Paren)),
            (b"a{1", Some(Brace)),
            (b"a{", Some(Brace)),
            (b"{", Some(BadRepeat)),
            (b"^*", Some(BadRepeat)),
            (b"(*a)", Some(BadRepeat)),
            (b"a|*b", Some(BadRepeat)),
            (b"a$*", Some(BadRepeat)),
            (b"\\<*", Some(BadRepeat)),
            (b"[a-z-9]", Some(Range)),
            (b"[[:alpha:]-z]", Some(Range)),
            (b"[z-a]", Some(Range)),
            (b"\\1", Some(SubReg)),
            (b"(a\\1)", Some(SubReg)),
            (b"a\\", Some(TrailingBackslash)),
            (b"a{32768}", Some(Size)),
            (b"[[=ab=]]", Some(Collate)),
            (b"[[.hyphen.]]", Some(Collate)),
            (b"[[:alpha:]", Some(Bracket)),
            (b"[]", Some(Bracket)),
            (b"[^]", Some(Bracket)),
            (b"[", Some(BadPattern)),
            (b"[^", Some(BadPattern)),
            (b"[[:foo:]]", Some(CharClass)),
            (b"a{1,2,3}", Some(BadInterval)),
            (b"a{}", Some(BadInterval)),
            (b"a{2,1}", Some(BadInterval)),
            (b"(a)\\1", Some(Backreference)),
            (b"(a)\\1(", Some(Paren)),
            (b"a**", None),
            (b"a+?", None),
            (b"a)", None),
            (b"}", None),
            (b"()", None),
            (b"", None),
            (b"(|a)", None),
            (b"a||b", None),
            (b"a{,2}", None),
            (b"a{0}b", None),
            (b"a{2}{3}", None),
            (b"[]]", None),
            (b"[^]]", None),
            (b"[\\]]", None),
            (b"[--/]", None),
            (b"[a-[.z.]]", None),
            (b"[[.-.]]", None),
            (b"[[=a=]]", None),
            (b"\\{", None),
        ];
        for (pattern, expected) in table {
            assert_eq!(kind(pattern), *expected, "{}", pattern.escape_ascii());
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let mut deep = Vec::new();
        deep.resize(NEST_LIMIT + 1, b'(');
        deep.resize(2 * (NEST_LIMIT + 1), b')');
        assert_eq!(kind(&deep), Some(EreErrorKind::TooDeep));
        let mut ok = Vec::new();
        ok.resize(NEST_LIMIT, b'(');
        ok.resize(2 * NEST_LIMIT, b')');
        assert_eq!(kind(&ok), None);
    }
}
