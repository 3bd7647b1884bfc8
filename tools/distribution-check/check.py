#!/usr/bin/env python3
"""Checks a live bbn with the tools the rest of the web uses on it.

Feeds go through feedparser (no "bozo" errors or warnings allowed) and an
XML parser; JSON Feeds are checked for the fields their spec requires;
sitemaps must be well-formed and point at pages that answer; the JSON-LD of
an article and of the home page is read with extruct; the API's OpenAPI
document is validated (openapi-spec-validator) and every path it names is
called and its answer checked against its schema; and every page type,
the newsroom's included, goes through the W3C Nu HTML Checker (vnu.jar).

    python3 check.py http://127.0.0.1:8080 --vnu node_modules/vnu-jar/build/dist/vnu.jar \
        [--email E --password P]

Prints one line per check and a verdict per tool; exits 1 when anything fails.
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import extruct
import feedparser
import jsonschema
import referencing
from openapi_spec_validator import validate as validate_openapi

FAILURES = []
VERDICTS = {}


def fail(tool, message):
    FAILURES.append(f"{tool}: {message}")
    VERDICTS[tool] = "FAILED"
    print(f"  FAIL {message}")


def ok(tool, message):
    VERDICTS.setdefault(tool, "passed")
    print(f"  ok   {message}")


class Site:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        url = path if path.startswith("http") else self.base + path
        try:
            with self.opener.open(url, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields).encode()
        req = urllib.request.Request(self.base + path, data=data, method="POST")
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


def locs(xml_bytes):
    root = ET.fromstring(xml_bytes)
    return [e.text for e in root.iter() if e.tag.endswith("}loc")]


def check_sitemaps(site):
    tool = "sitemaps (XML parser)"
    print(f"\n== {tool}")
    status, headers, body = site.get("/sitemap.xml")
    if status != 200:
        fail(tool, f"/sitemap.xml answered {status}")
        return {}
    parts = locs(body)
    ok(tool, f"/sitemap.xml: index of {len(parts)} sitemaps")
    found = {"articles": [], "sections": [], "topics": [], "authors": [], "pages": []}
    for part in parts:
        status, headers, body = site.get(part)
        if status != 200:
            fail(tool, f"{part} answered {status}")
            continue
        try:
            urls = locs(body)
        except ET.ParseError as e:
            fail(tool, f"{part} is not well-formed: {e}")
            continue
        kind = part.rsplit("/", 1)[-1].split("-")[0].split(".")[0]
        found.setdefault(kind, []).extend(urls)
        ok(tool, f"{part}: {len(urls)} URLs")
    status, headers, body = site.get("/news-sitemap.xml")
    try:
        root = ET.fromstring(body)
        news = [e for e in root.iter() if e.tag.endswith("}news")]
        ok(tool, f"/news-sitemap.xml: {len(news)} news entries")
    except ET.ParseError as e:
        fail(tool, f"/news-sitemap.xml is not well-formed: {e}")
    return found


def check_feeds(site, found):
    tool = "feeds (feedparser)"
    print(f"\n== {tool} {feedparser.__version__}")
    prefixes = [""]
    for kind in ("sections", "topics", "authors"):
        if found.get(kind):
            prefixes.append(urllib.parse.urlparse(found[kind][0]).path)
    paths = [f"{p}/feed.{ext}" for p in prefixes for ext in ("xml", "atom", "json")]
    paths += ["/comments/feed.xml", "/comments/feed.atom", "/comments/feed.json"]
    expected_types = {
        "xml": "application/rss+xml",
        "atom": "application/atom+xml",
        "json": "application/feed+json",
    }
    for path in paths:
        status, headers, body = site.get(path)
        ext = path.rsplit(".", 1)[-1]
        ctype = headers.get("content-type", headers.get("Content-Type", ""))
        if status != 200 or not ctype.startswith(expected_types[ext]):
            fail(tool, f"{path}: {status} {ctype}")
            continue
        problems = []
        if ext == "json":
            # feedparser's releases do not read JSON Feed: checked against the spec here.
            entries = json_feed_problems(json.loads(body), site.base, problems)
            if problems:
                fail("JSON Feed 1.1 (spec fields)", f"{path}: {'; '.join(problems[:5])}")
            else:
                ok("JSON Feed 1.1 (spec fields)", f"{path}: {entries} items, every required field")
            continue
        parsed = feedparser.parse(body, response_headers={"content-type": ctype})
        if parsed.bozo:
            fail(tool, f"{path}: {parsed.bozo_exception!r}")
            continue
        ET.fromstring(body)
        for e in parsed.entries:
            if not (e.get("id") and e.get("link") and e.get("title") and e.get("published_parsed")):
                problems.append(f"entry {e.get('link')} lacks id, link, title or date")
            if not e.get("link", "").startswith(site.base):
                problems.append(f"relative link {e.get('link')}")
        if problems:
            fail(tool, f"{path}: {'; '.join(problems[:5])}")
        else:
            ok(tool, f"{path}: {len(parsed.entries)} entries, no warnings")


def is_rfc3339(text):
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return "T" in text and (text.endswith("Z") or text[-6] in "+-")
    except (ValueError, AttributeError, IndexError):
        return False


def json_feed_problems(doc, base, problems):
    """Checks a JSON Feed 1.1 document's required fields and the types of
    the optional ones it uses; returns the number of items."""
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is not https://jsonfeed.org/version/1.1")
    if not isinstance(doc.get("title"), str) or not doc["title"]:
        problems.append("no title")
    for key in ("home_page_url", "feed_url"):
        if key in doc and not str(doc[key]).startswith(base):
            problems.append(f"{key} is not an absolute URL of the site")
    items = doc.get("items")
    if not isinstance(items, list):
        problems.append("items is not a list")
        return 0
    ids = set()
    for item in items:
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append("an item without a string id")
        ids.add(item.get("id"))
        if not (item.get("content_html") or item.get("content_text")):
            problems.append(f"item {item.get('id')} has neither content_html nor content_text")
        for key in ("date_published", "date_modified"):
            if key in item and not is_rfc3339(item[key]):
                problems.append(f"item {item.get('id')}: {key} is not RFC 3339")
        if "url" in item and not item["url"].startswith(base):
            problems.append(f"item {item.get('id')}: relative url")
        for a in item.get("authors", []):
            if not isinstance(a, dict) or not (a.get("name") or a.get("url")):
                problems.append(f"item {item.get('id')}: author without name or url")
        if "tags" in item and not all(isinstance(t, str) for t in item["tags"]):
            problems.append(f"item {item.get('id')}: tags are not strings")
    if len(ids) != len(items):
        problems.append("item ids are not unique")
    return len(items)


def check_json_ld(site, found):
    tool = "JSON-LD (extruct)"
    print(f"\n== {tool}")
    need = ["headline", "description", "datePublished", "dateModified", "author", "publisher",
            "mainEntityOfPage", "articleSection"]
    articles_checked = 0
    faq_seen = False
    for url in found.get("articles", [])[:40]:
        status, headers, body = site.get(url)
        data = extruct.extract(body.decode(), base_url=url, syntaxes=["json-ld", "opengraph"])
        by_type = {d.get("@type"): d for d in data["json-ld"]}
        article = by_type.get("NewsArticle")
        if not article:
            fail(tool, f"{url}: no NewsArticle")
            continue
        missing = [k for k in need if not article.get(k)]
        if article["author"][0].get("@type") != "Person" or not article["author"][0].get("url"):
            missing.append("author as Person with url")
        if article["publisher"].get("@type") != "Organization" or not article["publisher"].get("logo"):
            missing.append("publisher as Organization with logo")
        if "BreadcrumbList" not in by_type or len(by_type["BreadcrumbList"]["itemListElement"]) != 3:
            missing.append("BreadcrumbList home → section → article")
        if "image" in article and len(article["image"]) != 3:
            missing.append("image in three crops")
        og = {k: v for prop in data["opengraph"] for k, v in prop.get("properties", [])}
        if og.get("og:type") != "article" or not og.get("og:title"):
            missing.append("OpenGraph article tags")
        if missing:
            fail(tool, f"{url}: missing {', '.join(missing)}")
        articles_checked += 1
        if "FAQPage" in by_type:
            faq_seen = True
            q = by_type["FAQPage"]["mainEntity"][0]
            if q.get("@type") != "Question" or not q.get("acceptedAnswer", {}).get("text"):
                fail(tool, f"{url}: FAQPage without answered questions")
    ok(tool, f"{articles_checked} article pages: NewsArticle, BreadcrumbList and OpenGraph complete")
    if faq_seen:
        ok(tool, "FAQPage on articles with an FAQ")
    status, headers, body = site.get("/")
    data = extruct.extract(body.decode(), base_url=site.base + "/", syntaxes=["json-ld"])
    websites = [d for d in data["json-ld"] if d.get("@type") == "WebSite"]
    if websites and websites[0].get("potentialAction", {}).get("@type") == "SearchAction":
        ok(tool, "home page: WebSite with SearchAction")
    else:
        fail(tool, "home page: no WebSite with SearchAction")


def check_openapi(site, found):
    tool = "OpenAPI (openapi-spec-validator, jsonschema)"
    print(f"\n== {tool}")
    status, headers, body = site.get("/api/v1/openapi.json")
    doc = json.loads(body)
    try:
        validate_openapi(doc)
        ok(tool, "/api/v1/openapi.json is a valid OpenAPI 3.1 document")
    except Exception as e:  # the validator raises several kinds
        fail(tool, f"/api/v1/openapi.json: {e}")
        return
    registry = referencing.Registry().with_resource(
        "urn:bbn-openapi", referencing.Resource.from_contents(doc, referencing.jsonschema.DRAFT202012))
    article = urllib.parse.urlparse(found["articles"][-1]).path.rsplit("/", 1)[-1]
    status, headers, body = site.get(f"/api/v1/articles/by-slug/{article}")
    article_id = json.loads(body)["id"]
    values = {"id": str(article_id), "slug": article}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            public = any(not requirement for requirement in op.get("security", [{}]))
            if method != "get" or not public:
                continue
            url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
            required = [p for p in op.get("parameters", []) if p["in"] == "query" and p.get("required")]
            if required:
                url += "?" + urllib.parse.urlencode({p["name"]: "china" for p in required})
            status, headers, body = site.get(url)
            if status != 200:
                fail(tool, f"GET {url}: {status}")
                continue
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            validator = jsonschema.Draft202012Validator(
                {"$ref": "urn:bbn-openapi#/paths/" + path.replace("~", "~0").replace("/", "~1")
                 + "/get/responses/200/content/application~1json/schema"},
                registry=registry)
            errors = list(validator.iter_errors(json.loads(body)))
            if errors:
                fail(tool, f"GET {url}: {errors[0].message} at {list(errors[0].absolute_path)}")
            elif "data" in schema.get("properties", {}) and not headers.get("x-total-count", headers.get("X-Total-Count")):
                fail(tool, f"GET {url}: no X-Total-Count")
            else:
                ok(tool, f"GET {url}: matches its schema")
    status, headers, body = site.get("/api/v1/articles?per_page=1000")
    ctype = headers.get("content-type", headers.get("Content-Type", ""))
    if status == 400 and ctype.startswith("application/problem+json") and json.loads(body).get("parameter") == "per_page":
        ok(tool, "a bad parameter is a problem+json 400 naming it")
    else:
        fail(tool, f"per_page=1000 answered {status} {ctype}")


def sign_in(site, email, password):
    status, headers, body = site.get("/newsroom/sign-in")
    m = re.search(rb'name="_csrf" value="([^"]+)"', body)
    if not m:
        return False
    status, body = site.post("/newsroom/sign-in", {
        "_csrf": m.group(1).decode(), "next": "/newsroom", "email": email, "password": password,
    })
    status, headers, body = site.get("/newsroom")
    return status == 200 and b"sign-out" in body


def check_html(site, found, vnu, email, password):
    tool = "HTML (W3C Nu HTML Checker)"
    print(f"\n== {tool}")
    pages = ["/", "/search?q=china", "/search?q=", "/search?q=zzzznothing", "/no-such-page",
             "/newsroom/sign-in"]
    for kind in ("articles", "sections", "topics", "authors", "pages"):
        for url in found.get(kind, [])[:3]:
            pages.append(urllib.parse.urlparse(url).path)
    if found.get("articles"):
        first = urllib.parse.urlparse(found["articles"][-1]).path
        pages.append(first + "?cpage=1")
    signed_in = False
    if email and password:
        signed_in = sign_in(site, email, password)
        if not signed_in:
            fail(tool, "could not sign in to the newsroom")
    if signed_in:
        pages += ["/newsroom", "/newsroom/articles", "/newsroom/articles/new", "/newsroom/comments",
                  "/newsroom/sections", "/newsroom/topics", "/newsroom/picks", "/newsroom/staff",
                  "/newsroom/settings", "/newsroom/account/password", "/newsroom/pages/new"]
        status, headers, body = site.get("/newsroom/articles")
        ids = re.findall(rb'/newsroom/articles/(\d+)/edit', body)
        if ids:
            aid = ids[0].decode()
            pages += [f"/newsroom/articles/{aid}/edit", f"/newsroom/articles/{aid}/revisions",
                      f"/newsroom/articles/{aid}/preview"]
        # Other screens linked from the newsroom navigation (API keys, webhooks, …).
        status, headers, body = site.get("/newsroom")
        for link in re.findall(rb'href="(/newsroom/[a-z\-]+)"', body):
            link = link.decode()
            if link not in pages and "sign-out" not in link:
                pages.append(link)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for i, path in enumerate(pages):
            status, headers, body = site.get(path)
            if "text/html" not in headers.get("content-type", headers.get("Content-Type", "")):
                fail(tool, f"{path}: not HTML ({status})")
                continue
            name = os.path.join(tmp, f"page{i:03}.html")
            with open(name, "wb") as f:
                f.write(body)
            files[name] = path
        result = subprocess.run(
            ["java", "-jar", vnu, "--format", "json", "--errors-only", *files.keys()],
            capture_output=True, text=True,
        )
        messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
        errors = {}
        for m in messages:
            if m.get("type") == "error" or m.get("subType") == "fatal":
                page = files.get(urllib.parse.urlparse(m.get("url", "")).path, m.get("url"))
                errors.setdefault(page, []).append(
                    f"line {m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()[:80]}]")
        for path in files.values():
            if path in errors:
                fail(tool, f"{path}: {len(errors[path])} errors: " + " | ".join(errors[path][:3]))
            else:
                ok(tool, f"{path}: no errors")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("--vnu", required=True, help="path to vnu.jar")
    ap.add_argument("--email")
    ap.add_argument("--password")
    args = ap.parse_args()
    site = Site(args.base)
    found = check_sitemaps(site)
    check_feeds(site, found)
    check_json_ld(site, found)
    check_openapi(site, found)
    check_html(site, found, args.vnu, args.email, args.password)
    print("\n== verdicts")
    for tool, verdict in VERDICTS.items():
        print(f"  {tool}: {verdict}")
    if FAILURES:
        print(f"\n{len(FAILURES)} problems")
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
