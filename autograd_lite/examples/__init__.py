"""Small runnable examples: `python -m autograd_lite.examples.NAME`."""
