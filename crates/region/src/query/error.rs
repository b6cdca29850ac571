//! The one place where failures become query-protocol error responses
//! (`<ErrorResponse><Error><Type>Sender</Type><Code>..`), with their HTTP status.

use http::StatusCode;

use super::Protocol;
use super::xml::Xml;
use crate::auth::AuthError;
use crate::metadata::MetadataUnavailable;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// `Sender` (the caller's fault) or `Receiver` (ours).
    pub sender: bool,
}

impl ApiError {
    pub fn sender(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code: code.to_string(),
            message: message.into(),
            sender: true,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!(%message, "internal failure");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "ServiceFailure".to_string(),
            message,
            sender: false,
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::sender(400, "ValidationError", message)
    }

    pub fn no_such_entity(message: impl Into<String>) -> Self {
        Self::sender(404, "NoSuchEntity", message)
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::sender(403, "AccessDenied", message)
    }

    pub fn render(&self, protocol: Protocol, request_id: &str) -> String {
        let mut xml = Xml::new();
        xml.open_with_namespace("ErrorResponse", protocol.namespace);
        xml.open("Error");
        xml.text("Type", if self.sender { "Sender" } else { "Receiver" });
        xml.text("Code", &self.code);
        xml.text("Message", &self.message);
        xml.close("Error");
        xml.text("RequestId", request_id);
        xml.close("ErrorResponse");
        xml.finish()
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match &error {
            AuthError::Unavailable(message) => ApiError::internal(message.clone()),
            AuthError::IncompleteSignature(_) => {
                ApiError::sender(400, error.code(), error.to_string())
            }
            _ => ApiError::sender(403, error.code(), error.to_string()),
        }
    }
}

impl From<MetadataUnavailable> for ApiError {
    fn from(error: MetadataUnavailable) -> Self {
        ApiError::internal(error.to_string())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        ApiError::internal(format!("metadata database: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_error_response_shape() {
        let error = ApiError::no_such_entity("The role with name r cannot be found.");
        let xml = error.render(super::super::IAM, "req-1");
        assert_eq!(
            xml,
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>\
             <Code>NoSuchEntity</Code><Message>The role with name r cannot be found.</Message></Error>\
             <RequestId>req-1</RequestId></ErrorResponse>"
        );
        assert_eq!(error.status, StatusCode::NOT_FOUND);
    }
}
