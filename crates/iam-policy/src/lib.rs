//! IAM policy documents: parsing and evaluation with AWS semantics.
