#!/usr/bin/env python3
"""Turns the statements one request sent to PostgreSQL into a pgbench script.

While the benchmark captures, the bench database logs every statement (`log_statement = all`).
The script is given the server log and the byte range written while one request ran; it prints
each statement of that range with its logged parameters written in as literals, one per line,
so that pgbench runs exactly the SQL the endpoint ran. The pool's idle-connection check
(`SELECT $1` with 1) and a new connection's session setup are left out: under load a connection
is in steady use and sends neither.

    sqlcapture.py <server log> <from byte> <to byte> <database>
"""
import re
import sys

ENTRY = re.compile(r"^\S+ \S+ \S+ \[\d+\] (?P<who>\S*) ?(?P<level>LOG|DETAIL|ERROR|STATEMENT|HINT|WARNING):  (?P<text>.*)$")
EXECUTE = re.compile(r"^execute [^:]*: (?P<sql>.*)$", re.S)
SIMPLE = re.compile(r"^statement: (?P<sql>.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")
SETUP = re.compile(r"^\s*(SET |SHOW |select oid, typarray|SELECT oid, typarray)", re.I)


def entries(text):
    """Log entries (prefix fields and the whole message), joining continuation lines."""
    current = None
    for line in text.split("\n"):
        m = ENTRY.match(line)
        if m:
            if current:
                yield current
            current = {"who": m.group("who"), "level": m.group("level"), "text": m.group("text")}
        elif current is not None and line.startswith("\t"):
            current["text"] += "\n" + line[1:]
    if current:
        yield current


def inline(sql, params):
    """`$n` outside string literals replaced by the parameter's literal, `--` comments dropped
    and the statement put on one line."""
    out, i, quoted = [], 0, False
    while i < len(sql):
        c = sql[i]
        if c == "'":
            quoted = not quoted
        if not quoted and sql.startswith("--", i):
            i = sql.find("\n", i)
            if i < 0:
                break
            continue
        if c == "\n" and not quoted:
            c = " "
        if c == "$" and not quoted:
            m = re.match(r"\$(\d+)", sql[i:])
            if m:
                out.append(params[int(m.group(1))])
                i += len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def main():
    log, start, end, database = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode("utf-8", "replace")
    statements = []
    for e in entries(text):
        # Debian's prefix names user@database; keep only the bench database's statements.
        if "@" in e["who"] and not e["who"].endswith("@" + database):
            continue
        if e["level"] == "LOG":
            m = EXECUTE.match(e["text"]) or SIMPLE.match(e["text"])
            if m:
                statements.append([m.group("sql"), {}])
        elif e["level"] == "DETAIL" and e["text"].startswith("parameters: ") and statements:
            statements[-1][1] = {int(n): v for n, v in PARAM.findall(e["text"])}
        elif e["level"] == "ERROR":
            sys.exit(f"sqlcapture: the captured request failed in the database: {e['text']}")
    printed = 0
    for sql, params in statements:
        if sql.strip() == "SELECT $1" and params.get(1) == "'1'":
            continue
        if SETUP.match(sql):
            continue
        if sql.lstrip().startswith('INSERT INTO "audit_events" ("id"'):
            # A read that is audited writes an event of its own each time: the logged id again
            # would be a unique violation from pgbench's second transaction on.
            params = {**params, 1: "gen_random_uuid()"}
        print(inline(sql, params).strip() + ";")
        printed += 1
    if printed == 0:
        sys.exit("sqlcapture: no statements found (is log_statement = all on the bench database?)")


if __name__ == "__main__":
    main()
