#!/usr/bin/env python3
"""Reports import cycles between the source files of each crate of the workspace.

For every crate (the root package and crates/*), the module tree is read from its files
(lib.rs / main.rs, foo.rs, foo/mod.rs, foo/bar.rs). An edge A -> B means that file A's
non-test code names an item of file B: a `use` (crate::, self::, super:: or a child module),
or a qualified path `crate::...` / `super::...` in the code. Re-exports are followed: naming
`crate::Foo` where lib.rs says `pub use session::Foo` is an edge to session.rs, and a
`pub use` by itself is no edge (a facade is not a dependency). Test code is left out: files
declared under `#[cfg(test)]`, and `#[cfg(test)]` items inside files. Comments and string
literals are ignored.

Prints every cycle (one per strongly connected component, with the lines that make each
edge) and exits 1 if there is one; exits 0 and prints a summary otherwise.

Known cycles that are not fixed yet are listed in `scripts/import-cycles.allow`, one cycle per
line as the files in it (paths from the workspace root, separated by spaces; `#` starts a
comment). A cycle whose files all sit on one such line is printed as known and does not fail
the run; any other cycle does. Remove a line once its cycle is gone.

Usage: scripts/import-cycles.py [workspace root]   (pure Python 3, no dependencies)
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments_and_strings(src):
    """Blanks comments, string and char literals, keeping line numbers."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * src.count("\n", i, j))
            i = j
        elif c == "r" and re.match(r'r#*"', src[i:i + 10]) and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', src[i:]).group(1)
            end = src.find('"' + hashes, i + len(hashes) + 2)
            end = n if end < 0 else end + 1 + len(hashes)
            out.append('""' + "\n" * src.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append('""' + "\n" * src.count("\n", i, j))
            i = j + 1
        elif c == "'":
            # A char literal ('a', '\n', '\u{..}') or a lifetime ('a): blank only literals.
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", src[i:i + 12])
            if m:
                out.append("' '")
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(src, open_at):
    depth = 0
    for j in range(open_at, len(src)):
        if src[j] == "{":
            depth += 1
        elif src[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(src) - 1


CFG_TEST = re.compile(r"#\[cfg\(\s*(all\(\s*)?test\b[^\]]*\]")


def strip_test_items(src):
    """Blanks items under #[cfg(test)]; returns (code, names of test-only child modules)."""
    test_mods = set()
    while True:
        m = CFG_TEST.search(src)
        if not m:
            return src, test_mods
        rest = src[m.end():]
        item = re.match(r"\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?", rest)
        k = m.end() + item.end()
        decl = re.match(r"mod\s+(" + IDENT + r")\s*;", src[k:])
        if decl:
            test_mods.add(decl.group(1))
            end = k + decl.end()
        else:
            semi, brace = src.find(";", k), src.find("{", k)
            if brace >= 0 and (semi < 0 or brace < semi):
                end = matching_brace(src, brace) + 1
            else:
                end = semi + 1 if semi >= 0 else len(src)
        blank = re.sub(r"[^\n]", " ", src[m.start():end])
        src = src[:m.start()] + blank + src[end:]


class Module:
    def __init__(self, path, file, dir_for_children):
        self.path = path  # tuple of names from the crate root
        self.file = file
        self.dir = dir_for_children
        self.children = {}  # name -> Module
        self.code = ""
        self.reexports = {}  # name -> (absolute path tuple)
        self.glob_reexports = []  # absolute path tuples
        self.uses = []  # (absolute path tuple, line)


def child_file(mod, name, attrs_path=None):
    cands = [os.path.join(mod.dir, name + ".rs"), os.path.join(mod.dir, name, "mod.rs")]
    for c in cands:
        if os.path.isfile(c):
            sub_dir = os.path.join(mod.dir, name)
            return c, sub_dir
    return None, None


MOD_DECL = re.compile(r"(#\[path\s*=\s*\"([^\"]*)\"\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])")


def load(root_file):
    """Builds the module tree of one crate; returns the root Module and all modules."""
    root = Module((), root_file, os.path.dirname(root_file))
    modules = []

    def visit(mod, raw_src):
        src, test_mods = strip_test_items(strip_comments_and_strings(raw_src))
        mod.code = src
        modules.append(mod)
        for m in MOD_DECL.finditer(src):
            name, kind = m.group(3), m.group(4)
            if name in test_mods:
                continue
            if kind == "{":
                # An inline module: its code stays part of this file's code.
                continue
            f, sub = child_file(mod, name)
            if f is None:
                continue
            child = Module(mod.path + (name,), f, sub)
            mod.children[name] = child
            with open(f, encoding="utf-8") as fh:
                visit(child, fh.read())

    with open(root_file, encoding="utf-8") as fh:
        visit(root, fh.read())
    return root, modules


def expand_use_tree(tree):
    """`a::{b, c::{d, e as f}, self}` -> [['a','b'], ['a','c','d'], ['a','c','e'], ['a']]."""
    tree = re.sub(r"\s+", "", tree)

    def split_top(s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        return parts

    def rec(prefix, s):
        s = re.sub(r"as" + IDENT + "$", "", s) if re.search(r"\bas[A-Za-z_]", s) else s
        s = re.sub(r"as(" + IDENT + r")$", "", s)
        if "{" in s:
            head, body = s.split("{", 1)
            body = body[: body.rfind("}")]
            head_parts = [p for p in head.split("::") if p]
            out = []
            for part in split_top(body):
                out.extend(rec(prefix + head_parts, part))
            return out
        segs = [p for p in s.split("::") if p]
        if segs and segs[-1] == "self":
            segs = segs[:-1]
        return [prefix + segs]

    return rec([], tree)


USE = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
QUALIFIED = re.compile(r"(?<![$\w])(crate|super|self)((?:\s*::\s*(?:" + IDENT + r"|\*))+)")


def absolute(mod, segs, crate_names):
    """The absolute path (from the crate root) that `segs`, used in `mod`, refers to, or
    None for an external crate or a name that is not a module path."""
    if not segs:
        return None
    base = list(mod.path)
    first = segs[0]
    if first == "crate":
        return tuple(segs[1:])
    if first in ("self", "super"):
        i = 0
        while i < len(segs) and segs[i] in ("self", "super"):
            if segs[i] == "super":
                if not base:
                    return None
                base.pop()
            i += 1
        return tuple(base + segs[i:])
    if first in mod.children:
        return tuple(base + segs)
    return None


MACROS = {}  # macro name -> the Module whose file defines it (per crate, set by crate_edges)


def resolve(root, path, seen=None):
    """The module whose file defines the item at `path` (following re-exports; a macro
    named through the crate root resolves to the file that defines it)."""
    seen = seen or set()
    mod = root
    i = 0
    while i < len(path):
        seg = path[i]
        if i == len(path) - 1 and seg in MACROS and seg not in mod.children:
            return MACROS[seg]
        if seg in mod.children:
            mod = mod.children[seg]
            i += 1
            continue
        key = (mod.path, seg)
        if seg in mod.reexports and key not in seen:
            seen.add(key)
            return resolve(root, mod.reexports[seg] + tuple(path[i + 1:]), seen)
        for g in mod.glob_reexports:
            key = (mod.path, g, seg)
            if key in seen:
                continue
            seen.add(key)
            target = resolve(root, g + (seg,), seen)
            if target is not None and target is not mod:
                return target
        return mod
    return mod


def line_of(src, pos):
    return src.count("\n", 0, pos) + 1


def crate_edges(root_file):
    root, modules = load(root_file)
    MACROS.clear()
    for mod in modules:
        for m in re.finditer(r"macro_rules!\s*(" + IDENT + ")", mod.code):
            MACROS.setdefault(m.group(1), mod)
    # Pass 1: re-exports (`pub use`).
    for mod in modules:
        for m in USE.finditer(mod.code):
            if not m.group(1):
                continue
            for segs in expand_use_tree(m.group(2)):
                if not segs:
                    continue
                target = absolute(mod, segs, None)
                if target is None:
                    continue
                if segs[-1] == "*":
                    mod.glob_reexports.append(target[:-1])
                else:
                    mod.reexports[segs[-1]] = target
    # Pass 2: edges.
    edges = {}  # (from file, to file) -> [lines]
    for mod in modules:
        refs = []
        for m in USE.finditer(mod.code):
            if m.group(1):
                continue  # a re-export is no dependency of this file
            for segs in expand_use_tree(m.group(2)):
                refs.append((segs, line_of(mod.code, m.start())))
        code_wo_uses = USE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), mod.code)
        for m in QUALIFIED.finditer(code_wo_uses):
            segs = [m.group(1)] + [s.strip() for s in m.group(2).split("::") if s.strip()]
            refs.append((segs, line_of(mod.code, m.start())))
        for segs, line in refs:
            if segs and segs[-1] == "*":
                segs = segs[:-1]
            target = absolute(mod, segs, None)
            if target is None:
                continue
            # A path ending in a module names the module; otherwise its last segment is an
            # item of the module before it (or a re-export there).
            to = resolve(root, target)
            if to is None or to is mod:
                continue
            edges.setdefault((mod.file, to.file), []).append(line)
    return [m.file for m in modules], edges


def cycles(nodes, edges):
    """Strongly connected components with more than one file (Tarjan)."""
    graph = {n: [] for n in nodes}
    for (a, b) in edges:
        graph.setdefault(a, []).append(b)
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def one_cycle(comp, edges):
    """A shortest cycle through the component's first file, as a list of files."""
    comp_set = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for (a, b) in edges:
            if a != v or b not in comp_set:
                continue
            if b == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if b not in prev:
                prev[b] = v
                queue.append(b)
    return comp + [comp[0]]


def crate_roots(workspace):
    roots = []
    candidates = [workspace] + sorted(
        os.path.join(workspace, "crates", d) for d in os.listdir(os.path.join(workspace, "crates"))
    )
    for c in candidates:
        for f in ("src/lib.rs", "src/main.rs"):
            p = os.path.join(c, f)
            if os.path.isfile(p):
                roots.append(p)
    return roots


def main():
    workspace = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    found = known = files = 0
    allowed = []
    allow_file = os.path.join(workspace, "scripts", "import-cycles.allow")
    if os.path.isfile(allow_file):
        with open(allow_file, encoding="utf-8") as fh:
            for line in fh:
                line = line.split("#", 1)[0].split()
                if line:
                    allowed.append(set(line))
    for root_file in crate_roots(workspace):
        nodes, edges = crate_edges(root_file)
        files += len(nodes)
        for comp in cycles(nodes, edges):
            rel = lambda p: os.path.relpath(p, workspace)
            cyc = one_cycle(comp, edges)
            if any({rel(f) for f in comp} <= a for a in allowed):
                known += 1
                print("known import cycle (scripts/import-cycles.allow): " + ", ".join(rel(f) for f in comp))
                continue
            found += 1
            print(f"import cycle in {rel(os.path.dirname(os.path.dirname(root_file)))}: "
                  + " -> ".join(rel(f) for f in cyc))
            for a, b in zip(cyc, cyc[1:]):
                lines = ", ".join(str(l) for l in sorted(set(edges[(a, b)]))[:5])
                print(f"    {rel(a)} (line {lines}) uses {rel(b)}")
            if len(comp) > len(cyc) - 1:
                print("    files in the same cycle: " + ", ".join(rel(f) for f in comp))
    if found:
        print(f"{found} import cycle(s) between files")
        return 1
    print(f"no new import cycles ({files} source files, {known} known cycle(s) allowed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
