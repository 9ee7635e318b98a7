//! Test harness: every test gets its own database on each backend (a temp SQLite file, or a
//! fresh database in a throwaway PostgreSQL cluster this harness starts once) and the real app.

pub mod browser;
pub mod family;
pub mod http;
pub mod pg;
pub mod receiver;
pub mod server;

pub use family::{assert_families_hold, orphan_history};

use actix_http::Request;
use actix_service::boxed::BoxService;
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode};
use actix_web::{test, web};
use goalpost::config::Config;
use goalpost::http::state::AppState;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/test.db", dir.path().display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => TestDb {
                url: pg::fresh_database(),
                _dir: None,
            },
        }
    }

    /// An empty database, without migrations (for the migration tests).
    pub fn empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::new(backend),
            Backend::Postgres => TestDb {
                url: pg::empty_database(),
                _dir: None,
            },
        }
    }

    /// A database someone else owns (e.g. a cluster a test starts itself).
    pub fn at(url: String) -> TestDb {
        TestDb { url, _dir: None }
    }
}

/// The token every test app is bootstrapped with (all scopes, portal 1).
pub const TOKEN: &str = "test-token-all-scopes";

/// The real app, in process, on a fresh database.
pub struct TestApp {
    _db: TestDb,
    pub state: web::Data<AppState>,
    svc: BoxService<Request, ServiceResponse, actix_web::Error>,
}

/// A response: status, headers and JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub headers: actix_web::http::header::HeaderMap,
}

impl Resp {
    /// The first `errors[].code` of an error body ("" when there is none).
    pub fn errors_code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }
}

/// Everything stored, for "nothing changed" checks.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub objects: Vec<(i64, bool, String, i64)>,
    pub history_rows: i64,
    /// `(from, to, type)` in both directions.
    pub associations: Vec<(i64, i64, i32)>,
    pub labels: Vec<(i32, String)>,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::start_on(TestDb::new(backend), tweak).await
    }

    /// A second instance on this one's database (its own pool and caches), as another process
    /// of one deployment would be.
    pub async fn beside(&self) -> TestApp {
        Self::start_on(TestDb::at(self._db.url.clone()), |_| {}).await
    }

    async fn start_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
        // Server logs (e.g. an internal error's detail) show with RUST_LOG=error.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let mut config = Config::new(&db.url);
        config.bootstrap_token = Some(TOKEN.into());
        config.pool_size = 4;
        tweak(&mut config);
        let startup = goalpost::prepare(config).expect("app starts");
        let state = web::Data::new(startup.state);
        let app = test::init_service(goalpost::http::app(state.clone())).await;
        TestApp {
            _db: db,
            state,
            svc: actix_service::boxed::service(actix_service::ServiceExt::map(app, |r| {
                r.map_into_boxed_body()
            })),
        }
    }

    /// The database's URL (for the CLI).
    pub fn db_url(&self) -> &str {
        &self._db.url
    }

    /// Sets the default portal's validation mode (`strict` or `lenient`).
    pub fn set_mode(&self, mode: &str) {
        let mut conn = self.state.pool.get().expect("conn");
        goalpost::portals::set_portal_settings(
            &mut conn,
            goalpost::engine::store::PortalId(1),
            None,
            goalpost::portals::ValidationMode::parse(mode),
        )
        .expect("portal settings");
    }

    /// Sets the default portal's time zone.
    pub fn set_time_zone(&self, tz: &str) {
        let mut conn = self.state.pool.get().expect("conn");
        goalpost::portals::set_portal_settings(
            &mut conn,
            goalpost::engine::store::PortalId(1),
            Some(tz),
            None,
        )
        .expect("portal settings");
    }

    /// A new token with the given scopes in the given portal.
    pub fn token(&self, portal: i64, scopes: &[&str]) -> String {
        let mut conn = self.state.pool.get().expect("conn");
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        goalpost::auth::create_token(
            &mut conn,
            goalpost::engine::store::PortalId(portal),
            "test",
            &scopes,
            goalpost::auth::DEFAULT_USER,
            None,
        )
        .expect("token")
        .1
    }

    /// Sends a request with a token and an optional JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = test::TestRequest::default().method(method).uri(path);
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        if let Some(b) = body {
            req = req.set_json(b);
        }
        self.call(req.to_request()).await
    }

    /// Sends a raw body (for malformed JSON and oversize tests).
    pub async fn send_raw(&self, method: Method, path: &str, body: impl Into<Vec<u8>>) -> Resp {
        let req = test::TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {TOKEN}")))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.into())
            .to_request();
        self.call(req).await
    }

    /// Sends a built request; the body comes back as text (HTML pages).
    pub async fn call_text(
        &self,
        req: Request,
    ) -> (StatusCode, actix_web::http::header::HeaderMap, String) {
        use actix_web::dev::Service;
        let resp = self.svc.call(req).await.expect("service answers");
        let (status, headers) = (resp.status(), resp.headers().clone());
        let bytes = test::read_body(resp).await;
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// As [`Self::call_text`], and whether the body was sent as a stream (no length up front).
    pub async fn call_streamed(&self, req: Request) -> (StatusCode, bool, String) {
        use actix_web::body::{BodySize, MessageBody};
        use actix_web::dev::Service;
        let resp = self.svc.call(req).await.expect("service answers");
        let streamed = resp.response().body().size() == BodySize::Stream;
        let status = resp.status();
        let bytes = test::read_body(resp).await;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (status, streamed, text)
    }

    async fn call(&self, req: Request) -> Resp {
        let (status, headers, text) = self.call_text(req).await;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, Some(TOKEN), None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(TOKEN), Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Some(TOKEN), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, Some(TOKEN), None).await
    }

    /// Every object row (id, archived, properties, updated_at) and the history row count.
    pub fn snapshot(&self) -> Snapshot {
        use diesel::prelude::*;
        use goalpost::db::json::PropsDoc;
        use goalpost::db::schema::{object_history, objects};
        let mut conn = self.state.pool.get().expect("conn");
        // Every state a test inspects also has no history without its object (the database
        // keeps no foreign key for it; the writing transaction does).
        assert_eq!(
            orphan_history(&mut conn),
            0,
            "history rows without their object"
        );
        // The kept live counts (engine::counts) agree with the rows, whatever the test did.
        assert_eq!(
            count_drift(&mut conn),
            Vec::<(i64, String, i64, i64)>::new(),
            "kept live counts differ from the rows: (portal, type, kept, counted)"
        );
        let history_rows: i64 = goalpost::db::with_conn!(&mut *conn, c => object_history::table
            .count()
            .get_result(c))
        .expect("count");
        let rows: Vec<(i64, bool, PropsDoc, i64)> =
            goalpost::db::with_conn!(&mut *conn, c => objects::table
            .select((objects::id, objects::archived, objects::properties, objects::updated_at))
            .order(objects::id)
            .load(c))
            .expect("rows");
        let objects = rows
            .into_iter()
            .map(|(id, a, p, u)| (id, a, serde_json::to_string(&p.0).expect("json"), u))
            .collect();
        use goalpost::db::schema::{association_labels as al, associations as asc};
        let associations: Vec<(i64, i64, i32)> =
            goalpost::db::with_conn!(&mut *conn, c => asc::table
            .select((asc::from_id, asc::to_id, asc::type_id))
            .order((asc::from_id, asc::to_id, asc::type_id))
            .load(c))
            .expect("associations");
        let labels: Vec<(i32, String)> = goalpost::db::with_conn!(&mut *conn, c => al::table
            .select((al::type_id, al::label))
            .order(al::type_id)
            .load(c))
        .expect("labels");
        Snapshot {
            objects,
            history_rows,
            associations,
            labels,
        }
    }
}

/// Scopes whose kept live count (the sum of `object_counts`) differs from `COUNT(*)` of live
/// rows: `(portal, type, kept, counted)`.
pub fn count_drift(conn: &mut goalpost::db::Conn) -> Vec<(i64, String, i64, i64)> {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Drift {
        #[diesel(sql_type = BigInt)]
        portal_id: i64,
        #[diesel(sql_type = Text)]
        object_type: String,
        #[diesel(sql_type = BigInt)]
        kept: i64,
        #[diesel(sql_type = BigInt)]
        counted: i64,
    }
    const SQL: &str = "SELECT k.portal_id AS portal_id, k.object_type AS object_type, \
        k.kept AS kept, COALESCE(c.counted, 0) AS counted \
        FROM (SELECT portal_id, object_type, CAST(SUM(delta) AS BIGINT) AS kept FROM object_counts \
              GROUP BY portal_id, object_type) k \
        LEFT JOIN (SELECT portal_id, object_type, COUNT(*) AS counted FROM objects \
              WHERE archived = FALSE GROUP BY portal_id, object_type) c \
        ON c.portal_id = k.portal_id AND c.object_type = k.object_type \
        WHERE k.kept <> COALESCE(c.counted, 0) \
        UNION ALL SELECT portal_id, object_type, 0, COUNT(*) FROM objects o WHERE archived = FALSE \
        AND NOT EXISTS (SELECT 1 FROM object_counts k WHERE k.portal_id = o.portal_id \
        AND k.object_type = o.object_type) GROUP BY portal_id, object_type";
    goalpost::db::with_conn!(conn, c => diesel::sql_query(SQL).load::<Drift>(c))
        .expect("count drift")
        .into_iter()
        .map(|d| (d.portal_id, d.object_type, d.kept, d.counted))
        .collect()
}

/// Defines a test that runs once per backend: `name::sqlite` and `name::postgres`. With
/// `lenient:` the test portal stores what it is given (no goal-family rules), for tests about
/// generic object behaviour that build partial goal targets.
#[macro_export]
macro_rules! both {
    (lenient: $name:ident, $body:expr) => {
        $crate::both!($name, |app: $crate::support::TestApp| async move {
            app.set_mode("lenient");
            ($body)(app).await
        });
    };
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[actix_web::test]
            async fn sqlite() {
                let app = $crate::support::TestApp::start($crate::support::Backend::Sqlite).await;
                ($body)(app).await
            }
            #[actix_web::test]
            async fn postgres() {
                let app = $crate::support::TestApp::start($crate::support::Backend::Postgres).await;
                ($body)(app).await
            }
        }
    };
}
