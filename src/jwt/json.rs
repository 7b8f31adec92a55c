//! Bounded JSON parsing for token segments.

use serde_json::{Map, Value};

pub(crate) enum JsonProblem {
    Syntax(String),
    NotAnObject(&'static str),
}

/// The deepest nesting of arrays and objects in `text`, found without recursion, so the depth
/// limit is enforced before any recursive parser sees the input.
pub(crate) fn json_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

pub(crate) fn parse_json_object(text: &str) -> Result<Map<String, Value>, JsonProblem> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(JsonProblem::NotAnObject(json_kind(&other))),
        Err(e) => Err(JsonProblem::Syntax(e.to_string())),
    }
}

/// "an array", "a string", … for messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::json_depth;

    #[test]
    fn depth_ignores_brackets_inside_strings() {
        assert_eq!(json_depth(r#"{"a":"[[[{{{\"]]]"}"#), 1);
        assert_eq!(json_depth(r#"{"a":[{"b":[1]}]}"#), 4);
        assert_eq!(json_depth("1"), 0);
    }
}
