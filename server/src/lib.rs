//! `standin serve`: the HTTP API of the `standin` library.
//!
//! Platforms in any language call Standin the way they call OPA or Cerbos:
//! JSON over HTTP, with per-tenant API keys and scopes ([`auth`]), the
//! OpenID AuthZEN 1.0 evaluation API, an OpenAPI 3.1 document
//! ([`openapi`]), Prometheus metrics ([`metrics`]), health checks and
//! structured logs. The routes are listed once, in [`routes::table`]; the
//! router, the key checks and the document are all made from that table.
//!
//! The library underneath is synchronous and does its own group commit;
//! handlers run its calls on tokio's blocking pool, and concurrent
//! `authorize` calls are fed to its batch path ([`batcher`]), so they share
//! commits and thread hand-offs.
//!
//! Errors are `{"error": {"code", "message"}}` ([`error`]); a deny is never
//! an error (it is a `200` decision, or the `403` of a refused start), and
//! an error is never an allow.

pub mod app;
pub mod auth;
pub mod batcher;
pub mod body;
#[cfg(feature = "client")]
pub mod client;
pub mod config;
pub mod conn;
mod console;
pub mod error;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod reload;
pub mod replies;
pub mod routes;
mod schemas;
pub mod serve;
pub mod telemetry;
pub mod tls;
pub mod webhooks;

pub use app::{AppState, Limits, router};
pub use config::{Config, FileConfig, Overrides};
pub use serve::{ServeError, run, serve, serve_on};
