//! `logs_read` and `editor_manage logs_clear` as godot-ai 3.2.5 sends and shapes them.

use serde_json::{Value, json};

use super::tests::{args, command_for, object, plan_error, sent};
use super::*;

fn read() -> &'static ToolSpec {
    find("logs_read").unwrap()
}

#[test]
fn each_source_sends_only_the_params_that_apply_to_it() {
    let all_set = |source: &str| {
        json!({"source": source, "count": 5, "offset": 2, "since_run_id": "r1",
               "since_cursor": 7, "include_details": true})
    };
    assert_eq!(
        Value::Object(command_for(read(), all_set("game")).params),
        json!({"count": 5, "offset": 2, "source": "game", "since_run_id": "r1",
               "include_details": true})
    );
    assert_eq!(
        Value::Object(command_for(read(), all_set("editor")).params),
        json!({"count": 5, "offset": 2, "source": "editor", "since_cursor": 7,
               "include_details": true})
    );
    assert_eq!(
        Value::Object(command_for(read(), all_set("all")).params),
        json!({"count": 5, "offset": 2, "source": "all", "include_details": true})
    );
    let plain = command_for(read(), json!({"source": "editor", "since_cursor": null}));
    assert_eq!(
        Value::Object(plain.params),
        json!({"count": 50, "offset": 0, "source": "editor"}),
        "unset cursor, empty run id and false details are not sent"
    );
}

#[test]
fn since_cursor_is_an_integer_or_null() {
    let arguments = args(read(), json!({"source": "editor", "since_cursor": 3.0})).unwrap();
    assert_eq!(sent(read(), &arguments).params["since_cursor"], json!(3));
    let error = args(read(), json!({"since_cursor": "3"})).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidParams);
    assert_eq!(
        error.message,
        "Argument 'since_cursor' of logs_read must be an integer, got string"
    );
}

#[test]
fn an_unknown_source_is_left_to_the_plugin_to_refuse() {
    let command = command_for(read(), json!({"source": "nope"}));
    assert_eq!(command.params["source"], json!("nope"));
}

/// What godot-ai-native's plugin answers today for the editor and game sources.
fn native_game_reply() -> JsonObject {
    object(
        json!({"source": "game", "lines": [], "total_count": 0, "returned_count": 0,
                  "offset": 0, "run_id": "", "is_running": false, "dropped_count": 0,
                  "note": "godot-ai-native does not capture editor or game output yet"}),
    )
}

#[test]
fn today_s_plugin_reply_keeps_its_note_in_godot_ai_s_shape() {
    let arguments = args(read(), json!({"source": "game", "since_run_id": "r1"})).unwrap();
    let shaped = logs::shape_read(native_game_reply(), &arguments);
    assert_eq!(
        Value::Object(shaped),
        json!({"source": "game", "lines": [], "total_count": 0, "returned_count": 0,
               "offset": 0, "limit": 50, "has_more": false, "run_id": "",
               "is_running": false, "dropped_count": 0, "stale_run_id": false,
               "note": "godot-ai-native does not capture editor or game output yet"}),
        "an empty run id cannot contradict since_run_id"
    );
}

#[test]
fn missing_fields_get_godot_ai_s_defaults() {
    let arguments = args(read(), json!({"source": "all", "count": 2, "offset": 1})).unwrap();
    let reply = object(json!({"lines": [{"text": "a"}, {"text": "b"}], "ignored": 1}));
    assert_eq!(
        Value::Object(logs::shape_read(reply, &arguments)),
        json!({"source": "all", "lines": [{"text": "a"}, {"text": "b"}], "total_count": 2,
               "returned_count": 2, "offset": 1, "limit": 2, "has_more": false,
               "run_id": "", "is_running": false, "dropped_count": 0, "stale_run_id": false})
    );
    let longer = object(json!({"lines": ["a"], "total_count": 9}));
    let shaped = logs::shape_read(longer, &arguments);
    assert_eq!(shaped["has_more"], json!(true), "1 + 2 < 9");
    assert_eq!(shaped["returned_count"], json!(1));
}

#[test]
fn the_plugin_s_paging_run_and_cursor_keys_are_kept() {
    let arguments = args(read(), json!({"source": "editor", "since_cursor": 4})).unwrap();
    let reply = object(json!({
        "source": "editor", "lines": [{"text": "E"}], "total_count": 12, "returned_count": 1,
        "offset": 0, "has_more": true, "dropped_count": 3, "cursor": 4, "oldest_cursor": 2,
        "next_cursor": 5, "appended_total": 12, "truncated": false,
        "new_errors_since_last_call": 1, "new_errors_hint": "1 new error", "private": "x"
    }));
    let shaped = logs::shape_read(reply, &arguments);
    for (key, value) in [
        ("has_more", json!(true)),
        ("dropped_count", json!(3)),
        ("cursor", json!(4)),
        ("oldest_cursor", json!(2)),
        ("next_cursor", json!(5)),
        ("appended_total", json!(12)),
        ("truncated", json!(false)),
        ("new_errors_since_last_call", json!(1)),
        ("new_errors_hint", json!("1 new error")),
    ] {
        assert_eq!(shaped[key], value, "{key}");
    }
    assert!(
        !shaped.contains_key("private"),
        "only known keys pass through"
    );
}

#[test]
fn a_reply_for_another_run_than_asked_is_an_empty_stale_page() {
    let arguments = args(
        read(),
        json!({"source": "game", "count": 10, "since_run_id": "r1"}),
    )
    .unwrap();
    let reply = object(json!({"source": "game", "lines": ["x"], "total_count": 1,
                              "returned_count": 1, "offset": 0, "run_id": "r2",
                              "current_run_id": "r2", "is_running": true,
                              "game_status": {"status": "live"}}));
    assert_eq!(
        Value::Object(logs::shape_read(reply, &arguments)),
        json!({"source": "game", "lines": [], "total_count": 0, "returned_count": 0,
               "offset": 0, "limit": 10, "has_more": false, "run_id": "r2",
               "is_running": true, "dropped_count": 0, "stale_run_id": true,
               "current_run_id": "r2"})
    );
}

#[test]
fn a_retained_earlier_run_is_served_with_the_plugin_s_stale_flag() {
    let arguments = args(read(), json!({"source": "game", "since_run_id": "r1"})).unwrap();
    let reply = object(json!({"lines": ["old"], "total_count": 1, "run_id": "r1",
                              "current_run_id": "r2", "stale_run_id": true}));
    let shaped = logs::shape_read(reply, &arguments);
    assert_eq!(shaped["lines"], json!(["old"]));
    assert_eq!(shaped["stale_run_id"], json!(true));
    assert_eq!(shaped["current_run_id"], json!("r2"));
}

#[test]
fn plugin_lines_become_text_whatever_their_form() {
    let arguments = args(read(), json!({})).unwrap();
    let reply = object(
        json!({"lines": ["plain", {"text": "entry"}, {"level": "info"}, 7],
                              "new_warnings_since_last_call": 2}),
    );
    let shaped = logs::shape_read(reply, &arguments);
    assert_eq!(shaped["lines"], json!(["plain", "entry", "", "7"]));
    assert_eq!(shaped["new_warnings_since_last_call"], json!(2));
}

#[test]
fn logs_clear_sends_the_debugger_flag_only_when_true() {
    let clear = |params: Value| {
        command_for(
            &EDITOR_MANAGE,
            json!({"op": "logs_clear", "params": params}),
        )
    };
    assert_eq!(clear(json!(null)).name, "clear_logs");
    assert!(clear(json!(null)).params.is_empty());
    assert!(
        clear(json!({"clear_debugger_errors": false}))
            .params
            .is_empty()
    );
    assert_eq!(
        Value::Object(clear(json!({"clear_debugger_errors": true})).params),
        json!({"clear_debugger_errors": true})
    );
    let error = plan_error(
        &EDITOR_MANAGE,
        json!({"op": "logs_clear", "params": {"clear_debugger_errors": "yes"}}),
    );
    assert_eq!(error.code, ErrorCode::InvalidParams);
    assert_eq!(
        error.message,
        "editor_manage.logs_clear: param 'clear_debugger_errors' must be a boolean, got string"
    );
    let typo = plan_error(
        &EDITOR_MANAGE,
        json!({"op": "logs_clear", "params": {"clear_debuger_errors": true}}),
    );
    assert_eq!(
        typo.message,
        "editor_manage.logs_clear: unexpected param 'clear_debuger_errors'. It takes: \
         clear_debugger_errors."
    );
}
