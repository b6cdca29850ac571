//! The Terraform language: HCL files to a typed configuration with source spans, expressions and functions.
