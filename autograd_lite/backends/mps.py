"""`ag.backends.mps`: Apple's Metal backend is never built or available here."""


def is_available():
    return False


def is_built():
    return False
