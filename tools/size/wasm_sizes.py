#!/usr/bin/env python3
"""What is big in a .wasm file: code bytes per function and per crate, from the name
section (keep it: wasm-opt -g, or the wasm-bindgen output before wasm-opt), plus the
size of each section. twiggy does more; this needs nothing but Python.

    python3 tools/size/wasm_sizes.py module.wasm [--top N]
"""
import re
import sys
from collections import defaultdict


def leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def name(data, pos):
    length, pos = leb(data, pos)
    return data[pos:pos + length].decode("utf-8", "replace"), pos + length


def sections(data):
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, body = leb(data, pos + 1)
        yield sid, data[body:body + size]
        pos = body + size


SECTION_NAMES = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table",
                 5: "memory", 6: "global", 7: "export", 8: "start", 9: "element",
                 10: "code", 11: "data", 12: "datacount"}


def crate_of(symbol):
    # "<httpx::x::Y as core::fmt::Debug>::fmt" -> "httpx"; "core::fmt::write" -> "core"
    symbol = symbol.lstrip("<&*")
    symbol = re.sub(r"^(mut |dyn |impl )", "", symbol)
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::", symbol)
    return match.group(1) if match else "(other)"


def main():
    path = sys.argv[1]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 25
    data = open(path, "rb").read()
    imported = 0
    code_sizes = []
    names = {}
    section_sizes = defaultdict(int)
    for sid, body in sections(data):
        label = SECTION_NAMES.get(sid, str(sid))
        if sid == 0:
            custom, rest = name(body, 0)
            label = f"custom:{custom}"
            if custom == "name":
                pos = rest
                while pos < len(body):
                    sub = body[pos]
                    size, start = leb(body, pos + 1)
                    if sub == 1:
                        count, p = leb(body, start)
                        for _ in range(count):
                            index, p = leb(body, p)
                            names[index], p = name(body, p)
                    pos = start + size
        elif sid == 2:
            count, p = leb(body, 0)
            for _ in range(count):
                _, p = name(body, p)
                _, p = name(body, p)
                kind = body[p]
                p += 1
                if kind == 0:
                    imported += 1
                    _, p = leb(body, p)
                elif kind == 1:
                    p += 1
                    flags, p = leb(body, p)
                    _, p = leb(body, p)
                    if flags & 1:
                        _, p = leb(body, p)
                elif kind == 2:
                    flags, p = leb(body, p)
                    _, p = leb(body, p)
                    if flags & 1:
                        _, p = leb(body, p)
                elif kind == 3:
                    p += 2
                else:
                    _, p = leb(body, p)
        elif sid == 10:
            count, p = leb(body, 0)
            for _ in range(count):
                size, start = leb(body, p)
                code_sizes.append(size + (start - p))
                p = start + size
        section_sizes[label] += len(body)

    print(f"{path}: {len(data)} bytes")
    for label, size in sorted(section_sizes.items(), key=lambda kv: -kv[1]):
        print(f"  section {label:<28} {size:>9}")
    per_crate = defaultdict(int)
    rows = []
    for i, size in enumerate(code_sizes):
        symbol = names.get(imported + i, f"func[{imported + i}]")
        per_crate[crate_of(symbol)] += size
        rows.append((size, symbol))
    total = sum(code_sizes) or 1
    print(f"\ncode by crate ({len(code_sizes)} functions, {total} bytes):")
    for crate, size in sorted(per_crate.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {size:>8}  {100 * size / total:5.1f}%  {crate}")
    print(f"\nlargest functions:")
    for size, symbol in sorted(rows, reverse=True)[:top]:
        print(f"  {size:>8}  {symbol[:150]}")


if __name__ == "__main__":
    main()
