//! "Did you mean" suggestions for names an agent got slightly wrong (commands, node paths).

/// Names longer than this get no suggestions: nothing that long is a near miss, and the
/// comparison's cost grows with the product of the lengths.
pub const MAX_SUGGESTIBLE_CHARS: usize = 512;

/// Up to `max` candidates closest to `wanted`, best first.
///
/// A candidate qualifies when it contains `wanted` (or the reverse), case-insensitively, or
/// when its edit distance is at most a third of the longer name. Ties keep the candidates'
/// order. A `wanted` or candidate over [`MAX_SUGGESTIBLE_CHARS`] qualifies never, and the edit
/// distance is computed only for candidates whose length alone does not rule them out, so the
/// cost stays bounded whatever the caller passes.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<&'a str> {
    if wanted.chars().nth(MAX_SUGGESTIBLE_CHARS).is_some() {
        return Vec::new();
    }
    let wanted_lower = wanted.to_lowercase();
    let wanted_chars = wanted_lower.chars().count();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|candidate| candidate.chars().nth(MAX_SUGGESTIBLE_CHARS).is_none())
        .filter_map(|candidate| {
            let lower = candidate.to_lowercase();
            let contains = !wanted_lower.is_empty()
                && (lower.contains(&wanted_lower) || wanted_lower.contains(&lower));
            let lower_chars = lower.chars().count();
            let longer = wanted_chars.max(lower_chars);
            // The distance is at least the difference in length.
            let may_be_close = wanted_chars.abs_diff(lower_chars) * 3 <= longer;
            let distance = if may_be_close || contains {
                edit_distance(&wanted_lower, &lower)
            } else {
                usize::MAX
            };
            let close = may_be_close && distance * 3 <= longer;
            (contains || close).then_some((distance, candidate))
        })
        .collect();
    scored.sort_by_key(|(distance, _)| *distance);
    scored
        .into_iter()
        .take(max)
        .map(|(_, candidate)| candidate)
        .collect()
}

/// ` Did you mean: a, b?` for the given suggestions, or nothing when there are none; ready to
/// append to an error message.
pub fn did_you_mean<S: AsRef<str>>(suggestions: &[S]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = suggestions.iter().map(AsRef::as_ref).collect();
    format!(" Did you mean: {}?", names.join(", "))
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {

    #[test]
    fn did_you_mean_lists_the_suggestions_or_says_nothing() {
        assert_eq!(did_you_mean(&["fov", "far"]), " Did you mean: fov, far?");
        assert_eq!(did_you_mean::<&str>(&[]), "");
    }

    use super::*;

    #[test]
    fn overlong_names_get_no_suggestions() {
        let huge = "a".repeat(1_000_000);
        assert!(closest(&huge, ["a", "aa"], 3).is_empty());
        assert!(closest("aa", [huge.as_str()], 3).is_empty());
        let at_bound = "b".repeat(MAX_SUGGESTIBLE_CHARS);
        assert_eq!(
            closest(&at_bound, [at_bound.as_str()], 3),
            [at_bound.as_str()]
        );
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_prefers_small_edits_and_substrings() {
        let commands = ["get_editor_state", "get_scene_tree", "get_selection"];
        assert_eq!(
            closest("get_editor_stat", commands, 3),
            ["get_editor_state"]
        );
        assert_eq!(closest("scene_tree", commands, 3), ["get_scene_tree"]);
        assert!(closest("zzz", commands, 3).is_empty());
    }

    #[test]
    fn closest_keeps_at_most_max_best_first() {
        let paths = ["/Main/Player", "/Main/Players", "/Main/Plane"];
        assert_eq!(
            closest("/Main/Playr", paths, 2),
            ["/Main/Player", "/Main/Players"]
        );
    }
}
