//! Tokens of the filter expression language, each with the column where it starts.

use crate::error::{DatasetError, Result};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Identifier(String),
    Number(f64),
    Text(String),
    Compare(CompareOp),
    And,
    Or,
    Not,
    True,
    False,
    Null,
    OpenParen,
    CloseParen,
    Comma,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Equal => "==",
            CompareOp::NotEqual => "!=",
            CompareOp::Less => "<",
            CompareOp::LessOrEqual => "<=",
            CompareOp::Greater => ">",
            CompareOp::GreaterOrEqual => ">=",
        }
    }
}

/// A token and its 1-based character column in the expression.
pub(crate) type Spanned = (Token, usize);

pub(crate) fn error(text: &str, column: usize, message: impl Into<String>) -> DatasetError {
    DatasetError::Expression {
        context: "filter expression",
        text: text.to_string(),
        column,
        message: message.into(),
    }
}

pub(crate) fn tokenize(text: &str) -> Result<Vec<Spanned>> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let character = chars[index];
        let column = index + 1;
        if character.is_whitespace() {
            index += 1;
            continue;
        }
        let two: String = chars[index..(index + 2).min(chars.len())].iter().collect();
        let (token, width) = match (character, two.as_str()) {
            (_, "==") => (Token::Compare(CompareOp::Equal), 2),
            (_, "!=") => (Token::Compare(CompareOp::NotEqual), 2),
            (_, "<=") => (Token::Compare(CompareOp::LessOrEqual), 2),
            (_, ">=") => (Token::Compare(CompareOp::GreaterOrEqual), 2),
            (_, "&&") => (Token::And, 2),
            (_, "||") => (Token::Or, 2),
            ('<', _) => (Token::Compare(CompareOp::Less), 1),
            ('>', _) => (Token::Compare(CompareOp::Greater), 1),
            ('!', _) => (Token::Not, 1),
            ('=', _) => {
                return Err(error(text, column, "use `==` to compare for equality"));
            }
            ('(', _) => (Token::OpenParen, 1),
            (')', _) => (Token::CloseParen, 1),
            (',', _) => (Token::Comma, 1),
            ('"' | '\'', _) => {
                let (value, width) = string_literal(text, &chars, index)?;
                (Token::Text(value), width)
            }
            (c, _) if c.is_ascii_digit() || (c == '-' && next_is_digit(&chars, index)) => {
                let mut end = index + 1;
                while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
                    end += 1;
                }
                let literal: String = chars[index..end].iter().collect();
                let value = literal
                    .parse::<f64>()
                    .map_err(|_| error(text, column, format!("{literal:?} is not a number")))?;
                (Token::Number(value), end - index)
            }
            (c, _) if c.is_alphabetic() || c == '_' => {
                let mut end = index + 1;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                let word: String = chars[index..end].iter().collect();
                let token = match word.as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "not" => Token::Not,
                    "true" => Token::True,
                    "false" => Token::False,
                    "null" => Token::Null,
                    _ => Token::Identifier(word),
                };
                (token, end - index)
            }
            (c, _) => {
                return Err(error(text, column, format!("unexpected character {c:?}")));
            }
        };
        tokens.push((token, column));
        index += width;
    }
    tokens.push((Token::End, chars.len() + 1));
    Ok(tokens)
}

fn next_is_digit(chars: &[char], index: usize) -> bool {
    chars.get(index + 1).is_some_and(|c| c.is_ascii_digit())
}

fn string_literal(text: &str, chars: &[char], start: usize) -> Result<(String, usize)> {
    let quote = chars[start];
    let mut value = String::new();
    let mut index = start + 1;
    while index < chars.len() {
        match chars[index] {
            c if c == quote => return Ok((value, index + 1 - start)),
            '\\' => {
                let escaped = chars.get(index + 1).ok_or_else(|| {
                    error(text, index + 1, "a backslash at the end of the expression")
                })?;
                value.push(match escaped {
                    'n' => '\n',
                    't' => '\t',
                    other => *other,
                });
                index += 2;
            }
            c => {
                value.push(c);
                index += 1;
            }
        }
    }
    Err(error(
        text,
        start + 1,
        format!("this string is never closed; end it with {quote}"),
    ))
}
