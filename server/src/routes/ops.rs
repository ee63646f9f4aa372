//! Health, readiness, metrics and the OpenAPI document: public, for load
//! balancers, Prometheus and client generators.

use super::{Access, Answer, Route, Spec, json};
use crate::app::AppState;
use crate::error::{ApiError, codes};
use crate::replies::Health;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub(super) fn routes() -> Vec<Route> {
    let spec = |path, operation, summary, answers| Spec {
        method: Method::GET,
        path,
        operation,
        summary,
        tag: "operations",
        slow: false,
        access: Access::Public,
        body: None,
        query: &[],
        answers,
    };
    vec![
        Route::new(
            spec(
                "/healthz",
                "healthz",
                "The process runs.",
                vec![json(200, "running", "Health")],
            ),
            || get(healthz),
        ),
        Route::new(
            spec(
                "/readyz",
                "readyz",
                "The store answers: ready for traffic.",
                vec![
                    json(200, "ready", "Health"),
                    json(503, "the store does not answer", "Error"),
                ],
            ),
            || get(readyz),
        ),
        Route::new(
            spec(
                "/metrics",
                "metrics",
                "Prometheus metrics: decisions, latencies, policy errors and timeouts, the audit writer.",
                vec![Answer {
                    status: 200,
                    description: "the text exposition format",
                    schema: None,
                    media: Some("text/plain; version=0.0.4"),
                }],
            ),
            || get(metrics),
        ),
        Route::new(
            spec(
                "/openapi.json",
                "openapi",
                "This document.",
                vec![Answer {
                    status: 200,
                    description: "the OpenAPI 3.1 document",
                    schema: None,
                    media: Some("application/json"),
                }],
            ),
            || get(openapi),
        ),
        Route::new(
            spec(
                "/v1/settings-schema",
                "settingsSchema",
                "The JSON Schema (2020-12) of the default policy's settings: each field's type, default, \
                 description and the rule ids it drives (`x-standin-rules`); what the console's settings form \
                 is made from.",
                vec![Answer {
                    status: 200,
                    description: "the schema (also docs/settings.schema.json)",
                    schema: None,
                    media: Some("application/json"),
                }],
            ),
            || get(settings_schema),
        ),
    ]
}

async fn healthz() -> Response {
    let up = crate::app::started().elapsed().as_secs();
    axum::Json(Health {
        status: "ok",
        uptime_seconds: Some(up),
    })
    .into_response()
}

async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    let answered = state.run(|s| Ok(s.store().next_deadline().is_ok())).await?;
    if answered {
        Ok(axum::Json(Health {
            status: "ready",
            uptime_seconds: None,
        })
        .into_response())
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::UNAVAILABLE,
            "the store does not answer",
        ))
    }
}

async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let metrics = state.metrics.clone();
    let text = state.run(move |s| Ok(metrics.render(s))).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response())
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_text(),
    )
        .into_response()
}

async fn settings_schema() -> Response {
    axum::Json(standin_default_policy::schema::settings_schema()).into_response()
}
