//! Orders, in SQLite (in memory by default, or a file with `--db`).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;

/// An order as stored.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredOrder {
    /// Insertion order.
    pub seq: i64,
    /// The CA reference, `co-…`.
    pub reference: String,
    /// Owner account.
    pub account_key: String,
    /// The client's key (not unique: the sandbox does not de-duplicate).
    pub external_order_number: Option<String>,
    /// Mailbox.
    pub email: String,
    /// Given name.
    pub first_name: String,
    /// Surname.
    pub last_name: String,
    /// Country.
    pub country: String,
    /// Product code.
    pub product: String,
    /// Days.
    pub period: u32,
    /// `pending validation`, `validated`, `issued`, …
    pub status: String,
    /// Price charged.
    pub amount: String,
}

/// A new order to store.
pub struct NewOrder<'a> {
    pub account_key: &'a str,
    pub external_order_number: Option<&'a str>,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub country: &'a str,
    pub csr: Option<&'a str>,
    pub product: &'a str,
    pub period: u32,
    pub amount: &'a str,
}

/// The order store.
pub struct Store {
    conn: Mutex<Connection>,
}

const COLUMNS: &str =
    "seq, reference, account_key, external_order_number, email, first_name, last_name, country, product, period, status, amount";

fn row_to_order(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredOrder> {
    Ok(StoredOrder {
        seq: r.get(0)?,
        reference: r.get(1)?,
        account_key: r.get(2)?,
        external_order_number: r.get(3)?,
        email: r.get(4)?,
        first_name: r.get(5)?,
        last_name: r.get(6)?,
        country: r.get(7)?,
        product: r.get(8)?,
        period: r.get(9)?,
        status: r.get(10)?,
        amount: r.get(11)?,
    })
}

impl Store {
    /// Opens (creating if needed) the store at `path`, or in memory.
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Self> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS orders (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 reference TEXT NOT NULL UNIQUE,
                 account_key TEXT NOT NULL,
                 external_order_number TEXT,
                 email TEXT NOT NULL,
                 first_name TEXT NOT NULL,
                 last_name TEXT NOT NULL,
                 country TEXT NOT NULL,
                 csr TEXT,
                 product TEXT NOT NULL,
                 period INTEGER NOT NULL,
                 status TEXT NOT NULL,
                 amount TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS orders_by_key ON orders (account_key, external_order_number);",
        )?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a new order with status `pending validation`; `salt` makes the
    /// reference hard to guess.
    pub fn insert(&self, o: &NewOrder<'_>, salt: u32) -> rusqlite::Result<StoredOrder> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO orders (reference, account_key, external_order_number, email, first_name, last_name, country, csr, product, period, status, amount)
             VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending validation', ?10)",
            params![o.account_key, o.external_order_number, o.email, o.first_name, o.last_name, o.country, o.csr, o.product, o.period, o.amount],
        )?;
        let seq = tx.last_insert_rowid();
        let reference = format!("co-{seq:06}{salt:04x}");
        tx.execute(
            "UPDATE orders SET reference = ?1 WHERE seq = ?2",
            params![reference, seq],
        )?;
        tx.commit()?;
        drop(conn);
        self.get(&reference)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
    }

    /// One order by reference.
    pub fn get(&self, reference: &str) -> rusqlite::Result<Option<StoredOrder>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM orders WHERE reference = ?1"),
                [reference],
                row_to_order,
            )
            .optional()
    }

    /// An account's orders, oldest first, optionally only those with a key.
    pub fn list(
        &self,
        account: &str,
        key: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> rusqlite::Result<Vec<StoredOrder>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM orders WHERE account_key = ?1 AND (?2 IS NULL OR external_order_number = ?2)
             ORDER BY seq LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = stmt.query_map(params![account, key, limit as i64, offset as i64], row_to_order)?;
        rows.collect()
    }

    /// Every order of every account (admin).
    pub fn all(&self) -> rusqlite::Result<Vec<StoredOrder>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM orders ORDER BY seq"))?;
        let rows = stmt.query_map([], row_to_order)?;
        rows.collect()
    }

    /// Moves an order along; false if there is no such order.
    pub fn set_status(&self, reference: &str, status: &str) -> rusqlite::Result<bool> {
        Ok(self.conn().execute(
            "UPDATE orders SET status = ?1 WHERE reference = ?2",
            params![status, reference],
        )? == 1)
    }

    /// Deletes every order (admin, for tests).
    pub fn clear(&self) -> rusqlite::Result<()> {
        self.conn().execute("DELETE FROM orders", []).map(|_| ())
    }
}
