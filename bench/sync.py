"""Offline sync in the benchmark: a device's first download, and the changes an incremental pull
then finds.

  sync.py download <base> <token>        -> "records=… seconds=… pages=… cursor=…"
  sync.py touch <base> <token> <n>       -> changes the address of the n newest clients in scope
  sync.py count <base> <token> <cursor>  -> how many changes a pull from the cursor answers
  sync.py push <base> <requests-file>    -> pushes the file's first batch once; fails unless
                                            every mutation was applied

The download runs as a phone would: one connection, pages of 1,000 in turn until `has_more` is
false. Only the time from sending a request to having read its whole body counts (the records
through the API); decoding the page to find the next cursor does not, since a device does that
while the next page is on its way.
"""
import http.client
import json
import re
import sys
import time
import urllib.parse
import uuid


def connect(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=120)


def call(conn, token, method, path, body=None, headers=None):
    h = {"Authorization": "Bearer " + token}
    if body is not None:
        h["Content-Type"] = "application/json"
        body = json.dumps(body)
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        sys.exit(f"sync.py: {method} {path} answered {resp.status}: {data[:300]!r}")
    return resp, data


def download(base, token):
    conn = connect(base)
    cursor, records, pages, spent = None, 0, 0, 0.0
    while True:
        path = "/api/v1/sync/changes?limit=1000" + (f"&since={cursor}" if cursor else "")
        start = time.perf_counter()
        _, data = call(conn, token, "GET", path)
        spent += time.perf_counter() - start
        page = json.loads(data)
        records += len(page["changes"])
        pages += 1
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    print(f"records={records} seconds={spent:.2f} pages={pages} cursor={cursor}")


def touch(base, token, n):
    conn = connect(base)
    _, data = call(conn, token, "GET", f"/api/v1/clients?limit={n}")
    for i, item in enumerate(json.loads(data)["items"]):
        resp, _ = call(conn, token, "GET", f"/api/v1/clients/{item['id']}")
        etag = resp.getheader("ETag")
        call(conn, token, "PATCH", f"/api/v1/clients/{item['id']}",
             {"address": f"村委会东侧{i + 1}号"}, {"If-Match": etag})


def count(base, token, cursor):
    conn = connect(base)
    _, data = call(conn, token, "GET", f"/api/v1/sync/changes?limit=1000&since={cursor}")
    print(len(json.loads(data)["changes"]))


def push(base, requests_file):
    token, _method, path, body = open(requests_file).readline().rstrip("\n").split("\t")
    body = re.sub("__UUID__", lambda _: str(uuid.uuid4()), body)
    _, data = call(connect(base), token, "POST", path, json.loads(body))
    statuses = [r["status"] for r in json.loads(data)["results"]]
    if any(s != "applied" for s in statuses):
        sys.exit(f"sync.py: the batch was not applied whole: {data[:600]!r}")


if __name__ == "__main__":
    cmd, base, token, *rest = sys.argv[1:]
    if cmd == "push":
        push(base, token)
        sys.exit(0)
    if cmd == "download":
        download(base, token)
    elif cmd == "touch":
        touch(base, token, int(rest[0]))
    elif cmd == "count":
        count(base, token, rest[0])
    else:
        sys.exit(f"sync.py: unknown command {cmd}")
