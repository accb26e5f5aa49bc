"""Thin command-line faces: each turns arguments into calls on the core, net and render."""
