//! The in-memory form of a suite file, after it has been parsed and checked.

use super::yaml::Pos;
use serde_json::Value;
use std::fmt;
use std::sync::OnceLock;

/// A case's level: how a broken expectation is judged.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
    /// The RFC allows several behaviours: the verdict records which one the server chose.
    #[serde(rename = "INFO")]
    Info,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
            Level::Info => "INFO",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Suite {
    pub id: String,
    pub title: String,
    pub spec: Vec<String>,
    pub profile: String,
    /// The file as the user knows it: `suites/core/rfc7644/3.3-create.yaml` for built-ins.
    pub file: String,
    /// Compiled into scimspec (`suites/…`), not a file of the user's.
    pub builtin: bool,
    /// Resources created once per run, on first use, and read by the cases that name them.
    pub fixtures: Vec<Fixture>,
    pub cases: Vec<Case>,
}

/// A shared fixture: setup steps run once per run (the first case that `uses` it runs them; the
/// others wait for that run), whose captures the using cases read as `${NAME.var}`. Read-only
/// for its users: none may change or delete what it made.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub name: String,
    /// Setup steps (`setup: true`), each with the fixture's `proven_by` unless it names its own.
    pub steps: Vec<Step>,
    /// The generated names its users may read (`email.m-a`, and `unique.m-a` with it: the one is
    /// the other's address).
    pub generated: Vec<String>,
    pub pos: Pos,
}

impl Suite {
    /// The fixture of this file called `name`.
    pub fn fixture(&self, name: &str) -> Option<&Fixture> {
        self.fixtures.iter().find(|f| f.name == name)
    }

    /// True when neither the case nor a fixture it uses sends anything but GET or HEAD.
    pub fn is_read_only(&self, case: &Case) -> bool {
        case.is_read_only()
            && case.uses.iter().filter_map(|u| self.fixture(u)).all(|f| {
                f.steps
                    .iter()
                    .all(|s| matches!(s.request.method.as_str(), "GET" | "HEAD"))
            })
    }
}

#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub requirements: Vec<String>,
    pub level: Level,
    /// The suite's and the case's `requires`, together.
    pub requires: Vec<Capability>,
    /// Where a vendor or IdP rule is written down (`source:`); empty for RFC cases.
    pub sources: Vec<CaseSource>,
    /// The kind of Okta app integration whose requests the case replays; `None` = both kinds.
    pub app: Option<OktaApp>,
    /// The shared fixtures of its file it reads (`uses:`), in the order they are set up.
    pub uses: Vec<String>,
    /// `owns:`: the requests (`POST /Users`) whose answer is this case's own point; a setup step
    /// of another case that fails on one of them names this case as its root cause when this
    /// case failed there too.
    pub owns: Vec<String>,
    pub steps: Vec<Step>,
    pub pos: Pos,
}

/// A document that states the rule a vendor or IdP case checks, with a short verbatim quote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CaseSource {
    /// A file of the vendor sources (`sources/NNN_….txt`) or a public document by title.
    pub doc: String,
    pub quote: String,
}

impl fmt::Display for CaseSource {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: \"{}\"", self.doc, self.quote)
    }
}

/// The two kinds of Okta app integration, which send different requests for the same change:
/// catalog (OIN) apps deactivate and update groups by PATCH, custom (AIW) apps by PUT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OktaApp {
    Catalog,
    Custom,
}

impl OktaApp {
    pub const ALL: [OktaApp; 2] = [OktaApp::Catalog, OktaApp::Custom];

    pub fn as_str(self) -> &'static str {
        match self {
            OktaApp::Catalog => "catalog",
            OktaApp::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<OktaApp> {
        match s {
            "catalog" => Some(OktaApp::Catalog),
            "custom" => Some(OktaApp::Custom),
            _ => None,
        }
    }
}

impl fmt::Display for OktaApp {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Profiles whose cases state a vendor's or an IdP's rule and so must cite where it is written.
pub const SOURCED_PROFILES: &[&str] = &["loom", "looop", "okta", "entra"];

/// Profiles that replay an IdP: it never reads discovery, so its cases may not be skipped on
/// what the server advertises (only `groups`, which the admin chooses to push, may gate).
pub const IDP_PROFILES: &[&str] = &["okta", "entra"];

impl Case {
    /// The steps that carry the case's own point (after its `setup:`).
    pub fn point_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| !s.setup)
    }

    /// True when no step sends anything but GET or HEAD: such a case is safe in `--read-only`.
    pub fn is_read_only(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.request.method.as_str(), "GET" | "HEAD"))
    }
}

/// A capability a case needs, possibly negated (`!bulk`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capability {
    pub name: String,
    pub negated: bool,
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.negated {
            write!(f, "!{}", self.name)
        } else {
            f.write_str(&self.name)
        }
    }
}

#[derive(Clone, Debug)]
pub struct Step {
    pub name: Option<String>,
    /// A `setup:` step: it establishes a precondition, so its failure BLOCKS the case instead of
    /// failing the case's own requirement.
    pub setup: bool,
    /// Whether a User or Group body is completed to fit the server's declared schema (`fit: false`
    /// sends it exactly as written: the RFC-minimal create cases).
    pub fit: bool,
    /// The case (`suite::case`) whose own point this setup step's request is; names the root cause
    /// when the step fails. Without it the root cause is found by matching the request.
    pub proven_by: Option<String>,
    /// A step that only lets time pass (`wait_ms`), e.g. past a second boundary before an
    /// update whose timestamp must change; nothing is sent.
    pub wait_ms: Option<u64>,
    /// With `wait_ms`: a timestamp (`${before}`); when it shows a resolution finer than a
    /// second, the wait is only as long as a change of that timestamp needs (see
    /// `run::wait_for_change`), so a server with fine timestamps is not waited on for a second.
    pub resolution_of: Option<String>,
    pub request: Request,
    pub expect: Expect,
    pub capture: Vec<(String, CaptureSource)>,
    pub snapshot: Option<String>,
    pub pos: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    Default,
    None,
    Invalid,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub auth: Auth,
    pub body: Option<Body>,
    pub content_type: Option<String>,
    /// The request's own point is the list without filter or count (a result cap, paging by
    /// default): the bounded-list lint lets it through.
    pub unbounded: bool,
}

#[derive(Clone, Debug)]
pub enum Body {
    Json(Value),
    Raw(String),
}

#[derive(Clone, Debug, Default)]
pub struct Expect {
    pub checks: Checks,
    pub any_of: Vec<Alternative>,
}

/// The expectations that can stand at the top of `expect` or in one alternative.
#[derive(Clone, Debug, Default)]
pub struct Checks {
    /// Codes, or classes stored as their first digit (4 = `4xx`): see [`status_matches`].
    pub status: Option<(Vec<u16>, Pos)>,
    pub headers: Vec<HeaderCheck>,
    pub json: Vec<JsonCheck>,
    pub schema: Option<(String, Pos)>,
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.headers.is_empty()
            && self.json.is_empty()
            && self.schema.is_none()
    }
}

/// Whether an answer's status meets one expected entry (a code, or a class such as `4xx`).
pub fn status_matches(expected: u16, actual: u16) -> bool {
    if expected < 10 {
        actual / 100 == expected
    } else {
        actual == expected
    }
}

pub fn status_label(expected: u16) -> String {
    if expected < 10 {
        format!("{expected}xx")
    } else {
        expected.to_string()
    }
}

#[derive(Clone, Debug)]
pub struct Alternative {
    pub label: String,
    pub checks: Checks,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct HeaderCheck {
    pub name: String,
    pub ops: Vec<Op>,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct JsonCheck {
    pub pointer: String,
    pub ops: Vec<Op>,
    pub pos: Pos,
}

/// One assertion operator, as written in a suite file.
#[derive(Clone, Debug)]
pub enum Op {
    Present(bool),
    Absent(bool),
    Equals(Value),
    NotEquals(Value),
    EqualsCi(String),
    Type(JsonType),
    Matches(Pattern),
    Contains(Value),
    NotContains(Value),
    Length(usize),
    MinLength(usize),
    MaxLength(usize),
    OneOf(Vec<Value>),
    /// Bounds: a number, or a `${…}` string that renders to one.
    Gte(Value),
    Lte(Value),
    Gt(Value),
    Lt(Value),
    Each(Vec<JsonCheck>),
    Schema(String),
}

/// A regex as written; one that holds `${…}` is compiled at run time, with the values escaped.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: String,
    /// The regex of a pattern without `${…}`, compiled on first use when the file was already
    /// checked (a built-in one, by lint and the tests), so that start-up does not compile every
    /// built-in regex, of which a run uses few.
    compiled: OnceLock<regex::Regex>,
}

impl Pattern {
    /// Checks the syntax now (variables stand in as a literal) and compiles when it can.
    pub fn new(source: &str) -> Result<Pattern, regex::Error> {
        let p = Pattern::checked_later(source);
        if p.templated() {
            regex::Regex::new(&without_variables(source))?;
        } else {
            let re = regex::Regex::new(source)?;
            let _ = p.compiled.set(re);
        }
        Ok(p)
    }

    /// A pattern of a file that has been checked already: compiled when first used.
    pub fn checked_later(source: &str) -> Pattern {
        Pattern {
            source: source.to_owned(),
            compiled: OnceLock::new(),
        }
    }

    /// True when the pattern holds `${…}`: it is compiled per use, after rendering.
    pub fn templated(&self) -> bool {
        self.source.contains("${")
    }

    /// The regex of a pattern without variables (`None` for a templated one).
    pub fn fixed(&self) -> Option<Result<regex::Regex, regex::Error>> {
        if self.templated() {
            return None;
        }
        if let Some(re) = self.compiled.get() {
            return Some(Ok(re.clone()));
        }
        Some(regex::Regex::new(&self.source).map(|re| self.compiled.get_or_init(|| re).clone()))
    }
}

/// `source` with each `${…}` replaced by a literal `x`, to check the syntax around them.
fn without_variables(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('x');
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "string" => JsonType::String,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "boolean" => JsonType::Boolean,
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    pub fn of(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn holds(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Number => v.is_number(),
            JsonType::Integer => v.is_i64() || v.is_u64(),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Object => v.is_object(),
            JsonType::Array => v.is_array(),
            JsonType::Null => v.is_null(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureSource {
    Pointer(String),
    Header(String),
}
