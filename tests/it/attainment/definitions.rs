//! KPI definitions that cannot be evaluated are refused at write time, naming the property,
//! in HubSpot's error shape, and nothing is written.

use super::family;
use crate::both;
use crate::support::family::{utc_months, Family};
use crate::support::TestApp;
use actix_web::http::StatusCode;
use serde_json::json;

async fn targets(app: &TestApp) -> i64 {
    let r = app
        .post("/crm/v3/objects/goal_targets/search", json!({"limit": 1}))
        .await;
    r.body["total"].as_i64().unwrap()
}

both!(
    a_definition_that_cannot_be_evaluated_is_a_400_naming_the_field,
    |app: TestApp| async move {
        let f = Family::new("bad", "monthly", utc_months(2027, 1, 12));
        let base = json!({"hs_kpi_object_type_id": "0-3"});
        for (extra, field) in [
            (
                json!({"hs_kpi_property_name": "no_such_property", "hs_kpi_metric_type": "SUM"}),
                "hs_kpi_property_name",
            ),
            (
                json!({"hs_kpi_property_name": "dealname", "hs_kpi_metric_type": "SUM"}),
                "hs_kpi_property_name",
            ),
            (json!({"hs_kpi_metric_type": "SUM"}), "hs_kpi_property_name"),
            (
                json!({"hs_kpi_metric_type": "MEDIAN"}),
                "hs_kpi_metric_type",
            ),
            (
                json!({"hs_kpi_filter_groups": "[{\"filters\":"}),
                "hs_kpi_filter_groups",
            ),
            (
                json!({"hs_kpi_filter_groups": "{\"filters\":[]}"}),
                "hs_kpi_filter_groups",
            ),
            (
                json!({"hs_kpi_filter_groups": r#"[{"filters":[{"property":"nope","operator":"EQ","value":"1"}]}]"#}),
                "hs_kpi_filter_groups",
            ),
            (
                json!({"hs_kpi_filter_groups": r#"[{"filters":[{"property":"amount","operator":"LIKE","value":"1"}]}]"#}),
                "hs_kpi_filter_groups",
            ),
            (
                json!({"hs_kpi_time_period_property": "amount"}),
                "hs_kpi_time_period_property",
            ),
            (
                json!({"hs_kpi_tracking_method": "SIDEWAYS"}),
                "hs_kpi_tracking_method",
            ),
            (
                json!({"hs_kpi_object_type_id": "0-5"}),
                "hs_kpi_object_type_id",
            ),
            (
                json!({"hs_kpi_object_type": "ACTIVITY"}),
                "hs_kpi_object_type",
            ),
        ] {
            let mut props = base.clone();
            for (k, v) in extra.as_object().unwrap() {
                props[k] = v.clone();
            }
            let mut inputs = f.inputs();
            for i in &mut inputs {
                for (k, v) in props.as_object().unwrap() {
                    i["properties"][k] = v.clone();
                }
            }
            let r = app
                .post(
                    "/crm/v3/objects/goal_targets/batch/create",
                    json!({"inputs": inputs}),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra}: {}", r.body);
            assert_eq!(r.body["category"], "VALIDATION_ERROR", "{}", r.body);
            assert_eq!(
                r.body["errors"][0]["context"]["propertyName"][0], field,
                "{extra}: {}",
                r.body
            );
            assert_eq!(targets(&app).await, 0, "{extra}: nothing written");
        }
        // A good family, then a PATCH that would break its definition: refused, unchanged.
        let ids = family(
            &app,
            &f,
            json!({"hs_kpi_object_type_id": "0-3", "hs_kpi_metric_type": "COUNT"}),
        )
        .await;
        let path = format!("/crm/v3/objects/goal_targets/{}", ids[0]);
        let r = app
            .patch(
                &path,
                json!({"properties": {"hs_kpi_filter_groups": "not json"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let r = app
            .get(&format!("{path}?properties=hs_kpi_filter_groups"))
            .await;
        assert!(
            r.body["properties"]["hs_kpi_filter_groups"].is_null(),
            "{}",
            r.body
        );
    }
);

both!(an_average_that_should_stay_low, |app: TestApp| async move {
    // 2025 has ended: every slice has its outcome.
    let ids = family(&app, &Family::new("avg", "monthly", utc_months(2025, 1, 12)).target("60"), json!({
        "hs_kpi_object_type_id": "0-3", "hs_kpi_metric_type": "AVG", "hs_kpi_property_name": "amount",
        "hs_kpi_tracking_method": "LOWER_IS_BETTER",
    })).await;
    for (amount, at) in [
        ("40", "2025-01-05T00:00:00Z"),
        ("60", "2025-01-06T00:00:00Z"),
        ("80", "2025-02-01T00:00:00Z"),
    ] {
        crate::attainment::record(
            &app,
            "deals",
            json!({"amount": amount, "closedate": at, "hubspot_owner_id": "7"}),
        )
        .await;
    }
    // A deal without an amount is not averaged in.
    crate::attainment::record(
        &app,
        "deals",
        json!({"closedate": "2025-01-07T00:00:00Z", "hubspot_owner_id": "7"}),
    )
    .await;
    let jan = crate::attainment::slice(&app, &ids[0]).await;
    assert_eq!(
        (jan["hs_kpi_value"].as_str(), jan["hs_outcome"].as_str()),
        (Some("50"), Some("achieved")),
        "{jan:?}"
    );
    let feb = crate::attainment::slice(&app, &ids[1]).await;
    assert_eq!(
        (feb["hs_kpi_value"].as_str(), feb["hs_status"].as_str()),
        (Some("80"), Some("missed")),
        "{feb:?}"
    );
    let mar = crate::attainment::slice(&app, &ids[2]).await;
    assert_eq!(
        (mar["hs_kpi_value"].as_str(), mar["hs_outcome"].as_str()),
        (Some("0"), Some("achieved")),
        "no deals: {mar:?}"
    );
});
