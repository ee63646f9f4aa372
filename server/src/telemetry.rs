//! OpenTelemetry traces: a request followed from the platform's span into
//! the key check, the policy's resolution and call, and the audit commit.
//!
//! Why spans are made here, with OpenTelemetry's API, rather than by a
//! `tracing` layer: the library answers on other threads (the blocking
//! pool, the batch threads) and decides many requests in one call, so it
//! records the phases of a call ([`standin::trace`]) and this module makes
//! them children of the request's span, with their own start and end
//! times. With tracing off (no endpoint) there is no tracer: a request
//! costs a header lookup and a trace id for its log lines; with sampling
//! off for a request, nothing is recorded for it either.
//!
//! What a span says is limited to names, codes, versions, digests, counts
//! and times: no key, token, path parameter value but the tenant, or reason
//! text ever becomes an attribute.
//!
//! The standard `OTEL_*` variables are the SDK's: `OTEL_SERVICE_NAME`,
//! `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` (+`_ARG`),
//! `OTEL_EXPORTER_OTLP_ENDPOINT`, `..._TRACES_ENDPOINT`, `..._HEADERS`,
//! `..._TIMEOUT`, `OTEL_BSP_*`; `OTEL_SDK_DISABLED=true` or
//! `OTEL_TRACES_EXPORTER=none` turns tracing off.

use arc_swap::ArcSwap;
use axum::http::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::{
    Span as _, SpanKind, Status, TraceContextExt as _, TraceId, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{IdGenerator as _, RandomIdGenerator, Sampler, SamplingResult, ShouldSample};
use opentelemetry_sdk::trace::{SdkTracerProvider, Tracer};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// Where spans go and how many are kept (`[tracing]` in the settings file).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracingSettings {
    /// The collector's OTLP/HTTP base URL (`http://collector:4318`);
    /// spans go to its `/v1/traces`. Unset: `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// (or `..._TRACES_ENDPOINT`) if set, else tracing is off.
    pub otlp_endpoint: Option<String>,
    /// The share of new traces kept, 0.0 to 1.0; a request with a
    /// `traceparent` follows its caller's choice. Unset:
    /// `OTEL_TRACES_SAMPLER`, else every trace.
    pub sample_ratio: Option<f64>,
}

/// Why tracing could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TelemetryError {
    #[error("sample_ratio must be between 0.0 and 1.0, not {0}")]
    Ratio(f64),
    #[error("the OTLP exporter cannot be built: {0}")]
    Exporter(String),
    #[error(
        "`{0}`: spans are exported over plain http:// (a collector beside the server); this build has no TLS client"
    )]
    Https(String),
}

impl TracingSettings {
    /// Refuses a ratio outside 0..=1.
    pub fn check(&self) -> Result<(), TelemetryError> {
        if let Some(r) = self.sample_ratio.filter(|r| !(0.0..=1.0).contains(r)) {
            return Err(TelemetryError::Ratio(r));
        }
        let env = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"].map(|v| std::env::var(v).ok());
        let named = self.otlp_endpoint.iter().chain(env.iter().flatten());
        match named
            .into_iter()
            .find(|url| url.trim().to_ascii_lowercase().starts_with("https:"))
        {
            Some(url) => Err(TelemetryError::Https(url.clone())),
            None => Ok(()),
        }
    }

    /// The spans' destination: the setting, else the environment's; `None`
    /// when tracing is off.
    fn endpoint(&self) -> Option<Endpoint> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if var("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || var("OTEL_TRACES_EXPORTER").is_some_and(|v| v.eq_ignore_ascii_case("none"))
        {
            return None;
        }
        match &self.otlp_endpoint {
            Some(base) => Some(Endpoint::Given(traces_url(base))),
            None if var("OTEL_EXPORTER_OTLP_ENDPOINT").is_some()
                || var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").is_some() =>
            {
                Some(Endpoint::FromEnvironment)
            }
            None => None,
        }
    }

    fn sampler(&self) -> Box<dyn ShouldSample> {
        match self.sample_ratio {
            Some(r) => Box::new(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(r)))),
            // The SDK's reading of `OTEL_TRACES_SAMPLER`.
            None => opentelemetry_sdk::trace::Config::default().sampler,
        }
    }
}

enum Endpoint {
    Given(String),
    FromEnvironment,
}

/// `base/v1/traces`, as the exporter derives it from
/// `OTEL_EXPORTER_OTLP_ENDPOINT`.
fn traces_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    match base.ends_with("/v1/traces") {
        true => base.to_string(),
        false => format!("{base}/v1/traces"),
    }
}

/// The sampler a SIGHUP can replace.
#[derive(Debug, Clone)]
struct Sampling(Arc<ArcSwap<Box<dyn ShouldSample>>>);

impl ShouldSample for Sampling {
    fn should_sample(
        &self,
        parent: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[opentelemetry::trace::Link],
    ) -> SamplingResult {
        self.0
            .load()
            .should_sample(parent, trace_id, name, kind, attributes, links)
    }
}

/// The process's tracing: off, or a tracer exporting over OTLP/HTTP.
#[derive(Debug, Clone, Default)]
pub struct Telemetry {
    on: Option<Arc<On>>,
}

#[derive(Debug)]
struct On {
    provider: SdkTracerProvider,
    tracer: Tracer,
    sampling: Sampling,
}

impl Telemetry {
    /// No tracing: requests still get a trace id for their log lines.
    pub fn off() -> Self {
        Self::default()
    }

    /// Starts exporting when `settings` or the environment name an
    /// endpoint; otherwise [`Telemetry::off`]. Call it outside an async
    /// runtime (the exporter's client has its own).
    pub fn start(settings: &TracingSettings) -> Result<Self, TelemetryError> {
        use opentelemetry_otlp::WithExportConfig as _;
        settings.check()?;
        let Some(endpoint) = settings.endpoint() else {
            return Ok(Self::off());
        };
        let mut exporter = opentelemetry_otlp::SpanExporter::builder().with_http();
        if let Endpoint::Given(url) = endpoint {
            exporter = exporter.with_endpoint(url);
        }
        let exporter = exporter.build().map_err(|e| TelemetryError::Exporter(e.to_string()))?;
        let sampling = Sampling(Arc::new(ArcSwap::from_pointee(settings.sampler())));
        let mut resource = opentelemetry_sdk::Resource::builder();
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name("standin");
        }
        let resource = resource
            .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(sampling.clone())
            .with_resource(resource)
            .build();
        let tracer = provider.tracer("standin");
        Ok(Self {
            on: Some(Arc::new(On {
                provider,
                tracer,
                sampling,
            })),
        })
    }

    /// Whether spans are exported.
    pub fn is_on(&self) -> bool {
        self.on.is_some()
    }

    /// Replaces the sampler (a SIGHUP's new settings); the endpoint stays.
    pub fn resample(&self, settings: &TracingSettings) {
        if let Some(on) = &self.on {
            on.sampling.0.store(Arc::new(settings.sampler()));
        }
    }

    /// Exports what is queued and stops (at shutdown).
    pub fn shutdown(&self) {
        if let Some(on) = &self.on
            && let Err(e) = on.provider.shutdown()
        {
            tracing::warn!(error = %e, "the last spans could not be exported");
        }
    }

    /// A webhook or SSF delivery attempt's span: a root span of its own
    /// (deliveries run apart from the requests that made their events),
    /// sampled as new traces are.
    pub(crate) fn delivery(&self, start: SystemTime, end: SystemTime, attributes: Vec<KeyValue>) {
        let Some(on) = &self.on else { return };
        let mut span = on
            .tracer
            .span_builder("webhook.deliver")
            .with_kind(SpanKind::Client)
            .with_start_time(start)
            .with_attributes(attributes)
            .start(&on.tracer);
        span.end_with_timestamp(end);
    }

    /// The span of one request, child of its `traceparent` if it has one.
    pub(crate) fn begin(&self, headers: &HeaderMap, method: &str, route: &str) -> RequestTrace {
        let parent = TraceContextPropagator::new().extract(&Headers(headers));
        let anchor = (Instant::now(), SystemTime::now());
        let Some(on) = &self.on else {
            let given = parent.span().span_context().trace_id();
            let trace_id = match given == TraceId::INVALID {
                true => RandomIdGenerator::default().new_trace_id(),
                false => given,
            };
            return RequestTrace {
                span: None,
                trace_id,
                anchor,
            };
        };
        let name = match route.is_empty() {
            true => method.to_string(),
            false => format!("{method} {route}"),
        };
        let mut attributes = vec![KeyValue::new("http.request.method", method.to_string())];
        if !route.is_empty() {
            attributes.push(KeyValue::new("http.route", route.to_string()));
        }
        let span = on
            .tracer
            .span_builder(name)
            .with_kind(SpanKind::Server)
            .with_start_time(anchor.1)
            .with_attributes(attributes)
            .start_with_context(&on.tracer, &parent);
        let cx = parent.with_span(span);
        let trace_id = cx.span().span_context().trace_id();
        let sampled = cx.span().span_context().is_sampled();
        RequestTrace {
            span: Some(Traced {
                cx,
                tracer: on.tracer.clone(),
                sampled,
            }),
            trace_id,
            anchor,
        }
    }
}

/// Reads `traceparent` and `tracestate` from a request's headers.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// One request's trace: its id (for the log lines) and, with tracing on,
/// its span, to which the phases of its work are added as children.
#[derive(Debug)]
pub(crate) struct RequestTrace {
    span: Option<Traced>,
    trace_id: TraceId,
    /// A monotonic instant and the wall-clock time it stands for: phases
    /// are timed with `Instant`s, spans with `SystemTime`s.
    anchor: (Instant, SystemTime),
}

#[derive(Debug)]
struct Traced {
    cx: Context,
    tracer: Tracer,
    sampled: bool,
}

impl RequestTrace {
    /// The trace id, 32 hexadecimal digits.
    pub(crate) fn trace_id(&self) -> String {
        self.trace_id.to_string()
    }

    /// Whether this request's spans are kept: only then is its work's
    /// time recorded.
    pub(crate) fn sampled(&self) -> bool {
        self.span.as_ref().is_some_and(|s| s.sampled)
    }

    fn at(&self, t: Instant) -> SystemTime {
        match t.checked_duration_since(self.anchor.0) {
            Some(after) => self.anchor.1 + after,
            None => self.anchor.1 - self.anchor.0.duration_since(t),
        }
    }

    /// A finished child span of the request.
    pub(crate) fn child(&self, name: &'static str, start: Instant, end: Instant, attributes: Vec<KeyValue>) {
        let Some(s) = self.span.as_ref().filter(|s| s.sampled) else {
            return;
        };
        let mut span = s
            .tracer
            .span_builder(name)
            .with_kind(SpanKind::Internal)
            .with_start_time(self.at(start))
            .with_attributes(attributes)
            .start_with_context(&s.tracer, &s.cx);
        span.end_with_timestamp(self.at(end));
    }

    /// The phases the library recorded, as children (in a batch, those of
    /// call `call` and those of the whole batch).
    pub(crate) fn phases(&self, phases: &[standin::trace::Phase], call: Option<usize>) {
        for p in phases.iter().filter(|p| p.call.is_none() || p.call == call) {
            let attributes = p
                .attributes
                .iter()
                .map(|(k, v)| KeyValue::new(*k, attr(v.clone())))
                .collect();
            self.child(p.name, p.start, p.end, attributes);
        }
    }

    /// [`Self::phases`] of a call alone: its attributes are moved, not copied.
    pub(crate) fn own_phases(&self, phases: Vec<standin::trace::Phase>) {
        for p in phases {
            let attributes = p
                .attributes
                .into_iter()
                .map(|(k, v)| KeyValue::new(k, attr(v)))
                .collect();
            self.child(p.name, p.start, p.end, attributes);
        }
    }

    /// An attribute of the request's own span.
    pub(crate) fn set(&self, attribute: KeyValue) {
        if let Some(s) = self.span.as_ref().filter(|s| s.sampled) {
            s.cx.span().set_attribute(attribute);
        }
    }

    /// Ends the request's span with its answer's status.
    pub(crate) fn end(&self, status: u16) {
        let Some(s) = &self.span else { return };
        let span = s.cx.span();
        span.set_attribute(KeyValue::new("http.response.status_code", i64::from(status)));
        if status >= 500 {
            span.set_status(Status::error(""));
        }
        span.end();
    }
}

fn attr(v: standin::trace::Attr) -> Value {
    use standin::trace::Attr;
    match v {
        Attr::Str(s) => Value::from(s),
        Attr::Int(i) => Value::from(i),
        Attr::Bool(b) => Value::from(b),
        _ => Value::from(""),
    }
}

tokio::task_local! {
    /// The trace of the request the task serves.
    static CURRENT: Arc<RequestTrace>;
}

/// Runs `f` (a request's handling) with `trace` as its current trace.
pub(crate) async fn within<F: Future>(trace: Arc<RequestTrace>, f: F) -> F::Output {
    CURRENT.scope(trace, f).await
}

/// The current request's trace, if it is sampled.
pub(crate) fn sampled() -> Option<Arc<RequestTrace>> {
    CURRENT.try_with(|t| t.sampled().then(|| t.clone())).ok().flatten()
}
