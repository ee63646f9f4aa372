//! Conversions between SQLite values and the store's types: times are Unix
//! seconds, lists and principals JSON text. A value of the wrong type is
//! [`StoreError::Corrupt`], naming the column, never a panic.

use chrono::{DateTime, Utc};
use rusqlite::types::Value as SqlValue;
use standin::store::StoreError;

pub(super) fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(super) fn time(column: &'static str, s: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| StoreError::Corrupt {
        column,
        message: format!("{s} is not a time"),
    })
}

pub(super) fn json<T: serde::de::DeserializeOwned>(column: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        column,
        message: e.to_string(),
    })
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// Column `i` of `row` as a value, whatever the database holds there:
/// rusqlite's own conversion panics on text that is not UTF-8, which a
/// database writer can put in any column. Such text comes back as a blob,
/// which every reader of text refuses as [`StoreError::Corrupt`].
pub(super) fn cell(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<SqlValue> {
    use rusqlite::types::ValueRef;
    Ok(match row.get_ref(i)? {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(n) => SqlValue::Integer(n),
        ValueRef::Real(x) => SqlValue::Real(x),
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => SqlValue::Text(s.to_string()),
            Err(_) => SqlValue::Blob(bytes.to_vec()),
        },
        ValueRef::Blob(bytes) => SqlValue::Blob(bytes.to_vec()),
    })
}

pub(super) fn text(column: &'static str, v: &SqlValue) -> Result<String, StoreError> {
    match v {
        SqlValue::Text(s) => Ok(s.clone()),
        SqlValue::Blob(b) => Err(StoreError::Corrupt {
            column,
            message: format!("expected text, found {} bytes that are not UTF-8 text", b.len()),
        }),
        other => Err(StoreError::Corrupt {
            column,
            message: format!("expected text, found {}", describe(other)),
        }),
    }
}

pub(super) fn opt_text(column: &'static str, v: &SqlValue) -> Result<Option<String>, StoreError> {
    match v {
        SqlValue::Null => Ok(None),
        v => text(column, v).map(Some),
    }
}

pub(super) fn int(column: &'static str, v: &SqlValue) -> Result<i64, StoreError> {
    match v {
        SqlValue::Integer(i) => Ok(*i),
        other => Err(StoreError::Corrupt {
            column,
            message: format!("expected an integer, found {}", describe(other)),
        }),
    }
}

pub(super) fn opt_int(column: &'static str, v: &SqlValue) -> Result<Option<i64>, StoreError> {
    match v {
        SqlValue::Null => Ok(None),
        v => int(column, v).map(Some),
    }
}

/// A value in a few words (a corrupt cell may hold megabytes).
fn describe(v: &SqlValue) -> String {
    match v {
        SqlValue::Null => "null".to_string(),
        SqlValue::Integer(n) => format!("the integer {n}"),
        SqlValue::Real(x) => format!("the number {x}"),
        SqlValue::Text(s) => format!("{} bytes of text", s.len()),
        SqlValue::Blob(b) => format!("{} bytes that are not UTF-8 text", b.len()),
    }
}
