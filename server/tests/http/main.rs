//! `standin serve` over real HTTP on loopback: one binary, a module per topic.

mod approvals;
mod authzen;
mod authzen_conformance;
mod authzen_profiles;
mod batching;
mod config;
mod console;
mod constrained;
mod documented;
mod edge;
mod errors;
mod fail_closed;
mod hostile;
mod keys;
mod oauth;
mod openapi;
mod ops;
mod outbox;
mod principals;
mod session;
mod ssf;
mod support;
mod tokens;
mod webhooks;
