//! The import's spool: a file's records kept in a temporary SQLite database (deleted when the
//! import ends), then read back a batch of whole families at a time in the order the families
//! first appear. It is an external sort by family: a file of any size is planned and written
//! in constant memory, and a family's rows may be anywhere in the file. Lines that cannot be
//! used are kept here too, so the report lists them in line order without holding them all.

use super::read::Record;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

/// Records inserted per statement (4 parameters each, well under SQLite's limit).
const INSERT_ROWS: usize = 200;

/// A family as the file names it: by id (`true`, the `family` column) or by goal name.
pub type Key = (bool, String);

diesel::table! {
    records (id) {
        id -> BigInt,
        by_id -> Bool,
        key -> Text,
        line -> BigInt,
        slices -> BigInt,
        cells -> Text,
    }
}

diesel::table! {
    problems (line) {
        line -> BigInt,
        reason -> Text,
    }
}

#[derive(Insertable)]
#[diesel(table_name = records)]
struct NewRecord {
    by_id: bool,
    key: String,
    line: i64,
    slices: i64,
    cells: String,
}

#[derive(QueryableByName)]
struct Spooled {
    #[diesel(sql_type = BigInt)]
    family: i64,
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Text)]
    cells: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A line that cannot be used, as kept in the spool.
#[derive(Queryable)]
pub struct Kept {
    pub line: i64,
    pub reason: String,
}

pub struct Spool {
    conn: SqliteConnection,
    pending: Vec<NewRecord>,
    pending_problems: Vec<(i64, String)>,
    _dir: tempfile::TempDir,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("the import's spool: {e}")
}

impl Spool {
    /// A new, empty spool in a fresh temporary directory.
    pub fn new() -> Result<Spool, String> {
        let dir = tempfile::Builder::new()
            .prefix("goalpost-import")
            .tempdir()
            .map_err(err)?;
        let path = dir.path().join("spool.db");
        let mut conn = SqliteConnection::establish(&path.to_string_lossy()).map_err(err)?;
        // A scratch file: losing it in a crash loses nothing, so no journal and no syncs.
        conn.batch_execute(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;
             CREATE TABLE records (id INTEGER PRIMARY KEY, by_id BOOLEAN NOT NULL,
                key TEXT NOT NULL, line BIGINT NOT NULL, slices BIGINT NOT NULL,
                cells TEXT NOT NULL);
             CREATE TABLE problems (line BIGINT NOT NULL, reason TEXT NOT NULL);
             CREATE TABLE planned (uuid TEXT PRIMARY KEY);",
        )
        .map_err(err)?;
        Ok(Spool {
            conn,
            pending: Vec::new(),
            pending_problems: Vec::new(),
            _dir: dir,
        })
    }

    /// Keeps a record of the family `key`, which makes `slices` slices.
    pub fn push(&mut self, key: Key, record: &Record, slices: usize) -> Result<(), String> {
        self.pending.push(NewRecord {
            by_id: key.0,
            key: key.1,
            line: record.line as i64,
            slices: slices as i64,
            cells: serde_json::to_string(&record.cells).map_err(err)?,
        });
        if self.pending.len() >= INSERT_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Keeps a line that cannot be used.
    pub fn problem(&mut self, line: usize, reason: String) -> Result<(), String> {
        self.pending_problems.push((line as i64, reason));
        if self.pending_problems.len() >= INSERT_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        let rows = std::mem::take(&mut self.pending);
        let kept: Vec<_> = std::mem::take(&mut self.pending_problems)
            .into_iter()
            .map(|(l, r)| (problems::line.eq(l), problems::reason.eq(r)))
            .collect();
        if !rows.is_empty() {
            diesel::insert_into(records::table)
                .values(&rows)
                .execute(&mut self.conn)
                .map_err(err)?;
        }
        if !kept.is_empty() {
            diesel::insert_into(problems::table)
                .values(&kept)
                .execute(&mut self.conn)
                .map_err(err)?;
        }
        Ok(())
    }

    /// Ends the reading: numbers the families in the order they first appear. Returns how
    /// many there are.
    pub fn seal(&mut self) -> Result<usize, String> {
        self.flush()?;
        for sql in [
            "CREATE INDEX records_family ON records (by_id, key, line)",
            "CREATE TABLE families (id INTEGER PRIMARY KEY, by_id BOOLEAN NOT NULL,
                key TEXT NOT NULL, slices BIGINT NOT NULL)",
            "INSERT INTO families (by_id, key, slices)
                SELECT by_id, key, SUM(slices) FROM records GROUP BY by_id, key ORDER BY MIN(line)",
            "CREATE INDEX problems_line ON problems (line)",
        ] {
            diesel::sql_query(sql)
                .execute(&mut self.conn)
                .map_err(err)?;
        }
        self.families()
    }

    /// How many families the sealed spool holds.
    pub fn families(&mut self) -> Result<usize, String> {
        self.count("SELECT COUNT(*) AS n FROM families")
    }

    fn count(&mut self, sql: &str) -> Result<usize, String> {
        let rows: Vec<Count> = diesel::sql_query(sql).load(&mut self.conn).map_err(err)?;
        Ok(rows.first().map_or(0, |c| c.n as usize))
    }

    /// The families after number `after` (up to `families` of them, and about `slices`
    /// slices; at least one family), as (family number, record) in family then line order.
    pub fn batch(
        &mut self,
        after: usize,
        families: usize,
        slices: usize,
    ) -> Result<Vec<(usize, Record)>, String> {
        // The last family the batch takes: the one whose running total reaches `slices`.
        let rows: Vec<Spooled> = diesel::sql_query(
            "WITH f AS (SELECT id, by_id, key,
                    SUM(slices) OVER (ORDER BY id) - slices AS before
                  FROM (SELECT * FROM families WHERE id > ? ORDER BY id LIMIT ?))
             SELECT f.id AS family, r.line, r.cells
               FROM f JOIN records r ON r.by_id = f.by_id AND r.key = f.key
              WHERE f.before < ? ORDER BY f.id, r.line",
        )
        .bind::<BigInt, _>(after as i64)
        .bind::<BigInt, _>(families as i64)
        .bind::<BigInt, _>(slices as i64)
        .load(&mut self.conn)
        .map_err(err)?;
        rows.into_iter()
            .map(|r| {
                let cells = serde_json::from_str(&r.cells).map_err(err)?;
                let line = r.line as usize;
                Ok((r.family as usize, Record { line, cells }))
            })
            .collect()
    }

    /// Which of these family ids an earlier batch planned; records them all as planned.
    pub fn planned_before(&mut self, uuids: &[String]) -> Result<Vec<String>, String> {
        // One transaction: a statement per family is cheap in a local file, a commit is not.
        self.conn
            .transaction(|c| {
                let mut seen = Vec::new();
                for u in uuids {
                    let n = diesel::sql_query(
                        "INSERT INTO planned (uuid) VALUES (?) ON CONFLICT DO NOTHING",
                    )
                    .bind::<Text, _>(u)
                    .execute(c)?;
                    if n == 0 {
                        seen.push(u.clone());
                    }
                }
                Ok::<_, diesel::result::Error>(seen)
            })
            .map_err(err)
    }

    /// Forgets which families were planned (before a second pass over the same file).
    pub fn replan(&mut self) -> Result<(), String> {
        diesel::sql_query("DELETE FROM planned")
            .execute(&mut self.conn)
            .map_err(err)?;
        Ok(())
    }

    /// How many lines cannot be used, and the first `limit` of them in line order.
    pub fn problems(&mut self, limit: usize) -> Result<(usize, Vec<Kept>), String> {
        self.flush()?;
        let n = self.count("SELECT COUNT(*) AS n FROM problems")?;
        let first = problems::table
            .select((problems::line, problems::reason))
            .order(problems::line)
            .limit(limit as i64)
            .load(&mut self.conn)
            .map_err(err)?;
        Ok((n, first))
    }
}
