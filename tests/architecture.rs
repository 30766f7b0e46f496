//! The layout's rules (docs/ARCHITECTURE.md), checked on the sources: no
//! import cycle between files, and no file of a lower layer importing a
//! higher one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of a module path (`cmd::resolve` → the layer of `cmd`).
fn layer(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or("");
    if module == "ingest::values" {
        return 0; // the value parsers: a leaf, used from every layer
    }
    match top {
        "schema" | "period" | "config" | "calendar" | "fsutil" | "diag" | "output" | "spill" => 0,
        "ingest" | "rejects" | "template" => 1,
        "analysis" => 2,
        "generate" | "pipeline" => 3,
        "query" | "chart" => 4,
        "report" => 5,
        "cmd" | "cli" => 6,
        "serve" => 7,
        other => panic!("module {other} has no layer in tests/architecture.rs"),
    }
}

/// Every source file of the library, by module path.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect();
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            let name = parts.join("::");
            if name == "lib" || name == "main" {
                continue;
            }
            out.insert(name, p);
        }
    }
    out
}

/// The source without comments, string literals and `#[cfg(test)]` modules
/// (tests may reach anywhere).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// The module paths a file's code names: `crate::a::b`, `super::x`, and the
/// items inside `use …::{…}` groups, each resolved to the longest existing
/// module.
fn imports(module: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent: Vec<&str> = {
        let mut p: Vec<&str> = module.split("::").collect();
        p.pop();
        p
    };
    let mut found = BTreeSet::new();
    let bytes: Vec<char> = code.chars().collect();
    let text: String = bytes.iter().collect();
    for (start, prefix) in [("crate::", vec![]), ("super::", parent.clone())] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            // a path: identifiers joined by ::, possibly ending in a { group }
            let rest = &text[from..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut base: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
            base.extend(path.split("::").filter(|s| !s.is_empty()).map(String::from));
            let is_group = rest[path.len()..].starts_with('{');
            // `use crate::a::{b, c::d}` names each item of the group, not `a`
            let mut targets = if is_group { vec![] } else { vec![base.clone()] };
            if is_group {
                let group: String = rest[path.len() + 1..]
                    .chars()
                    .take_while(|c| *c != '}')
                    .collect();
                for item in group.split(',') {
                    let item = item.trim().split(" as ").next().unwrap_or("").trim();
                    if item.is_empty() || item == "self" {
                        continue;
                    }
                    let mut t = base.clone();
                    t.extend(item.split("::").map(String::from));
                    targets.push(t);
                }
            }
            for t in targets {
                for n in (1..=t.len()).rev() {
                    let candidate = t[..n].join("::");
                    if known.contains(&candidate) {
                        if candidate != module {
                            found.insert(candidate);
                        }
                        break;
                    }
                }
            }
        }
    }
    // A parent naming a child module's items (`analyze::run`, `pub use
    // tables::X`): an edge to the child.
    let prefix = format!("{module}::");
    for child in known.iter().filter_map(|k| k.strip_prefix(&prefix)) {
        if child.contains("::") {
            continue;
        }
        let needle = format!("{child}::");
        let mut from = 0;
        while let Some(i) = text[from..].find(&needle) {
            let at = from + i;
            from = at + needle.len();
            let before = text[..at].chars().next_back().unwrap_or(' ');
            if !(before.is_alphanumeric() || before == '_' || before == ':') {
                found.insert(format!("{module}::{child}"));
                break;
            }
        }
        // `use child::{…}` / `pub use child::…` are found the same way.
    }
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&src);
    let known: BTreeSet<String> = mods.keys().cloned().collect();
    mods.iter()
        .map(|(m, p)| {
            let code = code_of(&std::fs::read_to_string(p).unwrap());
            (m.clone(), imports(m, &code, &known))
        })
        .collect()
}

#[test]
fn no_file_imports_a_higher_layer() {
    let g = graph();
    let mut bad = Vec::new();
    for (m, deps) in &g {
        for d in deps {
            if layer(d) > layer(m) {
                bad.push(format!(
                    "{m} (layer {}) imports {d} (layer {})",
                    layer(m),
                    layer(d)
                ));
            }
        }
    }
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

#[test]
fn no_import_cycle_between_files() {
    let g = graph();
    // Tarjan-free check: a depth-first search that reports each back edge.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for d in g.get(m).into_iter().flatten() {
            match state.get(d).copied().unwrap_or(0) {
                0 => visit(d, g, state, stack, cycles),
                1 => {
                    let at = stack.iter().position(|x| x == d).unwrap();
                    let mut c = stack[at..].to_vec();
                    c.push(d.clone());
                    cycles.push(c.join(" → "));
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    let mut cycles = Vec::new();
    for m in g.keys() {
        if state.get(m).copied().unwrap_or(0) == 0 {
            visit(m, &g, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}
