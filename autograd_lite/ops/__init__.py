"""The differentiable ops, one module per family (see ARCHITECTURE.md). The public
functions are exported at `autograd_lite.` from the op table (ops/table/), not from
here, so a module name (`ops.normalization`) never hides behind an op's name."""
