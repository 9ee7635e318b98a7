//! Property value parsing: any text as a value of every property type must be normalised or
//! refused with a detail, never panic; a normalised value normalises to itself again.
#![no_main]

use goalpost::engine::value::{normalize, parse_instant, parse_number};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn defs() -> &'static Vec<goalpost::engine::types::PropertyDef> {
    static D: OnceLock<Vec<goalpost::engine::types::PropertyDef>> = OnceLock::new();
    D.get_or_init(|| {
        let t = goalpost::goals::catalogue::goal_targets();
        // One definition of each type (string, number, date, datetime, enumeration, bool).
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for d in t.properties {
            if !seen.contains(&d.kind) {
                seen.push(d.kind);
                out.push(d);
            }
        }
        out
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_instant(text);
    let _ = parse_number(text);
    for def in defs() {
        if let Ok(Some(v)) = normalize(def, text) {
            assert_eq!(
                normalize(def, &v).ok().flatten().as_deref(),
                Some(v.as_str()),
                "{:?} {text:?} is not stable",
                def.kind
            );
        }
    }
});
