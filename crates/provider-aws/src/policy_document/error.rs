use thiserror::Error;

/// Why an `aws_iam_policy_document` could not be rendered. Argument paths use the data
/// source's own names with list indices from 0 (`statement[1].effect`), so the caller can
/// point at the block in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyDocumentError {
    #[error("{path}: {message}")]
    InvalidArgument { path: String, message: String },
    #[error("{path}: duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique.")]
    DuplicateSid { path: String, sid: String },
    #[error(
        "source_policy_documents[{document}]: duplicate Sid ({sid}) in source_policy_documents (statement {statement}). Remove the Sid or ensure Sids are unique."
    )]
    DuplicateSourceSid {
        document: usize,
        statement: usize,
        sid: String,
    },
    #[error("{argument}[{index}] is not a policy document: {message}")]
    InvalidDocument {
        argument: &'static str,
        index: usize,
        message: String,
    },
}

impl PolicyDocumentError {
    pub(crate) fn argument(path: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyDocumentError::InvalidArgument {
            path: path.into(),
            message: message.into(),
        }
    }
}
