#!/usr/bin/env python3
"""List the functions the public headers declare with LKR_API, one per line.

Usage: api_functions.py HEADER...

A declaration starts at the LKR_API token and may span lines. The function
name is the identifier immediately before the declaration's first "(" once
attribute-like macros with arguments (LKR_DEPRECATED("..."), __attribute__((...)))
are skipped. Comments, string literals and preprocessor directives (including
the #define of LKR_API itself) are ignored.
"""
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ATTRIBUTE_MACRO = re.compile(r"^(?:__attribute__|__declspec|_?_?[A-Z][A-Z0-9_]*)$")


def strip_comments_and_directives(text):
    """Blank out comments, literals and preprocessor lines, keeping offsets."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c in " \t":
            out.append(c)
            i += 1
            continue
        if at_line_start and c == "#":
            # Directive: runs to the end of the line, continuations included.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append("  ")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        at_line_start = False
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
            i = end
            at_line_start = False
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
            continue
        if c == "\n":
            at_line_start = True
        out.append(c)
        i += 1
    return "".join(out)


def skip_parens(text, i):
    """text[i] == '('; return the index just past the matching ')'."""
    depth = 0
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced parentheses")


def declared_functions(text):
    text = strip_comments_and_directives(text)
    names = []
    for m in re.finditer(r"\bLKR_API\b", text):
        i = m.end()
        last_ident = None
        while i < len(text):
            c = text[i]
            if c == ";" or c == "{":
                raise ValueError("LKR_API declaration without a parameter list "
                                 "near: " + text[m.start():i + 1].strip())
            if c == "(":
                if last_ident and ATTRIBUTE_MACRO.match(last_ident) and \
                        not last_ident.startswith("lkr_"):
                    i = skip_parens(text, i)
                    last_ident = None
                    continue
                if re.match(r"\(\s*\*", text[i:]):
                    # Declarator parenthesis of a function returning a
                    # function pointer: void (*lkr_f(void))(int).
                    i = text.index("*", i) + 1
                    last_ident = None
                    continue
                break
            im = IDENT.match(text, i)
            if im:
                last_ident = im.group(0)
                i = im.end()
                continue
            i += 1
        if not last_ident:
            raise ValueError("cannot find the name of an LKR_API declaration")
        names.append(last_ident)
    return names


def main(paths):
    found = set()
    status = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            try:
                found.update(declared_functions(f.read()))
            except ValueError as e:
                sys.stderr.write("%s: %s\n" % (path, e))
                status = 1
    for name in sorted(found):
        print(name)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
