#!/usr/bin/env python3
"""Largest Contentful Paint of a picture-led article, measured by Lighthouse.

Starts the release build of bbn on a fresh data folder (the demo site),
adds an admin and a staff API token, uploads ten real photographs from
../shared/photos (see tools/photos) and publishes an article that leads
with one and shows the other nine in its body. Once bbn has made their
WebP and AVIF copies, Lighthouse (tools/lighthouse, pinned; Debian's
chromium) loads the article with its mobile preset, three runs as Chromium
asks (it takes AVIF) and three with `Accept: image/jpeg` on every request
(the pictures as JPEG), and prints the median of each metric and the
picture bytes the page loaded.

    cargo build --release -p bbn
    (cd tools/lighthouse && npm ci)
    tools/photos
    python3 tools/image-lcp.py
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BBN = os.path.join(ROOT, "target", "release", "bbn")
LIGHTHOUSE = os.path.join(ROOT, "tools", "lighthouse", "node_modules", ".bin", "lighthouse")
PHOTOS = os.path.join(ROOT, "..", "shared", "photos")
EMAIL, PASSWORD = "lcp@example.com", "a long enough phrase for lcp"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port):
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    sys.exit("bbn did not start")


def serve(data, port):
    return subprocess.Popen(
        [BBN, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def call(base, token, method, path, body=None, content_type="application/json"):
    req = urllib.request.Request(f"{base}{path}", method=method, data=body,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    return json.load(urllib.request.urlopen(req))


def served_as(url, accept):
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req) as r:
        return r.headers.get("Content-Type")


def main():
    for need in (BBN, LIGHTHOUSE, PHOTOS):
        if not os.path.exists(need):
            sys.exit(f"missing {need}: see this script's header")
    photos = sorted(f for f in os.listdir(PHOTOS) if f.endswith(".jpg"))[:10]
    if len(photos) < 10:
        sys.exit("fewer than ten photographs: run tools/photos")
    data = tempfile.mkdtemp(prefix="bbn-lcp-")
    port = free_port()
    try:
        first = serve(data, port)
        wait_up(port)
        first.terminate()
        first.wait()
        subprocess.run([BBN, "user", "add", "--email", EMAIL, "--name", "Lee Painter", "--role", "admin",
                        "--data-dir", data], input=PASSWORD.encode(), check=True, capture_output=True)
        token = subprocess.run([BBN, "apikey", "add", "--name", "lcp", "--kind", "staff", "--user", EMAIL,
                                "--role", "admin", "--data-dir", data],
                               check=True, capture_output=True).stdout.decode().strip()
        server = serve(data, port)
        wait_up(port)
        base = f"http://127.0.0.1:{port}"
        items = []
        for i, name in enumerate(photos):
            with open(os.path.join(PHOTOS, name), "rb") as f:
                items.append(call(base, token, "POST", f"/api/v1/media?alt=Photograph+{i}&file_name={name}",
                                  f.read(), "image/jpeg"))
        paths = [m["url"][m["url"].index("/media/"):] for m in items]
        body = "\n\n".join(f"Paragraph {i} of the story, told around its pictures.\n\n![Photograph {i}]({p})"
                           for i, p in enumerate(paths[1:], 1))
        article = call(base, token, "POST", "/api/v1/articles", json.dumps({
            "headline": "The coast in ten photographs", "dek": "A story told in pictures.",
            "section": "world", "image_id": items[0]["id"], "body_markdown": body}).encode())
        published = call(base, token, "POST", f"/api/v1/articles/{article['id']}/publish", b"")
        url = base + published["url"][published["url"].index("/news/"):]
        # The copies are made in the background: wait for the last one.
        deadline = time.time() + 600
        while time.time() < deadline:
            page = urllib.request.urlopen(url).read().decode()
            copies = [p.replace(".jpg", "-960.jpg") for p in paths]
            if all(served_as(base + c, "image/avif") == "image/avif" for c in copies if c in page):
                break
            time.sleep(1)
        env = dict(os.environ, CHROME_PATH=shutil.which("chromium") or "/usr/bin/chromium")
        metrics = ["largest-contentful-paint", "first-contentful-paint", "speed-index", "total-byte-weight"]
        print(f"bbn {subprocess.run([BBN, '--version'], capture_output=True).stdout.decode().strip()}, "
              f"lighthouse {subprocess.run([LIGHTHOUSE, '--version'], capture_output=True).stdout.decode().strip()}, "
              f"mobile preset, {url}")
        for label, extra in (("as Chromium asks (AVIF)", None),
                             ("Accept: image/jpeg", {"Accept": "image/jpeg,text/html;q=0.9,*/*;q=0.8"})):
            runs = {m: [] for m in metrics}
            image_bytes = []
            for _ in range(3):
                out = os.path.join(data, "report.json")
                args = [LIGHTHOUSE, url, "--quiet", "--only-categories=performance", "--output=json",
                        f"--output-path={out}", "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
                if extra:
                    headers = os.path.join(data, "headers.json")
                    with open(headers, "w") as f:
                        json.dump(extra, f)
                    args.append(f"--extra-headers={headers}")
                subprocess.run(args, check=True, env=env)
                with open(out) as f:
                    audits = json.load(f)["audits"]
                for m in metrics:
                    runs[m].append(audits[m]["numericValue"])
                items_ = audits["network-requests"]["details"]["items"]
                image_bytes.append(sum(i.get("transferSize", 0) for i in items_ if i.get("resourceType") == "Image"))
            summary = ", ".join(
                f"{m} {statistics.median(v):.0f}{' bytes' if m == 'total-byte-weight' else ' ms'}"
                for m, v in runs.items())
            print(f"{label}: {summary}, picture bytes {statistics.median(image_bytes):.0f}  (median of 3)")
        server.terminate()
        server.wait()
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
