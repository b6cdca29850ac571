/// One piece of text to match against: either IAM wildcard syntax (`*`, `?`) or literal
/// characters (values substituted from policy variables and the `${*}`-style escapes, which
/// must never act as wildcards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Pattern(String),
    Literal(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    AnyOne,
    AnyMany,
}

/// A compiled IAM wildcard pattern: `*` matches any run of characters (including none),
/// `?` exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    pub(crate) fn pattern(text: &str) -> Self {
        Self::from_segments(&[Segment::Pattern(text.to_owned())])
    }

    pub(crate) fn from_segments(segments: &[Segment]) -> Self {
        let mut tokens = Vec::new();
        for segment in segments {
            match segment {
                Segment::Pattern(text) => tokens.extend(text.chars().map(|c| match c {
                    '*' => Token::AnyMany,
                    '?' => Token::AnyOne,
                    other => Token::Char(other),
                })),
                Segment::Literal(text) => tokens.extend(text.chars().map(Token::Char)),
            }
        }
        Glob { tokens }
    }

    /// Greedy matching with a single backtrack point: linear in practice, never exponential.
    /// Positions are byte offsets on character boundaries, so nothing is allocated.
    pub(crate) fn matches(&self, text: &str, ignore_case: bool) -> bool {
        let same = |expected: char, actual: char| {
            expected == actual || (ignore_case && expected.to_lowercase().eq(actual.to_lowercase()))
        };
        let (mut token_index, mut position) = (0, 0);
        let mut backtrack: Option<(usize, usize)> = None;
        while let Some(current) = text[position..].chars().next() {
            match self.tokens.get(token_index) {
                Some(Token::AnyMany) => {
                    backtrack = Some((token_index, position));
                    token_index += 1;
                    continue;
                }
                Some(Token::AnyOne) => {
                    token_index += 1;
                    position += current.len_utf8();
                    continue;
                }
                Some(Token::Char(expected)) if same(*expected, current) => {
                    token_index += 1;
                    position += current.len_utf8();
                    continue;
                }
                _ => {}
            }
            // Let the last `*` swallow one more character and retry from there.
            let Some((star_token, star_position)) = backtrack else {
                return false;
            };
            let swallowed = text[star_position..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
            token_index = star_token + 1;
            position = star_position + swallowed;
            backtrack = Some((star_token, position));
        }
        self.tokens[token_index..]
            .iter()
            .all(|token| *token == Token::AnyMany)
    }
}

#[cfg(test)]
mod tests {
    use super::{Glob, Segment};

    #[test]
    fn wildcards_follow_iam_rules() {
        let cases = [
            ("s3:*", "s3:GetObject", false, true),
            ("s3:Get*", "s3:GetObject", false, true),
            ("s3:Get*", "s3:PutObject", false, false),
            ("s3:get*", "s3:GetObject", true, true),
            ("s3:get*", "s3:GetObject", false, false),
            ("s3:?etObject", "s3:GetObject", false, true),
            ("s3:?etObject", "s3:etObject", false, false),
            ("*", "", false, true),
            ("", "", false, true),
            ("", "x", false, false),
            ("a*b*c", "aXXbYYc", false, true),
            ("a*b*c", "aXXbYY", false, false),
            ("*ab", "aaab", false, true),
            (
                "arn:aws:s3:::bucket/*",
                "arn:aws:s3:::bucket/a/b.txt",
                false,
                true,
            ),
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false, false),
            ("?", "é", false, true),
        ];
        for (pattern, text, ignore_case, expected) in cases {
            assert_eq!(
                Glob::pattern(pattern).matches(text, ignore_case),
                expected,
                "{pattern} vs {text}"
            );
        }
    }

    #[test]
    fn literal_segments_are_not_wildcards() {
        let glob = Glob::from_segments(&[
            Segment::Pattern("home/".into()),
            Segment::Literal("a*".into()),
            Segment::Pattern("/*".into()),
        ]);
        assert!(glob.matches("home/a*/x", false));
        assert!(!glob.matches("home/abc/x", false));
    }

    /// The obvious recursive definition, exponential but unquestionable.
    fn reference(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => (0..=text.len()).any(|skip| reference(rest, &text[skip..])),
            Some(('?', rest)) => !text.is_empty() && reference(rest, &text[1..]),
            Some((expected, rest)) => text.first() == Some(expected) && reference(rest, &text[1..]),
        }
    }

    fn all_strings(alphabet: &[char], max_length: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..max_length {
            frontier = frontier
                .iter()
                .flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}")))
                .collect();
            all.extend(frontier.iter().cloned());
        }
        all
    }

    #[test]
    fn agrees_with_the_reference_on_every_small_case() {
        let patterns = all_strings(&['a', 'b', '*', '?'], 5);
        let texts = all_strings(&['a', 'b'], 6);
        for pattern in &patterns {
            let glob = Glob::pattern(pattern);
            let pattern_chars: Vec<char> = pattern.chars().collect();
            for text in &texts {
                let text_chars: Vec<char> = text.chars().collect();
                assert_eq!(
                    glob.matches(text, false),
                    reference(&pattern_chars, &text_chars),
                    "{pattern:?} vs {text:?}"
                );
            }
        }
    }
}
