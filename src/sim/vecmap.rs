//! A map kept as a `Vec` sorted by key (issue #16, page size): for a node's few requests in
//! progress, hints and replies. It iterates in key order, as the `BTreeMap` it replaces did, so
//! runs are unchanged; each `BTreeMap` key/value type brought 5–7 KB of B-tree code to the wasm.

/// Entries sorted by key, each key once. Lookups are binary searches; inserting or removing
/// moves the entries after it (cheap for the handful a node holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap(Vec::new())
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub fn new() -> Self {
        VecMap(Vec::new())
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }

    /// The value of `key`, inserted as `V::default()` first if it had none.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, V::default()));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }
}

impl<K, V> VecMap<K, V> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + Clone {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> + Clone {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> + Clone {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Same answers and the same order as the `BTreeMap` it replaces.
        #[test]
        fn agrees_with_a_btreemap(ops in proptest::collection::vec((any::<bool>(), 0u8..12, any::<u16>()), 0..80)) {
            let mut ours = VecMap::new();
            let mut model = BTreeMap::new();
            for (put, k, v) in ops {
                if put {
                    prop_assert_eq!(ours.insert(k, v), model.insert(k, v));
                } else {
                    prop_assert_eq!(ours.remove(&k), model.remove(&k));
                }
                prop_assert_eq!(ours.get(&k), model.get(&k));
            }
            prop_assert_eq!(ours.len(), model.len());
            let a: Vec<(u8, u16)> = ours.into_iter().collect();
            let b: Vec<(u8, u16)> = model.into_iter().collect();
            prop_assert_eq!(a, b);
        }
    }
}
