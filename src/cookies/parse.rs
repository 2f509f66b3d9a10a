//! Parsing `Set-Cookie` lines (RFC 6265 §5.2) and their dates (§5.1.1).

use super::{MAX_COOKIE_ATTRIBUTE_BYTES, MAX_COOKIE_BYTES};

/// A `Set-Cookie` line parsed by RFC 6265 §5.2.
#[derive(Debug, Default)]
pub(super) struct SetCookie<'a> {
    pub(super) name: &'a str,
    pub(super) value: &'a str,
    /// The last valid `Expires` date.
    pub(super) expires: Option<i64>,
    /// The expiry time of the last valid `Max-Age` (`i64::MIN` for "now").
    pub(super) max_age: Option<i64>,
    /// The last `Domain` value, leading dot dropped, not yet canonicalized.
    pub(super) domain: Option<&'a str>,
    /// The last `Path` value; `None` also when the last one did not start with `/`.
    pub(super) path: Option<&'a str>,
    pub(super) secure: bool,
    pub(super) http_only: bool,
    pub(super) same_site: Option<&'a str>,
}

/// RFC 6265 §5.2, with RFC 6265bis's control-character and size rules.
pub(super) fn parse_set_cookie(line: &str, now: i64) -> Option<SetCookie<'_>> {
    if has_ctl(line) {
        return None;
    }
    let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
    let (name, value) = pair.split_once('=')?;
    let (name, value) = (trim_wsp(name), trim_wsp(value));
    if name.is_empty() || name.len() + value.len() > MAX_COOKIE_BYTES {
        return None;
    }
    let mut cookie = SetCookie {
        name,
        value,
        ..SetCookie::default()
    };
    if attributes.is_empty() {
        return Some(cookie);
    }
    for av in attributes.split(';') {
        let (key, value) = av.split_once('=').unwrap_or((av, ""));
        let (key, value) = (trim_wsp(key), trim_wsp(value));
        if value.len() > MAX_COOKIE_ATTRIBUTE_BYTES {
            continue;
        }
        if key.eq_ignore_ascii_case("expires") {
            if let Some(date) = parse_cookie_date(value) {
                cookie.expires = Some(date);
            }
        } else if key.eq_ignore_ascii_case("max-age") {
            if let Some(expiry) = parse_max_age(value, now) {
                cookie.max_age = Some(expiry);
            }
        } else if key.eq_ignore_ascii_case("domain") {
            // An empty Domain is ignored (RFC 6265 §5.2.3 "SHOULD").
            if !value.is_empty() {
                cookie.domain = Some(value.strip_prefix('.').unwrap_or(value));
            }
        } else if key.eq_ignore_ascii_case("path") {
            cookie.path = value.starts_with('/').then_some(value);
        } else if key.eq_ignore_ascii_case("secure") {
            cookie.secure = true;
        } else if key.eq_ignore_ascii_case("httponly") {
            cookie.http_only = true;
        } else if key.eq_ignore_ascii_case("samesite") {
            cookie.same_site = Some(value);
        }
    }
    Some(cookie)
}

/// RFC 6265 §5.2.2: the expiry time a `Max-Age` value gives at `now`.
fn parse_max_age(value: &str, now: i64) -> Option<i64> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, value),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if negative {
        return Some(i64::MIN);
    }
    // All digits: parsing fails only on overflow, i.e. "forever".
    let delta = digits.parse::<i64>().unwrap_or(i64::MAX);
    Some(if delta <= 0 {
        i64::MIN
    } else {
        now.saturating_add(delta)
    })
}

/// RFC 6265 §5.1.1: a cookie-date to seconds since the Unix epoch (UTC), or `None`.
fn parse_cookie_date(input: &str) -> Option<i64> {
    let mut time: Option<(u32, u32, u32)> = None;
    let mut day: Option<u32> = None;
    let mut month: Option<u32> = None;
    let mut year: Option<u32> = None;
    let tokens = input
        .as_bytes()
        .split(|&b| is_date_delimiter(b))
        .filter(|t| !t.is_empty());
    for token in tokens {
        if time.is_none() {
            if let Some(t) = parse_time(token) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = leading_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = parse_month(token) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = leading_digits(token, 2, 4) {
                year = Some(y);
                continue;
            }
        }
    }
    let ((hour, minute, second), day, month, mut year) = (time?, day?, month?, year?);
    if (70..=99).contains(&year) {
        year += 1900;
    } else if year <= 69 {
        year += 2000;
    }
    if year < 1601
        || hour > 23
        || minute > 59
        || second > 59
        || day < 1
        || day > days_in_month(year, month)
    {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    Some(days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

/// The cookie-date delimiters of RFC 6265 §5.1.1.
fn is_date_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2f | 0x3b..=0x40 | 0x5b..=0x60 | 0x7b..=0x7e)
}

/// `min*maxDIGIT ( non-digit *OCTET )` at the start of `token`: the number, if the
/// run of leading digits has an allowed length.
fn leading_digits(token: &[u8], min: usize, max: usize) -> Option<u32> {
    digits(token, min, max).map(|(value, _)| value)
}

/// Takes `min..=max` digits from the start of `bytes` (no more digits may follow),
/// returning their value and the rest.
fn digits(bytes: &[u8], min: usize, max: usize) -> Option<(u32, &[u8])> {
    let n = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    let (number, rest) = bytes.split_at(n);
    let value = number
        .iter()
        .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
    Some((value, rest))
}

/// `time = hms-time ( non-digit *OCTET )`, `hms-time = time-field ":" time-field ":"
/// time-field`, `time-field = 1*2DIGIT`.
fn parse_time(token: &[u8]) -> Option<(u32, u32, u32)> {
    let (hour, rest) = digits(token, 1, 2)?;
    let rest = rest.strip_prefix(b":")?;
    let (minute, rest) = digits(rest, 1, 2)?;
    let rest = rest.strip_prefix(b":")?;
    let (second, _) = digits(rest, 1, 2)?;
    Some((hour, minute, second))
}

/// `month = ( "jan" / ... / "dec" ) *OCTET`, case-insensitively.
fn parse_month(token: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let prefix = token.get(..3)?;
    MONTHS
        .iter()
        .position(|m| prefix.eq_ignore_ascii_case(&m[..]))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Trims RFC 6265's WSP (space and tab).
fn trim_wsp(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Whether `s` holds a control character other than tab (RFC 6265bis).
pub(super) fn has_ctl(s: &str) -> bool {
    s.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

pub(super) fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::tests::url;
    use crate::cookies::Cookies;

    /// 2011-04-01T00:00:00Z, the month RFC 6265 was published: the clock the http-state
    /// vectors were written for.
    const SUITE_NOW: i64 = 1_301_616_000;

    // ---- http-state vectors -------------------------------------------------------

    const PARSER_JSON: &str = include_str!("../../tests/fixtures/http-state/parser.json");

    const EXAMPLES_JSON: &str = include_str!("../../tests/fixtures/http-state/examples.json");

    const BSD_EXAMPLES_JSON: &str =
        include_str!("../../tests/fixtures/http-state/bsd-examples.json");

    struct ParserCase {
        test: String,
        received: Vec<String>,
        sent_to: Option<String>,
        expected: Option<String>,
    }

    fn parser_cases() -> Vec<ParserCase> {
        let cases: serde_json::Value = serde_json::from_str(PARSER_JSON).unwrap();
        cases
            .as_array()
            .unwrap()
            .iter()
            .map(|case| {
                let sent: Vec<String> = case["sent"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        format!(
                            "{}={}",
                            c["name"].as_str().unwrap(),
                            c["value"].as_str().unwrap()
                        )
                    })
                    .collect();
                ParserCase {
                    test: case["test"].as_str().unwrap().to_string(),
                    received: case["received"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| l.as_str().unwrap().to_string())
                        .collect(),
                    sent_to: case.get("sent-to").map(|s| s.as_str().unwrap().to_string()),
                    expected: (!sent.is_empty()).then(|| sent.join("; ")),
                }
            })
            .collect()
    }

    /// Runs one case at jar level, as the suite's README describes: receive the lines
    /// for `http://home.example.org:8888/cookie-parser?<test>`, then ask for the
    /// `Cookie` header of `/cookie-parser-result?<test>` or of the case's `sent-to`.
    fn run_parser_case(case: &ParserCase, now: i64) -> Option<String> {
        let test = case.test.to_ascii_lowercase();
        let origin = url("http://home.example.org:8888/");
        let from = origin.join(&format!("/cookie-parser?{test}")).unwrap();
        let to = match &case.sent_to {
            // Either a path on the test host or a full URL.
            Some(to) => origin.join(to).unwrap(),
            None => origin
                .join(&format!("/cookie-parser-result?{test}"))
                .unwrap(),
        };
        let mut jar = Cookies::new();
        for line in &case.received {
            jar.set_cookie_line(&from, line, now);
        }
        jar.cookie_header_at(&to, now)
    }

    /// The absolute `Expires` dates of a case's lines.
    fn expires_dates(case: &ParserCase) -> Vec<i64> {
        case.received
            .iter()
            .filter_map(|line| parse_set_cookie(line, 0))
            .filter_map(|c| c.expires)
            .collect()
    }

    #[test]
    fn http_state_parser_vectors_at_the_suites_clock() {
        let cases = parser_cases();
        let (mut passed, mut skipped, mut failures) = (0, 0, Vec::new());
        for case in &cases {
            // `disabled-*` cases are the suite's disputed ones (NUL/CR inside a value,
            // a 4097-byte nameless line, a percent-encoded request path).
            if case.test.starts_with("DISABLED") {
                skipped += 1;
                continue;
            }
            // The jar's clock is 2011-04-01, so the suite's absolute Expires dates
            // (2019, 2027 as "future", 1980 and 2007 as "past") mean what the suite
            // meant and no case needs skipping for them. Hosts other than the test
            // host (`sent-to` full URLs) need no DNS at jar level, so they run too.
            let got = run_parser_case(case, SUITE_NOW);
            if got == case.expected {
                passed += 1;
            } else {
                failures.push(format!(
                    "{}: received {:?}, expected {:?}, got {:?}",
                    case.test, case.received, case.expected, got
                ));
            }
        }
        println!(
            "http-state parser vectors: {passed} passed, {skipped} skipped, {} failed of {}",
            failures.len(),
            cases.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert_eq!(passed + skipped, cases.len());
        assert_eq!(skipped, 4);
    }

    #[test]
    fn http_state_parser_vectors_at_the_real_clock() {
        let now = crate::rt::unix_now();
        let cases = parser_cases();
        let (mut passed, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
        for case in &cases {
            if case.test.starts_with("DISABLED") {
                skipped.push(case.test.clone());
                continue;
            }
            // An Expires date the suite meant as future but that is now past changes
            // the expected result (0002, COMMA0006, COMMA0007 with 2019; from 2027 on
            // also 0003, CHROMIUM0016, CHROMIUM0017): skipped here, covered by the
            // test at the suite's clock.
            if expires_dates(case)
                .iter()
                .any(|&t| t > SUITE_NOW && t <= now)
            {
                skipped.push(case.test.clone());
                continue;
            }
            let got = run_parser_case(case, now);
            if got == case.expected {
                passed += 1;
            } else {
                failures.push(format!(
                    "{}: expected {:?}, got {got:?}",
                    case.test, case.expected
                ));
            }
        }
        println!(
            "http-state parser vectors at the real clock: {passed} passed, {} skipped {skipped:?}",
            skipped.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(skipped.iter().any(|t| t == "0002"));
    }

    /// `Wed, 18 Apr 2007 22:50:12 GMT` for a Unix time: an independent check of the
    /// date arithmetic (weekday included).
    fn format_http_date(t: i64) -> String {
        const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400);
        // Civil from days (H. Hinnant).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!(
            "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
            WEEKDAYS[days.rem_euclid(7) as usize],
            d,
            MONTHS[(m - 1) as usize],
            y,
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }

    fn check_date_vectors(json: &str) -> usize {
        let json: String = json
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let cases: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut failures = Vec::new();
        let cases = cases.as_array().unwrap();
        for case in cases {
            let input = case["test"].as_str().unwrap();
            let expected = case["expected"].as_str();
            let got = parse_cookie_date(input).map(format_http_date);
            if got.as_deref() != expected {
                failures.push(format!("{input:?}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        cases.len()
    }

    #[test]
    fn http_state_date_vectors() {
        assert_eq!(check_date_vectors(EXAMPLES_JSON), 15);
        assert_eq!(check_date_vectors(BSD_EXAMPLES_JSON), 55);
    }

    #[test]
    fn date_edge_cases() {
        assert_eq!(parse_cookie_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_cookie_date("Sat, 29 Feb 2020 00:00:00 GMT"),
            Some(1_582_934_400)
        );
        assert_eq!(parse_cookie_date("Fri, 29 Feb 2019 00:00:00 GMT"), None);
        assert_eq!(parse_cookie_date("31 Apr 2019 00:00:00"), None);
        assert_eq!(parse_cookie_date("1 Jan 1600 00:00:00"), None);
        assert!(parse_cookie_date("1 Jan 1601 00:00:00").is_some_and(|t| t < 0));
        assert_eq!(
            parse_cookie_date("31 Dec 9999 23:59:59"),
            Some(253_402_300_799)
        );
        assert_eq!(parse_cookie_date(""), None);
        assert_eq!(parse_cookie_date("1 Jan 2020 24:00:00"), None);
        assert_eq!(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[cfg(not(target_family = "wasm"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn cookie_dates_never_panic(date in any::<String>()) {
                let _ = parse_cookie_date(&date);
            }
        }
    }
}
