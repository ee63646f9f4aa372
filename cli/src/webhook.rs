//! `standin webhook add|list|show|remove|rotate|test|deliveries|replay`:
//! a tenant's webhook endpoints, in the database. `standin serve`
//! delivers to them; these commands only change and read what it reads.

use crate::output::json as print;
use crate::{Access, Exit};
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use standin::Standin;
use standin::webhooks::schedule::Attempt;
use standin::webhooks::{DEFAULT_ROTATION_OVERLAP, DeliveryStatus, Endpoint, NewEndpoint};

/// Which endpoint: the tenant and the id (as a word or `--id`).
#[derive(Debug, clap::Args)]
pub struct Which {
    /// The tenant whose endpoint it is.
    #[arg(long)]
    tenant: String,
    /// The endpoint's id (`wh-...`).
    #[arg(value_name = "ID", required_unless_present = "id_flag")]
    id: Option<String>,
    /// The endpoint's id, as an option.
    #[arg(long = "id", value_name = "ID", conflicts_with = "id")]
    id_flag: Option<String>,
}

impl Which {
    fn parts(self) -> (String, String) {
        (self.tenant, self.id.or(self.id_flag).unwrap_or_default())
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add an endpoint; prints it with its secret (`whsec_...`), shown
    /// this once. It receives the tenant's events from now on.
    ///
    /// The URL is https://, or http:// to a loopback host. `standin serve`
    /// refuses to deliver to private, loopback or link-local addresses
    /// unless its settings say `[webhooks] allow_private = true`.
    Add {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// Where to POST.
        #[arg(long)]
        url: String,
        /// Events (`action.denied`), families (`session.*`) or `*` (every
        /// audit event); the outbox's messages for targets as `outbox.*`
        /// or `outbox.KIND`; repeat or separate with commas. Default: `*`.
        #[arg(
            long = "events",
            visible_alias = "event",
            value_name = "EVENTS",
            value_delimiter = ','
        )]
        events: Vec<String>,
        /// A label for people.
        #[arg(long)]
        description: Option<String>,
    },
    /// Print the tenant's endpoints, one JSON line each, with where each
    /// one's delivery stands (`cursor`).
    List {
        /// The tenant.
        #[arg(long)]
        tenant: String,
    },
    /// Print one endpoint.
    Show {
        #[command(flatten)]
        which: Which,
    },
    /// Remove an endpoint and its delivery log; prints it.
    Remove {
        #[command(flatten)]
        which: Which,
    },
    /// Give an endpoint a new secret (printed this once); the current one
    /// keeps signing beside it for `--overlap` seconds, so receivers switch
    /// without refusing a message.
    Rotate {
        #[command(flatten)]
        which: Which,
        /// Seconds the current secret keeps signing (default 86400).
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(0..=604_800))]
        overlap: Option<u32>,
    },
    /// Send the endpoint a signed `webhook.test` message now and print what
    /// its receiver answered; exit 0 when it took it (2xx), 1 otherwise.
    Test {
        #[command(flatten)]
        which: Which,
        /// Allow a private, loopback or link-local address (as
        /// `[webhooks] allow_private` does for `serve`).
        #[arg(long)]
        allow_private: bool,
    },
    /// Print the endpoint's delivery log, newest first, one JSON line each.
    Deliveries {
        #[command(flatten)]
        which: Which,
        /// Only `delivered`, `dead` (dead letters) or `replaying`.
        #[arg(long, value_parser = ["delivered", "dead", "replaying"])]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
    },
    /// Deliver the endpoint's dead letters again (by `standin serve`,
    /// before new events, in order); prints how many.
    Replay {
        #[command(flatten)]
        which: Which,
    },
}

impl Command {
    pub fn access(&self) -> Access {
        match self {
            Self::List { .. } | Self::Show { .. } | Self::Deliveries { .. } | Self::Test { .. } => Access::Read,
            Self::Add { .. } | Self::Remove { .. } | Self::Rotate { .. } | Self::Replay { .. } => Access::Write,
        }
    }
}

#[derive(Serialize)]
struct WithSecret<'a> {
    #[serde(flatten)]
    endpoint: &'a Endpoint,
    secret: &'a str,
}

pub fn run(command: Command, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    let webhooks = sessions.webhooks();
    match command {
        Command::Add {
            tenant,
            url,
            events,
            description,
        } => {
            let events = if events.is_empty() {
                vec!["*".to_string()]
            } else {
                events
            };
            let (endpoint, secret) = webhooks.add(
                &tenant,
                NewEndpoint {
                    url,
                    events,
                    description,
                },
                now,
            )?;
            print(&WithSecret {
                endpoint: &endpoint,
                secret: &secret,
            })?;
        }
        Command::List { tenant } => {
            for endpoint in webhooks.list(&tenant)? {
                print(&endpoint)?;
            }
        }
        Command::Show { which } => {
            let (tenant, id) = which.parts();
            print(&webhooks.get(&tenant, &id)?)?
        }
        Command::Remove { which } => {
            let (tenant, id) = which.parts();
            print(&webhooks.remove(&tenant, &id)?)?
        }
        Command::Rotate { which, overlap } => {
            let (tenant, id) = which.parts();
            let overlap = overlap.map_or(DEFAULT_ROTATION_OVERLAP, |s| chrono::TimeDelta::seconds(i64::from(s)));
            let (endpoint, secret) = webhooks.rotate(&tenant, &id, overlap, now)?;
            print(&WithSecret {
                endpoint: &endpoint,
                secret: &secret,
            })?;
        }
        Command::Test { which, allow_private } => {
            let (tenant, id) = which.parts();
            let endpoint = webhooks.get(&tenant, &id)?;
            let settings = standin_server::webhooks::WebhookSettings {
                allow_private,
                ..Default::default()
            };
            let (message, attempt) = standin_server::webhooks::send_test_blocking(&endpoint, &settings)?;
            let (delivered, status, error) = match attempt {
                Attempt::Delivered { status } => (true, Some(status), None),
                Attempt::Failed { status, error } => (false, status, Some(error)),
            };
            print(&serde_json::json!({
                "delivered": delivered, "message_id": message.id, "status": status, "error": error,
            }))?;
            if !delivered {
                return Ok(Exit::Error);
            }
        }
        Command::Deliveries { which, status, limit } => {
            let (tenant, id) = which.parts();
            let status = status.as_deref().and_then(DeliveryStatus::parse);
            for d in webhooks.deliveries(&tenant, &id, status, limit as usize)? {
                print(&d)?;
            }
        }
        Command::Replay { which } => {
            let (tenant, id) = which.parts();
            print(&serde_json::json!({"replaying": webhooks.replay(&tenant, &id, now)?}))?;
        }
    }
    Ok(Exit::Success)
}
