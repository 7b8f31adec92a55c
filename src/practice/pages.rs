//! The issuer's HTML pages: login, consent, the device verification page, errors. No script, no
//! external resources; every value is escaped.

use super::lessons::Lesson;

/// The preset users (password = user name) and their display names.
pub(super) const USERS: [(&str, &str, &str); 3] = [
    ("alice", "Alice Liddell", "alice@practice.test"),
    ("bob", "Bob Builder", "bob@practice.test"),
    ("admin", "Practice Administrator", "admin@practice.test"),
];

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, lesson: Option<Lesson>, body: &str) -> String {
    let banner = lesson
        .map(|l| {
            format!(
                "<p class=\"lesson\">Lesson <b>{}</b>: {}</p>",
                escape(l.name()),
                escape(l.info().summary)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title} · Tokenscope practice issuer</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem}}\
         .lesson{{background:#fff3cd;padding:.5rem}}label{{display:block;margin:.5rem 0}}\
         .error{{color:#a00}}</style></head><body>\
         <h1>{title}</h1><p><small>Tokenscope practice issuer: a local OpenID Provider for \
         learning. Users alice, bob and admin; the password is the user name.</small></p>\
         {banner}{body}</body></html>\n",
        title = escape(title)
    )
}

/// The login form; `interaction` carries the pending request.
pub(super) fn login(
    interaction: &str,
    client_id: &str,
    error: Option<&str>,
    lesson: Option<Lesson>,
) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\">{}</p>", escape(e)))
        .unwrap_or_default();
    page(
        "Sign in",
        lesson,
        &format!(
            "<p><b>{client}</b> asks you to sign in.</p>{error}\
             <form method=\"post\" action=\"/login\">\
             <input type=\"hidden\" name=\"interaction\" value=\"{interaction}\">\
             <label>User <input name=\"username\" autocomplete=\"username\" autofocus></label>\
             <label>Password <input name=\"password\" type=\"password\" \
             autocomplete=\"current-password\"></label>\
             <button type=\"submit\">Sign in</button></form>\
             <p><a href=\"/abort?interaction={interaction}\">Cancel</a></p>",
            client = escape(client_id),
            interaction = escape(interaction),
        ),
    )
}

/// The consent form: approve submits, the abort link ends in `error=access_denied`.
pub(super) fn consent(
    interaction: &str,
    client_id: &str,
    user: &str,
    scope: &[String],
    lesson: Option<Lesson>,
) -> String {
    let scopes: String = scope
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    page(
        "Allow access?",
        lesson,
        &format!(
            "<p>Signed in as <b>{user}</b>. <b>{client}</b> asks for:</p><ul>{scopes}</ul>\
             <form method=\"post\" action=\"/consent\">\
             <input type=\"hidden\" name=\"interaction\" value=\"{interaction}\">\
             <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button></form>\
             <p><a href=\"/abort?interaction={interaction}\">Deny</a></p>",
            user = escape(user),
            client = escape(client_id),
            interaction = escape(interaction),
        ),
    )
}

/// The device verification page (RFC 8628 §3.3): the user code, who, and approve or deny.
pub(super) fn device(user_code: &str, error: Option<&str>, lesson: Option<Lesson>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\">{}</p>", escape(e)))
        .unwrap_or_default();
    page(
        "Connect a device",
        lesson,
        &format!(
            "<p>Enter the code shown on your device, and sign in to allow or deny it.</p>{error}\
             <form method=\"post\" action=\"/device\">\
             <label>Code <input name=\"user_code\" value=\"{code}\" autocomplete=\"off\"></label>\
             <label>User <input name=\"username\" autocomplete=\"username\"></label>\
             <label>Password <input name=\"password\" type=\"password\"></label>\
             <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button> \
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
            code = escape(user_code),
        ),
    )
}

/// The end of a device approval or denial.
pub(super) fn device_done(approved: bool, lesson: Option<Lesson>) -> String {
    let text = if approved {
        "The device is connected: you can close this page and return to it."
    } else {
        "Access was denied: the device will be told so."
    };
    page(
        if approved {
            "Device connected"
        } else {
            "Access denied"
        },
        lesson,
        &format!("<p>{text}</p>"),
    )
}

/// An error shown to the user instead of a redirect (RFC 6749 §4.1.2.1: never redirect to an
/// unverified redirect URI).
pub(super) fn error(title: &str, message: &str, lesson: Option<Lesson>) -> String {
    page(title, lesson, &format!("<p>{}</p>", escape(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_show_and_carry_no_script() {
        let html = login("<x>", "\"client\"", Some("<script>"), Some(Lesson::AlgNone));
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;x&gt;"));
        assert!(html.contains("&quot;client&quot;"));
    }
}
