//! The data sources: caller identity, partition, region and policy documents.

use std::collections::BTreeMap;

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::ProviderError;
use lathe_core::schema::{AttributeSchema, BlockSchema, NestedBlockSchema, Nesting};

use crate::clients::Clients;
use crate::error::api;
use crate::policy_document::{PolicyDocumentArguments, render};
use crate::values::{ObjectBuilder, optional_string};

pub const CALLER_IDENTITY: &str = "aws_caller_identity";
pub const PARTITION: &str = "aws_partition";
pub const REGION: &str = "aws_region";
pub const POLICY_DOCUMENT: &str = "aws_iam_policy_document";

fn strings() -> TypeConstraint {
    TypeConstraint::List(Box::new(TypeConstraint::String))
}

pub fn schemas() -> BTreeMap<String, BlockSchema> {
    let principals = || {
        BlockSchema::new(vec![
            AttributeSchema::required("type", TypeConstraint::String),
            AttributeSchema::required("identifiers", strings()),
        ])
    };
    let statement = BlockSchema::new(vec![
        AttributeSchema::optional("sid", TypeConstraint::String),
        AttributeSchema::optional("effect", TypeConstraint::String),
        AttributeSchema::optional("actions", strings()),
        AttributeSchema::optional("not_actions", strings()),
        AttributeSchema::optional("resources", strings()),
        AttributeSchema::optional("not_resources", strings()),
    ])
    .with_block(NestedBlockSchema::new(
        "principals",
        Nesting::Set,
        principals(),
    ))
    .with_block(NestedBlockSchema::new(
        "not_principals",
        Nesting::Set,
        principals(),
    ))
    .with_block(NestedBlockSchema::new(
        "condition",
        Nesting::Set,
        BlockSchema::new(vec![
            AttributeSchema::required("test", TypeConstraint::String),
            AttributeSchema::required("variable", TypeConstraint::String),
            AttributeSchema::required("values", strings()),
        ]),
    ));
    BTreeMap::from([
        (
            CALLER_IDENTITY.to_string(),
            BlockSchema::new(vec![
                AttributeSchema::computed("id", TypeConstraint::String),
                AttributeSchema::computed("account_id", TypeConstraint::String),
                AttributeSchema::computed("arn", TypeConstraint::String),
                AttributeSchema::computed("user_id", TypeConstraint::String),
            ]),
        ),
        (
            PARTITION.to_string(),
            BlockSchema::new(vec![
                AttributeSchema::computed("id", TypeConstraint::String),
                AttributeSchema::computed("partition", TypeConstraint::String),
                AttributeSchema::computed("dns_suffix", TypeConstraint::String),
                AttributeSchema::computed("reverse_dns_prefix", TypeConstraint::String),
            ]),
        ),
        (
            REGION.to_string(),
            BlockSchema::new(vec![
                AttributeSchema::optional_computed("region", TypeConstraint::String),
                AttributeSchema::optional_computed("name", TypeConstraint::String)
                    .described("Deprecated in v6 in favour of `region`; still set."),
                AttributeSchema::optional_computed("endpoint", TypeConstraint::String),
                AttributeSchema::computed("id", TypeConstraint::String),
                AttributeSchema::computed("description", TypeConstraint::String),
            ]),
        ),
        (
            POLICY_DOCUMENT.to_string(),
            BlockSchema::new(vec![
                AttributeSchema::optional("version", TypeConstraint::String),
                AttributeSchema::optional("policy_id", TypeConstraint::String),
                AttributeSchema::optional("source_policy_documents", strings()),
                AttributeSchema::optional("override_policy_documents", strings()),
                AttributeSchema::optional("source_json", TypeConstraint::String),
                AttributeSchema::optional("override_json", TypeConstraint::String),
                AttributeSchema::computed("id", TypeConstraint::String),
                AttributeSchema::computed("json", TypeConstraint::String),
                AttributeSchema::computed("minified_json", TypeConstraint::String),
            ])
            .with_block(NestedBlockSchema::new(
                "statement",
                Nesting::List,
                statement,
            )),
        ),
    ])
}

/// A region's partition and DNS suffix, as the provider's endpoint data has them.
pub fn partition_of(region: &str) -> (&'static str, &'static str, &'static str) {
    if region.starts_with("cn-") {
        ("aws-cn", "amazonaws.com.cn", "cn.com.amazonaws")
    } else if region.starts_with("us-gov-") {
        ("aws-us-gov", "amazonaws.com", "com.amazonaws")
    } else if region.starts_with("us-iso-") {
        ("aws-iso", "c2s.ic.gov", "gov.ic.c2s")
    } else if region.starts_with("us-isob-") {
        ("aws-iso-b", "sc2s.sgov.gov", "gov.sgov.sc2s")
    } else {
        ("aws", "amazonaws.com", "com.amazonaws")
    }
}

pub fn read(clients: &Clients, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
    match type_name {
        CALLER_IDENTITY => {
            let identity = clients
                .block_on(clients.sts.get_caller_identity().send())
                .map_err(api("reading the caller identity (sts:GetCallerIdentity)"))?;
            let account = identity.account().unwrap_or_default().to_string();
            Ok(ObjectBuilder::default()
                .string("id", account.clone())
                .string("account_id", account)
                .string("arn", identity.arn().unwrap_or_default())
                .string("user_id", identity.user_id().unwrap_or_default())
                .build())
        }
        PARTITION => {
            let (partition, dns_suffix, reverse) = partition_of(&clients.region);
            Ok(ObjectBuilder::default()
                .string("id", partition)
                .string("partition", partition)
                .string("dns_suffix", dns_suffix)
                .string("reverse_dns_prefix", reverse)
                .build())
        }
        REGION => {
            let asked = optional_string(config, "region")?.or(optional_string(config, "name")?);
            let region = asked.unwrap_or_else(|| clients.region.clone());
            let (_, dns_suffix, _) = partition_of(&region);
            Ok(ObjectBuilder::default()
                .string("id", region.clone())
                .string("region", region.clone())
                .string("name", region.clone())
                .string("endpoint", format!("ec2.{region}.{dns_suffix}"))
                .string("description", region_description(&region))
                .build())
        }
        POLICY_DOCUMENT => {
            let mut json = config.to_json().ok_or_else(|| {
                ProviderError::new("aws_iam_policy_document: an argument is not known yet")
            })?;
            // The evaluated block also holds the computed attributes; they are outputs.
            if let serde_json::Value::Object(arguments) = &mut json {
                for computed in ["id", "json", "minified_json"] {
                    arguments.remove(computed);
                }
            }
            let arguments = PolicyDocumentArguments::from_value(&json)
                .map_err(|error| ProviderError::new(error.to_string()))?;
            let rendered =
                render(&arguments).map_err(|error| ProviderError::new(error.to_string()))?;
            Ok(ObjectBuilder::from(config)
                .string("id", rendered.id)
                .string("json", rendered.json)
                .string("minified_json", rendered.minified_json)
                .build())
        }
        other => Err(ProviderError::new(format!(
            "the aws provider has no data source {other}"
        ))),
    }
}

fn region_description(region: &str) -> String {
    let known = [
        ("us-east-1", "US East (N. Virginia)"),
        ("us-east-2", "US East (Ohio)"),
        ("us-west-1", "US West (N. California)"),
        ("us-west-2", "US West (Oregon)"),
        ("eu-west-1", "Europe (Ireland)"),
        ("eu-central-1", "Europe (Frankfurt)"),
        ("ap-northeast-1", "Asia Pacific (Tokyo)"),
        ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ];
    known
        .iter()
        .find(|(name, _)| *name == region)
        .map(|(_, description)| description.to_string())
        .unwrap_or_else(|| region.to_string())
}
