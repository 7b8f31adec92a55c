//! Stable error codes shared by every front end.
//!
//! Each core error enum implements [`ErrorCode`]; the CLI prints `{"error":{"code","message"}}` and
//! the app's IPC layer sends `{code, message, details}`, so callers branch on the code, never on
//! message text. Codes are `area.reason` in snake case and never change once released.

/// An error with a stable, machine-readable code such as `"jwt.invalid_base64url"`.
pub trait ErrorCode: std::error::Error {
    fn code(&self) -> &'static str;
}
