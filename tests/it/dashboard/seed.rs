//! The dashboard tests' data: one family of three groups (two owners and a team whose target
//! is not their sum) with a revenue KPI and a name full of markup, another family, won deals,
//! and a family in a second portal.

use crate::support::http::send;
use crate::support::TOKEN;
use serde_json::{json, Value};
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

pub fn token(url: &str, portal: i64, scopes: &[&str]) -> String {
    let pool = goalpost::db::pool(url, 2).expect("pool");
    let mut conn = pool.get().expect("conn");
    let p = goalpost::engine::store::PortalId(portal);
    goalpost::portals::ensure_portal(&mut conn, p, "other").expect("portal");
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    goalpost::auth::create_token(
        &mut conn,
        p,
        "dashboard",
        &scopes,
        goalpost::auth::DEFAULT_USER,
        None,
    )
    .expect("token")
    .1
}

pub fn call(base: &str, method: &str, path: &str, token: &str, body: Value) -> Value {
    let (status, out) = send(base, method, path, token, Some(&body), T).expect("request");
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {out}"
    );
    out
}

/// One monthly group of 2026 with a revenue KPI.
pub fn group(uuid: &str, name: &str, gid: &str, owner: &str, team: &str, target: &str) -> Value {
    let inputs: Vec<Value> = (1..=12u32)
        .map(|m| {
            let start = chrono::NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
            let next = if m == 12 { chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() } else { chrono::NaiveDate::from_ymd_opt(2026, m + 1, 1).unwrap() };
            let end = next.and_hms_opt(0, 0, 0).unwrap() - chrono::Duration::milliseconds(1);
            json!({"properties": {
                "hs_goal_name": name, "hs_goal_type": "sales_quota", "hs_milestone": "monthly", "hs_target_amount": target,
                "hs_start_datetime": format!("{start}T00:00:00.000Z"), "hs_end_datetime": end.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "hs_group_correlation_uuid": uuid, "hs_goal_target_group_id": gid,
                "hubspot_owner_id": owner, "hs_assignee_team_id": team,
                "hs_kpi_object_type_id": "0-3", "hs_kpi_metric_type": "SUM", "hs_kpi_property_name": "amount",
                "hs_kpi_filter_groups": r#"[{"filters":[{"property":"dealstage","operator":"EQ","value":"closedwon"}]}]"#,
            }})
        })
        .collect();
    json!({ "inputs": inputs })
}

pub fn seed(base: &str, other: &str) {
    call(
        base,
        "PUT",
        "/goalpost/v1/lookups/teams/3",
        TOKEN,
        json!({"name": "East", "users": [7, 8]}),
    );
    let name = "Revenue <script>alert('x')</script> & more";
    for (gid, owner, team, target) in [
        ("g7", "7", "", "1000"),
        ("g8", "8", "", "1500"),
        ("gt", "", "3", "2000"),
    ] {
        call(
            base,
            "POST",
            "/crm/v3/objects/goal_targets/batch/create",
            TOKEN,
            group("fam-1", name, gid, owner, team, target),
        );
    }
    call(
        base,
        "POST",
        "/crm/v3/objects/goal_targets/batch/create",
        TOKEN,
        group("fam-2", "Renewals", "r9", "9", "", "500"),
    );
    for (owner, amount, at) in [
        ("7", "400", "2026-12-02T10:00:00Z"),
        ("8", "2000", "2026-11-10T10:00:00Z"),
        ("7", "900", "2026-11-03T00:00:00Z"),
        ("9", "100", "2026-12-01T10:00:00Z"),
    ] {
        call(
            base,
            "POST",
            "/crm/v3/objects/deals",
            TOKEN,
            json!({"properties": {"amount": amount, "dealstage": "closedwon", "closedate": at, "hubspot_owner_id": owner}}),
        );
    }
    call(
        base,
        "POST",
        "/crm/v3/objects/goal_targets/batch/create",
        other,
        group("fam-other", "Other portal's goal", "o1", "7", "", "1"),
    );
}
