//! The AWS query protocol (IAM, STS): form parameters in, XML out, errors in
//! `<ErrorResponse>` shape.

pub mod error;
pub mod params;
pub mod xml;

pub use error::ApiError;
pub use params::QueryParams;
pub use xml::Xml;

/// The XML namespace and response naming of one query-protocol service.
#[derive(Debug, Clone, Copy)]
pub struct Protocol {
    pub namespace: &'static str,
}

pub const IAM: Protocol = Protocol {
    namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
};
pub const STS: Protocol = Protocol {
    namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
};

impl Protocol {
    /// Wraps an action's result elements as `<ActionResponse><ActionResult>..`.
    pub fn success(&self, action: &str, result: Xml, request_id: &str) -> String {
        let mut xml = Xml::new();
        xml.open_with_namespace(&format!("{action}Response"), self.namespace);
        if result.is_empty() {
            xml.empty(&format!("{action}Result"));
        } else {
            xml.open(&format!("{action}Result"));
            xml.append(result);
            xml.close(&format!("{action}Result"));
        }
        xml.open("ResponseMetadata");
        xml.text("RequestId", request_id);
        xml.close("ResponseMetadata");
        xml.close(&format!("{action}Response"));
        xml.finish()
    }
}
