# SPDX-License-Identifier: GPL-2.0-or-later
"""Reader for QAPI schema files.

A schema file is a sequence of top-level expressions written as
Python-style literals: dicts with single-quoted string keys, lists,
strings, true/false.  '#' starts a comment running to the end of the
line.  A block of comment lines opened and closed by a line holding only
'##' is a documentation comment; it is attached to the expression that
follows it (or stands alone as free-form documentation).
"""

import os


class QAPIError(Exception):
    """An error in a schema, located at file:line."""

    def __init__(self, info, msg):
        super().__init__(msg)
        self.info = info
        self.msg = msg

    def __str__(self):
        if self.info is None:
            return self.msg
        return '%s: %s' % (self.info, self.msg)


class SourceInfo:
    """Where something was written: file, line and the enclosing definition."""

    def __init__(self, fname, line, defn=None):
        self.fname = fname
        self.line = line
        self.defn = defn  # e.g. "struct 'Foo'"

    def with_defn(self, defn):
        return SourceInfo(self.fname, self.line, defn)

    def __str__(self):
        loc = '%s:%d' % (self.fname, self.line)
        if self.defn:
            return '%s: in %s' % (loc, self.defn)
        return loc


class DocComment:
    """A parsed '##' block.

    symbol is the name from a leading '@Name:' line (None for free-form
    text).  body is the description, args maps member names to their
    text, sections holds tagged paragraphs such as 'Since' or 'Returns'.
    """

    TAGS = ('Since', 'Returns', 'Errors', 'Features', 'Example', 'Examples',
            'Note', 'Notes', 'TODO')

    def __init__(self, info):
        self.info = info
        self.symbol = None
        self.body = []
        self.args = {}
        self.features = {}
        self.sections = []  # list of (tag, [lines])

    def text(self):
        return '\n'.join(self.body).strip()


def _parse_doc(info, lines):
    doc = DocComment(info)
    cur = doc.body
    in_features = False
    first = True
    for raw in lines:
        line = raw
        if first:
            first = False
            stripped = line.strip()
            if stripped.startswith('@') and stripped.endswith(':'):
                doc.symbol = stripped[1:-1]
                if not doc.symbol:
                    raise QAPIError(info, "doc comment names no symbol")
                continue
        stripped = line.strip()
        if stripped.startswith('@') and ':' in stripped:
            name, rest = stripped[1:].split(':', 1)
            if name and ' ' not in name:
                target = doc.features if in_features else doc.args
                if name in target:
                    raise QAPIError(info, "'@%s:' is documented twice" % name)
                target[name] = [rest.strip()] if rest.strip() else []
                cur = target[name]
                continue
        tag = stripped.split(':', 1)[0] if ':' in stripped else None
        if tag in DocComment.TAGS and not line.startswith(' '):
            rest = stripped.split(':', 1)[1].strip()
            in_features = tag == 'Features'
            if in_features:
                cur = []
                continue
            cur = [rest] if rest else []
            doc.sections.append((tag, cur))
            continue
        if line.startswith('    ') and cur is not doc.body:
            cur.append(line.strip())
        elif stripped == '':
            cur.append('')
        else:
            if cur is not doc.body and (doc.args or doc.sections or
                                        doc.features):
                # An unindented paragraph after member docs goes on the body.
                cur = doc.body
            cur.append(line.rstrip())
    return doc


class SchemaReader:
    """Tokenizes and parses one schema file (and, recursively, its includes)."""

    def __init__(self, fname, included_from=None, seen=None):
        self.fname = fname
        self.seen = seen if seen is not None else set()
        self.exprs = []   # list of dicts: {'expr', 'info', 'doc'}
        self.docs = []    # free-form docs, in order, with their position
        try:
            with open(fname, encoding='utf-8') as f:
                self.src = f.read()
        except OSError as e:
            raise QAPIError(included_from,
                            "can't read %s file '%s': %s"
                            % ('include' if included_from else 'schema',
                               fname, e.strerror))
        self.seen.add(os.path.abspath(fname))
        self.pos = 0
        self.line = 1
        self.pending_doc = None
        self._parse()

    # -- tokenizer ---------------------------------------------------------

    def _info(self):
        return SourceInfo(self.fname, self.line)

    def _error(self, msg):
        raise QAPIError(self._info(), msg)

    def _skip_space(self):
        """Skip blanks and comments; collect '##' doc blocks."""
        src = self.src
        while self.pos < len(src):
            c = src[self.pos]
            if c == '\n':
                self.line += 1
                self.pos += 1
            elif c in ' \t\r':
                self.pos += 1
            elif c == '#':
                eol = src.find('\n', self.pos)
                if eol < 0:
                    eol = len(src)
                text = src[self.pos:eol]
                if text.rstrip() == '##' and self._at_line_start():
                    self._read_doc_block()
                else:
                    self.pos = eol
            else:
                return

    def _at_line_start(self):
        start = self.src.rfind('\n', 0, self.pos) + 1
        return self.src[start:self.pos].strip() == ''

    def _read_doc_block(self):
        info = self._info()
        src = self.src
        self.pos = src.find('\n', self.pos)
        lines = []
        while True:
            if self.pos < 0 or self.pos + 1 >= len(src):
                raise QAPIError(info, "documentation comment is not closed "
                                "with '##'")
            self.pos += 1
            self.line += 1
            eol = src.find('\n', self.pos)
            if eol < 0:
                eol = len(src)
            text = src[self.pos:eol]
            stripped = text.strip()
            if stripped == '##':
                self.pos = eol
                break
            if not stripped.startswith('#'):
                raise QAPIError(SourceInfo(self.fname, self.line),
                                "documentation comment line must start "
                                "with '#'")
            body = stripped[1:]
            if body.startswith(' '):
                body = body[1:]
            elif body:
                raise QAPIError(SourceInfo(self.fname, self.line),
                                "missing space after '#' in documentation "
                                "comment")
            lines.append(body)
            self.pos = eol
        doc = _parse_doc(info, lines)
        if doc.symbol is None:
            self.docs.append(doc)
            self.exprs.append({'expr': None, 'info': info, 'doc': doc})
        else:
            if self.pending_doc is not None:
                raise QAPIError(self.pending_doc.info,
                                "documentation for '%s' is not followed by "
                                "its definition" % self.pending_doc.symbol)
            self.pending_doc = doc

    def _value(self):
        self._skip_space()
        if self.pos >= len(self.src):
            self._error('unexpected end of file')
        c = self.src[self.pos]
        if c == '{':
            return self._dict()
        if c == '[':
            return self._list()
        if c == "'":
            return self._string()
        for word, val in (('true', True), ('false', False)):
            if self.src.startswith(word, self.pos):
                self.pos += len(word)
                return val
        if c == '"':
            self._error('strings must be quoted with \' not "')
        self._error("stray '%s'" % c)

    def _string(self):
        self.pos += 1
        out = []
        src = self.src
        while True:
            if self.pos >= len(src) or src[self.pos] == '\n':
                self._error('missing terminating \'')
            c = src[self.pos]
            self.pos += 1
            if c == "'":
                return ''.join(out)
            if c == '\\':
                if self.pos >= len(src):
                    self._error('missing terminating \'')
                e = src[self.pos]
                self.pos += 1
                if e not in "\\/'\"":
                    self._error("unknown escape \\%s" % e)
                c = e
            if not (' ' <= c <= '~'):
                self._error('funny character in string')
            out.append(c)

    def _expect(self, ch):
        self._skip_space()
        if self.pos >= len(self.src) or self.src[self.pos] != ch:
            found = self.src[self.pos] if self.pos < len(self.src) else 'EOF'
            self._error("expected '%s', found '%s'" % (ch, found))
        self.pos += 1

    def _peek(self):
        self._skip_space()
        return self.src[self.pos] if self.pos < len(self.src) else ''

    def _dict(self):
        self.pos += 1
        out = {}
        if self._peek() == '}':
            self.pos += 1
            return out
        while True:
            if self._peek() == '"':
                self._error('strings must be quoted with \' not "')
            if self._peek() != "'":
                self._error('expected string key')
            line = self.line
            key = self._string()
            if key in out:
                raise QAPIError(SourceInfo(self.fname, line),
                                "duplicate key '%s'" % key)
            self._expect(':')
            out[key] = self._value()
            c = self._peek()
            if c == '}':
                self.pos += 1
                return out
            if c != ',':
                self._error("expected ',' or '}'")
            self.pos += 1

    def _list(self):
        self.pos += 1
        out = []
        if self._peek() == ']':
            self.pos += 1
            return out
        while True:
            out.append(self._value())
            c = self._peek()
            if c == ']':
                self.pos += 1
                return out
            if c != ',':
                self._error("expected ',' or ']'")
            self.pos += 1

    # -- top level ---------------------------------------------------------

    def _parse(self):
        while True:
            self._skip_space()
            if self.pos >= len(self.src):
                break
            info = self._info()
            if self.src[self.pos] != '{':
                self._error('expected \'{\' to start a top-level expression')
            expr = self._value()
            doc, self.pending_doc = self.pending_doc, None
            if 'include' in expr:
                self._include(expr, info, doc)
                continue
            self.exprs.append({'expr': expr, 'info': info, 'doc': doc})
        if self.pending_doc is not None:
            raise QAPIError(self.pending_doc.info,
                            "documentation for '%s' is not followed by its "
                            "definition" % self.pending_doc.symbol)

    def _include(self, expr, info, doc):
        if len(expr) != 1:
            raise QAPIError(info, "invalid 'include' directive")
        name = expr['include']
        if not isinstance(name, str):
            raise QAPIError(info, "value of 'include' must be a string")
        if doc is not None:
            raise QAPIError(doc.info, "documentation comment before "
                            "'include'")
        path = os.path.join(os.path.dirname(self.fname), name)
        if os.path.abspath(path) in self.seen:
            return  # included already: QAPI includes are idempotent
        sub = SchemaReader(path, info, self.seen)
        self.exprs.append({'expr': {'include': path}, 'info': info,
                           'doc': None})
        self.exprs.extend(sub.exprs)
        self.docs.extend(sub.docs)
