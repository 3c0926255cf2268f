"""Analytics over coded stances: alignment, agreement, reliability and echo chains."""
