//! One sort for the whole core (issue #16, page size): every sort in `src/sim`, `src/app` and
//! `src/lessons` goes through [`sort_by`], which sorts a list of indices with a single
//! instantiation of the standard unstable sort and then moves the elements into that order.
//! Each `slice::sort_unstable` of another element type costs its own 2–4 KB of wasm.
//!
//! The order is always stable (ties keep their order), so the result is the same as the
//! standard stable sort's: a run's trace does not depend on which sort a build uses.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stable (equal elements keep their order).
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = sorted_indices(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        order
            .into_iter()
            .map(|i| slots[i].take().expect("each index once")),
    );
}

/// Sorts `v` by its own order (stable, so equal elements stay in place).
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

/// Sorts `v` by `key` (stable).
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `0..n` sorted by `cmp`, ties by index: the one instantiation of the standard sort.
#[inline(never)]
fn sorted_indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The shared sort gives exactly what the standard stable sort gives, ties included.
        #[test]
        fn same_as_the_stable_sort(v in proptest::collection::vec((0u8..6, any::<u16>()), 0..60)) {
            let mut ours = v.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std_sorted = v.clone();
            std_sorted.sort_by_key(|p| p.0);
            prop_assert_eq!(ours, std_sorted);
            let mut all = v.clone();
            sort(&mut all);
            let mut std_all = v;
            std_all.sort();
            prop_assert_eq!(all, std_all);
        }
    }
}
