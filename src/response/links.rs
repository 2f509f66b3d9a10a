//! The `Link` header: [`Link`] and httpx's parser of the header.

/// One entry of a `Link` header: the URL and its parameters (`rel`, `type`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Link {
    /// The link target, as written.
    pub url: String,
    /// The parameters, in order.
    pub params: Vec<(String, String)>,
}

impl Link {
    /// The `rel` parameter.
    pub fn rel(&self) -> Option<&str> {
        self.get("rel")
    }

    /// A parameter by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// httpx's `_parse_header_links`.
pub(super) fn parse_links(value: &str) -> Vec<Link> {
    let strip = |s: &str| {
        s.trim_matches(|c| c == ' ' || c == '\'' || c == '"')
            .to_string()
    };
    let value = value.trim_matches(|c| c == ' ' || c == '\'' || c == '"');
    let mut links = Vec::new();
    if value.is_empty() {
        return links;
    }
    for (i, part) in split_links(value).into_iter().enumerate() {
        let part = if i > 0 {
            format!("<{part}")
        } else {
            part.to_string()
        };
        let (url, params) = part.split_once(';').unwrap_or((&part, ""));
        let url = url
            .trim_matches(|c| c == '<' || c == '>' || c == ' ' || c == '\'' || c == '"')
            .to_string();
        let mut link = Link {
            url,
            params: Vec::new(),
        };
        for param in params.split(';') {
            let mut kv = param.split('=');
            let (Some(k), Some(v), None) = (kv.next(), kv.next(), kv.next()) else {
                break;
            };
            link.params.push((strip(k), strip(v)));
        }
        links.push(link);
    }
    links
}

/// Splits on `, *<` as httpx's regex does.
fn split_links(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b',' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'<' {
                parts.push(&value[start..i]);
                start = j + 1;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    parts.push(&value[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use crate::response::Response;

    #[test]
    fn links_parse_like_httpx() {
        let r = Response::builder(200)
            .header(
                "link",
                "<https://example.com>; rel=\"preload\", <https://example.com/2>; type=\"image/png\"",
            )
            .build()
            .unwrap();
        let links = r.links();
        assert_eq!(links["preload"].url, "https://example.com");
        assert_eq!(
            links["https://example.com/2"].get("type"),
            Some("image/png")
        );
    }
}
