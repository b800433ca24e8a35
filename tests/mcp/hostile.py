#!/usr/bin/env python3
"""A hostile MCP server for bedrock-tui's tests: JSON-RPC 2.0 over stdio, one message a line,
misbehaving in the way its first argument names:

  pages-forever   tools/list answers page after page, each with a new cursor, without end
  cursor-loop     tools/list pages go round: the second page names the first again
  many-tools      one page of 5,000 tools
  bad-names       tools whose names no model takes, and one named like a built-in (read_file)
  huge-result     `blob` answers 20 MiB of text in one message
  deep-result     `deep` answers a result nested 300 deep
  ignore-eof      ignores the end of its input and SIGTERM; writes its pid to the file named
                  by its second argument, and a child's pid beside it
"""

import json
import os
import signal
import sys
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else ""


def tool(name, description="A tool."):
    return {
        "name": name,
        "description": description,
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
    }


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def result(ident, value):
    send({"jsonrpc": "2.0", "id": ident, "result": value})


def tools_list(ident, params):
    cursor = params.get("cursor")
    if MODE == "pages-forever":
        page = int(cursor or "0")
        result(ident, {"tools": [tool("t%d" % page, "x" * 1000)], "nextCursor": str(page + 1)})
    elif MODE == "cursor-loop":
        result(ident, {"tools": [tool("loop")], "nextCursor": "b" if cursor != "b" else "a"})
    elif MODE == "many-tools":
        result(ident, {"tools": [tool("t%d" % n) for n in range(5000)]})
    elif MODE == "bad-names":
        names = ["read file", "a:b", "x" * 300, "", "read_file", "ok_tool", "\u202eevil"]
        result(ident, {"tools": [tool(n) for n in names]})
    else:
        result(ident, {"tools": [tool("blob"), tool("deep"), tool("echo")]})


def tools_call(ident, params):
    name = params.get("name")
    arguments = params.get("arguments") or {}
    if name == "blob":
        text = "z" * (20 << 20)
        # Written in pieces, as a real server's large answer arrives.
        line = json.dumps({"jsonrpc": "2.0", "id": ident,
                           "result": {"content": [{"type": "text", "text": text}]}})
        for at in range(0, len(line), 1 << 16):
            sys.stdout.write(line[at:at + (1 << 16)])
        sys.stdout.write("\n")
        sys.stdout.flush()
    elif name == "deep":
        value = "bottom"
        for _ in range(300):
            value = [value]
        result(ident, {"content": [{"type": "text", "text": "deep"}], "structuredContent": {"v": value}})
    else:
        text = arguments.get("text", "")
        result(ident, {"content": [{"type": "text", "text": "%s: %s" % (name, text)}]})


def main():
    if MODE == "ignore-eof":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                time.sleep(1)
        with open(sys.argv[2], "w") as out:
            out.write("%d %d\n" % (os.getpid(), child))
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        message = json.loads(line)
        ident = message.get("id")
        if ident is None:
            continue
        method = message.get("method")
        params = message.get("params") or {}
        if method == "initialize":
            result(ident, {
                "protocolVersion": params.get("protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "bedrock-tui-hostile-server", "version": "1.0.0"},
            })
        elif method == "tools/list":
            tools_list(ident, params)
        elif method == "tools/call":
            tools_call(ident, params)
        elif method == "ping":
            result(ident, {})
        else:
            send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": "no"}})
    if MODE == "ignore-eof":
        while True:
            time.sleep(1)


if __name__ == "__main__":
    main()
