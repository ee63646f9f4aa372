//! An instance of the current version of the package, its exports looked
//! up when first called.
//!
//! **Why.** The world `bindgen!` makes looks up and type-checks every
//! export when an instance is made: twelve exports, about 20,000
//! instructions, a third of a decision on a fresh pooled instance
//! (callgrind, BENCHMARKS.md), which calls one or two of them. Here every
//! export is found and type-checked once per component, at load
//! ([`Indices::new`]: a component with an export of another type never
//! loads), and an instance looks an export up on its first call and keeps
//! it for the next ones: a fresh instance pays for what it calls, a warm
//! one once per export.

use super::wit;
use crate::sandbox::Limiter;
use std::cell::OnceCell;
use wasmtime::Store;
use wasmtime::component::{
    ComponentExportIndex, ComponentNamedList, Func, Instance, InstancePre, Lift, Lower, TypedFunc,
};

/// The interface the host calls, as the bindings name it.
const INTERFACE: &str = "standin:policy/policy@0.7.0";

/// The exports, in [`Export`]'s order.
const NAMES: [&str; 12] = [
    "describe",
    "configure",
    "prepare",
    "select",
    "release",
    "evaluate-start",
    "evaluate-action",
    "evaluate-approval",
    "evaluate-actions",
    "evaluate-question",
    "settings-schema",
    "search",
];

/// An export; its value indexes [`NAMES`].
#[derive(Debug, Clone, Copy)]
enum Export {
    Describe,
    Configure,
    Prepare,
    Select,
    Release,
    EvaluateStart,
    EvaluateAction,
    EvaluateApproval,
    EvaluateActions,
    EvaluateQuestion,
    SettingsSchema,
    Search,
}

/// Where each export is in a component, found and type-checked once per
/// component.
#[derive(Debug)]
pub(crate) struct Indices([ComponentExportIndex; 12]);

impl Indices {
    pub(crate) fn new(pre: &InstancePre<Limiter>) -> wasmtime::Result<Self> {
        let component = pre.component();
        let interface = component
            .get_export_index(None, INTERFACE)
            .ok_or_else(|| wasmtime::format_err!("no export `{INTERFACE}`"))?;
        let checker = Checker { pre, interface };
        Ok(Self(check_all(&checker)?))
    }
}

/// What an export's type is checked against.
struct Checker<'a> {
    pre: &'a InstancePre<Limiter>,
    interface: ComponentExportIndex,
}

impl Checker<'_> {
    /// Where `export` is, once its type is checked as `(P, R)`.
    fn check<P, R>(&self, export: Export) -> wasmtime::Result<ComponentExportIndex>
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        let name = NAMES[export as usize];
        match self.pre.component().get_export(Some(&self.interface), name) {
            Some((wasmtime::component::types::ComponentItem::ComponentFunc(f), index)) => {
                f.typecheck::<P, R>(&self.pre.instance_type())
                    .map_err(|e| e.context(format!("type-checking export func `{name}`")))?;
                Ok(index)
            }
            Some(_) => Err(wasmtime::format_err!("export `{name}` is not a function")),
            None => Err(wasmtime::format_err!("no export `{INTERFACE}#{name}`")),
        }
    }
}

/// A call's results, as its method answers them: the one value, or nothing.
pub(crate) trait Results {
    type Out;
    fn out(self) -> Self::Out;
}

impl<T> Results for (T,) {
    type Out = T;
    fn out(self) -> T {
        self.0
    }
}

impl Results for () {
    type Out = ();
    fn out(self) {}
}

/// An instance of the current version.
pub(crate) struct Current {
    instance: Instance,
    indices: std::sync::Arc<Indices>,
    funcs: [OnceCell<Func>; 12],
}

type Call<T> = wasmtime::Result<T>;

impl Current {
    pub(crate) fn instantiate(
        pre: &InstancePre<Limiter>,
        indices: &std::sync::Arc<Indices>,
        store: &mut Store<Limiter>,
    ) -> Call<Self> {
        Ok(Self {
            instance: pre.instantiate(store)?,
            indices: indices.clone(),
            funcs: Default::default(),
        })
    }

    /// Calls `export` with `params`: only from the methods [`exports!`]
    /// makes, each with the `(P, R)` [`Indices::new`] checked it as.
    fn call<P, R>(&self, s: &mut Store<Limiter>, export: Export, params: P) -> Call<R::Out>
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift + Results,
    {
        let slot = &self.funcs[export as usize];
        let func = match slot.get() {
            Some(f) => *f,
            None => {
                let f = self
                    .instance
                    .get_func(&mut *s, self.indices.0[export as usize])
                    .ok_or_else(|| wasmtime::format_err!("`{}` is not a function", NAMES[export as usize]))?;
                *slot.get_or_init(|| f)
            }
        };
        // SAFETY: the component's `export` was type-checked as `(P, R)` when
        // its indices were made (`Indices::new`, from the same declaration
        // in `exports!` as this call).
        let typed = unsafe { TypedFunc::<P, R>::new_unchecked(func) };
        typed.call(s, params).map(Results::out)
    }
}

/// Each export once: its [`Export`], the method that calls it, its
/// parameters and its result. Makes the type checks of [`Indices::new`]
/// and the methods of [`Current`] from the same types.
macro_rules! exports {
    ($($export:ident $method:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)?;)*) => {
        fn check_all(c: &Checker<'_>) -> wasmtime::Result<[ComponentExportIndex; 12]> {
            Ok([$(c.check::<($($ty,)*), ($($ret,)?)>(Export::$export)?),*])
        }

        impl Current {
            $(
                pub(crate) fn $method(
                    &self,
                    s: &mut Store<Limiter>,
                    $($arg: $ty),*
                ) -> Call<<($($ret,)?) as Results>::Out> {
                    self.call::<($($ty,)*), ($($ret,)?)>(s, Export::$export, ($($arg,)*))
                }
            )*
        }
    };
}

exports! {
    Describe describe() -> wit::PolicyInfo;
    Configure configure(settings: &str) -> Result<(), Vec<String>>;
    Prepare prepare(settings: &str) -> Result<u32, Vec<String>>;
    Select select(handle: u32);
    Release release(handle: u32);
    EvaluateStart evaluate_start(text: &str, words: &[u64]) -> wit::StartDecision;
    EvaluateAction evaluate_action(text: &str, words: &[u64]) -> wit::ActionDecision;
    EvaluateApproval evaluate_approval(text: &str, words: &[u64]) -> wit::ApprovalDecision;
    EvaluateActions evaluate_actions(text: &str, words: &[u64], actions: &[u64]) -> Vec<wit::ActionDecision>;
    EvaluateQuestion evaluate_question(question: &wit::Question) -> Option<wit::GenericDecision>;
    SettingsSchema settings_schema() -> Option<String>;
    Search search(kind: wit::SearchKind, question: &wit::Question) -> Option<Vec<String>>;
}
