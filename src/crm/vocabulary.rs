//! Deals and activities in both vocabularies: HubSpot's property names (`amount`,
//! `closedate`, `dealstage`, …) and Pipedrive's (`value`, `close_time`, `status`, …) name the
//! same facts, so every write fills in the other name (`ObjectType::derive`). Each value is
//! stored under both names: searches, progress and attainment read whichever they know, and a
//! deal a HubSpot client creates is the deal Pipedrive's goals count.

use crate::db::json::PropsDoc;
use crate::engine::objects::Changes;
use crate::engine::value::format_ms;

/// `(HubSpot name, Pipedrive name, HubSpot → Pipedrive, Pipedrive → HubSpot)`.
type Pair = (
    &'static str,
    &'static str,
    fn(&str) -> Option<String>,
    fn(&str) -> Option<String>,
);

fn same(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// Pipedrive's ids are numbers; HubSpot's pipeline ids may be text (`default`), which have no
/// Pipedrive counterpart.
fn numeric(v: &str) -> Option<String> {
    v.parse::<i64>().ok().map(|n| n.to_string())
}

fn task_done(v: &str) -> Option<String> {
    Some((v == "COMPLETED").to_string())
}

fn task_status(v: &str) -> Option<String> {
    Some(
        if v == "true" {
            "COMPLETED"
        } else {
            "NOT_STARTED"
        }
        .to_owned(),
    )
}

const DEAL_PAIRS: &[Pair] = &[
    ("dealname", "title", same, same),
    ("amount", "value", same, same),
    ("deal_currency_code", "currency", same, same),
    ("closedate", "close_time", same, same),
    ("pipeline", "pipeline_id", numeric, same),
    ("hubspot_owner_id", "user_id", same, same),
];

const ACTIVITY_PAIRS: &[Pair] = &[
    ("hs_task_subject", "subject", same, same),
    ("hs_activity_type", "type", same, same),
    ("hs_timestamp", "add_time", same, same),
    ("hubspot_owner_id", "user_id", same, same),
    ("hs_task_status", "done", task_done, task_status),
    ("hs_task_completion_date", "marked_as_done_time", same, same),
];

fn get<'a>(changes: &'a Changes, name: &str) -> Option<&'a Option<String>> {
    changes.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn set(changes: &mut Changes, name: &str, value: Option<String>) {
    if get(changes, name).is_none() {
        changes.push((name.to_owned(), value));
    }
}

/// A value as the write leaves it: the change if there is one, else the state before.
fn after(before: Option<&PropsDoc>, changes: &Changes, name: &str) -> Option<String> {
    match get(changes, name) {
        Some(v) => v.clone(),
        None => before.and_then(|b| b.get(name)).map(str::to_owned),
    }
}

/// Where only one name of a pair is written, writes the other (a cleared value clears both);
/// where both are written, each keeps what it was given.
fn pairs(table: &[Pair], changes: &mut Changes) {
    for (hubspot, pipedrive, to_pd, to_hs) in table {
        match (
            get(changes, hubspot).cloned(),
            get(changes, pipedrive).cloned(),
        ) {
            (Some(v), None) => set(changes, pipedrive, v.as_deref().and_then(to_pd)),
            (None, Some(v)) => set(changes, hubspot, v.as_deref().and_then(to_hs)),
            _ => {}
        }
    }
}

/// Deals: besides the plain pairs, HubSpot's `dealstage` (`closedwon`, `closedlost` or a stage
/// id) is Pipedrive's `status` with `stage_id`; a deal that becomes won gets its `won_time`
/// (the close date, else now) and a close date if it had none.
pub fn derive_deal(before: Option<&PropsDoc>, changes: &mut Changes, now: i64) {
    let was = before
        .and_then(|b| b.get("status"))
        .unwrap_or("open")
        .to_owned();
    if let (Some(Some(stage)), None) = (get(changes, "dealstage").cloned(), get(changes, "status"))
    {
        let status = match stage.as_str() {
            "closedwon" => "won",
            "closedlost" => "lost",
            _ => "open",
        };
        set(changes, "status", Some(status.to_owned()));
        if status == "open" {
            if let Some(id) = numeric(&stage) {
                set(changes, "stage_id", Some(id));
            }
        }
    } else if get(changes, "dealstage").is_none()
        && (get(changes, "status").is_some() || get(changes, "stage_id").is_some())
    {
        let stage = match after(before, changes, "status").as_deref() {
            Some("won") => Some(Some("closedwon".to_owned())),
            Some("lost") => Some(Some("closedlost".to_owned())),
            _ => match after(before, changes, "stage_id") {
                Some(id) => Some(Some(id)),
                // Reopened with no known stage: no longer closed; a stage HubSpot named
                // (`appointmentscheduled`) stays.
                None => before
                    .and_then(|b| b.get("dealstage"))
                    .filter(|d| *d == "closedwon" || *d == "closedlost")
                    .map(|_| None),
            },
        };
        if let Some(stage) = stage {
            set(changes, "dealstage", stage);
        }
    }
    if let Some(status) = get(changes, "status").cloned().flatten() {
        let closing = (status == "won" || status == "lost") && status != was;
        if closing
            && after(before, changes, "closedate").is_none()
            && after(before, changes, "close_time").is_none()
        {
            set(changes, "closedate", Some(format_ms(now)));
        }
        // Won now: the close date given with it, else (a first win) the expected close
        // date, else now. A deal won again is counted when it is won again.
        if status == "won" && status != was {
            let given = || {
                get(changes, "closedate")
                    .or_else(|| get(changes, "close_time"))
                    .cloned()
                    .flatten()
            };
            let first = before.and_then(|b| b.get("won_time")).is_none();
            let at = given()
                .or_else(|| first.then(|| after(before, changes, "closedate")).flatten())
                .or_else(|| {
                    first
                        .then(|| after(before, changes, "close_time"))
                        .flatten()
                })
                .unwrap_or_else(|| format_ms(now));
            set(changes, "won_time", Some(at));
        }
        set(
            changes,
            "hs_is_closed_won",
            Some((status == "won").to_string()),
        );
        set(
            changes,
            "hs_is_closed",
            Some((status == "won" || status == "lost").to_string()),
        );
    }
    if let Some(None) = get(changes, "status") {
        set(changes, "hs_is_closed_won", None);
        set(changes, "hs_is_closed", None);
    }
    pairs(DEAL_PAIRS, changes);
    // No exchange rates here: the home-currency amount is the amount.
    if let Some(amount) = get(changes, "amount").cloned() {
        set(changes, "amount_in_home_currency", amount);
    }
}

/// Activities: the plain pairs (`hs_task_status` `COMPLETED` is `done`). Marked done without
/// a time: done now. Marked not done: a task status other than `COMPLETED` stays as it was.
pub fn derive_activity(before: Option<&PropsDoc>, changes: &mut Changes, now: i64) {
    let status_before = before.and_then(|b| b.get("hs_task_status"));
    if get(changes, "done") == Some(&Some("false".into()))
        && get(changes, "hs_task_status").is_none()
        && status_before.is_some_and(|s| s != "COMPLETED")
    {
        set(changes, "hs_task_status", status_before.map(str::to_owned));
    }
    pairs(ACTIVITY_PAIRS, changes);
    let done_now = get(changes, "done") == Some(&Some("true".into()))
        && before.and_then(|b| b.get("done")) != Some("true");
    if done_now && after(before, changes, "marked_as_done_time").is_none() {
        set(changes, "marked_as_done_time", Some(format_ms(now)));
        set(changes, "hs_task_completion_date", Some(format_ms(now)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        f: fn(Option<&PropsDoc>, &mut Changes, i64),
        before: Option<&PropsDoc>,
        given: &[(&str, &str)],
    ) -> Vec<(String, Option<String>)> {
        let mut c: Changes = given
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect();
        f(before, &mut c, 0);
        c.sort();
        c
    }

    fn has(c: &[(String, Option<String>)], k: &str, v: &str) -> bool {
        c.iter().any(|(n, x)| n == k && x.as_deref() == Some(v))
    }

    #[test]
    fn hubspot_names_fill_pipedrive_names_and_back() {
        let c = run(
            derive_deal,
            None,
            &[
                ("amount", "5"),
                ("dealstage", "closedwon"),
                ("closedate", "2027-03-02T00:00:00.000Z"),
                ("hubspot_owner_id", "7"),
            ],
        );
        for (k, v) in [
            ("value", "5"),
            ("status", "won"),
            ("won_time", "2027-03-02T00:00:00.000Z"),
            ("close_time", "2027-03-02T00:00:00.000Z"),
            ("user_id", "7"),
            ("hs_is_closed_won", "true"),
            ("amount_in_home_currency", "5"),
        ] {
            assert!(has(&c, k, v), "{k}={v} missing from {c:?}");
        }
        let c = run(
            derive_deal,
            None,
            &[
                ("value", "9"),
                ("status", "open"),
                ("stage_id", "3"),
                ("pipeline_id", "2"),
            ],
        );
        for (k, v) in [
            ("amount", "9"),
            ("dealstage", "3"),
            ("pipeline", "2"),
            ("hs_is_closed_won", "false"),
        ] {
            assert!(has(&c, k, v), "{k}={v} missing from {c:?}");
        }
        // A text pipeline id has no Pipedrive counterpart; a stage id text stays open.
        let c = run(
            derive_deal,
            None,
            &[
                ("pipeline", "default"),
                ("dealstage", "appointmentscheduled"),
            ],
        );
        assert!(
            c.iter().any(|(n, v)| n == "pipeline_id" && v.is_none()),
            "{c:?}"
        );
        assert!(
            has(&c, "status", "open") && !c.iter().any(|(n, _)| n == "stage_id"),
            "{c:?}"
        );
        let c = run(derive_activity, None, &[("hs_task_status", "COMPLETED")]);
        assert!(has(&c, "done", "true"), "{c:?}");
        let c = run(derive_activity, None, &[("done", "false")]);
        assert!(has(&c, "hs_task_status", "NOT_STARTED"), "{c:?}");
    }

    #[test]
    fn a_status_change_keeps_the_stage_and_dates_of_the_state_before() {
        let mut before = PropsDoc::default();
        before.set("status", Some("open".into()));
        before.set("stage_id", Some("4".into()));
        before.set("closedate", Some("2027-05-01T00:00:00.000Z".into()));
        let c = run(derive_deal, Some(&before), &[("status", "won")]);
        assert!(
            has(&c, "dealstage", "closedwon") && has(&c, "won_time", "2027-05-01T00:00:00.000Z"),
            "{c:?}"
        );
        let c = run(derive_deal, Some(&before), &[("stage_id", "5")]);
        assert!(has(&c, "dealstage", "5"), "{c:?}");
    }

    #[test]
    fn reopening_keeps_a_named_stage_and_winning_again_counts_from_now() {
        let mut before = PropsDoc::default();
        for (k, v) in [
            ("status", "won"),
            ("dealstage", "closedwon"),
            ("won_time", "2027-01-01T00:00:00.000Z"),
            ("closedate", "2027-01-01T00:00:00.000Z"),
        ] {
            before.set(k, Some(v.into()));
        }
        let c = run(derive_deal, Some(&before), &[("status", "open")]);
        assert!(
            c.iter().any(|(n, v)| n == "dealstage" && v.is_none()),
            "no longer closed won: {c:?}"
        );
        before.set("status", Some("lost".into()));
        let c = run(derive_deal, Some(&before), &[("status", "won")]);
        assert!(
            has(&c, "won_time", "1970-01-01T00:00:00.000Z"),
            "won again now: {c:?}"
        );
        let mut named = PropsDoc::default();
        named.set("status", Some("lost".into()));
        named.set("dealstage", Some("appointmentscheduled".into()));
        let c = run(derive_deal, Some(&named), &[("status", "open")]);
        assert!(!c.iter().any(|(n, _)| n == "dealstage"), "{c:?}");
        let mut task = PropsDoc::default();
        task.set("hs_task_status", Some("WAITING".into()));
        let c = run(derive_activity, Some(&task), &[("done", "false")]);
        assert!(has(&c, "hs_task_status", "WAITING"), "{c:?}");
        let c = run(derive_activity, None, &[("done", "true")]);
        assert!(
            has(&c, "marked_as_done_time", "1970-01-01T00:00:00.000Z"),
            "{c:?}"
        );
    }
}
