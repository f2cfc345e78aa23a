//! The tables printed by `manager show events` and `manager show commands`.

use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{digit1, space0, space1};
use nom::combinator::{map_res, opt};
use nom::multi::many1;
use nom::sequence::{preceded, terminated};
use nom::Parser;

use super::error::PErr;
use super::lines::{blanks, line, Res};
use crate::model::NameList;

/// `Events:`, a rule of dashes per column, rows of names, then (23.x) `N events registered.`
pub(crate) fn event_table(i: &str) -> Res<'_, NameList> {
    let (i, _) = blanks(i)?;
    let (i, _) = terminated(tag("Events:"), (space0, line_end)).parse(i)?;
    let dashes = terminated(take_while1(|c| c == '-'), space0);
    let (i, rule) = terminated(preceded(space0, many1(dashes)), line_end).parse(i)?;
    let mut list = NameList {
        column_width: rule.first().map_or(0, |d| d.len()),
        ..NameList::default()
    };
    let mut i = i;
    while let Ok((rest, row)) = line(i) {
        if row.trim().is_empty() {
            break;
        }
        if !row.starts_with(' ') {
            return PErr::fail(i, format!("unexpected line in the event table {row:?}"));
        }
        for name in row.split_whitespace() {
            list.names.push(name.to_string());
            list.synopses.push(None);
        }
        i = rest;
    }
    let (i, _) = blanks(i)?;
    let total = map_res(
        terminated(digit1, (tag(" events registered."), space0, line_end)),
        str::parse,
    );
    let (i, total) = opt(total).parse(i)?;
    list.total = total;
    let (i, _) = blanks(i)?;
    end(i, list)
}

/// `Action  Synopsis`, `------  --------`, then one `Name  synopsis` row per action.
pub(crate) fn action_table(i: &str) -> Res<'_, NameList> {
    let (i, _) = blanks(i)?;
    let (i, (lead, head, gap, _, _, _)) = (
        space0,
        tag("Action"),
        space1,
        tag("Synopsis"),
        space0,
        line_end,
    )
        .parse(i)?;
    let (mut i, _) = (
        space0,
        tag("------"),
        space1,
        tag("--------"),
        space0,
        line_end,
    )
        .parse(i)?;
    let name_column = lead.len();
    let mut list = NameList {
        // The CLI pads names to this width and cuts longer ones.
        column_width: head.len() + gap.len() - 2,
        ..NameList::default()
    };
    while let Ok((rest, row)) = line(i) {
        if row.trim().is_empty() {
            break;
        }
        let Some(cells) = row
            .get(name_column..)
            .filter(|_| row[..name_column].trim().is_empty())
        else {
            return PErr::fail(i, format!("unexpected line in the action table {row:?}"));
        };
        let (name, synopsis) = cells.split_once(' ').unwrap_or((cells, ""));
        list.names.push(name.to_string());
        let synopsis = synopsis.trim();
        list.synopses
            .push((!synopsis.is_empty()).then(|| synopsis.to_string()));
        i = rest;
    }
    let (i, _) = blanks(i)?;
    end(i, list)
}

fn line_end(i: &str) -> Res<'_, ()> {
    nom::combinator::value(
        (),
        nom::branch::alt((nom::character::complete::line_ending, nom::combinator::eof)),
    )
    .parse(i)
}

fn end(i: &str, list: NameList) -> Res<'_, NameList> {
    match line(i) {
        Err(_) => Ok((i, list)),
        Ok((_, l)) => PErr::fail(i, format!("unexpected line after the table {l:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_table_with_total() {
        let text = "Events:\n  ----------  ----------  \n  AOC-D       Hangup      \n  VarSet      \n\n3 events registered.\n";
        let (_, list) = event_table(text).unwrap();
        assert_eq!(list.names, ["AOC-D", "Hangup", "VarSet"]);
        assert_eq!(list.column_width, 10);
        assert_eq!(list.total, Some(3));
        assert!(list.may_be_truncated("ChallengeR"));
        assert!(event_table("Events:\n  ---  \n  A\nB\n").is_err());
    }

    #[test]
    fn action_table_rows() {
        let text = "  Action      Synopsis\n  ------      --------\n  Ping        Keepalive command. \n  Logoff      Logoff Manager. \n";
        let (_, list) = action_table(text).unwrap();
        assert_eq!(list.names, ["Ping", "Logoff"]);
        assert_eq!(list.synopses[0].as_deref(), Some("Keepalive command."));
        assert_eq!(list.column_width, 10);
    }
}
