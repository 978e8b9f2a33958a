//! Rules of the code that the compiler does not check, over every `src/**/*.rs`:
//! - no function is longer than [`MAX_LINES`] lines, counted from its `fn` line to its closing
//!   brace (Clippy's `too_many_lines` does not see inside Yew `#[function_component]` bodies,
//!   nor does it count `html!` bodies the same way; this count does);
//! - the pure layers (`src/sim/`, and `src/app/` when it exists) name no web crate.
//!
//! The scanner blanks comments and string / char literals first, so braces and names inside
//! them do not count.

use std::fs;
use std::path::{Path, PathBuf};

/// The longest function allowed, in lines.
const MAX_LINES: usize = 70;

/// Web crates, as identifiers (`yew`, `web_sys`, …; also `wasm_bindgen_futures`, `gloo_timers`).
const WEB_CRATES: [&str; 5] = ["web_sys", "js_sys", "wasm_bindgen", "yew", "gloo"];

/// Directories that must build without a browser.
const PURE_DIRS: [&str; 2] = ["src/sim", "src/app"];

/// `text` with every comment and every string, byte-string, raw-string and char literal replaced
/// by spaces (newlines kept, so line numbers hold).
fn blank_literals(text: &str) -> Vec<char> {
    let c: Vec<char> = text.chars().collect();
    let mut out = c.clone();
    let mut i = 0;
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    while i < c.len() {
        let next = c.get(i + 1).copied();
        let end = if c[i] == '/' && next == Some('/') {
            (i..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len())
        } else if c[i] == '/' && next == Some('*') {
            block_comment_end(&c, i)
        } else if c[i] == '"' {
            quoted_end(&c, i, '"')
        } else if c[i] == 'r' && (i == 0 || !is_ident(c[i - 1]) || raw_prefix(&c, i)) {
            raw_string_end(&c, i).unwrap_or(i + 1)
        } else if c[i] == '\'' && next == Some('\\') {
            quoted_end(&c, i, '\'')
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            i + 3
        } else {
            i + 1
        };
        if end > i + 1 {
            for ch in &mut out[i..end.min(c.len())] {
                if *ch != '\n' {
                    *ch = ' ';
                }
            }
        }
        i = end.max(i + 1);
    }
    out
}

/// `r` at `i` is the `r` of `br"…"`.
fn raw_prefix(c: &[char], i: usize) -> bool {
    i >= 1 && c[i - 1] == 'b' && (i == 1 || !(c[i - 2].is_alphanumeric() || c[i - 2] == '_'))
}

/// The index after the block comment opening at `i` (block comments nest).
fn block_comment_end(c: &[char], i: usize) -> usize {
    let (mut depth, mut j) = (0usize, i);
    while j + 1 < c.len() {
        if c[j] == '/' && c[j + 1] == '*' {
            depth += 1;
            j += 2;
        } else if c[j] == '*' && c[j + 1] == '/' {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    c.len()
}

/// The index after the literal opened by `quote` at `i` (backslash escapes skip one char).
fn quoted_end(c: &[char], i: usize, quote: char) -> usize {
    let mut j = i + 1;
    while j < c.len() {
        match c[j] {
            '\\' => j += 2,
            ch if ch == quote => return j + 1,
            _ => j += 1,
        }
    }
    c.len()
}

/// The index after the raw string `r#…"…"#…` starting at `i`, or `None` when `r` starts
/// something else (an identifier, a raw identifier `r#name`).
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let hashes = c[i + 1..].iter().take_while(|ch| **ch == '#').count();
    if c.get(i + 1 + hashes) != Some(&'"') {
        return None;
    }
    let mut j = i + 2 + hashes;
    while j < c.len() {
        if c[j] == '"'
            && c[j + 1..]
                .iter()
                .take(hashes)
                .filter(|ch| **ch == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// One function with a body: its name, the line of its `fn` and its length in lines.
#[derive(Debug, PartialEq)]
struct FnSpan {
    name: String,
    line: usize,
    lines: usize,
}

/// Every `fn name … { … }` in `text` (functions without a body and `fn(…)` types are skipped).
fn functions(text: &str) -> Vec<FnSpan> {
    let c = blank_literals(text);
    // line_of[i]: the line of char i (1-based).
    let line_of: Vec<usize> = c
        .iter()
        .scan(1, |line, ch| {
            let here = *line;
            *line += usize::from(*ch == '\n');
            Some(here)
        })
        .collect();
    let line_at = |i: usize| line_of[i];
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut found = Vec::new();
    for i in 0..c.len().saturating_sub(2) {
        let word = c[i] == 'f' && c[i + 1] == 'n' && c[i + 2].is_whitespace();
        if !word || (i > 0 && is_ident(c[i - 1])) {
            continue;
        }
        let start = (i + 2..c.len()).find(|&j| !c[j].is_whitespace());
        let Some(start) = start.filter(|&j| is_ident(c[j])) else {
            continue;
        };
        let name: String = c[start..].iter().take_while(|ch| is_ident(**ch)).collect();
        if let Some(close) = body_end(&c, start + name.len()) {
            let line = line_at(i);
            found.push(FnSpan {
                name,
                line,
                lines: line_at(close) - line + 1,
            });
        }
    }
    found
}

/// The index of the brace closing the body that follows a signature starting at `from`, or
/// `None` when the signature ends with `;` (no body).
fn body_end(c: &[char], from: usize) -> Option<usize> {
    let mut nesting = 0i32;
    let open = (from..c.len()).find(|&j| {
        match c[j] {
            '(' | '[' => nesting += 1,
            ')' | ']' => nesting -= 1,
            _ => {}
        }
        nesting == 0 && (c[j] == '{' || c[j] == ';')
    })?;
    if c[open] == ';' {
        return None;
    }
    let mut depth = 0usize;
    for (j, ch) in c.iter().enumerate().skip(open) {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// The web crates `text` names outside comments and literals, with their lines.
fn web_names(text: &str) -> Vec<(usize, String)> {
    let c = blank_literals(text);
    let code: String = c.into_iter().collect();
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for word in line.split(|ch: char| !(ch.is_alphanumeric() || ch == '_')) {
            let web = WEB_CRATES
                .iter()
                .any(|w| word == *w || word.starts_with(&format!("{w}_")));
            if web {
                found.push((n + 1, word.to_string()));
            }
        }
    }
    found
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shown(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

#[test]
fn no_function_in_src_is_longer_than_70_lines() {
    let files = rust_files(&root().join("src"));
    assert!(files.len() > 50, "src/ not found: {files:?}");
    let mut long = Vec::new();
    let mut seen = 0;
    for f in &files {
        let text = fs::read_to_string(f).expect("read a source file");
        for s in functions(&text) {
            seen += 1;
            if s.lines > MAX_LINES {
                long.push(format!(
                    "{}:{}:{} ({} lines)",
                    shown(f),
                    s.line,
                    s.name,
                    s.lines
                ));
            }
        }
    }
    assert!(seen > 500, "the scanner found only {seen} functions");
    assert!(
        long.is_empty(),
        "functions over {MAX_LINES} lines (split them):\n{}",
        long.join("\n")
    );
}

#[test]
fn pure_layers_name_no_web_crate() {
    let mut bad = Vec::new();
    for dir in PURE_DIRS {
        for f in rust_files(&root().join(dir)) {
            let text = fs::read_to_string(&f).expect("read a source file");
            for (line, word) in web_names(&text) {
                bad.push(format!("{}:{line}: {word}", shown(&f)));
            }
        }
    }
    assert!(
        rust_files(&root().join("src/sim")).len() > 20,
        "src/sim not found"
    );
    assert!(
        bad.is_empty(),
        "web crates in a pure layer:\n{}",
        bad.join("\n")
    );
}

/// Which layer may not reach which: the core knows nothing above it, the lessons only the core,
/// the page's model nothing of the views (ARCHITECTURE.md, "what each layer may import").
const LAYERS: [(&str, &[&str]); 3] = [
    ("src/sim", &["crate::app", "crate::lessons", "crate::ui"]),
    ("src/lessons", &["crate::app", "crate::ui"]),
    ("src/app", &["crate::ui"]),
];

#[test]
fn layers_import_only_what_is_below_them() {
    let mut bad = Vec::new();
    for (dir, forbidden) in LAYERS {
        let files = rust_files(&root().join(dir));
        assert!(!files.is_empty(), "{dir} not found");
        for f in files {
            let code: String = blank_literals(&fs::read_to_string(&f).expect("read a source file"))
                .into_iter()
                .collect();
            for (n, line) in code.lines().enumerate() {
                for path in forbidden.iter().filter(|p| line.contains(**p)) {
                    bad.push(format!("{}:{}: {path}", shown(&f), n + 1));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "a layer reaches above itself:\n{}",
        bad.join("\n")
    );
}

// ----- the scanner itself -----

/// A function of `body_lines` lines between its `fn` line and its closing brace.
fn long_fn(name: &str, body_lines: usize) -> String {
    let mut s = format!("fn {name}() {{\n");
    for _ in 0..body_lines {
        s.push_str("    let x = 1;\n");
    }
    s.push_str("}\n");
    s
}

#[test]
fn scanner_counts_from_fn_to_closing_brace() {
    let text = ["// fn not_a_fn() {\n", &long_fn("a", 69), &long_fn("b", 68)].concat();
    let spans = functions(&text);
    let want = [("a", 2, 71), ("b", 73, 70)].map(|(n, line, lines)| FnSpan {
        name: n.into(),
        line,
        lines,
    });
    assert_eq!(spans, want);
}

#[test]
fn scanner_ignores_braces_in_literals_and_comments() {
    let text = r####"
fn tricky<'a>(x: &'a str) -> [u8; 2] {
    let _ = "}}}";
    let _ = '}';
    let _ = '\'';
    let _ = b'{';
    let _ = r#"}" }"#;
    let _ = br"}";
    /* } /* nested } */ } */
    // }
    let r#type = 1;
    html! { <div class={"a"}>{ "}" }</div> }
}
trait T { fn no_body(&self); }
type F = fn(u8) -> u8;
fn after() {}
"####;
    let names: Vec<(String, usize, usize)> = functions(text)
        .into_iter()
        .map(|s| (s.name, s.line, s.lines))
        .collect();
    let want = [("tricky", 2, 12), ("after", 16, 1)].map(|(n, l, c)| (n.to_string(), l, c));
    assert_eq!(names, want);
}

#[test]
fn web_check_sees_code_not_comments_or_strings() {
    let text = "// uses yew\nlet s = \"web_sys\";\nuse wasm_bindgen::JsValue;\nlet y = yewish;\n\
                gloo_timers::x();\n";
    let want = [(3, "wasm_bindgen"), (5, "gloo_timers")].map(|(l, w)| (l, w.to_string()));
    assert_eq!(web_names(text), want);
}
