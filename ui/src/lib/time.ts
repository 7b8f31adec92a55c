// Live countdown text for NumericDate claims (RFC 7519 §2: seconds since the epoch, UTC).

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "expires in 14 min 03 s" or "expired 3 h 05 min ago", from `exp` and the current time. */
export function expiryCountdown(expUnix: number, nowMs: number): string {
  const nowUnix = Math.floor(nowMs / 1000);
  const remaining = expUnix - nowUnix;
  // RFC 7519 §4.1.4: the token must not be accepted "on or after" exp.
  if (remaining > 0) return `expires in ${formatDuration(remaining)}`;
  if (remaining === 0) return "expired just now";
  return `expired ${formatDuration(-remaining)} ago`;
}

/** A duration in seconds as its two most significant units, e.g. "2 h 05 min". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < MINUTE) return `${s} s`;
  if (s < HOUR) return `${Math.floor(s / MINUTE)} min ${pad(s % MINUTE)} s`;
  if (s < DAY) return `${Math.floor(s / HOUR)} h ${pad(Math.floor((s % HOUR) / MINUTE))} min`;
  return `${Math.floor(s / DAY)} d ${Math.floor((s % DAY) / HOUR)} h`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
