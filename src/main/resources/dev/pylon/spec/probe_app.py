"""Pylon's app probe: import MODULE from ROOT and say what ATTR is (WSGI or ASGI).

Run by dev.pylon.spec.AppProbe in a short-lived process, with the app folder as the working
directory. The answer is one line starting with PYLON-PROBE: and a JSON object, so that
anything the app prints while importing does not confuse it. The answer lists every path the
import opened or listed ("reads"), so Pylon can keep it until one of them changes.
"""

import importlib
import importlib.util
import inspect
import json
import os
import sys
import traceback


READS = set()


def record_reads(event, args):
    """Audit hook: the files and folders the app's import opens or lists, as absolute paths."""
    if event == "open" or event in ("os.listdir", "os.scandir"):
        path = args[0] if args else None
        if path is None and event != "open":
            path = "."
        if isinstance(path, (str, bytes, os.PathLike)):
            try:
                path = os.path.abspath(os.fsdecode(path))
            except (TypeError, ValueError):
                return
            READS.add(path)
            if path.endswith(".pyc"):
                try:  # a .pyc stands for its source: an edited source makes it stale
                    READS.add(importlib.util.source_from_cache(path))
                except (NotImplementedError, ValueError):
                    pass


def answer(**fields):
    if hasattr(sys, "addaudithook"):
        fields["reads"] = sorted(READS)
    sys.stdout.write("\nPYLON-PROBE:" + json.dumps(fields) + "\n")
    sys.stdout.flush()


def positional_parameters(obj):
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return len([p for p in signature.parameters.values() if p.kind in kinds])


def kind_of(obj):
    if inspect.isclass(obj):
        return "unknown"
    call = obj if inspect.isfunction(obj) or inspect.ismethod(obj) else getattr(type(obj), "__call__", None)
    if inspect.iscoroutinefunction(obj) or (call is not None and inspect.iscoroutinefunction(call)):
        return "asgi"
    count = positional_parameters(obj)
    if count == 2:
        return "wsgi"
    if count == 3:
        return "asgi"
    return "unknown"


def is_factory(obj):
    """A plain function that takes no arguments: an app factory, as Flask's create_app is."""
    if not inspect.isfunction(obj) or inspect.iscoroutinefunction(obj):
        return False
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return all(p.default is not inspect.Parameter.empty
               or p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
               for p in signature.parameters.values())


def describe(obj):
    if inspect.isfunction(obj):
        return "function " + obj.__qualname__
    return type(obj).__module__ + "." + type(obj).__qualname__


def call_factory(obj, attribute):
    """Calls the factory as the server will, once, and says what the app it returns is."""
    try:
        made = obj()
    except BaseException as error:  # a factory may raise anything; the server would too
        answer(ok=True, kind="unknown", factory=True,
               type="factory %s(), which raised %s: %s" % (attribute, type(error).__name__, error))
        return
    if not callable(made):
        answer(ok=True, kind="not-callable", factory=True, type=describe(made))
        return
    answer(ok=True, kind=kind_of(made), factory=True,
           type=describe(made) + " from " + attribute + "()")


def main():
    root, module_name, attribute = sys.argv[1:4]
    called = attribute.endswith("()")
    attribute = attribute[:-2] if called else attribute
    # The probe's own folder (a temporary one) is no place for the app's imports, and a changing
    # folder among the reads would keep the answer from being reused.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, os.path.abspath(root))
    if hasattr(sys, "addaudithook"):  # Python 3.8 and later
        sys.addaudithook(record_reads)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as error:
        answer(ok=False, stage="syntax", error="SyntaxError: %s" % error.msg,
               file=error.filename or "", line=error.lineno or 0, column=error.offset or 0,
               text=(error.text or "").rstrip("\n"))
        return
    except BaseException as error:  # the app's import may raise anything, even SystemExit
        answer(ok=False, stage="import", error="%s: %s" % (type(error).__name__, error),
               traceback=traceback.format_exc()[-3000:])
        return
    if not hasattr(module, attribute):
        names = sorted(n for n in vars(module) if not n.startswith("_")
                       and callable(getattr(module, n)) and not inspect.ismodule(getattr(module, n))
                       and getattr(getattr(module, n), "__module__", module_name) == module_name)
        answer(ok=False, stage="attribute", error="no attribute", callables=names[:10])
        return
    obj = getattr(module, attribute)
    described = describe(obj)
    if called or is_factory(obj):
        call_factory(obj, attribute)
        return
    if not callable(obj):
        answer(ok=True, kind="not-callable", type=described)
        return
    answer(ok=True, kind=kind_of(obj), type=described)


main()
