//! Recursive-descent parser: `or` < `and` < `not` < comparison < call, literal or column.

use super::lexer::{CompareOp, Spanned, Token, error, tokenize};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast {
    Number(f64),
    Text(String),
    Bool(bool),
    Null,
    Column {
        name: String,
        column: usize,
    },
    Call {
        function: String,
        arguments: Vec<Ast>,
        column: usize,
    },
    Not(Box<Ast>, usize),
    And(Box<Ast>, Box<Ast>, usize),
    Or(Box<Ast>, Box<Ast>, usize),
    Compare {
        op: CompareOp,
        left: Box<Ast>,
        right: Box<Ast>,
        column: usize,
    },
}

impl Ast {
    /// Where the node starts, for errors that point at it.
    pub(crate) fn column(&self) -> usize {
        match self {
            Ast::Column { column, .. } | Ast::Call { column, .. } => *column,
            Ast::Not(_, column) => *column,
            Ast::And(left, _, _) | Ast::Or(left, _, _) => left.column(),
            Ast::Compare { left, .. } => left.column(),
            Ast::Number(_) | Ast::Text(_) | Ast::Bool(_) | Ast::Null => 0,
        }
    }
}

pub(crate) fn parse(text: &str) -> Result<Ast> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        text,
        tokens,
        position: 0,
    };
    let ast = parser.or()?;
    let (token, column) = parser.peek();
    if *token != Token::End {
        return Err(error(
            text,
            column,
            format!("unexpected {}", describe(token)),
        ));
    }
    Ok(ast)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Spanned>,
    position: usize,
}

impl Parser<'_> {
    fn peek(&self) -> (&Token, usize) {
        let (token, column) = &self.tokens[self.position];
        (token, *column)
    }

    fn advance(&mut self) -> Spanned {
        let spanned = self.tokens[self.position].clone();
        if self.position + 1 < self.tokens.len() {
            self.position += 1;
        }
        spanned
    }

    fn or(&mut self) -> Result<Ast> {
        let mut left = self.and()?;
        while *self.peek().0 == Token::Or {
            let (_, column) = self.advance();
            let right = self.and()?;
            left = Ast::Or(Box::new(left), Box::new(right), column);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Ast> {
        let mut left = self.not()?;
        while *self.peek().0 == Token::And {
            let (_, column) = self.advance();
            let right = self.not()?;
            left = Ast::And(Box::new(left), Box::new(right), column);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Ast> {
        if *self.peek().0 == Token::Not {
            let (_, column) = self.advance();
            let inner = self.not()?;
            return Ok(Ast::Not(Box::new(inner), column));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Ast> {
        let left = self.primary()?;
        if let (Token::Compare(op), column) = self.peek() {
            let op = *op;
            self.advance();
            let right = self.primary()?;
            return Ok(Ast::Compare {
                op,
                left: Box::new(left),
                right: Box::new(right),
                column,
            });
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Ast> {
        let (token, column) = self.advance();
        match token {
            Token::Number(value) => Ok(Ast::Number(value)),
            Token::Text(value) => Ok(Ast::Text(value)),
            Token::True => Ok(Ast::Bool(true)),
            Token::False => Ok(Ast::Bool(false)),
            Token::Null => Ok(Ast::Null),
            Token::OpenParen => {
                let inner = self.or()?;
                self.expect_close(column)?;
                Ok(inner)
            }
            Token::Identifier(name) => {
                if *self.peek().0 != Token::OpenParen {
                    return Ok(Ast::Column { name, column });
                }
                self.advance();
                let mut arguments = Vec::new();
                if *self.peek().0 != Token::CloseParen {
                    loop {
                        arguments.push(self.or()?);
                        if *self.peek().0 == Token::Comma {
                            self.advance();
                        } else {
                            break;
                        }
                    }
                }
                self.expect_close(column)?;
                Ok(Ast::Call {
                    function: name,
                    arguments,
                    column,
                })
            }
            other => Err(error(
                self.text,
                column,
                format!(
                    "expected a column, a value or `(`, found {}",
                    describe(&other)
                ),
            )),
        }
    }

    fn expect_close(&mut self, opened_at: usize) -> Result<()> {
        let (token, column) = self.advance();
        if token == Token::CloseParen {
            return Ok(());
        }
        Err(error(
            self.text,
            column,
            format!(
                "expected `)` to close the `(` at column {opened_at}, found {}",
                describe(&token)
            ),
        ))
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Identifier(name) => format!("name {name:?}"),
        Token::Number(value) => format!("number {value}"),
        Token::Text(value) => format!("string {value:?}"),
        Token::Compare(op) => format!("`{}`", op.symbol()),
        Token::And => "`and`".into(),
        Token::Or => "`or`".into(),
        Token::Not => "`not`".into(),
        Token::True => "`true`".into(),
        Token::False => "`false`".into(),
        Token::Null => "`null`".into(),
        Token::OpenParen => "`(`".into(),
        Token::CloseParen => "`)`".into(),
        Token::Comma => "`,`".into(),
        Token::End => "the end of the expression".into(),
    }
}
