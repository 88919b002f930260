"""Ready search spaces and portfolios of proven settings for common estimators."""

from ._registry import default_space, portfolio

__all__ = ["default_space", "portfolio"]
