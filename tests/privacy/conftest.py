"""The recording OpenAI-compatible server of the model tests, for the whole-stack leak test."""

from tests.ml.conftest import scripted_server  # noqa: F401
