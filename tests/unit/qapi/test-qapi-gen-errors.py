#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Malformed schemas must be rejected with a message naming file:line.

Usage: test-qapi-gen-errors.py path/to/qapi-gen.py   (prints TAP)
"""

import os
import subprocess
import sys
import tempfile

GOOD_ENUM = "{ 'enum': 'E', 'data': [ 'a', 'b' ] }\n"

# (name, schema text, expected line, expected message part)
CASES = [
    ('unterminated string', "{ 'struct': 'S\n", 1, "missing terminating '"),
    ('double quotes', '{ "struct": "S" }\n', 1, "quoted with '"),
    ('stray char', "{ 'struct': 'S', 'data': { 'a': 'int' } } x\n", 1,
     "expected '{'"),
    ('missing comma', "{ 'struct': 'S' 'data': {} }\n", 1,
     "expected ',' or '}'"),
    ('duplicate key', "{ 'struct': 'S',\n  'data': {},\n  'data': {} }\n", 3,
     "duplicate key 'data'"),
    ('unknown meta', "\n{ 'thing': 'S' }\n", 2, "exactly one of the keys"),
    ('unknown key', "{ 'struct': 'S', 'data': {}, 'bogus': 'x' }\n", 1,
     "has unknown key 'bogus'"),
    ('missing data', "{ 'enum': 'E' }\n", 1, "misses key 'data'"),
    ('unknown type', "\n\n{ 'struct': 'S', 'data': { 'a': 'Nope' } }\n", 3,
     "uses unknown type 'Nope'"),
    ('redefinition', GOOD_ENUM + "{ 'struct': 'E', 'data': {} }\n", 2,
     "is already defined"),
    ('builtin redefined', "{ 'struct': 'int', 'data': {} }\n", 1,
     "is already defined"),
    ('bad name', "{ 'struct': 'a b', 'data': {} }\n", 1, "invalid name"),
    ('enum clash', "{ 'enum': 'E', 'data': [ 'a-b', 'a_b' ] }\n", 1,
     "clashes"),
    ('member clash', "{ 'struct': 'S', 'data': { 'a-b': 'int', "
     "'a_b': 'int' } }\n", 1, "clashes"),
    ('union bad discriminator', GOOD_ENUM +
     "{ 'struct': 'A', 'data': {} }\n"
     "{ 'union': 'U', 'base': { 'k': 'E' }, 'discriminator': 'x',\n"
     "  'data': { 'a': 'A' } }\n", 3, "discriminator 'x'"),
    ('union bad branch', GOOD_ENUM +
     "{ 'struct': 'A', 'data': {} }\n"
     "{ 'union': 'U', 'base': { 'k': 'E' }, 'discriminator': 'k',\n"
     "  'data': { 'zz': 'A' } }\n", 3, "branch 'zz' is not a value"),
    ('union tag not enum', "{ 'struct': 'A', 'data': {} }\n"
     "{ 'union': 'U', 'base': { 'k': 'str' }, 'discriminator': 'k',\n"
     "  'data': { 'a': 'A' } }\n", 2, "must be of enum type"),
    ('alternate ambiguous', "{ 'alternate': 'A', 'data': { 'x': 'str', "
     "'y': 'str' } }\n", 1, "can't be distinguished"),
    ('alternate int/number', "{ 'alternate': 'A', 'data': { 'x': 'int', "
     "'y': 'number' } }\n", 1, "can't be distinguished"),
    ('boxed without type', "{ 'command': 'c', 'boxed': true }\n", 1,
     "'boxed': true requires"),
    ('bad bool', "{ 'command': 'c', 'allow-oob': 'yes' }\n", 1,
     "must be true or false"),
    ('event lower case', "{ 'event': 'ev' }\n", 1, "upper case"),
    ('bad if', "{ 'struct': 'S', 'data': {}, 'if': [ 'X' ] }\n", 1,
     "'if' condition"),
    ('doc mismatch', "##\n# @Other:\n##\n{ 'struct': 'S', 'data': {} }\n", 1,
     "documentation comment is for 'Other'"),
    ('doc unknown member', "##\n# @S:\n#\n# @zz: nothing\n##\n"
     "{ 'struct': 'S', 'data': {} }\n", 1, "documented member 'zz'"),
    ('doc not closed', "##\n# @S:\n", 1, "not closed"),
    ('returns scalar', "{ 'command': 'c', 'returns': 'int8' }\n", 1,
     "'returns' must be"),
    ('missing include', "{ 'include': 'nowhere.json' }\n", 1,
     "can't read include file"),
    ('self-containing', "{ 'struct': 'S', 'base': 'S', 'data': {} }\n", 1,
     "contains itself"),
    ('empty file is fine', "", None, None),
    ('good schema', GOOD_ENUM + "{ 'command': 'c', 'data': { 'e': 'E' } }\n",
     None, None),
]


def main():
    gen = sys.argv[1]
    print('1..%d' % len(CASES))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, text, line, msg) in enumerate(CASES, 1):
            path = os.path.join(tmp, 'case%d.json' % i)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            r = subprocess.run([sys.executable, gen, '-o',
                                os.path.join(tmp, 'out%d' % i), path],
                               capture_output=True, text=True, check=False)
            err = r.stderr.strip()
            if line is None:
                ok = r.returncode == 0 and not err
            else:
                where = '%s:%d:' % (path, line)
                ok = r.returncode == 1 and err.startswith(where) and \
                    msg in err and 'Traceback' not in err
            if not ok:
                failed += 1
                print('not ok %d - %s' % (i, name))
                print('# exit %d, stderr: %s' % (r.returncode, err))
            else:
                print('ok %d - %s' % (i, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
