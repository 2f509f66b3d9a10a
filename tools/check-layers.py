#!/usr/bin/env python3
"""Fails when a module of the library points up a layer (ARCHITECTURE.md, "Layers").

Each file under src/ belongs to the layer of its module path (the longest prefix in
LAYERS). Every `crate::…`, `$crate::…` and `super::…` path in it (use trees expanded)
is resolved to the module it names; a path into a higher layer is a violation.
`mod` declarations and `pub use` re-exports are not uses: a parent module may declare
and re-export a child of a higher layer so that the public paths stay where users find
them (`httpx::transport::HttpTransport`). Comments and doc comments are ignored.

Usage: tools/check-layers.py [--graph]   (--graph prints every cross-module edge)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

# Lowest first. A module may use its own layer and the layers before it.
LAYERS = [
    ("base", ["rt", "error", "url", "headers", "status"]),
    ("models", ["request", "response", "content", "decoders", "cookies", "config"]),
    (
        "transport contract",
        ["transport", "transport::mock", "transport::app", "transport::mounts"],
    ),
    ("auth", ["auth"]),
    ("flow", ["flow"]),
    ("network transports", ["transport::hyper", "transport::fetch", "transport::wasi"]),
    ("client set-up", ["client::settings", "client::setup"]),
    ("clients", ["client"]),
    # Entry points for the fuzz targets (compiled only with --cfg fuzzing).
    ("fuzzing", ["__fuzz"]),
]


def layer_of(module):
    """(index, name) of the layer of a module path, by its longest listed prefix."""
    best = None
    for index, (name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "::"):
                if best is None or len(prefix) > best[2]:
                    best = (index, name, len(prefix))
    return None if best is None else best[:2]


def module_of(path):
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return "::".join(parts)


def strip_comments(text):
    """The source without comments, string contents blanked (a URL is not a path)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        elif c == "'" and i + 2 < n and (text[i + 2] == "'" or text[i + 1] == "\\"):
            # A char literal ('"', '\n'); lifetimes ('a) pass through.
            j = text.find("'", i + 2)
            out.append("' '")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [tree.split(" as ")[0]]
    prefix = tree[:brace]
    inner = tree[brace + 1 : tree.rfind("}")]
    items, depth, start = [], 0, 0
    for k, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(inner[start:k])
            start = k + 1
    items.append(inner[start:])
    paths = []
    for item in items:
        if item:
            paths.extend(prefix + p for p in expand_use_tree(item))
    return paths


def inline_module_spans(text):
    """(start, end) of each inline `mod name { ... }` body."""
    spans = []
    for m in re.finditer(r"\bmod\s+\w+\s*\{", text):
        depth, k = 0, m.end() - 1
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        spans.append((m.end(), k))
    return spans


def root_reexports():
    """Names that lib.rs re-exports, mapped to the module they come from."""
    names = {}
    text = strip_comments((SRC / "lib.rs").read_text())
    for tree in re.findall(r"pub\s+use\s+([^;]+);", text):
        for path in expand_use_tree(tree):
            parts = path.replace("as", " ").split("::")
            if parts[0] == "crate" and len(parts) > 2:
                names[parts[-1].split()[0]] = "::".join(parts[1:-1])
    return names


def main():
    files = sorted(SRC.rglob("*.rs"))
    modules = {module_of(f) for f in files}
    reexports = root_reexports()

    def resolve(module_path):
        """The longest known module that a path (without `crate::`) names."""
        parts = module_path.split("::")
        for k in range(len(parts), 0, -1):
            candidate = "::".join(parts[:k])
            if candidate in modules and candidate:
                return candidate
        return reexports.get(parts[0], "")

    violations, edges = [], set()
    for f in files:
        module = module_of(f)
        if module == "":
            continue  # lib.rs: declarations and re-exports only
        mine = layer_of(module)
        if mine is None:
            violations.append(f"{f.relative_to(ROOT)}: module `{module}` is in no layer")
            continue
        text = strip_comments(f.read_text())
        # Re-exports are not uses (blanked, so that positions stay).
        text = re.sub(
            r"pub(\([^)]*\))?\s+use\s+[^;]+;", lambda m: " " * len(m.group(0)), text
        )
        inline_mods = inline_module_spans(text)
        paths = []  # (path, position)
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            paths.extend((p, m.start()) for p in expand_use_tree(m.group(1)))
        body = re.sub(r"\buse\s+[^;]+;", lambda m: " " * len(m.group(0)), text)
        for m in re.finditer(r"(?:\$?crate|super|self)(?:::\w+)+", body):
            paths.append((m.group(0), m.start()))
        # Paths that start at a child module (`hyper::HttpTransport` in `transport`).
        for m in re.finditer(r"(?<![\w:])\w+(?:::\w+)+", body):
            if f"{module}::{m.group(0).split('::')[0]}" in modules:
                paths.append(("self::" + m.group(0), m.start()))
        for path, position in paths:
            parts = path.lstrip("$").split("::")
            # `super` inside an inline module (`mod tests { use super::*; }`) first
            # climbs out of the inline modules around it, staying in this file.
            depth = sum(1 for start, end in inline_mods if start < position < end)
            if parts[0] == "crate":
                target_path = parts[1:]
            elif parts[0] == "self":
                target_path = module.split("::") + parts[1:]
            elif parts[0] == "super":
                base = module.split("::")
                while parts and parts[0] == "super":
                    parts = parts[1:]
                    if depth > 0:
                        depth -= 1
                    else:
                        base = base[:-1]
                target_path = base + parts
            else:
                continue
            target_path = [p for p in target_path if p not in ("*", "self")]
            target = resolve("::".join(target_path))
            if not target or target == module:
                continue
            theirs = layer_of(target)
            if theirs is None:
                continue
            edges.add((module, target))
            if theirs[0] > mine[0]:
                violations.append(
                    f"{f.relative_to(ROOT)}: `{module}` ({mine[1]}) uses `{path}` "
                    f"of `{target}` ({theirs[1]}), a higher layer"
                )
    if "--graph" in sys.argv:
        for a, b in sorted(edges):
            print(f"{a} -> {b}")
    if violations:
        print("Layering violations (see ARCHITECTURE.md, Layers):", file=sys.stderr)
        for v in sorted(set(violations)):
            print("  " + v, file=sys.stderr)
        sys.exit(1)
    print(f"layers: {len(files)} files, {len(edges)} cross-module uses, all point down")


if __name__ == "__main__":
    main()
