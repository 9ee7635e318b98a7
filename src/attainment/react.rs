//! The reactions that keep attainment true inside the writes that move it: a goal-target
//! write checks and indexes its KPI definition and recomputes its slices; a deal or activity
//! write recomputes the slices its old and new values fall in, found through `kpi_slices`.

use super::definition;
use super::refresh::{self, CALCULATED};
use super::Types;
use crate::crm::lookups;
use crate::db::Conn;
use crate::engine::rules::{Reactions, WriteKind, Written};
use crate::engine::types::PropertyType;
use crate::engine::value::parse_instant;
use crate::error::ApiError;
use std::collections::BTreeSet;

/// On `goal_targets` writes.
#[derive(Debug)]
pub struct OnTargetWrite(pub Types);

impl Reactions for OnTargetWrite {
    fn after(&self, conn: &mut Conn, w: &Written<'_>) -> Result<Vec<i64>, ApiError> {
        if w.source == CALCULATED {
            return Ok(Vec::new());
        }
        let mut kpis = Vec::with_capacity(w.touched.len());
        for t in w.touched {
            let kpi = match &t.after {
                Some(doc) if definition::defined(doc) => {
                    Some(definition::parse(doc, &self.0.counted)?)
                }
                _ => None,
            };
            kpis.push(kpi);
        }
        let slices: Vec<_> = w
            .touched
            .iter()
            .zip(&kpis)
            .map(|(t, k)| (t.id, t.after.as_ref(), k.as_ref()))
            .collect();
        refresh::index(conn, w.portal, &slices, w.now)?;
        if w.kind == WriteKind::Archive {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = w
            .touched
            .iter()
            .zip(&kpis)
            .filter(|(_, k)| k.is_some())
            .map(|(t, _)| t.id)
            .collect();
        // A value the client wrote (not cleared) is a manual override until cleared.
        let overridden: Vec<i64> = w
            .touched
            .iter()
            .filter(|t| {
                let after = t.after.as_ref().and_then(|d| d.get("hs_kpi_value"));
                after.is_some() && after != t.before.as_ref().and_then(|d| d.get("hs_kpi_value"))
            })
            .map(|t| t.id)
            .collect();
        refresh::recompute(
            conn,
            &self.0.targets,
            &self.0.counted,
            w.portal,
            &ids,
            w.now,
            false,
            &overridden,
        )
    }
}

/// On writes of a counted type (`deals`, `activities`).
#[derive(Debug)]
pub struct OnRecordWrite {
    pub kpi_type: &'static str,
    pub types: Types,
}

impl Reactions for OnRecordWrite {
    fn after(&self, conn: &mut Conn, w: &Written<'_>) -> Result<Vec<i64>, ApiError> {
        if w.source == CALCULATED {
            return Ok(Vec::new());
        }
        let Some(otype) = self.types.counted.iter().find(|t| t.name == self.kpi_type) else {
            return Ok(Vec::new());
        };
        let docs = w
            .touched
            .iter()
            .flat_map(|t| [t.before.as_ref(), t.after.as_ref()])
            .flatten();
        let mut owners = BTreeSet::new();
        let mut times: Vec<i64> = vec![w.now];
        for doc in docs {
            if let Some(u) = doc.get("user_id").and_then(|v| v.parse::<f64>().ok()) {
                owners.insert(u as i64);
            }
            for def in otype
                .properties
                .iter()
                .filter(|d| matches!(d.kind, PropertyType::Date | PropertyType::Datetime))
            {
                let Some(t) = doc.get(&def.name).and_then(parse_instant) else {
                    continue;
                };
                times.push(t);
                // A date is a day in the portal's time zone: the UTC midnight it parses to
                // may belong to the period before or after.
                if def.kind == PropertyType::Date {
                    times.extend([t - 86_400_000, t + 86_400_000]);
                }
            }
        }
        times.extend(w.touched.iter().map(|t| t.created_at));
        let mut who: Vec<String> = owners.iter().map(|o| format!("u:{o}")).collect();
        if !owners.is_empty() {
            for (team, members) in lookups::team_members(conn, w.portal, None)? {
                if members.iter().any(|u| owners.contains(u)) {
                    who.push(format!("t:{team}"));
                }
            }
        }
        who.push("*".into());
        let ids = refresh::slices_at(conn, w.portal, self.kpi_type, &who, &times)?;
        refresh::recompute(
            conn,
            &self.types.targets,
            &self.types.counted,
            w.portal,
            &ids,
            w.now,
            false,
            &[],
        )?;
        // Goal targets were rewritten, not the records written.
        Ok(Vec::new())
    }
}
