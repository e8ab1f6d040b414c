"""Reusable widgets that draw what they are given (no workers, no engine calls of their own)."""
