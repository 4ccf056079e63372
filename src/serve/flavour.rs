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

/// A behaviour the reference server can be switched to that is not a defect: a choice the
/// vendor's sources leave open (Loom's tolerance), or a server design an RFC allows (PATCH
/// unsupported). Unlike a fault, no case may fail on it; it exists so that the profiles can be
/// shown to judge such a server fairly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlavourOption {
    /// Lowercase kebab-case name, as given to `--option`.
    pub name: &'static str,
    /// The flavours the option applies to.
    pub flavours: &'static [Flavour],
    /// One line: how the server then behaves, and why that is allowed.
    pub description: &'static str,
}

/// Every option the reference server knows, in listing order.
pub static OPTIONS: &[FlavourOption] = &[
    FlavourOption {
        name: "loom-accepts-any-username",
        flavours: &[Flavour::Loom],
        description: "userName values that are not email addresses are accepted (Loom's sources tell the admin to send the email, and state no refusal).",
    },
    FlavourOption {
        name: "loom-accepts-any-role",
        flavours: &[Flavour::Loom],
        description: "loomMemberRole values other than default, creator, viewer and admin are stored as sent (the sources list the values to send, and state no refusal).",
    },
    FlavourOption {
        name: "loom-short-patch-answers",
        flavours: &[Flavour::Loom],
        description: "PATCH /Users answers 200 with only id and userName (plus active when the PATCH set it), like the example answers in the Stitchflow Loom guide.",
    },
    FlavourOption {
        name: "put-only",
        flavours: Flavour::ALL,
        description: "PATCH is not implemented: /ServiceProviderConfig says patch.supported false and every PATCH answers 501; users and groups are updated by PUT (as Okta's custom apps send).",
    },
];

/// Looks an option up by name.
pub fn find_option(name: &str) -> Option<&'static FlavourOption> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// The `--list-options` listing: one line per option, `NAME \t FLAVOURS \t DESCRIPTION`.
pub fn option_listing() -> String {
    let mut out = String::new();
    for o in OPTIONS {
        let flavours: Vec<&str> = o.flavours.iter().map(|f| f.name()).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            o.name,
            flavours.join(","),
            o.description
        ));
    }
    out
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

    #[test]
    fn options_are_named_once_and_apply_somewhere() {
        for o in OPTIONS {
            assert_eq!(find_option(o.name), Some(o));
            assert!(!o.flavours.is_empty(), "{}", o.name);
            assert!(
                super::super::faults::find(o.name).is_none(),
                "{} is both a fault and an option",
                o.name
            );
        }
        assert!(option_listing().contains("put-only\tcore,loom,looop\t"));
    }
}
