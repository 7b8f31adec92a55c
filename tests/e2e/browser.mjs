// The person at the browser, for the real-window flow tests: from the authorization URL the app
// shows, logs in and consents (or refuses) on the test OpenID Provider's devInteractions pages
// (tests/idp/server.mjs) or the practice issuer's (src/practice/pages.rs), then brings the
// authorization response to the app's loopback listener.
// The Rust tests' twin is tests/util/browser.rs; both follow the recipe in
// /work/shared/notes/real-components.md ("Driving the login headlessly").
//
// Like a browser, and unlike a plain HTTP client: one cookie jar for the whole journey (the
// provider keeps the interaction and the session in cookies), redirects followed one at a time
// (fetch's `redirect: 'manual'`), so the loop sees the one that leaves the provider for the app.
//
// Usage:
//   const { redirectUrl, listenerStatus, listenerBody } =
//     await playBrowser(authorizationUrl, { user: 'alice', consent: 'approve' });
//   const lastPageText = await playDevice(verificationUriComplete, { user: 'alice', consent: 'approve' });

/** Far more than the provider's login → consent → redirect (about eight hops). */
const MAX_HOPS = 20;
const REQUEST_TIMEOUT_MS = 20_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Node's URL keeps the brackets of an IPv6 hostname. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** RFC 6265 cookies, enough of them for one provider on http: host-only, path-scoped, expiring. */
class CookieJar {
  /** @type {{ host: string, path: string, name: string, value: string, secure: boolean }[]} */
  #cookies = [];

  /** Keeps the `set-cookie` headers of a response to `url`. */
  store(url, setCookies) {
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // RFC 6265 §5.1.4: the default path is the request path up to its last `/`.
      let path = url.pathname.slice(0, Math.max(1, url.pathname.lastIndexOf('/')));
      let expired = false;
      let secure = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attrValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            if (attrValue.startsWith('/')) path = attrValue;
            break;
          case 'max-age':
            if (Number(attrValue) <= 0) expired = true;
            break;
          case 'expires':
            if (Date.parse(attrValue) <= Date.now()) expired = true;
            break;
          case 'secure':
            secure = true;
            break;
          // `domain` is not honoured: every cookie stays host-only, all a single provider needs.
          default:
        }
      }
      // Cookies are scoped by host, not port (RFC 6265 §8.5): the app's listener on another port
      // of 127.0.0.1 receives the provider's cookies too, as it would from a real browser.
      this.#cookies = this.#cookies.filter(
        (c) => !(c.host === url.hostname && c.path === path && c.name === name),
      );
      if (!expired) this.#cookies.push({ host: url.hostname, path, name, value, secure });
    }
  }

  /** The `cookie` header for a request to `url`, or undefined. */
  header(url) {
    const matching = this.#cookies.filter(
      (c) =>
        c.host === url.hostname &&
        (!c.secure || url.protocol === 'https:') &&
        (url.pathname === c.path ||
          (url.pathname.startsWith(c.path) &&
            (c.path.endsWith('/') || url.pathname[c.path.length] === '/'))),
    );
    // RFC 6265 §5.4: longer paths first.
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

/** The characters oidc-provider's templates escape, and numeric references. */
function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (whole, entity) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? whole;
  });
}

/** The attributes of one start tag's text (after the tag name), in any order and quoting. */
function attributes(tagText) {
  const found = {};
  const pattern = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const [, name, doubleQuoted, singleQuoted, bare] of tagText.matchAll(pattern)) {
    found[name.toLowerCase()] = decodeEntities(doubleQuoted ?? singleQuoted ?? bare ?? '');
  }
  return found;
}

/** The start tags named `tag` in `html`, as attribute maps, with their offsets. */
function startTags(html, tag) {
  const tags = [];
  const pattern = new RegExp(`<${tag}(\\s[^>]*)?>`, 'gi');
  for (const match of html.matchAll(pattern)) {
    tags.push({ at: match.index, end: match.index + match[0].length, attrs: attributes(match[1] ?? '') });
  }
  return tags;
}

/**
 * The forms of a page: each one's action, method, the name → value of its hidden inputs and its
 * named submit buttons (`<button name=confirm value=yes>`, whose pair a click adds).
 * @returns {{ action: string, method: string, hidden: Record<string, string>, buttons: [string, string][] }[]}
 */
function forms(html) {
  return startTags(html, 'form').map((form) => {
    const close = html.toLowerCase().indexOf('</form', form.end);
    const body = html.slice(form.end, close === -1 ? html.length : close);
    const hidden = {};
    for (const input of startTags(body, 'input')) {
      if ((input.attrs.type ?? '').toLowerCase() === 'hidden' && input.attrs.name) {
        hidden[input.attrs.name] = input.attrs.value ?? '';
      }
    }
    const buttons = startTags(body, 'button')
      .filter((b) => b.attrs.name)
      .map((b) => [b.attrs.name, b.attrs.value ?? '']);
    return { action: form.attrs.action ?? '', method: (form.attrs.method ?? 'get').toUpperCase(), hidden, buttons };
  });
}

/** A page's text without tags, styles or scripts: the provider's error page starts with CSS. */
function visibleText(html) {
  const text = html.replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' ');
  return decodeEntities(text.replace(/\s+/g, ' ').trim());
}

/** A redirect to the app: loopback http, and not the provider (itself on 127.0.0.1). */
function isAppRedirect(url, providerOrigin) {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && url.origin !== providerOrigin;
}

/**
 * Plays the browser from `authorizationUrl` until the provider redirects to the app's loopback
 * redirect URI, then requests that URL so the app's listener receives it.
 * Throws, naming the last URL and status, on anything a person would be stuck at.
 * @param {string} authorizationUrl
 * @param {{ user: string, consent: 'approve' | 'deny' }} options
 * @returns {Promise<{ redirectUrl: string, listenerStatus: number, listenerBody: string }>}
 */
export async function playBrowser(authorizationUrl, { user, consent }) {
  if (consent !== 'approve' && consent !== 'deny') {
    throw new Error(`consent must be 'approve' or 'deny', not ${JSON.stringify(consent)}`);
  }
  const providerOrigin = new URL(authorizationUrl).origin;
  const send = browserSession();
  const stuck = (what, url, response, page = '') =>
    new Error(`playBrowser: ${what} at ${url} (HTTP ${response.status}): ${visibleText(page).slice(0, 500)}`);

  let url = new URL(authorizationUrl);
  let request = {};
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const response = await send(url, request);
    if (REDIRECT_STATUSES.has(response.status)) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) throw stuck('a redirect without Location', url, response);
      const next = new URL(location, url);
      if (isAppRedirect(next, providerOrigin)) {
        const answer = await send(next);
        return { redirectUrl: next.href, listenerStatus: answer.status, listenerBody: await answer.text() };
      }
      // Browsers turn a redirected POST into a GET except on 307/308 (RFC 9110 §15.4).
      request = response.status === 307 || response.status === 308 ? request : {};
      url = next;
      continue;
    }
    const text = await response.text();
    const isHtml = (response.headers.get('content-type') ?? '').includes('text/html');
    if (response.status !== 200 || !isHtml) throw stuck('an unexpected page', url, response, text);
    const pageForms = forms(text);
    // oidc-provider's pages say which they are in a hidden `prompt`; the practice issuer's
    // (src/practice/pages.rs) by their action, `/login` (fields username, password) and
    // `/consent` (the Allow button's decision=approve), each with a hidden `interaction`.
    const practiceForm = (f, path) => 'interaction' in f.hidden && new URL(f.action, url).pathname === path;
    const login = pageForms.find((f) => f.hidden.prompt === 'login' || practiceForm(f, '/login'));
    const approval = pageForms.find((f) => f.hidden.prompt === 'consent' || practiceForm(f, '/consent'));
    if (login) {
      const userField = 'interaction' in login.hidden ? 'username' : 'login';
      request = { method: login.method, form: { ...login.hidden, [userField]: user, password: user } };
      url = new URL(login.action, url);
    } else if (approval && consent === 'approve') {
      const allow = approval.buttons.find(([, value]) => value === 'approve');
      request = { method: approval.method, form: { ...approval.hidden, ...(allow ? { [allow[0]]: allow[1] } : {}) } };
      url = new URL(approval.action, url);
    } else if (approval) {
      // The provider's "[ Cancel ]" link ends the interaction with access_denied.
      const abort = startTags(text, 'a').find((a) => /\/abort$/.test(new URL(a.attrs.href ?? '', url).pathname));
      if (!abort) throw stuck('a consent page without an abort link', url, response, text);
      request = {};
      url = new URL(abort.attrs.href, url);
    } else {
      throw stuck('a page with neither the login nor the consent form', url, response, text);
    }
  }
  throw new Error(`playBrowser: still no redirect to the app after ${MAX_HOPS} hops; last URL ${url}`);
}

/**
 * Plays the person approving a device flow (RFC 8628 §3.3) from its `verification_uri_complete`:
 * the provider's code confirmation pages, then login as `user` and consent (or deny). Resolves
 * with the text of the last page (the provider's "success" page, or the code form again with the
 * refusal shown): a device flow ends on the provider, not with a redirect. The twin of
 * tests/util/browser.rs's `play_device`.
 * @param {string} verificationUriComplete
 * @param {{ user: string, consent: 'approve' | 'deny' }} options
 * @returns {Promise<string>}
 */
export async function playDevice(verificationUriComplete, { user, consent }) {
  if (consent !== 'approve' && consent !== 'deny') {
    throw new Error(`consent must be 'approve' or 'deny', not ${JSON.stringify(consent)}`);
  }
  const send = browserSession();
  const stuck = (what, url, response, page = '') =>
    new Error(`playDevice: ${what} at ${url} (HTTP ${response.status}): ${visibleText(page).slice(0, 500)}`);
  let url = new URL(verificationUriComplete);
  let request = {};
  // After the consent page the provider ends on a page of its own: "success", or the code entry
  // form again with the refusal shown.
  let decided = false;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const response = await send(url, request);
    if (REDIRECT_STATUSES.has(response.status)) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) throw stuck('a redirect without Location', url, response);
      request = response.status === 307 || response.status === 308 ? request : {};
      url = new URL(location, url);
      continue;
    }
    const text = await response.text();
    if (response.status !== 200) throw stuck('an unexpected page', url, response, text);
    const pageForms = forms(text);
    const login = pageForms.find((f) => f.hidden.prompt === 'login');
    const approval = pageForms.find((f) => f.hidden.prompt === 'consent');
    const code = decided ? undefined : pageForms.find((f) => 'xsrf' in f.hidden);
    if (login) {
      request = { method: login.method, form: { ...login.hidden, login: user, password: user } };
      url = new URL(login.action, url);
    } else if (approval) {
      decided = true;
      if (consent === 'approve') {
        request = { method: approval.method, form: approval.hidden };
        url = new URL(approval.action, url);
      } else {
        const abort = startTags(text, 'a').find((a) => /\/abort$/.test(new URL(a.attrs.href ?? '', url).pathname));
        if (!abort) throw stuck('a consent page without an abort link', url, response, text);
        request = {};
        url = new URL(abort.attrs.href, url);
      }
    } else if (code) {
      // The code entry and confirmation pages: submit as the button would.
      const form = { ...code.hidden };
      const [button] = code.buttons;
      if (button) form[button[0]] = button[1];
      request = { method: code.method, form };
      url = new URL(code.action, url);
    } else {
      return visibleText(text);
    }
  }
  throw new Error(`playDevice: not done after ${MAX_HOPS} hops; last URL ${url}`);
}

/**
 * A browser's requests: one cookie jar for the whole journey, redirects not followed.
 * @returns {(url: URL, request?: { method?: string, form?: Record<string, string> }) => Promise<Response>}
 */
function browserSession() {
  const jar = new CookieJar();
  return async (url, { method = 'GET', form } = {}) => {
    const headers = {};
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    let body;
    if (form && method === 'GET') {
      url = new URL(url);
      url.search = new URLSearchParams(form).toString();
    } else if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    jar.store(url, response.headers.getSetCookie());
    return response;
  };
}
