//! Closed vocabularies that travel as strings: finding codes, check names, algorithms, key types
//! and curves. Each is an enum declared with [`string_enum!`], so its JSON string, its
//! [`Display`](std::fmt::Display) and its TypeScript union (ts-rs reads the `serde(rename)`) come
//! from one literal, and its `ALL` list feeds the UI's pickers (`ui/src/lib/bindings/vocabulary.ts`).

/// Declares a fieldless enum whose variants serialize as the given strings, with `ALL` (in
/// declaration order), `as_str`, `parse`, `Display` and comparison with `&str`.
///
/// ```ignore
/// string_enum! {
///     /// The key types of RFC 7518 §6.1.
///     pub enum KeyType {
///         Oct = "oct",
///         Rsa = "RSA",
///     }
/// }
/// ```
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The exact string this value is serialized as.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value serialized as exactly `text` (case-sensitive).
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, not `write_str`: renderings align these in columns (`{:<9}`).
                f.pad(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

pub(crate) use string_enum;

#[cfg(test)]
mod tests {
    use crate::jwt::verify::CheckName;

    #[test]
    fn display_honours_width_so_verify_can_align_check_names() {
        assert_eq!(format!("{:<9}|", CheckName::Alg), "alg      |");
        assert_eq!(CheckName::Alg.to_string(), "alg");
    }
}
