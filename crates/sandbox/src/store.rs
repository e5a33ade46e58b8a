//! Orders and enrollments, in SQLite (in memory by default, or a file with
//! `--db`). The store knows no protocol: statuses, amounts and the profile's
//! own view data (`extra`, JSON) are written by the profile that made them.
//!
//! Funds are never a separate balance: what an account has left is its
//! configured funds minus what its orders were charged, checked and spent in
//! the same transaction as the insert, so it survives restarts with `--db`
//! and resets with `DELETE /sandbox/orders`.

use crate::clock;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize, Serializer};
use std::path::Path;
use std::sync::Mutex;

fn iso<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&clock::iso(*ms))
}

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
    /// The profile's status string (`pending validation`,
    /// `waiting on validation from customer`, …).
    pub status: String,
    /// Price, e.g. `39.00`.
    pub amount: String,
    /// What was taken from the account's funds, in cents (0 when invoiced).
    pub charged_cents: i64,
    /// When it was created (ISO-8601 in JSON).
    #[serde(serialize_with = "iso")]
    pub created_at: i64,
    /// The bulk enrollment it belongs to (`sslcom` `POST /certificate_enrollment`).
    pub enrollment_id: Option<i64>,
    /// The profile's view data (JSON text), e.g. the registrant and contacts.
    #[serde(skip)]
    pub extra: Option<String>,
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
    pub status: &'a str,
    /// Taken from the account's funds (0: not charged).
    pub charged_cents: i64,
    pub created_at: i64,
    pub extra: Option<&'a str>,
}

/// A bulk enrollment as stored.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredEnrollment {
    /// The number answered as `id`.
    pub id: i64,
    pub account_key: String,
    #[serde(serialize_with = "iso")]
    pub created_at: i64,
    /// The addresses that were not ordered, each with why.
    pub skipped: Vec<Skipped>,
    /// The references of its orders, in order.
    pub orders: Vec<String>,
}

/// An address of an enrollment that was not ordered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Skipped {
    pub email: String,
    pub reason: String,
}

/// Not enough funds: the shortfall in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall(pub i64);

/// The order store.
pub struct Store {
    conn: Mutex<Connection>,
}

const COLUMNS: &str = "seq, reference, account_key, external_order_number, email, first_name, last_name, country, \
     product, period, status, amount, charged_cents, created_at, enrollment_id, extra";

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
        charged_cents: r.get(12)?,
        created_at: r.get(13)?,
        enrollment_id: r.get(14)?,
        extra: r.get(15)?,
    })
}

/// Columns added after the first release, for `--db` files made before them.
const ADDED_COLUMNS: [(&str, &str); 4] = [
    ("charged_cents", "INTEGER NOT NULL DEFAULT 0"),
    ("created_at", "INTEGER NOT NULL DEFAULT 0"),
    ("enrollment_id", "INTEGER"),
    ("extra", "TEXT"),
];

fn insert_order(
    tx: &rusqlite::Transaction<'_>,
    o: &NewOrder<'_>,
    enrollment: Option<i64>,
    salt: u32,
) -> rusqlite::Result<String> {
    tx.execute(
        "INSERT INTO orders (reference, account_key, external_order_number, email, first_name, last_name, country, csr,
                             product, period, status, amount, charged_cents, created_at, enrollment_id, extra)
         VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            o.account_key,
            o.external_order_number,
            o.email,
            o.first_name,
            o.last_name,
            o.country,
            o.csr,
            o.product,
            o.period,
            o.status,
            o.amount,
            o.charged_cents,
            o.created_at,
            enrollment,
            o.extra
        ],
    )?;
    let seq = tx.last_insert_rowid();
    let reference = format!("co-{seq:06}{salt:04x}");
    tx.execute(
        "UPDATE orders SET reference = ?1 WHERE seq = ?2",
        params![reference, seq],
    )?;
    Ok(reference)
}

impl Store {
    /// Opens (creating or extending if needed) the store at `path`, or in memory.
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
             CREATE INDEX IF NOT EXISTS orders_by_key ON orders (account_key, external_order_number);
             CREATE TABLE IF NOT EXISTS enrollments (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 account_key TEXT NOT NULL,
                 created_at INTEGER NOT NULL,
                 skipped TEXT NOT NULL
             );",
        )?;
        let existing: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('orders')")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, decl) in ADDED_COLUMNS {
            if !existing.iter().any(|e| e == name) {
                conn.execute_batch(&format!("ALTER TABLE orders ADD COLUMN {name} {decl}"))?;
            }
        }
        conn.execute_batch("CREATE INDEX IF NOT EXISTS orders_by_time ON orders (account_key, created_at)")?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a new order; `salt` makes the reference hard to guess.
    pub fn insert(&self, o: &NewOrder<'_>, salt: u32) -> rusqlite::Result<StoredOrder> {
        self.insert_funded(o, salt, None)?
            .map_err(|_| rusqlite::Error::QueryReturnedNoRows)
    }

    /// Stores a new order unless the account's `funds` (in cents; `None`:
    /// unlimited) minus what its orders were already charged is less than
    /// `o.charged_cents`.
    pub fn insert_funded(
        &self,
        o: &NewOrder<'_>,
        salt: u32,
        funds: Option<i64>,
    ) -> rusqlite::Result<Result<StoredOrder, Shortfall>> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        if let Some(funds) = funds {
            let spent: i64 = tx.query_row(
                "SELECT COALESCE(SUM(charged_cents), 0) FROM orders WHERE account_key = ?1",
                [o.account_key],
                |r| r.get(0),
            )?;
            let left = funds - spent;
            if left < o.charged_cents {
                return Ok(Err(Shortfall(o.charged_cents - left)));
            }
        }
        let reference = insert_order(&tx, o, None, salt)?;
        tx.commit()?;
        drop(conn);
        self.get(&reference)?
            .ok_or(rusqlite::Error::QueryReturnedNoRows)
            .map(Ok)
    }

    /// Stores a bulk enrollment and its orders in one transaction.
    pub fn insert_enrollment(
        &self,
        account_key: &str,
        created_at: i64,
        orders: &[NewOrder<'_>],
        skipped: &[Skipped],
        salt: &mut dyn FnMut() -> u32,
    ) -> rusqlite::Result<StoredEnrollment> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        let skipped_json = serde_json::to_string(skipped).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO enrollments (account_key, created_at, skipped) VALUES (?1, ?2, ?3)",
            params![account_key, created_at, skipped_json],
        )?;
        let id = tx.last_insert_rowid();
        let mut references = Vec::with_capacity(orders.len());
        for o in orders {
            references.push(insert_order(&tx, o, Some(id), salt())?);
        }
        tx.commit()?;
        Ok(StoredEnrollment {
            id,
            account_key: account_key.to_owned(),
            created_at,
            skipped: skipped.to_vec(),
            orders: references,
        })
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

    /// An account's orders, newest first, created within `[from, to]`
    /// (milliseconds, both ends included, either open), leaving out those
    /// whose status is `hidden`.
    pub fn list_newest(
        &self,
        account: &str,
        window: (Option<i64>, Option<i64>),
        hidden: &str,
        offset: u64,
        limit: u64,
    ) -> rusqlite::Result<Vec<StoredOrder>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM orders WHERE account_key = ?1 AND status <> ?2
               AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at <= ?4)
             ORDER BY created_at DESC, seq DESC LIMIT ?5 OFFSET ?6"
        ))?;
        let rows = stmt.query_map(
            params![account, hidden, window.0, window.1, limit as i64, offset as i64],
            row_to_order,
        )?;
        rows.collect()
    }

    /// The orders of one enrollment, in order.
    pub fn enrollment_orders(&self, id: i64) -> rusqlite::Result<Vec<StoredOrder>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM orders WHERE enrollment_id = ?1 ORDER BY seq"
        ))?;
        let rows = stmt.query_map([id], row_to_order)?;
        rows.collect()
    }

    /// Every enrollment (admin), with its orders' references.
    pub fn enrollments(&self) -> rusqlite::Result<Vec<StoredEnrollment>> {
        let heads: Vec<(i64, String, i64, String)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT id, account_key, created_at, skipped FROM enrollments ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        heads
            .into_iter()
            .map(|(id, account_key, created_at, skipped)| {
                let orders = self.enrollment_orders(id)?.into_iter().map(|o| o.reference).collect();
                Ok(StoredEnrollment {
                    id,
                    account_key,
                    created_at,
                    skipped: serde_json::from_str(&skipped).unwrap_or_default(),
                    orders,
                })
            })
            .collect()
    }

    /// Every order of every account (admin).
    pub fn all(&self) -> rusqlite::Result<Vec<StoredOrder>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM orders ORDER BY seq"))?;
        let rows = stmt.query_map([], row_to_order)?;
        rows.collect()
    }

    /// What an account's orders were charged, in cents.
    pub fn charged(&self, account: &str) -> rusqlite::Result<i64> {
        self.conn().query_row(
            "SELECT COALESCE(SUM(charged_cents), 0) FROM orders WHERE account_key = ?1",
            [account],
            |r| r.get(0),
        )
    }

    /// Moves an order along; false if there is no such order.
    pub fn set_status(&self, reference: &str, status: &str) -> rusqlite::Result<bool> {
        Ok(self.conn().execute(
            "UPDATE orders SET status = ?1 WHERE reference = ?2",
            params![status, reference],
        )? == 1)
    }

    /// Back-dates (or forward-dates) an order; false if there is no such order.
    pub fn set_created_at(&self, reference: &str, created_at: i64) -> rusqlite::Result<bool> {
        Ok(self.conn().execute(
            "UPDATE orders SET created_at = ?1 WHERE reference = ?2",
            params![created_at, reference],
        )? == 1)
    }

    /// Deletes every order and enrollment (admin, for tests).
    pub fn clear(&self) -> rusqlite::Result<()> {
        self.conn()
            .execute_batch("DELETE FROM orders; DELETE FROM enrollments;")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order<'a>(key: &'a str, charged_cents: i64) -> NewOrder<'a> {
        NewOrder {
            account_key: key,
            external_order_number: Some("k"),
            email: "a@example.com",
            first_name: "",
            last_name: "",
            country: "GB",
            csr: None,
            product: "302",
            period: 365,
            amount: "90.00",
            status: "new",
            charged_cents,
            created_at: 1_000,
            extra: None,
        }
    }

    #[test]
    fn a_database_file_of_the_first_release_gains_the_new_columns() {
        let path = std::env::temp_dir().join(format!("smime-bulk-store-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE orders (seq INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT NOT NULL UNIQUE,
                 account_key TEXT NOT NULL, external_order_number TEXT, email TEXT NOT NULL, first_name TEXT NOT NULL,
                 last_name TEXT NOT NULL, country TEXT NOT NULL, csr TEXT, product TEXT NOT NULL, period INTEGER NOT NULL,
                 status TEXT NOT NULL, amount TEXT NOT NULL);
                 INSERT INTO orders VALUES (1, 'co-0000010000', 'acct', 'old', 'o@example.com', 'O', 'Ld', 'GB', NULL,
                 'smime-ivov-1y', 365, 'pending validation', '39.00');",
            )
            .unwrap();
        let store = Store::open(Some(&path)).unwrap();
        let old = store.get("co-0000010000").unwrap().unwrap();
        assert_eq!((old.created_at, old.charged_cents, old.enrollment_id), (0, 0, None));
        store.insert(&order("acct", 0), 1).unwrap();
        assert_eq!(store.all().unwrap().len(), 2);
        drop(store);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn funds_are_what_is_configured_minus_what_was_charged() {
        let store = Store::open(None).unwrap();
        assert!(store.insert_funded(&order("a", 6000), 1, Some(10_000)).unwrap().is_ok());
        assert_eq!(
            store.insert_funded(&order("a", 6000), 2, Some(10_000)).unwrap(),
            Err(Shortfall(2000))
        );
        assert!(
            store.insert_funded(&order("b", 6000), 3, Some(10_000)).unwrap().is_ok(),
            "per account"
        );
        assert!(
            store.insert_funded(&order("a", 6000), 4, None).unwrap().is_ok(),
            "unlimited"
        );
        assert_eq!(store.charged("a").unwrap(), 12_000);
        store.clear().unwrap();
        assert_eq!(store.charged("a").unwrap(), 0);
    }
}
