//! Milestone periods: fiscal years, weeks, years, and months across DST in New York.

use super::*;

both!(fiscal_years_weeks_and_years, |app: TestApp| async move {
    // Quarterly from April (fiscal year), yearly from April.
    let q = periods(
        chrono_tz::UTC,
        NaiveDate::from_ymd_opt(2027, 4, 1).unwrap(),
        3,
        4,
    );
    assert_eq!(q[3].0, "2028-01-01T00:00:00.000Z");
    assert_eq!(
        create(&app, group("fq", "q", "quarterly", "7", &q))
            .await
            .status,
        StatusCode::CREATED
    );
    let y = periods(
        chrono_tz::UTC,
        NaiveDate::from_ymd_opt(2027, 4, 1).unwrap(),
        12,
        1,
    );
    let r = app
        .post(BASE, group("fy", "y", "yearly", "7", &y)[0].clone())
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "a yearly goal is one slice: {:?}",
        r.body
    );
    // A single monthly slice is not a goal year.
    let r = app
        .post(
            BASE,
            group("fm", "m", "monthly", "7", &utc_months(2027, 1, 1))[0].clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Weeks: Monday to Sunday, 52 or 53 of them.
    let monday = NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
    assert_eq!(monday.weekday(), chrono::Weekday::Mon);
    let weeks = periods(chrono_tz::UTC, monday, 0, 54);
    assert_eq!(
        create(&app, group("fw53", "w", "weekly", "7", &weeks[..53]))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        create(&app, group("fw52", "w52", "weekly", "7", &weeks[..52]))
            .await
            .status,
        StatusCode::CREATED
    );
    refused(
        &app,
        group("fw54", "w54", "weekly", "7", &weeks[..54]),
        "3",
        Some("52 or 53"),
    )
    .await;
    let tuesday = periods(chrono_tz::UTC, monday + Duration::days(1), 0, 52);
    refused(
        &app,
        group("fwt", "wt", "weekly", "7", &tuesday),
        "2",
        Some("2026-12-28T00:00:00.000Z"),
    )
    .await;
});

both!(
    new_york_months_across_both_dst_changes,
    |app: TestApp| async move {
        app.set_time_zone("America/New_York");
        let ny = periods(
            chrono_tz::America::New_York,
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            1,
            12,
        );
        assert_eq!(
            ny[2],
            (
                "2027-03-01T05:00:00.000Z".into(),
                "2027-04-01T03:59:59.999Z".into()
            )
        );
        assert_eq!(
            ny[10],
            (
                "2027-11-01T04:00:00.000Z".into(),
                "2027-12-01T04:59:59.999Z".into()
            )
        );
        let r = create(&app, group("ny", "g", "monthly", "7", &ny)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        // UTC boundaries are wrong in New York: the expected start is the New York midnight.
        let body = refused(
            &app,
            group("utc", "u", "monthly", "7", &utc_months(2027, 1, 12)),
            "2",
            None,
        )
        .await;
        let expected = body["errors"][0]["context"]["expected"][0]
            .as_str()
            .unwrap();
        assert!(
            expected.ends_with("T05:00:00.000Z") || expected.ends_with("T04:00:00.000Z"),
            "{expected}"
        );
    }
);
