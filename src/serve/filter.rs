//! The filter language of RFC 7644 §3.4.2.2: parser, attribute-path resolution, evaluation and
//! sort keys. Also parses the attribute paths used by `attributes`, `sortBy` and PATCH.

use std::cmp::Ordering;

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use super::error::{ScimError, ScimResult};
use super::schema::{Attr, Catalog, Home, Kind, Ty, starts_with_ci};
use super::store::username_key;

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn parse(word: &str) -> Option<Op> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }

    fn is_ordering(self) -> bool {
        matches!(self, Op::Gt | Op::Ge | Op::Lt | Op::Le)
    }
}

/// A filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Present(String),
    Compare(String, Op, Value),
    /// `attr[filter]`: some element of the multi-valued `attr` matches `filter`.
    ValuePath(String, Box<Filter>),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Str(String),
    Word(String),
}

fn tokenize(s: &str) -> ScimResult<Vec<Tok>> {
    let mut toks = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                toks.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                toks.push(Tok::RParen);
                i += 1;
            }
            '[' => {
                toks.push(Tok::LBracket);
                i += 1;
            }
            ']' => {
                toks.push(Tok::RBracket);
                i += 1;
            }
            '"' => {
                let start = i;
                i += 1;
                let mut closed = false;
                while i < chars.len() {
                    match chars[i] {
                        '\\' => i += 2,
                        '"' => {
                            closed = true;
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                if !closed || i > chars.len() {
                    return Err(ScimError::invalid_filter(
                        "unterminated string literal in filter",
                    ));
                }
                let lit: String = chars[start..i].iter().collect();
                let v: String = serde_json::from_str(&lit).map_err(|e| {
                    ScimError::invalid_filter(format!(
                        "invalid string literal {lit} in filter: {e}"
                    ))
                })?;
                toks.push(Tok::Str(v));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '[' | ']' | '"')
                {
                    i += 1;
                }
                toks.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(toks)
}

/// Checks the syntax of an attribute path: `[URN ":"] name ["." subName]`.
/// Each character of a filter or path with its byte offset and whether it lies inside a `"…"`
/// string literal (from the character after the opening quote through the closing one), so
/// scanners for operators or brackets can pass over literal text.
pub fn in_literals(text: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let (mut in_str, mut escaped) = (false, false);
    text.char_indices().map(move |(i, c)| {
        if !in_str {
            in_str = c == '"';
            return (i, c, false);
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_str = false;
        }
        (i, c, true)
    })
}

pub fn valid_attr_path(text: &str) -> bool {
    let attr_part = if text.len() > 4 && starts_with_ci(text, "urn:") {
        match text.rfind(':') {
            Some(i) => &text[i + 1..],
            None => return false,
        }
    } else {
        text
    };
    let mut parts = attr_part.split('.');
    let ok_name = |n: &str| {
        let mut cs = n.chars();
        match cs.next() {
            Some(c) if c.is_ascii_alphabetic() => {}
            Some('$') if n.eq_ignore_ascii_case("$ref") => return true,
            _ => return false,
        }
        cs.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), None, None) => ok_name(a),
        (Some(a), Some(b), None) => ok_name(a) && ok_name(b),
        _ => false,
    }
}

/// How deeply parentheses and not() may nest (bounds recursion on hostile input).
const MAX_DEPTH: usize = 64;
/// The longest filter accepted, in tokens (bounds the size and depth of the expression tree).
const MAX_TOKENS: usize = 2000;

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
    /// Evaluate and/or left to right with equal precedence (a fault).
    flat: bool,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn parse_or(&mut self, in_value_path: bool) -> ScimResult<Filter> {
        if self.flat {
            let mut left = self.parse_unary(in_value_path)?;
            loop {
                if self.peek_keyword("and") {
                    self.pos += 1;
                    let right = self.parse_unary(in_value_path)?;
                    left = Filter::And(Box::new(left), Box::new(right));
                } else if self.peek_keyword("or") {
                    self.pos += 1;
                    let right = self.parse_unary(in_value_path)?;
                    left = Filter::Or(Box::new(left), Box::new(right));
                } else {
                    return Ok(left);
                }
            }
        }
        let mut left = self.parse_and(in_value_path)?;
        while self.peek_keyword("or") {
            self.pos += 1;
            let right = self.parse_and(in_value_path)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self, in_value_path: bool) -> ScimResult<Filter> {
        let mut left = self.parse_unary(in_value_path)?;
        while self.peek_keyword("and") {
            self.pos += 1;
            let right = self.parse_unary(in_value_path)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_unary(&mut self, in_value_path: bool) -> ScimResult<Filter> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ScimError::invalid_filter(format!(
                "the filter nests deeper than {MAX_DEPTH} levels"
            )));
        }
        let r = self.parse_unary_inner(in_value_path);
        self.depth -= 1;
        r
    }

    fn parse_unary_inner(&mut self, in_value_path: bool) -> ScimResult<Filter> {
        match self.next() {
            Some(Tok::LParen) => {
                let f = self.parse_or(in_value_path)?;
                match self.next() {
                    Some(Tok::RParen) => Ok(f),
                    _ => Err(ScimError::invalid_filter("missing ')' in filter")),
                }
            }
            Some(Tok::Word(w))
                if w.eq_ignore_ascii_case("not") && self.peek() == Some(&Tok::LParen) =>
            {
                self.pos += 1;
                let f = self.parse_or(in_value_path)?;
                match self.next() {
                    Some(Tok::RParen) => Ok(Filter::Not(Box::new(f))),
                    _ => Err(ScimError::invalid_filter(
                        "missing ')' after not( in filter",
                    )),
                }
            }
            Some(Tok::Word(path)) => {
                if !valid_attr_path(&path) {
                    return Err(ScimError::invalid_filter(format!(
                        "'{path}' is not a valid attribute path"
                    )));
                }
                if self.peek() == Some(&Tok::LBracket) {
                    if in_value_path {
                        return Err(ScimError::invalid_filter(
                            "value paths cannot be nested in a filter",
                        ));
                    }
                    self.pos += 1;
                    let inner = self.parse_or(true)?;
                    if self.next() != Some(Tok::RBracket) {
                        return Err(ScimError::invalid_filter("missing ']' in filter"));
                    }
                    // Entra's match on a sub-attribute of the selected element
                    // (`emails[type eq "work"].value eq "x"`) is not RFC 7644 grammar; it
                    // reads as one element matching both the bracket and the comparison.
                    if let Some(Tok::Word(w)) = self.peek()
                        && let Some(sub) = w.strip_prefix('.').filter(|s| !s.is_empty())
                    {
                        let sub = sub.to_string();
                        self.toks[self.pos] = Tok::Word(sub);
                        let compare = self.parse_unary(true)?;
                        return Ok(Filter::ValuePath(
                            path,
                            Box::new(Filter::And(Box::new(inner), Box::new(compare))),
                        ));
                    }
                    return Ok(Filter::ValuePath(path, Box::new(inner)));
                }
                let op_word = match self.next() {
                    Some(Tok::Word(w)) => w,
                    _ => {
                        return Err(ScimError::invalid_filter(format!(
                            "expected an operator after '{path}'"
                        )));
                    }
                };
                if op_word.eq_ignore_ascii_case("pr") {
                    return Ok(Filter::Present(path));
                }
                let op = Op::parse(&op_word).ok_or_else(|| {
                    ScimError::invalid_filter(format!(
                        "unknown operator '{op_word}': expected eq, ne, co, sw, ew, gt, ge, lt, le or pr"
                    ))
                })?;
                let value = match self.next() {
                    Some(Tok::Str(s)) => Value::String(s),
                    Some(Tok::Word(w)) => match w.as_str() {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        "null" => Value::Null,
                        _ => match serde_json::from_str::<serde_json::Number>(&w) {
                            Ok(n) => Value::Number(n),
                            Err(_) => {
                                return Err(ScimError::invalid_filter(format!(
                                    "invalid comparison value '{w}': strings must be in double quotes"
                                )));
                            }
                        },
                    },
                    _ => {
                        return Err(ScimError::invalid_filter(format!(
                            "expected a value after '{path} {op_word}'"
                        )));
                    }
                };
                Ok(Filter::Compare(path, op, value))
            }
            Some(t) => Err(ScimError::invalid_filter(format!(
                "unexpected {t:?} in filter"
            ))),
            None => Err(ScimError::invalid_filter("unexpected end of filter")),
        }
    }
}

/// Parses a filter. `flat` evaluates and/or left to right (the precedence fault).
pub fn parse(text: &str, flat: bool) -> ScimResult<Filter> {
    parse_inner(text, flat, false)
}

/// Parses the filter inside a PATCH value path (`emails[...]`).
pub fn parse_value_filter(text: &str) -> ScimResult<Filter> {
    parse_inner(text, false, true)
}

fn parse_inner(text: &str, flat: bool, in_value_path: bool) -> ScimResult<Filter> {
    let toks = tokenize(text)?;
    if toks.len() > MAX_TOKENS {
        return Err(ScimError::invalid_filter(format!(
            "the filter is too long: more than {MAX_TOKENS} tokens"
        )));
    }
    if toks.is_empty() {
        return Err(ScimError::invalid_filter("the filter is empty"));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        flat,
    };
    let f = p.parse_or(in_value_path)?;
    if p.pos < p.toks.len() {
        return Err(ScimError::invalid_filter(format!(
            "unexpected {:?} after the end of the filter expression",
            p.toks[p.pos]
        )));
    }
    Ok(f)
}

/// What an attribute path names, resolved against the catalog for one resource type.
#[derive(Clone, Copy, Debug)]
pub enum PathRef<'a> {
    /// A whole extension object (`urn:...:enterprise:2.0:User`).
    Extension(&'static str),
    /// The whole core schema (`urn:ietf:params:scim:schemas:core:2.0:User` alone).
    CoreSchema,
    Attr {
        home: Home,
        attr: &'a Attr,
        sub: Option<&'a Attr>,
    },
}

/// Options that change how paths are resolved (faults).
#[derive(Clone, Copy, Debug, Default)]
pub struct PathOpts {
    /// Attribute names must match the schema spelling exactly.
    pub case_sensitive: bool,
    /// URN-qualified names are not understood.
    pub no_urns: bool,
}

/// Resolves `[URN:]attr[.sub]`. `None`: the path names nothing this resource type has.
pub fn resolve_path<'c>(
    catalog: &'c Catalog,
    kind: Kind,
    text: &str,
    opts: PathOpts,
) -> Option<PathRef<'c>> {
    let (urn, rest) = if text.len() > 4 && starts_with_ci(text, "urn:") {
        if opts.no_urns {
            return None;
        }
        let (urn, rest) = catalog.split_urn(kind, text)?;
        if rest.is_empty() {
            return Some(if urn == kind.core_schema() {
                PathRef::CoreSchema
            } else {
                PathRef::Extension(urn)
            });
        }
        (Some(urn), rest)
    } else {
        (None, text)
    };
    let mut parts = rest.splitn(2, '.');
    let name = parts.next()?;
    let sub_name = parts.next();
    let r = catalog.resolve(kind, urn, name)?;
    if opts.case_sensitive && r.attr.name != name {
        return None;
    }
    let sub = match sub_name {
        Some(s) => {
            let sa = r.attr.sub_attr(s)?;
            if opts.case_sensitive && sa.name != s {
                return None;
            }
            Some(sa)
        }
        None => None,
    };
    Some(PathRef::Attr {
        home: r.home,
        attr: r.attr,
        sub,
    })
}

/// Settings of one evaluation (faults and the resource type).
#[derive(Clone, Copy, Debug)]
pub struct Eval<'c> {
    pub catalog: &'c Catalog,
    pub kind: Kind,
    pub paths: PathOpts,
    pub username_case_sensitive: bool,
    pub externalid_case_insensitive: bool,
    pub co_as_sw: bool,
    pub username_co_as_eq: bool,
    pub pr_multivalued_never: bool,
    pub datetime_as_text: bool,
    pub value_path_cross_element: bool,
    /// `and` evaluates its left operand only (a fault).
    pub and_first_only: bool,
    /// `pr` on a single-valued complex attribute never matches (a fault).
    pub pr_complex_never: bool,
    /// String `gt`/`lt` include the equal value (a fault).
    pub gt_as_ge: bool,
    /// A term on an attribute the resource type does not define holds (a fault of root queries).
    pub undefined_matches: bool,
    /// `sw` and `ew` match anywhere in the value, like `co` (a fault).
    pub sw_ew_as_co: bool,
    /// dateTime `gt`/`lt` include the equal instant (a fault).
    pub datetime_gt_as_ge: bool,
    /// Sorting by a multi-valued attribute uses its first value, not the primary one (a fault).
    pub sort_first_value: bool,
    /// Sorting folds case even on caseExact attributes (fault sort-caseexact-ignored).
    pub sort_case_folded: bool,
    /// A term on meta.resourceType holds for every resource (a fault of root queries).
    pub resource_type_ignored: bool,
}

impl<'c> Eval<'c> {
    pub fn new(catalog: &'c Catalog, kind: Kind) -> Self {
        Eval {
            catalog,
            kind,
            paths: PathOpts::default(),
            username_case_sensitive: false,
            externalid_case_insensitive: false,
            co_as_sw: false,
            username_co_as_eq: false,
            pr_multivalued_never: false,
            datetime_as_text: false,
            value_path_cross_element: false,
            and_first_only: false,
            pr_complex_never: false,
            gt_as_ge: false,
            undefined_matches: false,
            sw_ew_as_co: false,
            datetime_gt_as_ge: false,
            sort_first_value: false,
            sort_case_folded: false,
            resource_type_ignored: false,
        }
    }

    fn case_exact(&self, def: &Attr) -> bool {
        if def.name == "userName" && self.username_case_sensitive {
            return true;
        }
        if def.name == "externalId" && self.externalid_case_insensitive {
            return false;
        }
        def.case_exact
    }
}

/// Rejects filters that are well-formed but invalid for the schema: ordering operators on
/// boolean or binary attributes (RFC 7644 §3.4.2.2).
pub fn check(filter: &Filter, ev: &Eval<'_>, allow_bool_ordering: bool) -> ScimResult<()> {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            check(a, ev, allow_bool_ordering)?;
            check(b, ev, allow_bool_ordering)
        }
        Filter::Not(a) => check(a, ev, allow_bool_ordering),
        Filter::Present(_) => Ok(()),
        Filter::ValuePath(path, inner) => {
            if let Some(PathRef::Attr { attr, .. }) =
                resolve_path(ev.catalog, ev.kind, path, ev.paths)
            {
                check_inner(inner, attr, allow_bool_ordering)
            } else {
                Ok(())
            }
        }
        Filter::Compare(path, op, _) => {
            if op.is_ordering()
                && !allow_bool_ordering
                && let Some(PathRef::Attr { attr, sub, .. }) =
                    resolve_path(ev.catalog, ev.kind, path, ev.paths)
            {
                let def = leaf_def(attr, sub);
                if matches!(def.ty, Ty::Boolean | Ty::Binary) {
                    return Err(ScimError::invalid_filter(format!(
                        "'{path}' is a {} attribute: gt, ge, lt and le cannot be used on it",
                        def.ty.name()
                    )));
                }
            }
            Ok(())
        }
    }
}

fn check_inner(filter: &Filter, parent: &Attr, allow: bool) -> ScimResult<()> {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            check_inner(a, parent, allow)?;
            check_inner(b, parent, allow)
        }
        Filter::Not(a) => check_inner(a, parent, allow),
        Filter::Compare(path, op, _) if op.is_ordering() && !allow => {
            if let Some(def) = parent.sub_attr(path)
                && matches!(def.ty, Ty::Boolean | Ty::Binary)
            {
                return Err(ScimError::invalid_filter(format!(
                    "'{path}' is a {} attribute: gt, ge, lt and le cannot be used on it",
                    def.ty.name()
                )));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// True when `filter` has an `ne` comparison.
pub fn uses_ne(filter: &Filter) -> bool {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => uses_ne(a) || uses_ne(b),
        Filter::Not(a) | Filter::ValuePath(_, a) => uses_ne(a),
        Filter::Compare(_, op, _) => *op == Op::Ne,
        Filter::Present(_) => false,
    }
}

/// Does the filter use `or` anywhere?
pub fn uses_or(filter: &Filter) -> bool {
    match filter {
        Filter::Or(..) => true,
        Filter::And(a, b) => uses_or(a) || uses_or(b),
        Filter::Not(a) | Filter::ValuePath(_, a) => uses_or(a),
        Filter::Compare(..) | Filter::Present(_) => false,
    }
}

/// The first term of a filter that is an `or` of terms.
pub fn first_or_term(filter: &Filter) -> Option<&Filter> {
    let Filter::Or(first, _) = filter else {
        return None;
    };
    let mut first: &Filter = first;
    while let Filter::Or(a, _) = first {
        first = a;
    }
    Some(first)
}

/// Is the filter exactly `userName eq "…"`?
pub fn is_username_eq(filter: &Filter) -> bool {
    matches!(filter, Filter::Compare(p, Op::Eq, Value::String(_)) if p.eq_ignore_ascii_case("userName"))
}

/// Does the filter use a value path (`emails[type eq "work"]`) anywhere?
pub fn uses_value_path(filter: &Filter) -> bool {
    match filter {
        Filter::ValuePath(..) => true,
        Filter::And(a, b) | Filter::Or(a, b) => uses_value_path(a) || uses_value_path(b),
        Filter::Not(a) => uses_value_path(a),
        Filter::Compare(..) | Filter::Present(_) => false,
    }
}

fn leaf_def<'a>(attr: &'a Attr, sub: Option<&'a Attr>) -> &'a Attr {
    match sub {
        Some(s) => s,
        None if attr.ty == Ty::Complex => attr.sub_attr("value").unwrap_or(attr),
        None => attr,
    }
}

/// The values found at a path of a resource, with the definition used to compare them.
struct Found<'a, 'c> {
    values: Vec<&'a Value>,
    def: &'c Attr,
    /// For `pr` on a complex attribute: the attribute is present as a whole.
    whole_present: bool,
    /// The path names a whole complex multi-valued attribute (`emails`, not `emails.value`).
    multi_complex: bool,
    /// The path names a whole complex single-valued attribute (`name`).
    single_complex: bool,
}

fn container(resource: &Map<String, Value>, home: Home) -> Option<&Map<String, Value>> {
    match home {
        Home::Core => Some(resource),
        Home::Extension(urn) => resource.get(urn).and_then(Value::as_object),
    }
}

fn non_empty(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn find<'a, 'c>(
    resource: &'a Map<String, Value>,
    path: &str,
    ev: &Eval<'c>,
) -> Option<Found<'a, 'c>> {
    let PathRef::Attr { home, attr, sub } = resolve_path(ev.catalog, ev.kind, path, ev.paths)?
    else {
        return None;
    };
    let raw = container(resource, home).and_then(|c| c.get(attr.name));
    let whole_present = raw.is_some_and(non_empty);
    let def = leaf_def(attr, sub);
    let mut values = Vec::new();
    if let Some(raw) = raw {
        let elements: Vec<&Value> = match raw {
            Value::Array(a) if attr.multi => a.iter().collect(),
            v => vec![v],
        };
        for el in elements {
            if attr.ty == Ty::Complex {
                let key = match sub {
                    Some(s) => s.name,
                    None => "value",
                };
                if let Some(v) = el.as_object().and_then(|o| o.get(key)) {
                    values.push(v);
                }
            } else {
                values.push(el);
            }
        }
    }
    Some(Found {
        values,
        def,
        whole_present: whole_present && sub.is_none(),
        multi_complex: attr.multi && attr.ty == Ty::Complex && sub.is_none(),
        single_complex: !attr.multi && attr.ty == Ty::Complex && sub.is_none(),
    })
}

fn compare_one(actual: &Value, op: Op, expected: &Value, def: &Attr, ev: &Eval<'_>) -> bool {
    let ordering = match (def.ty, actual, expected) {
        (Ty::Boolean, Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Ty::Boolean, _, _) => None,
        (Ty::Integer | Ty::Decimal, Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Ty::DateTime, Value::String(a), Value::String(b)) if !ev.datetime_as_text => {
            match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
                (Ok(x), Ok(y)) => {
                    if matches!(op, Op::Co | Op::Sw | Op::Ew) {
                        None
                    } else {
                        Some(x.cmp(&y))
                    }
                }
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(ord) = ordering {
        let or_equal = ev.datetime_gt_as_ge && def.ty == Ty::DateTime;
        return match op {
            Op::Gt if or_equal => ord != Ordering::Less,
            Op::Lt if or_equal => ord != Ordering::Greater,
            Op::Eq => ord == Ordering::Equal,
            Op::Ne => ord != Ordering::Equal,
            Op::Gt => ord == Ordering::Greater,
            Op::Ge => ord != Ordering::Less,
            Op::Lt => ord == Ordering::Less,
            Op::Le => ord != Ordering::Greater,
            Op::Co | Op::Sw | Op::Ew => false,
        };
    }
    let (Value::String(a), Value::String(b)) = (actual, expected) else {
        // Mismatched JSON types: only "ne" holds.
        return op == Op::Ne && actual != expected;
    };
    // Unicode strings are prepared before comparison (RFC 7644 §7.8): NFC, and for caseExact
    // false also width mapping and case folding.
    let (a, b) = if ev.case_exact(def) {
        (a.nfc().collect::<String>(), b.nfc().collect::<String>())
    } else {
        (username_key(a), username_key(b))
    };
    match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Co if ev.co_as_sw => a.starts_with(&b),
        Op::Co if ev.username_co_as_eq && def.name == "userName" => a == b,
        Op::Co => a.contains(&b),
        Op::Sw | Op::Ew if ev.sw_ew_as_co => a.contains(&b),
        Op::Sw => a.starts_with(&b),
        Op::Ew => a.ends_with(&b),
        Op::Gt if ev.gt_as_ge => a >= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
        Op::Lt if ev.gt_as_ge => a <= b,
        Op::Lt => a < b,
        Op::Le => a <= b,
    }
}

fn eval_compare(found: &Found<'_, '_>, op: Op, expected: &Value, ev: &Eval<'_>) -> bool {
    if expected.is_null() {
        let present = !found.values.is_empty() && found.values.iter().any(|v| non_empty(v));
        return match op {
            Op::Eq => !present,
            Op::Ne => present,
            _ => false,
        };
    }
    if op == Op::Ne {
        return !found
            .values
            .iter()
            .any(|v| compare_one(v, Op::Eq, expected, found.def, ev));
    }
    found
        .values
        .iter()
        .any(|v| compare_one(v, op, expected, found.def, ev))
}

/// Does the resource (a rendered representation) match the filter?
pub fn matches(filter: &Filter, resource: &Map<String, Value>, ev: &Eval<'_>) -> bool {
    match filter {
        Filter::And(a, _) if ev.and_first_only => matches(a, resource, ev),
        Filter::And(a, b) => matches(a, resource, ev) && matches(b, resource, ev),
        Filter::Or(a, b) => matches(a, resource, ev) || matches(b, resource, ev),
        Filter::Not(a) => !matches(a, resource, ev),
        Filter::Present(path) => match find(resource, path, ev) {
            Some(f) if f.multi_complex && ev.pr_multivalued_never => false,
            Some(f) if f.single_complex && ev.pr_complex_never => false,
            Some(f) => f.whole_present || f.values.iter().any(|v| non_empty(v)),
            None => ev.undefined_matches,
        },
        Filter::Compare(path, _, _)
            if ev.resource_type_ignored && path.eq_ignore_ascii_case("meta.resourceType") =>
        {
            true
        }
        Filter::Compare(path, op, value) => match find(resource, path, ev) {
            Some(f) => eval_compare(&f, *op, value, ev),
            None => ev.undefined_matches,
        },
        Filter::ValuePath(path, inner) => {
            let Some(PathRef::Attr {
                home,
                attr,
                sub: None,
            }) = resolve_path(ev.catalog, ev.kind, path, ev.paths)
            else {
                return false;
            };
            let Some(raw) = container(resource, home).and_then(|c| c.get(attr.name)) else {
                return false;
            };
            let elements: Vec<&Map<String, Value>> = match raw {
                Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
                Value::Object(o) => vec![o],
                _ => return false,
            };
            if ev.value_path_cross_element {
                matches_elements(inner, &elements, attr, ev)
            } else {
                elements
                    .iter()
                    .any(|el| matches_elements(inner, std::slice::from_ref(el), attr, ev))
            }
        }
    }
}

/// Evaluates a value-path filter against elements of a multi-valued complex attribute
/// (normally one element at a time).
pub fn matches_elements(
    filter: &Filter,
    elements: &[&Map<String, Value>],
    parent: &Attr,
    ev: &Eval<'_>,
) -> bool {
    match filter {
        Filter::And(a, b) => {
            matches_elements(a, elements, parent, ev) && matches_elements(b, elements, parent, ev)
        }
        Filter::Or(a, b) => {
            matches_elements(a, elements, parent, ev) || matches_elements(b, elements, parent, ev)
        }
        Filter::Not(a) => !matches_elements(a, elements, parent, ev),
        Filter::ValuePath(..) => false,
        Filter::Present(path) | Filter::Compare(path, _, _) => {
            let Some(def) = parent.sub_attr(path) else {
                return false;
            };
            if ev.paths.case_sensitive && def.name != path {
                return false;
            }
            let values: Vec<&Value> = elements.iter().filter_map(|e| e.get(def.name)).collect();
            let found = Found {
                values,
                def,
                whole_present: false,
                multi_complex: false,
                single_complex: false,
            };
            match filter {
                Filter::Present(_) => found.values.iter().any(|v| non_empty(v)),
                Filter::Compare(_, op, value) => eval_compare(&found, *op, value, ev),
                _ => false,
            }
        }
    }
}

/// A value to sort by.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    Str(String),
    Num(f64),
    Time(jiff::Timestamp),
    Bool(bool),
}

impl SortKey {
    pub fn cmp(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Str(a), SortKey::Str(b)) => a.cmp(b),
            (SortKey::Num(a), SortKey::Num(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (SortKey::Time(a), SortKey::Time(b)) => a.cmp(b),
            (SortKey::Bool(a), SortKey::Bool(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// The sort key of a resource for `sortBy` (RFC 7644 §3.4.2.3): the primary (or first) value of a
/// multi-valued attribute; `None` when the resource has no value.
pub fn sort_key(
    resource: &Map<String, Value>,
    path: &str,
    ev: &Eval<'_>,
    case_sensitive_sort: bool,
) -> Option<SortKey> {
    let PathRef::Attr { home, attr, sub } = resolve_path(ev.catalog, ev.kind, path, ev.paths)?
    else {
        return None;
    };
    let raw = container(resource, home)?.get(attr.name)?;
    let el: &Value = match raw {
        Value::Array(a) if ev.sort_first_value => a.first()?,
        Value::Array(a) => a
            .iter()
            .find(|e| e.get("primary") == Some(&Value::Bool(true)))
            .or_else(|| a.first())?,
        v => v,
    };
    let def = leaf_def(attr, sub);
    let v = if attr.ty == Ty::Complex {
        el.get(sub.map(|s| s.name).unwrap_or("value"))?
    } else {
        el
    };
    Some(match (def.ty, v) {
        (Ty::Boolean, Value::Bool(b)) => SortKey::Bool(*b),
        (Ty::Integer | Ty::Decimal, Value::Number(n)) => SortKey::Num(n.as_f64().unwrap_or(0.0)),
        (Ty::DateTime, Value::String(s)) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => SortKey::Time(t),
            Err(_) => SortKey::Str(s.clone()),
        },
        (_, Value::String(s)) => {
            if (ev.case_exact(def) && !ev.sort_case_folded) || case_sensitive_sort {
                SortKey::Str(s.nfc().collect())
            } else {
                SortKey::Str(username_key(s))
            }
        }
        (_, other) => SortKey::Str(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::Flavour;
    use serde_json::json;

    fn user() -> Map<String, Value> {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "abc",
            "externalId": "AbC-1",
            "userName": "Alice@Example.com",
            "name": {"givenName": "Alice", "familyName": "O'Malley"},
            "title": "Boss",
            "active": true,
            "emails": [
                {"type": "work", "value": "a@x.org"},
                {"type": "home", "value": "b@example.com", "primary": true}
            ],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"},
            "meta": {"resourceType": "User", "created": "2026-01-01T10:00:00Z", "lastModified": "2026-01-01T10:00:00Z"}
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn m(f: &str) -> bool {
        let c = Catalog::new(Flavour::Core);
        let ev = Eval::new(&c, Kind::User);
        let filter = parse(f, false).unwrap();
        check(&filter, &ev, false).unwrap();
        matches(&filter, &user(), &ev)
    }

    #[test]
    fn operators() {
        assert!(m(r#"userName eq "alice@example.com""#));
        assert!(m(r#"USERNAME EQ "ALICE@EXAMPLE.COM""#));
        assert!(!m(r#"userName ne "alice@example.com""#));
        assert!(m(r#"userName co "EXAMPLE""#));
        assert!(m(r#"userName sw "alice""#));
        assert!(m(r#"userName ew ".com""#));
        assert!(m(r#"userName gt "aaa""#));
        assert!(!m(r#"userName lt "aaa""#));
        assert!(m("title pr"));
        assert!(!m("nickName pr"));
        assert!(m("name pr"));
        assert!(m("active eq true"));
        assert!(!m("active eq false"));
        assert!(m("nickName eq null"));
        assert!(m(r#"externalId eq "AbC-1""#));
        assert!(!m(r#"externalId eq "abc-1""#));
        assert!(m(r#"name.familyName co "O'Malley""#));
        assert!(m(r#"meta.created gt "2026-01-01T11:00:00+02:00""#));
        assert!(!m(r#"meta.created gt "2026-01-01T11:00:00+00:00""#));
        assert!(m(r#"meta.created ge "2026-01-01T10:00:00Z""#));
        assert!(m(r#"emails.value eq "b@example.com""#));
        assert!(m(r#"emails co "example.com""#));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alice@example.com""#
        ));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#
        ));
        assert!(m(
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#
        ));
        assert!(!m(r#"unknownAttr eq "x""#));
        assert!(!m(r#"unknownAttr ne "x""#));
    }

    #[test]
    fn logic_and_value_paths() {
        assert!(m(r#"title eq "Boss" and not (userName eq "bob")"#));
        assert!(m(r#"title eq "x" or title eq "Boss""#));
        assert!(!m(
            r#"title eq "x" and (title eq "Boss" or active eq true)"#
        ));
        // precedence: X or Y and Z == X or (Y and Z)
        assert!(m(r#"title eq "Boss" or title eq "y" and title eq "z""#));
        assert!(m(r#"emails[type eq "home" and value co "example.com"]"#));
        assert!(!m(r#"emails[type eq "work" and value co "example.com"]"#));
        assert!(m(r#"title eq "Boss" and emails[type eq "work"]"#));
    }

    #[test]
    fn flat_precedence_fault() {
        let c = Catalog::new(Flavour::Core);
        let ev = Eval::new(&c, Kind::User);
        let f = parse(r#"title eq "Boss" or title eq "y" and title eq "z""#, true).unwrap();
        assert!(!matches(&f, &user(), &ev));
    }

    #[test]
    fn cross_element_fault() {
        let c = Catalog::new(Flavour::Core);
        let mut ev = Eval::new(&c, Kind::User);
        ev.value_path_cross_element = true;
        let f = parse(
            r#"emails[type eq "work" and value co "example.com"]"#,
            false,
        )
        .unwrap();
        assert!(matches(&f, &user(), &ev));
    }

    #[test]
    fn errors() {
        for bad in [
            "userName eq",
            "(userName eq \"a\"",
            "userName regex \"a.*\"",
            "userName eq a",
            "",
            "userName eq \"a",
            "emails[type eq \"w\"",
            "name..familyName pr",
            "userName eq \"a\" )",
            "emails[type eq \"a\"][x pr]",
            "userName eq \"a\" and",
            &"(".repeat(100_000),
            &vec!["title pr"; 5000].join(" and "),
            &format!("{}title pr{}", "not (".repeat(100), ")".repeat(100)),
        ] {
            let e = parse(bad, false).unwrap_err();
            assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
        }
        let c = Catalog::new(Flavour::Core);
        let ev = Eval::new(&c, Kind::User);
        let f = parse("active gt true", false).unwrap();
        assert!(check(&f, &ev, false).is_err());
        let f = parse("emails[primary gt true]", false).unwrap();
        assert!(check(&f, &ev, false).is_err());
    }

    #[test]
    fn attr_path_syntax() {
        assert!(valid_attr_path("userName"));
        assert!(valid_attr_path("name.givenName"));
        assert!(valid_attr_path("members.$ref"));
        assert!(valid_attr_path(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
        ));
        assert!(!valid_attr_path("name..givenName"));
        assert!(!valid_attr_path("1abc"));
        assert!(!valid_attr_path("a.b.c"));
    }

    #[test]
    fn sort_keys() {
        let c = Catalog::new(Flavour::Core);
        let ev = Eval::new(&c, Kind::User);
        assert_eq!(
            sort_key(&user(), "emails.value", &ev, false),
            Some(SortKey::Str("b@example.com".into()))
        );
        assert_eq!(
            sort_key(&user(), "userName", &ev, false),
            Some(SortKey::Str("alice@example.com".into()))
        );
        assert_eq!(sort_key(&user(), "nickName", &ev, false), None);
    }
}
