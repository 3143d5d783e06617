"""Checks, with huggingface_hub's own code, that a cache ShapedVit.Hub wrote is the cache Python reads.

Not a test the suite runs (no Python at test time): a one-off verification whose result docs/hub.md records. It starts a
stand-in Hub on loopback (HEAD and GET with the headers huggingface_hub reads), lets ShapedVit.Hub.TestDownloader
(the C# client) download two files into an empty cache, then asks huggingface_hub's hf_hub_download(...,
local_files_only=True) and try_to_load_from_cache for them and compares bytes and paths.

huggingface_hub's source is used from outside the repository (git archive of github:huggingface/huggingface_hub into
/tmp/hfhub-src); its module-level `import httpx` is satisfied by a stand-in module (Debian has no httpx), which the
offline lookup never calls. Usage:
  PYTHONPATH=/tmp/hfstub:/tmp/hfhub-src/src /usr/bin/python3 tests/Fixtures/hub/check_with_huggingface_hub.py DOWNLOADER
"""
import hashlib
import http.server
import os
import subprocess
import sys
import tempfile
import threading

REPO = "timm/tiny-check"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
FILES = {
    "config.json": b'{"architecture": "vit_tiny_patch16_224", "num_classes": 2}',
    "model.safetensors": bytes(range(256)) * 40,
}


class Hub(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _headers(self):
        prefix = f"/{REPO}/resolve/main/"
        name = self.path[len(prefix):] if self.path.startswith(prefix) else None
        if name not in FILES:
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.end_headers()
            return None
        body = FILES[name]
        self.send_response(200)
        self.send_header("X-Repo-Commit", COMMIT)
        if name.endswith(".safetensors"):  # an LFS file: its sha256 is the etag
            self.send_header("X-Linked-Etag", '"' + hashlib.sha256(body).hexdigest() + '"')
            self.send_header("X-Linked-Size", str(len(body)))
        self.send_header("ETag", '"' + hashlib.sha1(body).hexdigest() + '"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return body

    def do_HEAD(self):
        self._headers()

    def do_GET(self):
        body = self._headers()
        if body is not None:
            self.wfile.write(body)


def main():
    downloader = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    cache = tempfile.mkdtemp(prefix="hub-cache-")
    for name in FILES:
        out = subprocess.run([downloader, endpoint, cache, REPO, name], capture_output=True, text=True, check=True)
        print("ShapedVit:", out.stdout.strip())
    server.shutdown()

    import huggingface_hub
    from huggingface_hub import hf_hub_download, try_to_load_from_cache
    from huggingface_hub.utils import _headers
    _headers.detect_agent = lambda: None  # the user-agent's agent probe reads a registry through httpx, absent here
    print("huggingface_hub", huggingface_hub.__version__)
    for name, body in FILES.items():
        path = hf_hub_download(REPO, name, cache_dir=cache, local_files_only=True)
        cached = try_to_load_from_cache(REPO, name, cache_dir=cache)
        with open(path, "rb") as f:
            same = f.read() == body
        expected = os.path.join(cache, "models--timm--tiny-check", "snapshots", COMMIT, name)
        print(f"{name}: hf_hub_download(local_files_only=True) -> {path}; bytes equal: {same}; try_to_load_from_cache same path: {cached == path}")
        assert same and cached == path and path == expected, name
    print("huggingface_hub finds every file ShapedVit.Hub cached")


if __name__ == "__main__":
    main()
