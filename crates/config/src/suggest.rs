//! "Did you mean" suggestions by string similarity.

/// The candidate closest to `name`, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let names = ["region", "bucket_name", "model_id"];
        let cases = [
            ("regoin", Some("region")),
            ("bucket", Some("bucket_name")),
            ("zzz", None),
            ("modelid", Some("model_id")),
        ];
        for (name, expected) in cases {
            assert_eq!(did_you_mean(name, names), expected, "{name}");
        }
    }
}
