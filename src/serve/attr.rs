//! Attribute and schema definitions (RFC 7643 §2, §7): the data types, characteristics and the
//! builder the built-in schemas are written with.

use serde_json::{Map, Value, json};

/// Attribute data types (RFC 7643 §2.3); not all are used by the built-in schemas.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::String => "string",
            Ty::Boolean => "boolean",
            Ty::Decimal => "decimal",
            Ty::Integer => "integer",
            Ty::DateTime => "dateTime",
            Ty::Binary => "binary",
            Ty::Reference => "reference",
            Ty::Complex => "complex",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    pub fn name(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

impl Returned {
    pub fn name(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

impl Uniqueness {
    pub fn name(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// One attribute or sub-attribute definition.
#[derive(Clone, Debug)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub multi: bool,
    pub description: &'static str,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub sub: Vec<Attr>,
    pub canonical: Vec<&'static str>,
    pub reference_types: Vec<&'static str>,
}

impl Attr {
    pub(super) fn new(name: &'static str, ty: Ty, description: &'static str) -> Self {
        Attr {
            name,
            ty,
            multi: false,
            description,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            sub: Vec::new(),
            canonical: Vec::new(),
            reference_types: Vec::new(),
        }
    }
    pub(super) fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
    pub(super) fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub(super) fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    pub(super) fn mutability(mut self, m: Mutability) -> Self {
        self.mutability = m;
        self
    }
    pub(super) fn returned(mut self, r: Returned) -> Self {
        self.returned = r;
        self
    }
    pub(super) fn unique(mut self, u: Uniqueness) -> Self {
        self.uniqueness = u;
        self
    }
    pub(super) fn sub(mut self, sub: Vec<Attr>) -> Self {
        self.sub = sub;
        self
    }
    pub(super) fn canonical(mut self, c: &[&'static str]) -> Self {
        self.canonical = c.to_vec();
        self
    }
    pub(super) fn refs(mut self, r: &[&'static str]) -> Self {
        self.reference_types = r.to_vec();
        self
    }

    /// The sub-attribute with this name (case-insensitive).
    pub fn sub_attr(&self, name: &str) -> Option<&Attr> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn is_read_only(&self) -> bool {
        self.mutability == Mutability::ReadOnly
    }

    /// The attribute definition as /Schemas shows it.
    pub fn to_json(&self, complete: bool) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("type".into(), json!(self.ty.name()));
        if complete {
            m.insert("multiValued".into(), json!(self.multi));
            m.insert("description".into(), json!(self.description));
            m.insert("required".into(), json!(self.required));
            m.insert("caseExact".into(), json!(self.case_exact));
            m.insert("mutability".into(), json!(self.mutability.name()));
            m.insert("returned".into(), json!(self.returned.name()));
            m.insert("uniqueness".into(), json!(self.uniqueness.name()));
            if !self.canonical.is_empty() {
                m.insert("canonicalValues".into(), json!(self.canonical));
            }
            if self.ty == Ty::Reference {
                m.insert("referenceTypes".into(), json!(self.reference_types));
            }
        }
        if self.ty == Ty::Complex {
            let subs: Vec<Value> = self.sub.iter().map(|a| a.to_json(complete)).collect();
            m.insert("subAttributes".into(), Value::Array(subs));
        }
        Value::Object(m)
    }
}

/// A schema: its URN, name, description and attributes.
#[derive(Clone, Debug)]
pub struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: Vec<Attr>,
}

impl Schema {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}
