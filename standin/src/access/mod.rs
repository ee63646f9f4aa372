//! Who may call, and as whom: API keys of `standin serve` (`api_keys`),
//! the impersonation tokens a session hands to the platform and their
//! introspection (`tokens`), where a session's `return_to` may point
//! (`origins`), which action a gateway's request is (`routes`), and the
//! identity providers whose tokens a token exchange takes (`issuers`,
//! `exchange`). Each row a database writer could forge carries the host
//! key's tag (see [`Integrity`](crate::store::Integrity)).

mod api_keys;
mod exchange;
mod issuers;
mod origins;
mod routes;
mod tokens;

pub use api_keys::{ApiKey, KEY_PREFIX, KeyError, MAX_KEY_NAME_BYTES, NewApiKey, Scope, key_hash};
pub use exchange::{Exchange, Exchanged};
pub use issuers::{
    ClaimMap, IssuerError, JwtRefusal, LEEWAY_SECONDS, MAX_ISSUER_KEYS, MAX_ISSUERS, TrustedIssuer, TrustedIssuers,
    Verified,
};
pub use origins::{MAX_RETURN_TO_BYTES, origin_of};
pub use routes::{
    AmbiguousPath, Gate, MAX_ROUTES, NO_ROUTE, Route, RouteError, RouteTable, Tokenless, UNROUTED_ACTION,
    is_impersonation_token,
};
pub use tokens::{Actor, Claims, ISSUER, Introspection, TokenError, TokenKeys};

/// API keys, impersonation tokens and `return_to` origins; from [`Standin::access`](crate::Standin::access).
#[derive(Debug, Clone, Copy)]
pub struct Access<'a>(pub(crate) &'a crate::Standin);

impl std::ops::Deref for Access<'_> {
    type Target = crate::Standin;

    fn deref(&self) -> &crate::Standin {
        self.0
    }
}
