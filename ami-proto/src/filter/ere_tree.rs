//! A parsed pattern in the shape glibc's `regcomp` gives it, because that shape decides
//! what glibc's anchors do.
//!
//! glibc expands `X{n,m}` into copies of `X` (`X+` into `X X*`) with `duplicate_tree`,
//! which marks every node of a copy as *duplicated*. When it later attaches an anchor's
//! condition to the nodes that follow the anchor (`calc_eclosure_iter`), it skips an anchor
//! whose next node is marked so: such an anchor is inert, unless an earlier anchor on the
//! same path, since the last byte consumed, was not (its condition is carried through the
//! later ones). So `(.$){2}` means `..$` there, and `($.)+a` matches `"\nxa"`. This module
//! builds the tree with the same copies and marks, finds each anchor's next node as
//! glibc's `calc_first`/`calc_next` do, and records whether the anchor is active.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir};

/// Most tree nodes one pattern may expand to (copies included); a larger one is refused as
/// too big, where glibc would allocate on.
pub(crate) const NODE_LIMIT: usize = 100_000;

/// A set of bytes (a character, a bracket expression, `.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    pub(crate) fn new() -> ByteSet {
        ByteSet([0; 4])
    }

    pub(crate) fn add(&mut self, byte: u8) {
        self.0[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }

    pub(crate) fn add_range(&mut self, start: u8, end: u8) {
        for byte in start..=end {
            self.add(byte);
        }
    }

    pub(crate) fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte >> 6)] & (1 << (byte & 63)) != 0
    }

    pub(crate) fn negate(&mut self) {
        for word in &mut self.0 {
            *word = !*word;
        }
    }

    /// The set as sorted, non-overlapping inclusive ranges.
    pub(crate) fn ranges(&self) -> Vec<(u8, u8)> {
        let mut ranges: Vec<(u8, u8)> = Vec::new();
        for byte in 0..=255u8 {
            if !self.contains(byte) {
                continue;
            }
            match ranges.last_mut() {
                Some(last) if usize::from(last.1) + 1 == usize::from(byte) => last.1 = byte,
                _ => ranges.push((byte, byte)),
            }
        }
        ranges
    }
}

/// glibc's anchors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// `^`: start of the text, or after a LF the match consumed.
    LineStart,
    /// `$`: end of the text, or before a LF the match consumes next.
    LineEnd,
    /// `` \` ``: start of the text.
    BufStart,
    /// `\'`: end of the text.
    BufEnd,
    /// `\<`.
    WordStart,
    /// `\>`.
    WordEnd,
    /// `\b`.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// One byte of a set.
    Bytes(Arc<ByteSet>),
    /// An anchor, and whether glibc gives it effect (see the module docs).
    Anchor { anchor: Anchor, active: bool },
    /// `()`: glibc makes an open and a close node of it, never marked duplicated.
    EmptyGroup,
    /// A sequence (never empty).
    Concat(Vec<Tree>),
    /// Alternatives; `None` is an empty one.
    Alt(Vec<Option<Tree>>),
    /// `X*`.
    Star(Box<Tree>),
    /// The optional copies of `X{n,m}`: glibc's `((X? X)? X)?`, which matches the copies
    /// from some one of them to the last, or nothing.
    OptChain(Vec<Tree>),
}

/// A node and whether it is in a copy glibc made with `duplicate_tree`.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub(crate) node: Node,
    pub(crate) duplicated: bool,
}

/// Counts nodes as a pattern is built.
pub(crate) struct Budget {
    nodes: usize,
}

/// The pattern would expand past [`NODE_LIMIT`].
#[derive(Debug)]
pub(crate) struct TooBig;

impl Budget {
    pub(crate) fn new() -> Budget {
        Budget { nodes: 0 }
    }

    pub(crate) fn spend(&mut self, nodes: usize) -> Result<(), TooBig> {
        self.nodes += nodes;
        if self.nodes > NODE_LIMIT {
            return Err(TooBig);
        }
        Ok(())
    }
}

impl Tree {
    pub(crate) fn new(node: Node, budget: &mut Budget) -> Result<Tree, TooBig> {
        budget.spend(1)?;
        Ok(Tree {
            node,
            duplicated: false,
        })
    }

    /// A sequence of trees (one tree stays itself).
    pub(crate) fn concat(
        mut items: Vec<Tree>,
        budget: &mut Budget,
    ) -> Result<Option<Tree>, TooBig> {
        match items.len() {
            0 => Ok(None),
            1 => Ok(items.pop()),
            _ => Tree::new(Node::Concat(items), budget).map(Some),
        }
    }

    fn size(&self) -> usize {
        1 + match &self.node {
            Node::Concat(items) | Node::OptChain(items) => items.iter().map(Tree::size).sum(),
            Node::Alt(branches) => branches.iter().flatten().map(Tree::size).sum(),
            Node::Star(body) => body.size(),
            Node::Bytes(_) | Node::Anchor { .. } | Node::EmptyGroup => 0,
        }
    }

    /// glibc's `duplicate_tree`: a copy with every node marked.
    fn duplicate(&self, budget: &mut Budget) -> Result<Tree, TooBig> {
        budget.spend(self.size())?;
        let mut copy = self.clone();
        copy.mark_duplicated();
        Ok(copy)
    }

    fn mark_duplicated(&mut self) {
        self.duplicated = true;
        match &mut self.node {
            Node::Concat(items) | Node::OptChain(items) => {
                items.iter_mut().for_each(Tree::mark_duplicated)
            }
            Node::Alt(branches) => branches
                .iter_mut()
                .flatten()
                .for_each(Tree::mark_duplicated),
            Node::Star(body) => body.mark_duplicated(),
            Node::Bytes(_) | Node::Anchor { .. } | Node::EmptyGroup => {}
        }
    }

    /// `X{start,end}` (`end` `None` for no bound) as glibc's `parse_dup_op` expands it: the
    /// first copy is the element itself, the others are duplicated copies; `None` when no
    /// copy remains (`{0}`).
    pub(crate) fn repeat(
        self,
        start: u32,
        end: Option<u32>,
        budget: &mut Budget,
    ) -> Result<Option<Tree>, TooBig> {
        if start == 0 && end == Some(0) {
            return Ok(None);
        }
        let mut mandatory = Vec::new();
        let first_optional = if start > 0 {
            mandatory.push(self);
            for _ in 2..=start {
                let copy = mandatory[0].duplicate(budget)?;
                mandatory.push(copy);
            }
            if end == Some(start) {
                return Tree::concat(mandatory, budget);
            }
            mandatory[0].duplicate(budget)?
        } else {
            self
        };
        let optional = match end {
            None => Tree::new(Node::Star(Box::new(first_optional)), budget)?,
            Some(end) => {
                let mut copies = vec![first_optional];
                for _ in start + 2..=end {
                    let copy = copies[0].duplicate(budget)?;
                    copies.push(copy);
                }
                Tree::new(Node::OptChain(copies), budget)?
            }
        };
        mandatory.push(optional);
        Tree::concat(mandatory, budget)
    }

    /// Whether the node glibc's `calc_first` picks as this tree's first is duplicated.
    fn first_duplicated(&self) -> bool {
        match &self.node {
            Node::Concat(items) => items[0].first_duplicated(),
            // The open node glibc makes for `()` is never a copy.
            Node::EmptyGroup => false,
            _ => self.duplicated,
        }
    }

    /// Decides every anchor's activity: `next_duplicated` tells whether the node after this
    /// tree (`calc_next`) is a duplicated one.
    pub(crate) fn mark_anchors(&mut self, next_duplicated: bool) {
        let own = self.duplicated;
        match &mut self.node {
            Node::Anchor { active, .. } => *active = !next_duplicated,
            Node::Concat(items) | Node::OptChain(items) => {
                let count = items.len();
                for i in 0..count {
                    let next = match items.get(i + 1) {
                        Some(following) => following.first_duplicated(),
                        None => next_duplicated,
                    };
                    items[i].mark_anchors(next);
                }
            }
            Node::Alt(branches) => {
                for branch in branches.iter_mut().flatten() {
                    branch.mark_anchors(next_duplicated);
                }
            }
            // The body of `X*` goes back to the star node.
            Node::Star(body) => body.mark_anchors(own),
            Node::Bytes(_) | Node::EmptyGroup => {}
        }
    }

    /// Whether the tree has an anchor.
    pub(crate) fn has_anchors(&self) -> bool {
        match &self.node {
            Node::Anchor { .. } => true,
            Node::Concat(items) | Node::OptChain(items) => items.iter().any(Tree::has_anchors),
            Node::Alt(branches) => branches.iter().flatten().any(Tree::has_anchors),
            Node::Star(body) => body.has_anchors(),
            Node::Bytes(_) | Node::EmptyGroup => false,
        }
    }

    /// The tree as regex-syntax's HIR with every anchor left out: a language that contains
    /// every match, good for finding literal prefixes but not for matching.
    pub(crate) fn to_loose_hir(&self) -> Hir {
        match &self.node {
            Node::Bytes(set) => Hir::class(Class::Bytes(ClassBytes::new(
                set.ranges()
                    .into_iter()
                    .map(|(a, b)| ClassBytesRange::new(a, b)),
            ))),
            Node::Anchor { .. } | Node::EmptyGroup => Hir::empty(),
            Node::Concat(items) => Hir::concat(items.iter().map(Tree::to_loose_hir).collect()),
            Node::Alt(branches) => Hir::alternation(
                branches
                    .iter()
                    .map(|b| b.as_ref().map_or_else(Hir::empty, Tree::to_loose_hir))
                    .collect(),
            ),
            Node::Star(body) => Hir::repetition(regex_syntax::hir::Repetition {
                min: 0,
                max: None,
                greedy: true,
                sub: Box::new(body.to_loose_hir()),
            }),
            Node::OptChain(copies) => Hir::repetition(regex_syntax::hir::Repetition {
                min: 0,
                max: Some(copies.len() as u32),
                greedy: true,
                sub: Box::new(copies[0].to_loose_hir()),
            }),
        }
    }
}
