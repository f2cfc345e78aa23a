//! `--conf manager.conf --user NAME [--asterisk VERSION]`: a manager.conf user's settings,
//! read with the filter engine's parser, as `ami filter` and `ami listen` take them.

use std::fs;
use std::path::{Path, PathBuf};

use ami_proto::filter::{
    ConfFile, IncludedFile, Includes, Location, ManagerConf, Rules, UserConfig,
};

use crate::exit::Error;

/// Which manager.conf user's settings to apply.
#[derive(Debug, Clone, clap::Args)]
pub struct UserArgs {
    /// The manager.conf to read the user from (`#include` names are relative to its
    /// directory)
    #[arg(long, value_name = "FILE")]
    pub conf: PathBuf,

    /// The user (section) whose read classes and eventfilter lines apply
    #[arg(long, value_name = "NAME")]
    pub user: String,

    /// Follow this Asterisk version's rules (13, or 20 to 23; default: the newest)
    #[arg(long, value_name = "VERSION", default_value_t = Rules::default())]
    pub asterisk: Rules,
}

impl UserArgs {
    /// Reads the file and returns the user; what Asterisk would warn about in the user's
    /// own lines goes to standard error, one `warning:` line each.
    pub fn load(&self) -> Result<UserConfig, Error> {
        let (conf, file) = load_with_lines(&self.conf, self.asterisk)?;
        let user = conf.user(&self.user).cloned().ok_or_else(|| {
            Error::usage(format!(
                "no user `{}` in `{}`",
                self.user,
                self.conf.display()
            ))
        })?;
        let own_lines: Vec<&Location> = file
            .categories
            .iter()
            .filter(|c| !c.template && c.name.eq_ignore_ascii_case(&user.name))
            .flat_map(|c| c.variables.iter().map(|v| &v.location))
            .collect();
        for warning in conf.warnings() {
            if own_lines.contains(&&warning.location) {
                eprintln!("warning: {warning}");
            }
        }
        Ok(user)
    }
}

/// Parses the manager.conf at `path`, reading its `#include` files from its directory; also
/// returns the file's sections as the configuration parser read them (to tell which
/// warnings are whose).
pub fn load_with_lines(path: &Path, rules: Rules) -> Result<(ManagerConf, ConfFile), Error> {
    let text = fs::read(path).map_err(|e| Error::io("read", format!("`{}`", path.display()), e))?;
    let mut includes = DirIncludes {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let refused =
        |e: ami_proto::filter::ConfError| Error::failure(format!("`{}`: {e}", path.display()));
    let conf = ManagerConf::parse_with(&text, &name, rules, &mut includes).map_err(refused)?;
    let file = ConfFile::parse(&text, &name, &mut includes).map_err(refused)?;
    Ok((conf, file))
}

/// `#include NAME` as a file of the including file's directory (or an absolute path).
/// Globs are taken literally.
struct DirIncludes {
    dir: PathBuf,
}

impl Includes for DirIncludes {
    fn resolve(&mut self, argument: &[u8]) -> Vec<IncludedFile> {
        let name = String::from_utf8_lossy(argument)
            .trim_matches('"')
            .to_string();
        let path = self.dir.join(&name);
        match fs::read(&path) {
            Ok(text) => vec![IncludedFile { name, text }],
            Err(_) => Vec::new(),
        }
    }
}
