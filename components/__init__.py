"""Reusable UI elements. They know nothing of the live engine or the store."""
