"""`python -m autograd_lite.as_torch SCRIPT [ARGS...]` (or `-m MODULE [ARGS...]`): run a
PyTorch program unchanged, with `import torch` resolving to autograd_lite."""
import os
import runpy
import sys

from . import install

USAGE = """usage: python -m autograd_lite.as_torch SCRIPT [ARGS...]
       python -m autograd_lite.as_torch -m MODULE [ARGS...]

Runs a PyTorch program with `torch` (torch.nn, torch.nn.functional, torch.optim,
torch.utils.data, ...) resolving to autograd_lite. SCRIPT and ARGS are passed as
`python SCRIPT ARGS` would; a PyTorch API autograd_lite lacks fails with an error naming it."""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    install()
    if argv[0] == "-m":
        if len(argv) < 2:
            print(USAGE, file=sys.stderr)
            return 2
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"python -m autograd_lite.as_torch: can't open file {script!r}: no such file", file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python SCRIPT` sets it
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
