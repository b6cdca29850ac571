//! Any bytes as the value of a local, evaluated with known and unknown inputs in scope.
#![no_main]

use lathe_config::{EvalContext, Value};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let expression = String::from_utf8_lossy(data);
    let text = format!(
        "variable \"list\" {{\n  default = [1, \"a\", null]\n}}\nvariable \"unknown\" {{}}\nlocals {{\n  x = {expression}\n}}\n"
    );
    let Ok(loaded) = lathe_config::parse_module_source(Path::new("main.tf"), &text) else {
        return;
    };
    let mut context = EvalContext::new("/nonexistent-fuzz-root");
    context.variables.insert(
        "list".into(),
        Value::from_json(serde_json::json!([1, "a", null])),
    );
    context.variables.insert("unknown".into(), Value::Unknown);
    for local in &loaded.module.locals {
        if let Ok(value) = local.expression.evaluate(&context) {
            let _ = value.to_string();
            let _ = value.to_json();
        }
    }
});
