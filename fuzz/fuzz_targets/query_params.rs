//! `QueryParams`: parse, encode, parse again gives the same items; set/add/remove
//! keep the model consistent.
#![no_main]

use httpx::QueryParams;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (query, key) = input.split_once('\n').unwrap_or((input, "k"));
    let params = QueryParams::parse(query);
    let items: Vec<(String, String)> = params
        .multi_items()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let encoded = params.to_string();
    let again = QueryParams::parse(&encoded);
    let items_again: Vec<(String, String)> = again
        .multi_items()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(
        items, items_again,
        "encoding {query:?} as {encoded:?} lost items"
    );
    assert_eq!(params.len(), params.keys().count());
    let set = params.set(key, "v");
    assert_eq!(set.get_list(key), ["v"]);
    let added = params.add(key, "w");
    assert_eq!(added.get_list(key).last(), Some(&"w"));
    assert!(!params.remove(key).contains_key(key));
    let _ = params.merge(QueryParams::parse(key));
});
