//! Decoder settings: line-ending policy and resource limits.

/// How lines end on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEndings {
    /// Asterisk's own framing (the default): a line ends in CRLF; a bare LF inside a line is
    /// part of the value (multi-line values, the legacy Command body).
    #[default]
    Crlf,
    /// For proxies and hand-written servers that end lines in bare LF: any LF ends a line and
    /// a CR just before it is dropped. In this mode a value cannot contain a LF, and the body
    /// of a legacy `Response: Follows` reply starts at its first line that is not a header
    /// and ends only at `--END COMMAND--`.
    Lenient,
}

/// Bounds on what one message may hold; exceeding one is an [`Error`](crate::Error), never
/// a panic or unbounded memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line in bytes, its line ending included (banner and header lines).
    pub max_line: usize,
    /// Largest message in bytes, line endings, the final blank line and a Command body
    /// included.
    /// Values above `u32::MAX` are treated as `u32::MAX`.
    pub max_message: usize,
    /// Most header lines in one message (an Asterisk 14+ Command reply has one per output
    /// line, so keep this generous).
    pub max_headers: usize,
}

impl Limits {
    /// 64 KiB lines, 16 MiB messages, 100,000 headers: far above anything Asterisk sends,
    /// low enough that a hostile peer cannot exhaust memory.
    pub const DEFAULT: Limits = Limits {
        max_line: 64 * 1024,
        max_message: 16 * 1024 * 1024,
        max_headers: 100_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Everything a [`Decoder`](crate::Decoder) can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Config {
    /// Line-ending policy.
    pub line_endings: LineEndings,
    /// Resource limits.
    pub limits: Limits,
}
