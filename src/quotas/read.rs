//! Reading a quota file: CSV with a header row, or NDJSON of flat objects, into records of
//! (column, text) with their line numbers. Refused as a whole, naming the line: text that is
//! not UTF-8, rows with more or fewer cells than the header, duplicate or empty column names,
//! a file over [`MAX_BYTES`]. Spreadsheet formulas are refused cell by cell by the caller
//! ([`cell`]), which also undoes the quote an export puts before formula-like text.

use serde_json::Value;
use std::io::{BufRead, Read};

/// The largest file read (a million slices as rows take about 100 MB).
pub const MAX_BYTES: u64 = 512 << 20;

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    /// By a file name's extension (CSV unless it says NDJSON).
    pub fn of_path(path: &str) -> Format {
        if path.ends_with(".ndjson") || path.ends_with(".jsonl") {
            Format::Ndjson
        } else {
            Format::Csv
        }
    }
}

/// One data row: its line in the file and its cells by column.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Record {
    pub line: usize,
    pub cells: Vec<(String, String)>,
}

impl Record {
    /// A cell's text, trimmed; `None` when absent or empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Reads a whole file into memory (small files and tests); see [`each`].
pub fn records(bytes: &[u8], format: Format) -> Result<Vec<Record>, String> {
    let mut out = Vec::new();
    each(bytes, format, |r| {
        out.push(r);
        Ok(())
    })?;
    Ok(out)
}

/// A reader that fails once more than [`MAX_BYTES`] have been read, so a file too large is
/// refused as it streams in (nothing is written before the whole file has been read).
struct Limited<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_BYTES {
            return Err(std::io::Error::other(format!(
                "the file is over the limit of {MAX_BYTES} bytes: split it by goal"
            )));
        }
        Ok(n)
    }
}

fn not_utf8(line: u64) -> String {
    format!("line {line}: the file is not UTF-8 text (save it as CSV UTF-8)")
}

/// Streams a file's records to `f` in file order, holding one record at a time; an error
/// (the file's, naming its line, or `f`'s) stops the read. Returns how many were read.
pub fn each(
    input: impl Read,
    format: Format,
    f: impl FnMut(Record) -> Result<(), String>,
) -> Result<usize, String> {
    let mut input = Limited {
        inner: input,
        read: 0,
    };
    // A UTF-8 byte-order mark (Excel's "CSV UTF-8") is taken off here, whatever sizes the
    // first reads come in (a pipe may deliver fewer than its three bytes at once).
    let mut start = Vec::with_capacity(3);
    while start.len() < 3 {
        let mut byte = [0u8];
        if input.read(&mut byte).map_err(|e| e.to_string())? == 0 {
            break;
        }
        start.push(byte[0]);
    }
    if start == b"\xEF\xBB\xBF" {
        start.clear();
    }
    let input = std::io::Cursor::new(start).chain(input);
    match format {
        Format::Csv => csv_records(input, f),
        Format::Ndjson => ndjson_records(std::io::BufReader::new(input), f),
    }
}

fn check_header(names: &[String]) -> Result<(), String> {
    for (i, n) in names.iter().enumerate() {
        if n.trim().is_empty() {
            return Err(format!("line 1: column {} has no name", i + 1));
        }
        if names[..i].iter().any(|m| m.trim() == n.trim()) {
            return Err(format!("line 1: column {n:?} appears twice"));
        }
    }
    Ok(())
}

fn csv_error(e: &csv::Error) -> String {
    match (e.kind(), e.position()) {
        (csv::ErrorKind::Io(io), _) => io.to_string(),
        (csv::ErrorKind::Utf8 { pos, .. }, _) => not_utf8(pos.as_ref().map_or(1, |p| p.line())),
        (
            csv::ErrorKind::UnequalLengths {
                len, expected_len, ..
            },
            Some(p),
        ) => format!(
            "line {}: {len} cells where the header has {expected_len}",
            p.line()
        ),
        (_, Some(p)) => format!("line {}: {e}", p.line()),
        (_, None) => e.to_string(),
    }
}

fn csv_records(
    input: impl Read,
    mut f: impl FnMut(Record) -> Result<(), String>,
) -> Result<usize, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::Io(_) => csv_error(&e),
            _ => format!("line 1: {e}"),
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    check_header(&header)?;
    let mut n = 0;
    let mut row = csv::StringRecord::new();
    while reader.read_record(&mut row).map_err(|e| csv_error(&e))? {
        let line = row.position().map_or(0, |p| p.line() as usize);
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = header
            .iter()
            .cloned()
            .zip(row.iter().map(str::to_owned))
            .collect();
        f(Record { line, cells })?;
        n += 1;
    }
    Ok(n)
}

fn ndjson_records(
    mut input: impl BufRead,
    mut f: impl FnMut(Record) -> Result<(), String>,
) -> Result<usize, String> {
    let (mut n, mut line, mut raw) = (0, 0, Vec::new());
    loop {
        raw.clear();
        if input
            .read_until(b'\n', &mut raw)
            .map_err(|e| e.to_string())?
            == 0
        {
            return Ok(n);
        }
        line += 1;
        let text = std::str::from_utf8(&raw).map_err(|_| not_utf8(line as u64))?;
        if text.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text).map_err(|e| format!("line {line}: {e}"))?;
        let Value::Object(map) = value else {
            return Err(format!("line {line}: each line is one JSON object"));
        };
        let mut cells = Vec::with_capacity(map.len());
        for (k, v) in map {
            let text = match v {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                _ => return Err(format!("line {line}: {k} must be text or a number")),
            };
            cells.push((k, text));
        }
        f(Record { line, cells })?;
        n += 1;
    }
}

/// Whether a spreadsheet would run `s` as a formula: it starts with `=`, `+`, `@`, a tab or a
/// carriage return, or with `-` and is not a plain number.
fn formula(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => s.parse::<f64>().is_err(),
        _ => false,
    }
}

/// Whether a text needs an export's quote: a formula, or already quoted text that would read
/// as one once a quote is taken off.
fn needs_quote(s: &str) -> bool {
    formula(s.trim_start_matches('\''))
}

/// A text cell as imported: the quote an export puts before formula-like text is removed; a
/// formula is refused, since a spreadsheet would run it.
pub fn cell(raw: &str) -> Result<String, String> {
    if let Some(rest) = raw.strip_prefix('\'') {
        if needs_quote(rest) {
            return Ok(rest.to_owned());
        }
    }
    if formula(raw) {
        return Err(format!(
            "{raw:?} looks like a spreadsheet formula; put a ' before it to mean the text"
        ));
    }
    Ok(raw.to_owned())
}

/// A text cell as exported: formula-like text gets a leading quote, so a spreadsheet shows it
/// as text instead of running it ([`cell`] removes it again).
pub fn neutral(text: &str) -> String {
    if needs_quote(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_out_and_read_back() {
        for text in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "@SUM(A1)",
            "-x",
            "'=already",
        ] {
            assert_eq!(cell(&neutral(text)).unwrap(), text, "{text}");
        }
        assert_eq!(neutral("-12.5"), "-12.5");
        assert_eq!(neutral("'plain"), "'plain");
        assert_eq!(cell("'plain").unwrap(), "'plain");
        assert_eq!(neutral("Revenue"), "Revenue");
        assert!(cell("=HYPERLINK(\"http://x\")").is_err());
    }

    #[test]
    fn malformed_files_are_refused_naming_the_line() {
        let ragged = records(b"goal,period\na,2027\nb\n", Format::Csv).unwrap_err();
        assert!(ragged.starts_with("line 3:"), "{ragged}");
        let twice = records(b"goal,goal\na,b\n", Format::Csv).unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
        let latin1 = records(b"goal\nG\xe9n\xe9ral\n", Format::Csv).unwrap_err();
        assert!(
            latin1.starts_with("line 2:") && latin1.contains("UTF-8"),
            "{latin1}"
        );
        let bom = records(b"\xEF\xBB\xBFgoal\nA\n", Format::Csv).unwrap();
        assert_eq!(bom[0].get("goal"), Some("A"));
        // A pipe may hand the byte-order mark over a byte at a time.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        for format in [Format::Csv, Format::Ndjson] {
            let text: &[u8] = match format {
                Format::Csv => b"\xEF\xBB\xBFgoal\nA\n",
                Format::Ndjson => b"\xEF\xBB\xBF{\"goal\": \"A\"}\n",
            };
            let mut got = Vec::new();
            each(Trickle(text), format, |r| {
                got.push(r);
                Ok(())
            })
            .unwrap();
            assert_eq!(got[0].get("goal"), Some("A"), "{format:?}");
        }
        assert!(records(b"{\"goal\": [1]}\n", Format::Ndjson).is_err());
        assert_eq!(
            records(b"\n{\"goal\": \"A\", \"target\": 5}\n", Format::Ndjson).unwrap()[0].line,
            2
        );
    }
}
