"""Summarises schemathesis NDJSON reports: operations, requests, status codes, and the failures
by check and by operation (one example each), for the CI log and for reading failures quickly.

With a `dropped.tsv` written by .ci/fuzz_hooks.py among the arguments, also counts the
rejections that hook set aside, by the rules they named.

Usage: python3 .ci/fuzz-summary.py target/fuzz/worker/ndjson-*.ndjson [target/fuzz/worker/dropped.tsv]
"""

import collections
import json
import sys
import base64


def decode(payload) -> str:
    """A recorded body as text."""
    if isinstance(payload, dict) and "$base64" in payload:
        return base64.b64decode(payload["$base64"]).decode("utf-8", "replace")
    return "" if payload is None else str(payload)


def summarise(path: str) -> None:
    operations = set()
    requests = 0
    statuses = collections.Counter()
    checks = collections.Counter()
    examples = {}
    for line in open(path, encoding="utf-8"):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder", {})
        interactions = recorder.get("interactions", {})
        for interaction in interactions.values():
            requests += 1
            response = interaction.get("response") or {}
            statuses[response.get("status_code", "no response")] += 1
            operations.add(recorder.get("label"))
        for case_id, results in recorder.get("checks", {}).items():
            for result in results:
                if result.get("status") != "failure":
                    continue
                failure = (result.get("failure_info") or {}).get("failure") or {}
                code = failure.get("code") or result["name"]
                operation = failure.get("operation") or recorder.get("label")
                key = (code, failure.get("title", result["name"]), operation)
                checks[key] += 1
                if key not in examples:
                    interaction = interactions.get(case_id) or {}
                    request = interaction.get("request") or {}
                    response = interaction.get("response") or {}
                    text = decode(response.get("content"))
                    sent = decode(request.get("body"))
                    examples[key] = (
                        request.get("method"),
                        request.get("uri"),
                        sent if sent else "",
                        response.get("status_code"),
                        (text or "")[:300],
                        failure.get("message", "").splitlines()[0] if failure.get("message") else "",
                    )
    print(f"== {path}")
    print(f"operations exercised: {len(operations)}; requests: {requests}")
    print("responses by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=lambda x: str(x[0]))))
    by_check = collections.Counter()
    for (code, title, _), n in checks.items():
        by_check[f"{code} {title}"] += 1
    print("failing operations by check: " + (", ".join(f"{c}: {n}" for c, n in sorted(by_check.items())) or "none"))
    for key in sorted(checks, key=lambda k: (k[0], k[2] or "")):
        code, title, operation = key
        method, uri, sent, status, text, message = examples[key]
        print(f"- {code} {title} | {operation} | {method} {uri}")
        if sent:
            print(f"    body: {str(sent)[:300]}")
        print(f"    -> {status} {text}")
        if message:
            print(f"    ({message})")


def dropped(path: str) -> None:
    """Counts the set-aside rejections by reason, and the operations each touched."""
    reasons = collections.Counter()
    operations = collections.defaultdict(set)
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        operation, _, why = line.partition("\t")
        reasons[why] += 1
        operations[why].add(operation)
    print(f"rejections set aside by .ci/fuzz_hooks.py: {sum(reasons.values())}")
    for why, n in reasons.most_common():
        print(f"    {n:5}  {why}  ({len(operations[why])} operations)")


for p in sys.argv[1:]:
    if p.endswith(".tsv"):
        dropped(p)
    else:
        summarise(p)
