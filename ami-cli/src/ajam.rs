//! `--ajam rawman|mxml|manager`: the AJAM encoding a body is in (`ami decode`) or that
//! Asterisk answers in (`ami send --http`).

use ami_http::Encoding;

/// The three encodings of the manager over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ajam {
    /// AMI text, as on TCP (`/rawman`)
    Rawman,
    /// Asterisk's XML (`/mxml`)
    Mxml,
    /// Asterisk's HTML page (`/manager`)
    Manager,
}

impl From<Ajam> for Encoding {
    fn from(ajam: Ajam) -> Encoding {
        match ajam {
            Ajam::Rawman => Encoding::Rawman,
            Ajam::Mxml => Encoding::Mxml,
            Ajam::Manager => Encoding::Manager,
        }
    }
}
