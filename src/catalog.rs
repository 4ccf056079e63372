//! The requirement catalogs (`rfc7643.tsv`, `rfc7644.tsv`, `loom.tsv`, `looop.tsv`, and the
//! project's own `idp.tsv`): every case names ids from them, and coverage is measured against them.

use crate::assets;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Requirement {
    pub id: String,
    pub section: String,
    pub level: String,
    pub summary: String,
    pub conditional_on: String,
    /// The catalog file it came from, e.g. `rfc7644.tsv`.
    pub file: String,
}

#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub requirements: BTreeMap<String, Requirement>,
    /// Catalog file name -> ids in file order.
    pub files: BTreeMap<String, Vec<String>>,
}

impl Catalog {
    /// The copy compiled into the binary (`suites/requirements/*.tsv`).
    pub fn builtin() -> Catalog {
        let mut c = Catalog::default();
        for (path, text) in assets::files(&assets::SUITES, &[".tsv"]) {
            if let Some(name) = path.strip_prefix("requirements/") {
                c.add_file(name, text);
            }
        }
        c
    }

    /// Every `*.tsv` in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Catalog, String> {
        let mut c = Catalog::default();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read catalog directory {}: {e}", dir.display()))?;
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(format!("no .tsv catalog files in {}", dir.display()));
        }
        for p in paths {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            c.add_file(&name, &text);
        }
        Ok(c)
    }

    fn add_file(&mut self, name: &str, text: &str) {
        let mut ids = Vec::new();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 3 || cols[0].trim().is_empty() {
                continue;
            }
            let r = Requirement {
                id: cols[0].trim().to_owned(),
                section: cols.get(1).unwrap_or(&"").to_string(),
                level: cols.get(2).unwrap_or(&"").to_string(),
                summary: cols.get(3).unwrap_or(&"").to_string(),
                conditional_on: cols.get(5).unwrap_or(&"").trim().to_string(),
                file: name.to_owned(),
            };
            ids.push(r.id.clone());
            self.requirements.insert(r.id.clone(), r);
        }
        self.files.insert(name.to_owned(), ids);
    }

    /// Adds the files of `other` that this catalog lacks.
    pub fn with_missing_files_from(mut self, other: Catalog) -> Catalog {
        for (file, ids) in other.files {
            if !self.files.contains_key(&file) {
                for id in &ids {
                    if let Some(r) = other.requirements.get(id) {
                        self.requirements.insert(id.clone(), r.clone());
                    }
                }
                self.files.insert(file, ids);
            }
        }
        self
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.get(id)
    }

    /// True when `id` starts with a prefix one of the catalogs owns (`rfc7644.`, `loom.` …):
    /// such ids must exist; ids of a user's own catalogs are not checked.
    pub fn knows_prefix(&self, id: &str) -> bool {
        let prefix = id.split('.').next().unwrap_or("");
        self.files
            .keys()
            .any(|f| f.trim_end_matches(".tsv") == prefix)
            || self
                .requirements
                .keys()
                .any(|k| k.split('.').next() == Some(prefix))
    }

    pub fn closest(&self, id: &str) -> Option<&str> {
        let keys: Vec<&str> = self.requirements.keys().map(String::as_str).collect();
        crate::text::did_you_mean(id, &keys)
    }
}
