//! What the documentation's text says about a header's value: a number, a value from a
//! list, a header that may repeat. Each rule reads only the dump text, never a name.

use super::names::camel;
use crate::model::{Argument, ValueDoc};

/// Whether an event header holds an integer.
///
/// The rule: the first sentence of its `[Arguments]` text starts (after `The`, `A` or `An`)
/// with `number of`, `total number of`, `maximum number of` or `count of`, or with
/// `numeric`/`numerical` and names a `code`, `status` or `value` (`A numeric code for the
/// channel's current state`, `Numerical value of the extension status`). `The numeric
/// pickup groups` (a list such as `1,3-5`) and `Caller ID number` (text) are not numbers.
pub fn is_number(arg: Option<&Argument>) -> bool {
    let Some(first) = arg.and_then(|a| a.paragraphs.first()) else {
        return false;
    };
    let lower = first.to_ascii_lowercase();
    let sentence = lower.split(". ").next().unwrap_or("");
    let mut rest = sentence.trim();
    for article in ["the ", "a ", "an "] {
        if let Some(after) = rest.strip_prefix(article) {
            rest = after;
            break;
        }
    }
    let counts = [
        "number of",
        "total number of",
        "maximum number of",
        "count of",
    ];
    if counts.iter().any(|p| rest.starts_with(p)) {
        return true;
    }
    (rest.starts_with("numeric ") || rest.starts_with("numerical "))
        && sentence
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| matches!(w, "code" | "status" | "value"))
}

/// Whether an action header may be sent several times: its `[Arguments]` text or the
/// action's description says `multiple KEY:` or `multiple 'KEY:` (`Variable` of
/// Originate: "multiple Variable: headers are allowed"; PJSIPNotify: "multiple
/// 'Variable: name=value' sequences").
pub fn is_repeatable(key: &str, arg: Option<&Argument>, description: Option<&str>) -> bool {
    let key = key.to_ascii_lowercase();
    let says = |text: &str| {
        let text = text.to_ascii_lowercase().replace('\n', " ");
        text.contains(&format!("multiple {key}:")) || text.contains(&format!("multiple '{key}:"))
    };
    arg.is_some_and(|a| a.paragraphs.iter().any(|p| says(p))) || description.is_some_and(says)
}

/// Whether a documented value list becomes an enum: every value has a distinct, non-empty
/// variant name and prints as plain text.
pub fn enumerable(values: &[ValueDoc]) -> bool {
    let idents: Vec<String> = values.iter().map(|v| camel(&v.name)).collect();
    !values.is_empty()
        && idents.iter().all(|i| !i.is_empty() && i != "Unrecognized")
        && idents
            .iter()
            .enumerate()
            .all(|(n, i)| !idents[..n].contains(i))
        && values
            .iter()
            .all(|v| v.name.chars().all(|c| c.is_ascii_graphic() || c == ' '))
}

/// Whether values of a list must be compared with their case: Asterisk compares the values
/// it reads with `strcasecmp`, so a list is matched ignoring ASCII case unless two of its
/// values differ only in case.
pub fn case_sensitive(values: &[ValueDoc]) -> bool {
    values.iter().enumerate().any(|(n, v)| {
        values[..n]
            .iter()
            .any(|o| o.name != v.name && o.name.eq_ignore_ascii_case(&v.name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(text: &str) -> Argument {
        Argument {
            name: "X".into(),
            paragraphs: vec![text.into()],
            values: Vec::new(),
        }
    }

    #[test]
    fn numbers_from_text() {
        let yes = [
            "A numeric code for the channel's current state, related to ChannelStateDesc",
            "The number of active channels associated with this endpoint.",
            "Number of channels in the bridge",
            "The total number of RTP data packets from 'ReportXSourceSSRC' lost since",
            "Maximum number of contacts that can bind to an AoR",
            "Count of FAXSession events sent in response to FAXSessions action",
            "Numerical value of the extension status. Extension status is determined by",
            "The numeric device state status of the queue member.",
        ];
        let no = [
            "The numeric pickup groups for a channel.",
            "Caller ID number.",
            "Total duration of conference in HH:MM:SS format.",
            "The time, in seconds, of <AnswerTime> - <StartTime>.",
            "A technology-specific off-nominal numeric cause code for why the channel",
        ];
        for text in yes {
            assert!(is_number(Some(&arg(text))), "{text}");
        }
        for text in no {
            assert!(!is_number(Some(&arg(text))), "{text}");
        }
        assert!(!is_number(None));
    }

    #[test]
    fn repeatable_from_text() {
        let originate = arg("Channel variable to set, multiple Variable: headers are allowed.");
        assert!(is_repeatable("Variable", Some(&originate), None));
        assert!(!is_repeatable("Channel", Some(&originate), None));
        let notify = "body of this request via\nmultiple 'Variable: name=value' sequences.";
        assert!(is_repeatable("Variable", None, Some(notify)));
        assert!(!is_repeatable(
            "Variable",
            Some(&arg("The variable.")),
            None
        ));
    }

    #[test]
    fn case_of_value_lists() {
        let values = |names: &[&str]| -> Vec<ValueDoc> {
            names
                .iter()
                .map(|n| ValueDoc {
                    name: n.to_string(),
                    ..ValueDoc::default()
                })
                .collect()
        };
        assert!(!case_sensitive(&values(&["Up", "Down", "Ringing"])));
        assert!(case_sensitive(&values(&["on", "ON", "off"])));
        assert!(enumerable(&values(&["Up", "Dialing Offhook", "200(SR)"])));
        assert!(!enumerable(&values(&["a-b", "a b"])));
        assert!(!enumerable(&[]));
    }
}
