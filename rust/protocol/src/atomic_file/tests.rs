use super::*;

fn scratch(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!(
        "godot-ai-atomic-file-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&folder);
    fs::create_dir_all(&folder).unwrap();
    folder
}

/// The names in `folder`, sorted: a test ends with no temporary file left behind.
fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_new_file_is_created_and_an_existing_one_replaced_leaving_no_temporary_file() {
    let folder = scratch("replace");
    let target = folder.join("notes.txt");
    replace(&target, b"first", Visibility::Shared).unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"first");
    replace(&target, b"second, longer", Visibility::Shared).unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"second, longer");
    replace(&target, b"", Visibility::Private).unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"");
    assert_eq!(entries(&folder), ["notes.txt"]);
}

#[test]
fn a_failed_rename_keeps_the_target_and_removes_the_temporary_file() {
    let folder = scratch("failed");
    // A folder cannot be replaced by a file, on any platform.
    let target = folder.join("taken");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside.txt"), b"kept").unwrap();
    for visibility in [Visibility::Shared, Visibility::Private] {
        assert!(replace(&target, b"new", visibility).is_err());
    }
    assert_eq!(fs::read(target.join("inside.txt")).unwrap(), b"kept");
    assert_eq!(entries(&folder), ["taken"]);
}

#[test]
fn a_missing_folder_or_a_path_without_a_file_name_is_an_error() {
    let folder = scratch("missing");
    let error = replace(&folder.join("absent/x.txt"), b"x", Visibility::Shared).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::NotFound);
    assert!(entries(&folder).is_empty());
    let error = replace(&folder.join(".."), b"x", Visibility::Shared).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn a_target_with_a_name_near_the_length_limit_can_be_replaced() {
    let folder = scratch("long");
    // 255 bytes is the usual limit of one name; the temporary name must not grow beyond it.
    let name = format!("{}.gd", "é".repeat(126));
    assert_eq!(name.len(), 255);
    let target = folder.join(&name);
    replace(&target, b"a", Visibility::Shared).unwrap();
    replace(&target, b"b", Visibility::Private).unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"b");
    assert_eq!(entries(&folder), [name]);
}

#[test]
fn concurrent_writers_never_mix_their_contents() {
    let folder = scratch("concurrent");
    let target = folder.join("shared.json");
    const SIZE: usize = 256 * 1024;
    replace(&target, &[b'0'; SIZE], Visibility::Private).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let writers: Vec<_> = (1..=4u8)
            .map(|writer| {
                let target = &target;
                scope.spawn(move || {
                    let content = vec![b'0' + writer; SIZE];
                    for _ in 0..20 {
                        replace(target, &content, Visibility::Private).unwrap();
                    }
                })
            })
            .collect();
        let reader = scope.spawn(|| {
            let mut reads = 0;
            while !done.load(Ordering::Relaxed) || reads == 0 {
                let content = fs::read(&target).unwrap();
                assert_eq!(content.len(), SIZE, "a whole file");
                assert!(
                    content.iter().all(|byte| *byte == content[0]),
                    "one writer's"
                );
                reads += 1;
            }
        });
        for writer in writers {
            writer.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
        reader.join().unwrap();
    });
    assert_eq!(entries(&folder), ["shared.json"]);
}

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_private_file_is_mode_0600_whatever_it_replaced() {
        let folder = scratch("private");
        let target = folder.join("mcp_sessions.json");
        replace(&target, b"{}", Visibility::Private).unwrap();
        assert_eq!(mode(&target), 0o600);
        fs::set_permissions(&target, fs::Permissions::from_mode(0o666)).unwrap();
        replace(&target, b"{}", Visibility::Private).unwrap();
        assert_eq!(mode(&target), 0o600);
    }

    #[test]
    fn a_shared_file_keeps_the_permission_bits_of_the_file_it_replaces() {
        let folder = scratch("shared");
        let target = folder.join("tool.sh");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o750)).unwrap();
        replace(&target, b"new", Visibility::Shared).unwrap();
        assert_eq!(mode(&target), 0o750);
        fs::set_permissions(&target, fs::Permissions::from_mode(0o4755)).unwrap();
        replace(&target, b"newer", Visibility::Shared).unwrap();
        assert_eq!(mode(&target), 0o755, "setuid is not carried over");
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_written_through() {
        let folder = scratch("symlink");
        let elsewhere = folder.join("elsewhere.txt");
        fs::write(&elsewhere, b"untouched").unwrap();
        let target = folder.join("link.txt");
        std::os::unix::fs::symlink(&elsewhere, &target).unwrap();
        replace(&target, b"new", Visibility::Shared).unwrap();
        assert_eq!(fs::read(&elsewhere).unwrap(), b"untouched");
        assert!(!fs::symlink_metadata(&target).unwrap().is_symlink());
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}

#[cfg(windows)]
#[test]
fn a_target_held_open_without_delete_sharing_is_an_error_not_a_panic() {
    use std::os::windows::fs::OpenOptionsExt;

    const FILE_SHARE_READ: u32 = 1;
    let folder = scratch("held");
    let target = folder.join("held.txt");
    fs::write(&target, b"old").unwrap();
    let held = OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(&target)
        .unwrap();
    assert!(replace(&target, b"new", Visibility::Shared).is_err());
    drop(held);
    assert_eq!(fs::read(&target).unwrap(), b"old");
    assert_eq!(entries(&folder), ["held.txt"]);
}
