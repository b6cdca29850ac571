//! Which outside changes matter to a plan. Like Terraform since 1.2, a normal plan reports
//! drift only when the configuration reads a changed attribute or the plan acts on the object;
//! a refresh-only plan reports all of it. State records every change either way.

use lathe_config::expression::Reference;
use lathe_config::model::Module;
use lathe_config::value::{PathStep, Value};

use crate::plan::{Action, Drift, ResourceChange};

/// Every reference the configuration makes: resource arguments, outputs and locals.
pub fn configuration_references(module: &Module) -> Vec<Reference> {
    let mut expressions: Vec<&lathe_config::Expression> = module
        .resources
        .iter()
        .flat_map(|resource| resource.body.expressions())
        .collect();
    expressions.extend(module.outputs.iter().map(|output| &output.value));
    expressions.extend(module.locals.iter().map(|local| &local.expression));
    expressions
        .into_iter()
        .flat_map(|expression| expression.references())
        .collect()
}

/// The top-level attribute a reference reads after its instance key (`x[0].arn` → `arn`);
/// `None` when it takes the whole object.
fn first_attribute(reference: &Reference) -> Option<&str> {
    reference.path.iter().find_map(|step| match step {
        PathStep::Attribute(name) => Some(name.as_str()),
        PathStep::Index(_) => None,
    })
}

/// Whether the top-level attribute `name` differs between two objects.
fn attribute_changed(before: &Value, after: &Value, name: &str) -> bool {
    match (before, after) {
        (Value::Object(before), Value::Object(after)) => before.get(name) != after.get(name),
        _ => false,
    }
}

/// The drift a normal plan shows: objects deleted outside, objects the plan acts on, and
/// changed attributes that the configuration reads.
pub fn relevant_drift(
    drift: Vec<Drift>,
    changes: &[ResourceChange],
    references: &[Reference],
) -> Vec<Drift> {
    drift
        .into_iter()
        .filter(|drift| {
            let Some(after) = &drift.after else {
                return true;
            };
            let acted_on = changes
                .iter()
                .any(|change| change.address == drift.address && change.action != Action::NoOp);
            if acted_on {
                return true;
            }
            let resource = drift.address.resource.as_str();
            references
                .iter()
                .filter(|reference| reference.target.address() == resource)
                .any(|reference| match first_attribute(reference) {
                    Some(name) => attribute_changed(&drift.before, after, name),
                    None => true,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::InstanceAddress;

    fn references(source: &str) -> Vec<Reference> {
        let directory = tempfile::tempdir().expect("temporary folder");
        std::fs::write(directory.path().join("main.tf"), source).expect("write main.tf");
        let loaded = lathe_config::load_module(directory.path())
            .unwrap_or_else(|(_, diagnostics)| panic!("{diagnostics:?}"));
        configuration_references(&loaded.module)
    }

    fn policy_drift(after: Option<serde_json::Value>) -> Drift {
        Drift {
            address: InstanceAddress::parse("aws_iam_policy.access").expect("address"),
            type_name: "aws_iam_policy".into(),
            before: Value::from_json(serde_json::json!({"arn": "arn:p", "attachment_count": 0})),
            after: after.map(Value::from_json),
        }
    }

    const ROLE_READS_ARN: &str = r#"
resource "aws_iam_policy" "access" { policy = "{}" }
resource "aws_iam_role" "role" { managed_policy_arns = [aws_iam_policy.access.arn] }
"#;

    #[test]
    fn a_change_nothing_reads_is_not_reported() {
        let drift = policy_drift(Some(
            serde_json::json!({"arn": "arn:p", "attachment_count": 1}),
        ));
        assert!(relevant_drift(vec![drift], &[], &references(ROLE_READS_ARN)).is_empty());
    }

    #[test]
    fn a_change_the_configuration_reads_is_reported() {
        let drift = policy_drift(Some(
            serde_json::json!({"arn": "arn:q", "attachment_count": 0}),
        ));
        assert_eq!(
            relevant_drift(vec![drift], &[], &references(ROLE_READS_ARN)).len(),
            1
        );
    }

    #[test]
    fn reading_the_whole_object_makes_every_change_relevant() {
        let source = r#"
resource "aws_iam_policy" "access" { policy = "{}" }
output "policy" { value = aws_iam_policy.access }
"#;
        let drift = policy_drift(Some(
            serde_json::json!({"arn": "arn:p", "attachment_count": 1}),
        ));
        assert_eq!(
            relevant_drift(vec![drift], &[], &references(source)).len(),
            1
        );
    }

    #[test]
    fn an_object_deleted_outside_is_always_reported() {
        assert_eq!(
            relevant_drift(vec![policy_drift(None)], &[], &references(ROLE_READS_ARN)).len(),
            1
        );
    }
}
