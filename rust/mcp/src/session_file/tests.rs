use rmcp::model::InitializeRequestParams;
use serde_json::json;

use super::*;

fn state(client: &str) -> SessionState {
    let params: InitializeRequestParams = serde_json::from_value(json!({
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": client, "version": "1.0"}
    }))
    .unwrap();
    SessionState::new(params)
}

fn client_name(state: &SessionState) -> String {
    serde_json::to_value(state).unwrap()["initialize_params"]["clientInfo"]["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "godot-ai-native-session-file-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    dir.join("nested/mcp_sessions.json")
}

#[tokio::test]
async fn a_stored_session_loads_back_from_a_new_store_on_the_same_file() {
    let path = scratch("roundtrip");
    SessionFile::new(&path)
        .store("s1", &state("claude"))
        .await
        .unwrap();
    let reopened = SessionFile::new(&path);
    let loaded = reopened.load("s1").await.unwrap().expect("stored");
    assert_eq!(client_name(&loaded), "claude");
    assert!(reopened.load("other").await.unwrap().is_none());
}

#[cfg(unix)]
#[tokio::test]
async fn the_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;

    let path = scratch("mode");
    SessionFile::new(&path)
        .store("s1", &state("a"))
        .await
        .unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Still private after a rewrite of a file someone made readable.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    SessionFile::new(&path)
        .store("s2", &state("b"))
        .await
        .unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[tokio::test]
async fn writes_leave_only_the_session_file_in_its_folder() {
    let path = scratch("tidy");
    let store = SessionFile::new(&path);
    for i in 0..5 {
        store.store(&format!("s{i}"), &state("a")).await.unwrap();
    }
    store.delete("s0").await.unwrap();
    let names: Vec<_> = fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, [path.file_name().unwrap()]);
}

#[tokio::test]
async fn a_deleted_session_is_gone_for_good() {
    let path = scratch("delete");
    let store = SessionFile::new(&path);
    store.store("s1", &state("a")).await.unwrap();
    store.delete("s1").await.unwrap();
    assert!(SessionFile::new(&path).load("s1").await.unwrap().is_none());
}

#[tokio::test]
async fn a_corrupt_file_means_no_sessions_and_is_replaced_on_the_next_store() {
    let path = scratch("corrupt");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, "{ not json").unwrap();
    let store = SessionFile::new(&path);
    assert!(store.load("s1").await.unwrap().is_none());
    store.store("s2", &state("b")).await.unwrap();
    assert!(store.load("s2").await.unwrap().is_some());
}

#[tokio::test]
async fn at_most_max_sessions_are_kept_dropping_the_earliest_stored_among_equals() {
    let path = scratch("cap");
    let store = SessionFile::new(&path);
    for i in 0..MAX_SESSIONS + 5 {
        store.store(&format!("s{i}"), &state("c")).await.unwrap();
    }
    let contents = read(&path);
    assert_eq!(contents.sessions.len(), MAX_SESSIONS);
    let newest = format!("s{}", MAX_SESSIONS + 4);
    assert!(
        contents.sessions.iter().any(|e| e.id == newest),
        "the newest is kept"
    );
    assert!(
        contents.sessions.iter().all(|e| e.id != "s0"),
        "the earliest is dropped"
    );
}

#[tokio::test]
async fn a_session_idle_longer_than_the_limit_is_not_restored() {
    let path = scratch("idle");
    SessionFile::new(&path)
        .store("old", &state("a"))
        .await
        .unwrap();
    let mut contents = read(&path);
    contents.sessions[0].last_used_unix -= 120;
    write(&path, &contents).unwrap();
    let strict = SessionFile::new(&path).with_max_idle(Duration::from_secs(60));
    assert!(strict.load("old").await.unwrap().is_none());
    assert!(
        read(&path).sessions.is_empty(),
        "and it is pruned from the file"
    );
}

#[tokio::test]
async fn use_refreshes_the_last_use_time() {
    let path = scratch("touch");
    let store = SessionFile::new(&path);
    store.store("s1", &state("a")).await.unwrap();
    let mut contents = read(&path);
    contents.sessions[0].last_used_unix -= 1000;
    write(&path, &contents).unwrap();
    store.note_use("s1");
    // note_use writes in the background: wait for the file to change (bounded).
    let refreshed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let entry = read(&path).sessions[0].clone();
            if unix_now() - entry.last_used_unix < 100 {
                return entry;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the use is recorded");
    assert_eq!(refreshed.id, "s1");
}

#[test]
fn pruning_drops_idle_entries_then_the_oldest_beyond_the_cap() {
    let now = 10 * MAX_IDLE.as_secs();
    let entry = |id: &str, last_used: u64| Entry {
        id: id.to_owned(),
        state: json!({}),
        created_unix: last_used,
        last_used_unix: last_used,
    };
    let mut contents = Contents {
        version: FILE_VERSION,
        sessions: vec![
            entry("idle", now - MAX_IDLE.as_secs() - 1),
            entry("fresh", now),
        ],
    };
    prune(&mut contents, now, MAX_IDLE);
    let ids: Vec<&str> = contents.sessions.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["fresh"]);

    let mut crowded = Contents {
        version: FILE_VERSION,
        sessions: (0..MAX_SESSIONS as u64 + 2)
            .map(|i| entry(&format!("s{i}"), now - 100 + i))
            .collect(),
    };
    prune(&mut crowded, now, MAX_IDLE);
    assert_eq!(crowded.sessions.len(), MAX_SESSIONS);
    assert!(
        crowded
            .sessions
            .iter()
            .all(|e| e.id != "s0" && e.id != "s1")
    );
}

#[tokio::test]
async fn an_oversized_initialize_is_not_persisted() {
    let path = scratch("big");
    let store = SessionFile::new(&path);
    store
        .store("huge", &state(&"x".repeat(MAX_ENTRY_BYTES)))
        .await
        .unwrap();
    assert!(store.load("huge").await.unwrap().is_none());
}
