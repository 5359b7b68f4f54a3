use serde_json::json;

use super::*;

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn size_of(data: &JsonObject) -> usize {
    serde_json::to_string(data).unwrap().len()
}

fn set_property_reply(value: Value, old_value: Value) -> JsonObject {
    object(json!({
        "path": "/Main",
        "property": "editor_description",
        "value": value,
        "old_value": old_value,
        "undoable": true,
    }))
}

#[test]
fn json_size_is_the_length_of_compact_json_including_escapes() {
    let value = json!({"a": "quote \" and \\ and \n and é and \u{1}", "b": [1, 2.5, null, true]});
    assert_eq!(
        json_size(&value),
        serde_json::to_string(&value).unwrap().len()
    );
}

#[test]
fn a_reply_that_fits_is_returned_unchanged() {
    let data = set_property_reply(json!("x".repeat(5000)), json!(""));
    let fitted = fit_reply(data.clone(), size_of(&data)).unwrap();
    assert_eq!(fitted, data);
    assert!(!fitted.contains_key(SUMMARISED_KEY));
}

#[test]
fn a_huge_echoed_value_is_summarised_and_the_reply_still_says_it_succeeded() {
    let five_mib = "x".repeat(5 * 1024 * 1024);
    let data = set_property_reply(json!(five_mib), json!("old"));
    let fitted = fit_reply(data, MAX_REPLY_BYTES).unwrap();
    assert!(size_of(&fitted) <= MAX_REPLY_BYTES);
    assert!(size_of(&fitted) < 1024, "{}", size_of(&fitted));
    assert_eq!(fitted["undoable"], json!(true));
    assert_eq!(fitted["path"], json!("/Main"));
    assert_eq!(fitted["old_value"], json!("old"));
    assert_eq!(fitted[SUMMARISED_KEY], json!(["/value"]));
    let summary = fitted["value"].as_str().unwrap();
    assert_eq!(
        summary,
        format!(
            "{}… ({} characters, not echoed)",
            "x".repeat(PREFIX_CHARS),
            5 * 1024 * 1024
        )
    );
}

#[test]
fn the_largest_string_goes_first_and_only_as_many_as_needed() {
    let data = set_property_reply(json!("n".repeat(30_000)), json!("o".repeat(20_000)));
    // Room for the old value but not for both.
    let fitted = fit_reply(data.clone(), 25_000).unwrap();
    assert_eq!(fitted[SUMMARISED_KEY], json!(["/value"]));
    assert_eq!(fitted["old_value"], data["old_value"]);
    assert!(size_of(&fitted) <= 25_000);
    // No room for either.
    let fitted = fit_reply(data, 2_000).unwrap();
    assert_eq!(fitted[SUMMARISED_KEY], json!(["/value", "/old_value"]));
    assert!(size_of(&fitted) <= 2_000);
}

#[test]
fn the_fitted_size_is_at_most_the_budget_for_every_budget_near_the_edge() {
    let data = set_property_reply(json!("v".repeat(3_000)), json!("w".repeat(2_000)));
    let whole = size_of(&data);
    for budget in (whole - 200)..whole {
        let fitted = fit_reply(data.clone(), budget).unwrap();
        assert!(size_of(&fitted) <= budget, "budget {budget}");
    }
}

#[test]
fn characters_are_counted_and_the_prefix_is_cut_on_a_character_boundary() {
    let text = "é".repeat(2_000);
    let data = object(json!({"value": text}));
    let fitted = fit_reply(data, 500).unwrap();
    assert_eq!(
        fitted["value"],
        json!(format!(
            "{}… (2000 characters, not echoed)",
            "é".repeat(PREFIX_CHARS)
        ))
    );
}

#[test]
fn small_values_are_never_summarised_and_then_the_reply_is_oversized() {
    let many_small: Vec<Value> = (0..200).map(|i| json!({"k": i})).collect();
    let data = object(json!({"a": "y".repeat(MIN_SUMMARISED_BYTES - 10), "b": 1}));
    let error = fit_reply(data.clone(), 100).unwrap_err();
    assert_eq!(error.data, data, "given back untouched");
    assert_eq!(error.bytes, size_of(&data));
    // An array made of small items is replaced as a whole.
    let data = object(json!({"nodes": many_small, "count": 200}));
    let fitted = fit_reply(data, 300).unwrap();
    assert_eq!(fitted[SUMMARISED_KEY], json!(["/nodes"]));
    assert_eq!(fitted["count"], json!(200));
    let summary = fitted["nodes"].as_str().unwrap();
    assert!(
        summary.starts_with("… (array of 200 items, ") && summary.ends_with(" not echoed)"),
        "{summary}"
    );
}

#[test]
fn strings_go_before_the_containers_that_hold_them() {
    // One huge property among many small ones: only that property is cut, the rest stay.
    let mut properties = JsonObject::new();
    for index in 0..50 {
        properties.insert(format!("p{index}"), json!(index));
    }
    properties.insert(
        "theme_override_colors/font_color".into(),
        json!("c".repeat(100_000)),
    );
    let data = object(json!({"path": "/Main", "properties": properties}));
    let fitted = fit_reply(data, 4_096).unwrap();
    assert_eq!(
        fitted[SUMMARISED_KEY],
        json!(["/properties/theme_override_colors~1font_color"])
    );
    assert_eq!(fitted["properties"]["p49"], json!(49));
    assert_eq!(fitted["properties"].as_object().unwrap().len(), 51);
}

#[test]
fn a_container_replaces_the_values_inside_it_that_were_cut_before() {
    let items: Vec<Value> = (0..400)
        .map(|i| json!(format!("{i}:{}", "s".repeat(2_000))))
        .collect();
    let data = object(json!({"items": items}));
    let fitted = fit_reply(data, 1_000).unwrap();
    assert_eq!(fitted[SUMMARISED_KEY], json!(["/items"]));
    assert!(
        fitted["items"]
            .as_str()
            .unwrap()
            .contains("array of 400 items")
    );
    assert!(size_of(&fitted) <= 1_000);
}

#[test]
fn an_image_is_never_cut() {
    let data = object(json!({"image_base64": "i".repeat(10_000), "width": 64}));
    let error = fit_reply(data.clone(), 1_000).unwrap_err();
    assert_eq!(error.data, data);
    // Other values beside it are still summarised when that is enough.
    let data = object(json!({"image_base64": "i".repeat(1_000), "note": "n".repeat(10_000)}));
    let fitted = fit_reply(data.clone(), 2_000).unwrap();
    assert_eq!(fitted["image_base64"], data["image_base64"]);
    assert_eq!(fitted[SUMMARISED_KEY], json!(["/note"]));
}

#[test]
fn pointers_escape_tilde_and_slash_and_resolve_to_the_summaries() {
    let data = object(json!({"a~b/c": {"list": [0, "z".repeat(5_000)]}}));
    let fitted = fit_reply(data, 1_000).unwrap();
    let pointer = fitted[SUMMARISED_KEY][0].as_str().unwrap().to_owned();
    assert_eq!(pointer, "/a~0b~1c/list/1");
    let value = Value::Object(fitted);
    assert!(
        value
            .pointer(&pointer)
            .unwrap()
            .as_str()
            .unwrap()
            .ends_with("(5000 characters, not echoed)")
    );
}

#[test]
fn the_planned_size_is_exactly_the_size_of_the_fitted_reply() {
    let data = object(json!({
        "a": "é\"\n".repeat(700),
        "b": {"c/d": ["q".repeat(3_000), {"e": "r".repeat(1_500)}], "f": 1},
        "g": [1, 2, 3],
    }));
    for budget in [8_000, 4_000, 2_500, 1_000, 600] {
        let mut candidates = Vec::new();
        let total = object_size(&data, &mut String::new(), &mut candidates);
        assert_eq!(total, size_of(&data));
        let planned = plan(total, budget, candidates).size;
        match fit_reply(data.clone(), budget) {
            Ok(fitted) => assert_eq!(size_of(&fitted), planned, "budget {budget}"),
            Err(error) => assert_eq!(error.smallest_bytes, planned),
        }
    }
}
