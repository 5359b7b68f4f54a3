use serde_json::json;

use super::*;

fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn handshake_carries_every_field_with_a_trailing_slash_path() {
    let identity = EditorIdentity {
        godot_version: "4.6.3-stable (debian)".into(),
        project_path: "/work/test_project".into(),
        plugin_version: "0.1.0".into(),
        editor_pid: 42,
    };
    let snapshot = EditorSnapshot {
        readiness: "ready".into(),
        ..EditorSnapshot::default()
    };
    let frame = Handshake::new("test-project@0b7c", &identity, &snapshot).to_frame();
    assert_eq!(
        value(&frame),
        json!({"type": "handshake", "session_id": "test-project@0b7c",
               "godot_version": "4.6.3-stable (debian)", "project_path": "/work/test_project/",
               "plugin_version": "0.1.0", "protocol_version": 1, "readiness": "ready",
               "editor_pid": 42, "server_launch_mode": "unknown"})
    );
}

#[test]
fn commands_parse_with_params_defaulting_to_empty() {
    assert_eq!(
        parse_inbound(r#"{"request_id":"ab","command":"get_scene_tree","params":{"depth":2}}"#),
        Inbound::Command {
            request_id: "ab".into(),
            command: Command::new(
                "get_scene_tree",
                value(r#"{"depth":2}"#).as_object().unwrap().clone()
            ),
        }
    );
    assert_eq!(
        parse_inbound(r#"{"request_id":"ab","command":"get_editor_state"}"#),
        Inbound::Command {
            request_id: "ab".into(),
            command: Command::bare("get_editor_state"),
        }
    );
}

#[test]
fn acks_parse_with_their_server_version() {
    assert_eq!(
        parse_inbound(r#"{"type":"handshake_ack","server_version":"2.4.2"}"#),
        Inbound::HandshakeAck {
            server_version: Some("2.4.2".into())
        }
    );
}

#[test]
fn malformed_json_is_reported_and_non_objects_are_ignored() {
    assert!(matches!(parse_inbound("{nope"), Inbound::Malformed(_)));
    assert_eq!(parse_inbound("[1,2]"), Inbound::Ignored);
    assert_eq!(parse_inbound("\"text\""), Inbound::Ignored);
    assert_eq!(parse_inbound(r#"{"type":"event"}"#), Inbound::Ignored);
}

#[test]
fn unusable_commands_with_a_request_id_become_error_replies() {
    let Inbound::InvalidCommand { request_id, error } =
        parse_inbound(r#"{"request_id":"r1","command":"x","params":[1]}"#)
    else {
        panic!("expected InvalidCommand");
    };
    assert_eq!(request_id, "r1");
    assert_eq!(error.code, ErrorCode::InvalidParams);
    assert!(matches!(
        parse_inbound(r#"{"request_id":"r2"}"#),
        Inbound::InvalidCommand { .. }
    ));
}

#[test]
fn replies_have_the_protocol_shape() {
    let ok: CommandResult = Ok(value(r#"{"a":1}"#).as_object().unwrap().clone());
    assert_eq!(
        value(&reply_frame("r1", &ok)),
        json!({"request_id": "r1", "status": "ok", "data": {"a": 1}})
    );
    let error: CommandResult =
        Err(CommandError::new(ErrorCode::NodeNotFound, "gone").with_data("path", "/X"));
    assert_eq!(
        value(&reply_frame("r2", &error)),
        json!({"request_id": "r2", "status": "error",
               "error": {"code": "NODE_NOT_FOUND", "message": "gone", "data": {"path": "/X"}}})
    );
}

#[test]
fn a_fitted_reply_is_a_whole_ok_frame_within_its_room_that_lists_what_it_summarised() {
    let mut data = JsonObject::new();
    data.insert("property".into(), json!("editor_description"));
    data.insert("value".into(), json!("d".repeat(5 * 1024 * 1024)));
    let frame = fitted_reply_frame("r4", data, 2_000).expect("fits once summarised");
    assert!(frame.len() <= 2_000, "{}", frame.len());
    let frame = value(&frame);
    assert_eq!(frame["request_id"], "r4");
    assert_eq!(frame["status"], "ok");
    assert_eq!(frame["data"]["property"], "editor_description");
    assert_eq!(frame["data"]["summarised"], json!(["/value"]));
    assert!(
        frame["data"]["value"]
            .as_str()
            .unwrap()
            .ends_with("(5242880 characters, not echoed)")
    );
}

#[test]
fn a_reply_that_cannot_be_summarised_small_enough_has_no_fitted_frame() {
    let mut data = JsonObject::new();
    data.insert("image_base64".into(), json!("i".repeat(10_000)));
    assert_eq!(fitted_reply_frame("r5", data.clone(), 5_000), None);
    // Not even room for the envelope.
    assert_eq!(fitted_reply_frame("r5", JsonObject::new(), 10), None);
}

#[test]
fn the_oversized_reply_reports_sizes_and_the_limit() {
    let frame = value(&oversized_reply_frame("r3", 10, 5_000_000));
    assert_eq!(frame["status"], "error");
    assert_eq!(frame["error"]["code"], "INTERNAL_ERROR");
    assert!(
        frame["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Outbound WebSocket buffer is full")
    );
    assert_eq!(
        frame["error"]["data"],
        json!({"buffered_bytes": 10, "message_bytes": 5_000_000, "limit_bytes": MAX_OUTBOUND_BYTES})
    );
}

#[test]
fn only_godot_ai_2_and_3_speak_protocol_v1() {
    assert!(server_speaks_v1("2.4.2"));
    assert!(server_speaks_v1("3.2.5"));
    assert!(!server_speaks_v1("4.0.0"));
    assert!(!server_speaks_v1("garbage"));
}
