//! Bounded JSON parsing for token segments.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::diff::escape_pointer_token;

pub(crate) enum JsonProblem {
    /// Nested deeper than the limit (the parser stopped there).
    TooDeep,
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

/// Parses a token segment as a JSON object in one pass, bounding its nesting at `max_depth`
/// before the recursion goes deeper, and collecting the JSON Pointers (RFC 6901) of every
/// member whose name already appeared earlier in the same object, in document order.
///
/// `serde_json` keeps the last of duplicate members silently (here too, at the first one's
/// position); RFC 7515 §4 and RFC 7519 §4 allow that or rejection, and parsers that keep the
/// first one disagree with it, so duplicates are worth a finding. One walk replaces three
/// (depth scan, parse, duplicate scan): a 2.8 MB token's payload is read once.
pub(crate) fn parse_json_object(
    text: &str,
    max_depth: usize,
) -> Result<(Map<String, Value>, Vec<String>), JsonProblem> {
    let context = Context {
        max_depth,
        too_deep: Cell::new(false),
        duplicates: RefCell::new(Vec::new()),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Node {
        context: &context,
        depth: 0,
        path: &Path::Root,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    match parsed {
        _ if context.too_deep.get() => Err(JsonProblem::TooDeep),
        Ok(Value::Object(map)) => Ok((map, context.duplicates.into_inner())),
        Ok(other) => Err(JsonProblem::NotAnObject(json_kind(&other))),
        Err(e) => Err(JsonProblem::Syntax(e.to_string())),
    }
}

struct Context {
    max_depth: usize,
    /// Set when nesting exceeded `max_depth`: the parse error that follows is that, not syntax.
    too_deep: Cell<bool>,
    duplicates: RefCell<Vec<String>>,
}

/// Where a value sits, as a chain to the root; turned into a JSON Pointer only for duplicates.
enum Path<'a> {
    Root,
    Member(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn pointer(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Member(parent, name) => {
                format!("{}/{}", parent.pointer(), escape_pointer_token(name))
            }
            Path::Index(parent, index) => format!("{}/{index}", parent.pointer()),
        }
    }
}

/// Builds one JSON value, as `serde_json::Value`'s own visitor would, and keeps the books.
struct Node<'a> {
    context: &'a Context,
    depth: usize,
    path: &'a Path<'a>,
}

impl Node<'_> {
    fn enter<E: serde::de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > self.context.max_depth {
            self.context.too_deep.set(true);
            return Err(E::custom("nested too deeply"));
        }
        Ok(depth)
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut items = Vec::new();
        loop {
            let path = Path::Index(self.path, items.len());
            let child = Node {
                context: self.context,
                depth,
                path: &path,
            };
            match seq.next_element_seed(child)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let path = Path::Member(self.path, &name);
            if map.contains_key(&name) {
                self.context.duplicates.borrow_mut().push(path.pointer());
            }
            let value = access.next_value_seed(Node {
                context: self.context,
                depth,
                path: &path,
            })?;
            map.insert(name, value);
        }
        Ok(Value::Object(map))
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
    use super::{json_depth, parse_json_object, JsonProblem};

    fn duplicates(text: &str) -> Vec<String> {
        match parse_json_object(text, 64) {
            Ok((_, duplicates)) => duplicates,
            Err(_) => panic!("{text} should parse"),
        }
    }

    #[test]
    fn depth_ignores_brackets_inside_strings() {
        assert_eq!(json_depth(r#"{"a":"[[[{{{\"]]]"}"#), 1);
        assert_eq!(json_depth(r#"{"a":[{"b":[1]}]}"#), 4);
        assert_eq!(json_depth("1"), 0);
    }

    #[test]
    fn duplicate_members_are_found_at_every_level_with_their_pointer() {
        assert!(duplicates(r#"{"a":1,"b":{"a":2}}"#).is_empty());
        assert_eq!(
            duplicates(r#"{"alg":"HS256","x":[{"k":1,"k":2}],"alg":"none","alg":"x"}"#),
            ["/x/0/k", "/alg", "/alg"]
        );
        // Escaped names are compared after unescaping, and pointers escape '/' and '~'.
        assert_eq!(duplicates(r#"{"a/b":1,"a\/b":2}"#), ["/a~1b"]);
        assert_eq!(duplicates(r#"{"\u0061":1,"a":2}"#), ["/a"]);
        // A repeated member is named before the duplicates inside its value.
        assert_eq!(duplicates(r#"{"o":1,"o":{"p":1,"p":2}}"#), ["/o", "/o/p"]);
    }

    #[test]
    fn the_last_duplicate_wins_at_the_first_ones_position_as_serde_json_does() {
        let text = r#"{"a":1,"b":2,"a":3}"#;
        let (ours, _) = parse_json_object(text, 64).ok().unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::Value::Object(ours.clone()), theirs);
        assert_eq!(ours.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
    }

    #[test]
    fn nesting_beyond_the_limit_is_too_deep_not_a_syntax_error() {
        let deep = format!("{}1{}", "[".repeat(10), "]".repeat(10));
        let object = format!(r#"{{"a":{deep}}}"#);
        assert!(matches!(
            parse_json_object(&object, 10),
            Err(JsonProblem::TooDeep)
        ));
        assert!(parse_json_object(&object, 11).is_ok());
        assert!(matches!(
            parse_json_object(r#"{"a":1"#, 64),
            Err(JsonProblem::Syntax(_))
        ));
        assert!(matches!(
            parse_json_object("[1] x", 64),
            Err(JsonProblem::Syntax(_))
        ));
        assert!(matches!(
            parse_json_object("[1]", 64),
            Err(JsonProblem::NotAnObject("an array"))
        ));
    }
}
