//! Picks the service for a request by AWS's own rules: the SigV4 credential scope's service,
//! else the shape of the request (a query-protocol form or `Action=` versus S3).

use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use s3s::Body;

use super::Services;
use super::query_service::{self, QueryService};
use crate::auth::AuthError;
use crate::auth::sigv4::signing_service;
use crate::query::ApiError;

/// Liveness probe for `lathe server status` and `start`; carries no data, needs no signature.
pub const HEALTH_PATH: &str = "/_lathe/health";

pub async fn route(services: &Services, request: Request<Incoming>) -> Response<Body> {
    if request.uri().path() == HEALTH_PATH {
        return health(request.method());
    }
    let query = request.uri().query().unwrap_or_default().to_string();
    match signing_service(request.headers(), &query).as_deref() {
        Some("s3") => s3(services, request).await,
        Some("iam") => query_service::handle(services, QueryService::Iam, request).await,
        Some("sts") => query_service::handle(services, QueryService::Sts, request).await,
        Some(other) => query_service::reject(
            QueryService::Sts,
            ApiError::sender(
                400,
                "UnknownService",
                format!("The lathe local region does not serve the {other:?} service yet."),
            ),
        ),
        None if looks_like_query_protocol(&request) => query_service::reject(
            QueryService::Sts,
            ApiError::from(AuthError::MissingAuthenticationToken),
        ),
        // Unsigned S3 requests: s3s answers them with S3's AccessDenied.
        None => s3(services, request).await,
    }
}

fn looks_like_query_protocol(request: &Request<Incoming>) -> bool {
    let form = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let action_in_query = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|pair| pair.starts_with("Action=")));
    (request.method() == Method::POST && request.uri().path() == "/" && form) || action_in_query
}

async fn s3(services: &Services, request: Request<Incoming>) -> Response<Body> {
    match services.s3.call(request.map(Body::from)).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(?error, "S3 protocol failure");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")
        }
    }
}

fn health(method: &Method) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "use GET\n");
    }
    let mut response = Response::new(Body::from(format!(
        "{{\"status\":\"ok\",\"service\":\"lathe-region\",\"pid\":{}}}\n",
        std::process::id()
    )));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

pub(super) fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text.to_string()));
    *response.status_mut() = status;
    response
}
