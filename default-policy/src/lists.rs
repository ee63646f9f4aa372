//! Lists that many tenants' settings hold alike, kept once.
//!
//! One instance holds the prepared settings of every tenant on the
//! built-in policy (`standin:policy@0.7.0`): up to millions. Their lists
//! are few: most tenants leave most lists at a preset's defaults (the
//! patterns of read, forbidden and reserved actions, the empty lists), and
//! those they set mostly name the same few roles (`super_admin`,
//! `support`). So every list is *interned*: a list equal to one that
//! another tenant's settings in this instance already hold is that list's
//! own allocation. A tenant's settings cost their struct and the lists no
//! other tenant holds, and a decision on one tenant of a million reads
//! lists that other tenants' decisions keep in cache: with a list each, a
//! start read two lists of its own (the impersonator roles and the role
//! levels), each a cache miss and one more per string in it.
//!
//! Sharing is by content only: a list is immutable once made, and a
//! decision depends on what a list says, never on where it lies.
//!
//! The presets' lists are held for good. Any other list is held by the
//! settings that name it, and the table keeps a weak handle: a list that
//! no settings hold any longer is forgotten when the table next sweeps
//! (when it is three quarters full), so the table stays within four
//! entries (16 bytes each on wasm32) per list alive.
//!
//! Measured with 1,000,000 tenants of distinct settings in one instance
//! (`cargo bench -p standin --bench million`): see BENCHMARKS.md.

use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};
use standin_policy_sdk::Pattern;

/// A list of the settings: shared by every tenant that holds it alike.
pub type List<T> = Arc<[T]>;

/// The lists of the presets' defaults, held for good, and every other list
/// the settings of this instance hold, interned.
#[derive(Debug)]
pub struct Known {
    strings: Interned<String>,
    patterns: Interned<Pattern>,
    levels: Interned<(String, u32)>,
}

/// The table, made on first use (the settings know the presets; this
/// module only keeps what they give it). A spin lock: settings are
/// prepared one at a time in a component instance (wasm32 here has no
/// threads), and natively only tests prepare settings on several threads.
static KNOWN: Table = Table {
    busy: AtomicBool::new(false),
    known: UnsafeCell::new(None),
};

struct Table {
    busy: AtomicBool,
    known: UnsafeCell<Option<Known>>,
}

// SAFETY: `known` is only reached while `busy` is held (`with_known`).
unsafe impl Sync for Table {}

/// Runs `f` on the table, made by `make` the first time.
pub fn with_known<R>(make: impl FnOnce() -> Known, f: impl FnOnce(&mut Known) -> R) -> R {
    while KNOWN
        .busy
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        core::hint::spin_loop();
    }
    /// Frees the lock when `f` returns or unwinds.
    struct Unlock;
    impl Drop for Unlock {
        fn drop(&mut self) {
            KNOWN.busy.store(false, Ordering::Release);
        }
    }
    let _unlock = Unlock;
    // SAFETY: `busy` is held until `_unlock` drops, after the last use.
    let known = unsafe { &mut *KNOWN.known.get() };
    f(known.get_or_insert_with(make))
}

impl Known {
    /// The presets' lists of names and of patterns (duplicates kept once).
    pub fn new(names: Vec<Vec<String>>, patterns: Vec<Vec<Pattern>>) -> Self {
        Self {
            strings: Interned::new(names),
            patterns: Interned::new(patterns),
            levels: Interned::new(Vec::new()),
        }
    }

    /// `list`, as the list already held that it equals when there is one.
    pub fn strings(&mut self, list: Vec<String>) -> List<String> {
        self.strings.intern(list, |l| hash(l.iter().map(String::as_bytes)))
    }

    /// `list`, as the list already held that it equals when there is one.
    pub fn patterns(&mut self, list: Vec<Pattern>) -> List<Pattern> {
        self.patterns
            .intern(list, |l| hash(l.iter().map(|p| p.as_str().as_bytes())))
    }

    /// `levels`, as the list already held that it equals when there is one
    /// (hashed by its roles: lists that differ only by a level share a
    /// bucket, and are told apart there).
    pub fn levels(&mut self, levels: Vec<(String, u32)>) -> List<(String, u32)> {
        self.levels
            .intern(levels, |l| hash(l.iter().map(|(role, _)| role.as_bytes())))
    }

    /// How many lists the table knows of (some perhaps no longer held).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.strings.len() + self.patterns.len() + self.levels.len()
    }
}

/// The lists of one kind.
#[derive(Debug)]
struct Interned<T> {
    /// Held for good: the presets' lists, and the empty list.
    kept: Vec<List<T>>,
    /// The others, by the hash of their content: an open-addressing table
    /// (linear probing; a power of two long, or empty), so that preparing
    /// a tenant's settings looks a list up in one or two cache lines even
    /// with a million lists held.
    table: Vec<Option<(u64, Weak<[T]>)>>,
    /// Entries in `table`, alive or not.
    count: usize,
}

impl<T: PartialEq> Interned<T> {
    fn new(lists: Vec<Vec<T>>) -> Self {
        let mut kept: Vec<List<T>> = Vec::new();
        for list in lists.into_iter().chain([Vec::new()]) {
            if !kept.iter().any(|k| **k == *list) {
                kept.push(list.into());
            }
        }
        Self {
            kept,
            table: Vec::new(),
            count: 0,
        }
    }

    /// `list` as the list held that equals it, else as a new one; `hash`
    /// is only asked for a list that is not a preset's.
    fn intern(&mut self, list: Vec<T>, hash: impl FnOnce(&[T]) -> u64) -> List<T> {
        if let Some(k) = self.kept.iter().find(|k| ***k == *list) {
            return k.clone();
        }
        let hash = hash(&list);
        let mask = self.table.len().wrapping_sub(1);
        let mut at = spread(hash) & mask;
        while let Some(Some((h, held))) = self.table.get(at) {
            // The hash first: only an entry of the same hash is upgraded
            // (an atomic update) and compared.
            if *h == hash
                && let Some(held) = held.upgrade().filter(|held| **held == *list)
            {
                return held;
            }
            at = (at + 1) & mask;
        }
        let list: List<T> = list.into();
        if (self.count + 1) * 4 > self.table.len() * 3 {
            self.sweep();
        }
        self.insert(hash, Arc::downgrade(&list));
        list
    }

    fn insert(&mut self, hash: u64, list: Weak<[T]>) {
        let mask = self.table.len() - 1;
        let mut at = spread(hash) & mask;
        while self.table[at].is_some() {
            at = (at + 1) & mask;
        }
        self.table[at] = Some((hash, list));
        self.count += 1;
    }

    /// Forgets the lists no settings hold any longer, in a table twice as
    /// long as those left (at least 64): it fills to three quarters before
    /// the next sweep, so a sweep is paid for by the inserts before it.
    fn sweep(&mut self) {
        let live: Vec<(u64, Weak<[T]>)> = core::mem::take(&mut self.table)
            .into_iter()
            .flatten()
            .filter(|(_, w)| w.strong_count() > 0)
            .collect();
        self.table = (0..((live.len() + 1) * 2).next_power_of_two().max(64))
            .map(|_| None)
            .collect();
        self.count = 0;
        for (hash, list) in live {
            self.insert(hash, list);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.count
    }
}

/// A table index from a hash: its high bits folded into the low ones.
fn spread(hash: u64) -> usize {
    (hash ^ (hash >> 32))
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(32) as usize
}

/// How many lists the table knows of, once made (some perhaps no longer held).
#[cfg(test)]
fn held() -> usize {
    with_known(|| Known::new(Vec::new(), Vec::new()), |k| k.len())
}

/// FNV-1a over the items, each followed by its length (so that `["ab"]`
/// and `["a", "b"]` differ).
fn hash<'a>(items: impl Iterator<Item = &'a [u8]>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |byte: u8| {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    for item in items {
        item.iter().for_each(|&b| eat(b));
        item.len().to_le_bytes().iter().for_each(|&b| eat(b));
    }
    h
}

#[cfg(test)]
mod tests {
    use crate::Settings;
    use alloc::sync::Arc;
    use alloc::vec::Vec;

    #[test]
    fn lists_left_at_a_default_are_one_allocation_for_every_tenant() {
        let a = Settings::parse(r#"{"approver_roles": ["approver-a"]}"#).expect("a");
        let b = Settings::parse(r#"{"approver_roles": ["approver-b"], "preset": "strict"}"#).expect("b");
        assert!(Arc::ptr_eq(&a.read_actions, &b.read_actions));
        assert!(Arc::ptr_eq(&a.forbidden_actions, &b.forbidden_actions));
        assert!(Arc::ptr_eq(&a.role_levels, &b.role_levels));
        assert!(Arc::ptr_eq(&a.required_consents, &b.scoped_roles), "empty lists too");
        // A tenant's own list is its own, and reads as given.
        assert!(!Arc::ptr_eq(&a.approver_roles, &b.approver_roles));
        assert_eq!(&*b.approver_roles, ["approver-b"]);
        let strict = Settings::parse(r#"{"preset": "strict"}"#).expect("strict");
        let c = Settings::parse(r#"{"approver_roles": ["super_admin"]}"#).expect("c");
        assert!(
            Arc::ptr_eq(&strict.approver_roles, &c.approver_roles),
            "the strict preset's list"
        );
    }

    #[test]
    fn lists_that_tenants_set_alike_are_one_allocation() {
        let settings = |i: usize| {
            Settings::parse(&alloc::format!(
                r#"{{"impersonator_roles": ["super_admin", "support-{}"], "role_levels": {{"super_admin": 100, "employee": 10}},
                    "read_actions": ["list.*", "view-{}"]}}"#,
                i % 2,
                i % 2
            ))
            .expect("settings")
        };
        let (a, b, c) = (settings(0), settings(2), settings(1));
        assert!(Arc::ptr_eq(&a.impersonator_roles, &b.impersonator_roles));
        assert!(Arc::ptr_eq(&a.role_levels, &b.role_levels));
        assert!(Arc::ptr_eq(&a.read_actions, &b.read_actions));
        // Equal content only: another role is another list.
        assert!(!Arc::ptr_eq(&a.impersonator_roles, &c.impersonator_roles));
        assert!(!Arc::ptr_eq(&a.read_actions, &c.read_actions));
        assert_eq!(&*c.impersonator_roles, ["super_admin", "support-1"]);
        assert_eq!(*c.role_levels, [("employee".into(), 10), ("super_admin".into(), 100)]);
        // Levels differ by their numbers too.
        let d = Settings::parse(r#"{"role_levels": {"super_admin": 99, "employee": 10}}"#).expect("d");
        assert!(!Arc::ptr_eq(&a.role_levels, &d.role_levels));
        assert_eq!(d.role_levels[1], ("super_admin".into(), 99));
    }

    #[test]
    fn lists_no_settings_hold_are_forgotten() {
        // Lists of names no other test uses, made and dropped in turn.
        let kept: Vec<Settings> = (0..10)
            .map(|i| Settings::parse(&alloc::format!(r#"{{"approver_roles": ["kept-{i}"]}}"#)).expect("kept"))
            .collect();
        let before = super::held();
        for i in 0..10_000 {
            let s = Settings::parse(&alloc::format!(r#"{{"approver_roles": ["gone-{i}"]}}"#)).expect("gone");
            assert_eq!(&*s.approver_roles, [alloc::format!("gone-{i}")]);
        }
        let after = super::held();
        // Other tests run alongside and intern their own lists; 10,000
        // dropped lists are not all still there.
        assert!(after < before + 1_000, "{before} -> {after}");
        for (i, s) in kept.iter().enumerate() {
            let again = Settings::parse(&alloc::format!(r#"{{"approver_roles": ["kept-{i}"]}}"#)).expect("again");
            assert!(
                Arc::ptr_eq(&s.approver_roles, &again.approver_roles),
                "a list held stays known"
            );
        }
    }
}
