"""The login cookie: written and deleted by a few lines of JavaScript, since Streamlit cannot.

Streamlit 1.67 reads cookies (`st.context.cookies`, those sent with the page load) but has no way
to set one, so `write_cookie()` renders an `st.html` element that may run JavaScript (not in an
iframe: the script runs in the app's own page and sets `document.cookie`). The frontend runs the
script when its text changes, so the text carries a minute counter: the cookie's Max-Age (the
idle window) is renewed about once a minute while the user is active, not on every rerun.

What may reach the script (tests/store/test_accounts.py checks): the cookie's fixed name, tokens
that have the exact shape of `credit.store.tokens.new_token()` (43 URL-safe characters, put in
with `json.dumps`), and two integers. Never a user name, role or any other user text. The cookie
is `Path=/; SameSite=Strict`, `Secure` when the page is served over https. A token to delete is
deleted only if the browser's cookie still holds it: another tab may have logged in since.
"""

from __future__ import annotations

import json
import time
from string import Template

import streamlit as st

from credit.store.tokens import looks_like_token

COOKIE_NAME = "credit_session"
COOKIE_BOX = "session-cookie"  # the container's key; ui.style hides it (it shows nothing anyway)
DROP_KEY = "session_cookie_drop"  # session_state: tokens this session ended, to delete from the browser

# No JavaScript template literals here: `$` belongs to the placeholders below.
SCRIPT = Template("""<script>
(() => {
  const name = $name, want = $want, drop = $drop, maxAge = $max_age, beat = $beat;
  const attrs = "; Path=/; SameSite=Strict" + (location.protocol === "https:" ? "; Secure" : "");
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  const current = found ? found.slice(name.length + 1) : "";
  if (want) {
    document.cookie = name + "=" + want + "; Max-Age=" + maxAge + attrs;
  } else if (current && (drop.includes(current) || !/^[A-Za-z0-9_-]{43}$$/.test(current))) {
    document.cookie = name + "=; Max-Age=0" + attrs;
  }
  void beat;
})();
</script>""")


def cookie_script(want: str | None, drop: list[str], max_age: int, beat: int) -> str:
    """The script that stores `want` in the cookie, or deletes it if it holds one of `drop`.

    Refuses anything but a token-shaped `want`; drops of another shape are left out.
    """
    if want is not None and not looks_like_token(want):
        raise ValueError("only a session token may be written into the cookie")
    return SCRIPT.substitute(
        name=json.dumps(COOKIE_NAME), want=json.dumps(want),
        drop=json.dumps([t for t in drop if looks_like_token(t)]), max_age=int(max_age), beat=int(beat),
    )


def write_cookie(token: str | None, max_age_s: int) -> None:
    """Once per rerun (Home.py): keep the browser's cookie in step with this session's login."""
    drop = [t for t in st.session_state.get(DROP_KEY, []) if t != token]
    if token is None and not drop:
        return
    with st.container(key=COOKIE_BOX):
        st.html(cookie_script(token, drop, max_age_s, int(time.time() // 60)), unsafe_allow_javascript=True)
