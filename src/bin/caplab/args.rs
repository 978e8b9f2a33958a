//! A small, strict argument parser: `--flag value` pairs and bare flags, every error one line.

use std::collections::BTreeMap;

pub struct Args {
    values: BTreeMap<String, String>,
    flags: Vec<String>,
    pub positional: Vec<String>,
}

/// Flags that take no value.
const BARE: &[&str] = &["--json", "--help"];

impl Args {
    pub fn parse(raw: &[String], allowed: &[&str]) -> Result<Args, String> {
        let mut args = Args {
            values: BTreeMap::new(),
            flags: Vec::new(),
            positional: Vec::new(),
        };
        let mut it = raw.iter();
        while let Some(a) = it.next() {
            if !a.starts_with("--") {
                args.positional.push(a.clone());
                continue;
            }
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (a.clone(), None),
            };
            if !allowed.contains(&name.as_str()) && !BARE.contains(&name.as_str()) {
                return Err(format!("unknown option '{name}'"));
            }
            if BARE.contains(&name.as_str()) {
                args.flags.push(name);
                continue;
            }
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .ok_or_else(|| format!("option '{name}' needs a value"))?
                    .clone(),
            };
            if args.values.insert(name.clone(), value).is_some() {
                return Err(format!("option '{name}' given twice"));
            }
        }
        Ok(args)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A number option, with a clear error when it is not one.
    pub fn num<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("option '{name}' expects a whole number, got '{v}'")),
        }
    }
}

/// Parses `A..B` (inclusive of A, exclusive of B) or a single seed `A`.
pub fn seed_range(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--seeds expects A..B (e.g. 1..1000), got '{text}'");
    match text.split_once("..") {
        Some((a, b)) => {
            let (a, b): (u64, u64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            if b <= a {
                return Err(format!("--seeds {text} is empty: B must be greater than A"));
            }
            if b - a > 1_000_000 {
                return Err(format!("--seeds {text} is more than 1000000 seeds"));
            }
            Ok((a, b))
        }
        None => {
            let a: u64 = text.parse().map_err(|_| bad())?;
            Ok((a, a + 1))
        }
    }
}
