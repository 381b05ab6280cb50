# SPDX-License-Identifier: GPL-2.0-or-later
"""The checked schema model built from parsed expressions.

Every definition becomes an entity: builtin, enum, object (struct, union,
implicit argument structs), alternate, array, command or event.  Checking
happens here so that generators can assume a consistent schema.  'if'
conditions are evaluated at generation time against the configuration
symbols given on the command line; anything whose condition is false is
dropped as if it had not been written.
"""

import re

from .common import c_name, c_enum_const
from .parser import QAPIError

# name -> (C type, JSON type used by introspection, is a pointer)
BUILTINS = [
    ('str', 'char *', 'string', True),
    ('number', 'double', 'number', False),
    ('int', 'int64_t', 'int', False),
    ('int8', 'int8_t', 'int', False),
    ('int16', 'int16_t', 'int', False),
    ('int32', 'int32_t', 'int', False),
    ('int64', 'int64_t', 'int', False),
    ('uint8', 'uint8_t', 'int', False),
    ('uint16', 'uint16_t', 'int', False),
    ('uint32', 'uint32_t', 'int', False),
    ('uint64', 'uint64_t', 'int', False),
    ('size', 'uint64_t', 'int', False),
    ('bool', 'bool', 'boolean', False),
    ('null', 'json_t *', 'null', True),
    ('any', 'json_t *', 'value', True),
]

_NAME_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_.+-]*$')


class Entity:
    meta = None

    def __init__(self, name, info, doc=None, features=None):
        self.name = name
        self.info = info
        self.doc = doc
        self.features = features or []
        self.module = info.fname if info else None

    def describe(self):
        return "%s '%s'" % (self.meta, self.name)


class Type(Entity):
    is_implicit = False

    def c_name(self):
        return c_name(self.name)

    def c_type(self):
        raise NotImplementedError

    def c_param_type(self):
        return self.c_type()

    def is_pointer(self):
        return True

    def json_type(self):
        raise NotImplementedError


class BuiltinType(Type):
    meta = 'built-in type'

    def __init__(self, name, ctype, json_type, ptr):
        super().__init__(name, None)
        self._ctype = ctype
        self._json = json_type
        self._ptr = ptr

    def c_type(self):
        return self._ctype

    def c_param_type(self):
        return 'const char *' if self.name == 'str' else self._ctype

    def is_pointer(self):
        return self._ptr

    def json_type(self):
        return self._json


class EnumValue:
    def __init__(self, name, info, features):
        self.name = name
        self.info = info
        self.features = features


class EnumType(Type):
    meta = 'enum'

    def __init__(self, name, info, doc, features, values, prefix):
        super().__init__(name, info, doc, features)
        self.values = values
        self.prefix = prefix

    def c_type(self):
        return self.c_name()

    def is_pointer(self):
        return False

    def json_type(self):
        return 'string'

    def const(self, value):
        return c_enum_const(self.name, value, self.prefix)

    def max_const(self):
        return c_enum_const(self.name, '_MAX', self.prefix)


class ArrayType(Type):
    meta = 'array'

    def __init__(self, element):
        super().__init__(element.name + 'List', element.info)
        self.element = element
        self.is_implicit = True
        self.module = element.module

    def c_type(self):
        return self.c_name() + ' *'

    def json_type(self):
        return 'array'


class Member:
    def __init__(self, name, typ, optional, info, features):
        self.name = name
        self.type = typ      # name until resolved, then a Type
        self.optional = optional
        self.info = info
        self.features = features

    def c_name(self):
        return c_name(self.name)

    def has_flag(self):
        """Optional members of non-pointer type carry a has_ flag."""
        return self.optional and not self.type.is_pointer()


class Variant:
    def __init__(self, name, typ, info):
        self.name = name
        self.type = typ
        self.info = info


class ObjectType(Type):
    """A struct, a union, or an implicit struct (command/event arguments)."""
    meta = 'struct'

    def __init__(self, name, info, doc, features, base, members,
                 tag=None, variants=None, is_union=False, implicit=False):
        super().__init__(name, info, doc, features)
        self.base = base              # name, then ObjectType or None
        self.local_members = members
        self.tag = tag                # discriminator member name (unions)
        self.variants = variants or []
        self.is_union = is_union
        self.is_implicit = implicit
        self.members = None           # all members, base first, once checked
        self.tag_member = None
        if is_union:
            self.meta = 'union'

    def c_type(self):
        return self.c_name() + ' *'

    def json_type(self):
        return 'object'

    def is_empty(self):
        return not self.members and not self.variants


class AlternateType(Type):
    meta = 'alternate'

    def __init__(self, name, info, doc, features, variants):
        super().__init__(name, info, doc, features)
        self.variants = variants

    def c_type(self):
        return self.c_name() + ' *'

    def json_type(self):
        return 'value'


class Command(Entity):
    meta = 'command'

    def __init__(self, name, info, doc, features, arg_type, ret_type, boxed,
                 gen, success_response, allow_oob, allow_preconfig):
        super().__init__(name, info, doc, features)
        self.arg_type = arg_type
        self.ret_type = ret_type
        self.ret_is_list = False
        self.boxed = boxed
        self.gen = gen
        self.success_response = success_response
        self.allow_oob = allow_oob
        self.allow_preconfig = allow_preconfig


class Event(Entity):
    meta = 'event'

    def __init__(self, name, info, doc, features, arg_type, boxed):
        super().__init__(name, info, doc, features)
        self.arg_type = arg_type
        self.boxed = boxed


def _check_keys(info, expr, what, required, optional):
    for key in required:
        if key not in expr:
            raise QAPIError(info, "%s misses key '%s'" % (what, key))
    allowed = set(required) | set(optional)
    for key in expr:
        if key not in allowed:
            raise QAPIError(info, "%s has unknown key '%s'" % (what, key))


def _check_bool(info, expr, key, what):
    if key in expr and not isinstance(expr[key], bool):
        raise QAPIError(info, "%s: '%s' must be true or false" % (what, key))


class Schema:
    def __init__(self, reader, defines=()):
        self.defines = set(defines)
        self.entities = []        # in definition order
        self._by_name = {}
        self.modules = []         # file names, in order of first appearance
        self.free_docs = []       # (module, DocComment)
        self._arrays = {}
        self._dropped = set()   # names left out by a false 'if'
        for name, ctype, jtype, ptr in BUILTINS:
            self._define(BuiltinType(name, ctype, jtype, ptr))
        self.the_empty_object = ObjectType('q_empty', None, None, [], None,
                                           [], implicit=True)
        self.the_empty_object.members = []
        self._define(self.the_empty_object)
        for item in reader.exprs:
            info = item['info']
            if info.fname not in self.modules:
                self.modules.append(info.fname)
            expr = item['expr']
            if expr is None:
                self.free_docs.append((info.fname, item['doc']))
                continue
            if 'include' in expr:
                if expr['include'] not in self.modules:
                    self.modules.append(expr['include'])
                continue
            self._def_expr(expr, info, item['doc'])
        self._check()

    # -- conditions ---------------------------------------------------------

    def _cond(self, info, cond):
        if cond is None:
            return True
        if isinstance(cond, str):
            if not re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', cond):
                raise QAPIError(info, "'if' condition '%s' is not a valid "
                                "identifier" % cond)
            return cond in self.defines
        if isinstance(cond, dict) and len(cond) == 1:
            (op, arg), = cond.items()
            if op == 'not':
                return not self._cond(info, arg)
            if op in ('all', 'any') and isinstance(arg, list) and arg:
                vals = [self._cond(info, a) for a in arg]
                return all(vals) if op == 'all' else any(vals)
        raise QAPIError(info, "'if' condition must be a string or a dict "
                        "with one key 'all', 'any' or 'not'")

    # -- definitions --------------------------------------------------------

    def _define(self, ent):
        other = self._by_name.get(ent.name)
        if other is not None:
            where = (' (first defined at %s)' % other.info
                     if other.info else ' (a built-in type)')
            raise QAPIError(ent.info, "%s is already defined%s"
                            % (ent.describe(), where))
        self._by_name[ent.name] = ent
        self.entities.append(ent)

    def lookup(self, name):
        return self._by_name.get(name)

    def _check_name(self, info, name, what, upper_ok=True):
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise QAPIError(info, "%s has an invalid name '%s'"
                            % (what, name))
        if name.startswith('q_') or name.startswith('q-'):
            raise QAPIError(info, "%s uses reserved name '%s'" % (what, name))
        if name.endswith('List') and what.startswith(('struct', 'union',
                                                       'enum', 'alternate')):
            raise QAPIError(info, "%s name should not end in 'List'" % what)

    def _features(self, info, what, feats):
        if feats is None:
            return []
        if not isinstance(feats, list):
            raise QAPIError(info, "%s: 'features' must be an array" % what)
        out = []
        for f in feats:
            if isinstance(f, dict):
                _check_keys(info, f, "%s: feature" % what, ['name'], ['if'])
                if not self._cond(info, f.get('if')):
                    continue
                f = f['name']
            if not isinstance(f, str) or not _NAME_RE.match(f):
                raise QAPIError(info, "%s: invalid feature name '%s'"
                                % (what, f))
            if f in out:
                raise QAPIError(info, "%s: feature '%s' listed twice"
                                % (what, f))
            out.append(f)
        return out

    def _type_ref(self, info, what, ref, allow_array=True):
        """A type reference: a name, or a one-element list for an array."""
        if isinstance(ref, list):
            if not allow_array:
                raise QAPIError(info, "%s cannot be an array" % what)
            if len(ref) != 1 or not isinstance(ref[0], str):
                raise QAPIError(info, "%s: an array type must be written "
                                "as a list of one type name" % what)
            return [ref[0]]
        if not isinstance(ref, str):
            raise QAPIError(info, "%s should be a type name" % what)
        return ref

    def _members(self, info, what, data):
        if not isinstance(data, dict):
            raise QAPIError(info, "%s: 'data' must be an object" % what)
        out = []
        for key, val in data.items():
            optional = key.startswith('*')
            name = key[1:] if optional else key
            mwhat = "%s member '%s'" % (what, name)
            feats = []
            if isinstance(val, dict):
                _check_keys(info, val, mwhat, ['type'], ['if', 'features'])
                if not self._cond(info, val.get('if')):
                    self._dropped.add(name)
                    continue
                feats = self._features(info, mwhat, val.get('features'))
                val = val['type']
            if not isinstance(name, str) or not _NAME_RE.match(name):
                raise QAPIError(info, "%s has an invalid name" % mwhat)
            if name.startswith('has-') or name.startswith('has_'):
                raise QAPIError(info, "%s: names starting with 'has-' are "
                                "reserved" % mwhat)
            typ = self._type_ref(info, mwhat, val)
            out.append(Member(name, typ, optional, info, feats))
        return out

    def _implicit(self, info, name, data, what):
        obj = ObjectType(name, info, None, [], None,
                         self._members(info, what, data), implicit=True)
        self._define(obj)
        return name

    def _def_expr(self, expr, info, doc):
        metas = [k for k in ('enum', 'struct', 'union', 'alternate',
                             'command', 'event', 'pragma') if k in expr]
        if len(metas) != 1:
            raise QAPIError(info, "expression must have exactly one of the "
                            "keys 'enum', 'struct', 'union', 'alternate', "
                            "'command', 'event' or 'include'")
        meta = metas[0]
        if meta == 'pragma':
            return
        name = expr[meta]
        what = "%s '%s'" % (meta, name)
        info = info.with_defn(what)
        if doc is not None and doc.symbol != name:
            raise QAPIError(doc.info, "documentation comment is for '%s' "
                            "but the definition that follows is '%s'"
                            % (doc.symbol, name))
        self._check_name(info, name, what)
        if not self._cond(info, expr.get('if')):
            return
        feats = self._features(info, what, expr.get('features'))
        getattr(self, '_def_' + meta)(expr, info, doc, name, what, feats)

    def _def_enum(self, expr, info, doc, name, what, feats):
        _check_keys(info, expr, what, ['enum', 'data'],
                    ['if', 'features', 'prefix'])
        if not isinstance(expr['data'], list):
            raise QAPIError(info, "%s: 'data' must be an array" % what)
        prefix = expr.get('prefix')
        if prefix is not None and not isinstance(prefix, str):
            raise QAPIError(info, "%s: 'prefix' must be a string" % what)
        values, seen = [], set()
        for v in expr['data']:
            vfeats = []
            if isinstance(v, dict):
                _check_keys(info, v, "%s value" % what, ['name'],
                            ['if', 'features'])
                if not self._cond(info, v.get('if')):
                    self._dropped.add(v['name'])
                    continue
                vfeats = self._features(info, what, v.get('features'))
                v = v['name']
            if not isinstance(v, str) or not re.match(r'^[A-Za-z0-9_.+-]+$',
                                                      v):
                raise QAPIError(info, "%s: invalid value '%s'" % (what, v))
            cname = c_name(v, False).lower()
            if cname in seen:
                raise QAPIError(info, "%s: value '%s' clashes with another "
                                "value" % (what, v))
            seen.add(cname)
            values.append(EnumValue(v, info, vfeats))
        self._define(EnumType(name, info, doc, feats, values, prefix))

    def _def_struct(self, expr, info, doc, name, what, feats):
        _check_keys(info, expr, what, ['struct', 'data'],
                    ['base', 'if', 'features'])
        base = expr.get('base')
        if base is not None and not isinstance(base, str):
            raise QAPIError(info, "%s: 'base' must be a type name" % what)
        self._define(ObjectType(name, info, doc, feats, base,
                                self._members(info, what, expr['data'])))

    def _def_union(self, expr, info, doc, name, what, feats):
        _check_keys(info, expr, what,
                    ['union', 'base', 'discriminator', 'data'],
                    ['if', 'features'])
        base = expr['base']
        if isinstance(base, dict):
            base = self._implicit(info, 'q_obj_%s-base' % name, base, what)
        elif not isinstance(base, str):
            raise QAPIError(info, "%s: 'base' must be a type name or an "
                            "object" % what)
        tag = expr['discriminator']
        if not isinstance(tag, str):
            raise QAPIError(info, "%s: 'discriminator' must be a member "
                            "name" % what)
        data = expr['data']
        if not isinstance(data, dict):
            raise QAPIError(info, "%s: 'data' must be an object" % what)
        variants = []
        for case, val in data.items():
            if isinstance(val, dict):
                _check_keys(info, val, "%s branch '%s'" % (what, case),
                            ['type'], ['if'])
                if not self._cond(info, val.get('if')):
                    continue
                val = val['type']
            variants.append(Variant(case, self._type_ref(
                info, "%s branch '%s'" % (what, case), val,
                allow_array=False), info))
        self._define(ObjectType(name, info, doc, feats, base, [], tag,
                                variants, is_union=True))

    def _def_alternate(self, expr, info, doc, name, what, feats):
        _check_keys(info, expr, what, ['alternate', 'data'],
                    ['if', 'features'])
        data = expr['data']
        if not isinstance(data, dict) or not data:
            raise QAPIError(info, "%s: 'data' must be a non-empty object"
                            % what)
        variants = []
        for case, val in data.items():
            if isinstance(val, dict):
                _check_keys(info, val, "%s branch '%s'" % (what, case),
                            ['type'], ['if'])
                if not self._cond(info, val.get('if')):
                    continue
                val = val['type']
            variants.append(Variant(case, self._type_ref(
                info, "%s branch '%s'" % (what, case), val), info))
        self._define(AlternateType(name, info, doc, feats, variants))

    def _def_command(self, expr, info, doc, name, what, feats):
        _check_keys(info, expr, what, ['command'],
                    ['data', 'returns', 'boxed', 'gen', 'success-response',
                     'allow-oob', 'allow-preconfig', 'coroutine', 'if',
                     'features'])
        for key in ('boxed', 'gen', 'success-response', 'allow-oob',
                    'allow-preconfig', 'coroutine'):
            _check_bool(info, expr, key, what)
        data = expr.get('data')
        boxed = expr.get('boxed', False)
        if isinstance(data, dict):
            if boxed:
                raise QAPIError(info, "%s: 'boxed': true requires 'data' to "
                                "name a type" % what)
            data = (self._implicit(info, 'q_obj_%s-arg' % name, data, what)
                    if data else None)
        elif data is not None and not isinstance(data, str):
            raise QAPIError(info, "%s: 'data' must be an object or a type "
                            "name" % what)
        elif boxed and data is None:
            raise QAPIError(info, "%s: 'boxed': true requires 'data'" % what)
        ret = expr.get('returns')
        if ret is not None:
            ret = self._type_ref(info, "%s: 'returns'" % what, ret)
        self._define(Command(name, info, doc, feats, data, ret, boxed,
                             expr.get('gen', True),
                             expr.get('success-response', True),
                             expr.get('allow-oob', False),
                             expr.get('allow-preconfig', False)))

    def _def_event(self, expr, info, doc, name, what, feats):
        _check_keys(info, expr, what, ['event'],
                    ['data', 'boxed', 'if', 'features'])
        _check_bool(info, expr, 'boxed', what)
        if not re.match(r'^[A-Z][A-Z0-9_]*$', name):
            raise QAPIError(info, "%s: event names must be in upper case"
                            % what)
        data = expr.get('data')
        boxed = expr.get('boxed', False)
        if isinstance(data, dict):
            if boxed:
                raise QAPIError(info, "%s: 'boxed': true requires 'data' to "
                                "name a type" % what)
            data = (self._implicit(info, 'q_obj_%s-arg' % name, data, what)
                    if data else None)
        elif data is not None and not isinstance(data, str):
            raise QAPIError(info, "%s: 'data' must be an object or a type "
                            "name" % what)
        self._define(Event(name, info, doc, feats, data, boxed))

    # -- resolution and checks ----------------------------------------------

    def array_of(self, elem):
        arr = self._arrays.get(elem.name)
        if arr is None:
            arr = ArrayType(elem)
            self._arrays[elem.name] = arr
        return arr

    def _resolve(self, info, ref, what):
        if isinstance(ref, list):
            return self.array_of(self._resolve(info, ref[0], what))
        typ = self._by_name.get(ref)
        if typ is None or not isinstance(typ, Type):
            raise QAPIError(info, "%s uses unknown type '%s'" % (what, ref))
        if typ is self.the_empty_object:
            raise QAPIError(info, "%s uses reserved type 'q_empty'" % what)
        return typ

    def _resolve_object(self, info, ref, what, allow_union=False):
        typ = self._resolve(info, ref, what)
        if not isinstance(typ, ObjectType) or (typ.is_union and
                                               not allow_union):
            raise QAPIError(info, "%s requires a struct type, not '%s'"
                            % (what, ref))
        return typ

    def _check(self):
        for ent in list(self.entities):
            if isinstance(ent, ObjectType):
                for m in ent.local_members:
                    m.type = self._resolve(m.info, m.type, "member '%s'"
                                           % m.name)
                for v in ent.variants:
                    v.type = self._resolve(v.info, v.type, "branch '%s'"
                                           % v.name)
            elif isinstance(ent, AlternateType):
                for v in ent.variants:
                    v.type = self._resolve(v.info, v.type, "branch '%s'"
                                           % v.name)
        for ent in list(self.entities):
            if isinstance(ent, ObjectType):
                self._check_object(ent, [])
            elif isinstance(ent, AlternateType):
                self._check_alternate(ent)
        for ent in list(self.entities):
            if isinstance(ent, Command):
                self._check_command(ent)
            elif isinstance(ent, Event):
                if ent.arg_type is not None:
                    ent.arg_type = self._resolve_object(
                        ent.info, ent.arg_type, "'data'", ent.boxed)
                    self._check_object(ent.arg_type, [])
        for ent in self.entities:
            if ent.doc is not None:
                self._check_doc(ent)

    def _check_object(self, obj, stack):
        if obj.members is not None:
            return
        if obj in stack:
            raise QAPIError(obj.info, "object %s contains itself" % obj.name)
        members = []
        if obj.base is not None:
            base = self._resolve_object(obj.info, obj.base, "'base'")
            self._check_object(base, stack + [obj])
            if base.variants:
                raise QAPIError(obj.info, "'base' must not be a union")
            obj.base = base
            members.extend(base.members)
        seen = {}
        for m in members + obj.local_members:
            cn = m.c_name()
            if cn in seen:
                raise QAPIError(m.info, "member '%s' clashes with member "
                                "'%s'" % (m.name, seen[cn]))
            seen[cn] = m.name
        members.extend(obj.local_members)
        obj.members = members
        if obj.is_union:
            tag = next((m for m in members if m.name == obj.tag), None)
            if tag is None:
                raise QAPIError(obj.info, "discriminator '%s' is not a "
                                "member of 'base'" % obj.tag)
            if not isinstance(tag.type, EnumType):
                raise QAPIError(obj.info, "discriminator member '%s' must be "
                                "of enum type" % obj.tag)
            if tag.optional:
                raise QAPIError(obj.info, "discriminator member '%s' must "
                                "not be optional" % obj.tag)
            obj.tag_member = tag
            values = [v.name for v in tag.type.values]
            for v in obj.variants:
                if v.name not in values:
                    raise QAPIError(v.info, "branch '%s' is not a value of "
                                    "%s" % (v.name, tag.type.describe()))
                if not isinstance(v.type, ObjectType) or v.type.is_union:
                    raise QAPIError(v.info, "branch '%s' must be a struct "
                                    "type" % v.name)
                self._check_object(v.type, stack + [obj])
                for vm in v.type.members:
                    if vm.c_name() in seen:
                        raise QAPIError(v.info, "member '%s' of branch '%s' "
                                        "clashes with member '%s'"
                                        % (vm.name, v.name,
                                           seen[vm.c_name()]))
            explicit = [v.name for v in obj.variants]
            for val in values:
                if val not in explicit:
                    obj.variants.append(Variant(val, self.the_empty_object,
                                                obj.info))
            order = {v: i for i, v in enumerate(values)}
            obj.variants.sort(key=lambda v: order[v.name])

    def _check_alternate(self, alt):
        kinds = {}
        for v in alt.variants:
            t = v.type
            if isinstance(t, ObjectType):
                self._check_object(t, [])
                if t.is_union:
                    raise QAPIError(v.info, "branch '%s' cannot be a union"
                                    % v.name)
                kind = 'object'
            elif isinstance(t, AlternateType):
                raise QAPIError(v.info, "branch '%s' cannot be an alternate"
                                % v.name)
            elif isinstance(t, ArrayType):
                kind = 'array'
            elif isinstance(t, EnumType):
                kind = 'string'
            elif t.name == 'any':
                raise QAPIError(v.info, "branch '%s' cannot use 'any'"
                                % v.name)
            elif t.json_type() == 'int':
                kind = 'number' if 'number' in kinds else 'int'
            else:
                kind = t.json_type()
            clash = kinds.get(kind)
            if kind == 'number' and 'int' in kinds:
                clash = kinds['int']
            if kind == 'int' and 'number' in kinds:
                clash = kinds['number']
            if clash:
                raise QAPIError(v.info, "branch '%s' can't be distinguished "
                                "from '%s'" % (v.name, clash))
            kinds[kind] = v.name

    def _check_command(self, cmd):
        if cmd.arg_type is not None:
            cmd.arg_type = self._resolve_object(cmd.info, cmd.arg_type,
                                                "'data'", cmd.boxed)
            self._check_object(cmd.arg_type, [])
        if cmd.ret_type is not None:
            rt = self._resolve(cmd.info, cmd.ret_type, "'returns'")
            cmd.ret_is_list = isinstance(rt, ArrayType)
            inner = rt.element if cmd.ret_is_list else rt
            if not (isinstance(inner, ObjectType) or cmd.ret_is_list or
                    inner.name in ('str', 'any', 'int', 'bool')):
                raise QAPIError(cmd.info, "'returns' must be an object type "
                                "or an array")
            cmd.ret_type = rt

    def _check_doc(self, ent):
        doc = ent.doc
        names = []
        if isinstance(ent, ObjectType):
            names = [m.name for m in ent.local_members]
            if isinstance(ent.base, ObjectType) and ent.base.is_implicit:
                names += [m.name for m in ent.base.members]
        elif isinstance(ent, (Command, Event)):
            if ent.arg_type is not None and not ent.boxed:
                names = [m.name for m in ent.arg_type.members]
        elif isinstance(ent, EnumType):
            names = [v.name for v in ent.values]
        elif isinstance(ent, AlternateType):
            names = [v.name for v in ent.variants]
        for arg in doc.args:
            if arg not in names and arg not in self._dropped and not (isinstance(ent, (Command, Event))
                                         and ent.boxed):
                raise QAPIError(doc.info, "documented member '%s' does not "
                                "exist in %s" % (arg, ent.describe()))
        feats = set(ent.features)
        if isinstance(ent, ObjectType):
            for m in ent.local_members:
                feats.update(m.features)
        elif isinstance(ent, EnumType):
            for v in ent.values:
                feats.update(v.features)
        for f in doc.features:
            if f not in feats:
                raise QAPIError(doc.info, "documented feature '%s' does not "
                                "exist in %s" % (f, ent.describe()))

    # -- iteration helpers ---------------------------------------------------

    def types(self):
        return [e for e in self.entities if isinstance(e, Type)]

    def objects(self):
        return [e for e in self.entities if isinstance(e, ObjectType)
                and e is not self.the_empty_object]

    def alternates(self):
        return [e for e in self.entities if isinstance(e, AlternateType)]

    def enums(self):
        return [e for e in self.entities if isinstance(e, EnumType)]

    def commands(self):
        return [e for e in self.entities if isinstance(e, Command)]

    def events(self):
        return [e for e in self.entities if isinstance(e, Event)]

    def arrays(self):
        """User (non-builtin) array types: one per non-builtin type."""
        out = []
        for t in self.types():
            if isinstance(t, (EnumType, ObjectType, AlternateType)) and \
                    t is not self.the_empty_object:
                out.append(self.array_of(t))
        return out

    def builtin_arrays(self):
        return [self.array_of(self.lookup(b[0])) for b in BUILTINS]

    def entities_in_module_order(self):
        order = {m: i for i, m in enumerate(self.modules)}
        ents = [e for e in self.entities if e.info is not None]
        return sorted(ents, key=lambda e: order.get(e.module, 0))
