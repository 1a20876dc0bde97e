"""Schemathesis against a served app, from its OpenAPI document: any 5xx, a response the document does
not describe (status, content type, body schema), or a method it does not list answered with anything but
a 405 and a matching Allow, fails the run.

.ci/run runs it after the tests: ``python tests/fuzz_api.py PSERVE SCHEMATHESIS``. The app is a fresh
``pserve development.ini`` with its own embedded database (tests/serve.py); requests carry the session
cookie and CSRF token of a shopper signed up through the real form, so the writes are tried too (but not
signing out, which would end that session). The coverage phase sends boundary values, NUL characters and
bytes that are not UTF-8 on purpose. Exits with schemathesis's code.
"""

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.serve import Served  # noqa: E402

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "unsupported_method",  # a method the document does not list: 405 with Allow
        "allow_header_conformance",
    ]
)
PHASES = "examples,coverage,fuzzing"
MAX_EXAMPLES = "50"  # fuzzing cases per operation: the whole run stays within a few minutes on 2 cores
# Signing out would end the session every other request uses (its form, a GET, is still tried).
SIGN_OUT = '/summary == "Sign out (HTML form)"'
SEED = "28"  # the same cases on every run, so a failure is reproducible


def shopper(base):
    """An opener with the cookies of a new account, signed up through the form, and its CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/account/signup", timeout=30).read().decode()
    fields = {
        "email": "fuzz@example.com",
        "display_name": "Fuzz",
        "password": "a long and unusual pass phrase",
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1),
    }
    opener.open(base + "/account/signup", urllib.parse.urlencode(fields).encode(), timeout=30)
    session = json.load(opener.open(base + "/api/session", timeout=30))
    if session["user"] is None:
        raise RuntimeError("signing up the fuzzing account did not sign it in")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return opener, [f"Cookie: {cookie}", f"X-CSRF-Token: {session['csrf_token']}"]


def real_identifiers(base, opener, headers):
    """A configuration that makes half the generated asins and review ids real ones (the rest stay
    generated): products from a search, the reviews on their pages, and one review of the shopper's own,
    so the operations get past their 404s to the code behind them."""
    asins = [r["asin"] for r in json.load(opener.open(base + "/api/search?per_page=3", timeout=30))["results"]]
    review_ids = []
    for asin in asins:
        page = opener.open(f"{base}/products/{asin}", timeout=30).read().decode()
        review_ids += [int(i) for i in re.findall(r'id="review-(\d+)"', page)[:3]]
    request = urllib.request.Request(
        f"{base}/api/products/{asins[0]}/reviews",
        json.dumps({"rating": 4, "text": "Written before the fuzzing."}).encode(),
        {"Content-Type": "application/json", **dict(header.split(": ", 1) for header in headers[1:])},
    )
    review_ids.append(json.load(opener.open(request, timeout=30))["review"]["id"])
    return "\n".join(
        [
            f"[dictionaries.asins]\nvalues = {json.dumps(asins)}",
            f"[dictionaries.review_ids]\nvalues = {json.dumps(review_ids)}",
            "[parameters]",
            '"path.asin" = { dictionary = "asins", probability = 0.5 }',
            '"path.id" = { dictionary = "review_ids", probability = 0.5 }',
        ]
    )


def main(pserve, schemathesis):
    workdir = tempfile.mkdtemp(prefix="amazen-fuzz-")
    served = Served(pserve, workdir)
    try:
        served.wait_ready()
        document = json.load(urllib.request.urlopen(served.base + "/api/openapi.json", timeout=30))
        summaries = [op.get("summary") for ops in document["paths"].values() for op in ops.values() if isinstance(op, dict)]
        assert SIGN_OUT.split('"')[1] in summaries, "the sign-out operation's summary changed: update SIGN_OUT"
        opener, headers = shopper(served.base)
        config = Path(workdir) / "schemathesis.toml"
        config.write_text(real_identifiers(served.base, opener, headers))
        command = [schemathesis, "--config-file", str(config), "run", served.base + "/api/openapi.json"]
        command += ["--checks", CHECKS, "--phases", PHASES, "--max-examples", MAX_EXAMPLES, "--seed", SEED]
        command += ["--max-redirects", "0", "--exclude-by", SIGN_OUT]
        for header in headers:
            command += ["--header", header]
        status = subprocess.run(command, cwd=workdir).returncode
        if status:
            print(f"schemathesis failed; the app's log:\n{served.output()[-5000:]}", file=sys.stderr)
    finally:
        served.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(*(os.path.abspath(path) for path in sys.argv[1:3])))
