//! IAM and STS requests: read the (small) form body, verify SigV4, authorize temporary
//! credentials against their role's policies, run the action, answer in query-protocol XML.

use http::{Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use s3s::Body;

use super::Services;
use crate::auth::Caller;
use crate::auth::authorize::Denial;
use crate::auth::sigv4::{self, SignedRequest};
use crate::query::{self, ApiError, Protocol, QueryParams, Xml};

/// Query-protocol bodies are a few kilobytes; policy documents top out near 10 KB.
const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryService {
    Iam,
    Sts,
}

impl QueryService {
    fn protocol(self) -> Protocol {
        match self {
            QueryService::Iam => query::IAM,
            QueryService::Sts => query::STS,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            QueryService::Iam => "iam",
            QueryService::Sts => "sts",
        }
    }
}

pub async fn handle(
    services: &Services,
    service: QueryService,
    request: Request<Incoming>,
) -> Response<Body> {
    let request_id = crate::ids::request_id();
    match run(services, service, request).await {
        Ok((action, result)) => respond(
            http::StatusCode::OK,
            service.protocol().success(&action, result, &request_id),
            &request_id,
        ),
        Err(error) => respond(
            error.status,
            error.render(service.protocol(), &request_id),
            &request_id,
        ),
    }
}

pub fn reject(service: QueryService, error: ApiError) -> Response<Body> {
    let request_id = crate::ids::request_id();
    respond(
        error.status,
        error.render(service.protocol(), &request_id),
        &request_id,
    )
}

fn respond(status: http::StatusCode, xml: String, request_id: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(xml));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/xml"),
    );
    if let Ok(value) = http::HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    response
}

async fn run(
    services: &Services,
    service: QueryService,
    request: Request<Incoming>,
) -> Result<(String, Xml), ApiError> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|e| {
            ApiError::sender(
                413,
                "RequestEntityTooLarge",
                format!(
                    "The request body could not be read or exceeds {MAX_BODY_BYTES} bytes: {e}"
                ),
            )
        })?
        .to_bytes();
    let raw_query = parts.uri.query().unwrap_or_default();
    let signed = SignedRequest {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query,
        headers: &parts.headers,
        body: &body,
    };
    let caller = sigv4::verify(&signed, &services.keys).await?;
    let params = QueryParams::parse(raw_query, &body);
    let action = params.action()?.to_string();
    authorize(services, service, &caller, &action, &params).await?;
    let result = match service {
        QueryService::Iam => services.iam.dispatch(&action, &params).await?,
        QueryService::Sts => services.sts.dispatch(&action, &params, &caller).await?,
    };
    Ok((action, result))
}

/// The resource an IAM/STS action acts on, as its ARN; `*` for listings.
fn resource(services: &Services, params: &QueryParams) -> String {
    let account_id = services.keys.account_id();
    if let Some(arn) = params.get("RoleArn").or(params.get("PolicyArn")) {
        return arn.to_string();
    }
    if let Some(role) = params.get("RoleName") {
        return format!("arn:aws:iam::{account_id}:role/{role}");
    }
    if let Some(policy) = params.get("PolicyName") {
        return format!("arn:aws:iam::{account_id}:policy/{policy}");
    }
    "*".to_string()
}

async fn authorize(
    services: &Services,
    service: QueryService,
    caller: &Caller,
    action: &str,
    params: &QueryParams,
) -> Result<(), ApiError> {
    // Anyone may ask who they are, as in AWS.
    if service == QueryService::Sts && action == "GetCallerIdentity" {
        return Ok(());
    }
    let iam_action = format!("{}:{action}", service.prefix());
    match services
        .authorizer
        .authorize(caller, &iam_action, &resource(services, params), Vec::new())
        .await
    {
        Ok(()) => Ok(()),
        Err(Denial::AccessDenied(message)) => Err(ApiError::access_denied(message)),
        Err(Denial::Unavailable(message)) => Err(ApiError::internal(message)),
    }
}
