#!/usr/bin/env python3
"""A tiny MCP server for bedrock-tui's tests: JSON-RPC 2.0 over stdio (one message a line) or,
with --http PORT, streamable HTTP on 127.0.0.1 answering each POST with JSON. Its tools: add
(two numbers), die (the server exits; listed before echo so that one answer can call both in
that order), echo (text back), env (the value of an environment variable, or "(unset)") and fail
(an error result)."""

import json
import os
import sys

TOOLS = [
    {
        "name": "add",
        "description": "Add two numbers.",
        "inputSchema": {
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"],
        },
    },
    {
        "name": "die",
        "description": "The server exits.",
        "inputSchema": {"type": "object", "properties": {}},
    },
    {
        "name": "echo",
        "description": "Say the text back.",
        "inputSchema": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
        },
    },
    {
        "name": "env",
        "description": "The value of an environment variable.",
        "inputSchema": {
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
        },
    },
    {
        "name": "fail",
        "description": "Always fails.",
        "inputSchema": {"type": "object", "properties": {}},
    },
]


def call(name, arguments):
    if name == "add":
        total = arguments.get("a", 0) + arguments.get("b", 0)
        return {"content": [{"type": "text", "text": str(total)}], "isError": False}
    if name == "echo":
        return {"content": [{"type": "text", "text": arguments.get("text", "")}], "isError": False}
    if name == "env":
        value = os.environ.get(arguments.get("name", ""), "(unset)")
        return {"content": [{"type": "text", "text": value}], "isError": False}
    if name == "fail":
        return {"content": [{"type": "text", "text": "the tool failed on purpose"}], "isError": True}
    if name == "die":
        sys.stderr.write("the test server exits now\n")
        sys.stderr.flush()
        sys.exit(3)
    return None


def answer(message):
    """The reply to one message, or None for a notification."""
    method = message.get("method")
    ident = message.get("id")
    if ident is None:
        return None
    params = message.get("params") or {}
    if method == "initialize":
        result = {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "bedrock-tui-test-server", "version": "1.0.0"},
        }
    elif method == "tools/list":
        result = {"tools": TOOLS}
    elif method == "tools/call":
        result = call(params.get("name"), params.get("arguments") or {})
        if result is None:
            return {"jsonrpc": "2.0", "id": ident,
                    "error": {"code": -32602, "message": "unknown tool"}}
    elif method == "ping":
        result = {}
    else:
        return {"jsonrpc": "2.0", "id": ident,
                "error": {"code": -32601, "message": "method not found: %s" % method}}
    return {"jsonrpc": "2.0", "id": ident, "result": result}


def stdio():
    sys.stderr.write("test server ready\n")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        reply = answer(json.loads(line))
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()


def http(port):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("content-length", "0"))
            message = json.loads(self.rfile.read(length))
            reply = answer(message)
            if reply is None:
                self.send_response(202)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            body = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            if message.get("method") == "initialize":
                self.send_header("mcp-session-id", "test-session")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.send_response(405)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_DELETE(self):
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

    server = HTTPServer(("127.0.0.1", port), Handler)
    sys.stdout.write("listening on %d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        http(int(sys.argv[2]))
    else:
        stdio()
