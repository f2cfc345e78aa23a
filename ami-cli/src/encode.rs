//! `ami encode`: turn an action given as arguments or JSON into the exact bytes to send,
//! through the injection-proof encoder of ami-proto.

use std::ffi::OsString;
use std::io::{self, Write};

use ami_json::JsonAction;
use clap::builder::{OsStringValueParser, TypedValueParser};

use crate::exit::{self, Error, Exit};
use crate::input::Input;

/// Write an AMI action as wire bytes (CRLF lines, blank line at the end)
///
/// Values holding CR, LF or NUL, keys that are not tokens, a second ActionID, lines over
/// 1024 bytes (CRLF included) or more than 128 lines are refused, naming the header;
/// nothing is written then.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami encode ACTION [KEY=VALUE]...\n       ami encode --json [JSON|FILE|-]",
    arg_required_else_help = true,
    after_help = exit::HELP
)]
pub struct Args {
    /// Read the action(s) as JSON: inline, from FILE, or from standard input
    ///
    /// The JSON is inline when the argument starts with `{` or `[`; `-` or nothing
    /// reads standard input. Its shapes:
    ///   {"Action":"Originate","Channel":"Local/100@test",
    ///    "Variable":["A=1","B=2"]}       one action; keys in document
    ///                                     order, an array repeats its key
    ///   [{...}, {...}]                    several actions, in order
    ///   [["Action","Ping"],["ActionID","1"]]  one action as ordered pairs
    /// Numbers and booleans are written as their JSON text.
    #[arg(
        long,
        value_name = "JSON|FILE|-",
        num_args = 0..=1,
        default_missing_value = "-",
        value_parser = OsStringValueParser::new().map(Source::from_arg),
        conflicts_with = "action",
        verbatim_doc_comment
    )]
    json: Option<Source>,

    /// The action name (`Action=NAME` is accepted too)
    #[arg(
        value_name = "ACTION",
        required_unless_present = "json",
        value_parser = action_name
    )]
    action: Option<String>,

    /// Headers in order, split at the first `=`
    ///
    /// `Variable=A=1` is the header `Variable: A=1`; repeat a key to send it several
    /// times.
    #[arg(verbatim_doc_comment, value_name = "KEY=VALUE", value_parser = header)]
    headers: Vec<(String, String)>,
}

/// Where `--json` takes its text from.
#[derive(Debug, Clone)]
enum Source {
    /// The argument itself (it starts with `{` or `[`).
    Inline(String),
    /// A file or standard input.
    Input(Input),
}

impl Source {
    fn from_arg(arg: OsString) -> Source {
        match arg.into_string() {
            Ok(text) if text.trim_start().starts_with(['{', '[']) => Source::Inline(text),
            Ok(text) => Source::Input(Input::from_arg(text.as_ref())),
            Err(path) => Source::Input(Input::from_arg(&path)),
        }
    }

    fn read(self) -> Result<Vec<u8>, Error> {
        match self {
            Source::Inline(text) => Ok(text.into_bytes()),
            Source::Input(input) => input.read_all(),
        }
    }
}

/// Runs `ami encode`: every action is checked before anything is written.
pub fn run(args: Args) -> Result<Exit, Error> {
    let actions = match (args.json, args.action) {
        (Some(source), _) => {
            ami_json::parse_actions(&source.read()?).map_err(|e| Error::usage(e.to_string()))?
        }
        (None, Some(name)) => vec![JsonAction {
            name,
            headers: args.headers,
        }],
        (None, None) => return Err(Error::usage("missing action name")),
    };
    let mut wire = Vec::new();
    for action in &actions {
        action
            .encode(&mut wire)
            .map_err(|e| Error::usage(format!("action `{}` refused: {e}", action.name)))?;
    }
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(&wire)
        .and_then(|()| stdout.flush())
        .map_err(Error::output)?;
    Ok(Exit::Success)
}

/// The actions of one `--json` text (a line of `ami record`'s standard input), checked
/// by the encoder, as actions a client sends (ActionIDs included, as given).
pub(crate) fn actions_from_json(text: &[u8]) -> Result<Vec<ami_proto::GenericAction>, String> {
    let actions = ami_json::parse_actions(text).map_err(|e| e.to_string())?;
    for action in &actions {
        action
            .encode(&mut Vec::new())
            .map_err(|e| format!("action `{}` refused: {e}", action.name))?;
    }
    Ok(actions
        .into_iter()
        .map(|a| {
            a.headers
                .into_iter()
                .fold(ami_proto::GenericAction::new(a.name), |g, (k, v)| {
                    g.header(k, v)
                })
        })
        .collect())
}

/// The first argument: `NAME`, or `Action=NAME`.
pub(crate) fn action_name(arg: &str) -> Result<String, String> {
    match arg.split_once('=') {
        None => Ok(arg.to_owned()),
        Some((key, value)) if key.eq_ignore_ascii_case("Action") => Ok(value.to_owned()),
        Some(_) => Err("the first argument must be the action name".to_owned()),
    }
}

/// `KEY=VALUE`, split at the first `=`.
pub(crate) fn header(arg: &str) -> Result<(String, String), String> {
    arg.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "expected KEY=VALUE".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The action of `ami encode LIST...`, as the argument parser reads it.
    fn from_args(list: &[&str]) -> Result<JsonAction, clap::Error> {
        #[derive(clap::Parser)]
        struct Encode {
            #[command(flatten)]
            args: Args,
        }
        let argv = std::iter::once("encode").chain(list.iter().copied());
        let args = <Encode as clap::Parser>::try_parse_from(argv)?.args;
        Ok(JsonAction {
            name: args.action.expect("an action name"),
            headers: args.headers,
        })
    }

    #[test]
    fn key_value_arguments_keep_order_and_repeats() {
        let a = from_args(&[
            "Originate",
            "ActionID=7",
            "Channel=Local/100@test/n",
            "Variable=A=1",
            "Variable=B=",
            "Data=",
        ])
        .unwrap();
        let mut wire = Vec::new();
        a.encode(&mut wire).unwrap();
        assert_eq!(
            wire,
            b"Action: Originate\r\nActionID: 7\r\nChannel: Local/100@test/n\r\n\
              Variable: A=1\r\nVariable: B=\r\nData: \r\n\r\n"
        );
        let a = from_args(&["Action=Ping"]).unwrap();
        assert_eq!(a.name, "Ping");
        assert!(from_args(&["Ping", "novalue"]).is_err());
        assert!(from_args(&["Key=Ping"]).is_err());
    }
}
