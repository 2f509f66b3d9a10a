//! `Headers`: insert, append, get on arbitrary names and values. Invalid names and
//! values with CR, LF, NUL or other controls are refused; what is stored reads back.
#![no_main]

use httpx::Headers;
use libfuzzer_sys::fuzz_target;

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fuzz_target!(|data: &[u8]| {
    let mut headers = Headers::new();
    // Records split by 0xff: name, value, name, value...
    let mut fields = data.split(|&b| b == 0xff);
    let mut index = 0;
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        index += 1;
        let name = String::from_utf8_lossy(name);
        let valid_name = !name.is_empty() && name.bytes().all(is_tchar);
        let valid_value = !value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f);
        let result = if index % 2 == 0 {
            headers.append(&name, value)
        } else {
            headers.insert(&name, value)
        };
        assert_eq!(
            result.is_ok(),
            valid_name && valid_value,
            "{name:?}: {value:?}"
        );
        if result.is_ok() {
            assert!(headers.contains(&name));
            assert!(headers.contains(&name.to_ascii_uppercase()));
            let stored: Vec<&[u8]> = headers.get_all_bytes(&name).collect();
            assert_eq!(stored.last(), Some(&value), "the last value of {name:?}");
            if index % 2 == 1 {
                assert_eq!(stored.len(), 1, "insert keeps one value");
            }
            let _ = headers.get(&name);
            let _ = headers.get_list(&name, true);
        }
    }
    for (name, value) in headers.multi_items() {
        assert!(!value.contains(['\r', '\n', '\0']), "{name}: {value:?}");
    }
    let _ = headers.to_header_map().expect("valid headers convert");
});
