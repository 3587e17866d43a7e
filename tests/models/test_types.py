"""Every request body is an InputModel, so that each one refuses unknown fields and control
characters: a guard for the bodies routes add later."""

from typing import get_args, get_origin

from pydantic import BaseModel

from app.main import create_app
from app.models.types import InputModel, forbidden_character_problem
from app.openapi import _api_routes


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return (
        [m for arg in get_args(annotation) for m in _models(arg)] if get_origin(annotation) else []
    )


def test_every_request_body_is_an_input_model() -> None:
    bodies = {
        (method, path): route.body_field.field_info.annotation
        for route, path, methods in _api_routes(create_app())
        for method in methods
        if route.body_field is not None
    }
    assert len(bodies) >= 10
    for where, annotation in bodies.items():
        models = _models(annotation)
        assert models, where
        for model in models:
            assert issubclass(model, InputModel), (where, model)


def test_what_counts_as_a_forbidden_character() -> None:
    assert forbidden_character_problem("Erste Zeile\r\nZweite\tZeile") is None
    assert forbidden_character_problem("Grüße, €, 😀") is None
    for text in ("a\x00", "a\x1b[31m", "a\x7f", "a\x0c", "a\ud800"):
        assert forbidden_character_problem(text) is not None, repr(text)
    assert forbidden_character_problem(["ok", "b\x00"]) == (
        "item 1: control characters are not allowed (U+0000 at position 1)"
    )
    assert forbidden_character_problem({"name": "x\x01"}) is not None
