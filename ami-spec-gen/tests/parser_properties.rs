//! The dump parser never panics, whatever the text; an error names a line inside it.

use ami_spec_gen::dump::{parse_action_list, parse_doc, parse_event_list};
use proptest::prelude::*;

proptest! {
    #[test]
    fn dump_parser_never_panics(text in "[\\[\\]A-Za-z:<> \\n-]{0,200}") {
        let lines = text.lines().count().max(1);
        let errors = [
            parse_doc(&text).err(),
            parse_event_list(&text).err(),
            parse_action_list(&text).err(),
        ];
        for e in errors.into_iter().flatten() {
            prop_assert!(e.line >= 1 && e.line <= lines + 1, "{e} in {} lines", lines);
        }
    }

    #[test]
    fn observed_sections_never_panic(body in "[A-Za-z0-9:./ \\n-]{0,80}") {
        for section in ["Observed In", "List Condition"] {
            let text = format!("Event: X\n[Synopsis]\nx\n\n[{section}]\n{body}\n");
            let _ = parse_doc(&text);
        }
    }
}
