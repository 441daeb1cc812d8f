"""Utilities (data loading arrives with the nn/optim issue)."""
