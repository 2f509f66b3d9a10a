//! HTTP status codes with httpx's names and reason phrases (`httpx.codes`).

use std::fmt;

/// An HTTP status code.
///
/// Any `u16` is representable: a transport reports what the host gave, and the
/// browser's opaque redirect has status 0 (see [`Response::is_opaque_redirect`](crate::Response::is_opaque_redirect)).
/// The associated constants carry httpx's names (`StatusCode::NOT_FOUND`, ...).
///
/// ```
/// use httpx::StatusCode;
/// assert_eq!(StatusCode::IM_A_TEAPOT.as_u16(), 418);
/// assert_eq!(StatusCode::from(404).reason_phrase(), "Not Found");
/// assert!(StatusCode::PERMANENT_REDIRECT.is_redirect());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatusCode(u16);

macro_rules! status_codes {
    ($( ($num:expr, $name:ident, $phrase:expr), )+) => {
        impl StatusCode {
            $(
                #[doc = concat!("`", stringify!($num), " ", $phrase, "`")]
                pub const $name: StatusCode = StatusCode($num);
            )+

            /// The standard reason phrase, or `""` for a code httpx does not name.
            pub fn reason_phrase(self) -> &'static str {
                match self.0 {
                    $( $num => $phrase, )+
                    _ => "",
                }
            }
        }
    };
}

status_codes! {
    (100, CONTINUE, "Continue"),
    (101, SWITCHING_PROTOCOLS, "Switching Protocols"),
    (102, PROCESSING, "Processing"),
    (103, EARLY_HINTS, "Early Hints"),
    (200, OK, "OK"),
    (201, CREATED, "Created"),
    (202, ACCEPTED, "Accepted"),
    (203, NON_AUTHORITATIVE_INFORMATION, "Non-Authoritative Information"),
    (204, NO_CONTENT, "No Content"),
    (205, RESET_CONTENT, "Reset Content"),
    (206, PARTIAL_CONTENT, "Partial Content"),
    (207, MULTI_STATUS, "Multi-Status"),
    (208, ALREADY_REPORTED, "Already Reported"),
    (226, IM_USED, "IM Used"),
    (300, MULTIPLE_CHOICES, "Multiple Choices"),
    (301, MOVED_PERMANENTLY, "Moved Permanently"),
    (302, FOUND, "Found"),
    (303, SEE_OTHER, "See Other"),
    (304, NOT_MODIFIED, "Not Modified"),
    (305, USE_PROXY, "Use Proxy"),
    (307, TEMPORARY_REDIRECT, "Temporary Redirect"),
    (308, PERMANENT_REDIRECT, "Permanent Redirect"),
    (400, BAD_REQUEST, "Bad Request"),
    (401, UNAUTHORIZED, "Unauthorized"),
    (402, PAYMENT_REQUIRED, "Payment Required"),
    (403, FORBIDDEN, "Forbidden"),
    (404, NOT_FOUND, "Not Found"),
    (405, METHOD_NOT_ALLOWED, "Method Not Allowed"),
    (406, NOT_ACCEPTABLE, "Not Acceptable"),
    (407, PROXY_AUTHENTICATION_REQUIRED, "Proxy Authentication Required"),
    (408, REQUEST_TIMEOUT, "Request Timeout"),
    (409, CONFLICT, "Conflict"),
    (410, GONE, "Gone"),
    (411, LENGTH_REQUIRED, "Length Required"),
    (412, PRECONDITION_FAILED, "Precondition Failed"),
    (413, REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large"),
    (414, REQUEST_URI_TOO_LONG, "Request-URI Too Long"),
    (415, UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type"),
    (416, REQUESTED_RANGE_NOT_SATISFIABLE, "Requested Range Not Satisfiable"),
    (417, EXPECTATION_FAILED, "Expectation Failed"),
    (418, IM_A_TEAPOT, "I'm a teapot"),
    (421, MISDIRECTED_REQUEST, "Misdirected Request"),
    (422, UNPROCESSABLE_ENTITY, "Unprocessable Entity"),
    (423, LOCKED, "Locked"),
    (424, FAILED_DEPENDENCY, "Failed Dependency"),
    (425, TOO_EARLY, "Too Early"),
    (426, UPGRADE_REQUIRED, "Upgrade Required"),
    (428, PRECONDITION_REQUIRED, "Precondition Required"),
    (429, TOO_MANY_REQUESTS, "Too Many Requests"),
    (431, REQUEST_HEADER_FIELDS_TOO_LARGE, "Request Header Fields Too Large"),
    (451, UNAVAILABLE_FOR_LEGAL_REASONS, "Unavailable For Legal Reasons"),
    (500, INTERNAL_SERVER_ERROR, "Internal Server Error"),
    (501, NOT_IMPLEMENTED, "Not Implemented"),
    (502, BAD_GATEWAY, "Bad Gateway"),
    (503, SERVICE_UNAVAILABLE, "Service Unavailable"),
    (504, GATEWAY_TIMEOUT, "Gateway Timeout"),
    (505, HTTP_VERSION_NOT_SUPPORTED, "HTTP Version Not Supported"),
    (506, VARIANT_ALSO_NEGOTIATES, "Variant Also Negotiates"),
    (507, INSUFFICIENT_STORAGE, "Insufficient Storage"),
    (508, LOOP_DETECTED, "Loop Detected"),
    (510, NOT_EXTENDED, "Not Extended"),
    (511, NETWORK_AUTHENTICATION_REQUIRED, "Network Authentication Required"),
}

impl StatusCode {
    /// The code as a number.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// 1xx.
    pub fn is_informational(self) -> bool {
        (100..=199).contains(&self.0)
    }

    /// 2xx.
    pub fn is_success(self) -> bool {
        (200..=299).contains(&self.0)
    }

    /// One of the redirect codes a client follows: 301, 302, 303, 307 or 308.
    pub fn is_redirect(self) -> bool {
        matches!(self.0, 301 | 302 | 303 | 307 | 308)
    }

    /// 4xx.
    pub fn is_client_error(self) -> bool {
        (400..=499).contains(&self.0)
    }

    /// 5xx.
    pub fn is_server_error(self) -> bool {
        (500..=599).contains(&self.0)
    }

    /// 4xx or 5xx.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::StatusCode;
    ///
    /// let status = StatusCode::from(503);
    /// assert!(status.is_error() && status.is_server_error());
    /// assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    /// assert_eq!(status, 503); // compares with a plain number too
    /// assert_eq!(format!("{status} {}", status.reason_phrase()), "503 Service Unavailable");
    /// ```
    pub fn is_error(self) -> bool {
        (400..=599).contains(&self.0)
    }
}

impl From<u16> for StatusCode {
    fn from(code: u16) -> StatusCode {
        StatusCode(code)
    }
}

impl From<StatusCode> for u16 {
    fn from(code: StatusCode) -> u16 {
        code.0
    }
}

impl From<http::StatusCode> for StatusCode {
    fn from(code: http::StatusCode) -> StatusCode {
        StatusCode(code.as_u16())
    }
}

impl TryFrom<StatusCode> for http::StatusCode {
    type Error = crate::Error;
    fn try_from(code: StatusCode) -> crate::Result<http::StatusCode> {
        http::StatusCode::from_u16(code.0).map_err(|_| {
            crate::Error::new(
                crate::ErrorKind::RemoteProtocolError,
                format!("status {} is not a valid HTTP status code", code.0),
            )
        })
    }
}

impl PartialEq<u16> for StatusCode {
    fn eq(&self, other: &u16) -> bool {
        self.0 == *other
    }
}

impl PartialEq<StatusCode> for u16 {
    fn eq(&self, other: &StatusCode) -> bool {
        *self == other.0
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason_phrase())
    }
}

#[cfg(test)]
mod tests {
    use super::StatusCode;

    #[test]
    fn classes() {
        assert!(StatusCode::CONTINUE.is_informational());
        assert!(StatusCode::NO_CONTENT.is_success());
        assert!(!StatusCode::NOT_MODIFIED.is_redirect());
        assert!(StatusCode::SEE_OTHER.is_redirect());
        assert!(StatusCode::NOT_FOUND.is_client_error() && StatusCode::NOT_FOUND.is_error());
        assert!(StatusCode::BAD_GATEWAY.is_server_error());
        assert_eq!(StatusCode::from(599).reason_phrase(), "");
        assert_eq!(format!("{:?}", StatusCode::OK), "200 OK");
    }

    #[test]
    fn http_interop() {
        let code: StatusCode = http::StatusCode::CREATED.into();
        assert_eq!(code, 201);
        assert!(http::StatusCode::try_from(StatusCode::from(0)).is_err());
    }
}
