#!/usr/bin/python3
"""Checks the build against the layering table of docs/architecture.md.

Two checks, each run on what `bazel query` says of the whole workspace:

  deps      every dependency edge between two packages of ours is allowed by the table: the
            package of the depending target lists the other in its "may depend on" cell (or
            says "anything"). Every package must have a row, and every row a package.
  includes  a source file that includes a header of LevelDB (`leveldb/`), Boost (`boost/`) or
            the crypto library (`openssl/`, and Boost.Asio's SSL layer `boost/asio/ssl`) belongs
            to a target that depends directly on that library (@system//:leveldb,
            @system//:boost, //third_party:crypto or //third_party:tls); and one that
            includes a header of ours belongs to a target that has it or depends directly on a
            target that declares it in hdrs (so a private header cannot be reached by include).

Usage: check_layering.py deps     TABLE GRAPH   (GRAPH: `bazel query --output=graph` output)
       check_layering.py includes XML ROOT      (XML: `bazel query --output=xml` of cc rules)
       check_layering.py self-test
Prints one line per violation and exits 1 if there is any, 0 otherwise.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

ANYTHING = "anything"

# Header prefix -> the dependency labels that provide it (any one will do).
LIBRARY_HEADERS = {
    "leveldb/": ("@system//:leveldb",),
    "boost/": ("@system//:boost",),
    # Boost.Asio's SSL layer includes the TLS library's headers: only //api/tls may use it.
    "boost/asio/ssl": ("//third_party:tls",),
    "openssl/": ("//third_party:crypto", "//third_party:tls", "@system//:openssl",
                 "@system//:boringssl"),
}


def parse_table(markdown):
    """Returns {package: set of allowed packages, or {ANYTHING}} from the layering table.

    The table is the first whose header has the columns "package" and "may depend on". Package
    names are the backquoted words of a cell; "anything" in the last cell allows every package.
    """
    rows = {}
    columns = None
    for line in markdown.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            if columns is not None and rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if columns is None:
            lowered = [c.lower() for c in cells]
            if "package" in lowered and "may depend on" in lowered:
                columns = (lowered.index("package"), lowered.index("may depend on"))
            continue
        if set(line) <= set("|-: "):
            continue
        names = re.findall(r"`([^`]+)`", cells[columns[0]])
        if len(names) != 1:
            raise ValueError("row %r: want one backquoted package name" % line)
        allowed_cell = cells[columns[1]]
        allowed = set(re.findall(r"`([^`]+)`", allowed_cell))
        if ANYTHING in allowed_cell.lower():
            allowed.add(ANYTHING)
        rows[names[0].rstrip("/")] = allowed
    if not rows:
        raise ValueError("no table with the columns 'package' and 'may depend on'")
    return rows


def package_edges(graph_text):
    """Returns {(from_package, to_package): example edge} for edges between our packages."""
    edges = {}
    for line in graph_text.splitlines():
        m = re.match(r'\s*"([^"]+)" -> "([^"]+)"', line)
        if not m:
            continue
        a, b = m.groups()
        if not (a.startswith("//") and b.startswith("//")) or IsBuiltin(a) or IsBuiltin(b):
            continue
        pa, pb = a[2:].split(":")[0], b[2:].split(":")[0]
        if pa != pb:
            edges.setdefault((pa, pb), (a, b))
    return edges


def IsBuiltin(label):
    """Bazel's own pseudo-targets, such as //conditions:default in a select()."""
    return label.startswith("//conditions:")


def packages_in(graph_text):
    found = set()
    for label in re.findall(r'"(//[^"]+)"', graph_text):
        if not IsBuiltin(label):
            found.add(label[2:].split(":")[0])
    return found


def check_deps(table, graph_text):
    problems = []
    packages = packages_in(graph_text)
    for package in sorted(packages - set(table)):
        problems.append("package %s has no row in the layering table" % package)
    for package in sorted(set(table) - packages):
        problems.append("the layering table lists %s, which has no targets" % package)
    for (pa, pb), (a, b) in sorted(package_edges(graph_text).items()):
        allowed = table.get(pa)
        if allowed is None or ANYTHING in allowed or pb in allowed:
            continue
        problems.append("%s may not depend on %s: %s -> %s (allowed: %s)" %
                        (pa, pb, a, b, ", ".join(sorted(allowed)) or "nothing"))
    return problems


def check_includes(xml_text, root):
    problems = []
    rules = []
    declared_by = {}  # Header path -> the rules that declare it in hdrs.
    for rule in ET.fromstring(xml_text).iter("rule"):
        deps = set()
        files = []
        for lst in rule.iter("list"):
            if lst.get("name") == "deps":
                deps.update(l.get("value") for l in lst.iter("label"))
            elif lst.get("name") in ("srcs", "hdrs", "textual_hdrs"):
                for l in lst.iter("label"):
                    files.append(l.get("value"))
                    if lst.get("name") != "srcs" and l.get("value").startswith("//"):
                        declared_by.setdefault(PathOf(l.get("value")), set()).add(rule.get("name"))
        rules.append((rule.get("name"), deps, files))
    for name, deps, files in rules:
        own = set(PathOf(f) for f in files if f.startswith("//"))
        for path in sorted(own):
            full = os.path.join(root, path)
            if not os.path.isfile(full):
                continue  # A generated file.
            with open(full, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', line)
                    if not m:
                        continue
                    header = m.group(1)
                    for prefix, providers in LIBRARY_HEADERS.items():
                        if header.startswith(prefix) and not deps.intersection(providers):
                            problems.append("%s:%d includes <%s>, but %s does not depend on %s" %
                                            (path, number, header, name, " or ".join(providers)))
                    owners = declared_by.get(header)
                    if owners and header not in own and not owners.intersection(deps):
                        problems.append("%s:%d includes \"%s\", but %s does not depend on %s" %
                                        (path, number, header, name, " or ".join(sorted(owners))))
    return problems


def PathOf(label):
    """The workspace path of a source-file label: //a/b:c.h -> a/b/c.h."""
    return label[2:].replace(":", "/", 1).lstrip("/")


def self_test():
    """The checks fail on what they must refuse, and pass what they must allow."""
    table = parse_table("| package | what | may depend on |\n| --- | --- | --- |\n"
                        "| `proof/` | pure | nothing of ours |\n"
                        "| `ledger` | state | `proof` |\n"
                        "| `tools` | mains | anything |\n")
    assert table == {"proof": set(), "ledger": {"proof"}, "tools": {ANYTHING}}, table
    graph = ('digraph {\n"//ledger:a" -> "//proof:b"\n"//tools:c" -> "//ledger:a"\n'
             '"//ledger:a" -> "@system//:absl"\n}\n')
    assert check_deps(table, graph) == [], check_deps(table, graph)
    upward = graph + '"//proof:b" -> "//ledger:a"\n'
    got = check_deps(table, upward)
    assert len(got) == 1 and got[0].startswith("proof may not depend on ledger"), got
    unknown = graph + '"//api:x" -> "//proof:b"\n'
    got = check_deps(table, unknown)
    assert got == ["package api has no row in the layering table"], got
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "ledger"))
        with open(os.path.join(root, "ledger", "a.cc"), "w") as f:
            f.write('#include "leveldb/db.h"\n#include <string>\n')
        rule = ('<query><rule class="cc_library" name="//ledger:a">'
                '<list name="srcs"><label value="//ledger:a.cc"/></list>'
                '<list name="deps">%s</list></rule></query>')
        missing = check_includes(rule % "", root)
        assert len(missing) == 1 and "ledger/a.cc:1 includes <leveldb/db.h>" in missing[0], missing
        present = check_includes(rule % '<label value="@system//:leveldb"/>', root)
        assert present == [], present
        with open(os.path.join(root, "ledger", "a.cc"), "w") as f:
            f.write('#include <boost/asio/ssl.hpp>\n')
        boost_only = check_includes(rule % '<label value="@system//:boost"/>', root)
        assert len(boost_only) == 1 and "//third_party:tls" in boost_only[0], boost_only
        with_tls = check_includes(
            rule % '<label value="@system//:boost"/><label value="//third_party:tls"/>', root)
        assert with_tls == [], with_tls
        with open(os.path.join(root, "ledger", "b.cc"), "w") as f:
            f.write('#include "ledger/private.h"\n')
        two = ('<query><rule class="cc_library" name="//ledger:private">'
               '<list name="hdrs"><label value="//ledger:private.h"/></list></rule>'
               '<rule class="cc_library" name="//ledger:b">'
               '<list name="srcs"><label value="//ledger:b.cc"/></list>'
               '<list name="deps">%s</list></rule></query>')
        undeclared = check_includes(two % "", root)
        assert len(undeclared) == 1 and 'includes "ledger/private.h"' in undeclared[0], undeclared
        assert check_includes(two % '<label value="//ledger:private"/>', root) == []
    print("self-test: ok")
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "self-test":
        return self_test()
    if len(argv) == 4 and argv[1] == "deps":
        with open(argv[2], encoding="utf-8") as f:
            table = parse_table(f.read())
        with open(argv[3], encoding="utf-8") as f:
            problems = check_deps(table, f.read())
    elif len(argv) == 4 and argv[1] == "includes":
        with open(argv[2], encoding="utf-8") as f:
            problems = check_includes(f.read(), argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
