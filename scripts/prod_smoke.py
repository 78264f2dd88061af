"""Production smoke test: nginx + gunicorn with DEBUG=false on 127.0.0.1, driven by a browser.

`make prod-smoke` runs it (and `.ci/run` after `make test`). It:

1. creates a new PostgreSQL database and a private var/ directory, migrates, loads Guizhou's
   regions, seeds the demo accounts and collects static files, as a real installation would;
2. starts gunicorn with deploy/gunicorn.conf.py and nginx with deploy/nginx/xieguan.conf (the
   same files an operator installs; only addresses, ports and paths are substituted, and every
   substitution must match, so the template and this test cannot drift apart), with a
   self-signed certificate on 127.0.0.1;
3. checks /health/, the HTTP -> HTTPS redirect, compressed HTML and JSON, far-future caching of
   hashed static files, and that private media is streamed by nginx (X-Accel-Redirect) only
   after the app's scope check;
4. drives Debian's Chromium through nginx: the assistant logs in, fills and signs 附表1 with a
   photo and submits it, views the photo; the county admin exports the ledger and prints 附表1;
5. stops everything it started and drops the database, also when a step fails.

Environment: SMOKE_PG (default postgres://postgres@127.0.0.1:5432), SMOKE_PORT (default 8443).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CHROMIUM = "/usr/bin/chromium"
PG = os.environ.get("SMOKE_PG", "postgres://postgres@127.0.0.1:5432")
HTTPS_PORT = int(os.environ.get("SMOKE_PORT", "8443"))
HTTP_PORT = HTTPS_PORT - 363  # 8080 by default
APP_PORT = HTTPS_PORT - 242  # 8201 by default
BASE = f"https://127.0.0.1:{HTTPS_PORT}"
DEMO_PASSWORD = "xieguan-demo-2026"
INSECURE = ssl.create_default_context()
INSECURE.check_hostname = False
INSECURE.verify_mode = ssl.CERT_NONE

passed: list[str] = []


def ok(what: str) -> None:
    passed.append(what)
    print(f"  ok  {what}", flush=True)


def check(condition: bool, what: str, detail: Any = "") -> None:
    if not condition:
        raise SystemExit(f"FAILED: {what} {detail}")
    ok(what)


def run(args: list[str], env: dict[str, str], **kw: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=env, cwd=ROOT, text=True, capture_output=True, **kw)
    if result.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(args)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def fetch(
    path: str, headers: dict[str, str] | None = None, base: str = BASE
) -> tuple[int, dict[str, str], bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=INSECURE))
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def nginx_conf(tmp: Path, var: Path, cert: Path, key: Path) -> Path:
    server = (ROOT / "deploy" / "nginx" / "xieguan.conf").read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{APP_PORT};"),
        ("listen 80;", f"listen 127.0.0.1:{HTTP_PORT};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;"),
        ("/etc/ssl/xieguan/fullchain.pem", str(cert)),
        ("/etc/ssl/xieguan/privkey.pem", str(key)),
        ("/srv/xieguan/var/", f"{var}/"),
    ]:
        if old not in server:
            raise SystemExit(
                f"FAILED: deploy/nginx/xieguan.conf no longer contains {old!r}; update this test"
            )
        server = server.replace(old, new)
    conf = tmp / "nginx.conf"
    temp = tmp / "nginx-temp"
    temp.mkdir()
    conf.write_text(
        f"""
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    types {{ application/manifest+json webmanifest; }}
    default_type application/octet-stream;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{server}
}}
"""
    )
    return conf


@contextlib.contextmanager
def database() -> Iterator[str]:
    import psycopg

    name = f"xieguan_smoke_{os.getpid()}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}"
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def servers(tmp: Path, env: dict[str, str], conf: Path) -> Iterator[None]:
    log = (tmp / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{APP_PORT}", "GUNICORN_WORKERS": "2"},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        run([nginx, "-t", "-q", "-p", str(tmp), "-c", str(conf)], env)
        run([nginx, "-p", str(tmp), "-c", str(conf)], env)
        yield
    finally:
        pid_file = tmp / "nginx.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGQUIT)
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        log.close()


def wait_healthy() -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _, body = fetch("/health/")
            if status == 200:
                return dict(json.loads(body))
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit("FAILED: /health/ did not answer 200 within 60 s")
        time.sleep(0.5)


def header_checks() -> None:
    status, headers, _ = fetch("/login/", base=f"http://127.0.0.1:{HTTP_PORT}")
    check(status == 301 and headers["location"].startswith("https://"), "HTTP redirects to HTTPS", status)
    status, headers, body = fetch("/login/", {"Accept-Encoding": "gzip"})
    check(status == 200 and headers.get("content-encoding") == "gzip", "login page HTML is gzip-compressed")
    html = gzip.decompress(body).decode()
    check("strict-transport-security" in headers, "HSTS header on HTTPS answers")
    assets = re.findall(r'/static/[^"\']+\.[0-9a-f]{12}\.(?:css|js)', html)
    check(bool(assets), "pages link hashed static file names", assets[:3])
    status, headers, _ = fetch(assets[0], {"Accept-Encoding": "gzip"})
    check(
        status == 200
        and "max-age=31536000" in headers.get("cache-control", "")
        and "immutable" in headers["cache-control"],
        f"hashed static file cached for a year ({assets[0]})",
        headers.get("cache-control"),
    )
    check(headers.get("content-encoding") == "gzip", "static file served pre-compressed (gzip_static)")
    status, headers, _ = fetch("/_private/", {})
    check(status == 404, "the private media location is internal (404 from outside)", status)


def journey(tmp: Path) -> None:
    from PIL import Image, ImageDraw
    from playwright.sync_api import sync_playwright

    photo = tmp / "scene.jpg"
    img = Image.new("RGB", (1600, 1200), (120, 150, 110))
    ImageDraw.Draw(img).rectangle([(200, 200), (900, 800)], fill=(60, 60, 60))
    img.save(photo, "JPEG")
    shots = ROOT / "var" / "test-artifacts"
    shots.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # only this process: Playwright runs an event loop
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            phone_ctx = browser.new_context(
                viewport={"width": 360, "height": 780},
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                ignore_https_errors=True,
            )
            phone_ctx.grant_permissions(["geolocation"], origin=BASE)
            phone_ctx.set_geolocation({"latitude": 25.71, "longitude": 104.61, "accuracy": 15})
            page = phone_ctx.new_page()
            page.set_default_timeout(20_000)
            try:
                inspection_id = assistant_journey(page, photo)
            except BaseException:
                page.screenshot(path=str(shots / "prod-smoke-failure.png"), full_page=True)
                raise
            desk_ctx = browser.new_context(
                viewport={"width": 1280, "height": 900},
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                ignore_https_errors=True,
            )
            county_journey(desk_ctx.new_page(), inspection_id)
        finally:
            browser.close()


def login(page: Any, username: str) -> None:
    page.goto(f"{BASE}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{BASE}/")


def sign(page: Any, testid: str) -> None:
    canvas = page.get_by_test_id(testid)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 20, y + h * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + 20 + i * (w - 40) / 11, y + h * (0.3 if i % 2 else 0.75), steps=3)
    page.mouse.up()


def assistant_journey(page: Any, photo: Path) -> str:
    login(page, "xieguan")
    ok("assistant logs in through nginx (secure cookies over HTTPS)")
    employers = page.request.get(f"{BASE}/api/v1/employers?status=operating")
    check(employers.ok, "API lists the assistant's employers", employers.status)
    check("gzip" in (employers.headers.get("content-encoding") or ""), "API JSON is gzip-compressed")
    items = employers.json()["items"]
    employer = next(e for e in items if e.get("status") in (None, "operating"))
    page.goto(f"{BASE}/inspections/new/{employer['id']}/")
    page.wait_for_selector("#inspection-form")
    answers = {1: "yes", 2: "na", 3: "no", 4: "yes", 5: "yes", 6: "no", 7: "no"}
    for number, answer in answers.items():
        selector = f"label[for=a{number}-{answer}]"
        if number == 2 and not page.is_visible(selector):
            selector = f"label[for=a{number}-yes]"
        page.click(selector)
    page.fill("textarea[name=note_3]", "未见检测报告")
    page.fill("#f-accompanying_person", "李四")
    sign(page, "sign-companion")
    sign(page, "sign-assistant")
    page.set_input_files("[data-testid=photo-choose]", str(photo))
    page.wait_for_selector("[data-testid=photos] img")
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r".*/inspections/[0-9a-f-]{36}/$"))
    inspection_id = page.url.rstrip("/").rsplit("/", 1)[1]
    check(page.get_by_text("巡查已提交").count() > 0, "附表1 submitted with two signatures and a photo")
    detail = page.request.get(f"{BASE}/api/v1/inspections/{inspection_id}")
    check(detail.ok and detail.json()["status"] == "submitted", "the inspection is stored as submitted")
    photos = page.locator("img[src*='/inspections/photos/']")
    check(photos.count() == 1, "the inspection page shows its photo")
    src = photos.first.get_attribute("src")
    response = page.request.get(BASE + src if src.startswith("/") else src)
    check(
        response.ok
        and response.headers["content-type"] == "image/jpeg"
        and response.body()[:2] == b"\xff\xd8",
        "the photo is served (through the app's scope check, streamed by nginx)",
    )
    headers = response.headers
    check(
        "x-accel-redirect" not in headers and "etag" in headers and "last-modified" in headers,
        "nginx streamed the photo from its internal location (X-Accel-Redirect consumed; ETag from nginx)",
        headers,
    )
    check(
        headers.get("cache-control") == "private, no-store",
        "private file: Cache-Control private, no-store",
        headers,
    )
    check(headers.get("x-content-type-options") == "nosniff", "private file: nosniff", headers)
    check("sandbox" in headers.get("content-security-policy", ""), "private file: sandboxing CSP", headers)
    page.screenshot(path=str(ROOT / "var" / "test-artifacts" / "prod-smoke-submitted.png"), full_page=True)
    return inspection_id


def county_journey(page: Any, inspection_id: str) -> None:
    page.set_default_timeout(30_000)
    login(page, "liuzhi")
    other = page.request.get(f"{BASE}/inspections/{inspection_id}/")
    check(other.status == 404, "another county's admin gets 404 on the inspection")
    page.context.clear_cookies()
    login(page, "panzhou")
    ok("county admin logs in")
    with page.expect_download() as download_info:
        page.goto(f"{BASE}/employers/")
        page.locator("a[href$='export.xlsx']").first.click()
    path = download_info.value.path()
    check(Path(path).read_bytes()[:2] == b"PK", "the ledger exports as .xlsx")
    pdf = page.request.get(f"{BASE}/inspections/{inspection_id}/print.pdf")
    check(pdf.ok and pdf.body()[:5] == b"%PDF-", "附表1 prints as PDF")
    docx = page.request.get(f"{BASE}/inspections/{inspection_id}/print.docx")
    check(docx.ok and docx.body()[:2] == b"PK", "附表1 prints as .docx")


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"FAILED: {CHROMIUM} is missing (apt-get install chromium)")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        raise SystemExit("FAILED: nginx is missing (apt-get install nginx-light)")
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="xieguan-smoke-"))
    tmp.chmod(0o755)  # nginx's workers (nobody) read the collected static files
    var = tmp / "var"
    try:
        with database() as url:
            env = {
                **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(64),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": BASE,
                "DATABASE_URL": url,
                "DB_CONN_MAX_AGE": "60",
                "XIEGUAN_VAR_DIR": str(var),
                "XIEGUAN_ACCEL_REDIRECT": "/_private/",
                "LOG_FORMAT": "json",
            }
            manage = [PY, "manage.py"]
            run([*manage, "migrate", "--noinput"], env)
            run([*manage, "loadregions", "--province", "52"], env)
            run([*manage, "seeddemo", "--force"], env)
            run([*manage, "collectstatic", "--noinput"], env)
            run([*manage, "check", "--deploy", "--fail-level", "WARNING"], env)
            ok("migrate, loadregions, seeddemo, collectstatic, check --deploy on PostgreSQL with DEBUG=false")
            cert, key = tmp / "cert.pem", tmp / "key.pem"
            run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=127.0.0.1",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                    "-keyout",
                    str(key),
                    "-out",
                    str(cert),
                ],
                env,
            )
            conf = nginx_conf(tmp, var, cert, key)
            with servers(tmp, env, conf):
                health = wait_healthy()
                check(
                    health["checks"] == {"database": "ok", "storage": "ok", "migrations": "ok"},
                    "/health/ 200",
                    health,
                )
                header_checks()
                journey(tmp)
                log_lines = (tmp / "gunicorn.log").read_text().splitlines()
                records = [json.loads(line) for line in log_lines if line.startswith("{")]
                check(
                    any(
                        r.get("logger") == "xieguan.request" and r.get("request_id") not in (None, "-")
                        for r in records
                    ),
                    "the app logs JSON lines with a request id",
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"prod-smoke: {len(passed)} passed, 0 failed ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
