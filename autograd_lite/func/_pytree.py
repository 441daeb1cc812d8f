"""Python containers of tensors (pytrees) as torch.func reads them: tuples, lists,
dicts and namedtuples are nodes, anything else is a leaf. `flatten` gives the leaves
and a `TreeSpec`; `unflatten` puts leaves back; `broadcast_prefix` spreads a prefix
tree (vmap's `in_dims`/`out_dims`: an int or None stands for a whole subtree) over the
leaves of a tree."""

__all__ = ["TreeSpec", "flatten", "unflatten", "tree_map", "broadcast_prefix", "is_node"]


def is_node(x):
    """Whether `x` is a container torch.func looks inside (tuple, list, dict, namedtuple)."""
    return isinstance(x, (tuple, list, dict))


def _kind(x):
    if isinstance(x, dict):
        return "dict"
    if isinstance(x, tuple) and hasattr(type(x), "_fields"):
        return "namedtuple"
    return "tuple" if isinstance(x, tuple) else "list"


class TreeSpec:
    """The shape of a pytree: its node kind ("tuple", "list", "dict", "namedtuple", or
    None for a leaf), the node's context (a dict's keys, a namedtuple's class) and the
    children's specs."""

    __slots__ = ("kind", "context", "children", "num_leaves")

    def __init__(self, kind, context, children):
        self.kind, self.context, self.children = kind, context, children
        self.num_leaves = 1 if kind is None else sum(c.num_leaves for c in children)

    def __eq__(self, other):
        return (isinstance(other, TreeSpec) and self.kind == other.kind and self.context == other.context
                and self.children == other.children)

    def __hash__(self):
        return hash((self.kind, len(self.children)))

    def __repr__(self):
        if self.kind is None:
            return "*"
        name = self.context.__name__ if self.kind == "namedtuple" else self.kind
        ctx = list(self.context) if self.kind == "dict" else None
        return f"TreeSpec({name}, {ctx}, [{', '.join(repr(c) for c in self.children)}])"


LEAF = TreeSpec(None, None, ())


def _children(x, kind):
    if kind == "dict":
        return list(x.keys()), list(x.values())
    if kind == "namedtuple":
        return type(x), list(x)
    return None, list(x)


def flatten(tree):
    """`(leaves, spec)`: the leaves in order (depth first; a dict in its key order)."""
    leaves = []

    def visit(x):
        if not is_node(x):
            leaves.append(x)
            return LEAF
        kind = _kind(x)
        context, kids = _children(x, kind)
        return TreeSpec(kind, context, [visit(k) for k in kids])

    return leaves, visit(tree)


def unflatten(leaves, spec):
    """The tree of shape `spec` holding `leaves` in order."""
    it = iter(leaves)

    def build(s):
        if s.kind is None:
            return next(it)
        kids = [build(c) for c in s.children]
        if s.kind == "dict":
            return dict(zip(s.context, kids))
        if s.kind == "namedtuple":
            return s.context(*kids)
        return tuple(kids) if s.kind == "tuple" else kids

    return build(spec)


def tree_map(fn, tree):
    """`tree` with every leaf replaced by `fn(leaf)`."""
    leaves, spec = flatten(tree)
    return unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix, tree):
    """One value of `prefix` per leaf of `tree`: where `prefix` has a leaf (an int, None)
    and `tree` a subtree, that value covers the subtree. Returns None when `prefix` is not
    a prefix of `tree` (a node of another kind, length or keys)."""
    out = []

    def visit(p, t):
        if not is_node(p):
            out.extend([p] * flatten(t)[1].num_leaves)
            return True
        if not is_node(t) or _kind(p) != _kind(t) or len(p) != len(t):
            return False
        if isinstance(p, dict):
            if set(p) != set(t):
                return False
            return all(visit(p[k], t[k]) for k in t)
        return all(visit(a, b) for a, b in zip(p, t))

    return out if visit(prefix, tree) else None
