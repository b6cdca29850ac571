//! `lathe init`'s checks of required_version and required_providers against the providers a
//! binary offers, as data: a terraform block in, the verdict out.

use std::path::Path;

use lathe_core::init::check_requirements;
use lathe_core::provider::ProviderRegistry;
use lathe_test_support::FakeCloud;

fn registry() -> ProviderRegistry {
    FakeCloud::new().registry()
}

fn verdict(terraform_block: &str) -> Result<Vec<String>, String> {
    let text =
        format!("{terraform_block}\nresource \"fake_bucket\" \"b\" {{\n  name = \"b\"\n}}\n");
    let loaded = lathe_config::parse_module_source(Path::new("main.tf"), &text)
        .unwrap_or_else(|(sources, diagnostics)| panic!("{}", diagnostics.render(&sources, false)));
    check_requirements(&loaded.module, &registry())
        .map(|infos| {
            infos
                .iter()
                .map(|info| format!("{} {}", info.name, info.version))
                .collect()
        })
        .map_err(|diagnostics| {
            diagnostics
                .iter()
                .map(|diagnostic| diagnostic.summary.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })
}

#[test]
fn requirements_are_checked_against_built_in_providers() {
    let cases: &[(&str, Result<&[&str], &str>)] = &[
        ("", Ok(&["fake 1.2.0"])),
        (
            "terraform {\n  required_providers {\n    fake = {\n      source  = \"lathe/fake\"\n      version = \">= 1.0.0, < 2.0.0\"\n    }\n  }\n}",
            Ok(&["fake 1.2.0"]),
        ),
        (
            "terraform {\n  required_providers {\n    fake = {\n      version = \"~> 1.1\"\n    }\n  }\n}",
            Ok(&["fake 1.2.0"]),
        ),
        (
            "terraform {\n  required_providers {\n    fake = {\n      version = \">= 2.0\"\n    }\n  }\n}",
            Err("Provider `fake` does not match the version constraint"),
        ),
        (
            "terraform {\n  required_providers {\n    fake = {\n      source = \"hashicorp/fake\"\n    }\n  }\n}",
            Err("Provider source `hashicorp/fake` is not available"),
        ),
        (
            "terraform {\n  required_providers {\n    google = {\n      source = \"hashicorp/google\"\n    }\n  }\n}",
            Err("Provider `google` is not built into lathe"),
        ),
        (
            "terraform {\n  required_version = \">= 1.5\"\n}",
            Ok(&["fake 1.2.0"]),
        ),
        (
            "terraform {\n  required_version = \">= 2.0\"\n}",
            Err("Unsupported Terraform language version"),
        ),
    ];
    for (block, expected) in cases {
        let expected = expected
            .map(|names| {
                names
                    .iter()
                    .map(|name| name.to_string())
                    .collect::<Vec<_>>()
            })
            .map_err(str::to_string);
        assert_eq!(verdict(block), expected, "{block}");
    }
}
