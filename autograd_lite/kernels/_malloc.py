"""Keep freed memory for reuse (glibc only): large temporaries stop costing page faults.

A convolution step allocates and frees tens of megabytes of columns and gradients.
glibc returns such blocks to the system (mmap'ed blocks above M_MMAP_THRESHOLD, heap
tops above M_TRIM_THRESHOLD), so the next step takes a page fault on every 4 KiB it
touches again: on the 2-core CI machine that was 45% of a LeNet-5 training step
(28 ms against 15 ms with the memory kept). PyTorch avoids this with its own
allocators; we ask glibc to keep blocks up to 32 MiB on the heap and up to 256 MiB
of free heap mapped. Applied once, when the first kernel module loads; set
AUTOGRAD_LITE_MALLOC_TUNING=0 to leave the allocator alone.
"""
import ctypes
import os
import platform

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's maximum on 64-bit systems
TRIM_THRESHOLD = 256 * 1024 * 1024

_done = []


def tune():
    """Apply the settings once; returns True if glibc accepted them."""
    if _done:
        return _done[0]
    ok = False
    if os.environ.get("AUTOGRAD_LITE_MALLOC_TUNING", "1") != "0" and platform.libc_ver()[0] == "glibc":
        try:
            libc = ctypes.CDLL("libc.so.6")
            ok = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
                bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
        except (OSError, AttributeError):  # pragma: no cover - unusual libc
            ok = False
    _done.append(ok)
    return ok
