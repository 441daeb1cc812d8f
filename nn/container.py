"""Containers: Sequential, ModuleList, ModuleDict (PyTorch's semantics, keys and repr)."""
import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from itertools import islice

from autograd_lite.extend import next_seq

from .module import Module, _indent

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


def _index(idx, n):
    """A non-negative position from an int index, with PyTorch's error."""
    i = operator.index(idx)
    if not -n <= i < n:
        raise IndexError(f"index {idx} is out of range")
    return i + n if i < 0 else i


class Sequential(Module):
    """Modules applied in order: `Sequential(m1, m2, ...)` (keys "0", "1", ...) or
    `Sequential(OrderedDict([("name", m), ...]))`."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def _item_by_idx(self, idx):
        i = _index(idx, len(self))
        return next(islice(iter(self._modules.values()), i, None))

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return self._item_by_idx(idx)

    def __setitem__(self, idx, module):
        key = list(self._modules)[_index(idx, len(self))]
        setattr(self, key, module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            for key in list(self._modules)[idx]:
                delattr(self, key)
        else:
            delattr(self, list(self._modules)[_index(idx, len(self))])
        # keep the numbering 0..n-1, as PyTorch
        self.__dict__["_modules"] = OrderedDict(
            (str(i), m) for i, m in enumerate(self._modules.values()))

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but "
                             f"{type(other)} is given.")
        out = Sequential()
        for m in list(self) + list(other):
            out.append(m)
        return out

    def __iadd__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but "
                             f"{type(other)} is given.")
        for m in list(other):
            self.append(m)
        return self

    def __mul__(self, other):
        if not isinstance(other, int) or other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for Sequential")
        out = Sequential()
        for _ in range(other):
            for m in self:
                out.append(m)
        return out

    __rmul__ = __mul__

    def append(self, module):
        """Add `module` at the end; returns the Sequential."""
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index, module):
        """Insert `module` before position `index` (negative counts from the end); returns the
        Sequential. Raises IndexError when `index` is out of range, AssertionError when
        `module` is not a Module (as PyTorch)."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        if index < 0:
            index += n
        mods = list(self._modules.values())
        mods.insert(index, module)
        self.__dict__["_modules"] = OrderedDict((str(i), m) for i, m in enumerate(mods))
        return self

    def extend(self, sequential):
        """Append every module of `sequential` (any iterable of modules); returns the Sequential."""
        for m in sequential:
            self.append(m)
        return self

    def pop(self, key):
        """Remove the module at `key` (an index or slice) and return it."""
        v = self[key]
        del self[key]
        return v

    def forward(self, input):
        """Pass `input` through each module in order and return the last output. A
        Conv2d followed by a ReLU runs as one op (the ReLU in the convolution's output
        pass, the same values) when neither has hooks: the intermediate is not visible."""
        modules = list(self._modules.values())
        i, n = 0, len(modules)
        while i < n:
            module = modules[i]
            fused = getattr(type(module), "_forward_relu", None)  # on the class: no Module.__getattr__
            if (fused is not None and i + 1 < n and getattr(type(modules[i + 1]), "_fusable", None) is not None
                    and modules[i + 1]._fusable()):
                start = next_seq()
                out = fused(module, input)
                if out is not None:
                    end = next_seq()
                    module.__dict__["_seq_range"] = (start, end)
                    modules[i + 1].__dict__["_seq_range"] = (end, next_seq())
                    input = out
                    i += 2
                    continue
            input = module(input)
            i += 1
        return input


class ModuleList(Module):
    """A list of modules, registered under the keys "0", "1", ...; no forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self += modules

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self)))]

    def __setitem__(self, idx, module):
        self.add_module(str(_index(idx, len(self))), module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            for k in range(len(self._modules))[idx]:
                delattr(self, str(k))
        else:
            delattr(self, str(_index(idx, len(self))))
        self.__dict__["_modules"] = OrderedDict(
            (str(i), m) for i, m in enumerate(self._modules.values()))

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        out = ModuleList()
        for m in list(self) + list(other):
            out.append(m)
        return out

    def insert(self, index, module):
        """Insert `module` before position `index` (clamped to the list, as list.insert)."""
        n = len(self._modules)
        if index < 0:
            index = max(n + index, 0)
        index = min(index, n)
        for i in range(n, index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module

    def append(self, module):
        """Add `module` at the end; returns the ModuleList."""
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key):
        """Remove the module at index `key` and return it; the later ones move down."""
        v = self[key]
        del self[key]
        return v

    def extend(self, modules):
        """Append every module of the iterable `modules`; returns the ModuleList.
        Raises TypeError when `modules` is not iterable."""
        if not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got "
                            f"{type(modules).__name__}")
        offset = len(self)
        for i, module in enumerate(modules):
            self.add_module(str(offset + i), module)
        return self

    def __repr__(self):
        """Runs of equal consecutive modules are shown once, as `(0-2): 3 x Linear(...)`."""
        child = [repr(m) for m in self]
        if not child:
            return self._get_name() + "()"
        lines = []
        start = 0
        for end in range(1, len(child) + 1):
            if end < len(child) and child[end] == child[start]:
                continue
            text = _indent(child[start], 2)
            if end - start == 1:
                lines.append(f"({start}): {text}")
            else:
                lines.append(f"({start}-{end - 1}): {end - start} x {text}")
            start = end
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """An ordered dict of modules (insertion order); no forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        """Remove every module."""
        self._modules.clear()

    def pop(self, key):
        """Remove the module under `key` and return it (KeyError when absent)."""
        v = self[key]
        del self[key]
        return v

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def items(self):
        """The `(key, module)` pairs, in insertion order."""
        return self._modules.items()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def update(self, modules):
        """Add or replace modules from a mapping or an iterable of `(key, module)` pairs.

        Raises TypeError when `modules` or one of its elements is not iterable,
        ValueError when an element is not a pair."""
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value "
                            "pairs, but got " + type(modules).__name__)
        if isinstance(modules, (OrderedDict, ModuleDict, Mapping)):
            for key, module in modules.items():
                self[key] = module
        else:
            for j, m in enumerate(modules):
                if not isinstance(m, Iterable):
                    raise TypeError(f"ModuleDict update sequence element #{j} should be Iterable; is "
                                    f"{type(m).__name__}")
                if len(m) != 2:
                    raise ValueError(f"ModuleDict update sequence element #{j} has length {len(m)}; "
                                     f"2 is required")
                self[m[0]] = m[1]
