"""The deployment, proven with real processes: a client → nginx → two app processes → PostgreSQL (stack.py).

Each test leaves the stack running and healthy for the next; the restarts come last.
"""

import gzip
import http.client
import json
import re
import ssl
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from amazen.limits import stored_key
from amazen.views import static_version
from tests.serve import REPO

from .stack import APP_USER, SERVER_NAME, Shopper, request

pytestmark = pytest.mark.stack

STATIC = REPO / "src" / "amazen" / "static"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
# Answers while the database is down must come at once, not after a timeout.
QUICKLY = 2.0
# docker/nginx.conf's bursts: sign-in and sign-up POSTs, and other writes, per client address.
SIGN_IN_BURST = 20
WRITE_BURST = 20


def via_nginx(stack, path, **kwargs):
    return request(stack.nginx, path, **kwargs)


def upstreams_of(stack, path_prefix):
    """The app addresses nginx's access log shows for requests whose path starts with ``path_prefix``."""
    return [line.split()[-1] for line in stack.nginx.log_lines() if line.split()[1].startswith(path_prefix)]


def search(port, **kwargs):
    query = "&".join(f"{key}={value}" for key, value in kwargs.items())
    response = request(port, f"/api/search?{query}")
    assert response.status == 200, response.text[:500]
    return response.json()


def shopper(stack):
    """The stack's signed-in shopper (signed up through nginx once per stack; a session cookie lasts, and
    every app process reads it, across restarts)."""
    if getattr(stack, "shopper", None) is None:
        stack.shopper = Shopper(stack.nginx).sign_up(f"stack-{uuid.uuid4().hex[:8]}@example.com", "a stack test pass phrase")
    return stack.shopper


def write_review(stack, asin, word):
    """A review by a new account (one review per account and product), through nginx, with its session
    and the session's CSRF token."""
    author = Shopper(stack.nginx).sign_up(f"{word}-{uuid.uuid4().hex[:8]}@example.com", "a stack test pass phrase")
    body = {"rating": 5, "summary": word, "text": f"Truly {word} in every way."}
    response = author.post_json(f"/api/products/{asin}/reviews", body)
    assert response.status == 201, response.text[:500]


def some_asin(stack):
    return search(stack.nginx, q="headphones")["results"][0]["asin"]


def found(port, word):
    """The asins whose reviews say ``word``, as one process answers."""
    return [result["asin"] for result in search(port, pos=word)["results"]]


def test_static_files_come_from_nginx_with_long_caching_for_versioned_urls(stack):
    home = via_nginx(stack, "/")
    css = urlsplit(re.search(r'<link rel="stylesheet" href="([^"]+)"', home.text).group(1))
    assert css.path == "/static/amazen.css" and parse_qs(css.query) == {"v": [static_version()]}

    versioned = via_nginx(stack, f"{css.path}?{css.query}", headers={"Accept-Encoding": "gzip"})
    assert versioned.status == 200
    assert versioned.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(versioned.body) == (STATIC / "amazen.css").read_bytes()
    assert versioned.headers["Cache-Control"] == "max-age=31536000"

    # A URL without the version (one typed or kept from an old page) may change: an hour only.
    unversioned = via_nginx(stack, "/static/placeholder.svg")
    assert unversioned.status == 200 and unversioned.body == (STATIC / "placeholder.svg").read_bytes()
    assert unversioned.headers["Cache-Control"] == "max-age=3600"

    # nginx read them from disk: no app process was asked.
    assert set(upstreams_of(stack, "/static/")) == {"-"}
    assert via_nginx(stack, "/static/no-such-file.css").status == 404


def test_pages_and_the_api_come_through_nginx_from_both_app_processes(stack):
    port = stack.nginx
    body = search(port, q="headphones", pos="comfortable")
    assert body["total"] > 0
    asin = body["results"][0]["asin"]
    for path, expected in [
        ("/", "Most reviewed"),
        ("/products/", asin),
        (f"/products/{asin}", "Reviews"),
        ("/search?q=headphones&pos=comfortable", asin),
    ]:
        page = request(port, path)
        assert page.status == 200 and expected in page.text, path
    assert request(port, f"/api/products/{asin}").json()["asin"] == asin
    health = request(port, "/healthz")
    assert health.status == 200 and health.json() == {"status": "ok"}

    app_addresses = {f"127.0.0.1:{app.port}" for app in stack.apps}
    assert set(upstreams_of(stack, "/products/")) | set(upstreams_of(stack, "/api/")) == app_addresses


def test_pages_and_json_are_compressed(stack):
    page = via_nginx(stack, "/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and b"Most reviewed" in gzip.decompress(page.body)
    api = via_nginx(stack, "/api/search?q=headphones", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(api.body))["total"] > 0


def test_generated_urls_have_https_our_name_and_the_port_clients_use_whatever_the_client_sends(stack):
    nginx = stack.nginx
    base = f"https://{SERVER_NAME}:{nginx.https_port}/"
    # What a client might send to mislead the app: nginx replaces every one of them.
    headers = {
        "Host": f"{SERVER_NAME}:1",
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": "evil.test",
        "X-Forwarded-Port": "1",
        "Forwarded": "proto=http;host=evil.test",
    }
    page = via_nginx(stack, "/products/", headers=headers)
    links = re.findall(r'(?:href|src)="([a-z]+://[^"]+)"', page.text)
    assert page.status == 200 and len(links) > 10
    assert all(link.startswith(base) for link in links), [link for link in links if not link.startswith(base)][:3]
    results = via_nginx(stack, "/api/search?q=headphones", headers=headers).json()["results"]
    assert results and all(result["url"].startswith(base) for result in results)


def test_https_answers_carry_hsts_and_plain_http_redirects_to_https(stack):
    nginx = stack.nginx
    for path in ("/", "/static/amazen.css", "/no-such-page"):
        answer = via_nginx(stack, path)
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000", path
    # Plain HTTP for our name: a permanent redirect to the same path over HTTPS, and nothing from the app.
    plain = request(nginx.http_port, "/search?q=headphones", headers={"Host": SERVER_NAME})
    assert plain.status == 301
    assert plain.headers["Location"] == f"https://{SERVER_NAME}:{nginx.https_port}/search?q=headphones"
    assert "Strict-Transport-Security" not in plain.headers  # only ever sent over TLS
    assert upstreams_of(stack, "/search?q=headphones")[-1] == "-"


def test_a_host_that_is_not_ours_gets_no_answer(stack):
    nginx = stack.nginx
    # Plain HTTP, by address or with another name: the connection is closed without an answer (444).
    for host in ("evil.test", f"127.0.0.1:{nginx.http_port}"):
        with pytest.raises(http.client.RemoteDisconnected):
            request(nginx.http_port, f"/products/?from={host}", headers={"Host": host})
    # TLS naming another host, or none: the handshake is refused, no certificate is shown.
    for sni in ("evil.test", None):
        with pytest.raises(ssl.SSLError):
            request(nginx.https_port, "/products/", tls=True, sni=sni, headers={"Host": "evil.test"})
    # Our name in the handshake but another Host header: no answer either, so no page is ever made
    # with a foreign Host in its URLs.
    with pytest.raises(http.client.RemoteDisconnected):
        via_nginx(stack, "/products/?from=inside", headers={"Host": "evil.test"})
    dropped = [line.split() for line in stack.nginx.log_lines() if "?from=" in line]
    assert dropped and all(status == "444" and upstream == "-" for _, _, status, upstream in dropped), dropped


def test_a_burst_of_sign_in_posts_is_answered_429_by_nginx(stack):
    # From an address of its own; without a CSRF token, so that the app refuses each one it sees (403)
    # and counts none of them against its own limits.
    form = urlencode({"email": "burst@example.com", "password": "a stack test pass phrase"})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answers = [
        via_nginx(stack, "/account/login", method="POST", body=form, headers=headers, source="127.0.0.88").status
        for _ in range(SIGN_IN_BURST + 10)
    ]
    # The zone lets the burst through, then refuses until its rate lets one more in (one every 10 s).
    assert answers[: SIGN_IN_BURST + 1] == [403] * (SIGN_IN_BURST + 1), answers
    assert answers.count(429) >= 5, answers
    logged = [line.split() for line in stack.nginx.log_lines() if line.startswith("POST /account/login ")][-len(answers) :]
    assert [status for _, _, status, _ in logged] == [str(answer) for answer in answers]
    assert all(upstream == "-" for _, _, status, upstream in logged if status == "429")  # nginx's own answers
    # Other writes and reads from that address have zones of their own: they still reach the app.
    write = via_nginx(stack, "/account/logout", method="POST", body="", headers=headers, source="127.0.0.88")
    assert write.status == 403
    assert via_nginx(stack, "/api/search?q=headphones", source="127.0.0.88").status == 200


FLOODER = "127.0.0.89"


def test_api_clients_get_nginx_429_as_the_json_error_object(stack):
    body = json.dumps({"rating": 5, "text": "flood"})
    headers = {"Content-Type": "application/json"}
    statuses = []
    for _ in range(WRITE_BURST + 10):
        answer = via_nginx(stack, "/api/products/NOSUCHASIN/reviews", method="POST", body=body, headers=headers, source=FLOODER)
        statuses.append(answer.status)
        if answer.status == 429:
            break
    assert answer.status == 429, statuses
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"]["code"] == "rate_limited"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_nginx_gives_each_request_an_id_and_never_shows_metrics(stack):
    first, second = via_nginx(stack, "/api/search?q=headphones"), via_nginx(stack, "/static/amazen.css")
    assert len(first.headers.get_all("X-Request-ID")) == 1  # nginx's, though the app may echo it too
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids) and ids[0] != ids[1]
    hidden = via_nginx(stack, "/metrics")
    assert hidden.status == 404
    assert upstreams_of(stack, "/metrics")[-1] == "-"


def test_only_nginx_address_may_set_forwarded_headers(stack):
    app = stack.apps[0]
    spoof = {"Host": f"127.0.0.1:{app.port}", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.test"}
    # A client on another address talking straight to the app: the headers are dropped.
    direct = request(app.port, "/api/search?q=headphones", headers=spoof, source="127.0.0.2").json()
    assert all(r["url"].startswith(f"http://127.0.0.1:{app.port}/products/") for r in direct["results"])
    # From nginx's address (production.ini's trusted_proxy) they are believed: why nginx must set them all.
    trusted = request(app.port, "/api/search?q=headphones", headers=spoof, source="127.0.0.1").json()
    assert all(r["url"].startswith("https://evil.test/products/") for r in trusted["results"])


@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 200),
        ("/api/search?q=headphones", 200),
        ("/static/amazen.css", 200),
        ("/healthz", 200),
        ("/no-such-page", 404),
        ("/api/products/NOSUCHASIN", 404),
        ("/products/?page=abc", 400),
    ],
)
def test_security_headers_are_on_every_answer(stack, path, status):
    response = via_nginx(stack, path)
    assert response.status == status
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert response.headers["Server"] == "nginx"  # no version


def test_nginx_refuses_a_body_larger_than_any_review_before_the_app_sees_it(stack):
    asin = some_asin(stack)
    big = json.dumps({"rating": 5, "text": "x" * 300_000})
    response = via_nginx(
        stack, f"/api/products/{asin}/reviews", method="POST", body=big, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    assert upstreams_of(stack, f"/api/products/{asin}/reviews")[-1] == "-"


def test_waitress_refuses_a_body_over_its_limit_from_any_client(stack):
    # Straight to an app process (as something on the container network could): waitress's own limit,
    # production.ini's max_request_body_size (1 MB), larger than any review and than nginx's limit. It
    # answers from the headers alone, before reading any of the body.
    app, path = stack.apps[0], f"/api/products/{some_asin(stack)}/reviews"
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(1_100_000))
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()
    # Over nginx's limit, under waitress's: the app answers (nobody is signed in).
    review = json.dumps({"rating": 5, "text": "x" * 300_000})
    assert request(app.port, path, method="POST", body=review, headers={"Content-Type": "application/json"}).status == 401


def test_the_app_connects_as_a_role_that_may_read_and_write_rows_and_nothing_more(stack):
    import psycopg2
    from psycopg2 import errors

    # A review written through the stack: the app role writes rows and re-indexes the product (the
    # index tables were made by the owner's demo load after the app's grants: default privileges).
    write_review(stack, some_asin(stack), "roleish")
    assert found(stack.nginx, "roleish")
    owner = psycopg2.connect(stack.postgres.url())
    try:
        with owner.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            assert [row[0] for row in cursor.fetchall()] == [APP_USER]  # every app connection, nothing else
    finally:
        owner.close()

    app = psycopg2.connect(stack.postgres.url(user=APP_USER))
    app.autocommit = True
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM reviews")
            for statement in (
                "CREATE TABLE intruder (id int)",
                "DROP TABLE reviews",
                "ALTER TABLE reviews ADD COLUMN intruder int",
                "TRUNCATE rate_limit_hits",
                "CREATE INDEX intruder ON reviews (text)",
            ):
                with pytest.raises(errors.InsufficientPrivilege):
                    cursor.execute(statement)
    finally:
        app.close()


def test_both_app_processes_answer_alike_and_see_each_others_writes(stack):
    app1, app2 = stack.apps
    query = "/api/search?q=headphones&pos=comfortable&neg=flimsy&per_page=20"
    same_host = {"Host": "amazen.test"}
    first, second = (request(app.port, query, headers=same_host).json() for app in stack.apps)
    assert first["total"] > 0 and first == second

    asin = first["results"][0]["asin"]
    assert found(app2.port, "zanzibarish") == []
    # Signed in through nginx, the session is good on either process: they share the session secret.
    body = {"rating": 5, "text": "A zanzibarish sound."}
    written = shopper(stack).post_json(f"/api/products/{asin}/reviews", body, port=app1.port)
    assert written.status == 201, written.text[:500]
    assert found(app2.port, "zanzibarish") == [asin]  # the next request, on the other process
    assert all(found(stack.nginx, "zanzibarish") == [asin] for _ in range(4))


def stored_hits(stack, name, key):
    """How many hits the stack's database holds for ``key`` under the limit ``name``."""
    import psycopg2

    conn = psycopg2.connect(stack.postgres.url())
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM rate_limit_hits WHERE name = %s AND key = %s", (name, stored_key(key)))
            return cursor.fetchone()[0]
    finally:
        conn.close()


def test_the_eleventh_failed_sign_in_is_429_though_the_failures_went_to_both_app_processes(stack):
    email, password = f"guessed-{uuid.uuid4().hex[:8]}@example.com", "a stack test pass phrase"
    Shopper(stack.nginx).sign_up(email, password)
    # One guesser, from an address of its own (nginx forwards it; the app counts it), one session and its
    # CSRF token for every attempt, so that the attempts are the only requests nginx passes on: its
    # round robin sends them to the two app processes in turn.
    guesser, source = Shopper(stack.nginx), "127.0.0.77"
    token = guesser.csrf_token()

    def attempt(guess, email=email, source=source):
        form = urlencode({"email": email, "password": guess, "csrf_token": token})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return guesser.request("/account/login", method="POST", body=form, headers=headers, source=source)

    for n in range(10):
        answer = attempt(f"wrong guess number {n}")
        assert answer.status == 200 and "do not match" in answer.text, (n, answer.status)
    answered = upstreams_of(stack, "/account/login")[-10:]
    app1, app2 = (f"127.0.0.1:{app.port}" for app in stack.apps)
    assert answered in ([app1, app2] * 5, [app2, app1] * 5), answered  # each process counted five
    assert stored_hits(stack, "signin-email", email) == stored_hits(stack, "signin-address", source) == 10

    # The eleventh, on either process, with the right password: refused, and not counted.
    refused = attempt(password)
    assert refused.status == 429 and 800 < int(refused.headers["Retry-After"]) <= 900
    assert "Too many attempts" in refused.text
    assert attempt(password, source="127.0.0.78").status == 429  # the email's count, from another address
    assert attempt(password, email="someone-else@example.com").status == 429  # the address's count
    assert set(upstreams_of(stack, "/account/login")[-3:]) == {app1, app2}
    assert stored_hits(stack, "signin-email", email) == 10
    # Another shopper, from another address, signs in as usual.
    other = f"other-{uuid.uuid4().hex[:8]}@example.com"
    Shopper(stack.nginx).sign_up(other, password)
    assert attempt(password, email=other, source="127.0.0.79").status == 303


def test_a_rolling_restart_drops_no_request_and_data_survives_restarting_every_app(stack):
    asin = some_asin(stack)
    write_review(stack, asin, "restartish")
    app1, app2 = stack.apps

    app1.stop()
    assert all(found(stack.nginx, "restartish") == [asin] for _ in range(6))  # nginx skips app1
    app1.start()
    app1.wait_ready()

    for app in stack.apps:
        app.stop()
    # With no app running, nginx still serves the static files.
    assert via_nginx(stack, "/static/amazen.css").status == 200
    for app in stack.apps:
        app.start()
    for app in stack.apps:
        app.wait_ready()
    assert found(app1.port, "restartish") == found(app2.port, "restartish") == [asin]
    assert found(stack.nginx, "restartish") == [asin]


def test_data_survives_a_database_restart_and_the_first_requests_after_it_succeed(stack):
    asin = some_asin(stack)
    write_review(stack, asin, "persistish")
    for app in stack.apps:  # every process holds pooled connections to the server about to go away
        assert found(app.port, "persistish") == [asin]

    stack.postgres.stop()
    stack.postgres.start()
    # The pooled connections died with the old server; each is tested before use and replaced.
    for app in stack.apps:
        assert found(app.port, "persistish") == [asin]
    assert found(stack.nginx, "persistish") == [asin]


def test_while_the_database_is_down_the_app_answers_503_at_once_and_recovers_by_itself(stack):
    stack.postgres.stop()
    try:
        page = via_nginx(stack, "/products/")
        assert page.status == 503 and "briefly unavailable" in page.text and page.seconds < QUICKLY
        api = via_nginx(stack, "/api/search?q=headphones")
        assert api.status == 503 and api.json()["error"]["code"] == "database_unavailable" and api.seconds < QUICKLY
        for app in stack.apps:
            health = request(app.port, "/healthz")
            assert health.status == 503 and health.json()["status"] == "unavailable" and health.seconds < QUICKLY
        assert via_nginx(stack, "/static/amazen.css").status == 200
    finally:
        stack.postgres.start()

    # No app restart: the very next requests work again.
    for app in stack.apps:
        assert request(app.port, "/healthz").status == 200
        assert search(app.port, q="headphones")["total"] > 0
    assert via_nginx(stack, "/").status == 200
