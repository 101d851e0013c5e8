"""Renderers: a result as text, data, a sortie timeline or an HTML report."""
