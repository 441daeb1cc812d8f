"""(filled by the nn/optim issue)"""
__all__ = []
