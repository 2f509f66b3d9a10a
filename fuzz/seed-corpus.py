#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ from the repository's test
vectors (tests/fixtures/, bindings/js/tests/vectors/) and a few unit-test inputs.
Run once when the vectors change; libFuzzer adds what it finds to the same folders
when a target runs, and those additions are not committed (.gitignore keeps seed-*
only). zstd and brotli seeds need the `zstd` and `brotli` commands when present.
"""
import gzip, hashlib, json, pathlib, random, shutil, subprocess, zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
PER_TARGET = 40
random.seed(15)


def write(target, items):
    out = CORPUS / target
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("seed-*"):
        old.unlink()
    items = [i if isinstance(i, bytes) else i.encode("utf-8", "surrogatepass") for i in items]
    items = list(dict.fromkeys(items))
    if len(items) > PER_TARGET:
        items = items[:8] + random.sample(items[8:], PER_TARGET - 8)
    for item in items:
        (out / f"seed-{hashlib.sha1(item).hexdigest()[:16]}").write_bytes(item)


def load(path):
    return json.loads((ROOT / path).read_text())


whatwg = [t for t in load("tests/fixtures/whatwg.json") if isinstance(t, dict)]
write("url_parse", [t["input"] for t in whatwg if not t.get("failure")] +
      [t["input"] for t in whatwg if t.get("failure")][:10])
write("url_ops", [f"{t['base']}\n{t['input']}\n{chr(48 + i % 10)}\nkey\nvalue"
                  for i, t in enumerate(whatwg) if t.get("base")])
write("query_params", ["a=1&b=2&a=3", "q=%20x+y&empty=&flag", "a=%zz&=x&&b", "k=v\nk",
                       "%E4%B8%AD=%F0%9F%98%80", "a;b=c"])
headers = load("bindings/js/tests/vectors/headers.json")
write("headers", [b"\xff".join(f"{k}\xff{v}".encode() for k, v in c["init"]) for c in headers] +
      [b"X-A\xffok\xffX-B\xffbad\r\nvalue", b"Bad Name\xffv", b"\xffempty"])
cookies = []
for name in ("parser.json",):
    for t in load(f"tests/fixtures/http-state/{name}"):
        lines = t.get("received", [])
        cookies.append(bytes([len(cookies) % 8]) + "\n".join(
            ["home.example.org:8888/cookie-parser?" + t.get("test", ""),
             "home.example.org:8888/cookie-parser-result"] + lines).encode())
write("cookies", cookies)
write("digest", [
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    '\nMufasa\nCircle of Life\nGET\n/dir/index.html\n\nf2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    'Digest realm="x", nonce="1", algorithm=MD5-sess, qop=auth\nu\np\nPOST\n/\nbody\nc',
    'Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
    'opaque="5ccc069c403ebaf9f0171e9517f40e41"\nMufasa\nCircle Of Life\nGET\n/dir/index.html\n\n0a4f113b',
    'Digest realm="a\\"b", nonce="n", userhash=true, charset=UTF-8, stale=TRUE\nu\np\nGET\n/\n\nc',
    'Basic realm="x", Digest realm="y", nonce="z", algorithm=SHA-512-256, qop="auth-int"\nu\np\nPUT\n/x\nb\nc',
])
write("netrc", [(ROOT / "tests/fixtures/netrc" / n).read_bytes() for n in ("netrc", "netrc-nopassword")] + [
    "machine example.org login user password pass\ndefault login anon password x",
    "macdef init\ncd /pub\nbinary\n\nmachine a.test login \"quoted user\" password 'p w'",
    "# comment\nmachine h account acc login l password p port 21",
])
links = load("bindings/js/tests/vectors/links.json")
write("links", [c["header"] for c in links] + ["<a>; rel=next\n<b>; rel=prev", "<>", "<x>;;;=,", ""])
lines = load("bindings/js/tests/vectors/lines.json")
write("lines", [bytes([len(c["chunks"])]) + bytes(len(x) - 1 if x else 0 for x in c["chunks"])
                + "".join(c["chunks"]).encode() for c in lines])
sample = b"".join(b"line %d of the body, some text to compress\n" % i for i in range(40))
texts = [b"", b"a", sample, bytes(range(256)), b"\x00" * 5000]


def raw_deflate(d):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(d) + c.flush()


def cli(cmd, data):
    if not shutil.which(cmd[0]):
        return None
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


decode = []  # (chain index of decode_content's CHAINS, body)
for t in texts:
    decode += [(0, gzip.compress(t)), (1, zlib.compress(t)), (1, raw_deflate(t)), (7, gzip.compress(t)),
               (8, t), (9, gzip.compress(gzip.compress(t)))]
    z = cli(["zstd", "-q", "-c"], t)
    if z is not None:
        decode += [(3, z), (6, zlib.compress(z))]
    b = cli(["brotli", "-c"], t)
    if b is not None:
        decode += [(2, b), (5, gzip.compress(b))]
decode.append((0, gzip.compress(b"first") + gzip.compress(b"second")))
# Leading bytes: the chain, then the split control byte (3 lengths: 1, 7, 64).
write("decode_content", [bytes([c, 3, 0, 6, 63]) + body for c, body in decode] +
      [bytes([c, 0]) + body for c, body in decode[:10]])
flate = [bytes([0, 0]) + gzip.compress(t) for t in texts] + [bytes([1, 2, 0, 9]) + zlib.compress(t) for t in texts] \
    + [bytes([2, 0]) + raw_deflate(t) for t in texts] + [bytes([0, 0]) + gzip.compress(b"a") + gzip.compress(b"b")]
write("decode_flate_diff", flate)
zs = [cli(["zstd", "-q", "-c", "--check"], t) for t in texts] + [cli(["zstd", "-q", "-c", "-19"], sample)]
write("decode_zstd_diff", [bytes([2, 4, 100]) + z for z in zs if z] + [bytes([0]) + z for z in zs if z])
text_seeds = ["plain ascii", "caf\u00e9 \u4e2d\u6587 \U0001F600", "\ufeffwith a BOM", "line\r\nline2"]
encoded = []
for i, s in enumerate(text_seeds):
    for label_index, codec in ((0, "utf-8"), (1, "utf-16-le"), (2, "utf-16-be"), (4, "shift_jis"),
                               (7, "gb18030"), (9, "big5"), (11, "cp1252"), (15, "koi8-r")):
        try:
            encoded.append(bytes([label_index, 2, 0, 2]) + s.encode(codec))
        except UnicodeEncodeError:
            pass
write("text_decode", encoded + [bytes([0, 1, 0]) + b"\xff\xfe\xe4\xb8", bytes([1, 0]) + b"\xd8\x00"])
write("multipart", [b"\x00\x00name\xfevalue", b"\x01\x01file\xfe" + sample[:200] + b"\xfea.txt\xfetext/plain",
                    b"\x00\x00a\xfe1\xff\x00b\xfe2\xff\x02f\xfe\x00\x01\x02\xfeb.bin\xfeapplication/octet-stream",
                    b"\x01\x00x\xfe--fuzz-boundary\r\n", b"\x00\x01up\xfe\xfe\xfe", "\x00\x00\u540d\xfe\u503c".encode()])
