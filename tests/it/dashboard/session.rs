//! The dashboard's sessions and form checks, in process: who may sign in, what a session cookie
//! looks like, CSRF and same-origin checks on posts, read-only tokens, other portals' data, and
//! the pages' security headers.

use crate::both;
use crate::support::family::{utc_months, Family};
use crate::support::{TestApp, TOKEN};
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use serde_json::json;

async fn page(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
    origin: Option<&str>,
) -> (StatusCode, actix_web::http::header::HeaderMap, String) {
    let mut req = TestRequest::default()
        .method(method)
        .uri(path)
        .insert_header(("Host", "localhost:8080"));
    if let Some(c) = cookie {
        // The cookie holds the token as hex, as sign-in sets it.
        req = req.insert_header((
            "Cookie",
            format!("goalpost_session={}", goalpost::http::dashboard::hex(c)),
        ));
    }
    if let Some(o) = origin {
        req = req.insert_header(("Origin", o));
    }
    if let Some(f) = form {
        req = req
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload(f.to_owned());
    }
    app.call_text(req.to_request()).await
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + 32].to_owned()
}

async fn target(app: &TestApp, id: &str) -> String {
    let r = app
        .get(&format!(
            "/crm/v3/objects/goal_targets/{id}?properties=hs_target_amount"
        ))
        .await;
    r.body["properties"]["hs_target_amount"]
        .as_str()
        .unwrap()
        .to_owned()
}

both!(sessions_scopes_and_form_posts, |app: TestApp| async move {
    let r = app
        .post(
            "/crm/v3/objects/goal_targets/batch/create",
            Family::new("fam", "monthly", utc_months(2027, 1, 12)).body(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["results"][0]["id"].as_str().unwrap().to_owned();
    let other = app.token(2, &["crm.objects.goals.write"]);
    let r = app
        .send(
            Method::POST,
            "/crm/v3/objects/goal_targets/batch/create",
            Some(&other),
            Some(Family::new("theirs", "monthly", utc_months(2027, 1, 12)).body()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let theirs = r.body["results"][0]["id"].as_str().unwrap().to_owned();
    let weak = app.token(1, &["crm.objects.deals.read"]);
    let reader = app.token(1, &["crm.objects.goals.read"]);

    // Without a session: to the sign-in page. Unknown tokens and tokens without the goal
    // scopes do not sign in.
    let (s, h, _) = page(&app, Method::GET, "/dashboard", None, None, None).await;
    assert_eq!(
        (s, h.get("location").unwrap().to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/dashboard/login")
    );
    let (s, h, _) = page(
        &app,
        Method::POST,
        "/dashboard/login",
        None,
        Some("token=nope"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(h.get("set-cookie").is_none());
    let (s, h, _) = page(
        &app,
        Method::POST,
        "/dashboard/login",
        None,
        Some(&format!("token={weak}")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(h.get("set-cookie").is_none());
    let (s, _, _) = page(
        &app,
        Method::POST,
        "/dashboard/login",
        None,
        Some(&format!("token={TOKEN}")),
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a sign-in posted from another site"
    );
    let (s, h, _) = page(
        &app,
        Method::POST,
        "/dashboard/login",
        None,
        Some(&format!("token={TOKEN}")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let cookie = h.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    for part in [
        "goalpost_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/dashboard",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    // A cookie whose token no longer works ends the session.
    let (s, h, _) = page(&app, Method::GET, "/dashboard", Some("gone"), None, None).await;
    assert_eq!(
        (s, h.get("location").unwrap().to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/dashboard/login?expired=1")
    );
    let (s, _, _) = page(&app, Method::GET, "/dashboard", Some(&weak), None, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Signed in: no script allowed, never framed.
    let (s, h, html) = page(
        &app,
        Method::GET,
        "/dashboard/families/fam",
        Some(TOKEN),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("script-src"),
        "{csp}"
    );
    let token_csrf = csrf(&html);
    let edit = format!("/dashboard/families/fam/slices/{id}");
    // No CSRF value, a wrong one, another origin: refused, nothing written.
    for (form, origin) in [
        ("target=5".to_owned(), None),
        (
            "target=5&csrf=0123456789abcdef0123456789abcdef".into(),
            None,
        ),
        (
            format!("target=5&csrf={token_csrf}"),
            Some("http://evil.example"),
        ),
    ] {
        let (s, _, _) = page(&app, Method::POST, &edit, Some(TOKEN), Some(&form), origin).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{form} {origin:?}");
    }
    assert_eq!(target(&app, &id).await, "1000");
    // Same origin with the session's value: written, through the API's validation.
    let (s, _, _) = page(
        &app,
        Method::POST,
        &edit,
        Some(TOKEN),
        Some(&format!("target=2500&csrf={token_csrf}")),
        Some("http://localhost:8080"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(target(&app, &id).await, "2500");
    let (s, _, html) = page(
        &app,
        Method::POST,
        &edit,
        Some(TOKEN),
        Some(&format!("target=-&csrf={token_csrf}")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("Not saved: hs_target_amount"), "{html}");
    assert_eq!(target(&app, &id).await, "2500");
    // Another portal's slice through this family's path: not found, unchanged.
    let (s, _, _) = page(
        &app,
        Method::POST,
        &format!("/dashboard/families/fam/slices/{theirs}"),
        Some(TOKEN),
        Some(&format!("target=1&csrf={token_csrf}")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = app
        .send(
            Method::GET,
            &format!("/crm/v3/objects/goal_targets/{theirs}?properties=hs_target_amount"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.body["properties"]["hs_target_amount"], json!("1000"));
    // A read-only token sees no forms and may not post.
    let (_, _, html) = page(
        &app,
        Method::GET,
        "/dashboard/families/fam",
        Some(&reader),
        None,
        None,
    )
    .await;
    assert!(!html.contains("input class=\"target\""));
    let (s, _, _) = page(
        &app,
        Method::POST,
        &edit,
        Some(&reader),
        Some(&format!("target=1&csrf={}", csrf(&html))),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(target(&app, &id).await, "2500");
    // Sign-out clears the cookie.
    let (s, h, _) = page(
        &app,
        Method::POST,
        "/dashboard/logout",
        Some(TOKEN),
        Some(&format!("csrf={token_csrf}")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(h
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
});

both!(
    a_token_with_cookie_unsafe_characters_keeps_its_session,
    |app: TestApp| async move {
        let odd = "a+b%41; c=d,\"e\"";
        {
            let mut conn = app.state.pool.get().unwrap();
            let scopes = vec!["crm.objects.goals.read".to_owned()];
            goalpost::auth::store_token(
                &mut conn,
                goalpost::engine::store::PortalId(1),
                "odd",
                odd,
                &scopes,
                1,
                None,
            )
            .unwrap();
        }
        let form: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", odd)
            .finish();
        let (s, h, _) = page(
            &app,
            Method::POST,
            "/dashboard/login",
            None,
            Some(&form),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let set = h.get("set-cookie").unwrap().to_str().unwrap();
        let value = set
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("goalpost_session=");
        let req = TestRequest::get()
            .uri("/dashboard")
            .insert_header(("Cookie", format!("goalpost_session={value}")))
            .to_request();
        let (s, _, html) = app.call_text(req).await;
        assert_eq!(s, StatusCode::OK, "{html}");
    }
);
