//! What a `manager show` dump (or an observed entry) says, as plain data.
//!
//! The dump parser ([`crate::dump`]) fills these types from the CLI text; the generator
//! ([`crate::codegen`]) reads them. Nothing here knows about Rust code or about particular
//! event names.

/// Whether a definition documents an event (sent by Asterisk) or an action (sent by a client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum DocKind {
    /// `manager show event NAME`: a message starting with `Event: NAME`.
    #[default]
    Event,
    /// `manager show command NAME`: a message starting with `Action: NAME`.
    Action,
}

/// One definition of an event or action, as printed by `manager show event|command NAME`.
///
/// Sections the dump prints as `Not available` (or does not print at all) are `None` or empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    /// Event or action.
    pub kind: DocKind,
    /// The event or action name (`Newstate`, `Originate`).
    pub name: String,
    /// `[Synopsis]`: one short paragraph.
    pub synopsis: Option<String>,
    /// `[Provided By]`: the module (or `builtin`).
    pub provided_by: Option<String>,
    /// `[Since]`: the Asterisk versions that introduced it, as printed.
    pub since: Vec<String>,
    /// `[Description]`: free text, lines kept as printed.
    pub description: Option<String>,
    /// `[Syntax]`: the header lines in documented order, the fixed `Event:`/`Action:` line first.
    pub syntax: Vec<SyntaxLine>,
    /// `[Arguments]`: documentation of the headers.
    pub arguments: Vec<Argument>,
    /// `[Privilege]`: the permission classes (actions only).
    pub privilege: Vec<String>,
    /// `[See Also]`: related names.
    pub see_also: Vec<String>,
    /// `[List Responses]`: the events a list action answers with, one per item.
    pub list_responses: Vec<Doc>,
    /// `[Final Response]`: the event that closes a list action's answer.
    pub final_response: Vec<Doc>,
    /// `[Observed In]`, only in observed entries: the captures whose bytes the entry was
    /// written from.
    pub observed_in: Vec<Sighting>,
    /// `[List Condition]`, only in observed entries: when the answer is a list at all.
    pub list_condition: Option<ListCondition>,
}

/// One line of `[Observed In]`: `Asterisk 23.4.1: corpus/asterisk-23.4.1/30_queue.server.bin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The Asterisk version that sent the bytes.
    pub version: String,
    /// The capture, as a path from the repository root.
    pub capture: String,
}

/// When a list action is answered by a list, for actions whose plain form is answered by
/// one response (`[List Condition]` of an observed entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListCondition {
    /// `Key: true`: when the header is true as Asterisk reads a boolean (`ast_true`: `yes`,
    /// `true`, `y`, `t`, `1`, `on`, any case). `Async: true` on Originate.
    True(String),
    /// `Key: /regex/`: when the header's value starts with `/`, which Asterisk reads as a
    /// regular expression. `Channel: /regex/` on Hangup.
    Regex(String),
}

impl ListCondition {
    /// The header the condition reads.
    pub fn key(&self) -> &str {
        match self {
            ListCondition::True(key) | ListCondition::Regex(key) => key,
        }
    }
}

/// One line of a `[Syntax]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxLine {
    /// The header key, as printed (`Channel`, `ReportXSourceSSRC`, `Action-000000`).
    pub key: String,
    /// Which wire keys the printed key stands for.
    pub pattern: KeyPattern,
    /// What the line says about the value.
    pub value: SyntaxValue,
}

/// The value part of a syntax line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxValue {
    /// `Key: Fixed` (the `Event: Name` / `Action: Name` line).
    Fixed(String),
    /// `Key: <value>`: the header is always sent.
    Required,
    /// `[Key:] <value>`: the header may be left out.
    Optional,
}

/// How a documented key maps to keys on the wire.
///
/// Most keys are literal. Some stand for a family of numbered keys: `ReportXSourceSSRC` is
/// sent as `Report0SourceSSRC`, `Report1SourceSSRC`, ...; `Action-000000` as `Action-000000`,
/// `Action-000001`, ...; `UnitAmount(0)` as `UnitAmount(0)`, `UnitAmount(1)`; `HeaderN` as
/// `Header1`, `Header2`, ...
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyPattern {
    /// The key is sent exactly as documented.
    Literal,
    /// `prefix` + a decimal index + `suffix`.
    Numbered {
        /// Text before the index (`Report`, `Action-`, `UnitAmount(`, `Header`).
        prefix: String,
        /// Text after the index (`SourceSSRC`, `)`, or empty).
        suffix: String,
        /// `Some(n)` when the index is zero-padded to `n` digits (`000000`).
        width: Option<usize>,
    },
}

/// The documentation of one header in `[Arguments]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Argument {
    /// The key it documents, as printed.
    pub name: String,
    /// Prose paragraphs (joined wrapped lines) that are not part of a value list.
    pub paragraphs: Vec<String>,
    /// The values it may take, when the documentation lists them.
    pub values: Vec<ValueDoc>,
}

/// One documented value of a header (an `<enum>` in Asterisk's XML documentation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValueDoc {
    /// The value as sent on the wire (`Dialing Offhook`, `200(SR)`, `ANSWER`).
    pub name: String,
    /// What it means (text after ` - ` plus its continuation paragraphs), possibly empty.
    pub doc: String,
    /// Values listed one level deeper under this one (option lists of an action value).
    pub children: Vec<ValueDoc>,
}

/// The table printed by `manager show events` or `manager show commands`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameList {
    /// Names in printed order.
    pub names: Vec<String>,
    /// Synopsis per name, when the table has a synopsis column (the action table).
    pub synopses: Vec<Option<String>>,
    /// Width of the name column: a name this long may have been cut by the CLI.
    pub column_width: usize,
    /// The `N events registered.` total, when printed.
    pub total: Option<usize>,
}

impl NameList {
    /// Whether `name` fills its column exactly, so the CLI may have cut it.
    pub fn may_be_truncated(&self, name: &str) -> bool {
        self.column_width > 0 && name.len() >= self.column_width
    }
}

/// What one `manager show event|command NAME` file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocFile {
    /// One definition per module that documents the name (usually one).
    Found(Vec<Doc>),
    /// `Could not find event 'NAME'`: listed but not documented (often a name the table cut).
    NotFound {
        /// Event or action.
        kind: DocKind,
        /// The name asked for.
        name: String,
    },
}

impl Doc {
    /// Folds another definition of the same name into this one (an event documented by
    /// several modules): every header, argument, value and text of both is kept.
    pub fn merge(&mut self, other: Doc) {
        merge_text(&mut self.synopsis, other.synopsis, " ");
        merge_text(&mut self.provided_by, other.provided_by, ", ");
        merge_text(&mut self.description, other.description, "\n\n");
        merge_list(&mut self.since, other.since);
        merge_list(&mut self.privilege, other.privilege);
        merge_list(&mut self.see_also, other.see_also);
        for sighting in other.observed_in {
            if !self.observed_in.contains(&sighting) {
                self.observed_in.push(sighting);
            }
        }
        if self.list_condition.is_none() {
            self.list_condition = other.list_condition;
        }
        for line in other.syntax {
            if !self.syntax.iter().any(|l| l.key == line.key) {
                self.syntax.push(line);
            }
        }
        for arg in other.arguments {
            match self.arguments.iter_mut().find(|a| a.name == arg.name) {
                Some(mine) => {
                    merge_list(&mut mine.paragraphs, arg.paragraphs);
                    for v in arg.values {
                        if !mine.values.iter().any(|m| m.name == v.name) {
                            mine.values.push(v);
                        }
                    }
                }
                None => self.arguments.push(arg),
            }
        }
        for doc in other.list_responses {
            if !self.list_responses.iter().any(|d| d.name == doc.name) {
                self.list_responses.push(doc);
            }
        }
        for doc in other.final_response {
            if !self.final_response.iter().any(|d| d.name == doc.name) {
                self.final_response.push(doc);
            }
        }
    }

    /// The documentation of header `key`, if any.
    pub fn argument(&self, key: &str) -> Option<&Argument> {
        self.arguments.iter().find(|a| a.name == key)
    }
}

fn merge_text(mine: &mut Option<String>, other: Option<String>, separator: &str) {
    match (mine.as_mut(), other) {
        (Some(a), Some(b)) if !a.contains(b.as_str()) => {
            a.push_str(separator);
            a.push_str(&b);
        }
        (None, Some(b)) => *mine = Some(b),
        _ => {}
    }
}

fn merge_list(mine: &mut Vec<String>, other: Vec<String>) {
    for item in other {
        if !mine.contains(&item) {
            mine.push(item);
        }
    }
}

/// A folder of observed entries (`specs/observed/`): events and list replies the captures
/// show and no dump documents, each entry in the dump format and naming its captures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observed {
    /// Observed events, sorted by name.
    pub events: Vec<Doc>,
    /// Observed facts about actions (their list replies), sorted by name.
    pub actions: Vec<Doc>,
}

/// What one folder under `specs/` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Folder {
    /// The dumps of one Asterisk version.
    Dump(Spec),
    /// Observed entries.
    Observed(Observed),
}

/// One spec folder: everything one Asterisk version printed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spec {
    /// The folder name without its `asterisk-` prefix (`13.38.3`).
    pub version: String,
    /// `events.txt`.
    pub event_list: NameList,
    /// `actions.txt`.
    pub action_list: NameList,
    /// Every documented event, definitions of one name merged, sorted by name.
    pub events: Vec<Doc>,
    /// Every documented action, sorted by name.
    pub actions: Vec<Doc>,
    /// Names whose file says `Could not find ...`.
    pub not_found: Vec<(DocKind, String)>,
}

impl Spec {
    /// The event or action `name`.
    pub fn doc(&self, kind: DocKind, name: &str) -> Option<&Doc> {
        let docs = match kind {
            DocKind::Event => &self.events,
            DocKind::Action => &self.actions,
        };
        docs.iter().find(|d| d.name == name)
    }
}
