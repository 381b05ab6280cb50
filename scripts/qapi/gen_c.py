# SPDX-License-Identifier: GPL-2.0-or-later
"""C code generation: types, visitors, commands, events, introspection."""

import json

from .common import c_name, c_string, c_file_header, guard
from .schema import (AlternateType, ArrayType, BuiltinType, EnumType,
                     ObjectType)


# -- per-type helpers --------------------------------------------------------

def in_fn(t):
    """Name of the input function for values of type t."""
    if isinstance(t, BuiltinType):
        return 'qapi_in_' + t.name
    return 'qapi_in_' + t.c_name()


def to_json(t, val):
    """C expression converting val (of type t) to a new json_t reference."""
    if isinstance(t, BuiltinType):
        n = t.name
        if n == 'str':
            return 'qapi_str_to_json(%s)' % val
        if n in ('uint64', 'size'):
            return 'qapi_uint64_to_json(%s)' % val
        if t.json_type() == 'int':
            return 'json_integer(%s)' % val
        if n == 'number':
            return 'json_real(%s)' % val
        if n == 'bool':
            return 'json_boolean(%s)' % val
        if n == 'any':
            return 'qapi_any_to_json(%s)' % val
        if n == 'null':
            return 'json_null()'
    return 'qapi_%s_to_json(%s)' % (t.c_name(), val)


def free_stmt(t, val):
    """C statement releasing val of type t, or None."""
    if isinstance(t, BuiltinType):
        if t.name == 'str':
            return 'g_free(%s);' % val
        if t.name in ('any', 'null'):
            return 'json_decref(%s);' % val
        return None
    if isinstance(t, EnumType):
        return None
    return 'qapi_free_%s(%s);' % (t.c_name(), val)


def embedded(obj):
    """Object types stored by value inside obj (union branches)."""
    out = []
    if isinstance(obj, ObjectType):
        for v in obj.variants:
            if not v.type.is_empty():
                out.append(v.type)
    elif isinstance(obj, AlternateType):
        for v in obj.variants:
            if isinstance(v.type, ObjectType):
                out.append(v.type)
    return out


def qtype_of(t):
    if isinstance(t, ObjectType):
        return 'QTYPE_QDICT'
    if isinstance(t, ArrayType):
        return 'QTYPE_QLIST'
    if isinstance(t, EnumType) or t.name == 'str':
        return 'QTYPE_QSTRING'
    if t.name == 'bool':
        return 'QTYPE_QBOOL'
    if t.name == 'null':
        return 'QTYPE_QNULL'
    return 'QTYPE_QNUM'


class Out:
    """A growing C file."""

    def __init__(self):
        self.parts = []

    def add(self, text):
        self.parts.append(text)

    def __str__(self):
        return ''.join(self.parts)


class CGen:
    def __init__(self, schema, prefix, builtins):
        self.schema = schema
        self.prefix = prefix
        self.cprefix = c_name(prefix, False)
        self.builtins = builtins

    def fname(self, base):
        return self.prefix + base

    # -- type selection --------------------------------------------------------

    def user_types(self):
        """Non-builtin types to generate C for, in definition order."""
        s = self.schema
        enums = s.enums()
        objects = [o for o in s.objects()]
        alts = s.alternates()
        arrays = s.arrays()
        return enums, objects, alts, arrays

    # == types ===============================================================

    def gen_enum_h(self, e, h):
        h.add('typedef enum %s {\n' % e.c_name())
        for v in e.values:
            h.add('    %s,\n' % e.const(v.name))
        h.add('    %s,\n} %s;\n\n' % (e.max_const(), e.c_name()))
        h.add('extern const QEnumLookup %s_lookup;\n' % e.c_name())
        h.add('const char *%s_str(%s val);\n' % (e.c_name(), e.c_name()))
        h.add('/* Value named s, or -1. */\n')
        h.add('int qapi_enum_parse_%s(const char *s);\n\n' % e.c_name())

    def gen_enum_c(self, e, c):
        n = e.c_name()
        c.add('static const char *const %s_names[] = {\n' % n)
        for v in e.values:
            c.add('    [%s] = %s,\n' % (e.const(v.name), c_string(v.name)))
        c.add('};\n\n')
        c.add('const QEnumLookup %s_lookup = {\n    .array = %s_names,\n'
              '    .size = %s,\n};\n\n' % (n, n, e.max_const()))
        c.add('const char *%s_str(%s val)\n{\n'
              '    return qapi_enum_lookup(&%s_lookup, val);\n}\n\n'
              % (n, n, n))
        c.add('int qapi_enum_parse_%s(const char *s)\n{\n'
              '    return qapi_enum_parse(&%s_lookup, s, -1, NULL);\n}\n\n'
              % (n, n))

    def gen_members_decl(self, members, indent='    '):
        out = ''
        for m in members:
            if m.has_flag():
                out += '%sbool has_%s;\n' % (indent, m.c_name())
            ct = m.type.c_type()
            sep = '' if ct.endswith('*') else ' '
            out += '%s%s%s%s;\n' % (indent, ct, sep, m.c_name())
        return out

    def gen_object_struct(self, o):
        body = self.gen_members_decl(o.members)
        live = [v for v in o.variants if not v.type.is_empty()]
        if live:
            body += '    union { /* branch data, selected by @%s */\n' % \
                c_name(o.tag)
            for v in live:
                body += '        %s %s;\n' % (v.type.c_name(), c_name(v.name))
            body += '    } u;\n'
        if not body:
            body = '    char qapi_dummy_for_empty_struct;\n'
        return 'struct %s {\n%s};\n\n' % (o.c_name(), body)

    def gen_alternate_struct(self, a):
        body = '    QType type;\n    union {\n'
        for v in a.variants:
            t = v.type
            ct = t.c_name() if isinstance(t, ObjectType) else t.c_type()
            sep = '' if ct.endswith('*') else ' '
            body += '        %s%s%s;\n' % (ct, sep, c_name(v.name))
        body += '    } u;\n'
        return 'struct %s {\n%s};\n\n' % (a.c_name(), body)

    def gen_list_struct(self, arr):
        ct = arr.element.c_type()
        sep = '' if ct.endswith('*') else ' '
        return ('struct %s {\n    %s *next;\n    %s%svalue;\n};\n\n'
                % (arr.c_name(), arr.c_name(), ct, sep))

    def ordered_structs(self, objects, alts):
        """Objects and alternates so that embedded types come first."""
        done, out = set(), []

        def visit(t):
            if t.name in done:
                return
            done.add(t.name)
            for sub in embedded(t):
                if sub in objects or sub in alts:
                    visit(sub)
            out.append(t)
        for t in objects + alts:
            visit(t)
        return out

    def gen_free_object(self, o, c):
        n = o.c_name()
        c.add('void qapi_free_%s_members(%s *obj)\n{\n' % (n, n))
        for m in o.members:
            st = free_stmt(m.type, 'obj->' + m.c_name())
            if st:
                c.add('    %s\n' % st)
        live = [v for v in o.variants if not v.type.is_empty()]
        if live:
            c.add('    switch (obj->%s) {\n' % o.tag_member.c_name())
            for v in live:
                c.add('    case %s:\n        qapi_free_%s_members(&obj->u.%s);'
                      '\n        break;\n'
                      % (o.tag_member.type.const(v.name), v.type.c_name(),
                         c_name(v.name)))
            c.add('    default:\n        break;\n    }\n')
        c.add('}\n\n')
        c.add('void qapi_free_%s(%s *obj)\n{\n    if (!obj) {\n        return;'
              '\n    }\n    qapi_free_%s_members(obj);\n    g_free(obj);\n}\n\n'
              % (n, n, n))

    def gen_free_alternate(self, a, c):
        n = a.c_name()
        c.add('void qapi_free_%s(%s *obj)\n{\n    if (!obj) {\n        return;'
              '\n    }\n    switch (obj->type) {\n' % (n, n))
        for v in a.variants:
            t = v.type
            if isinstance(t, ObjectType):
                st = 'qapi_free_%s_members(&obj->u.%s);' % (t.c_name(),
                                                           c_name(v.name))
            else:
                st = free_stmt(t, 'obj->u.' + c_name(v.name))
            if st:
                c.add('    case %s:\n        %s\n        break;\n'
                      % (qtype_of(t), st))
        c.add('    default:\n        break;\n    }\n    g_free(obj);\n}\n\n')

    def gen_free_list(self, arr, c):
        n = arr.c_name()
        st = free_stmt(arr.element, 'obj->value')
        c.add('void qapi_free_%s(%s *obj)\n{\n    while (obj) {\n'
              '        %s *next = obj->next;\n' % (n, n, n))
        if st:
            c.add('        %s\n' % st)
        c.add('        g_free(obj);\n        obj = next;\n    }\n}\n\n')

    def gen_types(self, builtin_mode):
        h, c = Out(), Out()
        base = 'qapi-builtin-types' if builtin_mode else \
            self.fname('qapi-types')
        h.add(c_file_header('QAPI types', self.prefix))
        g = guard(base + '_H')
        h.add('#ifndef %s\n#define %s\n\n#include <glib.h>\n'
              '#include "qapi/qapi-util.h"\n' % (g, g))
        if not builtin_mode:
            h.add('#include "qapi/qapi-builtin-types.h"\n')
        h.add('\n')
        c.add(c_file_header('QAPI types', self.prefix))
        c.add('#include "%s.h"\n\n' % base)
        if builtin_mode:
            enums, objects, alts = [], [], []
            arrays = self.schema.builtin_arrays()
        else:
            enums, objects, alts, arrays = self.user_types()
        for e in enums:
            self.gen_enum_h(e, h)
            self.gen_enum_c(e, c)
        for t in objects + alts + arrays:
            h.add('typedef struct %s %s;\n' % (t.c_name(), t.c_name()))
        h.add('\n')
        for arr in arrays:
            h.add(self.gen_list_struct(arr))
        for t in self.ordered_structs(objects, alts):
            if isinstance(t, ObjectType):
                h.add(self.gen_object_struct(t))
            else:
                h.add(self.gen_alternate_struct(t))
        for o in objects:
            h.add('void qapi_free_%s_members(%s *obj);\n' % (o.c_name(),
                                                             o.c_name()))
            h.add('void qapi_free_%s(%s *obj);\n' % (o.c_name(), o.c_name()))
            self.gen_free_object(o, c)
        for a in alts:
            h.add('void qapi_free_%s(%s *obj);\n' % (a.c_name(), a.c_name()))
            self.gen_free_alternate(a, c)
        for arr in arrays:
            h.add('void qapi_free_%s(%s *obj);\n' % (arr.c_name(),
                                                     arr.c_name()))
            self.gen_free_list(arr, c)
        h.add('\n#endif\n')
        return base, str(h), str(c)

    # == visitors =============================================================

    def in_value(self, t, name, v, out, indent, fail):
        """Statements reading value v (member name) of type t into *out."""
        return ('%sif (!%s(in, %s, %s, %s, errp)) {\n%s    %s\n%s}\n'
                % (indent, in_fn(t), name, v, out, indent, fail, indent))

    def gen_in_members(self, o, c):
        n = o.c_name()
        c.add('bool qapi_in_%s_members(QapiIn *in, %s *obj, Error **errp)\n{\n'
              % (n, n))
        if o.members:
            c.add('    json_t *v;\n\n')
        for m in o.members:
            nm = c_string(m.name)
            c.add('    v = qapi_in_take(in, %s);\n' % nm)
            if m.optional:
                c.add('    if (v) {\n')
                if m.has_flag():
                    c.add('        obj->has_%s = true;\n' % m.c_name())
                c.add(self.in_value(m.type, nm, 'v', '&obj->' + m.c_name(),
                                    '        ', 'return false;'))
                c.add('    }\n')
            else:
                c.add('    if (!v) {\n        qapi_in_missing(in, %s, errp);\n'
                      '        return false;\n    }\n' % nm)
                c.add(self.in_value(m.type, nm, 'v', '&obj->' + m.c_name(),
                                    '    ', 'return false;'))
        live = [v for v in o.variants if not v.type.is_empty()]
        if live:
            c.add('    switch (obj->%s) {\n' % o.tag_member.c_name())
            for v in live:
                c.add('    case %s:\n        return qapi_in_%s_members(in, '
                      '&obj->u.%s, errp);\n'
                      % (o.tag_member.type.const(v.name), v.type.c_name(),
                         c_name(v.name)))
            c.add('    default:\n        break;\n    }\n')
        c.add('    return true;\n}\n\n')

    def gen_in_object(self, o, c):
        n = o.c_name()
        c.add('''bool qapi_in_%(n)s(QapiIn *in, const char *name, json_t *v,
                %(sp)s%(n)s **obj, Error **errp)
{
    QapiInFrame f;
    %(n)s *o;
    bool ok;

    *obj = NULL;
    if (!qapi_in_struct_begin(in, name, v, &f, errp)) {
        return false;
    }
    o = g_new0(%(n)s, 1);
    ok = qapi_in_%(n)s_members(in, o, errp) && qapi_in_struct_check(in, errp);
    qapi_in_pop(in);
    if (!ok) {
        qapi_free_%(n)s(o);
        return false;
    }
    *obj = o;
    return true;
}

bool qapi_%(n)s_members_from_json(json_t *v, QapiInputMode mode, %(n)s *obj,
                                  Error **errp)
{
    QapiIn in;
    QapiInFrame f;
    json_t *empty = NULL;
    bool ok;

    qapi_in_init(&in, mode);
    if (!v) {
        v = empty = json_object();
    }
    ok = qapi_in_struct_begin(&in, NULL, v, &f, errp);
    if (ok) {
        ok = qapi_in_%(n)s_members(&in, obj, errp) &&
             qapi_in_struct_check(&in, errp);
        qapi_in_pop(&in);
    }
    json_decref(empty);
    return ok;
}

''' % {'n': n, 'sp': ' ' * len(n)})

    def gen_in_enum(self, e, c):
        n = e.c_name()
        c.add('''bool qapi_in_%(n)s(QapiIn *in, const char *name, json_t *v,
                %(sp)s%(n)s *obj, Error **errp)
{
    int val;

    if (!qapi_in_enum(in, name, v, &%(n)s_lookup, &val, errp)) {
        return false;
    }
    *obj = val;
    return true;
}

''' % {'n': n, 'sp': ' ' * len(n)})

    def gen_in_list(self, arr, c):
        n = arr.c_name()
        c.add('''bool qapi_in_%(n)s(QapiIn *in, const char *name, json_t *v,
                %(sp)s%(n)s **obj, Error **errp)
{
    QapiInFrame f;
    %(n)s *head = NULL, **tail = &head;
    json_t *e;

    *obj = NULL;
    if (!qapi_in_list_begin(in, name, v, &f, errp)) {
        return false;
    }
    while ((e = qapi_in_list_next(in))) {
        %(n)s *node = g_new0(%(n)s, 1);

        *tail = node;
        tail = &node->next;
        if (!%(elem_in)s(in, NULL, e, &node->value, errp)) {
            qapi_in_pop(in);
            qapi_free_%(n)s(head);
            return false;
        }
    }
    qapi_in_pop(in);
    *obj = head;
    return true;
}

''' % {'n': n, 'sp': ' ' * len(n), 'elem_in': in_fn(arr.element)})

    def gen_in_alternate(self, a, c):
        n = a.c_name()
        by_json = {}
        for v in a.variants:
            by_json.setdefault(qtype_of(v.type), v)
        c.add('bool qapi_in_%s(QapiIn *in, const char *name, json_t *v,\n'
              '                %s%s **obj, Error **errp)\n{\n'
              '    %s *o = g_new0(%s, 1);\n    bool ok = false;\n'
              '    bool matched = true;\n\n    *obj = NULL;\n'
              % (n, ' ' * len(n), n, n, n))
        # KEYVAL: repeated keys and strings standing for other scalars.
        c.add('    if (in->mode == QAPI_INPUT_KEYVAL) {\n')
        if 'QTYPE_QLIST' not in by_json:
            c.add('        if (json_is_array(v) && qapi_in_keyval_scalar(in, v)) {\n'
                  '            v = qapi_in_keyval_scalar(in, v);\n        }\n')
        if 'QTYPE_QSTRING' not in by_json:
            tries = [by_json[q] for q in ('QTYPE_QNUM', 'QTYPE_QBOOL',
                                          'QTYPE_QNULL') if q in by_json]
            if tries:
                c.add('        if (json_is_string(v)) {\n')
                for var in tries:
                    t = var.type
                    cn = c_name(var.name)
                    c.add('            if (%s(in, name, v, &o->u.%s, NULL)) {\n'
                          '                o->type = %s;\n'
                          '                *obj = o;\n'
                          '                return true;\n            }\n'
                          % (in_fn(t), cn, qtype_of(t)))
                c.add('        }\n')
        c.add('    }\n')
        c.add('    switch (json_typeof(v)) {\n')
        cases = [('QTYPE_QDICT', ['JSON_OBJECT']),
                 ('QTYPE_QLIST', ['JSON_ARRAY']),
                 ('QTYPE_QSTRING', ['JSON_STRING']),
                 ('QTYPE_QNUM', ['JSON_INTEGER', 'JSON_REAL']),
                 ('QTYPE_QBOOL', ['JSON_TRUE', 'JSON_FALSE']),
                 ('QTYPE_QNULL', ['JSON_NULL'])]
        for qt, jts in cases:
            var = by_json.get(qt)
            if var is None:
                continue
            t = var.type
            cn = c_name(var.name)
            jlist = jts
            if qt == 'QTYPE_QNUM' and t.json_type() == 'int':
                jlist = ['JSON_INTEGER']
            for jt in jlist:
                c.add('    case %s:\n' % jt)
            c.add('        o->type = %s;\n' % qt)
            if isinstance(t, ObjectType):
                c.add('        {\n            QapiInFrame f;\n\n'
                      '            if (qapi_in_struct_begin(in, name, v, &f, '
                      'errp)) {\n'
                      '                ok = qapi_in_%s_members(in, &o->u.%s, '
                      'errp) &&\n'
                      '                     qapi_in_struct_check(in, errp);\n'
                      '                qapi_in_pop(in);\n            }\n'
                      '        }\n        break;\n' % (t.c_name(), cn))
            else:
                c.add('        ok = %s(in, name, v, &o->u.%s, errp);\n'
                      '        break;\n' % (in_fn(t), cn))
        c.add('    default:\n        matched = false;\n        break;\n    }\n')
        c.add('    if (!matched) {\n'
              '        qapi_in_type_error(in, name, %s, errp);\n    }\n'
              '    if (!ok) {\n        qapi_free_%s(o);\n        return false;\n'
              '    }\n    *obj = o;\n    return true;\n}\n\n'
              % (c_string(a.name), n))

    def gen_from_json(self, t, c, h):
        n = t.c_name()
        if isinstance(t, (ObjectType, AlternateType)):
            proto = '%s *qapi_%s_from_json(json_t *v, QapiInputMode mode, ' \
                    'Error **errp)' % (n, n)
            h.add(proto + ';\n')
            c.add(proto + '\n{\n    QapiIn in;\n    %s *obj;\n\n'
                  '    qapi_in_init(&in, mode);\n    if (!v) {\n'
                  '        qapi_in_missing(&in, NULL, errp);\n'
                  '        return NULL;\n    }\n'
                  '    return qapi_in_%s(&in, NULL, v, &obj, errp) ? obj : '
                  'NULL;\n}\n\n' % (n, n))
        else:
            ct = t.c_type()
            sep = '' if ct.endswith('*') else ' '
            proto = 'bool qapi_%s_from_json(json_t *v, QapiInputMode mode, ' \
                    '%s%s*out,\n        Error **errp)' % (n, ct, sep)
            h.add(proto + ';\n')
            c.add(proto + '\n{\n    QapiIn in;\n\n'
                  '    qapi_in_init(&in, mode);\n    if (!v) {\n'
                  '        qapi_in_missing(&in, NULL, errp);\n'
                  '        return false;\n    }\n'
                  '    return qapi_in_%s(&in, NULL, v, out, errp);\n}\n\n'
                  % n)

    def gen_out_members(self, o, c):
        n = o.c_name()
        c.add('void qapi_%s_members_to_json(const %s *obj, json_t *d)\n{\n'
              % (n, n))
        for m in o.members:
            val = 'obj->' + m.c_name()
            st = 'json_object_set_new(d, %s, %s);' % (c_string(m.name),
                                                      to_json(m.type, val))
            if m.has_flag():
                c.add('    if (obj->has_%s) {\n        %s\n    }\n'
                      % (m.c_name(), st))
            elif m.optional:
                c.add('    if (%s) {\n        %s\n    }\n' % (val, st))
            else:
                c.add('    %s\n' % st)
        live = [v for v in o.variants if not v.type.is_empty()]
        if live:
            c.add('    switch (obj->%s) {\n' % o.tag_member.c_name())
            for v in live:
                c.add('    case %s:\n        qapi_%s_members_to_json('
                      '&obj->u.%s, d);\n        break;\n'
                      % (o.tag_member.type.const(v.name), v.type.c_name(),
                         c_name(v.name)))
            c.add('    default:\n        break;\n    }\n')
        if not o.members and not live:
            c.add('    (void)obj;\n    (void)d;\n')
        c.add('}\n\n')
        c.add('json_t *qapi_%s_to_json(const %s *obj)\n{\n'
              '    json_t *d = json_object();\n\n    if (obj) {\n'
              '        qapi_%s_members_to_json(obj, d);\n    }\n'
              '    return d;\n}\n\n' % (n, n, n))

    def gen_out_alternate(self, a, c):
        n = a.c_name()
        c.add('json_t *qapi_%s_to_json(const %s *obj)\n{\n'
              '    if (!obj) {\n        return json_null();\n    }\n'
              '    switch (obj->type) {\n' % (n, n))
        for v in a.variants:
            t = v.type
            cn = c_name(v.name)
            c.add('    case %s:\n' % qtype_of(t))
            if isinstance(t, ObjectType):
                c.add('        {\n            json_t *d = json_object();\n\n'
                      '            qapi_%s_members_to_json(&obj->u.%s, d);\n'
                      '            return d;\n        }\n' % (t.c_name(), cn))
            else:
                c.add('        return %s;\n' % to_json(t, 'obj->u.' + cn))
        c.add('    default:\n        return json_null();\n    }\n}\n\n')

    def gen_out_list(self, arr, c):
        n = arr.c_name()
        c.add('json_t *qapi_%s_to_json(const %s *obj)\n{\n'
              '    json_t *a = json_array();\n\n'
              '    for (; obj; obj = obj->next) {\n'
              '        json_array_append_new(a, %s);\n    }\n'
              '    return a;\n}\n\n' % (n, n, to_json(arr.element,
                                                      'obj->value')))

    def gen_out_enum(self, e, c):
        n = e.c_name()
        c.add('json_t *qapi_%s_to_json(%s val)\n{\n'
              '    const char *s = %s_str(val);\n\n'
              '    return json_string(s ? s : "");\n}\n\n' % (n, n, n))

    def gen_visit(self, builtin_mode):
        h, c = Out(), Out()
        if builtin_mode:
            base = 'qapi-builtin-visit'
            types_h = 'qapi-builtin-types.h'
            enums, objects, alts = [], [], []
            arrays = self.schema.builtin_arrays()
        else:
            base = self.fname('qapi-visit')
            types_h = self.fname('qapi-types.h')
            enums, objects, alts, arrays = self.user_types()
        g = guard(base + '_H')
        h.add(c_file_header('QAPI visitors: JSON <-> C', self.prefix))
        h.add('#ifndef %s\n#define %s\n\n#include "%s"\n' % (g, g, types_h))
        if not builtin_mode:
            h.add('#include "qapi/qapi-builtin-visit.h"\n')
        h.add('\n')
        c.add(c_file_header('QAPI visitors: JSON <-> C', self.prefix))
        c.add('#include "%s.h"\n\n' % base)
        for e in enums:
            n = e.c_name()
            h.add('bool qapi_in_%s(QapiIn *in, const char *name, json_t *v, '
                  '%s *obj,\n        Error **errp);\n' % (n, n))
            h.add('json_t *qapi_%s_to_json(%s val);\n' % (n, n))
            self.gen_in_enum(e, c)
            self.gen_out_enum(e, c)
            self.gen_from_json(e, c, h)
        for o in objects:
            n = o.c_name()
            h.add('bool qapi_in_%s_members(QapiIn *in, %s *obj, '
                  'Error **errp);\n' % (n, n))
            h.add('bool qapi_in_%s(QapiIn *in, const char *name, json_t *v, '
                  '%s **obj,\n        Error **errp);\n' % (n, n))
            h.add('/* Fill *obj from object v (NULL means {}); on failure '
                  '*obj may be\n * partly filled: release it with '
                  'qapi_free_%s_members(). */\n' % n)
            h.add('bool qapi_%s_members_from_json(json_t *v, QapiInputMode '
                  'mode, %s *obj,\n        Error **errp);\n' % (n, n))
            h.add('void qapi_%s_members_to_json(const %s *obj, json_t *d);\n'
                  % (n, n))
            h.add('json_t *qapi_%s_to_json(const %s *obj);\n' % (n, n))
            self.gen_in_members(o, c)
            self.gen_in_object(o, c)
            self.gen_out_members(o, c)
            self.gen_from_json(o, c, h)
        for a in alts:
            n = a.c_name()
            h.add('bool qapi_in_%s(QapiIn *in, const char *name, json_t *v, '
                  '%s **obj,\n        Error **errp);\n' % (n, n))
            h.add('json_t *qapi_%s_to_json(const %s *obj);\n' % (n, n))
            self.gen_in_alternate(a, c)
            self.gen_out_alternate(a, c)
            self.gen_from_json(a, c, h)
        for arr in arrays:
            n = arr.c_name()
            h.add('bool qapi_in_%s(QapiIn *in, const char *name, json_t *v, '
                  '%s **obj,\n        Error **errp);\n' % (n, n))
            h.add('json_t *qapi_%s_to_json(const %s *obj);\n' % (n, n))
            self.gen_in_list(arr, c)
            self.gen_out_list(arr, c)
            self.gen_from_json(arr, c, h)
        h.add('\n#endif\n')
        return base, str(h), str(c)

    # == commands =============================================================

    def params(self, arg_type, boxed, trailing):
        """C parameter list for a command or event with arg_type."""
        ps = []
        if arg_type is not None:
            if boxed:
                ps.append('%s *arg' % arg_type.c_name())
            else:
                for m in arg_type.members:
                    if m.has_flag():
                        ps.append('bool has_%s' % m.c_name())
                    ct = m.type.c_param_type()
                    sep = '' if ct.endswith('*') else ' '
                    ps.append('%s%s%s' % (ct, sep, m.c_name()))
        ps.extend(trailing)
        return ', '.join(ps) if ps else 'void'

    def ret_ctype(self, cmd):
        if cmd.ret_type is None:
            return 'void'
        return cmd.ret_type.c_type()

    def cmd_proto(self, cmd):
        rt = self.ret_ctype(cmd)
        sep = '' if rt.endswith('*') else ' '
        return '%s%sqmp_%s(%s)' % (rt, sep, c_name(cmd.name),
                                   self.params(cmd.arg_type, cmd.boxed,
                                               ['Error **errp']))

    def gen_marshal(self, cmd, c):
        n = c_name(cmd.name)
        at = cmd.arg_type
        c.add('void qmp_marshal_%s(json_t *args, json_t **ret, Error **errp)\n'
              '{\n    Error *err = NULL;\n' % n)
        if at is not None and cmd.boxed:
            c.add('    %s *arg = g_new0(%s, 1);\n' % (at.c_name(),
                                                       at.c_name()))
        elif at is not None:
            c.add('    %s arg = { 0 };\n' % at.c_name())
        rt = cmd.ret_type
        if rt is not None:
            ct = rt.c_type()
            sep = '' if ct.endswith('*') else ' '
            c.add('    %s%sretval;\n' % (ct, sep))
        c.add('\n    *ret = NULL;\n')
        if at is None:
            c.add('    if (!qapi_in_no_args(args, errp)) {\n        return;\n'
                  '    }\n')
        else:
            argp = 'arg' if cmd.boxed else '&arg'
            c.add('    if (!qapi_%s_members_from_json(args, QAPI_INPUT_STRICT, '
                  '%s, errp)) {\n        goto out;\n    }\n'
                  % (at.c_name(), argp))
        args = []
        if at is not None:
            if cmd.boxed:
                args.append('arg')
            else:
                for m in at.members:
                    if m.has_flag():
                        args.append('arg.has_%s' % m.c_name())
                    args.append('arg.%s' % m.c_name())
        args.append('&err')
        call = 'qmp_%s(%s)' % (n, ', '.join(args))
        if rt is not None:
            c.add('    retval = %s;\n' % call)
        else:
            c.add('    %s;\n' % call)
        fr = free_stmt(rt, 'retval') if rt is not None else None
        c.add('    if (err) {\n        error_propagate(errp, err);\n')
        if fr:
            c.add('        %s\n' % fr)
        c.add('        goto out;\n    }\n')
        if rt is None:
            c.add('    *ret = json_object();\n')
        elif rt.name == 'any':
            c.add('    *ret = retval ? retval : json_null();\n')
        else:
            c.add('    *ret = %s;\n' % to_json(rt, 'retval'))
            if fr:
                c.add('    %s\n' % fr)
        c.add('out:\n')
        if at is not None and cmd.boxed:
            c.add('    qapi_free_%s(arg);\n' % at.c_name())
        elif at is not None:
            c.add('    qapi_free_%s_members(&arg);\n' % at.c_name())
        else:
            c.add('    return;\n')
        c.add('}\n\n')

    def gen_commands(self):
        h, c = Out(), Out()
        base = self.fname('qapi-commands')
        p = self.cprefix
        g = guard(base + '_H')
        h.add(c_file_header('QAPI commands: prototypes, marshallers, table',
                            self.prefix))
        h.add('#ifndef %s\n#define %s\n\n#include "%s"\n'
              '#include "qapi/qmp-dispatch.h"\n\n'
              % (g, g, self.fname('qapi-types.h')))
        h.add('/* Implemented outside the generated code. */\n')
        cmds = self.schema.commands()
        for cmd in cmds:
            if cmd.gen:
                h.add('%s;\n' % self.cmd_proto(cmd))
        h.add('\n/* Marshallers: args NULL means no arguments. */\n')
        for cmd in cmds:
            if not cmd.gen:
                h.add('/* %s is not generated: it is written by hand. */\n'
                      % cmd.name)
            h.add('void qmp_marshal_%s(json_t *args, json_t **ret, '
                  'Error **errp);\n' % c_name(cmd.name))
        h.add('\nconst QmpCommand *%sqmp_command_lookup(const char *name);\n'
              'size_t %sqmp_command_count(void);\n'
              'const QmpCommand *%sqmp_command_at(size_t i);\n' % (p, p, p))
        h.add('\n#endif\n')
        c.add(c_file_header('QAPI commands: marshallers and table',
                            self.prefix))
        c.add('#include <string.h>\n#include "%s.h"\n#include "%s"\n\n'
              % (base, self.fname('qapi-visit.h')))
        for cmd in cmds:
            if cmd.gen:
                self.gen_marshal(cmd, c)
        c.add('static const QmpCommand %sqmp_commands[] = {\n' % p)
        for cmd in cmds:
            flags = []
            if cmd.allow_oob:
                flags.append('QCO_ALLOW_OOB')
            if cmd.allow_preconfig:
                flags.append('QCO_ALLOW_PRECONFIG')
            if not cmd.success_response:
                flags.append('QCO_NO_SUCCESS_RESP')
            c.add('    { %s, qmp_marshal_%s, %s },\n'
                  % (c_string(cmd.name), c_name(cmd.name),
                     ' | '.join(flags) or '0'))
        if not cmds:
            c.add('    { NULL, NULL, 0 },\n')
        c.add('};\n\n')
        count = len(cmds)
        c.add('''const QmpCommand *%(p)sqmp_command_lookup(const char *name)
{
    for (size_t i = 0; i < %(n)d; i++) {
        if (!strcmp(%(p)sqmp_commands[i].name, name)) {
            return &%(p)sqmp_commands[i];
        }
    }
    return NULL;
}

size_t %(p)sqmp_command_count(void)
{
    return %(n)d;
}

const QmpCommand *%(p)sqmp_command_at(size_t i)
{
    return i < %(n)d ? &%(p)sqmp_commands[i] : NULL;
}
''' % {'p': p, 'n': count})
        return base, str(h), str(c)

    # == events ===============================================================

    def event_const(self, ev):
        return '%sQAPI_EVENT_%s' % (self.cprefix.upper(), c_name(ev.name,
                                                                 False))

    def gen_events(self):
        h, c = Out(), Out()
        base = self.fname('qapi-events')
        p = self.cprefix
        enum = p + 'QAPIEvent'
        g = guard(base + '_H')
        h.add(c_file_header('QAPI events', self.prefix))
        h.add('#ifndef %s\n#define %s\n\n#include "%s"\n\n'
              % (g, g, self.fname('qapi-types.h')))
        evs = self.schema.events()
        h.add('typedef enum %s {\n' % enum)
        for ev in evs:
            h.add('    %s,\n' % self.event_const(ev))
        maxc = '%sQAPI_EVENT__MAX' % p.upper()
        h.add('    %s,\n} %s;\n\n' % (maxc, enum))
        h.add('extern const QEnumLookup %s_lookup;\n'
              'const char *%s_str(%s event);\n\n' % (enum, enum, enum))
        h.add('/*\n * Sends one event.  Written outside the generated code '
              '(the monitor adds\n * the timestamp).  @data is borrowed; it is '
              'NULL for events without data.\n */\n'
              'void %sqapi_event_emit(%s event, json_t *data);\n\n' % (p,
                                                                       enum))
        c.add(c_file_header('QAPI events', self.prefix))
        c.add('#include "%s.h"\n#include "%s"\n\n'
              % (base, self.fname('qapi-visit.h')))
        c.add('static const char *const %s_names[] = {\n' % enum)
        for ev in evs:
            c.add('    [%s] = %s,\n' % (self.event_const(ev),
                                        c_string(ev.name)))
        if not evs:
            c.add('    NULL,\n')
        c.add('};\n\nconst QEnumLookup %s_lookup = {\n    .array = %s_names,\n'
              '    .size = %s,\n};\n\n' % (enum, enum, maxc))
        c.add('const char *%s_str(%s event)\n{\n'
              '    return qapi_enum_lookup(&%s_lookup, event);\n}\n\n'
              % (enum, enum, enum))
        for ev in evs:
            proto = 'void %sqapi_event_send_%s(%s)' % (
                p, c_name(ev.name.lower()),
                self.params(ev.arg_type, ev.boxed, []))
            if ev.boxed:
                proto = proto.replace('(%s *arg)' % ev.arg_type.c_name(),
                                      '(const %s *arg)'
                                      % ev.arg_type.c_name())
            h.add(proto + ';\n')
            c.add(proto + '\n{\n')
            at = ev.arg_type
            if at is None:
                c.add('    %sqapi_event_emit(%s, NULL);\n}\n\n'
                      % (p, self.event_const(ev)))
                continue
            if ev.boxed:
                c.add('    json_t *data = qapi_%s_to_json(arg);\n\n'
                      % at.c_name())
            else:
                c.add('    %s arg = { 0 };\n    json_t *data = json_object();'
                      '\n\n' % at.c_name())
                for m in at.members:
                    if m.has_flag():
                        c.add('    arg.has_%s = has_%s;\n' % (m.c_name(),
                                                              m.c_name()))
                    cast = '(char *)' if m.type.name == 'str' else ''
                    c.add('    arg.%s = %s%s;\n' % (m.c_name(), cast,
                                                    m.c_name()))
                c.add('    qapi_%s_members_to_json(&arg, data);\n'
                      % at.c_name())
            c.add('    %sqapi_event_emit(%s, data);\n    json_decref(data);\n'
                  '}\n\n' % (p, self.event_const(ev)))
        h.add('\n#endif\n')
        return base, str(h), str(c)

    # == introspection ========================================================

    def introspect_list(self):
        s = self.schema
        used, names, out = [], {}, []

        def name_of(n):
            if n not in names:
                names[n] = '%d' % len(names)
            return names[n]

        def use(t):
            if t.json_type() == 'int' and isinstance(t, BuiltinType):
                t = s.lookup('int')
            elif isinstance(t, ArrayType) and \
                    isinstance(t.element, BuiltinType) and \
                    t.element.json_type() == 'int':
                t = s.array_of(s.lookup('int'))
            if t not in used:
                used.append(t)
            if isinstance(t, BuiltinType):
                return t.name
            if isinstance(t, ArrayType):
                return '[' + use(t.element) + ']'
            return name_of(t.name)

        def entry(name, meta, body, features):
            obj = {'name': name, 'meta-type': meta}
            obj.update(body)
            if features:
                obj['features'] = list(features)
            out.append(obj)

        def member(m):
            d = {'name': m.name, 'type': use(m.type)}
            if m.optional:
                d['default'] = None
            if m.features:
                d['features'] = list(m.features)
            return d

        for ent in s.entities_in_module_order():
            if ent.meta == 'command':
                body = {'arg-type': use(ent.arg_type or s.the_empty_object),
                        'ret-type': use(ent.ret_type or s.the_empty_object)}
                if ent.allow_oob:
                    body['allow-oob'] = True
                entry(ent.name, 'command', body, ent.features)
            elif ent.meta == 'event':
                entry(ent.name, 'event',
                      {'arg-type': use(ent.arg_type or s.the_empty_object)},
                      ent.features)
        i = 0
        while i < len(used):
            t = used[i]
            i += 1
            if isinstance(t, BuiltinType):
                entry(t.name, 'builtin', {'json-type': t.json_type()}, [])
            elif isinstance(t, EnumType):
                mems = []
                for v in t.values:
                    d = {'name': v.name}
                    if v.features:
                        d['features'] = list(v.features)
                    mems.append(d)
                entry(name_of(t.name), 'enum',
                      {'members': mems,
                       'values': [v.name for v in t.values]}, t.features)
            elif isinstance(t, ArrayType):
                el = use(t.element)
                entry('[' + el + ']', 'array', {'element-type': el}, [])
            elif isinstance(t, ObjectType):
                body = {'members': [member(m) for m in t.members]}
                if t.variants:
                    body['tag'] = t.tag
                    body['variants'] = [{'case': v.name, 'type': use(v.type)}
                                        for v in t.variants]
                entry(name_of(t.name), 'object', body, t.features)
            elif isinstance(t, AlternateType):
                entry(name_of(t.name), 'alternate',
                      {'members': [{'type': use(v.type)}
                                   for v in t.variants]}, t.features)
        return out, names

    def gen_introspect(self):
        h, c = Out(), Out()
        base = self.fname('qapi-introspect')
        p = self.cprefix
        g = guard(base + '_H')
        lst, names = self.introspect_list()
        h.add(c_file_header('QAPI introspection (query-qmp-schema)',
                            self.prefix))
        h.add('#ifndef %s\n#define %s\n\n#include <jansson.h>\n\n'
              '/* The schema as a list of SchemaInfo (new reference). */\n'
              'json_t *%sqapi_introspect_schema(void);\n\n#endif\n'
              % (g, g, p))
        c.add(c_file_header('QAPI introspection (query-qmp-schema)',
                            self.prefix))
        c.add('#include "%s.h"\n\n' % base)
        c.add('/*\n * Type names are masked as numbers, as QEMU does:\n')
        for n, num in names.items():
            c.add(' *   %s = %s\n' % (num, n))
        c.add(' */\nstatic const char schema_json[] =\n')
        for ent in lst:
            c.add('    %s\n' % c_string(json.dumps(ent) + ','))
        c.add('    "";\n\n')
        c.add('json_t *%sqapi_introspect_schema(void)\n{\n'
              '    /* The entries above each end in a comma: close the list. */\n'
              '    size_t len = sizeof(schema_json) - 1;\n'
              '    char *text = g_malloc(len + 3);\n    json_t *list;\n\n'
              '    text[0] = \'[\';\n'
              '    memcpy(text + 1, schema_json, len);\n'
              '    if (len) {\n        len--; /* drop the last comma */\n    }\n'
              '    text[len + 1] = \']\';\n    text[len + 2] = 0;\n'
              '    list = json_loads(text, 0, NULL);\n'
              '    g_free(text);\n    return list;\n}\n' % p)
        c.parts.insert(1, '#include <string.h>\n#include <glib.h>\n')
        return base, str(h), str(c)
