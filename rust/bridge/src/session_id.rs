//! The `<slug>@<4hex>` session id a plugin presents to godot-ai's server: made once per plugin
//! load, kept across reconnects.

use std::hash::{BuildHasher, Hasher};

/// The slug of a project folder name: lowercase `[a-z0-9]`, every other run of characters one
/// `-`, no leading or trailing `-`, `project` when nothing is left.
pub fn slug(folder_name: &str) -> String {
    let mut slug = String::new();
    let mut pending_dash = false;
    for character in folder_name.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_lowercase() || character.is_ascii_digit() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(character);
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        "project".to_owned()
    } else {
        slug
    }
}

/// The last folder name of an absolute project path (`/home/u/My Game/` -> `My Game`).
pub fn folder_name(project_path: &str) -> &str {
    project_path
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
}

/// A fresh session id for the project at `project_path`.
pub fn new_session_id(project_path: &str) -> String {
    format!("{}@{:04x}", slug(folder_name(project_path)), random_u16())
}

/// Four random hex digits' worth, from the standard library's randomly keyed hasher.
fn random_u16() -> u16 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos()),
    );
    (hasher.finish() & 0xffff) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_godot_ai() {
        assert_eq!(slug("My Game_2"), "my-game-2");
        assert_eq!(slug("test_project"), "test-project");
        assert_eq!(slug("__Lead--Trail__"), "lead-trail");
        assert_eq!(slug("Ünïcode"), "n-code");
        assert_eq!(slug("!!!"), "project");
        assert_eq!(slug(""), "project");
    }

    #[test]
    fn folder_name_ignores_trailing_separators() {
        assert_eq!(folder_name("/home/u/My Game_2/"), "My Game_2");
        assert_eq!(folder_name("/"), "");
    }

    #[test]
    fn session_ids_are_slug_at_four_hex_and_valid_for_godot_ai_3() {
        let id = new_session_id("/work/test_project/");
        let (slug, suffix) = id.split_once('@').unwrap();
        assert_eq!(slug, "test-project");
        assert_eq!(suffix.len(), 4);
        assert!(
            suffix
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(id.len() <= 128);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
        );
    }
}
