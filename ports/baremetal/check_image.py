#!/usr/bin/env python3
"""Checks the bare-metal image and writes its figures.

- Fails when the image references a C library function outside the allowed
  list (libc-allowed.txt): every libc/libm archive member that the library or
  the firmware pulled in directly must have been pulled for an allowed symbol.
  (Members that an allowed function pulls in itself, such as snprintf's
  formatter, are listed in the figures but not judged.)
- Flash and RAM by section and by origin (library object, firmware, libc,
  compiler runtime), from the linker map.
- The worst-case stack from main, from the call graph GCC wrote
  (-fcallgraph-info=su); an indirect call is charged the deepest firmware
  callback; a function of libc or libgcc (no graph) counts 0, which the
  measured high-water mark (run.sh) covers.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

LIBC_ARCHIVE = re.compile(r"lib(c|c_nano|m|g|g_nano|nosys|rdimon)\.a$")
RUNTIME_ARCHIVE = re.compile(r"libgcc\.a$")


def archive_members(map_text):
    """(archive, member, referencing file, symbol) for each member the link pulled."""
    head = "Archive member included to satisfy reference by file (symbol)"
    start = map_text.find(head)
    if start < 0:
        return []
    start += len(head)
    ends = [i for i in (map_text.find(k, start) for k in
                        ("\nDiscarded input sections", "\nMemory Configuration",
                         "\nAllocating common symbols")) if i >= 0]
    block = map_text[start:min(ends) if ends else len(map_text)]
    entries, cur = [], ""
    for line in block.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            if cur:
                entries.append(cur)
            cur = line.strip()
        else:
            cur += " " + line.strip()
    if cur:
        entries.append(cur)
    out = []
    for e in entries:
        m = re.match(r"^(\S+)\((\S+)\)\s+(\S+)\s+\((\S+)\)$", e)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), m.group(4)))
    return out


def origin_of(path):
    """A short origin for an input file of the map."""
    m = re.search(r"([^/]+\.a)\(([^)]+)\)$", path)
    if m:
        arch, member = m.group(1), m.group(2)
        if arch == "liblockrecover.a":
            return "lib/" + member.replace(".c.obj", ".c").replace(".c.o", ".c")
        if LIBC_ARCHIVE.search(arch):
            return "libc"
        if RUNTIME_ARCHIVE.search(arch):
            return "libgcc"
        return arch
    base = os.path.basename(path)
    if base.endswith((".c.obj", ".c.o")):
        return "firmware"
    return "other"


def section_sizes(map_text):
    """{origin: {"text": n, "rodata": n, "data": n, "bss": n}} from the memory map."""
    mm = map_text.find("Linker script and memory map")
    lines = map_text[mm:].splitlines()
    sizes = {}
    pending = None
    for line in lines:
        # " .text.name  0xADDR  0xSIZE file" or split over two lines.
        m = re.match(r"^ (\.[A-Za-z_][\w.$]*)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.[A-Za-z_][\w.$]*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if not m:
            pending = None
            continue
        name = m.group(1) or pending
        pending = None
        if name is None:
            continue
        size = int(m.group(3), 16)
        path = m.group(4).strip()
        if size == 0 or path.startswith("load address"):
            continue
        if name.startswith(".text") or name.startswith(".glue") or name.startswith(".ARM.ex"):
            kind = "text"
        elif name.startswith(".rodata") or name == ".vectors":
            kind = "rodata"
        elif name.startswith(".data"):
            kind = "data"
        elif name.startswith(".bss") or name.startswith("COMMON"):
            kind = "bss"
        else:
            continue
        o = origin_of(path)
        sizes.setdefault(o, {"text": 0, "rodata": 0, "data": 0, "bss": 0})[kind] += size
    return sizes


def call_graph(ci_root):
    frames, edges, dynamic = {}, {}, set()
    for path in glob.glob(os.path.join(ci_root, "**", "*.ci"), recursive=True):
        text = open(path, encoding="utf-8", errors="replace").read()
        for m in re.finditer(r'node: \{ title: "([^"]+)" label: "([^"]*)"', text):
            title, label = m.group(1), m.group(2)
            f = re.search(r"\\n(\d+) bytes \(([^)]+)\)", label)
            if f:
                frames[title] = int(f.group(1))
                if "dynamic" in f.group(2) and "bounded" not in f.group(2):
                    dynamic.add(title)
        for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', text):
            edges.setdefault(m.group(1), []).append(m.group(2))
    return frames, edges, dynamic


def worst_stack(frames, edges, root, callbacks):
    memo, stack, path_of = {}, set(), {}
    recursion = []

    def depth(n):
        if n in memo:
            return memo[n]
        if n in stack:
            recursion.append(n)
            return 0
        stack.add(n)
        best, best_path = 0, []
        targets = list(edges.get(n, []))
        for t in targets:
            if t == "__indirect_call":
                cands = callbacks
            else:
                cands = [t]
            for c in cands:
                d = depth(c)
                if d > best:
                    best, best_path = d, [c] + path_of.get(c, [])
        stack.discard(n)
        memo[n] = frames.get(n, 0) + best
        path_of[n] = best_path
        return memo[n]

    total = depth(root)
    return total, [root] + path_of.get(root, []), recursion


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", required=True)
    ap.add_argument("--map", required=True)
    ap.add_argument("--allowed", required=True)
    ap.add_argument("--ci-root", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    allowed = set()
    for line in open(a.allowed, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            allowed.add(line)
    map_text = open(a.map, encoding="utf-8", errors="replace").read()

    bad, libc_members, direct = [], [], set()
    for arch, member, ref, sym in archive_members(map_text):
        if not LIBC_ARCHIVE.search(os.path.basename(arch)):
            continue
        libc_members.append(member)
        ref_is_libc = re.search(r"([^/]+\.a)\(", ref) and LIBC_ARCHIVE.search(re.search(r"([^/]+\.a)\(", ref).group(1))
        if not ref_is_libc:
            direct.add(sym)
            if sym not in allowed:
                bad.append("%s (pulled by %s)" % (sym, ref))

    sizes = section_sizes(map_text)
    tot = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    for o in sizes.values():
        for k in tot:
            tot[k] += o[k]
    size_out = subprocess.run([a.size, "-A", a.elf], capture_output=True, text=True, check=True).stdout

    frames, edges, dynamic = call_graph(a.ci_root)
    firmware_cbs = [t for t in frames if "ports/baremetal/main.c:" in t and not t.endswith(":main")]
    main_node = next((t for t in frames if t == "main" or t.endswith(":main") and "baremetal" in t), "main")
    reset = next((t for t in frames if t.endswith("lkr_fw_reset")), None)
    stack_total, stack_path, recursion = worst_stack(frames, edges, main_node, firmware_cbs)
    if reset:
        stack_total += frames.get(reset, 0)
    dyn_on_path = [f for f in stack_path if f in dynamic]

    # Flash and RAM as the image holds them (alignment included): the loaded
    # sections of the ELF; the map's input sections give the split by origin.
    sec = {}
    for row in size_out.splitlines():
        parts = row.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sec[parts[0]] = int(parts[1])
    flash = sec.get(".text", 0) + sec.get(".ARM.exidx", 0) + sec.get(".data", 0)
    ram = sec.get(".data", 0) + sec.get(".bss", 0)
    lines = []
    lines.append("flash_bytes %d" % flash)
    lines.append("ram_static_bytes %d" % ram)
    lines.append("stack_bound_bytes %d" % stack_total)
    lines.append("stack_bound_path %s" % " > ".join(p.split(":")[-1] for p in stack_path))
    if dyn_on_path:
        lines.append("stack_dynamic_frames %s" % " ".join(dyn_on_path))
    if recursion:
        lines.append("stack_recursion %s" % " ".join(sorted(set(recursion))))
    lines.append("libc_direct %s" % " ".join(sorted(direct)))
    lines.append("libc_members %s" % " ".join(sorted(set(libc_members))))
    lines.append("origin text rodata data bss")
    for o in sorted(sizes, key=lambda k: -(sizes[k]["text"] + sizes[k]["rodata"])):
        s = sizes[o]
        lines.append("size %s %d %d %d %d" % (o, s["text"], s["rodata"], s["data"], s["bss"]))
    lines.append("size total %d %d %d %d" % (tot["text"], tot["rodata"], tot["data"], tot["bss"]))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[:4]))
    if bad:
        print("check_image: C library functions outside %s:" % a.allowed, file=sys.stderr)
        for b in bad:
            print("  " + b, file=sys.stderr)
        return 1
    if recursion:
        print("check_image: recursion on the stack path: the bound does not hold", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
