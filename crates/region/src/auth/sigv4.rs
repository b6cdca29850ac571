//! SigV4 verification (Authorization header or presigned query) for every service that s3s
//! does not front: one verifier, used by IAM, STS and later Bedrock.

use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

use super::keys::{KeyStore, check_session_token};
use super::uri;
use super::{AuthError, Caller};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far a request's clock may be from ours (AWS allows 15 minutes).
const MAX_SKEW_SECONDS: i64 = 15 * 60;
/// The longest validity a presigned URL may ask for (7 days, as in AWS).
const MAX_PRESIGNED_SECONDS: i64 = 7 * 24 * 3600;

/// The parts of an HTTP request a signature covers.
#[derive(Debug)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path exactly as sent (still percent-encoded).
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What the Authorization header or presigned query claims.
#[derive(Debug, PartialEq, Eq)]
struct Claim {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
    amz_date: String,
    expires_seconds: Option<i64>,
    session_token: Option<String>,
}

fn query_pairs(raw_query: &str) -> Vec<(String, String)> {
    raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (uri::decode(key), uri::decode(value))
        })
        .collect()
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The service a request was signed for, from its credential scope: how the router picks a
/// service without reading the body.
pub fn signing_service(headers: &HeaderMap, raw_query: &str) -> Option<String> {
    let credential = match header(headers, "authorization") {
        Some(authorization) => authorization
            .split([',', ' '])
            .find_map(|part| part.trim().strip_prefix("Credential="))
            .map(str::to_string),
        None => query_pairs(raw_query)
            .into_iter()
            .find(|(key, _)| key == "X-Amz-Credential")
            .map(|(_, value)| value),
    }?;
    credential.split('/').nth(3).map(str::to_string)
}

fn parse_scope(credential: &str) -> Result<(String, String, String, String), AuthError> {
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [key, date, region, service, "aws4_request"] => Ok((
            key.to_string(),
            date.to_string(),
            region.to_string(),
            service.to_string(),
        )),
        _ => Err(AuthError::IncompleteSignature(format!(
            "Credential should be scoped to a valid region, service and aws4_request: {credential:?} \
             must look like ACCESSKEY/YYYYMMDD/REGION/SERVICE/aws4_request."
        ))),
    }
}

fn claim_from_header(authorization: &str, headers: &HeaderMap) -> Result<Claim, AuthError> {
    let rest = authorization.strip_prefix(ALGORITHM).ok_or_else(|| {
        AuthError::IncompleteSignature(format!(
            "Unsupported authorization scheme; only {ALGORITHM} is accepted."
        ))
    })?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(value) = part.strip_prefix("Credential=") {
            credential = Some(value);
        } else if let Some(value) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(value);
        } else if let Some(value) = part.strip_prefix("Signature=") {
            signature = Some(value);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(AuthError::IncompleteSignature(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
                .to_string(),
        ));
    };
    let (access_key_id, date, region, service) = parse_scope(credential)?;
    let amz_date = header(headers, "x-amz-date").ok_or_else(|| {
        AuthError::IncompleteSignature("The request must carry an X-Amz-Date header.".to_string())
    })?;
    Ok(Claim {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed_headers.split(';').map(str::to_string).collect(),
        signature: signature.to_string(),
        amz_date: amz_date.to_string(),
        expires_seconds: None,
        session_token: header(headers, "x-amz-security-token").map(str::to_string),
    })
}

fn claim_from_query(pairs: &[(String, String)]) -> Result<Option<Claim>, AuthError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let Some(algorithm) = get("X-Amz-Algorithm") else {
        return Ok(None);
    };
    if algorithm != ALGORITHM {
        return Err(AuthError::IncompleteSignature(format!(
            "X-Amz-Algorithm must be {ALGORITHM}, not {algorithm:?}."
        )));
    }
    let missing = |name: &str| {
        AuthError::IncompleteSignature(format!("The presigned URL lacks the {name} parameter."))
    };
    let (access_key_id, date, region, service) =
        parse_scope(get("X-Amz-Credential").ok_or_else(|| missing("X-Amz-Credential"))?)?;
    let expires = get("X-Amz-Expires").ok_or_else(|| missing("X-Amz-Expires"))?;
    let expires_seconds = expires
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=MAX_PRESIGNED_SECONDS).contains(s))
        .ok_or_else(|| {
            AuthError::IncompleteSignature(format!(
                "X-Amz-Expires must be a number of seconds from 1 to {MAX_PRESIGNED_SECONDS}, not {expires:?}."
            ))
        })?;
    Ok(Some(Claim {
        access_key_id,
        date,
        region,
        service,
        signed_headers: get("X-Amz-SignedHeaders")
            .ok_or_else(|| missing("X-Amz-SignedHeaders"))?
            .split(';')
            .map(str::to_string)
            .collect(),
        signature: get("X-Amz-Signature")
            .ok_or_else(|| missing("X-Amz-Signature"))?
            .to_string(),
        amz_date: get("X-Amz-Date")
            .ok_or_else(|| missing("X-Amz-Date"))?
            .to_string(),
        expires_seconds: Some(expires_seconds),
        session_token: get("X-Amz-Security-Token").map(str::to_string),
    }))
}

fn parse_amz_date(text: &str) -> Result<OffsetDateTime, AuthError> {
    time::PrimitiveDateTime::parse(
        text,
        format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .map(|at| at.assume_utc())
    .map_err(|_| {
        AuthError::IncompleteSignature(format!(
            "X-Amz-Date {text:?} must be in the form YYYYMMDDTHHMMSSZ."
        ))
    })
}

fn canonical_query(pairs: &[(String, String)], presigned: bool) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .filter(|(key, _)| !(presigned && key == "X-Amz-Signature"))
        .map(|(key, value)| (uri::encode(key, true), uri::encode(value, true)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn canonical_headers(headers: &HeaderMap, signed: &[String]) -> Result<String, AuthError> {
    let mut out = String::new();
    for name in signed {
        let values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        if values.is_empty() {
            return Err(AuthError::SignatureDoesNotMatch(format!(
                "The request signature we calculated does not match the signature you provided: \
                 signed header {name:?} is not in the request."
            )));
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Ok(out)
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The key that signs for one day, region and service.
fn signing_key(secret: &str, claim: &Claim) -> Vec<u8> {
    let date_key = hmac(format!("AWS4{secret}").as_bytes(), claim.date.as_bytes());
    let region_key = hmac(&date_key, claim.region.as_bytes());
    let service_key = hmac(&region_key, claim.service.as_bytes());
    hmac(&service_key, b"aws4_request")
}

fn string_to_sign(
    request: &SignedRequest<'_>,
    claim: &Claim,
    pairs: &[(String, String)],
) -> Result<String, AuthError> {
    let payload_hash = match header(request.headers, "x-amz-content-sha256") {
        Some(declared) if declared == "UNSIGNED-PAYLOAD" => declared.to_string(),
        Some(declared) => {
            let actual = hex::encode(Sha256::digest(request.body));
            if declared != actual {
                return Err(AuthError::SignatureDoesNotMatch(
                    "The provided 'x-amz-content-sha256' header does not match what was computed."
                        .to_string(),
                ));
            }
            actual
        }
        None => hex::encode(Sha256::digest(request.body)),
    };
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        // Services other than S3 sign the path encoded once more (double encoding).
        uri::encode(request.raw_path, false),
        canonical_query(pairs, claim.expires_seconds.is_some()),
        canonical_headers(request.headers, &claim.signed_headers)?,
        claim.signed_headers.join(";"),
        payload_hash
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        claim.date, claim.region, claim.service
    );
    Ok(format!(
        "{ALGORITHM}\n{}\n{scope}\n{}",
        claim.amz_date,
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    ))
}

fn check_time(claim: &Claim, now: OffsetDateTime) -> Result<(), AuthError> {
    let signed_at = parse_amz_date(&claim.amz_date)?;
    if !claim.amz_date.starts_with(&claim.date) {
        return Err(AuthError::SignatureDoesNotMatch(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: {:?} != {:?}",
            claim.date,
            &claim.amz_date[..claim.amz_date.len().min(8)]
        )));
    }
    let age = (now - signed_at).whole_seconds();
    match claim.expires_seconds {
        Some(expires) if age > expires => Err(AuthError::SignatureDoesNotMatch(format!(
            "Request has expired: signed at {} and valid for {expires} seconds.",
            claim.amz_date
        ))),
        None if age.abs() > MAX_SKEW_SECONDS => Err(AuthError::SignatureDoesNotMatch(format!(
            "Signature expired: {} is more than 15 minutes from the server's time; check the client's clock.",
            claim.amz_date
        ))),
        _ => Ok(()),
    }
}

/// Verifies a request's SigV4 signature and returns who signed it.
pub async fn verify(request: &SignedRequest<'_>, keys: &KeyStore) -> Result<Caller, AuthError> {
    let pairs = query_pairs(request.raw_query);
    let claim = match header(request.headers, "authorization") {
        Some(authorization) => claim_from_header(authorization, request.headers)?,
        None => claim_from_query(&pairs)?.ok_or(AuthError::MissingAuthenticationToken)?,
    };
    let known = keys.lookup(&claim.access_key_id).await?;
    check_time(&claim, crate::clock::now())?;
    let expected = string_to_sign(request, &claim, &pairs)?;
    let provided = hex::decode(&claim.signature).map_err(|_| {
        AuthError::SignatureDoesNotMatch("The signature is not a hexadecimal string.".to_string())
    })?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&signing_key(&known.secret, &claim))
        .expect("HMAC accepts keys of any length");
    mac.update(expected.as_bytes());
    // verify_slice compares in constant time.
    mac.verify_slice(&provided).map_err(|_| {
        AuthError::SignatureDoesNotMatch(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method."
                .to_string(),
        )
    })?;
    check_session_token(&known, claim.session_token.as_deref())?;
    Ok(known.caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented example ("get-vanilla" from the SigV4 test suite): the signing key
    /// and signature must come out exactly as published.
    #[test]
    fn matches_the_aws_test_suite_vanilla_get() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "example.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let request = SignedRequest {
            method: "GET",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: b"",
        };
        let claim = Claim {
            access_key_id: "AKIDEXAMPLE".into(),
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "service".into(),
            signed_headers: vec!["host".into(), "x-amz-date".into()],
            signature: String::new(),
            amz_date: "20150830T123600Z".into(),
            expires_seconds: None,
            session_token: None,
        };
        let to_sign = string_to_sign(&request, &claim, &[]).unwrap();
        let signature = hex::encode(hmac(
            &signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &claim),
            to_sign.as_bytes(),
        ));
        assert_eq!(
            signature,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn signing_service_comes_from_the_credential_scope() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00"
                .parse()
                .unwrap(),
        );
        assert_eq!(signing_service(&headers, "").as_deref(), Some("sts"));
        let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fiam%2Faws4_request";
        assert_eq!(
            signing_service(&HeaderMap::new(), query).as_deref(),
            Some("iam")
        );
        assert_eq!(signing_service(&HeaderMap::new(), "a=b"), None);
    }

    #[test]
    fn malformed_authorization_headers_say_what_is_missing() {
        let headers = HeaderMap::new();
        let cases = [
            (
                "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request",
                "SignedHeaders",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=00",
                "Credential should be scoped",
            ),
            ("Basic abc", "Unsupported"),
        ];
        for (authorization, expected) in cases {
            let error = claim_from_header(authorization, &headers).unwrap_err();
            assert!(
                error.to_string().contains(expected),
                "{authorization}: {error}"
            );
        }
    }
}
