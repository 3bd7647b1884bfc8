#!/usr/bin/env python3
"""Time to interactive of the newsroom's editor page, measured by Lighthouse.

Starts the release build of bbn on a fresh data folder (the demo site), adds
an admin, signs in, creates a 600-word document article through the API,
and runs Lighthouse (tools/lighthouse, pinned; Debian's chromium) on its
edit page (live editor) and on the new-article page, mobile and desktop
presets, three runs each; prints the median of each metric.

    cargo build --release -p bbn
    (cd tools/lighthouse && npm ci)
    python3 tools/editor-tti.py
"""

import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BBN = os.path.join(ROOT, "target", "release", "bbn")
LIGHTHOUSE = os.path.join(ROOT, "tools", "lighthouse", "node_modules", ".bin", "lighthouse")
EMAIL, PASSWORD = "tti@example.com", "a long enough phrase for tti"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port):
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    sys.exit("bbn did not start")


def serve(data, port):
    return subprocess.Popen(
        [BBN, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def paragraph(n):
    words = ("the envoys met again on wednesday to discuss the shipments and the "
             "sanctions that followed a summer of claims").split()
    return " ".join(words[(n + i) % len(words)] for i in range(60)).capitalize() + "."


def main():
    for need in (BBN, LIGHTHOUSE):
        if not os.path.exists(need):
            sys.exit(f"missing {need}: see this script's header")
    data = tempfile.mkdtemp(prefix="bbn-tti-")
    port = free_port()
    try:
        first = serve(data, port)
        wait_up(port)
        first.terminate()
        first.wait()
        subprocess.run([BBN, "user", "add", "--email", EMAIL, "--name", "Tia Timer", "--role", "admin",
                        "--data-dir", data], input=PASSWORD.encode(), check=True, capture_output=True)
        token = subprocess.run([BBN, "apikey", "add", "--name", "tti", "--kind", "staff", "--user", EMAIL,
                                "--role", "admin", "--data-dir", data],
                               check=True, capture_output=True).stdout.decode().strip()
        server = serve(data, port)
        wait_up(port)
        base = f"http://127.0.0.1:{port}"
        doc = {"type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": paragraph(i)}]} for i in range(10)]}
        req = urllib.request.Request(
            f"{base}/api/v1/articles", method="POST",
            data=json.dumps({"headline": "Envoys meet again", "section": "world",
                             "body_document": doc}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        article = json.load(urllib.request.urlopen(req))["id"]
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/newsroom/sign-in").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        opener.open(f"{base}/newsroom/sign-in", data=urllib.parse.urlencode(
            {"_csrf": csrf, "email": EMAIL, "password": PASSWORD}).encode()).read()
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar if c.name == "bbn_session")
        if not cookie:
            sys.exit("could not sign in")
        headers = os.path.join(data, "headers.json")
        with open(headers, "w") as f:
            json.dump({"Cookie": cookie}, f)
        metrics = ["interactive", "first-contentful-paint", "largest-contentful-paint", "total-blocking-time"]
        pages = [("edit (live editor)", f"{base}/newsroom/articles/{article}/edit"),
                 ("new article", f"{base}/newsroom/articles/new")]
        env = dict(os.environ, CHROME_PATH=shutil.which("chromium") or "/usr/bin/chromium")
        print(f"bbn {subprocess.run([BBN, '--version'], capture_output=True).stdout.decode().strip()}, "
              f"lighthouse {subprocess.run([LIGHTHOUSE, '--version'], capture_output=True).stdout.decode().strip()}")
        for name, url in pages:
            for preset in ("mobile", "desktop"):
                runs = {m: [] for m in metrics}
                for _ in range(3):
                    out = os.path.join(data, "report.json")
                    args = [LIGHTHOUSE, url, "--quiet", "--only-categories=performance", "--output=json",
                            f"--output-path={out}", f"--extra-headers={headers}",
                            "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
                    if preset == "desktop":
                        args.append("--preset=desktop")
                    subprocess.run(args, check=True, env=env)
                    with open(out) as f:
                        audits = json.load(f)["audits"]
                    for m in metrics:
                        runs[m].append(audits[m]["numericValue"])
                summary = ", ".join(f"{m} {statistics.median(v):.0f} ms" for m, v in runs.items())
                print(f"{name}, {preset}: {summary}  (median of 3)")
        server.terminate()
        server.wait()
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
