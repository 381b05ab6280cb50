# SPDX-License-Identifier: GPL-2.0-or-later
"""Command-line entry of the QAPI generator."""

import argparse
import os
import sys

from .gen_c import CGen
from .gen_doc import UPDATE_CMD, gen_doc
from .parser import QAPIError, SchemaReader
from .schema import Schema


def write_if_changed(path, text):
    """Write only when the content differs, so ninja sees no spurious change."""
    try:
        with open(path, encoding='utf-8') as f:
            if f.read() == text:
                return
    except OSError:
        pass
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)


def build(schema_file, defines):
    reader = SchemaReader(schema_file)
    return Schema(reader, defines)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='qapi-gen.py',
        description='Generate C code and documentation from a QAPI schema.')
    ap.add_argument('schema', help='top-level schema file')
    ap.add_argument('-o', '--output-dir', default='.',
                    help='directory for the generated files')
    ap.add_argument('-p', '--prefix', default='',
                    help='prefix for file names and global C symbols '
                    '(e.g. test-)')
    ap.add_argument('-b', '--builtins', action='store_true',
                    help='also generate the builtin list types '
                    '(qapi-builtin-types/visit)')
    ap.add_argument('-D', '--define', action='append', default=[],
                    metavar='SYMBOL',
                    help="configuration symbol that is true in 'if'")
    ap.add_argument('--doc-only', action='store_true',
                    help='generate only <prefix>qmp-reference.md')
    ap.add_argument('--check-doc', metavar='FILE',
                    help='exit 1 if FILE differs from the generated '
                    'reference')
    ap.add_argument('--doc-title', default='QMP reference',
                    help='title of the generated reference')
    args = ap.parse_args(argv)

    if args.prefix and not all(ch.isalnum() or ch in '-_'
                               for ch in args.prefix):
        print('qapi-gen.py: invalid prefix %r' % args.prefix, file=sys.stderr)
        return 2
    try:
        schema = build(args.schema, args.define)
    except QAPIError as e:
        print('%s' % e, file=sys.stderr)
        return 1

    doc = gen_doc(schema, args.doc_title)
    if args.check_doc:
        try:
            with open(args.check_doc, encoding='utf-8') as f:
                current = f.read()
        except OSError as e:
            print('%s: %s' % (args.check_doc, e.strerror), file=sys.stderr)
            return 1
        if current != doc:
            print('%s is stale: regenerate it with\n  %s'
                  % (args.check_doc, UPDATE_CMD), file=sys.stderr)
            return 1
        return 0

    os.makedirs(args.output_dir, exist_ok=True)
    write_if_changed(os.path.join(args.output_dir,
                                  args.prefix + 'qmp-reference.md'), doc)
    if args.doc_only:
        return 0

    gen = CGen(schema, args.prefix, args.builtins)
    outputs = [gen.gen_types(False), gen.gen_visit(False),
               gen.gen_commands(), gen.gen_events(), gen.gen_introspect()]
    if args.builtins:
        outputs += [gen.gen_types(True), gen.gen_visit(True)]
    for base, h, c in outputs:
        write_if_changed(os.path.join(args.output_dir, base + '.h'), h)
        write_if_changed(os.path.join(args.output_dir, base + '.c'), c)
    return 0
