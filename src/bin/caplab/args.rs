//! A small, strict argument parser: `--flag value` pairs and bare flags, every error one line.

use std::collections::BTreeMap;

use caplab::sim::text::quote;

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
                return Err(format!("unknown option '{}'", quote(&name)));
            }
            if BARE.contains(&name.as_str()) {
                args.flags.push(name);
                continue;
            }
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .ok_or_else(|| format!("option '{}' needs a value", quote(&name)))?
                    .clone(),
            };
            if args.values.insert(name.clone(), value).is_some() {
                return Err(format!("option '{}' given twice", quote(&name)));
            }
        }
        Ok(args)
    }

    /// An error for the first positional argument, for commands that take none.
    pub fn no_positional(&self) -> Result<(), String> {
        match self.positional.first() {
            None => Ok(()),
            Some(a) => Err(unexpected(a)),
        }
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
            Some(v) => v.parse().map(Some).map_err(|_| {
                format!(
                    "option '{name}' expects a whole number in range, got '{}'",
                    quote(v)
                )
            }),
        }
    }
}

/// The error for an argument a command does not take.
pub fn unexpected(arg: &str) -> String {
    format!("unexpected argument '{}' (try `caplab --help`)", quote(arg))
}

/// Seeds `first..=last` of a sweep (inclusive, so that a range may end at `u64::MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seeds {
    pub first: u64,
    pub last: u64,
}

impl Seeds {
    /// How many seeds (at least 1; the parser keeps it at most [`MAX_SEEDS`]).
    pub fn count(self) -> u64 {
        self.last - self.first + 1
    }
}

/// Most seeds one sweep runs.
pub const MAX_SEEDS: u64 = 1_000_000;

/// Parses `A..B` (inclusive of A, exclusive of B) or a single seed `A` (any `u64`, the largest
/// included).
pub fn seed_range(text: &str) -> Result<Seeds, String> {
    let bad = || {
        format!(
            "--seeds expects A..B (e.g. 1..1000) of whole numbers up to {}, got '{}'",
            u64::MAX,
            quote(text)
        )
    };
    match text.split_once("..") {
        Some((a, b)) => {
            let (a, b): (u64, u64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            if b <= a {
                return Err(format!(
                    "--seeds {a}..{b} is empty: B must be greater than A"
                ));
            }
            if b - a > MAX_SEEDS {
                return Err(format!("--seeds {a}..{b} is more than {MAX_SEEDS} seeds"));
            }
            Ok(Seeds {
                first: a,
                last: b - 1,
            })
        }
        None => {
            let a: u64 = text.parse().map_err(|_| bad())?;
            Ok(Seeds { first: a, last: a })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_reach_the_largest_seed_without_overflow() {
        let max = u64::MAX;
        assert_eq!(seed_range(&max.to_string()).unwrap().count(), 1);
        let r = seed_range(&format!("{}..{max}", max - 3)).unwrap();
        assert_eq!((r.first, r.last, r.count()), (max - 3, max - 1, 3));
        for bad in [
            "18446744073709551616",
            "5..5",
            "9..2",
            "0..1000001",
            "a..b",
            "",
        ] {
            assert!(seed_range(bad).is_err(), "{bad} accepted");
        }
    }
}
