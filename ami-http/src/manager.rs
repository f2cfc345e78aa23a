//! manager (`/manager`, `/amanager`): the HTML page ("Manager Tester").
//!
//! ```text
//! <title>...</title><body ...><table ...>
//! <tr><td colspan="2" bgcolor="#f1f1ff"><h1>Manager Tester</h1></td></tr>      page head
//! <tr><td colspan="2" bgcolor="#f1f1ff"><form ...>...</form></td></tr>        page head
//! <tr><td>Response</td><td>Success</td></tr>                                  a field
//! <tr><td>ChanVariable-2</td><td>CALLERID(name)=</td></tr>                    a repeated key
//! <tr><td colspan="2"><hr></td></tr>                                          end of a section
//! </table></body>
//! ```
//!
//! Each section (one AMI message) is a run of two-cell rows ended by an `<hr>` row. Keys
//! are the AMI keys as they were (case kept), with `-n` added to the `n`-th repeat;
//! keys and values use the same five entities as mxml; the lines of opaque data are joined
//! by `<br>` and LF. What comes before the first field row (title, `<body>`, `<table>`,
//! and the rows of the page's heading and test form, which differ between `/manager` and
//! `/amanager`) is the page's furniture, not data, and is passed over; the page must end
//! with `</table>`.

use ami_proto::{Config, OwnedItem};
use memchr::memmem;

use crate::error::{DecodeError, DecodeErrorKind};
use crate::markup::{find_tag, is_space, skip_space, unescape, Markup};
use crate::section::{build, Field};

const ROW_OPEN: &[u8] = b"<tr";
const ROW_CLOSE: &[u8] = b"</tr>";
const CELL_OPEN: &[u8] = b"<td";
const CELL_CLOSE: &[u8] = b"</td>";
const TABLE_CLOSE: &[u8] = b"</table>";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first row.
    Head,
    Rows,
    Done,
}

/// The messages of one manager page.
#[derive(Debug)]
pub(crate) struct Items<'b> {
    body: &'b [u8],
    pos: usize,
    state: State,
    config: Config,
    /// Fields of the section being read.
    fields: Vec<Field>,
    /// Where the section being read started (its first field row).
    section: Option<usize>,
    /// A field or `<hr>` row has been seen: one-cell rows are no longer page head.
    in_table: bool,
    /// After an error inside a section: rows are dropped up to its `<hr>` row.
    skipping: bool,
}

/// One `<td ...>content</td>`.
struct Cell<'r> {
    attributes: &'r [u8],
    content: &'r [u8],
    /// Body offset of `content`.
    at: usize,
}

/// What one row is.
enum Row<'r> {
    /// `<tr><td>key</td><td>value</td></tr>`.
    Field(Cell<'r>, Cell<'r>),
    /// `<tr><td colspan="2"><hr></td></tr>`.
    Separator,
}

/// Splits the row at body offset `at` into its cells, `None` when it is not
/// `<tr ...>` followed by `<td ...>...</td>` cells and `</tr>`.
fn cells(row: &[u8], at: usize) -> Option<Vec<Cell<'_>>> {
    let mut p = ROW_OPEN.len();
    p += memchr::memchr(b'>', &row[p..])? + 1;
    let mut cells = Vec::new();
    loop {
        p = skip_space(row, p);
        if row[p..] == *ROW_CLOSE {
            return Some(cells);
        }
        if !row[p..].starts_with(CELL_OPEN) {
            return None;
        }
        p += CELL_OPEN.len();
        let close = p + memchr::memchr(b'>', &row[p..])?;
        let attributes = &row[p..close];
        if attributes.first().is_some_and(|&b| !is_space(b)) {
            return None; // `<tdx`, not `<td`.
        }
        let start = close + 1;
        let end = start + memmem::find(&row[start..], CELL_CLOSE)?;
        cells.push(Cell {
            attributes,
            content: &row[start..end],
            at: at + start,
        });
        p = end + CELL_CLOSE.len();
    }
}

fn classify<'r>(row: &'r [u8], at: usize) -> Option<Row<'r>> {
    let mut cells = cells(row, at)?;
    let plain = |c: &Cell<'_>| c.attributes.iter().all(|&b| is_space(b));
    match cells.len() {
        2 if cells.iter().all(plain) => {
            let value = cells.pop()?;
            let key = cells.pop()?;
            Some(Row::Field(key, value))
        }
        1 if !plain(&cells[0]) && cells[0].content == b"<hr>" => Some(Row::Separator),
        _ => None,
    }
}

impl<'b> Items<'b> {
    pub(crate) fn new(body: &'b [u8], config: Config) -> Self {
        Items {
            body,
            pos: 0,
            state: State::Head,
            config,
            fields: Vec::new(),
            section: None,
            in_table: false,
            skipping: false,
        }
    }

    /// An error in the section being read (or at `at` between sections): the rest of the
    /// section is dropped up to its `<hr>` row.
    fn fail(&mut self, kind: DecodeErrorKind, at: usize) -> DecodeError {
        let open = self.section.take();
        self.skipping |= open.is_some();
        self.fields.clear();
        let section = open.unwrap_or(at);
        DecodeError::new(kind, at, section)
    }

    /// Takes in one field row at `at`; an error drops the section.
    fn field(
        &mut self,
        key: Cell<'_>,
        value: Cell<'_>,
        at: usize,
        end: usize,
    ) -> Result<(), DecodeError> {
        let limits = self.config.limits;
        let section = *self.section.get_or_insert(at);
        let key = unescape(key.content, key.at, Markup::Html);
        let value = unescape(value.content, value.at, Markup::Html);
        let (key, value) = match (key, value) {
            (Ok(k), Ok(v)) => (k, v),
            (Err((kind, p)), _) | (_, Err((kind, p))) => return Err(self.fail(kind, p)),
        };
        if self.fields.len() == limits.max_headers {
            let limit = limits.max_headers;
            return Err(self.fail(DecodeErrorKind::TooManyHeaders { limit }, at));
        }
        if end - section > limits.max_message {
            let limit = limits.max_message;
            return Err(self.fail(DecodeErrorKind::MessageTooLarge { limit }, section));
        }
        self.fields.push(Field {
            key,
            value,
            offset: at,
        });
        Ok(())
    }

    /// The next message, error or end.
    fn rows(&mut self) -> Option<Result<OwnedItem, DecodeError>> {
        loop {
            let p = skip_space(self.body, self.pos);
            let rest = &self.body[p..];
            if rest.is_empty() || rest.starts_with(TABLE_CLOSE) {
                // The page ends (whatever follows `</table>` is its foot).
                self.state = State::Done;
                return (self.section.is_some() || rest.is_empty())
                    .then(|| Err(self.fail(DecodeErrorKind::UnexpectedEnd, p)));
            }
            if !rest.starts_with(ROW_OPEN) {
                // Go on at the next row or at the end of the table.
                self.pos =
                    find_tag(self.body, p, &[ROW_OPEN, TABLE_CLOSE]).unwrap_or(self.body.len());
                return Some(Err(
                    self.fail(DecodeErrorKind::Expected("`<tr>` or `</table>`"), p)
                ));
            }
            let Some(close) = memmem::find(rest, ROW_CLOSE) else {
                self.state = State::Done;
                return Some(Err(self.fail(DecodeErrorKind::UnexpectedEnd, p)));
            };
            let end = p + close + ROW_CLOSE.len();
            self.pos = end;
            match classify(&self.body[p..end], p) {
                // The page's heading and test form (`<td colspan=...>` or `<th>` cells).
                None if !self.in_table => {}
                Some(Row::Separator) => {
                    self.in_table = true;
                    if std::mem::take(&mut self.skipping) {
                        continue;
                    }
                    let Some(section) = self.section.take() else {
                        continue; // an `<hr>` with no field before it holds nothing
                    };
                    let fields = std::mem::take(&mut self.fields);
                    let built = build(fields, Markup::Html, section, &self.config.limits);
                    return Some(built.map(OwnedItem::Message));
                }
                Some(Row::Field(key, value)) => {
                    self.in_table = true;
                    if self.skipping {
                        continue;
                    }
                    if let Err(error) = self.field(key, value, p, end) {
                        return Some(Err(error));
                    }
                }
                None => {
                    let what = "a row of two cells or an `<hr>` row";
                    return Some(Err(self.fail(DecodeErrorKind::Expected(what), p)));
                }
            }
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
        loop {
            match self.state {
                State::Done => return None,
                State::Head => match memmem::find(self.body, ROW_OPEN) {
                    Some(first) => {
                        self.pos = first;
                        self.state = State::Rows;
                    }
                    None => {
                        self.state = State::Done;
                        let at = self.body.len();
                        return Some(Err(DecodeError::new(
                            DecodeErrorKind::Expected("`<tr>`"),
                            at,
                            at,
                        )));
                    }
                },
                State::Rows => return self.rows(),
            }
        }
    }
}
