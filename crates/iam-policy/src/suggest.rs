/// The candidate closest to `word`, when it is close enough to be what the author meant.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lowered = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&lowered, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// ` (did you mean "X"?)`, or nothing when no candidate is close.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match closest(word, candidates) {
        Some(candidate) => format!(" (did you mean \"{candidate}\"?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_only_near_candidates() {
        let names = ["StringEquals", "StringLike", "NumericEquals"];
        let cases = [
            ("StringEqualz", Some("StringEquals")),
            ("stringlike", Some("StringLike")),
            ("NumericEqual", Some("NumericEquals")),
            ("Frobnicate", None),
        ];
        for (word, expected) in cases {
            assert_eq!(closest(word, names), expected, "{word}");
        }
    }
}
