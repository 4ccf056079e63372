//! Placeholder for the built-in reference server (being written on its own branch).
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Core,
    Loom,
    Looop,
}
impl std::str::FromStr for Flavour {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "core" => Ok(Flavour::Core),
            "loom" => Ok(Flavour::Loom),
            "looop" => Ok(Flavour::Looop),
            _ => Err("core, loom or looop".into()),
        }
    }
}
impl Flavour {
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Core => "core",
            Flavour::Loom => "loom",
            Flavour::Looop => "looop",
        }
    }
}
pub struct ServeOptions {
    pub flavour: Flavour,
    pub token: Option<String>,
    pub faults: Vec<String>,
}
#[derive(Debug)]
pub struct ServeError;
impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not yet")
    }
}
pub struct RunningServer {
    pub addr: std::net::SocketAddr,
}
impl RunningServer {
    pub fn base_url(&self) -> String {
        String::new()
    }
    pub fn shutdown(self) {}
}
pub async fn start(
    _l: std::net::SocketAddr,
    _o: ServeOptions,
) -> Result<RunningServer, ServeError> {
    Err(ServeError)
}
pub fn fault_listing() -> String {
    String::new()
}
