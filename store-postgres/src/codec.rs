//! Conversions between column values and the store's types: times are
//! Unix seconds, lists and principals JSON text. A value the store cannot
//! read is [`StoreError::Corrupt`], naming the column, never a panic.

use chrono::{DateTime, Utc};
use postgres::Row;
use postgres::types::FromSql;
use standin::store::StoreError;

pub(crate) fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(crate) fn time(column: &'static str, s: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| StoreError::Corrupt {
        column,
        message: format!("{s} is not a time"),
    })
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(column: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        column,
        message: e.to_string(),
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// Column `column` of `row`, typed; a mismatch is corrupt, not a panic.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &'static str) -> Result<T, StoreError> {
    row.try_get(column).map_err(|e| StoreError::Corrupt {
        column,
        message: e.to_string(),
    })
}

/// A count or version that must fit in `u32`.
pub(crate) fn small(column: &'static str, v: i32) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt {
        column,
        message: format!("{v} is negative"),
    })
}
