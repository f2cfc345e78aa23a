//! The Thompson NFA of a glibc tree ([`super::ere_tree`]), built for regex-automata with
//! glibc's meaning of anchors.
//!
//! The tree is first compiled into a plain NFA (bytes, splits, anchors, match). Each of its
//! states is then copied for three things glibc's matcher knows at that point, which no
//! regex-automata assertion tells:
//!
//! - whether the match has consumed anything yet: `^` holds at the start of the text
//!   before that, and after a LF afterwards (glibc gives a state entered by a LF the
//!   newline context, but the text before the match never does without `REG_NEWLINE`);
//! - whether a `$` waits: then the next byte consumed must be a LF, and a match may end
//!   only at the end of the text;
//! - whether an active anchor was passed since the last byte consumed: glibc carries its
//!   condition through the anchors after it, so an inert anchor then counts.
//!
//! The other anchors (`` \` ``, `\'`, `\<`, `\>`, `\b`, `\B`) mean what regex-automata's
//! ASCII assertions mean. The unanchored start skips bytes outside the match.

use alloc::vec;
use alloc::vec::Vec;

use regex_automata::nfa::thompson::{BuildError, Builder, Transition, NFA};
use regex_automata::util::look::Look;
use regex_automata::util::primitives::StateID;

use super::ere_tree::{Anchor, Node, TooBig, Tree};

/// A state of the plain NFA.
enum Plain {
    Bytes {
        ranges: Vec<(u8, u8)>,
        next: usize,
    },
    Split(Vec<usize>),
    Anchor {
        anchor: Anchor,
        active: bool,
        next: usize,
    },
    Match,
}

/// Compiles a tree (or the empty pattern) into the plain NFA; returns the states and the
/// start.
fn plain(tree: Option<&Tree>) -> (Vec<Plain>, usize) {
    let mut states = vec![Plain::Match];
    let start = match tree {
        Some(tree) => compile(tree, 0, &mut states),
        None => 0,
    };
    (states, start)
}

/// Compiles `tree` to continue at `next`; returns its start.
fn compile(tree: &Tree, next: usize, states: &mut Vec<Plain>) -> usize {
    let push = |state: Plain, states: &mut Vec<Plain>| {
        states.push(state);
        states.len() - 1
    };
    match &tree.node {
        Node::Bytes(set) => push(
            Plain::Bytes {
                ranges: set.ranges(),
                next,
            },
            states,
        ),
        Node::Anchor { anchor, active } => push(
            Plain::Anchor {
                anchor: *anchor,
                active: *active,
                next,
            },
            states,
        ),
        Node::EmptyGroup => next,
        Node::Concat(items) => items
            .iter()
            .rev()
            .fold(next, |next, item| compile(item, next, states)),
        Node::Alt(branches) => {
            let starts = branches
                .iter()
                .map(|b| b.as_ref().map_or(next, |b| compile(b, next, states)))
                .collect();
            push(Plain::Split(starts), states)
        }
        Node::Star(body) => {
            // glibc's star node: into the body (which comes back here) or on.
            let star = push(Plain::Split(Vec::new()), states);
            let body = compile(body, star, states);
            states[star] = Plain::Split(vec![body, next]);
            star
        }
        Node::OptChain(copies) => {
            // ((X1? X2)? X3)?: each copy runs into the next; the splits pick the first.
            let mut starts = vec![next; copies.len() + 1];
            for (i, copy) in copies.iter().enumerate().rev() {
                starts[i] = compile(copy, starts[i + 1], states);
            }
            let mut split = push(Plain::Split(vec![starts[0], starts[1]]), states);
            for i in 1..copies.len() {
                split = push(Plain::Split(vec![split, starts[i + 1]]), states);
            }
            split
        }
    }
}

/// The builder ran out of room (its size limit, or state identifiers).
impl From<BuildError> for TooBig {
    fn from(_: BuildError) -> TooBig {
        TooBig
    }
}

const CONSUMED: usize = 1;
const PENDING_END: usize = 2;
const ARMED: usize = 4;

/// Builds regex-automata's NFA for a tree, within `size_limit` bytes of states.
pub(crate) fn build(tree: Option<&Tree>, size_limit: usize) -> Result<NFA, TooBig> {
    let (states, start) = plain(tree);
    let mut product = Product {
        track: tree.is_some_and(Tree::has_anchors),
        states: &states,
        builder: Builder::new(),
        copies: vec![[None; 8]; states.len()],
        todo: Vec::new(),
    };
    product.builder.set_utf8(false);
    product.builder.set_size_limit(Some(size_limit))?;
    product.builder.start_pattern()?;
    let start = product.copy(start, 0)?;
    while let Some((old, flags, new)) = product.todo.pop() {
        let filled = product.fill(old, flags)?;
        product.builder.patch(new, filled)?;
    }
    // The unanchored start: skip any bytes, outside the match, then the pattern.
    let skip = product.builder.add_empty()?;
    let any = product.builder.add_range(Transition {
        start: 0,
        end: 255,
        next: skip,
    })?;
    let unanchored = product.builder.add_union(vec![start, any])?;
    product.builder.patch(skip, unanchored)?;
    product.builder.finish_pattern(start)?;
    Ok(product.builder.build(start, unanchored)?)
}

/// The plain NFA times the flags [`CONSUMED`], [`PENDING_END`], [`ARMED`].
struct Product<'s> {
    /// Whether the flags matter (the pattern has anchors); without, every copy has flags 0.
    track: bool,
    states: &'s [Plain],
    builder: Builder,
    copies: Vec<[Option<StateID>; 8]>,
    /// Copies made but not filled in yet: (plain state, flags, new state).
    todo: Vec<(usize, usize, StateID)>,
}

impl Product<'_> {
    /// The copy of plain state `old` under `flags`, made (empty, to be filled in) if new.
    fn copy(&mut self, old: usize, flags: usize) -> Result<StateID, TooBig> {
        if let Some(new) = self.copies[old][flags] {
            return Ok(new);
        }
        let new = self.builder.add_empty()?;
        self.copies[old][flags] = Some(new);
        self.todo.push((old, flags, new));
        Ok(new)
    }

    fn fill(&mut self, old: usize, flags: usize) -> Result<StateID, TooBig> {
        let states = self.states;
        match &states[old] {
            Plain::Bytes { ranges, next } => {
                let after = if self.track { CONSUMED } else { 0 };
                let next = self.copy(*next, after)?;
                let transitions: Vec<Transition> = ranges
                    .iter()
                    .filter_map(|&(start, end)| {
                        if flags & PENDING_END == 0 {
                            Some((start, end))
                        } else {
                            (start..=end).contains(&b'\n').then_some((b'\n', b'\n'))
                        }
                    })
                    .map(|(start, end)| Transition { start, end, next })
                    .collect();
                Ok(self.builder.add_sparse(transitions)?)
            }
            Plain::Split(alternates) => {
                let alternates = alternates
                    .iter()
                    .map(|&alt| self.copy(alt, flags))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(self.builder.add_union(alternates)?)
            }
            Plain::Anchor {
                anchor,
                active,
                next,
            } => {
                if !active && flags & ARMED == 0 {
                    // Inert: glibc attaches its condition to nothing.
                    return self.copy(*next, flags);
                }
                let flags = flags | ARMED;
                let look = match anchor {
                    Anchor::LineEnd => return self.copy(*next, flags | PENDING_END),
                    Anchor::LineStart if flags & CONSUMED == 0 => Look::Start,
                    Anchor::LineStart => Look::StartLF,
                    Anchor::BufStart => Look::Start,
                    Anchor::BufEnd => Look::End,
                    Anchor::WordStart => Look::WordStartAscii,
                    Anchor::WordEnd => Look::WordEndAscii,
                    Anchor::WordBoundary => Look::WordAscii,
                    Anchor::NotWordBoundary => Look::WordAsciiNegate,
                };
                let next = self.copy(*next, flags)?;
                Ok(self.builder.add_look(next, look)?)
            }
            Plain::Match => {
                let done = self.builder.add_match()?;
                if flags & PENDING_END == 0 {
                    Ok(done)
                } else {
                    Ok(self.builder.add_look(done, Look::End)?)
                }
            }
        }
    }
}
