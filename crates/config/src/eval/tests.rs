//! Table-driven checks of expressions and templates, against Terraform's documented behaviour.

use crate::functions::test_support::check;

#[test]
fn templates_interpolate_strip_and_escape() {
    check(&[
        (r#""Hello, ${"world"}!""#, r#""Hello, world!""#),
        (r#""$${not} %%{not}""#, r#""$${not} %%{not}""#),
        (r#""${1 + 1} items""#, r#""2 items""#),
        (r#""${true}""#, "true"),
        (r#""x${null}""#, "error: The expression result is null"),
        (r#""%{ if true }yes%{ else }no%{ endif }""#, r#""yes""#),
        (r#""%{ if "false" }yes%{ else }no%{ endif }""#, r#""no""#),
        (
            r#""%{ if 1 }yes%{ endif }""#,
            "error: Invalid condition value",
        ),
        (
            r#""%{ for i, v in ["a", "b"] }${i}${v} %{ endfor }""#,
            r#""0a 1b ""#,
        ),
        (
            r#""%{ for k, v in { x = 1 } }${k}=${v}%{ endfor }""#,
            r#""x=1""#,
        ),
        (r#""[ ${~ "a" ~} ]""#, r#""[a]""#),
        (r#""%{ for v in [1, 2] ~} ${v} %{~ endfor }""#, r#""12""#),
        (r#""a ${var.unknown} b""#, "var.unknown"),
        (r#""%{ if var.unknown }x%{ endif }""#, "var.unknown"),
        (r#""%{ for v in var.unknown }x%{ endfor }""#, "var.unknown"),
        (
            r#""%{ for v in 3 }x%{ endfor }""#,
            "error: Iteration over non-iterable value",
        ),
        ("<<EOT\nplain ${1}\nEOT", r#""plain 1\n""#),
        (
            "<<-EOT\n    indented\n      more\n    EOT",
            r#""indented\n  more\n""#,
        ),
    ]);
}

#[test]
fn collections_traversals_and_conditionals() {
    check(&[
        ("[1, 2, 3][1]", "2"),
        (r#"{ a = { b = [10, 20] } }.a.b[1]"#, "20"),
        (r#"{ a = 1 }["a"]"#, "1"),
        (r#"["a", "b"]["1"]"#, r#""b""#),
        (
            r#"{ "x y" = 1, (upper("k")) = 2 }"#,
            r#"{ "x y" = 1, K = 2 }"#,
        ),
        ("[1, 2][2]", "error: out of range"),
        ("[1, 2][-1]", "error: out of range"),
        ("[1, 2][0.5]", "error: whole number"),
        (
            r#"{ a = 1 }.b"#,
            "error: does not have an attribute named \"b\"",
        ),
        (r#"{ abc = 1 }.abd"#, "error: Unsupported attribute"),
        (
            "[{ a = 1 }].a",
            "error: to get \"a\" from every element use a splat",
        ),
        ("\"s\".a", "error: primitive-typed value"),
        ("null[0]", "error: Attempt to index null value"),
        ("[{ a = [1, 2] }, { a = [3] }][*].a[0]", "[1, 3]"),
        ("[{ a = [1, 2] }, { a = [3] }].*.a", "[[1, 2], [3]]"),
        ("var.unknown[*].id", "var.unknown"),
        ("var.unknown.attribute", "var.unknown"),
        ("[var.unknown][0]", "var.unknown"),
        ("true ? 1 : 2", "1"),
        ("false ? 1 : 2", "2"),
        (r#""true" ? 1 : 2"#, "1"),
        ("null ? 1 : 2", "error: The condition value is null"),
        ("var.unknown ? 1 : 2", "var.unknown"),
        ("var.unknown ? [1][5] : 2", "var.unknown"),
        ("true ? 1 : [1][5]", "1"),
        ("false ? [1][5] : 2", "2"),
        ("true ? [1][5] : 2", "error: out of range"),
        (r#"true ? 1 : "x""#, r#""1""#),
        (r#"false ? "x" : true"#, r#""true""#),
        ("[for x in [1, 2, 3] : x * 10 if x != 2]", "[10, 30]"),
        (
            "{ for x in [\"a\", \"bb\"] : x => length(x) }",
            "{ a = 1, bb = 2 }",
        ),
        (
            "{ for x in [\"a\", \"b\", \"a\"] : x => x... }",
            "{ a = [\"a\", \"a\"], b = [\"b\"] }",
        ),
        (
            "[for x in [1, 2] : x if x]",
            "error: Invalid 'for' condition value",
        ),
        ("[for x in null : x]", "error: Iteration over null value"),
        ("[for x in var.unknown : x]", "var.unknown"),
        ("[for x in [1, var.unknown] : x if x == 1]", "var.unknown"),
        ("[for x, y in [5] : [x, y]]", "[[0, 5]]"),
        (
            "[for a in range(1000) : [for b in range(1000) : [for c in range(10) : c]]]",
            "error: more than 1000000 'for' iterations",
        ),
        ("nothing", "error: There is no variable named \"nothing\""),
        (
            "var",
            "error: The \"var\" object cannot be accessed directly",
        ),
        ("count.indx", "error: did you mean `count.index`?"),
        (
            "count.index",
            "error: Reference to \"count\" in non-counted context",
        ),
        ("path.module", r#"".""#),
        ("terraform.workspace", r#""default""#),
        (
            "var.missing",
            "error: Reference to undeclared input variable",
        ),
        ("aws_s3_bucket.b", "error: Reference to undeclared resource"),
        ("concat([1], var.unknown)", "var.unknown"),
        ("upper(var.unknown...)", "var.unknown"),
        ("max([1, 5]...)", "5"),
        ("max(1...)", "error: must be a list"),
    ]);
}
