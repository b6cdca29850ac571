//! IAM is eventually consistent: a role or policy just created may not be visible yet to the
//! next call, and a new role may not yet be accepted as a principal. As the Terraform AWS
//! provider does, calls made right after a create retry those answers with backoff, within a
//! bounded budget, then report AWS's error as it is.

use std::time::{Duration, Instant};

use lathe_core::provider::ProviderError;

use crate::error::ApiError;

/// How long to keep retrying, and the first pause (doubled after each retry, up to
/// [`Propagation::MAX_DELAY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Propagation {
    pub budget: Duration,
    pub first_delay: Duration,
}

impl Default for Propagation {
    /// Terraform's AWS provider waits up to two minutes for IAM to propagate.
    fn default() -> Propagation {
        Propagation {
            budget: Duration::from_secs(120),
            first_delay: Duration::from_millis(250),
        }
    }
}

/// Whether AWS's answer means "not propagated yet" rather than a real failure.
pub fn is_propagating(error: &ApiError) -> bool {
    let principal_not_yet_valid = (error.is("MalformedPolicyDocument")
        || error.is("InvalidParameterValue"))
        && error.detail.contains("Invalid principal");
    error.is("NoSuchEntity") || principal_not_yet_valid
}

impl Propagation {
    pub const MAX_DELAY: Duration = Duration::from_secs(5);

    /// Runs `attempt` until it succeeds, fails for another reason, or the budget is spent.
    pub fn retry<T>(
        &self,
        mut attempt: impl FnMut() -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.retry_until(|| match attempt() {
            Err(error) if is_propagating(&error) => Outcome::NotYet(Err(error)),
            finished => Outcome::Done(finished),
        })
    }

    /// Reads an object just created until it is visible (`Some`), within the budget.
    pub fn read_back<T>(
        &self,
        mut read: impl FnMut() -> Result<Option<T>, ProviderError>,
    ) -> Result<Option<T>, ProviderError> {
        self.retry_until(|| match read() {
            Ok(None) => Outcome::NotYet(Ok(None)),
            finished => Outcome::Done(finished),
        })
    }

    fn retry_until<R>(&self, mut attempt: impl FnMut() -> Outcome<R>) -> R {
        let deadline = Instant::now() + self.budget;
        let mut delay = self.first_delay;
        loop {
            match attempt() {
                Outcome::Done(result) => return result,
                Outcome::NotYet(result) => {
                    if Instant::now() + delay > deadline {
                        return result;
                    }
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Propagation::MAX_DELAY);
                }
            }
        }
    }
}

enum Outcome<R> {
    Done(R),
    NotYet(R),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, message: &str) -> ApiError {
        ApiError {
            action: "creating IAM role r".into(),
            code: Some(code.into()),
            detail: format!("{code}: {message}"),
        }
    }

    #[test]
    fn only_propagation_answers_are_retried() {
        let cases = [
            (
                "NoSuchEntity",
                "The role with name r cannot be found.",
                true,
            ),
            (
                "MalformedPolicyDocument",
                "Invalid principal in policy: \"AWS\":\"arn:aws:iam::1:role/r\"",
                true,
            ),
            ("InvalidParameterValue", "Invalid principal in policy", true),
            ("MalformedPolicyDocument", "Syntax errors in policy.", false),
            (
                "EntityAlreadyExists",
                "Role with name r already exists.",
                false,
            ),
        ];
        for (code, message, expected) in cases {
            assert_eq!(
                is_propagating(&error(code, message)),
                expected,
                "{code}: {message}"
            );
        }
    }

    #[test]
    fn retries_stop_at_success_or_when_the_budget_is_spent() {
        let quick = Propagation {
            budget: Duration::from_millis(200),
            first_delay: Duration::from_millis(1),
        };
        let mut calls = 0;
        let result = quick.retry(|| {
            calls += 1;
            if calls < 4 {
                Err(error("NoSuchEntity", "not yet"))
            } else {
                Ok(calls)
            }
        });
        assert_eq!(result.unwrap(), 4);

        let started = Instant::now();
        let mut calls = 0;
        let result: Result<(), ApiError> = quick.retry(|| {
            calls += 1;
            Err(error("NoSuchEntity", "never"))
        });
        assert!(result.unwrap_err().is("NoSuchEntity"));
        assert!(calls > 1, "{calls}");
        assert!(started.elapsed() < Duration::from_secs(2));

        let mut calls = 0;
        let result: Result<(), ApiError> = quick.retry(|| {
            calls += 1;
            Err(error("EntityAlreadyExists", "exists"))
        });
        assert!(result.is_err());
        assert_eq!(calls, 1, "a real failure is not retried");
    }
}
