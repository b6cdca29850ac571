//! AWS's global condition keys (IAM user guide, "AWS global condition context keys"): the
//! type of value each holds and whether a request may carry several values.

/// The kind of value a condition key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyType {
    String,
    Arn,
    Bool,
    Date,
    Numeric,
    Ip,
}

impl KeyType {
    pub(crate) fn description(self) -> &'static str {
        match self {
            KeyType::String => "a string",
            KeyType::Arn => "an ARN",
            KeyType::Bool => "a boolean",
            KeyType::Date => "a date",
            KeyType::Numeric => "a number",
            KeyType::Ip => "an IP address",
        }
    }

    /// The operator to suggest for a key of this type.
    pub(crate) fn suggested_operator(self) -> &'static str {
        match self {
            KeyType::String => "StringEquals",
            KeyType::Arn => "ArnLike",
            KeyType::Bool => "Bool",
            KeyType::Date => "DateGreaterThan",
            KeyType::Numeric => "NumericLessThan",
            KeyType::Ip => "IpAddress",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct GlobalKey {
    pub(crate) name: &'static str,
    pub(crate) key_type: KeyType,
    pub(crate) multivalued: bool,
}

const fn key(name: &'static str, key_type: KeyType) -> GlobalKey {
    GlobalKey {
        name,
        key_type,
        multivalued: false,
    }
}

const fn multivalued(name: &'static str) -> GlobalKey {
    GlobalKey {
        name,
        key_type: KeyType::String,
        multivalued: true,
    }
}

pub(crate) const GLOBAL_KEYS: [GlobalKey; 48] = [
    key("aws:PrincipalArn", KeyType::Arn),
    key("aws:PrincipalAccount", KeyType::String),
    multivalued("aws:PrincipalOrgPaths"),
    key("aws:PrincipalOrgID", KeyType::String),
    key("aws:PrincipalIsAWSService", KeyType::Bool),
    key("aws:PrincipalServiceName", KeyType::String),
    multivalued("aws:PrincipalServiceNamesList"),
    key("aws:PrincipalType", KeyType::String),
    key("aws:userid", KeyType::String),
    key("aws:username", KeyType::String),
    key("aws:AssumedRoot", KeyType::Bool),
    key("aws:FederatedProvider", KeyType::String),
    key("aws:TokenIssueTime", KeyType::Date),
    key("aws:MultiFactorAuthAge", KeyType::Numeric),
    key("aws:MultiFactorAuthPresent", KeyType::Bool),
    key("aws:ChatbotSourceArn", KeyType::Arn),
    key("aws:Ec2InstanceSourceVpc", KeyType::String),
    key("aws:Ec2InstanceSourcePrivateIPv4", KeyType::Ip),
    key("aws:SourceIdentity", KeyType::String),
    key("aws:SourceIp", KeyType::Ip),
    key("aws:SourceVpc", KeyType::String),
    key("aws:SourceVpcArn", KeyType::Arn),
    key("aws:SourceVpce", KeyType::String),
    key("aws:VpcSourceIp", KeyType::Ip),
    key("aws:VpceAccount", KeyType::String),
    multivalued("aws:VpceOrgPaths"),
    key("aws:VpceOrgID", KeyType::String),
    key("aws:ResourceAccount", KeyType::String),
    multivalued("aws:ResourceOrgPaths"),
    key("aws:ResourceOrgID", KeyType::String),
    multivalued("aws:CalledVia"),
    key("aws:CalledViaFirst", KeyType::String),
    key("aws:CalledViaLast", KeyType::String),
    key("aws:ViaAWSService", KeyType::Bool),
    key("aws:CurrentTime", KeyType::Date),
    key("aws:EpochTime", KeyType::Date),
    key("aws:referer", KeyType::String),
    key("aws:RequestedRegion", KeyType::String),
    multivalued("aws:TagKeys"),
    key("aws:SecureTransport", KeyType::Bool),
    key("aws:SourceAccount", KeyType::String),
    key("aws:SourceArn", KeyType::Arn),
    key("aws:SourceOrgID", KeyType::String),
    multivalued("aws:SourceOrgPaths"),
    key("aws:UserAgent", KeyType::String),
    key("aws:PrincipalTag/", KeyType::String),
    key("aws:ResourceTag/", KeyType::String),
    key("aws:RequestTag/", KeyType::String),
];

/// The global key `name` denotes (compared case-insensitively; `aws:PrincipalTag/team`
/// is the tag family `aws:PrincipalTag/`). `None` for service keys and unknown `aws:` keys.
pub(crate) fn find(name: &str) -> Option<GlobalKey> {
    GLOBAL_KEYS.iter().copied().find(|key| {
        if key.name.ends_with('/') {
            name.len() > key.name.len()
                && name.is_char_boundary(key.name.len())
                && name[..key.name.len()].eq_ignore_ascii_case(key.name)
        } else {
            name.eq_ignore_ascii_case(key.name)
        }
    })
}
