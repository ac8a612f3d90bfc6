# SPDX-License-Identifier: GPL-3.0-or-later
"""sipsim: evaluate chiplet system-in-package designs from Python.

A thin ctypes binding over the C library libsipsim (the same evaluation the `sipsim` command
line prints):

    import sipsim
    result = sipsim.evaluate("topologies/default.cfg")      # dict, as `sipsim report --json`
    print(result["thermal"]["t_max_c"])
    rows = sipsim.sweep("sweeps/default_3a090.cfg", limit=100)   # pandas.DataFrame

Errors from the library are raised as sipsim.Error, which carries the file and line the C
library reported (``err.path``, ``err.line``) and renders as ``path:line: message``.
"""
import ctypes
import ctypes.util
import json
import os

from . import _paths

__all__ = ["Error", "evaluate", "sweep", "version", "library_path"]

# sip_error_t in include/sipsim/status.h: {status, path[SIP_PATH_MAX], line, message[SIP_MESSAGE_MAX]}.
_SIP_PATH_MAX = 512
_SIP_MESSAGE_MAX = 512


class _ErrorStruct(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int),
                ("path", ctypes.c_char * _SIP_PATH_MAX),
                ("line", ctypes.c_int),
                ("message", ctypes.c_char * _SIP_MESSAGE_MAX)]


class Error(Exception):
    """A failure reported by libsipsim: bad input (with path and line) or an engine error."""

    def __init__(self, status, status_text, path, line, message):
        self.status = status
        self.status_text = status_text
        self.path = path
        self.line = line
        self.message = message
        where = path
        if path and line > 0:
            where = "%s:%d" % (path, line)
        super().__init__("%s: %s" % (where, message) if where else message)


def _candidates():
    env = os.environ.get("SIPSIM_LIBRARY")
    if env:
        return [env]
    found = [p for p in _paths.LIBRARY_CANDIDATES if p]
    name = ctypes.util.find_library("sipsim")
    if name:
        found.append(name)
    return found


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            tried.append("%s (%s)" % (path, exc))
    raise ImportError("sipsim: cannot load libsipsim; tried: " + "; ".join(tried) +
                      " (set SIPSIM_LIBRARY to the library's path)")


_lib, library_path = _load()
_lib.sip_version_string.restype = ctypes.c_char_p
_lib.sip_version_string.argtypes = []
_lib.sip_status_str.restype = ctypes.c_char_p
_lib.sip_status_str.argtypes = [ctypes.c_int]
_lib.sip_free.restype = None
_lib.sip_free.argtypes = [ctypes.c_void_p]
for _name in ("sip_evaluate_json", "sip_sweep_run_json"):
    _fn = getattr(_lib, _name)
    _fn.restype = ctypes.c_int
    _fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p),
                    ctypes.POINTER(_ErrorStruct)]


def version():
    """The version of the loaded libsipsim, e.g. '0.1.0'."""
    return _lib.sip_version_string().decode()


def _call(fn, subject, options):
    if isinstance(subject, os.PathLike):
        subject = os.fspath(subject)
    if not isinstance(subject, str):
        raise TypeError("expected a file path or libconfig text, got %s" % type(subject).__name__)
    opts = json.dumps(options).encode() if options else None
    out = ctypes.c_void_p()
    err = _ErrorStruct()
    status = fn(subject.encode(), opts, ctypes.byref(out), ctypes.byref(err))
    try:
        if status != 0:
            raise Error(status, _lib.sip_status_str(status).decode(),
                        err.path.decode(errors="replace"), err.line,
                        err.message.decode(errors="replace"))
        return ctypes.string_at(out.value).decode() if out.value else ""
    finally:
        _lib.sip_free(out)


def evaluate(package, library=None, **options):
    """Evaluate one package (a file path, or libconfig text) with every engine.

    Returns the evaluation as a dict (the object `sipsim report --json` prints).  ``library``
    lists chiplet library folders searched first (the command line's -L; text input has no
    folder of its own to find chiplets/ beside).  Keyword options override the evaluation's
    named defaults (the table `sipsim help eval` prints), e.g. ``thermal_grid=32``.
    """
    if library is not None:
        if isinstance(library, (str, os.PathLike)):
            library = [library]
        options["library_dirs"] = [os.fspath(d) for d in library]
    return json.loads(_call(_lib.sip_evaluate_json, package, options))


def sweep(spec, threads=None, limit=None, shard=None):
    """Run a sweep spec (a file path, or spec text) and return its rows as a pandas.DataFrame.

    One row per variant in variant order, with the spec's axes, every metric the sweep computes,
    "valid", "feasible", "reason" and "pareto" (on the Pareto front of the spec's objectives).
    """
    import pandas  # only the sweep needs it

    options = {}
    if threads is not None:
        options["threads"] = int(threads)
    if limit is not None:
        options["limit"] = int(limit)
    if shard is not None:
        options["shard"] = str(shard)
    text = _call(_lib.sip_sweep_run_json, spec, options)
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        metrics = row.get("metrics", {})
        flat = {"id": row["id"], "valid": row["valid"], "feasible": row["feasible"],
                "pareto": row.get("pareto", False), "reason": row.get("reason")}
        for name, value in row.get("axes", {}).items():
            # An axis may share its name with a metric (axis "compute" sets the chiplet count,
            # metric "compute" counts them): the metric keeps the plain name.
            flat["axis." + name if name in metrics or name in flat else name] = value
        flat.update(metrics)
        records.append(flat)
    return pandas.DataFrame.from_records(records)
