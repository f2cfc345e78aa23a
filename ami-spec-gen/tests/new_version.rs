//! A folder a user dumped from their own server (third-party modules included) generates
//! types for whatever it documents: nothing about the names is built in.

use std::fs;
use std::path::Path;

use ami_spec_gen::codegen::generate_from_dirs;
use ami_spec_gen::dump::load_spec;

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn third_party_folder_generates_its_items() {
    let dir = std::env::temp_dir().join(format!(
        "ami-spec-new-{}/asterisk-99.0.0",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    write(
        &dir,
        "events.txt",
        "Events:\n  ----------------  \n  AcmeWidgetTurned  \n\n1 events registered.\n",
    );
    write(
        &dir,
        "actions.txt",
        "  Action        Synopsis\n  ------        --------\n  AcmeTurn      Turn a widget. \n",
    );
    write(
        &dir,
        "event/AcmeWidgetTurned.txt",
        "Event: AcmeWidgetTurned\n\n  -= Info about Manager Event 'AcmeWidgetTurned' =- \n\n[Synopsis]\nRaised when a widget turns.\n\n[Provided By]\nres_acme\n\n[Since]\n99.0.0\n\n[Description]\nNot available\n\n[Syntax]\nEvent: AcmeWidgetTurned\nWidget: <value>\nDirection: <value>\nSensorXAngle: <value>\n\n[Arguments]\n\nDirection\n    Left\n    Right\n\n[See Also]\nNot available\n",
    );
    write(
        &dir,
        "action/AcmeTurn.txt",
        "\n  -= Info about Manager Command 'AcmeTurn' =- \n\n[Synopsis]\nTurn a widget. \n\n[Provided By]\nres_acme\n\n[Since]\n99.0.0\n\n[Description]\nNot available\n\n[Syntax]\nAction: AcmeTurn\n[ActionID:] <value>\nWidget: <value>\n\n[Arguments]\n\nWidget\n    Which one.\n\n[Privilege]\nsystem,all\n\n[See Also]\nNot available\n\n[List Responses]\nNone\n\n[End List Responses]\n\n[Final Response]\nNone\n\n[End Final Response]\n",
    );
    let spec = load_spec(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.version, "99.0.0");
    let files = generate_from_dirs(std::slice::from_ref(&dir)).unwrap();
    let text = |name: &str| {
        files
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .content
            .clone()
    };
    let events = text("events.rs");
    assert!(events.contains("pub struct AcmeWidgetTurned<'a>(::ami_proto::Message<'a>);"));
    assert!(events.contains("pub fn widget(&self) -> Option<&'a str>"));
    assert!(events.contains("pub fn widget_bytes(&self) -> Option<&'a [u8]>"));
    assert!(events.contains("pub fn sensor(&self) -> crate::typed::Group<'a>"));
    assert!(events.contains("pub fn direction(&self) -> Option<values::Direction<'a>>"));
    assert!(text("values.rs").contains("pub enum Direction<'a>"));
    let actions = text("actions.rs");
    assert!(actions.contains("pub struct AcmeTurn<'a>"));
    assert!(actions.contains("pub fn new(widget: &'a str) -> Self"));
    assert!(text("mod.rs").contains("specs/asterisk-99.0.0"));
    let _ = fs::remove_dir_all(dir.parent().unwrap());
}
