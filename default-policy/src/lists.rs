//! Lists that many tenants' settings hold alike, kept once.
//!
//! One instance holds the prepared settings of every tenant on the
//! built-in policy (`standin:policy@0.7.0`): up to millions. Most tenants
//! leave most lists at a preset's defaults (the patterns of read,
//! forbidden and reserved actions, the empty lists). A list equal to one
//! of those is that default's own allocation, so a tenant's settings cost
//! their struct and the lists that are its own, and the shared lists stay
//! in cache whichever tenant asks.
//!
//! Measured with 1,000,000 tenants of distinct settings in one instance
//! (`cargo bench -p standin --bench million`): see BENCHMARKS.md.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicPtr, Ordering};
use standin_policy_sdk::Pattern;

/// A list of the settings: shared by every tenant that holds it alike.
pub type List<T> = Arc<[T]>;

/// The lists of the presets' defaults, each kept once.
#[derive(Debug)]
pub struct Known {
    strings: Vec<List<String>>,
    patterns: Vec<List<Pattern>>,
    levels: List<(String, u32)>,
}

static KNOWN: AtomicPtr<Known> = AtomicPtr::new(core::ptr::null_mut());

/// The known lists, made by `make` the first time (the settings know the
/// presets; this module only keeps what they give it).
pub fn known(make: impl FnOnce() -> Known) -> &'static Known {
    let ptr = KNOWN.load(Ordering::Acquire);
    if !ptr.is_null() {
        // SAFETY: set once below from a leaked box, never freed.
        return unsafe { &*ptr };
    }
    let made = Box::into_raw(Box::new(make()));
    match KNOWN.compare_exchange(core::ptr::null_mut(), made, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: as above; `made` is leaked on purpose.
        Ok(_) => unsafe { &*made },
        Err(other) => {
            // SAFETY: `made` lost the race and was never shared.
            drop(unsafe { Box::from_raw(made) });
            // SAFETY: as above.
            unsafe { &*other }
        }
    }
}

impl Known {
    /// The presets' lists of names and of patterns (duplicates kept once).
    pub fn new(names: Vec<Vec<String>>, patterns: Vec<Vec<Pattern>>) -> Self {
        let mut known = Self {
            strings: Vec::new(),
            patterns: Vec::new(),
            levels: Vec::new().into(),
        };
        for list in names.into_iter().chain([Vec::new()]) {
            if !known.strings.iter().any(|k| **k == *list) {
                known.strings.push(list.into());
            }
        }
        for list in patterns.into_iter().chain([Vec::new()]) {
            if !known.patterns.iter().any(|k| **k == *list) {
                known.patterns.push(list.into());
            }
        }
        known
    }

    /// `list`, as the preset's default it equals when it does.
    pub fn strings(&self, list: Vec<String>) -> List<String> {
        match self.strings.iter().find(|k| ***k == *list) {
            Some(k) => k.clone(),
            None => list.into(),
        }
    }

    /// `list`, as the preset's default it equals when it does.
    pub fn patterns(&self, list: Vec<Pattern>) -> List<Pattern> {
        match self.patterns.iter().find(|k| ***k == *list) {
            Some(k) => k.clone(),
            None => list.into(),
        }
    }

    /// `levels`, as the shared empty list when empty.
    pub fn levels(&self, levels: Vec<(String, u32)>) -> List<(String, u32)> {
        if levels.is_empty() {
            self.levels.clone()
        } else {
            levels.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Settings;
    use alloc::sync::Arc;

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
}
