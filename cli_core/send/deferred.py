"""Stage 4 (send) — botocore without the modules one request never runs.

For every client, botocore imports machinery that a command line sending one request does not
use: the docstring generators (``botocore.docs``, through ``botocore.client`` and
``botocore.waiter``), the waiter module itself, JMESPath (compiled only to paginate, wait or
resolve a few endpoint parameters) and the native library of the AWS Common Runtime
(``_awscrt``, loaded by ``import awscrt.auth`` in ``botocore.compat`` although only CRC64NVME
checksums and SigV4a signing call it). Together they are about a quarter of a real call. Smaller
ones follow in the table below, each with what needs it.

:func:`defer_unused_imports` (called before botocore is first imported) puts a finder in
front of the import system for those modules. Importing one of them gives a stand-in module
that runs the real module the first time a name is looked up in it; until then nothing of it
has run. So behaviour does not change, only when the import happens: a ``wait`` loads the
waiter when it builds one, an S3 upload loads ``_awscrt`` when it computes its CRC64NVME
checksum, ``help()`` on a botocore client method loads the docs.

``from module import name`` looks the name up at once; for the few names botocore imports that
way from a deferred module (functions and classes that are only called, or whose attributes are
only read later), the stand-in hands out a forwarder that runs the module on the first call or
attribute read. Any other name runs the module right away,
so a botocore that imports more than listed here is only slower, never wrong
(``tests/test_startup.py`` lists what a real call may run).
"""

from __future__ import annotations

import functools
import gc
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
import types

# module -> the names other modules take from it with ``from ... import`` at import time (each
# only called later, so a forwarder can stand in for it until then)
DEFERRED: dict[str, tuple[str, ...]] = {
    "_awscrt": (),
    "awscrt.auth": (),  # botocore.compat imports it to learn that the CRT is there
    "awscrt.checksums": (),
    "awscrt.crypto": ("EC",),  # SigV4a and login keys only
    "dateutil.parser": ("parse",),  # timestamps in no known format, cached credentials
    "importlib.metadata": ("version",),  # urllib3's HTTP/2 probe, only to enable HTTP/2
    "subprocess": ("Popen",),  # botocore.credentials: a credential_process profile only
    "getpass": ("getpass",),  # botocore.credentials: an MFA code asked for an assumed role
    "configparser": (),  # botocore.configloader: only when a config or credentials file exists
    "botocore.retries.adaptive": (),  # retry_mode = adaptive only
    "botocore.monitoring": (),  # client-side monitoring (csm_enabled) only
    # the CRT's signers: botocore.auth adds them to its table of signers at import, which
    # loads awscrt.auth/http/io; clishape signs SigV4 with botocore's own (as AWS CLI v2), so
    # only SigV4a needs them (see KEYED below)
    "botocore.crt.auth": ("CRT_AUTH_TYPE_MAPS",),
    "jmespath": (),
    "botocore.waiter": (),
    "botocore.docs": (),
    "botocore.docs.bcdoc.restdoc": ("DocumentStructure",),
    "botocore.docs.method": ("document_model_driven_method",),
    "botocore.docs.paginator": ("document_paginate_method",),
    "botocore.docs.waiter": ("document_wait_method",),
}

# (module, name) of a deferred mapping -> (module, name) of the tuple of its keys, known without
# running the module: the stand-in is then a mapping with those keys whose values forward to
# the real mapping's (botocore keeps the CRT signers' names apart for this very purpose)
KEYED: dict[tuple[str, str], tuple[str, str]] = {
    ("botocore.crt.auth", "CRT_AUTH_TYPE_MAPS"): ("botocore.crt", "CRT_SUPPORTED_AUTH_TYPES"),
}

_STATE = "__clishape_deferred__"
_released: set[str] = set()  # loaded once: imported as usual from then on
_installed = False
_install_lock = threading.Lock()


def defer_unused_imports() -> None:
    """Install the deferring finder (once per process; a module already imported stays as is)."""
    global _installed
    if _installed:
        return
    with _install_lock:
        if not _installed:
            sys.meta_path.insert(0, _DeferringFinder())
            _installed = True


def collection_paused(function):
    """The first call of ``function`` in a process runs with Python's cyclic garbage collector
    paused; what it created is then moved out of the collector's sight (``gc.freeze``).

    Importing botocore and building a client create a few hundred thousand objects that live as
    long as the process (modules, classes, functions, the model): the collector would walk them
    again and again during the first call (about 7% of a real call) and find nothing to free.
    Plain objects are freed as usual meanwhile; later calls run with the collector as it was.
    """
    first = [True]

    @functools.wraps(function)
    def run(*args, **kwargs):
        if not (first[0] and gc.isenabled()):
            return function(*args, **kwargs)
        first[0] = False
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.freeze()
            gc.enable()

    return run


def pending() -> list[str]:
    """The deferred modules imported as stand-ins whose code has not run (yet)."""
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if isinstance(module, _Deferred) and _STATE in module.__dict__
    )


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds a listed module as the other finders do, and wraps its loader."""

    def __init__(self):
        self.skip = threading.local()

    def find_spec(self, fullname, path, target=None):
        if (
            fullname not in DEFERRED
            or fullname in _released
            or getattr(self.skip, "name", None) == fullname
        ):
            return None
        self.skip.name = fullname  # the finders below must not come back here for it
        try:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
        finally:
            self.skip.name = None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _DeferringLoader(spec.loader)
        return spec


class _DeferringLoader(importlib.abc.Loader):
    """Creates the stand-in; the real loader runs on first use."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return None  # a plain module; an extension module is created when it is loaded

    def exec_module(self, module):
        spec = module.__spec__
        spec.loader = module.__loader__ = self.loader
        module.__dict__[_STATE] = threading.RLock()
        module.__class__ = _Deferred


class _Deferred(types.ModuleType):
    """A module whose code runs the first time a name is looked up in it."""

    def __getattr__(self, name):
        if name == "__path__":
            raise AttributeError(name)  # the import system asking whether it is a package
        if _STATE in self.__dict__ and name in DEFERRED.get(self.__name__, ()):
            keys = _known_keys(self.__name__, name)
            if keys is not None:
                return _KeyedForwarder(self, name, keys)
            return _forwarder(self, name)
        _load(self)
        return getattr(self, name)


def _known_keys(module: str, name: str) -> tuple | None:
    where = KEYED.get((module, name))
    if where is None:
        return None
    keys = getattr(sys.modules.get(where[0]), where[1], None)
    return tuple(keys) if isinstance(keys, (tuple, list)) else None


def _forwarder(module: types.ModuleType, name: str) -> _Forwarder:
    return _Forwarder(module, name)


class _KeyedForwarder:
    """Stands for the mapping ``module.name`` whose keys are known: ``keys()`` and ``[key]``
    answer without running the module (so ``dict.update`` takes it as it is), each value
    forwarding to the real mapping's value for that key."""

    def __init__(self, module: types.ModuleType, name: str, keys: tuple):
        self._module, self._name, self._keys = module, name, keys

    def keys(self):
        return list(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)

    def __getitem__(self, key):
        if key not in self._keys:
            raise KeyError(key)
        return _Forwarder(self._module, self._name, key)


class _Forwarder:
    """Stands for ``module.name`` (or ``module.name[key]``) until the module has run: calling it
    or reading one of its attributes runs the module and hands over to the real object."""

    __slots__ = ("_module", "_key", "__name__", "__qualname__")

    def __init__(self, module: types.ModuleType, name: str, key=None):
        self._module = module
        self._key = key
        self.__name__ = self.__qualname__ = name

    def _real(self):
        _load(self._module)
        found = getattr(self._module, self.__name__)
        return found if self._key is None else found[self._key]

    def __call__(self, *args, **kwargs):
        return self._real()(*args, **kwargs)

    def __getattr__(self, attribute):
        return getattr(self._real(), attribute)

    def __repr__(self):
        return f"<deferred {self._module.__name__}.{self.__name__}>"


def _load(module: types.ModuleType) -> None:
    lock = module.__dict__.get(_STATE)
    if lock is None:
        return
    with lock:
        if _STATE not in module.__dict__:
            return  # another thread loaded it meanwhile
        del module.__dict__[_STATE]
        _released.add(module.__name__)
        module.__class__ = types.ModuleType
        loader = module.__spec__.loader
        if isinstance(loader, importlib.machinery.ExtensionFileLoader):
            _load_extension(module)
        else:
            loader.exec_module(module)  # the module's code, run in the stand-in itself


def _load_extension(module: types.ModuleType) -> None:
    """A native module cannot run inside another object: import it, then share its names."""
    name = module.__name__
    if sys.modules.get(name) is module:
        del sys.modules[name]
    try:
        real = importlib.import_module(name)
    except BaseException:
        sys.modules.setdefault(name, module)
        raise
    module.__dict__.update(real.__dict__)
