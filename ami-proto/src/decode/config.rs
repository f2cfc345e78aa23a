//! Decoder settings: line-ending policy and resource limits.

/// How lines end on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
#[non_exhaustive]
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

impl Limits {
    /// These limits with `max_line` set.
    ///
    /// ```
    /// let limits = ami_proto::Limits::DEFAULT.with_max_line(4096).with_max_headers(500);
    /// assert_eq!((limits.max_line, limits.max_headers), (4096, 500));
    /// ```
    pub const fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    /// These limits with `max_message` set.
    pub const fn with_max_message(mut self, max_message: usize) -> Self {
        self.max_message = max_message;
        self
    }

    /// These limits with `max_headers` set.
    pub const fn with_max_headers(mut self, max_headers: usize) -> Self {
        self.max_headers = max_headers;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::DEFAULT
    }
}

/// Everything a [`Decoder`](crate::Decoder) can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Line-ending policy.
    pub line_endings: LineEndings,
    /// Resource limits.
    pub limits: Limits,
}

impl Config {
    /// Asterisk's CRLF framing and the default [`Limits`].
    pub const DEFAULT: Config = Config {
        line_endings: LineEndings::Crlf,
        limits: Limits::DEFAULT,
    };

    /// This configuration with `line_endings` set.
    ///
    /// ```
    /// use ami_proto::{Config, LineEndings, Limits};
    /// let config = Config::default()
    ///     .with_line_endings(LineEndings::Lenient)
    ///     .with_limits(Limits::DEFAULT.with_max_line(4096));
    /// assert_eq!(config.line_endings, LineEndings::Lenient);
    /// assert_eq!(config.limits.max_line, 4096);
    /// ```
    pub const fn with_line_endings(mut self, line_endings: LineEndings) -> Self {
        self.line_endings = line_endings;
        self
    }

    /// This configuration with `limits` set.
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}
