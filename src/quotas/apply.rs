//! Writing a plan: families in chunks of up to [`CHUNK_SLICES`] slices, each chunk one
//! transaction through the engine (the bulk path a large valid file takes); a chunk the rules
//! refuse is written again family by family, so each family is all or nothing and the refused
//! one is named with its lines. A dry run does the same and rolls every transaction back.

use super::plan::{FamilyPlan, Plan};
use crate::db::Conn;
use crate::engine::objects::{self, NewObject, Source, Update};
use crate::engine::rules::WriteKind;
use crate::engine::store::PortalId;
use crate::engine::types::ObjectType;
use crate::error::ApiError;
use crate::goals::family;

/// Slices written in one transaction at most.
pub const CHUNK_SLICES: usize = 1000;

const DRY_RUN: &str = "~quota import dry run~";

/// Which write of a transaction failed: new groups, slices joining held groups, or changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Fresh,
    Joining,
    Change,
}

fn size(f: &FamilyPlan) -> usize {
    f.creates.len() + f.updates.len()
}

/// A refusal of the input (the rules, a check), as opposed to the database failing.
fn refusal(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Validation(_) | ApiError::Conflict(_) | ApiError::NotFound { .. }
    )
}

/// Writes some families' slices in one transaction (`dry`: then rolls it back).
fn write(
    conn: &mut Conn,
    (otype, portal): (&ObjectType, PortalId),
    chunk: &[FamilyPlan],
    now: i64,
    dry: bool,
) -> Result<(), (ApiError, Stage)> {
    let source = Source {
        kind: "IMPORT",
        id: None,
    };
    // The engine numbers inputs from 0 within each call: new groups, then slices joining a
    // group the portal holds, then changes ([`by_line`] reads them in that order).
    let pick = |joins: bool| -> Vec<NewObject> {
        chunk
            .iter()
            .flat_map(|f| f.creates.iter().zip(&f.joins))
            .filter(|(_, j)| **j == joins)
            .enumerate()
            .map(|(input, (c, _))| NewObject { input, ..c.clone() })
            .collect()
    };
    let (creates, extends) = (pick(false), pick(true));
    let updates: Vec<Update> = chunk
        .iter()
        .flat_map(|f| f.updates.iter().cloned())
        .enumerate()
        .map(|(input, u)| Update { input, ..u })
        .collect();
    let keys: Vec<String> = chunk.iter().map(|f| family::lock_key(&f.family)).collect();
    let stage = std::cell::Cell::new(Stage::Fresh);
    let outcome = conn.write_tx(|tx| {
        tx.lock_keys(&keys)?;
        if !creates.is_empty() {
            objects::create(tx, otype, portal, &creates, now, &source)?;
        }
        stage.set(Stage::Joining);
        if !extends.is_empty() {
            objects::create_as(tx, otype, portal, &extends, now, &source, WriteKind::Extend)?;
        }
        stage.set(Stage::Change);
        if !updates.is_empty() {
            objects::update(tx, otype, portal, &updates, now, &source)?;
        }
        if dry {
            return Err(ApiError::Conflict(DRY_RUN.into()));
        }
        Ok(())
    });
    match outcome {
        Err(ApiError::Conflict(m)) if m == DRY_RUN => Ok(()),
        Err(e) => Err((e, stage.get())),
        Ok(()) => Ok(()),
    }
}

/// Writes (or with `dry`, tries) a plan. Returns how many slices were written.
pub fn apply(
    conn: &mut Conn,
    target: (&ObjectType, PortalId),
    plan: &mut Plan,
    now: i64,
    dry: bool,
) -> Result<usize, ApiError> {
    let total = plan.families.len();
    let (mut written, mut i) = (0, 0);
    while i < total {
        let (mut j, mut n) = (i, 0);
        while j < total && (j == i || n + size(&plan.families[j]) <= CHUNK_SLICES) {
            n += size(&plan.families[j]);
            j += 1;
        }
        let chunk = &mut plan.families[i..j];
        i = j;
        if n == 0 {
            continue;
        }
        match write(conn, target, chunk, now, dry) {
            Ok(()) => written += if dry { 0 } else { n },
            Err((e, _)) if refusal(&e) => {
                // Someone in the chunk is refused: each family alone, to name it.
                for f in chunk.iter_mut().filter(|f| size(f) > 0) {
                    match write(conn, target, std::slice::from_ref(f), now, dry) {
                        Ok(()) => written += if dry { 0 } else { size(f) },
                        Err((e, stage)) if refusal(&e) => {
                            f.refused = Some(by_line(&e.to_string(), f, stage))
                        }
                        Err((e, _)) => return Err(e),
                    }
                }
            }
            Err((e, _)) => return Err(e),
        }
    }
    Ok(written)
}

/// A refusal's text with the engine's input numbers (their place in the write that failed) as
/// the family's file lines.
fn by_line(message: &str, f: &FamilyPlan, stage: Stage) -> String {
    let created = |joins: bool| -> Vec<usize> {
        f.create
            .iter()
            .zip(&f.joins)
            .filter(|(_, j)| **j == joins)
            .map(|(l, _)| *l)
            .collect()
    };
    let lines = match stage {
        Stage::Fresh => created(false),
        Stage::Joining => created(true),
        Stage::Change => f.change.clone(),
    };
    let mut out = message.to_owned();
    for (i, line) in lines.iter().enumerate() {
        out = out.replace(&format!("input {i}:"), &format!("line {line}:"));
    }
    for (u, line) in f.updates.iter().zip(&f.change) {
        out = out.replace(
            &format!("object {}:", u.id),
            &format!("line {line} (object {}):", u.id),
        );
    }
    out
}
