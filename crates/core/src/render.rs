//! Renders a plan as text, in Terraform's layout, with each change's reasons under it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use lathe_config::value::Value;

use crate::plan::{Action, Drift, OutputChange, Plan, PlanMode, ResourceChange};

const UNKNOWN: &str = "(known after apply)";
const SENSITIVE: &str = "(sensitive value)";

/// A value as the plan shows it; unknown parts read "(known after apply)".
pub fn render_value(value: &Value) -> String {
    match value {
        Value::Unknown => UNKNOWN.to_string(),
        Value::List(items) if !value.is_known() => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(render_value)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Value::Object(map) if !value.is_known() => format!(
            "{{ {} }}",
            map.iter()
                .map(|(key, value)| format!("{key} = {}", render_value(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        known => known.to_string(),
    }
}

fn shown(value: &Value, sensitive: bool) -> String {
    if sensitive && !value.is_null() {
        SENSITIVE.to_string()
    } else {
        render_value(value)
    }
}

fn symbol(action: Action, create_before_destroy: bool) -> &'static str {
    match action {
        Action::Create => "  +",
        Action::Update => "  ~",
        Action::Replace if create_before_destroy => "+/-",
        Action::Replace => "-/+",
        Action::Delete => "  -",
        Action::Read => " <=",
        Action::NoOp => "   ",
    }
}

fn headline_address(change: &ResourceChange) -> String {
    match &change.deposed {
        Some(key) => format!("{} (deposed object {key})", change.address),
        None => change.address.to_string(),
    }
}

fn headline(change: &ResourceChange) -> String {
    let address = headline_address(change);
    match (change.action, &change.action_reason) {
        (Action::Create, _) => format!("{address} will be created"),
        (Action::Update, _) => format!("{address} will be updated in-place"),
        (Action::Replace, Some(reason)) => format!("{address} {reason}"),
        (Action::Replace, None) => format!("{address} must be replaced"),
        (Action::Delete, _) => format!("{address} will be destroyed"),
        (Action::Read, _) => format!("{address} will be read during apply"),
        (Action::NoOp, _) => format!("{address} is unchanged"),
    }
}

fn attributes(value: Option<&Value>) -> BTreeMap<String, Value> {
    match value {
        Some(Value::Object(map)) => map.clone(),
        _ => BTreeMap::new(),
    }
}

/// The attribute lines of one change: (symbol, name, text, comment).
fn attribute_lines(change: &ResourceChange) -> (Vec<(char, String, String, &'static str)>, usize) {
    let before = attributes(change.prior.as_ref());
    let after = attributes(Some(&change.planned));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut lines = Vec::new();
    let mut hidden = 0;
    for name in names {
        let sensitive = change.sensitive.contains(name);
        let old = before.get(name).cloned().unwrap_or(Value::Null);
        let new = after.get(name).cloned().unwrap_or(Value::Null);
        let forces = if change.action == Action::Replace
            && change
                .requires_replace
                .iter()
                .any(|path| path == name || path.starts_with(&format!("{name}.")))
        {
            " # forces replacement"
        } else {
            ""
        };
        match change.action {
            Action::Create | Action::Read => {
                if !new.is_null() {
                    lines.push(('+', name.clone(), shown(&new, sensitive), ""));
                }
            }
            Action::Delete => {
                if !old.is_null() {
                    lines.push((
                        '-',
                        name.clone(),
                        format!("{} -> null", shown(&old, sensitive)),
                        "",
                    ));
                }
            }
            Action::Update | Action::Replace | Action::NoOp => {
                if old == new {
                    hidden += usize::from(!old.is_null());
                } else if old.is_null() {
                    lines.push(('+', name.clone(), shown(&new, sensitive), forces));
                } else if new.is_null() {
                    lines.push((
                        '-',
                        name.clone(),
                        format!("{} -> null", shown(&old, sensitive)),
                        forces,
                    ));
                } else {
                    lines.push((
                        '~',
                        name.clone(),
                        format!("{} -> {}", shown(&old, sensitive), shown(&new, sensitive)),
                        forces,
                    ));
                }
            }
        }
    }
    (lines, hidden)
}

fn render_change(change: &ResourceChange, output: &mut String) {
    let _ = writeln!(output, "  # {}", headline(change));
    if change.action == Action::Delete
        && let Some(reason) = &change.action_reason
        && reason != "will be destroyed"
    {
        let _ = writeln!(
            output,
            "  # (because {} {reason})",
            headline_address(change)
        );
    }
    for reason in &change.reasons {
        let _ = writeln!(output, "  #   reason: {reason}");
    }
    for note in &change.notes {
        let _ = writeln!(output, "  #   note: {note}");
    }
    let (mode, type_name, name) = change.address.parts();
    let keyword = if mode == "data" { "data" } else { "resource" };
    let _ = writeln!(
        output,
        "{} {keyword} \"{type_name}\" \"{name}\" {{",
        symbol(change.action, change.create_before_destroy)
    );
    let (lines, hidden) = attribute_lines(change);
    let width = lines
        .iter()
        .map(|(_, name, _, _)| name.len())
        .max()
        .unwrap_or(0);
    for (sign, name, text, comment) in lines {
        let _ = writeln!(output, "      {sign} {name:<width$} = {text}{comment}");
    }
    if hidden > 0 {
        let plural = if hidden == 1 { "" } else { "s" };
        let _ = writeln!(
            output,
            "        # ({hidden} unchanged attribute{plural} hidden)"
        );
    }
    let _ = writeln!(output, "    }}");
    let _ = writeln!(output);
}

fn render_drift(drift: &Drift, output: &mut String) {
    let (_, type_name, name) = drift.address.parts();
    match &drift.after {
        None => {
            let _ = writeln!(output, "  # {} has been deleted", drift.address);
            let _ = writeln!(output, "  - resource \"{type_name}\" \"{name}\" {{");
            let before = attributes(Some(&drift.before));
            let width = before
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(name, _)| name.len())
                .max()
                .unwrap_or(0);
            for (name, value) in before.iter().filter(|(_, value)| !value.is_null()) {
                let _ = writeln!(
                    output,
                    "      - {name:<width$} = {} -> null",
                    render_value(value)
                );
            }
            let _ = writeln!(output, "    }}");
        }
        Some(after) => {
            let _ = writeln!(output, "  # {} has changed", drift.address);
            let _ = writeln!(output, "  ~ resource \"{type_name}\" \"{name}\" {{");
            let before = attributes(Some(&drift.before));
            let after = attributes(Some(after));
            let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            for name in names {
                let old = before.get(name).cloned().unwrap_or(Value::Null);
                let new = after.get(name).cloned().unwrap_or(Value::Null);
                if old != new {
                    let _ = writeln!(
                        output,
                        "      ~ {name} = {} -> {}",
                        render_value(&old),
                        render_value(&new)
                    );
                }
            }
            let _ = writeln!(output, "    }}");
        }
    }
    let _ = writeln!(output);
}

fn render_outputs(changes: &[OutputChange], output: &mut String) {
    let changed: Vec<&OutputChange> = changes
        .iter()
        .filter(|change| change.before.as_ref() != Some(&change.after))
        .collect();
    if changed.is_empty() {
        return;
    }
    let _ = writeln!(output, "\nChanges to Outputs:");
    let width = changed
        .iter()
        .map(|change| change.name.len())
        .max()
        .unwrap_or(0);
    for change in changed {
        let name = &change.name;
        let after = shown(&change.after, change.sensitive);
        match &change.before {
            None => {
                let _ = writeln!(output, "  + {name:<width$} = {after}");
            }
            Some(before) if change.after.is_null() => {
                let _ = writeln!(
                    output,
                    "  - {name:<width$} = {} -> null",
                    shown(before, change.sensitive)
                );
            }
            Some(before) => {
                let _ = writeln!(
                    output,
                    "  ~ {name:<width$} = {} -> {after}",
                    shown(before, change.sensitive)
                );
            }
        }
    }
}

/// The whole plan as `lathe plan` prints it.
pub fn render_plan(plan: &Plan) -> String {
    let mut output = String::new();
    if !plan.drift.is_empty() {
        let _ = writeln!(output, "\nNote: Objects have changed outside of lathe\n");
        let _ = writeln!(
            output,
            "lathe detected the following changes made outside of lathe since the last \"lathe apply\":\n"
        );
        for drift in &plan.drift {
            render_drift(drift, &mut output);
        }
        if plan.mode == PlanMode::RefreshOnly {
            let _ = writeln!(
                output,
                "This is a refresh-only plan, so lathe will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the lathe state without changing any remote objects."
            );
        } else {
            let _ = writeln!(
                output,
                "Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes."
            );
        }
        let _ = writeln!(
            output,
            "\n─────────────────────────────────────────────────────────────────────────────"
        );
    }
    let actionable: Vec<&ResourceChange> = plan.actionable().collect();
    for (from, to) in &plan.moves {
        let _ = writeln!(output, "\n  # {from} has moved to {to}");
    }
    if !plan.moves.is_empty() && actionable.is_empty() {
        let _ = writeln!(output);
    }
    if plan.mode != PlanMode::RefreshOnly && actionable.is_empty() && plan.has_output_changes() {
        let _ = writeln!(
            output,
            "\nChanges to Outputs only: you can apply this plan to save these new output values to the lathe state, without changing any real infrastructure."
        );
        render_outputs(&plan.output_changes, &mut output);
        return output;
    }
    if plan.mode == PlanMode::RefreshOnly
        || (actionable.is_empty() && !plan.has_output_changes() && plan.moves.is_empty())
    {
        if plan.mode != PlanMode::RefreshOnly || plan.drift.is_empty() {
            let _ = writeln!(
                output,
                "\nNo changes. Your infrastructure matches the configuration.\n\nlathe has compared your real infrastructure against your configuration and found no differences, so no changes are needed."
            );
        }
        return output;
    }
    if !actionable.is_empty() {
        let present: BTreeSet<(Action, bool)> = actionable
            .iter()
            .map(|change| {
                (
                    change.action,
                    change.create_before_destroy && change.action == Action::Replace,
                )
            })
            .collect();
        let _ = writeln!(
            output,
            "\nlathe used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:"
        );
        let legend = [
            ((Action::Create, false), "  + create"),
            ((Action::Update, false), "  ~ update in-place"),
            ((Action::Delete, false), "  - destroy"),
            (
                (Action::Replace, false),
                "-/+ destroy and then create replacement",
            ),
            (
                (Action::Replace, true),
                "+/- create replacement and then destroy",
            ),
            ((Action::Read, false), " <= read (data resources)"),
        ];
        for (key, line) in legend {
            if present.contains(&key) {
                let _ = writeln!(output, "{line}");
            }
        }
        let _ = writeln!(output, "\nlathe will perform the following actions:\n");
        for change in &actionable {
            render_change(change, &mut output);
        }
    }
    let (add, change, destroy) = plan.counts();
    let _ = writeln!(
        output,
        "Plan: {add} to add, {change} to change, {destroy} to destroy."
    );
    render_outputs(&plan.output_changes, &mut output);
    output
}
