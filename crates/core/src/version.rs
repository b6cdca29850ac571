//! Version constraints as Terraform writes them: `>= 5.35.0, < 7.0`, `~> 6.0`, `= 1.2.3`.

use std::cmp::Ordering;

/// A dotted version; missing parts are zero.
fn parse_version(text: &str) -> Option<Vec<u64>> {
    let text = text.trim().trim_start_matches('v');
    let core = text.split(['-', '+']).next()?;
    core.split('.').map(|part| part.parse().ok()).collect()
}

fn compare(left: &[u64], right: &[u64]) -> Ordering {
    let length = left.len().max(right.len());
    (0..length)
        .map(|index| {
            left.get(index)
                .copied()
                .unwrap_or(0)
                .cmp(&right.get(index).copied().unwrap_or(0))
        })
        .find(|ordering| *ordering != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// Whether `version` satisfies every comma-separated clause of `constraint`.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, String> {
    let have = parse_version(version).ok_or_else(|| format!("`{version}` is not a version"))?;
    for clause in constraint.split(',') {
        let clause = clause.trim();
        let (operator, wanted) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|operator| {
                clause
                    .strip_prefix(operator)
                    .map(|rest| (*operator, rest.trim()))
            })
            .unwrap_or(("=", clause));
        let want = parse_version(wanted).ok_or_else(|| {
            format!("`{clause}` is not a version constraint; write it like \">= 1.2.0\", \"~> 6.0\" or \"1.2.3\"")
        })?;
        let ordering = compare(&have, &want);
        let ok = match operator {
            ">=" => ordering != Ordering::Less,
            "<=" => ordering != Ordering::Greater,
            ">" => ordering == Ordering::Greater,
            "<" => ordering == Ordering::Less,
            "!=" => ordering != Ordering::Equal,
            "~>" => {
                // ~> 6.0 allows 6.x; ~> 6.0.1 allows 6.0.x: every part but the last is fixed.
                let fixed = want.len().saturating_sub(1).max(1);
                ordering != Ordering::Less && have.iter().take(fixed).eq(want.iter().take(fixed))
            }
            _ => ordering == Ordering::Equal,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn constraints_follow_terraform() {
        let cases = [
            ("6.0.0", ">= 5.35.0", true),
            ("6.0.0", ">= 5.35.0, < 6.0", false),
            ("6.0.0", "~> 6.0", true),
            ("6.2.0", "~> 6.0.1", false),
            ("6.0.9", "~> 6.0.1", true),
            ("7.0.0", "~> 6.0", false),
            ("1.9.0", ">= 1.5", true),
            ("1.9.0", "= 1.9.0", true),
            ("1.9.0", "1.8.0", false),
            ("1.9.0", "!= 1.9.0", false),
        ];
        for (version, constraint, expected) in cases {
            assert_eq!(
                satisfies(version, constraint),
                Ok(expected),
                "{version} {constraint}"
            );
        }
        assert!(satisfies("1.0.0", ">= banana").is_err());
    }
}
