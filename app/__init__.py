"""Bildungsraum: regional catalogue of continuing-education offers."""
