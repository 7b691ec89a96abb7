#!/usr/bin/python3
"""Follows the walk-through of docs/gate.md as a newcomer would, and fails where the page and the
programs disagree.

Usage: gate_walkthrough_test.py GATE_MD VELLUMD VELLUM

In a fresh folder, with vellumd and vellum on PATH, it runs the ```sh blocks of the page's
"Walk-through" section in one shell (so that what one step sets, the next one has), in order,
with every "127.0.0.1:8480" of the page replaced by a free port. The shell stops at the first
command that fails. Each ```text block shows lines that the sh block before it prints: every one
must appear, in order, in that block's output (standard output and error together). Not hermetic: it needs curl and python3
(tools/install_deps.sh), and fails, never skips, without them.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap

DEADLINE_SECONDS = 120
MARK = "@@gate-walkthrough-block@@"


def fail(message):
    print("gate_walkthrough_test: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 4:
        fail("usage: gate_walkthrough_test.py GATE_MD VELLUMD VELLUM")
    page_path, vellumd, vellum = (os.path.abspath(p) for p in sys.argv[1:])
    page = open(page_path, encoding="utf-8").read()
    start = page.index("## Walk-through")
    section = page[start:page.index("\n## ", start + 1)]
    blocks = re.findall(r"^( *)```(sh|text)\n(.*?)^\1```", section, re.S | re.M)
    steps = []  # [script, expected lines]
    for _, kind, body in blocks:
        body = textwrap.dedent(body)
        if kind == "sh":
            steps.append([body, []])
        elif not steps:
            fail("a text block comes before any sh block")
        else:
            steps[-1][1].extend(line for line in body.splitlines() if line.strip())
    if len(steps) < 6:
        fail("found %d sh blocks in the walk-through, want at least 6" % len(steps))

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Both streams in one, in order, so that each block's lines follow its mark.
    script = ["set -eu", "exec 2>&1"]
    for i, (body, _) in enumerate(steps):
        script.append("echo %s%d" % (MARK, i))
        script.append(body.replace("127.0.0.1:8480", "127.0.0.1:%d" % port))
    script.append("kill %1; wait")
    work = tempfile.mkdtemp(prefix="gate-walkthrough-")
    env = dict(os.environ)
    env["HOME"] = work
    env["PATH"] = os.pathsep.join(
        [os.path.dirname(vellumd), os.path.dirname(vellum), env.get("PATH", "/usr/bin:/bin")])
    try:
        run = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                             capture_output=True, text=True, timeout=DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        fail("the walk-through did not finish in %d seconds" % DEADLINE_SECONDS)
    output = run.stdout
    if run.returncode != 0:
        fail("the walk-through's shell exited %d:\n%s" % (run.returncode, output))
    outputs = output.split(MARK)[1:]
    if len(outputs) != len(steps):
        fail("ran %d of %d blocks:\n%s" % (len(outputs), len(steps), output))
    for i, (_, expected) in enumerate(steps):
        text = outputs[i]
        at = 0
        for line in expected:
            found = text.find(line.strip(), at)
            if found < 0:
                fail("block %d: want the line\n  %s\nin its output, after the lines before it:\n%s"
                     % (i + 1, line.strip(), text))
            at = found + len(line.strip())
    print("gate_walkthrough_test: %d blocks ran, %d lines as the page shows them" %
          (len(steps), sum(len(e) for _, e in steps)))


if __name__ == "__main__":
    main()
