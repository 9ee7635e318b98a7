//! The HTTP layer: the route table, body and error handling shared by every route, and the
//! server. Handlers call the engine through `db::run`; none writes SQL.

pub mod attainment;
pub mod body;
pub mod dashboard;
pub mod events;
pub mod extract;
pub mod families;
pub mod hubspot;
pub mod limits;
pub mod lookups;
pub mod ops;
pub mod pipedrive;
pub mod query;
pub mod quotas;
pub mod reads;
pub mod server;
pub mod state;
pub mod status;
pub mod test_plane;
pub mod trace;
pub mod watch;
pub mod webhooks;

use crate::error::ApiError;
use crate::http::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::web::{self, Data};
use actix_web::{App, HttpRequest, HttpResponse, Route};

/// The whole application on a state: what `serve` runs on each worker and what the tests call.
/// The request-id middleware is outermost, so even a rate-limited request has its id and line.
pub fn app(
    state: Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(from_fn(reads::record_writes))
        .wrap(from_fn(test_plane::layer::faults_and_recorder))
        .wrap(from_fn(limits::rate_limit))
        .wrap(from_fn(trace::request))
        .configure(move |cfg| configure(cfg, state))
}

/// One served route: method, path pattern (actix syntax) and its handler.
pub struct RouteEntry {
    pub method: Method,
    pub path: String,
    route: fn() -> Route,
}

fn entry(method: Method, path: String, route: fn() -> Route) -> RouteEntry {
    RouteEntry {
        method,
        path,
        route,
    }
}

/// The test control plane's prefix (its routes are served only in test mode).
pub const TEST_PLANE: &str = "/goalpost/v1/test/";

/// Every route the server serves. `configure` registers exactly these, and the OpenAPI test
/// compares them with `openapi.yaml`, so the two cannot drift.
pub fn route_table() -> Vec<RouteEntry> {
    use hubspot::{basic, batch, search};
    let family = "/goalpost/v1/families/{uuid}";
    let mut routes = vec![
        entry(Method::GET, "/health".into(), || web::get().to(ops::health)),
        entry(Method::GET, "/health/live".into(), || {
            web::get().to(ops::live)
        }),
        entry(Method::GET, "/metrics".into(), || {
            web::get().to(ops::metrics)
        }),
        entry(Method::GET, family.into(), || web::get().to(families::read)),
        entry(Method::POST, format!("{family}/archive"), || {
            web::post().to(families::archive)
        }),
        entry(Method::POST, format!("{family}/restore"), || {
            web::post().to(families::restore)
        }),
        entry(Method::GET, format!("{family}/attainment"), || {
            web::get().to(attainment::read)
        }),
        entry(Method::POST, format!("{family}/recalculate"), || {
            web::post().to(attainment::recalculate)
        }),
    ];
    routes.extend(dashboard::routes());
    routes.extend(test_plane::routes());
    routes.extend(hubspot::owners::routes());
    routes.extend(quotas::routes());
    for version in hubspot::versions::VERSIONS {
        let base = format!("{}/{{objectType}}", version.objects);
        let b = |s: &str| format!("{base}{s}");
        routes.extend([
            entry(Method::GET, b(""), || web::get().to(basic::list)),
            entry(Method::POST, b(""), || web::post().to(basic::create)),
            entry(Method::POST, b("/batch/read"), || {
                web::post().to(batch::read)
            }),
            entry(Method::POST, b("/batch/create"), || {
                web::post().to(batch::create)
            }),
            entry(Method::POST, b("/batch/update"), || {
                web::post().to(batch::update)
            }),
            entry(Method::POST, b("/batch/upsert"), || {
                web::post().to(batch::upsert)
            }),
            entry(Method::POST, b("/batch/archive"), || {
                web::post().to(batch::archive)
            }),
            entry(Method::POST, b("/search"), || {
                web::post().to(search::search)
            }),
            entry(Method::GET, b("/{objectId}"), || web::get().to(basic::read)),
            entry(Method::PATCH, b("/{objectId}"), || {
                web::patch().to(basic::update)
            }),
            entry(Method::DELETE, b("/{objectId}"), || {
                web::delete().to(basic::archive)
            }),
        ]);
    }
    for version in hubspot::versions::VERSIONS {
        use hubspot::associations as a;
        // v3's own object prefix keeps v3's association shapes (not served); v4 has its own.
        let objects = match version.name {
            "v3" => "/crm/v4/objects",
            _ => version.objects,
        };
        let one = format!("{objects}/{{objectType}}/{{objectId}}/associations");
        routes.extend([
            entry(Method::GET, format!("{one}/{{toObjectType}}"), || {
                web::get().to(a::list)
            }),
            entry(
                Method::PUT,
                format!("{one}/{{toObjectType}}/{{toObjectId}}"),
                || web::put().to(a::put),
            ),
            entry(
                Method::DELETE,
                format!("{one}/{{toObjectType}}/{{toObjectId}}"),
                || web::delete().to(a::delete),
            ),
            entry(
                Method::PUT,
                format!("{one}/default/{{toObjectType}}/{{toObjectId}}"),
                || web::put().to(a::put_default),
            ),
        ]);
        routes.extend(pair_routes(version.associations));
    }
    // HubSpot's associations schema reference spells the v4 prefix this way too.
    routes.extend(pair_routes("/crm/associations/v4"));
    for prefix in pipedrive::PREFIXES {
        let b = |s: &str| format!("{prefix}/goals{s}");
        routes.extend([
            entry(Method::POST, b(""), || web::post().to(pipedrive::add)),
            entry(Method::GET, b("/find"), || web::get().to(pipedrive::find)),
            entry(Method::PUT, b("/{id}"), || web::put().to(pipedrive::update)),
            entry(Method::DELETE, b("/{id}"), || {
                web::delete().to(pipedrive::delete)
            }),
            entry(Method::GET, b("/{id}/results"), || {
                web::get().to(pipedrive::results)
            }),
        ]);
        let w = |s: &str| format!("{prefix}/webhooks{s}");
        routes.extend([
            entry(Method::POST, w(""), || {
                web::post().to(pipedrive::webhooks::add)
            }),
            entry(Method::GET, w(""), || {
                web::get().to(pipedrive::webhooks::list)
            }),
            entry(Method::DELETE, w("/{id}"), || {
                web::delete().to(pipedrive::webhooks::delete)
            }),
        ]);
    }
    let hooks = "/webhooks/v3/{appId}";
    routes.extend([
        entry(Method::GET, "/goalpost/v1/events".into(), || {
            web::get().to(events::journal)
        }),
        entry(Method::GET, format!("{hooks}/settings"), || {
            web::get().to(webhooks::get_settings)
        }),
        entry(Method::PUT, format!("{hooks}/settings"), || {
            web::put().to(webhooks::put_settings)
        }),
        entry(Method::DELETE, format!("{hooks}/settings"), || {
            web::delete().to(webhooks::delete_settings)
        }),
        entry(Method::GET, format!("{hooks}/subscriptions"), || {
            web::get().to(webhooks::list)
        }),
        entry(Method::POST, format!("{hooks}/subscriptions"), || {
            web::post().to(webhooks::create)
        }),
        entry(
            Method::POST,
            format!("{hooks}/subscriptions/batch/update"),
            || web::post().to(webhooks::batch_update),
        ),
        entry(
            Method::GET,
            format!("{hooks}/subscriptions/{{subscriptionId}}"),
            || web::get().to(webhooks::read),
        ),
        entry(
            Method::PATCH,
            format!("{hooks}/subscriptions/{{subscriptionId}}"),
            || web::patch().to(webhooks::patch),
        ),
        entry(
            Method::DELETE,
            format!("{hooks}/subscriptions/{{subscriptionId}}"),
            || web::delete().to(webhooks::delete),
        ),
    ]);
    let lookup = "/goalpost/v1/lookups/{kind}";
    routes.extend([
        entry(Method::GET, lookup.into(), || web::get().to(lookups::list)),
        entry(Method::GET, format!("{lookup}/{{id}}"), || {
            web::get().to(lookups::read)
        }),
        entry(Method::PUT, format!("{lookup}/{{id}}"), || {
            web::put().to(lookups::put)
        }),
        entry(Method::DELETE, format!("{lookup}/{{id}}"), || {
            web::delete().to(lookups::delete)
        }),
    ]);
    for version in hubspot::versions::VERSIONS {
        use hubspot::groups as g;
        use hubspot::properties as p;
        let base = format!("{}/{{objectType}}", version.properties);
        let b = |s: &str| format!("{base}{s}");
        routes.extend([
            entry(Method::GET, b(""), || web::get().to(p::list)),
            entry(Method::POST, b(""), || web::post().to(p::create)),
            entry(Method::POST, b("/batch/create"), || {
                web::post().to(p::batch_create)
            }),
            entry(Method::POST, b("/batch/read"), || {
                web::post().to(p::batch_read)
            }),
            entry(Method::POST, b("/batch/archive"), || {
                web::post().to(p::batch_archive)
            }),
            entry(Method::GET, b("/groups"), || web::get().to(g::list)),
            entry(Method::POST, b("/groups"), || web::post().to(g::create)),
            entry(Method::GET, b("/groups/{groupName}"), || {
                web::get().to(g::read)
            }),
            entry(Method::PATCH, b("/groups/{groupName}"), || {
                web::patch().to(g::update)
            }),
            entry(Method::DELETE, b("/groups/{groupName}"), || {
                web::delete().to(g::archive)
            }),
            entry(Method::GET, b("/{propertyName}"), || web::get().to(p::read)),
            entry(Method::PATCH, b("/{propertyName}"), || {
                web::patch().to(p::update)
            }),
            entry(Method::DELETE, b("/{propertyName}"), || {
                web::delete().to(p::archive)
            }),
        ]);
    }
    routes
}

/// The routes between two types (batches and labels) under one prefix.
fn pair_routes(prefix: &str) -> Vec<RouteEntry> {
    use hubspot::association_batch as ab;
    use hubspot::association_labels as al;
    let pair = format!("{prefix}/{{fromObjectType}}/{{toObjectType}}");
    let b = |s: &str| format!("{pair}{s}");
    vec![
        entry(Method::POST, b("/batch/create"), || {
            web::post().to(ab::create)
        }),
        entry(Method::POST, b("/batch/associate/default"), || {
            web::post().to(ab::associate_default)
        }),
        entry(Method::POST, b("/batch/read"), || {
            web::post().to(ab::read_batch)
        }),
        entry(Method::POST, b("/batch/archive"), || {
            web::post().to(ab::archive)
        }),
        entry(Method::POST, b("/batch/labels/archive"), || {
            web::post().to(ab::archive_labels)
        }),
        entry(Method::GET, b("/labels"), || web::get().to(al::labels_list)),
        entry(Method::POST, b("/labels"), || {
            web::post().to(al::labels_create)
        }),
        entry(Method::PUT, b("/labels"), || {
            web::put().to(al::labels_update)
        }),
        entry(Method::DELETE, b("/labels/{associationTypeId}"), || {
            web::delete().to(al::labels_delete)
        }),
    ]
}

/// Registers the routes and the shared extractor settings on an app.
pub fn configure(cfg: &mut web::ServiceConfig, state: Data<AppState>) {
    let limit = state.config.body_limit;
    // The test control plane exists only in test mode.
    let test_mode = state.config.test_mode;
    cfg.app_data(state)
        .app_data(web::PayloadConfig::new(limit))
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, req| surface_error(req, ApiError::resource_not_found())),
        );
    // One resource per path, so a known path asked with a method it does not serve is a 405
    // naming the methods it does (`Allow`), not a 404.
    let mut paths: Vec<(String, Vec<RouteEntry>)> = Vec::new();
    for r in route_table()
        .into_iter()
        .filter(|r| test_mode || !r.path.starts_with(TEST_PLANE))
    {
        match paths.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, list)) => list.push(r),
            None => paths.push((r.path.clone(), vec![r])),
        }
    }
    for (path, entries) in paths {
        let allow: Vec<String> = entries.iter().map(|e| e.method.to_string()).collect();
        let mut resource = web::resource(path.as_str());
        for e in &entries {
            resource = resource.route((e.route)());
        }
        let pipedrive = pipedrive::is_pipedrive_path(&path);
        cfg.service(resource.default_service(web::to(move || {
            method_not_allowed(allow.join(", "), pipedrive)
        })));
    }
    cfg.default_service(web::to(not_found));
}

/// A served path asked with another method: 405 with `Allow`, in the path's API's shape.
async fn method_not_allowed(allow: String, pipedrive: bool) -> HttpResponse {
    let error = ApiError::MethodNotAllowed(allow.clone());
    let mut resp = if pipedrive {
        actix_web::ResponseError::error_response(&pipedrive::PdError(error))
    } else {
        actix_web::ResponseError::error_response(&error)
    };
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    resp
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    tracing::debug!("no route for {} {}", req.method(), req.path());
    let error =
        hubspot::versions::unknown_version(req.path()).unwrap_or_else(ApiError::resource_not_found);
    Err(surface_error(&req, error))
}

/// A domain error in the shape of the API the request's path belongs to.
pub fn surface_error(req: &HttpRequest, e: ApiError) -> actix_web::Error {
    if pipedrive::is_pipedrive_path(req.path()) {
        pipedrive::PdError(e).into()
    } else {
        e.into()
    }
}
