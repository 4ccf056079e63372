//! YAML to JSON with a source location for every node, so that any later error (a schema
//! violation, a bad regex, a failing expectation) can point at the suite file's line and column.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::fmt;

/// A line and column in a suite file, both 1-based (0 when unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// The JSON form of a YAML document plus the position of each node, keyed by JSON pointer.
pub struct Located {
    pub value: Value,
    positions: Positions,
}

enum Positions {
    /// Parsed from the YAML text now.
    Map(HashMap<String, Pos>),
    /// Written by build.rs ([`Located::encode_positions`]) and read in place: a built-in suite
    /// costs no parsing and no allocation per node at start-up.
    Table(&'static [u8]),
}

impl Located {
    /// The position of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn pos(&self, pointer: &str) -> Pos {
        let mut p = pointer;
        loop {
            let found = match &self.positions {
                Positions::Map(m) => m.get(p).copied(),
                Positions::Table(t) => table_get(t, p),
            };
            if let Some(pos) = found {
                return pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Pos::default(),
            }
        }
    }

    /// A document decoded by build.rs: its JSON text and its [`Located::encode_positions`].
    pub fn prebuilt(json: &str, positions: &'static [u8]) -> Result<Located, serde_json::Error> {
        Ok(Located {
            value: serde_json::from_str(json)?,
            positions: Positions::Table(positions),
        })
    }

    /// Every node's pointer and position, sorted by pointer.
    pub fn positions(&self) -> Vec<(String, Pos)> {
        let mut out: Vec<(String, Pos)> = match &self.positions {
            Positions::Map(m) => m.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            Positions::Table(t) => (0..table_len(t))
                .filter_map(|i| {
                    let (key, pos) = table_entry(t, i)?;
                    Some((String::from_utf8_lossy(key).into_owned(), pos))
                })
                .collect(),
        };
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The positions as a table that [`Located::prebuilt`] reads without decoding it: a count,
    /// then per node (sorted by pointer) the offset and length of its pointer in the text that
    /// follows, its line and its column, all little-endian u32.
    // Called by build.rs, which compiles this file too, and by the tests.
    #[allow(dead_code)]
    pub fn encode_positions(&self) -> Vec<u8> {
        let entries = self.positions();
        let mut head = Vec::with_capacity(4 + entries.len() * ENTRY);
        let mut text: Vec<u8> = Vec::new();
        head.extend((entries.len() as u32).to_le_bytes());
        for (key, pos) in &entries {
            head.extend((text.len() as u32).to_le_bytes());
            head.extend((key.len() as u32).to_le_bytes());
            head.extend(pos.line.to_le_bytes());
            head.extend(pos.column.to_le_bytes());
            text.extend(key.as_bytes());
        }
        head.extend(text);
        head
    }
}

/// Bytes per entry of an encoded position table.
const ENTRY: usize = 16;

fn u32_at(t: &[u8], at: usize) -> Option<u32> {
    let b = t.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn table_len(t: &[u8]) -> usize {
    u32_at(t, 0).unwrap_or(0) as usize
}

/// The pointer and position of entry `i`.
fn table_entry(t: &[u8], i: usize) -> Option<(&[u8], Pos)> {
    let at = 4 + i * ENTRY;
    let text = 4 + table_len(t) * ENTRY;
    let off = text + u32_at(t, at)? as usize;
    let len = u32_at(t, at + 4)? as usize;
    let pos = Pos {
        line: u32_at(t, at + 8)?,
        column: u32_at(t, at + 12)?,
    };
    Some((t.get(off..off + len)?, pos))
}

/// Binary search of an encoded table.
fn table_get(t: &[u8], pointer: &str) -> Option<Pos> {
    let (mut lo, mut hi) = (0, table_len(t));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (key, pos) = table_entry(t, mid)?;
        match key.cmp(pointer.as_bytes()) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(pos),
        }
    }
    None
}

/// A YAML parse error with its position and the parser's own message.
#[derive(Debug)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(String, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Number::from_f64(v)
            .map(Node::Number)
            .ok_or_else(|| E::custom("a number that JSON cannot hold (NaN or infinity)"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Spanned<Node>)> = Vec::new();
        while let Some(key) = map.next_key::<KeyString>()? {
            if entries.iter().any(|(k, _)| *k == key.0) {
                return Err(de::Error::custom(format!("duplicate key `{}`", key.0)));
            }
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((key.0, value));
        }
        Ok(Node::Map(entries))
    }
}

/// Map keys as text: YAML allows `201:` or `true:` as keys, JSON needs strings.
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyString, E> {
                Ok(KeyString(v.to_owned()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyString, E> {
                Ok(KeyString("null".into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses one YAML document into JSON plus node positions.
pub fn parse(text: &str) -> Result<Located, YamlError> {
    let root: Spanned<Node> = serde_saphyr::from_str(text).map_err(|e| {
        let pos = e
            .location()
            .map(|l| Pos {
                line: l.line() as u32,
                column: l.column() as u32,
            })
            .unwrap_or_default();
        YamlError {
            pos,
            message: first_line_of(&e.to_string()),
        }
    })?;
    let mut positions = HashMap::new();
    let value = convert(root, String::new(), &mut positions);
    Ok(Located {
        value,
        positions: Positions::Map(positions),
    })
}

/// serde-saphyr's Display adds a source snippet naming `<input>`; we print our own location.
fn first_line_of(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

fn convert(node: Spanned<Node>, pointer: String, positions: &mut HashMap<String, Pos>) -> Value {
    let loc = node.referenced;
    positions.insert(
        pointer.clone(),
        Pos {
            line: loc.line() as u32,
            column: loc.column() as u32,
        },
    );
    match node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Number(n) => Value::Number(n),
        Node::String(s) => Value::String(s),
        Node::Seq(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| convert(item, format!("{pointer}/{i}"), positions))
                .collect(),
        ),
        Node::Map(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let child = format!("{pointer}/{}", escape_pointer(&key));
                let v = convert(value, child, positions);
                map.insert(key, v);
            }
            Value::Object(map)
        }
    }
}

/// Escapes one JSON pointer reference token (RFC 6901).
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_nodes() {
        let doc = parse("id: x\ncases:\n  - id: a\n    steps: []\n").expect("parses");
        assert_eq!(doc.pos("/cases/0/id").line, 3);
        assert_eq!(doc.pos("/cases/0/steps").line, 4);
        assert_eq!(doc.pos("/cases/0/nothing").line, 3);
    }

    #[test]
    fn reports_error_position() {
        let err = parse("id: x\ncases: [\n").err().expect("fails");
        assert!(err.pos.line >= 2, "{err:?}");
    }
}
