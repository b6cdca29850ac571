//! A small XML writer for query-protocol responses (escaping done once, here).

#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

impl Xml {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub fn open_with_namespace(&mut self, tag: &str, namespace: &str) -> &mut Self {
        self.out
            .push_str(&format!("<{tag} xmlns=\"{}\">", escape(namespace)));
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub fn empty(&mut self, tag: &str) -> &mut Self {
        self.out.push_str(&format!("<{tag}/>"));
        self
    }

    pub fn text(&mut self, tag: &str, value: &str) -> &mut Self {
        self.open(tag);
        self.out.push_str(&escape(value));
        self.close(tag)
    }

    pub fn optional(&mut self, tag: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.text(tag, value);
        }
        self
    }

    /// Escaped text with no element around it (list members that are plain strings).
    pub fn raw_text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text));
        self
    }

    pub fn append(&mut self, other: Xml) -> &mut Self {
        self.out.push_str(&other.out);
        self
    }

    /// `<tag><member>..</member>...</tag>`, each member written by `write`.
    pub fn members<T>(
        &mut self,
        tag: &str,
        items: &[T],
        mut write: impl FnMut(&mut Xml, &T),
    ) -> &mut Self {
        self.open(tag);
        for item in items {
            self.open("member");
            write(self, item);
            self.close("member");
        }
        self.close(tag)
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text() {
        let mut xml = Xml::new();
        xml.text("A", "<b> & \"c\"");
        assert_eq!(xml.finish(), "<A>&lt;b&gt; &amp; &quot;c&quot;</A>");
    }
}
