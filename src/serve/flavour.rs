//! The three flavours of the reference server: plain RFC 7643/7644, Loom (WorkOS-run) and Looop.

use std::fmt;
use std::str::FromStr;

/// Which service the reference server imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// RFC 7643/7644, strictly.
    Core,
    /// Loom's SCIM (run by WorkOS): email userNames, `loomMemberRole`, deactivation.
    Loom,
    /// Looop: `/scim/v2`, enterprise plus the Looop User extension.
    Looop,
}

impl Flavour {
    /// All flavours, in listing order.
    pub const ALL: &'static [Flavour] = &[Flavour::Core, Flavour::Loom, Flavour::Looop];

    /// The flavour's name as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Core => "core",
            Flavour::Loom => "loom",
            Flavour::Looop => "looop",
        }
    }

    /// The path below which the SCIM endpoints are served.
    pub fn base_path(self) -> &'static str {
        match self {
            Flavour::Core | Flavour::Looop => "/scim/v2",
            Flavour::Loom => "/directory_01JSCIMSPEC0LOOM",
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a flavour name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFlavour(pub String);

impl fmt::Display for UnknownFlavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown flavour '{}': expected one of core, loom, looop",
            self.0
        )
    }
}

impl std::error::Error for UnknownFlavour {}

impl FromStr for Flavour {
    type Err = UnknownFlavour;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "core" => Ok(Flavour::Core),
            "loom" => Ok(Flavour::Loom),
            "looop" => Ok(Flavour::Looop),
            _ => Err(UnknownFlavour(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_names() {
        for f in Flavour::ALL {
            assert_eq!(f.name().parse::<Flavour>(), Ok(*f));
        }
        assert_eq!("LOOM".parse::<Flavour>(), Ok(Flavour::Loom));
        let err = "loop".parse::<Flavour>().unwrap_err().to_string();
        assert!(err.contains("core, loom, looop"), "{err}");
        assert_eq!(Flavour::Loom.base_path(), "/directory_01JSCIMSPEC0LOOM");
        assert_eq!(Flavour::Looop.base_path(), "/scim/v2");
    }
}
