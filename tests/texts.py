"""What every text a person reads must be: Polish, and a sentence."""

from __future__ import annotations

import re

# Words of pydantic's, json's and Python's messages ("Input should be a valid string",
# "Field required", "Expecting value", "'a' or 'b'"), none of them a Polish word.
ENGLISH = re.compile(
    r"\b(the|is|are|be|should|must|or|and|not|an|input|value|values|valid|invalid|field|"
    r"required|expecting|expected|string|integer|number|object|dictionary|type|missing|"
    r"error|least|most|characters?|items?|extra|inputs|permitted|allowed|greater|less|than|"
    r"equal|after|before|unable|parse|got|instance|line|column|char|delimiter|property|"
    r"enclosed|quotes)\b",
    re.IGNORECASE,
)


def english_words(text: str) -> list[str]:
    """English words in `text` (the API's JSON field names in quotes aside)."""
    return ENGLISH.findall(re.sub(r'"[a-z_]+"', "", text))


def is_sentence(text: str) -> bool:
    """A capital letter (or a digit or an opening quote) first, a full stop (? !) last."""
    text = text.strip()
    return bool(text) and not text[0].islower() and text[-1] in ".?!"


def assert_polish_sentence(text: str, where: object = "") -> None:
    """`text` is a Polish sentence with no English in it."""
    assert isinstance(text, str), (where, text)
    assert is_sentence(text), (where, text)
    assert not english_words(text), (where, text, english_words(text))
