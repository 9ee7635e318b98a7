//! Lenient portals and the audit; concurrent writers of one family.

use super::*;

both!(
    lenient_portals_store_anything_and_the_audit_finds_it,
    |app: TestApp| async move {
        app.set_mode("lenient");
        let mut bad = group("loose", "g", "monthly", "7", &utc_months(2027, 1, 12));
        bad[4]["properties"]["hs_goal_name"] = json!("Odd");
        bad[6]["properties"]["hs_end_datetime"] = json!("2027-07-15T00:00:00Z");
        assert_eq!(create(&app, bad).await.status, StatusCode::CREATED);
        let mut conn = app.state.pool.get().unwrap();
        let otype = app.state.registry.find("goal_targets").unwrap();
        let found = goalpost::goals::family::check_portal(
            &mut conn,
            &otype,
            goalpost::engine::store::PortalId(1),
        )
        .unwrap();
        let described: Vec<String> = found.iter().map(|v| v.describe()).collect();
        assert_eq!(found.len(), 2, "{described:?}");
        assert!(described.iter().any(|d| d.contains("rule 4")
            && d.contains("hs_goal_name")
            && d.contains("family loose")));
        assert!(described
            .iter()
            .any(|d| d.contains("rule 2") && d.contains("hs_end_datetime")));
        app.set_mode("strict");
        assert!(
            goalpost::goals::family::check_portal(
                &mut conn,
                &otype,
                goalpost::engine::store::PortalId(1)
            )
            .unwrap()
            .len()
                == 2
        );
    }
);

both!(
    two_concurrent_creates_of_one_group_leave_exactly_one,
    |app: TestApp| async move {
        let inputs = group("race", "g1", "monthly", "7", &utc_months(2027, 1, 12));
        let (a, b) = tokio::join!(create(&app, inputs.clone()), create(&app, inputs.clone()));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{:?} {:?}", a.body, b.body);
        let f = app.get(&format!("{FAMILIES}/race")).await;
        assert_eq!(f.body["groups"][0]["slices"].as_array().unwrap().len(), 12);
    }
);

both!(
    a_rename_racing_a_slice_archive_leaves_a_valid_family,
    |app: TestApp| async move {
        for round in 0..4 {
            let fam = format!("rr{round}");
            let made = ids(&create(
                &app,
                group(
                    &fam,
                    &format!("g{round}"),
                    "monthly",
                    "7",
                    &utc_months(2027, 1, 12),
                ),
            )
            .await);
            let all: Vec<Value> = made
                .iter()
                .map(|id| json!({"id": id, "properties": {"hs_goal_name": "Renamed"}}))
                .collect();
            let (update_path, delete_path) = (
                format!("{BASE}/batch/update"),
                format!("{BASE}/{}", made[round * 3]),
            );
            let (rename, archive) = tokio::join!(
                app.post(&update_path, json!({"inputs": all})),
                app.delete(&delete_path)
            );
            assert_eq!(archive.status, StatusCode::NO_CONTENT);
            // Either the rename came first (all 12 renamed, then one archived) or the archive did
            // (the rename names an archived slice: 404, nothing renamed).
            assert!(
                matches!(rename.status.as_u16(), 200 | 404),
                "{:?}",
                rename.body
            );
            crate::support::assert_families_hold(&mut app.state.pool.get().unwrap());
        }
    }
);
