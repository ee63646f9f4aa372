//! A tenant's documents as both backends store them: one row per tenant
//! and kind, the document as JSON text, tagged by the host key under the
//! kind's own domain (what they mean is `crate::access`'s): its route
//! table and its trusted issuers. Read back, a row is checked twice: its
//! tag, and its text as an upload would be, so a row says only what an
//! upload could.

use super::{Integrity, StoreError};
use crate::access::{RouteTable, TrustedIssuers};

/// Which document a row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Document {
    /// `crate::access::RouteTable` (table `routes`).
    Routes,
    /// `crate::access::TrustedIssuers` (table `token_issuers`).
    Issuers,
}

impl Document {
    /// The domain of its tags: no tag of one kind stands for another.
    pub(crate) fn domain(self) -> &'static str {
        match self {
            Self::Routes => "standin/routes/v1",
            Self::Issuers => "standin/issuers/v1",
        }
    }

    /// What a refusal calls it.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Self::Routes => "the route table",
            Self::Issuers => "the trusted issuers",
        }
    }
}

/// The `text` and `tag` cells of `tenant`'s row for a document.
pub fn row<T: serde::Serialize>(
    kind: Document,
    tenant: &str,
    doc: &T,
    integrity: &Integrity,
) -> (String, Option<String>) {
    let text = serde_json::to_string(doc).expect("a document serializes");
    let tag = integrity.document_tag(kind, tenant, &text);
    (text, tag)
}

/// The route table of a row, if its tag holds and its rules are a table.
pub fn routes(tenant: &str, rules: &str, tag: Option<&str>, integrity: &Integrity) -> Result<RouteTable, StoreError> {
    integrity.check_document(Document::Routes, tenant, rules, tag)?;
    RouteTable::parse(rules).map_err(|e| StoreError::Corrupt {
        column: "rules",
        message: e.to_string(),
    })
}

/// The trusted issuers of a row, if its tag holds and it is a list of them.
pub fn issuers(
    tenant: &str,
    text: &str,
    tag: Option<&str>,
    integrity: &Integrity,
) -> Result<TrustedIssuers, StoreError> {
    integrity.check_document(Document::Issuers, tenant, text, tag)?;
    TrustedIssuers::parse(text).map_err(|e| StoreError::Corrupt {
        column: "issuers",
        message: e.to_string(),
    })
}
