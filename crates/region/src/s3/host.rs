//! Virtual-hosted-style addressing on the local machine: `BUCKET.localhost:PORT`.

use std::borrow::Cow;

use s3s::S3Result;
use s3s::host::{S3Host, VirtualHost};

/// Names under `localhost` address a bucket; any other host name is path-style.
#[derive(Debug, Default)]
pub struct LocalHost;

pub const BASE_DOMAIN: &str = "localhost";

impl S3Host for LocalHost {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        };
        let bucket = name
            .strip_suffix(BASE_DOMAIN)
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|bucket| !bucket.is_empty());
        let virtual_host = VirtualHost::new(Cow::Borrowed(BASE_DOMAIN));
        Ok(match bucket {
            Some(bucket) => virtual_host.with_bucket(bucket.to_ascii_lowercase()),
            None => virtual_host,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_come_from_subdomains_of_localhost() {
        let host = LocalHost;
        let cases = [
            ("my-bucket.localhost:4566", Some("my-bucket")),
            ("a.b.localhost", Some("a.b")),
            ("localhost:4566", None),
            ("example.com:80", None),
        ];
        for (header, bucket) in cases {
            let parsed = host.parse_host_header(header).unwrap();
            assert_eq!(parsed.bucket(), bucket, "{header}");
        }
    }
}
