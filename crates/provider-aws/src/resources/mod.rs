//! The resource types: each module turns one `aws_*` type's operations into API calls.

pub mod default_tags;
mod iam_policy;
mod iam_role;
mod iam_role_policy;
mod iam_role_policy_attachment;
mod iam_tags;
mod s3_bucket;
mod s3_bucket_versioning;
mod s3_object;
mod s3_tags;
mod upload;

use lathe_config::value::Value;
use lathe_core::provider::{PlanRequest, PlannedChange, Progress, ProviderError, plan_from_schema};
use lathe_core::schema::BlockSchema;

use crate::clients::Clients;

/// One resource type's lifecycle. The provider dispatches to it by type name.
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> BlockSchema;

    /// Checks beyond the schema: `(attribute, problem)` pairs. Unknown values pass.
    fn validate(&self, config: &Value) -> Vec<(String, String)> {
        let _ = config;
        Vec::new()
    }

    /// The default follows the schema; types with semantic comparisons or generated names
    /// adjust the configuration or the result.
    fn plan(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        Ok(plan_from_schema(
            &self.schema(),
            request.prior.as_ref(),
            &request.config,
        ))
    }

    fn create(
        &self,
        clients: &Clients,
        planned: &Value,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError>;

    /// The object as it is now, starting from `state`; `None` when it is gone.
    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError>;

    fn update(
        &self,
        clients: &Clients,
        prior: &Value,
        planned: &Value,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError>;

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError>;

    /// The state an import of `id` starts from before it is read.
    fn import_state(&self, id: &str) -> Result<Value, ProviderError>;
}

/// Every resource type this provider offers.
pub fn all() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(s3_bucket::S3Bucket),
        Box::new(s3_bucket_versioning::S3BucketVersioning),
        Box::new(s3_object::S3Object),
        Box::new(iam_policy::IamPolicy),
        Box::new(iam_role::IamRole),
        Box::new(iam_role_policy::IamRolePolicy),
        Box::new(iam_role_policy_attachment::IamRolePolicyAttachment),
    ]
}

/// An attribute and the value it takes when the configuration leaves it out.
pub type AttributeDefault<'rules> = (&'rules str, fn() -> Value);

/// How a resource type plans beyond the schema.
#[derive(Debug, Default)]
pub struct PlanRules<'rules> {
    /// `(name, name_prefix)`: on create with no name, one is generated from the prefix (or
    /// Terraform's `terraform-`) in the final plan before apply, and only there: the engine
    /// records it as the pending create, so a crash in between does not orphan the object, and
    /// a plan that is only shown says `(known after apply)` rather than a name apply would not use.
    pub generated_name: Option<(&'rules str, &'rules str)>,
    /// Attributes holding policy JSON, compared by meaning.
    pub policies: &'rules [&'rules str],
    /// Attributes with a default value, as Terraform's schema `Default`.
    pub defaults: &'rules [AttributeDefault<'rules>],
}

/// Plans by the schema after applying the rules.
pub fn plan_with_rules(
    schema: &BlockSchema,
    request: &PlanRequest,
    rules: &PlanRules<'_>,
) -> PlannedChange {
    let mut config = crate::policy_text::configure_like_prior(
        &request.config,
        request.prior.as_ref(),
        rules.policies,
    );
    if let Value::Object(entries) = &mut config {
        for (name, default) in rules.defaults {
            if entries.get(*name).is_none_or(Value::is_null) {
                entries.insert((*name).to_string(), default());
            }
        }
    }
    let mut change = plan_from_schema(schema, request.prior.as_ref(), &config);
    if let (Some((name, prefix)), None, true, Value::Object(planned)) = (
        rules.generated_name,
        &request.prior,
        request.applying,
        &mut change.planned,
    ) {
        let configured_name = crate::values::attribute(&config, name);
        let configured_prefix = crate::values::attribute(&config, prefix);
        if configured_name.is_null() && configured_prefix.is_known() {
            let prefix = configured_prefix
                .as_str()
                .unwrap_or(crate::naming::DEFAULT_PREFIX);
            planned.insert(
                name.to_string(),
                Value::string(crate::naming::prefixed_unique_id(prefix)),
            );
        }
    }
    change
}
