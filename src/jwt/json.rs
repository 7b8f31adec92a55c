//! Bounded JSON parsing for token segments.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::diff::escape_pointer_token;

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

/// JSON Pointers (RFC 6901) of every member whose name already appeared earlier in the same
/// object, in document order. `serde_json` keeps the last of duplicate members silently;
/// RFC 7515 §4 and RFC 7519 §4 allow that or rejection, and parsers that keep the first one
/// disagree with it, so duplicates are worth a finding. Call after the depth check: this walk
/// recurses. Text that is not JSON has no duplicates to report.
pub(crate) fn duplicate_members(text: &str) -> Vec<String> {
    let found = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let walked = Walk {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut de);
    if walked.is_err() {
        return Vec::new();
    }
    found.into_inner()
}

/// Visits a JSON value without building it, recording duplicate member names.
struct Walk<'a> {
    path: String,
    found: &'a RefCell<Vec<String>>,
}

impl Walk<'_> {
    fn child(&self, token: &str) -> Self {
        Walk {
            path: format!("{}/{token}", self.path),
            found: self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(self.child(&index.to_string()))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            let child = self.child(&escape_pointer_token(&name));
            if !seen.insert(name) {
                self.found.borrow_mut().push(child.path.clone());
            }
            map.next_value_seed(child)?;
        }
        Ok(())
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
    use super::{duplicate_members, json_depth};

    #[test]
    fn depth_ignores_brackets_inside_strings() {
        assert_eq!(json_depth(r#"{"a":"[[[{{{\"]]]"}"#), 1);
        assert_eq!(json_depth(r#"{"a":[{"b":[1]}]}"#), 4);
        assert_eq!(json_depth("1"), 0);
    }

    #[test]
    fn duplicate_members_are_found_at_every_level_with_their_pointer() {
        assert!(duplicate_members(r#"{"a":1,"b":{"a":2}}"#).is_empty());
        assert_eq!(
            duplicate_members(r#"{"alg":"HS256","x":[{"k":1,"k":2}],"alg":"none","alg":"x"}"#),
            ["/x/0/k", "/alg", "/alg"]
        );
        // Escaped names are compared after unescaping, and pointers escape '/' and '~'.
        assert_eq!(duplicate_members(r#"{"a/b":1,"a\/b":2}"#), ["/a~1b"]);
        assert_eq!(duplicate_members(r#"{"\u0061":1,"a":2}"#), ["/a"]);
        assert!(duplicate_members("not json").is_empty());
    }
}
