//! A line-based outline of a GDScript file for `find_symbols`: class name, base class,
//! functions, signals and exported variables, with 1-based line numbers.
//!
//! It reads declarations the way they start a line (after indentation), which is how GDScript
//! writes them; it does not parse expressions, so text inside strings that looks like a
//! declaration at the start of a line is reported too.

use serde::Serialize;

/// A named declaration and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Symbol {
    pub name: String,
    pub line: usize,
}

/// What [`outline`] finds.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Outline {
    pub class_name: String,
    pub extends: String,
    pub functions: Vec<Symbol>,
    pub signals: Vec<String>,
    pub exports: Vec<Symbol>,
}

/// The outline of `source`.
pub fn outline(source: &str) -> Outline {
    let mut found = Outline::default();
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    for (index, line) in lines.iter().enumerate() {
        let number = index + 1;
        if let Some(rest) = line.strip_prefix("class_name ") {
            let (name, base) = match rest.split_once(" extends ") {
                Some((name, base)) => (name, Some(base)),
                None => (rest, None),
            };
            found.class_name = name.trim().to_owned();
            if let Some(base) = base {
                found.extends = base.trim().to_owned();
            }
        } else if let Some(rest) = line.strip_prefix("extends ") {
            found.extends = rest.trim().trim_end_matches(':').trim().to_owned();
        } else if let Some(rest) = line.strip_prefix("signal ") {
            let name = rest.split(['(', ':']).next().unwrap_or(rest).trim();
            if !name.is_empty() {
                found.signals.push(name.to_owned());
            }
        } else if let Some(rest) = line
            .strip_prefix("func ")
            .or_else(|| line.strip_prefix("static func "))
        {
            if let Some((name, _)) = rest.split_once('(') {
                found.functions.push(Symbol {
                    name: name.trim().to_owned(),
                    line: number,
                });
            }
        } else if is_export(line) {
            // `@export var x`, or the annotation alone with the variable on the next line.
            let declaration = variable_after(line)
                .or_else(|| lines.get(index + 1).and_then(|next| variable_after(next)));
            if let Some(name) = declaration {
                found.exports.push(Symbol { name, line: number });
            }
        }
    }
    found
}

/// `@export`, `@export_range(...)`, ... but not the grouping annotations, which export nothing.
fn is_export(line: &str) -> bool {
    line.starts_with("@export")
        && !["@export_group", "@export_subgroup", "@export_category"]
            .iter()
            .any(|grouping| line.starts_with(grouping))
}

/// The variable name declared on `line` (`... var name: Type = value`).
fn variable_after(line: &str) -> Option<String> {
    let start = line.find("var ")? + "var ".len();
    let name: String = line[start..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYER: &str = "class_name Player\nextends CharacterBody2D\n\nsignal died\nsignal hit(amount: int)\n\n@export var speed: float = 200.0\n@export_range(0, 10)\nvar lives := 3\n@export_group(\"Look\")\n@export var tint: Color\n\nfunc _ready() -> void:\n\tpass\n\nstatic func make() -> Player:\n\treturn null\n\nclass Inner:\n\tfunc helper(x):\n\t\treturn x\n";

    #[test]
    fn finds_every_kind_of_declaration_with_its_line() {
        let found = outline(PLAYER);
        assert_eq!(found.class_name, "Player");
        assert_eq!(found.extends, "CharacterBody2D");
        assert_eq!(found.signals, ["died", "hit"]);
        let exports: Vec<(&str, usize)> = found
            .exports
            .iter()
            .map(|s| (s.name.as_str(), s.line))
            .collect();
        assert_eq!(exports, [("speed", 7), ("lives", 8), ("tint", 11)]);
        let functions: Vec<(&str, usize)> = found
            .functions
            .iter()
            .map(|s| (s.name.as_str(), s.line))
            .collect();
        assert_eq!(functions, [("_ready", 13), ("make", 16), ("helper", 20)]);
    }

    #[test]
    fn class_name_with_extends_on_one_line_is_split() {
        let found = outline("class_name Enemy extends Node2D\n");
        assert_eq!(found.class_name, "Enemy");
        assert_eq!(found.extends, "Node2D");
    }

    #[test]
    fn an_empty_or_unrelated_file_has_an_empty_outline() {
        assert_eq!(outline(""), Outline::default());
        assert_eq!(outline("# just a comment\nvar x = 1\n"), Outline::default());
    }
}
