use crate::error::PolicyError;
use crate::suggest::did_you_mean;

/// The comparison a condition operator performs, without its qualifier or `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorKind {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The families share one way of reading and comparing values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// How a condition treats a multivalued context key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAnyValue:` at least one request value must satisfy the condition.
    ForAnyValue,
    /// `ForAllValues:` every request value must satisfy it (an absent key satisfies it).
    ForAllValues,
}

/// A parsed condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    pub qualifier: Option<SetQualifier>,
    pub kind: OperatorKind,
    pub if_exists: bool,
}

const KINDS: [(OperatorKind, &str); 27] = [
    (OperatorKind::StringEquals, "StringEquals"),
    (OperatorKind::StringNotEquals, "StringNotEquals"),
    (
        OperatorKind::StringEqualsIgnoreCase,
        "StringEqualsIgnoreCase",
    ),
    (
        OperatorKind::StringNotEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase",
    ),
    (OperatorKind::StringLike, "StringLike"),
    (OperatorKind::StringNotLike, "StringNotLike"),
    (OperatorKind::NumericEquals, "NumericEquals"),
    (OperatorKind::NumericNotEquals, "NumericNotEquals"),
    (OperatorKind::NumericLessThan, "NumericLessThan"),
    (OperatorKind::NumericLessThanEquals, "NumericLessThanEquals"),
    (OperatorKind::NumericGreaterThan, "NumericGreaterThan"),
    (
        OperatorKind::NumericGreaterThanEquals,
        "NumericGreaterThanEquals",
    ),
    (OperatorKind::DateEquals, "DateEquals"),
    (OperatorKind::DateNotEquals, "DateNotEquals"),
    (OperatorKind::DateLessThan, "DateLessThan"),
    (OperatorKind::DateLessThanEquals, "DateLessThanEquals"),
    (OperatorKind::DateGreaterThan, "DateGreaterThan"),
    (OperatorKind::DateGreaterThanEquals, "DateGreaterThanEquals"),
    (OperatorKind::Bool, "Bool"),
    (OperatorKind::BinaryEquals, "BinaryEquals"),
    (OperatorKind::IpAddress, "IpAddress"),
    (OperatorKind::NotIpAddress, "NotIpAddress"),
    (OperatorKind::ArnEquals, "ArnEquals"),
    (OperatorKind::ArnLike, "ArnLike"),
    (OperatorKind::ArnNotEquals, "ArnNotEquals"),
    (OperatorKind::ArnNotLike, "ArnNotLike"),
    (OperatorKind::Null, "Null"),
];

const FOR_ANY_VALUE: &str = "ForAnyValue:";
const FOR_ALL_VALUES: &str = "ForAllValues:";
const IF_EXISTS: &str = "IfExists";

impl OperatorKind {
    pub fn name(self) -> &'static str {
        KINDS
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, name)| name)
    }

    fn from_name(name: &str) -> Option<Self> {
        KINDS
            .iter()
            .find(|(_, candidate)| *candidate == name)
            .map(|(kind, _)| *kind)
    }

    /// Negated operators hold when the request value matches none of the policy values.
    pub fn is_negated(self) -> bool {
        use OperatorKind::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    pub(crate) fn family(self) -> Family {
        use OperatorKind::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => Family::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Family::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Family::Date,
            Bool => Family::Bool,
            BinaryEquals => Family::Binary,
            IpAddress | NotIpAddress => Family::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
            Null => Family::Null,
        }
    }
}

impl Operator {
    /// Parses an operator name; `path` locates it for the error message.
    pub fn parse(name: &str, path: &str) -> Result<Self, PolicyError> {
        let (qualifier, rest) = if let Some(rest) = name.strip_prefix(FOR_ANY_VALUE) {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix(FOR_ALL_VALUES) {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name)
        };
        if qualifier.is_none()
            && let Some((prefix, _)) = name.split_once(':')
        {
            return Err(PolicyError::invalid(
                path,
                format!(
                    "unknown set qualifier \"{prefix}:\" in operator \"{name}\"{}",
                    did_you_mean(prefix, ["ForAnyValue", "ForAllValues"])
                ),
            ));
        }
        let (base, if_exists) = match rest.strip_suffix(IF_EXISTS) {
            Some(base) if OperatorKind::from_name(base).is_some() => (base, true),
            _ => (rest, false),
        };
        let Some(kind) = OperatorKind::from_name(base) else {
            return Err(PolicyError::invalid(
                path,
                format!(
                    "unknown operator \"{name}\"{}",
                    did_you_mean(base, KINDS.iter().map(|(_, name)| *name))
                ),
            ));
        };
        if kind == OperatorKind::Null && if_exists {
            return Err(PolicyError::invalid(
                path,
                "operator \"NullIfExists\" does not exist: Null already tests whether the key is present; use \"Null\"",
            ));
        }
        Ok(Operator {
            qualifier,
            kind,
            if_exists,
        })
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAnyValue) => formatter.write_str(FOR_ANY_VALUE)?,
            Some(SetQualifier::ForAllValues) => formatter.write_str(FOR_ALL_VALUES)?,
            None => {}
        }
        formatter.write_str(self.kind.name())?;
        if self.if_exists {
            formatter.write_str(IF_EXISTS)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Operator, OperatorKind, SetQualifier};

    #[test]
    fn parses_qualifiers_and_suffixes() {
        let cases = [
            ("StringEquals", None, OperatorKind::StringEquals, false),
            (
                "ForAnyValue:StringLike",
                Some(SetQualifier::ForAnyValue),
                OperatorKind::StringLike,
                false,
            ),
            (
                "ForAllValues:StringEqualsIgnoreCaseIfExists",
                Some(SetQualifier::ForAllValues),
                OperatorKind::StringEqualsIgnoreCase,
                true,
            ),
            ("BoolIfExists", None, OperatorKind::Bool, true),
            (
                "NotIpAddressIfExists",
                None,
                OperatorKind::NotIpAddress,
                true,
            ),
            ("Null", None, OperatorKind::Null, false),
        ];
        for (name, qualifier, kind, if_exists) in cases {
            let operator = Operator::parse(name, "Statement.Condition").unwrap();
            assert_eq!(
                operator,
                Operator {
                    qualifier,
                    kind,
                    if_exists
                },
                "{name}"
            );
            assert_eq!(operator.to_string(), name);
        }
    }

    #[test]
    fn rejects_unknown_operators_with_a_suggestion() {
        let cases = [
            (
                "StringEqualz",
                "Statement[2].Condition: unknown operator \"StringEqualz\" (did you mean \"StringEquals\"?)",
            ),
            (
                "ForAnyValues:StringLike",
                "Statement[2].Condition: unknown set qualifier \"ForAnyValues:\" in operator \"ForAnyValues:StringLike\" (did you mean \"ForAnyValue\"?)",
            ),
            (
                "Frobnicate",
                "Statement[2].Condition: unknown operator \"Frobnicate\"",
            ),
            (
                "NullIfExists",
                "Statement[2].Condition: operator \"NullIfExists\" does not exist: Null already tests whether the key is present; use \"Null\"",
            ),
        ];
        for (name, expected) in cases {
            let error = Operator::parse(name, "Statement[2].Condition").unwrap_err();
            assert_eq!(error.to_string(), expected);
        }
    }
}
