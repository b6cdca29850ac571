//! The local region: one HTTP server speaking S3, IAM, STS (and later Bedrock) wire protocols.
