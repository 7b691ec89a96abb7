#!/usr/bin/python3
"""Follows the walk-through of docs/security.md as a newcomer would, and fails where the page
and the programs disagree.

Usage: security_walkthrough_test.py SECURITY_MD VELLUMD VELLUM

In a fresh home folder, with vellumd and vellum on PATH, it runs the page's shell blocks of
steps 1 to 3 (certificates with openssl, a token, an identity provider's key and JWT with
python3-jwt), saves the page's first YAML block as vellum.yaml, starts the command of step 4
(with --listen 127.0.0.1:0 added, so that the test needs no fixed port: every "localhost:8443"
of the page is replaced by the port vellumd prints), and runs each "$ " command of the session
blocks of steps 5 and 6, comparing what it prints with the lines the page shows below it: as
JSON when they are JSON, else as text. Then step 7: a new binding and SIGHUP take effect, and a
file that breaks separation of duties, or a token file others may read, is refused with the old
configuration left in force.
Not hermetic: it needs Debian's openssl, curl, python3-jwt and python3-cryptography
(tools/install_deps.sh), and fails, never skips, without them.
"""

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

DEADLINE_SECONDS = 60


def fail(message):
    print("security_walkthrough_test: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def walkthrough(page):
    start = page.index("## Walk-through")
    end = page.index("\n## ", start + 1)
    return page[start:end]


def shell_blocks(section):
    """The ```sh blocks of a section, dedented, in order."""
    blocks = []
    for indent, body in re.findall(r"^( *)```sh\n(.*?)^\1```", section, re.S | re.M):
        blocks.append(textwrap.dedent(body))
    return blocks


def session(block):
    """The (command, expected output) pairs of a block of "$ " lines."""
    pairs = []
    for line in block.splitlines():
        if line.startswith("$ "):
            pairs.append([line[2:], []])
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, expected) for command, expected in pairs]


def same_output(expected_lines, actual):
    expected = "".join(line.strip() for line in expected_lines)
    try:
        return json.loads(expected) == json.loads(actual)
    except ValueError:
        return "\n".join(expected_lines).strip() == actual.strip()


class Server:
    def __init__(self, command, cwd, env):
        self.out_path = os.path.join(cwd, "vellumd.out")
        self.out = open(self.out_path, "w")
        self.process = subprocess.Popen(["bash", "-c", "exec " + command], cwd=cwd, env=env,
                                        stdout=self.out, stderr=subprocess.STDOUT)
        atexit.register(self.kill)

    def kill(self):
        """Leaves no vellumd behind when the test fails half-way."""
        if self.process.poll() is None:
            self.process.kill()

    def printed(self):
        with open(self.out_path) as f:
            return f.read()

    def wait_for(self, pattern, after=0):
        """Waits until vellumd's output past offset `after` matches `pattern`."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            match = re.search(pattern, self.printed()[after:])
            if match:
                return match
            if self.process.poll() is not None:
                fail("vellumd exited (%d): %s" % (self.process.returncode, self.printed()))
            time.sleep(0.05)
        fail("vellumd never printed %r: %s" % (pattern, self.printed()))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        if self.process.wait(timeout=DEADLINE_SECONDS) != 0:
            fail("vellumd exited %d: %s" % (self.process.returncode, self.printed()))


def run(command, cwd, env):
    result = subprocess.run(["bash", "-c", "set -o pipefail; " + command], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=DEADLINE_SECONDS)
    if result.returncode != 0:
        fail("%s exited %d: %s" % (command, result.returncode, result.stderr))
    return result.stdout


def main(page_path, vellumd, vellum):
    for tool in ("openssl", "curl"):
        if shutil.which(tool) is None:
            fail("%s is missing (tools/install_deps.sh installs it)" % tool)
    page = open(page_path).read()
    section = walkthrough(page)
    blocks = shell_blocks(section)
    if len(blocks) != 6:
        fail("want 6 shell blocks in the walk-through (steps 1 to 6), got %d" % len(blocks))
    configuration = re.search(r"```yaml\n(.*?)```", page, re.S).group(1)

    home = tempfile.mkdtemp(prefix="walkthrough-", dir=os.environ.get("TEST_TMPDIR"))
    bin_dir = os.path.join(home, "bin")
    os.mkdir(bin_dir)
    for binary in (vellumd, vellum):
        os.symlink(os.path.abspath(binary), os.path.join(bin_dir, os.path.basename(binary)))
    env = dict(os.environ, HOME=home, PATH=bin_dir + ":/usr/bin:/bin")
    demo = os.path.join(home, "vellum-demo")

    # Steps 1 to 3, as one shell session: step 1 makes the folder and enters it.
    run("set -e\n" + "\n".join(blocks[:3]), home, env)
    with open(os.path.join(demo, "vellum.yaml"), "w") as f:
        f.write(configuration)

    # Step 4.
    command = blocks[3].strip()
    server = Server(command + " --listen 127.0.0.1:0", demo, env)
    port = server.wait_for(r"vellumd: serving https://127\.0\.0\.1:(\d+)\n").group(1)
    applied = server.wait_for(r"vellumd: configuration ([0-9a-f]{64}) applied \(config\.applied\)")
    print("step 4: vellumd serves https on port %s, configuration %s" % (port, applied.group(1)))

    # Steps 5 and 6.
    for step, block in ((5, blocks[4]), (6, blocks[5])):
        pairs = session(block)
        if not pairs:
            fail("step %d shows no \"$ \" commands" % step)
        for command, expected in pairs:
            actual = run(command.replace("localhost:8443", "localhost:" + port), demo, env)
            if not same_output(expected, actual):
                fail("step %d: %s\nthe page shows:\n%s\nit printed:\n%s" %
                     (step, command, "\n".join(expected), actual))
            print("step %d: %s: as the page shows" % (step, command.split()[0]))

    # Step 7: a new binding, then SIGHUP.
    whoami = ("curl -s --cacert ca.crt -H \"Authorization: Bearer $(cat alice.jwt)\" "
              "https://localhost:%s/v1/whoami" % port)
    binding = re.search(r"add `(- \{principal: .*?\})` under `bindings`",
                        section.replace("\n   ", " "))
    if binding is None:
        fail("step 7 names no binding to add")
    with open(os.path.join(demo, "vellum.yaml")) as f:
        original = f.read()
    changed = original.replace("bindings:\n", "bindings:\n  %s\n" % binding.group(1), 1)
    with open(os.path.join(demo, "vellum.yaml"), "w") as f:
        f.write(changed)
    offset = len(server.printed())
    server.process.send_signal(signal.SIGHUP)
    server.wait_for(r"vellumd: reloaded: configuration [0-9a-f]{64} applied", offset)
    roles = [r["role"] for r in json.loads(run(whoami, demo, env))["roles"]]
    if sorted(roles) != ["auditor", "writer"]:
        fail("step 7: after the reload Alice holds %s, want auditor and writer" % roles)
    print("step 7: the reload gave Alice the writer role")

    # The same service appending and erasing breaks the default separation of duties.
    broken = changed.replace("bindings:\n",
                             "bindings:\n  - {principal: ci-deployer, roles: [governance]}\n", 1)
    with open(os.path.join(demo, "vellum.yaml"), "w") as f:
        f.write(broken)
    offset = len(server.printed())
    server.process.send_signal(signal.SIGHUP)
    refused = server.wait_for(r"vellumd: reload refused, the configuration [0-9a-f]{64} stays in "
                              r"force: (.*)\n", offset)
    if "separation of duties" not in refused.group(1):
        fail("step 7: the refusal does not name separation of duties: " + refused.group(1))
    roles = [r["role"] for r in json.loads(run(whoami, demo, env))["roles"]]
    if sorted(roles) != ["auditor", "writer"]:
        fail("step 7: after a refused reload Alice holds %s, want auditor and writer" % roles)
    print("step 7: a reload that breaks separation of duties is refused: " + refused.group(1))

    # A token file others may read is refused on reload too, naming the chmod that fixes it.
    with open(os.path.join(demo, "vellum.yaml"), "w") as f:
        f.write(changed)
    tokens = os.path.join(demo, "tokens.txt")
    os.chmod(tokens, 0o644)
    offset = len(server.printed())
    server.process.send_signal(signal.SIGHUP)
    refused = server.wait_for(r"vellumd: reload refused, the configuration [0-9a-f]{64} stays in "
                              r"force: (.*)\n", offset)
    want = "want no group or other access: chmod 600 " + os.path.realpath(tokens)
    if not refused.group(1).endswith(want):
        fail("step 7: the refusal of a readable token file does not end %r: %s" %
             (want, refused.group(1)))
    roles = [r["role"] for r in json.loads(run(whoami, demo, env))["roles"]]
    if sorted(roles) != ["auditor", "writer"]:
        fail("step 7: after a refused reload Alice holds %s, want auditor and writer" % roles)
    print("step 7: a reload with a readable token file is refused: " + refused.group(1))

    server.stop()
    print("security_walkthrough_test: PASS")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail("usage: security_walkthrough_test.py SECURITY_MD VELLUMD VELLUM")
    main(*sys.argv[1:])
