//! Set-based writes: many rows in one statement, for the ingestion path.
//!
//! The rows of a batch become a CTE `v(col, …)` that an `INSERT … SELECT … FROM v` or an
//! `UPDATE … FROM v` reads:
//!
//! - PostgreSQL: `SELECT * FROM UNNEST($1::bigint[], $2::text[], …)`: one array per column, so
//!   a batch of any size is one statement with a fixed number of binds, parsed and planned once
//!   (a multi-row `VALUES` with tens of thousands of binds cost about 66 µs per row).
//! - SQLite: a multi-row `VALUES (?, …), (?, …)` (SQLite has no arrays). The text depends only
//!   on the row count, so sqlx's statement cache prepares each shape once per connection.
//!
//! sea-query builds nothing here: the statement text is made once per batch from column names
//! that are constants of this crate, and every value is bound.

use sea_orm::{DbBackend, Statement, Value};
use std::fmt::Write;

/// Most values bound in one SQLite statement: under its 32,766 limit, with room for the
/// statement's own scalar binds.
pub(crate) const SQLITE_MAX_BINDS: usize = 32_000;

/// One column of a batch, all rows.
#[derive(Debug)]
pub(crate) enum Column {
    BigInt(Vec<i64>),
    Int(Vec<i32>),
    Bool(Vec<bool>),
    Text(Vec<String>),
    /// PostgreSQL arrays bound through sea-query cannot hold NULL elements, so there a nullable
    /// text column travels as a text array plus a `…__set` boolean array.
    NullableText(Vec<Option<String>>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::BigInt(v) => v.len(),
            Column::Int(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::NullableText(v) => v.len(),
        }
    }

    /// The column as values, moved rather than copied.
    fn into_values(self) -> std::vec::IntoIter<Value> {
        let v: Vec<Value> = match self {
            Column::BigInt(v) => v.into_iter().map(|x| Value::BigInt(Some(x))).collect(),
            Column::Int(v) => v.into_iter().map(|x| Value::Int(Some(x))).collect(),
            Column::Bool(v) => v.into_iter().map(|x| Value::Bool(Some(x))).collect(),
            Column::Text(v) => v.into_iter().map(|x| Value::String(Some(x))).collect(),
            Column::NullableText(v) => v.into_iter().map(Value::String).collect(),
        };
        v.into_iter()
    }
}

/// Rows to write, column by column. Names are SQL identifiers chosen in this crate.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    columns: Vec<(&'static str, Column)>,
}

impl Rows {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn col(mut self, name: &'static str, column: Column) -> Self {
        self.columns.push((name, column));
        self
    }

    pub(crate) fn len(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    pub(crate) fn width(&self) -> usize {
        self.columns.len()
    }

    /// How to read column `name` of `v` in a select list or a `SET`.
    pub(crate) fn expr(&self, backend: DbBackend, name: &str) -> String {
        let nullable = self
            .columns
            .iter()
            .any(|(n, c)| *n == name && matches!(c, Column::NullableText(_)));
        if nullable && backend == DbBackend::Postgres {
            format!("CASE WHEN v.{name}__set THEN v.{name} END")
        } else {
            format!("v.{name}")
        }
    }
}

/// A statement being written, with its values in bind order.
#[derive(Debug)]
pub(crate) struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    /// Binds one value where the text is now.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                let _ = write!(self.text, "${}", self.values.len());
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// `column IN (…)` with one bind per value, for short lists (a page of hits, an order's
    /// lines); batches go through [`Sql::with_rows`].
    pub(crate) fn in_list(&mut self, column: &str, values: Vec<Value>) -> &mut Self {
        self.push(column).push(" IN (");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    /// `WITH v(a, b, …) AS (…)` holding `rows`, consumed.
    pub(crate) fn with_rows(&mut self, rows: Rows) -> &mut Self {
        let mut names: Vec<String> = Vec::with_capacity(rows.columns.len() + 2);
        for (name, c) in &rows.columns {
            names.push((*name).to_string());
            if self.backend == DbBackend::Postgres && matches!(c, Column::NullableText(_)) {
                names.push(format!("{name}__set"));
            }
        }
        self.push("WITH v(").push(&names.join(", ")).push(") AS (");
        if self.backend == DbBackend::Postgres {
            self.push("SELECT * FROM UNNEST(");
            for (j, (_, c)) in rows.columns.into_iter().enumerate() {
                if j > 0 {
                    self.push(", ");
                }
                match c {
                    Column::BigInt(v) => self.bind(v).push("::bigint[]"),
                    Column::Int(v) => self.bind(v).push("::int[]"),
                    Column::Bool(v) => self.bind(v).push("::bool[]"),
                    Column::Text(v) => self.bind(v).push("::text[]"),
                    Column::NullableText(v) => {
                        let set: Vec<bool> = v.iter().map(Option::is_some).collect();
                        let text: Vec<String> =
                            v.into_iter().map(Option::unwrap_or_default).collect();
                        self.bind(text).push("::text[], ");
                        self.bind(set).push("::bool[]")
                    }
                };
            }
            self.push("))");
        } else {
            let (n, width) = (rows.len(), rows.width());
            self.values.reserve(n * width);
            let mut columns: Vec<std::vec::IntoIter<Value>> = rows
                .columns
                .into_iter()
                .map(|(_, c)| c.into_values())
                .collect();
            self.push("VALUES ");
            for i in 0..n {
                if i > 0 {
                    self.push(", ");
                }
                self.push("(");
                for (j, column) in columns.iter_mut().enumerate() {
                    if j > 0 {
                        self.push(", ");
                    }
                    self.bind(column.next().unwrap_or(Value::String(None)));
                }
                self.push(")");
            }
            self.push(")");
        }
        self
    }

    pub(crate) fn build(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// Rows per statement for a batch `width` columns wide: all of them on PostgreSQL (arrays), as
/// many as SQLite's bind limit allows there.
pub(crate) fn rows_per_statement(backend: DbBackend, width: usize) -> usize {
    match backend {
        DbBackend::Postgres => 50_000,
        _ => (SQLITE_MAX_BINDS / width.max(1)).max(1),
    }
}
