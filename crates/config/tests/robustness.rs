//! No input may panic: random bytes, mutated configurations and deep nesting go through the
//! parser, the evaluator and the formatter. Deterministic (a fixed seed), so failures reproduce.

use lathe_config::{EvalContext, Value, format_source, parse_module_source};
use std::path::Path;

/// SplitMix64: a tiny seeded generator, enough to make reproducible noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, limit: usize) -> usize {
        (self.next() % limit.max(1) as u64) as usize
    }
}

/// Loads, evaluates every local and output, and formats `text`; only a panic fails.
fn exercise(text: &str) {
    let _ = format_source(text);
    let Ok(loaded) = parse_module_source(Path::new("main.tf"), text) else {
        return;
    };
    let module = loaded.module;
    let mut context = EvalContext::new(".");
    for variable in &module.variables {
        context.variables.insert(
            variable.name.clone(),
            variable.default.clone().unwrap_or(Value::Unknown),
        );
    }
    for resource in &module.resources {
        context.resources.insert(resource.address(), Value::Unknown);
    }
    for local in &module.locals {
        let value = local
            .expression
            .evaluate(&context)
            .unwrap_or(Value::Unknown);
        context.locals.insert(local.name.clone(), value);
    }
    for output in &module.outputs {
        let _ = output.value.evaluate(&context);
    }
    for resource in &module.resources {
        for attribute in &resource.body.attributes {
            let _ = attribute.expression.evaluate(&context);
        }
    }
}

fn seed_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut texts = Vec::new();
    for case in std::fs::read_dir(root).unwrap() {
        let path = case.unwrap().path().join("main.tf");
        if let Ok(text) = std::fs::read_to_string(path) {
            texts.push(text);
        }
    }
    texts.sort();
    texts
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "${",
    "%{",
    "~}",
    "<<EOT\n",
    "\nEOT\n",
    "<<-X\n",
    "=",
    "==",
    ".",
    "[*]",
    ".*",
    "...",
    "?",
    ":",
    "=>",
    "for",
    " in ",
    "if",
    "endif",
    "endfor",
    "var.",
    "local.",
    "count.index",
    "each.value",
    "null",
    "1e999",
    "-",
    "!",
    "&&",
    "/",
    "%",
    "#",
    "//",
    "/*",
    "*/",
    "\n",
    "é",
    "\\",
    "format(\"%",
    "range(1e9)",
    "\u{0}",
];

#[test]
fn random_bytes_never_panic() {
    let mut noise = Noise(0x1a7e);
    for _ in 0..2_000 {
        let length = noise.below(200);
        let bytes: Vec<u8> = (0..length).map(|_| noise.next() as u8).collect();
        exercise(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn mutated_configurations_never_panic() {
    let seeds = seed_texts();
    let mut noise = Noise(42);
    for round in 0..3_000 {
        let mut text = seeds[round % seeds.len()].clone();
        for _ in 0..=noise.below(4) {
            let mut position = noise.below(text.len() + 1);
            while !text.is_char_boundary(position) {
                position -= 1;
            }
            match noise.below(3) {
                0 => text.insert_str(position, TOKENS[noise.below(TOKENS.len())]),
                1 => {
                    let mut end = (position + noise.below(20)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(position..end, "");
                }
                _ => {
                    let other = &seeds[noise.below(seeds.len())];
                    let mut start = noise.below(other.len());
                    while !other.is_char_boundary(start) {
                        start -= 1;
                    }
                    let mut end = (start + noise.below(80)).min(other.len());
                    while !other.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.insert_str(position, &other[start..end]);
                }
            }
        }
        exercise(&text);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (open, close) in [
        ("[", "]"),
        ("(", ")"),
        ("{a=", "}"),
        ("-", ""),
        ("!", ""),
        ("\"${", "}\""),
    ] {
        let depth = 20_000;
        let text = format!(
            "locals {{\n  x = {}1{}\n}}\n",
            open.repeat(depth),
            close.repeat(depth)
        );
        exercise(&text);
    }
}

#[test]
fn nesting_within_the_parser_limit_evaluates_and_beyond_it_is_reported() {
    let nested = |depth: usize| {
        format!(
            "locals {{\n  x = {}1{}\n}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let loaded = parse_module_source(Path::new("main.tf"), &nested(50)).unwrap();
    assert!(
        loaded.module.locals[0]
            .expression
            .evaluate(&EvalContext::new("."))
            .is_ok()
    );
    let (_, diagnostics) = parse_module_source(Path::new("main.tf"), &nested(250)).unwrap_err();
    assert_eq!(
        diagnostics.iter().next().map(|d| d.summary.as_str()),
        Some("Invalid syntax")
    );
}
